"""Panel transformations behind :class:`~cityres.data.CityPanel`'s methods.

Each function takes the (city, year)-indexed frame and returns a new frame and the list
of :class:`~cityres.data.changelog.Change` records describing what it changed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, DataChangeWarning, PanelError, format_choices
from cityres.data.changelog import Change

Result = tuple[pd.DataFrame, list[Change]]


def _columns(data: pd.DataFrame, columns: Sequence[str] | str | None, argument: str) -> list[str]:
    if columns is None:
        return [str(c) for c in data.columns]
    cols = [columns] if isinstance(columns, str) else list(columns)
    unknown = [c for c in cols if c not in data.columns]
    if unknown:
        raise ArgumentError(
            f"{argument}: unknown column(s) {unknown}; the panel has {list(data.columns)}"
        )
    return cols


def _new_columns(data: pd.DataFrame, names: Iterable[str], step: str) -> None:
    clash = [n for n in names if n in data.columns]
    if clash:
        raise ArgumentError(
            f"{step} would overwrite existing column(s) {clash}; choose another prefix/suffix"
        )


def _warn(changes: list[Change], step: str, what: str) -> None:
    if changes:
        warnings.warn(
            f"{step}: {what} ({len(changes)} logged in panel.log)", DataChangeWarning, stacklevel=4
        )


def select(
    data: pd.DataFrame,
    cities_table: pd.DataFrame,
    *,
    columns: Sequence[str] | None,
    cities: Iterable[str] | None,
    years: Iterable[int] | None,
    provinces: Iterable[str] | None,
    regions: Iterable[str] | None,
) -> Result:
    """Subset columns and rows; unknown cities, years, provinces or regions are errors."""
    cols = _columns(data, columns, "columns")
    ids = data.index.get_level_values("city")
    yrs = data.index.get_level_values("year")
    mask = np.ones(len(data), dtype=bool)
    present_ids = set(ids)
    if cities is not None:
        wanted = {str(c) for c in cities}
        unknown = sorted(wanted - present_ids)
        if unknown:
            raise ArgumentError(f"cities: {unknown} not in the panel")
        mask &= ids.isin(list(wanted))
    if years is not None:
        wanted_y = {int(y) for y in years}
        unknown_y = sorted(wanted_y - set(yrs))
        if unknown_y:
            raise ArgumentError(f"years: {unknown_y} not in the panel ({min(yrs)}–{max(yrs)})")
        mask &= yrs.isin(list(wanted_y))
    for arg, values, col in (("provinces", provinces, "province"), ("regions", regions, "region")):
        if values is None:
            continue
        table_values = cities_table[col] if col in cities_table else pd.Series(dtype=object)
        alt = cities_table.get(f"{col}_zh", pd.Series(dtype=object))
        wanted_v = set(values)
        known = set(table_values.dropna()) | set(alt.dropna())
        unknown_v = sorted(wanted_v - known)
        if unknown_v:
            raise ArgumentError(
                f"{arg}: {unknown_v} unknown; accepted: {format_choices(sorted(known))}"
            )
        keep = cities_table.index[table_values.isin(wanted_v) | alt.isin(wanted_v)]
        mask &= ids.isin(list(keep))
    out = data.loc[mask, cols]
    dropped = sorted(present_ids - set(out.index.get_level_values("city")))
    changes = [Change("select", "dropped_city", "not selected", city=c) for c in dropped]
    if len(out) < len(data) or len(cols) < data.shape[1]:
        changes.append(
            Change(
                "select",
                "selected",
                f"kept {len(out)} of {len(data)} rows and {len(cols)} of {data.shape[1]} columns",
            )
        )
    return out, changes


def balance(
    data: pd.DataFrame, *, columns: Sequence[str] | None, how: Literal["drop_cities", "drop_years"]
) -> Result:
    """Drop cities (or years) lacking a row or a value in ``columns``."""
    if how not in ("drop_cities", "drop_years"):
        raise ArgumentError(f"how={how!r}; accepted: 'drop_cities' or 'drop_years'")
    cols = _columns(data, columns, "columns")
    ids = data.index.get_level_values("city").unique()
    yrs = data.index.get_level_values("year").unique()
    full = pd.MultiIndex.from_product([ids, sorted(yrs)], names=["city", "year"])
    complete = data.reindex(full)[cols].notna().all(axis=1)
    grid = complete.unstack("year")
    changes: list[Change] = []
    if how == "drop_cities":
        bad = grid.index[~grid.all(axis=1)]
        for c in bad:
            missing = [int(y) for y in grid.columns[~grid.loc[c].to_numpy()]]
            changes.append(
                Change("balance", "dropped_city", f"incomplete in years {missing}", city=str(c))
            )
        out = data[~data.index.get_level_values("city").isin(list(bad))]
    else:
        bad_y = grid.columns[~grid.all(axis=0)]
        for y in bad_y:
            missing_c = [str(c) for c in grid.index[~grid[y].to_numpy()]]
            changes.append(
                Change("balance", "dropped_year", f"incomplete for cities {missing_c}", year=int(y))
            )
        out = data[~data.index.get_level_values("year").isin(list(bad_y))]
    if out.empty:
        raise PanelError(
            f"balance(how={how!r}) would drop every row; check missing values in {cols}"
        )
    _warn(
        changes,
        "balance",
        f"dropped {len(changes)} {'cities' if how == 'drop_cities' else 'years'}",
    )
    return out, changes


def interpolate(
    data: pd.DataFrame, *, columns: Sequence[str] | None, extrapolate: bool, limit: int | None
) -> Result:
    """Linear interpolation in calendar year within each city; each fill is logged."""
    cols = _columns(data, columns, "columns")
    if limit is not None and limit < 1:
        raise ArgumentError(f"limit must be a positive integer or None; got {limit}")
    out = data.copy()
    changes: list[Change] = []
    present = pd.Series(True, index=data.index).unstack("year", fill_value=False)
    for col in cols:
        wide = data[col].unstack("year").astype(float)
        years = np.asarray(wide.columns, dtype=float)
        filled = wide.copy()
        for city, row in wide.iterrows():
            values = row.to_numpy(dtype=float)
            ok = ~np.isnan(values)
            if ok.sum() < 2 or ok.all():
                continue
            new = np.interp(years, years[ok], values[ok])
            first, last = np.flatnonzero(ok)[[0, -1]]
            if extrapolate:
                new[:first] = _line(years[ok][:2], values[ok][:2], years[:first])
                new[last + 1 :] = _line(years[ok][-2:], values[ok][-2:], years[last + 1 :])
            else:
                new[:first] = np.nan
                new[last + 1 :] = np.nan
            if limit is not None:
                gap_len = _gap_lengths(ok)
                new[gap_len > limit] = np.nan
            # only cells whose (city, year) row exists are filled; absent rows stay absent
            fill = ~ok & ~np.isnan(new) & present.loc[str(city)].to_numpy(dtype=bool)
            for j in np.flatnonzero(fill):
                yr = int(years[j])
                kind = "interpolated" if first < j < last else "extrapolated"
                changes.append(
                    Change(
                        "interpolate",
                        "filled",
                        kind,
                        city=str(city),
                        year=yr,
                        column=col,
                        old=None,
                        new=float(new[j]),
                    )
                )
            filled.loc[city] = np.where(fill, new, values)
        stacked = filled.stack().reindex(out.index)
        out[col] = out[col].fillna(stacked)  # observed cells are never changed
    _warn(changes, "interpolate", "filled missing cells")
    return out, changes


def _line(xs: np.ndarray, ys: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The straight line through two points, evaluated at ``at``."""
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    return ys[0] + slope * (at - xs[0])


def _gap_lengths(ok: np.ndarray) -> np.ndarray:
    """For each position, the length of the run of missing values it belongs to (0 if present)."""
    lengths = np.zeros(len(ok), dtype=int)
    j = 0
    while j < len(ok):
        if ok[j]:
            j += 1
            continue
        k = j
        while k < len(ok) and not ok[k]:
            k += 1
        lengths[j:k] = k - j
        j = k
    return lengths


def ln(data: pd.DataFrame, columns: Sequence[str] | str, *, log1p: bool, prefix: str) -> Result:
    """Natural logs; values <= 0 (< 0 with log1p) are an error naming city and year."""
    cols = _columns(data, columns, "columns")
    names = [f"{prefix}{c}" for c in cols]
    _new_columns(data, names, "ln")
    out = data.copy()
    for col, name in zip(cols, names, strict=True):
        x = data[col].astype(float)
        bad = (x < 0) if log1p else (x <= 0)
        if bad.any():
            where = ", ".join(f"{c}/{y}={x.loc[(c, y)]:g}" for c, y in x.index[bad][:10])
            rule = "< 0 (log1p needs x >= 0)" if log1p else "<= 0 (use log1p=True for zeros)"
            raise PanelError(f"ln({col!r}): {int(bad.sum())} value(s) {rule} at city/year {where}")
        out[name] = np.log1p(x) if log1p else np.log(x)
    detail = "ln(1 + x)" if log1p else "ln(x)"
    return out, [
        Change("ln", "derived", f"{n} = {detail} of {c}", column=n)
        for c, n in zip(cols, names, strict=True)
    ]


def per_capita(
    data: pd.DataFrame, columns: Sequence[str] | str, population: str, *, scale: float, suffix: str
) -> Result:
    """Divide by a population column; zero or negative population is an error."""
    cols = _columns(data, columns, "columns")
    _columns(data, [population], "population")
    names = [f"{c}{suffix}" for c in cols]
    _new_columns(data, names, "per_capita")
    pop = data[population].astype(float)
    bad = pop <= 0
    if bad.any():
        where = ", ".join(f"{c}/{y}" for c, y in pop.index[bad][:10])
        raise PanelError(f"per_capita: population column {population!r} is <= 0 at {where}")
    out = data.copy()
    for col, name in zip(cols, names, strict=True):
        out[name] = data[col].astype(float) / pop * scale
    return out, [
        Change("per_capita", "derived", f"{n} = {c} / {population} × {scale:g}", column=n)
        for c, n in zip(cols, names, strict=True)
    ]


def deflate(
    data: pd.DataFrame,
    columns: Sequence[str] | str,
    deflator: str | pd.Series,
    *,
    base_year: int | None,
    suffix: str,
) -> Result:
    """Divide by a price index rebased to ``base_year``."""
    cols = _columns(data, columns, "columns")
    names = [f"{c}{suffix}" for c in cols]
    _new_columns(data, names, "deflate")
    years = data.index.get_level_values("year")
    base = int(base_year) if base_year is not None else int(years.min())
    if isinstance(deflator, str):
        _columns(data, [deflator], "deflator")
        index = data[deflator].astype(float)
        base_vals = index.xs(base, level="year") if base in set(years) else None
        if base_vals is None:
            raise ArgumentError(f"base_year={base} is not a year of the panel")
        rebased = index / base_vals.reindex(index.index.get_level_values("city")).to_numpy()
        label = f"column {deflator!r}"
    elif isinstance(deflator, pd.Series):
        missing = sorted(set(years) - {int(y) for y in deflator.index})
        if missing:
            raise ArgumentError(f"deflator Series lacks years {missing}")
        if base not in {int(y) for y in deflator.index}:
            raise ArgumentError(f"base_year={base} is not in the deflator Series")
        series = deflator.astype(float)
        series.index = [int(y) for y in series.index]
        rebased = pd.Series(series.reindex(years).to_numpy() / series[base], index=data.index)
        label = "a year-indexed Series"
    else:
        raise ArgumentError("deflator must be a column name or a pandas Series indexed by year")
    bad = ~(rebased > 0)
    if bad.any():
        where = ", ".join(f"{c}/{y}" for c, y in rebased.index[bad][:10])
        raise PanelError(f"deflate: deflator is missing or <= 0 at {where}")
    out = data.copy()
    for col, name in zip(cols, names, strict=True):
        out[name] = data[col].astype(float) / rebased
    return out, [
        Change("deflate", "derived", f"{n} = {c} deflated by {label}, base year {base}", column=n)
        for c, n in zip(cols, names, strict=True)
    ]


def winsorize(
    data: pd.DataFrame,
    *,
    columns: Sequence[str] | None,
    limits: tuple[float, float],
    by: Literal["pooled", "year"],
) -> Result:
    """Clip to quantiles (pandas' linear interpolation, as Stata's winsor2 with pctile)."""
    lo, hi = limits
    if not 0 <= lo < hi <= 1:
        raise ArgumentError(f"limits must satisfy 0 <= lower < upper <= 1; got {limits}")
    if by not in ("pooled", "year"):
        raise ArgumentError(f"by={by!r}; accepted: 'pooled' or 'year'")
    cols = _columns(data, columns, "columns")
    out = data.copy()
    changes: list[Change] = []
    for col in cols:
        x = data[col].astype(float)
        if by == "pooled":
            q_lo = pd.Series(x.quantile(lo), index=x.index)
            q_hi = pd.Series(x.quantile(hi), index=x.index)
        else:
            grouped = x.groupby(level="year")
            q_lo = grouped.transform(lambda s: s.quantile(lo))
            q_hi = grouped.transform(lambda s: s.quantile(hi))
        clipped = x.clip(lower=q_lo, upper=q_hi)
        diff = x.notna() & (clipped != x)
        for c, y in x.index[diff]:
            changes.append(
                Change(
                    "winsorize",
                    "clipped",
                    f"{by} limits {limits}",
                    city=str(c),
                    year=int(y),
                    column=col,
                    old=float(x.loc[(c, y)]),
                    new=float(clipped.loc[(c, y)]),
                )
            )
        out[col] = clipped
    _warn(changes, "winsorize", "clipped values")
    return out, changes


def shift(data: pd.DataFrame, columns: Sequence[str] | str, periods: int, *, prefix: str) -> Result:
    """Lag (periods > 0) or lead (periods < 0) by calendar year within city."""
    if not isinstance(periods, int | np.integer) or periods == 0:
        raise ArgumentError(f"periods must be a non-zero integer; got {periods!r}")
    cols = _columns(data, columns, "columns")
    k = abs(int(periods))
    names = [f"{prefix}{k}_{c}" for c in cols]
    _new_columns(data, names, "lag" if periods > 0 else "lead")
    out = data.copy()
    source = data[cols].copy()
    cities = source.index.get_level_values("city")
    years = source.index.get_level_values("year") + int(periods)
    source.index = pd.MultiIndex.from_arrays([cities, years], names=["city", "year"])
    moved = source.reindex(data.index)
    for col, name in zip(cols, names, strict=True):
        out[name] = moved[col].to_numpy()
    what = "lag" if periods > 0 else "lead"
    return out, [
        Change(
            what,
            "derived",
            f"{n} = {c} {k} year(s) {'earlier' if periods > 0 else 'later'}",
            column=n,
        )
        for c, n in zip(cols, names, strict=True)
    ]
