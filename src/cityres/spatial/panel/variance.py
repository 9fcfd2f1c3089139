"""Information matrices of the spatial panel ML estimators, and splm's Lee–Yu correction.

Parameters are ordered ``(σ², ρ, λ, β)`` with absent spatial parameters left out: lag
models (SAR, SDM) ``(σ², ρ, β)``, error models (SEM, SDEM) ``(σ², λ, β)``, SAC
``(σ², ρ, λ, β)``. ``Z`` is the demeaned design (``N × T × k``, lagged regressors
included), ``W`` the ``N × N`` weights, ``G = W (I − ρW)^{-1}``, ``H = W (I − λW)^{-1}``,
``R = I − λW``; every product with ``G`` or ``H`` is a sparse LU solve per period, so no
dense inverse is formed except for the exact traces of small ``N``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from cityres.spatial.panel.traces import g_traces
from cityres.spatial.panel.transform import lag

#: The SAC cross traces are exact (dense inverse) up to this many units; above, Hutchinson.
DENSE_TRACE_MAX_N = 2000
#: Rademacher probes of the Hutchinson estimator of the SAC cross traces for large N.
CROSS_TRACE_PROBES = 200


class Filter:
    """``(I − aW)^{-1}`` by a sparse LU, with ``g``: ``G = W (I − aW)^{-1}`` and ``gt``: ``G'``."""

    def __init__(self, W: sp.csr_array, a: float) -> None:
        n = W.shape[0]
        self.W = W
        self.lu = spla.splu(sp.csc_matrix(sp.identity(n, format="csc") - a * W))

    def inv(self, V: np.ndarray) -> np.ndarray:
        """``(I − aW)^{-1} V`` for an ``N × m`` (or ``N``) array."""
        return np.asarray(self.lu.solve(np.asarray(V, dtype=np.float64)))

    def g(self, V: np.ndarray) -> np.ndarray:
        """``W (I − aW)^{-1} V`` (equal to ``(I − aW)^{-1} W V``)."""
        return np.asarray(self.W @ self.inv(V))

    def gt(self, V: np.ndarray) -> np.ndarray:
        """``G' V = (I − aW)^{-T} W' V``."""
        return np.asarray(self.lu.solve(np.asarray(self.W.T @ V, dtype=np.float64), trans="T"))


def traces(W: sp.csr_array, a: float,
           bounds: tuple[float, float] | None = None) -> dict[str, float]:
    """``tr(G)``, ``tr(G'G)``, ``tr(G²)`` for ``G = W (I − aW)^{-1}``.

    From :func:`cityres.spatial.panel.traces.g_traces`: exact for ``N ≤ 2,000``, above
    Hutchinson estimates with control variates (100 probes, seed 0 so that fits repeat).
    """
    out = g_traces(W, a, method="auto", seed=0, bounds=bounds)
    return {k: float(out[k]) for k in ("trG", "trGtG", "trG2")}


def cross_traces(W: sp.csr_array, rho: float, lam: float) -> tuple[float, float]:
    """``tr(H'G)`` and ``tr(HG)`` for the SAC information matrix.

    Exact (dense) up to ``DENSE_TRACE_MAX_N`` units; above, Hutchinson estimates with
    ``CROSS_TRACE_PROBES`` Rademacher probes (seed 0): ``tr(A) ≈ mean(z' A z)``, standard
    error about ``sqrt(2 Σ_{i≠j} a_ij² / probes)``.
    """
    n = W.shape[0]
    if n <= DENSE_TRACE_MAX_N:
        Wd = W.toarray()
        G = np.linalg.solve(np.eye(n) - rho * Wd, Wd)
        H = np.linalg.solve(np.eye(n) - lam * Wd, Wd)
        return float(np.sum(H * G)), float(np.sum(H * G.T))
    z = np.random.default_rng(0).choice(np.array([-1.0, 1.0]), size=(n, CROSS_TRACE_PROBES))
    Gz, Hz, Htz = Filter(W, rho).g(z), Filter(W, lam).g(z), Filter(W, lam).gt(z)
    return float(np.mean(np.sum(Hz * Gz, axis=0))), float(np.mean(np.sum(Htz * Gz, axis=0)))


def _flat(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1) if a.ndim == 2 else a.reshape(-1, a.shape[-1])


def _center(a: np.ndarray) -> np.ndarray:
    """``J_N a``: subtract each period's cross-sectional mean (``J_N = I − 11'/N``)."""
    return a - a.mean(axis=0, keepdims=True)


def information(family: str, W: sp.csr_array, Z: np.ndarray, beta: np.ndarray, *,
                rho: float = 0.0, lam: float = 0.0, sigma2: float, T_eff: float,
                NT_eff: float, center: bool = False,
                bounds: tuple[float, float] | None = None) -> np.ndarray:
    """Expected information matrix of the concentrated-out ML estimator.

    Parameters
    ----------
    family : {"lag", "error", "sac", "ols"}
        Lag (SAR/SDM), error (SEM/SDEM), both (SAC) or no spatial parameter (SLX).
    W, Z, beta, rho, lam, sigma2
        Weights, demeaned design ``(N, T, k)``, estimates.
    T_eff, NT_eff : float
        The multiplicities of the traces and of σ² (``T`` and ``NT``, or splm's Lee–Yu
        ``T − 1`` and ``(N − 1)(T − 1)`` etc.).
    center : bool
        Project the regressor terms and the ρ traces on ``J_N`` (splm's Lee–Yu first step
        for the two-way SAC, Lee & Yu 2010 eq. 53).
    bounds : (float, float), optional
        The admissible interval of the spatial parameters (passed to the trace routine).

    Returns
    -------
    numpy.ndarray
        Symmetric, ordered ``(σ², [ρ], [λ], β)``.

    Notes
    -----
    Lag model (Elhorst 2014, eq. 3.8; the same as R ``splm``), with
    :math:`\\tilde\\mu = G Z\\beta` stacked over periods:

    .. math::
        I = \\begin{pmatrix} \\frac{NT}{2\\sigma^4} & \\frac{T\\,\\mathrm{tr}G}{\\sigma^2} & 0\\\\
        \\cdot & T\\,\\mathrm{tr}(G^2 + G'G) + \\frac{\\tilde\\mu'\\tilde\\mu}{\\sigma^2} &
        \\frac{\\tilde\\mu' Z}{\\sigma^2}\\\\ \\cdot & \\cdot & \\frac{Z'Z}{\\sigma^2}
        \\end{pmatrix}

    Error model: the same with ``H`` for ``G``, no :math:`\\tilde\\mu` terms and
    :math:`Z^* = Z - \\lambda WZ` in the β block (which is then block diagonal).
    SAC: ``Ż = R Z``, :math:`\\tilde\\mu = R G Z\\beta`, ρρ as the lag model, λλ as the
    error model, ρλ: :math:`T\\,\\mathrm{tr}(H'G + HG)`, σ²λ: :math:`T\\,\\mathrm{tr}H/\\sigma^2`.
    """
    N, _, k = Z.shape
    s2 = sigma2
    spatial = {"lag": 1, "error": 1, "sac": 2, "ols": 0}[family]
    p = 1 + spatial + k
    info = np.zeros((p, p))
    info[0, 0] = NT_eff / (2 * s2 * s2)
    b = slice(1 + spatial, p)
    if family == "ols":
        Zf = _flat(Z)
        info[b, b] = Zf.T @ Zf / s2
        return info
    if family == "error":
        Zs = Z - lam * lag(W, Z)
        tr = traces(W, lam, bounds)
        Zf = _flat(Zs)
        info[0, 1] = info[1, 0] = T_eff * tr["trG"] / s2
        info[1, 1] = T_eff * (tr["trG2"] + tr["trGtG"])
        info[b, b] = Zf.T @ Zf / s2
        return info
    filt = Filter(W, rho)
    mu = filt.g(Z @ beta)  # (N, T): G Zβ per period
    tr = traces(W, rho, bounds)
    if family == "lag":
        Zf, muf = _flat(Z), _flat(mu)
        info[0, 1] = info[1, 0] = T_eff * tr["trG"] / s2
        info[1, 1] = T_eff * (tr["trG2"] + tr["trGtG"]) + muf @ muf / s2
        info[1, b] = info[b, 1] = Zf.T @ muf / s2
        info[b, b] = Zf.T @ Zf / s2
        return info
    # SAC: G and H commute (both functions of W), so R G R^{-1} = G.
    Zd = Z - lam * lag(W, Z)
    mud = mu - lam * lag(W, mu)
    trh = traces(W, lam, bounds)
    tHG, tHG2 = cross_traces(W, rho, lam)
    lala_tr = tr["trG2"] + tr["trGtG"]
    laro_tr = tHG + tHG2
    if center:
        ones = np.ones(N)
        hfilt = Filter(W, lam)
        Gt1, G1 = filt.gt(ones), filt.g(ones)
        Ht1, H1 = hfilt.gt(ones), hfilt.g(ones)
        lala_tr -= Gt1 @ (Gt1 + G1) / N
        laro_tr -= Gt1 @ (Ht1 + H1) / N
        Zc, muc = _center(Zd), _center(mud)
    else:
        Zc, muc = Zd, mud
    Zf, muf, Zcf, mucf = _flat(Zd), _flat(mud), _flat(Zc), _flat(muc)
    info[0, 1] = info[1, 0] = T_eff * tr["trG"] / s2
    info[0, 2] = info[2, 0] = T_eff * trh["trG"] / s2
    info[1, 1] = T_eff * lala_tr + muf @ mucf / s2
    info[1, 2] = info[2, 1] = T_eff * laro_tr
    info[2, 2] = T_eff * (trh["trG2"] + trh["trGtG"])
    info[1, b] = info[b, 1] = Zcf.T @ muf / s2
    info[b, b] = Zf.T @ Zcf / s2
    return info


def mean_row_sum_g(W: sp.csr_array, a: float) -> float:
    """``1'G1 / N`` with ``G = W (I − aW)^{-1}``; equals ``1/(1 − a)`` for row-standardised W
    without islands (the value R ``splm`` hard-codes)."""
    ones = np.ones(W.shape[0])
    return float(Filter(W, a).g(ones).mean())


def lee_yu_twoways(family: str, W: sp.csr_array, Z: np.ndarray, beta: np.ndarray, *,
                   rho: float, lam: float, sigma2: float, N: int, T: int,
                   bounds: tuple[float, float] | None = None,
                   ) -> tuple[np.ndarray, float, float, float]:
    """splm's ``LeeYu=TRUE`` bias correction for two-way effects (``spfeml``, splm 1.6-5).

    Returns the corrected ``(beta, rho, lam, sigma2)``.

    Notes
    -----
    With :math:`\\hat\\Sigma` the inverse of the information matrix at the uncorrected
    estimates (multiplicities ``T`` and ``NT``) ordered :math:`\\theta=(\\sigma^2, \\cdot,
    \\beta)`, and :math:`a = (1/(2\\hat\\sigma^2), \\mathbf 1'G\\mathbf 1/N, [\\mathbf 1'H
    \\mathbf 1/N], 0)`:

    - lag and error models: :math:`\\theta_c = D\\hat\\theta - \\hat\\Sigma a / N` with
      :math:`D = \\mathrm{diag}(T/(T+1), 1, \\dots, 1)`;
    - SAC (information projected on :math:`J_N`, Lee & Yu 2010 eq. 53):
      :math:`\\theta_1 = \\hat\\theta + \\hat\\Sigma a / N`, then
      :math:`\\sigma^2_c = \\sigma^2_1 T/(T-1)`.

    These are splm's formulas, reproduced so that cityres matches it; they are not those
    of Lee & Yu (2010), whose direct-approach correction divides the per-observation
    information by ``T`` and ``N`` (see ``docs/methods/spatial_panel.md``).
    """
    kw: dict[str, Any] = {"rho": rho, "lam": lam, "sigma2": sigma2, "T_eff": T,
                          "NT_eff": N * T, "bounds": bounds}
    sac = family == "sac"
    info = information(family, W, Z, beta, center=sac, **kw)
    Sigma = np.linalg.inv(info)
    spatial = [rho] if family == "lag" else [lam] if family == "error" else [rho, lam]
    theta = np.array([sigma2, *spatial, *beta])
    a = np.zeros(theta.size)
    a[0] = 1 / (2 * sigma2)
    for j, val in enumerate(spatial):
        a[1 + j] = mean_row_sum_g(W, val)
    if sac:
        theta = theta + Sigma @ a / N
        theta[0] *= T / (T - 1)
    else:
        theta[0] *= T / (T + 1)
        theta = theta - Sigma @ a / N
    s = len(spatial)
    new_rho = float(theta[1]) if family in ("lag", "sac") else rho
    new_lam = float(theta[s]) if family in ("error", "sac") else lam
    return theta[1 + s:], new_rho, new_lam, float(theta[0])


def _starred(W: sp.csr_array, a: float, tr: dict[str, float]) -> tuple[dict[str, float],
                                                                        np.ndarray]:
    """The traces of ``G* = F'GF`` (``F`` an orthonormal basis of ``1⊥``, W row-standardised)
    from those of ``G``, and ``G'1``: ``tr G* = tr G − 1/(1−a)``, ``tr G*² = tr G² −
    1/(1−a)²``, ``tr G*'G* = tr G'G − ‖G'1‖²/N`` (``G1 = 1/(1−a)``)."""
    n = W.shape[0]
    gt1 = Filter(W, a).gt(np.ones(n))
    c = 1.0 / (1.0 - a)
    return ({"trG": tr["trG"] - c, "trG2": tr["trG2"] - c * c,
             "trGtG": tr["trGtG"] - float(gt1 @ gt1) / n}, gt1)


def information_transformation(family: str, W: sp.csr_array, Z: np.ndarray,
                               beta: np.ndarray, *, rho: float = 0.0, lam: float = 0.0,
                               sigma2: float, T_eff: int, n_eff: int, center: bool,
                               bounds: tuple[float, float] | None = None) -> np.ndarray:
    """Information matrix of Lee & Yu's (2010) transformation-approach likelihood.

    Parameters
    ----------
    family : {"lag", "error", "sac"}
        As :func:`information`.
    W, Z, beta, rho, lam, sigma2
        Weights, demeaned design ``(N, T, k)``, estimates.
    T_eff, n_eff : int
        Transformed periods and observations: ``T − 1`` and ``N(T − 1)`` (individual
        effects), ``T`` and ``(N − 1)T`` (time), ``T − 1`` and ``(N − 1)(T − 1)`` (two-way).
    center : bool
        Time or two-way effects: the model lives on ``1⊥`` (``F_{N,N−1}``, W
        row-standardised), so the traces are those of ``G* = F'GF`` and the regressor terms
        are projected on ``J_N``.
    bounds : (float, float), optional
        Passed to the trace routine.

    Returns
    -------
    numpy.ndarray
        Symmetric, ordered ``(σ², [ρ], [λ], β)``.

    Notes
    -----
    The expected negative Hessian of
    :math:`\\ell = -\\frac{n^*}{2}\\ln 2\\pi\\sigma^2 + T^*[\\ln|S(\\rho)| - c\\ln(1-\\rho)]
    + T^*[\\ln|R(\\lambda)| - c\\ln(1-\\lambda)] - \\frac{e'e}{2\\sigma^2}` (``c = 1`` with
    ``center``); with starred traces (see ``_starred``) and :math:`\\tilde\\mu = J R G Z\\beta`,
    :math:`\\dot Z = J R Z` (``J = J_N`` with ``center``, else ``I``; ``R = I`` without λ):
    σ²σ² :math:`n^*/(2\\sigma^4)`, σ²ρ :math:`T^*\\mathrm{tr}G^*/\\sigma^2`, ρρ
    :math:`T^*\\mathrm{tr}(G^{*2} + G^{*\\prime}G^*) + \\tilde\\mu'\\tilde\\mu/\\sigma^2`, ρβ
    :math:`\\dot Z'\\tilde\\mu/\\sigma^2`, ββ :math:`\\dot Z'\\dot Z/\\sigma^2`; λ as ρ with
    ``H`` and no data term; ρλ :math:`T^*\\mathrm{tr}(H^{*\\prime}G^* + H^*G^*)`, where
    :math:`\\mathrm{tr}H^*G^* = \\mathrm{tr}HG - 1/((1-\\rho)(1-\\lambda))` and
    :math:`\\mathrm{tr}H^{*\\prime}G^* = \\mathrm{tr}H'G - (G'1)'(H'1)/N`.
    ``docs/methods/spatial_panel.md`` has the derivation.
    """
    N, _, k = Z.shape
    s2 = sigma2
    spatial = {"lag": 1, "error": 1, "sac": 2}[family]
    p = 1 + spatial + k
    info = np.zeros((p, p))
    info[0, 0] = n_eff / (2 * s2 * s2)
    b = slice(1 + spatial, p)

    def proj(a: np.ndarray) -> np.ndarray:
        return _center(a) if center else a

    def block(a: float) -> tuple[dict[str, float], np.ndarray | None]:
        tr = traces(W, a, bounds)
        return _starred(W, a, tr) if center else (tr, None)

    has_rho, has_lam = family in ("lag", "sac"), family in ("error", "sac")
    Zd = proj(Z - lam * lag(W, Z)) if has_lam else proj(Z)
    Zf = _flat(Zd)
    info[b, b] = Zf.T @ Zf / s2
    j = 1
    if has_rho:
        tr, gt1 = block(rho)
        mu = Filter(W, rho).g(Z @ beta)
        mud = proj(mu - lam * lag(W, mu)) if has_lam else proj(mu)
        muf = _flat(mud)
        info[0, 1] = info[1, 0] = T_eff * tr["trG"] / s2
        info[1, 1] = T_eff * (tr["trG2"] + tr["trGtG"]) + muf @ muf / s2
        info[1, b] = info[b, 1] = Zf.T @ muf / s2
        j = 2
    if has_lam:
        trh, ht1 = block(lam)
        info[0, j] = info[j, 0] = T_eff * trh["trG"] / s2
        info[j, j] = T_eff * (trh["trG2"] + trh["trGtG"])
    if family == "sac":
        tHG, tHG2 = cross_traces(W, rho, lam)
        if center:
            assert gt1 is not None and ht1 is not None
            tHG -= float(gt1 @ ht1) / N
            tHG2 -= 1.0 / ((1.0 - rho) * (1.0 - lam))
        info[1, 2] = info[2, 1] = T_eff * (tHG + tHG2)
    return info
