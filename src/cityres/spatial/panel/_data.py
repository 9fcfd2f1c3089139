"""Inputs of the spatial panel models: the formula, the balanced ``N × T`` arrays in the
order of the weights, and the checks that name what is wrong (gaps, missing values,
mismatched or unusable weights, collinear regressors).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import ArgumentTypeError, PanelError, WeightsError
from cityres.data.modelframe import check_values, indexed_frame, parse_formula
from cityres.spatial.weights import Weights


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
    frame, ename, tname = indexed_frame(data, entity, time)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()[:10].tolist()
        raise PanelError(f"data has repeated ({ename}, {tname}) rows: {dup}")
    cols = [y_name, *x_names]
    check_values(frame, cols, ename, tname)
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


def entity_index(entities: tuple[Hashable, ...], periods: tuple[Any, ...], ename: str,
                 tname: str) -> pd.MultiIndex:
    """The (entity, time) MultiIndex of an ``N × T`` array flattened row by row."""
    return pd.MultiIndex.from_product([list(entities), list(periods)], names=[ename, tname])
