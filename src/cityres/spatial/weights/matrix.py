"""Weights from a user's matrix (DataFrame, numpy array or scipy sparse)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import ArgumentError, ArgumentTypeError, WeightsError
from cityres.spatial.weights.core import Weights, _ids_tuple

__all__ = ["from_matrix"]


def _where(ids: Sequence[str], rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
           limit: int = 10) -> str:
    shown = [f"({ids[r]}, {ids[c]}) = {v:g}" for r, c, v in
             zip(rows[:limit].tolist(), cols[:limit].tolist(), values[:limit].tolist(),
                 strict=True)]
    return ", ".join(shown) + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _validate(m: sp.csr_array, ids: tuple[str, ...], what: str) -> None:
    """Name the cells that make ``m`` unusable as weights (row id, column id)."""
    coo = m.tocoo()
    r, c, v = coo.row, coo.col, coo.data
    bad = ~np.isfinite(v)
    if bad.any():
        raise WeightsError(f"{what} has missing or infinite weights at (row, column) "
                           + _where(ids, r[bad], c[bad], v[bad]))
    neg = v < 0
    if neg.any():
        raise WeightsError(f"{what} has negative weights at (row, column) "
                           + _where(ids, r[neg], c[neg], v[neg]))
    diag = (r == c) & (v != 0)
    if diag.any():
        raise WeightsError(f"{what} has a non-zero diagonal (a unit cannot be its own "
                           "neighbour) at " + _where(ids, r[diag], c[diag], v[diag]))


def _first_asymmetric(m: sp.csr_array, ids: tuple[str, ...], tol: float) -> str:
    diff = sp.csr_array(m - m.T).tocoo()
    keep = (np.abs(diff.data) > tol) & (diff.row < diff.col)
    rows, cols = diff.row[keep], diff.col[keep]
    dense_pairs = [f"w[{ids[a]}, {ids[b]}] = {m[a, b]:g} but w[{ids[b]}, {ids[a]}] = "
                   f"{m[b, a]:g}" for a, b in zip(rows[:5].tolist(), cols[:5].tolist(),
                                                   strict=True)]
    return "; ".join(dense_pairs) + (f"; and {len(rows) - 5} more pairs" if len(rows) > 5 else "")


def from_matrix(matrix: Any, ids: Sequence[Hashable] | None = None, *,
                require_symmetric: bool = False, kind: str = "matrix") -> Weights:
    """Weights from a square matrix: a labelled DataFrame, or an array with ``ids``.

    Parameters
    ----------
    matrix : pandas.DataFrame, numpy.ndarray or scipy sparse array/matrix
        ``n × n`` non-negative weights with a zero diagonal. A DataFrame's index gives the
        ids (as strings) and its columns must be the same ids, in any order (they are
        reordered to the index).
    ids : sequence, optional
        City codes of the rows of an array or sparse matrix (required for those; a
        DataFrame carries its own).
    require_symmetric : bool, default False
        Raise unless ``w_ij == w_ji`` (to 1e-12 relative to the largest weight).
    kind : str, default "matrix"
        Recorded as the weights' ``kind``.

    Returns
    -------
    Weights
        Not standardised, ``params`` saying where it came from.

    Raises
    ------
    WeightsError
        Non-square; DataFrame index and columns with different ids (both lists);
        non-numeric, missing, infinite or negative cells and a non-zero diagonal (naming
        the row and column ids); asymmetric pairs with ``require_symmetric=True``.
    ArgumentError
        ``ids`` missing for an array, given for a DataFrame, or of the wrong length.

    Notes
    -----
    The matrix is stored as given; no cell is dropped, clipped or filled.

    Examples
    --------
    >>> import pandas as pd
    >>> from cityres.spatial.weights import from_matrix
    >>> df = pd.DataFrame([[2, 0], [0, 1]], index=["310000", "320100"],
    ...                   columns=["320100", "310000"])  # columns in another order
    >>> from_matrix(df).to_dense().to_numpy().tolist()
    [[0.0, 2.0], [1.0, 0.0]]
    """
    if isinstance(matrix, pd.DataFrame):
        if ids is not None:
            raise ArgumentError("ids= is for arrays; a DataFrame's index gives the ids")
        rows = _ids_tuple(matrix.index, argument="the matrix's index")
        cols = _ids_tuple(matrix.columns, argument="the matrix's columns")
        if set(rows) != set(cols):
            only_r = [i for i in rows if i not in set(cols)]
            only_c = [i for i in cols if i not in set(rows)]
            raise WeightsError(
                f"the matrix's index ({len(rows)} ids) and columns ({len(cols)} ids) must be "
                f"the same ids; in the index only: {', '.join(only_r[:20]) or 'none'}; in the "
                f"columns only: {', '.join(only_c[:20]) or 'none'}")
        frame = matrix.copy()
        frame.index, frame.columns = list(rows), list(cols)
        frame = frame[list(rows)]
        nonnum = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if nonnum:
            raise WeightsError(f"the matrix has non-numeric columns: {', '.join(nonnum[:10])}")
        out_ids, m = rows, sp.csr_array(frame.to_numpy(dtype=float))
        source = "DataFrame"
    elif isinstance(matrix, np.ndarray | list) or sp.issparse(matrix):
        if ids is None:
            raise ArgumentError("a numpy array or sparse matrix needs ids= (the city code of "
                                "each row and column)")
        arr = matrix if sp.issparse(matrix) else np.asarray(matrix)
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise WeightsError(f"the weights matrix must be square; got shape {arr.shape}")
        if not sp.issparse(arr) and not np.issubdtype(arr.dtype, np.number):
            raise WeightsError(f"the weights matrix must be numeric; got dtype {arr.dtype}")
        out_ids = _ids_tuple(ids)
        if len(out_ids) != arr.shape[0]:
            raise ArgumentError(f"ids has {len(out_ids)} codes but the matrix is "
                                f"{arr.shape[0]} × {arr.shape[1]}")
        m = sp.csr_array(arr, dtype=float)
        source = "sparse matrix" if sp.issparse(matrix) else "array"
    else:
        raise ArgumentTypeError("from_matrix needs a DataFrame, a numpy array or a scipy sparse "
                                f"matrix; got {type(matrix).__name__}")
    if m.shape[0] != m.shape[1]:
        raise WeightsError(f"the weights matrix must be square; got {m.shape[0]} × {m.shape[1]}")
    _validate(m, out_ids, "the matrix")
    if require_symmetric:
        scale = float(np.abs(m.data).max()) if m.nnz else 1.0
        if (m - m.T).count_nonzero() and not _symmetric(m, 1e-12 * scale):
            raise WeightsError("require_symmetric=True but the matrix is not symmetric: "
                               + _first_asymmetric(m, out_ids, 1e-12 * scale))
    return Weights(m, out_ids, kind=kind, params={"source": source})


def _symmetric(m: sp.csr_array, tol: float) -> bool:
    d = sp.csr_array(m - m.T)
    return bool(d.nnz == 0 or np.max(np.abs(d.data)) <= tol)
