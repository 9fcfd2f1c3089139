"""Phillips–Sul (2007, 2009) club convergence: the log t test, the clustering algorithm
(last-period ordering, core group, sieve, recursion) and the club merging rules of Phillips
& Sul (2009) and von Lyncker & Thoennessen (2017).

The algorithm follows the R package ConvergenceClubs (Sichera & Pizzuto 2019,
``findClubs`` with ``cstar_method = "fixed"`` and ``mergeClubs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, format_choices
from cityres.dynamics._logt import (
    CRITICAL,
    LogTResult,
    analysed_frame,
    log_t,
    logt_fit,
    make_result,
    trim_start,
)

__all__ = ["ClubResult", "LogTResult", "clubs", "log_t"]

MergeMethod = Literal["ps", "vlt"]
CstarMethod = Literal["fixed", "incremental"]
CoreRule = Literal["max", "max_abs"]
_MERGE = ("ps", "vlt")
_CSTAR_METHODS = ("fixed", "incremental")
_CORE_RULES = ("max", "max_abs")
_CSTAR_STEP = 0.1
_CSTAR_CAP = 3.0


def _tstat(x: np.ndarray, rows: list[int], start: int) -> float:
    coef, se, _ = logt_fit(x[rows], start)
    return float(coef[1] / se[1])


def _core_group(x: np.ndarray, rows: list[int], start: int,
                by_abs: bool) -> list[int] | None:
    """Core group among ``rows`` (ordered by the last period, highest first): the first
    adjacent pair with t > −1.65, grown one unit at a time while t > −1.65; the size with
    the largest t (``by_abs``: largest |t|, as ConvergenceClubs) is kept. None when no
    pair qualifies."""
    n = len(rows)
    first = next((i for i in range(1, n)
                  if _tstat(x, [rows[i - 1], rows[i]], start) > CRITICAL), None)
    if first is None:
        return None
    best_rows = [rows[first - 1], rows[first]]
    best_t = _tstat(x, best_rows, start)
    best_t = abs(best_t) if by_abs else best_t
    group = list(best_rows)
    for k in range(first + 1, n):
        group.append(rows[k])
        t = _tstat(x, group, start)
        if t <= CRITICAL:
            break
        t = abs(t) if by_abs else t
        if t > best_t:
            best_t, best_rows = t, list(group)
    return best_rows


def _sieve(x: np.ndarray, core: list[int], rest: list[int], start: int, cstar: float,
           incremental: bool) -> tuple[list[int], float]:
    """Core + the units whose t with the core exceeds c*; with ``incremental`` c* rises by
    0.1 until the club passes the log t test, and above 3 the club is the core alone."""
    t_one = [_tstat(x, [*core, r], start) for r in rest]
    while True:
        club = [*core, *(r for r, t in zip(rest, t_one, strict=True) if t > cstar)]
        if not incremental or _tstat(x, club, start) > CRITICAL:
            return club, cstar
        if cstar > _CSTAR_CAP:
            return list(core), cstar
        cstar += _CSTAR_STEP


def _find(x: np.ndarray, order: list[int], start: int, cstar: float,
          incremental: bool, by_abs: bool) -> tuple[list[tuple[list[int], float]], list[int]]:
    """The clubs (row indices, c* used) and the divergent rows."""
    remaining = list(order)
    found: list[tuple[list[int], float]] = []
    while True:
        if len(remaining) <= 1:
            return found, remaining
        if _tstat(x, remaining, start) > CRITICAL:
            found.append((remaining, cstar))
            return found, []
        core = _core_group(x, remaining, start, by_abs)
        if core is None:
            return found, remaining
        rest = [r for r in remaining if r not in core]
        club, used = _sieve(x, core, rest, start, cstar, incremental)
        found.append((club, used))
        remaining = [r for r in remaining if r not in club]


def _merge(x: np.ndarray, found: list[list[int]], start: int,
           method: str) -> list[tuple[list[int], list[int]]]:
    """Merged clubs as (rows, numbers of the initial clubs, 1-based)."""
    out: list[tuple[list[int], list[int]]] = []
    n = len(found)
    i = 0
    while i < n:
        rows, members = list(found[i]), [i + 1]
        k = i + 1
        while k < n:
            t = _tstat(x, rows + found[k], start)
            if t <= CRITICAL:
                break
            if method == "vlt" and k < n - 1 and not t > _tstat(x, found[k] + found[k + 1],
                                                                   start):
                break
            rows, members = rows + found[k], [*members, k + 1]
            k += 1
        out.append((rows, members))
        i = k
    return out


@dataclass(frozen=True)
class ClubResult:
    """Convergence clubs of a panel.

    Attributes
    ----------
    membership : pandas.Series
        Unit → final club number (1 = highest last-period level) or ``"divergent"``
        (after merging when ``merge`` is set).
    initial_membership : pandas.Series
        The same before merging.
    table : pandas.DataFrame
        One row per club and stage (``initial``, ``merged``): ``stage``, ``club``, ``size``,
        ``beta``, ``se``, ``t``, ``converges``, ``merged_from`` (initial clubs joined),
        ``cstar`` (the c* the sieve used), ``members`` (units, comma separated), plus the
        divergent units (``club`` = ``"divergent"``, no test).
    full : LogTResult
        The log t test on all units.
    values : pandas.DataFrame
        The analysed units × periods matrix (log / HP trend as asked).
    trim, cstar : float
    cstar_method : str
    merge : str or None
        ``"ps"``, ``"vlt"`` or None (no merging).
    """

    membership: pd.Series
    initial_membership: pd.Series
    table: pd.DataFrame
    full: LogTResult
    values: pd.DataFrame
    trim: float
    cstar: float
    cstar_method: str
    merge: str | None

    @property
    def n_clubs(self) -> int:
        """Number of final clubs."""
        return int(pd.to_numeric(self.membership, errors="coerce").nunique())

    @property
    def divergent(self) -> list[str]:
        """Units in no club."""
        return [str(u) for u in self.membership.index[self.membership == "divergent"]]

    def transition_paths(self) -> pd.DataFrame:
        """Relative transition paths h_it = X_it / N⁻¹Σ_j X_jt (units × periods)."""
        return self.values / self.values.mean(axis=0)

    def tidy(self) -> pd.DataFrame:
        """The clubs table (both stages)."""
        return self.table.copy()

    def summary(self) -> str:
        """A short text report."""
        stage = "merged" if self.merge else "initial"
        tab = self.table[self.table["stage"] == stage]
        lines = [self.full.summary(),
                 f"Clubs ({stage}; c* = {self.cstar:g} {self.cstar_method}"
                 f"{', merging ' + self.merge.upper() if self.merge else ''}):"]
        for row in tab.itertuples():
            if row.club == "divergent":
                lines.append(f"  divergent  n = {row.size}")
            else:
                flag = "" if row.converges else "  (fails t > -1.65)"
                lines.append(f"  club {row.club:<3} n = {row.size:<4} b = {row.beta:8.4f}  "
                             f"se = {row.se:.4f}  t = {row.t:8.3f}{flag}")
        return "\n".join(lines)


def _rows_table(x: np.ndarray, units: pd.Index, groups: list[tuple[list[int], list[int]]],
                divergent: list[int], start: int, stage: str,
                cstars: list[float]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for number, (members, joined) in enumerate(groups, start=1):
        used = {cstars[j - 1] for j in joined}
        coef, se, _ = logt_fit(x[members], start)
        rows.append({"stage": stage, "club": number, "size": len(members),
                     "beta": float(coef[1]), "se": float(se[1]),
                     "t": float(coef[1] / se[1]),
                     "converges": bool(coef[1] / se[1] > CRITICAL),
                     "merged_from": "+".join(str(j) for j in joined),
                     "cstar": used.pop() if len(used) == 1 else np.nan,
                     "members": ", ".join(str(units[m]) for m in members)})
    if divergent:
        rows.append({"stage": stage, "club": "divergent", "size": len(divergent),
                     "beta": np.nan, "se": np.nan, "t": np.nan, "converges": False,
                     "merged_from": "", "cstar": np.nan,
                     "members": ", ".join(str(units[m]) for m in divergent)})
    return rows


def _labels(units: pd.Index, groups: list[list[int]]) -> pd.Series:
    """Unit → club number (1-based), "divergent" for units in no club."""
    lab: list[object] = ["divergent"] * len(units)
    for number, members in enumerate(groups, start=1):
        for m in members:
            lab[m] = number
    return pd.Series(lab, index=units, name="club", dtype=object)


def clubs(data: object, column: str, *, trim: float = 1 / 3, log: bool = True,
          hp: bool = False, lamb: float = 400.0, cstar: float = 0.0,
          cstar_method: CstarMethod = "fixed", core_rule: CoreRule = "max",
          merge: bool | MergeMethod = True, entity: str | None = None,
          time: str | None = None) -> ClubResult:
    """Phillips–Sul convergence clubs.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        Balanced panel indexed by (city, year).
    column : str
        The indicator.
    trim, log, hp, lamb
        As in :func:`log_t`.
    cstar : float, default 0
        Sieve critical value c*: a unit joins the core group when the log t statistic of
        core + unit exceeds c*.
    cstar_method : {"fixed", "incremental"}, default "fixed"
        ``"incremental"`` raises c* by 0.1 until the club passes the log t test (t > −1.65);
        past c* = 3 the club is the core group alone (ConvergenceClubs' ``cstar_method``,
        increment 0.1, cap 3). With ``"fixed"`` a club may fail its own test (its row in
        ``table`` says so).
    core_rule : {"max", "max_abs"}, default "max"
        The core group size maximises t_k (Phillips & Sul 2007, step 2); ``"max_abs"``
        maximises |t_k| as ConvergenceClubs 2.2.5 does (``coreG``). They differ only when a
        candidate core has −1.65 < t_k < 0 with |t_k| above every positive t_k.
    merge : bool or {"ps", "vlt"}, default True
        Merge adjacent clubs: ``True``/``"ps"`` by Phillips & Sul (2009), ``"vlt"`` by von
        Lyncker & Thoennessen (2017), ``False`` not at all.
    entity, time : str, optional
        Unit and period columns of a DataFrame not indexed by them.

    Returns
    -------
    ClubResult

    Raises
    ------
    ArgumentError
        Bad ``trim``, ``cstar``, ``cstar_method`` or ``merge``; too few periods after
        trimming (naming trim and T).
    PanelError
        Data problems (naming city and year), as in :func:`log_t`.

    Notes
    -----
    1. Order units by their last-period value, highest first.
    2. Core group: the first adjacent pair (k, k+1) with t > −1.65, grown one unit at a time
       while t > −1.65; the size with the largest t_k (or |t_k|) is the core (none: all
       divergent).
    3. Sieve: each other unit joins when t(core + unit) > c* (incremental: raise c* until
       the club passes).
    4. Repeat on the units left; a rest whose log t passes forms the last club; a single
       unit left, or no core group, is divergent.
    5. Merging (PS 2009): test clubs 1 + 2; while t > −1.65 add the next club; when it
       fails start again from that club. vLT (2017): additionally, club k joins only if
       t(merged + k) > t(k + (k+1)).

    References
    ----------
    Phillips, P. C. B., & Sul, D. (2007). Econometrica, 75(6), 1771–1855.
    Phillips, P. C. B., & Sul, D. (2009). Economic transition and growth. Journal of
    Applied Econometrics, 24(7), 1153–1185.
    von Lyncker, K., & Thoennessen, R. (2017). Regional club convergence in the EU.
    Empirical Economics, 52(2), 525–553.
    Sichera, R., & Pizzuto, P. (2019). The R Journal, 11(2).

    Examples
    --------
    >>> import cityres
    >>> res = clubs(cityres.datasets.load("yrd_sim"), "gdp_pc")
    >>> int(res.table["size"].sum() >= 41)
    1
    """
    where = "cityres.dynamics.clubs"
    if isinstance(cstar, bool) or not isinstance(cstar, (int, float)) or not np.isfinite(cstar):
        raise ArgumentError(f"{where}: cstar must be a finite number (0 in PS 2009); got "
                            f"{cstar!r}")
    if cstar_method not in _CSTAR_METHODS:
        raise ArgumentError(f"{where}: cstar_method must be {format_choices(_CSTAR_METHODS)}; "
                            f"got {cstar_method!r}")
    if core_rule not in _CORE_RULES:
        raise ArgumentError(f"{where}: core_rule must be {format_choices(_CORE_RULES)}; "
                            f"got {core_rule!r}")
    if merge is True:
        method: str | None = "ps"
    elif merge is False:
        method = None
    elif isinstance(merge, str) and merge.lower() in _MERGE:
        method = merge.lower()
    else:
        raise ArgumentError(f"{where}: merge must be True, False or "
                            f"{format_choices(_MERGE)}; got {merge!r}")
    values = analysed_frame(data, column, log=log, hp=hp, lamb=lamb, entity=entity,
                            time=time, where=where)
    start = trim_start(values.shape[1], trim, where=where)
    x = values.to_numpy()
    periods = values.columns.to_numpy(dtype=np.int64)
    full = make_result(x, periods, trim, start)
    order = [int(i) for i in np.argsort(-x[:, -1], kind="stable")]
    found_c, divergent = _find(x, order, start, float(cstar), cstar_method == "incremental",
                              core_rule == "max_abs")
    found = [rows for rows, _ in found_c]
    cstars = [c for _, c in found_c]
    units = values.index
    initial = [(rows, [i]) for i, rows in enumerate(found, start=1)]
    table_rows = _rows_table(x, units, initial, divergent, start, "initial", cstars)
    initial_lab = _labels(units, found)
    final_lab = initial_lab
    if method is not None:
        merged = _merge(x, found, start, method)
        table_rows += _rows_table(x, units, merged, divergent, start, "merged",
                                  cstars)
        final_lab = _labels(units, [m for m, _ in merged])
    table = pd.DataFrame(table_rows)
    table["club"] = table["club"].astype(object)
    return ClubResult(membership=final_lab, initial_membership=initial_lab, table=table,
                      full=full, values=values, trim=float(trim), cstar=float(cstar),
                      cstar_method=cstar_method, merge=method)
