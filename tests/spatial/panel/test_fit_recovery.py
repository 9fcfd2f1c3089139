"""Recovery of known parameters from simulated spatial panels with two-way fixed effects.

Reference: the parameters the data were simulated with (seeded, so every run is the same).
Panels on rook lattices (N = 144–324, T = 10–15, W row-standardised) with entity and
period effects correlated with X; each estimate must lie within 4 of its standard errors
of the truth and σ² within 15 %. The SAC information matrix (no splm reference) is also
checked against the numerical Hessian of the full log-likelihood (within 5 %).
"""

from __future__ import annotations

import numpy as np
import pytest
from _panel_cases import lattice

from cityres.spatial import Weights
from cityres.spatial.panel import SpatialPanelML, SpatialPanelResults, demean
from cityres.spatial.panel.ml import make_ld


def simulate(side: int, T: int, *, rho: float = 0.0, lam: float = 0.0,
             beta: tuple[float, ...] = (1.0, -0.5), theta: tuple[float, ...] = (0.0, 0.0),
             sigma: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """y = (I − ρW)^{-1} (Xβ + WXθ + α_i + μ_t + (I − λW)^{-1} ε), period by period."""
    W = lattice(side)
    N = W.shape[0]
    rng = np.random.default_rng(seed)
    alpha = rng.normal(size=(N, 1))
    mu = rng.normal(size=(1, T))
    X = rng.normal(size=(N, T, len(beta))) + 0.5 * alpha[:, :, None]
    WX = np.einsum("ij,jtk->itk", W, X)
    u = np.linalg.solve(np.eye(N) - lam * W, sigma * rng.normal(size=(N, T)))
    rhs = X @ np.array(beta) + WX @ np.array(theta) + alpha + mu + u
    y = np.linalg.solve(np.eye(N) - rho * W, rhs)
    return y, X, W


def check(res: SpatialPanelResults, truth: dict[str, float], sigma2: float = 1.0) -> None:
    z = (res.params[list(truth)] - np.array(list(truth.values()))) / res.std_errors[list(truth)]
    assert np.all(np.abs(z) < 4), z.to_dict()
    assert res.sigma2 == pytest.approx(sigma2, rel=0.15)


@pytest.mark.parametrize("rho", [-0.5, 0.0, 0.4, 0.9])
def test_sar(rho: float) -> None:
    y, X, W = simulate(15, 10, rho=rho, seed=1)
    res = SpatialPanelML(y, X, W, model="sar", effects="twoways").fit()
    check(res, {"x1": 1.0, "x2": -0.5, "rho": rho})


@pytest.mark.parametrize("rho", [-0.3, 0.6])
def test_sdm(rho: float) -> None:
    y, X, W = simulate(16, 12, rho=rho, theta=(0.5, 0.3), seed=2)
    res = SpatialPanelML(y, X, W, model="sdm", effects="twoways", lee_yu=True).fit()
    check(res, {"x1": 1.0, "x2": -0.5, "W_x1": 0.5, "W_x2": 0.3, "rho": rho})


@pytest.mark.parametrize("lam", [-0.4, 0.5, 0.85])
def test_sem(lam: float) -> None:
    y, X, W = simulate(16, 10, lam=lam, seed=3)
    res = SpatialPanelML(y, X, W, model="sem", effects="twoways").fit()
    check(res, {"x1": 1.0, "x2": -0.5, "lambda": lam})


def test_sdem() -> None:
    y, X, W = simulate(16, 12, lam=0.4, theta=(-0.4, 0.6), seed=4)
    res = SpatialPanelML(y, X, W, model="sdem", effects="twoways").fit()
    check(res, {"x1": 1.0, "x2": -0.5, "W_x1": -0.4, "W_x2": 0.6, "lambda": 0.4})


def test_slx() -> None:
    y, X, W = simulate(12, 10, theta=(0.7, -0.2), seed=5)
    res = SpatialPanelML(y, X, W, model="slx", effects="twoways").fit()
    check(res, {"x1": 1.0, "x2": -0.5, "W_x1": 0.7, "W_x2": -0.2})
    assert "rho" not in res.params and "lambda" not in res.params
    assert res.logdet_method == "none"


@pytest.mark.parametrize(("rho", "lam"), [(0.4, 0.3), (-0.3, 0.5)])
def test_sac(rho: float, lam: float) -> None:
    y, X, W = simulate(18, 15, rho=rho, lam=lam, seed=6)
    res = SpatialPanelML(y, X, W, model="sac", effects="twoways").fit()
    check(res, {"x1": 1.0, "x2": -0.5, "rho": rho, "lambda": lam})


def test_no_effects_with_intercept() -> None:
    y, X, W = simulate(12, 10, rho=0.3, seed=7)
    res = SpatialPanelML(y + 2.0, X, W, model="sar", effects="none").fit()
    assert list(res.params.index) == ["const", "x1", "x2", "rho"]
    # α_i, μ_t are now part of the error: only check the slopes and ρ loosely
    assert res.params["x1"] == pytest.approx(1.0, abs=0.3)


@pytest.mark.parametrize("effects", ["individual", "time"])
def test_one_way_effects(effects: str) -> None:
    y, X, W = simulate(15, 10, rho=0.5, seed=8)
    if effects == "individual":  # no period effects in these data
        y = y - demean(y, "individual") + demean(y, "twoways")
    res = SpatialPanelML(y, X, W, model="sar", effects="twoways").fit()
    check(res, {"x1": 1.0, "x2": -0.5, "rho": 0.5})


def full_loglik(y: np.ndarray, X: np.ndarray, W: np.ndarray):  # type: ignore[no-untyped-def]
    """ℓ(β, ρ, λ, σ²) of the demeaned SAC panel (the function the information matrix is
    the expected negative Hessian of), as a function of the parameter vector."""
    N, T, k = X.shape
    ys, Xs = demean(y, "twoways"), demean(X, "twoways")
    ld = make_ld(Weights(W, [str(i) for i in range(N)]).sparse, "auto")
    eye = np.eye(N)

    def ell(p: np.ndarray) -> float:
        beta, rho, lam, s2 = p[:k], p[k], p[k + 1], p[k + 2]
        e = (eye - lam * W) @ ((eye - rho * W) @ ys - Xs @ beta)
        return float(T * (ld(rho) + ld(lam)) - N * T / 2 * np.log(2 * np.pi * s2)
                     - (e * e).sum() / (2 * s2))

    return ell


def test_sac_information_matches_numerical_hessian() -> None:
    y, X, W = simulate(15, 15, rho=0.3, lam=0.4, seed=9)
    res = SpatialPanelML(y, X, W, model="sac", effects="twoways").fit()
    p = np.array([*res.params.to_numpy(), res.sigma2])
    ell = full_loglik(y, X, W)
    h = np.array([1e-4, 1e-4, 1e-4, 1e-4, 1e-6])
    H = np.empty((p.size, p.size))
    for i in range(p.size):
        for j in range(p.size):
            def f(a: float, b: float, i: int = i, j: int = j) -> float:
                q = p.copy()
                q[i] += a
                q[j] += b
                return ell(q)
            H[i, j] = (f(h[i], h[j]) - f(h[i], -h[j]) - f(-h[i], h[j])
                       + f(-h[i], -h[j])) / (4 * h[i] * h[j])
    se_numeric = np.sqrt(np.diag(np.linalg.inv(-H)))[:-1]
    np.testing.assert_allclose(res.std_errors.to_numpy(), se_numeric, rtol=0.05)
