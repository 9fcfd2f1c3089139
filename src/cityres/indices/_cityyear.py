"""Checks shared by :mod:`~cityres.indices.coupling` and :mod:`~cityres.indices.obstacle`.

Both take plain pandas objects indexed by (``city``, ``year``) holding values that must
lie in [0, 1]; these helpers validate that index and those values and phrase the errors
with the city, year and column of every offending cell.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError

#: Values this far outside [0, 1] are floating-point noise and are clipped silently.
UNIT_TOL = 1e-9

#: At most this many offending cells are listed in one message.
SHOWN = 10


def city_year_index(obj: pd.DataFrame | pd.Series, argument: str) -> pd.MultiIndex:
    """Validate and return ``obj``'s index as a (``city``, ``year``) MultiIndex.

    An unnamed two-level index is taken to be (city, year); a (year, city) index is
    reordered. Duplicated city-years are an error.
    """
    index = obj.index
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        raise ArgumentError(
            f"{argument}: the index must be a two-level (city, year) MultiIndex; got "
            f"{type(index).__name__} with {index.nlevels} level(s)"
        )
    names = list(index.names)
    if names == [None, None]:
        index = index.set_names(["city", "year"])
    elif names == ["year", "city"]:
        index = index.reorder_levels([1, 0])
    elif names != ["city", "year"]:
        raise ArgumentError(
            f"{argument}: index levels are {names}; accepted: ['city', 'year'] "
            "(or unnamed, taken in that order)"
        )
    duplicated = index[index.duplicated()]
    if len(duplicated):
        raise ArgumentError(
            f"{argument}: {len(duplicated)} duplicated city-year(s): "
            f"{describe_pairs(duplicated)}; each (city, year) may appear once"
        )
    assert isinstance(index, pd.MultiIndex)  # internal: set_names/reorder keep the type
    return index


def describe_pairs(pairs: Iterable[tuple[object, object]], shown: int = SHOWN) -> str:
    """``'city 310000 year 2015, city 320100 year 2016 ... and 3 more'``."""
    items = list(pairs)
    text = ", ".join(f"city {c} year {y}" for c, y in items[:shown])
    if len(items) > shown:
        text += f" ... and {len(items) - shown} more"
    return text


def unit_values(frame: pd.DataFrame, argument: str, what: str, hint: str = "") -> np.ndarray:
    """Return ``frame``'s values as float64, checking each is a number in [0, 1].

    ``what`` names a column in messages ("system", "indicator"); ``hint`` is appended to
    the message. Values within
    :data:`UNIT_TOL` of the interval are clipped into it (floating-point noise).
    """
    try:
        values = frame.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ArgumentTypeError(
            f"{argument}: every column must be numeric; columns and dtypes: "
            f"{dict(frame.dtypes.astype(str))}"
        ) from exc
    bad_nan = np.isnan(values)
    bad_range = ~bad_nan & ((values < -UNIT_TOL) | (values > 1 + UNIT_TOL))
    for mask, problem in ((bad_nan, "missing (NaN)"), (bad_range, "outside [0, 1]")):
        if mask.any():
            rows, cols = np.nonzero(mask)
            cells = [
                f"{what} {frame.columns[j]!r} city {frame.index[i][0]} year {frame.index[i][1]}"
                + ("" if problem.startswith("missing") else f" = {values[i, j]:.6g}")
                for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
            ]
            more = f" ... and {len(cells) - SHOWN} more" if len(cells) > SHOWN else ""
            raise ArgumentError(
                f"{argument}: {len(cells)} value(s) {problem}: {'; '.join(cells[:SHOWN])}{more}. "
                "Accepted: numbers in [0, 1] (normalised scores); drop or fill missing "
                "city-years before this step" + (f"; {hint}" if hint else "")
            )
    return np.clip(values, 0.0, 1.0)
