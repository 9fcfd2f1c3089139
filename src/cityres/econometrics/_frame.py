"""The data of an econometric model: a long frame with entity, time, the model's columns
and the cluster variable, checked so that nothing is dropped silently.

Every estimator in :mod:`cityres.econometrics` reads its data through :func:`model_frame`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError
from cityres.data.modelframe import ABSORBED_BY, check_design, check_values, indexed_frame
from cityres.data.panel import CityPanel

Effects = Literal["twoways", "individual", "time", "none"]
EFFECTS: tuple[str, ...] = ("twoways", "individual", "time", "none")


def check_effects(effects: object) -> Effects:
    """``effects`` if it is one of :data:`EFFECTS`, else an :class:`ArgumentError`."""
    if effects not in EFFECTS:
        raise ArgumentError(f"effects={effects!r}; accepted: " + ", ".join(map(repr, EFFECTS)))
    return effects  # type: ignore[return-value]


def model_frame(data: object, columns: Sequence[str], *, entity: str | None = None,
                time: str | None = None, where: str = "the model",
                extra: Sequence[str] = ()) -> tuple[pd.DataFrame, str, str]:
    """The columns a model needs as a long frame, checked.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long frame with ``entity`` and ``time`` columns (or indexed by them).
    columns : sequence of str
        Numeric columns the model uses; every cell must be finite.
    entity, time : str, optional
        Column names of the unit and the period (None for a CityPanel: city, year).
    where : str
        How messages name the model.
    extra : sequence of str
        Further columns to carry along unchecked (e.g. a cluster variable); for a
        CityPanel a name that is a column of ``data.cities`` (``province``, ``region``…) is
        looked up by city.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``[entity, time, *columns, *extra]`` sorted by entity and time, with a
        fresh RangeIndex.
    entity, time : str
        The names of the unit and period columns.

    Raises
    ------
    ArgumentError
        A column that is not in the data (the message lists what is).
    PanelError
        Repeated (entity, time) rows, non-numeric columns or missing / infinite cells (each
        named by entity, period and column).
    """
    frame, ename, tname = indexed_frame(data, entity, time)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()[:10].tolist()
        raise PanelError(f"{where}: data has repeated ({ename}, {tname}) rows: {dup}")
    cols = list(dict.fromkeys(columns))
    check_values(frame, cols, ename, tname, who=where)
    out = carry_extra(frame[cols].reset_index(), frame, data, extra, ename, tname, where)
    out = out.sort_values([ename, tname], kind="stable").reset_index(drop=True)
    return out, ename, tname


def carry_extra(out: pd.DataFrame, frame: pd.DataFrame, data: object, extra: Sequence[str],
                ename: str, tname: str, where: str) -> pd.DataFrame:
    """``out`` (rows in ``frame``'s order) with the ``extra`` columns added: from ``frame``
    or, for a CityPanel, looked up by city in its city table; missing cells raise
    :class:`PanelError` naming the rows."""
    for name in extra:
        if name in out.columns:
            continue
        if name in frame.columns:
            out[name] = frame[name].to_numpy()
        elif isinstance(data, CityPanel) and name in data.cities.columns:
            lookup = data.cities[name]
            missing = sorted(set(out[ename]) - set(lookup.index))
            if missing:
                raise PanelError(f"{where}: cities {missing[:10]} have no {name!r} in the "
                                 "city table")
            out[name] = lookup.reindex(out[ename]).to_numpy()
        else:
            extra_cols = list(data.cities.columns) if isinstance(data, CityPanel) else []
            raise ArgumentError(f"{where}: {name!r} is neither a column of the data nor of the "
                                f"city table; data columns: {list(frame.columns)[:30]}"
                                + (f"; city table: {extra_cols}" if extra_cols else ""))
        bad = out[name].isna()
        if bad.any():
            rows = out.loc[bad, [ename, tname]].head(10).to_records(index=False).tolist()
            raise PanelError(f"{where}: {int(bad.sum())} row(s) have no {name!r}: {rows}")
    return out


def fe_codes(frame: pd.DataFrame, entity: str, time: str, effects: Effects) -> np.ndarray:
    """Integer codes of the fixed effects (one column per absorbed factor)."""
    cols = {"twoways": [entity, time], "individual": [entity], "time": [time],
            "none": []}[effects]
    if not cols:
        return np.zeros((len(frame), 0), dtype=np.uint64)
    return np.column_stack([pd.factorize(frame[c])[0] for c in cols]).astype(np.uint64)


def demean(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values`` (n × k) with the fixed effects in ``codes`` removed.

    One factor: exact group means. Two or more: alternating projections to 1e-12 (the
    panels cityres meets are small; a balanced two-way panel converges in one sweep).
    With no factor the column means are removed (the intercept).
    """
    x = np.asarray(values, dtype=np.float64)
    if codes.shape[1] == 0:
        return x - x.mean(axis=0)
    out = x.copy()
    for _ in range(10_000):
        before = out.copy()
        for f in range(codes.shape[1]):
            c = codes[:, f].astype(np.int64)
            sums = np.zeros((int(c.max()) + 1, out.shape[1]))
            np.add.at(sums, c, out)
            counts = np.bincount(c).astype(np.float64)
            out -= (sums / counts[:, None])[c]
        if np.max(np.abs(out - before), initial=0.0) <= 1e-12 * max(
                1.0, float(np.max(np.abs(x), initial=0.0))):
            break
    return out


def check_regressors(frame: pd.DataFrame, names: Sequence[str], entity: str, time: str,
                     effects: Effects, *, where: str = "the model") -> None:
    """Raise :class:`PanelError` naming regressors absorbed by the fixed effects or
    collinear with each other (after the effects are removed)."""
    if not names:
        return
    raw = frame[list(names)].to_numpy(dtype=np.float64)
    Z = demean(raw, fe_codes(frame, entity, time, effects))
    absorbed = ABSORBED_BY[effects].replace("entity", entity).replace("period", time)
    try:
        check_design(Z, tuple(names), np.linalg.norm(raw - raw.mean(axis=0), axis=0)
                     if effects == "none" else np.linalg.norm(raw, axis=0), effects,
                     absorbed=absorbed)
    except PanelError as err:
        raise PanelError(f"{where}: {err}") from None
