"""Immutable results of the autocorrelation statistics: a table by year (global), a long
city × year table (local) and the Moran scatter, each with ``tidy()`` and ``summary()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from cityres._shared.errors import ArgumentError

_SIM_BANNER = "*** SIMULATED DATA: not real statistics ***"

_NAMES = {
    "moran": "Moran's I",
    "geary": "Geary's C",
    "getis_ord": "Getis–Ord General G",
    "moran_bv": "Bivariate Moran's I",
    "lisa": "Local Moran's I (LISA)",
    "local_g": "Getis–Ord Gi",
    "local_g_star": "Getis–Ord Gi*",
}


def _frozen_mapping(m: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(m))


def _weights_line(ws: Mapping[str, Any]) -> str:
    std = "row-standardised" if ws.get("transform") == "row" else "not standardised"
    return (f"weights: {ws.get('kind')} ({std}), {ws.get('n')} cities, {ws.get('links')} links, "
            f"mean neighbours {ws.get('mean_neighbours', float('nan')):.2f}")


def _seed_line(entropy: object, spawn_key: tuple[int, ...], explicit: bool) -> str:
    if explicit:
        return "draws: given explicitly (permutations array)"
    if spawn_key:
        return (f"seed: SeedSequence(entropy={entropy}, spawn_key={spawn_key}); year t uses "
                "spawn key (…, t)")
    return f"seed: {entropy} (year t draws from SeedSequence(seed, spawn_key=(t,)))"


@dataclass(frozen=True, eq=False)
class GlobalAutocorrelation:
    """A global autocorrelation statistic computed year by year.

    Attributes
    ----------
    statistic : str
        ``"moran"``, ``"geary"``, ``"getis_ord"`` or ``"moran_bv"``.
    column : str
        The variable (for ``moran_bv`` the one at each city, ``x``).
    lag_column : str or None
        For ``moran_bv`` the variable whose spatial lag is taken (``y``), else None.
    table : pandas.DataFrame
        One row per year (index ``year``); the columns depend on the statistic (see the
        function that made it). A copy is returned.
    permutations : int
        Number of permutations per year (0: no permutation test).
    alternative : str
        ``"two-sided"``, ``"greater"`` or ``"less"``.
    weights_summary : Mapping
        ``kind``, ``transform``, ``n``, ``links``, ``mean_neighbours`` of the weights.
    seed_entropy, seed_spawn_key
        What repeats the draws: ``seed=np.random.SeedSequence(seed_entropy,
        spawn_key=seed_spawn_key)`` (or ``seed=seed_entropy`` when the key is empty);
        None when the permutations were given explicitly or not drawn.
    simulated : bool
        True when the panel is simulated data.
    """

    statistic: str
    column: str
    _table: pd.DataFrame = field(repr=False)
    permutations: int
    alternative: str
    weights_summary: Mapping[str, Any]
    seed_entropy: Any = None
    seed_spawn_key: tuple[int, ...] = ()
    explicit_draws: bool = False
    simulated: bool = False
    lag_column: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights_summary", _frozen_mapping(self.weights_summary))

    @property
    def table(self) -> pd.DataFrame:
        """The statistic by year (a copy)."""
        return self._table.copy()

    @property
    def years(self) -> list[int]:
        return [int(t) for t in self._table.index]

    def tidy(self) -> pd.DataFrame:
        """Long table: ``statistic``, ``column``, ``year`` then the columns of :attr:`table`."""
        out = self._table.reset_index()
        out.insert(0, "column", self.column if self.lag_column is None
                   else f"{self.column} ~ W·{self.lag_column}")
        out.insert(0, "statistic", self.statistic)
        return out

    def summary(self) -> str:
        """The table as text with the weights, permutations and seed."""
        what = self.column if self.lag_column is None else f"{self.column} with W·{self.lag_column}"
        lines = [_SIM_BANNER] if self.simulated else []
        lines.append(f"{_NAMES.get(self.statistic, self.statistic)} of {what}")
        lines.append("  " + _weights_line(self.weights_summary))
        if self.permutations:
            lines.append(f"  permutations: {self.permutations} per year; alternative: "
                         f"{self.alternative}")
            lines.append("  " + _seed_line(self.seed_entropy, self.seed_spawn_key,
                                           self.explicit_draws))
        else:
            lines.append(f"  no permutation test; alternative: {self.alternative}")
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            lines.append(self._table.to_string(float_format=lambda v: f"{v:.4g}"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"GlobalAutocorrelation({self.statistic!r}, column={self.column!r}, "
                f"years={len(self._table)}, permutations={self.permutations})")


@dataclass(frozen=True, eq=False)
class LocalAutocorrelation:
    """A local statistic (LISA or Getis–Ord Gi/Gi*) for every city and year.

    Attributes
    ----------
    statistic : str
        ``"lisa"``, ``"local_g"`` or ``"local_g_star"``.
    column : str
        The variable.
    table : pandas.DataFrame
        Long table, one row per city and year (cities in the order of the weights); see the
        function that made it for the columns. A copy is returned.
    alpha : float
        Significance level.
    fdr : bool
        Whether the cut-off is the Benjamini–Hochberg threshold of each year.
    thresholds : pandas.Series
        The p-value cut-off used in each year (``alpha`` without FDR).
    permutations : int
        Conditional permutations per city and year.
    weights_summary, seed_entropy, seed_spawn_key, explicit_draws, simulated
        As in :class:`GlobalAutocorrelation`.
    """

    statistic: str
    column: str
    _table: pd.DataFrame = field(repr=False)
    alpha: float
    fdr: bool
    _thresholds: pd.Series = field(repr=False)
    permutations: int
    weights_summary: Mapping[str, Any]
    seed_entropy: Any = None
    seed_spawn_key: tuple[int, ...] = ()
    explicit_draws: bool = False
    simulated: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights_summary", _frozen_mapping(self.weights_summary))

    @property
    def table(self) -> pd.DataFrame:
        """The long city × year table (a copy)."""
        return self._table.copy()

    @property
    def thresholds(self) -> pd.Series:
        """The p-value cut-off of each year (a copy)."""
        return self._thresholds.copy()

    @property
    def years(self) -> list[int]:
        return [int(t) for t in self._thresholds.index]

    def tidy(self) -> pd.DataFrame:
        """The long table with ``statistic`` and ``column`` in front."""
        out = self._table.copy()
        out.insert(0, "column", self.column)
        out.insert(0, "statistic", self.statistic)
        return out

    def clusters(self, year: int) -> pd.Series:
        """The cluster label of each city in ``year`` (``"ns"`` when not significant)."""
        if int(year) not in self.years:
            raise ArgumentError(f"year {year} is not in this result; years: {self.years}")
        part = self._table[self._table["year"] == int(year)]
        return pd.Series(part["cluster"].to_numpy(), index=pd.Index(part["city"], name="city"),
                         name="cluster")

    def cluster_counts(self) -> pd.DataFrame:
        """Number of cities in each cluster (columns) by year (rows)."""
        counts = pd.crosstab(self._table["year"], self._table["cluster"])
        order = (["HH", "LL", "LH", "HL", "ns"] if self.statistic == "lisa"
                 else ["hot", "cold", "ns"])
        out = counts.reindex(index=self.years, columns=order, fill_value=0)
        out.index.name, out.columns.name = "year", "cluster"
        return out

    def summary(self) -> str:
        """Cluster counts by year with the settings that made them."""
        lines = [_SIM_BANNER] if self.simulated else []
        lines.append(f"{_NAMES.get(self.statistic, self.statistic)} of {self.column}")
        lines.append("  " + _weights_line(self.weights_summary))
        cut = ("Benjamini–Hochberg FDR threshold per year" if self.fdr
               else f"p_sim ≤ {self.alpha:g}")
        lines.append(f"  {self.permutations} conditional permutations; significant when "
                     f"{cut} (alpha {self.alpha:g})")
        lines.append("  " + _seed_line(self.seed_entropy, self.seed_spawn_key,
                                       self.explicit_draws))
        counts = self.cluster_counts()
        if self.fdr:
            counts["threshold"] = self._thresholds.reindex(counts.index).round(6)
        lines.append(counts.to_string())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"LocalAutocorrelation({self.statistic!r}, column={self.column!r}, "
                f"years={len(self._thresholds)}, alpha={self.alpha}, fdr={self.fdr})")
