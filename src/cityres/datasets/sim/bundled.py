"""Readers of the bundled yrd_sim files (SIMULATED; made by ``tools/build_yrd_sim.py``).

``yrd_sim.csv`` equals ``simulate(seed=BUNDLED_SEED)`` to the ten significant digits the
file keeps (a test checks it), so the file and the generator cannot drift apart.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pandas as pd

from cityres.datasets._registry import data_file

BUNDLED_SEED = 20240501
FILES = {
    "data": "yrd_sim.csv",
    "truth": "yrd_sim.truth.json",
    "codebook": "yrd_sim.codebook.csv",
    "cities": "yrd_sim.cities.csv",
}
INT_PREFIXES = ("pilot_", "cohort_")
INT_COLUMNS = ("year", "taobao_villages")


@cache
def _frame() -> pd.DataFrame:
    frame = pd.read_csv(data_file(FILES["data"]), comment="#", dtype={"city": str})
    for col in frame.columns:
        if col.startswith(INT_PREFIXES) or col in INT_COLUMNS:
            frame[col] = frame[col].astype("int64")
    return frame


def yrd_sim_frame() -> pd.DataFrame:
    """The SIMULATED yrd_sim panel as a long DataFrame (city, year, variables).

    Returns
    -------
    pandas.DataFrame
        533 rows (41 cities × 2011–2023) sorted by city and year; ``city`` holds the
        6-digit codes as strings. See ``docs/data/yrd_sim.md`` for the model.

    Examples
    --------
    >>> from cityres.datasets.sim.bundled import yrd_sim_frame
    >>> yrd_sim_frame().shape[0]
    533
    """
    return _frame().copy()


@cache
def _truth() -> str:
    return data_file(FILES["truth"]).read_text(encoding="utf-8")


def yrd_sim_truth() -> dict[str, Any]:
    """The true parameters of the bundled yrd_sim panel (a fresh dict on each call)."""
    out: dict[str, Any] = json.loads(_truth())
    return out


@cache
def _codebook() -> pd.DataFrame:
    book = pd.read_csv(data_file(FILES["codebook"]), index_col="name",
                       keep_default_na=False, na_values={"direction": [""]})
    book["direction"] = book["direction"].astype("Int64")
    return book


def yrd_sim_codebook() -> pd.DataFrame:
    """The codebook of yrd_sim, indexed by column name (descriptions start SIMULATED)."""
    return _codebook().copy()


@cache
def _cities() -> pd.DataFrame:
    return pd.read_csv(data_file(FILES["cities"]), index_col="code",
                       dtype={"code": str, "size_tier": str, "dev_tier": str, "open_tier": str})


def yrd_sim_cities() -> pd.DataFrame:
    """The city table of yrd_sim (register facts plus the simulated classes)."""
    return _cities().copy()
