"""PSM-DID: propensity-score matching of cities on pre-period covariates, then a weighted
two-way FE difference-in-differences on the matched sample.

:func:`psm_did` builds a city-level cross-section from the panel (covariate means over the
pre-treatment years), matches treated to never-treated cities with :func:`psm_match`
(nearest-neighbour or kernel) and estimates the DID with the matching weights. Every
treated city left out (off the common support, or without a control within the caliper /
bandwidth) is listed in the result.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError, format_choices
from cityres.data.modelframe import check_values, indexed_frame
from cityres.econometrics._frame import check_regressors
from cityres.econometrics.did._balance import SdDenominator
from cityres.econometrics.did._data import did_frame
from cityres.econometrics.did._matching import Kernel, Method, check_options
from cityres.econometrics.did._psmatch import PSMatch, psm_match
from cityres.econometrics.fe import FEResult, Vcov, check_vcov, from_pyfixest

__all__ = ["PSMDIDResult", "PSMatch", "psm_did", "psm_match"]

_TERM = "D"
_WCOL = "_psm_weight"


@dataclass(frozen=True)
class PSMDIDResult:
    """A PSM-DID: the matching and the weighted two-way FE DID on the matched sample.

    Attributes
    ----------
    dep_var, cohort : str
    pre : tuple of int
        The pre-treatment periods whose covariate means entered the propensity model.
    covariates : tuple of str
        Covariates of the propensity model.
    matching : PSMatch
        The matching (scores, matches, weights, balance, left-out treated units).
    did : FEResult
        The weighted TWFE regression ``y ~ D (+ controls) | entity + period`` on the
        matched sample; ``D`` is ``1[cohort > 0 and t ≥ cohort]``.
    notes : tuple of str
        What was changed or left out on the way (from the data layer and the matching).

    ``params``, ``std_errors``, ``tstats``, ``pvalues``, ``nobs``, ``r2``,
    ``r2_within`` are those of :attr:`did`, so
    :func:`cityres.report.tables.regression_table` renders the result.
    """

    dep_var: str
    cohort: str
    pre: tuple[int, ...]
    covariates: tuple[str, ...]
    matching: PSMatch
    did: FEResult
    notes: tuple[str, ...] = ()

    # -- the matching ----------------------------------------------------------------
    @property
    def pscore(self) -> pd.Series:
        """The propensity score of every city."""
        return self.matching.pscore

    @property
    def matches(self) -> pd.DataFrame:
        """Treated → control matches with scores, distances and weights."""
        return self.matching.matches

    @property
    def weights(self) -> pd.Series:
        """Matching weight by city (0 outside the matched sample)."""
        return self.matching.weights

    @property
    def balance(self) -> pd.DataFrame:
        """Covariate balance before and after matching (last row: the score)."""
        return self.matching.balance

    @property
    def unmatched(self) -> tuple[Any, ...]:
        """Treated cities left out of the DID (off support or without a match)."""
        return self.matching.unmatched

    # -- the DID -----------------------------------------------------------------------
    @property
    def estimate(self) -> float:
        """The DID coefficient of ``D``."""
        return float(self.did.params[_TERM])

    @property
    def params(self) -> pd.Series:
        return self.did.params

    @property
    def std_errors(self) -> pd.Series:
        return self.did.std_errors

    @property
    def tstats(self) -> pd.Series:
        return self.did.tstats

    @property
    def pvalues(self) -> pd.Series:
        return self.did.pvalues

    @property
    def nobs(self) -> int:
        return self.did.nobs

    @property
    def r2(self) -> float:
        return self.did.r2

    @property
    def r2_within(self) -> float:
        return self.did.r2_within

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """The DID coefficients (term, estimate, std_error, t, p, ci_lower, ci_upper)."""
        return self.did.tidy(level)

    def summary(self) -> str:
        """The matching (who was left out, balance) and the DID table."""
        years = f"{self.pre[0]}–{self.pre[-1]}" if len(self.pre) > 1 else str(self.pre[0])
        head = (f"PSM-DID of {self.dep_var} (cohort {self.cohort!r}); propensity model on "
                f"the {len(self.pre)}-period means ({years}) of {', '.join(self.covariates)}")
        return "\n".join([head, self.matching.summary(), "",
                          "DID on the matched sample (weighted two-way FE):",
                          self.did.summary(),
                          *[f"note: {n}" for n in self.notes if n not in self.matching.notes]])


def _pre_periods(pre: object, periods: np.ndarray, cohorts: tuple[int, ...]) -> tuple[int, ...]:
    first = min(cohorts)
    if pre is None:
        out = tuple(int(t) for t in periods if t < first)
        if not out:
            raise PanelError(f"psm_did: no period before the earliest cohort {first}")
        return out
    vals = [pre] if isinstance(pre, int | np.integer) else list(pre)  # type: ignore[call-overload]
    if not vals or any(isinstance(v, bool) or not isinstance(v, int | np.integer) for v in vals):
        raise ArgumentError(f"pre={pre!r}; accepted: None or integer periods before the "
                            f"earliest cohort {first}")
    unknown = sorted({int(v) for v in vals} - {int(t) for t in periods})
    if unknown:
        raise ArgumentError(f"pre: periods {unknown} are not in the data "
                            f"({int(periods[0])}–{int(periods[-1])})")
    late = sorted({int(v) for v in vals if v >= first})
    if late:
        treated_by = [c for c in cohorts if c <= max(late)]
        raise ArgumentError(f"pre: periods {late} are not before every adoption (cohort(s) "
                            f"{treated_by} are treated by then); covariates must be measured "
                            f"before the earliest cohort {first}")
    return tuple(sorted({int(v) for v in vals}))


def _pre_means(data: object, entity: str | None, time: str | None, covariates: list[str],
               units: pd.Index, pre: tuple[int, ...]) -> pd.DataFrame:
    """City-level means of ``covariates`` over ``pre``; missing cells raise naming them."""
    raw, ename, tname = indexed_frame(data, entity, time)
    absent = [c for c in covariates if c not in raw.columns]
    if absent:
        raise ArgumentError(f"psm_did: covariates {absent} are not columns of the data; "
                            f"columns: {list(raw.columns)[:30]}")
    flat = raw[covariates].reset_index()
    flat[tname] = pd.to_numeric(flat[tname]).astype(np.int64)
    flat = flat[flat[ename].isin(units) & flat[tname].isin(pre)]
    check_values(flat.set_index([ename, tname]), covariates, ename, tname,
                 who=f"psm_did's propensity model (pre-treatment period(s) {list(pre)})")
    means = flat.groupby(ename, sort=True)[covariates].mean()
    return means.reindex(units)


def psm_did(data: object, y: str, *, cohort: str, covariates: Sequence[str],
            entity: str | None = None, time: str | None = None,
            pre: Sequence[int] | int | None = None, method: Method = "nearest", k: int = 1,
            caliper: float | None = None, replace: bool = True, bandwidth: float = 0.06,
            kernel: Kernel = "epanechnikov", common_support: bool = True,
            controls: Sequence[str] = (), vcov: Vcov = "cluster",
            balance_sd: SdDenominator = "pooled",
            always_treated: Literal["error", "drop"] = "error") -> PSMDIDResult:
    r"""Propensity-score matched difference-in-differences (PSM-DID).

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A balanced panel (or a long frame with ``entity`` and ``time`` columns).
    y : str
        The outcome.
    cohort : str
        Adoption-period column (0 or missing = never treated). Treated = ever treated
        within the panel's periods; cohorts after the last period count as never treated
        (warned, as :func:`~cityres.econometrics.did.did_frame`).
    covariates : sequence of str
        Covariates of the propensity model, averaged by city over the ``pre`` periods
        (values outside those periods are not used and may be missing).
    entity, time : str, optional
        Unit and period columns of a DataFrame (None for a CityPanel).
    pre : int or sequence of int, optional
        The pre-treatment periods whose covariate means enter the propensity model.
        Default: every period before the earliest treated cohort. Each must be before
        every adoption. Reported in ``result.pre``.
    method, k, caliper, replace, bandwidth, kernel, common_support, balance_sd
        The matching, as :func:`psm_match`: ``"nearest"`` (``k`` controls per treated
        city, a ``caliper`` on the score, with or without replacement) or ``"kernel"``
        (``"epanechnikov"`` or ``"gaussian"`` with ``bandwidth``).
    controls : sequence of str
        Time-varying controls of the DID regression (every cell finite).
    vcov : {"cluster", "hetero", "iid"}
        DID standard errors: clustered by city (CRV1), HC1 or iid.
    always_treated : {"error", "drop"}
        Cities treated from the first period: raise, or drop them (listed in ``notes``).

    Returns
    -------
    PSMDIDResult

    Raises
    ------
    ArgumentError
        An unknown option (the accepted values are listed), ``k < 1``, ``caliper ≤ 0``,
        ``pre`` periods not in the data or not before every adoption, covariates not in
        the data.
    PanelError
        A covariate missing in a pre-treatment period (named by city, period and column),
        a logit that cannot be fitted (collinear covariates; separation = no overlap),
        every treated city off the common support, no treated city matched, bad panel data
        (see :func:`~cityres.econometrics.did.did_frame`).

    Notes
    -----
    1. :math:`\bar x_i` = mean of the covariates of city :math:`i` over ``pre``;
       :math:`p_i = \Lambda(\alpha + \bar x_i'\beta)` by logit ML; treated
       :math:`T_i = 1[\text{cohort}_i > 0]`.
    2. Matching (:func:`psm_match`) gives weights :math:`w_i`: 1 for a matched treated
       city, :math:`\sum_{i} w_{ij}` for a control (nearest-neighbour: :math:`w_{ij} =
       1/k_i`; kernel: :math:`K((p_j-p_i)/h)/\sum_l K((p_l-p_i)/h)`), 0 otherwise.
       Nearest-neighbour matches are made in descending order of the treated score;
       ties in distance go to the lower score, then to the first city in the data.
    3. On the cities with :math:`w_i > 0` (all periods), weighted least squares
       :math:`\min \sum_{it} w_i (y_{it} - \alpha_i - \lambda_t - \beta D_{it} -
       z_{it}'\gamma)^2` with :math:`D_{it} = 1[\text{cohort}_i > 0,\ t \ge
       \text{cohort}_i]` (pyfixest ``feols`` with analytic ``weights``). With staggered adoption
       this is the TWFE estimator on the matched sample and carries its biases under
       heterogeneous effects (see the Callaway–Sant'Anna estimator).

    The balance table compares the pre-period means and the score before and after
    matching: standardised differences in % (pooled SD of the unmatched sample, as Stata
    ``pstest``, or the treated SD as MatchIt with ``balance_sd="treated"``), the % bias
    reduction, t-test p-values and variance ratios.

    References
    ----------
    Heckman, J. J., Ichimura, H., & Todd, P. E. (1997). Matching as an econometric
    evaluation estimator. Review of Economic Studies, 64(4), 605–654.
    Leuven, E., & Sianesi, B. (2003). PSMATCH2: Stata module to perform full Mahalanobis
    and propensity score matching. Statistical Software Components S432001.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> res = psm_did(p, "de_latent", cohort="cohort_broadband",
    ...               covariates=["gdp_pc", "population", "fiscal_share", "openness"])
    >>> res.pre, len(res.unmatched) + res.matching.n_treated
    ((2011, 2012, 2013), 18)
    """
    check_options(method, k, caliper, replace, bandwidth, kernel)
    vtype = check_vcov(vcov, None)
    if always_treated not in ("error", "drop"):
        raise ArgumentError(f"always_treated={always_treated!r}; accepted: "
                            f"{format_choices(('error', 'drop'))}")
    if isinstance(covariates, str) or not covariates:
        raise ArgumentError(f"psm_did: covariates must be a non-empty sequence of column "
                            f"names; got {covariates!r}")
    ctrl = (controls,) if isinstance(controls, str) else tuple(controls)
    if _TERM in (y, *ctrl):
        raise ArgumentError(f"psm_did: {_TERM!r} names the treatment dummy; rename the "
                            "column")
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, covariates=ctrl,
                  where="psm_did", balanced=True, always_treated=always_treated)
    pre_t = _pre_periods(pre, d.periods, d.cohorts)
    units = d.units()
    covs = list(dict.fromkeys(covariates))
    X = _pre_means(data, entity, time, covs, units.index, pre_t)
    X.insert(0, "_treated", (units[d.cohort] > 0).to_numpy())
    m = psm_match(X, "_treated", covariates=covs, method=method, k=k, caliper=caliper,
                  replace=replace, bandwidth=bandwidth, kernel=kernel,
                  common_support=common_support, balance_sd=balance_sd, where="psm_did")
    m = dataclasses.replace(m, treated=m.treated.rename("treated"))
    frame = d.frame.copy()
    frame[_TERM] = d.treated.astype(np.float64)
    frame[_WCOL] = m.weights.reindex(frame[d.entity]).to_numpy()
    sub = frame[frame[_WCOL] > 0].reset_index(drop=True)
    where = "psm_did (the DID on the matched sample)"
    check_regressors(sub, [_TERM, *ctrl], d.entity, d.time, "twoways", where=where)
    fit = _weighted_twfe(sub, y, [_TERM, *ctrl], d.entity, d.time, vtype)
    formula = f"{y} ~ " + " + ".join([_TERM, *ctrl])
    did = from_pyfixest(fit, sub, formula=formula, dep_var=y, effects="twoways",
                        vcov_type=vtype, cluster=d.entity if vtype == "cluster" else None,
                        entity=d.entity, time=d.time)
    notes = (f"propensity model on covariate means over {list(pre_t)}",
             *d.notes, *m.notes)
    return PSMDIDResult(dep_var=y, cohort=cohort, pre=pre_t, covariates=tuple(covs),
                        matching=m, did=did, notes=tuple(notes))


def _weighted_twfe(frame: pd.DataFrame, y: str, xs: list[str], entity: str, time: str,
                   vtype: Vcov) -> Any:
    import pyfixest as pf

    fml = f"{y} ~ " + " + ".join(xs) + f" | {entity} + {time}"
    vc: Any = {"CRV1": entity} if vtype == "cluster" else vtype
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(fml, data=frame, vcov=vc, weights=_WCOL, fixef_rm="none",
                        fixef_tol=1e-10)
