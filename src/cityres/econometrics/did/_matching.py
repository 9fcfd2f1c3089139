"""Propensity scores and matching for PSM-DID: logit scores, common support,
nearest-neighbour and kernel matching (the weights psmatch2 and MatchIt give).

Arrays in, arrays out: :func:`cityres.econometrics.did.psm.psm_match` assembles the
cross-section and reports. Units are identified by their position; ``ids`` only name them
in messages and outputs.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, format_choices

__all__ = ["KERNELS", "MATCH_COLUMNS", "METHODS", "Kernel", "Method", "Triples", "check_options",
           "kernel_match", "logit_pscore", "match_frame", "nearest_match", "off_support_mask",
           "unit_weights"]

Method = Literal["nearest", "kernel"]
Kernel = Literal["epanechnikov", "gaussian"]
METHODS: tuple[str, ...] = ("nearest", "kernel")
KERNELS: tuple[str, ...] = ("epanechnikov", "gaussian")
#: (treated positions, control positions, rank or weight) of the matches
Triples = tuple[np.ndarray, np.ndarray, np.ndarray]
MATCH_COLUMNS: tuple[str, ...] = ("treated", "control", "rank", "pscore_treated",
                                  "pscore_control", "distance", "weight")


def check_options(method: object, k: object, caliper: object, replace: object,
                  bandwidth: object, kernel: object) -> None:
    """Raise :class:`ArgumentError` for an unaccepted matching option (named)."""
    if method not in METHODS:
        raise ArgumentError(f"method={method!r}; accepted: {format_choices(METHODS)}")
    if kernel not in KERNELS:
        raise ArgumentError(f"kernel={kernel!r}; accepted: {format_choices(KERNELS)}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ArgumentError(f"k={k!r}; accepted: an integer ≥ 1 (controls per treated unit)")
    if caliper is not None:
        if isinstance(caliper, bool) or not isinstance(caliper, int | float | np.number):
            raise ArgumentTypeError(f"caliper must be a number or None; got "
                                    f"{type(caliper).__name__}")
        if not np.isfinite(caliper) or caliper <= 0:
            raise ArgumentError(f"caliper={caliper!r}; accepted: None or a number > 0 (the "
                                "largest |score difference| of a match)")
    if not isinstance(replace, bool | np.bool_):
        raise ArgumentTypeError(f"replace must be True or False; got {replace!r}")
    if (isinstance(bandwidth, bool) or not isinstance(bandwidth, int | float | np.number)
            or not np.isfinite(bandwidth) or bandwidth <= 0):
        raise ArgumentError(f"bandwidth={bandwidth!r}; accepted: a number > 0")


def logit_pscore(X: pd.DataFrame, treated: np.ndarray, *, where: str = "PSM"
                 ) -> tuple[np.ndarray, pd.Series]:
    r"""Propensity scores ``Pr(treated = 1 | x)`` from a logit with an intercept.

    Maximum likelihood by statsmodels ``Logit`` (Newton–Raphson to a step of 1e-12) on the
    standardised covariates; the coefficients are then put back on the covariates' scale.
    Returns the fitted scores (in the rows' order) and the coefficients (``const``
    first). Tests compare both with R ``glm(family = binomial)``.

    Raises
    ------
    PanelError
        Too few treated or control units, a constant or collinear covariate (named),
        perfect separation (no overlap) or no convergence in 200 iterations.
    """
    t = np.asarray(treated, dtype=bool)
    n1, n0 = int(t.sum()), int((~t).sum())
    if n1 < 1 or n0 < 1:
        raise PanelError(f"{where}: the propensity model needs treated and control units; "
                         f"got {n1} treated and {n0} controls")
    names = [str(c) for c in X.columns]
    raw = X.to_numpy(dtype=np.float64)
    if len(X) <= raw.shape[1] + 1:
        raise PanelError(f"{where}: {len(X)} units for {raw.shape[1] + 1} logit coefficients; "
                         "use fewer covariates")
    mu, sd = raw.mean(axis=0), raw.std(axis=0)
    const = [n for n, s in zip(names, sd, strict=True) if s == 0]
    if const:
        raise PanelError(f"{where}: covariate(s) {const} do not vary across units")
    Z = np.column_stack([np.ones(len(X)), (raw - mu) / sd])
    sv = np.linalg.svd(Z, compute_uv=False)
    if sv[-1] <= 1e-10 * sv[0]:
        raise PanelError(f"{where}: the covariates {names} are collinear (with each other or "
                         "the intercept); drop one")
    y = t.astype(np.float64)
    from statsmodels.discrete.discrete_model import Logit

    with warnings.catch_warnings(record=True):  # separation is diagnosed below
        warnings.simplefilter("always")
        try:
            fit = Logit(y, Z).fit(method="newton", maxiter=200, tol=1e-12, disp=0)
        except (np.linalg.LinAlgError, ValueError):
            raise PanelError(f"{where}: the covariates separate treated from control units: "
                             "there is no overlap to match on; use fewer or other "
                             "covariates") from None
    g = np.asarray(fit.params, dtype=np.float64)
    converged = bool(fit.mle_retvals.get("converged", False))
    p = expit(Z @ g)
    if not np.all(np.isfinite(g)) or p.min() < 1e-10 or p.max() > 1 - 1e-10:
        raise PanelError(f"{where}: the covariates separate treated from control units "
                         "(fitted scores of 0 or 1): there is no overlap to match on; use "
                         "fewer or other covariates")
    if not converged:
        raise PanelError(f"{where}: the logit propensity model did not converge in 200 "
                         "Newton steps")
    beta = g[1:] / sd
    coefs = pd.Series(np.r_[g[0] - float(beta @ mu), beta], index=["const", *names])
    return p, coefs


def off_support_mask(pscore: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Treated units off the controls' score range ``[min, max]`` (psmatch2's
    ``common``): a boolean mask over all units (never true for controls)."""
    t = np.asarray(treated, dtype=bool)
    lo, hi = pscore[~t].min(), pscore[~t].max()
    return t & ((pscore < lo) | (pscore > hi))


def nearest_match(pscore: np.ndarray, treated: np.ndarray, eligible: np.ndarray, *, k: int,
                  caliper: float | None, replace: bool) -> Triples:
    """Greedy nearest-neighbour matching on the score.

    Treated units (those ``eligible``) are visited in descending order of their score
    (ties in data order). Matching runs in ``k`` rounds; in round ``r`` each treated unit
    takes the nearest control not yet matched to it (without replacement: not used by any
    treated unit) whose ``|p_c − p_t| ≤ caliper``. Equal distances go to the control with
    the lower score, equal scores to the one first in data order.

    Returns
    -------
    (treated positions, control positions, ranks) as three arrays
    """
    t = np.asarray(treated, dtype=bool)
    ctrl = np.flatnonzero(~t)
    pc = pscore[ctrl]
    # candidate order for ties: distance, then lower score, then data order
    pos = np.arange(ctrl.size)
    todo = np.flatnonzero(t & eligible)
    order = todo[np.argsort(-pscore[todo], kind="stable")]
    free = np.ones(ctrl.size, dtype=bool)
    taken: dict[int, set[int]] = {int(i): set() for i in order}
    out: list[tuple[int, int, int]] = []
    for r in range(k):
        for i in order:
            ok = free.copy() if not replace else np.ones(ctrl.size, dtype=bool)
            if taken[int(i)]:
                ok[list(taken[int(i)])] = False
            if not ok.any():
                continue
            d = np.abs(pc - pscore[i])
            cand = np.flatnonzero(ok)
            best = cand[np.lexsort((pos[cand], pc[cand], d[cand]))[0]]
            if caliper is not None and d[best] > caliper:
                continue
            taken[int(i)].add(int(best))
            if not replace:
                free[best] = False
            out.append((int(i), int(ctrl[best]), r + 1))
    arr = np.array(out, dtype=np.int64).reshape(-1, 3)
    return arr[:, 0], arr[:, 1], arr[:, 2].astype(np.float64)


def _kernel(u: np.ndarray, kernel: Kernel) -> np.ndarray:
    if kernel == "gaussian":
        return np.asarray(stats.norm.pdf(u), dtype=np.float64)
    return np.where(np.abs(u) < 1, 0.75 * (1 - u * u), 0.0)


def kernel_match(pscore: np.ndarray, treated: np.ndarray, eligible: np.ndarray, *,
                 bandwidth: float, kernel: Kernel) -> Triples:
    """Kernel matching (psmatch2): each eligible treated ``i`` is matched to every control
    ``j`` with weight ``w_ij = K((p_j − p_i)/h) / Σ_l K((p_l − p_i)/h)`` (sum over all
    controls ``l``), so its weights sum to one.

    A treated unit with no control inside the kernel's support (Epanechnikov:
    ``|p_j − p_i| < h``) gets no match. Returns the (treated position, control position,
    weight) arrays of every positive weight.
    """
    t = np.asarray(treated, dtype=bool)
    rows = np.flatnonzero(t & eligible)
    ctrl = np.flatnonzero(~t)
    K = _kernel((pscore[ctrl][None, :] - pscore[rows][:, None]) / bandwidth, kernel)
    tot = K.sum(axis=1, keepdims=True)
    W = np.divide(K, tot, out=np.zeros_like(K), where=tot > 0)
    r, c = np.nonzero(W > 0)
    return rows[r], ctrl[c], W[r, c]


def match_frame(triples: Triples, pscore: np.ndarray, ids: np.ndarray, *,
                method: Method) -> pd.DataFrame:
    """The matches as a frame with :data:`MATCH_COLUMNS` plus the positions ``_t``, ``_c``.

    ``triples`` are (treated, control, rank) from :func:`nearest_match` (``method=
    "nearest"``; the weight of a match is ``1 / k_i`` with ``k_i`` the number of controls
    treated ``i`` got) or (treated, control, weight) from :func:`kernel_match` (``rank`` is
    then the order of the control's distance, 1 = nearest).
    """
    ti, ci, v = triples
    frame = pd.DataFrame({"_t": ti, "_c": ci, "distance": np.abs(pscore[ci] - pscore[ti])})
    if method == "nearest":
        frame["rank"] = v.astype(np.int64)
        frame["weight"] = 1.0 / frame.groupby("_t")["_c"].transform("size").to_numpy()
    else:
        frame["weight"] = v
        frame["rank"] = (frame.groupby("_t")["distance"].rank(method="first")
                         .to_numpy(dtype=np.int64))
    frame = frame.sort_values(["_t", "rank"], kind="stable").reset_index(drop=True)
    frame["treated"] = ids[frame["_t"].to_numpy()]
    frame["control"] = ids[frame["_c"].to_numpy()]
    frame["pscore_treated"] = pscore[frame["_t"].to_numpy()]
    frame["pscore_control"] = pscore[frame["_c"].to_numpy()]
    return frame[[*MATCH_COLUMNS, "_t", "_c"]]


def unit_weights(matches: pd.DataFrame, n: int) -> np.ndarray:
    """Matching weights per unit (by position): 1 for a matched treated unit, and for a
    control ``Σ_i w_ij`` over the treated units it is matched to (psmatch2's ``_weight``:
    the controls' weights sum to the number of matched treated units); 0 otherwise."""
    w = np.zeros(n)
    if len(matches):
        np.add.at(w, matches["_c"].to_numpy(dtype=np.int64),
                  matches["weight"].to_numpy(dtype=np.float64))
        w[np.unique(matches["_t"].to_numpy(dtype=np.int64))] = 1.0
    return w
