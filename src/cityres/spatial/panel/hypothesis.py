"""Hypothesis tests of fitted spatial panel models: LR and Wald (θ = 0, θ + ρβ = 0).

Formulas and references: ``docs/methods/effects_and_tests.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, ArgumentTypeError


@dataclass(frozen=True)
class HypothesisTest:
    """One test: its name, statistic, degrees of freedom and chi-squared p-value."""

    test: str
    statistic: float
    df: int
    pvalue: float

    def decision(self, alpha: float = 0.05) -> str:
        """``"reject"`` when ``pvalue < alpha``, else ``"do not reject"``."""
        return "reject" if self.pvalue < alpha else "do not reject"


def _chi2(test: str, statistic: float, df: int) -> HypothesisTest:
    return HypothesisTest(test, float(statistic), int(df), float(stats.chi2.sf(statistic, df)))


def _loglik(obj: Any, arg: str) -> float:
    if not hasattr(obj, "loglik") or not hasattr(obj, "params"):
        raise ArgumentTypeError(f"{arg} must have .loglik and .params (a fitted model); got "
                                f"{type(obj).__name__}")
    value = float(obj.loglik)
    if not np.isfinite(value):
        raise ArgumentError(f"{arg}.loglik is not finite ({value})")
    return value


def lr_test(restricted: Any, unrestricted: Any, *, name: str | None = None,
            df: int | None = None) -> HypothesisTest:
    """Likelihood-ratio test of a restricted model against the model nesting it.

    Parameters
    ----------
    restricted, unrestricted : fitted results
        Objects with ``.loglik`` and ``.params`` (``.nobs`` compared when both have it).
    name : str, optional
        Label; default ``"LR <restricted.model> vs <unrestricted.model>"``.
    df : int, optional
        Degrees of freedom; default ``len(unrestricted.params) − len(restricted.params)``
        (SDM vs SAR and SDM vs SEM: ``k``).

    Returns
    -------
    HypothesisTest
        :math:`LR = 2(\\ell_u - \\ell_r) \\sim \\chi^2_{df}`.

    Raises
    ------
    ArgumentError
        Different ``nobs``; ``df < 1``; :math:`\\ell_u < \\ell_r` beyond rounding (1e-8
        relative), i.e. swapped arguments or a failed fit. A tiny negative difference is
        reported as 0.

    References
    ----------
    .. [1] Elhorst, J. P. (2014). *Spatial Econometrics*. Springer, ch. 3.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> r = NS(loglik=100.0, params=[1, 2]); u = NS(loglik=103.0, params=[1, 2, 3])
    >>> lr_test(r, u).statistic
    6.0
    """
    lr, lu = _loglik(restricted, "restricted"), _loglik(unrestricted, "unrestricted")
    nr, nu = getattr(restricted, "nobs", None), getattr(unrestricted, "nobs", None)
    if nr is not None and nu is not None and nr != nu:
        raise ArgumentError(f"the models are fitted on different data: nobs {nr} vs {nu}")
    stat = 2.0 * (lu - lr)
    if stat < -1e-8 * max(1.0, abs(lu)):
        raise ArgumentError(f"the unrestricted log-likelihood ({lu}) is below the restricted "
                            f"one ({lr}): arguments swapped or a fit did not converge")
    k = len(unrestricted.params) - len(restricted.params) if df is None else int(df)
    if k < 1:
        raise ArgumentError(f"df must be at least 1; got {k} (arguments swapped? give df= "
                            "when the parameter counts do not tell)")
    label = name or "LR {} vs {}".format(*(str(getattr(o, "model", "?")).upper()
                                         for o in (restricted, unrestricted)))
    return _chi2(label, max(stat, 0.0), k)


def wald_test(params: pd.Series, vcov: pd.DataFrame, *,
              restriction: tuple[Any, Any] | Callable[[pd.Series], np.ndarray],
              jacobian: Callable[[pd.Series], np.ndarray] | None = None,
              name: str = "Wald") -> HypothesisTest:
    """Wald test of ``g(params) = 0``, linear or not (delta method).

    Parameters
    ----------
    params : Series
        Estimates by name.
    vcov : DataFrame
        Their covariance, indexed and labelled by the same names.
    restriction : (R, r) or callable
        Linear: ``R`` (a DataFrame whose columns are parameter names, or an array over all
        of ``params``) and ``r``, ``g = R p − r``. Non-linear: ``g(params) -> array``.
    jacobian : callable, optional
        ``∂g/∂p`` (``q × len(params)``) for a callable ``g``; default central differences
        (step ``1e-6·max(1, |p|)``).
    name : str
        Label.

    Returns
    -------
    HypothesisTest
        :math:`W = g'(JVJ')^{-1}g \\sim \\chi^2_q`.

    Raises
    ------
    ArgumentError
        ``vcov`` not over ``params``; ``R`` of the wrong width or naming unknown
        parameters; a singular :math:`JVJ'`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> p = pd.Series({"a": 1.0, "b": 2.0}); V = pd.DataFrame(np.eye(2), p.index, p.index)
    >>> wald_test(p, V, restriction=(pd.DataFrame({"a": [1.0]}), [0.0])).statistic
    1.0
    """
    if not set(params.index) <= set(vcov.index) or not set(params.index) <= set(vcov.columns):
        raise ArgumentError("vcov must be indexed and labelled by the names of params")
    p = params.astype(np.float64)
    V = vcov.loc[p.index, p.index].to_numpy(dtype=np.float64)
    if callable(restriction):
        g = np.atleast_1d(np.asarray(restriction(p), dtype=np.float64))
        if jacobian is not None:
            J = np.atleast_2d(np.asarray(jacobian(p), dtype=np.float64))
        else:  # central differences, one parameter at a time
            steps = np.diag(1e-6 * np.maximum(1.0, np.abs(p.to_numpy())))
            J = np.column_stack([(np.asarray(restriction(p + h)) - np.asarray(restriction(p - h)))
                                 / (2 * h.max()) for h in steps])
    else:
        R, r = restriction
        if isinstance(R, pd.DataFrame):
            unknown = [c for c in R.columns if c not in p.index]
            if unknown:
                raise ArgumentError(f"R names parameters not in params: {unknown}")
            R = R.reindex(columns=p.index, fill_value=0.0)
        J = np.atleast_2d(np.asarray(R, dtype=np.float64))
        if J.shape[1] != p.size:
            raise ArgumentError(f"R must have {p.size} columns (one per parameter); got "
                                f"{J.shape[1]}")
        g = J @ p.to_numpy() - np.asarray(r, dtype=np.float64).ravel()
    if J.shape != (g.size, p.size):
        raise ArgumentError(f"the Jacobian must be {g.size} × {p.size}; got {J.shape}")
    cov = J @ V @ J.T
    try:
        stat = float(g @ np.linalg.solve(cov, g))
    except np.linalg.LinAlgError:
        raise ArgumentError(f"{name}: J V J' is singular; the restrictions are redundant or "
                            "their parameters have no variance") from None
    return _chi2(name, stat, g.size)


def _theta_names(results: Any) -> tuple[list[str], list[str]]:
    for attr in ("params", "vcov", "exog_names"):
        if not hasattr(results, attr):
            raise ArgumentTypeError(f"results must have .{attr}; got {type(results).__name__}")
    names = [str(x) for x in results.exog_names]
    thetas = [f"W_{x}" for x in names if f"W_{x}" in results.params.index]
    if not thetas:
        raise ArgumentError("results has no lagged regressors W_<name>; fit an SDM (or SDEM "
                            "/ SLX) to test them")
    return names, thetas


def wald_theta_zero(results: Any) -> HypothesisTest:
    """Wald test of θ = 0 (all ``W_<name>`` coefficients; SDM → SAR), df = number of θ.

    ``results`` needs ``.params``, ``.vcov`` and ``.exog_names``.
    """
    _, thetas = _theta_names(results)
    R = pd.DataFrame(np.eye(len(thetas)), columns=thetas)
    return wald_test(results.params, results.vcov, restriction=(R, np.zeros(len(thetas))),
                     name="Wald theta = 0")


def wald_common_factor(results: Any) -> HypothesisTest:
    """Wald test of the common factor θ + ρβ = 0 (SDM → SEM), df = k.

    The Jacobian of :math:`g_k = \\theta_k + \\rho\\beta_k` is 1 in :math:`\\theta_k`,
    :math:`\\rho` in :math:`\\beta_k` and :math:`\\beta_k` in :math:`\\rho` (delta method).
    """
    names, thetas = _theta_names(results)
    if len(thetas) != len(names) or "rho" not in results.params.index:
        raise ArgumentError("the common-factor test needs an SDM: rho and W_<name> for every "
                            f"regressor; lagged: {thetas}, regressors: {names}")
    p_idx = list(results.params.index)
    pos = [p_idx.index(x) for x in names], [p_idx.index(x) for x in thetas], p_idx.index("rho")

    def g(p: pd.Series) -> np.ndarray:
        v = p.to_numpy()
        return np.asarray(v[pos[1]] + v[pos[2]] * v[pos[0]])

    def jac(p: pd.Series) -> np.ndarray:
        v, J = p.to_numpy(), np.zeros((len(names), len(p_idx)))
        J[np.arange(len(names)), pos[1]] = 1.0
        J[np.arange(len(names)), pos[0]] = v[pos[2]]
        J[:, pos[2]] = v[pos[0]]
        return J

    return wald_test(results.params, results.vcov, restriction=g, jacobian=jac,
                     name="Wald theta + rho*beta = 0")
