r"""The SSR(γ) engine of the panel threshold model: every candidate split at once.

With the regressors of the model without the new split fixed (the regimes of the
thresholds already estimated and the controls), adding the split at γ adds the columns
:math:`r(\gamma) = x \circ 1(q \le \gamma)` (for a γ between two fixed thresholds this spans
the same space as splitting that regime in two). With :math:`P = M_{DX_0} D` (``D`` the
within transformation, :math:`X_0` the fixed regressors)

.. math:: S(\gamma) = y'Py - (r'Py)'(r'Pr)^{-1}(r'Py), \qquad
          r'Pr = r'Dr - (Q'r)'(Q'r)

where ``Q`` is an orthonormal basis of :math:`DX_0`. Sorting the observations by ``q``,
``r'Py`` and ``Q'r`` are cumulative sums and ``r'Dr`` follows from running per-entity (and,
with time effects, per-period) sums, so all candidates cost one pass. ``r'Pr`` does not
depend on ``y``: the fixed-regressor bootstrap only recomputes ``r'Py*``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cityres._shared.errors import ArgumentError, PanelError
from cityres.econometrics.threshold._data import MIN_REGIME_OBS, ThresholdData


def within(a: np.ndarray, n_entities: int, n_periods: int, two_way: bool) -> np.ndarray:
    """The within transformation of ``a`` (rows i·T + t): entity means removed, and with
    ``two_way`` the period means too (exact for a balanced panel)."""
    shape = a.shape
    b = a.reshape(n_entities, n_periods, -1)
    b = b - b.mean(axis=1, keepdims=True)
    if two_way:
        b = b - b.mean(axis=0, keepdims=True)
    return b.reshape(shape)


def _group_prev_sums(xs: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """For rows in order, the sum of ``xs`` over the earlier rows of the same group."""
    idx = np.argsort(groups, kind="stable")
    g = groups[idx]
    v = xs[idx]
    cs = np.cumsum(v, axis=0)
    start = np.r_[True, g[1:] != g[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(len(g)), 0))  # run starts
    prev = cs - v - (cs[first] - v[first])
    out = np.empty_like(prev)
    out[idx] = prev
    return out


def _outer_increments(xs: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """Increments of Σ_g s_g s_g' as rows are added: s x' + x s' + x x'."""
    return (prev[:, :, None] * xs[:, None, :] + xs[:, :, None] * prev[:, None, :]
            + xs[:, :, None] * xs[:, None, :])


@dataclass(frozen=True)
class Engine:
    """Everything of the split search that depends on ``x``, ``q`` and the panel only."""

    data: ThresholdData
    two_way: bool
    order: np.ndarray  # observations sorted by q (stable)
    xs: np.ndarray  # x in that order
    values: np.ndarray  # distinct q values, ascending
    ends: np.ndarray  # last sorted position with q <= values[j]
    counts: np.ndarray  # #(q <= values[j])
    rdr: np.ndarray  # (U, k, k) r'Dr at each distinct value
    rr: np.ndarray  # (U, k) diagonal of r'r (scale of the rank check)

    @property
    def df_sigma(self) -> int:
        """Degrees of freedom of σ̂² = S / df: N(T − 1), less T − 1 with time effects."""
        d = self.data
        return d.n_entities * (d.n_periods - 1) - ((d.n_periods - 1) if self.two_way else 0)

    def within(self, a: np.ndarray) -> np.ndarray:
        """The within transformation of this panel."""
        d = self.data
        return within(a, d.n_entities, d.n_periods, self.two_way)

    def regimes(self, gammas: tuple[float, ...]) -> np.ndarray:
        """Regime of each observation: 0 for q ≤ γ₁, 1 for γ₁ < q ≤ γ₂, …"""
        return np.searchsorted(np.sort(np.asarray(gammas, float)), self.data.q, side="left")

    def design(self, gammas: tuple[float, ...]) -> np.ndarray:
        """Raw regressors: each regime variable split by regime, then the controls."""
        d = self.data
        reg = self.regimes(gammas)
        k = d.x.shape[1]
        parts = [d.x[:, j] * (reg == r) for j in range(k) for r in range(len(gammas) + 1)]
        return np.column_stack([*parts, d.z]) if parts or d.z.size else np.zeros((d.n, 0))

    def column_names(self, n_regimes: int) -> list[str]:
        """Names of :meth:`design`'s columns: ``<regime>_r1``, …, then the controls."""
        d = self.data
        return [f"{v}_r{r + 1}" for v in d.regime for r in range(n_regimes)] + list(d.controls)

    def basis(self, gammas: tuple[float, ...]) -> np.ndarray:
        """Orthonormal basis of the within-transformed fixed regressors (rank checked)."""
        raw = self.design(gammas)
        if raw.shape[1] == 0:
            return np.zeros((self.data.n, 0))
        w = self.within(raw)
        qmat, rmat = np.linalg.qr(w)
        scale = np.maximum(np.linalg.norm(raw, axis=0), 1e-300)
        bad = np.flatnonzero(np.abs(np.diag(rmat)) <= 1e-10 * scale)
        if bad.size:
            names = self.column_names(len(gammas) + 1)
            shown = ", ".join(f"{names[j]!r}" for j in bad)
            cuts = ", ".join(f"{g:.6g}" for g in sorted(gammas))
            raise PanelError(f"threshold(): with thresholds [{cuts}] the regressors {shown} are "
                             "collinear with the others (or have no within variation in their "
                             "regime); fewer thresholds or a larger trim may help")
        return qmat

    def project(self, y: np.ndarray, basis: np.ndarray) -> np.ndarray:
        """``P y``: within-transformed and orthogonal to the fixed regressors."""
        v = self.within(y)
        return v - basis @ (basis.T @ v) if basis.shape[1] else v

    def split_matrix(self, basis: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """``r'Pr`` at the candidate indices ``cand`` (into :attr:`values`)."""
        if basis.shape[1] == 0:
            return self.rdr[cand]
        qs = basis[self.order]
        c = np.cumsum(qs[:, :, None] * self.xs[:, None, :], axis=0)[self.ends[cand]]
        return self.rdr[cand] - np.einsum("upk,upl->ukl", c, c)

    def cross(self, py: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """``r'Py`` at the candidate indices (an ``(m, k)`` array)."""
        return np.cumsum(self.xs * py[self.order][:, None], axis=0)[self.ends[cand]]


def make_engine(data: ThresholdData, two_way: bool) -> Engine:
    """Sort by q and accumulate ``r'Dr`` for every distinct value of q."""
    order = np.argsort(data.q, kind="stable")
    qs = data.q[order]
    xs = data.x[order]
    last = np.r_[qs[1:] != qs[:-1], True]
    ends = np.flatnonzero(last)
    n_e, n_t = data.n_entities, data.n_periods
    acc = xs[:, :, None] * xs[:, None, :]
    rr = np.cumsum(xs * xs, axis=0)[ends]
    ent = data.entity_codes[order]
    inc = _outer_increments(xs, _group_prev_sums(xs, ent)) / n_t
    if two_way:
        per = (order % n_t)
        inc = inc + _outer_increments(xs, _group_prev_sums(xs, per)) / n_e
        tot = np.cumsum(xs, axis=0)
        grand = tot[:, :, None] * tot[:, None, :] / (n_e * n_t)
        rdr = np.cumsum(acc - inc, axis=0)[ends] + grand[ends]
    else:
        rdr = np.cumsum(acc - inc, axis=0)[ends]
    return Engine(data=data, two_way=two_way, order=order, xs=xs, values=qs[ends],
                  ends=ends, counts=ends + 1, rdr=rdr, rr=rr)


def min_obs(trim: float, n: int) -> int:
    """Fewest observations a regime may hold: ⌈trim · n⌉ (at least MIN_REGIME_OBS)."""
    return max(math.ceil(round(trim * n, 9)), MIN_REGIME_OBS)


def pool(engine: Engine, trim: float, grid: int | None) -> np.ndarray:
    """Candidate indices (into ``engine.values``) before the regime-size rule.

    ``grid=None``: every distinct value; ``grid=g``: the empirical quantiles (smallest value
    with F_n ≥ p) at ``g`` evenly spaced probabilities from ``trim`` to ``1 − trim``.
    """
    if grid is None:
        return np.arange(engine.values.size)
    n = engine.data.n
    probs = trim + (1 - 2 * trim) * np.arange(grid) / (grid - 1)
    idx = np.searchsorted(engine.counts, probs * n - 1e-9, side="left")
    return np.unique(np.minimum(idx, engine.values.size - 1))


def admissible(engine: Engine, fixed: tuple[float, ...], trim: float,
               grid: int | None) -> np.ndarray:
    """Candidates whose split leaves every regime with at least ``min_obs`` observations."""
    n = engine.data.n
    m = min_obs(trim, n)
    cand = pool(engine, trim, grid)
    g = np.sort(np.asarray(fixed, float))
    bounds = np.r_[0, np.searchsorted(engine.data.q[engine.order], g, side="right"), n]
    if np.any(np.diff(bounds) < m):
        return np.zeros(0, dtype=np.int64)
    c = engine.counts[cand]
    b = np.searchsorted(g, engine.values[cand], side="left")
    ok = (c - bounds[b] >= m) & (bounds[b + 1] - c >= m)
    return cand[ok]


@dataclass(frozen=True)
class Scan:
    """One search: the SSR of every admissible candidate given the fixed thresholds."""

    fixed: tuple[float, ...]
    candidates: np.ndarray  # indices into engine.values
    gammas: np.ndarray
    ssr: np.ndarray
    ssr_null: float  # SSR of the model with the fixed thresholds only

    @property
    def best(self) -> int:
        """Position (in :attr:`gammas`) of the minimum (the first one on ties)."""
        return int(np.argmin(self.ssr))

    @property
    def gamma(self) -> float:
        """The minimising candidate."""
        return float(self.gammas[self.best])

    @property
    def ssr_min(self) -> float:
        """The minimum SSR."""
        return float(self.ssr[self.best])


@dataclass(frozen=True)
class SplitSetup:
    """What a search (and its bootstrap) needs that does not depend on ``y``."""

    fixed: tuple[float, ...]
    basis: np.ndarray
    candidates: np.ndarray
    inverse: np.ndarray  # (m, k, k) (r'Pr)^{-1} at the candidates


def setup(engine: Engine, fixed: tuple[float, ...], trim: float, grid: int | None,
          *, stage: str) -> SplitSetup:
    """Basis, admissible candidates and ``(r'Pr)⁻¹`` of a search given ``fixed``."""
    basis = engine.basis(fixed)
    cand = admissible(engine, fixed, trim, grid)
    if cand.size:
        mat = engine.split_matrix(basis, cand)
        scale = np.sqrt(engine.rr[cand])
        norm = mat / (scale[:, :, None] * scale[:, None, :])
        ok = np.linalg.eigvalsh(norm)[:, 0] > 1e-10
        cand, mat = cand[ok], mat[ok]
    if not cand.size:
        _no_candidates(engine, fixed, trim, grid, stage)
    return SplitSetup(fixed=fixed, basis=basis, candidates=cand, inverse=np.linalg.inv(mat))


def gains(engine: Engine, st: SplitSetup, py: np.ndarray) -> np.ndarray:
    """``(r'Py)'(r'Pr)⁻¹(r'Py)`` at every candidate: the SSR reduction of each split."""
    a = engine.cross(py, st.candidates)
    return np.einsum("uk,ukl,ul->u", a, st.inverse, a)


def scan(engine: Engine, st: SplitSetup, y: np.ndarray) -> Scan:
    """SSR of the model with ``st.fixed`` plus one split, at every admissible candidate."""
    py = engine.project(y, st.basis)
    s0 = float(py @ py)
    return Scan(fixed=st.fixed, candidates=st.candidates,
                gammas=engine.values[st.candidates], ssr=s0 - gains(engine, st, py),
                ssr_null=s0)


def _no_candidates(engine: Engine, fixed: tuple[float, ...], trim: float, grid: int | None,
                   stage: str) -> None:
    d = engine.data
    n = d.n
    m = min_obs(trim, n)
    inner = int(np.sum((engine.counts >= m) & (n - engine.counts >= m)))
    what = (f"{stage}: no admissible candidate for the threshold of {d.q_name!r}: it has "
            f"{engine.values.size} distinct value(s), {inner} of them with at least {m} "
            f"observations (trim={trim:g} of {n}) on each side")
    if fixed:
        what += (f"; given the thresholds [{', '.join(f'{g:.6g}' for g in sorted(fixed))}] no "
                 f"split leaves every regime with {m} observations")
    if grid is not None:
        what += f" among the grid={grid} quantile points"
    raise ArgumentError(what + ". Use fewer thresholds, a smaller trim or grid=None")
