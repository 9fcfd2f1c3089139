"""Inputs of the autocorrelation statistics: a panel column as a city × year matrix in the
order of the weights, and the checks every statistic needs (missing values, constant
years, islands, mismatched ids), each failing with a message that names what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    PanelError,
    WeightsError,
    format_choices,
)
from cityres._shared.rng import Seed, as_seed_sequence
from cityres.data.panel import CityPanel
from cityres.spatial.weights import Weights

PanelLike = CityPanel | pd.DataFrame
ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class ColumnByYear:
    """One column of a panel, city × year, rows in the order of ``w.ids``."""

    column: str
    values: np.ndarray  # (n, T) float
    years: tuple[int, ...]
    w: Weights
    names: Mapping[str, str]  # city code -> Chinese name (when the panel has a city table)
    simulated: bool

    def year(self, t: int) -> np.ndarray:
        return self.values[:, self.years.index(t)]


def _frame(data: object) -> tuple[pd.DataFrame, Mapping[str, str], bool]:
    if isinstance(data, CityPanel):
        cities = data.cities
        names = ({str(k): str(v) for k, v in cities["name_zh"].items() if pd.notna(v)}
                 if "name_zh" in cities else {})
        return data.data, names, data.simulated
    if isinstance(data, pd.DataFrame):
        idx = data.index
        if not isinstance(idx, pd.MultiIndex) or idx.nlevels != 2:
            raise ArgumentTypeError(
                "data must be a CityPanel or a DataFrame indexed by (city, year); got a "
                f"DataFrame indexed by {list(idx.names)}")
        if list(idx.names) != ["city", "year"]:
            raise ArgumentError("the DataFrame index levels must be named ('city', 'year'); "
                                f"got {tuple(idx.names)}")
        if idx.has_duplicates:
            dup = idx[idx.duplicated()].unique()[:5].tolist()
            raise PanelError(f"data has repeated (city, year) rows: {dup}")
        return data, {}, False
    raise ArgumentTypeError("data must be a cityres CityPanel or a pandas DataFrame indexed by "
                            f"(city, year); got {type(data).__name__}")


def check_weights(w: object, *, statistic: str) -> Weights:
    """``w`` as a :class:`Weights` without islands."""
    if not isinstance(w, Weights):
        raise ArgumentTypeError(f"w must be a cityres.spatial.Weights; got {type(w).__name__} "
                                "(convert libpysal weights with Weights.from_libpysal)")
    if w.islands:
        shown = ", ".join(w.islands[:20]) + (" …" if len(w.islands) > 20 else "")
        raise WeightsError(
            f"{statistic} needs every city to have a neighbour; these weights have "
            f"{len(w.islands)} island(s) without neighbours: {shown}. Rebuild the weights with "
            "an islands rule, e.g. contiguity(geo, islands=\"nearest\") or islands=\"knn:2\" "
            "(distance_band and inverse_distance take islands= too), or leave the islands out "
            "of both the panel and the weights")
    if w.n < 4:
        raise WeightsError(f"{statistic} needs at least 4 cities; the weights have {w.n}")
    return w


def label(city: str, names: Mapping[str, str]) -> str:
    """``320500 (苏州)`` when the name is known, else the code."""
    return f"{city} ({names[city]})" if city in names else city


def column_by_year(data: object, column: str, w: Weights, years: Iterable[int] | None, *,
                   statistic: str, constant_ok: bool = False) -> ColumnByYear:
    """The column as a city × year matrix in the order of ``w``, checked.

    Raises
    ------
    ArgumentError
        Unknown column or year.
    WeightsError
        The cities of the panel and of the weights differ (both lists named).
    PanelError
        A missing value (city, year named) or, unless ``constant_ok``, a year where every
        city has the same value.
    """
    frame, names, simulated = _frame(data)
    if not isinstance(column, str):
        raise ArgumentTypeError(f"column must be a column name (str); got {type(column).__name__}")
    if column not in frame.columns:
        known = [str(c) for c in frame.columns]
        shown = format_choices(known[:15]) + (" …" if len(known) > 15 else "")
        raise ArgumentError(f"column {column!r} is not in the panel; columns: {shown}")
    series = frame[column]
    if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
        raise ArgumentTypeError(f"column {column!r} must be numeric; it has dtype {series.dtype}")
    cities_raw = series.index.get_level_values("city")
    city = pd.Index([str(c) for c in cities_raw], dtype=object)
    year = pd.Index(series.index.get_level_values("year")).astype("int64")
    all_years = sorted(set(year.tolist()))
    if years is None:
        chosen = tuple(all_years)
    else:
        if isinstance(years, int | np.integer):
            years = (int(years),)
        chosen = tuple(int(t) for t in years)
        unknown = [t for t in chosen if t not in set(all_years)]
        if unknown or not chosen:
            raise ArgumentError(f"years {unknown if unknown else '()'} are not in the panel; "
                                f"it has {all_years[0]}–{all_years[-1]}" if all_years else
                                "the panel has no years")
        if len(set(chosen)) != len(chosen):
            raise ArgumentError(f"years repeat: {list(chosen)}")
    panel_cities = list(dict.fromkeys(city.tolist()))
    w.reorder(panel_cities, what="the panel")  # raises WeightsError naming the cities
    table = pd.Series(series.to_numpy(dtype=float, na_value=np.nan),
                      index=pd.MultiIndex.from_arrays([city, year], names=["city", "year"]))
    wide = table.unstack("year").reindex(index=list(w.ids), columns=list(chosen))
    values = wide.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        where = np.argwhere(bad)
        cells = [f"{label(w.ids[int(r)], names)} in {chosen[int(c)]}" for r, c in where]
        more = f" (and {len(cells) - 5} more)" if len(cells) > 5 else ""
        raise PanelError(
            f"{statistic} needs a value of {column!r} for every city in every year; missing "
            f"(or infinite) for {'; '.join(cells[:5])}{more}. Fill gaps with "
            "CityPanel.interpolate(...) or keep complete years with CityPanel.select(years=...)")
    if not constant_ok:
        for c, t in enumerate(chosen):
            if np.all(values[:, c] == values[0, c]):
                raise PanelError(f"{statistic} is undefined for {column} in {t}: all cities "
                                 f"have the same value ({values[0, c]:g})")
    return ColumnByYear(column, values, chosen, w, names, simulated)


def check_alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.floating):
        raise ArgumentTypeError(f"alpha must be a number in (0, 1); got {alpha!r}")
    a = float(alpha)
    if not 0.0 < a < 1.0:
        raise ArgumentError(f"alpha must be strictly between 0 and 1; got {a}")
    return a


def check_alternative(alternative: object) -> str:
    if alternative not in ALTERNATIVES:
        raise ArgumentError(f"alternative must be {format_choices(ALTERNATIVES)}; got "
                            f"{alternative!r}")
    return str(alternative)


def year_generators(seed: Seed, years: tuple[int, ...]) -> tuple[dict[int, np.random.Generator],
                                                                  Any, tuple[int, ...]]:
    """One generator per year: ``SeedSequence(entropy, spawn_key=(*key, year))``.

    The stream of a year does not depend on the other years asked for. Returns the
    generators, the entropy and the spawn key (recorded so the run can be repeated).
    """
    ss = as_seed_sequence(seed)
    gens = {t: np.random.default_rng(np.random.SeedSequence(ss.entropy,
                                                            spawn_key=(*ss.spawn_key, t)))
            for t in years}
    entropy = ss.entropy
    if isinstance(entropy, list | np.ndarray):
        entropy = tuple(int(e) for e in entropy)
    return gens, entropy, tuple(int(k) for k in ss.spawn_key)


def as_csr(w: object, n: int) -> sp.csr_array:
    """The matrix of ``w`` (a :class:`Weights` or a square scipy sparse matrix of size n)."""
    if isinstance(w, Weights):
        m = w.sparse
    elif sp.issparse(w):
        m = sp.csr_array(w, dtype=float)
        m.sort_indices()
    else:
        raise ArgumentTypeError(f"w must be a Weights or a scipy sparse matrix; got "
                                f"{type(w).__name__}")
    if m.shape != (n, n):
        raise ArgumentError(f"w is {m.shape[0]} × {m.shape[1]} but y has {n} values")
    if m.nnz and np.any(m.diagonal() != 0):
        raise WeightsError("w must have a zero diagonal (a unit is not its own neighbour)")
    if np.any(np.diff(m.indptr) == 0):
        raise WeightsError("w has islands (rows without neighbours); the statistic needs every "
                           "unit to have a neighbour")
    return m


def as_vector(y: object, name: str = "y") -> np.ndarray:
    arr = np.asarray(y, dtype=float)
    if arr.ndim != 1:
        raise ArgumentError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size < 4:
        raise ArgumentError(f"{name} needs at least 4 values; got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ArgumentError(f"{name} has missing or infinite values at positions "
                            f"{np.flatnonzero(~np.isfinite(arr))[:10].tolist()}")
    return arr


def weights_summary(w: Weights) -> dict[str, Any]:
    s = w.summary()
    return {"kind": s.kind, "transform": s.transform, "n": s.n, "links": s.links,
            "mean_neighbours": s.mean_neighbours}
