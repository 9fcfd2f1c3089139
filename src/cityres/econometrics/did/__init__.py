"""Policy evaluation of staggered pilot programmes: difference-in-differences.

Treatment from a policy calendar, two-way FE DID and event studies, the
heterogeneity-robust estimators of Callaway & Sant'Anna (2021), Sun & Abraham (2021) and
Gardner (2022), the Goodman-Bacon (2021) decomposition, placebo tests, PSM-DID and
spatial DID. Every estimator reads its data through :func:`did_frame` (cohort = adoption
period, 0 or missing = never treated, as in R ``did``).
"""

from __future__ import annotations

from cityres.econometrics.did._data import DidData, did_frame
from cityres.econometrics.did.bacon import BACON_TYPES, BaconResult, bacon
from cityres.econometrics.did.callaway import CSAggregate, CSResult, callaway_santanna
from cityres.econometrics.did.did2s import did2s, did2s_event_study
from cityres.econometrics.did.eventstudy import event_study
from cityres.econometrics.did.placebo import PlaceboResult, placebo
from cityres.econometrics.did.psm import PSMDIDResult, psm_did
from cityres.econometrics.did.results import ATTResult, EventStudyResult
from cityres.econometrics.did.spatial import SpatialDIDResult, spatial_did
from cityres.econometrics.did.sunab import sun_abraham
from cityres.econometrics.did.treatment import Treatment, treatment_from_calendar
from cityres.econometrics.did.twfe import did_twfe

__all__ = [
    "BACON_TYPES",
    "ATTResult",
    "BaconResult",
    "CSAggregate",
    "CSResult",
    "DidData",
    "EventStudyResult",
    "PSMDIDResult",
    "PlaceboResult",
    "SpatialDIDResult",
    "Treatment",
    "bacon",
    "callaway_santanna",
    "did2s",
    "did2s_event_study",
    "did_frame",
    "did_twfe",
    "event_study",
    "placebo",
    "psm_did",
    "spatial_did",
    "sun_abraham",
    "treatment_from_calendar",
]
