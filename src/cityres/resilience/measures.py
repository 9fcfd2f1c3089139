"""Array-level Martin measures on a year × city frame of levels (no input parsing).

:func:`cityres.resilience.martin` validates its inputs and calls :func:`compute`; programs
that already hold clean wide frames can call :func:`compute` directly. Formulas are in the
docstring of :func:`cityres.resilience.martin`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cityres._shared.errors import PanelError
from cityres.resilience.shocks import Windows

#: A benchmark (or expected) change with absolute value at or below this growth rate is
#: treated as zero: the measures would divide by it.
ZERO_CHANGE = 1e-12

#: At most this many cities are listed in one message.
SHOWN = 10


@dataclass(frozen=True)
class Phase:
    """Growth of each city, its expected growth and the benchmark's over ``start → end``.

    ``change`` is ``E_r(end) / E_r(start) − 1``; ``expected`` is the expected change over
    ``E_r(start)`` (the benchmark's growth, or ``Σ_i E_ir(start) g_Ni / E_r(start)`` with
    sectors); ``benchmark`` is ``B(end) / B(start) − 1``; ``sector_growth`` is ``g_Ni``.
    """

    start: int
    end: int
    change: pd.Series
    expected: pd.Series
    benchmark: float
    sector_growth: pd.Series | None

    def index(self, name: str) -> pd.Series:
        """``(change − expected) / |expected|`` (resistance or recovery)."""
        zero = self.expected.abs() <= ZERO_CHANGE
        if zero.any():
            cities = [str(c) for c in self.expected.index[zero]]
            shown = ", ".join(cities[:SHOWN]) + (" ..." if len(cities) > SHOWN else "")
            src = "the shift-share expectation" if self.sector_growth is not None else (
                f"the benchmark (change {self.benchmark:.3g})")
            raise PanelError(
                f"{name} over {self.start}–{self.end} divides by the expected change, which "
                f"is zero for {len(cities)} city(ies): {shown} ({src}); choose other years "
                "or another benchmark"
            )
        return ((self.change - self.expected) / self.expected.abs()).rename(name)


def row(frame: pd.DataFrame, year: int) -> np.ndarray:
    """The values of one year (row) of a year-indexed frame, as float64."""
    out: np.ndarray = frame.loc[[year]].to_numpy(dtype="float64")[0]
    return out


def at(series: pd.Series, key: int | str) -> float:
    """One value of a series as a float."""
    return float(series.loc[[key]].to_numpy(dtype="float64")[0])


def phase(
    levels: pd.DataFrame,
    benchmark: pd.Series,
    start: int,
    end: int,
    sectors: Mapping[str, pd.DataFrame] | None = None,
    sector_benchmark: pd.DataFrame | None = None,
) -> Phase:
    """Changes over ``start → end``.

    ``levels`` is year × city; ``sectors`` maps each sector to its year × city levels;
    ``sector_benchmark`` (year × sector) replaces the sum over cities of each sector.
    """
    e0, e1 = row(levels, start), row(levels, end)
    change = pd.Series(e1 / e0 - 1.0, index=levels.columns, name="change")
    g_b = at(benchmark, end) / at(benchmark, start) - 1.0
    if not sectors:
        expected = pd.Series(g_b, index=levels.columns, name="expected")
        return Phase(start, end, change, expected, g_b, None)
    growth: dict[str, float] = {}
    expected_change = np.zeros(levels.shape[1])
    for name, sec in sectors.items():
        s0 = row(sec, start)
        if sector_benchmark is not None:
            n0, n1 = at(sector_benchmark[name], start), at(sector_benchmark[name], end)
        else:
            n0, n1 = float(s0.sum()), float(row(sec, end).sum())
        if n0 == 0.0:
            if (s0 != 0).any():
                raise PanelError(
                    f"sector {name!r}: its benchmark is zero in {start} but some cities have a "
                    "positive value there; the sector's benchmark growth is undefined"
                )
            growth[name] = 0.0  # no city has the sector: it contributes nothing
            continue
        growth[name] = n1 / n0 - 1.0
        expected_change = expected_change + s0 * growth[name]
    expected = pd.Series(expected_change / e0, index=levels.columns, name="expected")
    return Phase(start, end, change, expected, g_b, pd.Series(growth, name="growth"))


def years_to_recover(levels: pd.DataFrame, windows: Windows) -> pd.Series:
    """Years from the trough ``t1`` to the first year ``t`` in ``[t1, end]`` with
    ``E_r(t) >= E_r(t0)``; NaN when the level is not regained by ``end``."""
    t0, t1 = windows.contraction
    block = levels.loc[t1 : windows.end]
    back = block.to_numpy(dtype="float64") >= row(levels, t0)[None, :]
    first = np.where(back.any(axis=0), back.argmax(axis=0).astype("float64"), np.nan)
    years = block.index.to_numpy(dtype="float64")
    out = np.where(np.isnan(first), np.nan, years[np.nan_to_num(first).astype(int)] - t1)
    return pd.Series(out, index=levels.columns, name="years_to_recover")


@dataclass(frozen=True)
class Measures:
    """Everything :func:`compute` derives: per-city table, components, benchmark changes."""

    table: pd.DataFrame
    components: pd.DataFrame
    benchmark_changes: dict[str, float]
    sector_growth: pd.DataFrame | None


def compute(
    levels: pd.DataFrame,
    benchmark: pd.Series,
    windows: Windows,
    sectors: Mapping[str, pd.DataFrame] | None = None,
    sector_benchmark: pd.DataFrame | None = None,
) -> Measures:
    """Resistance, recovery, sensitivity, years to recover and permanent loss per city.

    Inputs are assumed clean over ``windows.years`` (finite, positive, every city present).
    """
    t0, t1 = windows.contraction
    con = phase(levels, benchmark, t0, t1, sectors, sector_benchmark)
    if abs(con.benchmark) <= ZERO_CHANGE:
        raise PanelError(
            f"the benchmark does not change over the contraction {t0}–{t1} "
            f"({at(benchmark, t0):.10g} in both years up to {ZERO_CHANGE:g}); resistance and "
            "sensitivity divide by its "
            "change: choose other years or another benchmark"
        )
    phases = {"contraction": con}
    if windows.recovery is not None:
        r0, r1 = windows.recovery
        rec = phase(levels, benchmark, r0, r1, sectors, sector_benchmark)
        if not sectors and abs(rec.benchmark) <= ZERO_CHANGE:
            raise PanelError(
                f"the benchmark does not change over the recovery {r0}–{r1} "
                f"({at(benchmark, r0):.10g} in both years up to {ZERO_CHANGE:g}); recovery "
                "divides by its change: choose other years or another benchmark"
            )
        phases["recovery"] = rec
    phases["end"] = phase(levels, benchmark, t0, windows.end, sectors, sector_benchmark)

    cities = levels.columns
    table = pd.DataFrame(index=cities)
    table["resistance"] = con.index("resistance")
    nan = pd.Series(np.nan, index=cities)
    table["recovery"] = phases["recovery"].index("recovery") if "recovery" in phases else nan
    table["sensitivity"] = con.change / con.benchmark
    table["peak_year"] = np.int64(t0)
    table["trough_year"] = np.int64(t1)
    table["years_to_recover"] = years_to_recover(levels, windows)
    end = phases["end"]
    table["permanent_loss"] = end.change - end.expected
    table.index.name = "city"

    comp = pd.DataFrame(index=cities)
    for key, ph in phases.items():
        comp[f"change_{key}"] = ph.change
        comp[f"expected_{key}"] = ph.expected
    comp.index.name = "city"
    growth = None
    if sectors:
        growth = pd.DataFrame({k: ph.sector_growth for k, ph in phases.items()})
        growth.index.name = "sector"
    return Measures(table, comp, {k: ph.benchmark for k, ph in phases.items()}, growth)
