"""Callaway & Sant'Anna (2021) group-time average treatment effects and their aggregations.

The estimation itself is moderndid's (``moderndid.att_gt`` / ``moderndid.aggte``), a
port of the R ``did`` package that reproduces ``did`` 2.5.1 on its ``mpdta`` example to
~1e-15 (tests/econometrics/did/test_callaway.py). cityres adds the panel checks of
:func:`cityres.econometrics.did.did_frame` (cohort coding, always-treated and late units,
groups without a valid control named), seeds derived from the study seed, and immutable
results with ``tidy()`` / ``summary()`` that the report renders.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, PanelError
from cityres._shared.rng import Seed, as_seed_sequence
from cityres.econometrics.did._data import AlwaysTreated, DidData, did_frame
from cityres.econometrics.did.cs_aggregate import (
    AggType,
    CSAggregate,
    aggregate,
    check_choice,
    pointwise_table,
    reissue,
)

__all__ = ["CSAggregate", "CSResult", "callaway_santanna"]

Control = Literal["never", "notyet"]
Method = Literal["dr", "ipw", "reg"]
_CONTROLS = {"never": "nevertreated", "notyet": "notyettreated"}
_METHODS = ("dr", "ipw", "reg")
_SE = ("analytic", "bootstrap")


@dataclass(frozen=True)
class CSResult:
    """Group-time average treatment effects ATT(g, t) of Callaway & Sant'Anna (2021).

    Attributes
    ----------
    att_gt : pandas.DataFrame
        One row per (group, time): ``group`` (cohort), ``time``, ``event_time``
        (time − group), ``att``, ``se``, ``ci_low``, ``ci_high``, ``pvalue``.
    control : {"never", "notyet"}
    method : {"dr", "ipw", "reg"}
    covariates : tuple of str
    se_type : {"analytic", "bootstrap"}
    level : float
    critical_value : float
        Multiplier of ``se`` in ``ci_low`` / ``ci_high``: the normal quantile, or the
        bootstrap sup-t critical value of the uniform band.
    pretest_stat, pretest_pvalue : float
        Wald test that every pre-treatment ATT(g, t) is zero (NaN when there are none).
    nobs, n_units : int
    cohort_sizes : pandas.Series
        Units per cohort (0 = never treated).
    base_period : {"varying", "universal"}
    anticipation : int
    seed_entropy : int or None
        The entropy the bootstrap seeds came from.
    notes : tuple of str
        What the data layer changed (dropped always-treated units, late adopters) and the
        estimator's warnings.
    """

    att_gt: pd.DataFrame
    control: str
    method: str
    covariates: tuple[str, ...]
    se_type: str
    level: float
    critical_value: float
    pretest_stat: float
    pretest_pvalue: float
    nobs: int
    n_units: int
    cohort_sizes: pd.Series
    base_period: str
    anticipation: int
    dep_var: str
    periods: tuple[int, int]
    n_boot: int
    seed_entropy: int | None
    notes: tuple[str, ...] = ()
    _fit: Any = field(default=None, repr=False, compare=False)

    def aggregate(self, type: AggType = "simple", *, balance_e: int | None = None,
                  min_e: float = -np.inf, max_e: float = np.inf) -> CSAggregate:
        """Aggregate the group-time ATTs (``did::aggte``).

        Parameters
        ----------
        type : {"simple", "dynamic", "group", "calendar"}
            ``simple``: θ = Σ_g Σ_{t≥g} w_g ATT(g, t) / Σ w_g over post-treatment cells
            with w_g the cohort's share; ``dynamic``: θ(e) = Σ_g 1{g + e ≤ T} P(G = g |
            g + e ≤ T) ATT(g, g + e); ``group``: θ(g̃) = mean of ATT(g̃, t), t ≥ g̃;
            ``calendar``: θ(t̃) = Σ_g 1{g ≤ t̃} P(G = g | G ≤ t̃) ATT(g, t̃).
        balance_e : int, optional
            Dynamic only: keep cohorts observed for at least ``balance_e`` periods after
            treatment (a balanced event window).
        min_e, max_e : float
            Dynamic only: the event-time range.

        Returns
        -------
        CSAggregate
            With standard errors from the influence functions (analytic) or the same
            multiplier bootstrap as the fit (seeded from the fit's seed and ``type``).
        """
        return aggregate(self, type, balance_e=balance_e, min_e=min_e, max_e=max_e)

    def tidy(self) -> pd.DataFrame:
        """The group-time ATTs (a copy of :attr:`att_gt`)."""
        return self.att_gt.copy()

    def summary(self) -> str:
        """The design, the ATT(g, t) table and the pre-trend test as text."""
        sizes = ", ".join(f"{'never' if g == 0 else g}: {n}"
                          for g, n in self.cohort_sizes.items())
        lines = [f"Callaway–Sant'Anna ATT(g,t) of {self.dep_var}: control={self.control}, "
                 f"method={self.method}, covariates={list(self.covariates) or 'none'}, "
                 f"{self.se_type} SEs, base period {self.base_period}",
                 f"  {self.n_units} units, {self.nobs} observations; cohorts {sizes}",
                 self.att_gt.to_string(index=False, float_format="%.5f")]
        if np.isfinite(self.pretest_stat):
            lines.append(f"  pre-trend Wald test: W = {self.pretest_stat:.3f}, "
                         f"p = {self.pretest_pvalue:.4f}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _check_controls(d: DidData, control: str, anticipation: int) -> None:
    """Every cohort needs a comparison group: never-treated units, or units not yet
    treated in its first post-treatment period."""
    units = d.units()[d.cohort]
    if control == "never" and (units == 0).sum() == 0:
        raise PanelError("callaway_santanna: control='never' but no unit is never treated "
                         f"(cohorts {list(d.cohorts)}); use control='notyet'")
    if control == "notyet":
        last = int(d.periods[-1])
        for g in d.cohorts:
            later = ((units == 0) | (units > g + anticipation)).sum()
            if later == 0:
                raise PanelError(
                    f"callaway_santanna: cohort {g} has no never-treated or not-yet-treated "
                    f"unit to compare with (every other unit is treated by {g}); the last "
                    f"period is {last}")
    first = int(d.periods[0])
    early = [g for g in d.cohorts if g - anticipation - 1 < first]
    if early:
        raise PanelError(
            f"callaway_santanna: cohort(s) {early} have no pre-treatment period in the data "
            f"(first period {first}, anticipation {anticipation}); drop them or pass "
            "always_treated='drop' if they are always treated")


def callaway_santanna(
    data: object,
    y: str,
    *,
    cohort: str,
    entity: str | None = None,
    time: str | None = None,
    control: Control = "never",
    method: Method = "dr",
    covariates: Sequence[str] = (),
    se: Literal["analytic", "bootstrap"] = "analytic",
    n_boot: int = 999,
    level: float = 0.95,
    base_period: Literal["varying", "universal"] = "varying",
    anticipation: int = 0,
    cluster: str | None = None,
    always_treated: AlwaysTreated = "error",
    seed: Seed = None,
) -> CSResult:
    r"""Group-time average treatment effects with staggered adoption.

    .. math::

        ATT(g, t) = E[Y_t - Y_{g-1} \mid G = g] - E[Y_t - Y_{g-1} \mid C]

    with ``C`` the never-treated units (``control="never"``) or the units not yet treated
    by ``t`` (``"notyet"``), estimated by outcome regression (``"reg"``), inverse
    probability weighting (``"ipw"``) or the doubly robust combination (``"dr"``,
    Sant'Anna & Zhao 2020) on the covariates at the base period.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A balanced panel (a long frame needs ``entity`` and ``time``).
    y : str
        The outcome.
    cohort : str
        Adoption-period column: the first treated period; 0 or missing = never treated
        (as in R ``did``'s ``gname``).
    control : {"never", "notyet"}, default "never"
    method : {"dr", "ipw", "reg"}, default "dr"
    covariates : sequence of str
        Conditioning covariates (their base-period values enter, as in ``did``).
    se : {"analytic", "bootstrap"}, default "analytic"
        Influence-function standard errors, or the multiplier bootstrap with uniform
        (sup-t) confidence bands (R ``did``'s default).
    n_boot : int, default 999
        Bootstrap draws.
    level : float, default 0.95
    base_period : {"varying", "universal"}, default "varying"
        Pre-treatment ATTs against the previous period (``varying``) or g − 1.
    anticipation : int, default 0
        Periods of anticipation before adoption.
    cluster : str, optional
        A column to cluster the bootstrap on (units are always clustered).
    always_treated : {"error", "drop"}, default "error"
        Units treated at or before the first period (see :func:`did_frame`).
    seed : int, Generator, SeedSequence or None
        Seeds the bootstrap (the same seed gives the same numbers).

    Returns
    -------
    CSResult
        ``att_gt`` and ``aggregate(type)``.

    Raises
    ------
    ArgumentError
        Unaccepted ``control``, ``method``, ``se``, ``base_period``, ``level``, ``n_boot``
        or ``anticipation``.
    PanelError
        From :func:`did_frame`; no never-treated unit with ``control="never"``; a cohort
        without never- or not-yet-treated comparison units; a cohort with no
        pre-treatment period.

    Notes
    -----
    Estimation by moderndid 0.2 (``att_gt`` with ``panel=True``), which reproduces R
    ``did`` 2.5.1; see docs/methods/did.md for the comparison.

    References
    ----------
    Callaway, B., & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple
    time periods. Journal of Econometrics, 225(2), 200–230.
    Sant'Anna, P. H. C., & Zhao, J. (2020). Doubly robust difference-in-differences
    estimators. Journal of Econometrics, 219(1), 101–122.

    Examples
    --------
    >>> import cityres
    >>> from cityres.econometrics.did import callaway_santanna
    >>> cs = callaway_santanna(cityres.datasets.load("yrd_sim"), "de_latent",
    ...                        cohort="cohort_broadband")
    >>> round(cs.aggregate("simple").overall_att, 3) > 0
    True
    """
    check_choice(control, tuple(_CONTROLS), "control")
    check_choice(method, _METHODS, "method")
    check_choice(se, _SE, "se")
    check_choice(base_period, ("varying", "universal"), "base_period")
    if always_treated == "keep":
        raise ArgumentError("callaway_santanna: always_treated='keep' is not possible (an "
                            "always-treated unit is never a valid comparison); use 'error' "
                            "or 'drop'")
    if not (isinstance(level, float) and 0.5 <= level < 1):
        raise ArgumentError(f"level must be a float in [0.5, 1); got {level!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 99:
        raise ArgumentError(f"n_boot must be an integer >= 99; got {n_boot!r}")
    if isinstance(anticipation, bool) or not isinstance(anticipation, int) or anticipation < 0:
        raise ArgumentError(f"anticipation must be a non-negative integer; got "
                            f"{anticipation!r}")
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, covariates=covariates,
                  extra=(cluster,) if cluster else (), where="callaway_santanna",
                  always_treated=always_treated)
    _check_controls(d, control, anticipation)
    frame = d.frame.copy()
    codes, uniques = pd.factorize(frame[d.entity], sort=True)
    frame["_unit"] = codes + 1
    seq = as_seed_sequence(seed)
    entropy = int(seq.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    boot = se == "bootstrap"
    from moderndid import att_gt

    xformla = ("~" + " + ".join(d.covariates)) if d.covariates else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = att_gt(data=frame, yname=d.y, tname=d.time, idname="_unit", gname=d.cohort,
                     xformla=xformla, est_method=method, control_group=_CONTROLS[control],
                     boot=boot, biters=n_boot, cband=boot, alp=1 - level,
                     clustervars=[cluster] if cluster else None,
                     base_period=base_period, anticipation=anticipation,
                     random_state=int(np.random.SeedSequence(entropy, spawn_key=(0,))
                                      .generate_state(1)[0]) if boot else None)
    notes = list(d.notes) + reissue(caught, "att_gt")
    groups = np.asarray(fit.groups, dtype=np.int64)
    times = np.asarray(fit.times, dtype=np.int64)
    crit = float(fit.critical_value) if boot else float(stats.norm.ppf(0.5 + level / 2))
    table = pointwise_table("group", groups, np.asarray(fit.att_gt, dtype=float),
                   np.asarray(fit.se_gt, dtype=float), crit, level)
    table.insert(1, "time", times)
    table.insert(2, "event_time", times - groups)
    sizes = d.units()[d.cohort].value_counts().sort_index()
    sizes.index.name = "cohort"
    stat = float(fit.wald_stat) if fit.wald_stat is not None else float("nan")
    pval = float(fit.wald_pvalue) if fit.wald_pvalue is not None else float("nan")
    return CSResult(att_gt=table, control=control, method=method, covariates=d.covariates,
                    se_type=se, level=level, critical_value=crit, pretest_stat=stat,
                    pretest_pvalue=pval, nobs=len(frame), n_units=len(uniques),
                    cohort_sizes=sizes, base_period=base_period, anticipation=anticipation,
                    dep_var=y, periods=(int(d.periods[0]), int(d.periods[-1])),
                    n_boot=n_boot if boot else 0,
                    seed_entropy=entropy if boot else None, notes=tuple(notes), _fit=fit)
