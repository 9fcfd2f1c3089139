"""Inputs of the threshold model: the balanced panel as arrays, checked so that nothing is
dropped silently (gaps are listed, missing cells named, collinear variables named)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.econometrics._frame import check_regressors, model_frame

#: Fewest observations a regime may hold (as xtthres's ``minobs``).
MIN_REGIME_OBS = 10
_WHERE = "threshold()"


@dataclass(frozen=True)
class ThresholdData:
    """A balanced panel as arrays, rows sorted by entity then period (row = i·T + t)."""

    y: np.ndarray  # (n,)
    x: np.ndarray  # (n, k_r) regime-dependent variables
    q: np.ndarray  # (n,) threshold variable
    z: np.ndarray  # (n, k_z) regime-independent controls
    entity_codes: np.ndarray  # (n,) 0..N-1
    entities: tuple[Any, ...]
    periods: tuple[Any, ...]
    y_name: str
    regime: tuple[str, ...]
    q_name: str
    controls: tuple[str, ...]
    entity: str
    time: str

    @property
    def n(self) -> int:
        """Number of observations N·T."""
        return int(self.y.size)

    @property
    def n_entities(self) -> int:
        """N."""
        return len(self.entities)

    @property
    def n_periods(self) -> int:
        """T."""
        return len(self.periods)


def names_arg(value: object, argument: str, *, allow_empty: bool) -> tuple[str, ...]:
    """A column name or a sequence of names as a tuple (no repeats)."""
    if isinstance(value, str):
        out: tuple[str, ...] = (value,)
    elif isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        out = tuple(value)
    else:
        raise ArgumentTypeError(f"{argument} must be a column name or a sequence of column "
                                f"names; got {value!r}")
    if not out and not allow_empty:
        raise ArgumentError(f"{argument}: give at least one column name")
    dupes = sorted({v for v in out if out.count(v) > 1})
    if dupes:
        raise ArgumentError(f"{argument} repeats {dupes}")
    return out


def prepare(data: object, y: str, regime: tuple[str, ...], q: str,
            controls: tuple[str, ...], *, entity: str | None, time: str | None,
            time_effects: bool) -> ThresholdData:
    """Validate the data and return the arrays of the threshold model.

    Raises
    ------
    ArgumentError
        A column not in the data; the response among the regressors; a regime variable
        also given as a control.
    PanelError
        Missing / infinite cells, repeated rows, an unbalanced panel (the gaps are
        listed), a variable absorbed by the fixed effects or collinear with others (named).
    """
    if not isinstance(y, str) or not isinstance(q, str):
        raise ArgumentTypeError(f"y and q must be column names; got y={y!r}, q={q!r}")
    both = sorted(set(regime) & set(controls))
    if both:
        raise ArgumentError(f"{both} are given both as regime and as control variables; a "
                            "regime variable's effect already differs by regime, so it cannot "
                            "also enter as a control (they would be collinear)")
    if y in regime or y in controls or y == q:
        raise ArgumentError(f"the response {y!r} is also among regime / q / controls")
    columns = list(dict.fromkeys([y, *regime, q, *controls]))
    frame, ename, tname = model_frame(data, columns, entity=entity, time=time, where=_WHERE)
    entities, periods = _check_balanced(frame, ename, tname)
    check_regressors(frame, [*regime, *controls], ename, tname,
                     "twoways" if time_effects else "individual", where=_WHERE)
    n_t = len(periods)
    codes = np.repeat(np.arange(len(entities)), n_t)

    def cols(names: Sequence[str]) -> np.ndarray:
        return frame[list(names)].to_numpy(dtype=np.float64).reshape(len(frame), len(names))

    return ThresholdData(
        y=frame[y].to_numpy(dtype=np.float64), x=cols(regime),
        q=frame[q].to_numpy(dtype=np.float64), z=cols(controls), entity_codes=codes,
        entities=entities, periods=periods, y_name=y, regime=regime, q_name=q,
        controls=controls, entity=ename, time=tname)


def _check_balanced(frame: pd.DataFrame, ename: str,
                    tname: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The entities and periods of a balanced panel, or a PanelError listing the gaps."""
    entities = tuple(pd.unique(frame[ename]))
    periods = tuple(sorted(pd.unique(frame[tname]).tolist()))
    if len(entities) < 2 or len(periods) < 2:
        raise PanelError(f"{_WHERE}: the panel has {len(entities)} {ename} value(s) and "
                         f"{len(periods)} {tname} value(s); the fixed-effects threshold model "
                         "needs at least 2 of each")
    if len(frame) == len(entities) * len(periods):
        return entities, periods
    have = frame.groupby(ename, sort=False)[tname].agg(set)
    gaps = []
    for ent, got in have.items():
        missing = [p for p in periods if p not in got]
        if missing:
            gaps.append(f"{ename} {ent}: {tname} " + ", ".join(map(str, missing[:12]))
                        + (" …" if len(missing) > 12 else ""))
    n_missing = len(entities) * len(periods) - len(frame)
    shown = "; ".join(gaps[:20]) + (f"; … and {len(gaps) - 20} more" if len(gaps) > 20 else "")
    raise PanelError(f"{_WHERE} needs a balanced panel (Hansen 1999): {n_missing} "
                     f"{ename}-{tname} row(s) are missing over {len(periods)} periods "
                     f"({periods[0]}–{periods[-1]}): {shown}. Nothing is dropped or filled: "
                     f"balance the panel first (e.g. CityPanel.balance) or choose the years")


def check_trim(trim: object, n_thresholds: int) -> tuple[float, ...]:
    """``trim`` as one proportion per threshold, each in (0, 0.5)."""
    if isinstance(trim, bool):
        raise ArgumentTypeError(f"trim={trim!r}; accepted: a number in (0, 0.5) or one per "
                                "threshold")
    if isinstance(trim, int | float | np.floating | np.integer):
        values = (float(trim),) * n_thresholds
    elif isinstance(trim, Sequence) and not isinstance(trim, str):
        values = tuple(float(t) for t in trim)
        if len(values) != n_thresholds:
            raise ArgumentError(f"trim={tuple(trim)!r} gives {len(values)} proportion(s); "
                                f"accepted: one number, or one per threshold "
                                f"(n_thresholds={n_thresholds})")
    else:
        raise ArgumentTypeError(f"trim={trim!r}; accepted: a number in (0, 0.5) or one per "
                                "threshold")
    for t in values:
        if not (math.isfinite(t) and 0 < t < 0.5):
            raise ArgumentError(f"trim={trim!r}: {t!r} is outside (0, 0.5); accepted: the "
                                "proportion of observations each regime must hold, e.g. 0.05")
    return values


def check_regime_sizes(trims: tuple[float, ...], n: int) -> None:
    """Raise when a trimming proportion leaves regimes of fewer than MIN_REGIME_OBS rows."""
    for k, t in enumerate(trims, start=1):
        if math.ceil(t * n) < MIN_REGIME_OBS:
            raise ArgumentError(
                f"trim={t!r} (threshold {k}) lets a regime hold {math.ceil(t * n)} of the "
                f"{n} observations; each regime needs at least {MIN_REGIME_OBS} observations "
                f"to be estimated. Accepted: trim >= {MIN_REGIME_OBS / n:.4g} for this panel")
