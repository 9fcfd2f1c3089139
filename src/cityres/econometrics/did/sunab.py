"""Sun & Abraham's (2021) interaction-weighted event study.

Cohort × relative-time dummies in a two-way FE regression with a clean control group
(never treated, or the last-treated cohort before it adopts) give cohort-specific effects
CATT(g, e); averaging them over cohorts with the cohorts' shares of each relative period
gives effects by event time that are free of the contamination of the TWFE event study.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError, format_choices
from cityres.econometrics.did._data import AlwaysTreated, DidData, did_frame
from cityres.econometrics.did.eventstudy import Bin, EventDesign, event_design
from cityres.econometrics.did.results import (
    EventStudyResult,
    coef_table,
    event_term,
    inference,
    wald_zero,
)
from cityres.econometrics.fe import FEResult, Vcov, fit_fe

__all__ = ["sun_abraham"]

Control = Literal["never", "last"]
_CONTROLS = ("never", "last")


def sun_abraham(data: object, y: str, *, cohort: str, entity: str | None = None,
                time: str | None = None, control: Control = "never",
                leads: int | None = None, lags: int | None = None,
                ref: int | Sequence[int] = -1, bin: Bin = "endpoints",
                covariates: Sequence[str] = (), vcov: Vcov = "cluster",
                cluster: str | None = None, always_treated: AlwaysTreated = "error",
                share_variance: bool = False, level: float = 0.95) -> EventStudyResult:
    r"""Sun & Abraham (2021) interaction-weighted (IW) event-study estimator.

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
    control : {"never", "last"}
        The control cohort: never-treated units, or the last-treated cohort, in which
        case every period from its adoption on is dropped (never-treated units, if any,
        stay in the sample as controls too, as with ``fixest::sunab(ref.c = last)``).
    leads, lags, ref, bin
        The event window, as :func:`event_study` (default ``[-4, 4]`` with binned
        endpoints; ``bin="none"`` — every relative time its own cell — is
        ``fixest::sunab``'s default). Binned endpoints are binned within each cohort.
    covariates : sequence of str
        Time-varying controls.
    vcov : {"cluster", "hetero", "iid"}
    cluster : str, optional
        Cluster variable (default: the entity).
    always_treated : {"error", "drop"}
        Units adopting at or before the first period have no CATT to estimate.
    share_variance : bool, default False
        Add the variance of the estimated cohort shares (see Notes). False gives
        ``fixest::sunab`` / ``pyfixest``'s standard errors, True Stata
        ``eventstudyinteract``'s.
    level : float
        Confidence level.

    Returns
    -------
    EventStudyResult
        ``coefs`` the IW effects by event time, ``overall`` the ATT over all estimated
        post-adoption cells (``fixest``'s ``agg = "att"``), ``detail`` the cohort-specific
        CATT(g, e) with their weights, ``fe`` the interacted regression, ``pretrend`` the
        joint test that the IW leads are zero.

    Raises
    ------
    ArgumentError
        Bad ``control``, ``always_treated``, window or ``ref``; ``control="last"`` with a
        single cohort.
    PanelError
        ``control="never"`` without never-treated units, and the data problems of
        :func:`did_frame` and :func:`cityres.econometrics.fit_fe`.

    Notes
    -----
    The interacted regression, with :math:`C` the control units (all dummies 0),

    .. math:: y_{it} = \alpha_i + \lambda_t + \sum_{g} \sum_{e \notin \mathcal R}
              \delta_{g,e}\, 1[G_i = g]\, 1[e_{it} = e] + x_{it}'\gamma + \varepsilon_{it},

    estimates :math:`\mathrm{CATT}(g, e) = \delta_{g,e}`. The IW estimate is
    :math:`\hat\nu_e = \sum_g \hat w_{g,e} \hat\delta_{g,e}` with
    :math:`\hat w_{g,e} = n_{g,e} / \sum_{g'} n_{g',e}` the share of cohort g among the
    treated-cohort observations at relative time e (``fixest``'s ``aggregate``). Its
    variance is :math:`w_e' \hat V_\delta w_e`, the shares held fixed (``fixest``,
    ``pyfixest``); with ``share_variance=True``
    :math:`\hat\delta_e' \hat\Sigma_e \hat\delta_e` is added, where
    :math:`\hat\Sigma_e = (\mathrm{diag}(\hat w_e) - \hat w_e \hat w_e')/n_e` is the
    heteroskedasticity-robust covariance of the sample shares (observation level, shares
    independent of :math:`\hat\delta`, covariances across e zero) — the term Stata
    ``eventstudyinteract`` adds. The ATT weights every estimated cell with
    :math:`e \ge 0` by :math:`n_{g,e}`; the pre-trend test uses the covariance of the IW
    leads. Tests and intervals use t(G − 1) under clustering, as ``fixest``.

    References
    ----------
    Sun, L., & Abraham, S. (2021). Estimating dynamic treatment effects in event studies
    with heterogeneous treatment effects. Journal of Econometrics, 225(2), 175–199.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> sa = sun_abraham(p, "de_latent", cohort="cohort_broadband", leads=3, lags=3)
    >>> sorted(set(sa.detail["cohort"]))
    [2014, 2015, 2016]
    """
    where = "sun_abraham"
    if control not in _CONTROLS:
        raise ArgumentError(f"{where}: control={control!r}; accepted: "
                            f"{format_choices(_CONTROLS)}")
    if always_treated not in ("error", "drop"):
        raise ArgumentError(f"{where}: always_treated={always_treated!r}; accepted: 'error' "
                            "or 'drop' (always-treated units have no effect to estimate and "
                            "are no clean control)")
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, covariates=covariates,
                  extra=[cluster] if cluster is not None else (), where=where,
                  balanced=False, always_treated=always_treated)
    d, words = _control_sample(d, control, where)
    des = event_design(d, leads=leads, lags=lags, ref=ref, bin=bin, where=where)
    frame = d.frame.copy()
    g = frame[d.cohort].to_numpy()
    cells = _cells(des, g, d.cohorts, list(frame.columns))
    for row in cells.itertuples(index=False):
        frame[row.name] = ((g == row.cohort) & (des.rel == row.event_time)).astype(np.float64)
    formula = f"{y} ~ " + " + ".join([*cells["name"], *d.covariates])
    fe = fit_fe(formula, frame, entity=d.entity, time=d.time, vcov=vcov, cluster=cluster)
    return _aggregate(fe, des, cells, share_variance=share_variance, level=level,
                      control=words, notes=d.notes)


def _control_sample(d: DidData, control: str, where: str) -> tuple[DidData, str]:
    """The data with the control group's cohort set to 0 (and, for the last-treated
    cohort, every period from its adoption on dropped)."""
    if control == "never":
        if d.n_never == 0:
            raise PanelError(
                f"{where}: control='never' needs never-treated units; every unit of the data "
                f"adopts (cohorts {list(d.cohorts)}); use control='last' (cohort "
                f"{d.cohorts[-1]} as control, periods from {d.cohorts[-1]} on dropped)")
        return d, "never treated"
    if len(d.cohorts) < 2:
        raise ArgumentError(f"{where}: control='last' needs two treated cohorts or more; the "
                            f"data has {list(d.cohorts)}")
    last = d.cohorts[-1]
    frame = d.frame[d.frame[d.time] < last].copy()
    ctrl = frame[d.cohort] == last
    frame.loc[ctrl, d.cohort] = 0
    frame = frame.reset_index(drop=True)
    dropped_t = [int(t) for t in d.periods if t >= last]
    n_ctrl = int(ctrl.groupby(frame[d.entity]).any().sum())
    note = (f"{where}: control='last': cohort {last} ({n_ctrl} units) is the control group; "
            f"periods {dropped_t[0]}–{dropped_t[-1]} "
            f"({int((d.frame[d.time] >= last).sum())} observations) dropped")
    words = f"last-treated cohort {last}" + (" and never treated" if d.n_never else "")
    return replace(d, frame=frame, periods=np.sort(frame[d.time].unique()),
                   cohorts=d.cohorts[:-1], notes=(*d.notes, note)), words


def _cells(des: EventDesign, g: np.ndarray, cohorts: tuple[int, ...],
           taken: list[str]) -> pd.DataFrame:
    """One row per estimated (cohort, event time) cell with observations: cohort,
    event_time, name (the regressor), nobs."""
    rows = []
    used = set(taken)
    prefix = "sa"
    while any(n.startswith(f"{prefix}_g") for n in used):
        prefix += "_"
    for c in cohorts:
        for e in des.estimated:
            n = int(((g == c) & (des.rel == e)).sum())
            if n:
                tag = f"{'m' if e < 0 else ('p' if e > 0 else '')}{abs(e)}"
                rows.append({"cohort": c, "event_time": e, "name": f"{prefix}_g{c}_{tag}",
                             "nobs": n})
    return pd.DataFrame(rows, columns=["cohort", "event_time", "name", "nobs"])


def _share_term(delta: np.ndarray, w: np.ndarray, n: int) -> float:
    """``δ' (diag(w) − w w') δ / n``: the variance the estimated shares add."""
    return float((w @ delta**2 - (w @ delta) ** 2) / n)


def _aggregate(fe: FEResult, des: EventDesign, cells: pd.DataFrame, *, share_variance: bool,
               level: float, control: str, notes: tuple[str, ...]) -> EventStudyResult:
    names = list(fe.exog_names)
    b = fe.params.to_numpy()
    V = fe.cov.to_numpy()
    col = {n: i for i, n in enumerate(names)}
    cells = cells.assign(estimate=[b[col[n]] for n in cells["name"]],
                         std_error=[fe.std_errors[n] for n in cells["name"]])
    cells["weight"] = cells["nobs"] / cells.groupby("event_time")["nobs"].transform("sum")
    est_e = [e for e in des.estimated if e in set(cells["event_time"])]
    W = np.zeros((len(est_e), len(names)))
    extra = np.zeros(len(est_e))
    for k, e in enumerate(est_e):
        sub = cells[cells["event_time"] == e]
        idx = [col[n] for n in sub["name"]]
        W[k, idx] = sub["weight"].to_numpy()
        if share_variance:
            extra[k] = _share_term(b[idx], sub["weight"].to_numpy(), int(sub["nobs"].sum()))
    nu = W @ b
    C = W @ V @ W.T + np.diag(extra)
    terms = [event_term(des.label(e)) for e in est_e]
    cov = pd.DataFrame(C, index=terms, columns=terms)
    se_e = dict(zip(est_e, np.sqrt(np.diag(C)), strict=True))
    nu_e = dict(zip(est_e, nu, strict=True))
    all_e = [e for e in des.cells if e in des.refs or e in nu_e]
    coefs = coef_table(all_e, [des.label(e) for e in all_e],
                       [nu_e.get(e, 0.0) for e in all_e], [se_e.get(e, np.nan) for e in all_e],
                       [des.nobs[e] for e in all_e], [des.binned(e) for e in all_e],
                       [e in des.refs for e in all_e], df=fe.df_t, level=level)
    leads = [t for e, t in zip(est_e, terms, strict=True) if e < 0]
    pretrend = (wald_zero(pd.Series(nu, index=terms)[leads], cov, df=fe.df_t,
                          hypothesis="every lead is zero: " + ", ".join(leads))
                if leads else None)
    detail = cells.assign(label=[des.label(e) for e in cells["event_time"]], **inference(
        cells["estimate"].to_numpy(), cells["std_error"].to_numpy(), df=fe.df_t, level=level))
    detail = detail.rename(columns={"name": "term"})[
        ["cohort", "event_time", "label", "term", "estimate", "std_error", "tstat", "ci_low",
         "ci_high", "pvalue", "nobs", "weight"]]
    return EventStudyResult(
        estimator="Sun & Abraham (2021)", dep_var=fe.dep_var, coefs=coefs, cov=cov,
        level=level, df_t=fe.df_t, pretrend=pretrend, fe=fe, nobs=fe.nobs,
        n_units=fe.n_entities, n_clusters=fe.n_clusters, r2=fe.r2, r2_within=fe.r2_within,
        control=control, overall=_att(cells, b, V, col, share_variance, fe.df_t, level),
        detail=detail, notes=notes)


def _att(cells: pd.DataFrame, b: np.ndarray, V: np.ndarray, col: dict[str, int],
         share_variance: bool, df: float, level: float) -> pd.DataFrame | None:
    """The ATT over every estimated post-adoption cell, weighted by its observations."""
    post = cells[cells["event_time"] >= 0]
    if post.empty:
        return None
    idx = [col[n] for n in post["name"]]
    n = int(post["nobs"].sum())
    w = post["nobs"].to_numpy(dtype=float) / n
    att = float(w @ b[idx])
    var = float(w @ V[np.ix_(idx, idx)] @ w)
    if share_variance:
        var += _share_term(b[idx], w, n)
    se = float(np.sqrt(var))
    inf = inference(np.array([att]), np.array([se]), df=df, level=level)
    return pd.DataFrame({"term": ["ATT"], "estimate": [att], "std_error": [se],
                         **{k: v for k, v in inf.items()}, "nobs": [n]})
