"""The cluster bootstrap of the mediation model: resampled panels, a numpy within estimator
for the draws, and the percentile and bias-corrected intervals.

A draw resamples whole resampling units (entities, or clusters of entities) with
replacement; every copy of an entity gets a fresh id, so its fixed effect is its own. The
draw's data are demeaned for the fixed effects (closed form on a balanced panel,
:func:`cityres.econometrics._frame.demean` otherwise) and one least-squares solve gives, for
every mediator at once, ``a`` (m on x and controls), the total effect ``c`` (y on x and
controls) and, by Frisch–Waugh–Lovell, ``b`` (the coefficient of m in y on x, m and
controls) from the residuals of that solve.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, CityresWarning
from cityres.econometrics._frame import Effects, demean


class BootstrapWarning(CityresWarning):
    """Some bootstrap draws could not be estimated (a regressor without variation in the
    resampled panel) and were left out of the intervals; the count is reported."""


@dataclass(frozen=True)
class WithinData:
    """What a bootstrap draw needs, in the frame's row order (sorted by entity and time).

    ``values`` has the columns ``[y, m_1 … m_K, x, controls …]``; ``entity_rows[e]`` the row
    positions of entity ``e``; ``units[g]`` the entities of resampling unit ``g``;
    ``cube`` the values as ``(entities, periods, columns)`` when the panel is balanced,
    already demeaned within entities for entity or two-way effects (None otherwise).
    """

    values: np.ndarray
    n_mediators: int
    effects: Effects
    entity_rows: tuple[np.ndarray, ...]
    time_codes: np.ndarray
    units: tuple[np.ndarray, ...]
    cube: np.ndarray | None


def within_data(frame: pd.DataFrame, columns: Sequence[str], n_mediators: int, entity: str,
                time: str, effects: Effects, unit: str) -> WithinData:
    """Build :class:`WithinData` from a model frame sorted by entity and time.

    ``columns`` are ``[y, x, m_1 … m_K, controls …]``; ``unit`` is the column whose values
    are resampled (the entity, or a cluster variable in which every entity lies wholly).
    """
    cols = list(columns)
    cols = [cols[0], *cols[2:2 + n_mediators], cols[1], *cols[2 + n_mediators:]]
    values = frame[cols].to_numpy(dtype=np.float64)
    ent = pd.factorize(frame[entity])[0]
    n_ent = int(ent.max()) + 1
    starts = np.flatnonzero(np.r_[True, ent[1:] != ent[:-1]])
    bounds = np.r_[starts, len(ent)]
    entity_rows = tuple(np.arange(bounds[i], bounds[i + 1]) for i in range(n_ent))
    time_codes = pd.factorize(frame[time])[0].astype(np.int64)
    if unit == entity:
        units = tuple(np.array([e]) for e in range(n_ent))
    else:
        per_entity = frame.groupby(ent, sort=True)[unit].nunique()
        split = per_entity[per_entity > 1]
        if len(split):
            names = frame[entity].to_numpy()[starts[split.index.to_numpy()]][:10].tolist()
            raise ArgumentError(f"cluster={unit!r}: the bootstrap resamples whole clusters, "
                                f"but {entity} {names} lie in more than one {unit}; cluster by "
                                f"a variable that does not change within an {entity}")
        ucodes = pd.factorize(frame[unit].to_numpy()[starts])[0]
        units = tuple(np.flatnonzero(ucodes == g) for g in range(int(ucodes.max()) + 1))
    n_t = int(time_codes.max()) + 1
    cube = None
    if all(len(r) == n_t for r in entity_rows):
        cube = values.reshape(n_ent, n_t, values.shape[1])
        if effects in ("twoways", "individual"):
            cube = cube - cube.mean(axis=1, keepdims=True)
    return WithinData(values=values, n_mediators=n_mediators, effects=effects,
                      entity_rows=entity_rows, time_codes=time_codes, units=units, cube=cube)


def _group_demean(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    counts = np.bincount(codes).astype(np.float64)
    sums = np.zeros((counts.size, values.shape[1]))
    np.add.at(sums, codes, values)
    return values - (sums / counts[:, None])[codes]


def demeaned(data: WithinData, entities: np.ndarray) -> np.ndarray:
    """The within-transformed values of the panel made of ``entities`` (with repeats), each
    copy of an entity a unit of its own."""
    k = data.values.shape[1]
    if data.cube is not None:
        cube = data.cube[entities]
        if data.effects in ("twoways", "time"):
            cube = cube - cube.mean(axis=0, keepdims=True)
        elif data.effects == "none":
            cube = cube - cube.mean(axis=(0, 1), keepdims=True)
        return cube.reshape(-1, k)
    rows = np.concatenate([data.entity_rows[e] for e in entities])
    sizes = np.array([data.entity_rows[e].size for e in entities])
    fresh = np.repeat(np.arange(len(entities)), sizes)
    vals = data.values[rows]
    if data.effects == "individual":
        return _group_demean(vals, fresh)
    if data.effects == "time":
        return _group_demean(vals, data.time_codes[rows])
    if data.effects == "none":
        return vals - vals.mean(axis=0)
    times = pd.factorize(data.time_codes[rows])[0]
    return demean(vals, np.column_stack([fresh, times]).astype(np.uint64))


def within_effects(data: WithinData, entities: np.ndarray) -> np.ndarray:
    """``(K, 3)`` array of ``a``, ``b`` and ``c`` for each mediator on the panel of
    ``entities`` (NaN where a regressor has no variation left).

    With ``Z`` the demeaned ``[x, controls]`` and ``r_v`` the residual of ``v`` on ``Z``:
    ``a_m`` and ``c`` are the coefficients of x for ``m`` and ``y``, and
    ``b_m = r_m'r_y / r_m'r_m`` (Frisch–Waugh–Lovell).
    """
    W = demeaned(data, entities)
    K = data.n_mediators
    Y, X = W[:, : 1 + K], W[:, 1 + K:]
    out = np.full((K, 3), np.nan)
    scale = np.linalg.norm(X, axis=0)
    if np.any(scale == 0):
        return out
    coef, _, rank, _ = np.linalg.lstsq(X / scale, Y, rcond=None)
    if rank < X.shape[1]:
        return out
    R = Y - (X / scale) @ coef
    coef = coef / scale[:, None]
    ry, rm = R[:, 0], R[:, 1:]
    den = np.einsum("ij,ij->j", rm, rm)
    ok = den > 1e-12 * np.einsum("ij,ij->j", Y[:, 1:], Y[:, 1:])
    out[:, 0] = coef[0, 1:]
    out[:, 1] = np.where(ok, (rm.T @ ry) / np.where(ok, den, 1.0), np.nan)
    out[:, 2] = coef[0, 0]
    out[~ok, :] = np.nan
    return out


def draw(rng: np.random.Generator, data: WithinData) -> np.ndarray:
    """One cluster-bootstrap replicate: :func:`within_effects` on resampled units."""
    G = len(data.units)
    picked = rng.integers(0, G, size=G)
    entities = np.concatenate([data.units[g] for g in picked])
    return within_effects(data, entities)


def percentile_ci(draws: np.ndarray, level: float) -> tuple[float, float]:
    """The percentile interval: the ``(1 − level)/2`` and ``(1 + level)/2`` quantiles of the
    draws (numpy's default linear interpolation, Hyndman–Fan type 7)."""
    if draws.size == 0:
        return (np.nan, np.nan)
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def bias_corrected_ci(draws: np.ndarray, estimate: float, level: float) -> tuple[float, float]:
    r"""Efron's bias-corrected percentile interval.

    :math:`z_0 = \Phi^{-1}(\#\{\theta^*_b < \hat\theta\}/B)`, and the interval is the
    :math:`\Phi(2z_0 + z_{\alpha/2})` and :math:`\Phi(2z_0 + z_{1-\alpha/2})` quantiles of the
    draws (Efron & Tibshirani 1993, eq. 14.10 with no acceleration). NaN when every draw lies
    on one side of the estimate (:math:`z_0` infinite).
    """
    if draws.size == 0:
        return (np.nan, np.nan)
    p0 = float(np.mean(draws < estimate))
    if p0 <= 0.0 or p0 >= 1.0:
        return (np.nan, np.nan)
    z0 = float(stats.norm.ppf(p0))
    z = float(stats.norm.ppf((1 + level) / 2))
    qs = stats.norm.cdf([2 * z0 - z, 2 * z0 + z])
    lo, hi = np.quantile(draws, qs)
    return float(lo), float(hi)


def warn_failed(n_failed: int, n_total: int) -> None:
    """Warn that ``n_failed`` of ``n_total`` draws could not be estimated."""
    if n_failed:
        warnings.warn(f"{n_failed} of {n_total} bootstrap draws could not be estimated (a "
                      "regressor had no variation left in the resampled panel); the intervals "
                      f"use the other {n_total - n_failed}", BootstrapWarning, stacklevel=3)
