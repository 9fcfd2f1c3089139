"""Gaussian kernel density of an indicator's cross-section, year by year (and by group).

The densities of all years (and groups) share one grid, so they can be stacked in a
ridgeline or drawn as a year × value surface; scipy's ``gaussian_kde`` computes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, format_choices
from cityres.dynamics._data import city_groups, wide_frame

__all__ = ["DensityResult", "density"]

_WHERE = "cityres.dynamics.density"
_RULES: tuple[str, ...] = ("scott", "silverman")
_CUT = 4.0  # the grid reaches this many bandwidths beyond the extreme values


@dataclass(frozen=True)
class DensityResult:
    """Kernel densities of one indicator by year (and group) on a common grid.

    Attributes
    ----------
    column : str
        The indicator; ``log`` says whether its natural log was used.
    grid : numpy.ndarray
        The evaluation points (in log units when ``log``).
    densities : pandas.DataFrame
        Index the grid; columns a MultiIndex (``group``, ``year``), group ``"all"``
        without groups.
    stats : pandas.DataFrame
        Per (group, year): ``n``, ``mean``, ``std`` (ddof 1), ``factor`` (scipy's
        bandwidth factor), ``bandwidth`` (= factor × std, the kernel's standard
        deviation in the units of the grid), ``peak`` (grid point of the highest
        density) and ``modes`` (number of local maxima on the grid).
    rule : str
        ``"scott"``, ``"silverman"`` or ``"fixed"`` (a bandwidth given as a number).
    """

    column: str
    log: bool
    time: str
    rule: str
    grid: np.ndarray
    densities: pd.DataFrame
    stats: pd.DataFrame

    @property
    def years(self) -> tuple[int, ...]:
        """The years, ascending."""
        return tuple(sorted({int(y) for y in self.densities.columns.get_level_values(1)}))

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups in order (``("all",)`` without groups)."""
        return tuple(dict.fromkeys(str(g) for g in self.densities.columns.get_level_values(0)))

    @property
    def bandwidths(self) -> pd.Series:
        """The bandwidth used for every (group, year)."""
        return self.stats["bandwidth"]

    def tidy(self) -> pd.DataFrame:
        """Long table: ``group``, ``year``, ``x``, ``density``."""
        keys: list[Any] = list(self.densities.columns)
        parts = [pd.DataFrame({"group": key[0], "year": int(key[1]), "x": self.grid,
                               "density": self.densities[key].to_numpy()}) for key in keys]
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        """A text report: the bandwidth rule and the statistics of every density."""
        what = f"log({self.column})" if self.log else self.column
        rule = {"scott": "Scott's rule, h = σ̂ n^(-1/5)",
                "silverman": "Silverman's rule, h = σ̂ (3n/4)^(-1/5)",
                "fixed": "a fixed bandwidth"}[self.rule]
        return "\n".join([f"Gaussian kernel densities of {what}: {rule}; "
                          f"{len(self.grid)} grid points {self.grid[0]:.4g}…{self.grid[-1]:.4g}",
                          self.stats.round(4).to_string()])


def density(data: object, column: str, *, years: Sequence[int] | None = None,
            group: str | Mapping[str, str] | pd.Series | None = None,
            bandwidth: str | float = "scott", grid: int = 200, log: bool = False,
            entity: str | None = None, time: str | None = None) -> DensityResult:
    """Gaussian kernel density of ``column`` in every year (and group).

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A balanced panel.
    column : str
        The indicator.
    years : sequence of int, optional
        The years to estimate (default: all).
    group : str or mapping, optional
        A city-table column (``region``, ``province``), a time-invariant data column or
        a mapping unit → group: one density per group and year.
    bandwidth : {"scott", "silverman"} or float
        The rule of scipy's ``gaussian_kde`` or a bandwidth h > 0 in the units of the
        values (of their log with ``log=True``), used for every year.
    grid : int, default 200
        Number of evaluation points, ≥ 10, evenly spaced from 4 bandwidths below the
        smallest value to 4 above the largest (over all years and groups).
    log : bool, default False
        Estimate the density of ln(value) (values must be positive).
    entity, time : str, optional
        Unit and period columns of a long DataFrame.

    Returns
    -------
    DensityResult

    Raises
    ------
    ArgumentError
        Unknown years, bandwidth rule or a non-positive bandwidth, ``grid`` < 10.
    ArgumentTypeError
        ``grid`` not an integer.
    PanelError
        Missing values or an unbalanced panel (named); non-positive values with
        ``log=True``; a group-year with fewer than two cities or no spread (named).

    Notes
    -----
    f̂(x) = (1 / n) Σ_i φ((x − x_i) / h) / h, φ the standard normal density. scipy sets
    h = factor × σ̂ (σ̂ the sample standard deviation, ddof 1) with factor
    n^(−1/5) for ``"scott"`` (Scott 1992, the d-dimensional rule n^(−1/(d+4)) at d = 1)
    and (3n/4)^(−1/5) ≈ 1.06 n^(−1/5) for ``"silverman"`` (Silverman 1986, eq. 3.28, the
    normal-reference rule; not his robust 0.9 min(σ̂, IQR/1.34) n^(−1/5) variant). A
    numeric ``bandwidth`` h is passed to scipy as the factor h / σ̂ of each sample.

    References
    ----------
    Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis.
    Chapman & Hall.
    Scott, D. W. (1992). Multivariate Density Estimation. Wiley.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.kde import density
    >>> res = density(cityres.datasets.load("yrd_sim"), "de_latent", years=[2011, 2023])
    >>> res.densities.shape
    (200, 2)
    """
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)):
        raise ArgumentTypeError(f"{_WHERE}: grid must be an integer; got {type(grid).__name__}")
    if grid < 10:
        raise ArgumentError(f"{_WHERE}: grid={grid}; accepted: an integer ≥ 10")
    if isinstance(bandwidth, str):
        if bandwidth not in _RULES:
            raise ArgumentError(f"{_WHERE}: bandwidth={bandwidth!r}; accepted: "
                                f"{format_choices(_RULES)} or a positive number")
        rule = bandwidth
    elif isinstance(bandwidth, bool) or not isinstance(bandwidth, (int, float, np.number)) \
            or not np.isfinite(bandwidth) or bandwidth <= 0:
        raise ArgumentError(f"{_WHERE}: bandwidth={bandwidth!r}; accepted: "
                            f"{format_choices(_RULES)} or a positive number")
    else:
        rule = "fixed"
    wide = wide_frame(data, column, entity=entity, time=time, positive=log, where=_WHERE)
    values = wide.values.transform(np.log) if log else wide.values
    have = [int(v) for v in wide.periods]
    chosen = have if years is None else [int(v) for v in years]
    unknown = [v for v in chosen if v not in have]
    if unknown or not chosen:
        raise ArgumentError(f"{_WHERE}: years {unknown or chosen} not in the data "
                            f"({have[0]}–{have[-1]})")
    groups = (pd.Series("all", index=wide.units) if group is None
              else city_groups(data, group, wide.units, where=_WHERE))
    samples: dict[tuple[str, int], np.ndarray] = {}
    for g in dict.fromkeys(groups.tolist()):
        for yr in chosen:
            x = values.loc[(groups == g).to_numpy(), yr].to_numpy(dtype=float)
            if x.size < 2 or np.ptp(x) == 0:
                raise PanelError(f"{_WHERE}: group {g!r}, {wide.time} {yr}: a kernel density "
                                 f"needs at least two cities with different values of "
                                 f"{column!r}; got {x.size} value(s) {x[:5].tolist()}")
            samples[(str(g), yr)] = x
    return _estimate(samples, rule, bandwidth, grid, column, log, wide.time)


def _estimate(samples: dict[tuple[str, int], np.ndarray], rule: str, bandwidth: object,
              n_grid: int, column: str, log: bool, time: str) -> DensityResult:
    from scipy.stats import gaussian_kde

    kdes = {}
    rows = []
    for key, x in samples.items():
        sd = float(np.std(x, ddof=1))
        bw = rule if rule != "fixed" else float(bandwidth) / sd  # type: ignore[arg-type]
        kde = gaussian_kde(x, bw_method=bw)
        kdes[key] = kde
        rows.append({"n": x.size, "mean": float(x.mean()), "std": sd,
                     "factor": float(kde.factor), "bandwidth": float(kde.factor) * sd})
    stats = pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(list(samples),
                                                               names=["group", time]))
    hmax = float(stats["bandwidth"].max())
    lo = min(float(x.min()) for x in samples.values()) - _CUT * hmax
    hi = max(float(x.max()) for x in samples.values()) + _CUT * hmax
    xs = np.linspace(lo, hi, n_grid)
    dens = pd.DataFrame({key: kde(xs) for key, kde in kdes.items()},
                        index=pd.Index(xs, name=f"log({column})" if log else column))
    dens.columns = pd.MultiIndex.from_tuples(list(samples), names=["group", time])
    arr = dens.to_numpy()
    inner = (arr[1:-1] > arr[:-2]) & (arr[1:-1] >= arr[2:])
    stats["peak"] = xs[arr.argmax(axis=0)]
    stats["modes"] = inner.sum(axis=0).astype(np.int64)
    stats["n"] = stats["n"].astype(np.int64)
    return DensityResult(column=column, log=log, time=time, rule=rule, grid=xs,
                         densities=dens, stats=stats)
