"""Shock windows: the contraction and recovery years, given or detected from a series.

A shock is dated on the benchmark series ``B_t`` (national or aggregate employment,
output, income). :func:`detect_shock` finds peak → trough → recovery episodes;
:func:`resolve_windows` turns what the user passed (``contraction=(2019, 2020)``,
``recovery=None`` or ``contraction="detect"``) into the :class:`Windows` that the
measures use and report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices

__all__ = ["NoShockError", "ShockWindow", "Windows", "detect_shock", "resolve_windows"]

ShockRule = Literal["peak-trough", "first"]
RULES: tuple[str, ...] = ("peak-trough", "first")


class NoShockError(ArgumentError):
    """The series has no decline (deeper than ``min_drop``) to call a shock."""


@dataclass(frozen=True)
class ShockWindow:
    """One peak → trough → recovery episode of a series.

    Attributes
    ----------
    peak : int
        Last year at the series' running maximum before the decline (the pre-shock year).
    trough : int
        Year of the lowest value before the series regains its peak level.
    recovered_year : int or None
        First year after the trough in which the series is back at or above its peak
        level; None when it never is within the series.
    end : int
        Last year of the series: the end of the default recovery phase.
    drop : float
        Relative depth ``1 - B_trough / B_peak`` (0.05 = a 5 % fall).
    """

    peak: int
    trough: int
    recovered_year: int | None
    end: int
    drop: float

    def __str__(self) -> str:
        back = "not regained" if self.recovered_year is None else f"regained {self.recovered_year}"
        return (
            f"peak {self.peak} → trough {self.trough} (−{100 * self.drop:.2f} %), {back}, "
            f"series ends {self.end}"
        )


@dataclass(frozen=True)
class Windows:
    """The years the measures were computed over.

    Attributes
    ----------
    contraction : tuple of int
        ``(t0, t1)``: pre-shock (peak) year and trough year.
    recovery : tuple of int or None
        ``(r0, r1)``: start (normally ``t1``) and end of the recovery phase; None when the
        data end at the trough.
    detected : ShockWindow or None
        The episode found by :func:`detect_shock` when ``contraction="detect"``.
    """

    contraction: tuple[int, int]
    recovery: tuple[int, int] | None
    detected: ShockWindow | None = None

    @property
    def end(self) -> int:
        """Last year examined: the end of the recovery phase, else of the contraction."""
        return self.recovery[1] if self.recovery is not None else self.contraction[1]

    @property
    def years(self) -> list[int]:
        """Every year from the start of the contraction to :attr:`end`."""
        return list(range(self.contraction[0], self.end + 1))

    def __str__(self) -> str:
        c = f"{self.contraction[0]}–{self.contraction[1]}"
        r = "—" if self.recovery is None else f"{self.recovery[0]}–{self.recovery[1]}"
        return f"{c} / {r}"


def _series_index(series: pd.Series, argument: str) -> pd.Index:
    """The series' index as unique integer years (int64), in the series' order."""
    if not isinstance(series, pd.Series):
        raise ArgumentTypeError(
            f"{argument} must be a pandas Series indexed by year; got {type(series).__name__}"
        )
    try:
        years = np.asarray(series.index, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ArgumentError(
            f"{argument}: the index must hold integer years; got {list(series.index[:5])}"
        ) from exc
    if np.isnan(years).any() or not np.all(np.mod(years, 1) == 0):
        raise ArgumentError(
            f"{argument}: the index must hold integer years; got {list(series.index[:5])}"
        )
    index = pd.Index(years.astype("int64"), name="year")
    if index.has_duplicates:
        dup = sorted({int(y) for y in index[index.duplicated()]})
        raise ArgumentError(f"{argument}: duplicated years {dup}; each year may appear once")
    return index


def _series_values(series: pd.Series, argument: str) -> tuple[np.ndarray, np.ndarray]:
    """Years (int64, increasing) and values (float64, finite, positive)."""
    index = _series_index(series, argument)
    order = np.argsort(index.to_numpy(), kind="stable")
    years = index.to_numpy()[order]
    try:
        values = series.to_numpy(dtype="float64", na_value=np.nan)[order]
    except (TypeError, ValueError) as exc:
        raise ArgumentTypeError(f"{argument} must be numeric; got dtype {series.dtype}") from exc
    bad = ~np.isfinite(values)
    if bad.any():
        raise ArgumentError(
            f"{argument} is missing or not finite in year(s) {years[bad].tolist()}; "
            "every year of the series needs a value (select the years to use first)"
        )
    nonpos = values <= 0
    if nonpos.any():
        shown = ", ".join(f"{y}: {v:g}" for y, v in zip(years[nonpos], values[nonpos], strict=True))
        raise ArgumentError(f"{argument} must be positive to measure relative falls; got {shown}")
    return years, values


def _episodes(years: np.ndarray, values: np.ndarray) -> list[ShockWindow]:
    """Every drawdown episode: running peak → lowest point → back at the peak level."""
    out: list[ShockWindow] = []
    end = int(years[-1])
    k, n = 0, len(values)
    peak = 0
    while k < n:
        if values[k] >= values[peak]:
            peak = k  # ties move the peak to the latest year at that level
            k += 1
            continue
        j = k
        while j < n and values[j] < values[peak]:
            j += 1
        segment = values[k:j]
        trough = k + int(np.argmin(segment))  # first year of the minimum
        out.append(
            ShockWindow(
                peak=int(years[peak]),
                trough=int(years[trough]),
                recovered_year=int(years[j]) if j < n else None,
                end=end,
                drop=float(1.0 - values[trough] / values[peak]),
            )
        )
        peak = j if j < n else peak
        k = j
    return out


def detect_shock(
    series: pd.Series, *, rule: ShockRule = "peak-trough", min_drop: float = 0.0
) -> ShockWindow:
    """Date a shock on a series: peak → trough → recovery to the previous peak.

    Parameters
    ----------
    series : pandas.Series
        Positive values indexed by integer year (e.g. the sum of employment over cities).
        Years need not be consecutive; peaks and troughs are years present in the index.
    rule : {"peak-trough", "first"}
        ``"peak-trough"``: the deepest episode; ``"first"``: the earliest episode whose
        drop exceeds ``min_drop``.
    min_drop : float
        Only episodes with relative drop ``1 - B_trough / B_peak`` strictly greater than
        this count (0.0: any fall; 0.02: falls of more than 2 %).

    Returns
    -------
    ShockWindow
        ``peak``, ``trough``, ``recovered_year`` (None when the series never regains the
        peak level), ``end`` (last year of the series) and ``drop``.

    Raises
    ------
    NoShockError
        The series never falls (by more than ``min_drop``).
    ArgumentError, ArgumentTypeError
        Non-integer or duplicated years, missing, non-finite or non-positive values, an
        unknown ``rule`` or ``min_drop`` outside [0, 1).

    Notes
    -----
    An episode starts at a year ``p`` at the running maximum, ``B_p >= B_s`` for all
    ``s <= p``, followed by ``B_{p+1} < B_p``; it lasts while ``B_t < B_p``. Its trough
    ``q`` is the year of the lowest value in the episode (the first such year on ties),
    its recovery year the first year with ``B_t >= B_p`` again. A smaller downturn that
    starts and ends below ``B_p`` (1937–38 inside the 1929–41 episode of US income) is
    part of the enclosing episode, not an episode of its own.

    Examples
    --------
    >>> import cityres
    >>> from cityres.resilience import detect_shock
    >>> panel = cityres.datasets.load("yrd_sim")                    # SIMULATED data
    >>> total = panel.data["emp_total"].groupby(level="year").sum()
    >>> w = detect_shock(total)
    >>> (w.peak, w.trough)
    (2019, 2020)
    """
    if rule not in RULES:
        raise ArgumentError(f"rule={rule!r} is not accepted; use {format_choices(RULES)}")
    if isinstance(min_drop, bool) or not isinstance(min_drop, int | float):
        raise ArgumentTypeError(f"min_drop must be a number in [0, 1); got {min_drop!r}")
    if not 0.0 <= float(min_drop) < 1.0:
        raise ArgumentError(f"min_drop must be in [0, 1) (a relative fall); got {min_drop!r}")
    return _detect(series, rule, float(min_drop), "series")


def _detect(series: pd.Series, rule: str, min_drop: float, argument: str) -> ShockWindow:
    years, values = _series_values(series, argument)
    if len(years) < 2:
        raise NoShockError(f"{argument} has {len(years)} year(s); a shock needs at least two")
    found = [e for e in _episodes(years, values) if e.drop > min_drop]
    if not found:
        name = f" {series.name!r}" if series.name is not None else ""
        raise NoShockError(
            f"{argument}{name} ({years[0]}–{years[-1]}) has no fall of more than "
            f"{100 * min_drop:g} % from a previous peak; pass the contraction years "
            "explicitly, or lower min_drop"
        )
    if rule == "first":
        return found[0]
    return max(found, key=lambda e: e.drop)  # max keeps the earliest of equal drops


def _pair(value: object, argument: str) -> tuple[int, int]:
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise ArgumentTypeError(
            f"{argument} must be a pair of years (start, end), e.g. (2019, 2020); got {value!r}"
        )
    items = list(value)
    ok = len(items) == 2 and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_) for v in items
    )
    if not ok:
        raise ArgumentTypeError(
            f"{argument} must be a pair of integer years (start, end); got {value!r}"
        )
    start, end = int(items[0]), int(items[1])
    if start >= end:
        raise ArgumentError(f"{argument}=({start}, {end}): the start must precede the end")
    return start, end


def resolve_windows(
    contraction: object,
    recovery: object,
    benchmark: pd.Series,
    data_years: Sequence[int],
) -> Windows:
    """Validate the windows against the data, detecting the shock when asked.

    ``recovery=None`` means from the end of the contraction to the last year of the data
    (no recovery phase when the data end at the trough). Every year from the start of the
    contraction to the end of the recovery must be a year of the data.
    """
    years = sorted(int(y) for y in data_years)
    if not years:
        raise ArgumentError("the data have no years")
    detected: ShockWindow | None = None
    if isinstance(contraction, str):
        if contraction != "detect":
            raise ArgumentError(
                f"contraction={contraction!r} is not accepted; give (start, end) years or "
                "'detect'"
            )
        detected = _detect(benchmark.loc[years[0] : years[-1]], "peak-trough", 0.0, "benchmark")
        c = (detected.peak, detected.trough)
    else:
        c = _pair(contraction, "contraction")
    if recovery is None:
        r = (c[1], years[-1]) if c[1] < years[-1] else None
    else:
        r = _pair(recovery, "recovery")
        if r[0] < c[1]:
            raise ArgumentError(
                f"recovery={r} starts before the end of contraction={c}; the recovery phase "
                "starts at the trough or later"
            )
    windows = Windows(contraction=c, recovery=r, detected=detected)
    present = set(years)
    for name, w in (("contraction", c), ("recovery", r)):
        if w is None:
            continue
        outside = [y for y in w if not years[0] <= y <= years[-1]]
        if outside:
            raise ArgumentError(
                f"{name}={w}: year(s) {outside} outside the data, which cover "
                f"{years[0]}–{years[-1]}"
            )
    gaps = [y for y in windows.years if y not in present]
    if gaps:
        raise ArgumentError(
            f"years {gaps} inside the windows (contraction {c[0]}–{c[1]}"
            f"{'' if r is None else f', recovery {r[0]}–{r[1]}'}) are missing from the data; "
            "every year of a window is needed"
        )
    return windows
