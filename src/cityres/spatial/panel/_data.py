"""Inputs of the spatial panel models: the formula, the balanced ``N × T`` arrays in the
order of the weights, and the checks that name what is wrong (gaps, missing values,
mismatched or unusable weights, collinear regressors).
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, WeightsError
from cityres.data.panel import CityPanel
from cityres.spatial.panel.transform import absorbed_by
from cityres.spatial.weights import Weights

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class PanelData:
    """A balanced panel as arrays: ``y`` is ``(N, T)``, ``X`` is ``(N, T, k)``, rows in
    the order of ``w.ids`` (= ``entities``), columns in the order of ``periods``."""

    y: np.ndarray
    X: np.ndarray
    y_name: str
    x_names: tuple[str, ...]
    entities: tuple[str, ...]
    periods: tuple[Any, ...]
    entity_name: str
    time_name: str
    w: Weights


def parse_formula(formula: object) -> tuple[str, tuple[str, ...]]:
    """Split ``"y ~ x1 + x2"`` into ``("y", ("x1", "x2"))``.

    Only plain column names joined by ``+`` are accepted; transform columns first (e.g.
    ``panel.ln(["gsp", "pcap"])`` adds ``ln_gsp`` and ``ln_pcap``).
    """
    if not isinstance(formula, str):
        raise ArgumentTypeError(f"formula must be a str like 'y ~ x1 + x2'; got "
                                f"{type(formula).__name__}")
    if formula.count("~") != 1:
        raise ArgumentError(f"formula must have one '~' between the response and the "
                            f"regressors, like 'y ~ x1 + x2'; got {formula!r}")
    lhs, rhs = (part.strip() for part in formula.split("~"))
    terms = [t.strip() for t in rhs.split("+")]
    bad = [t for t in [lhs, *terms] if not _NAME.match(t)]
    if bad:
        raise ArgumentError(
            f"formula terms must be plain column names joined by '+'; cannot read {bad} in "
            f"{formula!r}. Transform columns first (panel.ln([...]) adds ln_<column>); the "
            "intercept is added by the model when effects='none'")
    dupes = sorted({t for t in terms if terms.count(t) > 1})
    if dupes:
        raise ArgumentError(f"formula repeats regressors {dupes}: {formula!r}")
    if lhs in terms:
        raise ArgumentError(f"the response {lhs!r} is also a regressor in {formula!r}")
    return lhs, tuple(terms)


def _frame(data: object, entity: str | None, time: str | None) -> tuple[pd.DataFrame, str, str]:
    """The data as a frame indexed by (entity, time), and the two level names."""
    if isinstance(data, CityPanel):
        if entity not in (None, "city") or time not in (None, "year"):
            raise ArgumentError("entity and time come from a CityPanel's (city, year) index; "
                                f"leave them as None (got entity={entity!r}, time={time!r})")
        return data.data, "city", "year"
    if not isinstance(data, pd.DataFrame):
        raise ArgumentTypeError("data must be a cityres CityPanel or a pandas DataFrame; got "
                                f"{type(data).__name__}")
    if entity is None and time is None and data.index.nlevels == 2:
        names = [str(n) for n in data.index.names]
        return data, names[0], names[1]
    if entity is None or time is None:
        raise ArgumentError("for a DataFrame give entity= and time= (the columns naming the "
                            "unit and the period), or index it by (entity, time); got "
                            f"entity={entity!r}, time={time!r}")
    frame = data.reset_index() if data.index.nlevels > 1 or data.index.name else data
    for arg, col in (("entity", entity), ("time", time)):
        if col not in frame.columns:
            raise ArgumentError(f"{arg}={col!r} is not a column of data; columns: "
                                f"{list(frame.columns)[:30]}")
    return frame.set_index([entity, time]), entity, time


def _check_values(frame: pd.DataFrame, cols: list[str], ename: str, tname: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ArgumentError(f"formula names columns not in data: {missing}; columns: "
                            f"{list(frame.columns)[:30]}")
    bad_type = [c for c in cols if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad_type:
        raise PanelError(f"columns {bad_type} are not numeric")
    vals = frame[cols].to_numpy(dtype=np.float64)
    rows, cidx = np.nonzero(~np.isfinite(vals))
    if rows.size:
        shown = "; ".join(f"{ename} {frame.index[r][0]}, {tname} {frame.index[r][1]}, column "
                          f"{cols[c]!r} ({vals[r, c]})" for r, c in zip(rows[:20], cidx[:20],
                                                                        strict=True))
        more = f" … and {rows.size - 20} more" if rows.size > 20 else ""
        raise PanelError(f"{rows.size} missing or non-finite value(s); the spatial panel "
                         f"models need every value (fill or drop them first): {shown}{more}")


def as_weights(w: Any, ids: tuple[str, ...]) -> Weights:
    """``w`` as :class:`Weights` with rows in the order of ``ids``.

    A :class:`Weights` is reordered (naming ids that do not match); a square numpy array or
    scipy sparse matrix is taken to be in the order of ``ids``.
    """
    if isinstance(w, Weights):
        return w.reorder(ids, what="the panel")
    if sp.issparse(w) or isinstance(w, np.ndarray):
        shape = w.shape
        if len(shape) != 2 or shape[0] != shape[1]:
            raise WeightsError(f"w must be a square N × N matrix; got shape {tuple(shape)}")
        if shape[0] != len(ids):
            raise WeightsError(f"w is {shape[0]} × {shape[1]} but the panel has {len(ids)} "
                               f"entities ({', '.join(ids[:5])}, …)")
        dense = w.toarray() if sp.issparse(w) else np.asarray(w)
        if not np.issubdtype(dense.dtype, np.number):
            raise WeightsError(f"w must be numeric; got dtype {dense.dtype}")
        dense = dense.astype(np.float64)
        bad = np.argwhere(~np.isfinite(dense))
        if bad.size:
            shown = ", ".join(f"({ids[i]}, {ids[j]})" for i, j in bad[:10])
            raise WeightsError(f"w has {len(bad)} missing or infinite weight(s), at {shown}")
        sums = dense.sum(axis=1)
        row = bool(np.all((np.abs(sums - 1) <= 1e-9) | (sums == 0)) and dense.any())
        return Weights(dense, ids, kind="matrix", transform="row" if row else "none")
    raise ArgumentTypeError("w must be a cityres Weights, a square numpy array or a scipy "
                            f"sparse matrix; got {type(w).__name__}")


def panel_data(formula: str, data: object, *, entity: str | None, time: str | None,
               w: object) -> PanelData:
    """Parse ``formula``, check the panel is balanced and complete, and align ``w``."""
    y_name, x_names = parse_formula(formula)
    frame, ename, tname = _frame(data, entity, time)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()[:10].tolist()
        raise PanelError(f"data has repeated ({ename}, {tname}) rows: {dup}")
    cols = [y_name, *x_names]
    _check_values(frame, cols, ename, tname)
    ent_values = frame.index.get_level_values(0)
    per_values = frame.index.get_level_values(1)
    ents = pd.Index(ent_values.unique()).sort_values()
    pers = pd.Index(per_values.unique()).sort_values()
    N, T = len(ents), len(pers)
    if len(frame) != N * T:
        have = set(zip(ent_values, per_values, strict=True))
        gaps = [(e, t) for e in ents for t in pers if (e, t) not in have]
        shown = ", ".join(f"({e}, {t})" for e, t in gaps[:30])
        raise PanelError(
            f"the spatial panel models need a balanced panel; {len(gaps)} ({ename}, {tname}) "
            f"pair(s) of the {N} × {T} grid are missing: {shown}"
            + (" …" if len(gaps) > 30 else "") + ". Balance it first (CityPanel.balance) "
            "or fill the gaps")
    ids = tuple(str(e) for e in ents)
    if len(set(ids)) != N:
        raise PanelError(f"{ename} values are not unique as strings: {list(ents)[:10]}")
    ei = ents.get_indexer(ent_values)
    ti = pers.get_indexer(per_values)
    vals = frame[cols].to_numpy(dtype=np.float64)
    arr = np.empty((N, T, len(cols)))
    arr[ei, ti, :] = vals
    weights = as_weights(w, ids)
    return PanelData(y=arr[:, :, 0].copy(), X=arr[:, :, 1:].copy(), y_name=y_name,
                     x_names=x_names, entities=ids, periods=tuple(pers.tolist()),
                     entity_name=ename, time_name=tname, w=weights)


def check_design(Z: np.ndarray, names: tuple[str, ...], raw_scale: np.ndarray,
                 effects: str) -> None:
    """Raise :class:`PanelError` naming regressors that are collinear after demeaning.

    ``Z`` is the demeaned ``NT × k`` design, ``raw_scale`` the norm of each column before
    demeaning (a column whose demeaned norm is ~0 relative to it was absorbed).
    """
    norms = np.linalg.norm(Z, axis=0)
    scale = np.where(raw_scale > 0, raw_scale, 1.0)
    dead = [names[j] for j in range(Z.shape[1]) if norms[j] <= 1e-10 * scale[j]]
    if dead:
        raise PanelError(f"regressor(s) {dead} have no variation left after demeaning: "
                         f"{absorbed_by(effects)} (effects={effects!r}); drop them")
    Zs = Z / norms
    M = Zs.T @ Zs  # unit diagonal; QR is avoided (slow with threaded OpenBLAS here)
    keep: list[int] = []
    parts = []
    for j in range(Z.shape[1]):
        coef = np.linalg.solve(M[np.ix_(keep, keep)], M[keep, j]) if keep else np.zeros(0)
        resid = M[j, j] - M[keep, j] @ coef  # squared distance of column j from the span
        if resid > 1e-10:
            keep.append(j)
            continue
        on = [names[keep[m]] for m in np.flatnonzero(np.abs(coef) > 1e-6)]
        parts.append(f"{names[j]!r} is (numerically) a linear combination of {on}")
    if parts:
        raise PanelError(f"collinear regressors after demeaning (effects={effects!r}): "
                         + "; ".join(parts) + ". Drop one of each group")


def entity_index(entities: tuple[Hashable, ...], periods: tuple[Any, ...], ename: str,
                 tname: str) -> pd.MultiIndex:
    """The (entity, time) MultiIndex of an ``N × T`` array flattened row by row."""
    return pd.MultiIndex.from_product([list(entities), list(periods)], names=[ename, tname])
