"""The Benjamini–Hochberg false-discovery-rate cut-off for the p-values of one map."""

from __future__ import annotations

from typing import Any

import numpy as np

from cityres._shared.errors import ArgumentError
from cityres.spatial.autocorrelation._data import check_alpha


def fdr_threshold(p_values: Any, alpha: float = 0.05) -> float:
    """The p-value cut-off that controls the false discovery rate at ``alpha``.

    Parameters
    ----------
    p_values : array_like
        The ``n`` p-values of one family of tests (e.g. the LISA p-values of one year).
    alpha : float
        The false discovery rate, in (0, 1).

    Returns
    -------
    float
        ``k·alpha/n`` for the largest ``k`` with ``p_(k) < k·alpha/n`` (``p_(k)`` the
        ``k``-th smallest p-value); ``alpha/n`` (Bonferroni) when there is no such ``k``.
        A test is significant when its p-value is ``≤`` the cut-off.

    Raises
    ------
    ArgumentError
        Empty input, p-values outside [0, 1] or missing, or ``alpha`` outside (0, 1).

    Notes
    -----
    The step-up rule of Benjamini & Hochberg (1995) as ``esda.fdr`` computes it (strict
    ``<``, the cut-off returned is the critical value ``k·alpha/n`` rather than ``p_(k)``,
    and ``alpha/n`` when nothing passes), which Castro & Singer (2006) recommend for LISA.

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B*
    57(1), 289–300. Castro, M. C. and Singer, B. H. (2006). Controlling the false discovery
    rate: a new application to account for multiple and dependent tests in local statistics
    of spatial association. *Geographical Analysis* 38(2), 180–208.

    Examples
    --------
    >>> from cityres.spatial.autocorrelation import fdr_threshold
    >>> fdr_threshold([0.001, 0.01, 0.04, 0.2, 0.5], alpha=0.05)
    0.02
    """
    a = check_alpha(alpha)
    p = np.asarray(p_values, dtype=float).ravel()
    if p.size == 0:
        raise ArgumentError("p_values is empty")
    if not np.all((p >= 0) & (p <= 1)):
        raise ArgumentError("p_values must lie in [0, 1] (no missing values); got "
                            f"{p[~((p >= 0) & (p <= 1))][:5].tolist()}")
    n = p.size
    ranks = np.arange(1, n + 1)
    crit = ranks * a / n
    passed = np.flatnonzero(np.sort(p) < crit)
    return float(crit[passed[-1]]) if passed.size else a / n
