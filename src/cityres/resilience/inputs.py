"""Input checks of :func:`cityres.resilience.martin`: panel, columns, values, benchmark.

Every check names the city, year and column of what is wrong and says what is accepted;
nothing is dropped or filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, format_choices
from cityres.data.panel import CityPanel
from cityres.resilience.shocks import _series_index

#: Sectors must add up to the outcome within this relative tolerance.
SECTOR_RTOL = 1e-6

#: At most this many offending cells are listed in one message.
SHOWN = 10

BENCHMARKS: tuple[str, ...] = ("sum", "mean")


def _listed(items: Sequence[str]) -> str:
    text = ", ".join(items[:SHOWN])
    return text + (f" ... and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def as_frame(panel: CityPanel | pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The (city, year)-indexed data and whether it is simulated."""
    if isinstance(panel, CityPanel):
        return panel.data, panel.simulated
    if not isinstance(panel, pd.DataFrame):
        raise ArgumentTypeError(
            "panel must be a CityPanel or a DataFrame indexed by (city, year); got "
            f"{type(panel).__name__}"
        )
    index = panel.index
    if not isinstance(index, pd.MultiIndex) or list(index.names) != ["city", "year"]:
        raise ArgumentError(
            "panel: a DataFrame needs a (city, year) MultiIndex; got index names "
            f"{list(index.names)} (use df.set_index(['city', 'year']))"
        )
    if index.has_duplicates:
        dup = [f"city {c} year {y}" for c, y in index[index.duplicated()].unique()]
        raise PanelError(f"panel: duplicated city-years: {_listed(dup)}")
    years = index.get_level_values("year")
    if not pd.api.types.is_integer_dtype(years):
        raise ArgumentError(f"panel: the year level must hold integers; got dtype {years.dtype}")
    return panel.sort_index(), False


def columns(data: pd.DataFrame, names: Sequence[str], argument: str) -> list[str]:
    """Check that ``names`` are numeric columns of ``data``."""
    out: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise ArgumentTypeError(f"{argument}: column names are strings; got {name!r}")
        if name not in data.columns:
            shown = [str(c) for c in data.columns]
            raise ArgumentError(
                f"{argument}: {name!r} is not a column of the panel; columns: {_listed(shown)}"
            )
        if not pd.api.types.is_numeric_dtype(data[name]) or pd.api.types.is_bool_dtype(
            data[name]
        ):
            raise ArgumentTypeError(
                f"{argument}: column {name!r} is not numeric (dtype {data[name].dtype})"
            )
        out.append(name)
    if len(set(out)) != len(out):
        raise ArgumentError(f"{argument}: columns listed twice: {out}")
    return out


def wide(data: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` as a year × city frame (float64; missing city-years are NaN)."""
    frame = data[column].astype("float64").unstack("city")
    frame.index = frame.index.astype("int64")
    return frame.sort_index()


def check_values(
    data: pd.DataFrame, names: Sequence[str], years: Sequence[int], *, positive: bool, what: str
) -> None:
    """Every city has a row and a finite (positive or non-negative) value in every year.

    ``what`` says why the years are needed ("the windows 2019–2020 / 2020–2023").
    """
    cities = data.index.get_level_values("city").unique()
    full = pd.MultiIndex.from_product([cities, list(years)], names=["city", "year"])
    absent = full[~full.isin(data.index)]
    if len(absent):
        shown = [f"city {c} year {y}" for c, y in absent]
        raise PanelError(
            f"no row for {len(shown)} city-year(s) inside {what}: {_listed(shown)}; every "
            "city needs every year of the windows (drop the city or fill the gap first)"
        )
    sub = data.loc[data.index.isin(full), list(names)]
    need = "positive numbers" if positive else "non-negative numbers"
    for name in names:
        x = sub[name].to_numpy(dtype="float64", na_value=np.nan)
        for label, bad, show_value in (
            ("missing (NaN)", np.isnan(x), False),
            ("infinite", np.isinf(x), False),
            ("not positive" if positive else "negative",
             (x <= 0) if positive else (x < 0), True),
        ):
            if bad.any():
                shown = [
                    f"city {c} year {y}" + (f" ({v:g})" if show_value else "")
                    for (c, y), v in zip(sub.index[bad], x[bad], strict=True)
                ]
                raise PanelError(
                    f"column {name!r} is {label} for {len(shown)} city-year(s) inside {what}: "
                    f"{_listed(shown)}; Martin measures need {need} in every window year"
                )


def check_sector_sum(data: pd.DataFrame, outcome: str, sectors: Sequence[str]) -> None:
    """Σ_i sector_i equals ``outcome`` within :data:`SECTOR_RTOL` (relative) per city-year.

    City-years where any of the columns is missing are not compared (inside the windows
    they are refused by :func:`check_values` first).
    """
    parts = data[list(sectors)].to_numpy(dtype="float64", na_value=np.nan)
    total = data[outcome].to_numpy(dtype="float64", na_value=np.nan)
    summed = parts.sum(axis=1)
    known = ~np.isnan(total) & ~np.isnan(parts).any(axis=1)
    bad = known & (np.abs(summed - total) > SECTOR_RTOL * np.abs(total))
    if bad.any():
        shown = [
            f"city {c} year {y} (sum {s:.10g} vs {t:.10g})"
            for (c, y), s, t in zip(data.index[bad], summed[bad], total[bad], strict=True)
        ]
        raise PanelError(
            f"sectors do not add up to {outcome!r} (relative tolerance {SECTOR_RTOL:g}) in "
            f"{len(shown)} city-year(s): {_listed(shown)}; list every sector of {outcome!r} "
            "exactly once"
        )


def year_series(series: pd.Series, argument: str) -> pd.Series:
    """A user-given series as float64 indexed by integer ``year``, sorted, named ``benchmark``."""
    out = pd.Series(series.to_numpy(), index=_series_index(series, argument), name="benchmark")
    try:
        out = out.astype("float64").sort_index()
    except (TypeError, ValueError) as exc:
        raise ArgumentTypeError(
            f"{argument}: a series must be numeric; got dtype {series.dtype}"
        ) from exc
    out.index.name = "year"
    return out


def benchmark_series(levels: pd.DataFrame, benchmark: Any) -> tuple[pd.Series, str]:
    """The benchmark over the panel's years and its kind (``sum``, ``mean``, ``series``).

    ``sum``/``mean`` over cities are NaN in a year where any city lacks a value (those
    years are outside the windows: inside them gaps are errors).
    """
    if isinstance(benchmark, pd.Series):
        return year_series(benchmark, "benchmark"), "series"
    if isinstance(benchmark, str) and benchmark in BENCHMARKS:
        agg = levels.sum(axis=1, skipna=False) if benchmark == "sum" else levels.mean(
            axis=1, skipna=False
        )
        series = agg.rename("benchmark")
        series.index.name = "year"
        return series, benchmark
    raise ArgumentError(
        f"benchmark={benchmark!r} is not accepted; use {format_choices(BENCHMARKS)} or a "
        "pandas Series of the benchmark indexed by year (e.g. the national series)"
    )


def check_benchmark(series: pd.Series, years: Sequence[int], what: str, argument: str) -> None:
    """The benchmark has a finite positive value in every window year."""
    missing = [y for y in years if y not in series.index]
    if missing:
        raise ArgumentError(
            f"{argument} has no value for year(s) {missing} inside {what}; it covers "
            f"{series.index.min()}–{series.index.max()}"
        )
    x = series.loc[list(years)].to_numpy(dtype="float64")
    bad = ~np.isfinite(x) | (x <= 0)
    if bad.any():
        shown = ", ".join(f"{y}: {v}" for y, v in zip(np.asarray(years)[bad], x[bad], strict=True))
        raise ArgumentError(
            f"{argument} must be a positive number in every year inside {what}; got {shown}"
        )


def missing_for_benchmark(levels: pd.DataFrame, series: pd.Series) -> str:
    """Explain NaN benchmark years by the city-years that lack values."""
    pairs = [
        f"city {c} year {y}"
        for y in series.index[series.isna()]
        if y in levels.index
        for c in levels.columns[levels.loc[y].isna().to_numpy()]
    ]
    return _listed(pairs) if pairs else f"years {list(series.index[series.isna()])}"
