"""LM lag, LM error and their robust forms on the demeaned, stacked pooled OLS.

Anselin, Bera, Florax & Yoon (1996); Elhorst (2014, ch. 3) for panels with
``W_NT = I_T ⊗ W``. Formulas: ``docs/methods/effects_and_tests.md``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from cityres._shared.errors import ArgumentError, ArgumentTypeError

Stacking = Literal["time", "entity"]
_LM_NAMES = ("lm_lag", "robust_lm_lag", "lm_error", "robust_lm_error")


def _stacked_lag(W: sp.csr_array, v: np.ndarray, n: int, t: int, stacking: str) -> np.ndarray:
    """``(I_T ⊗ W) v`` for time-major stacking, ``(W ⊗ I_T) v`` for entity-major."""
    if stacking == "time":
        return np.asarray((W @ v.reshape(t, n).T).T).ravel()
    return np.asarray(W @ v.reshape(n, t)).ravel()


def lm_tests(y: Any, X: Any, W: Any, *, n_entities: int, n_periods: int,
             stacking: Stacking = "time") -> pd.DataFrame:
    """LM tests for a spatial lag and a spatial error on demeaned panel data.

    Parameters
    ----------
    y : array-like, shape (N·T,)
        The demeaned response, stacked as ``stacking`` says.
    X : array-like or DataFrame, shape (N·T, k)
        The demeaned regressors (no constant is added: include one for a model without
        fixed effects). Column names (DataFrame) are used in error messages.
    W : Weights, scipy sparse matrix or ndarray
        The ``N × N`` weights, rows in the entity order of the stacking.
    n_entities, n_periods : int
        ``N`` and ``T``.
    stacking : {"time", "entity"}
        ``"time"``: period by period (``t·N + i``; ``W_NT = I_T ⊗ W``, Elhorst's layout);
        ``"entity"``: entity by entity (``i·T + t``; ``W_NT = W ⊗ I_T``).

    Returns
    -------
    DataFrame
        Index ``lm_lag``, ``robust_lm_lag``, ``lm_error``, ``robust_lm_error``; columns
        ``statistic``, ``df`` (1), ``p`` (chi-squared). ``attrs``: ``sigma2``, ``nobs``.

    Raises
    ------
    ArgumentError
        Wrong lengths, ``N`` not matching ``W``, non-finite values, collinear regressors.

    Notes
    -----
    With OLS residuals ``e``, :math:`\\sigma^2 = e'e/NT` (no correction for the degrees of
    freedom absorbed by the fixed effects, as in Elhorst's code and ``spreg``),
    :math:`T_W = T\\operatorname{tr}(W'W + W^2)` and
    :math:`D = (W_{NT}X\\hat\\beta)'M(W_{NT}X\\hat\\beta)/\\sigma^2 + T_W`,
    :math:`M = I - X(X'X)^{-1}X'`:

    .. math::
        LM_\\rho = \\frac{(e'W_{NT}y/\\sigma^2)^2}{D},\\quad
        LM_\\lambda = \\frac{(e'W_{NT}e/\\sigma^2)^2}{T_W},\\quad
        RLM_\\rho = \\frac{(e'W_{NT}y/\\sigma^2 - e'W_{NT}e/\\sigma^2)^2}{D - T_W},\\quad
        RLM_\\lambda = \\frac{(e'W_{NT}e/\\sigma^2 - (T_W/D)\\,e'W_{NT}y/\\sigma^2)^2}
        {T_W(1 - T_W/D)}.

    References
    ----------
    .. [1] Anselin, L., Bera, A. K., Florax, R. & Yoon, M. J. (1996). Simple diagnostic
       tests for spatial dependence. *Regional Science and Urban Economics* 26, 77–104.
    .. [2] Elhorst, J. P. (2014). *Spatial Econometrics*. Springer, ch. 3.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> X = rng.normal(size=(12, 1)); y = X[:, 0] + rng.normal(size=12)
    >>> lm_tests(y, X, W, n_entities=3, n_periods=4).shape
    (4, 3)
    """
    if stacking not in ("time", "entity"):
        raise ArgumentError(f"stacking must be 'time' or 'entity'; got {stacking!r}")
    n, t = int(n_entities), int(n_periods)
    if n < 2 or t < 1:
        raise ArgumentError(f"n_entities must be ≥ 2 and n_periods ≥ 1; got {n}, {t}")
    names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
    yv = np.asarray(y, dtype=np.float64).ravel()
    Xm = np.asarray(X, dtype=np.float64)
    Xm = Xm[:, None] if Xm.ndim == 1 else Xm
    if yv.size != n * t or Xm.ndim != 2 or Xm.shape[0] != n * t:
        raise ArgumentError(f"y and X must have N·T = {n}·{t} = {n * t} rows; got y of "
                            f"{yv.size} and X of shape {Xm.shape}")
    names = names or [f"column {j}" for j in range(Xm.shape[1])]
    m = getattr(W, "sparse", W)
    if not (sp.issparse(m) or isinstance(m, np.ndarray)):
        raise ArgumentTypeError(f"W must be a Weights, a sparse matrix or an ndarray; got "
                                f"{type(W).__name__}")
    Wm = sp.csr_array(m, dtype=np.float64)
    if Wm.shape != (n, n):
        raise ArgumentError(f"W must be {n} × {n} (n_entities); got {Wm.shape}")
    if not (np.isfinite(yv).all() and np.isfinite(Xm).all() and np.isfinite(Wm.data).all()):
        raise ArgumentError("y, X and W must be finite")
    Q, R = np.linalg.qr(Xm)
    d = np.abs(np.diag(R))
    weak = [names[j] for j in np.flatnonzero(d <= 1e-10 * max(d.max(initial=0), 1e-300))]
    if weak or Xm.shape[1] >= n * t:
        raise ArgumentError(f"X is rank deficient (collinear or empty columns: {weak})")
    beta = np.linalg.solve(R, Q.T @ yv)
    xb = Xm @ beta
    e = yv - xb
    s2 = float(e @ e) / (n * t)
    if s2 <= 0:
        raise ArgumentError("X fits y exactly (zero residuals); the LM tests are undefined")
    a_err = float(e @ _stacked_lag(Wm, e, n, t, stacking)) / s2
    a_lag = float(e @ _stacked_lag(Wm, yv, n, t, stacking)) / s2
    wxb = _stacked_lag(Wm, xb, n, t, stacking)
    mwxb = wxb - Q @ (Q.T @ wxb)
    tw = t * float(Wm.multiply(Wm).sum() + Wm.multiply(Wm.T).sum())
    D = float(mwxb @ mwxb) / s2 + tw
    stat = {"lm_lag": a_lag**2 / D, "robust_lm_lag": (a_lag - a_err) ** 2 / (D - tw),
            "lm_error": a_err**2 / tw,
            "robust_lm_error": (a_err - tw / D * a_lag) ** 2 / (tw * (1.0 - tw / D))}
    out = pd.DataFrame({"statistic": [stat[k] for k in _LM_NAMES], "df": 1,
                        "p": [float(stats.chi2.sf(stat[k], 1)) for k in _LM_NAMES]},
                       index=pd.Index(_LM_NAMES, name="test"))
    out.attrs.update({"sigma2": s2, "nobs": n * t, "stacking": stacking})
    return out
