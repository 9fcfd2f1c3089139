"""Weights from a study-file spec: ``"queen"`` or ``{ kind = "distance_band", km = 300 }``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices
from cityres.spatial.weights.contiguity import contiguity
from cityres.spatial.weights.core import Weights
from cityres.spatial.weights.distance import distance_band, inverse_distance, knn
from cityres.spatial.weights.economic import economic, nested
from cityres.spatial.weights.io import read_weights

__all__ = ["KINDS", "weights_from_spec"]

#: The keys each kind accepts besides ``kind``, ``row_standardise`` and ``name``.
KINDS: Mapping[str, tuple[str, ...]] = {
    "queen": ("islands", "coordinates"),
    "rook": ("islands", "coordinates"),
    "knn": ("k", "points", "coordinates"),
    "distance_band": ("km", "binary", "power", "islands", "points", "coordinates"),
    "inverse_distance": ("power", "cutoff_km", "islands", "points", "coordinates"),
    "economic": ("column", "years"),
    "nested": ("column", "years", "form", "phi", "power", "points", "coordinates"),
    "file": ("path", "file", "format"),
}
_COMMON = ("kind", "row_standardise", "name")
_POINTS = ("cities", "centroid", "representative")


def _where(panel: Any, points: object) -> tuple[Any, dict[str, Any]]:
    """What the distance builders measure from, given the spec's ``points``."""
    if points not in _POINTS:
        raise ArgumentError(f"points must be {format_choices(_POINTS)} (the city table's "
                            "lon/lat, or the centroids or representative points of the "
                            f"panel's polygons); got {points!r}")
    if points == "cities":
        return panel, {}
    geo = panel.geometry
    if geo is None:
        raise ArgumentError(f"points={points!r} needs polygons but the panel has no geometry; "
                            "use points='cities'")
    return geo, {"point": points}


def weights_from_spec(spec: str | Mapping[str, Any], panel: Any, *,
                      base: str | os.PathLike[str] | None = None) -> Weights:
    """Build the weights a study file asks for, for the cities of ``panel``.

    Parameters
    ----------
    spec : str or mapping
        A kind (``"queen"``, ``"rook"``, ``"knn"``, ``"distance_band"``,
        ``"inverse_distance"``, ``"economic"``, ``"nested"``) with its defaults, or a
        mapping with ``kind`` and the builder's keyword arguments, e.g.
        ``{"kind": "distance_band", "km": 300}``, ``{"kind": "economic", "column":
        "gdp_pc"}``, ``{"kind": "file", "path": "w.gal"}`` (``kind`` may be omitted when
        ``path``/``file`` is given). Also accepted: ``row_standardise`` (bool, default
        True), ``name`` (a label for tables; ignored here), and for the distance kinds
        ``points``: ``"cities"`` (the city table's lon/lat, default), ``"centroid"`` or
        ``"representative"`` (of the panel's polygons).
    panel : CityPanel
        The cities (the result follows their order) and, for economic kinds, the data.
    base : path-like, optional
        Directory that a relative ``path`` is relative to (the study file's).

    Returns
    -------
    Weights
        In the panel's city order, row-standardised unless ``row_standardise = false``.

    Raises
    ------
    ArgumentError
        Unknown kind or key (listing the accepted ones), a missing required key, or a
        bad value (from the builder).
    WeightsError
        Weights that cannot be built, or whose cities differ from the panel's.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import weights_from_spec
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = weights_from_spec({"kind": "distance_band", "km": 300}, p)
    >>> w.kind, w.transform
    ('distance_band', 'row')
    """
    if isinstance(spec, str):
        opts: dict[str, Any] = {"kind": spec}
    elif isinstance(spec, Mapping):
        opts = {str(k): v for k, v in spec.items()}
    else:
        raise ArgumentTypeError("a weights spec is a kind (e.g. 'queen') or a table such as "
                                "{ kind = 'distance_band', km = 300 }; got "
                                f"{type(spec).__name__}")
    if "kind" not in opts and ("path" in opts or "file" in opts):
        opts["kind"] = "file"
    kind = opts.pop("kind", None)
    if kind not in KINDS:
        raise ArgumentError(f"weights kind must be {format_choices(KINDS)}; got {kind!r}")
    standardise = opts.pop("row_standardise", True)
    if not isinstance(standardise, bool):
        raise ArgumentError(f"row_standardise must be true or false; got {standardise!r}")
    opts.pop("name", None)
    unknown = sorted(set(opts) - set(KINDS[kind]))
    if unknown:
        raise ArgumentError(f"weights kind {kind!r} does not take {', '.join(map(repr, unknown))}"
                            f"; it accepts {format_choices((*_COMMON, *KINDS[kind]))}")
    w = _build(str(kind), opts, panel, base)
    w = w.reorder(panel.city_ids, what="the panel")
    return w.row_standardise() if standardise else w


def _build(kind: str, opts: dict[str, Any], panel: Any,
           base: str | os.PathLike[str] | None) -> Weights:
    if kind in ("queen", "rook"):
        return contiguity(panel, kind, **opts)  # type: ignore[arg-type]
    if kind in ("economic", "nested"):
        if "column" not in opts:
            raise ArgumentError(f"weights kind {kind!r} needs column = '<indicator>' (e.g. "
                                "'gdp_pc')")
        if kind == "economic":
            return economic(panel, **opts)
        geo, extra = _where(panel, opts.pop("points", "cities"))
        return nested(geo, panel, **opts, **extra)
    if kind == "file":
        if ("path" in opts) == ("file" in opts):
            raise ArgumentError("weights kind 'file' needs path = '<file>' (.gal, .gwt or "
                                ".csv; or format = 'matrix-csv')")
        raw = Path(str(opts.pop("path", None) or opts.pop("file")))
        path = raw if raw.is_absolute() or base is None else Path(base) / raw
        return read_weights(path, format=opts.get("format"))
    geo, extra = _where(panel, opts.pop("points", "cities"))
    builder = {"knn": knn, "distance_band": distance_band,
               "inverse_distance": inverse_distance}[kind]
    return builder(geo, **opts, **extra)  # type: ignore[operator]
