"""Identities of the Martin measures, on hand-made panels and as hypothesis properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cityres.resilience import martin

YEARS = list(range(2000, 2006))
WINDOWS = {"contraction": (2001, 2003), "recovery": (2003, 2005)}
MEASURES = ["resistance", "recovery", "sensitivity", "permanent_loss"]


def frame(levels: np.ndarray, name: str = "E", **extra: np.ndarray) -> pd.DataFrame:
    """A (city, year) frame from a (cities × years) array."""
    n = levels.shape[0]
    index = pd.MultiIndex.from_product([[f"c{i}" for i in range(n)], YEARS],
                                       names=["city", "year"])
    cols = {name: levels.reshape(-1)} | {k: v.reshape(-1) for k, v in extra.items()}
    return pd.DataFrame(cols, index=index)


def growth(series: pd.Series | np.ndarray, a: int, b: int) -> float:
    s = pd.Series(np.asarray(series), index=YEARS)
    return float(s[b] / s[a] - 1)


levels_st = st.integers(2, 5).flatmap(
    lambda n: arrays(np.float64, (n, len(YEARS)),
                     elements=st.floats(1.0, 1000.0, allow_nan=False, allow_subnormal=False))
)
positive_series = arrays(np.float64, len(YEARS),
                         elements=st.floats(1.0, 1000.0, allow_nan=False, allow_subnormal=False))


def _clear(bench: np.ndarray) -> bool:
    """Benchmark changes clearly away from zero over both windows."""
    return bool(abs(growth(bench, 2001, 2003)) > 1e-3 and abs(growth(bench, 2003, 2005)) > 1e-3)


def test_a_city_proportional_to_the_others_sum_scores_zero() -> None:
    rng = np.random.default_rng(1)
    others = rng.uniform(50, 150, size=(3, len(YEARS)))
    follower = 0.5 * others.sum(axis=0)  # then the total is 1.5 × the others' sum
    res = martin(frame(np.vstack([others, follower])), "E", **WINDOWS)
    row = res.table.loc["c3"]
    assert row["resistance"] == pytest.approx(0, abs=1e-12)
    assert row["recovery"] == pytest.approx(0, abs=1e-12)
    assert row["sensitivity"] == pytest.approx(1, abs=1e-12)
    assert row["permanent_loss"] == pytest.approx(0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(positive_series, st.floats(0.01, 100.0), levels_st)
def test_following_a_given_benchmark_scores_zero(
    bench: np.ndarray, k: float, others: np.ndarray
) -> None:
    assume(_clear(bench))
    levels = np.vstack([k * bench, others])
    res = martin(frame(levels), "E", **WINDOWS, benchmark=pd.Series(bench, index=YEARS))
    row = res.table.loc["c0"]
    for m, v in (("resistance", 0), ("recovery", 0), ("sensitivity", 1), ("permanent_loss", 0)):
        assert row[m] == pytest.approx(v, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(levels_st, st.floats(1e-3, 1e3))
def test_scaling_every_city_changes_nothing(levels: np.ndarray, c: float) -> None:
    assume(_clear(levels.sum(axis=0)))
    a = martin(frame(levels), "E", **WINDOWS).table
    b = martin(frame(c * levels), "E", **WINDOWS).table
    pd.testing.assert_frame_equal(a[MEASURES], b[MEASURES], rtol=1e-9, atol=1e-9)
    pd.testing.assert_series_equal(a["years_to_recover"], b["years_to_recover"])
    clear = (a["resistance"].abs() > 1e-9) & (a["recovery"].abs() > 1e-9)
    assert (a.loc[clear, "type"] == b.loc[clear, "type"]).all()


def test_doubling_every_level_changes_nothing_exactly() -> None:
    levels = np.random.default_rng(2).uniform(10, 20, size=(4, len(YEARS)))
    a = martin(frame(levels), "E", **WINDOWS).table
    b = martin(frame(2 * levels), "E", **WINDOWS).table  # ×2 is exact in binary
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@settings(max_examples=60, deadline=None)
@given(levels_st)
def test_one_sector_shift_share_equals_benchmark_growth(levels: np.ndarray) -> None:
    assume(_clear(levels.sum(axis=0)))
    data = frame(levels, only=levels)
    a = martin(data, "E", **WINDOWS).table
    b = martin(data, "E", **WINDOWS, sectors=["only"]).table
    pd.testing.assert_frame_equal(a, b, rtol=1e-10, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(levels_st)
def test_resistance_and_sensitivity(levels: np.ndarray) -> None:
    """Benchmark-growth resistance = 1 − β when the benchmark falls, β − 1 when it rises."""
    total = levels.sum(axis=0)
    assume(_clear(total))
    tab = martin(frame(levels), "E", **WINDOWS).table
    sign = np.sign(growth(total, 2001, 2003))
    np.testing.assert_allclose(tab["resistance"], -sign * (1 - tab["sensitivity"]),
                               rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(levels_st)
def test_measures_by_formula(levels: np.ndarray) -> None:
    total = levels.sum(axis=0)
    assume(_clear(total))
    tab = martin(frame(levels), "E", **WINDOWS).table
    for i, city in enumerate(tab.index):
        for (a, b), m in (((2001, 2003), "resistance"), ((2003, 2005), "recovery")):
            g, gn = growth(levels[i], a, b), growth(total, a, b)
            assert tab.loc[city, m] == pytest.approx((g - gn) / abs(gn), rel=1e-9, abs=1e-9)
        loss = growth(levels[i], 2001, 2005) - growth(total, 2001, 2005)
        assert tab.loc[city, "permanent_loss"] == pytest.approx(loss, rel=1e-9, abs=1e-12)
        back = [y for y in range(2003, 2006) if levels[i][y - 2000] >= levels[i][1]]
        ytr = tab.loc[city, "years_to_recover"]
        assert (np.isnan(ytr) and not back) or ytr == back[0] - 2003


@settings(max_examples=40, deadline=None)
@given(levels_st, st.randoms(use_true_random=False))
def test_city_order_does_not_matter(levels: np.ndarray, rnd: object) -> None:
    assume(_clear(levels.sum(axis=0)))
    order = list(range(levels.shape[0]))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    data = frame(levels)
    shuffled = pd.concat([data.xs(f"c{i}", level="city", drop_level=False) for i in order])
    a = martin(data, "E", **WINDOWS).table
    b = martin(shuffled, "E", **WINDOWS).table.loc[a.index]
    pd.testing.assert_frame_equal(a, b, rtol=1e-12, atol=1e-12)


def test_typology_follows_the_signs() -> None:
    levels = np.random.default_rng(3).uniform(10, 20, size=(12, len(YEARS)))
    tab = martin(frame(levels), "E", **WINDOWS).table
    for _, row in tab.iterrows():
        r = "resistant" if row["resistance"] > 0 else "not_resistant"
        c = "recovered" if row["recovery"] > 0 else "not_recovered"
        assert row["type"] == f"{r}_{c}"
    assert set(tab["type_zh"]) <= {
        "抗冲击且恢复", "抗冲击但未恢复", "不抗冲击但恢复", "不抗冲击且未恢复"
    }


def test_sectors_following_their_benchmarks_score_zero() -> None:
    """Shift-share: a city whose every sector grows like the national sector scores 0."""
    rng = np.random.default_rng(4)
    nat = pd.DataFrame(rng.uniform(100, 200, size=(len(YEARS), 2)), index=YEARS,
                       columns=["s1", "s2"])
    city0 = nat.to_numpy().T * np.array([[0.1], [0.3]])  # fixed shares of the nation
    s1 = np.vstack([city0[0], rng.uniform(5, 10, size=(2, len(YEARS)))])
    s2 = np.vstack([city0[1], rng.uniform(5, 10, size=(2, len(YEARS)))])
    data = frame(s1 + s2, s1=s1, s2=s2)
    res = martin(data, "E", **WINDOWS, sectors=["s1", "s2"], sector_benchmark=nat)
    assert res.table.loc["c0", "resistance"] == pytest.approx(0, abs=1e-12)
    assert res.table.loc["c0", "recovery"] == pytest.approx(0, abs=1e-12)
    assert res.table.loc["c0", "permanent_loss"] == pytest.approx(0, abs=1e-12)
    assert res.options["sector_benchmark"] == "given"


def test_shift_share_by_hand() -> None:
    """Two sectors, numbers small enough to follow: expected = Σ_i E_ir(t0) g_Ni / E_r(t0)."""
    s1 = np.array([[10, 10, 8, 8, 9, 10], [30, 30, 27, 27, 28, 30]], dtype=float)
    s2 = np.array([[10, 10, 11, 11, 11, 12], [10, 10, 10, 10, 11, 11]], dtype=float)
    res = martin(frame(s1 + s2, s1=s1, s2=s2), "E", **WINDOWS, sectors=["s1", "s2"])
    g1, g2 = (35 - 40) / 40, (21 - 20) / 20  # sector sums 2001 → 2003
    expected_c0 = (10 * g1 + 10 * g2) / 20
    g_c0 = 19 / 20 - 1
    assert res.table.loc["c0", "resistance"] == pytest.approx(
        (g_c0 - expected_c0) / abs(expected_c0), abs=1e-12)
    assert res.components.loc["c0", "expected_contraction"] == pytest.approx(expected_c0)
    beta = g_c0 / (56 / 60 - 1)  # sensitivity stays relative to the benchmark (sum)
    assert res.table.loc["c0", "sensitivity"] == pytest.approx(beta, abs=1e-12)
