"""ln|I − ρW| (``cityres.spatial.panel.logdet``) against the dense exact value.

Reference: ``numpy.linalg.slogdet`` of the dense ``I − ρW`` (LAPACK LU with partial
pivoting), computed in the test; the admissible interval against ``1/ω_min, 1/ω_max`` from
``numpy.linalg.eigvals`` of the dense ``W`` (real parts; the smallest real part for a
non-symmetric kNN ``W``).

Weights: the 48 US states (``cityres.datasets.weights("produc")``, row-standardised), the 41
YRD cities (queen contiguity of ``yrd_sim``, row-standardised), a 30 × 30 rook lattice
(row-standardised) and a 12 × 12 queen lattice left binary (symmetric, not standardised;
its interval is (−0.265, 0.131)), plus a row-standardised 4-nearest-neighbour ``W`` of the
YRD cities (not similar to a symmetric matrix: complex eigenvalues).

ρ: −0.9·|lower|, −0.3, 0, 0.3, 0.6, 0.95·upper of each ``LogDet``'s own ``bounds`` (for
the binary W, ±0.3 and 0.6 are multiplied by ``upper``).

Tolerances: ``eigen`` and ``lu``: 1e-10 relative (atol 1e-10). Approximations with their
defaults and seed 0 (measured over 40 seeds on these matrices, see docs/methods/logdet.md):
``chebyshev`` (q = 30, 50 probes) relative error ≤ 1e-5 for −0.3 ≤ ρ/upper ≤ 0.6 (measured
5.3e-6) and ≤ 5e-3 at the two ends (measured 2.7e-3); ``mc`` (m = 100, 50 probes) ≤ 1e-3
(measured 6.3e-4) and ≤ 1e-1 at the ends (measured 3.8e-2). Each approximation also lies
inside its own 99.9 % interval (``LogDet.interval``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import scipy.sparse as sp
from _panel_cases import matrix

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, WeightsError
from cityres.spatial import Weights
from cityres.spatial.panel import logdet as logdet_module
from cityres.spatial.panel import traces as traces_module
from cityres.spatial.panel.logdet import LogDet, admissible_bounds, make_logdet

NAMES = ("produc", "yrd", "lattice", "binary")


@cache
def eigenvalues(name: str) -> np.ndarray:
    return np.linalg.eigvals(matrix(name).toarray())


def exact(name: str, rho: float) -> float:
    W = matrix(name)
    sign, value = np.linalg.slogdet(np.eye(W.shape[0]) - rho * W.toarray())
    assert sign > 0
    return float(value)


def rhos(ld: LogDet) -> list[float]:
    lo, hi = ld.bounds
    scale = 1.0 if hi > 0.9 else hi
    return [-0.9 * abs(lo), -0.3 * scale, 0.0, 0.3 * scale, 0.6 * scale, 0.95 * hi]


@pytest.mark.parametrize("name", [*NAMES, "knn"])
@pytest.mark.parametrize("method", ["eigen", "lu"])
def test_exact_methods(name: str, method: str) -> None:
    ld = make_logdet(matrix(name), method=method)
    assert ld.method == method
    assert ld.n == matrix(name).shape[0]
    for rho in rhos(ld):
        np.testing.assert_allclose(ld(rho), exact(name, rho), rtol=1e-10, atol=1e-10)
    assert ld(0.0) == 0.0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("method", "inner", "ends"),
                         [("chebyshev", 1e-5, 5e-3), ("mc", 1e-3, 1e-1)])
def test_approximations(name: str, method: str, inner: float, ends: float) -> None:
    ld = make_logdet(matrix(name), method=method, seed=0)
    for i, rho in enumerate(rhos(ld)):
        ref = exact(name, rho)
        got = ld(rho)
        tol = ends if i in (0, 5) else inner
        assert abs(got - ref) <= tol * abs(ref) + 1e-12, (rho, got, ref)
        lo, hi = ld.interval(rho, 0.999)
        assert lo <= ref <= hi


def test_approximation_options_and_reproducibility() -> None:
    W = matrix("lattice")
    a = make_logdet(W, method="chebyshev", seed=3, order=40, probes=20)
    b = make_logdet(W, method="chebyshev", seed=3, order=40, probes=20)
    c = make_logdet(W, method="chebyshev", seed=4, order=40, probes=20)
    assert a.options["order"] == 40
    assert a.options["probes"] == 20
    assert a(0.7) == b(0.7)
    assert a(0.7) != c(0.7)
    rel = abs(a(0.7) - exact("lattice", 0.7)) / abs(exact("lattice", 0.7))
    assert rel < 1e-4
    m = make_logdet(W, method="mc", seed=np.random.SeedSequence(5))
    assert m.options["seed_entropy"] == 5
    lo, hi = m.interval(0.5)
    assert lo < m(0.5) < hi


@pytest.mark.parametrize("name", [*NAMES, "knn"])
def test_bounds_equal_dense_eigenvalues(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    re = eigenvalues(name).real
    expected = (1 / re.min(), 1 / re.max())
    ld = make_logdet(matrix(name), method="eigen")
    np.testing.assert_allclose(ld.bounds, expected, rtol=2e-8)
    assert expected[0] < ld.bounds[0] < 0 < ld.bounds[1] < expected[1]  # an open interval
    # the large-N route (row sums, bipartite check, ARPACK) gives the same interval
    monkeypatch.setattr(traces_module, "EIGEN_MAX_N", 1)
    monkeypatch.setattr(traces_module, "EIGEN_MAX_N_GENERAL", 1)
    large = admissible_bounds(matrix(name))
    np.testing.assert_allclose(large, expected, rtol=2e-8)
    assert expected[0] <= large[0] and large[1] <= expected[1]


def test_mc_bounds_are_where_the_series_converges() -> None:
    ld = make_logdet(matrix("produc"), method="mc", seed=0)
    assert ld.bounds[0] == pytest.approx(-1.0, abs=1e-7)  # lower of W is −1.39
    assert make_logdet(matrix("produc"), method="eigen").bounds[0] < -1.3


def test_auto_switch_points(monkeypatch: pytest.MonkeyPatch) -> None:
    W = matrix("lattice")
    assert make_logdet(W).method == "eigen"
    monkeypatch.setattr(traces_module, "EIGEN_MAX_N", 100)
    lu = make_logdet(W)
    assert lu.method == "lu"
    assert lu.options["auto"] is True
    monkeypatch.setattr(logdet_module, "LU_MAX_FILL", 10)
    assert make_logdet(W, seed=0).method == "chebyshev"
    monkeypatch.setattr(logdet_module, "LU_MAX_FILL", 40_000_000)
    monkeypatch.setattr(logdet_module, "LU_MAX_N", 100)
    assert make_logdet(W, seed=0).method == "chebyshev"


def test_grid_interpolation() -> None:
    W = matrix("lattice")
    eig = make_logdet(W, method="eigen")
    ld = make_logdet(W, method="lu", grid=60)
    lo, hi = ld.bounds
    for rho in np.linspace(0.95 * lo, 0.95 * hi, 23):
        assert abs(ld(rho) - eig(rho)) < 1e-7
        assert abs(ld.derivative(rho) - eig.derivative(rho)) < 1e-4
    np.testing.assert_allclose(ld(0.99 * hi), eig(0.99 * hi), rtol=1e-10)  # exact outside
    with pytest.raises(ArgumentError, match="derivative"):
        ld.derivative(0.99 * hi)


@pytest.mark.parametrize("name", ["produc", "binary", "knn"])
def test_derivative(name: str) -> None:
    W = matrix(name).toarray()
    eig = make_logdet(matrix(name), method="eigen")
    for rho in rhos(eig):
        G = np.linalg.solve(np.eye(W.shape[0]) - rho * W, W)
        np.testing.assert_allclose(eig.derivative(rho), -np.trace(G), rtol=1e-9, atol=1e-9)
    assert eig.has_derivative
    cheb = make_logdet(matrix(name), method="chebyshev", seed=0)
    G = np.linalg.solve(np.eye(W.shape[0]) - 0.3 * cheb.bounds[1] * W, W)
    assert cheb.derivative(0.3 * cheb.bounds[1]) == pytest.approx(-np.trace(G), rel=1e-3)
    lu = make_logdet(matrix(name), method="lu")
    assert not lu.has_derivative
    with pytest.raises(ArgumentError, match="g_traces"):
        lu.derivative(0.1 * lu.bounds[1])


def test_accepts_weights_arrays_and_islands() -> None:
    w = Weights.from_libpysal(cityres.datasets.weights("produc")).row_standardise()
    assert make_logdet(w)(0.5) == pytest.approx(exact("produc", 0.5), rel=1e-12)
    dense = matrix("yrd").toarray()
    assert make_logdet(dense, method="lu")(0.4) == pytest.approx(exact("yrd", 0.4), rel=1e-12)
    # an island (a zero row and column) adds a zero eigenvalue and changes nothing
    Wi = sp.block_diag([matrix("yrd"), sp.csr_array((1, 1))], format="csr")
    for method in ("eigen", "lu"):
        ld = make_logdet(Wi, method=method)
        assert ld(0.4) == pytest.approx(exact("yrd", 0.4), rel=1e-12)
    assert "lu" in make_logdet(Wi, method="lu").summary()


def test_user_bounds() -> None:
    ld = make_logdet(matrix("lattice"), method="lu", bounds=(-0.5, 0.5))
    assert ld.bounds == (-0.5, 0.5)
    with pytest.raises(ArgumentError, match="bounds"):
        make_logdet(matrix("lattice"), method="lu", bounds=(0.1, 0.5))


def test_bad_input() -> None:
    with pytest.raises(WeightsError, match="square"):
        make_logdet(sp.csr_array(np.ones((3, 4))))
    bad = matrix("yrd").toarray()
    bad[2, 5] = np.nan
    with pytest.raises(WeightsError, match=r"non-finite.*row 2, column 5"):
        make_logdet(bad)
    with pytest.raises(ArgumentTypeError, match="W must be"):
        make_logdet([[0, 1], [1, 0]])
    with pytest.raises(ArgumentError, match=r"'auto', 'eigen', 'lu', 'chebyshev' or 'mc'"):
        make_logdet(matrix("yrd"), method="cholesky")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="order applies"):
        make_logdet(matrix("yrd"), method="eigen", order=10)
    with pytest.raises(ArgumentError, match="grid applies"):
        make_logdet(matrix("yrd"), method="mc", grid=10)
    with pytest.raises(ArgumentError, match="probes must be an integer"):
        make_logdet(matrix("yrd"), method="mc", probes=1)
    with pytest.raises(WeightsError, match="no positive eigenvalue"):
        make_logdet(sp.csr_array((4, 4)))
    ld = make_logdet(matrix("produc"))
    with pytest.raises(ArgumentError, match=r"admissible interval \[-1.3923865\d*, 0.99999999"):
        ld(1.0)
    with pytest.raises(ArgumentError, match="admissible interval"):
        ld(-1.4)
    with pytest.raises(ArgumentError, match="admissible interval"):
        ld(float("nan"))
    with pytest.raises(ArgumentTypeError, match="real number"):
        ld("0.5")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="level"):
        ld.interval(0.5, level=1.5)


def test_user_bounds_wider_than_admissible_fail_loudly() -> None:
    # user bounds are trusted; "lu" notices only a negative determinant (an odd number of
    # eigenvalues 1/ω passed), the others any ρ beyond the spectrum
    for method in ("eigen", "chebyshev"):
        ld = make_logdet(matrix("lattice"), method=method, bounds=(-2.0, 2.0), seed=0)
        assert ld(np.float64(0.5)) == pytest.approx(exact("lattice", 0.5), rel=1e-3)
        assert ld(np.array(0.5)) == ld(0.5)
        with pytest.raises(ArgumentError, match="outside the admissible interval"):
            ld(1.5)
