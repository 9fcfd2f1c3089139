"""Traces of powers of a weights matrix and of ``G = W(I − ρW)^{-1}``, exact or stochastic.

Also the low-level pieces that :mod:`cityres.spatial.panel.logdet` shares: checking ``W``,
the symmetric matrix similar to a row-standardised ``W``, exact traces of ``W^k`` for
``k ≤ 4`` by sparse products, Rademacher probes, and the sparse LU of ``I − ρW``.

Formulas, accuracy and switch points: ``docs/methods/logdet.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from scipy.sparse.csgraph import breadth_first_order, connected_components

from cityres._shared.errors import ArgumentError, ArgumentTypeError, WeightsError, format_choices
from cityres._shared.rng import Seed, as_seed_sequence

EIGEN_MAX_N = 2_000  # exact (dense) methods up to here when W is similar to a symmetric matrix
EIGEN_MAX_N_GENERAL = 1_000  # ... and when it is not (complex eigenvalues, slower eigvals)
BLOCK_FLOATS = 8_000_000  # probes are processed in blocks of at most this many floats
SQUARE_MAX_NNZ = 20_000_000  # W² is formed (exact traces of order 3, 4) below this size
SYMMETRY_RTOL = 1e-9

TraceMethod = Literal["auto", "exact", "stochastic"]
PowerMethod = Literal["auto", "exact", "mc"]
_TRACE_METHODS: tuple[str, ...] = ("auto", "exact", "stochastic")
_POWER_METHODS: tuple[str, ...] = ("auto", "exact", "mc")


# --------------------------------------------------------------------------- checks
def as_matrix(W: Any, *, argument: str = "W") -> sp.csr_array:
    """``W`` as a canonical float64 CSR array (a copy), checked square and finite.

    Accepts a cityres :class:`~cityres.spatial.Weights` (its ``.sparse``), a scipy sparse
    array or matrix, or a 2-D numpy array.
    """
    if hasattr(W, "sparse") and hasattr(W, "ids"):
        W = W.sparse
    if sp.issparse(W):
        m = sp.csr_array(W, dtype=np.float64, copy=True)
    elif isinstance(W, np.ndarray):
        if W.ndim != 2:
            raise WeightsError(f"{argument} must be a 2-D square matrix; got {W.ndim} dimensions")
        m = sp.csr_array(np.asarray(W, dtype=np.float64))
    else:
        raise ArgumentTypeError(f"{argument} must be a cityres Weights, a scipy sparse matrix or "
                                f"a 2-D numpy array; got {type(W).__name__}")
    if m.shape[0] != m.shape[1]:
        raise WeightsError(f"{argument} must be square; got {m.shape[0]} × {m.shape[1]}")
    bad = ~np.isfinite(m.data)
    if bad.any():
        coo = m.tocoo()
        rows, cols = coo.row[~np.isfinite(coo.data)], coo.col[~np.isfinite(coo.data)]
        raise WeightsError(f"{argument} has {int(bad.sum())} non-finite value(s) (NaN or inf), "
                           f"first at row {int(rows[0])}, column {int(cols[0])}")
    m.sum_duplicates()
    m.eliminate_zeros()
    m.sort_indices()
    return m


def check_choice(value: object, choices: tuple[str, ...], argument: str) -> str:
    """``value`` if it is one of ``choices``, else an :class:`ArgumentError` listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ArgumentError(f"{argument} must be {format_choices(choices)}; got {value!r}")
    return value


def check_count(value: object, argument: str, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``, else an :class:`ArgumentError`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ArgumentError(f"{argument} must be an integer ≥ {minimum}; got {value!r}")
    return int(value)


def check_rho(rho: object, bounds: tuple[float, float], *, argument: str = "rho") -> float:
    """``rho`` as a float inside the closed interval ``bounds``, else an ArgumentError."""
    if isinstance(rho, np.ndarray) and rho.ndim == 0:
        rho = rho.item()
    if isinstance(rho, bool) or not isinstance(rho, int | float | np.integer | np.floating):
        raise ArgumentTypeError(f"{argument} must be a real number; got {type(rho).__name__}")
    r = float(rho)
    lo, hi = bounds
    if not (np.isfinite(r) and lo <= r <= hi):
        raise ArgumentError(f"{argument} must lie in the admissible interval [{lo:.10g}, "
                            f"{hi:.10g}] of W (inside (1/ω_min, 1/ω_max)); got {rho!r}")
    return r


# --------------------------------------------------------------------------- structure
def _forest(W: sp.csr_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breadth-first spanning forest of the undirected pattern of ``W``.

    Returns ``(order, parent, labels)``: every unit in an order where parents come first,
    its parent (``-1`` for the root of a component) and its component label.
    """
    n = W.shape[0]
    pattern = (abs(W) + abs(W.T)).tocsr()
    _, labels = connected_components(pattern, directed=False)
    _, roots = np.unique(labels, return_index=True)
    # one virtual root (unit n) joined to the first unit of every component
    link = sp.csr_array((np.ones(roots.size), (np.full(roots.size, n), roots)), shape=(n + 1,) * 2)
    aug = sp.block_diag([pattern, sp.csr_array((1, 1))], format="csr") + link
    order, pred = breadth_first_order(aug, n, directed=False, return_predecessors=True)
    order = order[1:]
    parent = pred[:n].astype(np.int64)
    parent[parent == n] = -1
    return order.astype(np.int64), parent, labels


def symmetric_scaling(W: sp.csr_array) -> np.ndarray | None:
    """``s > 0`` with ``diag(s) W diag(s)^{-1}`` symmetric, or ``None`` when none exists.

    A row-standardised ``W = D^{-1}C`` with ``C`` symmetric has ``s = √d`` (``d`` the row
    sums of ``C``, up to a factor per connected component): ``D^{1/2} W D^{-1/2} =
    D^{-1/2} C D^{-1/2}``. ``d`` is recovered from ``d_i W_ij = d_j W_ji`` along a spanning
    forest and the symmetry is then checked on every link (relative ``1e-9``).
    """
    Wt = W.T.tocsr()
    Wt.sort_indices()
    if (W.nnz != Wt.nnz or not np.array_equal(W.indptr, Wt.indptr)
            or not np.array_equal(W.indices, Wt.indices)):
        return None  # the pattern is not symmetric
    if np.any(np.sign(W.data) != np.sign(Wt.data)):
        return None
    n = W.shape[0]
    if np.allclose(W.data, Wt.data, rtol=SYMMETRY_RTOL, atol=0.0):
        return np.ones(n)
    order, parent, _ = _forest(W)
    child = order[parent[order] >= 0]
    par = parent[child]
    step = (np.log(np.abs(np.asarray(W[par, child]).ravel()))
            - np.log(np.abs(np.asarray(W[child, par]).ravel())))  # ln d_child − ln d_parent
    log_d = np.zeros(n)
    step_of = dict(zip(child.tolist(), step.tolist(), strict=True))
    parent_l = parent.tolist()
    log_d_l = log_d.tolist()
    for i in order.tolist():
        p = parent_l[i]
        if p >= 0:
            log_d_l[i] = log_d_l[p] + step_of[i]
    s = np.exp(0.5 * np.asarray(log_d_l))
    S = symmetric_form(W, s, symmetrise=False)
    St = S.T.tocsr()
    St.sort_indices()
    if not np.allclose(S.data, St.data, rtol=SYMMETRY_RTOL, atol=0.0):
        return None
    return s


def symmetric_form(W: sp.csr_array, s: np.ndarray, *, symmetrise: bool = True) -> sp.csr_array:
    """``S = diag(s) W diag(s)^{-1}`` (averaged with its transpose when ``symmetrise``)."""
    S = sp.csr_array(sp.diags_array(s) @ W @ sp.diags_array(1.0 / s))
    if symmetrise:
        S = sp.csr_array((S + S.T) * 0.5)
    S.sort_indices()
    return S


def dense_eigenvalues(W: sp.csr_array, s: np.ndarray | None) -> np.ndarray:
    """All eigenvalues of ``W``: real (``eigvalsh`` of the symmetric form) or complex."""
    if s is not None:
        return np.linalg.eigvalsh(symmetric_form(W, s).toarray())
    ev = np.linalg.eigvals(W.toarray())
    return ev.real if np.all(ev.imag == 0) else ev


def matrix_powers(W: sp.csr_array, top: int = 4) -> list[sp.csr_array]:
    """``[W, W², …]`` up to ``W^top``, stopping before a power would exceed the size budget.

    The number of stored entries of ``A @ W`` is bounded by ``Σ_j colcount_j(A)·
    rowcount_j(W)``; a power is formed only when that bound is ``≤ SQUARE_MAX_NNZ``.
    """
    powers = [W]
    rows_w = np.diff(W.indptr).astype(np.float64)
    while len(powers) < top:
        last = powers[-1]
        cols = np.bincount(last.indices, minlength=W.shape[0]).astype(np.float64)
        if float(np.dot(cols, rows_w)) > SQUARE_MAX_NNZ:
            break
        nxt = sp.csr_array(last @ W)
        nxt.sort_indices()
        powers.append(nxt)
    return powers


def low_order_traces(W: sp.csr_array, powers: list[sp.csr_array] | None = None) -> np.ndarray:
    """Exact ``tr(W^k)`` for ``k = 0..2h`` from the sparse powers ``W, …, W^h`` (``h ≤ 4``).

    ``tr(W^{a+b}) = Σ_ij (W^a)_ij (W^b)_ji`` (e.g. ``tr W² = Σ W∘Wᵀ``); ``h`` is 4 unless
    the powers of ``W`` are too dense (:func:`matrix_powers`), so usually ``k ≤ 8``.
    """
    if powers is None:
        powers = matrix_powers(W)
    h = len(powers)
    out = [float(W.shape[0]), float(W.diagonal().sum())]
    transposed: dict[int, sp.csr_array] = {}
    for k in range(2, 2 * h + 1):
        a, b = k // 2, k - k // 2
        if b not in transposed:
            transposed[b] = powers[b - 1].T.tocsr()
        out.append(float(powers[a - 1].multiply(transposed[b]).sum()))
    return np.asarray(out)


# --------------------------------------------------------------------------- probes
def probe_blocks(n: int, probes: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of the probe columns processed together (memory bounded)."""
    width = max(1, min(probes, BLOCK_FLOATS // (4 * max(n, 1))))
    for start in range(0, probes, width):
        yield start, min(probes, start + width)


def rademacher(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n × k`` matrix of independent ±1 (Rademacher) probes."""
    return rng.integers(0, 2, size=(n, k), dtype=np.int8).astype(np.float64) * 2.0 - 1.0


def power_samples(W: sp.csr_array, order: int, probes: int, rng: np.random.Generator, *,
                  symmetric: bool = False) -> np.ndarray:
    """``probes × (order + 1)`` matrix of ``u_p' W^k u_p`` (each an unbiased ``tr(W^k)``).

    For a symmetric ``W`` half the products suffice: ``u'W^{2i}u = |W^i u|²`` and
    ``u'W^{2i+1}u = (W^i u)'(W^{i+1}u)``.
    """
    n = W.shape[0]
    out = np.empty((probes, order + 1))
    for a, b in probe_blocks(n, probes):
        U = rademacher(rng, n, b - a)
        if symmetric:
            cur = U
            for i in range(order // 2 + 1):
                out[a:b, 2 * i] = np.einsum("ij,ij->j", cur, cur)
                if 2 * i + 1 <= order:
                    nxt = W @ cur
                    out[a:b, 2 * i + 1] = np.einsum("ij,ij->j", cur, nxt)
                    cur = nxt
            continue
        V = U
        out[a:b, 0] = n
        for k in range(1, order + 1):
            V = W @ V
            out[a:b, k] = np.einsum("ij,ij->j", U, V)
    return out


def chebyshev_samples(W: sp.csr_array, alpha: float, beta: float, order: int, probes: int,
                      rng: np.random.Generator, *, symmetric: bool = False) -> np.ndarray:
    """``probes × (order + 1)`` matrix of ``u_p' T_j(W̃) u_p``, ``W̃ = αW + βI``.

    Three-term recurrence ``T_{j+1}(W̃)u = 2W̃ T_j(W̃)u − T_{j−1}(W̃)u``; for a symmetric
    ``W`` half the products suffice: ``u'T_{2i}u = 2|T_i u|² − |u|²`` and
    ``u'T_{2i+1}u = 2(T_{i+1}u)'(T_i u) − u'T_1u``.
    """
    n = W.shape[0]
    out = np.empty((probes, order + 1))
    for a, b in probe_blocks(n, probes):
        U = rademacher(rng, n, b - a)
        prev, cur = U, alpha * (W @ U) + beta * U
        out[a:b, 0] = n
        out[a:b, 1] = t1 = np.einsum("ij,ij->j", U, cur)
        if symmetric:  # prev = T_i u, cur = T_{i+1} u, starting at i = 0
            for i in range(1, order // 2 + 1):
                out[a:b, 2 * i] = 2 * np.einsum("ij,ij->j", cur, cur) - n
                if 2 * i + 1 <= order:
                    prev, cur = cur, 2 * (alpha * (W @ cur) + beta * cur) - prev
                    out[a:b, 2 * i + 1] = 2 * np.einsum("ij,ij->j", cur, prev) - t1
            continue
        for j in range(2, order + 1):
            prev, cur = cur, 2 * (alpha * (W @ cur) + beta * cur) - prev
            out[a:b, j] = np.einsum("ij,ij->j", U, cur)
    return out


def seed_record(seed: Seed) -> tuple[np.random.Generator, dict[str, Any]]:
    """A generator for ``seed`` and what repeats it (``seed_entropy``, ``seed_spawn_key``)."""
    ss = as_seed_sequence(seed)
    return np.random.default_rng(ss), {"seed_entropy": ss.entropy,
                                       "seed_spawn_key": tuple(ss.spawn_key)}


# --------------------------------------------------------------------------- sparse LU
def identity_minus(W: sp.csr_array) -> tuple[sp.csc_array, np.ndarray, np.ndarray]:
    """CSC pattern of ``I − ρW`` with aligned data of ``I`` and of ``W`` (no refill per ρ)."""
    n = W.shape[0]
    coo = W.tocoo()
    rows = np.concatenate([coo.row, np.arange(n)])
    cols = np.concatenate([coo.col, np.arange(n)])
    w_part = sp.coo_array((np.concatenate([coo.data, np.zeros(n)]), (rows, cols)),
                          shape=(n, n)).tocsc()
    i_part = sp.coo_array((np.concatenate([np.zeros(coo.nnz), np.ones(n)]), (rows, cols)),
                          shape=(n, n)).tocsc()
    w_part.sort_indices()
    i_part.sort_indices()
    if not (np.array_equal(w_part.indices, i_part.indices)
            and np.array_equal(w_part.indptr, i_part.indptr)):  # pragma: no cover - scipy
        raise RuntimeError("internal: patterns of I and W differ")
    return w_part, i_part.data.copy(), w_part.data.copy()


def factorise(pattern: sp.csc_array, i_data: np.ndarray, w_data: np.ndarray, rho: float, *,
              symmetric: bool) -> Any:
    """``splu(I − ρW)`` with a minimum-degree ordering of ``A + Aᵀ``.

    When ``W`` is similar to a symmetric matrix, ``I − ρW`` is similar (by a diagonal
    scaling) to a positive definite matrix for admissible ρ, so diagonal pivots are taken
    without numerical pivoting; otherwise threshold pivoting (0.1) is kept.
    """
    A = sp.csc_array((i_data - rho * w_data, pattern.indices, pattern.indptr),
                     shape=pattern.shape)
    return sla.splu(A, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0 if symmetric else 0.1,
                    options={"SymmetricMode": True})


def lu_logdet(lu: Any) -> tuple[float, int]:
    """``(ln|det|, sign)`` of the matrix factorised by ``lu`` (``L`` has a unit diagonal)."""
    u = lu.U.diagonal()
    if np.any(u == 0):
        return -np.inf, 0
    sign = _parity(lu.perm_r) * _parity(lu.perm_c) * (-1 if np.sum(u < 0) % 2 else 1)
    return float(np.sum(np.log(np.abs(u)))), sign


def _parity(perm: np.ndarray) -> int:
    n = perm.size
    graph = sp.csr_array((np.ones(n), (np.arange(n), perm)), shape=(n, n))
    cycles, _ = connected_components(graph, directed=True, connection="weak")
    return -1 if (n - cycles) % 2 else 1


# --------------------------------------------------------------------------- power traces
def power_traces(W: Any, order: int = 100, *, method: PowerMethod = "auto", seed: Seed = None,
                 probes: int = 100) -> np.ndarray:
    r"""Normalised power traces ``tr(W^k)/N`` for ``k = 0, …, order``.

    Parameters
    ----------
    W : Weights, scipy sparse matrix or 2-D array
        Square, finite ``N × N`` weights (used as given).
    order : int
        Highest power (≥ 1).
    method : {"auto", "exact", "mc"}
        ``"exact"``: from all eigenvalues ω of ``W``, ``tr(W^k) = Σ_i ω_i^k`` (real
        ``eigvalsh`` of the symmetric similar form when there is one, else complex
        ``eigvals``). ``"mc"``: Monte Carlo with Rademacher probes ``u``,
        ``tr(W^k) ≈ mean_p u_p'W^k u_p`` from the sequence ``u, Wu, W²u, …`` (LeSage & Pace
        2009, ch. 4), with ``k ≤ 4`` (``≤ 2`` for very dense ``W``) exact by sparse
        products. ``"auto"``: exact for ``N ≤ 2,000`` (``≤ 1,000`` without a symmetric form),
        else Monte Carlo.
    seed : int, Generator, SeedSequence or None
        Seeds the probes of ``"mc"``.
    probes : int
        Number of probes of ``"mc"``.

    Returns
    -------
    ndarray
        ``order + 1`` values; the first is 1, the second ``tr(W)/N`` (0 for a zero
        diagonal), the third ``Σ_ij W_ij W_ji / N``.

    Raises
    ------
    WeightsError
        ``W`` not square or not finite.
    ArgumentError
        Unknown ``method``, ``order`` or ``probes`` below 1.

    Notes
    -----
    ``tr(W^k)/N`` for ``k ≤ 8`` is exact in both methods when the sparse powers fit
    (:func:`low_order_traces`). The Monte Carlo estimate of ``tr(W^k)`` has standard error
    ``sd_p(u_p'W^k u_p)/√P`` (for a symmetric similar form ``S`` the probes use ``S``:
    same expectation, half the products); measured, the error of ``tr(W^k)/N`` stays below
    ``0.07·ρ(W)^k/√N`` with ``P = 100`` (``docs/methods/logdet.md``).

    References
    ----------
    LeSage, J. & Pace, R. K. (2009). *Introduction to Spatial Econometrics*, ch. 4.
    Hutchinson, M. F. (1990). A stochastic estimator of the trace of the influence matrix
    for Laplacian smoothing splines. *Comm. Statist. Simul. Comput.* 19, 433–450.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from cityres.spatial.panel.traces import power_traces
    >>> W = sp.csr_array([[0, 1.0], [1.0, 0]])
    >>> power_traces(W, 3).tolist()
    [1.0, 0.0, 1.0, 0.0]
    """
    m = as_matrix(W)
    order = check_count(order, "order")
    probes = check_count(probes, "probes", 2)
    how = check_choice(method, _POWER_METHODS, "method")
    n = m.shape[0]
    s = symmetric_scaling(m)
    if how == "auto":
        how = "exact" if n <= (EIGEN_MAX_N if s is not None else EIGEN_MAX_N_GENERAL) else "mc"
    if how == "exact":
        ev = dense_eigenvalues(m, s)
        out = np.real(np.vander(ev, order + 1, increasing=True).sum(axis=0)) / n
    else:
        rng, _ = seed_record(seed)
        probe = m if s is None else symmetric_form(m, s)
        out = power_samples(probe, order, probes, rng, symmetric=s is not None).mean(axis=0) / n
    low = low_order_traces(m)[: order + 1]
    out[: low.size] = low / n
    out[0] = 1.0
    return np.asarray(out, dtype=np.float64)


# --------------------------------------------------------------------------- G traces
def g_traces(W: Any, rho: float, *, method: TraceMethod = "auto", seed: Seed = None,
             probes: int = 100, bounds: tuple[float, float] | None = None) -> dict[str, float]:
    r"""Traces of ``G = W(I − ρW)^{-1}`` used by the information matrix.

    Parameters
    ----------
    W : Weights, scipy sparse matrix or 2-D array
        Square, finite ``N × N`` weights (used as given).
    rho : float
        The spatial parameter, inside the admissible interval of ``W``.
    method : {"auto", "exact", "stochastic"}
        ``"exact"``: ``G`` by a dense solve of ``(I − ρW) G = W``. ``"stochastic"``:
        Hutchinson estimates with ``probes`` Rademacher vectors and one sparse LU of
        ``I − ρW`` (two solves per probe), with control variates (below). ``"auto"``: exact
        for ``N ≤ 2,000``, else stochastic.
    seed : int, Generator, SeedSequence or None
        Seeds the probes of ``"stochastic"``.
    probes : int
        Number of probes of ``"stochastic"``.
    bounds : (float, float), optional
        The admissible interval, when known (e.g. ``make_logdet(W).bounds``); otherwise it is
        computed (:func:`cityres.spatial.panel.logdet.admissible_bounds`) to check ``rho``.

    Returns
    -------
    dict
        ``trG``, ``trGtG``, ``trG2`` (``tr G``, ``tr G'G``, ``tr G²``) and their estimated
        standard errors ``se_trG``, ``se_trGtG``, ``se_trG2`` (0 for ``"exact"``).

    Raises
    ------
    WeightsError
        ``W`` not square or not finite.
    ArgumentError
        ``rho`` outside the admissible interval; unknown ``method``; ``probes`` < 2.

    Notes
    -----
    With ``A = I − ρW`` and ``Gu = A^{-1}(Wu)`` for probes ``u``:
    ``tr G ≈ mean u'Gu``, ``tr G'G ≈ mean |Gu|²``, ``tr G² ≈ mean u'G(Gu)`` (Hutchinson
    1990). The variance is reduced with the control variate ``C = Σ_{k=1}^{4} ρ^{k−1}W^k``
    (the series ``G = W + ρW² + ρ²W³ + …`` truncated; fewer terms when the sparse powers of
    ``W`` would be too dense) whose traces are exact by sparse products: ``tr C`` and
    ``tr C²`` from ``tr W^k`` (``k ≤ 8``), ``tr C'C = Σ_kl ρ^{k+l−2}⟨W^k, W^l⟩``. Each probe
    contributes ``u'Gu − u'Cu + tr C`` (and likewise), unbiased, with the variance of the
    remainder ``ρ⁴W⁵(I − ρW)^{-1}`` only. The standard errors are ``sd_p/√P``; measured
    accuracy is in ``docs/methods/logdet.md``.

    References
    ----------
    Hutchinson, M. F. (1990). *Comm. Statist. Simul. Comput.* 19, 433–450.
    LeSage, J. & Pace, R. K. (2009). *Introduction to Spatial Econometrics*, ch. 4.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from cityres.spatial.panel.traces import g_traces
    >>> W = sp.csr_array([[0, 1.0], [1.0, 0]])
    >>> round(g_traces(W, 0.5)["trG"], 6)   # eigenvalues ±1: 1/0.5 − 1/1.5
    1.333333
    """
    m = as_matrix(W)
    how = check_choice(method, _TRACE_METHODS, "method")
    probes = check_count(probes, "probes", 2)
    if bounds is None:
        from cityres.spatial.panel.logdet import admissible_bounds

        bounds = admissible_bounds(m)
    r = check_rho(rho, bounds)
    n = m.shape[0]
    if how == "auto":
        how = "exact" if n <= EIGEN_MAX_N else "stochastic"
    if how == "exact":
        Wd = m.toarray()
        G = np.linalg.solve(np.eye(n) - r * Wd, Wd)
        return {"trG": float(np.trace(G)), "trGtG": float(np.sum(G * G)),
                "trG2": float(np.sum(G * G.T)), "se_trG": 0.0, "se_trGtG": 0.0, "se_trG2": 0.0}
    return _stochastic_g_traces(m, r, probes, seed)


def _stochastic_g_traces(W: sp.csr_array, rho: float, probes: int,
                         seed: Seed) -> dict[str, float]:
    n = W.shape[0]
    s = symmetric_scaling(W)
    pattern, i_data, w_data = identity_minus(W)
    lu = factorise(pattern, i_data, w_data, rho, symmetric=s is not None)
    # control variate C = Σ_{k=1}^{h} ρ^{k−1} W^k (the series of G truncated), exact traces
    powers = matrix_powers(W)
    h = len(powers)
    low = low_order_traces(W, powers)
    c = rho ** np.arange(h)
    tr_c = float(c @ low[1: h + 1])
    tr_c2 = float(sum(c[k] * c[j] * low[k + j + 2] for k in range(h) for j in range(h)))
    gram = np.empty((h, h))
    for k in range(h):
        for j in range(k, h):
            gram[k, j] = gram[j, k] = float(powers[k].multiply(powers[j]).sum())
    tr_ctc = float(c @ gram @ c)

    def apply_c(V: np.ndarray) -> np.ndarray:  # Horner: C = W(c0 I + c1 W + … )
        acc = c[h - 1] * V
        for k in range(h - 2, -1, -1):
            acc = c[k] * V + W @ acc
        return np.asarray(W @ acc)

    rng, _ = seed_record(seed)
    est = np.empty((probes, 3))
    for a, b in probe_blocks(n, probes):
        U = rademacher(rng, n, b - a)
        GU = lu.solve(W @ U)
        GGU = lu.solve(W @ GU)
        CU = apply_c(U)
        CCU = apply_c(CU)
        est[a:b, 0] = np.einsum("ij,ij->j", U, GU - CU) + tr_c
        est[a:b, 1] = np.einsum("ij,ij->j", GU, GU) - np.einsum("ij,ij->j", CU, CU) + tr_ctc
        est[a:b, 2] = np.einsum("ij,ij->j", U, GGU - CCU) + tr_c2
    mean = est.mean(axis=0)
    se = est.std(axis=0, ddof=1) / np.sqrt(probes)
    keys = ("trG", "trGtG", "trG2")
    out = {k: float(v) for k, v in zip(keys, mean, strict=True)}
    out.update({f"se_{k}": float(v) for k, v in zip(keys, se, strict=True)})
    return out
