"""Time reading a yearbook-style wide workbook: cityres.read_panel against plain pandas.

The peer is what users do by hand: ``pandas.read_excel(sheet_name=None)`` and a melt/merge
into a long panel — with no city matching and no per-cell checks. The gap is the price of
reporting every problem with its row and column.

Run: ``python benchmarks/bench_read.py [--cities 337] [--sheets 10] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

import cityres
from cityres.datasets.china import china_cities


def make_workbook(path: Path, n_cities: int, n_sheets: int, years: range, seed: int) -> None:
    """A wide workbook: one sheet per indicator, full Chinese city names, years as columns."""
    reg = china_cities()
    names = reg.loc[reg["status"] == "current", "name_zh"].tolist()[:n_cities]
    rng = np.random.default_rng(seed)
    book = openpyxl.Workbook(write_only=True)
    for k in range(n_sheets):
        ws = book.create_sheet(f"指标{k + 1}")
        ws.append(["城市", *[f"{y}年" for y in years]])
        for name in names:
            ws.append([name, *np.round(rng.lognormal(5, 1, len(years)), 2).tolist()])
    book.save(path)


def by_hand(path: Path) -> pd.DataFrame:
    """The peer: pandas reads every sheet; melt and merge on (city, year)."""
    sheets = pd.read_excel(path, sheet_name=None)
    long = None
    for name, frame in sheets.items():
        melted = frame.melt(id_vars="城市", var_name="year", value_name=name)
        melted["year"] = melted["year"].str[:4].astype(int)
        long = melted if long is None else long.merge(melted, on=["城市", "year"])
    assert long is not None
    return long


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cities", type=int, default=337)
    parser.add_argument("--sheets", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    years = range(2011, 2024)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "yearbook.xlsx"
        make_workbook(path, args.cities, args.sheets, years, seed=1)
        cells = args.cities * args.sheets * len(years)
        print(f"workbook: {args.cities} cities × {len(years)} years × {args.sheets} sheets "
              f"= {cells:,} cells, {path.stat().st_size / 1e6:.2f} MB")
        for label, fn in (("cityres.read_panel", lambda: cityres.read_panel(path, layout="wide")),
                          ("pandas by hand   ", lambda: by_hand(path))):
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            print(f"{label}: median {np.median(times):.3f} s  (min {min(times):.3f}, "
                  f"max {max(times):.3f}; {cells / np.median(times):,.0f} cells/s)")


if __name__ == "__main__":
    main()
