r"""Obstacle degree model (障碍度模型): which indicators hold a city's index back.

For city-year i and indicator j with global weight :math:`w_j` and normalised value
:math:`x'_{ij} \in [0, 1]` (larger = better, direction already applied):

.. math::

    F_j = w_j \quad\text{(factor contribution, 因子贡献度)}, \qquad
    I_{ij} = 1 - x'_{ij} \quad\text{(indicator deviation, 指标偏离度)},

    O_{ij} = \frac{F_j I_{ij}}{\sum_{j} F_j I_{ij}} \times 100\,\%
    \quad\text{(obstacle degree, 障碍度)},

and the obstacle degree of dimension (criterion layer) k is :math:`U_{ik} = \sum_{j \in k}
O_{ij}`. The :math:`O_{ij}` of a city-year sum to 100 %.

:math:`F_j` is the indicator's **global** weight (within-dimension weight × dimension
weight), as in the papers that apply the model to a two-layer index; within-dimension
weights alone would overstate indicators of small dimensions.

References
----------
.. [1] Chen N., Guo H., Xiang H. Evaluation of urban resilience level and analysis of
   obstacle factors: a case study of Hunan Province, China. Frontiers in Earth Science,
   2023, 10: 1033441. doi:10.3389/feart.2022.1033441 (entropy-weighted urban resilience
   index of Hunan's cities with the obstacle degree model above).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataChangeWarning,
    format_choices,
)
from cityres.indices._cityyear import city_year_index, describe_pairs, unit_values

__all__ = ["ObstacleResult", "obstacles"]

By = Literal["indicator", "dimension"]
BYS: tuple[By, ...] = ("indicator", "dimension")
_WEIGHT_TOL = 1e-6


@dataclass(frozen=True)
class ObstacleResult:
    """Obstacle degrees by city-year, indicator and dimension.

    Attributes
    ----------
    table : DataFrame
        Long: ``city``, ``year``, ``indicator``, ``dimension``, ``obstacle`` (percent; the
        indicators of a city-year sum to 100, or to 0 where it is undefined).
    by_dimension : DataFrame
        Long: ``city``, ``year``, ``dimension``, ``obstacle`` (percent, the sum over the
        dimension's indicators).
    weights : DataFrame
        ``indicator``, ``dimension``, ``weight``: the factor contributions F used.
    undefined : MultiIndex
        The (city, year) pairs at the ideal on every weighted indicator, where the obstacle
        degree is 0/0 and was set to 0.
    top_k : int
        Default number of obstacles :meth:`top` lists.
    by : {"indicator", "dimension"}
        Default level :meth:`top` ranks.
    """

    table: pd.DataFrame
    by_dimension: pd.DataFrame
    weights: pd.DataFrame
    undefined: pd.MultiIndex
    top_k: int
    by: By

    @property
    def years(self) -> list[int]:
        """The years present, ascending."""
        return sorted(int(y) for y in self.table["year"].unique())

    def top(self, k: int | None = None, year: int | None = None, *,
            by: By | None = None) -> pd.DataFrame:
        """The k largest obstacles of each city in one year.

        Parameters
        ----------
        k : int, optional
            How many per city (default: ``top_k`` given to :func:`obstacles`).
        year : int, optional
            Which year (default: the last year of the data; cities without that year are
            absent).
        by : {"indicator", "dimension"}, optional
            Rank indicators or dimensions (default: ``by`` given to :func:`obstacles`).

        Returns
        -------
        DataFrame
            ``city``, ``year``, ``rank`` (1 = largest), ``indicator`` and ``dimension``
            (or only ``dimension`` when ranking dimensions), ``obstacle`` (percent);
            sorted by city then rank. Ties keep the order of the weights table.
        """
        by = self.by if by is None else by
        if by not in BYS:
            raise ArgumentError(f"by={by!r}; accepted: {format_choices(BYS)}")
        source = self.table if by == "indicator" else self.by_dimension
        key = "indicator" if by == "indicator" else "dimension"
        n_items = source[key].nunique()
        k = self.top_k if k is None else k
        _check_k(k, n_items, by, "k")
        years = self.years
        if year is None:
            year = years[-1]
        if year not in years:
            raise ArgumentError(f"year={year!r}; accepted: one of the years {years}")
        rows = source[source["year"] == year].copy()
        order = {name: i for i, name in enumerate(dict.fromkeys(source[key]))}
        rows["_order"] = rows[key].map(order)
        rows = rows.sort_values(["city", "obstacle", "_order"], ascending=[True, False, True])
        rows = rows.groupby("city", sort=False).head(k)
        rows["rank"] = rows.groupby("city", sort=False).cumcount() + 1
        columns = ["city", "year", "rank", *(["indicator"] if by == "indicator" else []),
                   "dimension", "obstacle"]
        return rows[columns].reset_index(drop=True)


def obstacles(
    result_or_frames: object,
    *,
    top_k: int = 3,
    by: By = "indicator",
    shift: float | None = None,
) -> ObstacleResult:
    r"""Obstacle degree of every indicator and dimension for every city-year.

    Parameters
    ----------
    result_or_frames : IndexResult or (DataFrame, DataFrame)
        An index result (any object with ``.normalized`` and ``.weights``), or the pair
        ``(normalized, weights)``: ``normalized`` indexed by (``city``, ``year``) with one
        column per indicator holding :math:`x'_{ij} \in [0, 1]` (larger = better);
        ``weights`` with columns ``indicator`` (or indexed by ``indicator``),
        ``dimension`` and ``weight`` (global weights, non-negative, summing to 1; other
        columns are ignored). Every weighted indicator must be a column of
        ``normalized`` and vice versa.
    top_k : int
        Default number of obstacles per city for :meth:`ObstacleResult.top` (≥ 1 and at
        most the number of indicators, or dimensions when ``by="dimension"``).
    by : {"indicator", "dimension"}
        Default level :meth:`ObstacleResult.top` ranks.
    shift : float, optional
        A constant that was added to every x' after scaling (the literature's +0.0001
        before the entropy method); it is subtracted so that the deviation is measured
        from the ideal x' = 1. Default: the result's ``options["shift"]`` when the first
        argument has one, else 0.

    Returns
    -------
    ObstacleResult
        ``.table`` (city, year, indicator, dimension, obstacle in %), ``.by_dimension``,
        ``.top(k, year=None)``, ``.undefined``.

    Raises
    ------
    ArgumentError
        Missing columns, indicators in one input but not the other, duplicated
        indicators, negative or non-finite weights, weights not summing to 1, normalised
        values missing or outside [0, 1] (the message names indicator, city and year),
        a bad ``top_k`` or ``by``.
    ArgumentTypeError
        ``result_or_frames`` of an unsupported type.

    Warns
    -----
    DataChangeWarning
        For city-years at the ideal on every weighted indicator
        (:math:`\sum_j F_j I_{ij} = 0`): the obstacle degree is 0/0 there and is set to
        0 for every indicator (not NaN), so those city-years sum to 0, not 100; they are
        listed in ``.undefined``.

    Notes
    -----
    .. math:: O_{ij} = 100 \cdot \frac{w_j (1 - x'_{ij})}{\sum_j w_j (1 - x'_{ij})},
              \qquad U_{ik} = \sum_{j \in k} O_{ij}

    The model is scale-free in the weights (multiplying every :math:`w_j` by a constant
    leaves :math:`O_{ij}` unchanged), but not in the normalisation: :math:`x'` must be
    the same values the index was built from (e.g. min-max over the pooled panel).

    References
    ----------
    .. [1] Chen N., Guo H., Xiang H. Evaluation of urban resilience level and analysis
       of obstacle factors: a case study of Hunan Province, China. Frontiers in Earth
       Science, 2023, 10: 1033441. doi:10.3389/feart.2022.1033441

    Examples
    --------
    >>> import pandas as pd
    >>> from cityres.indices.obstacle import obstacles
    >>> idx = pd.MultiIndex.from_tuples([("310000", 2020)], names=["city", "year"])
    >>> x = pd.DataFrame({"gdp": [1.0], "patents": [0.5], "green": [0.0]}, index=idx)
    >>> w = pd.DataFrame({"indicator": ["gdp", "patents", "green"],
    ...                   "dimension": ["economy", "economy", "ecology"],
    ...                   "weight": [0.2, 0.4, 0.4]})
    >>> res = obstacles((x, w), top_k=2)
    >>> res.top()  # doctest: +NORMALIZE_WHITESPACE
         city  year  rank indicator dimension   obstacle
    0  310000  2020     1     green   ecology  66.666667
    1  310000  2020     2   patents   economy  33.333333
    """
    normalized, weights = _frames(result_or_frames)
    normalized = normalized.rename(columns=str)
    shift = _shift(result_or_frames, shift)
    if by not in BYS:
        raise ArgumentError(f"by={by!r}; accepted: {format_choices(BYS)}")
    w = _weights(weights)
    indicators = w["indicator"].tolist()
    _check_columns(normalized, indicators)
    index = city_year_index(normalized, "normalized")
    frame = normalized.set_axis(index, axis=0)[indicators].sort_index()
    x = unit_values(frame - shift if shift else frame, "normalized", "indicator",
                    hint="the obstacle model measures deviation from the ideal x' = 1 of a "
                    "min-max normalisation (a z-score x' has no such ideal)")
    dimensions = list(dict.fromkeys(w["dimension"]))
    _check_k(top_k, len(indicators) if by == "indicator" else len(dimensions), by, "top_k")

    fi = (1.0 - x) * w["weight"].to_numpy()
    total = fi.sum(axis=1)
    undefined = total <= 0.0
    o = np.divide(fi, total[:, None], out=np.zeros_like(fi), where=~undefined[:, None]) * 100
    bad = frame.index[undefined]
    if undefined.any():
        warnings.warn(
            f"obstacles: {len(bad)} city-year(s) at the ideal on every weighted indicator "
            f"({describe_pairs(bad)}); the obstacle degree is undefined (0/0) there and set "
            "to 0 for every indicator (listed in ObstacleResult.undefined)",
            DataChangeWarning,
            stacklevel=2,
        )

    cities = frame.index.get_level_values("city")
    years = frame.index.get_level_values("year")
    p = len(indicators)
    table = pd.DataFrame({
        "city": np.repeat(cities.to_numpy(), p),
        "year": np.repeat(years.to_numpy(), p),
        "indicator": np.tile(np.array(indicators, dtype=object), len(frame)),
        "dimension": np.tile(w["dimension"].to_numpy(dtype=object), len(frame)),
        "obstacle": o.ravel(),
    })
    member = w["dimension"].to_numpy(dtype=object)
    dim_o = np.column_stack([o[:, member == d].sum(axis=1) for d in dimensions])
    q = len(dimensions)
    by_dimension = pd.DataFrame({
        "city": np.repeat(cities.to_numpy(), q),
        "year": np.repeat(years.to_numpy(), q),
        "dimension": np.tile(np.array(dimensions, dtype=object), len(frame)),
        "obstacle": dim_o.ravel(),
    })
    assert isinstance(bad, pd.MultiIndex)  # internal: rows of a MultiIndex
    return ObstacleResult(table=table, by_dimension=by_dimension, weights=w,
                          undefined=bad, top_k=top_k, by=by)


# ----------------------------------------------------------------------------- inputs
def _frames(obj: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    if hasattr(obj, "normalized") and hasattr(obj, "weights"):
        normalized, weights = obj.normalized, obj.weights
    elif (isinstance(obj, Sequence) and not isinstance(obj, str) and len(obj) == 2):
        normalized, weights = obj[0], obj[1]
    else:
        raise ArgumentTypeError(
            f"result_or_frames: got {type(obj).__name__}; accepted: an index result "
            "(with .normalized and .weights) or a pair (normalized, weights) of DataFrames"
        )
    for name, value in (("normalized", normalized), ("weights", weights)):
        if not isinstance(value, pd.DataFrame):
            raise ArgumentTypeError(
                f"result_or_frames: {name} is a {type(value).__name__}; accepted: a DataFrame"
            )
    return normalized, weights


def _shift(obj: object, shift: float | None) -> float:
    if shift is None:
        options = getattr(obj, "options", None)
        shift = options.get("shift", 0.0) if isinstance(options, Mapping) else 0.0
    try:
        value = float(shift)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value):
        raise ArgumentError(f"shift={shift!r}; accepted: a finite number (e.g. 0.0001)")
    return value


def _weights(weights: pd.DataFrame) -> pd.DataFrame:
    need = ["indicator", "dimension", "weight"]
    if "indicator" not in weights.columns and weights.index.name == "indicator":
        weights = weights.reset_index()
    missing = [c for c in need if c not in weights.columns]
    if missing:
        raise ArgumentError(
            f"weights: missing column(s) {missing}; it has {list(weights.columns)}; "
            f"accepted: a table with columns {need} (global weights)"
        )
    w = weights[need].reset_index(drop=True).copy()
    w["indicator"] = w["indicator"].astype(str)
    w["dimension"] = w["dimension"].astype(str)
    dup = sorted(set(w["indicator"][w["indicator"].duplicated()]))
    if dup:
        raise ArgumentError(f"weights: indicator(s) {dup} listed more than once")
    values = pd.to_numeric(w["weight"], errors="coerce").astype("float64")
    bad = w["indicator"][~np.isfinite(values) | (values < 0)].tolist()
    if bad:
        raise ArgumentError(
            f"weights: indicator(s) {bad} have a missing, non-finite or negative weight; "
            "accepted: finite numbers ≥ 0"
        )
    total = float(values.sum())
    if abs(total - 1.0) > _WEIGHT_TOL:
        raise ArgumentError(
            f"weights: the weights sum to {total:.10g}; accepted: global weights summing "
            "to 1 (multiply within-dimension weights by their dimension's weight)"
        )
    w["weight"] = values
    return w


def _check_columns(normalized: pd.DataFrame, indicators: list[str]) -> None:
    columns = [str(c) for c in normalized.columns]
    absent = [i for i in indicators if i not in columns]
    unweighted = [c for c in columns if c not in indicators]
    if absent or unweighted:
        raise ArgumentError(
            "normalized and weights list different indicators: "
            f"weighted but not in normalized {absent}; in normalized but not weighted "
            f"{unweighted}. Accepted: the same indicators in both"
        )


def _check_k(k: object, n_items: int, by: str, argument: str) -> None:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n_items:
        raise ArgumentError(
            f"{argument}={k!r}; accepted: an integer from 1 to {n_items} (the number of "
            f"{by}s)"
        )
