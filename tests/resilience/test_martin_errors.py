"""Bad input: every error names what was wrong (city, year, argument) and what is accepted."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cityres import ArgumentError, ArgumentTypeError, PanelError
from cityres.resilience import NoShockError, martin

YEARS = list(range(2000, 2006))
WINDOWS = {"contraction": (2001, 2003), "recovery": (2003, 2005)}


def data(n: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    index = pd.MultiIndex.from_product([[f"c{i}" for i in range(n)], YEARS],
                                       names=["city", "year"])
    s1 = rng.uniform(10, 20, len(index))
    s2 = rng.uniform(10, 20, len(index))
    return pd.DataFrame({"E": s1 + s2, "s1": s1, "s2": s2}, index=index)


def test_benchmark_with_zero_change_over_the_contraction() -> None:
    bench = pd.Series([5.0, 7.0, 6.0, 7.0, 8.0, 9.0], index=YEARS)
    with pytest.raises(PanelError, match=r"does not change over the contraction 2001–2003"):
        martin(data(), "E", **WINDOWS, benchmark=bench)


def test_benchmark_with_zero_change_over_the_recovery() -> None:
    bench = pd.Series([5.0, 7.0, 6.0, 6.0, 8.0, 6.0], index=YEARS)
    with pytest.raises(PanelError, match=r"does not change over the recovery 2003–2005"):
        martin(data(), "E", **WINDOWS, benchmark=bench)


def test_sum_benchmark_with_zero_change() -> None:
    d = data(2)
    d.loc[("c0", 2003), "E"] = d.loc[("c0", 2001), "E"]
    d.loc[("c1", 2003), "E"] = d.loc[("c1", 2001), "E"]
    with pytest.raises(PanelError, match="does not change over the contraction"):
        martin(d, "E", **WINDOWS)


def test_zero_shift_share_expectation_names_the_city() -> None:
    d = data(2)
    # sector growths +10 % and −10 % over 2001–2003; city c0 holds the sectors half and half
    for city, a, b in (("c0", 5.0, 5.0), ("c1", 4.0, 2.0)):
        d.loc[(city, 2001), ["s1", "s2"]] = [a, b]
        d.loc[(city, 2003), ["s1", "s2"]] = [1.1 * a, 0.9 * b]
    d["E"] = d["s1"] + d["s2"]
    with pytest.raises(PanelError, match=r"resistance over 2001–2003 .* zero for 1 city\(ies\): "
                                         r"c0 \(the shift-share expectation\)"):
        martin(d, "E", **WINDOWS, sectors=["s1", "s2"])


@pytest.mark.parametrize(
    ("kw", "pattern"),
    [
        ({"contraction": (1998, 2001)}, r"contraction=\(1998, 2001\): year\(s\) \[1998\] outside "
                                        r"the data, which cover 2000–2005"),
        ({"contraction": (2001, 2003), "recovery": (2003, 2008)},
         r"recovery=\(2003, 2008\): year\(s\) \[2008\] outside the data"),
        ({"contraction": (2003, 2001)}, "the start must precede the end"),
        ({"contraction": (2001, 2003), "recovery": (2002, 2004)}, "starts before the end"),
        ({"contraction": "peak"}, "'detect'"),
    ],
)
def test_windows_outside_the_data_or_malformed(kw: dict[str, object], pattern: str) -> None:
    with pytest.raises(ArgumentError, match=pattern):
        martin(data(), "E", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [2001, (2001,), (2001.0, 2003), (True, 2003), "2001-2003x"])
def test_windows_of_the_wrong_type(bad: object) -> None:
    with pytest.raises((ArgumentTypeError, ArgumentError)):
        martin(data(), "E", contraction=bad)  # type: ignore[arg-type]


def test_year_missing_from_the_data_inside_a_window() -> None:
    d = data().drop(index=2002, level="year")
    with pytest.raises(ArgumentError, match=r"years \[2002\] inside the windows .* missing"):
        martin(d, "E", **WINDOWS)


def test_city_without_a_row_inside_a_window() -> None:
    d = data().drop(index=("c1", 2004))
    with pytest.raises(PanelError, match=r"no row for 1 city-year\(s\).*city c1 year 2004"):
        martin(d, "E", **WINDOWS)


def test_nan_inside_a_window_names_city_and_year() -> None:
    d = data()
    d.loc[("c2", 2002), "E"] = np.nan
    with pytest.raises(PanelError, match=r"'E' is missing \(NaN\) .*city c2 year 2002"):
        martin(d, "E", **WINDOWS)


def test_nan_outside_the_windows_is_kept_not_dropped() -> None:
    d = data()
    d.loc[("c2", 2000), "E"] = np.nan
    res = martin(d, "E", **WINDOWS)
    assert len(res.table) == 3
    assert np.isnan(res.levels.loc[2000, "c2"]) and np.isnan(res.benchmark.loc[2000])
    assert np.isnan(res.indexed().loc[2000, "c2"])
    with pytest.raises(PanelError, match=r"city c2 year 2000"):
        martin(d, "E", contraction="detect")


def test_non_positive_outcome() -> None:
    d = data()
    d.loc[("c0", 2003), "E"] = 0.0
    with pytest.raises(PanelError, match=r"not positive .*city c0 year 2003 \(0\)"):
        martin(d, "E", **WINDOWS)


def test_sectors_that_do_not_add_up_name_the_city_years() -> None:
    d = data()
    d.loc[("c1", 2000), "s1"] += 0.01  # outside the windows: still checked
    d.loc[("c2", 2004), "s2"] *= 1.001
    with pytest.raises(PanelError, match=r"2 city-year\(s\): city c1 year 2000 .*city c2 "
                                         r"year 2004"):
        martin(d, "E", **WINDOWS, sectors=["s1", "s2"])


def test_sectors_within_tolerance_pass() -> None:
    d = data()
    d["s1"] *= 1 + 1e-9
    martin(d, "E", **WINDOWS, sectors=["s1", "s2"])


def test_sector_nan_inside_a_window() -> None:
    d = data()
    d.loc[("c0", 2001), "s2"] = np.nan
    with pytest.raises(PanelError, match=r"'s2' is missing \(NaN\) .*city c0 year 2001"):
        martin(d, "E", **WINDOWS, sectors=["s1", "s2"])


def test_unknown_columns_and_benchmarks() -> None:
    with pytest.raises(ArgumentError, match=r"outcome: 'X' is not a column .*columns: E, s1, s2"):
        martin(data(), "X", **WINDOWS)
    with pytest.raises(ArgumentError, match=r"sectors: 'z' is not a column"):
        martin(data(), "E", **WINDOWS, sectors=["s1", "z"])
    with pytest.raises(ArgumentTypeError, match="list of column names"):
        martin(data(), "E", **WINDOWS, sectors="s1")
    with pytest.raises(ArgumentError, match=re.escape("benchmark='median' is not accepted; "
                                                      "use 'sum' or 'mean'")):
        martin(data(), "E", **WINDOWS, benchmark="median")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="sector_benchmark needs sectors"):
        martin(data(), "E", **WINDOWS, sector_benchmark=pd.DataFrame())


def test_given_benchmark_must_cover_the_windows() -> None:
    short = pd.Series([1.0, 0.9, 0.95], index=[2001, 2002, 2003])
    with pytest.raises(ArgumentError, match=r"benchmark has no value for year\(s\) \[2004, 2005\]"):
        martin(data(), "E", **WINDOWS, benchmark=short)
    nan = pd.Series([1.0, 1.1, np.nan, 0.9, 1.0, 1.2], index=YEARS)
    with pytest.raises(ArgumentError, match=r"positive number in every year .*2002: nan"):
        martin(data(), "E", **WINDOWS, benchmark=nan)


def test_panel_of_the_wrong_shape() -> None:
    with pytest.raises(ArgumentTypeError, match="CityPanel or a DataFrame"):
        martin([1, 2], "E", **WINDOWS)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"\(city, year\) MultiIndex"):
        martin(data().reset_index(), "E", **WINDOWS)


def test_detect_on_a_benchmark_that_never_falls() -> None:
    d = data()
    d["E"] = np.tile(np.arange(1.0, 7.0), 3)
    with pytest.raises(NoShockError, match=r"no fall of more than 0 % from a previous peak"):
        martin(d, "E", contraction="detect")
    assert issubclass(NoShockError, ValueError)
