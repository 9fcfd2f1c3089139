"""Aggregations of Callaway & Sant'Anna group-time ATTs (R ``did::aggte``): simple,
dynamic (event study), group and calendar, with analytic or bootstrap inference."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, CityresWarning, format_choices
from cityres.econometrics.did.results import EventStudyResult, coef_table
from cityres.econometrics.fe import WaldTest

if TYPE_CHECKING:
    from cityres.econometrics.did.callaway import CSResult

__all__ = ["AggType", "CSAggregate", "aggregate", "check_choice", "pointwise_table",
           "reissue"]

AggType = Literal["simple", "dynamic", "group", "calendar"]
AGG_TYPES = ("simple", "dynamic", "group", "calendar")
_KEY = {"dynamic": "event_time", "group": "group", "calendar": "time"}
_CONTROL_TEXT = {"never": "never treated", "notyet": "never treated and not yet treated"}


def check_choice(value: object, accepted: Sequence[str], argument: str) -> None:
    """Raise :class:`ArgumentError` unless ``value`` is one of ``accepted``."""
    if value not in accepted:
        raise ArgumentError(f"{argument}={value!r}; accepted: {format_choices(accepted)}")


def reissue(caught: list[warnings.WarningMessage], where: str) -> list[str]:
    """Re-raise moderndid's warnings as cityres warnings (prefixed) and return them."""
    out = []
    for w in caught:
        text = " ".join(str(w.message).split())
        if "simultaneous confidence band" in text:
            continue
        out.append(f"callaway_santanna ({where}): {text}")
        warnings.warn(out[-1], CityresWarning, stacklevel=3)
    return out


def pointwise_table(key: str, labels: np.ndarray, att: np.ndarray, se: np.ndarray, crit: float,
           level: float) -> pd.DataFrame:
    """Estimates keyed by ``key`` with SEs, ``att ± crit·se`` bands, normal p-values and
    whether the band is pointwise (``crit`` is the normal quantile)."""
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.norm.sf(np.abs(att / se))
    return pd.DataFrame({key: labels.astype(np.int64), "att": att, "se": se,
                         "ci_low": att - crit * se, "ci_high": att + crit * se,
                         "pvalue": p, "pointwise": crit == z})


@dataclass(frozen=True)
class CSAggregate:
    """An aggregation of group-time ATTs (``did::aggte``).

    Attributes
    ----------
    type : {"simple", "dynamic", "group", "calendar"}
    overall_att, overall_se : float
        The overall summary: for ``simple`` the cohort-size-weighted average of all
        post-treatment ATT(g, t); for ``dynamic`` the plain average over event times
        e ≥ 0; for ``group`` the average of the group effects weighted by cohort size;
        for ``calendar`` the plain average of the post-treatment period effects (as R
        ``did::aggte``).
    estimates : pandas.DataFrame
        Per event time / group / period (column ``event_time``, ``group`` or ``time``):
        ``att``, ``se``, ``ci_low``, ``ci_high`` (uniform band when bootstrapped with
        ``cband``, else pointwise), ``pvalue`` (pointwise, normal), ``pointwise``. Empty
        for ``simple``.
    level : float
    se_type : {"analytic", "bootstrap"}
    critical_value : float
        The multiplier of ``se`` in the band.
    nobs, n_units : int
    dep_var : str
    """

    type: str
    overall_att: float
    overall_se: float
    estimates: pd.DataFrame
    level: float
    se_type: str
    critical_value: float
    nobs: int
    n_units: int
    dep_var: str
    balance_e: int | None = None
    control: str = ""
    periods: tuple[int, int] | None = None
    cohort_sizes: pd.Series | None = None
    pretest: WaldTest | None = None
    influence: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def params(self) -> pd.Series:
        """The overall ATT under the name ``ATT`` (for regression tables)."""
        return pd.Series({"ATT": self.overall_att})

    @property
    def std_errors(self) -> pd.Series:
        return pd.Series({"ATT": self.overall_se})

    @property
    def tstats(self) -> pd.Series:
        return self.params / self.std_errors

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(2 * stats.norm.sf(np.abs(self.tstats.to_numpy())), index=["ATT"])

    def tidy(self) -> pd.DataFrame:
        """The overall row (``term`` = ``ATT``) followed by the per-key estimates
        (``term`` = ``e=…``, ``g=…`` or ``t=…``)."""
        z = stats.norm.ppf(0.5 + self.level / 2)
        head = pd.DataFrame({"term": ["ATT"], "att": [self.overall_att],
                             "se": [self.overall_se],
                             "ci_low": [self.overall_att - z * self.overall_se],
                             "ci_high": [self.overall_att + z * self.overall_se],
                             "pvalue": [float(self.pvalues.iloc[0])]})
        if self.estimates.empty:
            return head
        key = self.estimates.columns[0]
        prefix = {"event_time": "e", "group": "g", "time": "t"}[key]
        rest = self.estimates.assign(term=[f"{prefix}={v}" for v in self.estimates[key]])
        return pd.concat([head, rest[["term", "att", "se", "ci_low", "ci_high", "pvalue"]]],
                         ignore_index=True)

    def to_event_study(self) -> EventStudyResult:
        """A dynamic aggregation as an :class:`EventStudyResult` (for the event-study
        plot and tables beside the regression-based estimators): no reference period
        (with ``base_period="varying"`` every pre-period is an estimated short
        difference), covariance from the influence functions, the Wald pre-test of the
        group-time ATTs as ``pretrend``, the overall ATT (e ≥ 0) as ``overall``."""
        if self.type != "dynamic":
            raise ArgumentError(f"to_event_study needs type='dynamic'; this is {self.type!r}")
        est = self.estimates
        e = est["event_time"].to_numpy(dtype=np.int64)
        # base_period="universal": e = −1 is the omitted base (ATT 0, no SE)
        ref = ~np.isfinite(est["se"].to_numpy(dtype=float))
        coefs = coef_table(e.tolist(), [str(v) for v in e], est["att"].tolist(),
                           est["se"].tolist(),
                           self._cell_sizes(e), [False] * len(e), ref.tolist(),
                           df=math.inf, level=self.level)
        if not est["pointwise"].all():  # uniform (sup-t) band from the bootstrap
            band = est.set_index("event_time").loc[coefs["event_time"]]
            coefs["ci_low"] = band["ci_low"].to_numpy()
            coefs["ci_high"] = band["ci_high"].to_numpy()
        if self.influence is not None:
            inf = np.asarray(self.influence, dtype=float)
            cov = inf.T @ inf / inf.shape[0] ** 2
        else:
            cov = np.diag(est["se"].to_numpy(dtype=float) ** 2)
        keep = np.argsort(e, kind="stable")
        keep = keep[~ref[keep]]
        cov = cov[np.ix_(keep, keep)]
        terms = list(coefs.loc[~coefs["is_reference"], "term"])
        overall = pd.DataFrame({"term": ["ATT"], "estimate": [self.overall_att],
                                "std_error": [self.overall_se],
                                "tstat": [self.tstats.iloc[0]],
                                "ci_low": [self.tidy()["ci_low"].iloc[0]],
                                "ci_high": [self.tidy()["ci_high"].iloc[0]],
                                "pvalue": [self.pvalues.iloc[0]], "nobs": [self.nobs]})
        return EventStudyResult(
            estimator="Callaway & Sant'Anna (2021)", dep_var=self.dep_var, coefs=coefs,
            cov=pd.DataFrame(cov, index=terms, columns=terms), level=self.level,
            pretrend=self.pretest, nobs=self.nobs, n_units=self.n_units,
            n_clusters=self.n_units, control=self.control, overall=overall)

    def _cell_sizes(self, e: np.ndarray) -> list[int]:
        """Treated units behind each event time (cohorts with g + e in the window)."""
        if self.cohort_sizes is None or self.periods is None:
            return [0] * len(e)
        lo, hi = self.periods
        sizes = {int(str(g)): int(n) for g, n in self.cohort_sizes.items()}
        sizes.pop(0, None)
        return [sum(n for g, n in sizes.items() if lo <= g + int(v) <= hi) for v in e]

    def summary(self) -> str:
        """The overall ATT and the table of estimates as text."""
        lines = [f"Callaway–Sant'Anna aggregation: {self.type} ({self.se_type} SEs, "
                 f"{self.level:.0%} bands)",
                 f"  overall ATT = {self.overall_att:.5f} (SE {self.overall_se:.5f})"]
        if not self.estimates.empty:
            lines.append(self.estimates.to_string(index=False, float_format="%.5f"))
        return "\n".join(lines)


def aggregate(fit: CSResult, type: AggType, *, balance_e: int | None = None,
              min_e: float = -np.inf, max_e: float = np.inf) -> CSAggregate:
    """:meth:`CSResult.aggregate` (see there)."""
    check_choice(type, AGG_TYPES, "type")
    if type != "dynamic" and (balance_e is not None or np.isfinite(min_e)
                              or np.isfinite(max_e)):
        raise ArgumentError("balance_e, min_e and max_e apply to type='dynamic' only; "
                            f"got type={type!r}")
    from moderndid import aggte

    boot = fit.se_type == "bootstrap"
    state = None
    if boot:
        seq = np.random.SeedSequence(fit.seed_entropy, spawn_key=(1, AGG_TYPES.index(type)))
        state = int(seq.generate_state(1)[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        agg = aggte(fit._fit, type=type, balance_e=balance_e, min_e=min_e, max_e=max_e,
                    boot=boot, biters=fit.n_boot if boot else None, cband=boot,
                    alp=1 - fit.level, random_state=state)
    reissue(caught, "aggregate")
    z = float(stats.norm.ppf(0.5 + fit.level / 2))
    if type == "simple" or agg.event_times is None:
        est, crit = pd.DataFrame(), z
    else:
        cv = agg.critical_values
        crit = float(np.asarray(cv).ravel()[0]) if cv is not None else z
        est = pointwise_table(_KEY[type], np.asarray(agg.event_times),
                              np.asarray(agg.att_by_event, dtype=float),
                              np.asarray(agg.se_by_event, dtype=float), crit, fit.level)
    pre = None
    if math.isfinite(fit.pretest_stat):
        pre_cells = fit.att_gt[fit.att_gt["event_time"] < 0]
        n_pre = int(np.isfinite(pre_cells["se"].to_numpy(dtype=float)).sum())
        pre = WaldTest(stat=fit.pretest_stat / max(n_pre, 1), df_num=n_pre,
                       df_denom=math.inf, pvalue=fit.pretest_pvalue, chi2=fit.pretest_stat,
                       hypothesis="every pre-treatment ATT(g,t) = 0")
    return CSAggregate(type=type, overall_att=float(agg.overall_att),
                       overall_se=float(agg.overall_se), estimates=est, level=fit.level,
                       se_type=fit.se_type, critical_value=crit, nobs=fit.nobs,
                       n_units=fit.n_units, dep_var=fit.dep_var, balance_e=balance_e,
                       control=_CONTROL_TEXT[fit.control], periods=fit.periods,
                       cohort_sizes=fit.cohort_sizes, pretest=pre,
                       influence=None if agg.influence_func is None
                       else np.asarray(agg.influence_func))
