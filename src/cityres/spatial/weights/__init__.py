"""Spatial weights: the :class:`Weights` object and the builders of the literature."""

from cityres.spatial.weights.core import Weights, WeightsSummary

__all__ = ["Weights", "WeightsSummary"]
