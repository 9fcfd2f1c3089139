"""Gardner's (2022) two-stage difference-in-differences, static and by event time.

Stage one fits unit and period effects (and covariates) on the untreated observations
only; stage two regresses the outcome net of them on the treatment dummy (or the
event-time dummies). Estimation and the GMM standard errors that account for the first
stage are :func:`pyfixest.did2s`, which reproduces R ``did2s`` (Butts & Gardner 2022):
pyfixest's test suite (``tests/test_did.py``) compares it with stored R ``did2s`` output to
1e-5, and ``tests/econometrics/did/test_did2s.py`` checks that comparison again.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError
from cityres.econometrics.did._data import AlwaysTreated, DidData, did_frame
from cityres.econometrics.did.eventstudy import Bin, event_design
from cityres.econometrics.did.results import (
    ATTResult,
    EventStudyResult,
    coef_table,
    event_term,
    wald_zero,
)

__all__ = ["did2s", "did2s_event_study"]

_ESTIMATOR = "Gardner (2022) two-stage DID"


def _frame(data: object, y: str, cohort: str, entity: str | None, time: str | None,
           covariates: Sequence[str], cluster: str | None, always_treated: AlwaysTreated,
           where: str) -> DidData:
    if always_treated not in ("error", "drop"):
        raise ArgumentError(f"{where}: always_treated={always_treated!r}; accepted: 'error' "
                            "or 'drop' (an always-treated unit has no untreated period to "
                            "estimate its unit effect from)")
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, covariates=covariates,
                  extra=[cluster] if cluster is not None else (), where=where,
                  balanced=False, always_treated=always_treated)
    tr = d.treated
    per_t = pd.Series(~tr).groupby(d.frame[d.time].to_numpy()).sum()
    bare = per_t.index[per_t.to_numpy() == 0].tolist()
    if bare:
        raise PanelError(f"{where}: period(s) {bare} have no untreated observation, so the "
                         "first stage cannot estimate their period effect (every unit has "
                         "adopted by then); restrict the data to earlier periods or add "
                         "never-treated units")
    per_unit = pd.Series(~tr).groupby(d.frame[d.entity].to_numpy()).sum()
    thin = per_unit[per_unit.to_numpy() < 2]
    if len(thin):
        listed = ", ".join(f"{u} ({int(n)})" for u, n in thin.head(20).items())
        raise PanelError(f"{where}: {len(thin)} unit(s) have fewer than two untreated "
                         f"observations (count in brackets): {listed}; pyfixest's first stage "
                         "drops such singleton unit effects and then fails (pyfixest issue "
                         "#1244). Drop these units (e.g. always_treated='drop' for cohorts "
                         "at the first period) or use callaway_santanna / sun_abraham")
    return d


def _fit(d: DidData, regressors: dict[str, np.ndarray], cluster: str | None,
         where: str) -> tuple[pd.Series, pd.DataFrame, str]:
    """Run :func:`pyfixest.did2s`; the estimates and GMM covariance by regressor name."""
    import pyfixest as pf

    frame = d.frame.copy()
    taken = set(frame.columns) | set(regressors) | {f"{d.y}_hat"}
    tcol = "_treated"
    while tcol in taken:
        tcol = f"_{tcol}"
    frame[tcol] = d.treated
    for name, values in regressors.items():
        frame[name] = values
    cl = cluster or d.entity
    first = f"~ {' + '.join(d.covariates) or '0'} | {d.entity} + {d.time}"
    second = "~ " + " + ".join(regressors)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit: Any = pf.did2s(frame, yname=d.y, first_stage=first, second_stage=second,
                            treatment=tcol, cluster=cl)
    names = [str(n) for n in fit._coefnames]
    if sorted(names) != sorted(regressors):
        raise PanelError(f"{where}: pyfixest estimated {names}, expected {list(regressors)} "
                         "(collinear event-time dummies?)")
    b = pd.Series(np.asarray(fit.coef(), dtype=float), index=names)
    V = pd.DataFrame(np.asarray(fit._vcov, dtype=float), index=names, columns=names)
    if not np.isfinite(b.to_numpy()).all() or not np.isfinite(V.to_numpy()).all():
        raise PanelError(f"{where}: the two-stage estimates are not finite; check that every "
                         "unit and period has untreated observations")
    return b, V, cl


def did2s(data: object, y: str, *, cohort: str, entity: str | None = None,
          time: str | None = None, covariates: Sequence[str] = (), cluster: str | None = None,
          always_treated: AlwaysTreated = "error", level: float = 0.95) -> ATTResult:
    r"""Gardner (2022) two-stage DID: the ATT over all treated observations.

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
    covariates : sequence of str
        Time-varying controls, fitted in the first stage.
    cluster : str, optional
        Cluster variable of the GMM standard errors (default: the entity).
    always_treated : {"error", "drop"}
    level : float
        Confidence level.

    Returns
    -------
    ATTResult
        ``term`` ``"ATT"``; normal-based tests and intervals, as R ``did2s``.

    Raises
    ------
    ArgumentError
        Bad ``always_treated`` or ``level``.
    PanelError
        A period without untreated observations, and the data problems of
        :func:`did_frame`.

    Notes
    -----
    Stage one: :math:`y_{it} = \alpha_i + \lambda_t + x_{it}'\gamma + \varepsilon_{it}` on
    the observations with :math:`D_{it} = 0`. Stage two:
    :math:`\tilde y_{it} = y_{it} - \hat\alpha_i - \hat\lambda_t - x_{it}'\hat\gamma =
    \beta D_{it} + u_{it}` on all observations, so :math:`\hat\beta` is the mean of
    :math:`\tilde y` over treated observations — the ATT weighting every treated
    observation equally, robust to effects that vary by cohort and time. The standard
    errors are the clustered GMM ones of Butts & Gardner (2022), which include the
    first stage's estimation error (no small-sample factor, as R ``did2s``).

    References
    ----------
    Gardner, J. (2022). Two-stage differences in differences. arXiv:2207.05943.
    Butts, K., & Gardner, J. (2022). did2s: Two-stage difference-in-differences. The R
    Journal, 14(3), 162–173.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> fit = did2s(p, "de_latent", cohort="cohort_broadband")
    >>> fit.term, fit.n_clusters
    ('ATT', 41)
    """
    where = "did2s"
    d = _frame(data, y, cohort, entity, time, covariates, cluster, always_treated, where)
    name = "did"
    while name in d.frame.columns:
        name = f"_{name}"
    b, V, cl = _fit(d, {name: d.treated.astype(np.float64)}, cluster, where)
    return ATTResult(
        estimator=_ESTIMATOR, dep_var=y, term="ATT", estimate=float(b.to_numpy()[0]),
        std_error=float(np.sqrt(V.to_numpy()[0, 0])), level=level, df_t=math.inf,
        nobs=len(d.frame), n_units=int(d.frame[d.entity].nunique()),
        n_clusters=int(d.frame[cl].nunique()), control=_control(d), notes=d.notes)


def _control(d: DidData) -> str:
    return ("never treated and not yet treated" if d.n_never else "not yet treated") + \
        " (untreated observations)"


def did2s_event_study(data: object, y: str, *, cohort: str, entity: str | None = None,
                      time: str | None = None, leads: int | None = None,
                      lags: int | None = None, ref: int | Sequence[int] = -1,
                      bin: Bin = "endpoints", covariates: Sequence[str] = (),
                      cluster: str | None = None, always_treated: AlwaysTreated = "error",
                      level: float = 0.95) -> EventStudyResult:
    r"""Gardner (2022) two-stage DID by event time.

    Parameters
    ----------
    data, y, cohort, entity, time, covariates, cluster, always_treated, level
        As :func:`did2s`.
    leads, lags, ref, bin
        The event window, as :func:`event_study` (default ``[-4, 4]``, binned endpoints,
        reference −1).

    Returns
    -------
    EventStudyResult
        ``coefs`` by event time (normal-based inference), ``pretrend`` the χ² test (shown
        as F = χ²/J with infinite denominator degrees of freedom) that every estimated
        lead is zero; ``fe`` is None.

    Raises
    ------
    ArgumentError
        Bad window or ``ref`` (see :func:`event_design`), ``always_treated`` or ``level``.
    PanelError
        As :func:`did2s`.

    Notes
    -----
    Stage one as :func:`did2s`; stage two regresses :math:`\tilde y_{it}` on the
    event-time dummies :math:`1[e_{it} = k]`, :math:`k \notin \mathcal R`, without an
    intercept, so each coefficient is the mean of :math:`\tilde y` in its cell
    (R ``did2s`` with ``second_stage = ~ i(rel_year, ref = -1)``). Leads are residual
    means of pre-adoption observations that entered stage one; they test parallel
    trends only weakly (Borusyak, Jaravel & Spiess 2024).

    References
    ----------
    Gardner, J. (2022). Two-stage differences in differences. arXiv:2207.05943.
    Butts, K., & Gardner, J. (2022). did2s: Two-stage difference-in-differences. The R
    Journal, 14(3), 162–173.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> es = did2s_event_study(p, "de_latent", cohort="cohort_broadband", leads=3, lags=3)
    >>> list(es.coefs["label"])
    ['≤-3', '-2', '-1', '0', '1', '2', '≥3']
    """
    where = "did2s_event_study"
    d = _frame(data, y, cohort, entity, time, covariates, cluster, always_treated, where)
    des = event_design(d, leads=leads, lags=lags, ref=ref, bin=bin, where=where)
    names = des.names(list(d.frame.columns))
    b, V, cl = _fit(d, des.columns(names), cluster, where)
    se = dict(zip(V.index, np.sqrt(np.diag(V.to_numpy())), strict=True))
    cells = list(des.cells)
    coefs = coef_table(cells, [des.label(e) for e in cells],
                       [b[names[e]] if e in names else 0.0 for e in cells],
                       [se[names[e]] if e in names else math.nan for e in cells],
                       [des.nobs[e] for e in cells], [des.binned(e) for e in cells],
                       [e in des.refs for e in cells], df=math.inf, level=level)
    terms = {names[e]: event_term(des.label(e)) for e in des.estimated}
    cov = V.loc[list(terms), list(terms)].rename(index=terms, columns=terms)
    est = b[list(terms)].rename(index=terms)
    leads_t = [terms[names[e]] for e in des.estimated if e < 0]
    pretrend = (wald_zero(est[leads_t], cov, df=math.inf,
                          hypothesis="every lead is zero: " + ", ".join(leads_t))
                if leads_t else None)
    return EventStudyResult(
        estimator=_ESTIMATOR, dep_var=y, coefs=coefs, cov=cov, level=level, df_t=math.inf,
        pretrend=pretrend, fe=None, nobs=len(d.frame),
        n_units=int(d.frame[d.entity].nunique()), n_clusters=int(d.frame[cl].nunique()),
        control=_control(d), notes=d.notes)
