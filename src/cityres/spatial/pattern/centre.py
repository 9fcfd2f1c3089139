"""Spatial pattern of an indicator: weighted mean centre, standard deviational ellipse and
the migration of the centre from year to year.

Coordinates are WGS84 longitude / latitude. Every year is computed in one plane: the
azimuthal equidistant projection centred on the unweighted mean of the cities (km), where
distances from the centre are true and the ellipse's axes are in kilometres. The centre
is projected back to longitude / latitude; its moves are great-circle distances and
initial bearings. See ``docs/methods/pattern.md`` for the formulas and the scaling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, format_choices
from cityres.data.panel import CityPanel
from cityres.spatial.pattern.ellipse import (
    _CORRECTIONS,
    Correction,
    _scale,
    _transformer,
    ellipse_outline,
    great_circle,
    plane_crs,
    standard_deviational_ellipse,
)
from cityres.spatial.sphere import compass

if TYPE_CHECKING:
    import geopandas as gpd

_TABLE_COLUMNS = ("centre_lon", "centre_lat", "sigma_x_km", "sigma_y_km", "rotation_deg",
                  "area_km2", "shape_index", "n", "origin_lon", "origin_lat")


# --------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class PatternResult:
    """Mean centre, standard deviational ellipse and centre moves, by year.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by ``year`` (``"all"`` for a cross-section without years):
        ``centre_lon``, ``centre_lat`` (weighted mean centre, WGS84), ``sigma_x_km``
        (minor semi-axis), ``sigma_y_km`` (major semi-axis, along ``rotation_deg``),
        ``rotation_deg`` (major axis, clockwise from north, [0, 180)), ``area_km2``
        (π σ_x σ_y), ``shape_index`` (σ_x / σ_y), ``n`` (cities) and ``origin_lon``,
        ``origin_lat`` (centre of the plane of computation). A copy.
    path : pandas.DataFrame
        One row per pair of consecutive years: ``year_from``, ``year_to``,
        ``distance_km`` (great circle), ``bearing_deg`` (initial bearing from north, NaN
        when the centre did not move), ``direction`` ("NE"…), ``direction_zh`` ("东北"…),
        ``speed_km_per_year``. A copy.
    weight_column, std, correction, crs, simulated
        The choices made; ``crs`` is the PROJ string of the plane (km).
    """

    _table: pd.DataFrame
    _path: pd.DataFrame
    weight_column: str | None
    std: float
    correction: str
    crs: str
    simulated: bool = False

    @property
    def table(self) -> pd.DataFrame:
        """Centre and ellipse by year (a copy)."""
        return self._table.copy()

    @property
    def path(self) -> pd.DataFrame:
        """Moves of the centre between consecutive years (a copy)."""
        return self._path.copy()

    @property
    def total_distance_km(self) -> float:
        """Sum of the yearly moves (km)."""
        return float(self._path["distance_km"].sum())

    def net_move(self) -> tuple[float, float]:
        """Great-circle distance (km) and bearing from the first to the last centre."""
        first, last = self._table.iloc[0], self._table.iloc[-1]
        return great_circle(first["centre_lon"], first["centre_lat"],
                            last["centre_lon"], last["centre_lat"])

    def ellipse_polygons(self, n: int = 180) -> gpd.GeoDataFrame:
        """The ellipses as polygons (EPSG:4326) indexed by year, with the table's columns.

        Parameters
        ----------
        n : int
            Vertices per ellipse (:func:`ellipse_outline`).
        """
        import geopandas as gpd
        from shapely.geometry import Polygon

        shapes = [Polygon(np.column_stack(ellipse_outline(row, n)))
                  for _, row in self._table.iterrows()]
        return gpd.GeoDataFrame(self._table.copy(), geometry=shapes, crs="EPSG:4326")

    def tidy(self) -> pd.DataFrame:
        """One row per year: the table's columns and the move from the previous year."""
        out = self._table.reset_index()
        moves = self._path.drop(columns="year_from").rename(columns={"year_to": "year"})
        return out.merge(moves, on="year", how="left")

    def summary(self) -> str:
        """Plain-text summary: plane, scaling, the table and the centre's moves."""
        t = self._table
        lines = ["*** SIMULATED DATA: not real statistics ***"] if self.simulated else []
        what = f"weighted by {self.weight_column!r}" if self.weight_column else "unweighted"
        years = f"{t.index[0]}–{t.index[-1]}" if len(t) > 1 else str(t.index[0])
        lines.append(f"Mean centre and standard deviational ellipse ({what}), "
                     f"{int(t['n'].iloc[0])} cities, {years}")
        factor = {"none": "1", "sqrt2": "√2 (ArcGIS)", "crimestat": "√(2n/(n−2)) (CrimeStat)"}
        lines.append(f"  plane: azimuthal equidistant at {t['origin_lon'].iloc[0]:.4f}°E, "
                     f"{t['origin_lat'].iloc[0]:.4f}°N; semi-axes = {self.std:g} std × "
                     f"{factor[self.correction]}")
        lines.append(f"  {'year':>5}{'lon':>10}{'lat':>9}{'σx km':>9}{'σy km':>9}"
                     f"{'rot °':>8}{'area km²':>11}{'shape':>7}{'move km':>9}{'dir':>5}")
        moves = {m["year_to"]: m for m in self._path.to_dict("records")}
        for year, r in t.iterrows():
            m = moves.get(year)
            step = "" if m is None else f"{m['distance_km']:>9.2f}{m['direction'] or '–':>5}"
            lines.append(f"  {year!s:>5}{r['centre_lon']:>10.4f}{r['centre_lat']:>9.4f}"
                         f"{r['sigma_x_km']:>9.1f}{r['sigma_y_km']:>9.1f}{r['rotation_deg']:>8.1f}"
                         f"{r['area_km2']:>11.0f}{r['shape_index']:>7.3f}{step}")
        if len(t) > 1:
            distance, bearing = self.net_move()
            en, _ = compass(bearing)
            lines.append(f"  total move {self.total_distance_km:.2f} km; net {distance:.2f} km"
                         + (f" toward {en} (bearing {bearing:.1f}°)" if en else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        sim = ", SIMULATED" if self.simulated else ""
        return (f"PatternResult({self.weight_column!r}, {len(self._table)} year(s), "
                f"std={self.std:g}, correction={self.correction!r}{sim})")


# --------------------------------------------------------------------- entry point
def centre_and_ellipse(
    data: CityPanel | pd.DataFrame,
    weight_column: str | None = None,
    *,
    years: int | Sequence[int] | None = None,
    std: float = 1.0,
    correction: Correction = "sqrt2",
) -> PatternResult:
    """Weighted mean centre and standard deviational ellipse of cities, year by year.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel (coordinates from ``cities.lon`` / ``cities.lat``, WGS84), or a frame with
        ``lon``, ``lat`` columns, cities in the index or a ``city`` column, and optionally a
        ``year`` column or index level (without one it is a single cross-section, labelled
        ``"all"``).
    weight_column : str, optional
        Column whose value in each year weights each city (e.g. ``"gdp_pc"``); equal
        weights when omitted.
    years : int or sequence of int, optional
        Years to compute; every year of the data by default.
    std : float
        Standard deviations spanned by the ellipse (> 0).
    correction : {"sqrt2", "none", "crimestat"}
        Factor on the semi-axes (see :func:`standard_deviational_ellipse`); ``"sqrt2"``
        reproduces ArcGIS Pro's Directional Distribution.

    Returns
    -------
    PatternResult

    Raises
    ------
    ArgumentError
        Unknown ``weight_column``, ``years``, ``correction``; bad ``std``; a frame without
        ``lon`` / ``lat``; non-numeric weights.
    ArgumentTypeError
        ``data`` is neither a CityPanel nor a DataFrame.
    PanelError
        A city without coordinates; a missing, infinite or negative weight (names city and
        year); weights summing to 0 in a year; a city missing in some years; a repeated
        (city, year); fewer than 3 cities in a year.

    Notes
    -----
    Points are projected to the azimuthal equidistant plane (km) centred on the
    unweighted mean longitude and latitude of the cities — the same plane for every
    year — where the centre (Σwᵢxᵢ / Σwᵢ) and the ellipse are computed
    (:func:`standard_deviational_ellipse`); the centre is projected back. Moves between
    years are haversine distances (R = 6371.0088 km) with initial bearings.

    References
    ----------
    Lefever, D. W. (1926). Measuring geographic concentration by means of the standard
    deviational ellipse. *American Journal of Sociology* 32(1), 88–94.
    Yuill, R. S. (1971). The standard deviational ellipse; an updated tool for spatial
    description. *Geografiska Annaler B* 53(1), 28–39.
    Wang, B., Shi, W. & Miao, Z. (2015). Confidence analysis of standard deviational
    ellipse and its extension into higher dimensional Euclidean space. *PLoS ONE* 10(3),
    e0118537.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.pattern import centre_and_ellipse
    >>> panel = cityres.datasets.load("yrd_sim")
    >>> result = centre_and_ellipse(panel, "gdp_pc", years=[2011, 2023])
    >>> list(result.table.index), list(result.path["direction"].str.len() > 0)
    ([2011, 2023], [True])
    """
    if correction not in _CORRECTIONS:
        raise ArgumentError(f"correction={correction!r}; accepted: {format_choices(_CORRECTIONS)}")
    _scale(std, correction, 3)
    frame, simulated = _points(data, weight_column)
    frame = _select_years(frame, years)
    _validate(frame, weighted=weight_column is not None)
    unique = frame.drop_duplicates("city")
    lon0, lat0 = float(unique["lon"].mean()), float(unique["lat"].mean())
    crs = plane_crs(lon0, lat0)
    x, y = _transformer(crs).transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    back = _transformer(crs, inverse=True)
    rows: dict[object, list[float]] = {}
    for year in pd.unique(frame["year"]):
        mask = (frame["year"] == year).to_numpy()
        w = frame["weight"].to_numpy()[mask] if weight_column is not None else None
        e = standard_deviational_ellipse(xy[mask], w, std=std, correction=correction)
        clon, clat = back.transform(e.centre_x, e.centre_y)
        rows[year] = [float(clon), float(clat), e.sigma_x, e.sigma_y, e.rotation_deg,
                      e.area, e.shape_index, e.n, lon0, lat0]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(_TABLE_COLUMNS))
    table["n"] = table["n"].astype("int64")
    table.index.name = "year"
    return PatternResult(table, _moves(table), weight_column, float(std), correction, crs,
                         simulated)


def _moves(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (y0, r0), (y1, r1) in zip(table.iloc[:-1].iterrows(), table.iloc[1:].iterrows(),
                                  strict=True):
        distance, bearing = great_circle(r0["centre_lon"], r0["centre_lat"],
                                         r1["centre_lon"], r1["centre_lat"])
        en, zh = compass(bearing)
        span = float(y1 - y0)  # type: ignore[operator]
        rows.append({"year_from": y0, "year_to": y1, "distance_km": distance,
                     "bearing_deg": bearing, "direction": en, "direction_zh": zh,
                     "speed_km_per_year": distance / span})
    columns = ["year_from", "year_to", "distance_km", "bearing_deg", "direction",
               "direction_zh", "speed_km_per_year"]
    return pd.DataFrame(rows, columns=columns)


def _points(data: CityPanel | pd.DataFrame, weight_column: str | None) -> tuple[pd.DataFrame, bool]:
    """Long frame ``city``, ``year``, ``lon``, ``lat``, ``weight`` and the simulated flag."""
    if isinstance(data, CityPanel):
        flat = data.data.reset_index()
        if weight_column is not None and weight_column not in data.columns:
            raise ArgumentError(f"weight_column={weight_column!r} is not an indicator of the "
                                f"panel; indicators include {data.columns[:12]}")
        missing = [c for c in ("lon", "lat") if c not in data.cities.columns]
        if missing:
            raise PanelError(f"the panel's city table has no {missing} column(s)")
        coords = data.cities[["lon", "lat"]].reindex(flat["city"].astype(str))
        out = pd.DataFrame({"city": flat["city"].astype(str).to_numpy(),
                            "year": flat["year"].to_numpy(),
                            "lon": coords["lon"].to_numpy(dtype=float),
                            "lat": coords["lat"].to_numpy(dtype=float)})
        simulated = data.simulated
    elif isinstance(data, pd.DataFrame):
        levels = [n for n in data.index.names if n in ("city", "year")]
        flat = data.reset_index(level=levels) if levels else data
        missing = [c for c in ("lon", "lat") if c not in flat.columns]
        if missing:
            raise ArgumentError(f"the frame lacks {missing}; it needs 'lon' and 'lat' (WGS84) "
                                f"columns; columns: {list(flat.columns)}")
        if weight_column is not None and weight_column not in flat.columns:
            raise ArgumentError(f"weight_column={weight_column!r} is not a column of the "
                                f"frame; columns: {list(flat.columns)}")
        city = flat["city"] if "city" in flat.columns else pd.Series(flat.index)
        try:
            lon, lat = (pd.to_numeric(flat[c], errors="raise").to_numpy(dtype=float)
                        for c in ("lon", "lat"))
        except (TypeError, ValueError) as err:
            raise ArgumentError(f"lon and lat must be numeric; {err}") from err
        out = pd.DataFrame({"city": city.astype(str).to_numpy(),
                            "year": flat["year"].to_numpy() if "year" in flat.columns
                            else np.array(["all"] * len(flat), dtype=object),
                            "lon": lon, "lat": lat})
        simulated = False
    else:
        raise ArgumentTypeError(
            f"data must be a CityPanel or a pandas DataFrame; got {type(data).__name__}")
    if weight_column is None:
        out["weight"] = 1.0
    else:
        source = flat[weight_column]
        try:
            out["weight"] = pd.to_numeric(source, errors="raise").to_numpy(dtype=float,
                                                                          na_value=np.nan)
        except (TypeError, ValueError) as err:
            raise ArgumentError(f"weight_column={weight_column!r} must be numeric; {err}") from err
    return out, simulated


def _select_years(frame: pd.DataFrame, years: int | Sequence[int] | None) -> pd.DataFrame:
    found = pd.unique(frame["year"]).tolist()
    available = found if found == ["all"] else sorted(found)
    if years is None:
        chosen = available
    elif available == ["all"]:
        raise ArgumentError(f"years={years!r} given, but the data have no 'year' column")
    else:
        wanted = [years] if isinstance(years, int | np.integer) else list(years)
        unknown = [y for y in wanted if y not in available]
        if unknown or not wanted:
            raise ArgumentError(f"years={years!r}: {unknown or 'none given'} not in the data; "
                                f"years available: {available[0]}–{available[-1]}")
        chosen = sorted(set(wanted))
    out = frame[frame["year"].isin(chosen)]
    return out.sort_values(["year", "city"], kind="stable").reset_index(drop=True)


def _validate(frame: pd.DataFrame, *, weighted: bool) -> None:
    def pairs(mask: pd.Series) -> str:
        bad = frame.loc[mask, ["city", "year"]]
        shown = ", ".join(f"city {c} year {y}" for c, y in bad.head(10).itertuples(index=False))
        return shown + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")

    repeated = frame.duplicated(["city", "year"], keep=False)
    if repeated.any():
        raise PanelError(f"repeated (city, year) rows: {pairs(repeated)}")
    bad_xy = ~(np.isfinite(frame["lon"]) & np.isfinite(frame["lat"])
               & frame["lon"].between(-180, 180) & frame["lat"].between(-90, 90))
    if bad_xy.any():
        cities = sorted(set(frame.loc[bad_xy, "city"]))
        raise PanelError(f"city(ies) {', '.join(cities[:10])} have missing or invalid lon/lat "
                         "(WGS84 degrees needed); no city is dropped — fix or remove them")
    counts = frame.groupby("year", sort=False)["city"].nunique()
    all_cities = set(frame["city"])
    if (counts != len(all_cities)).any():
        gaps = [f"city {c} year {y}" for y in counts.index for c in
                sorted(all_cities - set(frame.loc[frame["year"] == y, "city"]))]
        raise PanelError(f"the cities differ between years, so the centre's moves would mix "
                         f"in a change of the city set; missing: {', '.join(gaps[:10])}"
                         + (f" and {len(gaps) - 10} more" if len(gaps) > 10 else "")
                         + " (balance the panel or choose years)")
    if (counts < 3).any():
        raise PanelError(f"the ellipse needs at least 3 cities; year {counts.idxmin()} has "
                         f"{int(counts.min())}")
    if weighted:
        w = frame["weight"]
        for problem, mask in (("missing", w.isna()), ("infinite", np.isinf(w)),
                              ("negative", w < 0)):
            if mask.any():
                raise PanelError(f"{problem} weight for {pairs(mask)}; weights must be "
                                 "finite and non-negative (no city is dropped)")
        sums = w.groupby(frame["year"], sort=False).sum()
        if (sums <= 0).any():
            raise PanelError(f"the weights of year {sums.idxmin()} sum to 0")
