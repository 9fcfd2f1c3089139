"""Convert coordinates between GCJ-02 (Chinese web maps) and WGS84.

Chinese web maps (Amap/Gaode, Tencent, Google Maps in China) publish coordinates in
GCJ-02, WGS84 shifted by a smooth, deterministic offset of a few hundred metres. The
polygons cityres bundles come from Amap, so they are converted here, at build time, and
every file says which system it uses. Inside cityres all coordinates are WGS84.

The forward transform is the publicly circulated GCJ-02 formula; the inverse is solved
by fixed-point iteration, which is exact to far below 1e-7 degrees (the one-step
approximation ``wgs = 2 * gcj - f(gcj)`` common on the web is off by up to ~1 m).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cityres._shared.errors import ArgumentError, ArgumentTypeError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["GCJ02_ATTR", "gcj02_to_wgs84", "in_china_box", "to_wgs84", "wgs84_to_gcj02"]

#: ``GeoDataFrame.attrs`` key naming the coordinate system of a frame's geometry.
#: :func:`to_wgs84` converts a frame whose ``attrs[GCJ02_ATTR] == "GCJ-02"``.
GCJ02_ATTR = "coordinates"

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
# The rectangle outside which the standard algorithm applies no shift.
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271

_TOL = 1e-12  # degrees; the iteration stops when every point moved less than this
_MAX_ITER = 30

FloatArray = NDArray[np.float64]


def _as_coords(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    try:
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ArgumentTypeError(
            f"lon and lat must be numbers or arrays of numbers; got {type(lon).__name__} "
            f"and {type(lat).__name__} ({exc})"
        ) from None
    if x.shape != y.shape:
        raise ArgumentError(
            f"lon and lat must have the same shape; got lon {x.shape} and lat {y.shape}"
        )
    bad = np.abs(y) > 90.0  # NaN compares False and passes through as NaN
    if np.any(bad):
        first = float(y[bad].flat[0])
        raise ArgumentError(
            f"lat must lie in [-90, 90]; {int(np.sum(bad))} value(s) do not, e.g. {first!r} "
            "(were lon and lat swapped?)"
        )
    return x, y


def in_china_box(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Whether points lie in the rectangle where GCJ-02 shifts coordinates.

    Parameters
    ----------
    lon, lat : array_like
        Longitudes and latitudes in degrees, of the same shape.

    Returns
    -------
    numpy.ndarray of bool
        True inside 72.004–137.8347° E, 0.8293–55.8271° N (the rectangle of the standard
        algorithm; it is a rectangle, not China's border).
    """
    x, y = _as_coords(lon, lat)
    return (x >= _LON_MIN) & (x <= _LON_MAX) & (y >= _LAT_MIN) & (y <= _LAT_MAX)


def _offset(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 offset (dlon, dlat) in degrees at WGS84 points (x, y), no box test."""
    u = x - 105.0
    v = y - 35.0
    pi = np.pi
    s = np.sqrt(np.abs(u))
    common = (20.0 * np.sin(6.0 * pi * u) + 20.0 * np.sin(2.0 * pi * u)) * 2.0 / 3.0
    t_lat = (
        -100.0 + 2.0 * u + 3.0 * v + 0.2 * v * v + 0.1 * u * v + 0.2 * s
        + common
        + (20.0 * np.sin(pi * v) + 40.0 * np.sin(pi * v / 3.0)) * 2.0 / 3.0
        + (160.0 * np.sin(pi * v / 12.0) + 320.0 * np.sin(pi * v / 30.0)) * 2.0 / 3.0
    )
    t_lon = (
        300.0 + u + 2.0 * v + 0.1 * u * u + 0.1 * u * v + 0.1 * s
        + common
        + (20.0 * np.sin(pi * u) + 40.0 * np.sin(pi * u / 3.0)) * 2.0 / 3.0
        + (150.0 * np.sin(pi * u / 12.0) + 300.0 * np.sin(pi * u / 30.0)) * 2.0 / 3.0
    )
    phi = np.radians(y)
    w = 1.0 - _EE * np.sin(phi) ** 2
    dlat = t_lat * 180.0 / (_A * (1.0 - _EE) / (w * np.sqrt(w)) * pi)
    dlon = t_lon * 180.0 / (_A / np.sqrt(w) * np.cos(phi) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS84 longitude/latitude to GCJ-02.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitudes and latitudes in degrees, of the same shape (scalars give 0-d
        arrays; use ``float()`` on them).

    Returns
    -------
    lon, lat : numpy.ndarray
        GCJ-02 coordinates, float64, same shape. Points outside the rectangle
        72.004–137.8347° E, 0.8293–55.8271° N are returned unchanged, as the standard
        algorithm does. NaN stays NaN.

    Raises
    ------
    ArgumentError
        If the shapes differ or a latitude lies outside [-90, 90].
    ArgumentTypeError
        If the input is not numeric.

    Notes
    -----
    With :math:`u = \\lambda - 105`, :math:`v = \\varphi - 35` (degrees),

    .. math::

        T_\\varphi &= -100 + 2u + 3v + 0.2v^2 + 0.1uv + 0.2\\sqrt{|u|}
            + \\tfrac23[20\\sin 6\\pi u + 20\\sin 2\\pi u]
            + \\tfrac23[20\\sin \\pi v + 40\\sin(\\pi v/3)]
            + \\tfrac23[160\\sin(\\pi v/12) + 320\\sin(\\pi v/30)] \\\\
        T_\\lambda &= 300 + u + 2v + 0.1u^2 + 0.1uv + 0.1\\sqrt{|u|}
            + \\tfrac23[20\\sin 6\\pi u + 20\\sin 2\\pi u]
            + \\tfrac23[20\\sin \\pi u + 40\\sin(\\pi u/3)]
            + \\tfrac23[150\\sin(\\pi u/12) + 300\\sin(\\pi u/30)]

    and, on the Krasovsky ellipsoid (:math:`a = 6378245` m, :math:`e^2 =
    0.00669342162296594323`), with :math:`W = 1 - e^2\\sin^2\\varphi`,

    .. math::

        \\Delta\\varphi = \\frac{180\\, T_\\varphi}{\\pi\\, a(1-e^2) / W^{3/2}}, \\qquad
        \\Delta\\lambda = \\frac{180\\, T_\\lambda}{\\pi\\, (a / W^{1/2}) \\cos\\varphi},

    GCJ-02 = WGS84 + :math:`(\\Delta\\lambda, \\Delta\\varphi)`.

    References
    ----------
    .. [1] "Restrictions on geographic data in China", Wikipedia (section "GCJ-02"),
       https://en.wikipedia.org/wiki/Restrictions_on_geographic_data_in_China
    .. [2] The formula as circulated publicly ("wgtochina_lb"), documented with its
       Krasovsky constants in the eviltransform project,
       https://github.com/googollee/eviltransform

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(121.4737, 31.2304)  # People's Square, Shanghai
    >>> round(float(lon) - 121.4737, 4), round(float(lat) - 31.2304, 4)
    (0.0045, -0.0019)
    """
    x, y = _as_coords(lon, lat)
    dlon, dlat = _offset(x, y)
    inside = (x >= _LON_MIN) & (x <= _LON_MAX) & (y >= _LAT_MIN) & (y <= _LAT_MAX)
    return np.where(inside, x + dlon, x), np.where(inside, y + dlat, y)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol: float = _TOL, max_iter: int = _MAX_ITER
) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 longitude/latitude to WGS84 (exact inverse, by iteration).

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitudes and latitudes in degrees, of the same shape.
    tol : float, default 1e-12
        Stop when no point moves by more than ``tol`` degrees in an iteration.
    max_iter : int, default 30
        Upper bound on iterations (3–5 are needed in practice).

    Returns
    -------
    lon, lat : numpy.ndarray
        WGS84 coordinates, float64, same shape, such that :func:`wgs84_to_gcj02` maps
        them back to the input within ``tol`` (well below 1e-7 degrees, ~1 cm). Points
        outside the rectangle of the standard algorithm are returned unchanged.

    Raises
    ------
    ArgumentError
        If the shapes differ, a latitude lies outside [-90, 90], or ``tol``/``max_iter``
        are not positive.
    ArgumentTypeError
        If the input is not numeric.

    Notes
    -----
    With :math:`F(w) = w + \\Delta(w)` the forward transform (see
    :func:`wgs84_to_gcj02`), the WGS84 point :math:`w` of a GCJ-02 point :math:`g`
    solves :math:`F(w) = g`. Starting from :math:`w_0 = g`, iterate

    .. math:: w_{k+1} = w_k - (F(w_k) - g).

    The offset :math:`\\Delta` varies slowly (its derivatives are of order
    :math:`10^{-3}`), so the map is a contraction and each step gains about three
    decimal digits. Each point stops when its own step is below ``tol``, so its result
    does not depend on the other points in the call (vertices shared by two polygons
    convert identically). Whether a point is shifted is decided on the input, as the
    standard algorithm does.

    References
    ----------
    .. [1] "Restrictions on geographic data in China", Wikipedia,
       https://en.wikipedia.org/wiki/Restrictions_on_geographic_data_in_China
    .. [2] googollee/eviltransform (the exact inverse by iteration),
       https://github.com/googollee/eviltransform

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(120.5853, 31.2989)  # Suzhou
    >>> back = gcj02_to_wgs84(lon, lat)
    >>> abs(float(back[0]) - 120.5853) < 1e-9 and abs(float(back[1]) - 31.2989) < 1e-9
    True
    """
    if not (tol > 0 and max_iter >= 1):
        raise ArgumentError(f"tol must be > 0 and max_iter >= 1; got tol={tol!r}, "
                            f"max_iter={max_iter!r}")
    gx, gy = _as_coords(lon, lat)
    inside = (gx >= _LON_MIN) & (gx <= _LON_MAX) & (gy >= _LAT_MIN) & (gy <= _LAT_MAX)
    inside &= np.isfinite(gx) & np.isfinite(gy)
    wx, wy = gx.copy(), gy.copy()
    # Each point iterates until its own step is below tol and then stays put, so a point
    # converts to the same value whatever else is in the array (shared polygon vertices
    # stay identical, and coverages stay valid).
    active = np.flatnonzero(inside)
    for _ in range(max_iter):
        if active.size == 0:
            break
        x, y = wx.flat[active], wy.flat[active]
        dlon, dlat = _offset(x, y)
        ex = x + dlon - gx.flat[active]
        ey = y + dlat - gy.flat[active]
        wx.flat[active] = x - ex
        wy.flat[active] = y - ey
        active = active[(np.abs(ex) >= tol) | (np.abs(ey) >= tol)]
    return wx, wy


def to_wgs84(
    gdf: gpd.GeoDataFrame, *, source: Literal["gcj02", "attrs"] = "attrs"
) -> gpd.GeoDataFrame:
    """Return a copy of a GCJ-02 GeoDataFrame with its geometry converted to WGS84.

    GCJ-02 has no EPSG code, and GCJ-02 data usually come labelled EPSG:4326, so the
    frame's CRS cannot say which system it is in: the caller must.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The frame to convert. Its active geometry column is converted vertex by vertex.
    source : {"attrs", "gcj02"}, default "attrs"
        ``"attrs"``: convert only if ``gdf.attrs["coordinates"] == "GCJ-02"`` (the flag
        cityres sets on frames read from GCJ-02 sources), otherwise raise.
        ``"gcj02"``: the caller asserts the geometry is GCJ-02.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with WGS84 geometry, CRS EPSG:4326 and ``attrs["coordinates"] = "WGS84"``.

    Raises
    ------
    ArgumentError
        If ``source`` is not accepted, or is ``"attrs"`` and the frame is not flagged
        as GCJ-02.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> gcj = gpd.GeoDataFrame(geometry=[Point(121.4782, 31.2285)], crs=4326)
    >>> gcj.attrs["coordinates"] = "GCJ-02"
    >>> wgs = to_wgs84(gcj)
    >>> wgs.attrs["coordinates"], round(float(wgs.geometry.x.iloc[0]), 4)
    ('WGS84', 121.4737)
    """
    import geopandas as gpd
    import shapely

    if source not in ("attrs", "gcj02"):
        raise ArgumentError(f"source must be 'attrs' or 'gcj02'; got {source!r}")
    flag = gdf.attrs.get(GCJ02_ATTR)
    if source == "attrs" and flag != "GCJ-02":
        raise ArgumentError(
            f"the frame is not flagged as GCJ-02 (attrs[{GCJ02_ATTR!r}] is {flag!r}); set "
            f"gdf.attrs[{GCJ02_ATTR!r}] = 'GCJ-02' or pass source='gcj02' if you know it is"
        )

    def convert(xy: Any) -> Any:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    geoms = shapely.transform(np.asarray(gdf.geometry.values, dtype=object), convert)
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs="EPSG:4326")
    out = out.set_crs("EPSG:4326", allow_override=True)
    out.attrs = {**gdf.attrs, GCJ02_ATTR: "WGS84"}
    return out
