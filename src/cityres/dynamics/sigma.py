"""σ convergence: the cross-sectional dispersion of an indicator year by year (coefficient
of variation, standard deviation of logs, Gini, Theil T), overall and by group, with a test
of its trend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError, format_choices
from cityres.dynamics._data import Wide, city_groups, wide_frame

__all__ = ["MEASURES", "Measure", "SigmaResult", "sigma"]

Measure = Literal["cv", "sd_log", "gini", "theil"]
#: The dispersion measures :func:`sigma` computes, in table order.
MEASURES: tuple[str, ...] = ("cv", "sd_log", "gini", "theil")
#: The name of the all-units group in a grouped table.
OVERALL = "overall"
_NAMES = {"cv": "coefficient of variation", "sd_log": "standard deviation of logs",
          "gini": "Gini coefficient", "theil": "Theil T"}
_WHERE = "cityres.dynamics.sigma"


def _measures(x: np.ndarray, which: Sequence[str]) -> dict[str, float]:
    """The requested measures of one cross-section ``x`` (1-d, finite; > 0 when a log or
    the Gini/Theil is asked for)."""
    from inequality.gini import Gini
    from inequality.theil import Theil

    out: dict[str, float] = {}
    mean = float(x.mean())
    for m in which:
        if m == "cv":
            out[m] = float(x.std(ddof=0) / mean)
        elif m == "sd_log":
            out[m] = float(np.log(x).std(ddof=0))
        elif m == "gini":
            out[m] = float(Gini(x).g)
        else:  # theil
            out[m] = float(np.ravel(Theil(x).T)[0])
    return out


def _four(v: float) -> str:
    return f"{v:.4f}"


def _default_lags(n: int) -> int:
    """Newey & West's (1994) rule ⌊4 (T/100)^(2/9)⌋."""
    return int(np.floor(4 * (n / 100) ** (2 / 9)))


@dataclass(frozen=True)
class SigmaResult:
    """Dispersion of an indicator across units, period by period.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per period (index named after the time column) or, with groups, per
        (group, period) (first level ``group``: ``"overall"``, then each group in sorted
        order); column ``n`` (units) and one column per measure.
    column : str
        The indicator.
    measures : tuple of str
        The measures computed (among ``cv``, ``sd_log``, ``gini``, ``theil``).
    groups : pandas.Series or None
        The group of each unit (None without groups).
    entity, time : str
        Names of the unit and the period.
    """

    table: pd.DataFrame
    column: str
    measures: tuple[str, ...]
    groups: pd.Series | None
    entity: str
    time: str

    @property
    def grouped(self) -> bool:
        """Whether the table is by group."""
        return self.groups is not None

    def _series(self) -> list[tuple[str, pd.DataFrame]]:
        if not self.grouped:
            return [(OVERALL, self.table)]
        return [(str(g), part.droplevel(0))
                for g, part in self.table.groupby(level=0, sort=False)]

    def trend(self, maxlags: int | None = None) -> pd.DataFrame:
        """Trend test of each measure: OLS of the measure on the period with Newey–West
        (HAC) standard errors.

        Parameters
        ----------
        maxlags : int, optional
            Bartlett-kernel lags of the HAC covariance; default Newey & West's (1994) rule
            ``⌊4 (T/100)^(2/9)⌋`` (2 for 13 years).

        Returns
        -------
        pandas.DataFrame
            One row per (group, measure): ``slope`` (change per period), ``std_error``,
            ``t``, ``p`` (two-sided, t with ``T − 2`` degrees of freedom), ``maxlags``,
            ``first``, ``last``, ``ratio`` (last / first) and ``n_periods``. A negative
            significant slope (ratio < 1) is σ convergence.

        Raises
        ------
        ArgumentError
            ``maxlags`` not a non-negative integer.
        PanelError
            Fewer than three periods.

        Notes
        -----
        :math:`m_t = a + b\\,t + u_t`; :math:`\\widehat{V}(\\hat b)` is statsmodels'
        HAC covariance (``cov_type="HAC"``, Bartlett kernel, small-sample factor
        :math:`T/(T-2)`, ``use_correction=True``), the p-value from t(T − 2).
        """
        import statsmodels.api as sm

        if maxlags is not None and (isinstance(maxlags, bool) or not isinstance(maxlags, int)
                                    or maxlags < 0):
            raise ArgumentError(f"{_WHERE}: maxlags={maxlags!r}; accepted: None or an "
                                "integer ≥ 0")
        rows = []
        for g, part in self._series():
            years = part.index.to_numpy(dtype=np.float64)
            if years.size < 3:
                raise PanelError(f"{_WHERE}: a trend test needs at least 3 periods; the "
                                 f"data have {years.size}")
            lags = _default_lags(years.size) if maxlags is None else maxlags
            X = sm.add_constant(years)
            for m in self.measures:
                y = part[m].to_numpy(dtype=np.float64)
                fit = sm.OLS(y, X).fit(cov_type="HAC", use_t=True,
                                       cov_kwds={"maxlags": lags, "use_correction": True})
                rows.append({"group": g, "measure": m, "slope": float(fit.params[1]),
                             "std_error": float(fit.bse[1]), "t": float(fit.tvalues[1]),
                             "p": float(fit.pvalues[1]), "maxlags": lags,
                             "first": float(y[0]), "last": float(y[-1]),
                             "ratio": float(y[-1] / y[0]) if y[0] != 0 else float("nan"),
                             "n_periods": int(y.size)})
        out = pd.DataFrame(rows)
        return out if self.grouped else out.drop(columns="group")

    def tidy(self) -> pd.DataFrame:
        """Long form: (group,) period, measure, value."""
        idx = ["group", self.time] if self.grouped else [self.time]
        long = self.table.reset_index().melt(id_vars=[*idx, "n"], value_vars=list(self.measures),
                                             var_name="measure", value_name="value")
        return long[[*idx, "measure", "value"]]

    def summary(self) -> str:
        """The measures by period and the trend tests as text."""
        head = (f"σ convergence of {self.column}: "
                + ", ".join(_NAMES[m] for m in self.measures)
                + (f"; by group ({len(self.groups.unique())} groups)"  # type: ignore[union-attr]
                   if self.grouped else ""))
        trend = self.trend()
        return "\n".join([head, "", self.table.to_string(float_format=_four), "",
                          "Trend (OLS on the period, Newey–West SE):",
                          trend.to_string(index=False, float_format=_four)])


def _check_measures(measures: Sequence[str] | str) -> tuple[str, ...]:
    chosen = (measures,) if isinstance(measures, str) else tuple(measures)
    bad = [m for m in chosen if m not in MEASURES]
    if bad or not chosen:
        raise ArgumentError(f"{_WHERE}: measures={measures!r}; accepted: one or more of "
                            f"{format_choices(MEASURES)}")
    return tuple(dict.fromkeys(chosen))


def _by_period(wide: Wide, units: pd.Index, which: tuple[str, ...]) -> pd.DataFrame:
    values = wide.values.loc[units]
    rows = {int(t): {"n": len(units), **_measures(values[t].to_numpy(dtype=np.float64), which)}
            for t in values.columns}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = wide.time
    return frame


def sigma(data: object, column: str, *, group: str | Mapping[str, str] | pd.Series | None = None,
          measures: Sequence[Measure] | Measure = ("cv", "sd_log", "gini", "theil"),
          entity: str | None = None, time: str | None = None) -> SigmaResult:
    """σ convergence: dispersion of ``column`` across units in each period.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A balanced panel (a long DataFrame indexed by (unit, period) or with ``entity``
        and ``time`` columns).
    column : str
        The indicator (e.g. ``de_latent``, ``gdp_pc``).
    group : str or mapping, optional
        Groups of units (a column of the city table such as ``region``, a time-invariant
        data column, or a mapping unit → group): the table then holds the measures of all
        units (group ``"overall"``) and of each group.
    measures : sequence of {"cv", "sd_log", "gini", "theil"}
        Which measures.
    entity, time : str, optional
        Unit and period columns of a DataFrame.

    Returns
    -------
    SigmaResult
        ``table`` by period (and group), ``trend()``, ``tidy()``, ``summary()``.

    Raises
    ------
    ArgumentError
        Unknown measure, column or group.
    PanelError
        Missing, infinite or repeated cells, an unbalanced panel, non-positive values when
        ``sd_log``, ``gini`` or ``theil`` is asked for (each naming unit and period), a
        group with a single unit, a group named ``"overall"``.

    Notes
    -----
    With :math:`x_{1t},\\dots,x_{nt}` the values of period t and :math:`\\bar x_t` their
    mean:

    - :math:`CV_t = s_t/\\bar x_t`, :math:`s_t^2 = \\frac1n\\sum_i (x_{it}-\\bar x_t)^2`.
      The population standard deviation (ddof = 0): the cities are the whole population
      described, not a sample from one, and it matches the Gini and Theil, which are
      population measures too (multiply by :math:`\\sqrt{n/(n-1)}` for the sample CV).
    - :math:`SD\\log_t` = population standard deviation of :math:`\\ln x_{it}` (Barro &
      Sala-i-Martin's σ).
    - Gini :math:`G_t = \\sum_i\\sum_j |x_{it}-x_{jt}| / (2n^2\\bar x_t)`, computed by the
      PySAL ``inequality`` package (``inequality.gini.Gini``).
    - Theil :math:`T_t = \\frac1n\\sum_i \\frac{x_{it}}{\\bar x_t}\\ln\\frac{x_{it}}{\\bar
      x_t}`, computed by ``inequality.theil.Theil`` (as :func:`cityres.dynamics.theil`).

    σ convergence is a falling dispersion; :meth:`SigmaResult.trend` tests it. β
    convergence is necessary but not sufficient for it (Young, Higgins & Levy 2008).

    References
    ----------
    .. [1] Barro, R. J. & Sala-i-Martin, X. (1992). Convergence. *Journal of Political
       Economy* 100(2), 223–251.
    .. [2] Young, A. T., Higgins, M. J. & Levy, D. (2008). Sigma convergence versus beta
       convergence: evidence from U.S. county-level data. *Journal of Money, Credit and
       Banking* 40(5), 1083–1093.
    .. [3] Newey, W. K. & West, K. D. (1994). Automatic lag selection in covariance
       matrix estimation. *Review of Economic Studies* 61(4), 631–653.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.sigma import sigma
    >>> res = sigma(cityres.datasets.load("yrd_sim"), "de_latent", measures=["cv"])
    >>> round(float(res.table.loc[2011, "cv"]), 2), round(float(res.table.loc[2023, "cv"]), 2)
    (0.51, 0.29)
    """
    which = _check_measures(measures)
    positive = any(m in ("sd_log", "gini", "theil") for m in which)
    wide = wide_frame(data, column, entity=entity, time=time, positive=positive, where=_WHERE)
    overall = _by_period(wide, wide.units, which)
    if group is None:
        return SigmaResult(table=overall, column=column, measures=which, groups=None,
                           entity=wide.entity, time=wide.time)
    groups = city_groups(data, group, wide.units, where=_WHERE)
    if (groups == OVERALL).any():
        raise PanelError(f"{_WHERE}: a group is named {OVERALL!r}, the name of the all-units "
                         "rows; rename it")
    sizes = groups.value_counts()
    lone = sorted(str(g) for g in sizes.index[sizes < 2])
    if lone:
        raise PanelError(f"{_WHERE}: group(s) {lone} have a single unit "
                         f"({[str(u) for u in groups.index[groups.isin(lone)]]}); a dispersion "
                         "needs at least two")
    parts = {OVERALL: overall}
    for g in sorted(sizes.index):
        parts[str(g)] = _by_period(wide, groups.index[groups == g], which)
    table = pd.concat(parts, names=["group", wide.time])
    return SigmaResult(table=table, column=column, measures=which, groups=groups,
                       entity=wide.entity, time=wide.time)
