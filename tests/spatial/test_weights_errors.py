"""Errors of the weights builders name the cities, files, lines and accepted values.

No peer is needed: each test builds a broken input from the bundled yrd_sim panel or the
41 YRD polygons and checks the exception type and that the message says where.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

import cityres
from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    PanelError,
    WeightsError,
)
from cityres.data import CityPanel
from cityres.spatial.weights import (
    contiguity,
    distance_band,
    economic,
    from_matrix,
    inverse_distance,
    knn,
    nested,
    weights_from_spec,
)


@pytest.fixture(scope="module")
def panel() -> CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def geo() -> gpd.GeoDataFrame:
    return cityres.datasets.geometry("yrd41")


def test_panel_and_geometry_cities_differ(panel: CityPanel, geo: gpd.GeoDataFrame) -> None:
    short = CityPanel(panel.data, panel.cities, geometry=geo.drop(index="310000"))
    with pytest.raises(WeightsError, match=r"not the geometry \(1\): 310000 上海市"):
        contiguity(short)
    data = panel.data.drop(index="330900", level="city")
    extra = CityPanel(data, panel.cities.drop(index="330900"), geometry=geo)
    with pytest.raises(WeightsError, match=r"geometry but not the panel \(1\): 330900 舟山市"):
        contiguity(extra)
    with pytest.raises(WeightsError, match="has no geometry"):
        contiguity(CityPanel(panel.data, panel.cities))


def test_invalid_missing_and_non_polygon_geometry(geo: gpd.GeoDataFrame) -> None:
    bad = geo.copy()
    bowtie = Polygon([(120, 30), (121, 31), (121, 30), (120, 31)])
    bad.loc["320200", "geometry"] = bowtie
    with pytest.raises(WeightsError, match=r"320200 无锡市: Self-intersection.*make_valid"):
        contiguity(bad)
    gone = geo.copy()
    gone.loc["330900", "geometry"] = None
    with pytest.raises(WeightsError, match=r"missing geometry: 330900 舟山市"):
        contiguity(gone)
    pts = geo.copy()
    pts["geometry"] = geo.representative_point()
    with pytest.raises(WeightsError, match=r"not polygonal: 310000 上海市 \(Point\)"):
        contiguity(pts)


def test_islands_and_kind_arguments(geo: gpd.GeoDataFrame) -> None:
    with pytest.raises(ArgumentError, match=r"islands must be 'error', 'nearest', 'knn:K' or"):
        contiguity(geo, islands="drop")
    with pytest.raises(ArgumentError, match=r"kind must be 'queen' or 'rook'"):
        contiguity(geo, "bishop")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="GeoDataFrame"):
        contiguity(pd.DataFrame({"a": [1]}))


def test_missing_and_out_of_range_coordinates(panel: CityPanel) -> None:
    cities = panel.cities.copy()
    cities.loc["320500", "lon"] = np.nan
    holed = CityPanel(panel.data, cities)
    with pytest.raises(WeightsError, match=r"missing coordinates for 1 unit\(s\): 320500 苏州市"):
        distance_band(holed)
    coords = panel.cities[["lat", "lon", "name_zh"]].rename(columns={"lat": "lon", "lon": "lat"})
    with pytest.raises(WeightsError, match=r"310000 上海市 \(lon 31.*swapped"):
        knn(coords)
    with pytest.raises(ArgumentError, match="needs ids="):
        knn(np.zeros((3, 2)))
    with pytest.raises(ArgumentError, match="longitude column"):
        knn(pd.DataFrame({"x": [1.0], "y": [2.0]}))


def test_no_neighbour_within_band(panel: CityPanel) -> None:
    with pytest.raises(WeightsError,
                       match=r"24 unit\(s\) have no neighbour within 70 km: .*330900 舟山市 "
                             r"\(nearest 330200 宁波市 at 73.0 km\).*Use km ≥ [\d.]+"):
        distance_band(panel, km=70)
    kept = distance_band(panel, km=70, islands="keep")
    assert "330900" in kept.islands and len(kept.islands) == 24


def test_bad_k(panel: CityPanel) -> None:
    for k in (0, 41, 2.5, True):
        with pytest.raises(ArgumentError, match=r"1 ≤ k < n = 41"):
            knn(panel, k=k)  # type: ignore[arg-type]


def test_bad_numbers(panel: CityPanel) -> None:
    with pytest.raises(ArgumentError, match="km must be a finite number > 0"):
        distance_band(panel, km=-1)
    with pytest.raises(ArgumentTypeError, match="power must be a number"):
        inverse_distance(panel, power="2")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"phi must be a number in \[0, 1\]"):
        nested(panel, panel, "gdp_pc", phi=1.5)


def test_coincident_points() -> None:
    xy = np.array([[120.0, 30.0], [120.0, 30.0], [121.0, 31.0]])
    with pytest.raises(WeightsError, match=r"coincident points.*a and b"):
        inverse_distance(xy, ids=["a", "b", "c"])


def test_economic_missing_value_and_equal_means(panel: CityPanel) -> None:
    data = panel.data.copy()
    data.loc[("320500", 2015), "gdp_pc"] = np.nan
    with pytest.raises(PanelError, match=r"320500 苏州市/2015"):
        economic(CityPanel(data, panel.cities), "gdp_pc")
    assert economic(CityPanel(data, panel.cities), "gdp_pc", years=[2016, 2017]).n == 41
    frame = pd.DataFrame({"city": ["310000", "310000", "320100", "320100", "320200", "320200"],
                          "year": [2020, 2021] * 3, "x": [1.0, 3.0, 2.0, 2.0, 5.0, 6.0]})
    small = CityPanel.from_frame(frame)
    with pytest.raises(WeightsError, match=r"same mean x.*310000 上海市 and 320100 南京市"):
        economic(small, "x")
    with pytest.raises(ArgumentError, match=r"column='GDP_P' is not a column.*gdp_pc"):
        economic(panel, "GDP_P")
    with pytest.raises(ArgumentError, match=r"not in the panel: \[1999\]"):
        economic(panel, "gdp_pc", years=[1999, 2015])


def test_nested_city_sets_differ(panel: CityPanel) -> None:
    coords = panel.cities[["lon", "lat"]].drop(index="341800")
    with pytest.raises(WeightsError, match=r"panel only \(1\): 341800 宣城市"):
        nested(coords, panel, "gdp_pc")


def test_from_matrix_errors() -> None:
    ids = ["310000", "320100", "330100"]
    frame = pd.DataFrame(np.ones((3, 3)) - np.eye(3), index=ids,
                         columns=["310000", "320100", "340100"])
    with pytest.raises(WeightsError, match=r"index only: 330100; in the columns only: 340100"):
        from_matrix(frame)
    with pytest.raises(WeightsError, match="square"):
        from_matrix(np.zeros((2, 3)), ids=ids[:2])
    neg = np.ones((3, 3)) - np.eye(3)
    neg[0, 2] = -1
    with pytest.raises(WeightsError,
                       match=r"negative weights at \(row, column\) \(310000, 330100\)"):
        from_matrix(neg, ids=ids)
    nan = np.ones((3, 3)) - np.eye(3)
    nan[1, 0] = np.nan
    with pytest.raises(WeightsError, match=r"missing or infinite .* \(320100, 310000\)"):
        from_matrix(nan, ids=ids)
    with pytest.raises(WeightsError, match=r"non-zero diagonal .* \(320100, 320100\)"):
        from_matrix(np.ones((3, 3)), ids=ids)
    asym = np.array([[0, 1, 0], [2, 0, 0], [0, 0, 0]], float)
    with pytest.raises(WeightsError, match=r"w\[310000, 320100\] = 1 but w\[320100, 310000\] = 2"):
        from_matrix(asym, ids=ids, require_symmetric=True)
    with pytest.raises(ArgumentError, match="needs ids="):
        from_matrix(asym)
    with pytest.raises(ArgumentError, match="ids has 2 codes"):
        from_matrix(asym, ids=ids[:2])


def test_spec_errors(panel: CityPanel) -> None:
    with pytest.raises(ArgumentError, match=r"kind must be 'queen', 'rook', .*'file'; got 'hex'"):
        weights_from_spec("hex", panel)
    with pytest.raises(ArgumentError, match=r"does not take 'radius'; it accepts .*'km'"):
        weights_from_spec({"kind": "distance_band", "radius": 300}, panel)
    with pytest.raises(ArgumentError, match="needs column"):
        weights_from_spec({"kind": "economic"}, panel)
    with pytest.raises(ArgumentError, match="row_standardise must be true or false"):
        weights_from_spec({"kind": "queen", "row_standardise": "yes"}, panel)
    with pytest.raises(ArgumentError, match=r"points must be 'cities'"):
        weights_from_spec({"kind": "knn", "points": "seat"}, panel)
    with pytest.raises(ArgumentTypeError):
        weights_from_spec(3, panel)  # type: ignore[arg-type]


def test_spec_file_must_match_panel(panel: CityPanel, tmp_path: object) -> None:
    from pathlib import Path

    from cityres.spatial.weights import write_weights

    geo = panel.geometry
    assert geo is not None
    write_weights(contiguity(geo.drop(index="310000"), islands="keep"),
                  Path(str(tmp_path)) / "w.gal")
    with pytest.raises(WeightsError, match=r"in the panel but not in the weights: 310000"):
        weights_from_spec({"path": "w.gal"}, panel, base=Path(str(tmp_path)))
