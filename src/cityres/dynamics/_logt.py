"""The Phillips–Sul (2007) log t convergence test: the regression, its long-run variance and
the input transform (logs, Hodrick–Prescott trend).

:func:`log_t` is the public test; the array-level helpers are shared with the club
clustering in :mod:`cityres.dynamics.club`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.dynamics._data import wide_frame

__all__ = ["CRITICAL", "LogTResult", "analysed_frame", "log_t", "logt_fit", "trim_start"]

#: One-sided 5 % critical value of the log t test: convergence is rejected when t < −1.65.
CRITICAL = -1.65


def trim_start(n_periods: int, trim: float, *, where: str = "cityres.dynamics.log_t") -> int:
    """First period index (0-based) kept by the regression: ``round(T·trim)``.

    The rounding is half-to-even, as in R's ``round`` (ConvergenceClubs).

    Raises
    ------
    ArgumentError
        ``trim`` outside [0, 1), or fewer than 3 periods left after trimming.
    """
    if isinstance(trim, bool) or not isinstance(trim, (int, float)) or not 0 <= trim < 1:
        raise ArgumentError(f"{where}: trim must be a number in [0, 1) (the share of the first "
                            f"periods dropped from the log t regression); got {trim!r}")
    start = int(np.round(n_periods * trim))
    if n_periods - start < 3:
        raise ArgumentError(f"{where}: too few periods for the log t regression: T = "
                            f"{n_periods} periods and trim = {trim:g} leave {n_periods - start} "
                            "(at least 3 are needed); lower trim or use a longer panel")
    return start


def _qs_long_run_variance(u: np.ndarray) -> float:
    """Long-run variance of the residuals with the quadratic-spectral kernel and the Andrews
    (1991) AR(1) plug-in bandwidth, as in Phillips & Sul's GAUSS code (ConvergenceClubs'
    "FQSB"): ρ from an AR(1) fit of u, α = 4ρ²/(1−ρ)⁴, S = 1.3221 (α n)^{1/5}; the
    autocovariances use u_1 … u_{n−1} and divide by n − 1."""
    n = u.shape[0]
    ulag, ulead = u[:-1], u[1:]
    rho = float(ulag @ ulead) / float(ulag @ ulag)
    alpha = 4.0 * rho ** 2 / (1.0 - rho) ** 4
    band = 1.3221 * (alpha * n) ** 0.2
    m = n - 1
    out = float(u @ u) / m
    for j in range(1, m):
        z = 1.2 * np.pi * j / band
        kern = 3.0 / z ** 2 * (np.sin(z) / z - np.cos(z))
        out += 2.0 * kern * float(u[: m - j] @ u[j:m]) / m
    return out


def logt_fit(x: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The log t regression on a units × periods array ``x`` (already transformed).

    Returns (coefficients [a, b], standard errors, number of periods used). ``H_t`` must be
    > 0 in every period used and in the first (checked by the callers that face users).
    """
    h = x / x.mean(axis=0)
    big_h = ((h - 1.0) ** 2).mean(axis=0)
    n_t = x.shape[1]
    t_idx = np.arange(start + 1, n_t + 1, dtype=np.float64)
    logt = np.log(t_idx)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(big_h[0] / big_h[start:]) - 2.0 * np.log(logt)
    design = np.column_stack([np.ones_like(logt), logt])
    xtx_inv = np.linalg.inv(design.T @ design)
    coef = xtx_inv @ design.T @ y
    resid = y - design @ coef
    lrv = _qs_long_run_variance(resid)
    se = np.sqrt(np.diag(xtx_inv) * lrv)
    return coef, se, y.shape[0]


@dataclass(frozen=True)
class LogTResult:
    """The log t test on one group of units.

    Attributes
    ----------
    params, std_errors, tstats, pvalues : pandas.Series
        Intercept ``const`` and slope ``log_t`` (b̂ = 2α̂), HAC standard errors, t statistics
        and one-sided p-values Φ(t) (small values reject convergence).
    beta, se, tstat : float
        b̂, its standard error and t_b.
    nobs : int
        Periods in the regression (T − round(rT)).
    n_units, n_periods : int
        Units in the group and periods in the panel (T).
    periods : tuple of int
        The periods used in the regression.
    trim : float
    converges : bool
        t_b > −1.65 (convergence is not rejected at 5 %).
    r2, r2_within : None
        Not reported (read by the table renderer).
    """

    params: pd.Series
    std_errors: pd.Series
    n_units: int
    n_periods: int
    periods: tuple[int, ...]
    trim: float
    r2: float | None = None
    r2_within: float | None = None

    @property
    def tstats(self) -> pd.Series:
        """t statistics."""
        return (self.params / self.std_errors).rename("t")

    @property
    def pvalues(self) -> pd.Series:
        """One-sided p-values Φ(t) (H0: convergence; small values reject)."""
        return pd.Series(stats.norm.cdf(self.tstats.to_numpy()), index=self.params.index,
                         name="p")

    @property
    def beta(self) -> float:
        """b̂ (twice the speed α of convergence)."""
        return float(self.params["log_t"])

    @property
    def se(self) -> float:
        """HAC standard error of b̂."""
        return float(self.std_errors["log_t"])

    @property
    def tstat(self) -> float:
        """t_b."""
        return self.beta / self.se

    @property
    def nobs(self) -> int:
        """Periods in the regression."""
        return len(self.periods)

    @property
    def converges(self) -> bool:
        """t_b > −1.65."""
        return self.tstat > CRITICAL

    def tidy(self) -> pd.DataFrame:
        """Coefficients, standard errors, t and one-sided p as a DataFrame."""
        return pd.DataFrame({"estimate": self.params, "std_error": self.std_errors,
                             "t": self.tstats, "p_one_sided": self.pvalues})

    def summary(self) -> str:
        """A short text report."""
        verdict = "not rejected" if self.converges else "rejected"
        return (f"Phillips-Sul log t test: N = {self.n_units}, T = {self.n_periods}, "
                f"periods used {self.periods[0]}-{self.periods[-1]} ({self.nobs}), "
                f"trim = {self.trim:.3g}\n"
                f"  b = {self.beta:.4f}  se = {self.se:.4f}  t = {self.tstat:.3f}  "
                f"-> convergence {verdict} at 5% (criterion t > -1.65)")


def make_result(x: np.ndarray, periods: np.ndarray, trim: float, start: int) -> LogTResult:
    """Run the regression on ``x`` and wrap it."""
    coef, se, _ = logt_fit(x, start)
    names = pd.Index(["const", "log_t"])
    return LogTResult(params=pd.Series(coef, index=names, name="estimate"),
                      std_errors=pd.Series(se, index=names, name="std_error"),
                      n_units=x.shape[0], n_periods=x.shape[1],
                      periods=tuple(int(p) for p in periods[start:]), trim=float(trim))


def analysed_frame(data: object, column: str, *, log: bool, hp: bool, lamb: float,
                   entity: str | None, time: str | None, where: str) -> pd.DataFrame:
    """The units × periods matrix the test runs on: ``column`` (its log when ``log``), the
    Hodrick–Prescott trend of each unit's series when ``hp``; every value must be > 0 and
    units must differ in every period.

    Raises
    ------
    PanelError
        Non-positive values under the log, or non-positive analysed values (naming
        unit/period), or a period in which all units are equal.
    """
    for name, flag in (("log", log), ("hp", hp)):
        if not isinstance(flag, bool):
            raise ArgumentTypeError(f"{where}: {name} must be True or False; got {flag!r}")
    if isinstance(lamb, bool) or not isinstance(lamb, (int, float)) or not lamb > 0:
        raise ArgumentError(f"{where}: lamb (HP smoothing) must be a number > 0 (400 for "
                            f"annual data); got {lamb!r}")
    wide = wide_frame(data, column, entity=entity, time=time, positive=log, where=where)
    values = wide.values.astype(np.float64)
    if log:
        values = values.apply(np.log)
    if hp:
        from statsmodels.tsa.filters.hp_filter import hpfilter

        if values.shape[1] < 3:
            raise ArgumentError(f"{where}: hp=True needs at least 3 periods; got "
                                f"{values.shape[1]}")
        trend = np.vstack([np.asarray(hpfilter(row, lamb=float(lamb))[1])
                           for row in values.to_numpy()])
        values = pd.DataFrame(trend, index=values.index, columns=values.columns)
    cells_all = values.stack()
    bad = cells_all[(cells_all <= 0).to_numpy()]
    if len(bad):
        cells = ", ".join(f"{u}/{t} ({v:.4g})" for (u, t), v in  # type: ignore[misc]
                          bad.head(10).items())
        what = "log " + repr(column) if log else repr(column)
        raise PanelError(f"{where}: the log t test needs positive values (h = x / mean x is a "
                         f"share); {len(bad)} value(s) of {what}"
                         f"{' (HP trend)' if hp else ''} are <= 0: {cells}; "
                         + ("use log=False for an indicator below 1" if log else
                            "rescale the indicator"))
    same = values.columns[(values.max(axis=0) - values.min(axis=0)).to_numpy() == 0]
    if len(same):
        raise PanelError(f"{where}: every unit has the same value of {column!r} in period(s) "
                         f"{[int(p) for p in same[:10]]}; the cross-sectional variation H_t is "
                         "0 and its log undefined")
    return values


def log_t(data: object, column: str, *, trim: float = 1 / 3, log: bool = True,
          hp: bool = False, lamb: float = 400.0, entity: str | None = None,
          time: str | None = None) -> LogTResult:
    """Phillips–Sul log t convergence test on all units.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        Balanced panel indexed by (city, year).
    column : str
        The indicator (e.g. GDP per capita).
    trim : float, default 1/3
        Share r of the first periods dropped: the regression runs on t = round(rT)+1 … T.
    log : bool, default True
        Analyse log(column) (PS 2007 use log income); values must be > 0.
    hp : bool, default False
        Replace each unit's series by its Hodrick–Prescott trend (statsmodels ``hpfilter``).
    lamb : float, default 400
        HP smoothing (400 for annual data, as in PS 2009).
    entity, time : str, optional
        Unit and period columns of a DataFrame not indexed by them.

    Returns
    -------
    LogTResult

    Raises
    ------
    ArgumentError
        ``trim`` outside [0, 1) or leaving fewer than 3 periods (naming trim and T).
    PanelError
        Unbalanced panel, missing values, non-positive values under the log (naming city
        and year).

    Notes
    -----
    With X_it the analysed value, h_it = X_it / N⁻¹Σ_j X_jt, H_t = N⁻¹Σ_i (h_it − 1)²,
    the regression is

    .. math:: \\log(H_1/H_t) - 2\\log\\log t = a + b \\log t + u_t,\\quad t = [rT]+1,…,T

    estimated by OLS; se(b̂) = sqrt([(Z'Z)⁻¹]_bb · ω̂²) with ω̂² the quadratic-spectral
    long-run variance of û with Andrews' AR(1) plug-in bandwidth (Phillips & Sul's code;
    ConvergenceClubs ``HACmethod = "FQSB"``). Convergence is rejected when t_b < −1.65.

    References
    ----------
    Phillips, P. C. B., & Sul, D. (2007). Transition modeling and econometric convergence
    tests. Econometrica, 75(6), 1771–1855.
    Sichera, R., & Pizzuto, P. (2019). ConvergenceClubs: A package for performing the
    Phillips and Sul's club convergence clustering procedure. The R Journal, 11(2).

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.club import log_t
    >>> res = log_t(cityres.datasets.load("yrd_sim"), "gdp_pc")
    >>> res.nobs
    9
    """
    where = "cityres.dynamics.log_t"
    values = analysed_frame(data, column, log=log, hp=hp, lamb=lamb, entity=entity,
                            time=time, where=where)
    start = trim_start(values.shape[1], trim, where=where)
    return make_result(values.to_numpy(), values.columns.to_numpy(dtype=np.int64), trim, start)
