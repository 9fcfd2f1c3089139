r"""Aggregation of normalised indicators into scores: weighted sum and TOPSIS; ranks.

Weighted sum: :math:`S_i = \sum_j w_j x'_{ij}`.

TOPSIS (Hwang & Yoon 1981) on the weighted normalised matrix :math:`v_{ij} = w_j x'_{ij}`:
the ideal :math:`v^+_j = \max_i v_{ij}` and anti-ideal :math:`v^-_j = \min_i v_{ij}` over the
objects of the scope (all city-years, or the cities of each year), the Euclidean
distances

.. math::

    D^+_i = \sqrt{\sum_j (v_{ij} - v^+_j)^2}, \qquad D^-_i = \sqrt{\sum_j (v_{ij} - v^-_j)^2},

and the relative closeness :math:`C_i = D^-_i / (D^+_i + D^-_i) \in [0, 1]`. Because x' is
already direction-aligned, the ideal is the column maximum for every indicator. With
w >= 0 the weighted ideal is :math:`w_j \max_i x'_{ij}`, so the ideal is stored on the
x' scale and any weights can be applied to it. "Entropy-TOPSIS" is TOPSIS with entropy
weights: ``build_index(..., weighting="entropy", aggregate="topsis")``.

Ranks are within each year, rank 1 = the highest score, ties share the smallest rank.

References
----------
Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and
Applications. Springer (Lecture Notes in Economics and Mathematical Systems 186).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.indices._checks import POOLED, group_keys, py, rows_for

AGGREGATIONS: tuple[str, ...] = ("sum", "topsis")


def _aligned_weights(normalized: pd.DataFrame, weights: pd.Series) -> np.ndarray:
    missing = [c for c in normalized.columns if c not in weights.index]
    if missing:
        raise ArgumentError(f"weights lack the indicators {missing}")
    w = weights.reindex(normalized.columns).to_numpy(dtype=float)
    if (w < 0).any() or not np.isfinite(w).all():
        raise ArgumentError(f"weights must be finite and non-negative; got {weights.to_dict()}")
    return w


def weighted_sum(normalized: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """:math:`\\sum_j w_j x'_{ij}` per row of ``normalized`` (weights by indicator)."""
    w = _aligned_weights(normalized, weights)
    return pd.Series(normalized.to_numpy(dtype=float) @ w, index=normalized.index, name="score")


def ideal_points(
    normalized: pd.DataFrame, scope: str = POOLED
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Column max and min of x' per scope group (the unweighted ideal and anti-ideal)."""
    keys = group_keys(normalized.index, scope)
    grouped = normalized.groupby(keys, sort=True)
    label = "scope" if scope == POOLED else "year"
    return grouped.max().rename_axis(label), grouped.min().rename_axis(label)


def topsis(
    normalized: pd.DataFrame,
    weights: pd.Series,
    *,
    scope: str = POOLED,
    ideal: pd.DataFrame | None = None,
    anti_ideal: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """TOPSIS distances and relative closeness of every row (formulas in the module doc).

    Parameters
    ----------
    normalized : pandas.DataFrame
        Direction-aligned x', indexed by (city, year).
    weights : pandas.Series
        Non-negative weights by indicator.
    scope : {"pooled", "by_year"}
        Which objects define the ideal points (ignored when ``ideal`` is given).
    ideal, anti_ideal : pandas.DataFrame, optional
        Unweighted ideal points per scope group (from :func:`ideal_points` on the fit
        data), to score new data against a reference period.

    Returns
    -------
    pandas.DataFrame
        ``d_plus``, ``d_minus``, ``closeness``, indexed like ``normalized``.
    """
    w = _aligned_weights(normalized, weights)
    if ideal is None or anti_ideal is None:
        ideal, anti_ideal = ideal_points(normalized, scope)
    keys = group_keys(normalized.index, scope)
    cols = list(normalized.columns)
    best, unseen = rows_for(ideal[cols], keys)
    worst, _ = rows_for(anti_ideal[cols], keys)
    if unseen:
        raise ArgumentError(
            f"TOPSIS ideal points were learned for {[py(k) for k in ideal.index]}, not for {unseen}"
        )
    v = normalized.to_numpy(dtype=float) * w
    best, worst = best * w, worst * w
    d_plus = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_plus + d_minus
    closeness = np.divide(d_minus, total, out=np.full_like(total, 0.5), where=total > 0)
    return pd.DataFrame(
        {"d_plus": d_plus, "d_minus": d_minus, "closeness": closeness}, index=normalized.index
    )


def rank_within_year(scores: pd.Series) -> pd.Series:
    """Rank 1 = highest score among the cities of the same year (ties: smallest rank)."""
    ranks = scores.groupby(level="year").rank(ascending=False, method="min")
    return ranks.astype("int64").rename("rank")
