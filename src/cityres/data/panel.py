"""The city panel: a long table keyed by (city, year) with its city table and change log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.data import transforms as _t
from cityres.data.changelog import Change, ChangeLog

if TYPE_CHECKING:
    import geopandas as gpd

CITY_COLUMNS = ("name_zh", "name_en", "province", "region", "lat", "lon")


def _as_city_ids(values: pd.Series, column: str) -> pd.Series:
    """City ids as strings; integral floats (320500.0) become '320500'."""
    if pd.api.types.is_float_dtype(values):
        if values.isna().any():
            rows = [int(i) + 1 for i in np.flatnonzero(values.isna().to_numpy())[:10]]
            raise PanelError(f"column {column!r} has missing city ids (data rows {rows})")
        if not np.all(np.mod(values.to_numpy(), 1) == 0):
            raise PanelError(f"column {column!r} holds non-integral numbers; city ids expected")
        values = values.astype("int64")
    out = values.astype(str).str.strip()
    bad = out.isin(["", "nan", "None", "<NA>"]) | values.isna().to_numpy()
    if bad.any():
        rows = [int(i) + 1 for i in np.flatnonzero(bad.to_numpy())[:10]]
        raise PanelError(f"column {column!r} has missing city ids (data rows {rows})")
    return out


def _as_years(values: pd.Series, column: str) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    bad = num.isna() | (np.mod(num.fillna(0).to_numpy(), 1) != 0)
    if bad.any():
        idx = np.flatnonzero(bad.to_numpy())[:10]
        shown = ", ".join(f"row {i + 1}: {values.iloc[i]!r}" for i in idx)
        raise PanelError(f"column {column!r} must hold integer years; got {shown}")
    return num.astype("int64")


class CityPanel:
    """A validated city × year panel.

    Attributes
    ----------
    data : pandas.DataFrame
        Indicators, indexed by a MultiIndex (``city``, ``year``) sorted by city then year;
        ``city`` is an id string (the 6-digit administrative code for Chinese cities).
    cities : pandas.DataFrame
        One row per city, indexed by id, with ``name_zh``, ``name_en``, ``province``,
        ``region`` (NBS east / central / west / northeast), ``lat``, ``lon`` (WGS84) and
        any free tags.
    geometry : geopandas.GeoDataFrame or None
        City polygons indexed by id, WGS84.
    log : ChangeLog
        Every change made to the data since it was read, in order.
    meta : Mapping
        Facts about the data: ``name``, ``simulated`` (bool), ``sources``.
    variables : pandas.DataFrame or None
        Codebook indexed by column name (labels, units, descriptions), when known.

    Notes
    -----
    Panels are immutable: every method returns a new panel and appends what it changed
    to ``log``. The log transform is :meth:`ln` because ``log`` is the change log.

    Examples
    --------
    >>> import cityres
    >>> panel = cityres.datasets.load("yrd_sim")
    >>> panel.select(["gdp_pc"], years=range(2015, 2020)).data.shape
    (205, 1)
    """

    __slots__ = ("_cities", "_data", "_geometry", "_log", "_meta", "_variables")

    def __init__(
        self,
        data: pd.DataFrame,
        cities: pd.DataFrame,
        *,
        geometry: gpd.GeoDataFrame | None = None,
        log: Iterable[Change] = (),
        meta: Mapping[str, Any] | None = None,
        variables: pd.DataFrame | None = None,
    ) -> None:
        if list(data.index.names) != ["city", "year"]:
            raise PanelError(
                "CityPanel data needs a (city, year) MultiIndex; build panels with "
                "CityPanel.from_frame(df, city=..., year=...) or cityres.data.read_panel"
            )
        if data.index.has_duplicates:
            dup = data.index[data.index.duplicated()].unique()[:10].tolist()
            raise PanelError(f"duplicate (city, year) rows: {dup}")
        missing = sorted(set(data.index.get_level_values("city")) - set(cities.index.astype(str)))
        if missing:
            raise PanelError(f"cities in the data but not in the city table: {missing[:20]}")
        for col in data.columns:
            if not (
                pd.api.types.is_numeric_dtype(data[col]) or pd.api.types.is_bool_dtype(data[col])
            ):
                raise PanelError(
                    f"column {col!r} is not numeric (dtype {data[col].dtype}); read messy files "
                    "with cityres.data.read_panel, which reports each non-numeric cell"
                )
        self._data = data.sort_index()
        self._cities = cities
        self._geometry = geometry
        self._log = ChangeLog(tuple(log))
        self._meta: Mapping[str, Any] = MappingProxyType(dict(meta or {}))
        self._variables = variables

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        city: str = "city",
        year: str = "year",
        cities: pd.DataFrame | None = None,
        geometry: gpd.GeoDataFrame | None = None,
        meta: Mapping[str, Any] | None = None,
        variables: pd.DataFrame | None = None,
    ) -> CityPanel:
        """Build a panel from a long frame with one row per city-year.

        Parameters
        ----------
        df : pandas.DataFrame
            Long data with a city id column, a year column and numeric indicators.
        city, year : str
            Names of the id and year columns.
        cities : pandas.DataFrame, optional
            City table indexed by id. When omitted and every id is a current 6-digit code
            of the bundled register, the register's rows are used; otherwise a table with
            only the ids is made.
        geometry, meta, variables
            Passed through (see the class attributes).

        Raises
        ------
        PanelError
            Missing key columns, missing or non-integer years, duplicate city-years,
            non-numeric indicator columns.
        """
        if not isinstance(df, pd.DataFrame):
            raise ArgumentTypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
        for arg, col in (("city", city), ("year", year)):
            if col not in df.columns:
                raise ArgumentError(
                    f"{arg}={col!r} is not a column of the frame; columns: {list(df.columns)}"
                )
        frame = df.copy()
        frame[city] = _as_city_ids(frame[city], city)
        frame[year] = _as_years(frame[year], year)
        dup = frame.duplicated([city, year], keep=False)
        if dup.any():
            pairs = frame.loc[dup, [city, year]].drop_duplicates().head(20)
            shown = ", ".join(f"{c}/{y}" for c, y in pairs.itertuples(index=False))
            raise PanelError(f"duplicate city-year rows ({int(dup.sum())} rows): {shown}")
        frame = frame.rename(columns={city: "city", year: "year"}).set_index(["city", "year"])
        ids = frame.index.get_level_values("city").unique()
        if cities is None:
            cities = default_city_table(ids)
        else:
            cities = cities.copy()
            cities.index = cities.index.astype(str)
            cities.index.name = "city"
        return cls(frame, cities, geometry=geometry, meta=meta, variables=variables)

    def _replace(
        self,
        data: pd.DataFrame | None = None,
        changes: Sequence[Change] = (),
        *,
        cities: pd.DataFrame | None = None,
        variables: pd.DataFrame | None = None,
    ) -> CityPanel:
        data = self._data if data is None else data
        cities = self._cities if cities is None else cities
        kept = data.index.get_level_values("city").unique()
        cities = cities[cities.index.isin(kept)]
        geometry = self._geometry
        if geometry is not None:
            geometry = geometry[geometry.index.isin(kept)]
        return CityPanel(
            data,
            cities,
            geometry=geometry,
            log=self._log + changes,
            meta=self._meta,
            variables=self._variables if variables is None else variables,
        )

    # ----------------------------------------------------------------- accessors
    @property
    def data(self) -> pd.DataFrame:
        """The indicators (a copy-on-write view: changing it never changes the panel)."""
        return self._data.copy(deep=False)

    @property
    def cities(self) -> pd.DataFrame:
        """The city table, indexed by id."""
        return self._cities.copy(deep=False)

    @property
    def geometry(self) -> gpd.GeoDataFrame | None:
        """City polygons (WGS84) indexed by id, or None."""
        return None if self._geometry is None else self._geometry.copy(deep=False)

    @property
    def log(self) -> ChangeLog:
        """Every change made to the data, in order."""
        return self._log

    @property
    def meta(self) -> Mapping[str, Any]:
        """Facts about the data (name, simulated, sources)."""
        return self._meta

    @property
    def variables(self) -> pd.DataFrame | None:
        """Codebook indexed by column name, when known."""
        return self._variables

    @property
    def simulated(self) -> bool:
        """True when any of the data is simulated (tables and figures must say so)."""
        return bool(self._meta.get("simulated", False))

    @property
    def city_ids(self) -> list[str]:
        """City ids in order."""
        return list(self._data.index.get_level_values("city").unique())

    @property
    def years(self) -> list[int]:
        """Years present, sorted."""
        return sorted(int(y) for y in self._data.index.get_level_values("year").unique())

    @property
    def columns(self) -> list[str]:
        """Indicator names."""
        return [str(c) for c in self._data.columns]

    @property
    def is_balanced(self) -> bool:
        """True when every city has a row for every year."""
        return len(self._data) == len(self.city_ids) * len(self.years)

    def to_frame(self) -> pd.DataFrame:
        """The data as a long frame with ``city`` and ``year`` columns."""
        return self._data.reset_index()

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        sim = ", SIMULATED" if self.simulated else ""
        yrs = f"{self.years[0]}–{self.years[-1]}" if self.years else "no years"
        return (
            f"CityPanel({len(self.city_ids)} cities × {len(self.years)} years ({yrs}), "
            f"{len(self.columns)} indicators, {len(self._log)} logged changes{sim})"
        )

    def summary(self) -> str:
        """A plain-text summary: size, balance, missing cells by column, sources."""
        lines = []
        name = self._meta.get("name")
        if self.simulated:
            lines.append("*** SIMULATED DATA: not real statistics ***")
        lines.append(f"CityPanel{f' {name!r}' if name else ''}")
        yrs = f"{self.years[0]}–{self.years[-1]}" if self.years else "none"
        lines.append(
            f"  cities: {len(self.city_ids)}   years: {len(self.years)} ({yrs})   "
            f"rows: {len(self._data)}   balanced: {'yes' if self.is_balanced else 'no'}"
        )
        if "region" in self._cities and self._cities["region"].notna().any():
            counts = self._cities["region"].value_counts().sort_index()
            lines.append("  regions: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if "province" in self._cities and self._cities["province"].notna().any():
            counts = self._cities["province"].value_counts().sort_index()
            lines.append("  provinces: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        lines.append(f"  indicators: {len(self.columns)}")
        if self.columns:
            desc = self._data.describe().T
            miss = self._data.isna().sum()
            width = max(len(c) for c in self.columns)
            lines.append(
                f"    {'column':<{width}}  {'missing':>7}  {'mean':>12}  {'min':>12}  {'max':>12}"
            )
            for c in self.columns:
                d = desc.loc[c] if c in desc.index else None
                stats = (
                    f"{d['mean']:>12.4g}  {d['min']:>12.4g}  {d['max']:>12.4g}"
                    if d is not None
                    else f"{'':>12}  {'':>12}  {'':>12}"
                )
                lines.append(f"    {c:<{width}}  {int(miss[c]):>7}  {stats}")
        lines.append(f"  logged changes: {len(self._log)}")
        for key, n in self._log.counts().items():
            lines.append(f"    {key[0]}: {key[1]} × {n}")  # type: ignore[index]
        for src in self._meta.get("sources", ()):
            lines.append(f"  source: {src}")
        return "\n".join(lines)

    # ----------------------------------------------------------------- transforms
    def select(
        self,
        columns: Sequence[str] | None = None,
        *,
        cities: Iterable[str] | None = None,
        years: Iterable[int] | None = None,
        provinces: Iterable[str] | None = None,
        regions: Iterable[str] | None = None,
    ) -> CityPanel:
        """Keep some columns, cities, years, provinces or regions (what is dropped is logged)."""
        data, changes = _t.select(
            self._data,
            self._cities,
            columns=columns,
            cities=cities,
            years=years,
            provinces=provinces,
            regions=regions,
        )
        return self._replace(data, changes)

    def balance(
        self,
        columns: Sequence[str] | None = None,
        *,
        how: Literal["drop_cities", "drop_years"] = "drop_cities",
    ) -> CityPanel:
        """Make the panel balanced by dropping incomplete cities (or years); logs each drop.

        A city (year) is incomplete when it lacks a row for some year (city), or has a
        missing value in ``columns`` (default: all columns).
        """
        data, changes = _t.balance(self._data, columns=columns, how=how)
        return self._replace(data, changes)

    def interpolate(
        self,
        columns: Sequence[str] | None = None,
        *,
        extrapolate: bool = False,
        limit: int | None = None,
    ) -> CityPanel:
        """Fill missing values linearly in year within each city; every filled cell is logged.

        Gaps at the start or end of a city's series stay missing unless ``extrapolate``
        (then the nearest two observed years are extended linearly). ``limit`` caps the
        length of a gap that may be filled.
        """
        data, changes = _t.interpolate(
            self._data, columns=columns, extrapolate=extrapolate, limit=limit
        )
        return self._replace(data, changes)

    def ln(
        self,
        columns: Sequence[str] | str,
        *,
        log1p: bool = False,
        prefix: str = "ln_",
    ) -> CityPanel:
        """Add natural logs of ``columns`` as ``<prefix><column>``.

        Raises :class:`~cityres.PanelError` naming each city-year with a value <= 0
        (or < 0 with ``log1p``, which computes ln(1 + x)).
        """
        data, changes = _t.ln(self._data, columns, log1p=log1p, prefix=prefix)
        return self._replace(data, changes)

    def per_capita(
        self,
        columns: Sequence[str] | str,
        population: str,
        *,
        scale: float = 1.0,
        suffix: str = "_pc",
    ) -> CityPanel:
        """Add ``column / population * scale`` as ``<column><suffix>``."""
        data, changes = _t.per_capita(self._data, columns, population, scale=scale, suffix=suffix)
        return self._replace(data, changes)

    def deflate(
        self,
        columns: Sequence[str] | str,
        deflator: str | pd.Series,
        *,
        base_year: int | None = None,
        suffix: str = "_real",
    ) -> CityPanel:
        """Add real values ``column / (deflator / deflator[base_year])``.

        ``deflator`` is a column of the panel (a city-specific price index) or a Series
        indexed by year (one index for all cities); ``base_year`` defaults to the first year.
        """
        data, changes = _t.deflate(
            self._data, columns, deflator, base_year=base_year, suffix=suffix
        )
        return self._replace(data, changes)

    def winsorize(
        self,
        columns: Sequence[str] | None = None,
        *,
        limits: tuple[float, float] = (0.01, 0.99),
        by: Literal["pooled", "year"] = "pooled",
    ) -> CityPanel:
        """Clip values to the ``limits`` quantiles (pooled or within each year); logs each cell."""
        data, changes = _t.winsorize(self._data, columns=columns, limits=limits, by=by)
        return self._replace(data, changes)

    def lag(
        self, columns: Sequence[str] | str, periods: int = 1, *, prefix: str = "L"
    ) -> CityPanel:
        """Add the value ``periods`` years earlier in the same city as ``L<k>_<column>``.

        Uses calendar years, not row order: a missing year gives a missing lag.
        """
        data, changes = _t.shift(self._data, columns, periods, prefix=prefix)
        return self._replace(data, changes)

    def with_columns(self, columns: pd.DataFrame, *, source: str) -> CityPanel:
        """Add new columns (e.g. index scores computed elsewhere), logged as derived.

        ``columns`` is indexed by (city, year) and must give a value for every row of the
        panel; existing column names are refused (nothing is overwritten) and so are rows
        the panel does not have.
        """
        if not isinstance(columns, pd.DataFrame):
            raise ArgumentTypeError(f"columns must be a DataFrame; got {type(columns).__name__}")
        clash = [c for c in columns.columns if c in self._data.columns]
        if clash:
            raise ArgumentError(f"with_columns: {clash} already exist in the panel")
        extra = columns.index.difference(self._data.index)
        if len(extra):
            raise PanelError(f"with_columns: rows {list(extra[:10])} are not in the panel")
        aligned = columns.reindex(self._data.index)
        gaps = aligned.isna().any(axis=1)
        if gaps.any():
            shown = ", ".join(f"{c}/{y}" for c, y in aligned.index[gaps][:10])
            raise PanelError(f"with_columns: no value for {int(gaps.sum())} city-year(s) of the "
                             f"panel: {shown}")
        data = pd.concat([self._data, aligned.astype(float)], axis=1)
        return self._replace(data, [Change("with_columns", "derived", f"added from {source}",
                                           column=str(c)) for c in columns.columns])

    def lead(
        self, columns: Sequence[str] | str, periods: int = 1, *, prefix: str = "F"
    ) -> CityPanel:
        """Add the value ``periods`` years later in the same city as ``F<k>_<column>``."""
        data, changes = _t.shift(self._data, columns, -periods, prefix=prefix)
        return self._replace(data, changes)


def default_city_table(ids: Iterable[str]) -> pd.DataFrame:
    """City table for ``ids``: register rows when all are current codes, else bare ids."""
    ids = [str(i) for i in ids]
    if ids and all(len(i) == 6 and i.isdigit() for i in ids):
        from cityres.data.names import default_register

        reg = default_register()
        if all(i in reg.current_codes for i in ids):
            return city_table_from_register(reg.frame, ids)
    table = pd.DataFrame(index=pd.Index(ids, name="city"), columns=list(CITY_COLUMNS))
    table[["lat", "lon"]] = table[["lat", "lon"]].astype(float)
    return table


def city_table_from_register(register: pd.DataFrame, ids: Sequence[str]) -> pd.DataFrame:
    """The panel city table (standard columns first) for register codes ``ids``."""
    rows = register.loc[list(ids)].copy()
    rows = rows.rename(columns={"province_en": "province"})
    first = [c for c in CITY_COLUMNS if c in rows.columns]
    rest = [c for c in ("province_zh", "level") if c in rows.columns]
    rows = rows[first + rest]
    rows.index = rows.index.astype(str)
    rows.index.name = "city"
    return rows
