"""The immutable result of an index: scores, dimension scores, weights, ranks, options."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd

from cityres.indices.system import IndicatorSystem


class IndexResult:
    """Scores of a composite index and everything needed to report how they were made.

    Attributes
    ----------
    scores : pandas.Series
        The index per (city, year); name ``score``.
    dimension_scores : pandas.DataFrame
        One column per dimension (in the system's order), indexed by (city, year). With
        ``aggregate="sum"`` these are within-weighted sums, each in the range of x', and
        ``scores`` = Σ_d dimension_weight_d × dimension score_d; with ``"topsis"`` each is
        the TOPSIS closeness on that dimension's indicators with within weights.
    ranks : pandas.Series
        Rank of ``scores`` among the cities of the same year (1 = best).
    weights : pandas.DataFrame
        One row per indicator (system order): ``indicator``, ``dimension``, ``weight``
        (global), ``within_weight``, ``dimension_weight`` and the method's diagnostics
        (entropy: ``entropy``, ``divergence``; CRITIC: ``std``, ``conflict``,
        ``information``; CV: ``mean``, ``std``, ``cv``; PCA: ``pca_coefficient``; user:
        ``given``; combined: ``subjective``, ``objective`` and the objective method's).
    normalized : pandas.DataFrame
        x' per indicator, indexed by (city, year).
    distances : pandas.DataFrame or None
        TOPSIS ``d_plus``, ``d_minus`` of the total score (None for weighted sums).
    system : IndicatorSystem
    options : dict
        Every choice made (normalisation, scope, shift, weighting, aggregation and the
        conventions behind them), for reports to state.
    simulated : bool
        True when the panel was simulated (tables must say so).
    """

    __slots__ = (
        "_dimension_scores",
        "_distances",
        "_normalized",
        "_options",
        "_ranks",
        "_scores",
        "_weights",
        "simulated",
        "system",
    )

    def __init__(
        self,
        *,
        scores: pd.Series,
        dimension_scores: pd.DataFrame,
        ranks: pd.Series,
        weights: pd.DataFrame,
        normalized: pd.DataFrame,
        system: IndicatorSystem,
        options: Mapping[str, Any],
        distances: pd.DataFrame | None = None,
        simulated: bool = False,
    ) -> None:
        self._scores = scores
        self._dimension_scores = dimension_scores
        self._ranks = ranks
        self._weights = weights
        self._normalized = normalized
        self._distances = distances
        self._options: Mapping[str, Any] = MappingProxyType(dict(options))
        self.system = system
        self.simulated = simulated

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, name):
            raise AttributeError(f"IndexResult is immutable; {name!r} cannot be changed")
        object.__setattr__(self, name, value)

    # copies (copy-on-write: changing them never changes the result)
    @property
    def scores(self) -> pd.Series:
        """The index per (city, year)."""
        return self._scores.copy(deep=False)

    @property
    def dimension_scores(self) -> pd.DataFrame:
        """Dimension scores per (city, year), one column per dimension."""
        return self._dimension_scores.copy(deep=False)

    @property
    def ranks(self) -> pd.Series:
        """Rank within each year (1 = best)."""
        return self._ranks.copy(deep=False)

    @property
    def weights(self) -> pd.DataFrame:
        """Global, within-dimension and dimension weights with diagnostics."""
        return self._weights.copy(deep=False)

    @property
    def normalized(self) -> pd.DataFrame:
        """x' per indicator."""
        return self._normalized.copy(deep=False)

    @property
    def distances(self) -> pd.DataFrame | None:
        """TOPSIS distances of the total score, or None."""
        return None if self._distances is None else self._distances.copy(deep=False)

    @property
    def options(self) -> dict[str, Any]:
        """Every choice made, as a new dict."""
        return dict(self._options)

    # ----------------------------------------------------------------- views
    def tidy(self) -> pd.DataFrame:
        """Long table: city, year, dimension (``"total"`` or a key), score, rank."""
        total = pd.DataFrame({"score": self._scores, "rank": self._ranks}).reset_index()
        total.insert(2, "dimension", "total")
        dims = self._dimension_scores
        ranks = dims.groupby(level="year").rank(ascending=False, method="min").astype("int64")
        long = (
            pd.concat({"score": dims.stack(), "rank": ranks.stack()}, axis=1)
            .rename_axis(["city", "year", "dimension"])
            .reset_index()
        )
        out = pd.concat([total, long], ignore_index=True)
        out["system"] = self.system.name
        return out[["system", "city", "year", "dimension", "score", "rank"]]

    def summary(self) -> str:
        """Plain-text summary: system, options, weights, score statistics by year."""
        lines = []
        if self.simulated:
            lines.append("*** SIMULATED DATA: not real statistics ***")
        s = self.system
        lines.append(f"Composite index {s.name!r}: {s.title_en} / {s.title_zh}")
        opt = self._options
        lines.append(
            f"  normalize={opt['normalize']} scope={opt['scope']} shift={opt['shift']} "
            f"weighting={opt['weighting']} aggregate={opt['aggregate']}"
        )
        idx = self._scores.index
        lines.append(
            f"  {idx.get_level_values('city').nunique()} cities × "
            f"{idx.get_level_values('year').nunique()} years; {len(s.indicators)} indicators "
            f"in {len(s.dimensions)} dimension(s)"
        )
        lines.append("  weights:")
        w = self._weights
        width = max(len(str(c)) for c in w["indicator"])
        lines.append(f"    {'indicator':<{width}}  {'dimension':<14} {'global':>8} {'within':>8}")
        for _, row in w.iterrows():
            lines.append(
                f"    {row['indicator']!s:<{width}}  {row['dimension']!s:<14} "
                f"{row['weight']:>8.4f} {row['within_weight']:>8.4f}"
            )
        lines.append("  score by year: mean  min  max")
        stats = self._scores.groupby(level="year").agg(["mean", "min", "max"])
        for year, row in stats.iterrows():
            lines.append(f"    {year}: {row['mean']:.4f}  {row['min']:.4f}  {row['max']:.4f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        sim = ", SIMULATED" if self.simulated else ""
        return (
            f"IndexResult({self.system.name!r}, {len(self._scores)} city-years, "
            f"{self._options['weighting']} weights, {self._options['aggregate']}{sim})"
        )
