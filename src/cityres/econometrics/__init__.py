"""Panel econometrics for mechanisms: fixed-effects baselines, mediation, moderation,
heterogeneity with coefficient-difference tests, Hansen's panel threshold model, IV and
robustness checks.

Each estimator takes a :class:`cityres.data.CityPanel` (or a long DataFrame with
``entity=`` and ``time=``) and returns an immutable result with ``tidy()`` and
``summary()``; :func:`cityres.report.tables.regression_table` renders any of them.
"""

from __future__ import annotations

from cityres.econometrics.fe import FEResult, WaldTest, fit_fe, fit_sequence
from cityres.econometrics.heterogeneity import (
    Grouping,
    HeterogeneityResult,
    city_list,
    column_groups,
    period_split,
    quantile_groups,
    subgroups,
)
from cityres.econometrics.iv import IVResult, fit_iv
from cityres.econometrics.mediation import MediationResult, mediation, sobel
from cityres.econometrics.moderation import ModerationResult, moderation
from cityres.econometrics.robustness import RobustnessResult, drop_cities, robustness
from cityres.econometrics.threshold import ThresholdResult, threshold

__all__ = [
    "FEResult",
    "Grouping",
    "HeterogeneityResult",
    "IVResult",
    "MediationResult",
    "ModerationResult",
    "RobustnessResult",
    "ThresholdResult",
    "WaldTest",
    "city_list",
    "column_groups",
    "drop_cities",
    "fit_fe",
    "fit_iv",
    "fit_sequence",
    "mediation",
    "moderation",
    "period_split",
    "quantile_groups",
    "robustness",
    "sobel",
    "subgroups",
    "threshold",
]
