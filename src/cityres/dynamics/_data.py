"""The data of a distribution-dynamics analysis: one indicator as a city × period matrix,
and city groups (regions, provinces), checked so that nothing is dropped or filled.

Every function of :mod:`cityres.dynamics` reads its data through :func:`wide_frame` and
:func:`city_groups`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, PanelError
from cityres.data.modelframe import check_values, indexed_frame
from cityres.data.panel import CityPanel

__all__ = ["Wide", "city_groups", "wide_frame"]


@dataclass(frozen=True)
class Wide:
    """One indicator as a balanced city × period matrix.

    Attributes
    ----------
    values : pandas.DataFrame
        Rows = units (index named after the entity, sorted), columns = periods (int64,
        sorted); every cell finite (positive when the caller asked for it).
    entity, time, column : str
        Names of the unit, the period and the indicator.
    """

    values: pd.DataFrame
    entity: str
    time: str
    column: str

    @property
    def units(self) -> pd.Index:
        """The units (rows)."""
        return self.values.index

    @property
    def periods(self) -> np.ndarray:
        """The periods (columns) as int64."""
        return self.values.columns.to_numpy(dtype=np.int64)

    @property
    def array(self) -> np.ndarray:
        """The values as a float64 array (units × periods)."""
        return self.values.to_numpy(dtype=np.float64)


def wide_frame(data: object, column: str, *, entity: str | None = None,
               time: str | None = None, positive: bool = False,
               where: str = "cityres.dynamics") -> Wide:
    """``column`` of a panel as a balanced unit × period matrix.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long DataFrame indexed by (unit, period) or with ``entity`` and
        ``time`` columns.
    column : str
        The indicator.
    entity, time : str, optional
        Unit and period columns of a DataFrame (None for a CityPanel or a DataFrame with
        a two-level index).
    positive : bool, default False
        Require every value > 0 (logs, Theil, Gini of incomes); the error names the cells.
    where : str
        How messages name the caller.

    Returns
    -------
    Wide

    Raises
    ------
    ArgumentError
        ``column`` not in the data (the message lists the columns).
    PanelError
        Repeated (unit, period) rows, non-integer periods, missing or infinite values,
        non-positive values with ``positive=True`` (each naming unit, period, value), or
        an unbalanced panel (naming the missing unit-periods).
    """
    if isinstance(data, pd.DataFrame) and entity is None and time is None \
            and data.index.nlevels == 2:
        frame, ename, tname = data, str(data.index.names[0] or "city"), \
            str(data.index.names[1] or "year")
        frame = frame.rename_axis([ename, tname])
    else:
        frame, ename, tname = indexed_frame(data, entity, time)
    if column not in frame.columns:
        raise ArgumentError(f"{where}: column {column!r} is not in the data; columns: "
                            f"{list(frame.columns)[:30]}")
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()[:10].tolist()
        raise PanelError(f"{where}: data has repeated ({ename}, {tname}) rows: {dup}")
    check_values(frame, [column], ename, tname, who=where)
    long = frame[column].astype(np.float64)
    periods = pd.Series(long.index.get_level_values(1))
    as_num = pd.to_numeric(periods, errors="coerce")
    if as_num.isna().any() or (as_num != as_num.round()).any():
        raise PanelError(f"{where}: the period level {tname!r} must hold integer periods "
                         "(years)")
    if positive:
        bad = long[long <= 0]
        if len(bad):
            cells = ", ".join(f"{k[0]}/{k[1]} ({v:g})"  # type: ignore[index]
                              for k, v in bad.head(20).items())
            raise PanelError(f"{where}: {column!r} must be > 0 (it enters a log or a ratio); "
                             f"{len(bad)} value(s) are not: {cells}")
    wide = long.unstack(level=1)
    wide.columns = pd.Index(wide.columns.to_numpy(dtype=np.int64), name=tname)
    wide = wide.sort_index().sort_index(axis=1)
    gaps = wide.isna()
    if gaps.to_numpy().any():
        stacked = gaps.stack()
        holes = [(k[0], int(k[1])) for k in stacked.index[stacked.to_numpy(dtype=bool)][:10]]
        raise PanelError(f"{where}: the panel of {column!r} is unbalanced; "
                         f"{int(gaps.to_numpy().sum())} missing ({ename}, {tname}) cell(s), "
                         f"e.g. {holes}; every unit needs every period (select years or "
                         "units first)")
    wide.index.name = ename
    return Wide(values=wide, entity=ename, time=tname, column=column)


def city_groups(data: object, group: str | Mapping[str, str] | pd.Series, units: pd.Index, *,
                where: str = "cityres.dynamics") -> pd.Series:
    """The group of every unit: a column of the CityPanel's city table (``region``,
    ``province``…), a time-invariant column of the data, or a mapping unit → group.

    Raises
    ------
    ArgumentError
        ``group`` names no column (the message lists the city-table and data columns).
    PanelError
        Units without a group, or a data column that varies within a unit (named).
    """
    if isinstance(group, (Mapping, pd.Series)):
        lookup = pd.Series(dict(group) if isinstance(group, Mapping) else group)
        lookup.index = lookup.index.astype(str) if units.dtype == object else lookup.index
        out = lookup.reindex(units)
        label = "the mapping"
    elif isinstance(group, str):
        if isinstance(data, CityPanel) and group in data.cities.columns:
            out = data.cities[group].reindex(units)
            label = f"the city table's {group!r}"
        else:
            frame = (data.data if isinstance(data, CityPanel) else data)
            if isinstance(frame, pd.DataFrame) and group in frame.columns:
                col = frame[group]
                lvl = col.index.get_level_values(0) if col.index.nlevels == 2 else None
                if lvl is None:
                    raise ArgumentError(f"{where}: group={group!r}: the data must be indexed "
                                        "by (unit, period) to read a group column")
                per = col.groupby(lvl).nunique(dropna=False)
                varying = per.index[per > 1].tolist()
                if varying:
                    raise PanelError(f"{where}: group column {group!r} varies over time "
                                     f"within unit(s) {varying[:10]}")
                out = col.groupby(lvl).first().reindex(units)
                label = f"the data column {group!r}"
            else:
                city_cols = list(data.cities.columns) if isinstance(data, CityPanel) else []
                data_cols = list(frame.columns)[:30] if isinstance(frame, pd.DataFrame) else []
                raise ArgumentError(f"{where}: group={group!r} is neither a column of the "
                                    f"city table {city_cols} nor of the data {data_cols}")
    else:
        raise ArgumentError(f"{where}: group must be a column name or a mapping unit → "
                            f"group; got {type(group).__name__}")
    missing = out.index[out.isna()].tolist()
    if missing:
        raise PanelError(f"{where}: {len(missing)} unit(s) have no group in {label}: "
                         f"{missing[:20]}")
    return out.astype(str).rename("group")
