"""β convergence: do units that start lower grow faster? Absolute and conditional, as a
cross-section of growth over a window or a two-way fixed-effects panel of yearly growth,
optionally with a spatial lag (SAR) or spatial Durbin (SDM) term; with the speed of
convergence and the half-life."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, format_choices
from cityres.dynamics._data import Wide, wide_frame

__all__ = ["BetaResult", "beta_convergence"]

Kind = Literal["absolute", "conditional"]
Form = Literal["cross_section", "panel"]
Spatial = Literal["sar", "sdm"]
#: Name of the growth (dependent variable) and of the initial / lagged log level.
GROWTH, LEVEL = "growth", "ln_y0"
_WHERE = "cityres.dynamics.beta_convergence"


@dataclass(frozen=True)
class BetaResult:
    """A β-convergence regression with the implied speed and half-life.

    Attributes
    ----------
    kind, form : str
        ``absolute`` / ``conditional``; ``cross_section`` / ``panel``.
    spatial : str or None
        ``sar``, ``sdm`` or None.
    column : str
        The indicator y.
    window : (int, int)
        First and last period used.
    period_length : float
        T in the speed formula: the window length (cross-section) or 1 (panel).
    controls : tuple of str
    params, std_errors, tstats, pvalues : pandas.Series
        All coefficients by name; ``ln_y0`` is β (the initial log level in the
        cross-section, the lagged log level in the panel); spatial fits add ``W_<x>``
        (SDM) and ``rho``.
    nobs, n_units : int
    r2 : float
        R² (NaN for spatial fits, which have none).
    r2_within : float or None
        Within R² of the panel form (None otherwise).
    beta, beta_se, beta_p : float
        The coefficient on ``ln_y0`` and its inference.
    speed, speed_se, half_life, half_life_se : float
        λ and ln 2 / λ with delta-method standard errors (NaN when β implies no
        convergence: λ ≤ 0, or 1 + Tβ ≤ 0).
    impacts : pandas.DataFrame or None
        Spatial fits: direct, indirect and total effects (with ``se_*``, ``p_*``) by
        regressor; λ comes from the direct effect of ``ln_y0``.
    vcov_type : str
        How the standard errors were computed, in words.
    fit : object
        The underlying fit (statsmodels OLS results, :class:`~cityres.econometrics.FEResult`
        or :class:`~cityres.spatial.panel.SpatialPanelResults`).
    """

    kind: str
    form: str
    spatial: str | None
    column: str
    window: tuple[int, int]
    period_length: float
    controls: tuple[str, ...]
    params: pd.Series
    std_errors: pd.Series
    tstats: pd.Series
    pvalues: pd.Series
    nobs: int
    n_units: int
    r2: float
    r2_within: float | None
    beta: float
    beta_se: float
    beta_p: float
    speed: float
    speed_se: float
    half_life: float
    half_life_se: float
    impacts: pd.DataFrame | None
    vcov_type: str
    fit: Any = field(repr=False, compare=False)

    def tidy(self) -> pd.DataFrame:
        """Coefficients, then (spatial) the effects of ``ln_y0``, then ``speed`` and
        ``half_life``: term, estimate, std_error, t, p."""
        out = pd.DataFrame({"term": list(self.params.index), "estimate": self.params.to_numpy(),
                            "std_error": self.std_errors.to_numpy(),
                            "t": self.tstats.to_numpy(), "p": self.pvalues.to_numpy()})
        extra = []
        if self.impacts is not None:
            for k in ("direct", "indirect", "total"):
                row = self.impacts.loc[LEVEL]
                extra.append({"term": f"{k}:{LEVEL}", "estimate": row[k],
                              "std_error": row[f"se_{k}"], "t": row[f"t_{k}"],
                              "p": row[f"p_{k}"]})
        for term, est, se in (("speed", self.speed, self.speed_se),
                              ("half_life", self.half_life, self.half_life_se)):
            extra.append({"term": term, "estimate": est, "std_error": se,
                          "t": np.nan, "p": np.nan})
        return pd.concat([out, pd.DataFrame(extra)], ignore_index=True)

    def summary(self) -> str:
        """The regression and the speed of convergence as text."""
        model = {None: "OLS" if self.form == "cross_section" else "two-way FE",
                 "sar": "SAR, two-way FE", "sdm": "SDM, two-way FE"}[self.spatial]
        what = (f"b = β = {self.beta:.4f}" if self.impacts is None else
                f"b = direct effect of {LEVEL} = {_cell(self.impacts, 'direct'):.4f}")
        lines = [f"{self.kind.capitalize()} β convergence of {self.column} "
                 f"({self.form.replace('_', '-')}, {model}), {self.window[0]}–{self.window[1]}",
                 f"N = {self.nobs} ({self.n_units} units); standard errors {self.vcov_type}"
                 + ("" if np.isnan(self.r2) else f"; R² = {self.r2:.4f}"), "",
                 self.tidy().to_string(index=False, float_format=lambda v: f"{v:.4f}"), "",
                 f"{what} (T = {self.period_length:g}): speed λ = −ln(1 + Tb)/T = "
                 f"{self.speed:.4f}, half-life ln 2/λ = {self.half_life:.2f} periods"]
        if np.isnan(self.speed) or self.speed <= 0:
            lines.append("b ≥ 0 or 1 + Tb ≤ 0: no convergence speed is defined")
        return "\n".join(lines)


def _cell(frame: pd.DataFrame, column: str) -> float:
    """``frame.loc["ln_y0", column]`` as a float."""
    return float(frame[column].to_numpy(dtype=np.float64)[frame.index.get_loc(LEVEL)])


def _speed(b: float, se: float, T: float) -> tuple[float, float, float, float]:
    """λ = −ln(1 + Tb)/T, half-life ln 2/λ and their delta-method SEs."""
    base = 1.0 + T * b
    if base <= 0:
        return (np.nan, np.nan, np.nan, np.nan)
    lam = -np.log(base) / T
    lam_se = se / base
    if lam <= 0:
        return (float(lam), float(lam_se), np.nan, np.nan)
    return (float(lam), float(lam_se), float(np.log(2) / lam), float(np.log(2) / lam**2 * lam_se))


def _window(wide: Wide, window: tuple[int, int] | None) -> tuple[int, int]:
    have = [int(t) for t in wide.periods]
    if window is None:
        return have[0], have[-1]
    try:
        start, end = (int(window[0]), int(window[1]))
    except (TypeError, ValueError, IndexError):
        raise ArgumentError(f"{_WHERE}: window={window!r}; accepted: None or (start, end) "
                            "periods") from None
    bad = [t for t in (start, end) if t not in have]
    if bad or start >= end:
        raise ArgumentError(f"{_WHERE}: window={window!r}; accepted: two periods of the data "
                            f"({have[0]}–{have[-1]}) with start < end")
    return start, end


def _controls(data: object, controls: Sequence[str] | str, entity: str | None,
              time: str | None, units: pd.Index) -> dict[str, pd.DataFrame]:
    ctrl = (controls,) if isinstance(controls, str) else tuple(controls)
    clash = [c for c in ctrl if c in (GROWTH, LEVEL)]
    if clash:
        raise ArgumentError(f"{_WHERE}: control(s) {clash} clash with the names the "
                            f"regression uses ({GROWTH!r}, {LEVEL!r}); rename them")
    out = {}
    for c in dict.fromkeys(ctrl):
        w = wide_frame(data, c, entity=entity, time=time, where=_WHERE).values
        out[c] = w.reindex(units)
    return out


def _check_args(kind: str, form: str, spatial: str | None, controls: tuple[str, ...],
                w: object) -> None:
    if kind not in ("absolute", "conditional"):
        raise ArgumentError(f"{_WHERE}: kind={kind!r}; accepted: "
                            f"{format_choices(('absolute', 'conditional'))}")
    if form not in ("cross_section", "panel"):
        raise ArgumentError(f"{_WHERE}: form={form!r}; accepted: "
                            f"{format_choices(('cross_section', 'panel'))}")
    if kind == "conditional" and not controls:
        raise ArgumentError(f"{_WHERE}: kind='conditional' needs controls; got none")
    if kind == "absolute" and controls:
        raise ArgumentError(f"{_WHERE}: kind='absolute' takes no controls; got {controls} "
                            "(use kind='conditional')")
    if spatial is not None:
        from cityres.spatial.weights import Weights

        if spatial not in ("sar", "sdm"):
            raise ArgumentError(f"{_WHERE}: spatial={spatial!r}; accepted: None, "
                                f"{format_choices(('sar', 'sdm'))}")
        if form != "panel":
            raise ArgumentError(f"{_WHERE}: spatial={spatial!r} needs form='panel'; got "
                                f"form={form!r}")
        if not isinstance(w, Weights):
            raise ArgumentTypeError(f"{_WHERE}: spatial={spatial!r} needs w, a cityres "
                                    f"Weights; got {type(w).__name__}")
    elif w is not None:
        raise ArgumentError(f"{_WHERE}: w is used only with spatial='sar' or 'sdm'; got "
                            "spatial=None")


def beta_convergence(data: object, column: str, *, kind: Kind = "absolute",
                     form: Form = "cross_section", window: tuple[int, int] | None = None,
                     controls: Sequence[str] | str = (), entity: str | None = None,
                     time: str | None = None, spatial: Spatial | None = None,
                     w: object = None) -> BetaResult:
    """β convergence of ``column``: growth regressed on the initial (lagged) log level.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A balanced panel; ``column`` must be > 0 (it is logged).
    column : str
        The indicator y.
    kind : {"absolute", "conditional"}
        Conditional adds ``controls`` (their initial-year values in the cross-section,
        their one-period lags in the panel).
    form : {"cross_section", "panel"}
        Average annual growth over the window on the initial log level (OLS, HC1), or
        yearly growth on the lagged log level with city and year fixed effects (clustered
        by city).
    window : (int, int), optional
        First and last period (default: those of the data). The panel form uses every
        period in between, which must be consecutive integers.
    controls : sequence of str
        Control columns (transform them first, e.g. ``panel.ln([...])``).
    entity, time : str, optional
        Unit and period columns of a DataFrame.
    spatial : {"sar", "sdm"}, optional
        The panel form with a spatial lag of growth (SAR) and of the regressors (SDM),
        fitted by :func:`cityres.spatial.panel.fit_panel` (two-way effects, ML, no
        Lee–Yu correction).
    w : Weights, optional
        Spatial weights (required with ``spatial``), used as given.

    Returns
    -------
    BetaResult

    Raises
    ------
    ArgumentError
        Unknown kind, form or spatial; a window outside the data; ``conditional`` without
        controls or ``absolute`` with some; ``spatial`` with the cross-section form.
    ArgumentTypeError
        ``spatial`` without a :class:`~cityres.spatial.Weights`.
    PanelError
        Non-positive values of ``column`` (naming city and year), missing or unbalanced
        data, non-consecutive periods in the panel form, too few units.

    Notes
    -----
    Cross-section (Barro & Sala-i-Martin 1992), :math:`T = t_1 - t_0`:

    .. math:: \\frac{\\ln y_{i,t_1}-\\ln y_{i,t_0}}{T} = a + \\beta\\ln y_{i,t_0}
              + \\gamma' x_{i,t_0} + u_i,

    and, from :math:`\\ln y_{i,t_1} - \\ln y^* = e^{-\\lambda T}(\\ln y_{i,t_0} - \\ln y^*)`,
    :math:`T\\beta = -(1-e^{-\\lambda T})`, so :math:`\\lambda = -\\ln(1+T\\beta)/T` (the
    rule :math:`-\\ln(1+\\beta)/T` applied to the coefficient :math:`T\\beta` of total
    growth). Panel: :math:`\\Delta\\ln y_{it} = \\beta\\ln y_{i,t-1} + \\gamma'x_{i,t-1} +
    \\mu_i + \\tau_t + \\varepsilon_{it}` (Islam 1995), T = 1 per period:
    :math:`\\lambda = -\\ln(1+\\beta)`. City effects make the panel β conditional on
    city-specific steady states even without controls; with lagged dependent variable
    and few periods the within estimator is biased towards faster convergence by
    :math:`O(1/T)` (Nickell 1981). Half-life :math:`\\ln 2/\\lambda`; standard errors
    by the delta method, :math:`se(\\lambda) = se(\\beta)/(1+T\\beta)`,
    :math:`se(h) = \\ln 2\\, se(\\lambda)/\\lambda^2`. Spatial (Rey & Montouri 1999;
    Elhorst 2014): the panel equation with :math:`\\rho W\\Delta\\ln y_t` (SAR) and
    :math:`W\\ln y_{t-1}\\theta` (SDM); λ from the direct effect of :math:`\\ln y_{t-1}`
    (delta-method SE from :func:`cityres.spatial.panel.impacts`).

    References
    ----------
    .. [1] Barro, R. J. & Sala-i-Martin, X. (1992). Convergence. *Journal of Political
       Economy* 100(2), 223–251.
    .. [2] Islam, N. (1995). Growth empirics: a panel data approach. *Quarterly Journal
       of Economics* 110(4), 1127–1170.
    .. [3] Rey, S. J. & Montouri, B. D. (1999). US regional income convergence: a spatial
       econometric perspective. *Regional Studies* 33(2), 143–156.
    .. [4] Nickell, S. (1981). Biases in dynamic models with fixed effects.
       *Econometrica* 49(6), 1417–1426.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.beta import beta_convergence
    >>> res = beta_convergence(cityres.datasets.load("yrd_sim"), "de_latent")
    >>> res.beta < 0, res.nobs
    (True, 41)
    """
    ctrl = (controls,) if isinstance(controls, str) else tuple(controls)
    _check_args(kind, form, spatial, ctrl, w)
    wide = wide_frame(data, column, entity=entity, time=time, positive=True, where=_WHERE)
    start, end = _window(wide, window)
    cvals = _controls(data, ctrl, entity, time, wide.units)
    logs = pd.DataFrame(np.log(wide.array), index=wide.units, columns=wide.values.columns)
    if form == "cross_section":
        return _cross_section(wide, logs, cvals, kind, start, end)
    periods = [t for t in wide.periods if start <= t <= end]
    gaps = [(a, b) for a, b in pairwise(periods) if b - a != 1]
    if gaps:
        raise PanelError(f"{_WHERE}: the panel form needs consecutive periods; the data jump "
                         f"{gaps[:5]}")
    rows = []
    for prev, cur in pairwise(periods):
        part = pd.DataFrame({wide.entity: wide.units, wide.time: cur,
                             GROWTH: (logs[cur] - logs[prev]).to_numpy(),
                             LEVEL: logs[prev].to_numpy()})
        for c, v in cvals.items():
            part[c] = v[prev].to_numpy()
        rows.append(part)
    frame = pd.concat(rows, ignore_index=True)
    formula = f"{GROWTH} ~ " + " + ".join([LEVEL, *cvals])
    if spatial is None:
        return _panel(wide, frame, formula, kind, start, end, tuple(cvals))
    return _spatial(wide, frame, formula, kind, start, end, tuple(cvals), spatial, w)


def _result(wide: Wide, *, kind: str, form: str, spatial: str | None, window: tuple[int, int],
            T: float, controls: tuple[str, ...], params: pd.Series, se: pd.Series,
            t: pd.Series, p: pd.Series, nobs: int, r2: float, r2_within: float | None,
            impacts: pd.DataFrame | None, vcov_type: str, fit: Any,
            speed_from: tuple[float, float] | None = None) -> BetaResult:
    b, bse = float(params[LEVEL]), float(se[LEVEL])
    sb, sse = speed_from if speed_from is not None else (b, bse)
    lam, lam_se, hl, hl_se = _speed(sb, sse, T)
    return BetaResult(kind=kind, form=form, spatial=spatial, column=wide.column, window=window,
                      period_length=T, controls=controls, params=params.rename("estimate"),
                      std_errors=se.rename("std_error"), tstats=t.rename("t"),
                      pvalues=p.rename("p"), nobs=nobs, n_units=len(wide.units), r2=r2,
                      r2_within=r2_within, beta=b, beta_se=bse, beta_p=float(p[LEVEL]),
                      speed=lam, speed_se=lam_se, half_life=hl, half_life_se=hl_se,
                      impacts=impacts, vcov_type=vcov_type, fit=fit)


def _cross_section(wide: Wide, logs: pd.DataFrame, cvals: dict[str, pd.DataFrame], kind: str,
                   start: int, end: int) -> BetaResult:
    import statsmodels.api as sm

    T = float(end - start)
    X = pd.DataFrame({"const": 1.0, LEVEL: logs[start]}, index=wide.units)
    for c, v in cvals.items():
        X[c] = v[start]
    if len(X) <= X.shape[1] + 1:
        raise PanelError(f"{_WHERE}: {len(X)} units for {X.shape[1]} coefficients; the "
                         "cross-section needs more units than coefficients + 1")
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise PanelError(f"{_WHERE}: the initial-year regressors {list(X.columns)} are "
                         "collinear")
    g = ((logs[end] - logs[start]) / T).rename(GROWTH)
    fit = sm.OLS(g, X).fit(cov_type="HC1")
    return _result(wide, kind=kind, form="cross_section", spatial=None, window=(start, end),
                   T=T, controls=tuple(cvals), params=fit.params, se=fit.bse, t=fit.tvalues,
                   p=fit.pvalues, nobs=int(fit.nobs), r2=float(fit.rsquared), r2_within=None,
                   impacts=None, vcov_type="heteroskedasticity-robust (HC1)", fit=fit)


def _panel(wide: Wide, frame: pd.DataFrame, formula: str, kind: str, start: int, end: int,
           controls: tuple[str, ...]) -> BetaResult:
    from cityres.econometrics import fit_fe

    fit = fit_fe(formula, frame, entity=wide.entity, time=wide.time, effects="twoways",
                 vcov="cluster")
    return _result(wide, kind=kind, form="panel", spatial=None, window=(start, end), T=1.0,
                   controls=controls, params=fit.params, se=fit.std_errors, t=fit.tstats,
                   p=fit.pvalues, nobs=fit.nobs, r2=fit.r2, r2_within=fit.r2_within,
                   impacts=None, vcov_type=f"clustered by {wide.entity} "
                   f"({fit.n_clusters} clusters)", fit=fit)


def _spatial(wide: Wide, frame: pd.DataFrame, formula: str, kind: str, start: int, end: int,
             controls: tuple[str, ...], spatial: str, w: object) -> BetaResult:
    from cityres.spatial.panel import fit_panel, impacts

    fit = fit_panel(formula, frame, entity=wide.entity, time=wide.time, w=w,
                    model=spatial, effects="twoways")  # type: ignore[arg-type]
    imp = impacts(fit, draws=2, seed=0, se="delta")  # type: ignore[arg-type]
    direct = (_cell(imp, "direct"), _cell(imp, "se_direct"))
    return _result(wide, kind=kind, form="panel", spatial=spatial, window=(start, end), T=1.0,
                   controls=controls, params=fit.params, se=fit.std_errors, t=fit.tvalues,
                   p=fit.pvalues, nobs=fit.nobs, r2=float("nan"), r2_within=None,
                   impacts=imp, vcov_type="from the information matrix (ML); effects' by the "
                   "delta method", fit=fit, speed_from=direct)
