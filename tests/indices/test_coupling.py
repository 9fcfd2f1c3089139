"""Coupling coordination degree: hand-worked values, identities, classes, errors.

Every expected number is worked out by hand in the comment beside it. Formulas (see
``cityres.indices.coupling``):

* traditional C = n [Π U_i / (Σ U_i)^n]^(1/n) = geometric mean / arithmetic mean;
* corrected C (Wang et al. 2021) = sqrt{ [1 − Σ_{i<j} |U_i − U_j| / (n(n−1)/2)]
  × [Π_i (U_i / max U)]^(1/(n−1)) };
* T = Σ α_i U_i, D = sqrt(C T).

Tolerance: 1e-12 absolute for closed-form values (float64 round-off only).
"""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cityres._shared.errors import ArgumentError, ArgumentTypeError, DataChangeWarning
from cityres.indices.coupling import CLASSES_10, coupling
from cityres.report.i18n import Text

TOL = 1e-12


def frame(rows: dict[tuple[str, int], list[float]], names: list[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples(list(rows), names=["city", "year"])
    return pd.DataFrame(list(rows.values()), index=index, columns=names)


def one(values: list[float], **kwargs: object) -> pd.Series:
    """The result row of a single city-year with system scores ``values``."""
    names = [f"s{i + 1}" for i in range(len(values))]
    res = coupling(frame({("A", 2020): values}, names), **kwargs)  # type: ignore[arg-type]
    return res.table.iloc[0]


# ----------------------------------------------------------------------------- n = 2
def test_two_systems_traditional_hand_worked() -> None:
    # U = (0.2, 0.8): C = 2 sqrt(0.2 * 0.8) / (0.2 + 0.8) = 2 * 0.4 / 1 = 0.8
    # T = (0.2 + 0.8) / 2 = 0.5;  D = sqrt(0.8 * 0.5) = sqrt(0.4) = 0.632455532...
    # D in [0.6, 0.7) -> level 7, 初级协调
    row = one([0.2, 0.8], formula="traditional")
    assert_allclose(row["C"], 0.8, atol=TOL)
    assert_allclose(row["T"], 0.5, atol=TOL)
    assert_allclose(row["D"], math.sqrt(0.4), atol=TOL)
    assert row["level"] == 7
    assert (row["class_zh"], row["class_en"]) == ("初级协调", "Primary coordination")


def test_two_systems_corrected_hand_worked() -> None:
    # U = (0.2, 0.8): first factor 1 - |0.8 - 0.2| / 1 = 0.4 (one pair, Σ_{m=1}^{1} m = 1)
    # ratios to the max: 0.2/0.8 = 0.25 and 1 -> product 0.25, power 1/(n-1) = 1
    # C = sqrt(0.4 * 0.25) = sqrt(0.1) = 0.316227766...
    # D = sqrt(sqrt(0.1) * 0.5) = 0.397635364... -> [0.3, 0.4) -> level 4, 轻度失调
    row = one([0.2, 0.8], formula="corrected")
    assert_allclose(row["C"], math.sqrt(0.1), atol=TOL)
    assert_allclose(row["D"], math.sqrt(math.sqrt(0.1) * 0.5), atol=TOL)
    assert_allclose(row["D"], 0.3976353643835253, atol=TOL)
    assert row["level"] == 4
    assert row["class_en"] == "Mild imbalance"


def test_two_systems_weighted_t() -> None:
    # α = (0.4, 0.6), U = (0.2, 0.8): T = 0.08 + 0.48 = 0.56
    # traditional C = 0.8 (above) -> D = sqrt(0.8 * 0.56) = sqrt(0.448) = 0.669328...
    row = one([0.2, 0.8], formula="traditional", weights=[0.4, 0.6])
    assert_allclose(row["T"], 0.56, atol=TOL)
    assert_allclose(row["D"], math.sqrt(0.448), atol=TOL)
    # the same weights by name
    res = coupling(frame({("A", 2020): [0.2, 0.8]}, ["dig", "res"]),
                   weights={"res": 0.6, "dig": 0.4})
    assert_allclose(res.table["T"].iloc[0], 0.56, atol=TOL)
    assert res.weights.to_dict() == {"dig": 0.4, "res": 0.6}


# ----------------------------------------------------------------------------- n = 3
def test_three_systems_traditional_hand_worked() -> None:
    # U = (0.2, 0.4, 0.8): Π U = 0.064, Σ U = 1.4
    # C = 3 * (0.064 / 1.4^3)^(1/3) = 3 * 0.4 / 1.4 = 6/7 = 0.857142857...
    # T = 1.4 / 3 = 7/15;  D = sqrt(6/7 * 7/15) = sqrt(0.4) = 0.632455532... -> level 7
    row = one([0.2, 0.4, 0.8], formula="traditional")
    assert_allclose(row["C"], 6 / 7, atol=TOL)
    assert_allclose(row["T"], 7 / 15, atol=TOL)
    assert_allclose(row["D"], math.sqrt(0.4), atol=TOL)
    assert row["level"] == 7


def test_three_systems_corrected_hand_worked() -> None:
    # U = (0.2, 0.4, 0.8): |differences| 0.2, 0.6, 0.4 -> sum 1.2; Σ_{m=1}^{2} m = 3
    # first factor 1 - 1.2 / 3 = 0.6
    # ratios to the max 0.8: 0.25, 0.5, 1 -> product 0.125; power 1/(n-1) = 1/2 -> 0.353553
    # C = sqrt(0.6 * sqrt(0.125)) = 0.460577935...
    # D = sqrt(C * 7/15) = 0.463612305... -> [0.4, 0.5) -> level 5, 濒临失调
    row = one([0.2, 0.4, 0.8], formula="corrected")
    c = math.sqrt(0.6 * math.sqrt(0.125))
    assert_allclose(row["C"], c, atol=TOL)
    assert_allclose(row["C"], 0.4605779351596907, atol=TOL)
    assert_allclose(row["D"], math.sqrt(c * 7 / 15), atol=TOL)
    assert row["level"] == 5
    assert row["class_zh"] == "濒临失调"


# ----------------------------------------------------------------------------- identities
@pytest.mark.parametrize("formula", ["traditional", "corrected"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_equal_scores_give_c_one(formula: str, n: int) -> None:
    # traditional: geometric mean = arithmetic mean -> C = 1
    # corrected: no differences (first factor 1), every ratio 1 (second factor 1) -> C = 1,
    # whatever the common level; then T = 0.6 and D = sqrt(0.6) = 0.7746 -> level 8
    row = one([0.6] * n, formula=formula)
    assert_allclose(row["C"], 1.0, atol=TOL)
    assert_allclose(row["D"], math.sqrt(0.6), atol=TOL)
    assert row["level"] == 8
    # and at a low common level C is still 1 (coupling, not development)
    assert_allclose(one([0.05] * n, formula=formula)["C"], 1.0, atol=TOL)


@pytest.mark.parametrize("formula", ["traditional", "corrected"])
@pytest.mark.parametrize("values", [[0.0, 0.5], [0.5, 0.0, 0.7], [0.9, 0.8, 0.0, 0.6]])
def test_one_system_at_zero_gives_c_zero(formula: str, values: list[float]) -> None:
    # traditional: Π U = 0 -> C = 0; corrected: a ratio 0 / max U = 0 -> product 0 -> C = 0
    # D = sqrt(0 * T) = 0 -> level 1, 极度失调
    row = one(values, formula=formula)
    assert row["C"] == 0.0
    assert row["D"] == 0.0
    assert row["level"] == 1
    assert row["class_zh"] == "极度失调"


@pytest.mark.parametrize("formula", ["traditional", "corrected"])
def test_all_zero_is_undefined_set_to_zero_with_warning(formula: str) -> None:
    # all U = 0: C = 0/0 under both formulas; set to 0; T = 0 so D = 0 anyway
    data = frame({("A", 2020): [0.0, 0.0], ("B", 2020): [0.4, 0.4]}, ["x", "y"])
    with pytest.warns(DataChangeWarning, match=r"city A year 2020"):
        res = coupling(data, formula=formula)  # type: ignore[arg-type]
    assert res.table.loc[("A", 2020), "C"] == 0.0
    assert res.table.loc[("A", 2020), "D"] == 0.0
    assert_allclose(res.table["C"][("B", 2020)], 1.0, atol=TOL)


def test_wang_two_system_closed_form() -> None:
    # for n = 2 with U1 <= U2 the corrected C is sqrt((1 - (U2 - U1)) * U1 / U2)
    # (Wang et al. 2021, two-system case): U = (0.35, 0.7) -> sqrt(0.65 * 0.5) = 0.570088
    row = one([0.7, 0.35])
    assert_allclose(row["C"], math.sqrt(0.65 * 0.5), atol=TOL)


def test_misused_three_system_form_exceeds_one() -> None:
    # documents the module's claim about the pairwise-sum variant (not implemented):
    # 3 * {U^3 / [(2U)(2U)(2U)]}^(1/3) = 3 / 2 at equal scores, outside [0, 1]
    u = 0.5
    misused = 3 * (u**3 / ((u + u) * (u + u) * (u + u))) ** (1 / 3)
    assert_allclose(misused, 1.5, atol=TOL)
    assert_allclose(one([u, u, u], formula="traditional")["C"], 1.0, atol=TOL)


# ----------------------------------------------------------------------------- spread
def test_corrected_spreads_where_traditional_crowds_near_one() -> None:
    # n = 2, U2 = 0.5 and U1 = r U2 for ratios r in [0.6, 1]:
    # traditional C = 2 sqrt(r) / (1 + r) >= 2 sqrt(0.6) / 1.6 = 0.968246 at r = 0.6
    # corrected C = sqrt((1 - 0.5 (1 - r)) r): at r = 0.6, sqrt(0.8 * 0.6) = 0.692820
    ratios = np.linspace(0.6, 1.0, 41)
    u2 = 0.5
    rows = {(f"c{k:02d}", 2020): [r * u2, u2] for k, r in enumerate(ratios)}
    data = frame(rows, ["x", "y"])
    trad = coupling(data, formula="traditional").table["C"].to_numpy()
    corr = coupling(data, formula="corrected").table["C"].to_numpy()
    assert trad.min() >= 0.968
    assert_allclose(trad.min(), 2 * math.sqrt(0.6) / 1.6, atol=TOL)
    assert_allclose(corr.min(), math.sqrt(0.48), atol=TOL)
    # range of C over the same inputs: 0.032 (traditional) against 0.307 (corrected)
    assert (trad.max() - trad.min()) < 0.04
    assert (corr.max() - corr.min()) > 0.3
    # for n = 2 the corrected C never exceeds the traditional one
    assert (corr <= trad + TOL).all()


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_corrected_more_dispersed_on_typical_scores(n: int) -> None:
    # composite-index scores typically lie well inside (0, 1); on 2,000 seeded draws from
    # U(0.1, 0.6)^n the standard deviation of C is larger under the corrected formula
    # (measured: n=2 0.18 vs 0.06; n=5 0.09 vs 0.045)
    rng = np.random.default_rng(20240501)
    u = rng.uniform(0.1, 0.6, size=(2000, n))
    rows = {(f"c{i:04d}", 2020): list(r) for i, r in enumerate(u)}
    data = frame(rows, [f"s{k}" for k in range(n)])
    trad = coupling(data, formula="traditional").table["C"]
    corr = coupling(data, formula="corrected").table["C"]
    assert corr.std() > 1.5 * trad.std()


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=2, max_value=5).flatmap(
        lambda n: st.lists(
            st.floats(min_value=1e-6, max_value=1.0, allow_nan=False), min_size=n, max_size=n
        )
    ),
    st.sampled_from(["traditional", "corrected"]),
)
def test_c_t_d_in_unit_interval(values: list[float], formula: str) -> None:
    # the traditional C is GM/AM <= 1 (AM-GM); the corrected C is the square root of a
    # product of two factors in [0, 1]; T is a convex combination of U; D = sqrt(C T)
    row = one(values, formula=formula)
    for col in ("C", "T", "D"):
        assert 0.0 <= row[col] <= 1.0
    assert 1 <= row["level"] <= 10
    # D classed by its value: level = number of lower bounds 0, 0.1, ..., 0.9 that are
    # <= D (left-closed intervals, D rounded to 10 decimals as documented)
    assert row["level"] == sum(b <= round(row["D"], 10) for b, _ in CLASSES_10)


# ----------------------------------------------------------------------------- classes
def test_class_boundaries_left_and_right_closed() -> None:
    # equal U = u: C = 1, T = u, D = sqrt(u). u = 0.01 -> D = 0.1 exactly; u = 1 -> D = 1
    data = frame({("A", 2020): [0.01, 0.01], ("B", 2020): [1.0, 1.0],
                  ("C", 2020): [0.0, 0.0]}, ["x", "y"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataChangeWarning)  # city C: all zero
        left = coupling(data).table["level"]
        right = coupling(data, closed="right").table["level"]
    # left-closed [0.1, 0.2): D = 0.1 is level 2; right-closed (0, 0.1]: level 1
    assert left[("A", 2020)] == 2
    assert right[("A", 2020)] == 1
    # D = 1 is the top class and D = 0 the bottom class under both conventions
    assert left[("B", 2020)] == right[("B", 2020)] == 10
    assert left[("C", 2020)] == right[("C", 2020)] == 1


def test_class_boundary_float_noise() -> None:
    # n = 2, U = (0.16, 0.16), traditional: C = exp(log) / mean = 1 - 2e-16 in float64,
    # so D computes as 0.39999999999999997, not 0.4; D is rounded to 10 decimals before
    # classing, so it lands in [0.4, 0.5) -> level 5 (and level 4 right-closed)
    row = one([0.16, 0.16], formula="traditional")
    assert_allclose(row["D"], 0.4, atol=TOL)
    assert row["level"] == 5
    assert one([0.16, 0.16], formula="traditional", closed="right")["level"] == 4


def test_all_ten_classes_and_labels() -> None:
    # D = sqrt(u) at equal scores: u = ((k + 0.5) / 10)^2 puts D at the middle of class k+1
    rows = {(f"c{k}", 2020): [((k + 0.5) / 10) ** 2] * 2 for k in range(10)}
    table = coupling(frame(rows, ["x", "y"])).table
    assert table["level"].tolist() == list(range(1, 11))
    assert table["class_zh"].tolist() == [t.zh for _, t in CLASSES_10]
    assert table["class_en"].tolist()[-1] == "High-quality coordination"


def test_custom_levels() -> None:
    # a four-class scheme: [0, 0.3) low, [0.3, 0.5) moderate, [0.5, 0.8) high, [0.8, 1]
    scheme = [(0.0, Text("低度协调", "low")), (0.3, Text("中度协调", "moderate")),
              (0.5, Text("高度协调", "high")), (0.8, Text("极度协调", "extreme"))]
    # U = (0.2, 0.8) traditional: D = sqrt(0.4) = 0.632 -> class 3, "high"
    row = one([0.2, 0.8], formula="traditional", levels=scheme)
    assert row["level"] == 3
    assert row["class_en"] == "high"


# ----------------------------------------------------------------------------- result API
def test_table_columns_tidy_and_summary() -> None:
    data = frame({("A", 2020): [0.2, 0.8], ("B", 2020): [0.6, 0.6],
                  ("A", 2021): [0.6, 0.6], ("B", 2021): [0.6, 0.6]}, ["dig", "res"])
    res = coupling(data, formula="traditional")
    assert list(res.table.columns) == ["dig", "res", "C", "T", "D", "level", "class_zh",
                                       "class_en"]
    assert res.table.index.names == ["city", "year"]
    assert res.formula == "traditional"
    assert res.systems == ("dig", "res")
    tidy = res.tidy()
    assert list(tidy.columns[:2]) == ["city", "year"]
    assert len(tidy) == 4
    # levels: A 2020 D = 0.632 -> 7; the others D = sqrt(0.6) = 0.775 -> 8
    summary = res.summary()
    assert summary.shape == (10, 2)
    assert summary.loc[(7, "初级协调", "Primary coordination"), 2020] == 1
    assert summary.loc[(8, "中级协调", "Intermediate coordination"), 2020] == 1
    assert summary.loc[(8, "中级协调", "Intermediate coordination"), 2021] == 2
    assert summary.sum().tolist() == [2, 2]  # every city counted once a year


def test_mapping_of_series_and_index_results() -> None:
    index = pd.MultiIndex.from_tuples([("A", 2020), ("B", 2020)], names=["city", "year"])
    dig = pd.Series([0.2, 0.6], index=index)
    result_like = SimpleNamespace(scores=pd.Series([0.8, 0.6], index=index))
    res = coupling({"digital": dig, "resilience": result_like}, formula="traditional")
    assert res.systems == ("digital", "resilience")
    assert_allclose(res.table["C"][("A", 2020)], 0.8, atol=TOL)  # as in the n=2 case


def test_year_city_index_is_reordered() -> None:
    index = pd.MultiIndex.from_tuples([(2020, "A")], names=["year", "city"])
    res = coupling(pd.DataFrame({"x": [0.2], "y": [0.8]}, index=index),
                   formula="traditional")
    assert res.table.index.names == ["city", "year"]
    assert_allclose(res.table["C"].iloc[0], 0.8, atol=TOL)


# ----------------------------------------------------------------------------- errors
def test_error_value_outside_unit_interval_names_system_city_year() -> None:
    data = frame({("A", 2020): [0.2, 0.8], ("B", 2021): [1.3, 0.5]}, ["dig", "res"])
    with pytest.raises(ArgumentError, match=r"system 'dig' city B year 2021 = 1\.3"):
        coupling(data)


def test_error_nan_names_system_city_year() -> None:
    data = frame({("A", 2020): [0.2, float("nan")]}, ["dig", "res"])
    with pytest.raises(ArgumentError, match=r"missing.*system 'res' city A year 2020"):
        coupling(data)


def test_error_fewer_than_two_systems() -> None:
    with pytest.raises(ArgumentError, match="at least 2"):
        coupling(frame({("A", 2020): [0.5]}, ["only"]))


def test_error_mismatched_indices_lists_city_years() -> None:
    a = pd.Series([0.2, 0.3], index=pd.MultiIndex.from_tuples(
        [("A", 2020), ("B", 2020)], names=["city", "year"]))
    b = pd.Series([0.2, 0.3], index=pd.MultiIndex.from_tuples(
        [("A", 2020), ("C", 2021)], names=["city", "year"]))
    with pytest.raises(ArgumentError) as info:
        coupling({"dig": a, "res": b})
    message = str(info.value)
    assert "'dig' lacks 1: city C year 2021" in message
    assert "'res' lacks 1: city B year 2020" in message


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([0.5, 0.6], "sum to 1.1"),
        ([1.0], "1 value"),
        ([1.2, -0.2], "≥ 0"),
        ({"dig": 1.0}, "missing"),
        ("ab", "accepted"),
    ],
)
def test_error_weights(weights: object, match: str) -> None:
    data = frame({("A", 2020): [0.2, 0.8]}, ["dig", "res"])
    with pytest.raises((ArgumentError, ArgumentTypeError), match=match):
        coupling(data, weights=weights)  # type: ignore[arg-type]


def test_error_arguments() -> None:
    data = frame({("A", 2020): [0.2, 0.8]}, ["dig", "res"])
    with pytest.raises(ArgumentError, match="formula='tradition'"):
        coupling(data, formula="tradition")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="levels=5"):
        coupling(data, levels=5)
    with pytest.raises(ArgumentError, match="closed="):
        coupling(data, closed="both")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="clash"):
        coupling(frame({("A", 2020): [0.2, 0.8]}, ["D", "res"]))
    with pytest.raises(ArgumentTypeError, match="accepted"):
        coupling([[0.2, 0.8]])  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="two-level"):
        coupling(pd.DataFrame({"x": [0.2], "y": [0.8]}))
