"""Bad input to ``threshold()``: clear errors that say what is wrong, nothing dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _threshold_cases import threshold_panel

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.econometrics.threshold import threshold

KW = {"entity": "id", "time": "t", "bootstrap": 0}


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return threshold_panel(2)


def fit(df: pd.DataFrame, **kw: object) -> object:
    args = {"regime": "x", "q": "q", "controls": ["z"], "trim": 0.1, **KW, **kw}
    return threshold(df, "y", **args)  # type: ignore[arg-type]


def test_unbalanced_panel_lists_the_gaps(df: pd.DataFrame) -> None:
    gappy = df.drop(index=df.index[(df["id"] == 3) & df["t"].isin([2002, 2004])])
    gappy = gappy.drop(index=gappy.index[(gappy["id"] == 7) & (gappy["t"] == 2005)])
    with pytest.raises(PanelError, match=r"balanced panel.*3 id-t row\(s\) are missing") as err:
        fit(gappy)
    assert "id 3: t 2002, 2004" in str(err.value) and "id 7: t 2005" in str(err.value)


def test_missing_cell_is_named(df: pd.DataFrame) -> None:
    bad = df.copy()
    bad.loc[(bad["id"] == 4) & (bad["t"] == 2003), "z"] = np.nan
    with pytest.raises(PanelError, match=r"id 4, t 2003, column 'z'"):
        fit(bad)


def test_too_few_distinct_values_says_how_many(df: pd.DataFrame) -> None:
    coarse = df.assign(q=(df["q"] > 0.5).astype(float) + (df["q"] > 0.8))
    with pytest.raises(ArgumentError, match=r"'q' has 3 distinct value\(s\), of which 2 leave "
                                            r"at least 15 of the 150 observations \(trim=0.1\)"
                                            r".*n_thresholds=3 needs at least 3"):
        fit(coarse, n_thresholds=3)
    constant = df.assign(q=1.0)
    with pytest.raises(ArgumentError, match=r"1 distinct value\(s\), of which 0"):
        fit(constant)


def test_grid_too_coarse(df: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match=r"grid=2 gives 1 admissible .* needs at least 3"):
        fit(df, grid=2, n_thresholds=3)


def test_collinear_variables_are_named(df: pd.DataFrame) -> None:
    with pytest.raises(PanelError, match=r"'z2'.*linear combination of \['z'\]"):
        fit(df.assign(z2=2 * df["z"] + 1), controls=["z", "z2"])
    with pytest.raises(PanelError, match=r"\['size'\] have no variation left"):
        fit(df.assign(size=df["id"] * 1.5), controls=["z", "size"])
    with pytest.raises(PanelError, match=r"'xx'.*linear combination of \['x'\]"):
        fit(df.assign(xx=-df["x"]), regime=["x", "xx"])


def test_year_varying_only_control_with_time_effects(df: pd.DataFrame) -> None:
    with pytest.raises(PanelError, match=r"\['trend'\] have no variation left"):
        fit(df.assign(trend=df["t"] * 0.5), controls=["z", "trend"], time_effects=True)


def test_regime_variable_also_a_control(df: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match=r"\['x'\] are given both as regime and as control"):
        fit(df, controls=["z", "x"])


@pytest.mark.parametrize(("value", "error", "message"), [
    (0, ArgumentError, r"n_thresholds=0; accepted: 1, …, 3"),
    (4, ArgumentError, r"n_thresholds=4; accepted: 1, …, 3"),
    (1.0, ArgumentTypeError, r"n_thresholds=1.0; accepted: an integer from 1 to 3"),
    (True, ArgumentTypeError, r"n_thresholds=True"),
])
def test_n_thresholds_outside_one_to_three(df: pd.DataFrame, value: object,
                                           error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        fit(df, n_thresholds=value)


@pytest.mark.parametrize(("value", "error", "message"), [
    (0.0, ArgumentError, r"0.0 is outside \(0, 0.5\)"),
    (0.5, ArgumentError, r"0.5 is outside \(0, 0.5\)"),
    (-0.1, ArgumentError, r"-0.1 is outside \(0, 0.5\)"),
    ((0.05,), ArgumentError, r"gives 1 proportion\(s\); accepted: one number, or one per "
                             r"threshold \(n_thresholds=2\)"),
    ("0.05", ArgumentTypeError, r"trim='0.05'"),
])
def test_trim_outside_zero_half(df: pd.DataFrame, value: object, error: type[Exception],
                                message: str) -> None:
    with pytest.raises(error, match=message):
        fit(df, trim=value, n_thresholds=2)


def test_too_few_observations_in_a_regime(df: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match=r"trim=0.01 \(threshold 1\) lets a regime hold 2 "
                                            r"of the 150 observations; each regime needs at "
                                            r"least 10"):
        fit(df, trim=0.01)


def test_later_threshold_without_room(df: pd.DataFrame) -> None:
    # trim 0.3: two thresholds would need three regimes of 45 rows out of 150; the second
    # stage finds no admissible split once the first threshold is placed
    with pytest.raises(ArgumentError, match=r"threshold 2 of 2: no admissible candidate"):
        fit(df, trim=0.3, n_thresholds=2)


@pytest.mark.parametrize(("kw", "error", "message"), [
    ({"grid": 1}, ArgumentError, r"grid=1; accepted: an integer >= 2"),
    ({"grid": True}, ArgumentTypeError, r"grid=True"),
    ({"bootstrap": -1}, ArgumentError, r"bootstrap=-1"),
    ({"level": 1.5}, ArgumentError, r"level=1.5"),
    ({"time_effects": 1}, ArgumentTypeError, r"time_effects=1"),
    ({"backend": "threads"}, ArgumentError, r"backend='threads'"),
    ({"regime": 3}, ArgumentTypeError, r"regime must be a column name"),
    ({"regime": []}, ArgumentError, r"regime: give at least one"),
    ({"controls": ["z", "z"]}, ArgumentError, r"controls repeats \['z'\]"),
])
def test_bad_arguments(df: pd.DataFrame, kw: dict, error: type[Exception],
                       message: str) -> None:
    with pytest.raises(error, match=message):
        fit(df, **kw)


def test_unknown_column(df: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match=r"not in data.*'zz'|'zz'.*not in"):
        fit(df, controls=["zz"])
