"""Presentation: publication tables, figures and maps with Chinese labels, the HTML report.

Imports only :mod:`cityres._shared` and :mod:`cityres.data`; the study pipeline imports
this package, never the other way round.
"""
