"""``lee_yu="transformation"``: Lee & Yu's (2010) transformation approach.

References used here:

* individual effects: Lee & Yu (2010, section 3) show that the transformation approach
  gives the direct approach's β̂ and ρ̂ with σ̂² = e'e/(N(T−1)); tested against
  ``lee_yu=False`` at 1e-10 (and, as the two coincide, against splm's ``LeeYu=TRUE``);
* an independent implementation: the panel multiplied explicitly by orthonormal bases
  ``F_{N,N−1}`` and ``F_{T,T−1}`` of ``1⊥`` (``y*_t = F_N' y F_T``, ``W* = F_N' W F_N``)
  and fitted by a plain profile likelihood with ``numpy.linalg.slogdet``; estimates within
  1e-6, the log-likelihood within 1e-6 absolute;
* the information matrix against the numerical Hessian (central differences) of the
  *expected* full log-likelihood of that explicit transformed model, computed in closed
  form (Gaussian quadratic forms), at the true parameters: entries scaled by
  ``sqrt(I_ii I_jj)`` within 1e-5. The observed Hessian of one sample differs from the
  expected information by sampling noise, so that check (standard errors) is at 5 %;
* Produc, two-way SDM (N = 48, T = 17): ρ̂ = 0.36885 (no correction), 0.36880 (splm's
  ``LeeYu=TRUE``), 0.41240 (transformation; Elhorst's ``info.bc`` bias correction of the
  direct approach gives 0.4100); σ̂² = 9.192e-4, 8.681e-4, 9.889e-4. The literature
  (Lee & Yu 2010, Elhorst 2014 ch. 3) reports that the correction raises ρ̂ and σ̂²;
* the slow simulation: coverage of 95 % intervals and σ² bias on two-way SDM panels.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
import scipy.sparse as sp
from _panel_cases import FORMULA, lattice, panel, weights
from scipy.optimize import minimize_scalar

import cityres
from cityres._shared.errors import ArgumentError, WeightsError
from cityres.spatial import Weights
from cityres.spatial.panel import SpatialPanelML, SpatialPanelResults, demean, fit_panel
from cityres.spatial.panel.transform import lag
from cityres.spatial.panel.variance import information_transformation


@cache
def fit(model: str, effects: str, lee_yu: bool | str) -> SpatialPanelResults:
    return fit_panel(FORMULA, panel(), w=weights(), model=model, effects=effects,
                     lee_yu=lee_yu)


def basis(n: int) -> np.ndarray:
    """Orthonormal ``n × (n − 1)`` basis of the vectors summing to zero (``F F' = J_n``)."""
    q = np.linalg.qr(np.column_stack([np.ones(n), np.eye(n)[:, : n - 1]]))[0]
    return q[:, 1:]


def transformed(a: np.ndarray, effects: str) -> np.ndarray:
    """``F_N' a_{·,·,j} F_T`` for each regressor (or the response)."""
    N, T = a.shape[:2]
    FN = basis(N) if effects in ("time", "twoways") else np.eye(N)
    FT = basis(T) if effects in ("individual", "twoways") else np.eye(T)
    return np.einsum("ia,it...,tb->ab...", FN, a, FT)


# ----------------------------------------------------------------- individual effects
@pytest.mark.parametrize("model", ["sar", "sdm", "sem", "sac"])
def test_individual_effects_identity(model: str) -> None:
    """β̂, ρ̂/λ̂ as the direct approach, σ̂² = e'e/(N(T−1)), likelihood with N(T−1), T−1."""
    direct, tr = fit(model, "individual", False), fit(model, "individual", "transformation")
    N, T = 48, 17
    np.testing.assert_allclose(tr.params.to_numpy(), direct.params.to_numpy(), rtol=1e-10,
                               atol=1e-13)
    sse = direct.sigma2 * N * T
    assert tr.sigma2 == pytest.approx(sse / (N * (T - 1)), rel=1e-10)
    logdet_part = (direct.loglik + N * T / 2 * (np.log(2 * np.pi * direct.sigma2) + 1)) / T
    expected = (T - 1) * logdet_part - N * (T - 1) / 2 * (np.log(2 * np.pi * tr.sigma2) + 1)
    assert tr.loglik == pytest.approx(expected, rel=1e-10)
    # for individual effects splm's LeeYu=TRUE is the transformation approach
    splm = fit(model, "individual", True)
    np.testing.assert_allclose(tr.std_errors.to_numpy(), splm.std_errors.to_numpy(),
                               rtol=1e-10)
    assert tr.sigma2 == pytest.approx(splm.sigma2, rel=1e-10)
    assert tr.lee_yu == "transformation" and splm.lee_yu == "splm"


# ----------------------------------------------------------------- explicit transformation
def profile_fit(y: np.ndarray, Z: np.ndarray, W: np.ndarray, family: str,
                ) -> tuple[float, np.ndarray, float, float]:
    """Plain ML of the transformed panel (no effects): ``(a, β, σ², loglik)``."""
    n, Te, k = Z.shape
    eye = np.eye(n)

    def parts(a: float) -> tuple[np.ndarray, float]:
        A = eye - a * W
        if family == "lag":
            lhs, rhs = (A @ y).reshape(-1), Z.reshape(-1, k)
        else:
            lhs, rhs = (A @ y).reshape(-1), np.einsum("ij,jtk->itk", A, Z).reshape(-1, k)
        beta = np.linalg.lstsq(rhs, lhs, rcond=None)[0]
        e = lhs - rhs @ beta
        return beta, float(e @ e)

    def conc(a: float) -> float:
        return -n * Te / 2 * np.log(parts(a)[1]) + Te * np.linalg.slogdet(eye - a * W)[1]

    a = float(minimize_scalar(lambda x: -conc(x), bounds=(-0.95, 0.95), method="bounded",
                              options={"xatol": 1e-12}).x)
    beta, sse = parts(a)
    s2 = sse / (n * Te)
    ll = Te * np.linalg.slogdet(eye - a * W)[1] - n * Te / 2 * (np.log(2 * np.pi * s2) + 1)
    return a, beta, s2, float(ll)


@pytest.mark.parametrize(("model", "effects"), [("sdm", "twoways"), ("sdm", "time"),
                                                ("sem", "twoways"), ("sar", "time")])
def test_matches_explicitly_transformed_panel(model: str, effects: str) -> None:
    res = fit(model, effects, "transformation")
    df = panel().data
    ids, W = res.weights.ids, res.weights.sparse.toarray()
    cols = list(res.exog_names)
    wide = {c: df[c].unstack().loc[list(ids)].to_numpy() for c in ["ln_gsp", *cols]}
    X = np.stack([wide[c] for c in cols], axis=2)
    if model == "sdm":
        X = np.concatenate([X, lag(W, X)], axis=2)
    FN = basis(len(ids)) if effects in ("time", "twoways") else np.eye(len(ids))
    a, beta, s2, ll = profile_fit(transformed(wide["ln_gsp"], effects), transformed(X, effects),
                                  FN.T @ W @ FN, "lag" if model != "sem" else "error")
    name = "lambda" if model == "sem" else "rho"
    assert res.params[name] == pytest.approx(a, abs=1e-6)
    np.testing.assert_allclose(res.params.drop(name).to_numpy(), beta, rtol=1e-6, atol=1e-8)
    assert res.sigma2 == pytest.approx(s2, rel=1e-6)
    assert res.loglik == pytest.approx(ll, abs=1e-6)


def test_produc_twoways_sdm_moves_rho_up() -> None:
    direct, splm, tr = (fit("sdm", "twoways", ly) for ly in (False, True, "transformation"))
    assert direct.params["rho"] == pytest.approx(0.36885, abs=1e-5)
    assert abs(splm.params["rho"] - direct.params["rho"]) < 1e-4
    assert tr.params["rho"] == pytest.approx(0.41240, abs=1e-5)
    assert tr.sigma2 == pytest.approx(9.889e-4, rel=1e-3)
    assert splm.sigma2 < direct.sigma2 < tr.sigma2
    assert fit("sdm", "twoways", "splm").params.equals(splm.params)
    assert "transformed panel" in tr.summary()


# ----------------------------------------------------------------- information matrix
def expected_loglik(W: np.ndarray, Z: np.ndarray, family: str, effects: str,
                    theta0: np.ndarray) -> Callable[[np.ndarray], float]:
    """θ ↦ E_θ0 ℓ(θ) of the explicitly transformed panel, θ = (σ², [ρ], [λ], β)."""
    N = W.shape[0]
    FN = basis(N) if effects in ("time", "twoways") else np.eye(N)
    Ws, Zs = FN.T @ W @ FN, transformed(Z, effects)
    n, Te, _ = Zs.shape
    eye = np.eye(n)
    has_rho, has_lam = family in ("lag", "sac"), family in ("error", "sac")

    def unpack(t: np.ndarray) -> tuple[float, float, float, np.ndarray]:
        j = 1 + has_rho + has_lam
        return (float(t[0]), float(t[1]) if has_rho else 0.0,
                float(t[1 + has_rho]) if has_lam else 0.0, t[j:])

    s20, rho0, lam0, beta0 = unpack(theta0)
    S0i = np.linalg.inv(eye - rho0 * Ws)
    m0 = S0i @ (Zs @ beta0)
    B0 = S0i @ np.linalg.inv(eye - lam0 * Ws)

    def ell(t: np.ndarray) -> float:
        s2, rho, lam, beta = unpack(t)
        S, R = eye - rho * Ws, eye - lam * Ws
        mean = R @ (S @ m0 - Zs @ beta)
        A = R @ S @ B0
        eee = float(np.sum(mean ** 2)) + Te * s20 * float(np.sum(A ** 2))
        return (-n * Te / 2 * np.log(2 * np.pi * s2) - eee / (2 * s2)
                + Te * (np.linalg.slogdet(S)[1] + np.linalg.slogdet(R)[1]))

    return ell


def numerical_hessian(f: Callable[[np.ndarray], float], p: np.ndarray,
                      h: np.ndarray) -> np.ndarray:
    H = np.empty((p.size, p.size))
    for i in range(p.size):
        for j in range(i, p.size):
            def g(a: float, b: float, i: int = i, j: int = j) -> float:
                q = p.copy()
                q[i] += a
                q[j] += b
                return f(q)
            H[i, j] = H[j, i] = (g(h[i], h[j]) - g(h[i], -h[j]) - g(-h[i], h[j])
                                 + g(-h[i], -h[j])) / (4 * h[i] * h[j])
    return H


@pytest.mark.parametrize(("family", "effects"), [
    ("lag", "twoways"), ("lag", "time"), ("lag", "individual"), ("error", "twoways"),
    ("error", "time"), ("sac", "twoways")])
def test_information_is_expected_negative_hessian(family: str, effects: str) -> None:
    N, T = 49, 6
    W = lattice(7)
    rng = np.random.default_rng(11)
    X = rng.normal(size=(N, T, 2)) + rng.normal(size=(N, 1, 1))
    Z = np.concatenate([X, lag(W, X)], axis=2)
    beta, s2, rho, lam = np.array([1.0, -0.5, 0.4, 0.2]), 1.3, 0.45, 0.3
    theta = np.array([s2, *([rho] if family in ("lag", "sac") else []),
                      *([lam] if family in ("error", "sac") else []), *beta])
    Te = T if effects == "time" else T - 1
    ne = Te * (N if effects == "individual" else N - 1)
    info = information_transformation(
        family, sp.csr_array(W), demean(Z, effects), beta, rho=rho, lam=lam, sigma2=s2,
        T_eff=Te, n_eff=ne, center=effects != "individual")
    H = numerical_hessian(expected_loglik(W, Z, family, effects, theta), theta,
                          np.full(theta.size, 1e-4))
    d = np.sqrt(np.diag(info))
    np.testing.assert_allclose((-H) / np.outer(d, d), info / np.outer(d, d), atol=1e-5)


def test_standard_errors_near_observed_hessian() -> None:
    """Observed information (numerical Hessian of this sample's full log-likelihood at the
    estimates) and the expected information give standard errors within 5 %."""
    side, T = 12, 8
    W = lattice(side)
    N = side * side
    rng = np.random.default_rng(5)
    X = rng.normal(size=(N, T, 2))
    y = np.linalg.solve(np.eye(N) - 0.4 * W, X @ np.array([1.0, -0.5])
                        + lag(W, X) @ np.array([0.3, 0.2]) + rng.normal(size=(N, 1))
                        + rng.normal(size=(1, T)) + rng.normal(size=(N, T)))
    res = SpatialPanelML(y, X, W, model="sdm", effects="twoways",
                         lee_yu="transformation").fit()
    FN, FT = basis(N), basis(T)
    Ws = FN.T @ W @ FN
    ys = FN.T @ y @ FT
    Zs = transformed(np.concatenate([X, lag(W, X)], axis=2), "twoways")
    n, Te = N - 1, T - 1
    eye = np.eye(n)

    def ell(p: np.ndarray) -> float:
        beta, rho, s2 = p[:4], p[4], p[5]
        e = (eye - rho * Ws) @ ys - Zs @ beta
        return float(Te * np.linalg.slogdet(eye - rho * Ws)[1]
                     - n * Te / 2 * np.log(2 * np.pi * s2) - (e * e).sum() / (2 * s2))

    p = np.array([*res.params.to_numpy(), res.sigma2])
    H = numerical_hessian(ell, p, np.array([1e-4] * 5 + [1e-6]))
    se = np.sqrt(np.diag(np.linalg.inv(-H)))[:-1]
    np.testing.assert_allclose(res.std_errors.to_numpy(), se, rtol=0.05)


# ----------------------------------------------------------------- options and errors
def test_options_and_errors() -> None:
    with pytest.raises(ArgumentError, match="lee_yu must be True, False, 'splm' or "
                                            "'transformation'; got 'bias'"):
        fit_panel(FORMULA, panel(), w=weights(), lee_yu="bias")
    binary = Weights.from_libpysal(cityres.datasets.weights("produc"))
    with pytest.raises(WeightsError, match="needs row-standardised weights"):
        fit_panel(FORMULA, panel(), w=binary, effects="time", lee_yu="transformation")
    res = fit_panel(FORMULA, panel(), w=binary, model="sar", effects="individual",
                    lee_yu="transformation")  # no time transformation: any W
    assert res.lee_yu == "transformation"


# ----------------------------------------------------------------- simulation
def coverage_table(side: int = 12, Ts: tuple[int, ...] = (5, 10), reps: int = 200,
                   rho: float = 0.4) -> dict[tuple[int, str], dict[str, float]]:
    """Coverage of the 95 % intervals of ρ and the β's and mean σ̂²/σ² of two-way SDM panels
    (σ² = 1, fixed effects correlated with X), for lee_yu False, "splm", "transformation"."""
    W = lattice(side)
    N = side * side
    truth = np.array([1.0, -0.5, 0.3, 0.2, rho])
    S_inv = np.linalg.inv(np.eye(N) - rho * W)
    out: dict[tuple[int, str], dict[str, float]] = {}
    for T in Ts:
        rng = np.random.default_rng(2024 + T)
        hits = {m: np.zeros(5) for m in ("none", "splm", "transformation")}
        s2 = {m: 0.0 for m in hits}
        for _ in range(reps):
            alpha, mu = rng.normal(size=(N, 1)), rng.normal(size=(1, T))
            X = rng.normal(size=(N, T, 2)) + 0.5 * alpha[:, :, None]
            y = S_inv @ (X @ truth[:2] + lag(W, X) @ truth[2:4] + alpha + mu
                         + rng.normal(size=(N, T)))
            for m in hits:
                r = SpatialPanelML(y, X, W, model="sdm", effects="twoways",
                                   lee_yu=False if m == "none" else m).fit()
                ci = r.conf_int().to_numpy()
                hits[m] += (ci[:, 0] <= truth) & (truth <= ci[:, 1])
                s2[m] += r.sigma2
        for m in hits:
            cov = hits[m] / reps
            out[(T, m)] = {"rho": float(cov[4]), "beta_min": float(cov[:4].min()),
                           "beta_mean": float(cov[:4].mean()), "sigma2_ratio": s2[m] / reps}
    return out


@pytest.mark.slow
def test_coverage_two_way_sdm() -> None:
    """Measured (200 replications, 12 × 12 lattice, ρ = 0.4; ~19 s):

    ======  ===============  =====  =======================  ========
    T       lee_yu           ρ      β (min / mean of 4)      σ̂²/σ²
    ======  ===============  =====  =======================  ========
    5       False            0.925  0.880 / 0.906            0.790
    5       "splm"           0.945  0.860 / 0.890            0.659
    5       "transformation" 0.970  0.915 / 0.939            0.992
    10      False            0.895  0.905 / 0.920            0.895
    10      "splm"           0.915  0.890 / 0.915            0.814
    10      "transformation" 0.945  0.920 / 0.939            0.998
    ======  ===============  =====  =======================  ========

    A coverage from 200 replications has a Monte Carlo standard error of 0.015, so the
    smallest of four β coverages falls below 0.92 about one time in ten even at the nominal
    0.95 (1,000 replications at T = 5 gave 0.941–0.959 for every β). Hence: ρ and the mean
    β coverage ≥ 0.92, every β ≥ 0.90 (3 standard errors), σ̂²/σ² within 3 %
    (σ̂² = e'e/n* has a relative bias of about −(k + 1)/n* ≈ −1 % at T = 5).
    """
    table = coverage_table()
    for T in (5, 10):
        t = table[(T, "transformation")]
        assert t["rho"] >= 0.92 and t["beta_mean"] >= 0.92, (T, t)
        assert t["beta_min"] >= 0.90, (T, t)
        assert abs(t["sigma2_ratio"] - 1) < 0.03, (T, t)
        assert table[(T, "splm")]["sigma2_ratio"] < 0.85  # what the option is for
