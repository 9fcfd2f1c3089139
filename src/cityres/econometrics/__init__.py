"""Panel econometrics for mechanisms: fixed-effects baselines, mediation, moderation,
heterogeneity with coefficient-difference tests, Hansen's panel threshold model and IV.

Each estimator takes a :class:`cityres.data.CityPanel` (or a long DataFrame with
``entity=`` and ``time=``) and returns an immutable result with ``tidy()`` and
``summary()``; :func:`cityres.report.tables.regression_table` renders any of them.
"""

from __future__ import annotations

from cityres.econometrics.fe import FEResult, WaldTest, fit_fe, fit_sequence

__all__ = ["FEResult", "WaldTest", "fit_fe", "fit_sequence"]
