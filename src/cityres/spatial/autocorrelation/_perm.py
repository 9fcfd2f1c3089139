"""Permutation engines: whole-map permutations (global statistics) and conditional
permutations (local statistics), processed in blocks so that memory does not grow with
the number of permutations — only counts and running moments are kept.

Draws
-----
Global statistics permute the whole vector: block by block, ``Generator.permuted`` shuffles
rows of ``0 … n−1``. Local statistics use the conditional scheme of esda (``crand``): one
``(P, K)`` array of indices into the ``n − 1`` *other* units, ``K`` the largest number of
neighbours, shared by every unit ``i``; unit ``i`` with ``k_i`` neighbours takes the first
``k_i`` columns and maps index ``r`` to unit ``r + (r ≥ i)``. Each row is drawn without
replacement: a uniformly random ``K``-subset of ``0 … n−2`` by Floyd's algorithm, put in a
uniformly random order with ``Generator.permuted`` (so every prefix is a uniform draw
without replacement too). Rows are drawn in blocks of :data:`DRAW_BLOCK`, a constant, so the
draws depend only on the generator, ``P``, ``n`` and ``K``.

Conditional sums by blocks of positions
---------------------------------------
For unit ``i`` the simulated neighbour sum is ``s_p = Σ_m w_im z[r_pm + (r_pm ≥ i)]``. Cut
the units into blocks of contiguous positions ``lo … hi−1``. A draw ``r < lo`` is shifted
by no unit of the block and a draw ``r ≥ hi − 1`` by all of them, so unless some
``r_pm`` falls in ``lo … hi−2`` (rare for small blocks of a large map) the drawn values are
the same for the whole block: every unit with ``k`` neighbours of equal weight (binary or
row-standardised contiguity, k-nearest neighbours) then has the same simulated sum, and
one sorted vector per ``k`` gives each unit's count with ``searchsorted``; rows of unequal
weights take one matrix product. Only the draws that fall inside the block are evaluated
unit by unit. No ``(P, n)`` array is ever built.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from cityres._shared.errors import ArgumentError, ArgumentTypeError

#: Rows of draws made at a time (a constant, so the draws do not depend on the data size).
DRAW_BLOCK = 4096
#: Largest number of floats in one working array (``permutations × units`` of a block).
CHUNK_FLOATS = 2_000_000
#: Two simulated sums closer than this (relative to ``Σ|w|·max|z|``) are ties, counted as
#: "at least as large" whatever the rounding of the two computations.
TIE_RTOL = 1e-10


# ---------------------------------------------------------------------------- arguments
def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _as_int_array(permutations: object, what: str) -> np.ndarray:
    arr = np.asarray(permutations) if not isinstance(permutations, bool | str) else None
    if arr is None or arr.ndim != 2 or not np.issubdtype(arr.dtype, np.integer):
        shape = "" if arr is None else f" with shape {arr.shape}"
        raise ArgumentTypeError(f"permutations must be an int or a 2-d integer array ({what}); "
                                f"got {type(permutations).__name__}{shape}")
    if arr.shape[0] < 1:
        raise ArgumentError("the explicit permutations array has no rows")
    return arr.astype(np.int64, copy=False)


def check_permutations(permutations: object, *, n: int) -> int | np.ndarray:
    """Validate global ``permutations``: an int ≥ 0 or a ``(P, n)`` array of permutations."""
    if _is_int(permutations):
        p = int(permutations)  # type: ignore[call-overload]
        if p < 0:
            raise ArgumentError(f"permutations must be a non-negative integer (0: no "
                                f"permutation test); got {p}")
        return p
    arr = _as_int_array(permutations, "one permutation of 0 … n−1 per row")
    if arr.shape[1] != n:
        raise ArgumentError(f"explicit permutations need one column per unit ({n}); got shape "
                            f"{arr.shape}")
    expected = np.arange(n)
    step = max(1, CHUNK_FLOATS // max(n, 1))
    for start in range(0, arr.shape[0], step):
        bad = np.flatnonzero((np.sort(arr[start:start + step], axis=1) != expected).any(axis=1))
        if bad.size:
            raise ArgumentError(f"row {start + int(bad[0])} of the explicit permutations is "
                                f"not a permutation of 0 … {n - 1}")
    return arr


def check_conditional_draws(permutations: object, *, max_card: int,
                            n: int) -> int | np.ndarray:
    """Validate local ``permutations``: an int ≥ 1 or a ``(P, ≥ K)`` array of draws."""
    if _is_int(permutations):
        p = int(permutations)  # type: ignore[call-overload]
        if p < 1:
            raise ArgumentError(f"permutations must be a positive integer (local statistics "
                                f"are tested by conditional permutation); got {p}")
        return p
    arr = _as_int_array(permutations, "draws: permutations × largest number of neighbours")
    if arr.shape[1] < max_card:
        raise ArgumentError(f"explicit draws need at least {max_card} columns (the largest "
                            f"number of neighbours); got shape {arr.shape}")
    arr = arr[:, :max_card]
    if arr.size and (arr.min() < 0 or arr.max() > n - 2):
        raise ArgumentError(f"explicit draws index the n − 1 = {n - 1} other units (0 … "
                            f"{n - 2}); got values {int(arr.min())} … {int(arr.max())}")
    srt = np.sort(arr, axis=1)
    dup = np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1))
    if dup.size:
        raise ArgumentError(f"row {int(dup[0])} of the explicit draws repeats an index; the "
                            "draws are without replacement")
    return np.ascontiguousarray(arr)


# ---------------------------------------------------------------------------- draws
def _floyd_rows(rng: np.random.Generator, rows: int, m: int, k: int) -> np.ndarray:
    """``rows`` independent uniform ``k``-subsets of ``0 … m−1`` (Floyd), in random order."""
    out = np.empty((rows, k), dtype=np.int64)
    table = np.zeros((rows, m), dtype=bool) if k > 64 else None
    idx = np.arange(rows)
    for step, j in enumerate(range(m - k, m)):
        t = rng.integers(0, j + 1, size=rows)
        if step:
            if table is None:
                dup = (out[:, :step] == t[:, None]).any(axis=1)
            else:
                dup = table[idx, t]
            t = np.where(dup, j, t)
        out[:, step] = t
        if table is not None:
            table[idx, t] = True
    return rng.permuted(out, axis=1, out=out)


def conditional_blocks(draws: int | np.ndarray, rng: np.random.Generator | None, *,
                       n: int, max_card: int) -> Iterator[np.ndarray]:
    """Blocks of conditional draws (rows of indices into the ``n − 1`` other units)."""
    if isinstance(draws, np.ndarray):
        for start in range(0, draws.shape[0], DRAW_BLOCK):
            yield draws[start:start + DRAW_BLOCK]
        return
    assert rng is not None
    for start in range(0, draws, DRAW_BLOCK):
        yield _floyd_rows(rng, min(DRAW_BLOCK, draws - start), n - 1, max_card)


def permutation_blocks(perms: int | np.ndarray, rng: np.random.Generator | None, *,
                       n: int) -> Iterator[np.ndarray]:
    """Blocks of whole-map permutations of ``0 … n−1`` (at most ``CHUNK_FLOATS`` entries)."""
    rows = max(1, min(DRAW_BLOCK, CHUNK_FLOATS // max(n, 1)))
    if isinstance(perms, np.ndarray):
        for start in range(0, perms.shape[0], rows):
            yield perms[start:start + rows]
        return
    assert rng is not None
    for start in range(0, perms, rows):
        b = min(rows, perms - start)
        block = np.tile(np.arange(n, dtype=np.int64), (b, 1))
        yield rng.permuted(block, axis=1, out=block)


# ---------------------------------------------------------------------------- moments
@dataclass
class Tally:
    """Running counts and sums of simulated values (one entry per unit or statistic).

    ``count_ge`` / ``count_le`` count simulated statistics ``≥`` / ``≤`` the observed one
    (ties within the tolerance count in both); ``total`` and ``total_sq`` are the sums of
    the simulated quantity and of its square, ``n`` the number of draws.
    """

    count_ge: np.ndarray
    count_le: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    n: int = 0

    @classmethod
    def zeros(cls, m: int) -> Tally:
        return cls(np.zeros(m, np.int64), np.zeros(m, np.int64), np.zeros(m), np.zeros(m))

    def mean(self) -> np.ndarray:
        return self.total / self.n

    def std(self) -> np.ndarray:
        """Population standard deviation (``ddof=0``, as ``numpy.std`` in esda)."""
        m = self.total / self.n
        return np.sqrt(np.maximum(self.total_sq / self.n - m * m, 0.0))


def global_tally(sims: Iterator[np.ndarray], observed: float, scale: float) -> Tally:
    """Count ``sim ≥ obs`` and ``sim ≤ obs`` (ties within ``TIE_RTOL·scale``); sum moments.

    The sums are of ``sim − observed`` (less cancellation); :func:`global_moments` adds the
    observed value back.
    """
    tally = Tally.zeros(1)
    tol = TIE_RTOL * scale
    for sim in sims:
        d = sim - observed
        tally.count_ge[0] += int(np.count_nonzero(d >= -tol))
        tally.count_le[0] += int(np.count_nonzero(d <= tol))
        tally.total[0] += float(d.sum())
        tally.total_sq[0] += float(d @ d)
        tally.n += d.shape[0]
    return tally


def folded_p(count_ge: np.ndarray, count_le: np.ndarray, permutations: int,
             alternative: str) -> np.ndarray:
    """Pseudo p-value ``(M + 1)/(P + 1)`` for the alternative.

    ``"two-sided"`` folds as esda does (its ``"directed"`` rule): ``M`` is the number of
    simulated values in the tail the observed value lies in, ``min(#(sim ≥ obs),
    #(sim ≤ obs))``; esda writes the second term ``P − #(sim ≥ obs)``, the same number
    unless a simulated value ties the observed one (ties count in both tails here).
    ``"greater"``: ``M = #(sim ≥ obs)``; ``"less"``: ``M = #(sim ≤ obs)``.
    """
    ge = np.asarray(count_ge, dtype=np.int64)
    le = np.asarray(count_le, dtype=np.int64)
    if alternative == "greater":
        m = ge
    elif alternative == "less":
        m = le
    else:
        m = np.minimum(ge, le)
    return (m + 1.0) / (permutations + 1.0)


# ---------------------------------------------------------------------------- local plan
@dataclass(frozen=True)
class _Block:
    """Units at contiguous positions ``lo … hi−1`` (islands left out)."""

    lo: int
    hi: int
    units: np.ndarray  # positions of the units with neighbours
    kmax: int
    weights: np.ndarray  # (g, kmax) neighbour weights in CSR order, zero-padded; ones for
    #                      the rows whose weights are all equal (scaled back by ``factor``)
    factor: np.ndarray  # (g,) common weight of an equal-weight row, else 1
    by_card: tuple[tuple[int, np.ndarray], ...]  # equal-weight rows: (k, rows in block)
    general: np.ndarray  # rows in block with unequal weights


@dataclass(frozen=True)
class NeighbourPlan:
    """The neighbour structure of ``W`` cut into blocks of contiguous positions."""

    n: int
    max_card: int
    blocks: tuple[_Block, ...]
    weight_abs: np.ndarray  # Σ_j |w_ij| per unit (scale of the tie tolerance)
    factor: np.ndarray  # per unit: the common weight of an equal-weight row, else 1

    @classmethod
    def from_csr(cls, w: sp.csr_array, *, block: int | None = None) -> NeighbourPlan:
        n = w.shape[0]
        indptr, data = w.indptr, w.data
        card = np.diff(indptr)
        max_card = int(card.max()) if n else 0
        if block is None:
            # balance per-block sorting (few × DRAW_BLOCK·log) against dense work on the
            # draws that fall inside the block (≈ K·block/n of them)
            block = int(max(16, 6 * np.sqrt(n) / max(max_card, 1)))
        factor = np.ones(n)
        blocks: list[_Block] = []
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            units = lo + np.flatnonzero(card[lo:hi] > 0)
            if not units.size:
                continue
            kb = int(card[units].max())
            wts = np.zeros((units.size, kb))
            by: dict[int, list[int]] = {}
            general: list[int] = []
            for r, u in enumerate(units.tolist()):
                row = data[indptr[u]:indptr[u + 1]]
                if np.all(row == row[0]):
                    wts[r, :row.size] = 1.0
                    factor[u] = row[0]
                    by.setdefault(row.size, []).append(r)
                else:
                    wts[r, :row.size] = row
                    general.append(r)
            blocks.append(_Block(lo, hi, units, kb, wts, factor[units].copy(),
                                 tuple((k, np.array(v)) for k, v in sorted(by.items())),
                                 np.array(general, dtype=np.int64)))
        return cls(n, max_card, tuple(blocks), np.asarray(abs(w).sum(axis=1)).ravel(), factor)


def conditional_tally(z: np.ndarray, plan: NeighbourPlan, observed: np.ndarray,
                      sign: np.ndarray, blocks: Iterator[np.ndarray]) -> Tally:
    """Tally the conditional-permutation neighbour sums ``s_i = Σ_m w_im z_no_i[r_m]``.

    ``observed`` is each unit's observed neighbour sum ``Σ_j w_ij z_j``. The statistic is
    ``a_i + b_i·s_i`` and ``sign`` the sign of ``b_i`` (+1, −1 or 0): the counts are of
    simulated statistics ``≥`` / ``≤`` the observed one, the sums are of ``s_i``.
    """
    n = plan.n
    tally = Tally.zeros(n)
    zmax = float(np.max(np.abs(z))) if z.size else 0.0
    obs_u = np.asarray(observed, dtype=float) / plan.factor
    tol_u = TIE_RTOL * zmax * plan.weight_abs / plan.factor
    sign = np.asarray(sign, dtype=float)
    for draws in blocks:
        for blk in plan.blocks:
            _tally_block(tally, z, draws, blk, obs_u, tol_u, sign)
        tally.n += draws.shape[0]
    tally.total *= plan.factor
    tally.total_sq *= plan.factor * plan.factor
    return tally


def _tally_block(tally: Tally, z: np.ndarray, draws: np.ndarray, blk: _Block,
                 obs_u: np.ndarray, tol_u: np.ndarray, sign: np.ndarray) -> None:
    r = draws[:, :blk.kmax]
    # Index r of the other units is unit r + (r ≥ i). Below the block no unit shifts it,
    # from hi − 1 on every unit does: only draws in lo … hi−2 depend on the unit.
    values = z[r + (r >= blk.hi - 1)]
    inside = ((r >= blk.lo) & (r <= blk.hi - 2)).any(axis=1)
    clean = ~inside
    units = blk.units
    if blk.by_card:
        csum = np.cumsum(values[clean], axis=1)
        for k, rows in blk.by_card:
            srt = np.sort(csum[:, k - 1])
            u = units[rows]
            lo_thr = obs_u[u] - tol_u[u]
            hi_thr = obs_u[u] + tol_u[u]
            n_ge = srt.size - np.searchsorted(srt, lo_thr, side="left")  # s ≥ obs
            n_le = np.searchsorted(srt, hi_thr, side="right")  # s ≤ obs
            _add_counts(tally, u, sign[u], n_ge, n_le, srt.size)
            tally.total[u] += srt.sum()
            tally.total_sq[u] += srt @ srt
    if blk.general.size:
        rows = blk.general
        s = blk.weights[rows] @ values[clean].T
        _add_dense(tally, s, units[rows], obs_u, tol_u, sign)
    if inside.any():
        rd_all = r[inside]
        pos = units[:, None, None]
        step = max(1, CHUNK_FLOATS // (units.size * blk.kmax))
        for start in range(0, rd_all.shape[0], step):
            rd = rd_all[start:start + step][None, :, :]
            exact = np.einsum("jpm,jm->jp", z[rd + (rd >= pos)], blk.weights)
            _add_dense(tally, exact, units, obs_u, tol_u, sign)


def _add_counts(tally: Tally, units: np.ndarray, sign: np.ndarray, n_ge: np.ndarray,
                n_le: np.ndarray, total: int) -> None:
    """Turn counts of ``s ≥ obs`` / ``s ≤ obs`` into counts of the statistic."""
    ge = np.where(sign > 0, n_ge, np.where(sign < 0, n_le, total))
    le = np.where(sign > 0, n_le, np.where(sign < 0, n_ge, total))
    tally.count_ge[units] += ge
    tally.count_le[units] += le


def _add_dense(tally: Tally, s: np.ndarray, units: np.ndarray, obs_u: np.ndarray,
               tol_u: np.ndarray, sign: np.ndarray) -> None:
    d = s - obs_u[units][:, None]
    tol = tol_u[units][:, None]
    _add_counts(tally, units, sign[units], np.count_nonzero(d >= -tol, axis=1),
                np.count_nonzero(d <= tol, axis=1), s.shape[1])
    tally.total[units] += s.sum(axis=1)
    tally.total_sq[units] += np.einsum("jp,jp->j", s, s)
