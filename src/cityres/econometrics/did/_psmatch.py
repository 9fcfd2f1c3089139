"""Propensity-score matching of a cross-section of units: :func:`psm_match` and its
result :class:`PSMatch` (the matching half of PSM-DID, public through
:mod:`cityres.econometrics.did.psm`).

Every treated unit left out (off the common support, or without a control within the
caliper / bandwidth) is listed in the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.econometrics.did._balance import SD_DENOMINATORS, SdDenominator, balance_table
from cityres.econometrics.did._matching import (
    MATCH_COLUMNS,
    Kernel,
    Method,
    check_options,
    kernel_match,
    logit_pscore,
    match_frame,
    nearest_match,
    off_support_mask,
    unit_weights,
)

__all__ = ["PSMatch", "psm_match"]


@dataclass(frozen=True)
class PSMatch:
    """A propensity-score matching of a cross-section of units.

    Attributes
    ----------
    pscore : pandas.Series
        The fitted score of every unit, indexed by unit.
    logit : pandas.Series
        Coefficients of the logit (``const`` first).
    treated : pandas.Series
        The treatment indicator (bool) by unit.
    matches : pandas.DataFrame
        One row per (treated, control) match: ``treated``, ``control``, ``rank`` (1 = the
        nearest), ``pscore_treated``, ``pscore_control``, ``distance`` (absolute score
        difference) and ``weight`` (``1/k_i`` for nearest-neighbour, the normalised kernel
        weight for kernel matching; each matched treated unit's weights sum to one).
    weights : pandas.Series
        Matching weight by unit: 1 for a matched treated unit, for a control the sum of
        its weights over the treated units it is matched to, 0 outside the matched sample.
    balance : pandas.DataFrame
        Covariate balance before and after (see :func:`psm_match`), last row the score.
    unmatched : tuple
        Treated units outside the matched sample (off support or without a match).
    off_support : tuple
        The treated units among them that are off the common support.
    options : mapping
        The matching options used.
    notes : tuple of str
    """

    pscore: pd.Series
    logit: pd.Series
    treated: pd.Series
    matches: pd.DataFrame
    weights: pd.Series
    balance: pd.DataFrame
    unmatched: tuple[Any, ...]
    off_support: tuple[Any, ...]
    options: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def n_treated(self) -> int:
        """Number of treated units matched."""
        return int(((self.weights > 0) & self.treated).sum())

    @property
    def n_controls(self) -> int:
        """Number of distinct controls with a positive weight."""
        return int(((self.weights > 0) & ~self.treated).sum())

    def summary(self) -> str:
        """What was matched, who was left out and the balance table."""
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        lines = [f"Propensity-score matching ({opts})",
                 f"treated {int(self.treated.sum())}: matched {self.n_treated}, off support "
                 f"{len(self.off_support)}, without a match "
                 f"{len(self.unmatched) - len(self.off_support)}; controls used "
                 f"{self.n_controls} of {int((~self.treated).sum())}"]
        if self.unmatched:
            lines.append("left out: " + ", ".join(map(str, self.unmatched)))
        lines += ["", self.balance.to_string(index=False, float_format=lambda v: f"{v:.3f}")]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _bool_treated(values: pd.Series, name: str) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce")
    bad = ~x.isin([0, 1])
    if bad.any():
        raise PanelError(f"treated column {name!r} must be 0/1 (or bool); units "
                         f"{values.index[bad][:10].tolist()} have {values[bad].head(10).tolist()}")
    return x.to_numpy(dtype=np.int64) == 1


def psm_match(units: pd.DataFrame, treated: str, *, covariates: Sequence[str],
              method: Method = "nearest", k: int = 1, caliper: float | None = None,
              replace: bool = True, bandwidth: float = 0.06,
              kernel: Kernel = "epanechnikov", common_support: bool = True,
              balance_sd: SdDenominator = "pooled", where: str = "psm_match") -> PSMatch:
    r"""Match treated to control units on a logit propensity score.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit, indexed by unit id (unique), with the ``treated`` column and the
        ``covariates``.
    treated : str
        The treatment column (0/1 or bool).
    covariates : sequence of str
        Regressors of the logit (an intercept is added). Every cell must be finite.
    method : {"nearest", "kernel"}
        Nearest-neighbour or kernel matching.
    k : int, default 1
        Controls per treated unit (nearest-neighbour).
    caliper : float, optional
        Largest absolute score difference of a nearest-neighbour match (on the score, not
        in standard deviations).
    replace : bool, default True
        Whether a control may be matched to several treated units (nearest-neighbour).
    bandwidth : float, default 0.06
        Kernel bandwidth ``h`` on the score (psmatch2's default).
    kernel : {"epanechnikov", "gaussian"}
    common_support : bool, default True
        Leave out treated units whose score is below the smallest or above the largest
        control score (psmatch2's ``common``); they are listed in ``off_support``.
    balance_sd : {"pooled", "treated"}
        Denominator of the standardised differences: the pooled SD
        :math:`\sqrt{(s_T^2+s_C^2)/2}` (Stata ``pstest``) or the treated SD (MatchIt).
    where : str
        How messages name the caller.

    Returns
    -------
    PSMatch

    Raises
    ------
    ArgumentError
        An unknown ``method`` / ``kernel`` / ``balance_sd`` (the accepted values are
        listed), ``k < 1``, ``caliper ≤ 0``, ``bandwidth ≤ 0``, a covariate not in
        ``units``.
    PanelError
        Missing or non-finite covariates (named by unit), repeated unit ids, a treatment
        column that is not 0/1, a logit that cannot be fitted (collinear covariates,
        perfect separation = no overlap), every treated unit off the common support, or
        no treated unit matched.

    Notes
    -----
    Score :math:`p_i = \Lambda(\alpha + x_i'\beta)` (logit ML). Nearest-neighbour: treated
    units are taken in descending order of the score (ties in data order), in ``k``
    rounds; in each round a treated unit takes the control nearest in score among those
    not yet matched to it (and, without replacement, not used by another treated unit)
    with :math:`|p_j - p_i| \le` caliper; equal distances go to the control with the lower
    score, equal scores to the one first in the data. The match weight is :math:`1/k_i`
    (:math:`k_i` the controls treated :math:`i` got). This reproduces R MatchIt's
    ``matchit(method="nearest", m.order="largest")`` (tests compare the pairs).
    Kernel (psmatch2): :math:`w_{ij} = K((p_j-p_i)/h)/\sum_{l\in C} K((p_l-p_i)/h)` with
    Epanechnikov :math:`K(u) = \tfrac34(1-u^2)1\{|u|<1\}` or the Gaussian density.
    A control's weight is :math:`\sum_i w_{ij}` (so the controls' weights sum to the
    number of matched treated units, as psmatch2's ``_weight``; MatchIt rescales them to
    sum to the number of controls used, which changes no balance statistic).

    References
    ----------
    Rosenbaum, P. R., & Rubin, D. B. (1983). The central role of the propensity score in
    observational studies for causal effects. Biometrika, 70(1), 41–55.
    Rosenbaum, P. R., & Rubin, D. B. (1985). Constructing a control group using
    multivariate matched sampling methods. The American Statistician, 39(1), 33–38.
    Heckman, J. J., Ichimura, H., & Todd, P. E. (1997). Matching as an econometric
    evaluation estimator. Review of Economic Studies, 64(4), 605–654.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"t": [1, 1, 0, 0, 0, 0], "x": [1.0, 2.5, 0.5, 1.2, 2.0, 3.0]},
    ...                  index=list("abcdef"))
    >>> m = psm_match(u, "t", covariates=["x"])
    >>> m.matches[["treated", "control"]].to_numpy().tolist()
    [['a', 'd'], ['b', 'e']]
    """
    check_options(method, k, caliper, replace, bandwidth, kernel)
    if balance_sd not in SD_DENOMINATORS:
        raise ArgumentError(f"balance_sd={balance_sd!r}; accepted: "
                            + " or ".join(map(repr, SD_DENOMINATORS)))
    if isinstance(covariates, str) or not covariates:
        raise ArgumentError(f"{where}: covariates must be a non-empty sequence of column "
                            f"names; got {covariates!r}")
    if not isinstance(units, pd.DataFrame):
        raise ArgumentTypeError(f"units must be a DataFrame; got {type(units).__name__}")
    covs = list(dict.fromkeys(covariates))
    absent = [c for c in [treated, *covs] if c not in units.columns]
    if absent:
        raise ArgumentError(f"{where}: {absent} not in the data; columns: "
                            f"{list(units.columns)[:30]}")
    if units.index.has_duplicates:
        raise PanelError(f"{where}: repeated unit ids "
                         f"{units.index[units.index.duplicated()][:10].tolist()}")
    X = units[covs].apply(pd.to_numeric, errors="coerce").astype(np.float64)
    bad = ~np.isfinite(X.to_numpy())
    if bad.any():
        r, c = np.nonzero(bad)
        cells = ", ".join(f"{units.index[i]} / {covs[j]}" for i, j in zip(r[:20], c[:20],
                                                                           strict=True))
        raise PanelError(f"{where}: {r.size} missing or non-finite covariate value(s) "
                         f"(unit / column): {cells}")
    t = _bool_treated(units[treated], treated)
    p, coefs = logit_pscore(X, t, where=where)
    ids = units.index.to_numpy()
    off = off_support_mask(p, t) if common_support else np.zeros(len(t), dtype=bool)
    eligible = t & ~off
    if not eligible.any():
        raise PanelError(f"{where}: all {int(t.sum())} treated units are off the common "
                         f"support [{p[~t].min():.4f}, {p[~t].max():.4f}] of the control "
                         "scores: no overlap to match on")
    if method == "nearest":
        matches = match_frame(nearest_match(p, t, eligible, k=int(k), caliper=caliper,
                                            replace=bool(replace)), p, ids, method="nearest")
    else:
        matches = match_frame(kernel_match(p, t, eligible, bandwidth=float(bandwidth),
                                           kernel=kernel), p, ids, method="kernel")
    w = unit_weights(matches, len(t))
    if not (w[t] > 0).any():
        raise PanelError(f"{where}: no treated unit found a control (caliper={caliper!r}, "
                         f"bandwidth={bandwidth!r}); widen it")
    left_out = t & (w == 0)
    notes = []
    if off.any():
        notes.append(f"{int(off.sum())} treated unit(s) off the common support [min, max] "
                     f"of the control scores [{p[~t].min():.4f}, {p[~t].max():.4f}]: "
                     + ", ".join(map(str, ids[off])))
    nomatch = left_out & ~off
    if nomatch.any():
        why = (f"no control within caliper {caliper}" if method == "nearest"
               else f"no control within bandwidth {bandwidth}")
        notes.append(f"{int(nomatch.sum())} treated unit(s) with {why}: "
                     + ", ".join(map(str, ids[nomatch])))
    if method == "nearest" and k > 1:
        got = matches.groupby("treated").size()
        short = got[got < k]
        if len(short):
            notes.append(f"{len(short)} treated unit(s) got fewer than k={k} controls: "
                         + ", ".join(f"{u} ({n})" for u, n in short.items()))
    bal_X = X.copy()
    bal_X["pscore"] = p
    opts: dict[str, Any] = {"method": method}
    if method == "nearest":
        opts.update(k=int(k), caliper=caliper, replace=bool(replace))
    else:
        opts.update(kernel=kernel, bandwidth=float(bandwidth))
    opts["common_support"] = bool(common_support)
    index = pd.Index(ids, name=units.index.name)
    return PSMatch(
        pscore=pd.Series(p, index=index, name="pscore"), logit=coefs,
        treated=pd.Series(t, index=index, name=treated),
        matches=matches[list(MATCH_COLUMNS)].reset_index(drop=True),
        weights=pd.Series(w, index=index, name="weight"),
        balance=balance_table(bal_X, t, w, sd=balance_sd),
        unmatched=tuple(ids[left_out].tolist()), off_support=tuple(ids[off].tolist()),
        options=opts, notes=tuple(notes))
