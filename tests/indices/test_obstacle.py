"""Obstacle degree model: hand-worked values, sums, top-k, dimensions, edge case, errors.

O_ij = 100 · F_j I_ij / Σ_j F_j I_ij with F_j = w_j (global weight) and I_ij = 1 − x'_ij.
Every expected number is worked out in the comment beside it. Tolerance: 1e-10 absolute
(percentages of float64 ratios).
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose

from cityres._shared.errors import ArgumentError, ArgumentTypeError, DataChangeWarning
from cityres.indices.obstacle import ObstacleResult, obstacles

TOL = 1e-10

#: a 0.1 and b 0.3 in "econ", c 0.2 and d 0.4 in "eco" (global weights, sum 1)
WEIGHTS = pd.DataFrame({
    "indicator": ["a", "b", "c", "d"],
    "dimension": ["econ", "econ", "eco", "eco"],
    "weight": [0.1, 0.3, 0.2, 0.4],
})


def normalized(rows: dict[tuple[str, int], list[float]]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples(list(rows), names=["city", "year"])
    return pd.DataFrame(list(rows.values()), index=index, columns=["a", "b", "c", "d"])


X = normalized({
    # A 2020: I = (0, 0.5, 1, 0.25); F·I = (0, 0.15, 0.2, 0.1), Σ = 0.45
    #   O = (0, 33.33, 44.44, 22.22) %; econ 33.33, eco 66.67
    ("A", 2020): [1.0, 0.5, 0.0, 0.75],
    # B 2020: I = 1 everywhere -> O = weights × 100 = (10, 30, 20, 40); econ 40, eco 60
    ("B", 2020): [0.0, 0.0, 0.0, 0.0],
    # A 2021: only a deviates: F·I = (0.1, 0, 0, 0) -> O = (100, 0, 0, 0); econ 100, eco 0
    ("A", 2021): [0.0, 1.0, 1.0, 1.0],
    # B 2021: F·I = (0.05, 0, 0.1, 0), Σ = 0.15 -> O = (33.33, 0, 66.67, 0); econ 33.33
    ("B", 2021): [0.5, 1.0, 0.5, 1.0],
})


def obstacle(res: ObstacleResult, city: str, year: int) -> pd.Series:
    rows = res.table[(res.table["city"] == city) & (res.table["year"] == year)]
    return rows.set_index("indicator")["obstacle"]


def test_hand_worked_obstacles() -> None:
    res = obstacles((X, WEIGHTS))
    assert list(res.table.columns) == ["city", "year", "indicator", "dimension", "obstacle"]
    assert_allclose(obstacle(res, "A", 2020).to_numpy(),
                    [0.0, 100 * 0.15 / 0.45, 100 * 0.2 / 0.45, 100 * 0.1 / 0.45], atol=TOL)
    assert_allclose(obstacle(res, "B", 2020).to_numpy(), [10.0, 30.0, 20.0, 40.0], atol=TOL)
    assert_allclose(obstacle(res, "A", 2021).to_numpy(), [100.0, 0.0, 0.0, 0.0], atol=TOL)
    assert_allclose(obstacle(res, "B", 2021).to_numpy(),
                    [100 / 3, 0.0, 200 / 3, 0.0], atol=TOL)


def test_obstacles_sum_to_100_per_city_year() -> None:
    res = obstacles((X, WEIGHTS))
    sums = res.table.groupby(["city", "year"])["obstacle"].sum()
    assert_allclose(sums.to_numpy(), 100.0, atol=TOL)
    dims = res.by_dimension.groupby(["city", "year"])["obstacle"].sum()
    assert_allclose(dims.to_numpy(), 100.0, atol=TOL)


def test_indicator_at_ideal_has_zero_obstacle() -> None:
    # x' = 1 -> I = 0 -> F I = 0 -> O = 0: a in A 2020; b and d in B 2021
    res = obstacles((X, WEIGHTS))
    assert obstacle(res, "A", 2020)["a"] == 0.0
    assert obstacle(res, "B", 2021)["b"] == 0.0
    assert obstacle(res, "B", 2021)["d"] == 0.0


def test_dimension_obstacle_is_sum_of_its_indicators() -> None:
    res = obstacles((X, WEIGHTS))
    by_dim = res.by_dimension.set_index(["city", "year", "dimension"])["obstacle"]
    # A 2020: econ = O_a + O_b = 0 + 33.33; eco = O_c + O_d = 44.44 + 22.22 = 66.67
    assert_allclose(by_dim[("A", 2020, "econ")], 100 / 3, atol=TOL)
    assert_allclose(by_dim[("A", 2020, "eco")], 200 / 3, atol=TOL)
    # B 2020: econ = 10 + 30 = 40; eco = 20 + 40 = 60
    assert_allclose(by_dim[("B", 2020, "econ")], 40.0, atol=TOL)
    assert_allclose(by_dim[("B", 2020, "eco")], 60.0, atol=TOL)
    # in general: group the indicator table by dimension
    summed = res.table.groupby(["city", "year", "dimension"])["obstacle"].sum()
    assert_allclose(summed.sort_index().to_numpy(), by_dim.sort_index().to_numpy(), atol=TOL)


def test_top_k_ordering_default_last_year() -> None:
    res = obstacles((X, WEIGHTS), top_k=2)
    top = res.top()  # year 2021, the last one
    assert list(top.columns) == ["city", "year", "rank", "indicator", "dimension", "obstacle"]
    # A 2021: a (100) then a tie at 0 among b, c, d -> weights-table order: b
    # B 2021: c (66.67) then a (33.33)
    assert top["year"].unique().tolist() == [2021]
    assert top[["city", "rank", "indicator"]].values.tolist() == [
        ["A", 1, "a"], ["A", 2, "b"], ["B", 1, "c"], ["B", 2, "a"],
    ]
    assert_allclose(top["obstacle"].to_numpy(), [100.0, 0.0, 200 / 3, 100 / 3], atol=TOL)


def test_top_k_chosen_year_and_k() -> None:
    res = obstacles((X, WEIGHTS))
    top = res.top(3, year=2020)
    # A 2020: c 44.44 > b 33.33 > d 22.22;  B 2020: d 40 > b 30 > c 20
    assert top[top["city"] == "A"]["indicator"].tolist() == ["c", "b", "d"]
    assert top[top["city"] == "B"]["indicator"].tolist() == ["d", "b", "c"]
    assert top["rank"].tolist() == [1, 2, 3, 1, 2, 3]
    # obstacles never increase with rank within a city
    for _, group in top.groupby("city"):
        assert group["obstacle"].is_monotonic_decreasing


def test_top_by_dimension() -> None:
    res = obstacles((X, WEIGHTS), by="dimension", top_k=1)
    top = res.top(year=2020)
    assert list(top.columns) == ["city", "year", "rank", "dimension", "obstacle"]
    # A 2020: eco 66.67 > econ 33.33;  B 2020: eco 60 > econ 40
    assert top["dimension"].tolist() == ["eco", "eco"]
    assert_allclose(top["obstacle"].to_numpy(), [200 / 3, 60.0], atol=TOL)
    # the indicator ranking is still available
    assert res.top(1, year=2020, by="indicator")["indicator"].tolist() == ["c", "d"]


def test_all_ideal_city_year_is_zero_with_warning() -> None:
    x = normalized({("A", 2020): [1.0, 1.0, 1.0, 1.0], ("B", 2020): [0.0, 0.0, 0.0, 0.0]})
    with pytest.warns(DataChangeWarning, match=r"city A year 2020.*set to 0"):
        res = obstacles((x, WEIGHTS))
    # Σ F I = 0 for A 2020: every O set to 0 (not NaN); B unaffected (= weights × 100)
    assert obstacle(res, "A", 2020).tolist() == [0.0, 0.0, 0.0, 0.0]
    assert not res.table["obstacle"].isna().any()
    assert_allclose(obstacle(res, "B", 2020).to_numpy(), [10.0, 30.0, 20.0, 40.0], atol=TOL)
    assert list(res.undefined) == [("A", 2020)]


def test_zero_weight_indicator_never_an_obstacle() -> None:
    # F_d = 0: O_d = 0 whatever x'_d; the others share 100 %: F·I = (0.3, 0.3, 0.4, 0)
    w = WEIGHTS.assign(weight=[0.3, 0.3, 0.4, 0.0])
    res = obstacles((normalized({("A", 2020): [0.0, 0.0, 0.0, 0.0]}), w))
    assert_allclose(obstacle(res, "A", 2020).to_numpy(), [30.0, 30.0, 40.0, 0.0], atol=TOL)


def test_accepts_index_result_like_object() -> None:
    result = SimpleNamespace(normalized=X, weights=WEIGHTS.assign(extra=1),
                             scores=pd.Series(dtype=float))
    res = obstacles(result)
    assert_allclose(obstacle(res, "B", 2020).to_numpy(), [10.0, 30.0, 20.0, 40.0], atol=TOL)
    assert list(res.weights.columns) == ["indicator", "dimension", "weight"]


def test_weights_indexed_by_indicator_and_shift_from_options() -> None:
    # an index result's layout: weights indexed by indicator with extra columns, x' built
    # with the literature's +0.0001 shift (x' in [0.0001, 1.0001]) and options["shift"]
    shift = 0.0001
    result = SimpleNamespace(
        normalized=X + shift,
        weights=WEIGHTS.set_index("indicator").assign(within_weight=0.5),
        options={"shift": shift},
    )
    res = obstacles(result)
    # the shift is subtracted first, so the numbers are those of the unshifted x'
    assert_allclose(obstacle(res, "A", 2020).to_numpy(),
                    [0.0, 100 * 0.15 / 0.45, 100 * 0.2 / 0.45, 100 * 0.1 / 0.45], atol=1e-9)
    # without the shift 1.0001 is outside [0, 1]; an explicit shift=0 says so
    with pytest.raises(ArgumentError, match=r"1\.0001.*ideal x' = 1"):
        obstacles(result, shift=0.0)


def test_dimension_order_follows_weights_table() -> None:
    res = obstacles((X, WEIGHTS))
    assert res.by_dimension["dimension"].tolist()[:2] == ["econ", "eco"]


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.float64, (6, 5), elements=st.floats(0.0, 1.0)),
    hnp.arrays(np.float64, 5, elements=st.floats(0.01, 1.0)),
)
def test_property_sums_and_nonnegativity(x: np.ndarray, raw: np.ndarray) -> None:
    # for any x' in [0, 1] and positive weights: O >= 0, and each city-year sums to 100
    # unless every x' is 1 (undefined -> 0)
    names = [f"i{j}" for j in range(5)]
    index = pd.MultiIndex.from_tuples([(f"c{i}", 2020) for i in range(6)],
                                      names=["city", "year"])
    w = pd.DataFrame({"indicator": names, "dimension": ["p", "p", "q", "q", "q"],
                      "weight": raw / raw.sum()})
    ideal = (x == 1.0).all(axis=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = obstacles((pd.DataFrame(x, index=index, columns=names), w))
    warned = any(issubclass(c.category, DataChangeWarning) for c in caught)
    assert warned == ideal.any()
    assert (res.table["obstacle"] >= 0).all()
    sums = res.table.groupby("city")["obstacle"].sum().to_numpy()
    assert_allclose(sums, np.where(ideal, 0.0, 100.0), atol=1e-8)


# ----------------------------------------------------------------------------- errors
def test_error_weights_not_summing_to_one() -> None:
    w = WEIGHTS.assign(weight=[0.5, 0.5, 0.5, 0.5])
    with pytest.raises(ArgumentError, match=r"sum to 2.*dimension's weight"):
        obstacles((X, w))


def test_error_indicator_mismatch() -> None:
    with pytest.raises(ArgumentError, match=r"weighted but not in normalized \['d'\]"):
        obstacles((X.drop(columns="d"), WEIGHTS))
    with pytest.raises(ArgumentError, match=r"in normalized but not weighted \['e'\]"):
        obstacles((X.assign(e=0.5), WEIGHTS))


def test_error_nan_and_range_name_indicator_city_year() -> None:
    bad = X.copy()
    bad.loc[("B", 2021), "c"] = np.nan
    with pytest.raises(ArgumentError, match=r"missing.*indicator 'c' city B year 2021"):
        obstacles((bad, WEIGHTS))
    bad = X.copy()
    bad.loc[("A", 2020), "b"] = 1.5
    with pytest.raises(ArgumentError, match=r"indicator 'b' city A year 2020 = 1\.5"):
        obstacles((bad, WEIGHTS))


def test_error_arguments() -> None:
    with pytest.raises(ArgumentError, match="top_k=5"):
        obstacles((X, WEIGHTS), top_k=5)
    with pytest.raises(ArgumentError, match=r"top_k=3.*dimensions"):
        obstacles((X, WEIGHTS), top_k=3, by="dimension")
    with pytest.raises(ArgumentError, match="by="):
        obstacles((X, WEIGHTS), by="city")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="missing column"):
        obstacles((X, WEIGHTS.drop(columns="dimension")))
    with pytest.raises(ArgumentError, match="more than once"):
        obstacles((X, pd.concat([WEIGHTS, WEIGHTS.tail(1)])))
    with pytest.raises(ArgumentTypeError, match="accepted"):
        obstacles(X)
    res = obstacles((X, WEIGHTS))
    with pytest.raises(ArgumentError, match=r"year=2019.*\[2020, 2021\]"):
        res.top(year=2019)
    with pytest.raises(ArgumentError, match="k=0"):
        res.top(0)
