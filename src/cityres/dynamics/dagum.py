"""Dagum's (1997) decomposition of the Gini coefficient by groups (regions, provinces):
within-group inequality G_w, net between-group inequality G_nb and transvariation G_t,
G = G_w + G_nb + G_t, with each group's and each pair's Gini, year by year.

The sums of absolute differences are computed exactly from sorted values and cumulative
sums (O(n log n)), not by forming the n × n matrix of differences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError
from cityres.dynamics._data import city_groups, wide_frame

__all__ = ["DagumDecomposition", "DagumResult", "dagum", "dagum_gini", "select_periods"]

_WHERE = "cityres.dynamics.dagum"
_OVERALL = ["G", "Gw", "Gnb", "Gt", "Gw_pct", "Gnb_pct", "Gt_pct"]


@dataclass(frozen=True)
class DagumDecomposition:
    """Dagum's decomposition of one cross-section.

    Attributes
    ----------
    G, Gw, Gnb, Gt : float
        Overall Gini, within-group, net between-group and transvariation parts
        (G = Gw + Gnb + Gt).
    within : pandas.Series
        G_jj of every group (index: group).
    between : pandas.Series
        G_jh of every pair (index: "j–h" with the groups in sorted label order).
    transvariation : pandas.Series
        D_jh of every pair (same index), the relative economic affluence of the
        higher-mean group of the pair over the other, in [0, 1].
    groups : pandas.DataFrame
        Per group: ``n``, ``mean``, ``p`` (population share n_j / n) and ``s`` (share of
        the total, n_j μ_j / (n μ)).
    """

    G: float
    Gw: float
    Gnb: float
    Gt: float
    within: pd.Series
    between: pd.Series
    transvariation: pd.Series
    groups: pd.DataFrame


def _within_sum(sorted_y: np.ndarray) -> float:
    """Σ_i Σ_r |y_i − y_r| over ordered pairs, from sorted values: 2 Σ (2i − n − 1) y_(i)."""
    n = sorted_y.size
    return float(2.0 * np.dot(2.0 * np.arange(1, n + 1) - n - 1, sorted_y))


def _cross_sums(a: np.ndarray, sorted_b: np.ndarray) -> tuple[float, float]:
    """(Σ_i Σ_r (a_i − b_r)⁺, Σ_i Σ_r (b_r − a_i)⁺) from b sorted and its cumulative sums."""
    csum = np.concatenate([[0.0], np.cumsum(sorted_b)])
    below = np.searchsorted(sorted_b, a, side="left")  # b_r < a_i
    pos = float(np.sum(a * below - csum[below]))
    neg = float(np.sum((csum[-1] - csum[below]) - a * (sorted_b.size - below)))
    return pos, neg


def dagum_gini(y: np.ndarray | Sequence[float], groups: np.ndarray | Sequence[object],
               *, where: str = "cityres.dynamics.dagum_gini") -> DagumDecomposition:
    """Dagum's Gini decomposition of one cross-section (the array-level entry point).

    Parameters
    ----------
    y : array of float, shape (n,)
        Positive values.
    groups : array, shape (n,)
        The group of every value (any labels; shown with ``str``). One group is accepted
        (then G = Gw and Gnb = Gt = 0); every group needs at least two members.
    where : str
        How messages name the caller.

    Returns
    -------
    DagumDecomposition

    Raises
    ------
    ArgumentError
        ``y`` and ``groups`` of different lengths, or not one-dimensional.
    PanelError
        Non-finite or non-positive values; a group with a single member (named).

    Notes
    -----
    See :func:`dagum` for the formulas.

    Examples
    --------
    >>> d = dagum_gini([1.0, 2.0, 3.0, 4.0], ["a", "a", "b", "b"])
    >>> round(d.G, 6), round(d.Gw + d.Gnb + d.Gt, 6)
    (0.25, 0.25)
    """
    arr = np.asarray(y, dtype=np.float64)
    lab = np.asarray([str(g) for g in np.asarray(groups, dtype=object).ravel()], dtype=object)
    if arr.ndim != 1 or lab.size != arr.size:
        raise ArgumentError(f"{where}: y must be one-dimensional and groups as long as y; got "
                            f"y of shape {arr.shape} and {lab.size} group label(s)")
    if not np.isfinite(arr).all() or (arr <= 0).any():
        bad = [f"#{i} ({v:g})" for i, v in enumerate(arr) if not (np.isfinite(v) and v > 0)]
        raise PanelError(f"{where}: every value must be finite and > 0; not: {bad[:20]}")
    names = sorted(set(lab.tolist()))
    parts = {g: np.sort(arr[lab == g]) for g in names}
    single = [g for g, v in parts.items() if v.size < 2]
    if single:
        raise PanelError(f"{where}: group(s) {single} have a single member; a within-group "
                         "Gini needs at least two (merge the group or drop its units first)")
    n, mu = arr.size, float(arr.mean())
    total = float(arr.sum())
    gsum = _within_sum(np.sort(arr))
    G = gsum / (2.0 * n * n * mu)
    size = {g: int(parts[g].size) for g in names}
    mean = {g: float(parts[g].mean()) for g in names}
    pop = {g: size[g] / n for g in names}
    share = {g: size[g] * mean[g] / total for g in names}
    gjj = {g: _within_sum(parts[g]) / (2.0 * size[g] ** 2 * mean[g]) for g in names}
    Gw = sum(gjj[g] * pop[g] * share[g] for g in names)
    pairs, gjh, djh = [], [], []
    Gnb = Gt = 0.0
    for a, b in combinations(names, 2):
        # j = the group with the higher mean, h = the other (Dagum orders groups by mean)
        j, h = (a, b) if mean[a] >= mean[b] else (b, a)
        pos, neg = _cross_sums(parts[j], parts[h])
        nn = size[j] * size[h]
        d1, p1 = pos / nn, neg / nn  # first moments of transvariation d_jh, p_jh
        g = (d1 + p1) / (mean[j] + mean[h])
        D = (d1 - p1) / (d1 + p1) if d1 + p1 > 0 else 0.0
        w = pop[j] * share[h] + pop[h] * share[j]
        Gnb += g * w * D
        Gt += g * w * (1.0 - D)
        pairs.append(f"{a}–{b}")
        gjh.append(g)
        djh.append(D)
    gidx = pd.Index(names, name="group", dtype=object)
    info = pd.DataFrame({"n": [size[g] for g in names], "mean": [mean[g] for g in names],
                         "p": [pop[g] for g in names], "s": [share[g] for g in names]},
                        index=gidx)
    within = pd.Series([gjj[g] for g in names], index=gidx, dtype=np.float64)
    idx = pd.Index(pairs, name="pair", dtype=object)
    return DagumDecomposition(
        G=G, Gw=Gw, Gnb=Gnb, Gt=Gt, within=within,
        between=pd.Series(gjh, index=idx, dtype=np.float64),
        transvariation=pd.Series(djh, index=idx, dtype=np.float64), groups=info)


@dataclass(frozen=True)
class DagumResult:
    """Dagum's Gini decomposition by period.

    Attributes
    ----------
    overall : pandas.DataFrame
        Index = period; columns ``G``, ``Gw``, ``Gnb``, ``Gt`` and the contributions in %
        ``Gw_pct``, ``Gnb_pct``, ``Gt_pct`` (100 · part / G).
    within : pandas.DataFrame
        Each group's within-group Gini G_jj (columns = groups) by period.
    between : pandas.DataFrame
        Each pair's between-group Gini G_jh (columns = "j–h") by period.
    transvariation : pandas.DataFrame
        Each pair's D_jh by period.
    groups : pandas.DataFrame
        Long: period, group, ``n``, ``mean``, ``p``, ``s``.
    membership : pandas.Series
        Unit → group.
    column, entity, time : str
        The indicator, and the names of the unit and period.
    """

    overall: pd.DataFrame
    within: pd.DataFrame
    between: pd.DataFrame
    transvariation: pd.DataFrame
    groups: pd.DataFrame
    membership: pd.Series
    column: str
    entity: str
    time: str

    @property
    def frame(self) -> pd.DataFrame:
        """The by-period table (``overall``)."""
        return self.overall

    def tidy(self) -> pd.DataFrame:
        """``overall`` with the period as a column."""
        return self.overall.reset_index()

    def summary(self) -> str:
        """The by-period decomposition, group Ginis and pair Ginis as text."""
        lines = [f"Dagum Gini decomposition of {self.column!r} by "
                 f"{self.groups['group'].nunique()} groups "
                 f"({', '.join(self.within.columns)}), {len(self.membership)} units",
                 self.overall.to_string(float_format=lambda v: f"{v:.4f}"),
                 "", "Within-group Gini G_jj",
                 self.within.to_string(float_format=lambda v: f"{v:.4f}")]
        if self.between.shape[1]:
            lines += ["", "Between-group Gini G_jh",
                      self.between.to_string(float_format=lambda v: f"{v:.4f}")]
        return "\n".join(lines)


def select_periods(periods: np.ndarray, time: int | Sequence[int] | None,
                   where: str) -> list[int]:
    """The periods asked for by ``time`` (None = all), checked against those present."""
    have = [int(t) for t in periods]
    if time is None:
        return have
    if isinstance(time, (bool, np.bool_)):
        raise ArgumentError(f"{where}: time={time!r}; accepted: None, a year or a list of years")
    asked = [time] if isinstance(time, (int, np.integer)) else list(time)
    if not asked or not all(isinstance(t, (int, np.integer)) and not isinstance(t, bool)
                            for t in asked):
        raise ArgumentError(f"{where}: time={time!r}; accepted: None (every year), a year "
                            f"or a non-empty list of years among {have}")
    unknown = [int(t) for t in asked if int(t) not in have]
    if unknown:
        raise ArgumentError(f"{where}: time: year(s) {unknown} are not in the data; years: "
                            f"{have}")
    return sorted({int(t) for t in asked})


def dagum(data: object, column: str, *, group: str | Mapping[str, str] | pd.Series,
          time: int | Sequence[int] | None = None, entity: str | None = None,
          time_col: str | None = None) -> DagumResult:
    r"""Dagum's (1997) decomposition of the Gini coefficient by groups, by year.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long DataFrame indexed by (unit, period) or with ``entity`` and
        ``time_col`` columns.
    column : str
        The indicator (every value > 0).
    group : str, mapping or pandas.Series
        A column of the panel's city table (``"region"``, ``"province"``), a
        time-invariant data column, or a mapping unit → group. At least two groups, each
        with at least two units.
    time : int or sequence of int, optional
        The years to decompose; None for every year.
    entity, time_col : str, optional
        Unit and period columns of a DataFrame without a (unit, period) index.

    Returns
    -------
    DagumResult

    Raises
    ------
    ArgumentError
        ``column`` or ``group`` not in the data; ``time`` names years not in the data.
    PanelError
        Non-positive, missing or infinite values, an unbalanced panel (each naming the
        unit, year and column); fewer than two groups; a group with a single unit (named).

    Notes
    -----
    With n units, mean μ, k groups of n_j units with mean μ_j (p_j = n_j / n,
    s_j = n_j μ_j / (n μ)):

    .. math::

        G = \frac{\sum_i \sum_r |y_i - y_r|}{2 n^2 \mu}, \quad
        G_{jj} = \frac{\sum_i \sum_r |y_{ji} - y_{jr}|}{2 n_j^2 \mu_j}, \quad
        G_{jh} = \frac{\sum_i \sum_r |y_{ji} - y_{hr}|}{n_j n_h (\mu_j + \mu_h)}

        G_w = \sum_j G_{jj} p_j s_j, \quad
        G_{nb} = \sum_{j<h} G_{jh} (p_j s_h + p_h s_j) D_{jh}, \quad
        G_t = \sum_{j<h} G_{jh} (p_j s_h + p_h s_j) (1 - D_{jh})

    with D_jh = (d_jh − p_jh) / (d_jh + p_jh), where, j being the pair's group with the
    higher mean, d_jh = E[(y_j − y_h)⁺] and p_jh = E[(y_h − y_j)⁺] are the first moments of
    transvariation over all n_j n_h cross-group pairs. G = G_w + G_nb + G_t exactly.
    Contributions are 100 · part / G. Sums of absolute differences come from sorted
    values and cumulative sums (O(n log n)).

    References
    ----------
    Dagum, C. (1997). A new approach to the decomposition of the Gini income inequality
    ratio. Empirical Economics, 22(4), 515–531.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> res = dagum(p, "de_latent", group="region", time=[2011, 2023])
    >>> list(res.overall.columns)
    ['G', 'Gw', 'Gnb', 'Gt', 'Gw_pct', 'Gnb_pct', 'Gt_pct']
    """
    wide = wide_frame(data, column, entity=entity, time=time_col, positive=True, where=_WHERE)
    member = city_groups(data, group, wide.units, where=_WHERE)
    names = sorted(member.unique().tolist())
    if len(names) < 2:
        raise PanelError(f"{_WHERE}: group={group!r} puts every unit in one group "
                         f"({names}); the decomposition needs at least two groups")
    counts = member.value_counts()
    single = {g: member.index[member == g].tolist() for g in counts.index[counts < 2]}
    if single:
        raise PanelError(f"{_WHERE}: group(s) with a single {wide.entity}: "
                         + ", ".join(f"{g!r} ({u})" for g, u in single.items())
                         + "; a within-group Gini needs at least two (merge the group or "
                         "drop its units first)")
    years = select_periods(wide.periods, time, _WHERE)
    labels = member.to_numpy()
    rows, wrows, brows, drows, info = [], [], [], [], []
    for t in years:
        d = dagum_gini(wide.values[t].to_numpy(dtype=np.float64), labels, where=_WHERE)
        scale = 100.0 / d.G if d.G > 0 else np.nan  # all values equal: no shares
        rows.append([d.G, d.Gw, d.Gnb, d.Gt, d.Gw * scale, d.Gnb * scale, d.Gt * scale])
        wrows.append(d.within)
        brows.append(d.between)
        drows.append(d.transvariation)
        info.append(d.groups.reset_index().assign(**{wide.time: t}))
    idx = pd.Index(years, name=wide.time, dtype=np.int64)

    def stack(series: list[pd.Series], name: str) -> pd.DataFrame:
        out = pd.DataFrame(series, index=idx)
        out.columns.name = name
        return out

    groups = pd.concat(info, ignore_index=True)
    groups = groups[[wide.time, "group", "n", "mean", "p", "s"]]
    return DagumResult(
        overall=pd.DataFrame(rows, index=idx, columns=_OVERALL),
        within=stack(wrows, "group"), between=stack(brows, "pair"),
        transvariation=stack(drows, "pair"), groups=groups, membership=member,
        column=column, entity=wide.entity, time=wide.time)
