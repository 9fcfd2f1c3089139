"""detect_shock: peak → trough → recovery episodes, rules, min_drop, bad series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cityres import ArgumentError, ArgumentTypeError
from cityres.resilience import NoShockError, ShockWindow, detect_shock


def s(values: list[float], start: int = 2000) -> pd.Series:
    return pd.Series(values, index=range(start, start + len(values)), dtype="float64")


def test_simple_episode() -> None:
    w = detect_shock(s([100, 105, 98, 95, 101, 106, 110]))
    assert w == ShockWindow(peak=2001, trough=2003, recovered_year=2005, end=2006,
                            drop=pytest.approx(1 - 95 / 105))  # type: ignore[arg-type]


def test_deepest_and_first_rules() -> None:
    series = s([100, 97, 101, 102, 90, 95, 103, 104])  # −3 % in 2001, −11.8 % in 2004
    deep = detect_shock(series)
    first = detect_shock(series, rule="first")
    assert (deep.peak, deep.trough, deep.recovered_year) == (2003, 2004, 2006)
    assert (first.peak, first.trough, first.recovered_year) == (2000, 2001, 2002)
    assert detect_shock(series, rule="first", min_drop=0.05).peak == 2003


def test_a_rebound_below_the_peak_stays_in_the_episode() -> None:
    w = detect_shock(s([100, 80, 90, 85, 70, 99, 100.0]))
    assert (w.peak, w.trough, w.recovered_year) == (2000, 2004, 2006)


def test_ties_take_the_latest_peak_and_the_first_trough() -> None:
    w = detect_shock(s([100, 100, 90, 90, 95, 100]))
    assert (w.peak, w.trough, w.recovered_year) == (2001, 2002, 2005)


def test_not_regained() -> None:
    w = detect_shock(s([100, 110, 100, 105]))
    assert (w.peak, w.trough, w.recovered_year, w.end) == (2001, 2002, None, 2003)
    assert "not regained" in str(w)


def test_unsorted_and_gapped_years() -> None:
    series = pd.Series([100.0, 90.0, 105.0, 110.0], index=[2010, 2012, 2015, 2008])
    w = detect_shock(series)
    assert (w.peak, w.trough, w.recovered_year) == (2008, 2012, None)  # sorted by year


def test_no_decline_is_an_error() -> None:
    with pytest.raises(NoShockError, match=r"'gdp' \(2000–2004\) has no fall of more than 0 %"):
        detect_shock(s([1, 2, 2, 3, 4]).rename("gdp"))
    with pytest.raises(NoShockError, match="more than 5 %"):
        detect_shock(s([100, 98, 101]), min_drop=0.05)
    with pytest.raises(NoShockError, match="at least two"):
        detect_shock(s([100]))


@pytest.mark.parametrize(
    ("series", "kw", "error", "pattern"),
    [
        (s([1, np.nan, 2]), {}, ArgumentError, r"missing or not finite in year\(s\) \[2001\]"),
        (s([1, -1, 2]), {}, ArgumentError, "must be positive .*2001: -1"),
        (pd.Series([1.0, 2.0], index=["a", "b"]), {}, ArgumentError, "integer years"),
        (pd.Series([1.0, 2.0], index=[2000, 2000]), {}, ArgumentError,
         r"duplicated years \[2000\]"),
        (s([2, 1]), {"rule": "trough"}, ArgumentError, "'peak-trough' or 'first'"),
        (s([2, 1]), {"min_drop": 1.5}, ArgumentError, r"\[0, 1\)"),
        (s([2, 1]), {"min_drop": "x"}, ArgumentTypeError, "number"),
        ([2.0, 1.0], {}, ArgumentTypeError, "pandas Series"),
    ],
)
def test_bad_series(series: object, kw: dict[str, object], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        detect_shock(series, **kw)  # type: ignore[arg-type]


values = arrays(np.float64, st.integers(2, 30),
                elements=st.floats(1.0, 1000.0, allow_nan=False, allow_subnormal=False))


@settings(max_examples=200, deadline=None)
@given(values)
def test_properties_of_the_deepest_episode(x: np.ndarray) -> None:
    running = np.maximum.accumulate(x)
    drawdown = 1 - x / running
    assume(drawdown.max() > 0)
    series = pd.Series(x, index=range(1990, 1990 + len(x)))
    w = detect_shock(series)
    p, q = w.peak - 1990, w.trough - 1990
    assert w.drop == pytest.approx(drawdown.max(), abs=1e-15)  # the maximum drawdown
    assert x[p] == running[p] and x[p + 1] < x[p]              # peak at the running max
    assert x[q] == x[p:q + 1].min() < x[p]                      # trough: lowest since peak
    stop = len(x) if w.recovered_year is None else w.recovered_year - 1990
    assert (x[p + 1:stop] < x[p]).all()                          # below the peak throughout
    assert x[q] == x[p + 1:stop].min()
    if w.recovered_year is not None:
        assert x[stop] >= x[p]
    assert w.end == 1990 + len(x) - 1
