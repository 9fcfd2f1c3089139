"""Hansen's (1999) fixed-effects panel threshold regression.

:func:`threshold` estimates one to three thresholds sequentially with Hansen's
refinement, tests their number with the fixed-regressor residual bootstrap, gives LR
confidence intervals of the thresholds and entity-clustered standard errors of the regime
coefficients. The search evaluates every candidate split at once from cumulative sums
(:mod:`~cityres.econometrics.threshold.search`). See ``docs/methods/threshold.md``.
"""

from __future__ import annotations

from cityres.econometrics.threshold.api import threshold
from cityres.econometrics.threshold.results import ThresholdResult

__all__ = ["ThresholdResult", "threshold"]
