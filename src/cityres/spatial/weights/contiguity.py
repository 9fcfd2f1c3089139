"""Contiguity weights (queen, rook) from city polygons, and the islands rule.

The adjacency itself is libpysal's (``Queen``/``Rook.from_dataframe``: polygons sharing a
vertex, or an edge); cityres adds what a study needs around it: city codes as ids, checks
that name the invalid or missing polygons, the panel/geometry match, and an explicit rule
for islands (units with no neighbour) recorded in the weights' notes.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import ArgumentError, ArgumentTypeError, WeightsError, format_choices
from cityres.spatial.weights._geo import (
    DISTANCE_RULE,
    Coordinates,
    Points,
    as_points,
    check_choice,
    label,
    names_of,
    nearest,
    resolve_system,
)
from cityres.spatial.weights.core import Weights, _ids_tuple

__all__ = ["contiguity"]

ISLAND_RULES: tuple[str, ...] = ("error", "nearest", "knn:K", "keep")
_KNN_RULE = re.compile(r"^knn:(\d+)$")


def parse_islands(islands: object) -> int:
    """The islands rule as a number: -1 error, 0 keep, K ≥ 1 link to the K nearest."""
    if isinstance(islands, str):
        if islands == "error":
            return -1
        if islands == "keep":
            return 0
        if islands == "nearest":
            return 1
        m = _KNN_RULE.match(islands.strip())
        if m and int(m.group(1)) >= 1:
            return int(m.group(1))
    raise ArgumentError(f"islands must be {format_choices(ISLAND_RULES)} (K a whole number ≥ 1, "
                        f"e.g. 'knn:2'); got {islands!r}")


def island_rule_text() -> str:
    """The accepted islands rules, for error messages."""
    return ("islands='nearest' (link each island to its nearest unit by great-circle "
            "distance, both ways), islands='knn:K' (to its K nearest), or islands='keep' "
            "(keep it with a zero row)")


def apply_islands(m: sp.csr_array, ids: tuple[str, ...], rule: int, *,
                  points: Callable[[], Points], names: dict[str, str], why: str,
                  weight: Callable[[np.ndarray], np.ndarray] | None = None,
                  hint: str = "") -> tuple[sp.csr_array, list[str]]:
    """Apply an islands rule to ``m``; return the new matrix and the notes.

    ``why`` completes "had no …" (e.g. ``"rook neighbour"``); ``weight`` maps distances
    (km) to link weights (default 1); ``points`` is called only when islands are linked.
    """
    card = np.diff(m.indptr)
    isl = np.flatnonzero(card == 0)
    if isl.size == 0:
        return m, []
    shown = ", ".join(label(ids[i], names) for i in isl[:20]) + (" …" if isl.size > 20 else "")
    if rule < 0:
        raise WeightsError(f"{isl.size} unit(s) had no {why}: {shown}. Choose a rule: "
                           f"{island_rule_text()}{hint}")
    if rule == 0:
        return m, [f"kept {isl.size} island(s) with no {why} (zero row): {shown}"]
    pts = points()
    if rule >= pts.n:
        raise ArgumentError(f"islands='knn:{rule}' needs fewer than {pts.n} units' neighbours; "
                            f"use K ≤ {pts.n - 1}")
    cols, dist = nearest(pts, rule, isl)
    w = np.ones_like(dist) if weight is None else np.asarray(weight(dist), dtype=float)
    r = np.repeat(isl, rule)
    extra = sp.coo_array((np.concatenate([w.ravel(), w.ravel()]),
                          (np.concatenate([r, cols.ravel()]), np.concatenate([cols.ravel(), r]))),
                         shape=m.shape).tocsr()
    extra.sum_duplicates()
    # two islands linked to each other appear twice: keep one link, not the sum
    extra = sp.csr_array(extra.maximum(extra.T)) if extra.nnz else extra
    out = sp.csr_array(m.maximum(extra))
    notes = list(pts.notes)
    for a, i in enumerate(isl):
        near = ", ".join(f"{label(ids[j], names)} ({d:.1f} km)"
                         for j, d in zip(cols[a], dist[a], strict=True))
        target = "its nearest city" if rule == 1 else f"its {rule} nearest cities"
        notes.append(f"{label(ids[i], names)} had no {why}; linked to {target} {near}, both "
                     f"ways (distance: {DISTANCE_RULE} between {pts.source})")
    return out, notes


def _polygons(geo: Any) -> tuple[Any, tuple[str, ...], dict[str, str]]:
    """The polygons as a GeoDataFrame in id order, the ids and the names."""
    import geopandas as gpd

    from cityres.data.panel import CityPanel

    if isinstance(geo, CityPanel):
        frame = geo.geometry
        if frame is None:
            raise WeightsError("the panel has no geometry; attach polygons (e.g. "
                               "cityres.datasets.geometry('yrd41')) or pass a GeoDataFrame")
        ids = tuple(geo.city_ids)
        names = {**names_of(frame), **names_of(geo.cities)}
        frame = frame.copy()
        frame.index = pd.Index([str(i) for i in frame.index])
        have, want = set(frame.index), set(ids)
        if have != want:
            only_p = [label(i, names) for i in ids if i not in have]
            only_g = [label(i, names) for i in frame.index if i not in want]
            raise WeightsError(
                "the panel's cities and its geometry differ; in the panel but not the "
                f"geometry ({len(only_p)}): {', '.join(only_p[:20]) or 'none'}; in the geometry "
                f"but not the panel ({len(only_g)}): {', '.join(only_g[:20]) or 'none'}")
        _ids_tuple(frame.index, argument="the geometry's index (city codes)")
        return frame.loc[list(ids)], ids, names
    if isinstance(geo, gpd.GeoSeries):
        geo = gpd.GeoDataFrame(geometry=geo)
    if not isinstance(geo, gpd.GeoDataFrame):
        raise ArgumentTypeError("contiguity needs a GeoDataFrame/GeoSeries of polygons indexed "
                                f"by city code, or a CityPanel with geometry; got "
                                f"{type(geo).__name__}")
    ids = _ids_tuple(geo.index, argument="the geometry's index (city codes)")
    return geo, ids, names_of(geo)


def _check_polygons(frame: Any, ids: tuple[str, ...], names: dict[str, str]) -> None:
    import shapely

    geoms = np.asarray(frame.geometry.values, dtype=object)
    missing = [label(ids[i], names) for i, g in enumerate(geoms) if g is None]
    empty = [label(ids[i], names) for i, g in enumerate(geoms)
             if g is not None and shapely.is_empty(g)]
    if missing or empty:
        parts = ([f"missing geometry: {', '.join(missing[:20])}"] if missing else []) + \
                ([f"empty geometry: {', '.join(empty[:20])}"] if empty else [])
        raise WeightsError("every unit needs a polygon; " + "; ".join(parts))
    types = shapely.get_type_id(geoms)
    bad_type = [f"{label(ids[i], names)} ({geoms[i].geom_type})"
                for i in np.flatnonzero(~np.isin(types, (3, 6)))]
    if bad_type:
        raise WeightsError("contiguity needs polygons; not polygonal: "
                           + ", ".join(bad_type[:20]) + "; use distance_band or knn for points")
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if invalid.size:
        shown = "; ".join(f"{label(ids[i], names)}: {shapely.is_valid_reason(geoms[i])}"
                          for i in invalid[:10])
        raise WeightsError(f"{invalid.size} invalid polygon(s) ({shown}); repair them with "
                           "shapely.make_valid (GeoDataFrame.make_valid()) and check the "
                           "result before building contiguity weights")


def contiguity(geo: Any, kind: Literal["queen", "rook"] = "queen", *, islands: str = "error",
               coordinates: Coordinates = "auto") -> Weights:
    """Queen or rook contiguity weights from city polygons.

    Parameters
    ----------
    geo : GeoDataFrame, GeoSeries or CityPanel
        Polygons indexed by city code, or a panel (its ``geometry``, in the panel's city
        order; the panel's cities and the geometry's must be the same).
    kind : {"queen", "rook"}
        ``"queen"``: neighbours share at least a vertex; ``"rook"``: at least an edge.
    islands : {"error", "nearest", "knn:K", "keep"}
        What to do with a unit without neighbours (an island city such as Zhoushan once
        its only neighbour is gone): raise naming it (default); link it, both ways and
        with weight 1, to its nearest unit (or its K nearest) by great-circle distance
        between representative points of the polygons; or keep it with a zero row. Every
        link added is recorded in ``notes`` with its distance.
    coordinates : {"auto", "wgs84", "gcj02"}
        The datum of the polygons, used only to measure island distances (adjacency does
        not depend on it): ``"auto"`` converts a frame flagged GCJ-02 to WGS84.

    Returns
    -------
    Weights
        Binary, symmetric; ``kind`` ``"queen"``/``"rook"``; ``params`` the islands rule.

    Raises
    ------
    WeightsError
        Missing, empty, non-polygonal or invalid polygons (with shapely's reason); panel and
        geometry cities that differ (both lists); islands with ``islands="error"``.
    ArgumentError
        An unknown ``kind`` or islands rule.

    Notes
    -----
    :math:`w_{ij} = 1` when polygons :math:`i` and :math:`j` share a vertex (queen) or an
    edge (rook), else 0. Computed by ``libpysal.weights.Queen``/``Rook.from_dataframe``.

    References
    ----------
    .. [1] Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer, ch. 3.
    .. [2] Rey, S. J. & Anselin, L. (2007). PySAL: a Python library of spatial analytical
       methods. *The Review of Regional Studies* 37(1), 5–27.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import contiguity
    >>> w = contiguity(cityres.datasets.load("yrd_sim"), "queen")
    >>> w.n, w.links, w.neighbours("330900").index.tolist()
    (41, 200, ['310000'])
    """
    check_choice(kind, ("queen", "rook"), "kind")
    rule = parse_islands(islands)
    frame, ids, names = _polygons(geo)
    check_choice(coordinates, ("auto", "wgs84", "gcj02"), "coordinates")
    resolve_system(frame.attrs.get("coordinates"), coordinates, "the geometry")
    _check_polygons(frame, ids, names)
    if len(ids) < 2:
        raise WeightsError(f"contiguity weights need at least 2 polygons; got {len(ids)}")
    import geopandas as gpd
    from libpysal.weights import Queen, Rook

    plain = gpd.GeoDataFrame(geometry=np.asarray(frame.geometry.values, dtype=object),
                             index=pd.Index(list(ids)), crs=frame.crs)
    builder = Queen if kind == "queen" else Rook
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; we apply the rule
        w = builder.from_dataframe(plain, use_index=True, silence_warnings=True)
    m = Weights.from_libpysal(w).reorder(ids, what="the geometry").sparse
    m = sp.csr_array((np.ones_like(m.data), m.indices, m.indptr), shape=m.shape)

    def points() -> Points:
        return as_points(frame, point="representative", coordinates=coordinates)

    m, notes = apply_islands(m, ids, rule, points=points, names=names,
                             why=f"{kind} neighbour")
    return Weights(m, ids, kind=kind, params={"islands": islands}, notes=tuple(notes))
