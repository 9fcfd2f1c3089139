"""A worked example computed by hand: 4 cities × 3 indicators (one negative), one year.

Every intermediate quantity (min–max x', p_ij, e_j, d_j, w_j, weighted score, TOPSIS
distances and closeness) is written here with its arithmetic, to 6 decimals (values from a
pocket calculator; ln values: ln 4 = 1.386294, ln(1/7) = −1.945910, ln(2/7) = −1.252763,
ln(4/7) = −0.559616, ln(4/9) = −0.810930, ln(2/9) = −1.504077, ln(1/3) = −1.098612,
ln(1/6) = −1.791759, ln(2/3) = −0.405465). The exact expressions are asserted to 1e-12.
"""

from __future__ import annotations

from math import log, sqrt

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cityres.indices import IndexBuilder, IndicatorSystem, build_index, entropy_weights

SYSTEM = IndicatorSystem.from_dict(
    {
        "name": "worked",
        "dimensions": [{"key": "a"}, {"key": "b"}],
        "indicators": [
            {"column": "x1", "dimension": "a", "direction": "+"},
            {"column": "x2", "dimension": "a", "direction": "+"},
            {"column": "x3", "dimension": "b", "direction": "-"},
        ],
    }
)


def _data() -> pd.DataFrame:
    idx = pd.MultiIndex.from_product([["A", "B", "C", "D"], [2020]], names=["city", "year"])
    return pd.DataFrame(
        {
            "x1": [2.0, 4.0, 6.0, 10.0],  # +: min 2, max 10, spread 8
            "x2": [10.0, 50.0, 30.0, 40.0],  # +: min 10, max 50, spread 40
            "x3": [4.0, 5.0, 1.0, 4.0],  # −: max 5, min 1, spread 4
        },
        index=idx,
    )


# min–max x'
#   x1' = (x − 2)/8   = 0, 2/8, 4/8, 8/8     = 0, 0.25, 0.5, 1
#   x2' = (x − 10)/40 = 0, 40/40, 20/40, 30/40 = 0, 1, 0.5, 0.75
#   x3' = (5 − x)/4   = 1/4, 0, 4/4, 1/4     = 0.25, 0, 1, 0.25
XN = np.array([[0, 0, 0.25], [0.25, 1, 0], [0.5, 0.5, 1], [1, 0.75, 0.25]])

# p_ij = x'_ij / Σ_i x'_ij with column sums 1.75, 2.25, 1.5
P = np.array([[0, 0, 1 / 6], [1 / 7, 4 / 9, 0], [2 / 7, 2 / 9, 4 / 6], [4 / 7, 3 / 9, 1 / 6]])


def _plnp(p: float) -> float:
    return 0.0 if p == 0 else p * log(p)


# Σ_i p ln p (0 ln 0 = 0):
#   x1: (1/7)(−1.945910) + (2/7)(−1.252763) + (4/7)(−0.559616)
#       = −0.277987 − 0.357932 − 0.319780 = −0.955700
#   x2: (4/9)(−0.810930) + (2/9)(−1.504077) + (3/9)(−1.098612)
#       = −0.360413 − 0.334239 − 0.366204 = −1.060857
#   x3: 2 × (1/6)(−1.791759) + (4/6)(−0.405465) = −0.597253 − 0.270310 = −0.867563
# e_j = −Σ / ln 4:  0.955700/1.386294 = 0.689392;  1.060857/1.386294 = 0.765247;
#                   0.867563/1.386294 = 0.625815
# d_j = 1 − e_j:    0.310608, 0.234753, 0.374185;  Σ d = 0.919547
# w_j = d_j / Σ d:  0.337784, 0.255292, 0.406924
E_HAND = [0.689392, 0.765247, 0.625815]
D_HAND = [0.310608, 0.234753, 0.374185]
W_HAND = [0.337784, 0.255292, 0.406924]
# weighted sum S_i = Σ_j w_j x'_ij:
#   A: 0.406924 × 0.25                                   = 0.101731
#   B: 0.337784 × 0.25 + 0.255292 × 1                    = 0.339738
#   C: 0.337784 × 0.5 + 0.255292 × 0.5 + 0.406924 × 1    = 0.703462
#   D: 0.337784 × 1 + 0.255292 × 0.75 + 0.406924 × 0.25  = 0.630984
S_HAND = [0.101731, 0.339738, 0.703462, 0.630984]
# TOPSIS on v = w x': ideal v+ = w (every column reaches x' = 1), anti-ideal v− = 0, so
#   D+_i = sqrt(Σ_j w_j² (1 − x'_ij)²), D−_i = sqrt(Σ_j w_j² x'_ij²):
#   A: D+ = sqrt(0.337784² + 0.255292² + (0.406924 × 0.75)²) = sqrt(0.114098 + 0.065174
#          + 0.093142) = 0.521934;  D− = 0.406924 × 0.25 = 0.101731
#   B: D+ = sqrt((0.337784 × 0.75)² + 0 + 0.406924²) = sqrt(0.064180 + 0.165587) = 0.479340;
#      D− = sqrt((0.337784 × 0.25)² + 0.255292²) = sqrt(0.007131 + 0.065174) = 0.268897
#   C: D+ = sqrt((0.337784 × 0.5)² + (0.255292 × 0.5)²) = sqrt(0.028524 + 0.016294) = 0.211703
#      D− = sqrt(0.028524 + 0.016294 + 0.165587) = 0.458699
#   D: D+ = sqrt((0.255292 × 0.25)² + (0.406924 × 0.75)²) = sqrt(0.004073 + 0.093142) = 0.311795
#      D− = sqrt(0.114098 + 0.036660 + 0.010349) = 0.401382
# closeness C = D− / (D+ + D−): 0.163118, 0.359374, 0.684215, 0.562809
DP_HAND = [0.521934, 0.479340, 0.211703, 0.311795]
DM_HAND = [0.101731, 0.268897, 0.458699, 0.401382]
C_HAND = [0.163118, 0.359374, 0.684215, 0.562809]


def test_minmax_and_entropy_by_hand() -> None:
    res = build_index(_data(), SYSTEM)
    assert_allclose(res.normalized.to_numpy(), XN, atol=1e-15)
    e_exact = [-sum(_plnp(p) for p in P[:, j]) / log(4) for j in range(3)]
    d_exact = [1 - e for e in e_exact]
    w_exact = [d / sum(d_exact) for d in d_exact]
    w = res.weights.set_index("indicator")
    assert_allclose(w["entropy"], e_exact, rtol=0, atol=1e-12)
    assert_allclose(w["divergence"], d_exact, rtol=0, atol=1e-12)
    assert_allclose(w["weight"], w_exact, rtol=0, atol=1e-12)
    assert_allclose(w["entropy"], E_HAND, atol=1e-6)
    assert_allclose(w["divergence"], D_HAND, atol=1e-6)
    assert_allclose(w["weight"], W_HAND, atol=1e-6)
    # the array-level function on x' gives the same
    assert_allclose(entropy_weights(res.normalized)["weight"], w_exact, atol=1e-12)
    # score = Σ w x'
    assert_allclose(res.scores, XN @ np.array(w_exact), atol=1e-12)
    assert_allclose(res.scores, S_HAND, atol=1e-6)
    assert res.ranks.tolist() == [4, 3, 1, 2]


def test_hierarchy_by_hand() -> None:
    res = build_index(_data(), SYSTEM)
    w = res.weights.set_index("indicator")
    # dimension a = x1 + x2: 0.337784 + 0.255292 = 0.593076; b = x3: 0.406924
    assert_allclose(w["dimension_weight"], [0.593076, 0.593076, 0.406924], atol=1e-6)
    # within a: 0.337784 / 0.593076 = 0.569546, 0.255292 / 0.593076 = 0.430454; b: 1
    assert_allclose(w["within_weight"], [0.569546, 0.430454, 1.0], atol=1e-6)
    assert_allclose(w["within_weight"] * w["dimension_weight"], w["weight"], atol=1e-15)
    dims = res.dimension_scores
    # dimension a of city D: 0.569546 × 1 + 0.430454 × 0.75 = 0.892387; b of D: x3' = 0.25
    assert dims.loc[("D", 2020), "a"] == pytest.approx(0.892387, abs=1e-6)
    assert dims.loc[("D", 2020), "b"] == pytest.approx(0.25, abs=1e-15)
    # total = Σ_d W_d S_d
    total = dims["a"] * 0.593076 + dims["b"] * 0.406924
    assert_allclose(res.scores, total, atol=1e-6)


def test_topsis_by_hand() -> None:
    res = build_index(_data(), SYSTEM, aggregate="topsis")
    w = np.array(W_HAND)
    dp_exact = np.sqrt(((w * (1 - XN)) ** 2).sum(axis=1))
    dm_exact = np.sqrt(((w * XN) ** 2).sum(axis=1))
    assert res.distances is not None
    assert_allclose(res.distances["d_plus"], DP_HAND, atol=2e-6)
    assert_allclose(res.distances["d_minus"], DM_HAND, atol=2e-6)
    assert_allclose(res.scores, C_HAND, atol=2e-6)
    # exact, with the exact weights
    we = res.weights["weight"].to_numpy()
    dp = np.sqrt(((we * (1 - XN)) ** 2).sum(axis=1))
    dm = np.sqrt(((we * XN) ** 2).sum(axis=1))
    assert_allclose(res.scores, dm / (dp + dm), atol=1e-12)
    assert_allclose(dp, dp_exact, atol=2e-6)
    assert_allclose(dm, dm_exact, atol=2e-6)
    assert res.ranks.tolist() == [4, 3, 1, 2]
    # a single arithmetic check written out: city A, D+ = sqrt(w1² + w2² + (0.75 w3)²)
    assert dp[0] == pytest.approx(sqrt(we[0] ** 2 + we[1] ** 2 + (0.75 * we[2]) ** 2))


def test_shift_is_added_after_scaling() -> None:
    res = build_index(_data(), SYSTEM, shift=0.0001)
    assert_allclose(res.normalized.to_numpy(), XN + 0.0001, atol=1e-15)
    # with the shift there are no zeros: p_ij = (x' + 0.0001) / Σ (x' + 0.0001)
    p = (XN + 0.0001) / (XN + 0.0001).sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / log(4)
    assert_allclose(res.weights["entropy"], e, atol=1e-12)


def test_builder_learns_min_max() -> None:
    b = IndexBuilder(SYSTEM).fit(_data())
    assert b.min_.loc["pooled"].tolist() == [2.0, 10.0, 1.0]
    assert b.max_.loc["pooled"].tolist() == [10.0, 50.0, 5.0]
    assert b.weights_["indicator"].tolist() == ["x1", "x2", "x3"]
