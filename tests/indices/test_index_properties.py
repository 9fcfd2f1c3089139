"""Invariants of composite indices (hypothesis): weights, score range, scale, monotonicity."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from cityres.indices import IndexBuilder, IndicatorSystem, build_index

N_CITIES, N_YEARS, N_IND = 5, 3, 4
SYSTEM = IndicatorSystem.from_dict(
    {
        "name": "prop",
        "dimensions": [{"key": "a"}, {"key": "b"}],
        "indicators": [
            {"column": "x0", "dimension": "a", "direction": "+"},
            {"column": "x1", "dimension": "a", "direction": "-"},
            {"column": "x2", "dimension": "b", "direction": "+"},
            {"column": "x3", "dimension": "b", "direction": "-"},
        ],
    }
)
INDEX = pd.MultiIndex.from_product(
    [[f"c{i}" for i in range(N_CITIES)], range(2001, 2001 + N_YEARS)], names=["city", "year"]
)
values = arrays(
    np.float64,
    (N_CITIES * N_YEARS, N_IND),
    elements=st.floats(0.5, 1000.0, allow_nan=False, allow_subnormal=False),
    unique=True,  # no constant indicator (an error by design, tested elsewhere)
)
weightings = st.sampled_from(["entropy", "critic", "cv", "pca", "equal"])
normalizations = st.sampled_from(["minmax", "vector"])
aggregations = st.sampled_from(["sum", "topsis"])
scopes = st.sampled_from(["pooled", "by_year"])


def _frame(x: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(x, index=INDEX, columns=SYSTEM.columns)


def _varied(x: np.ndarray) -> bool:
    """Every column varies clearly within every year (no near-constant indicator)."""
    blocks = x.reshape(N_CITIES, N_YEARS, N_IND)
    spread = blocks.max(axis=0) - blocks.min(axis=0)
    return bool((spread > 1e-6 * np.abs(blocks).max(axis=0)).all())


@settings(max_examples=60, deadline=None)
@given(values, weightings, normalizations, scopes)
def test_weights_nonnegative_sum_to_one(x: np.ndarray, w: str, norm: str, scope: str) -> None:
    assume(_varied(x))
    res = build_index(_frame(x), SYSTEM, weighting=w, normalize=norm, scope=scope)
    wt = res.weights
    assert (wt["weight"] >= 0).all() and abs(wt["weight"].sum() - 1) < 1e-12
    assert (wt["within_weight"] >= 0).all()
    assert_allclose(wt.groupby("dimension")["within_weight"].sum(), 1, atol=1e-12)
    assert abs(wt.drop_duplicates("dimension")["dimension_weight"].sum() - 1) < 1e-12
    assert np.isfinite(res.scores).all()


@settings(max_examples=60, deadline=None)
@given(values, weightings, aggregations, scopes)
def test_scores_in_unit_interval(x: np.ndarray, w: str, agg: str, scope: str) -> None:
    assume(_varied(x))
    res = build_index(_frame(x), SYSTEM, weighting=w, aggregate=agg, scope=scope)
    eps = 1e-12
    assert res.scores.between(-eps, 1 + eps).all()
    assert ((res.dimension_scores >= -eps) & (res.dimension_scores <= 1 + eps)).all().all()
    assert res.ranks.between(1, N_CITIES).all()


@settings(max_examples=60, deadline=None)
@given(
    values,
    st.integers(0, N_IND - 1),
    st.floats(1e-3, 1e3),
    weightings,
    normalizations,
    aggregations,
)
def test_rescaling_an_indicator_changes_nothing(
    x: np.ndarray, j: int, c: float, w: str, norm: str, agg: str
) -> None:
    assume(_varied(x))
    base = build_index(_frame(x), SYSTEM, weighting=w, normalize=norm, aggregate=agg)
    y = x.copy()
    y[:, j] *= c
    scaled = build_index(_frame(y), SYSTEM, weighting=w, normalize=norm, aggregate=agg)
    assert_allclose(scaled.weights["weight"], base.weights["weight"], rtol=1e-8, atol=1e-10)
    assert_allclose(scaled.scores, base.scores, rtol=1e-8, atol=1e-10)
    assert (scaled.ranks == base.ranks).all() or np.allclose(scaled.scores, base.scores)


@settings(max_examples=80, deadline=None)
@given(
    values,
    st.integers(0, N_CITIES * N_YEARS - 1),
    st.sampled_from([0, 2]),  # the positive indicators
    st.floats(0.0, 1.0),
    weightings,
    aggregations,
)
def test_raising_a_positive_indicator_never_lowers_the_score(
    x: np.ndarray, row: int, j: int, step: float, w: str, agg: str
) -> None:
    assume(_varied(x))
    builder = IndexBuilder(SYSTEM, weighting=w, aggregate=agg).fit(
        _frame(x)
    )  # weights, min/max and ideal points fixed from here on
    before = builder.transform(_frame(x)).scores.iloc[row]
    y = x.copy()
    top = x[:, j].max()  # stay inside the learned range (TOPSIS ideal = learned max)
    y[row, j] = x[row, j] + step * (top - x[row, j])
    after = builder.transform(_frame(y)).scores.iloc[row]
    assert after >= before - 1e-12
