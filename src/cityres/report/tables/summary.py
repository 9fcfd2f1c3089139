"""What a regression table needs from a fitted model: :class:`ModelSummary` and adapters."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError

_ACCEPTED = (
    "a cityres ModelSummary, or a fitted model with coefficients (.params, or .coef() as "
    "pyfixest), standard errors (.std_errors, .bse or .se()), p-values (.pvalues or "
    ".pvalue()) and a number of observations (.nobs or ._N): statsmodels and linearmodels "
    "results and pyfixest Feols/Fepois/Feiv objects qualify"
)


@dataclass(frozen=True)
class ModelSummary:
    """The numbers of one fitted model that a regression table shows.

    Any cityres estimator can return one, and any other model can be turned into one with
    :func:`summarize`.

    Parameters
    ----------
    params : pandas.Series
        Estimates, indexed by coefficient name.
    std_errors : pandas.Series
        Standard errors, same index as ``params``.
    pvalues : pandas.Series
        p-values, same index as ``params``.
    nobs : int
        Number of observations.
    r2 : float, optional
        R² (None when the model has none, e.g. a logit).
    tstats : pandas.Series, optional
        t (or z) statistics; default ``params / std_errors``.
    stats : mapping of str to float
        Further statistics by name (``adj_r2``, ``r2_within``, ``f``…) a table can show
        with ``stats=(...)``.
    dep_var : str, optional
        Name of the dependent variable.

    Notes
    -----
    The Series are copied (as float) on construction, so changing the originals later
    does not change the summary.

    Examples
    --------
    >>> import pandas as pd
    >>> s = ModelSummary(params=pd.Series({"x": 0.5}), std_errors=pd.Series({"x": 0.1}),
    ...                  pvalues=pd.Series({"x": 0.001}), nobs=100, r2=0.3)
    >>> float(s.t_values()["x"])
    5.0
    """

    params: pd.Series
    std_errors: pd.Series
    pvalues: pd.Series
    nobs: int
    r2: float | None = None
    tstats: pd.Series | None = None
    stats: Mapping[str, float] = field(default_factory=dict)
    dep_var: str | None = None

    def __post_init__(self) -> None:
        params = _series(self.params, "ModelSummary.params", None)
        index = params.index
        for name in ("std_errors", "pvalues", "tstats"):
            value = getattr(self, name)
            if value is None:
                continue
            s = _series(value, f"ModelSummary.{name}", index)
            if not s.index.equals(index):
                if set(s.index) != set(index):
                    raise ArgumentError(
                        f"ModelSummary.{name}: names {list(s.index)} differ from params' "
                        f"{list(index)}"
                    )
                s = s.reindex(index)
            object.__setattr__(self, name, s)
        object.__setattr__(self, "params", params)
        if isinstance(self.nobs, bool) or not isinstance(self.nobs, int | np.integer | float):
            raise ArgumentTypeError(
                f"ModelSummary.nobs={self.nobs!r}; accepted: a whole number of observations"
            )
        if not float(self.nobs).is_integer() or self.nobs < 0:
            raise ArgumentError(
                f"ModelSummary.nobs={self.nobs!r}; accepted: a whole number >= 0"
            )
        object.__setattr__(self, "nobs", int(self.nobs))
        r2 = None if self.r2 is None or _nan(self.r2) else float(self.r2)
        object.__setattr__(self, "r2", r2)
        object.__setattr__(
            self, "stats", MappingProxyType({str(k): float(v) for k, v in self.stats.items()})
        )

    def t_values(self) -> pd.Series:
        """t statistics: ``tstats`` when given, else ``params / std_errors``."""
        if self.tstats is not None:
            return self.tstats
        return self.params / self.std_errors

    def stat(self, name: str) -> float | None:
        """A statistic by name: ``nobs``, ``r2`` or a key of ``stats`` (None if absent)."""
        if name == "nobs":
            return float(self.nobs)
        if name == "r2":
            return self.r2
        value = self.stats.get(name)
        return None if value is None or _nan(value) else value


def _nan(value: object) -> bool:
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _series(value: object, where: str, index: pd.Index | None) -> pd.Series:
    if isinstance(value, pd.DataFrame) and value.shape[1] == 1:
        value = value.iloc[:, 0]
    if isinstance(value, pd.Series):
        s = value.astype(float).copy()
    elif isinstance(value, np.ndarray | Sequence) and not isinstance(value, str):
        arr = np.asarray(value, dtype=float).ravel()
        if index is None or len(index) != len(arr):
            raise ArgumentTypeError(
                f"{where}: received an unnamed array of {len(arr)} value(s); pass a pandas "
                "Series indexed by coefficient name"
            )
        s = pd.Series(arr, index=index)
    else:
        raise ArgumentTypeError(
            f"{where}: expected a pandas Series, received {type(value).__name__}"
        )
    s.index = pd.Index([str(k) for k in s.index])
    s.name = None
    return s


def _get(model: object, names: Sequence[str]) -> Any:
    """The first of ``names`` the model has (methods are called), else None."""
    for name in names:
        try:
            value = getattr(model, name)
        except (AttributeError, NotImplementedError, ValueError, TypeError):
            continue
        if value is None:
            continue
        if callable(value) and not isinstance(value, pd.Series | np.ndarray):
            try:
                value = value()
            except TypeError:
                continue
        return value
    return None


def summarize(model: object, *, where: str = "model") -> ModelSummary:
    """The :class:`ModelSummary` of a fitted model.

    Parameters
    ----------
    model : object
        A :class:`ModelSummary` (returned as it is); a statsmodels results object
        (``params``, ``bse``, ``pvalues``, ``tvalues``, ``nobs``, ``rsquared``,
        ``rsquared_adj``); a linearmodels results object (``params``, ``std_errors``,
        ``pvalues``, ``tstats``, ``nobs``, ``rsquared``, ``rsquared_within``); a pyfixest
        ``Feols`` / ``Fepois`` / ``Feiv`` (``coef()``, ``se()``, ``pvalue()``,
        ``tstat()``, ``_N``, ``_r2``, ``_adj_r2``, ``_r2_within``); or any object with
        those attributes.
    where : str
        How error messages name the model (``models[2]``).

    Returns
    -------
    ModelSummary
        ``stats`` holds ``adj_r2`` and ``r2_within`` when the model reports them.

    Raises
    ------
    ArgumentTypeError
        The model lacks coefficients, standard errors, p-values or a number of
        observations.

    Examples
    --------
    >>> import numpy as np, pandas as pd, statsmodels.api as sm
    >>> rng = np.random.default_rng(0)
    >>> X = sm.add_constant(pd.DataFrame({"x": rng.normal(size=50)}))
    >>> fit = sm.OLS(2 * X["x"] + rng.normal(size=50), X).fit()
    >>> s = summarize(fit)
    >>> list(s.params.index), s.nobs
    (['const', 'x'], 50)
    """
    if isinstance(model, ModelSummary):
        return model
    params = _get(model, ("params", "coef"))
    if params is None:
        raise ArgumentTypeError(
            f"{where}: a {type(model).__name__} has no coefficients; accepted: {_ACCEPTED}"
        )
    names = None
    if not isinstance(params, pd.Series | pd.DataFrame):
        exog = getattr(getattr(model, "model", None), "exog_names", None)
        names = pd.Index([str(n) for n in exog]) if exog is not None else None
    params = _series(params, f"{where}.params", names)
    parts: dict[str, Any] = {}
    for key, attrs in (
        ("std_errors", ("std_errors", "bse", "se")),
        ("pvalues", ("pvalues", "pvalue")),
        ("nobs", ("nobs", "_N")),
    ):
        parts[key] = _get(model, attrs)
        if parts[key] is None:
            raise ArgumentTypeError(
                f"{where}: a {type(model).__name__} has no {key} ({', '.join(attrs)}); "
                f"accepted: {_ACCEPTED}"
            )
    tstats = _get(model, ("tstats", "tvalues", "tstat"))
    stats: dict[str, float] = {}
    for key, attrs in (
        ("adj_r2", ("rsquared_adj", "adj_r2", "_adj_r2")),
        ("r2_within", ("rsquared_within", "r2_within", "_r2_within")),
    ):
        value = _get(model, attrs)
        if value is not None and not _nan(value):
            stats[key] = float(value)
    r2 = _get(model, ("rsquared", "r2", "_r2"))
    dep_var = _get(model, ("_depvar",)) or getattr(
        getattr(model, "model", None), "endog_names", None
    )
    return ModelSummary(
        params=params,
        std_errors=_series(parts["std_errors"], f"{where}.std_errors", params.index),
        pvalues=_series(parts["pvalues"], f"{where}.pvalues", params.index),
        nobs=int(float(parts["nobs"])),
        r2=None if r2 is None or _nan(r2) else float(r2),
        tstats=None if tstats is None else _series(tstats, f"{where}.tstats", params.index),
        stats=stats,
        dep_var=str(dep_var) if isinstance(dep_var, str) else None,
    )
