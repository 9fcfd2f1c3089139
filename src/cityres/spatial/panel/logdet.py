"""The log-determinant ``ln|I − ρW|`` of spatial models, exact or approximate, for any ``N``.

:func:`make_logdet` is built once per weights matrix and returns a :class:`LogDet`, a
callable ``ρ ↦ ln|I − ρW|`` with the admissible interval of ρ (``bounds``). Methods: all
eigenvalues (``"eigen"``), a sparse LU per ρ (``"lu"``), the Chebyshev approximation of
Pace & LeSage (``"chebyshev"``) and the Monte Carlo power series of Barry & Pace
(``"mc"``). Formulas, measured accuracy and the switch points of ``"auto"``:
``docs/methods/logdet.md``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Protocol

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from numpy.polynomial import Chebyshev, Polynomial
from scipy.stats import norm

from cityres._shared.errors import ArgumentError, WeightsError
from cityres._shared.rng import Seed
from cityres.spatial.panel import traces as tr

Method = Literal["auto", "eigen", "lu", "chebyshev", "mc"]
METHODS: tuple[str, ...] = ("auto", "eigen", "lu", "chebyshev", "mc")
SHRINK = 1e-8  # bounds are moved inward by this relative amount (an open interval)
LU_MAX_N = 100_000  # "auto" uses the sparse LU up to here ...
LU_MAX_FILL = 40_000_000  # ... when the factors hold at most this many entries
CHEBYSHEV_ORDER = 30
MC_ORDER = 100
PROBES = 50
GRID_SPAN = 0.95  # the grid of "lu" covers this fraction of each side of the interval
_CACHE = 256


# --------------------------------------------------------------------------- spectrum
@dataclass(frozen=True)
class _Spectrum:
    omega_min: float  # smallest real eigenvalue (smallest real part if complex)
    omega_max: float  # largest real eigenvalue (the Perron root for W ≥ 0)
    source: str
    eigenvalues: np.ndarray | None


def _row_standardised(m: sp.csr_array) -> bool:
    if m.nnz == 0 or m.data.min() < 0:
        return False
    rs = np.asarray(m.sum(axis=1)).ravel()
    return bool(np.all((np.abs(rs - 1) <= 1e-10) | (rs == 0)))


def _has_bipartite_component(m: sp.csr_array) -> bool:
    """True when a connected component with at least one link is bipartite."""
    order, parent, labels = tr._forest(m)
    depth = np.zeros(m.shape[0], dtype=np.int64)
    dl, pl = depth.tolist(), parent.tolist()
    for i in order.tolist():
        if pl[i] >= 0:
            dl[i] = dl[pl[i]] + 1
    colour = np.asarray(dl) % 2
    coo = m.tocoo()
    bad = colour[coo.row] == colour[coo.col]
    return bool(set(labels[coo.row].tolist()) - set(labels[coo.row[bad]].tolist()))


def _arpack(m: sp.csr_array, s: np.ndarray | None, which: str, sigma: float | None) -> float:
    n = m.shape[0]
    ncv = min(n - 1, 40)
    if s is not None:
        S = tr.symmetric_form(m, s)
        if sigma is None:
            val = sla.eigsh(S, k=1, which=which, ncv=ncv, tol=1e-12, return_eigenvectors=False)
            return float(val[0])
        A = (S - sigma * sp.identity(n, format="csr")).tocsc()
        lu = sla.splu(A, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                      options={"SymmetricMode": True})
        op = sla.LinearOperator((n, n), matvec=lu.solve, dtype=np.float64)
        val = sla.eigsh(S, k=1, sigma=sigma, which="LM", OPinv=op, ncv=ncv, tol=1e-12,
                        return_eigenvectors=False)
        return float(val[0])
    val = sla.eigs(m, k=1, which=which, ncv=ncv, tol=1e-10, maxiter=20 * n,
                   return_eigenvectors=False)
    return float(val[0].real)


def _spectrum(m: sp.csr_array, s: np.ndarray | None, ev: np.ndarray | None) -> _Spectrum:
    if ev is not None:
        re = np.real(ev)
        return _Spectrum(float(re.min()), float(re.max()), "eigenvalues (dense)", ev)
    notes = []
    nonneg = m.nnz > 0 and m.data.min() >= 0
    gersh = float(np.asarray(abs(m).sum(axis=1)).max()) if m.nnz else 0.0
    if _row_standardised(m):
        wmax, rowstd = 1.0, True
        notes.append("ω_max = 1 (row sums)")
    else:
        rowstd = False
        try:
            wmax = _arpack(m, s, "LA" if s is not None else "LR",
                           gersh * (1 + 1e-3) if s is not None else None)
            notes.append("ω_max by ARPACK")
        except sla.ArpackNoConvergence:
            wmax = gersh
            notes.append("ω_max = largest row sum (ARPACK did not converge; conservative)")
    if rowstd and _has_bipartite_component(m):
        wmin = -1.0
        notes.append("ω_min = −1 (a bipartite component)")
    else:
        radius = wmax if nonneg else gersh
        try:
            wmin = _arpack(m, s, "SA" if s is not None else "SR",
                           -1.01 * radius if s is not None else None)
            notes.append("ω_min by ARPACK" + (" (shift-invert)" if s is not None else ""))
        except sla.ArpackNoConvergence:
            wmin = -radius
            notes.append("ω_min = −spectral radius (ARPACK did not converge; conservative)")
    return _Spectrum(wmin, wmax, "; ".join(notes), None)


def _bounds(spec: _Spectrum) -> tuple[float, float]:
    if spec.omega_max <= 0:
        raise WeightsError("W has no positive eigenvalue (no links?): the spatial parameter "
                           "has no admissible interval")
    upper = 1.0 / spec.omega_max
    lower = 1.0 / spec.omega_min if spec.omega_min < -1e-12 * spec.omega_max else -upper
    return lower * (1 - SHRINK), upper * (1 - SHRINK)


def admissible_bounds(W: Any) -> tuple[float, float]:
    """The admissible interval ``(1/ω_min, 1/ω_max)`` of the spatial parameter of ``W``.

    Both ends are moved inward by a relative ``1e-8`` (an open interval). See
    :func:`make_logdet` for how the extreme eigenvalues are found.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from cityres.spatial.panel.logdet import admissible_bounds
    >>> [round(b, 6) for b in admissible_bounds(sp.csr_array([[0, 1.0], [1.0, 0]]))]
    [-1.0, 1.0]
    """
    m = tr.as_matrix(W)
    s = tr.symmetric_scaling(m)
    n = m.shape[0]
    dense = n <= (tr.EIGEN_MAX_N if s is not None else tr.EIGEN_MAX_N_GENERAL)
    return _bounds(_spectrum(m, s, tr.dense_eigenvalues(m, s) if dense else None))


# --------------------------------------------------------------------------- engines
class _Engine(Protocol):
    def value(self, rho: float) -> float: ...
    def derivative(self, rho: float) -> float | None: ...
    def spread(self, rho: float, z: float) -> float: ...


class _Eigen:
    def __init__(self, ev: np.ndarray) -> None:
        self.ev = ev

    def value(self, rho: float) -> float:
        ev = self.ev
        if np.iscomplexobj(ev):  # ln|1 − ρω| = ½ ln(1 − 2ρ Re ω + ρ²|ω|²)
            return float(0.5 * np.sum(np.log1p(rho * (rho * np.abs(ev) ** 2 - 2 * ev.real))))
        return float(np.sum(np.log1p(-rho * ev)))

    def derivative(self, rho: float) -> float:
        return float(-np.sum(np.real(self.ev / (1 - rho * self.ev))))

    def spread(self, rho: float, z: float) -> float:
        return 0.0


class _LU:
    def __init__(self, m: sp.csr_array, symmetric: bool) -> None:
        self.pattern, self.i_data, self.w_data = tr.identity_minus(m)
        self.symmetric = symmetric
        self.cache: OrderedDict[float, float] = OrderedDict()
        self.fill = 0

    def value(self, rho: float) -> float:
        if rho in self.cache:
            self.cache.move_to_end(rho)
            return self.cache[rho]
        lu = tr.factorise(self.pattern, self.i_data, self.w_data, rho, symmetric=self.symmetric)
        self.fill = int(lu.L.nnz + lu.U.nnz)
        val, sign = tr.lu_logdet(lu)
        if sign <= 0:
            raise ArgumentError(f"I − ρW is singular or has a negative determinant at rho={rho!r}:"
                                " rho is outside the admissible interval of W")
        self.cache[rho] = val
        if len(self.cache) > _CACHE:
            self.cache.popitem(last=False)
        return val

    def derivative(self, rho: float) -> float | None:
        return None

    def spread(self, rho: float, z: float) -> float:
        return 0.0


class _Grid:
    """Chebyshev interpolation in ρ of exact values on ``GRID_SPAN`` of the interval.

    ``ρ ↦ ln|I − ρW|`` is analytic between the poles ``1/ω``; interpolating at ``points``
    Chebyshev nodes of ``[0.95·lower, 0.95·upper]`` converges geometrically (absolute error
    about ``1e-9`` with 60 nodes on the test matrices). Outside that range each call is an
    exact LU.
    """

    def __init__(self, base: _LU, bounds: tuple[float, float], points: int) -> None:
        self.base = base
        self.lo, self.hi = GRID_SPAN * bounds[0], GRID_SPAN * bounds[1]
        self.poly = Chebyshev.interpolate(
            lambda x: np.array([base.value(float(v)) for v in np.atleast_1d(x)]), points - 1,
            domain=[self.lo, self.hi])
        self.slope = self.poly.deriv()

    def value(self, rho: float) -> float:
        if self.lo <= rho <= self.hi:
            return float(self.poly(rho))
        return self.base.value(rho)

    def derivative(self, rho: float) -> float | None:
        return float(self.slope(rho)) if self.lo <= rho <= self.hi else None

    def spread(self, rho: float, z: float) -> float:
        return 0.0


class _Chebyshev:
    """Pace & LeSage (2004): ``Σ_j c_j(ρ) tr T_j(W̃)`` with ``W̃`` mapped onto [−1, 1]."""

    def __init__(self, m: sp.csr_array, s: np.ndarray | None, a: float, b: float, order: int,
                 probes: int, rng: np.random.Generator) -> None:
        n, q = m.shape[0], order
        self.n, self.q, self.a, self.b = n, q, a, b
        alpha, beta = 2.0 / (b - a), -(a + b) / (b - a)
        low = tr.low_order_traces(m)
        exact = min(low.size - 1, q)
        lin = Polynomial([beta, alpha])
        mu_exact = np.empty(exact + 1)
        for j in range(exact + 1):
            coef = Chebyshev.basis(j).convert(kind=Polynomial)(lin).coef
            mu_exact[j] = float(np.dot(coef, low[: coef.size]))
        probe = m if s is None else tr.symmetric_form(m, s)
        samples = tr.chebyshev_samples(probe, alpha, beta, q, probes, rng, symmetric=s is not None)
        samples[:, : exact + 1] = mu_exact
        self.samples, self.mu, self.exact = samples, samples.mean(axis=0), exact
        self.omega, self.basis = self._nodes(q)
        self.omega_fine, self.basis_fine = self._nodes(4 * q)

    def _nodes(self, q: int) -> tuple[np.ndarray, np.ndarray]:
        theta = np.pi * (np.arange(q + 1) + 0.5) / (q + 1)
        omega = 0.5 * ((self.b - self.a) * np.cos(theta) + (self.a + self.b))
        basis = np.cos(np.outer(np.arange(q + 1), theta)) * (2.0 / (q + 1))
        basis[0] *= 0.5
        return omega, basis

    def value(self, rho: float) -> float:
        return float(self.basis @ np.log1p(-rho * self.omega) @ self.mu)

    def derivative(self, rho: float) -> float:
        return float(self.basis @ (-self.omega / (1 - rho * self.omega)) @ self.mu)

    def spread(self, rho: float, z: float) -> float:
        per_probe = self.samples @ (self.basis @ np.log1p(-rho * self.omega))
        se = float(per_probe.std(ddof=1) / np.sqrt(per_probe.size))
        fine = self.basis_fine @ np.log1p(-rho * self.omega_fine)
        return z * se + 2 * self.n * float(np.abs(fine[self.q + 1:]).sum())


class _MonteCarlo:
    """Barry & Pace (1999): ``−Σ_{k ≤ m} ρ^k tr(W^k)/k`` with Hutchinson traces."""

    def __init__(self, m: sp.csr_array, s: np.ndarray | None, order: int, probes: int,
                 rng: np.random.Generator, radius: float) -> None:
        probe = m if s is None else tr.symmetric_form(m, s)
        samples = tr.power_samples(probe, order, probes, rng, symmetric=s is not None)
        low = tr.low_order_traces(m)
        exact = min(low.size - 1, order)
        samples[:, : exact + 1] = low[: exact + 1]
        self.samples, self.tr_k = samples, samples.mean(axis=0)
        self.k = np.arange(order + 1, dtype=np.float64)
        self.n, self.order, self.radius = m.shape[0], order, radius

    def _weights(self, rho: float) -> np.ndarray:
        w = np.zeros(self.order + 1)
        w[1:] = -(rho ** self.k[1:]) / self.k[1:]
        return w

    def value(self, rho: float) -> float:
        return float(self._weights(rho) @ self.tr_k)

    def derivative(self, rho: float) -> float:
        return float(-(rho ** (self.k[1:] - 1)) @ self.tr_k[1:])

    def spread(self, rho: float, z: float) -> float:
        per_probe = self.samples @ self._weights(rho)
        se = float(per_probe.std(ddof=1) / np.sqrt(per_probe.size))
        x, m = abs(rho) * self.radius, self.order
        return z * se + self.n * x ** (m + 1) / ((m + 1) * (1 - x))


# --------------------------------------------------------------------------- LogDet
@dataclass(frozen=True, eq=False)
class LogDet:
    r"""``ln|I − ρW|`` as a function of ρ, built once per ``W`` by :func:`make_logdet`.

    Attributes
    ----------
    method : str
        ``"eigen"``, ``"lu"``, ``"chebyshev"`` or ``"mc"``.
    bounds : (float, float)
        The admissible interval of ρ, ``(1/ω_min, 1/ω_max)`` moved inward by a relative
        ``1e-8`` (for ``"mc"`` also within ``|ρ| < 1/ω_max``, where the series converges).
    n : int
        Number of units.
    options : Mapping
        How it was built: order, probes, seed entropy, where the bounds come from,
        the LU fill, ….
    """

    method: str
    bounds: tuple[float, float]
    n: int
    options: Mapping[str, Any]
    _engine: _Engine = field(repr=False)

    def __call__(self, rho: float) -> float:
        """``ln|I − ρW|`` at ``rho`` (an ArgumentError outside :attr:`bounds`)."""
        r = tr.check_rho(rho, self.bounds)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = self._engine.value(r)
        if not np.isfinite(out):  # only with user bounds wider than the admissible interval
            raise ArgumentError(f"ln|I − ρW| is not finite at rho={rho!r}: rho is outside the "
                                "admissible interval of W (check the bounds given)")
        return out

    @property
    def has_derivative(self) -> bool:
        """Whether :meth:`derivative` is available (all but ``"lu"``; with ``grid`` inside it)."""
        return not isinstance(self._engine, _LU)

    def derivative(self, rho: float) -> float:
        """``d/dρ ln|I − ρW| = −tr(W(I − ρW)^{-1})`` (of the approximation, if one is used).

        Raises
        ------
        ArgumentError
            For ``"lu"`` without ``grid`` or outside the grid's range (use
            :func:`cityres.spatial.panel.traces.g_traces`: the derivative is ``−tr G``).
        """
        r = tr.check_rho(rho, self.bounds)
        out = self._engine.derivative(r)
        if out is None:
            raise ArgumentError(f"derivative is not available for method 'lu' at rho={rho!r} "
                                "(only with grid, inside the grid's range); use "
                                "g_traces(W, rho)['trG'] (d/dρ = −tr G) or method 'eigen'")
        return out

    def interval(self, rho: float, level: float = 0.95) -> tuple[float, float]:
        """Interval for the exact value: ``estimate ± (z·se + truncation bound)``.

        For ``"mc"`` (Barry & Pace 1999) the truncation bound is
        ``N (|ρ|ω_max)^{m+1} / ((m+1)(1 − |ρ|ω_max))``; for ``"chebyshev"`` it is
        ``2N Σ_{j>q} |c_j|`` (coefficients of a ``4q`` expansion). Exact methods give a
        zero-width interval.
        """
        if not 0 < level < 1:
            raise ArgumentError(f"level must be in (0, 1); got {level!r}")
        r = tr.check_rho(rho, self.bounds)
        v = self._engine.value(r)
        half = self._engine.spread(r, float(norm.ppf(0.5 + level / 2)))
        return v - half, v + half

    def summary(self) -> str:
        """A few lines: method, N, interval and options."""
        opts = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return (f"ln|I − ρW| by {self.method!r}, N = {self.n}\n"
                f"  admissible ρ: [{self.bounds[0]:.8g}, {self.bounds[1]:.8g}]\n  {opts}")


def make_logdet(W: Any, *, method: Method = "auto", seed: Seed = None,
                order: int | None = None, probes: int | None = None, grid: int | None = None,
                bounds: tuple[float, float] | None = None) -> LogDet:
    r"""Build ``ρ ↦ ln|I − ρW|`` for a weights matrix ``W``.

    Parameters
    ----------
    W : Weights, scipy sparse matrix or 2-D array
        Square, finite ``N × N`` weights, row-standardised or not (used as given).
    method : {"auto", "eigen", "lu", "chebyshev", "mc"}
        ``"eigen"``: all eigenvalues ω of ``W`` (dense), ``Σ_i ln|1 − ρω_i|``.
        ``"lu"``: a sparse LU ``P(I − ρW)Q = LU`` per ρ, ``Σ ln|U_ii|`` (cached per ρ).
        ``"chebyshev"``: Pace & LeSage (2004). ``"mc"``: Barry & Pace (1999).
        ``"auto"``: ``"eigen"`` for ``N ≤ 2,000`` (``≤ 1,000`` when ``W`` is not similar to a
        symmetric matrix), ``"lu"`` up to ``N = 100,000`` when a trial factorisation holds at
        most 4·10⁷ entries, else ``"chebyshev"``.
    seed : int, Generator, SeedSequence or None
        Seeds the probes of ``"chebyshev"`` and ``"mc"`` (entropy kept in ``options``).
    order : int, optional
        Chebyshev degree ``q`` (default 30) or number of series terms ``m`` (default 100).
    probes : int, optional
        Number of Rademacher probes of ``"chebyshev"`` and ``"mc"`` (default 50).
    grid : int, optional
        ``"lu"`` only: evaluate exactly at ``grid`` Chebyshev nodes of ``[0.95·lower,
        0.95·upper]`` once and interpolate (a degree ``grid − 1`` Chebyshev series; in the
        spirit of Pace & Barry 1997's grid); outside that range each call is exact. ``None``
        (default) = exact per ρ. About 60 gives ``1e-9`` absolute error (measured).
    bounds : (float, float), optional
        Use this interval instead of computing it (must contain 0). It is trusted: beyond
        the true interval ``"eigen"``, ``"chebyshev"`` and ``"mc"`` raise, but ``"lu"``
        notices only a negative determinant.

    Returns
    -------
    LogDet

    Raises
    ------
    WeightsError
        ``W`` not square, not finite, or with no positive eigenvalue.
    ArgumentError
        Unknown ``method``; ``order``/``probes``/``grid`` invalid or not used by ``method``;
        later, ``ρ`` outside ``bounds``.

    Notes
    -----
    ``ln|I − ρW| = Σ_i ln(1 − ρω_i)`` (Ord 1975). When ``W = D^{-1}C`` with ``C``
    symmetric, ``W`` is similar to ``D^{-1/2}CD^{-1/2}`` and its eigenvalues are real
    (``eigvalsh``). The admissible interval is ``(1/ω_min, 1/ω_max)`` with ``ω_min`` the
    smallest real eigenvalue (the smallest real part for complex spectra: a conservative
    interval); for large ``N``: ``ω_max = 1`` for row-standardised ``W``; ``ω_min = −1`` when
    a component is bipartite (lattices), else ARPACK (shift-invert Lanczos on the symmetric
    form).

    Chebyshev: with ``W̃ = (2W − (a+b)I)/(b − a)`` (``[a, b] = [ω_min, ω_max]``),
    ``ln|I − ρW| ≈ Σ_{j=0}^{q} c_j tr T_j(W̃) − N c_0/2``, ``c_j = 2/(q+1) Σ_k
    ln(1 − ρω(x_k)) T_j(x_k)`` at the Chebyshev nodes ``x_k``; ``tr T_j(W̃)`` exact for
    ``j ≤ 4`` (sparse products) and Hutchinson estimates above. Monte Carlo:
    ``ln|I − ρW| = −Σ_{k≥1} ρ^k tr(W^k)/k`` truncated at ``m``, ``tr(W^k)`` exact for
    ``k ≤ 4`` and estimated by ``mean_p u_p'W^k u_p`` above. :meth:`LogDet.interval` gives
    the confidence interval of the approximation. Measured accuracy:
    ``docs/methods/logdet.md``.

    References
    ----------
    Ord, K. (1975). Estimation methods for models of spatial interaction. *JASA* 70, 120–126.
    Pace, R. K. & Barry, R. (1997). Quick computation of spatial autoregressive estimators.
    *Geographical Analysis* 29, 232–247.
    Barry, R. & Pace, R. K. (1999). Monte Carlo estimates of the log determinant of large
    sparse matrices. *Linear Algebra Appl.* 289, 41–54.
    Pace, R. K. & LeSage, J. (2004). Chebyshev approximation of log-determinants of spatial
    weight matrices. *Comput. Statist. Data Anal.* 45, 179–196.
    LeSage, J. & Pace, R. K. (2009). *Introduction to Spatial Econometrics*, ch. 4.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from cityres.spatial.panel.logdet import make_logdet
    >>> ld = make_logdet(sp.csr_array([[0, 1.0], [1.0, 0]]))
    >>> ld.method, round(ld(0.5), 6)                    # ln(1 − 0.25)
    ('eigen', -0.287682)
    """
    m = tr.as_matrix(W)
    how = tr.check_choice(method, METHODS, "method")
    n = m.shape[0]
    _check_options(how, order, probes, grid)
    s = tr.symmetric_scaling(m)
    dense_ok = n <= (tr.EIGEN_MAX_N if s is not None else tr.EIGEN_MAX_N_GENERAL)
    if how == "auto" and dense_ok and grid is None:
        how = "eigen"
    need_spectrum = bounds is None or how in ("auto", "chebyshev", "mc")
    ev = tr.dense_eigenvalues(m, s) if how == "eigen" or (dense_ok and need_spectrum) else None
    options: dict[str, Any] = {"symmetric_form": s is not None}
    spec = None if bounds is not None else _spectrum(m, s, ev)
    bnds = _user_bounds(bounds) if spec is None else _bounds(spec)
    trial: _LU | None = None
    if how == "auto":
        how = "chebyshev"
        if n <= LU_MAX_N or grid is not None:
            trial = _LU(m, s is not None)
            trial.value(0.5 * bnds[1])
            if trial.fill <= LU_MAX_FILL or grid is not None:
                how = "lu"
        options["auto"] = True
    engine: _Engine
    if how == "eigen":
        assert ev is not None
        engine = _Eigen(ev)
    elif how == "lu":
        base = trial if trial is not None else _LU(m, s is not None)
        engine = base if grid is None else _Grid(base, bnds, tr.check_count(grid, "grid", 4))
        options.update(permc_spec="MMD_AT_PLUS_A", grid=grid)
    else:  # the approximations need the spectral extremes even with user bounds
        spec = spec if spec is not None else _spectrum(m, s, ev)
        rng, record = tr.seed_record(seed)
        k = tr.check_count(order, "order", 2) if order is not None else (
            CHEBYSHEV_ORDER if how == "chebyshev" else MC_ORDER)
        p = tr.check_count(probes, "probes", 2) if probes is not None else PROBES
        options.update(order=k, probes=p, **record)
        if how == "chebyshev":
            engine = _Chebyshev(m, s, spec.omega_min, spec.omega_max, k, p, rng)
        else:
            radius = max(spec.omega_max, -spec.omega_min)
            engine = _MonteCarlo(m, s, k, p, rng, radius)
            bnds = (max(bnds[0], -(1 - SHRINK) / radius), min(bnds[1], (1 - SHRINK) / radius))
    if spec is not None:
        options.update(omega_min=spec.omega_min, omega_max=spec.omega_max,
                       bounds_from=spec.source)
    if bounds is not None:
        options.update(bounds_from="user")
    return LogDet(how, bnds, n, MappingProxyType(options), engine)


def _check_options(how: str, order: int | None, probes: int | None, grid: int | None) -> None:
    if how == "auto":
        return
    uses: dict[str, tuple[str, ...]] = {"order": ("chebyshev", "mc"),
                                        "probes": ("chebyshev", "mc"), "grid": ("lu",)}
    for name, value in (("order", order), ("probes", probes), ("grid", grid)):
        if value is not None and how not in uses[name]:
            raise ArgumentError(f"{name} applies to method {' or '.join(map(repr, uses[name]))} "
                                f"only; got {name}={value!r} with method={how!r}")


def _user_bounds(bounds: object) -> tuple[float, float]:
    try:
        lo, hi = (float(b) for b in bounds)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ArgumentError(f"bounds must be two numbers (lower, upper); got {bounds!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < 0 < hi):
        raise ArgumentError(f"bounds must be finite with lower < 0 < upper; got {bounds!r}")
    return lo, hi

