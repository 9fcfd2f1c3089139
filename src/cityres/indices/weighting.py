r"""Indicator weights: entropy, CRITIC, coefficient of variation, PCA, equal, user, combined.

Every function takes one matrix (rows = objects, i.e. city-years; columns = indicators)
and returns a DataFrame indexed by indicator with a ``weight`` column (non-negative,
summing to one) and the method's diagnostics. :class:`~cityres.indices.IndexBuilder`
applies them to the objects of the scope: all city-years (``"pooled"``), or the cities of
each year (``"by_year"``, then every column — weights and diagnostics — is the arithmetic
mean over years; the per-year weights are kept in ``IndexBuilder.weights_by_year_``).

Entropy (``entropy_weights``, on normalised x' >= 0), for n objects:

.. math::

    p_{ij} = x'_{ij} / \sum_i x'_{ij}, \quad
    e_j = -\frac{1}{\ln n} \sum_i p_{ij} \ln p_{ij} \;(0 \ln 0 = 0), \quad
    d_j = 1 - e_j, \quad w_j = d_j / \sum_k d_k .

CRITIC (``critic_weights``, on normalised x'): :math:`C_j = \sigma_j \sum_k (1 - r_{jk})`,
:math:`w_j = C_j / \sum_k C_k`, with :math:`\sigma_j` the *sample* standard deviation
(ddof = 1, as pymcdm) and :math:`r_{jk}` Pearson's correlation of the direction-aligned x'.
The weights do not depend on the ddof (it scales every :math:`\sigma_j` alike); only the
reported ``std`` does.

Coefficient of variation (``cv_weights``, on the *raw* indicators, a ratio scale):
:math:`v_j = s_j / \bar x_j` (sample s), :math:`w_j = v_j / \sum_k v_k`. Raw values must be
non-negative with a positive mean (min–max values would make the mean depend on the
chosen origin).

PCA (``pca_weights``, on the correlation matrix of x'): with eigenvalues
:math:`\lambda_1 \ge \dots \ge \lambda_m` and unit eigenvectors :math:`a_{\cdot k}`, keep
the components with :math:`\lambda_k > 1` (Kaiser) — or, given ``share``, the fewest whose
cumulative share :math:`\sum_{k \le K} \lambda_k / m` reaches it — and set

.. math::

    c_j = \sum_{k \le K} \frac{\lambda_k}{\sum_{l \le K} \lambda_l} |a_{jk}|, \qquad
    w_j = c_j / \sum_l c_l ,

i.e. the coefficients of the indicators in the components' linear combinations (loading
divided by :math:`\sqrt{\lambda_k}`), averaged with the components' variance shares as
weights — the rule of 韩小孩 et al. (2012) — with absolute values so that the sign of an
eigenvector (arbitrary) cannot give a negative weight.

References
----------
朱喜安, 魏国栋 (2015). 熵值法中无量纲化方法优良标准的探讨. 统计与决策, 2015(2).
Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in
multiple criteria problems: the CRITIC method. Computers & Operations Research, 22(7),
763–770.
韩小孩, 张耀辉, 孙福军, 王少华 (2012). 基于主成分分析的指标权重确定方法. 四川兵工学报,
33(10).
OECD & JRC (2008). Handbook on Constructing Composite Indicators: Methodology and User
Guide. OECD Publishing (weighting and aggregation, ch. 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError
from cityres.indices._checks import columns_where

WEIGHTINGS: tuple[str, ...] = ("entropy", "critic", "cv", "pca", "equal", "user")


def _frame(columns: pd.Index | list[str], weight: np.ndarray, **diag: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame({"weight": weight, **diag}, index=pd.Index(columns, name="indicator"))
    return out


def _normalise(raw: np.ndarray, columns: pd.Index, method: str, where: str) -> np.ndarray:
    total = float(raw.sum())
    if not np.isfinite(total) or total <= 0:
        raise PanelError(
            f"{method} weights{where}: the information of every indicator is zero "
            f"({dict(zip(columns, raw.round(12), strict=True))}); the indicators carry no "
            "variation the method can use. Use weighting='equal' or give weights"
        )
    return raw / total


def entropy_weights(normalized: pd.DataFrame, *, where: str = "") -> pd.DataFrame:
    """Entropy weights of normalised indicators (formula in the module docstring).

    Parameters
    ----------
    normalized : pandas.DataFrame
        Non-negative x' (rows objects, columns indicators), e.g. min–max values.
    where : str
        Appended to error messages (e.g. ", year 2015").

    Returns
    -------
    pandas.DataFrame
        Indexed by indicator: ``weight``, ``entropy`` (e_j), ``divergence`` (d_j).

    Raises
    ------
    PanelError
        Negative x' (z-scores: use min–max or vector normalisation), fewer than two
        objects, or an indicator that is zero for every object.
    """
    x = normalized.to_numpy(dtype=float)
    n = x.shape[0]
    if (x < 0).any():
        bad = columns_where(normalized, (x < 0).any(axis=0))
        raise PanelError(
            f"entropy weights{where} need non-negative normalised values (p_ij = x'_ij / "
            f"sum_i x'_ij); {bad} have negative x'. Use normalize='minmax' (or 'vector'), not "
            "'zscore', with weighting='entropy'"
        )
    if n < 2:
        raise PanelError(f"entropy weights{where} need at least two objects; got {n}")
    col = x.sum(axis=0)
    if (col <= 0).any():
        bad = columns_where(normalized, col <= 0)
        raise PanelError(f"entropy weights{where}: {bad} are zero for every object")
    p = x / col
    plnp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plnp.sum(axis=0) / np.log(n)
    d = 1.0 - e
    w = _normalise(d, normalized.columns, "entropy", where)
    return _frame(normalized.columns, w, entropy=e, divergence=d)


def critic_weights(normalized: pd.DataFrame, *, where: str = "") -> pd.DataFrame:
    """CRITIC weights (Diakoulaki et al. 1995) of normalised, direction-aligned indicators.

    Returns
    -------
    pandas.DataFrame
        Indexed by indicator: ``weight``, ``std`` (sample σ_j), ``conflict``
        (Σ_k (1 − r_jk)), ``information`` (C_j = σ_j × conflict).
    """
    x = normalized.to_numpy(dtype=float)
    if x.shape[0] < 3:
        raise PanelError(f"CRITIC weights{where} need at least three objects; got {x.shape[0]}")
    sd = x.std(axis=0, ddof=1)
    if (sd <= 0).any():
        bad = columns_where(normalized, sd <= 0)
        raise PanelError(f"CRITIC weights{where}: {bad} are constant; drop them")
    r = np.atleast_2d(np.corrcoef(x, rowvar=False))
    conflict = (1.0 - r).sum(axis=0)
    info = sd * conflict
    w = _normalise(info, normalized.columns, "CRITIC", where)
    return _frame(normalized.columns, w, std=sd, conflict=conflict, information=info)


def cv_weights(raw: pd.DataFrame, *, where: str = "") -> pd.DataFrame:
    """Coefficient-of-variation weights of *raw* (not normalised) indicators.

    Returns
    -------
    pandas.DataFrame
        Indexed by indicator: ``weight``, ``mean``, ``std`` (sample), ``cv``.

    Raises
    ------
    PanelError
        Negative raw values or a non-positive mean (the coefficient of variation needs a
        ratio scale); use another weighting for such indicators.
    """
    x = raw.to_numpy(dtype=float)
    mean = x.mean(axis=0)
    if (x < 0).any() or (mean <= 0).any():
        bad = columns_where(raw, (x < 0).any(axis=0) | (mean <= 0))
        raise PanelError(
            f"coefficient-of-variation weights{where} need non-negative raw values with a "
            f"positive mean (a ratio scale); {bad} do not. Use weighting='entropy' or 'critic'"
        )
    sd = x.std(axis=0, ddof=1)
    cv = sd / mean
    w = _normalise(cv, raw.columns, "coefficient-of-variation", where)
    return _frame(raw.columns, w, mean=mean, std=sd, cv=cv)


def pca_components(normalized: pd.DataFrame, share: float | None = None) -> pd.DataFrame:
    """Eigen-decomposition of the correlation matrix and which components are kept.

    Returns
    -------
    pandas.DataFrame
        One row per component (1, 2, …): ``eigenvalue``, ``explained`` (λ_k / m),
        ``cumulative``, ``kept`` (bool), and the eigenvector coefficients per indicator
        (signs fixed so that the largest |coefficient| is positive).
    """
    x = normalized.to_numpy(dtype=float)
    m = x.shape[1]
    if share is not None and not 0 < share <= 1:
        raise ArgumentError(f"pca_share={share!r} must lie in (0, 1], e.g. 0.85")
    corr = np.atleast_2d(np.corrcoef(x, rowvar=False))
    lam, vec = np.linalg.eigh(corr)
    order = np.argsort(lam)[::-1]
    lam, vec = np.clip(lam[order], 0.0, None), vec[:, order]
    flip = np.sign(vec[np.abs(vec).argmax(axis=0), np.arange(m)])
    vec = vec * np.where(flip == 0, 1.0, flip)
    explained = lam / lam.sum()
    cumulative = np.cumsum(explained)
    if share is None:
        kept = lam > 1.0
    else:
        k = int(np.searchsorted(cumulative, share - 1e-12) + 1)
        kept = np.arange(m) < k
    kept[0] = True
    out = pd.DataFrame(
        {"eigenvalue": lam, "explained": explained, "cumulative": cumulative, "kept": kept},
        index=pd.RangeIndex(1, m + 1, name="component"),
    )
    vectors = pd.DataFrame(vec.T, index=out.index, columns=normalized.columns)
    return pd.concat([out, vectors], axis=1)


def pca_weights(
    normalized: pd.DataFrame, *, share: float | None = None, where: str = ""
) -> pd.DataFrame:
    """PCA weights: variance-share-weighted |eigenvector coefficients| (module docstring).

    Parameters
    ----------
    share : float, optional
        Keep the fewest components explaining this share of the variance; default: the
        components with eigenvalue > 1.

    Returns
    -------
    pandas.DataFrame
        Indexed by indicator: ``weight``, ``pca_coefficient`` (c_j).
    """
    comp = pca_components(normalized, share)
    kept = comp[comp["kept"]]
    lam = kept["eigenvalue"].to_numpy()
    coef = np.abs(kept[list(normalized.columns)].to_numpy()).T @ (lam / lam.sum())
    w = _normalise(coef, normalized.columns, "PCA", where)
    return _frame(normalized.columns, w, pca_coefficient=coef)


def equal_weights(columns: list[str] | pd.Index) -> pd.DataFrame:
    """1/m for each of the m indicators."""
    m = len(columns)
    return _frame(columns, np.full(m, 1.0 / m))


def user_weights(weights: Mapping[str, float], columns: list[str] | pd.Index) -> pd.DataFrame:
    """Weights given by the user (e.g. from AHP or a paper), rescaled to sum to one.

    Every indicator needs a finite, non-negative weight and no unknown names are accepted;
    the values as given are kept in the ``given`` column.
    """
    names = [str(c) for c in columns]
    unknown = sorted(set(weights) - set(names))
    missing = [c for c in names if c not in weights]
    if unknown or missing:
        raise ArgumentError(
            f"weights must give one value per indicator {names}; "
            + (f"missing {missing}" if missing else "")
            + ("; " if missing and unknown else "")
            + (f"unknown {unknown}" if unknown else "")
        )
    given = np.array([float(weights[c]) for c in names])
    if not np.all(np.isfinite(given)) or (given < 0).any():
        bad = {c: weights[c] for c, g in zip(names, given, strict=True) if not g >= 0}
        raise ArgumentError(f"weights must be finite and non-negative; got {bad}")
    if given.sum() <= 0:
        raise ArgumentError("weights must not all be zero")
    return _frame(names, given / given.sum(), given=given)


def combine(
    w_subjective: Mapping[str, float] | pd.Series,
    w_objective: Mapping[str, float] | pd.Series,
    share: float = 0.5,
    *,
    how: Literal["linear", "multiplicative"] = "linear",
) -> pd.Series:
    r"""Combine subjective (e.g. AHP) and objective (e.g. entropy) weights.

    Linear: :math:`w_j = \alpha s_j + (1 - \alpha) o_j` with :math:`\alpha` = ``share``;
    multiplicative: :math:`w_j = s_j o_j / \sum_k s_k o_k` (``share`` is not used). Both
    inputs are rescaled to sum to one first.

    Examples
    --------
    >>> from cityres.indices import combine
    >>> combine({"a": 0.5, "b": 0.5}, {"a": 0.8, "b": 0.2}).round(2).tolist()
    [0.65, 0.35]
    """
    s = pd.Series(w_subjective, dtype=float)
    o = pd.Series(w_objective, dtype=float)
    if set(s.index) != set(o.index):
        raise ArgumentError(
            f"combine needs weights for the same indicators; only subjective: "
            f"{sorted(set(s.index) - set(o.index))}, only objective: "
            f"{sorted(set(o.index) - set(s.index))}"
        )
    if how not in ("linear", "multiplicative"):
        raise ArgumentError(f"how={how!r} is not accepted; use 'linear' or 'multiplicative'")
    if not 0 <= share <= 1:
        raise ArgumentError(f"share={share!r} must lie in [0, 1] (the subjective share)")
    for label, w in (("subjective", s), ("objective", o)):
        if (w < 0).any() or not np.isfinite(w.to_numpy()).all() or w.sum() <= 0:
            raise ArgumentError(f"{label} weights must be finite, non-negative, not all zero")
    s, o = s / s.sum(), (o / o.sum()).reindex(s.index)
    out = share * s + (1 - share) * o if how == "linear" else s * o / float((s * o).sum())
    if how == "multiplicative" and not np.isfinite(out.to_numpy()).all():
        raise ArgumentError("multiplicative combination: the two weight vectors do not overlap")
    return out.rename("weight")


def hierarchy(weights: pd.Series, dimension_of: pd.Series) -> pd.DataFrame:
    r"""Split global weights into dimension weights and within-dimension weights.

    The dimension weight is the sum of its indicators' global weights (the usual rule
    with entropy weights for multi-level systems), the within weight is the global weight
    divided by it, so :math:`w_j = w^{within}_j \, W_{d(j)}` exactly and the total score
    is :math:`\sum_d W_d \, S_d` with :math:`S_d = \sum_{j \in d} w^{within}_j x'_j`.

    Raises
    ------
    ArgumentError
        A dimension whose indicators all have zero weight (its score would be undefined).
    """
    dims = dimension_of.reindex(weights.index)
    dim_w = weights.groupby(dims, sort=False).sum()
    empty = list(dim_w.index[dim_w <= 0])
    if empty:
        raise ArgumentError(f"dimension(s) {empty} have zero total weight; give them weight")
    dw = dims.map(dim_w).astype(float)
    return pd.DataFrame(
        {
            "dimension": dims,
            "weight": weights,
            "within_weight": weights / dw,
            "dimension_weight": dw,
        },
        index=pd.Index(weights.index, name="indicator"),
    )
