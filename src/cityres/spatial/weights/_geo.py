"""Points and great-circle distances for the weights builders.

Every distance-based builder turns its input into :class:`Points` (ids, WGS84 longitude
and latitude, names for messages) with :func:`as_points`, then measures great-circle
distances with the haversine formula on a sphere of radius :data:`EARTH_RADIUS_KM`.

Coordinate systems are never mixed silently: a projected or other geographic CRS is
converted to EPSG:4326, and a frame flagged GCJ-02 (``attrs["coordinates"] == "GCJ-02"``,
the flag of :mod:`cityres.data.geometry`) is converted to WGS84 — each with a note — or
refused when the caller said the data are WGS84.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from cityres._shared.errors import ArgumentError, ArgumentTypeError, WeightsError, format_choices
from cityres.data.geometry import GCJ02_ATTR, gcj02_to_wgs84
from cityres.spatial.sphere import EARTH_RADIUS_KM, great_circle_km
from cityres.spatial.weights.core import _ids_tuple

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["EARTH_RADIUS_KM", "Points", "as_points", "great_circle_km"]


Coordinates = Literal["auto", "wgs84", "gcj02"]
PointRule = Literal["centroid", "representative"]
_COORDINATES: tuple[str, ...] = ("auto", "wgs84", "gcj02")
_POINT_RULES: tuple[str, ...] = ("centroid", "representative")
_LON_NAMES = ("lon", "longitude", "lng")
_LAT_NAMES = ("lat", "latitude")
_NAME_COLUMNS = ("name_zh", "name", "name_en")
DISTANCE_RULE = f"great-circle (haversine, R = {EARTH_RADIUS_KM} km)"
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
#: Up to this many units, neighbour searches use the dense distance matrix; above it a
#: scipy cKDTree on 3-D unit vectors (chord length is monotone in arc length).
DENSE_SEARCH_MAX = 2_000
#: Largest n for which a dense n × n matrix is built at all (200 MB of float64).
DENSE_MAX = 5_000
#: Distances equal after rounding to this many decimals of a km (1 µm) are ties.
TIE_DECIMALS = 9


@dataclass(frozen=True, eq=False)
class Points:
    """Units as WGS84 points: ids, longitude, latitude, names and how they were found."""

    ids: tuple[str, ...]
    lon: FloatArray
    lat: FloatArray
    names: Mapping[str, str] = field(default_factory=dict)
    source: str = "coordinates"
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """Number of points."""
        return len(self.ids)

    def label(self, i: int) -> str:
        """``'330900 舟山市'`` (code and name when a name is known) for position ``i``."""
        return label(self.ids[i], self.names)

    def unit_vectors(self) -> FloatArray:
        """``(n, 3)`` points on the unit sphere (chord distance is monotone in arc length)."""
        lam, phi = np.radians(self.lon), np.radians(self.lat)
        return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam),
                                np.sin(phi)])

    def km(self, i: ArrayLike, j: ArrayLike) -> FloatArray:
        """Great-circle km between positions ``i`` and ``j`` (arrays broadcast)."""
        a, b = np.asarray(i), np.asarray(j)
        return np.asarray(great_circle_km(self.lon[a], self.lat[a], self.lon[b], self.lat[b]))

    def dense_km(self) -> FloatArray:
        """The ``n × n`` great-circle distance matrix (rows in blocks to bound memory)."""
        n = self.n
        out = np.empty((n, n))
        step = max(1, 2_000_000 // max(n, 1))
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            out[lo:hi] = great_circle_km(self.lon[lo:hi, None], self.lat[lo:hi, None],
                                         self.lon[None, :], self.lat[None, :])
        np.fill_diagonal(out, 0.0)
        return out


def label(code: str, names: Mapping[str, str]) -> str:
    """``'code name'`` when ``names`` knows the code, else the code."""
    name = names.get(code)
    return f"{code} {name}" if name else code


def names_of(frame: pd.DataFrame | None) -> dict[str, str]:
    """Code → name from the first name column of ``frame`` (``name_zh``, ``name``, …)."""
    if frame is None:
        return {}
    for col in _NAME_COLUMNS:
        if col in frame.columns:
            s = frame[col]
            return {str(k): str(v) for k, v in zip(frame.index, s, strict=True) if pd.notna(v)}
    return {}


def check_choice(value: object, choices: Sequence[str], argument: str) -> None:
    """Raise ArgumentError unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ArgumentError(f"{argument} must be {format_choices(choices)}; got {value!r}")


def resolve_system(flag: object, coordinates: str, what: str) -> bool:
    """Whether the input is GCJ-02 (and must be converted), given its flag and the argument.

    ``flag`` is the frame's ``attrs["coordinates"]`` (or None). ``coordinates`` is
    ``"auto"`` (trust the flag), ``"wgs84"`` or ``"gcj02"`` (the caller's statement,
    refused when it contradicts the flag).
    """
    check_choice(coordinates, _COORDINATES, "coordinates")
    flagged = None if flag is None else str(flag).upper().replace("-", "").replace("_", "")
    if coordinates == "auto":
        return flagged == "GCJ02"
    if coordinates == "wgs84" and flagged == "GCJ02":
        raise WeightsError(
            f"{what} is flagged GCJ-02 (attrs[{GCJ02_ATTR!r}] = {flag!r}) but coordinates="
            "'wgs84' was given; GCJ-02 and WGS84 positions differ by a few hundred metres and "
            "are never mixed. Pass coordinates='auto' to convert it to WGS84, or convert it "
            "yourself with cityres.data.geometry.to_wgs84")
    if coordinates == "gcj02" and flagged not in (None, "GCJ02"):
        raise WeightsError(
            f"coordinates='gcj02' was given but {what} is flagged {flag!r} "
            f"(attrs[{GCJ02_ATTR!r}]); drop the flag or the argument")
    return coordinates == "gcj02"


def _check_lonlat(ids: Sequence[str], lon: FloatArray, lat: FloatArray,
                  names: Mapping[str, str], what: str) -> None:
    missing = ~(np.isfinite(lon) & np.isfinite(lat))
    if missing.any():
        bad = [label(ids[i], names) for i in np.flatnonzero(missing).tolist()]
        raise WeightsError(f"{what}: missing coordinates for {len(bad)} unit(s): "
                           f"{', '.join(bad[:20])}; add their lon/lat (WGS84) or drop them "
                           "from the data first")
    out = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if out.any():
        bad = [f"{label(ids[i], names)} (lon {lon[i]:g}, lat {lat[i]:g})"
               for i in np.flatnonzero(out).tolist()]
        raise WeightsError(f"{what}: coordinates outside lon [-180, 180] / lat [-90, 90] for "
                           f"{', '.join(bad[:10])}; were lon and lat swapped, or is the data "
                           "in a projected CRS without one set (GeoDataFrame.set_crs)?")


def _from_geo(geo: gpd.GeoDataFrame | gpd.GeoSeries, point: str, coordinates: str
              ) -> tuple[tuple[str, ...], FloatArray, FloatArray, dict[str, str], str, list[str]]:
    import shapely

    frame = geo if hasattr(geo, "columns") else None
    ids = _ids_tuple(geo.index, argument="the geometry's index (city codes)")
    names = names_of(frame)
    notes: list[str] = []
    gs = geo.geometry if frame is not None else geo
    values = np.asarray(gs.values, dtype=object)
    empty = np.array([g is None or shapely.is_empty(g) for g in values], dtype=bool)
    if empty.any():
        bad = [label(ids[i], names) for i in np.flatnonzero(empty)]
        raise WeightsError(f"missing or empty geometry for {', '.join(bad[:20])}; every unit "
                           "needs a point or polygon")
    gcj = resolve_system(geo.attrs.get(GCJ02_ATTR), coordinates, "the geometry")
    crs = gs.crs
    if crs is None:
        notes.append("the geometry has no CRS; its coordinates are taken as lon/lat degrees")
    if crs is not None and not crs.equals("EPSG:4326") and not gcj:
        notes.append(f"geometry converted from {crs.to_string()} to WGS84 (EPSG:4326)")
    kinds = set(shapely.get_type_id(values).tolist())
    if kinds <= {0}:  # all points
        src = "points"
        if crs is not None and not crs.equals("EPSG:4326"):
            gs = gs.to_crs("EPSG:4326")
        xy = shapely.get_coordinates(np.asarray(gs.values, dtype=object))
        lon, lat = xy[:, 0].copy(), xy[:, 1].copy()
    elif kinds <= {3, 6}:  # polygons
        if point == "representative":
            src = "representative points of the polygons"
            reps = gs.representative_point()
            if crs is not None and not crs.equals("EPSG:4326"):
                reps = reps.to_crs("EPSG:4326")
            lon, lat = reps.x.to_numpy(float), reps.y.to_numpy(float)
        else:
            src = "polygon centroids (equal-area LAEA projection)"
            lon, lat = _equal_area_centroids(gs)
    else:
        raise WeightsError("the geometry must be all points or all polygons; got types "
                           + ", ".join(sorted(set(gs.geom_type.astype(str)))))
    if gcj:
        lon, lat = gcj02_to_wgs84(lon, lat)
        notes.append(f"coordinates converted from GCJ-02 to WGS84 ({src}; "
                     "cityres.data.geometry.gcj02_to_wgs84)")
    return ids, np.asarray(lon, float), np.asarray(lat, float), names, src, notes


def _equal_area_centroids(gs: gpd.GeoSeries) -> tuple[FloatArray, FloatArray]:
    """Centroids computed in a Lambert azimuthal equal-area projection, back to lon/lat."""
    geo = gs if gs.crs is not None else gs.set_crs("EPSG:4326")
    wgs = geo.to_crs("EPSG:4326") if not geo.crs.equals("EPSG:4326") else geo
    minx, miny, maxx, maxy = wgs.total_bounds
    laea = (f"+proj=laea +lat_0={(miny + maxy) / 2:.6f} +lon_0={(minx + maxx) / 2:.6f} "
            "+datum=WGS84 +units=m +no_defs")
    cent = wgs.to_crs(laea).centroid.to_crs("EPSG:4326")
    return cent.x.to_numpy(float), cent.y.to_numpy(float)


def _lonlat_columns(frame: pd.DataFrame) -> tuple[str, str]:
    cols = {str(c).lower(): c for c in frame.columns}
    lon = next((cols[c] for c in _LON_NAMES if c in cols), None)
    lat = next((cols[c] for c in _LAT_NAMES if c in cols), None)
    if lon is None or lat is None:
        raise ArgumentError("a coordinates DataFrame needs a longitude column "
                            f"({format_choices(_LON_NAMES)}) and a latitude column "
                            f"({format_choices(_LAT_NAMES)}), indexed by city code; got "
                            f"columns {[str(c) for c in frame.columns]}")
    return str(lon), str(lat)


def as_points(geo_or_coords: Any, *, ids: Sequence[Hashable] | None = None,
              point: str = "centroid", coordinates: str = "auto") -> Points:
    """Turn a panel, geometry, coordinates frame or array into WGS84 :class:`Points`.

    Parameters
    ----------
    geo_or_coords : CityPanel, GeoDataFrame, GeoSeries, DataFrame or (n, 2) array
        A :class:`~cityres.data.CityPanel` gives its city table's ``lon``/``lat`` (WGS84)
        for its cities; a GeoDataFrame/GeoSeries indexed by code gives its points, or the
        centroids or representative points of its polygons (see ``point``); a DataFrame
        indexed by code needs ``lon``/``lat`` columns; an array holds ``lon, lat`` rows and
        needs ``ids``.
    ids : sequence, optional
        Codes of the rows of an array (required for arrays, refused otherwise).
    point : {"centroid", "representative"}
        For polygons: the centroid computed in a Lambert azimuthal equal-area projection
        centred on the data (then back to lon/lat), or shapely's representative point
        (always inside the polygon).
    coordinates : {"auto", "wgs84", "gcj02"}
        The system of the input: ``"auto"`` trusts ``attrs["coordinates"]`` (GCJ-02 is
        converted to WGS84 with a note); ``"wgs84"``/``"gcj02"`` state it (and are
        refused when the flag says otherwise).
    """
    from cityres.data.panel import CityPanel

    check_choice(point, _POINT_RULES, "point")
    check_choice(coordinates, _COORDINATES, "coordinates")
    if ids is not None and not isinstance(geo_or_coords, np.ndarray | list | tuple):
        raise ArgumentError("ids= is only for an array of coordinates; a panel or frame "
                            "carries its own city codes in its index")
    notes: list[str] = []
    if isinstance(geo_or_coords, CityPanel):
        panel = geo_or_coords
        cities = panel.cities
        codes = panel.city_ids
        names = names_of(cities)
        absent = [c for c in codes if c not in cities.index]
        if absent or "lon" not in cities.columns or "lat" not in cities.columns:
            raise WeightsError("the panel's city table has no lon/lat for "
                               f"{', '.join(absent[:20]) or 'any city'}; pass the geometry "
                               "(panel.geometry) or a DataFrame of lon/lat instead")
        tab = cities.loc[codes]
        lon = pd.to_numeric(tab["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(tab["lat"], errors="coerce").to_numpy(float)
        gcj = resolve_system(cities.attrs.get(GCJ02_ATTR), coordinates, "the city table")
        out_ids, source = tuple(codes), "city table lon/lat"
    elif hasattr(geo_or_coords, "geometry") and hasattr(geo_or_coords, "crs"):
        out_ids, lon, lat, names, source, notes = _from_geo(geo_or_coords, point, coordinates)
        gcj = False  # converted in _from_geo
    elif isinstance(geo_or_coords, pd.DataFrame):
        frame = geo_or_coords
        lon_c, lat_c = _lonlat_columns(frame)
        out_ids = _ids_tuple(frame.index, argument="the coordinates' index (city codes)")
        names = names_of(frame)
        lon = pd.to_numeric(frame[lon_c], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(frame[lat_c], errors="coerce").to_numpy(float)
        gcj = resolve_system(frame.attrs.get(GCJ02_ATTR), coordinates, "the coordinates frame")
        source = f"columns {lon_c}/{lat_c}"
    elif isinstance(geo_or_coords, np.ndarray | list | tuple):
        arr = np.asarray(geo_or_coords, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ArgumentError(f"an array of coordinates must be (n, 2) lon, lat; got shape "
                                f"{arr.shape}")
        if ids is None:
            raise ArgumentError("an array of coordinates needs ids= (the city code of each "
                                "row)")
        out_ids = _ids_tuple(ids)
        if len(out_ids) != arr.shape[0]:
            raise ArgumentError(f"ids has {len(out_ids)} codes but the array has "
                                f"{arr.shape[0]} rows")
        lon, lat, names, source = arr[:, 0].copy(), arr[:, 1].copy(), {}, "lon/lat array"
        gcj = resolve_system(None, coordinates, "the array")
    else:
        raise ArgumentTypeError(
            "expected a CityPanel, a GeoDataFrame/GeoSeries, a DataFrame with lon/lat columns "
            f"or an (n, 2) array of lon, lat with ids=; got {type(geo_or_coords).__name__}")
    _check_lonlat(out_ids, lon, lat, names, "cannot measure distances")
    if gcj:
        lon, lat = gcj02_to_wgs84(lon, lat)
        notes.append(f"coordinates converted from GCJ-02 to WGS84 ({source}; "
                     "cityres.data.geometry.gcj02_to_wgs84)")
    if len(out_ids) < 2:
        raise WeightsError(f"weights need at least 2 units; got {len(out_ids)}")
    return Points(out_ids, np.asarray(lon, float), np.asarray(lat, float), names, source,
                  tuple(notes))


def _chord(km: float) -> float:
    """Chord length on the unit sphere of a great-circle distance in km."""
    theta = min(km / EARTH_RADIUS_KM, np.pi)
    return float(2 * np.sin(theta / 2))


def nearest(pts: Points, k: int, rows: IntArray | None = None) -> tuple[IntArray, FloatArray]:
    """The ``k`` nearest other units of each of ``rows`` and their distances (km).

    Ties (distances equal to 1e-9 km) are broken by position in the input: the earlier
    unit comes first. Returns two ``(len(rows), k)`` arrays, nearest first.
    """
    n = pts.n
    rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.intp)
    if n <= DENSE_SEARCH_MAX:
        d = np.asarray(great_circle_km(pts.lon[rows, None], pts.lat[rows, None],
                                       pts.lon[None, :], pts.lat[None, :]))
        d[np.arange(len(rows)), rows] = np.inf
        order = np.argsort(np.round(d, TIE_DECIMALS), axis=1, kind="stable")[:, :k]
        return order.astype(np.intp), np.take_along_axis(d, order, axis=1)
    from scipy.spatial import cKDTree

    xyz = pts.unit_vectors()
    tree = cKDTree(xyz)
    dq, iq = tree.query(xyz[rows], k=min(k + 1, n))
    is_self = iq == rows[:, None]
    # the k-th smallest chord to another unit (self, when listed, sits at chord 0)
    dq = np.where(is_self, np.inf, dq)
    kth = np.sort(dq, axis=1)[:, k - 1]
    cand = tree.query_ball_point(xyz[rows], r=kth * (1 + 1e-9) + 1e-12)
    lens = np.fromiter((len(c) for c in cand), dtype=np.intp, count=len(rows))
    r_pos = np.repeat(np.arange(len(rows)), lens)
    cols = np.concatenate([np.asarray(c, dtype=np.intp) for c in cand]) if len(rows) else \
        np.empty(0, np.intp)
    keep = cols != rows[r_pos]
    r_pos, cols = r_pos[keep], cols[keep]
    dist = pts.km(rows[r_pos], cols)
    order = np.lexsort((cols, np.round(dist, TIE_DECIMALS), r_pos))
    r_pos, cols, dist = r_pos[order], cols[order], dist[order]
    starts = np.searchsorted(r_pos, np.arange(len(rows)))
    rank = np.arange(len(r_pos)) - starts[r_pos]
    take = rank < k
    return cols[take].reshape(len(rows), k), dist[take].reshape(len(rows), k)


def pairs_within(pts: Points, km: float) -> tuple[IntArray, IntArray, FloatArray]:
    """All ordered pairs ``(i, j)``, ``i != j``, with great-circle distance ``<= km``."""
    n = pts.n
    if n <= DENSE_SEARCH_MAX:
        d = pts.dense_km()
        np.fill_diagonal(d, np.inf)
        i, j = np.nonzero(d <= km)
        return i.astype(np.intp), j.astype(np.intp), d[i, j]
    from scipy.spatial import cKDTree

    tree = cKDTree(pts.unit_vectors())
    pairs = tree.query_pairs(_chord(km) * (1 + 1e-9) + 1e-12, output_type="ndarray")
    a, b = pairs[:, 0].astype(np.intp), pairs[:, 1].astype(np.intp)
    d = pts.km(a, b)
    ok = d <= km
    a, b, d = a[ok], b[ok], d[ok]
    i, j = np.concatenate([a, b]), np.concatenate([b, a])
    return i, j, np.concatenate([d, d])
