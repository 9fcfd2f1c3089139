"""The standard deviational ellipse in a plane, its outline on the globe, and the plane.

See ``docs/methods/pattern.md`` for the formulas and the scaling conventions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, format_choices
from cityres.spatial.sphere import great_circle_km, initial_bearing

Correction = Literal["none", "sqrt2", "crimestat"]
_CORRECTIONS: tuple[str, ...] = ("none", "sqrt2", "crimestat")


# --------------------------------------------------------------------- planar core
@dataclass(frozen=True)
class Ellipse:
    """A standard deviational ellipse in a plane (what the array-level function returns).

    ``sigma_y`` is the semi-axis along ``rotation_deg`` (the major one), ``sigma_x`` the
    semi-axis at right angles to it (the minor one); both already scaled by ``std`` and the
    correction. ``rotation_deg`` is the angle of the major axis clockwise from the plane's
    north (the +y axis), in [0, 180).
    """

    centre_x: float
    centre_y: float
    sigma_x: float
    sigma_y: float
    rotation_deg: float
    n: int

    @property
    def area(self) -> float:
        """π · σ_x · σ_y."""
        return float(np.pi * self.sigma_x * self.sigma_y)

    @property
    def shape_index(self) -> float:
        """Minor over major semi-axis, σ_x / σ_y, in [0, 1] (1 = a circle)."""
        return float(self.sigma_x / self.sigma_y) if self.sigma_y > 0 else float("nan")


def standard_deviational_ellipse(
    xy: np.ndarray | Sequence[Sequence[float]],
    weights: np.ndarray | Sequence[float] | None = None,
    *,
    std: float = 1.0,
    correction: Correction = "sqrt2",
) -> Ellipse:
    """Weighted mean centre and standard deviational ellipse of points in a plane.

    Parameters
    ----------
    xy : array of shape (n, 2)
        Planar coordinates (x east, y north), n ≥ 3, finite.
    weights : array of shape (n,), optional
        Non-negative finite weights with a positive sum; equal weights when omitted.
    std : float
        Number of standard deviations (> 0) the semi-axes span.
    correction : {"sqrt2", "none", "crimestat"}
        Extra factor on the semi-axes: √2 (ArcGIS Pro, the default), 1
        (Yuill 1971, pointpats ``method="yuill"`` without corrections) or √(2n / (n − 2))
        (CrimeStat, pointpats' default).

    Returns
    -------
    Ellipse

    Raises
    ------
    ArgumentError
        Bad shape, fewer than 3 points, non-finite values, a negative weight, weights
        summing to 0, ``std`` ≤ 0 or an unknown ``correction``.

    Notes
    -----
    With W = Σwᵢ, x̄ = Σwᵢxᵢ/W, x̃ = x − x̄ (likewise y), A = Σwx̃² − Σwỹ² and
    C = 2Σwx̃ỹ, the major axis points at θ clockwise from north with
    tan θ = (A + √(A² + C²)) / C (Yuill 1971; ArcGIS), and

    σ_y = k·√(Σw(x̃ sinθ + ỹ cosθ)² / W),  σ_x = k·√(Σw(x̃ cosθ − ỹ sinθ)² / W),

    with k = ``std`` × the correction factor.

    References
    ----------
    Yuill, R. S. (1971). The standard deviational ellipse; an updated tool for spatial
    description. *Geografiska Annaler B* 53(1), 28–39.

    Examples
    --------
    >>> from cityres.spatial.pattern import standard_deviational_ellipse
    >>> e = standard_deviational_ellipse([[0, -2], [0, 2], [1, 0], [-1, 0]], correction="none")
    >>> round(e.sigma_y, 6), round(e.sigma_x, 6), e.rotation_deg
    (1.414214, 0.707107, 0.0)
    """
    points = np.asarray(xy, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ArgumentError(f"xy must have shape (n, 2); got {points.shape}")
    n = len(points)
    if n < 3:
        raise ArgumentError(f"the ellipse needs at least 3 points; got {n}")
    if not np.isfinite(points).all():
        raise ArgumentError("xy holds missing or infinite coordinates")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ArgumentError(f"weights must have shape ({n},); got {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ArgumentError("weights must be finite, non-negative and sum to more than 0")
    factor = _scale(std, correction, n)
    total = w.sum()
    cx, cy = (w @ points) / total
    dx, dy = points[:, 0] - cx, points[:, 1] - cy
    a = float(w @ (dx * dx) - w @ (dy * dy))
    c = 2.0 * float(w @ (dx * dy))
    b = float(np.hypot(a, c))
    numerator = a + b if a >= 0 else c * c / (b - a)  # a + b without cancellation
    theta = float(np.arctan2(numerator, c)) % np.pi
    s, k = np.sin(theta), np.cos(theta)
    sigma_y = factor * float(np.sqrt(w @ (dx * s + dy * k) ** 2 / total))
    sigma_x = factor * float(np.sqrt(w @ (dx * k - dy * s) ** 2 / total))
    rotation = float(np.degrees(theta)) % 180.0
    rotation = 0.0 if rotation == 180.0 else rotation
    return Ellipse(float(cx), float(cy), sigma_x, sigma_y, rotation, n)


def _scale(std: float, correction: str, n: int) -> float:
    if correction not in _CORRECTIONS:
        raise ArgumentError(f"correction={correction!r}; accepted: {format_choices(_CORRECTIONS)}")
    if not isinstance(std, int | float | np.number) or not np.isfinite(std) or std <= 0:
        raise ArgumentError(f"std={std!r}; accepted: a positive number (1, 2 or 3 usually)")
    extra = {"none": 1.0, "sqrt2": np.sqrt(2.0), "crimestat": np.sqrt(2.0 * n / (n - 2))}
    return float(std) * float(extra[correction])


# --------------------------------------------------------------------- geodesy
def plane_crs(lon0: float, lat0: float) -> str:
    """PROJ string of the azimuthal equidistant plane (km) centred on ``(lon0, lat0)``."""
    return f"+proj=aeqd +lat_0={float(lat0)!r} +lon_0={float(lon0)!r} +datum=WGS84 +units=km"


def _transformer(crs: str, *, inverse: bool = False) -> Any:
    from pyproj import Transformer

    pair = (crs, "EPSG:4326") if inverse else ("EPSG:4326", crs)
    return Transformer.from_crs(*pair, always_xy=True)


def great_circle(
    lon1: float, lat1: float, lon2: float, lat2: float
) -> tuple[float, float]:
    """Haversine distance (km, R = 6371.0088) and initial bearing (degrees from north).

    The bearing is NaN when the two points coincide.

    Examples
    --------
    >>> from cityres.spatial.pattern import great_circle
    >>> d, b = great_circle(120.0, 0.0, 121.0, 0.0)
    >>> round(d, 3), round(b, 6)
    (111.195, 90.0)
    """
    distance = float(great_circle_km(lon1, lat1, lon2, lat2))
    if distance == 0.0:
        return 0.0, float("nan")
    return distance, float(initial_bearing(lon1, lat1, lon2, lat2))


def ellipse_outline(
    row: pd.Series | dict[str, float], n: int = 180
) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of an ellipse of :attr:`PatternResult.table` (closed ring).

    Parameters
    ----------
    row : pandas.Series or dict
        ``centre_lon``, ``centre_lat``, ``sigma_x_km``, ``sigma_y_km``, ``rotation_deg``
        and, when present, ``origin_lon`` / ``origin_lat`` (the plane the ellipse was
        computed in; else a plane centred on the ellipse).
    n : int
        Number of distinct vertices (≥ 4).

    Returns
    -------
    lon, lat : numpy.ndarray
        ``n + 1`` values each; the last repeats the first.

    Examples
    --------
    >>> from cityres.spatial.pattern import ellipse_outline
    >>> lon, lat = ellipse_outline({"centre_lon": 120.0, "centre_lat": 31.0, "sigma_x_km": 50,
    ...                             "sigma_y_km": 100, "rotation_deg": 0.0}, n=4)
    >>> round(float(lat[0] - 31.0), 2)   # the first vertex ends the major axis, 100 km north
    0.9
    """
    if not isinstance(n, int | np.integer) or n < 4:
        raise ArgumentError(f"n={n!r}; accepted: an integer ≥ 4")
    get = row.get
    needed = ("centre_lon", "centre_lat", "sigma_x_km", "sigma_y_km", "rotation_deg")
    missing = [k for k in needed if get(k) is None]
    if missing:
        raise ArgumentError(f"row lacks {missing}; it needs {list(needed)}")
    lon0, lat0 = get("origin_lon"), get("origin_lat")
    if lon0 is None or lat0 is None or pd.isna(lon0) or pd.isna(lat0):
        lon0, lat0 = get("centre_lon"), get("centre_lat")
    crs = plane_crs(float(lon0), float(lat0))  # type: ignore[arg-type]
    cx, cy = _transformer(crs).transform(float(row["centre_lon"]), float(row["centre_lat"]))
    theta = np.radians(float(row["rotation_deg"]))
    t = np.linspace(0.0, 2.0 * np.pi, int(n) + 1)
    u = float(row["sigma_x_km"]) * np.sin(t)  # along the minor axis (bearing θ + 90°)
    v = float(row["sigma_y_km"]) * np.cos(t)  # along the major axis (bearing θ)
    x = cx + u * np.cos(theta) + v * np.sin(theta)
    y = cy - u * np.sin(theta) + v * np.cos(theta)
    lon, lat = _transformer(crs, inverse=True).transform(x, y)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    lon[-1], lat[-1] = lon[0], lat[0]
    return lon, lat
