"""The three tests that a coefficient differs between groups: the pooled interaction
(Chow-type) Wald test, the seemingly-unrelated (suest-style) χ² test and Fisher's
permutation test, with the fast within estimator the permutation loop uses.

See ``docs/methods/heterogeneity.md`` for the formulas.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, stats

from cityres.econometrics._frame import Effects
from cityres.econometrics.fe import FEResult, Vcov, WaldTest, fit_fe

# ---------------------------------------------------------------------------------------
# fast within estimator


def within_coefs(values: np.ndarray, entity: np.ndarray, time: np.ndarray,
                 effects: Effects) -> np.ndarray:
    """Coefficients of the fixed-effects regression of ``values[:, 0]`` on
    ``values[:, 1:]``; NaN when the regressors are collinear after the effects are removed.

    ``entity`` and ``time`` are integer codes; the rows must be sorted by entity and, within
    an entity, by time (as a model frame is). A balanced subsample is demeaned in closed
    form (``v − v̄_i· − v̄_·t + v̄``); otherwise entity effects are removed by subtracting
    entity means and time effects by partialling out period dummies (Frisch–Waugh–Lovell).
    Both are exact, with no iteration.
    """
    n, m = values.shape
    z = np.asarray(values, dtype=np.float64)
    if effects == "none":
        z = z - z.mean(axis=0)
    elif effects == "time":
        z = z - _group_means(z, time)
    else:
        starts = np.flatnonzero(np.concatenate(([True], entity[1:] != entity[:-1])))
        counts = np.diff(np.append(starts, n))
        n_t = int(counts[0])
        balanced = (effects == "twoways" and bool(np.all(counts == n_t))
                    and bool(np.all(time.reshape(-1, n_t) == time[:n_t])))
        if balanced:
            cube = z.reshape(-1, n_t, m)
            z = (cube - cube.mean(axis=1, keepdims=True) - cube.mean(axis=0, keepdims=True)
                 + cube.mean(axis=(0, 1), keepdims=True)).reshape(n, m)
        else:
            if effects == "twoways":
                _, tcode = np.unique(time, return_inverse=True)
                dummies = np.zeros((n, int(tcode.max()) + 1))
                dummies[np.arange(n), tcode] = 1.0
                z = np.hstack([z, dummies[:, 1:]])
            means = np.add.reduceat(z, starts, axis=0) / counts[:, None]
            z = z - np.repeat(means, counts, axis=0)
            if effects == "twoways" and z.shape[1] > m:
                d = z[:, m:]
                coef, *_ = np.linalg.lstsq(d, z[:, :m], rcond=None)
                z = z[:, :m] - d @ coef
    return _ols(z[:, 1:], z[:, 0])


def _group_means(z: np.ndarray, codes: np.ndarray) -> np.ndarray:
    counts = np.bincount(codes).astype(np.float64)
    sums = np.zeros((counts.size, z.shape[1]))
    np.add.at(sums, codes, z)
    return np.asarray((sums / np.where(counts > 0, counts, 1.0)[:, None])[codes])


def _ols(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares on scaled normal equations; NaN when a column has no variation left
    or the columns are (numerically) collinear, as ``check_design`` judges them."""
    k = x.shape[1]
    norms = np.sqrt(np.einsum("ij,ij->j", x, x))
    if np.any(norms <= 0):
        return np.full(k, np.nan)
    xs = x / norms
    M = xs.T @ xs
    try:
        chol = np.linalg.cholesky(M)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    if np.min(np.diag(chol)) ** 2 <= 1e-10:
        return np.full(k, np.nan)
    return np.asarray(np.linalg.solve(M, xs.T @ y) / norms)


# ---------------------------------------------------------------------------------------
# permutation test


@dataclass(frozen=True)
class Comparison:
    """Groups compared (indices into the group order): two for a pair, all for a joint test."""

    groups: tuple[int, ...]
    units: np.ndarray          # unit index (into unit_labels) of each row taking part
    rows: np.ndarray           # the rows taking part
    unit_labels: np.ndarray    # the group index of each unit
    strata: np.ndarray | None  # for observation-level groupings: the period of each unit


@dataclass(frozen=True)
class PermutationProblem:
    """What one permutation draw needs (picklable for the processes backend)."""

    values: np.ndarray   # [y, x..., controls...] of every row
    entity: np.ndarray
    time: np.ndarray
    effects: Effects
    n_x: int
    comparisons: tuple[Comparison, ...]


def comparisons_for(labels: np.ndarray, order: Sequence[str], level: str,
                    entity: np.ndarray, time: np.ndarray) -> tuple[Comparison, ...]:
    """Every pair of groups and, with more than two groups, the joint comparison."""
    gidx = np.array([order.index(v) for v in labels], dtype=np.int64)
    n_groups = len(order)
    sets: list[tuple[int, ...]] = [(a, b) for a in range(n_groups) for b in range(a + 1,
                                                                                 n_groups)]
    if n_groups > 2:
        sets.append(tuple(range(n_groups)))
    out = []
    for groups in sets:
        rows = np.flatnonzero(np.isin(gidx, groups))
        if level == "entity":
            unit_of_row = entity[rows]
        elif level == "period":
            unit_of_row = time[rows]
        else:
            unit_of_row = rows
        _, first, units = np.unique(unit_of_row, return_index=True, return_inverse=True)
        unit_labels = gidx[rows][first]
        strata = time[rows][first] if level == "observation" else None
        out.append(Comparison(groups, units.astype(np.int64), rows, unit_labels, strata))
    return tuple(out)


def _statistic(problem: PermutationProblem, comp: Comparison,
               row_groups: np.ndarray) -> np.ndarray:
    """Pair: b_second − b_first for each x. Joint: the between-group dispersion
    Σ_g w_g (b_g − b̄)² with w_g the group's share of the compared observations."""
    coefs, weights = [], []
    for g in comp.groups:
        rows = comp.rows[row_groups == g]
        b = within_coefs(problem.values[rows], problem.entity[rows], problem.time[rows],
                         problem.effects)
        coefs.append(b[: problem.n_x])
        weights.append(rows.size)
    c = np.asarray(coefs)
    if len(comp.groups) == 2:
        return np.asarray(c[1] - c[0])
    w = np.asarray(weights, dtype=np.float64) / float(sum(weights))
    mean = w @ c
    return np.asarray(w @ (c - mean) ** 2)


def observed(problem: PermutationProblem) -> np.ndarray:
    """The statistic of every comparison on the groups as they are (comparisons × x)."""
    return np.array([_statistic(problem, c, c.unit_labels[c.units])
                     for c in problem.comparisons])


def permutation_draw(rng: np.random.Generator, problem: PermutationProblem) -> np.ndarray:
    """One permutation: each comparison's group labels shuffled among its units (within
    periods for observation-level groupings); returns the statistics (comparisons × x)."""
    out = []
    for comp in problem.comparisons:
        if comp.strata is None:
            shuffled = comp.unit_labels[rng.permutation(comp.unit_labels.size)]
        else:
            order = np.argsort(comp.strata, kind="stable")
            target = np.lexsort((rng.random(comp.strata.size), comp.strata))
            shuffled = np.empty_like(comp.unit_labels)
            shuffled[target] = comp.unit_labels[order]
        out.append(_statistic(problem, comp, shuffled[comp.units]))
    return np.array(out)


def permutation_pvalues(obs: float, draws: np.ndarray, *,
                        joint: bool) -> tuple[float, float, int]:
    """(two-sided p, one-sided p, valid draws): ``(1 + #{extreme}) / (1 + B)``.

    Two-sided counts ``|d_b| ≥ |d|``; one-sided counts draws at least as far as ``d`` in
    its own direction (bdiff's convention). For a joint statistic (≥ 0) both are the
    upper tail. Draws that could not be estimated (NaN) are left out of B.
    """
    d = draws[np.isfinite(draws)]
    if not np.isfinite(obs) or d.size == 0:
        return float("nan"), float("nan"), int(d.size)
    tol = 1e-9 * max(abs(obs), float(np.max(np.abs(d))))
    if joint:
        p = (1 + int(np.sum(d >= obs - tol))) / (1 + d.size)
        return p, p, int(d.size)
    two = (1 + int(np.sum(np.abs(d) >= abs(obs) - tol))) / (1 + d.size)
    one = (1 + int(np.sum(d >= obs - tol) if obs >= 0 else np.sum(d <= obs + tol))) / (
        1 + d.size)
    return two, one, int(d.size)


# ---------------------------------------------------------------------------------------
# pooled interaction (Chow-type) model


def interacted_name(regressor: str, j: int) -> str:
    """Name of ``regressor`` × 1[group j] in the pooled model (j counts from 0)."""
    return f"{regressor}_g{j + 1}"


def pooled_interaction(frame: pd.DataFrame, y: str, regressors: Sequence[str],
                       gidx: np.ndarray, n_groups: int, *, entity: str, time: str,
                       effects: Effects, vcov: Vcov, cluster: str | None) -> FEResult:
    """The fully interacted pooled model: every regressor and every fixed effect
    interacted with the groups, so that its group slopes are the subgroup estimates."""
    pooled = pd.DataFrame({entity: frame[entity].to_numpy(), time: frame[time].to_numpy()})
    tag = pd.Series(gidx, index=frame.index).astype(str).to_numpy()
    pooled["het_unit"] = frame[entity].astype(str).to_numpy() + "|" + tag
    pooled["het_period"] = frame[time].astype(str).to_numpy() + "|" + tag
    pooled["het_group"] = tag
    pooled["het_row"] = np.arange(len(frame))
    if cluster is not None and cluster not in pooled:
        pooled[cluster] = frame[cluster].to_numpy()
    pooled[y] = frame[y].to_numpy()
    names = []
    for r in regressors:
        col = frame[r].to_numpy(dtype=np.float64)
        for j in range(n_groups):
            name = interacted_name(r, j)
            pooled[name] = np.where(gidx == j, col, 0.0)
            names.append(name)
    fe_entity, fe_time, eff = {
        "twoways": ("het_unit", "het_period", "twoways"),
        "individual": ("het_unit", time, "individual"),
        "time": (entity, "het_period", "time"),
        "none": ("het_row", "het_group", "time"),  # group intercepts
    }[effects]
    cl = (cluster or entity) if vcov == "cluster" else None
    return fit_fe(f"{y} ~ " + " + ".join(names), pooled, entity=fe_entity, time=fe_time,
                  effects=eff, vcov=vcov, cluster=cl)  # type: ignore[arg-type]


def chow_test(pooled: FEResult, regressors: Sequence[str], groups: Sequence[int],
              n_groups: int) -> WaldTest:
    """Wald test on the pooled model that the slopes of ``regressors`` are equal across
    ``groups`` (one restriction per regressor and group after the first)."""
    rows = []
    for r in regressors:
        first = interacted_name(r, groups[0])
        for g in groups[1:]:
            rows.append({first: 1.0, interacted_name(r, g): -1.0})
    R = pd.DataFrame(rows).fillna(0.0)
    return pooled.wald(R)


# ---------------------------------------------------------------------------------------
# seemingly unrelated estimation (suest)


def suest_covariance(models: Sequence[FEResult]) -> np.ndarray:
    """Joint cluster-robust covariance of the stacked group estimates.

    ``V = C/(C−1) · B (Σ_c s_c s_c') B`` with ``B = diag(B_g)`` the groups' breads
    ``(X̃_g'X̃_g)⁻¹``, ``s_c`` the stacked sums over cluster ``c`` of every group's scores
    (zero for a group without observations in ``c``) and C the clusters of all groups
    together. Clusters are the models' clusters (observations when not clustered).
    """
    ids = []
    for m in models:
        if m.vcov_type == "cluster":
            ids.append(pd.Series(m.clusters().to_numpy()).astype(str).to_numpy())
        else:  # heteroskedasticity-robust: each observation its own cluster
            idx = m.scores().index
            ids.append(np.array([f"{a}|{b}" for a, b in idx], dtype=object))
    codes, uniq = pd.factorize(np.concatenate(ids))
    n_cl = uniq.size
    parts, breads, start = [], [], 0
    for m, i in zip(models, ids, strict=True):
        s = m.scores().to_numpy()
        c = codes[start: start + len(i)]
        start += len(i)
        sums = np.zeros((n_cl, s.shape[1]))
        np.add.at(sums, c, s)
        parts.append(sums)
        breads.append(m.bread().to_numpy())
    meat_scores = np.hstack(parts)
    bread = linalg.block_diag(*breads)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        factor = n_cl / (n_cl - 1) if n_cl > 1 else float("nan")
    return np.asarray(factor * bread @ (meat_scores.T @ meat_scores) @ bread)


def suest_test(theta: np.ndarray, V: np.ndarray, R: np.ndarray) -> tuple[float, int, float]:
    """χ² = (Rθ)'(R V R')⁻¹(Rθ) with its degrees of freedom and p-value."""
    d = R @ theta
    chi2 = float(d @ np.linalg.solve(R @ V @ R.T, d))
    df = int(R.shape[0])
    return chi2, df, float(stats.chi2.sf(chi2, df))
