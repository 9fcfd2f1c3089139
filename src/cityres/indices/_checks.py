"""Input checks shared by the index modules: every message names indicator, city and year."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError, format_choices

Scope = Literal["pooled", "by_year"]
SCOPES: tuple[str, ...] = ("pooled", "by_year")
POOLED = "pooled"
_SHOW = 12


def check_choice(arg: str, value: object, choices: tuple[str, ...]) -> None:
    """Raise ArgumentError naming ``arg`` when ``value`` is not one of ``choices``."""
    if value not in choices:
        raise ArgumentError(f"{arg}={value!r} is not accepted; use {format_choices(choices)}")


def check_frame(data: pd.DataFrame) -> None:
    """The frame must be indexed by (city, year)."""
    if list(data.index.names) != ["city", "year"]:
        raise ArgumentError(
            "index data must be a CityPanel or a DataFrame indexed by (city, year); got index "
            f"levels {list(data.index.names)}"
        )


def py(value: object) -> object:
    """A numpy scalar as the Python number it holds (for readable messages)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def columns_where(frame: pd.DataFrame, mask: object) -> list[str]:
    """Names of the columns of ``frame`` where the boolean vector ``mask`` is True."""
    flags = np.asarray(mask, dtype=bool).ravel()
    return [str(c) for c, m in zip(frame.columns, flags, strict=True) if m]


def cells(data: pd.DataFrame, mask: pd.DataFrame) -> list[str]:
    """'indicator: city C, year Y' for every True cell of ``mask`` (column by column)."""
    out: list[str] = []
    for col in mask.columns:
        hit = mask.index[mask[col].to_numpy(dtype=bool)]
        for city, year in hit:
            value = py(data.at[(city, year), col])
            out.append(f"{col}: city {city}, year {py(year)} (value {value!r})")
    return out


def _listing(items: list[str]) -> str:
    shown = "\n".join(f"  - {s}" for s in items[:_SHOW])
    more = f"\n  ... and {len(items) - _SHOW} more" if len(items) > _SHOW else ""
    return shown + more


def check_complete(data: pd.DataFrame, system_name: str) -> None:
    """Raise PanelError listing every missing or infinite cell, with the ways out."""
    values = data.to_numpy(dtype=float)
    nan = pd.DataFrame(np.isnan(values), index=data.index, columns=data.columns)
    inf = pd.DataFrame(np.isinf(values), index=data.index, columns=data.columns)
    if nan.to_numpy().any():
        where = cells(data, nan)
        per = nan.sum()
        counts = ", ".join(f"{c} {int(n)}" for c, n in per[per > 0].items())
        raise PanelError(
            f"index {system_name!r}: {len(where)} missing value(s) ({counts}); an index never "
            f"gives NaN scores:\n{_listing(where)}\nFill them (panel.interpolate(), which logs "
            "each filled cell), drop the indicator (system.drop([...])), or select years "
            "without gaps (panel.select(years=...))"
        )
    if inf.to_numpy().any():
        where = cells(data, inf)
        raise PanelError(
            f"index {system_name!r}: {len(where)} infinite value(s):\n{_listing(where)}\n"
            "Check the division that made the column (a zero denominator?)"
        )


def check_nonnegative(data: pd.DataFrame, why: str, options: str) -> None:
    """Raise PanelError listing every negative cell; ``why`` says what needs x >= 0."""
    neg = data < 0
    if neg.to_numpy().any():
        where = cells(data, neg)
        raise PanelError(
            f"{why} needs non-negative values; {len(where)} negative value(s):\n"
            f"{_listing(where)}\n{options}"
        )


def group_keys(index: pd.Index, scope: str) -> np.ndarray:
    """The scope group of each row: 'pooled' for every row, or the row's year."""
    if scope == POOLED:
        return np.full(len(index), POOLED, dtype=object)
    return index.get_level_values("year").to_numpy()


def rows_for(params: pd.DataFrame, keys: np.ndarray) -> tuple[np.ndarray, list[object]]:
    """Rows of ``params`` for each key (as a float array) and the keys ``params`` lacks."""
    pos = params.index.get_indexer(pd.Index(keys))
    if (pos < 0).any():
        return np.empty((0, params.shape[1])), sorted({py(k) for k in keys[pos < 0]}, key=str)
    return params.to_numpy(dtype=float)[pos], []


def describe_group(key: object) -> str:
    """'' for the pooled group, ', year Y' for a year."""
    return "" if key == POOLED else f", year {py(key)}"
