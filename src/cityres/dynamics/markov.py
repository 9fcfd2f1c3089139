"""Classic and spatial Markov chains of an indicator's quantile classes (giddy underneath).

Each city-year is put in one of ``k`` quantile classes (within each year by default, so the
chain describes moves in the *relative* distribution); transitions between consecutive
years are counted, and the chain's probabilities, steady state and mean first-passage
times follow. With spatial weights the transitions are also split by the quantile class
of the city's spatial lag at the start of the transition (Rey 2001), and the spatial
homogeneity of the chain is tested (Bickenbach & Bode 2003).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    PanelError,
    format_choices,
)
from cityres.dynamics._chains import (
    _WHERE,
    Chain,
    HomogeneityTest,
    _chain,
    _check_int,
    _classify,
    _homogeneity,
    _notes,
    _time_test,
    _weights,
    quantile_classes,
)
from cityres.dynamics._data import wide_frame

__all__ = ["Chain", "HomogeneityTest", "MarkovResult", "markov", "quantile_classes"]

Classes = Literal["within_year", "pooled"]
_CLASSES: tuple[str, ...] = ("within_year", "pooled")


@dataclass(frozen=True)
class MarkovResult:
    """A classic (``w=None``) or spatial Markov chain of quantile classes.

    Attributes
    ----------
    transitions, p, mfpt : pandas.DataFrame
        Classic chain: ``k × k`` with rows ``from`` and columns ``to`` labelled ``Q1``…
        ``Qk`` (Q1 lowest). Spatial chain: the matrices of every lag class stacked, rows
        a MultiIndex (``lag`` = ``L1``…``Lm``, ``from``); ``p.loc["L1"]`` is one matrix.
    steady_state : pandas.Series or pandas.DataFrame
        Classic: a Series over the classes. Spatial: a DataFrame, one row per lag class.
    chain : Chain
        The classic (aspatial) chain, always present.
    lag_chains : mapping of str to Chain
        The chain of every lag class (empty without weights).
    class_ids, lag_class_ids : pandas.DataFrame
        The class (0-based) of every unit × period, and of its spatial lag.
    cutoffs, lag_cutoffs : pandas.DataFrame
        Upper class bounds (k − 1 per year, or one row ``"pooled"``).
    time_homogeneity : HomogeneityTest or None
        The classic chain's transitions before ``split`` against from ``split`` on.
    spatial_homogeneity : HomogeneityTest or None
        The lag-class chains against the classic chain.
    chi2_by_lag : pandas.DataFrame or None
        Rey's (2001) χ² test of each lag class's counts against the pooled probabilities.
    """

    column: str
    entity: str
    time: str
    k: int
    m: int | None
    classes: str
    relative: bool
    labels: tuple[str, ...]
    lag_labels: tuple[str, ...]
    periods: tuple[int, ...]
    n_units: int
    class_ids: pd.DataFrame
    cutoffs: pd.DataFrame
    chain: Chain
    split: int | None
    time_homogeneity: HomogeneityTest | None
    lag_class_ids: pd.DataFrame | None = None
    lag_cutoffs: pd.DataFrame | None = None
    lag_chains: Mapping[str, Chain] = field(default_factory=dict)
    spatial_homogeneity: HomogeneityTest | None = None
    chi2_by_lag: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()

    @property
    def spatial(self) -> bool:
        """True for a spatial Markov chain (weights were given)."""
        return bool(self.lag_chains)

    def _stack(self, attr: str) -> pd.DataFrame:
        if not self.spatial:
            return getattr(self.chain, attr)
        return pd.concat({lab: getattr(c, attr) for lab, c in self.lag_chains.items()},
                         names=["lag"])

    @property
    def transitions(self) -> pd.DataFrame:
        """Transition counts (per lag class when spatial)."""
        return self._stack("transitions")

    @property
    def p(self) -> pd.DataFrame:
        """Transition probabilities (per lag class when spatial)."""
        return self._stack("p")

    @property
    def mfpt(self) -> pd.DataFrame:
        """Mean first-passage times in periods (per lag class when spatial)."""
        return self._stack("mfpt")

    @property
    def steady_state(self) -> pd.Series | pd.DataFrame:
        """The limiting distribution (one row per lag class when spatial)."""
        if not self.spatial:
            return self.chain.steady_state
        out = pd.DataFrame({lab: c.steady_state for lab, c in self.lag_chains.items()}).T
        out.index.name = "lag"
        return out

    def tidy(self) -> pd.DataFrame:
        """Long table: ``lag`` ("all" = classic chain), ``from``, ``to``, ``count``, ``p``."""
        chains = {"all": self.chain, **self.lag_chains}
        rows = []
        for lab, c in chains.items():
            cnt = c.transitions.stack()
            prob = c.p.stack()
            rows.append(pd.DataFrame({"lag": lab, "from": cnt.index.get_level_values(0),
                                      "to": cnt.index.get_level_values(1),
                                      "count": cnt.to_numpy(), "p": prob.to_numpy()}))
        return pd.concat(rows, ignore_index=True)

    def summary(self) -> str:
        """A text report of the chain(s) and the tests."""
        kind = "Spatial Markov chain" if self.spatial else "Markov chain"
        how = ("quantiles within each year" if self.classes == "within_year"
               else "quantiles of all years pooled")
        rel = " of values relative to the year's mean" if self.relative else ""
        lines = [f"{kind} of {self.column!r}: {self.k} classes ({how}{rel}), "
                 f"{self.n_units} units, {self.periods[0]}–{self.periods[-1]} "
                 f"({int(self.chain.transitions.to_numpy().sum())} transitions)",
                 "", "Transition probabilities (all units):",
                 self.chain.p.round(4).to_string(), "",
                 "Steady state: " + ", ".join(f"{i} {v:.4f}"
                                              for i, v in self.chain.steady_state.items())]
        if self.time_homogeneity is not None:
            t = self.time_homogeneity
            lines.append(f"Time homogeneity (before {self.split} vs from {self.split}): "
                         f"LR {t.lr:.3f}, Q {t.q:.3f}, dof {t.dof}, p(LR) {t.lr_pvalue:.4f}")
        for lab, c in self.lag_chains.items():
            lines += ["", f"Lag class {lab}:", c.p.round(4).to_string()]
        if self.spatial_homogeneity is not None:
            s = self.spatial_homogeneity
            lines.append(f"\nSpatial homogeneity: LR {s.lr:.3f}, Q {s.q:.3f}, dof {s.dof}, "
                         f"p(LR) {s.lr_pvalue:.4f}, p(Q) {s.q_pvalue:.4f}")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


def markov(data: object, column: str, *, k: int = 5, w: Any = None,
           classes: Classes = "within_year", m: int | None = None, relative: bool = False,
           split: int | None = None, entity: str | None = None,
           time: str | None = None) -> MarkovResult:
    """Classic or spatial Markov chain of the quantile classes of ``column``.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A balanced panel (DataFrame indexed by (unit, period) or with ``entity`` and
        ``time`` columns).
    column : str
        The indicator.
    k : int, default 5
        Number of quantile classes (5 = quintiles), 2 ≤ k ≤ number of units.
    w : cityres Weights or libpysal W, optional
        Spatial weights over exactly the units of the data; gives the spatial Markov chain.
        Row-standardised here (if not already); units without neighbours are an error.
    classes : {"within_year", "pooled"}
        Quantiles of each year's cross-section (default; moves in the relative
        distribution) or of all unit-years pooled (giddy's ``fixed=True``).
    m : int, optional
        Number of quantile classes of the spatial lag (default ``k``).
    relative : bool, default False
        Divide each year's values by the year's mean first (values must be positive).
        It changes nothing with ``classes="within_year"``.
    split : int, optional
        First period of the second sub-period of the time-homogeneity test: transitions
        starting before ``split`` against those starting from it (default: the middle).
    entity, time : str, optional
        Unit and period columns of a long DataFrame.

    Returns
    -------
    MarkovResult

    Raises
    ------
    ArgumentError
        ``k`` or ``m`` < 2 or larger than the number of units; ``classes`` unknown;
        ``split`` not a period with transitions on both sides.
    ArgumentTypeError
        ``k``, ``m`` not integers; ``w`` not weights.
    PanelError
        Fewer than two periods; missing values or an unbalanced panel (named);
        non-positive values with ``relative=True``.
    WeightsError
        Weights that do not cover the units (the missing ones are named) or leave
        units without neighbours.

    Notes
    -----
    With class s_it ∈ {1…k} the counts are n_ij = #{(i, t): s_it = i, s_i,t+1 = j} and the
    maximum-likelihood probabilities p̂_ij = n_ij / Σ_j n_ij. The steady state π solves
    π = πP, Σπ = 1; mean first-passage times solve m_ij = 1 + Σ_{l≠j} p_il m_lj (giddy's
    ``steady_state`` and ``mfpt``). The spatial chain conditions on the class of the
    lag Σ_j w_ij y_jt (row-standardised w) at the start of each transition; its lag
    classes use the same rule as ``classes``. Classes are those of
    :func:`quantile_classes` (ties go to the lower class; repeated bounds leave classes
    empty). Homogeneity tests are giddy's ``homogeneity`` (Bickenbach & Bode 2003); the
    classic chain is tested over two sub-periods, the spatial chain over lag classes.

    References
    ----------
    Rey, S. J. (2001). Spatial empirics for economic growth and convergence. Geographical
    Analysis, 33(3), 195–214.
    Bickenbach, F., & Bode, E. (2003). Evaluating the Markov property in studies of
    economic convergence. International Regional Science Review, 26(3), 363–392.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.markov import markov
    >>> res = markov(cityres.datasets.load("yrd_sim"), "de_latent", k=4)
    >>> res.p.shape, int(res.transitions.to_numpy().sum())
    ((4, 4), 492)
    """
    if classes not in _CLASSES:
        raise ArgumentError(f"{_WHERE}: classes={classes!r}; accepted: "
                            f"{format_choices(_CLASSES)}")
    wide = wide_frame(data, column, entity=entity, time=time, positive=relative, where=_WHERE)
    y = wide.array
    n, t = y.shape
    if t < 2:
        raise PanelError(f"{_WHERE}: a Markov chain needs at least two periods; "
                         f"{column!r} has {t} ({wide.time} {wide.periods.tolist()})")
    k = _check_int("k", k, 2, n)
    if relative:
        y = y / y.mean(axis=0, keepdims=True)
    periods = tuple(int(v) for v in wide.periods)
    labels = tuple(f"Q{j}" for j in range(1, k + 1))
    ids, cuts = _classify(y, k, classes)
    from giddy.markov import Markov

    counts = Markov(ids, classes=np.arange(k), summary=False).transitions
    chain = _chain(np.asarray(counts, dtype=float), labels)
    time_test, split = _time_test(ids, k, periods, split)
    cut_index = (pd.Index(periods, name=wide.time) if classes == "within_year"
                 else pd.Index(["pooled"], name=wide.time))
    cut_cols = labels[:-1]
    notes = _notes(chain, "all units", ids if classes == "within_year" else None, k,
                   periods)
    out: dict[str, Any] = {}
    if w is not None:
        mm = k if m is None else _check_int("m", m, 2, n)
        ww = _weights(w, wide.units)
        lag = np.asarray(ww.sparse @ y)
        lids, lcuts = _classify(lag, mm, classes)
        lag_labels = tuple(f"L{j}" for j in range(1, mm + 1))
        tt = np.zeros((mm, k, k))
        np.add.at(tt, (lids[:, :-1].ravel(), ids[:, :-1].ravel(), ids[:, 1:].ravel()), 1.0)
        lag_chains = {lab: _chain(tt[j], labels) for j, lab in enumerate(lag_labels)}
        for lab, c in lag_chains.items():
            notes += _notes(c, f"lag class {lab}", None, k, periods)
        from giddy.markov import chi2

        tests = [chi2(tt[j], chain.transitions.to_numpy()) for j in range(mm)]
        out = {"m": mm, "lag_labels": lag_labels, "lag_chains": lag_chains,
               "lag_class_ids": pd.DataFrame(lids, wide.units, pd.Index(periods,
                                                                        name=wide.time)),
               "lag_cutoffs": pd.DataFrame(lcuts, cut_index, list(lag_labels[:-1])),
               "spatial_homogeneity": _homogeneity(list(tt), lag_labels),
               "chi2_by_lag": pd.DataFrame(
                   [[float(a), int(c), float(b)] for a, b, c in tests],
                   index=pd.Index(lag_labels, name="lag"), columns=["chi2", "dof", "pvalue"])}
        notes += (f"spatial lag with {ww.kind} weights, row-standardised",)
    return MarkovResult(
        column=column, entity=wide.entity, time=wide.time, k=k, m=out.pop("m", None),
        classes=classes, relative=relative, labels=labels,
        lag_labels=out.pop("lag_labels", ()), periods=periods, n_units=n,
        class_ids=pd.DataFrame(ids, wide.units, pd.Index(periods, name=wide.time)),
        cutoffs=pd.DataFrame(cuts, cut_index, list(cut_cols)), chain=chain, split=split,
        time_homogeneity=time_test, notes=notes, **out)
