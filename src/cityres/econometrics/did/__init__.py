"""Policy evaluation of staggered pilot programmes: difference-in-differences.

Treatment from a policy calendar, two-way FE DID and event studies, the
heterogeneity-robust estimators of Callaway & Sant'Anna (2021), Sun & Abraham (2021) and
Gardner (2022), the Goodman-Bacon (2021) decomposition, placebo tests, PSM-DID and
spatial DID. Every estimator reads its data through :func:`did_frame` (cohort = adoption
period, 0 or missing = never treated, as in R ``did``).
"""

from __future__ import annotations

from cityres.econometrics.did._data import DidData, did_frame
from cityres.econometrics.did.callaway import CSAggregate, CSResult, callaway_santanna
from cityres.econometrics.did.treatment import Treatment, treatment_from_calendar

__all__ = [
    "CSAggregate",
    "CSResult",
    "DidData",
    "Treatment",
    "callaway_santanna",
    "did_frame",
    "treatment_from_calendar",
]
