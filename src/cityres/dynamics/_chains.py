"""The pieces of a Markov chain of quantile classes: classes, transition counts, the chain
(probabilities, steady state, mean first-passage times, giddy underneath) and the
homogeneity tests (Bickenbach & Bode 2003). :func:`cityres.dynamics.markov` assembles
them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    WeightsError,
)

__all__ = ["Chain", "HomogeneityTest", "quantile_classes"]

_WHERE = "cityres.dynamics.markov"

@dataclass(frozen=True)
class Chain:
    """One Markov chain: counts, probabilities, steady state, mean first-passage times.

    ``transitions`` and ``p`` are ``k × k`` (rows "from", columns "to"); a state never
    left (a row of zero counts) has a zero row in ``p`` and is treated as absorbing for
    ``steady_state`` and ``mfpt`` (giddy's ``fill_empty_classes``). ``steady_state`` is
    NaN when the chain has several recurrent classes (no unique limit; ``n_recurrent``
    says how many). ``mfpt[i, j]`` is the expected number of periods to first reach j
    from i (the recurrence time on the diagonal; inf when j cannot be reached).
    """

    transitions: pd.DataFrame
    p: pd.DataFrame
    steady_state: pd.Series
    mfpt: pd.DataFrame
    n_recurrent: int
    empty_states: tuple[str, ...]


@dataclass(frozen=True)
class HomogeneityTest:
    """Bickenbach & Bode (2003) tests that several regimes share one transition matrix.

    ``lr`` = 2 Σ_r Σ_ij n_ij(r) ln(p̂_ij(r) / p̂_ij) and ``q`` = Σ_r Σ_ij n_i(r)
    (p̂_ij(r) − p̂_ij)² / p̂_ij, both χ² with ``dof`` = Σ_i (b_i − 1)(a_i − 1) (b_i regimes
    with transitions from i, a_i non-zero cells of the pooled row i).
    """

    lr: float
    lr_pvalue: float
    q: float
    q_pvalue: float
    dof: int
    regimes: tuple[str, ...]
    n_transitions: int

    def to_series(self) -> pd.Series:
        """The statistics as one labelled column."""
        return pd.Series({"lr": self.lr, "lr_pvalue": self.lr_pvalue, "q": self.q,
                          "q_pvalue": self.q_pvalue, "dof": self.dof,
                          "regimes": ", ".join(self.regimes),
                          "n_transitions": self.n_transitions}, dtype=object)


def quantile_classes(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Quantile class (0…k−1) of every value and the k − 1 upper bounds.

    Bounds are the 100j/k percentiles (linear interpolation, as mapclassify's
    ``Quantiles``); class j holds c_{j−1} < x ≤ c_j, so a value equal to a bound goes to
    the lower class and tied values always share a class. When ties make bounds repeat,
    the classes between them are empty (nothing is relabelled).
    """
    cuts = np.percentile(x, 100.0 * np.arange(1, k) / k)
    return np.searchsorted(cuts, x, side="left"), cuts


def _classify(values: np.ndarray, k: int, how: str) -> tuple[np.ndarray, np.ndarray]:
    if how == "pooled":
        ids, cuts = quantile_classes(values.ravel(), k)
        return ids.reshape(values.shape), cuts[None, :]
    out = [quantile_classes(values[:, t], k) for t in range(values.shape[1])]
    return np.column_stack([o[0] for o in out]), np.vstack([o[1] for o in out])


def _count(ids: np.ndarray, k: int, cols: slice = slice(None)) -> np.ndarray:
    a, b = ids[:, :-1][:, cols], ids[:, 1:][:, cols]
    t = np.zeros((k, k))
    np.add.at(t, (a.ravel(), b.ravel()), 1.0)
    return t


def _chain(counts: np.ndarray, labels: tuple[str, ...]) -> Chain:
    from giddy.ergodic import mfpt, steady_state

    rows = counts.sum(axis=1)
    p = counts / np.where(rows > 0, rows, 1.0)[:, None]
    ss = np.asarray(steady_state(p, fill_empty_classes=True), dtype=float)
    n_rec = 1 if ss.ndim == 1 else ss.shape[0]
    if ss.ndim != 1:
        ss = np.full(len(labels), np.nan)
    with np.errstate(invalid="ignore"):  # giddy multiplies inf by 0 for unreachable states
        f = np.asarray(mfpt(p, fill_empty_classes=True), dtype=float)
    idx = pd.Index(labels, name="from")
    cols = pd.Index(labels, name="to")
    return Chain(transitions=pd.DataFrame(counts, idx, cols), p=pd.DataFrame(p, idx, cols),
                 steady_state=pd.Series(ss, pd.Index(labels, name="state"), name="steady_state"),
                 mfpt=pd.DataFrame(f, idx, cols), n_recurrent=n_rec,
                 empty_states=tuple(lab for lab, r in zip(labels, rows, strict=True) if r == 0))


def _homogeneity(mats: list[np.ndarray], regimes: tuple[str, ...]) -> HomogeneityTest:
    from giddy.markov import homogeneity

    h = homogeneity(mats)
    return HomogeneityTest(lr=float(h.LR), lr_pvalue=float(h.LR_p_value), q=float(h.Q),
                           q_pvalue=float(h.Q_p_value), dof=int(h.dof), regimes=regimes,
                           n_transitions=int(h.t_total))


def _check_int(name: str, value: object, low: int, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{_WHERE}: {name} must be an integer; got "
                                f"{type(value).__name__}")
    if value < low:
        raise ArgumentError(f"{_WHERE}: {name}={value}; accepted: an integer ≥ {low}")
    if value > n:
        raise ArgumentError(f"{_WHERE}: {name}={value} is larger than the number of units "
                            f"({n}); each class needs at least one unit per year")
    return int(value)


def _weights(w: Any, units: pd.Index) -> Any:
    from cityres.spatial.weights.core import Weights

    if not isinstance(w, Weights):
        try:
            from libpysal.weights import W
        except ImportError:  # pragma: no cover - libpysal is a dependency
            raise
        if not isinstance(w, W):
            raise ArgumentTypeError(f"{_WHERE}: w must be cityres Weights or a libpysal W; "
                                    f"got {type(w).__name__}")
        w = Weights.from_libpysal(w)
    w = w.reorder([str(u) for u in units], what="the data")
    if w.islands:
        raise WeightsError(f"{_WHERE}: the weights leave unit(s) without neighbours, whose "
                           f"spatial lag is undefined: {', '.join(w.islands[:20])}")
    return w.row_standardise()


def _time_test(ids: np.ndarray, k: int, periods: tuple[int, ...],
               split: int | None) -> tuple[HomogeneityTest | None, int | None]:
    starts = periods[:-1]
    if split is None:
        if len(starts) < 2:
            return None, None
        split = starts[len(starts) // 2]
    if split not in starts[1:]:
        raise ArgumentError(f"{_WHERE}: split={split!r} must be a period that starts a "
                            f"transition and leaves transitions before it; accepted: "
                            f"{list(starts[1:])}")
    j = starts.index(split)
    mats = [_count(ids, k, slice(0, j)), _count(ids, k, slice(j, None))]
    regimes = (f"{periods[0]}–{split}", f"{split}–{periods[-1]}")
    return _homogeneity(mats, regimes), split


def _notes(c: Chain, who: str, ids: np.ndarray | None, k: int,
           periods: tuple[int, ...]) -> tuple[str, ...]:
    out = []
    if c.empty_states:
        out.append(f"{who}: no transitions start in {', '.join(c.empty_states)}; treated "
                   "as absorbing for the steady state and first-passage times")
    if c.n_recurrent > 1:
        out.append(f"{who}: {c.n_recurrent} recurrent classes, the steady state is not "
                   "unique (NaN)")
    if ids is not None:
        empty = [f"{periods[t]} (Q{j + 1})" for t in range(ids.shape[1]) for j in range(k)
                 if not (ids[:, t] == j).any()]
        if empty:
            out.append("tied values left quantile classes empty in " + ", ".join(empty[:10]))
    return tuple(out)
