r"""Normalisation of indicators to dimensionless, direction-aligned values x'.

Three methods, each learned on a *scope* — ``"pooled"`` (all city-years together, so
scores are comparable over time: the panel-entropy convention) or ``"by_year"`` (the cities
of each year separately, so only ranks within a year are comparable):

min–max (``"minmax"``, the default)
    positive: :math:`x' = (x - \min) / (\max - \min)`;
    negative: :math:`x' = (\max - x) / (\max - \min)`.
z-score (``"zscore"``)
    positive: :math:`x' = (x - \bar x) / s`; negative: :math:`x' = (\bar x - x) / s`, with
    the *sample* standard deviation :math:`s` (ddof = 1, as SPSS and Stata standardise).
vector (``"vector"``)
    positive: :math:`x' = x / \sqrt{\sum x^2}`; negative: :math:`x' = 1 - x / \sqrt{\sum x^2}`.
    The complement (not the reciprocal :math:`1/x`) keeps the transformation linear, keeps
    x' in [0, 1] for x >= 0, and is what pymcdm uses; in TOPSIS it gives exactly the
    distances of Hwang & Yoon's original treatment of cost criteria (ideal = column
    minimum), because reflecting a column does not change Euclidean distances. It needs
    x >= 0 (a ratio scale).

``shift`` is added to every x' after scaling (the literature's +0.0001, which avoids
ln 0 in the entropy method; cityres's entropy uses 0·ln 0 = 0 and does not need it).

A constant indicator (max = min in the scope) is an error naming it (and the year): no
normalisation can give it information, and a shift cannot help because it is added after
dividing by the zero spread. Drop it with ``system.drop([...])``.

:meth:`Normalizer.transform` applies the *learned* parameters to new data (e.g. a later
year). Values outside the learned range give x' outside [shift, 1 + shift]; they are
**not clipped** (clipping would hide growth beyond the reference period), and an
:class:`OutOfRangeWarning` says how many cells, in which indicators, fell outside.

References
----------
朱喜安, 魏国栋 (2015). 熵值法中无量纲化方法优良标准的探讨. 统计与决策, 2015(2).
(Zhu Xi'an & Wei Guodong: criteria for choosing the dimensionless transformation in the
entropy method — the argument for min–max with direction.)
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, CityresWarning, PanelError
from cityres.indices._checks import (
    POOLED,
    SCOPES,
    check_choice,
    check_complete,
    check_frame,
    check_nonnegative,
    describe_group,
    group_keys,
    py,
    rows_for,
)

Method = Literal["minmax", "zscore", "vector"]
METHODS: tuple[str, ...] = ("minmax", "zscore", "vector")


class OutOfRangeWarning(CityresWarning):
    """Scored data lie outside the range the normaliser learned (x' is not clipped)."""


class Normalizer:
    """Learn normalisation parameters on a panel (``fit``) and apply them (``transform``).

    Parameters
    ----------
    method : {"minmax", "zscore", "vector"}
        See the module docstring for the formulas.
    scope : {"pooled", "by_year"}
        Learn one set of parameters over all city-years, or one per year.
    shift : float
        Added to every x' after scaling (e.g. 0.0001).

    Attributes
    ----------
    min_, max_ : pandas.DataFrame
        Smallest and largest raw value per indicator (columns) and scope group (rows:
        one row ``"pooled"``, index name ``scope``; or one row per year, index ``year``).
    mean_, std_ : pandas.DataFrame
        Mean and sample standard deviation (``"zscore"`` only).
    norm_ : pandas.DataFrame
        :math:`\\sqrt{\\sum x^2}` (``"vector"`` only).
    directions_ : pandas.Series
        +1 / −1 per indicator.

    Examples
    --------
    >>> import cityres
    >>> from cityres.indices import Normalizer, load_system
    >>> system = load_system("digital_economy")
    >>> panel = cityres.datasets.load("yrd_sim")
    >>> x = Normalizer("minmax").fit(panel.data[system.columns], system.directions)
    >>> float(x.transform(panel.data[system.columns]).max().max())
    1.0
    """

    def __init__(self, method: Method = "minmax", *, scope: str = POOLED, shift: float = 0.0):
        check_choice("normalize", method, METHODS)
        check_choice("scope", scope, SCOPES)
        if not np.isfinite(shift):
            raise ArgumentError(f"shift={shift!r} must be a finite number (e.g. 0.0001)")
        self.method = method
        self.scope = scope
        self.shift = float(shift)

    # ----------------------------------------------------------------- fit
    def fit(self, data: pd.DataFrame, directions: pd.Series) -> Normalizer:
        """Learn the parameters of every indicator (column of ``data``) in each scope group.

        Raises
        ------
        PanelError
            Missing or infinite values, a constant indicator (named with its year), or
            negative values for ``"vector"``.
        """
        check_frame(data)
        check_complete(data, "normalize")
        missing = [c for c in data.columns if c not in directions.index]
        if missing:
            raise ArgumentError(f"directions lack the indicators {missing}")
        if self.method == "vector":
            check_nonnegative(
                data,
                "vector normalisation (x / sqrt(sum x^2), a ratio scale)",
                "Use normalize='minmax' or 'zscore' for indicators that can be negative.",
            )
        keys = group_keys(data.index, self.scope)
        grouped = data.groupby(keys, sort=True)
        label = "scope" if self.scope == POOLED else "year"
        self.min_ = grouped.min().rename_axis(label)
        self.max_ = grouped.max().rename_axis(label)
        self._check_constant(self.max_ - self.min_)
        if self.method == "zscore":
            self.mean_ = grouped.mean().rename_axis(label)
            self.std_ = grouped.std(ddof=1).rename_axis(label)
        elif self.method == "vector":
            self.norm_ = ((data**2).groupby(keys, sort=True).sum() ** 0.5).rename_axis(label)
        self.directions_ = directions.reindex(data.columns).astype("int64")
        self.columns_ = [str(c) for c in data.columns]
        return self

    def _check_constant(self, spread: pd.DataFrame) -> None:
        values = spread.to_numpy(dtype=float)
        flat = [
            (str(col), key)
            for j, col in enumerate(spread.columns)
            for i, key in enumerate(spread.index)
            if not values[i, j] > 0
        ]
        if flat:
            scope = "over all city-years" if self.scope == POOLED else "within a year"
            shown = "; ".join(
                f"{col!r}{describe_group(key)} (every value {py(self.min_.at[key, col])!r})"
                for col, key in flat[:12]
            )
            names = sorted({col for col, _ in flat})
            hint = "" if self.scope == POOLED else " or use scope='pooled'"
            raise PanelError(
                f"constant indicator(s) {scope}: {shown}{' ...' if len(flat) > 12 else ''}. "
                "A constant indicator carries no information and its normalisation divides by "
                "a zero spread; a shift cannot help (it is added after scaling). Drop it: "
                f"system.drop({names}){hint}"
            )

    # ----------------------------------------------------------------- transform
    def _rows(self, params: pd.DataFrame, keys: np.ndarray) -> np.ndarray:
        """Parameters aligned to the rows of the data (one row per city-year)."""
        rows, unseen = rows_for(params, keys)
        if unseen:
            raise ArgumentError(
                f"scope='by_year' learned parameters for years {[py(k) for k in params.index]}; "
                f"the data have years {unseen} it has not seen. Fit on those years too, or use "
                "scope='pooled' to score later years with the reference period's parameters"
            )
        return rows

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """Normalised values x' (same index and columns as ``data``); never clipped.

        Warns
        -----
        OutOfRangeWarning
            When some values lie outside the learned [min, max] of their scope group.
        """
        if not hasattr(self, "columns_"):
            raise ArgumentError("this Normalizer is not fitted yet; call fit(data, directions)")
        check_frame(data)
        lacking = [c for c in self.columns_ if c not in data.columns]
        if lacking:
            raise PanelError(f"the data lack the fitted indicators {lacking}")
        data = data[self.columns_]
        check_complete(data, "normalize")
        x = data.to_numpy(dtype=float)
        keys = group_keys(data.index, self.scope)
        lo, hi = self._rows(self.min_, keys), self._rows(self.max_, keys)
        neg = (self.directions_.to_numpy() < 0)[None, :]
        if self.method == "minmax":
            out = np.where(neg, hi - x, x - lo) / (hi - lo)
        elif self.method == "zscore":
            mean, sd = self._rows(self.mean_, keys), self._rows(self.std_, keys)
            out = np.where(neg, mean - x, x - mean) / sd
        else:
            check_nonnegative(data, "vector normalisation", "Use normalize='minmax' or 'zscore'.")
            r = x / self._rows(self.norm_, keys)
            out = np.where(neg, 1.0 - r, r)
        outside = (x < lo) | (x > hi)
        if outside.any():
            per = pd.Series(outside.sum(axis=0), index=self.columns_)
            listed = ", ".join(f"{c} ({int(n)})" for c, n in per[per > 0].items())
            warnings.warn(
                f"{int(outside.sum())} value(s) lie outside the range learned at fit "
                f"[{listed}]; their x' lies outside the fitted range and is not clipped",
                OutOfRangeWarning,
                stacklevel=2,
            )
        return pd.DataFrame(out + self.shift, index=data.index, columns=self.columns_)

    def fit_transform(self, data: pd.DataFrame, directions: pd.Series) -> pd.DataFrame:
        """``fit(data, directions).transform(data)``."""
        return self.fit(data, directions).transform(data)


def normalize(
    data: pd.DataFrame,
    directions: pd.Series,
    method: Method = "minmax",
    *,
    scope: str = POOLED,
    shift: float = 0.0,
) -> pd.DataFrame:
    """Normalise ``data`` in one call (see :class:`Normalizer` and the module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> from cityres.indices.normalize import normalize
    >>> idx = pd.MultiIndex.from_tuples([("A", 2020), ("B", 2020), ("C", 2020)],
    ...                                 names=["city", "year"])
    >>> df = pd.DataFrame({"gdp": [1.0, 2.0, 5.0], "pm25": [30.0, 50.0, 40.0]}, index=idx)
    >>> normalize(df, pd.Series({"gdp": 1, "pm25": -1})).round(2).to_numpy().tolist()
    [[0.0, 1.0], [0.25, 0.0], [1.0, 0.5]]
    """
    return Normalizer(method, scope=scope, shift=shift).fit_transform(data, directions)
