"""The covariate balance table of a propensity-score matching, before and after.

One row per covariate: means, standardised differences (in %), the reduction of the
bias, t-tests of equal means and variance ratios — the table of Stata's ``pstest`` with
the standardised difference also available as R MatchIt defines it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, format_choices

__all__ = ["BALANCE_COLUMNS", "SD_DENOMINATORS", "SdDenominator", "balance_table"]

SdDenominator = Literal["pooled", "treated"]
SD_DENOMINATORS: tuple[str, ...] = ("pooled", "treated")
BALANCE_COLUMNS: tuple[str, ...] = (
    "covariate", "mean_treated", "mean_treated_after", "mean_control_before",
    "mean_control_after", "std_diff_before", "std_diff_after", "bias_reduction",
    "p_before", "p_after", "var_ratio_before", "var_ratio_after")


def _wvar(x: np.ndarray, w: np.ndarray, binary: bool) -> float:
    """Weighted variance with reliability weights, ``Σw(x−m)² / (1 − Σw²)`` for weights
    normalised to sum to one (the sample variance when all weights are equal); ``m(1 − m)``
    for a 0/1 variable (MatchIt's ``wvar``)."""
    w = w / w.sum()
    m = float(w @ x)
    if binary:
        return m * (1 - m)
    denom = 1 - float(w @ w)
    return float(w @ (x - m) ** 2) / denom if denom > 0 else float("nan")


def _wttest(x: np.ndarray, t: np.ndarray, w: np.ndarray) -> float:
    """p-value of the treatment coefficient in the weighted regression of ``x`` on an
    intercept and the treatment dummy, weights as Stata importance weights (the residual
    variance ``Σ w e² / (Σw − 2)`` on ``Σw − 2`` degrees of freedom; with unit weights the
    pooled two-sample t-test)."""
    keep = w > 0
    x, t, w = x[keep], t[keep].astype(np.float64), w[keep]
    sw = float(w.sum())
    if sw <= 2 or t.min() == t.max():
        return float("nan")
    Z = np.column_stack([np.ones_like(x), t])
    ZtW = Z.T * w
    A = ZtW @ Z
    b = np.linalg.solve(A, ZtW @ x)
    e = x - Z @ b
    s2 = float(w @ e**2) / (sw - 2)
    if s2 <= 0:
        return float("nan") if b[1] == 0 else 0.0
    se = np.sqrt(s2 * np.linalg.inv(A)[1, 1])
    return float(2 * stats.t.sf(abs(b[1]) / se, sw - 2))


def balance_table(X: pd.DataFrame, treated: np.ndarray, weights: np.ndarray, *,
                  sd: SdDenominator = "pooled") -> pd.DataFrame:
    r"""Balance of each column of ``X`` between treated and controls, before and after.

    Parameters
    ----------
    X : pandas.DataFrame
        One row per unit, one column per covariate (the propensity score may be one).
    treated : numpy.ndarray of bool
        Treatment per unit.
    weights : numpy.ndarray
        Matching weights: 1 for a matched treated unit, the control's matching weight, 0
        for a unit outside the matched sample.
    sd : {"pooled", "treated"}
        Denominator of the standardised difference, computed on the unmatched sample and
        used before and after: ``"pooled"`` :math:`\sqrt{(s_T^2 + s_C^2)/2}` (Rosenbaum &
        Rubin 1985; Stata ``pstest``), ``"treated"`` :math:`s_T` (R MatchIt's ATT
        summary; for a 0/1 covariate :math:`\sqrt{\bar x_T(1-\bar x_T)}`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BALANCE_COLUMNS`: ``mean_treated`` (all treated),
        ``mean_treated_after`` (matched treated), ``mean_control_before`` /
        ``mean_control_after`` (controls unweighted / weighted), ``std_diff_before`` /
        ``std_diff_after`` = :math:`100(\bar x_T - \bar x_C)/S` (%), ``bias_reduction`` =
        :math:`100(1 - |d_{after}|/|d_{before}|)` (%), ``p_before`` / ``p_after`` (t-tests
        of equal means: pooled two-sample; weighted regression on the treatment dummy),
        ``var_ratio_before`` / ``var_ratio_after`` :math:`s_T^2/s_C^2` (weighted variances
        with reliability weights after matching, as MatchIt; NaN for 0/1 covariates).
    """
    if sd not in SD_DENOMINATORS:
        raise ArgumentError(f"sd={sd!r}; accepted: {format_choices(SD_DENOMINATORS)}")
    t = np.asarray(treated, dtype=bool)
    w = np.asarray(weights, dtype=np.float64)
    ones = np.ones(len(t))
    t_after, c_after = t & (w > 0), ~t & (w > 0)
    rows = []
    for name in X.columns:
        x = X[name].to_numpy(dtype=np.float64)
        binary = bool(np.all((x == 0) | (x == 1)))
        xt, xc = x[t], x[~t]
        mt, mc = float(xt.mean()), float(xc.mean())
        if sd == "treated":
            s = np.sqrt(_wvar(xt, ones[t], binary))
        else:
            s = np.sqrt((xt.var(ddof=1) + xc.var(ddof=1)) / 2)
        mt_a = float(x[t_after].mean()) if t_after.any() else float("nan")
        mc_a = (float(np.average(x[c_after], weights=w[c_after])) if c_after.any()
                else float("nan"))
        d_b = 100 * (mt - mc) / s if s > 0 else float("nan")
        d_a = 100 * (mt_a - mc_a) / s if s > 0 else float("nan")
        red = 100 * (1 - abs(d_a) / abs(d_b)) if d_b not in (0.0,) and np.isfinite(d_b) \
            else float("nan")
        vr_b = vr_a = float("nan")
        if not binary:
            vr_b = _wvar(xt, ones[t], False) / _wvar(xc, ones[~t], False)
            if t_after.sum() > 1 and c_after.sum() > 1:
                vr_a = (_wvar(x[t_after], w[t_after], False)
                        / _wvar(x[c_after], w[c_after], False))
        rows.append((str(name), mt, mt_a, mc, mc_a, d_b, d_a, red,
                     _wttest(x, t, ones), _wttest(x, t, w), vr_b, vr_a))
    return pd.DataFrame(rows, columns=list(BALANCE_COLUMNS))
