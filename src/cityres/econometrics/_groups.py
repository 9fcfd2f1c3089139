"""Groupings for subgroup regressions: which group each observation of a model frame is in.

A grouping is a column (of the panel or of a CityPanel's city table), a period split, a
quantile split of a column, or a list of cities. Each gives every observation a label and
says at which *level* the labels are defined — ``"entity"`` (constant within a city),
``"period"`` (constant within a year) or ``"observation"`` (city-year) — which is the level
at which the permutation test shuffles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, format_choices
from cityres.data.modelframe import indexed_frame
from cityres.data.panel import CityPanel

Level = Literal["entity", "period", "observation"]
QUANTILE_BY: tuple[str, ...] = ("city", "city-year")
QUANTILE_STATS: tuple[str, ...] = ("mean", "first")


@dataclass(frozen=True)
class Assignment:
    """The group of each row of a model frame.

    ``labels`` (one per row, str), ``order`` (the groups in the order they are compared:
    differences are later minus earlier), ``level`` (see the module docstring) and
    ``name`` (how messages and tables name the grouping).
    """

    labels: np.ndarray
    order: tuple[str, ...]
    level: Level
    name: str


class Grouping:
    """Base of the grouping specifications (use the helper functions to build them)."""

    @property
    def name(self) -> str:
        """How messages and tables name the grouping."""
        raise NotImplementedError

    def assign(self, data: object, frame: pd.DataFrame, entity: str, time: str, *,
               entity_arg: str | None = None, time_arg: str | None = None) -> Assignment:
        """Labels for the rows of ``frame`` (a :func:`model_frame` of ``data``)."""
        raise NotImplementedError


def _value_label(v: object) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _level(labels: np.ndarray, frame: pd.DataFrame, entity: str, time: str) -> Level:
    s = pd.Series(labels, index=frame.index)
    if bool((s.groupby(frame[entity].to_numpy()).nunique() == 1).all()):
        return "entity"
    if bool((s.groupby(frame[time].to_numpy()).nunique() == 1).all()):
        return "period"
    return "observation"


def lookup_column(data: object, frame: pd.DataFrame, entity: str, time: str, column: str,
                  *, entity_arg: str | None, time_arg: str | None, where: str) -> pd.Series:
    """The values of ``column`` for the rows of ``frame``: a column of the data or, for a
    CityPanel, of its city table (looked up by city). Missing values raise naming cities."""
    if not isinstance(column, str):
        raise ArgumentTypeError(f"{where}: a grouping column must be a str; got "
                                f"{type(column).__name__}")
    indexed, _, _ = indexed_frame(data, entity_arg, time_arg)
    if column in indexed.columns:
        key = pd.MultiIndex.from_frame(frame[[entity, time]])
        values = indexed[column].reindex(key)
    elif isinstance(data, CityPanel) and column in data.cities.columns:
        values = data.cities[column].reindex(frame[entity].to_numpy())
    else:
        table = list(data.cities.columns) if isinstance(data, CityPanel) else []
        raise ArgumentError(
            f"{where}: unknown grouping column {column!r}; data columns: "
            f"{list(indexed.columns)[:40]}" + (f"; city table: {table}" if table else ""))
    values = pd.Series(values.to_numpy(), index=frame.index, name=column)
    bad = values.isna().to_numpy()
    if bad.any():
        cities = sorted(map(str, pd.unique(frame.loc[bad, entity])))
        years = sorted(pd.unique(frame.loc[bad, time]).tolist())
        raise PanelError(
            f"{where}: grouping column {column!r} is missing for {int(bad.sum())} row(s), "
            f"{entity} {cities[:20]}" + (" …" if len(cities) > 20 else "")
            + f" ({time} {years[:5]}{' …' if len(years) > 5 else ''}); fill it or leave "
            "those cities out of the data first (cityres does not drop them)")
    return values


@dataclass(frozen=True)
class ColumnGroups(Grouping):
    """Groups by the values of a column (``region``, ``size_class``, a 0/1 dummy…)."""

    column: str
    order: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        return self.column

    def assign(self, data: object, frame: pd.DataFrame, entity: str, time: str, *,
               entity_arg: str | None = None, time_arg: str | None = None) -> Assignment:
        where = f"grouping {self.column!r}"
        values = lookup_column(data, frame, entity, time, self.column, entity_arg=entity_arg,
                               time_arg=time_arg, where=where)
        labels = np.array([_value_label(v) for v in values], dtype=object)
        found = sorted(set(labels), key=lambda s: (_sort_key(s), s))
        if self.order is not None:
            order = tuple(str(o) for o in self.order)
            if sorted(order) != sorted(set(labels)) or len(set(order)) != len(order):
                raise ArgumentError(f"{where}: order={list(order)} must list each value of "
                                    f"{self.column!r} once; its values are {found}")
        else:
            order = tuple(found)
        return Assignment(labels, order, _level(labels, frame, entity, time), self.column)


def _sort_key(s: str) -> float:
    try:
        return float(s)
    except ValueError:
        return float("inf")


@dataclass(frozen=True)
class PeriodSplit(Grouping):
    """Two groups: periods before ``year`` and from ``year`` on."""

    year: int

    @property
    def name(self) -> str:
        return f"period split at {self.year}"

    def assign(self, data: object, frame: pd.DataFrame, entity: str, time: str, *,
               entity_arg: str | None = None, time_arg: str | None = None) -> Assignment:
        t = frame[time]
        if not pd.api.types.is_numeric_dtype(t):
            raise ArgumentError(f"period_split({self.year}): the time column {time!r} is not "
                                f"numeric ({t.dtype})")
        lo, hi = int(t.min()), int(t.max())
        if not lo < self.year <= hi:
            raise ArgumentError(f"period_split({self.year}): the data run {lo}–{hi}, so the "
                                f"split gives one group only; accepted: a year in {lo + 1}–{hi}")
        before = f"{lo}–{self.year - 1}" if self.year - 1 > lo else str(lo)
        after = f"{self.year}–{hi}" if hi > self.year else str(hi)
        labels = np.where(t.to_numpy() < self.year, before, after).astype(object)
        return Assignment(labels, (before, after), "period", self.name)


@dataclass(frozen=True)
class QuantileGroups(Grouping):
    """``q`` groups by quantiles of a numeric column (of each city's mean or first value,
    or of each year's cross-section)."""

    column: str
    q: int = 2
    by: Literal["city", "city-year"] = "city"
    stat: Literal["mean", "first"] = "mean"

    @property
    def name(self) -> str:
        what = {2: "halves", 3: "terciles", 4: "quartiles"}.get(self.q, f"{self.q} quantiles")
        of = (f"of each city's {self.stat} value" if self.by == "city"
              else "within each year")
        return f"{self.column} {what} ({of})"

    def assign(self, data: object, frame: pd.DataFrame, entity: str, time: str, *,
               entity_arg: str | None = None, time_arg: str | None = None) -> Assignment:
        where = f"quantile_groups({self.column!r})"
        values = lookup_column(data, frame, entity, time, self.column, entity_arg=entity_arg,
                               time_arg=time_arg, where=where)
        if not pd.api.types.is_numeric_dtype(values):
            raise ArgumentError(f"{where}: column {self.column!r} is not numeric")
        names = _quantile_names(self.q)
        if self.by == "city":
            per_city = values.groupby(frame[entity].to_numpy(), sort=True)
            stat = per_city.mean() if self.stat == "mean" else per_city.first()
            codes = _qcut(stat, self.q, where)
            labels = np.array([names[c] for c in codes.reindex(frame[entity]).to_numpy()],
                              dtype=object)
        else:
            codes_rows = np.empty(len(frame), dtype=np.int64)
            times = frame[time].to_numpy()
            for t in pd.unique(times):
                rows = times == t
                codes_rows[rows] = _qcut(values[rows], self.q, f"{where}, {time} {t}").to_numpy()
            labels = np.array([names[c] for c in codes_rows], dtype=object)
        level = _level(labels, frame, entity, time)
        return Assignment(labels, tuple(names), level, self.name)


def _quantile_names(q: int) -> list[str]:
    if q == 2:
        return ["low", "high"]
    if q == 3:
        return ["low", "middle", "high"]
    return [f"Q{j + 1}" for j in range(q)]


def _qcut(values: pd.Series, q: int, where: str) -> pd.Series:
    try:
        codes = pd.qcut(values, q, labels=False)
    except ValueError as err:
        raise ArgumentError(f"{where}: cannot cut {values.size} values into {q} quantile "
                            f"groups ({err}); too many ties — use fewer groups") from None
    return codes.astype(np.int64)


@dataclass(frozen=True)
class CityList(Grouping):
    """Two groups: the listed cities (``label_in``) and the others (``label_out``)."""

    ids: tuple[str, ...]
    label_in: str = "listed"
    label_out: str = "others"

    @property
    def name(self) -> str:
        return f"{self.label_in} vs {self.label_out}"

    def assign(self, data: object, frame: pd.DataFrame, entity: str, time: str, *,
               entity_arg: str | None = None, time_arg: str | None = None) -> Assignment:
        have = set(map(str, pd.unique(frame[entity])))
        unknown = [i for i in self.ids if i not in have]
        if unknown:
            raise ArgumentError(f"city_list: ids {unknown[:20]} are not {entity} values of the "
                                f"data (e.g. {sorted(have)[:5]})")
        listed = frame[entity].astype(str).isin(set(self.ids)).to_numpy()
        labels = np.where(listed, self.label_in, self.label_out).astype(object)
        return Assignment(labels, (self.label_out, self.label_in), "entity", self.name)


def period_split(year: int) -> PeriodSplit:
    """Two groups: the periods before ``year`` and from ``year`` on.

    ``period_split(2017)`` is the "before and after 2016" split (2011–2016 vs 2017–2023).
    The permutation test shuffles which periods are "after" (see
    :func:`cityres.econometrics.heterogeneity.subgroups`).

    Examples
    --------
    >>> period_split(2017).name
    'period split at 2017'
    """
    if isinstance(year, bool) or not isinstance(year, int | np.integer):
        raise ArgumentTypeError(f"period_split: year must be an int; got {year!r}")
    return PeriodSplit(int(year))


def quantile_groups(column: str, q: int = 2, *, by: Literal["city", "city-year"] = "city",
                    stat: Literal["mean", "first"] = "mean") -> QuantileGroups:
    """``q`` groups by quantiles of ``column`` (``pandas.qcut``: equal counts, ties kept).

    Parameters
    ----------
    column : str
        A numeric column of the data (or of a CityPanel's city table).
    q : int
        Number of groups (2: low / high, 3: low / middle / high, more: Q1…Qq).
    by : {"city", "city-year"}
        ``"city"``: quantiles of one value per city (``stat``), so each city stays in one
        group; ``"city-year"``: quantiles of each year's cross-section, so a city can move
        between groups.
    stat : {"mean", "first"}
        The value per city for ``by="city"``: its mean over the sample, or its first-year
        value (fixed before the sample's outcomes).

    Examples
    --------
    >>> quantile_groups("openness", q=3).name
    "openness terciles (of each city's mean value)"
    """
    if isinstance(q, bool) or not isinstance(q, int | np.integer) or q < 2:
        raise ArgumentError(f"quantile_groups: q={q!r}; accepted: an integer >= 2")
    if by not in QUANTILE_BY:
        raise ArgumentError(f"quantile_groups: by={by!r}; accepted: {format_choices(QUANTILE_BY)}")
    if stat not in QUANTILE_STATS:
        raise ArgumentError(f"quantile_groups: stat={stat!r}; accepted: "
                            f"{format_choices(QUANTILE_STATS)}")
    return QuantileGroups(column, int(q), by, stat)


def city_list(ids: Sequence[str], *, label_in: str = "listed",
              label_out: str = "others") -> CityList:
    """Two groups: the cities in ``ids`` and all others (e.g. provincial capitals).

    The difference tested is listed minus others.

    Examples
    --------
    >>> city_list(["310000", "320100"], label_in="capitals").name
    'capitals vs others'
    """
    if isinstance(ids, str) or not isinstance(ids, Sequence) or not ids:
        raise ArgumentError("city_list: ids must be a non-empty list of entity ids; got "
                            f"{ids!r}")
    if label_in == label_out:
        raise ArgumentError(f"city_list: label_in and label_out are both {label_in!r}")
    return CityList(tuple(str(i) for i in ids), str(label_in), str(label_out))


def column_groups(column: str, *, order: Sequence[str] | None = None) -> ColumnGroups:
    """Groups by the values of ``column``; ``order`` fixes the order of comparison (default:
    numeric values ascending, then text values alphabetically).

    Examples
    --------
    >>> column_groups("region", order=["east", "central"]).order
    ('east', 'central')
    """
    if not isinstance(column, str):
        raise ArgumentTypeError(f"column_groups: column must be a str; got {column!r}")
    return ColumnGroups(column, None if order is None else tuple(str(o) for o in order))


def as_grouping(by: object) -> Grouping:
    """``by`` as a :class:`Grouping`: a column name or a grouping built by the helpers."""
    if isinstance(by, Grouping):
        return by
    if isinstance(by, str):
        return ColumnGroups(by)
    raise ArgumentTypeError(
        f"by: expected a column name or a grouping from period_split / quantile_groups / "
        f"city_list / column_groups; received {type(by).__name__}")
