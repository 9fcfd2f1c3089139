"""Agreement with pymcdm (the peer) where conventions coincide, and where they differ.

Peer: pymcdm (PyPI, tested with 1.4.0): ``pymcdm.weights.entropy_weights``,
``critic_weights`` and ``pymcdm.methods.TOPSIS``. Conventions read from its source:

- ``entropy_weights(matrix)`` sum-normalises the columns it is given (p = x / Σx, no
  direction) and refuses zeros (``sum_normalization`` needs x > 0) — cityres uses
  0·ln 0 = 0, so min–max x' (which has a zero per column) needs no shift. On a matrix
  without zeros, our p_ij from x' equals pymcdm's when pymcdm is given
  the same x' (or, for the array function, the same raw matrix).
- ``critic_weights(matrix)`` min–max normalises every column as a *profit* criterion and
  uses the sample std (ddof = 1). cityres correlates the direction-aligned x', so pymcdm
  must be given x' (its own min–max of x' is x' again) or the raw matrix with cost
  columns negated. Weights do not depend on the ddof.
- ``TOPSIS(normalization)`` normalises with direction, weights, takes the column max / min
  as the ideals and Euclidean distances: the same as cityres on one year with the same
  normalisation (min–max; vector with 1 − x/‖x‖ for cost criteria, as cityres).

Data: the SIMULATED yrd_sim panel, one year (2019), 41 cities (no zero raw values in the
digital-economy and urban-resilience indicators).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import cityres
from cityres.indices import build_index, critic_weights, entropy_weights, load_system

pymcdm = pytest.importorskip("pymcdm")
from pymcdm import normalizations as pn  # noqa: E402
from pymcdm import weights as pw  # noqa: E402
from pymcdm.methods import TOPSIS  # noqa: E402

TOL = 1e-10


@pytest.fixture(scope="module")
def year_panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim").select(years=[2019])


def _raw(panel: cityres.CityPanel, system: str) -> tuple[np.ndarray, np.ndarray]:
    s = load_system(system)
    return panel.data[s.columns].to_numpy(dtype=float), s.directions.to_numpy()


def test_entropy_array_function_equals_pymcdm_on_raw(year_panel: cityres.CityPanel) -> None:
    x, _ = _raw(year_panel, "digital_economy")
    assert (x > 0).all()
    ours = entropy_weights(year_panel.data[load_system("digital_economy").columns])
    assert_allclose(ours["weight"], pw.entropy_weights(x), rtol=0, atol=TOL)


@pytest.mark.parametrize("system", ["digital_economy", "urban_resilience"])
def test_entropy_index_weights_equal_pymcdm_on_shifted_minmax(
    year_panel: cityres.CityPanel, system: str
) -> None:
    # shift 0.0001 removes the zeros of min–max x'; pymcdm then sees exactly our p_ij
    res = build_index(year_panel, system, shift=0.0001)
    xn = res.normalized.to_numpy()
    assert (xn > 0).all()
    assert_allclose(res.weights["weight"], pw.entropy_weights(xn), rtol=0, atol=TOL)


def test_entropy_zero_convention_differs_from_pymcdm(year_panel: cityres.CityPanel) -> None:
    # Without a shift each min–max column has a zero. pymcdm 1.4 refuses it (its
    # sum_normalization needs x > 0; older releases set e_j = 0 for such a column);
    # cityres uses 0·ln 0 = 0, the limit of p ln p as p -> 0: a vanishing shift converges.
    res = build_index(year_panel, "digital_economy")
    xn = res.normalized.to_numpy()
    assert (xn == 0).any(axis=0).all()
    with pytest.raises(ValueError, match="positive"):
        pw.entropy_weights(xn)
    tiny = build_index(year_panel, "digital_economy", shift=1e-12)
    assert_allclose(res.weights["weight"], tiny.weights["weight"], rtol=0, atol=1e-9)
    assert_allclose(
        tiny.weights["weight"], pw.entropy_weights(tiny.normalized.to_numpy()), rtol=0, atol=TOL
    )


@pytest.mark.parametrize("system", ["digital_economy", "urban_resilience", "economic_resilience"])
def test_critic_equals_pymcdm(year_panel: cityres.CityPanel, system: str) -> None:
    res = build_index(year_panel, system, weighting="critic")
    xn = res.normalized.to_numpy()
    assert_allclose(res.weights["weight"], pw.critic_weights(xn), rtol=0, atol=TOL)
    # equivalently: raw matrix with cost columns negated (pymcdm treats all as profit)
    x, d = _raw(year_panel, system)
    assert_allclose(res.weights["weight"], pw.critic_weights(x * d), rtol=0, atol=TOL)
    # and the array function on x'
    assert_allclose(critic_weights(res.normalized)["weight"], pw.critic_weights(xn), atol=TOL)


def test_critic_differs_from_pymcdm_on_raw_cost_columns(year_panel: cityres.CityPanel) -> None:
    # Given raw data with cost columns, pymcdm's profit-only min–max flips the sign of their
    # correlations, so the weights differ: the convention to align is stated above.
    res = build_index(year_panel, "urban_resilience", weighting="critic")
    x, _ = _raw(year_panel, "urban_resilience")
    assert np.abs(res.weights["weight"].to_numpy() - pw.critic_weights(x)).max() > 1e-3


@pytest.mark.parametrize("system", ["digital_economy", "urban_resilience"])
def test_topsis_minmax_equals_pymcdm(year_panel: cityres.CityPanel, system: str) -> None:
    res = build_index(year_panel, system, aggregate="topsis")  # entropy-TOPSIS
    x, d = _raw(year_panel, system)
    w = res.weights["weight"].to_numpy()
    theirs = TOPSIS(pn.minmax_normalization)(x, w, d)
    assert_allclose(res.scores, theirs, rtol=0, atol=TOL)
    # a shift moves every point and both ideals alike (only the entropy weights change)
    shifted = build_index(year_panel, system, aggregate="topsis", shift=0.0001)
    w_shifted = shifted.weights["weight"].to_numpy()
    assert np.abs(w_shifted - w).max() > 0  # the shift changes p_ij, hence the weights
    theirs_shifted = TOPSIS(pn.minmax_normalization)(x, w_shifted, d)
    assert_allclose(shifted.scores, theirs_shifted, rtol=0, atol=TOL)


@pytest.mark.parametrize("system", ["digital_economy", "urban_resilience"])
def test_topsis_vector_equals_pymcdm(year_panel: cityres.CityPanel, system: str) -> None:
    res = build_index(year_panel, system, normalize="vector", aggregate="topsis")
    x, d = _raw(year_panel, system)
    w = res.weights["weight"].to_numpy()
    theirs = TOPSIS(pn.vector_normalization)(x, w, d)
    assert_allclose(res.scores, theirs, rtol=0, atol=TOL)
    # and our vector x' equals pymcdm's column by column
    for j, col in enumerate(res.normalized.columns):
        assert_allclose(res.normalized[col], pn.vector_normalization(x[:, j], d[j] < 0), atol=TOL)
