"""The Goodman-Bacon (2021) decomposition of the two-way fixed-effects DID coefficient.

In a balanced panel with staggered, absorbing adoption and no covariates, the TWFE
coefficient on the treatment dummy is a weighted average of every 2×2 DID that compares
two timing groups over a window in which one changes treatment status and the other does
not. :func:`bacon` lists those comparisons with their estimates and weights (which sum to
one) and recomputes the TWFE coefficient independently, so the identity can be checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError
from cityres.econometrics.did._data import AlwaysTreated, did_frame

__all__ = ["BACON_TYPES", "BaconResult", "bacon"]

#: The comparison types, in display order.
BACON_TYPES: tuple[str, ...] = (
    "treated vs never treated",
    "earlier vs later treated",
    "later vs earlier treated",
    "treated vs always treated",
)
_COLUMNS = ("type", "treated", "control", "estimate", "weight", "window_start",
            "window_end", "n_treated", "n_control")


@dataclass(frozen=True)
class BaconResult:
    """The 2×2 comparisons behind a TWFE DID coefficient.

    Attributes
    ----------
    comparisons : pandas.DataFrame
        One row per 2×2 comparison: ``type`` (one of :data:`BACON_TYPES`), ``treated`` and
        ``control`` (the groups' first treated period; ``0`` = never treated, the first
        panel period = always treated), ``estimate`` (the 2×2 DID), ``weight``,
        ``window_start`` / ``window_end`` (the periods compared) and ``n_treated`` /
        ``n_control`` (units in each group).
    twfe : float
        The TWFE coefficient, computed independently by the within regression.
    variance_d : float
        :math:`\\hat V^D`, the variance of the two-way demeaned treatment dummy.
    y, cohort, entity, time : str
        Column names.
    nobs, n_units, n_periods, n_never, n_always : int
    notes : tuple of str
        Changes made to the data on the way in (from :func:`did_frame`).
    dropped : tuple of str
        Always-treated units removed (``always_treated="drop"``).
    """

    comparisons: pd.DataFrame
    twfe: float
    variance_d: float
    y: str
    cohort: str
    entity: str
    time: str
    nobs: int
    n_units: int
    n_periods: int
    n_never: int
    n_always: int
    notes: tuple[str, ...] = ()
    dropped: tuple[str, ...] = field(default=())

    @property
    def weighted_sum(self) -> float:
        """:math:`\\sum_j s_j \\hat\\beta_j`, equal to :attr:`twfe` (Theorem 1)."""
        c = self.comparisons
        return float((c["weight"] * c["estimate"]).sum())

    def by_type(self) -> pd.DataFrame:
        """Per comparison type: ``n`` (comparisons), ``weight`` (their total weight),
        ``estimate`` (their weight-averaged 2×2 estimate) and ``contribution``
        (weight × estimate; the contributions add up to the TWFE coefficient)."""
        c = self.comparisons
        rows = []
        for t in BACON_TYPES:
            part = c[c["type"] == t]
            if part.empty:
                continue
            w = float(part["weight"].sum())
            contrib = float((part["weight"] * part["estimate"]).sum())
            rows.append({"type": t, "n": len(part), "weight": w,
                         "estimate": contrib / w if w > 0 else float("nan"),
                         "contribution": contrib})
        return pd.DataFrame(rows, columns=["type", "n", "weight", "estimate", "contribution"])

    def tidy(self) -> pd.DataFrame:
        """The comparisons (a copy), largest weight first."""
        return (self.comparisons.sort_values("weight", ascending=False, kind="stable")
                .reset_index(drop=True))

    def summary(self) -> str:
        """A text report: the data, the decomposition by type and the identity check."""
        lines = [f"Goodman-Bacon decomposition of the TWFE DID of {self.y} (cohort "
                 f"{self.cohort!r})",
                 f"N = {self.nobs}, units = {self.n_units} ({self.n_never} never treated, "
                 f"{self.n_always} always treated), periods = {self.n_periods}, "
                 f"2×2 comparisons = {len(self.comparisons)}", ""]
        lines.append(self.by_type().to_string(index=False, float_format=lambda v: f"{v:.6f}"))
        lines += ["", f"TWFE coefficient (within regression) = {self.twfe:.8f}",
                  f"weighted sum of the 2×2 estimates    = {self.weighted_sum:.8f}"]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def bacon(
    data: object,
    y: str,
    *,
    cohort: str,
    entity: str | None = None,
    time: str | None = None,
    covariates: Sequence[str] = (),
    always_treated: AlwaysTreated = "keep",
) -> BaconResult:
    r"""Goodman-Bacon decomposition of the TWFE DID coefficient into its 2×2 comparisons.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A balanced panel, or a long frame with ``entity`` and ``time`` columns.
    y : str
        The outcome.
    cohort : str
        Adoption-period column (first treated period; 0 or missing = never treated). The
        treatment dummy decomposed is ``D_it = 1[cohort_i > 0 and t >= cohort_i]``.
    entity, time : str, optional
        Unit and period columns of a DataFrame (None for a CityPanel).
    covariates : sequence of str
        Not supported: must be empty. With time-varying covariates the decomposition has
        an extra within-group term and the 2×2 terms change (Goodman-Bacon 2021, sec. 5);
        it is not implemented.
    always_treated : {"keep", "drop", "error"}, default "keep"
        Units treated from the first period on. ``"keep"`` (as Stata's and R's
        ``bacondecomp``) keeps them in the regression; they serve as controls in
        "treated vs always treated" comparisons, labelled with the first period.
        ``"drop"`` removes them (listed in ``dropped``), ``"error"`` raises.

    Returns
    -------
    BaconResult

    Raises
    ------
    ArgumentError
        Covariates given; a column not in the data.
    PanelError
        An unbalanced panel (the missing unit-periods are named), cohorts that vary within
        a unit, missing outcomes, no treated unit, or a treatment dummy with no variation
        left after unit and period effects (e.g. one adoption period and no untreated
        units).

    Notes
    -----
    Timing groups are units with the same first treated period; :math:`n_g` is a group's
    share of units and :math:`\bar D_g` the share of periods it is treated. The 2×2
    comparisons are, for groups :math:`k` (earlier) and :math:`l` (later) and the never
    treated :math:`U`:

    - treated vs never treated: :math:`k` against :math:`U` over all periods;
    - earlier vs later treated: :math:`k` against :math:`l` before :math:`l` is treated;
    - later vs earlier treated: :math:`l` against the already treated :math:`k` from
      :math:`k`'s adoption on;
    - treated vs always treated: :math:`l` against the always treated over all periods.

    Each 2×2 estimate is
    :math:`(\bar y_T^{post}-\bar y_T^{pre})-(\bar y_C^{post}-\bar y_C^{pre})` over its
    window, and each weight is the comparison's sample share squared times the variance of
    its treatment dummy, over :math:`\hat V^D` (Theorem 1, eqs. 10e–g):

    .. math:: s = \frac{[(n_T+n_C)\,w]^2\, q(1-q)\, p(1-p)}{\hat V^D}

    with :math:`w` the window's share of the periods, :math:`q = n_T/(n_T+n_C)` and
    :math:`p` the treated share of the window (:math:`\bar D_k`, :math:`(\bar D_k-\bar
    D_l)/(1-\bar D_l)` and :math:`\bar D_l/\bar D_k` for the three types).
    :math:`\hat V^D = \frac1{NT}\sum_{it}\tilde D_{it}^2` with :math:`\tilde D` the
    two-way demeaned dummy, so the weights sum to one and
    :math:`\sum_j s_j\hat\beta_j = \hat\beta^{DD}` exactly. :attr:`BaconResult.twfe` is
    :math:`\sum\tilde D\tilde y/\sum\tilde D^2` (balanced panel: one-sweep demeaning is
    exact). Groups are defined by the first treated period observed, so cohorts that fall
    between two observed periods are merged with the next one.

    References
    ----------
    Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment
    timing. Journal of Econometrics, 225(2), 254–277.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> res = bacon(p, "de_latent", cohort="cohort_broadband")
    >>> round(float(res.comparisons["weight"].sum()), 10)
    1.0
    >>> abs(res.weighted_sum - res.twfe) < 1e-10
    True
    """
    if isinstance(covariates, str) or len(tuple(covariates)) > 0:
        raise ArgumentError(
            f"bacon: covariates={covariates!r}; the decomposition is implemented without "
            "covariates only (with time-varying covariates a within-group term enters and "
            "the 2×2 terms change, Goodman-Bacon 2021 sec. 5); pass covariates=()")
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, where="bacon",
                  balanced=True, always_treated=always_treated)
    periods = d.periods
    T = len(periods)
    N = len(d.frame) // T
    Y = d.frame[y].to_numpy(dtype=np.float64).reshape(N, T)
    g = d.frame[d.cohort].to_numpy().reshape(N, T)[:, 0]
    # s = index of the first treated period (T = never treated, 0 = always treated)
    start = np.where(g > 0, np.searchsorted(periods, g, side="left"), T)
    D = (np.arange(T)[None, :] >= start[:, None]).astype(np.float64)
    Dt, Yt = _two_way(D), _two_way(Y)
    ssd = float((Dt * Dt).sum())
    if ssd <= 1e-12 * N * T:
        raise PanelError(
            f"bacon: the treatment dummy from {cohort!r} has no variation left after unit "
            f"and period effects (timing groups: {_groups_text(start, periods)}); the TWFE "
            "coefficient is not identified")
    twfe = float((Dt * Yt).sum() / ssd)
    vd = ssd / (N * T)

    levels = np.unique(start)
    size = {int(s): int((start == s).sum()) for s in levels}
    mean = {int(s): Y[start == s].mean(axis=0) for s in levels}

    def label(s: int) -> int:
        return 0 if s == T else int(periods[s])

    rows: list[dict[str, object]] = []

    def add(kind: str, tr: int, co: int, lo: int, split: int, hi: int) -> None:
        yt, yc = mean[tr], mean[co]
        est = ((yt[split:hi].mean() - yt[lo:split].mean())
               - (yc[split:hi].mean() - yc[lo:split].mean()))
        n_sub = (size[tr] + size[co]) / N
        q = size[tr] / (size[tr] + size[co])
        w = (hi - lo) / T
        p = (hi - split) / (hi - lo)
        weight = (n_sub * w) ** 2 * q * (1 - q) * p * (1 - p) / vd
        rows.append({"type": kind, "treated": label(tr), "control": label(co),
                     "estimate": float(est), "weight": float(weight),
                     "window_start": int(periods[lo]), "window_end": int(periods[hi - 1]),
                     "n_treated": size[tr], "n_control": size[co]})

    timing = [int(s) for s in levels if 0 < s < T]
    if T in size:
        for k in timing:
            add(BACON_TYPES[0], k, T, 0, k, T)
    for i, k in enumerate(timing):
        for j in timing[i + 1:]:
            add(BACON_TYPES[1], k, j, 0, k, j)
            add(BACON_TYPES[2], j, k, k, j, T)
    if 0 in size:
        for j in timing:
            add(BACON_TYPES[3], j, 0, 0, j, T)
    comparisons = pd.DataFrame(rows, columns=list(_COLUMNS))
    return BaconResult(
        comparisons=comparisons, twfe=twfe, variance_d=vd, y=y, cohort=d.cohort,
        entity=d.entity, time=d.time, nobs=N * T, n_units=N, n_periods=T,
        n_never=size.get(T, 0), n_always=size.get(0, 0), notes=d.notes, dropped=d.dropped)


def _two_way(x: np.ndarray) -> np.ndarray:
    """``x_it − x̄_i − x̄_t + x̄`` of a balanced N × T array (exact two-way demeaning)."""
    return x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()


def _groups_text(start: np.ndarray, periods: np.ndarray) -> str:
    T = len(periods)
    parts = []
    for s in np.unique(start):
        name = ("never treated" if s == T else "always treated" if s == 0
                else f"first treated {periods[s]}")
        parts.append(f"{name}: {int((start == s).sum())} unit(s)")
    return "; ".join(parts)
