r"""Coupling coordination degree of two or more systems (耦合协调度模型).

For each city-year with system scores :math:`U_1, \dots, U_n \in [0, 1]` this module
computes the coupling degree C (耦合度), the comprehensive development index T (综合发展
指数), the coupling coordination degree :math:`D = \sqrt{C T}` (耦合协调度) and D's class
in the usual ten-level scheme (极度失调 … 优质协调).

Two coupling formulas are offered (``formula=``):

``"traditional"`` (传统模型, the normative form)
    .. math:: C = n \left[ \frac{\prod_{i=1}^n U_i}{\left(\sum_{i=1}^n U_i\right)^n}
              \right]^{1/n} = \frac{(\prod_i U_i)^{1/n}}{\frac1n \sum_i U_i}

    the ratio of the geometric to the arithmetic mean, so :math:`0 \le C \le 1` by the
    AM-GM inequality, with C = 1 exactly when all :math:`U_i` are equal (and positive).
    For n = 2:
    :math:`C = 2\sqrt{U_1 U_2}/(U_1 + U_2)`.

``"corrected"`` (修正模型 of Wang Shujia et al. 2021, the default)
    .. math:: C = \sqrt{\left[1 - \frac{\sum_{i>j} \sqrt{(U_i - U_j)^2}}
              {\sum_{m=1}^{n-1} m}\right] \times
              \left(\prod_{i=1}^{n} \frac{U_i}{\max_k U_k}\right)^{\frac{1}{n-1}}}

    The first factor is one minus the mean absolute pairwise difference
    (:math:`\sum_{m=1}^{n-1} m = n(n-1)/2` is the number of pairs); the second is the
    geometric mean of the n − 1 non-trivial ratios :math:`U_i / \max U` (the largest
    system's ratio is 1). Both factors lie in [0, 1], so C does; C = 1 when all
    :math:`U_i` are equal (and positive) and C = 0 when any :math:`U_i` = 0. For n = 2 with
    :math:`U_1 \le U_2`: :math:`C = \sqrt{(1 - (U_2 - U_1))\, U_1 / U_2}`.

The traditional C crowds near 1 (for n = 2, C ≥ 0.968 whenever the smaller score is at
least 60 % of the larger), so D mostly ranks T; the corrected C falls with the gap both
in ratio and in absolute terms and spreads much wider — Wang et al.'s point about the
traditional model's poor validity (效度) in social-science use. For n = 2 the corrected C
never exceeds the traditional one (:math:`\sqrt{r} \le 2\sqrt{r}/(1+r)` for the ratio
r ≤ 1, and the first factor is ≤ 1); for n ≥ 3 it can, slightly, when the scores are far
apart. The wider spread holds for scores in the usual range of composite indices; for
n ≥ 4 systems with scores scattered over the whole of [0, 1] (some near 0), the product
of n − 1 ratios pulls most corrected C towards 0 and their dispersion can fall below the
traditional one's.

Variants found in the literature, **not** implemented (Wang et al. 2021 and Cong 2019
discuss these and more):

* the three-system form printed as
  :math:`C = 3\{U_1U_2U_3/[(U_1+U_2)(U_1+U_3)(U_2+U_3)]\}^{1/3}` (pairwise sums in the
  denominator): at equal scores it gives :math:`3 (1/8)^{1/3} = 1.5`, so C leaves
  [0, 1]; it is homogeneous only for n = 3 (n(n − 1)/2 pairs against n factors);
* the same forms without the leading n ("lost coefficient"), e.g.
  :math:`C = \{U_1U_2/(U_1+U_2)^2\}^{1/2}` or
  :math:`\{U_1U_2U_3/[(U_1+U_2)(U_1+U_3)(U_2+U_3)]\}^{1/3}`, whose maximum is 0.5,
  and :math:`C = [\prod U_i/(\sum U_i)^n]^{1/n}`, whose maximum is 1/n — C can then
  never reach the upper classes it is compared with;
* :math:`C = \{\prod U_i / [(\sum U_i)/n]^n\}^{k}` with an adjustment coefficient k
  (often k = 2 for n = 2): the traditional C raised to the power nk, in [0, 1] but with
  a different spread.

References
----------
.. [1] 王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷. 国内耦合协调度模型的误区及修正[J]. 自然资源学报,
   2021, 36(3): 793–810. (Wang S., Kong W., Ren L., Zhi D., Dai B. Research on misuses
   and modification of coupling coordination degree model in China. Journal of Natural
   Resources.) https://www.jnr.ac.cn/article/2021/1000-3037/1000-3037-36-3-793.shtml
.. [2] 丛晓男. 耦合度模型的形式、性质及在地理学中的若干误用[J]. 经济地理, 2019, 39(4):
   18–25. (Cong X., Economic Geography; on the forms, properties and misuses of the
   coupling model.)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataChangeWarning,
    format_choices,
)
from cityres.indices._cityyear import SHOWN, city_year_index, describe_pairs, unit_values
from cityres.report.i18n import Text

__all__ = ["CLASSES_10", "CouplingResult", "coupling"]

Formula = Literal["corrected", "traditional"]
Closed = Literal["left", "right"]
FORMULAS: tuple[Formula, ...] = ("corrected", "traditional")

#: The usual ten classes of D: (lower bound, label); level k is the k-th entry.
CLASSES_10: tuple[tuple[float, Text], ...] = (
    (0.0, Text("极度失调", "Extreme imbalance")),
    (0.1, Text("严重失调", "Serious imbalance")),
    (0.2, Text("中度失调", "Moderate imbalance")),
    (0.3, Text("轻度失调", "Mild imbalance")),
    (0.4, Text("濒临失调", "On the verge of imbalance")),
    (0.5, Text("勉强协调", "Barely coordinated")),
    (0.6, Text("初级协调", "Primary coordination")),
    (0.7, Text("中级协调", "Intermediate coordination")),
    (0.8, Text("良好协调", "Good coordination")),
    (0.9, Text("优质协调", "High-quality coordination")),
)

_RESERVED = ("C", "T", "D", "level", "class_zh", "class_en")
_WEIGHT_TOL = 1e-8
_CLASS_DECIMALS = 10


class HasScores(Protocol):
    """Anything with a ``.scores`` Series, e.g. an ``IndexResult``."""

    @property
    def scores(self) -> pd.Series: ...


@dataclass(frozen=True)
class CouplingResult:
    """Coupling coordination of n systems by city-year.

    Attributes
    ----------
    table : DataFrame
        Indexed by (``city``, ``year``); the input score columns (one per system, in
        input order), then ``C``, ``T``, ``D`` (floats in [0, 1]), ``level`` (1–10 for
        the default scheme, 1 = 极度失调), ``class_zh`` and ``class_en``.
    formula : {"corrected", "traditional"}
        The coupling formula used for C.
    weights : Series
        The weights α of T by system (sum to 1).
    classes : tuple of (float, Text)
        The classification scheme: lower bound and label of each level.
    closed : {"left", "right"}
        Which end of each class interval is closed (see :func:`coupling`).
    """

    table: pd.DataFrame
    formula: Formula
    weights: pd.Series
    classes: tuple[tuple[float, Text], ...]
    closed: Closed

    @property
    def systems(self) -> tuple[str, ...]:
        """The system names, in input order."""
        return tuple(str(s) for s in self.weights.index)

    def tidy(self) -> pd.DataFrame:
        """The table with ``city`` and ``year`` as ordinary columns (one row per city-year)."""
        return self.table.reset_index()

    def summary(self) -> pd.DataFrame:
        """Number of cities in each class by year.

        Rows are indexed by (``level``, ``class_zh``, ``class_en``) and include empty
        classes; columns are the years.
        """
        years = self.table.index.get_level_values("year")
        counts = (
            self.table.groupby([self.table["level"], years]).size().unstack("year", fill_value=0)
        )
        levels = range(1, len(self.classes) + 1)
        counts = counts.reindex(index=list(levels), fill_value=0).astype("int64")
        counts.index = pd.MultiIndex.from_tuples(
            [(k, text.zh, text.en) for k, (_, text) in zip(levels, self.classes, strict=True)],
            names=["level", "class_zh", "class_en"],
        )
        counts.columns.name = "year"
        return counts


def coupling(
    scores: pd.DataFrame | Mapping[str, pd.Series | HasScores],
    *,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    formula: Formula = "corrected",
    levels: int | Sequence[tuple[float, Text]] = 10,
    closed: Closed = "left",
) -> CouplingResult:
    r"""Coupling degree C, development index T and coordination degree D of n ≥ 2 systems.

    Parameters
    ----------
    scores : DataFrame or mapping
        A DataFrame indexed by (``city``, ``year``) with one column per system, or a
        mapping system name → Series indexed by (city, year) or any object with a
        ``.scores`` Series (an ``IndexResult``). Every value must be in [0, 1] (values
        within 1e-9 of it are clipped as floating-point noise) and every system must
        cover the same city-years.
    weights : mapping or sequence of float, optional
        The weights α of :math:`T = \sum_i \alpha_i U_i`, by system name or in column
        order; non-negative and summing to 1. Default: equal, :math:`\alpha_i = 1/n`.
    formula : {"corrected", "traditional"}
        The coupling degree C (see Notes). Default ``"corrected"``.
    levels : 10 or sequence of (float, Text)
        The classification of D: ``10`` for the usual ten levels (:data:`CLASSES_10`) or
        a custom scheme as (lower bound, label) pairs with increasing bounds starting at 0.
    closed : {"left", "right"}
        ``"left"`` (default): classes are [0, 0.1), [0.1, 0.2), …, [0.9, 1.0], matching
        tables printed as 0–0.09, 0.10–0.19, …, 0.90–1.00. ``"right"``: [0, 0.1],
        (0.1, 0.2], …, (0.9, 1.0], as in papers printing 0 < D ≤ 0.1 etc. D is rounded
        to 10 decimals before it is classed, so 0.7 computed as 0.69999999999999996 is
        class 8 under ``"left"``.

    Returns
    -------
    CouplingResult
        ``.table`` (U columns, C, T, D, level, class_zh, class_en), ``.formula``,
        ``.weights``, ``.classes``, ``.closed``, ``.tidy()``, ``.summary()``.

    Raises
    ------
    ArgumentError
        Fewer than two systems; a value missing or outside [0, 1] (the message names the
        system, city and year); systems covering different city-years (the message
        lists the city-years each lacks); weights not summing to 1, negative, or not
        matching the systems; an unknown formula, levels or closed value; a system named
        like an output column (C, T, D, level, class_zh, class_en).
    ArgumentTypeError
        ``scores`` of an unsupported type.

    Warns
    -----
    DataChangeWarning
        When every :math:`U_i` of a city-year is 0: C is undefined (0/0) under both
        formulas and is set to 0; D = 0 there whatever C is, because T = 0.

    Notes
    -----
    Traditional (normative) coupling degree:

    .. math:: C = n \left[ \prod_{i=1}^n U_i \Big/ \Big(\sum_{i=1}^n U_i\Big)^n \right]^{1/n}

    Corrected coupling degree of Wang et al. (2021) [1]_:

    .. math:: C = \sqrt{\left[1 - \frac{\sum_{i>j} \sqrt{(U_i - U_j)^2}}{\sum_{m=1}^{n-1} m}
              \right] \left(\prod_{i=1}^{n} \frac{U_i}{\max_k U_k}\right)^{\frac{1}{n-1}}}

    Then :math:`T = \sum_i \alpha_i U_i` and :math:`D = \sqrt{C \cdot T}`. Both C
    formulas stay in [0, 1] and equal 1 for equal scores; the corrected one spreads C
    much more (n = 2, U = (0.3, 0.5): traditional 0.968, corrected 0.693). The module
    docstring lists the variants in circulation and why they are not used.

    References
    ----------
    .. [1] 王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷. 国内耦合协调度模型的误区及修正[J].
       自然资源学报, 2021, 36(3): 793–810.
    .. [2] 丛晓男. 耦合度模型的形式、性质及在地理学中的若干误用[J]. 经济地理, 2019,
       39(4): 18–25.

    Examples
    --------
    >>> import pandas as pd
    >>> from cityres.indices.coupling import coupling
    >>> idx = pd.MultiIndex.from_tuples([("310000", 2020), ("320100", 2020)],
    ...                                 names=["city", "year"])
    >>> u = pd.DataFrame({"digital": [0.5, 0.3], "resilience": [0.5, 0.5]}, index=idx)
    >>> res = coupling(u)
    >>> res.table[["C", "D", "level", "class_en"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                      C       D  level                   class_en
    city   year
    310000 2020  1.0000  0.7071      8  Intermediate coordination
    320100 2020  0.6928  0.5264      6         Barely coordinated
    """
    if formula not in FORMULAS:
        raise ArgumentError(f"formula={formula!r}; accepted: {format_choices(FORMULAS)}")
    if closed not in ("left", "right"):
        raise ArgumentError(f"closed={closed!r}; accepted: 'left' or 'right'")
    classes = _classes(levels)
    frame = _as_frame(scores)
    systems = [str(c) for c in frame.columns]
    n = len(systems)
    if len(set(systems)) < n:
        dup = sorted({s for s in systems if systems.count(s) > 1})
        raise ArgumentError(f"scores: system name(s) {dup} appear more than once")
    if n < 2:
        raise ArgumentError(
            f"scores: {n} system(s) {systems}; the coupling model needs at least 2"
        )
    clash = [s for s in systems if s in _RESERVED]
    if clash:
        raise ArgumentError(
            f"scores: system name(s) {clash} clash with output columns {list(_RESERVED)}; "
            "rename them"
        )
    alpha = _weights(weights, systems)
    u = unit_values(frame, "scores", "system")

    c, zero_rows = (_corrected if formula == "corrected" else _traditional)(u)
    if zero_rows.any():
        pairs = frame.index[zero_rows]
        warnings.warn(
            f"coupling: every system score is 0 for {len(pairs)} city-year(s) "
            f"({describe_pairs(pairs)}); C is undefined (0/0) there and set to 0 "
            "(D = 0 regardless, since T = 0)",
            DataChangeWarning,
            stacklevel=2,
        )
    t = np.clip(u @ alpha.to_numpy(), 0.0, 1.0)
    d = np.sqrt(np.clip(c * t, 0.0, 1.0))
    level = _classify(d, classes, closed)

    table = pd.DataFrame(u, index=frame.index, columns=systems)
    table["C"] = c
    table["T"] = t
    table["D"] = d
    table["level"] = level
    table["class_zh"] = [classes[k - 1][1].zh for k in level]
    table["class_en"] = [classes[k - 1][1].en for k in level]
    return CouplingResult(table=table, formula=formula, weights=alpha, classes=classes,
                          closed=closed)


# ----------------------------------------------------------------------------- formulas
def _traditional(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C = geometric mean / arithmetic mean; returns (C, rows where all U are 0)."""
    mean = u.mean(axis=1)
    zero = mean <= 0.0
    with np.errstate(divide="ignore"):
        gmean = np.where((u > 0).all(axis=1), np.exp(np.log(u).mean(axis=1)), 0.0)
    c = np.divide(gmean, mean, out=np.zeros_like(mean), where=~zero)
    return np.clip(c, 0.0, 1.0), zero


def _corrected(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wang et al. (2021) C; returns (C, rows where all U are 0)."""
    n = u.shape[1]
    i, j = np.triu_indices(n, k=1)
    spread = np.abs(u[:, i] - u[:, j]).sum(axis=1) / (n * (n - 1) / 2)
    top = u.max(axis=1)
    zero = top <= 0.0
    ratios = np.divide(u, top[:, None], out=np.zeros_like(u), where=~zero[:, None])
    balance = np.prod(ratios, axis=1) ** (1.0 / (n - 1))
    c = np.sqrt(np.clip((1.0 - spread) * balance, 0.0, 1.0))
    return np.where(zero, 0.0, c), zero


# ----------------------------------------------------------------------------- inputs
def _as_frame(scores: object) -> pd.DataFrame:
    if isinstance(scores, pd.DataFrame):
        index = city_year_index(scores, "scores")
        frame = scores.set_axis(index, axis=0)
        return frame.sort_index()
    if not isinstance(scores, Mapping):
        raise ArgumentTypeError(
            f"scores: got {type(scores).__name__}; accepted: a DataFrame indexed by "
            "(city, year) with one column per system, or a mapping name → Series or "
            "index result (an object with .scores)"
        )
    series: dict[str, pd.Series] = {}
    for name, value in scores.items():
        s = value if isinstance(value, pd.Series) else getattr(value, "scores", value)
        if not isinstance(s, pd.Series):
            raise ArgumentTypeError(
                f"scores[{name!r}]: got {type(value).__name__}; accepted: a Series "
                "indexed by (city, year) or an object whose .scores is one"
            )
        series[str(name)] = s.set_axis(city_year_index(s, f"scores[{name!r}]"), axis=0)
    _check_same_index(series)
    if not series:
        return pd.DataFrame()
    return pd.DataFrame(series).sort_index()


def _check_same_index(series: Mapping[str, pd.Series]) -> None:
    """Every system must cover the same city-years; list what each one lacks."""
    if len(series) < 2:
        return
    union: set[tuple[object, object]] = set().union(*(set(s.index) for s in series.values()))
    gaps = []
    for name, s in series.items():
        lacking = sorted(union - set(s.index), key=str)
        if lacking:
            gaps.append(f"{name!r} lacks {len(lacking)}: {describe_pairs(lacking, SHOWN)}")
    if gaps:
        raise ArgumentError(
            "scores: the systems do not cover the same city-years: " + "; ".join(gaps)
            + ". Accepted: every system scored on the same (city, year) pairs; subset "
            "them to the common city-years first"
        )


def _weights(weights: Mapping[str, float] | Sequence[float] | None,
             systems: list[str]) -> pd.Series:
    n = len(systems)
    if weights is None:
        return pd.Series(np.full(n, 1.0 / n), index=systems, name="alpha")
    if isinstance(weights, Mapping):
        given = {str(k): v for k, v in weights.items()}
        missing = [s for s in systems if s not in given]
        unknown = [k for k in given if k not in systems]
        if missing or unknown:
            raise ArgumentError(
                f"weights: keys {list(given)} do not match the systems {systems} "
                f"(missing {missing}, unknown {unknown})"
            )
        values = [float(given[s]) for s in systems]
    elif isinstance(weights, str) or not isinstance(weights, Sequence):
        raise ArgumentTypeError(
            f"weights: got {type(weights).__name__}; accepted: None, a mapping system → "
            "weight or a sequence of floats in column order"
        )
    else:
        if len(weights) != n:
            raise ArgumentError(
                f"weights: {len(weights)} value(s) for {n} systems {systems}; give one each"
            )
        values = [float(w) for w in weights]
    alpha = pd.Series(values, index=systems, name="alpha", dtype="float64")
    if not np.isfinite(alpha).all() or (alpha < 0).any():
        raise ArgumentError(
            f"weights: {alpha.to_dict()}; each must be a finite number ≥ 0"
        )
    if abs(alpha.sum() - 1.0) > _WEIGHT_TOL:
        raise ArgumentError(
            f"weights: {alpha.to_dict()} sum to {alpha.sum():.10g}; the weights α of "
            "T = Σ α_i U_i must sum to 1"
        )
    return alpha


def _classes(levels: int | Sequence[tuple[float, Text]]) -> tuple[tuple[float, Text], ...]:
    if isinstance(levels, bool) or (isinstance(levels, int) and levels != 10):
        raise ArgumentError(
            f"levels={levels!r}; accepted: 10 (the usual ten classes) or a sequence of "
            "(lower bound, Text) pairs"
        )
    if isinstance(levels, int):
        return CLASSES_10
    scheme = tuple((float(b), t) for b, t in levels)
    bounds = [b for b, _ in scheme]
    ok = (
        len(scheme) >= 1
        and bounds[0] == 0.0
        and all(a < b for a, b in pairwise(bounds))
        and bounds[-1] < 1.0
        and all(isinstance(t, Text) for _, t in scheme)
    )
    if not ok:
        raise ArgumentError(
            f"levels: bounds {bounds}; accepted: (lower bound, Text) pairs with bounds "
            "strictly increasing from 0 and below 1"
        )
    return scheme


def _classify(d: np.ndarray, classes: tuple[tuple[float, Text], ...],
              closed: Closed) -> np.ndarray:
    bounds = np.array([b for b, _ in classes])
    rounded = np.round(d, _CLASS_DECIMALS)
    side: Literal["left", "right"] = "right" if closed == "left" else "left"
    level = np.searchsorted(bounds, rounded, side=side)
    return np.clip(level, 1, len(classes)).astype("int64")
