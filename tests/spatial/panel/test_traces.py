"""Traces of ``G = W(I − ρW)^{-1}`` and of powers of ``W`` (``cityres.spatial.panel.traces``).

References, computed in the test from the dense ``W``:

* ``g_traces`` exact: ``G = W @ inv(I − ρW)`` (``numpy.linalg.inv``), then ``tr G``,
  ``Σ G∘G`` and ``Σ G∘Gᵀ``; also ``tr G = Σ ω/(1 − ρω)`` and ``tr G² = Σ (ω/(1 − ρω))²``
  from the eigenvalues. Tolerance 1e-10 relative (atol 1e-10).
* ``g_traces`` stochastic (100 probes, seed 0): within 4 of its own standard errors of the
  exact value (measured over 20 seeds × 4 ρ × 5 matrices: at most 2.8), identical for the
  same seed.
* ``power_traces`` exact: ``trace(W^k)/N`` by repeated dense products, within
  ``1e-12·ρ(W)^k`` (measured 4e-15); Monte Carlo (100 probes): within ``0.3·ρ(W)^k/√N``
  (measured at most ``0.07·ρ(W)^k/√N`` over 20 seeds), exactly equal for ``k ≤ 8``.

Weights as in ``test_logdet.py`` (US states, YRD queen, 30 × 30 rook lattice, a binary
12 × 12 queen lattice, a 4-nearest-neighbour YRD ``W`` with complex eigenvalues).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import scipy.sparse as sp
from _panel_cases import matrix

from cityres._shared.errors import ArgumentError, WeightsError
from cityres.spatial.panel.logdet import admissible_bounds
from cityres.spatial.panel.traces import (
    g_traces,
    low_order_traces,
    power_traces,
    symmetric_form,
    symmetric_scaling,
)

NAMES = ("produc", "yrd", "lattice", "binary", "knn")


@cache
def rhos_of(name: str) -> list[float]:
    lo, hi = admissible_bounds(matrix(name))
    return [-0.9 * abs(lo), 0.3 * hi, 0.6 * hi, 0.95 * hi]


def dense_traces(name: str, rho: float) -> dict[str, float]:
    W = matrix(name).toarray()
    G = W @ np.linalg.inv(np.eye(W.shape[0]) - rho * W)
    return {"trG": float(np.trace(G)), "trGtG": float(np.sum(G * G)),
            "trG2": float(np.sum(G * G.T))}


@pytest.mark.parametrize("name", NAMES)
def test_g_traces_exact(name: str) -> None:
    ev = np.linalg.eigvals(matrix(name).toarray())
    for rho in rhos_of(name):
        got = g_traces(matrix(name), rho, method="exact")
        ref = dense_traces(name, rho)
        for key in ("trG", "trGtG", "trG2"):
            np.testing.assert_allclose(got[key], ref[key], rtol=1e-10, atol=1e-10)
            assert got[f"se_{key}"] == 0.0
        g = ev / (1 - rho * ev)
        np.testing.assert_allclose(got["trG"], np.sum(g).real, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(got["trG2"], np.sum(g**2).real, rtol=1e-9, atol=1e-9)
    assert g_traces(matrix(name), 0.1 * rhos_of(name)[1])["se_trG"] == 0.0  # auto → exact


@pytest.mark.parametrize("name", NAMES)
def test_g_traces_stochastic(name: str) -> None:
    W = matrix(name)
    for rho in rhos_of(name):
        got = g_traces(W, rho, method="stochastic", seed=0)
        ref = dense_traces(name, rho)
        for key in ("trG", "trGtG", "trG2"):
            assert got[f"se_{key}"] > 0
            assert abs(got[key] - ref[key]) <= 4 * got[f"se_{key}"], (key, rho)
    again = g_traces(W, rhos_of(name)[2], method="stochastic", seed=0)
    assert again == g_traces(W, rhos_of(name)[2], method="stochastic", seed=0)
    other = g_traces(W, rhos_of(name)[2], method="stochastic", seed=1)
    assert other["trG"] != again["trG"]


def test_g_traces_stochastic_relative_accuracy() -> None:
    # 30 × 30 lattice at ρ = 0.6: with the control variates 100 probes give se ≈ 0.2 % (N = 900)
    ref = dense_traces("lattice", 0.6)
    got = g_traces(matrix("lattice"), 0.6, method="stochastic", seed=0,
                   bounds=admissible_bounds(matrix("lattice")))
    for key in ("trG", "trGtG", "trG2"):
        assert got[key] == pytest.approx(ref[key], rel=5e-3)
        assert got[f"se_{key}"] < 3e-3 * ref[key]


def dense_powers(name: str, order: int) -> np.ndarray:
    W = matrix(name).toarray()
    P = np.eye(W.shape[0])
    out = [1.0]
    for _ in range(order):
        P = P @ W
        out.append(np.trace(P) / W.shape[0])
    return np.asarray(out)


@pytest.mark.parametrize("name", NAMES)
def test_power_traces(name: str) -> None:
    order = 24 if name == "lattice" else 40  # dense 900 × 900 products are the slow part
    W = matrix(name)
    n = W.shape[0]
    scale = np.max(np.abs(np.linalg.eigvals(W.toarray()))) ** np.arange(order + 1)
    ref = dense_powers(name, order)
    got = power_traces(W, order, method="exact")
    assert got.shape == (order + 1,)
    assert got[0] == 1.0
    assert abs(got[1]) < 1e-15  # zero diagonal
    assert np.all(np.abs(got - ref) <= 1e-12 * scale)
    np.testing.assert_allclose(power_traces(W, order), got, rtol=0, atol=0)  # auto → exact
    mc = power_traces(W, order, method="mc", seed=0)
    assert np.all(np.abs(mc - ref) <= 0.3 * scale / np.sqrt(n))
    np.testing.assert_allclose(mc[:9], ref[:9], rtol=1e-10, atol=1e-14)
    assert np.array_equal(mc, power_traces(W, order, method="mc", seed=0))


def test_low_order_traces_and_symmetric_form() -> None:
    for name in NAMES:
        W = matrix(name)
        np.testing.assert_allclose(low_order_traces(W) / W.shape[0], dense_powers(name, 8),
                                   rtol=1e-10, atol=1e-14)
        s = symmetric_scaling(W)
        assert (s is None) == (name == "knn")
        if s is not None:
            S = symmetric_form(W, s).toarray()
            np.testing.assert_array_equal(S, S.T)
            np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(S)),
                                       np.sort(np.linalg.eigvals(W.toarray()).real), atol=1e-10)


def test_bad_input() -> None:
    with pytest.raises(WeightsError, match="square"):
        g_traces(sp.csr_array(np.ones((3, 4))), 0.1)
    bad = matrix("yrd").toarray()
    bad[0, 1] = np.inf
    with pytest.raises(WeightsError, match="non-finite"):
        power_traces(bad)
    with pytest.raises(ArgumentError, match="admissible interval"):
        g_traces(matrix("yrd"), 1.0)
    with pytest.raises(ArgumentError, match=r"'auto', 'exact' or 'stochastic'"):
        g_traces(matrix("yrd"), 0.1, method="dense")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"'auto', 'exact' or 'mc'"):
        power_traces(matrix("yrd"), method="series")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="order must be an integer"):
        power_traces(matrix("yrd"), 0)
    with pytest.raises(ArgumentError, match="probes must be an integer"):
        g_traces(matrix("yrd"), 0.1, probes=1)
