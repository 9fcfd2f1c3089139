"""Mean centre, standard deviational ellipse and centre moves (cityres.spatial.pattern).

References:
- pointpats 2.5 ``centrography.mean_center``, ``weighted_mean_center`` and ``ellipse``
  computed in the same run on the same projected coordinates (the plane of the result,
  projected with pyproj). pointpats' ``ellipse`` returns (major, minor, angle) with the
  angle counter-clockwise from the x axis in radians; our rotation is clockwise from north,
  so ours = (90° − degrees(angle)) mod 180. Its scalings: ``method="yuill"`` without
  corrections = our ``"none"``, ``crimestatCorr=True`` only = ``"sqrt2"``, its default
  ``"crimestat"`` = ``"crimestat"``. Tolerance 1e-9 (relative) on plane quantities.
- Hand computation: haversine with R = 6371.0088 km (the ``math`` module), points evenly
  spaced on a known ellipse (their √2-scaled SDE is that ellipse, exactly); pyproj's
  ``Geod`` on the sphere of radius 6371.0088 km for distances (1e-9) and bearings (1e-7°).
- Identities (hypothesis): integer weights = repeated points, rotation, translation.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pointpats import centrography
from pyproj import Geod, Transformer

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.data.panel import CityPanel
from cityres.spatial.pattern import (
    EARTH_RADIUS_KM,
    PatternResult,
    centre_and_ellipse,
    ellipse_outline,
    great_circle,
    standard_deviational_ellipse,
)

RTOL = 1e-9
PP_SCALING = {
    "none": {"method": "yuill", "crimestatCorr": False, "degfreedCorr": False},
    "sqrt2": {"method": "yuill", "crimestatCorr": True, "degfreedCorr": False},
    "crimestat": {"method": "crimestat"},
}


@pytest.fixture(scope="module")
def panel() -> CityPanel:
    return cityres.datasets.load("yrd_sim")


def _projected(panel: CityPanel, result: PatternResult) -> np.ndarray:
    to_plane = Transformer.from_crs("EPSG:4326", result.crs, always_xy=True)
    cities = panel.cities.sort_index()
    x, y = to_plane.transform(cities["lon"].to_numpy(), cities["lat"].to_numpy())
    return np.column_stack([x, y])


def _plane_centre(result: PatternResult, year: object) -> np.ndarray:
    to_plane = Transformer.from_crs("EPSG:4326", result.crs, always_xy=True)
    row = result.table.loc[year]
    return np.array(to_plane.transform(row["centre_lon"], row["centre_lat"]))


def _pp_rotation(angle: float) -> float:
    return (90.0 - math.degrees(angle)) % 180.0


def _random_points(seed: int, n: int = 25) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = rng.normal(size=(n, 2)) @ np.array([[120.0, 40.0], [0.0, 60.0]]) + [300.0, -80.0]
    return xy, rng.uniform(0.0, 10.0, n)


# --------------------------------------------------------------------- against pointpats
@pytest.mark.parametrize("correction", ["none", "sqrt2", "crimestat"])
@pytest.mark.parametrize("weighted", [False, True])
def test_planar_ellipse_equals_pointpats(correction: str, weighted: bool) -> None:
    xy, w = _random_points(7)
    weights = w if weighted else None
    ours = standard_deviational_ellipse(xy, weights, correction=correction)  # type: ignore[arg-type]
    major, minor, angle = centrography.ellipse(xy, weights=weights, **PP_SCALING[correction])
    np.testing.assert_allclose([ours.sigma_y, ours.sigma_x], [major, minor], rtol=RTOL)
    assert ours.rotation_deg == pytest.approx(_pp_rotation(angle), rel=RTOL)
    centre = (centrography.weighted_mean_center(xy, w) if weighted
              else centrography.mean_center(xy))
    np.testing.assert_allclose([ours.centre_x, ours.centre_y], centre, rtol=RTOL)


def test_panel_unweighted_equals_pointpats_on_the_plane(panel: CityPanel) -> None:
    result = centre_and_ellipse(panel, years=2015, correction="none")
    xy = _projected(panel, result)
    row = result.table.loc[2015]
    np.testing.assert_allclose(_plane_centre(result, 2015), centrography.mean_center(xy),
                               rtol=RTOL)
    major, minor, angle = centrography.ellipse(xy, **PP_SCALING["none"])
    np.testing.assert_allclose([row["sigma_y_km"], row["sigma_x_km"]], [major, minor], rtol=RTOL)
    assert row["rotation_deg"] == pytest.approx(_pp_rotation(angle), rel=RTOL)
    assert row["n"] == 41
    assert row["area_km2"] == pytest.approx(math.pi * major * minor, rel=RTOL)
    assert row["shape_index"] == pytest.approx(minor / major, rel=RTOL)


def test_panel_weighted_equals_pointpats_on_the_plane(panel: CityPanel) -> None:
    result = centre_and_ellipse(panel, "gdp_pc", years=[2012, 2023])
    xy = _projected(panel, result)
    for year in (2012, 2023):
        w = panel.data.xs(year, level="year")["gdp_pc"].sort_index().to_numpy()
        np.testing.assert_allclose(_plane_centre(result, year),
                                   centrography.weighted_mean_center(xy, w), rtol=RTOL)
        major, minor, angle = centrography.ellipse(xy, weights=w, **PP_SCALING["sqrt2"])
        row = result.table.loc[year]
        np.testing.assert_allclose([row["sigma_y_km"], row["sigma_x_km"]], [major, minor],
                                   rtol=RTOL)
        assert row["rotation_deg"] == pytest.approx(_pp_rotation(angle), rel=RTOL)


def test_plane_is_azimuthal_equidistant_at_the_mean_of_the_cities(panel: CityPanel) -> None:
    result = centre_and_ellipse(panel, "gdp_pc", years=2020)
    origin = result.table.loc[2020, ["origin_lon", "origin_lat"]].to_numpy(dtype=float)
    np.testing.assert_allclose(origin, panel.cities[["lon", "lat"]].mean().to_numpy(), rtol=1e-12)
    assert "+proj=aeqd" in result.crs and "+units=km" in result.crs


# --------------------------------------------------------------------- identities
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.integers(0, 4), min_size=12, max_size=12))
def test_integer_weights_equal_repeated_points(seed: int, counts: list[int]) -> None:
    xy, _ = _random_points(seed, n=12)
    w = np.array(counts, dtype=float)
    if (w > 0).sum() < 3:
        w[:3] += 1.0
    repeated = np.repeat(xy, w.astype(int), axis=0)
    for correction in ("none", "sqrt2"):
        a = standard_deviational_ellipse(xy, w, correction=correction)  # type: ignore[arg-type]
        b = standard_deviational_ellipse(repeated, correction=correction)  # type: ignore[arg-type]
        np.testing.assert_allclose(
            [a.centre_x, a.centre_y, a.sigma_x, a.sigma_y],
            [b.centre_x, b.centre_y, b.sigma_x, b.sigma_y], rtol=1e-9, atol=1e-9)
        gap = abs(a.rotation_deg - b.rotation_deg) % 180.0
        assert min(gap, 180.0 - gap) < 1e-6


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.floats(-360.0, 360.0),
       st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4)))
def test_rotation_and_translation(seed: int, alpha: float, shift: tuple[float, float]) -> None:
    xy, w = _random_points(seed)
    base = standard_deviational_ellipse(xy, w)
    a = math.radians(alpha)  # clockwise by alpha: bearing b → b + alpha
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    moved = xy @ turn + np.asarray(shift)
    other = standard_deviational_ellipse(moved, w)
    np.testing.assert_allclose([other.sigma_x, other.sigma_y], [base.sigma_x, base.sigma_y],
                               rtol=1e-9)
    np.testing.assert_allclose([other.centre_x, other.centre_y],
                               np.array([base.centre_x, base.centre_y]) @ turn + shift,
                               rtol=1e-9, atol=1e-6)
    gap = (other.rotation_deg - base.rotation_deg - alpha) % 180.0
    assert min(gap, 180.0 - gap) < 1e-7


@pytest.mark.parametrize("bearing", [0.0, 30.0, 90.0, 135.0, 170.0])
def test_points_on_a_known_ellipse(bearing: float) -> None:
    """Evenly spaced points on an ellipse (a = 80, b = 30): the √2-scaled SDE is it."""
    t = np.linspace(0.0, 2.0 * np.pi, 36, endpoint=False)
    along, across = 80.0 * np.cos(t), 30.0 * np.sin(t)
    th = math.radians(bearing)  # major axis along (sin θ, cos θ)
    x = 5.0 + along * math.sin(th) + across * math.cos(th)
    y = -7.0 + along * math.cos(th) - across * math.sin(th)
    e = standard_deviational_ellipse(np.column_stack([x, y]))
    np.testing.assert_allclose([e.sigma_y, e.sigma_x], [80.0, 30.0], rtol=1e-12)
    assert e.rotation_deg == pytest.approx(bearing % 180.0, abs=1e-9)
    assert (e.centre_x, e.centre_y) == (pytest.approx(5.0), pytest.approx(-7.0))
    assert e.shape_index == pytest.approx(30.0 / 80.0)
    assert e.area == pytest.approx(math.pi * 80.0 * 30.0)
    half = standard_deviational_ellipse(np.column_stack([x, y]), correction="none", std=2.0)
    assert half.sigma_y == pytest.approx(2.0 * 80.0 / math.sqrt(2.0))


def test_axis_aligned_spreads_and_a_circle() -> None:
    east_west = standard_deviational_ellipse([[-3, 0], [3, 0], [0, 1], [0, -1]])
    north_south = standard_deviational_ellipse([[-1, 0], [1, 0], [0, 3], [0, -3]])
    circle = standard_deviational_ellipse([[-1, 0], [1, 0], [0, 1], [0, -1]])
    assert east_west.rotation_deg == 90.0 and north_south.rotation_deg == 0.0
    assert circle.rotation_deg == 0.0 and circle.shape_index == pytest.approx(1.0)
    assert east_west.sigma_y == pytest.approx(3.0)  # √2 · √(18/4) = 3


# --------------------------------------------------------------------- moves
def _hand_haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_great_circle_against_hand_haversine() -> None:
    assert EARTH_RADIUS_KM == 6371.0088
    for pair in [(121.47, 31.23, 118.80, 32.06), (120.0, 0.0, 121.0, 0.0), (0, 0, 0, 1)]:
        distance, _ = great_circle(*pair)
        assert distance == pytest.approx(_hand_haversine(*pair), rel=1e-12)
    assert great_circle(120.0, 0.0, 121.0, 0.0)[1] == pytest.approx(90.0, abs=1e-12)
    assert great_circle(120.0, 31.0, 120.0, 32.0)[1] == pytest.approx(0.0, abs=1e-12)
    sphere = Geod(a=6371008.8, f=0.0)  # pyproj's geodesic on the same sphere
    for pair in [(120.0, 31.0, 119.0, 30.0), (121.47, 31.23, 118.8, 32.06), (10, -40, 150, 45)]:
        az, _, metres = sphere.inv(*pair)
        distance, bearing = great_circle(*pair)
        assert distance == pytest.approx(metres / 1000.0, rel=1e-9)
        assert (bearing - az + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-7)
    distance, bearing = great_circle(120.0, 31.0, 120.0, 31.0)
    assert distance == 0.0 and math.isnan(bearing)


def _cross_section(lon_shift: float = 0.0, lat: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame({"lon": np.array([100.0, 100.4, 100.8, 100.2]) + lon_shift,
                         "lat": np.array([-0.3, 0.1, 0.4, 0.2]) + lat,
                         "gdp": [1.0, 2.0, 3.0, 4.0]},
                        index=pd.Index(["a", "b", "c", "d"], name="city"))


def test_a_move_due_east_and_its_distance() -> None:
    frames = [_cross_section().assign(year=2020), _cross_section(0.5).assign(year=2021),
              _cross_section(0.5, lat=0.3).assign(year=2023)]
    result = centre_and_ellipse(pd.concat(frames), "gdp")
    path, table = result.path, result.table
    assert list(path["year_from"]) == [2020, 2021] and list(path["year_to"]) == [2021, 2023]
    first = path.iloc[0]
    assert first["bearing_deg"] == pytest.approx(90.0, abs=0.05)
    assert (first["direction"], first["direction_zh"]) == ("E", "东")
    assert (path.iloc[1]["direction"], path.iloc[1]["direction_zh"]) == ("N", "北")
    hand = _hand_haversine(*table.loc[2020, ["centre_lon", "centre_lat"]],
                           *table.loc[2021, ["centre_lon", "centre_lat"]])
    assert first["distance_km"] == pytest.approx(hand, rel=1e-12)
    assert first["distance_km"] == pytest.approx(0.5 * 111.195, rel=5e-3)
    assert path.iloc[1]["speed_km_per_year"] == pytest.approx(path.iloc[1]["distance_km"] / 2)
    assert result.total_distance_km == pytest.approx(path["distance_km"].sum())
    # the shape does not change when the cities all move together (nearly: a new plane)
    np.testing.assert_allclose(table["sigma_y_km"], table["sigma_y_km"].iloc[0], rtol=1e-3)


def test_cross_section_frame_matches_the_panel(panel: CityPanel) -> None:
    frame = panel.cities[["lon", "lat"]].join(panel.data.xs(2019, level="year")["gdp_pc"])
    alone = centre_and_ellipse(frame, "gdp_pc")
    from_panel = centre_and_ellipse(panel, "gdp_pc", years=2019)
    assert list(alone.table.index) == ["all"] and alone.path.empty
    np.testing.assert_allclose(alone.table.to_numpy(dtype=float),
                               from_panel.table.to_numpy(dtype=float), rtol=1e-12)
    assert from_panel.simulated and not alone.simulated


# --------------------------------------------------------------------- outputs
def test_ellipse_polygons_and_outline(panel: CityPanel) -> None:
    result = centre_and_ellipse(panel, "gdp_pc", years=[2011, 2023])
    polygons = result.ellipse_polygons(n=360)
    assert polygons.crs.to_epsg() == 4326 and list(polygons.index) == [2011, 2023]
    equal_area = polygons.to_crs("+proj=laea +lat_0=31 +lon_0=119 +datum=WGS84 +units=km")
    np.testing.assert_allclose(equal_area.area, polygons["area_km2"], rtol=2e-3)
    row = result.table.loc[2023]
    lon, lat = ellipse_outline(row, n=4)
    assert len(lon) == 5 and (lon[0], lat[0]) == (lon[-1], lat[-1])
    geod = Geod(ellps="WGS84")
    for i, semi in ((0, row["sigma_y_km"]), (1, row["sigma_x_km"])):
        az, _, metres = geod.inv(row["centre_lon"], row["centre_lat"], lon[i], lat[i])
        assert metres / 1000 == pytest.approx(semi, rel=2e-3)
        expected = row["rotation_deg"] + 90.0 * i
        assert (az - expected + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=0.5)


def test_tidy_summary_and_immutability(panel: CityPanel) -> None:
    result = centre_and_ellipse(panel, "gdp_pc", years=[2011, 2015, 2023], std=2.0)
    tidy = result.tidy()
    assert list(tidy["year"]) == [2011, 2015, 2023]
    assert tidy["distance_km"].isna().tolist() == [True, False, False]
    text = result.summary()
    assert "SIMULATED" in text and "weighted by 'gdp_pc'" in text and "2 std × √2" in text
    assert "total move" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.std = 1.0  # type: ignore[misc]
    table = result.table
    table.loc[2011, "n"] = 0
    assert result.table.loc[2011, "n"] == 41
    doubled = centre_and_ellipse(panel, "gdp_pc", years=2011, std=1.0)
    assert result.table.loc[2011, "sigma_y_km"] == pytest.approx(
        2 * doubled.table.loc[2011, "sigma_y_km"], rel=1e-12)


# --------------------------------------------------------------------- errors
def _with_weights(values: list[float]) -> pd.DataFrame:
    return _cross_section().assign(gdp=values)


def test_errors_name_the_city_and_year(panel: CityPanel) -> None:
    frame = pd.concat([_cross_section().assign(year=2020), _cross_section().assign(year=2021)])
    frame.loc[(frame.index == "c") & (frame["year"] == 2021), "gdp"] = -1.0
    with pytest.raises(PanelError, match=r"negative weight for city c year 2021"):
        centre_and_ellipse(frame, "gdp")
    frame.loc[(frame.index == "b") & (frame["year"] == 2020), "gdp"] = np.nan
    with pytest.raises(PanelError, match=r"missing weight for city b year 2020"):
        centre_and_ellipse(frame, "gdp")
    with pytest.raises(PanelError, match="sum to 0"):
        centre_and_ellipse(_with_weights([0.0, 0.0, 0.0, 0.0]), "gdp")
    no_lat = _cross_section()
    no_lat.loc["d", "lat"] = np.nan
    with pytest.raises(PanelError, match=r"city\(ies\) d have missing or invalid lon/lat"):
        centre_and_ellipse(no_lat)
    with pytest.raises(PanelError, match="at least 3 cities; year all has 2"):
        centre_and_ellipse(_cross_section().iloc[:2])
    unbalanced = frame.drop(index="a").pipe(
        lambda f: pd.concat([f, _cross_section().loc[["a"]].assign(year=2020)]))
    with pytest.raises(PanelError, match="missing: city a year 2021"):
        centre_and_ellipse(unbalanced)
    with pytest.raises(PanelError, match="repeated"):
        centre_and_ellipse(pd.concat([_cross_section(), _cross_section()]))


def test_argument_errors(panel: CityPanel) -> None:
    with pytest.raises(ArgumentError, match=r"years=1999: \[1999\] not in the data; .*2011–2023"):
        centre_and_ellipse(panel, "gdp_pc", years=1999)
    with pytest.raises(ArgumentError, match="weight_column='gdp_ppp'"):
        centre_and_ellipse(panel, "gdp_ppp")
    with pytest.raises(ArgumentError, match="correction='arcgis'; accepted: 'none', 'sqrt2'"):
        centre_and_ellipse(panel, correction="arcgis")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="std=0"):
        centre_and_ellipse(panel, std=0)
    with pytest.raises(ArgumentError, match="lacks \\['lat'\\]"):
        centre_and_ellipse(_cross_section().drop(columns="lat"))
    with pytest.raises(ArgumentError, match="no 'year' column"):
        centre_and_ellipse(_cross_section(), years=2020)
    with pytest.raises(ArgumentError, match="must be numeric"):
        centre_and_ellipse(_cross_section().assign(gdp=["x", "y", "z", "w"]), "gdp")
    with pytest.raises(ArgumentTypeError, match="CityPanel or a pandas DataFrame"):
        centre_and_ellipse(np.zeros((4, 2)))  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="at least 3 points"):
        standard_deviational_ellipse([[0, 0], [1, 1]])
    with pytest.raises(ArgumentError, match="non-negative"):
        standard_deviational_ellipse([[0, 0], [1, 1], [2, 0]], [1, -1, 1])
    with pytest.raises(ArgumentError, match="n=2"):
        ellipse_outline(centre_and_ellipse(panel, years=2011).table.loc[2011], n=2)
