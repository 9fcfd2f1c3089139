"""Composite indices: :class:`IndexBuilder` (fit / transform) and :func:`build_index`.

``fit`` learns, on a reference panel, the normalisation parameters (``min_``, ``max_`` …),
the weights (``weights_``) and the TOPSIS ideal points; ``transform`` scores any panel
with them (e.g. a later year: x' may then leave [0, 1] — it is not clipped, and an
:class:`~cityres.indices.OutOfRangeWarning` says so). ``build_index`` is fit + transform
on the same panel. The formulas and references are in :mod:`cityres.indices.normalize`,
:mod:`cityres.indices.weighting` and :mod:`cityres.indices.aggregate`.

Hierarchical systems: the weighting method is applied once to all indicators (global
weights); a dimension's weight is the sum of its indicators' global weights and the
within-dimension weight is global / dimension weight (:func:`~cityres.indices.hierarchy`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.data.panel import CityPanel
from cityres.indices import weighting as _w
from cityres.indices._checks import (
    POOLED,
    SCOPES,
    check_choice,
    check_complete,
    check_frame,
    describe_group,
    group_keys,
)
from cityres.indices.aggregate import (
    AGGREGATIONS,
    ideal_points,
    rank_within_year,
    topsis,
    weighted_sum,
)
from cityres.indices.normalize import METHODS, Method, Normalizer
from cityres.indices.result import IndexResult
from cityres.indices.system import IndicatorSystem, load_system

Weighting = Literal["entropy", "critic", "cv", "pca", "equal", "user"]
Aggregate = Literal["sum", "topsis"]
Scope = Literal["pooled", "by_year"]
SystemLike = IndicatorSystem | str | Path
PanelLike = CityPanel | pd.DataFrame


class IndexBuilder:
    """Learn a composite index on a panel and score panels with it.

    Parameters
    ----------
    system : IndicatorSystem, str or Path
        A system, a bundled system name, or a TOML file (:func:`load_system`).
    normalize : {"minmax", "zscore", "vector"}
    scope : {"pooled", "by_year"}
        Objects over which normalisation, weights and TOPSIS ideals are learned: all
        city-years (comparable over time), or the cities of each year (weights are then
        averaged over years; ``weights_by_year_`` keeps the yearly ones).
    weighting : {"entropy", "critic", "cv", "pca", "equal", "user"}
        ``"equal"`` gives every indicator 1/m (dimensions then weigh by their number of
        indicators); ``"user"`` takes ``weights``.
    aggregate : {"sum", "topsis"}
    shift : float
        Added to x' after scaling (e.g. 0.0001).
    weights : mapping of indicator to weight, optional
        User weights (``weighting="user"``), or subjective weights to combine with the
        objective method when ``combine`` is given.
    combine : float, optional
        Share of the subjective ``weights`` in a combination with the objective
        ``weighting`` (:func:`~cityres.indices.combine`).
    combine_how : {"linear", "multiplicative"}
    pca_share : float, optional
        For ``"pca"``: keep components up to this cumulative variance share instead of
        those with eigenvalue > 1.

    Attributes
    ----------
    normalizer_ : Normalizer
    min_, max_ : pandas.DataFrame
        Learned raw min / max per scope group (rows) and indicator (columns).
    weights_ : pandas.DataFrame
        As :attr:`IndexResult.weights` (one row per indicator, column ``indicator``).
    weights_by_year_ : pandas.DataFrame or None
        Per-year weights and diagnostics, columns ``year``, ``indicator``, ``weight`` …
        (``scope="by_year"`` with an objective method; ``weights_`` is their mean).
    ideal_, anti_ideal_ : pandas.DataFrame
        TOPSIS ideal points on the x' scale per scope group.
    pca_components_ : pandas.DataFrame or None
        Eigen-decomposition (``weighting="pca"``, pooled scope).
    fit_years_ : list of int
    """

    def __init__(
        self,
        system: SystemLike,
        *,
        normalize: Method = "minmax",
        scope: Scope = "pooled",
        weighting: Weighting = "entropy",
        aggregate: Aggregate = "sum",
        shift: float = 0.0,
        weights: Mapping[str, float] | None = None,
        combine: float | None = None,
        combine_how: Literal["linear", "multiplicative"] = "linear",
        pca_share: float | None = None,
    ) -> None:
        self.system = load_system(system)
        check_choice("normalize", normalize, METHODS)
        check_choice("scope", scope, SCOPES)
        check_choice("weighting", weighting, _w.WEIGHTINGS)
        check_choice("aggregate", aggregate, AGGREGATIONS)
        check_choice("combine_how", combine_how, ("linear", "multiplicative"))
        if weighting == "user" and weights is None:
            raise ArgumentError("weighting='user' needs weights={indicator: weight, ...}")
        if weights is not None and weighting not in ("user", "equal") and combine is None:
            raise ArgumentError(
                f"weights were given with weighting={weighting!r}: pass weighting='user' to "
                "use them alone, or combine=<share of the given weights, e.g. 0.5> to combine "
                f"them with the {weighting} weights"
            )
        if combine is not None and (weights is None or weighting in ("user", "equal")):
            raise ArgumentError(
                "combine needs subjective weights=... and an objective weighting "
                "('entropy', 'critic', 'cv' or 'pca')"
            )
        if weighting == "equal" and weights is not None:
            raise ArgumentError("weighting='equal' takes no weights; use weighting='user'")
        if weights is not None:
            _w.user_weights(weights, self.system.columns)  # fail early, naming what is wrong
        self.normalize = normalize
        self.scope = scope
        self.weighting = weighting
        self.aggregate = aggregate
        self.shift = float(shift)
        self.weights = None if weights is None else dict(weights)
        self.combine = combine
        self.combine_how = combine_how
        self.pca_share = pca_share
        Normalizer(normalize, scope=scope, shift=shift)  # validates shift

    # ----------------------------------------------------------------- data
    def _data(self, panel: PanelLike) -> pd.DataFrame:
        if isinstance(panel, CityPanel):
            self.system.validate(panel)
            frame = panel.data
        elif isinstance(panel, pd.DataFrame):
            check_frame(panel)
            self.system.validate(panel)
            frame = panel
        else:
            raise ArgumentTypeError(
                f"panel must be a CityPanel or a DataFrame indexed by (city, year); got "
                f"{type(panel).__name__}"
            )
        data = frame[self.system.columns].astype(float)
        check_complete(data, self.system.name)
        return data

    # ----------------------------------------------------------------- fit
    def fit(self, panel: PanelLike) -> IndexBuilder:
        """Learn normalisation parameters, weights and TOPSIS ideals on ``panel``.

        Raises
        ------
        PanelError
            Columns the panel lacks (all named), missing values (indicator, city, year),
            constant indicators, negative values where a ratio scale is needed.
        """
        data = self._data(panel)
        directions = self.system.directions
        self.normalizer_ = Normalizer(self.normalize, scope=self.scope, shift=self.shift)
        xn = self.normalizer_.fit_transform(data, directions)
        self.pca_components_: pd.DataFrame | None = None
        weights, by_year = self._learn_weights(xn, data)
        self._weights = weights
        self.weights_ = weights.reset_index()
        self.weights_by_year_ = None if by_year is None else by_year.reset_index()
        self.ideal_, self.anti_ideal_ = ideal_points(xn, self.scope)
        self.fit_years_ = sorted(int(y) for y in data.index.get_level_values("year").unique())
        self.fit_cities_ = int(data.index.get_level_values("city").nunique())
        return self

    def _method(self) -> Callable[[pd.DataFrame, pd.DataFrame, str], pd.DataFrame]:
        share = self.pca_share
        table: dict[str, Callable[[pd.DataFrame, pd.DataFrame, str], pd.DataFrame]] = {
            "entropy": lambda xn, raw, where: _w.entropy_weights(xn, where=where),
            "critic": lambda xn, raw, where: _w.critic_weights(xn, where=where),
            "cv": lambda xn, raw, where: _w.cv_weights(raw, where=where),
            "pca": lambda xn, raw, where: _w.pca_weights(xn, share=share, where=where),
        }
        return table[self.weighting]

    def _learn_weights(
        self, xn: pd.DataFrame, raw: pd.DataFrame
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        cols = self.system.columns
        per_year = None
        if self.weighting == "equal":
            base = _w.equal_weights(cols)
        elif self.weighting == "user":
            assert self.weights is not None
            base = _w.user_weights(self.weights, cols)
        else:
            fn = self._method()
            keys = group_keys(xn.index, self.scope)
            frames = {
                key: fn(xn[keys == key], raw[keys == key], describe_group(key))
                for key in pd.unique(keys)
            }
            if self.scope == POOLED:
                base = frames[POOLED]
                if self.weighting == "pca":
                    self.pca_components_ = _w.pca_components(xn, self.pca_share)
            else:
                per_year = pd.concat(frames, names=["year"])
                base = per_year.groupby(level="indicator", sort=False).mean()
                base["weight"] = base["weight"] / base["weight"].sum()
            if self.combine is not None:
                assert self.weights is not None
                subj = _w.user_weights(self.weights, cols)["weight"]
                mixed = _w.combine(subj, base["weight"], self.combine, how=self.combine_how)
                base = base.rename(columns={"weight": "objective"})
                base.insert(0, "subjective", subj)
                base.insert(0, "weight", mixed)
        levels = _w.hierarchy(base["weight"], self.system.dimension_of)
        diag = base.drop(columns="weight")
        return levels.join(diag).rename_axis("indicator"), per_year

    @property
    def min_(self) -> pd.DataFrame:
        """Learned raw minimum per scope group and indicator."""
        return self.normalizer_.min_

    @property
    def max_(self) -> pd.DataFrame:
        """Learned raw maximum per scope group and indicator."""
        return self.normalizer_.max_

    # ----------------------------------------------------------------- transform
    def transform(self, panel: PanelLike) -> IndexResult:
        """Score ``panel`` with the learned parameters (see the class docstring)."""
        if not hasattr(self, "weights_"):
            raise ArgumentError("this IndexBuilder is not fitted yet; call fit(panel) first")
        data = self._data(panel)
        xn = self.normalizer_.transform(data)
        w = self._weights["weight"]
        within = self._weights["within_weight"]
        dim_of = self._weights["dimension"]
        dims: dict[str, pd.Series] = {}
        distances: pd.DataFrame | None = None
        scores: pd.Series
        if self.aggregate == "sum":
            scores = weighted_sum(xn, w)
            for dim in self.system.dimension_keys:
                cols = list(dim_of.index[dim_of == dim])
                dims[dim] = weighted_sum(xn[cols], within[cols])
        else:
            tp = topsis(xn, w, scope=self.scope, ideal=self.ideal_, anti_ideal=self.anti_ideal_)
            scores = tp["closeness"]
            distances = tp[["d_plus", "d_minus"]]
            for dim in self.system.dimension_keys:
                cols = list(dim_of.index[dim_of == dim])
                dims[dim] = topsis(
                    xn[cols],
                    within[cols],
                    scope=self.scope,
                    ideal=self.ideal_[cols],
                    anti_ideal=self.anti_ideal_[cols],
                )["closeness"]
        scores = scores.rename("score")
        if not np.isfinite(scores.to_numpy()).all():  # pragma: no cover - guarded above
            raise ArgumentError("internal error: non-finite scores; please report")
        return IndexResult(
            scores=scores,
            dimension_scores=pd.DataFrame(dims, index=xn.index),
            ranks=rank_within_year(scores),
            weights=self.weights_,
            normalized=xn,
            system=self.system,
            options=self.options(),
            distances=distances,
            simulated=isinstance(panel, CityPanel) and panel.simulated,
        )

    def fit_transform(self, panel: PanelLike) -> IndexResult:
        """``fit(panel).transform(panel)``."""
        return self.fit(panel).transform(panel)

    # ----------------------------------------------------------------- report
    def options(self) -> dict[str, Any]:
        """Every choice and convention, JSON-serialisable, for reports and manifests."""
        out: dict[str, Any] = {
            "system": self.system.name,
            "system_source": self.system.source,
            "normalize": self.normalize,
            "scope": self.scope,
            "shift": self.shift,
            "weighting": self.weighting,
            "aggregate": self.aggregate,
            "user_weights": self.weights,
            "combine": self.combine,
            "combine_how": self.combine_how if self.combine is not None else None,
            "pca_share": self.pca_share,
            "std_ddof": 1,
            "entropy_zero": "0 ln 0 = 0",
            "vector_negative": "1 - x / sqrt(sum x^2)",
            "by_year_weights": "mean over years" if self.scope == "by_year" else None,
            "dimension_weight": "sum of the indicators' global weights",
            "out_of_range": "not clipped; OutOfRangeWarning",
            "ranks": "within year, 1 = best, ties share the smallest rank",
        }
        if hasattr(self, "fit_years_"):
            out["fit_years"] = list(self.fit_years_)
            out["fit_cities"] = self.fit_cities_
        comp = getattr(self, "pca_components_", None)
        if comp is not None:
            out["pca_components"] = int(comp["kept"].sum())
            out["pca_explained"] = float(comp.loc[comp["kept"], "explained"].sum())
        return out

    def __repr__(self) -> str:
        fitted = "fitted" if hasattr(self, "weights_") else "not fitted"
        return (
            f"IndexBuilder({self.system.name!r}, normalize={self.normalize!r}, "
            f"scope={self.scope!r}, weighting={self.weighting!r}, "
            f"aggregate={self.aggregate!r}; {fitted})"
        )


def build_index(
    panel: PanelLike,
    system: SystemLike,
    *,
    normalize: Method = "minmax",
    scope: Scope = "pooled",
    weighting: Weighting = "entropy",
    aggregate: Aggregate = "sum",
    shift: float = 0.0,
    weights: Mapping[str, float] | None = None,
    combine: float | None = None,
    combine_how: Literal["linear", "multiplicative"] = "linear",
    pca_share: float | None = None,
) -> IndexResult:
    """Build a composite index on a panel: :class:`IndexBuilder` fit + transform.

    Parameters are those of :class:`IndexBuilder`. Entropy-TOPSIS is
    ``weighting="entropy", aggregate="topsis"``.

    Returns
    -------
    IndexResult

    Raises
    ------
    PanelError
        Missing columns (all listed, with the system), missing values (indicator, city,
        year and the ways out), constant indicators, negative values where a ratio scale
        is needed.
    ArgumentError
        Unknown options or inconsistent weights.

    Examples
    --------
    >>> import cityres
    >>> from cityres.indices import build_index
    >>> panel = cityres.datasets.load("yrd_sim")  # SIMULATED
    >>> res = build_index(panel, "digital_economy")
    >>> round(float(res.weights["weight"].sum()), 10)
    1.0
    >>> bool(res.scores.between(0, 1).all())
    True
    """
    builder = IndexBuilder(
        system,
        normalize=normalize,
        scope=scope,
        weighting=weighting,
        aggregate=aggregate,
        shift=shift,
        weights=weights,
        combine=combine,
        combine_how=combine_how,
        pca_share=pca_share,
    )
    return builder.fit_transform(panel)
