"""The two-way fixed-effects event study: leads and lags of adoption with binned
endpoints, a chosen reference period, clustered standard errors and a joint pre-trend
test.

:func:`event_design` builds the relative-time cells (shared with the Sun & Abraham and
two-stage estimators); :func:`event_study` fits them by :func:`cityres.econometrics.fit_fe`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, CityresWarning, format_choices
from cityres.econometrics.did._data import AlwaysTreated, DidData, did_frame
from cityres.econometrics.did.results import (
    EventStudyResult,
    coef_table,
    event_label,
    event_term,
)
from cityres.econometrics.fe import FEResult, Vcov, fit_fe

__all__ = ["Bin", "EventDesign", "event_design", "event_study"]

Bin = Literal["endpoints", "none"]
BINS: tuple[str, ...] = ("endpoints", "none")
DEFAULT_WINDOW = 4


@dataclass(frozen=True)
class EventDesign:
    """The relative-time cells of an event study.

    Attributes
    ----------
    rel : numpy.ndarray
        Per row of the data frame the (binned) relative time ``time − cohort`` clipped to
        ``[lo, hi]``; NaN for never-treated units.
    cells : tuple of int
        The event times that have observations, ascending (references included).
    refs : tuple of int
        The omitted event time(s).
    lo, hi : int
        The window; with ``bin="endpoints"`` ``lo`` pools every earlier and ``hi`` every
        later relative time.
    e_min, e_max : int
        Earliest and latest relative time in the data.
    nobs : dict of int to int
        Observations per cell.
    """

    rel: np.ndarray
    cells: tuple[int, ...]
    refs: tuple[int, ...]
    lo: int
    hi: int
    e_min: int
    e_max: int
    nobs: dict[int, int]

    def binned(self, e: int) -> bool:
        """Whether cell ``e`` pools more than one relative time of the data."""
        return (e == self.lo and self.e_min < self.lo) or (e == self.hi and self.e_max > self.hi)

    def label(self, e: int) -> str:
        """``"-3"``, or ``"≤-4"`` / ``"≥4"`` for a binned endpoint."""
        b = self.binned(e)
        return event_label(e, low=b and e == self.lo, high=b and e == self.hi)

    @property
    def estimated(self) -> tuple[int, ...]:
        """The cells that get a coefficient (all but the references)."""
        return tuple(e for e in self.cells if e not in self.refs)

    def names(self, taken: Sequence[str], prefix: str = "rel") -> dict[int, str]:
        """Regressor column names per estimated cell (``rel_m3``, ``rel_0``, ``rel_p4``),
        avoiding the names in ``taken``."""
        used = set(taken)

        def make(p: str) -> dict[int, str]:
            return {e: f"{p}_{'m' if e < 0 else ('p' if e > 0 else '')}{abs(e)}"
                    for e in self.estimated}

        out = make(prefix)
        while used & set(out.values()):
            prefix = f"{prefix}_"
            out = make(prefix)
        return out

    def columns(self, names: dict[int, str]) -> dict[str, np.ndarray]:
        """The 0/1 regressor per estimated cell (never-treated rows are all zero)."""
        return {names[e]: (self.rel == e).astype(np.float64) for e in self.estimated}


def _window_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ArgumentTypeError(f"{name} must be an integer or None; got {value!r}")
    return int(value)


def event_design(d: DidData, *, leads: int | None, lags: int | None,
                 ref: int | Sequence[int], bin: Bin, where: str = "event_study") -> EventDesign:
    """The relative-time cells of ``d`` for a window of ``leads`` and ``lags``.

    Parameters
    ----------
    d : DidData
    leads, lags : int or None
        With ``bin="endpoints"`` the window is ``[-leads, lags]`` (default 4 and 4):
        relative times at or before ``-leads`` share the first cell, those at or after
        ``lags`` the last. ``leads`` runs from 1 to ``-e_min``, ``lags`` from 0 to
        ``e_max`` (the earliest / latest relative time in the data). With
        ``bin="none"`` both must be None: every relative time gets its own cell.
    ref : int or sequence of int
        The omitted cell(s); each must be a cell of the window with observations.
    bin : {"endpoints", "none"}
    where : str
        How messages name the estimator.

    Returns
    -------
    EventDesign

    Raises
    ------
    ArgumentError
        Unknown ``bin``; ``leads`` / ``lags`` out of range (the message gives the range);
        ``ref`` outside the window, without observations, or leaving no cell to estimate;
        no treated observation before adoption.
    ArgumentTypeError
        ``leads``, ``lags`` or ``ref`` not integers.
    """
    if bin not in BINS:
        raise ArgumentError(f"{where}: bin={bin!r}; accepted: {format_choices(BINS)} "
                            "('endpoints' pools the relative times beyond the window into the "
                            "first and last cells; 'none' gives every relative time a dummy)")
    g = d.frame[d.cohort].to_numpy()
    t = d.frame[d.time].to_numpy()
    tr = g > 0
    e_all = (t - g)[tr]
    e_min, e_max = int(e_all.min()), int(e_all.max())
    if e_min >= 0:
        raise ArgumentError(f"{where}: no treated unit is observed before its adoption "
                            f"(relative times {e_min} to {e_max}); an event study needs "
                            "pre-treatment periods")
    if bin == "none":
        for name, value in (("leads", leads), ("lags", lags)):
            if value is not None:
                raise ArgumentError(f"{where}: {name}={value!r} with bin='none'; every "
                                    f"relative time ({e_min} to {e_max}) gets its own dummy, "
                                    f"so leave leads and lags as None, or use "
                                    f"bin='endpoints'")
        lo, hi = e_min, e_max
    else:
        nl = DEFAULT_WINDOW if leads is None else _window_int(leads, "leads")
        ng = DEFAULT_WINDOW if lags is None else _window_int(lags, "lags")
        if not 1 <= nl <= -e_min:
            raise ArgumentError(
                f"{where}: leads={nl} is out of range; accepted: an integer from 1 to "
                f"{-e_min} (the earliest relative time in the data is {e_min})"
                + (" — the default is 4; pass a smaller leads" if leads is None else ""))
        if not 0 <= ng <= e_max:
            raise ArgumentError(
                f"{where}: lags={ng} is out of range; accepted: an integer from 0 to "
                f"{e_max} (the latest relative time in the data is {e_max})"
                + (" — the default is 4; pass a smaller lags" if lags is None else ""))
        lo, hi = -nl, ng
    refs_in = (ref,) if isinstance(ref, int | np.integer) and not isinstance(ref, bool) else ref
    if isinstance(refs_in, str) or not isinstance(refs_in, Sequence) or not refs_in:
        raise ArgumentTypeError(f"{where}: ref must be an integer or a non-empty sequence of "
                                f"integers; got {ref!r}")
    refs = tuple(sorted({_window_int(r, "ref") for r in refs_in}))
    rel = np.full(len(g), np.nan)
    rel[tr] = np.clip(t[tr] - g[tr], lo, hi)
    values, counts = np.unique(rel[tr], return_counts=True)
    nobs = {int(v): int(c) for v, c in zip(values, counts, strict=True)}
    outside = [r for r in refs if not lo <= r <= hi]
    if outside:
        raise ArgumentError(f"{where}: ref={ref!r}: {outside} not in the event window {lo} to "
                            f"{hi}; accepted: relative times from {lo} to {hi}")
    empty = [r for r in refs if r not in nobs]
    if empty:
        raise ArgumentError(f"{where}: ref={ref!r}: relative time(s) {empty} have no "
                            f"observations; accepted: one of {sorted(nobs)}")
    cells = tuple(sorted(nobs))
    if all(c in refs for c in cells):
        raise ArgumentError(f"{where}: ref={ref!r} omits every cell of the window {lo} to "
                            f"{hi}; nothing is left to estimate")
    return EventDesign(rel=rel, cells=cells, refs=refs, lo=lo, hi=hi, e_min=e_min,
                       e_max=e_max, nobs=nobs)


def event_study(data: object, y: str, *, cohort: str, entity: str | None = None,
                time: str | None = None, leads: int | None = None, lags: int | None = None,
                ref: int | Sequence[int] = -1, bin: Bin = "endpoints",
                covariates: Sequence[str] = (), vcov: Vcov = "cluster",
                cluster: str | None = None, always_treated: AlwaysTreated = "error",
                level: float = 0.95) -> EventStudyResult:
    r"""Two-way fixed-effects event study of a staggered adoption.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long frame with ``entity`` and ``time`` columns.
    y : str
        The outcome.
    cohort : str
        Adoption-period column (first treated period; 0 or missing = never treated).
    entity, time : str, optional
        Unit and period columns of a DataFrame (None for a CityPanel).
    leads, lags : int, optional
        The window ``[-leads, lags]`` (default 4 and 4 with ``bin="endpoints"``; must be
        None with ``bin="none"``).
    ref : int or sequence of int, default -1
        Omitted relative period(s). Two are needed for a fully dynamic specification
        without never-treated units, e.g. ``ref=(-1, -5)``.
    bin : {"endpoints", "none"}
        ``"endpoints"`` gives the relative times at or before ``-leads`` one dummy
        (labelled ``"≤-leads"``) and those at or after ``lags`` another (``"≥lags"``);
        ``"none"`` gives every relative time in the data its own dummy.
    covariates : sequence of str
        Time-varying controls.
    vcov : {"cluster", "hetero", "iid"}
    cluster : str, optional
        Cluster variable (default: the entity).
    always_treated : {"error", "drop", "keep"}
        Units adopting at or before the first period (see :func:`did_frame`).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    EventStudyResult
        ``coefs`` by event time (the reference row at 0), ``pretrend`` the joint test that
        every estimated lead is zero, ``fe`` the regression.

    Raises
    ------
    ArgumentError
        Bad ``bin``, ``leads``, ``lags`` or ``ref`` (the message gives the accepted range);
        ``bin="none"`` with one reference period and no never-treated unit.
    PanelError
        Data problems (see :func:`did_frame` and :func:`cityres.econometrics.fit_fe`).

    Notes
    -----
    With :math:`e_{it} = t - G_i` binned to the window and :math:`\mathcal R` the reference
    set, the regression is

    .. math:: y_{it} = \alpha_i + \lambda_t + \sum_{k \notin \mathcal R}
              \beta_k\, 1[e_{it} = k] + x_{it}'\gamma + \varepsilon_{it},

    never-treated units having every dummy 0. Binned endpoints are needed for
    identification when all units are eventually treated and otherwise impose constant
    effects beyond the window (Schmidheiny & Siegloch 2023). Observations outside the
    window are not dropped ("trimming"): that changes the sample behind the fixed
    effects and is not offered. With staggered adoption and effects that vary across
    cohorts, each :math:`\beta_k` mixes effects of other relative periods (Sun & Abraham
    2021); use :func:`sun_abraham`, :func:`did2s_event_study` or Callaway & Sant'Anna
    then. The pre-trend test is :meth:`FEResult.wald` of all estimated leads = 0
    (F with G − 1 denominator degrees of freedom under clustering).

    References
    ----------
    Schmidheiny, K., & Siegloch, S. (2023). On event studies and distributed-lags in
    two-way fixed effects models: Identification, equivalence, and generalization.
    Journal of Applied Econometrics, 38(5), 695–713.
    Sun, L., & Abraham, S. (2021). Estimating dynamic treatment effects in event studies
    with heterogeneous treatment effects. Journal of Econometrics, 225(2), 175–199.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> es = event_study(p, "de_latent", cohort="cohort_broadband", leads=3, lags=5)
    >>> list(es.coefs["label"])
    ['≤-3', '-2', '-1', '0', '1', '2', '3', '4', '≥5']
    """
    where = "event_study"
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, covariates=covariates,
                  extra=[cluster] if cluster is not None else (), where=where,
                  balanced=False, always_treated=always_treated)
    des = event_design(d, leads=leads, lags=lags, ref=ref, bin=bin, where=where)
    if bin == "none" and d.n_never == 0 and len(des.refs) < 2:
        raise ArgumentError(
            f"{where}: with no never-treated unit a fully dynamic specification (bin='none') "
            "is not identified with one reference period (relative time and calendar time "
            f"are collinear with the unit effects); pass two, e.g. ref=(-1, {des.e_min}), "
            "or use bin='endpoints'")
    notes = list(d.notes)
    if d.n_never == 0 and bin == "endpoints":
        msg = (f"{where}: no never-treated unit: the effects are identified only by the "
               f"binned endpoints (constant effects at or before {des.lo} and at or after "
               f"{des.hi}); estimates near the window's ends can be far off if that is "
               "wrong (Schmidheiny & Siegloch 2023)")
        warnings.warn(msg, CityresWarning, stacklevel=2)
        notes.append(msg)
    frame = d.frame.copy()
    names = des.names(list(frame.columns))
    for col, values in des.columns(names).items():
        frame[col] = values
    formula = f"{y} ~ " + " + ".join([*names.values(), *d.covariates])
    fe = fit_fe(formula, frame, entity=d.entity, time=d.time, vcov=vcov, cluster=cluster)
    return from_cells(fe, des, names, estimator="TWFE event study", level=level,
                      control=_control_words(d), notes=tuple(notes), n_units=fe.n_entities)


def _control_words(d: DidData) -> str:
    words = "never treated and not yet treated" if d.n_never else "not yet treated"
    return words + " (TWFE: also already-treated units, implicitly)"


def from_cells(fe: FEResult, des: EventDesign, names: dict[int, str], *, estimator: str,
               level: float, control: str, notes: tuple[str, ...],
               n_units: int) -> EventStudyResult:
    """An :class:`EventStudyResult` from a regression whose regressors ``names`` are the
    cell dummies of ``des`` (an :class:`FEResult`)."""
    cells = list(des.cells)
    est = [fe.params[names[e]] if e in names else 0.0 for e in cells]
    se = [fe.std_errors[names[e]] if e in names else np.nan for e in cells]
    coefs = coef_table(cells, [des.label(e) for e in cells], est, se,
                       [des.nobs[e] for e in cells], [des.binned(e) for e in cells],
                       [e in des.refs for e in cells], df=fe.df_t, level=level)
    terms = {names[e]: event_term(des.label(e)) for e in des.estimated}
    cov = fe.cov.loc[list(terms), list(terms)].rename(index=terms, columns=terms)
    leads = [names[e] for e in des.estimated if e < 0]
    pretrend = None
    if leads:
        R = pd.DataFrame(np.eye(len(leads)), columns=leads)
        pretrend = replace(fe.wald(R), hypothesis="every lead is zero: " + ", ".join(
            terms[n] for n in leads))
    return EventStudyResult(
        estimator=estimator, dep_var=fe.dep_var, coefs=coefs, cov=cov, level=level,
        df_t=fe.df_t, pretrend=pretrend, fe=fe, nobs=fe.nobs, n_units=n_units,
        n_clusters=fe.n_clusters, r2=fe.r2, r2_within=fe.r2_within, control=control,
        notes=tuple(notes))
