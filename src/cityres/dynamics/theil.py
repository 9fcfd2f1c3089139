"""Theil's T and L (mean log deviation) indices by year, with their exact between- /
within-group decomposition. Theil T and its decomposition come from the PySAL
``inequality`` package (:class:`inequality.theil.Theil`, :class:`inequality.theil.TheilD`);
``inequality`` has no Theil L, which is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from inequality.theil import Theil, TheilD

from cityres._shared.errors import PanelError
from cityres.dynamics._data import city_groups, wide_frame
from cityres.dynamics.dagum import select_periods

__all__ = ["TheilResult", "theil"]

_WHERE = "cityres.dynamics.theil"


@dataclass(frozen=True)
class TheilResult:
    """Theil T and L by period, decomposed between and within groups when grouped.

    Attributes
    ----------
    overall : pandas.DataFrame
        Index = period. Columns ``T`` and ``L``; with groups also ``T_between``,
        ``T_within``, ``T_between_pct``, ``T_within_pct`` and the same for ``L``
        (shares in % of the total).
    groups : pandas.DataFrame or None
        Long (None without groups): period, group, ``n``, ``mean``, ``p`` (n_j / n),
        ``s`` (share of the total), the group's own ``T`` and ``L``, and its
        contributions to the within parts, ``T_within`` = s_j T_j and
        ``L_within`` = p_j L_j.
    membership : pandas.Series or None
        Unit → group.
    column, entity, time : str
    """

    overall: pd.DataFrame
    groups: pd.DataFrame | None
    membership: pd.Series | None
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
        """The by-period indices and decomposition as text."""
        head = f"Theil T and L of {self.column!r}"
        if self.membership is not None:
            head += f" by {self.membership.nunique()} groups"
        return head + "\n" + self.overall.to_string(float_format=lambda v: f"{v:.4f}")


def _theil_l(y: np.ndarray) -> np.ndarray:
    """Mean log deviation of every column of ``y`` (n × t): mean(ln(μ / y))."""
    return np.log(y.mean(axis=0)) - np.log(y).mean(axis=0)


def theil(data: object, column: str, *, group: str | Mapping[str, str] | pd.Series | None = None,
          time: int | Sequence[int] | None = None, entity: str | None = None,
          time_col: str | None = None) -> TheilResult:
    r"""Theil T and Theil L (mean log deviation) by year, decomposed by groups.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long DataFrame indexed by (unit, period) or with ``entity`` and
        ``time_col`` columns.
    column : str
        The indicator (every value > 0).
    group : str, mapping or pandas.Series, optional
        A column of the panel's city table (``"region"``), a time-invariant data column
        or a mapping unit → group; None for the indices without decomposition.
    time : int or sequence of int, optional
        The years; None for every year.
    entity, time_col : str, optional
        Unit and period columns of a DataFrame without a (unit, period) index.

    Returns
    -------
    TheilResult

    Raises
    ------
    ArgumentError
        ``column`` or ``group`` not in the data; ``time`` names years not in the data.
    PanelError
        Non-positive, missing or infinite values, an unbalanced panel (naming unit, year,
        column); a grouping with a single group.

    Notes
    -----
    With n units, mean μ, groups of n_j units with mean μ_j, p_j = n_j / n and
    s_j = n_j μ_j / (n μ):

    .. math::

        T = \frac{1}{n} \sum_i \frac{y_i}{\mu} \ln \frac{y_i}{\mu}
          = \underbrace{\sum_j s_j \ln \frac{s_j}{p_j}}_{T_b}
          + \underbrace{\sum_j s_j T_j}_{T_w}

        L = \frac{1}{n} \sum_i \ln \frac{\mu}{y_i}
          = \underbrace{\sum_j p_j \ln \frac{\mu}{\mu_j}}_{L_b}
          + \underbrace{\sum_j p_j L_j}_{L_w}

    T, T_b (and T_w = T − T_b) are those of ``inequality.theil.TheilD``; L is computed
    here. A group of one unit is allowed (its own T and L are 0).

    References
    ----------
    Theil, H. (1967). Economics and Information Theory. North-Holland.
    Shorrocks, A. F. (1980). The class of additively decomposable inequality measures.
    Econometrica, 48(3), 613–625.
    Rey, S. J., & Sastré-Gutiérrez, M. L. (2010). Interregional inequality dynamics in
    Mexico. Spatial Economic Analysis, 5(3), 277–298.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> res = theil(p, "gdp_pc", group="region", time=2023)
    >>> bool(abs(res.overall["T_between"] + res.overall["T_within"] - res.overall["T"]).max()
    ...      < 1e-12)
    True
    """
    wide = wide_frame(data, column, entity=entity, time=time_col, positive=True, where=_WHERE)
    years = select_periods(wide.periods, time, _WHERE)
    y = wide.values[years].to_numpy(dtype=np.float64)
    idx = pd.Index(years, name=wide.time, dtype=np.int64)
    t_all = np.atleast_1d(np.asarray(Theil(y).T, dtype=np.float64))
    overall = pd.DataFrame({"T": t_all, "L": _theil_l(y)}, index=idx)
    if group is None:
        return TheilResult(overall=overall, groups=None, membership=None, column=column,
                           entity=wide.entity, time=wide.time)
    member = city_groups(data, group, wide.units, where=_WHERE)
    names = sorted(member.unique().tolist())
    if len(names) < 2:
        raise PanelError(f"{_WHERE}: group={group!r} puts every unit in one group "
                         f"({names}); the decomposition needs at least two groups")
    lab = member.to_numpy()
    dec = TheilD(y, lab)
    t_b = np.atleast_1d(np.asarray(dec.bg, dtype=np.float64))
    n, mu = y.shape[0], y.mean(axis=0)
    rows, l_b = [], np.zeros(len(years))
    for g in names:
        yg = y[lab == g]
        p, mg = yg.shape[0] / n, yg.mean(axis=0)
        s = p * mg / mu
        lg = _theil_l(yg)
        tg = np.atleast_1d(np.asarray(Theil(yg).T, dtype=np.float64))
        l_b += p * np.log(mu / mg)
        rows.append(pd.DataFrame({wide.time: years, "group": g, "n": yg.shape[0], "mean": mg,
                                  "p": p, "s": s, "T": tg, "L": lg, "T_within": s * tg,
                                  "L_within": p * lg}))
    overall["T_between"] = t_b
    overall["T_within"] = overall["T"] - t_b
    overall["L_between"] = l_b
    overall["L_within"] = overall["L"] - l_b
    for m in ("T", "L"):
        tot = overall[m].where(overall[m] > 0)
        overall[f"{m}_between_pct"] = 100 * overall[f"{m}_between"] / tot
        overall[f"{m}_within_pct"] = 100 * overall[f"{m}_within"] / tot
    order = ["T", "T_between", "T_within", "T_between_pct", "T_within_pct",
             "L", "L_between", "L_within", "L_between_pct", "L_within_pct"]
    groups = pd.concat(rows, ignore_index=True).sort_values([wide.time, "group"],
                                                            ignore_index=True)
    return TheilResult(overall=overall[order], groups=groups, membership=member,
                       column=column, entity=wide.entity, time=wide.time)
