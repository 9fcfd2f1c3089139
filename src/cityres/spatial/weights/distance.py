"""Distance weights: distance band, inverse distance and k nearest neighbours.

All distances are great-circle distances (haversine, R = 6371.0088 km) between WGS84
points (see :mod:`cityres.spatial.weights._geo`). Up to 2,000 units the neighbour search
uses the dense distance matrix; above it a scipy ``cKDTree`` on 3-D unit vectors (chord
length is monotone in arc length, so the neighbours are exactly the same), so that
``knn`` and ``distance_band`` stay sparse on lattices of tens of thousands of cells.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import ArgumentError, ArgumentTypeError, WeightsError
from cityres.spatial.weights._geo import (
    DENSE_MAX,
    DISTANCE_RULE,
    TIE_DECIMALS,
    Coordinates,
    PointRule,
    Points,
    as_points,
    nearest,
    pairs_within,
)
from cityres.spatial.weights.contiguity import apply_islands, island_rule_text, parse_islands
from cityres.spatial.weights.core import Weights

__all__ = ["distance_band", "distance_matrix_km", "inverse_distance", "knn"]


def distance_matrix_km(geo_or_coords: Any, *, ids: Sequence[Hashable] | None = None,
                       point: PointRule = "centroid",
                       coordinates: Coordinates = "auto") -> pd.DataFrame:
    """Great-circle distances (km) between all pairs of units, labelled by city code.

    Parameters
    ----------
    geo_or_coords, ids, point, coordinates
        As in :func:`cityres.spatial.weights.distance_band`: a CityPanel (city-table
        lon/lat), a GeoDataFrame/GeoSeries (points, polygon centroids or representative
        points), a DataFrame with ``lon``/``lat`` columns, or an ``(n, 2)`` array with
        ``ids``.

    Returns
    -------
    pandas.DataFrame
        ``n × n``, zero diagonal, index and columns the city codes (str).

    Raises
    ------
    WeightsError
        Missing or out-of-range coordinates (naming the cities), or a GCJ-02 frame with
        ``coordinates="wgs84"``.

    Notes
    -----
    Haversine on a sphere of radius 6371.0088 km (see :func:`great_circle_km`).

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import distance_matrix_km
    >>> d = distance_matrix_km(cityres.datasets.load("yrd_sim"))
    >>> round(d.loc["310000", "320100"])  # Shanghai–Nanjing, city-table coordinates
    263
    """
    pts = as_points(geo_or_coords, ids=ids, point=point, coordinates=coordinates)
    if pts.n > DENSE_MAX:
        raise ArgumentError(f"a dense distance matrix of {pts.n} units would need "
                            f"{pts.n ** 2 * 8 / 1e9:.1f} GB; use knn or distance_band, which "
                            "stay sparse")
    idx = pd.Index(list(pts.ids), name="city", dtype=object)
    return pd.DataFrame(pts.dense_km(), index=idx, columns=idx.rename(None))


def _positive(value: object, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ArgumentTypeError(f"{argument} must be a number; got {type(value).__name__}")
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise ArgumentError(f"{argument} must be a finite number > 0; got {value!r}")
    return v


def _coincident(pts: Points, i: np.ndarray, j: np.ndarray, d: np.ndarray) -> list[str]:
    """'a and b' for each unordered pair at distance 0."""
    zero = (d == 0) & (i < j)
    return [f"{pts.label(a)} and {pts.label(b)}" for a, b in zip(i[zero], j[zero], strict=True)]


def _no_coincident(pts: Points, i: np.ndarray, j: np.ndarray, d: np.ndarray) -> None:
    same = _coincident(pts, i, j, d)
    if same:
        raise WeightsError(f"coincident points have distance 0 and no inverse-distance weight: "
                           f"{'; '.join(same[:10])}{' …' if len(same) > 10 else ''}; merge or "
                           "move them")


def _params(pts: Points, **kw: Any) -> dict[str, Any]:
    return {**kw, "points": pts.source, "distance": DISTANCE_RULE}


def _band_islands(pts: Points, m: sp.csr_array, km: float) -> None:
    """Raise naming the units with no neighbour within ``km`` and their nearest distance."""
    isl = np.flatnonzero(np.diff(m.indptr) == 0)
    if isl.size == 0:
        return
    cols, dist = nearest(pts, 1, isl)
    shown = ", ".join(f"{pts.label(i)} (nearest {pts.label(int(c[0]))} at {d[0]:.1f} km)"
                      for i, c, d in zip(isl[:20], cols, dist, strict=False))
    need = math.ceil(float(dist[:, 0].max()) * 10) / 10
    raise WeightsError(f"{isl.size} unit(s) have no neighbour within {km:g} km: {shown}"
                       f"{' …' if isl.size > 20 else ''}. Use km ≥ {need:g} so that every unit "
                       f"has one, or choose a rule: {island_rule_text()}")


def distance_band(geo_or_coords: Any, km: float = 300, *, binary: bool = True,
                  power: float = 1, islands: str = "error",
                  ids: Sequence[Hashable] | None = None, point: PointRule = "centroid",
                  coordinates: Coordinates = "auto") -> Weights:
    """Distance-band weights: neighbours within ``km`` of great-circle distance.

    Parameters
    ----------
    geo_or_coords : CityPanel, GeoDataFrame, GeoSeries, DataFrame or (n, 2) array
        Where the units are: a panel's city-table ``lon``/``lat``; points, or polygons
        (their centroids or representative points, see ``point``); a DataFrame with
        ``lon``/``lat`` columns indexed by code; or an array of ``lon, lat`` with ``ids``.
    km : float, default 300
        The band, inclusive: :math:`j` is a neighbour of :math:`i` when
        :math:`d_{ij} \\le` ``km``.
    binary : bool, default True
        Weight 1 for every neighbour, else :math:`d_{ij}^{-\\text{power}}`.
    power : float, default 1
        Distance decay when ``binary=False``.
    islands : {"error", "nearest", "knn:K", "keep"}
        A unit with no neighbour within ``km``: raise naming it and its nearest distance
        (default), link it to its nearest unit(s) (weight by the same rule, both ways), or
        keep it with a zero row.
    ids : sequence, optional
        City codes of the rows of an array of coordinates.
    point : {"centroid", "representative"}
        For polygons: equal-area centroid (default) or representative point.
    coordinates : {"auto", "wgs84", "gcj02"}
        Datum of the input; GCJ-02 is converted to WGS84 with a note, never mixed.

    Returns
    -------
    Weights
        Symmetric, ``kind="distance_band"``, not standardised.

    Raises
    ------
    WeightsError
        Missing or out-of-range coordinates; units without neighbours (``islands="error"``);
        coincident points with ``binary=False``.
    ArgumentError
        ``km`` or ``power`` not > 0; an unknown islands rule.

    Notes
    -----
    :math:`w_{ij} = 1` (or :math:`d_{ij}^{-p}`) if :math:`0 < d_{ij} \\le` ``km``, with
    :math:`d_{ij}` the haversine distance on a sphere of radius 6371.0088 km.

    References
    ----------
    .. [1] Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer, ch. 3.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import distance_band
    >>> w = distance_band(cityres.datasets.load("yrd_sim"), km=300)
    >>> w.kind, w.n, w.islands
    ('distance_band', 41, ())
    """
    km_arg, power_arg = km, power
    if not isinstance(binary, bool | np.bool_):
        raise ArgumentTypeError(f"binary must be True or False; got {binary!r}")
    km = _positive(km, "km")
    power = _positive(power, "power")
    rule = parse_islands(islands)
    pts = as_points(geo_or_coords, ids=ids, point=point, coordinates=coordinates)
    i, j, d = pairs_within(pts, km)
    if not binary:
        same = _coincident(pts, i, j, d)
        if same:
            raise WeightsError("coincident points have distance 0 and no inverse-distance "
                               f"weight: {'; '.join(same[:10])}; use binary=True or merge them")
        w = d ** -power
    else:
        w = np.ones_like(d)
    m = sp.csr_array((w, (i, j)), shape=(pts.n, pts.n))
    if rule < 0:
        _band_islands(pts, m, km)

    def decay(dist: np.ndarray) -> np.ndarray:
        return np.ones_like(dist) if binary else dist ** -power

    m, notes = apply_islands(m, pts.ids, rule, points=lambda: pts, names=dict(pts.names),
                             why=f"neighbour within {km:g} km", weight=decay)
    params = _params(pts, km=km_arg, binary=binary,
                     **({} if binary else {"power": power_arg}), islands=islands)
    return Weights(m, pts.ids, kind="distance_band", params=params,
                   notes=(*pts.notes, *[n for n in notes if n not in pts.notes]))


def inverse_distance(geo_or_coords: Any, *, power: float = 1, cutoff_km: float | None = None,
                     islands: str = "error", ids: Sequence[Hashable] | None = None,
                     point: PointRule = "centroid",
                     coordinates: Coordinates = "auto") -> Weights:
    """Inverse-distance weights :math:`w_{ij} = d_{ij}^{-\\text{power}}`.

    Parameters
    ----------
    geo_or_coords, ids, point, coordinates
        Where the units are, as in :func:`distance_band`.
    power : float, default 1
        Distance decay (2 gives the inverse squared distance, a gravity form).
    cutoff_km : float, optional
        Keep only pairs within this distance (inclusive); all pairs when omitted.
    islands : {"error", "nearest", "knn:K", "keep"}
        With a cutoff, what to do with units that have no pair within it (see
        :func:`distance_band`).

    Returns
    -------
    Weights
        Symmetric, ``kind="inverse_distance"``, not standardised (row-standardise with
        :meth:`Weights.row_standardise`).

    Raises
    ------
    WeightsError
        Coincident points (distance 0), naming them; missing coordinates; islands under
        a cutoff with ``islands="error"``.
    ArgumentError
        ``power``/``cutoff_km`` not > 0, or more than 5,000 units without a cutoff (the
        matrix would be dense).

    Notes
    -----
    :math:`w_{ij} = d_{ij}^{-p}` for :math:`i \\ne j` (and :math:`d_{ij} \\le` cutoff),
    :math:`w_{ii} = 0`; great-circle distances in km.

    References
    ----------
    .. [1] Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer, ch. 3.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import inverse_distance
    >>> w = inverse_distance(cityres.datasets.load("yrd_sim"))
    >>> w.links == 41 * 40
    True
    """
    power_arg = power
    power = _positive(power, "power")
    cut = None if cutoff_km is None else _positive(cutoff_km, "cutoff_km")
    rule = parse_islands(islands)
    pts = as_points(geo_or_coords, ids=ids, point=point, coordinates=coordinates)
    if cut is None:
        if pts.n > DENSE_MAX:
            raise ArgumentError(f"inverse distance over all pairs of {pts.n} units is a dense "
                                f"matrix ({pts.n ** 2 * 8 / 1e9:.1f} GB); pass cutoff_km= or "
                                "use knn/distance_band")
        full = pts.dense_km()
        np.fill_diagonal(full, np.inf)
        zi, zj = np.nonzero(full == 0)
        _no_coincident(pts, zi, zj, np.zeros(len(zi)))
        m = sp.csr_array(full ** -power)
    else:
        i, j, d = pairs_within(pts, cut)
        _no_coincident(pts, i, j, d)
        m = sp.csr_array((d ** -power, (i, j)), shape=(pts.n, pts.n))
    notes: list[str] = []
    if cut is not None:
        if rule < 0:
            _band_islands(pts, m, cut)
        m, notes = apply_islands(m, pts.ids, rule, points=lambda: pts, names=dict(pts.names),
                                 why=f"neighbour within {cut:g} km",
                                 weight=lambda dist: dist ** -power)
    params = _params(pts, power=power_arg, **({} if cut is None else {"cutoff_km": cutoff_km,
                                                                        "islands": islands}))
    return Weights(m, pts.ids, kind="inverse_distance", params=params,
                   notes=(*pts.notes, *[n for n in notes if n not in pts.notes]))


def knn(geo_or_coords: Any, k: int = 4, *, ids: Sequence[Hashable] | None = None,
        point: PointRule = "centroid", coordinates: Coordinates = "auto") -> Weights:
    """k-nearest-neighbour weights by great-circle distance.

    Parameters
    ----------
    geo_or_coords, ids, point, coordinates
        Where the units are, as in :func:`distance_band`.
    k : int, default 4
        Number of neighbours of each unit, ``1 ≤ k < n``.

    Returns
    -------
    Weights
        Binary, ``kind="knn"``; each row has exactly ``k`` neighbours. Not symmetric in
        general (``j`` among the k nearest of ``i`` does not make ``i`` among those of
        ``j``); a note says so. :meth:`Weights.symmetrise` gives ``(W + Wᵀ)/2``.

    Raises
    ------
    ArgumentError
        ``k`` not a whole number with ``1 ≤ k < n``.
    WeightsError
        Missing or out-of-range coordinates.

    Notes
    -----
    :math:`w_{ij} = 1` if :math:`j` is among the :math:`k` units nearest to :math:`i`.
    Ties: distances equal to within 1e-9 km count as equal and the unit that comes first
    in the input wins; rows where the k-th and (k+1)-th distances tie are named in the
    notes.

    References
    ----------
    .. [1] Anselin, L. (2002). Under the hood: issues in the specification and
       interpretation of spatial regression models. *Agricultural Economics* 27(3),
       247–267.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import knn
    >>> w = knn(cityres.datasets.load("yrd_sim"), k=4)
    >>> set(w.cardinalities)
    {4}
    """
    pts = as_points(geo_or_coords, ids=ids, point=point, coordinates=coordinates)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k < pts.n:
        raise ArgumentError(f"k must be a whole number with 1 ≤ k < n = {pts.n} (the number "
                            f"of units); got {k!r}")
    k = int(k)
    kk = k + 1 if k + 1 < pts.n else k
    cols, dist = nearest(pts, kk)
    rows = np.repeat(np.arange(pts.n), k)
    m = sp.csr_array((np.ones(pts.n * k), (rows, cols[:, :k].ravel())), shape=(pts.n, pts.n))
    notes = list(pts.notes)
    if kk > k:
        tied = np.flatnonzero(np.round(dist[:, k - 1], TIE_DECIMALS)
                              == np.round(dist[:, k], TIE_DECIMALS))
        if tied.size:
            shown = ", ".join(pts.label(i) for i in tied[:10]) + (" …" if tied.size > 10 else "")
            notes.append(f"{tied.size} unit(s) have a tie at the {k}-th nearest distance, broken "
                         f"by input order (the earlier unit is the neighbour): {shown}")
    same = _coincident(pts, rows, cols[:, :k].ravel(), dist[:, :k].ravel())
    if same:
        notes.append(f"coincident points (distance 0) are neighbours: {'; '.join(same[:10])}")
    w = Weights(m, pts.ids, kind="knn", params=_params(pts, k=k), notes=tuple(notes))
    if not w.is_symmetric():
        one_way = int((w.sparse - w.sparse.T).count_nonzero()) // 2
        w = Weights(m, pts.ids, kind="knn", params=_params(pts, k=k),
                    notes=(*notes, f"not symmetric: {one_way} link(s) go one way only (j is "
                                   "among i's k nearest but not the reverse)"))
    return w
