"""GCJ-02 ↔ WGS84 conversion (cityres.data.geometry).

Expected offsets: GCJ-02 shifts points in eastern China by roughly 500 m (about 0.005°);
points outside the rectangle 72.004–137.8347° E, 0.8293–55.8271° N are not shifted
(the standard algorithm; see the module's references).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from shapely.geometry import Point, Polygon

import cityres
from cityres.data.geometry import gcj02_to_wgs84, in_china_box, to_wgs84, wgs84_to_gcj02

PEOPLES_SQUARE = (121.4737, 31.2304)  # Shanghai, WGS84


def test_round_trip_on_a_grid_over_china_to_1e_7() -> None:
    lon, lat = np.meshgrid(np.linspace(74.0, 135.0, 120), np.linspace(2.0, 54.0, 100))
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back_lon.shape == lon.shape
    assert_allclose(back_lon, lon, rtol=0, atol=1e-7)
    assert_allclose(back_lat, lat, rtol=0, atol=1e-7)


@settings(max_examples=200, deadline=None)
@given(st.floats(73.0, 135.0), st.floats(1.0, 55.0))
def test_inverse_is_exact_not_one_step(lon: float, lat: float) -> None:
    # forward(inverse(g)) == g to 1e-10°; the one-step inverse 2g - f(g) is off by up
    # to ~6e-5° over China, so this fails for it
    w = gcj02_to_wgs84(lon, lat)
    g = wgs84_to_gcj02(*w)
    assert abs(float(g[0]) - lon) < 1e-10 and abs(float(g[1]) - lat) < 1e-10


def test_shanghai_shift_is_about_half_a_kilometre() -> None:
    g_lon, g_lat = wgs84_to_gcj02(*PEOPLES_SQUARE)
    shift = np.hypot(float(g_lon) - PEOPLES_SQUARE[0], float(g_lat) - PEOPLES_SQUARE[1])
    assert 0.004 < shift < 0.006
    assert float(g_lon) > PEOPLES_SQUARE[0]  # GCJ-02 lies east of WGS84 in Shanghai


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(-0.1276, 51.5072), (139.6917, 35.6895), (151.2093, -33.8688), (116.4, 56.5)],
    ids=["London", "Tokyo", "Sydney", "north of the box"],
)
def test_points_outside_the_box_are_unchanged(lon: float, lat: float) -> None:
    assert not in_china_box(lon, lat)
    assert tuple(map(float, wgs84_to_gcj02(lon, lat))) == (lon, lat)
    assert tuple(map(float, gcj02_to_wgs84(lon, lat))) == (lon, lat)


def test_a_point_converts_the_same_alone_or_in_a_batch() -> None:
    # shared polygon vertices must convert identically, or coverages break
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(115, 123, 500), rng.uniform(27, 35, 500)
    batch = gcj02_to_wgs84(lon, lat)
    for i in range(0, 500, 25):
        alone = gcj02_to_wgs84(lon[i], lat[i])
        assert float(alone[0]) == batch[0][i] and float(alone[1]) == batch[1][i]


def test_nan_passes_through() -> None:
    lon, lat = gcj02_to_wgs84([np.nan, 121.0], [31.0, 31.0])
    assert np.isnan(lon[0]) and lat[0] == 31.0 and np.isfinite(lon[1])


def test_bad_input_is_refused() -> None:
    with pytest.raises(cityres.ArgumentError, match="same shape"):
        gcj02_to_wgs84([121.0, 122.0], [31.0])
    with pytest.raises(cityres.ArgumentError, match=r"\[-90, 90\].*swapped"):
        wgs84_to_gcj02(31.0, 121.0)
    with pytest.raises(cityres.ArgumentTypeError):
        gcj02_to_wgs84("east", 31.0)  # type: ignore[arg-type]


def test_to_wgs84_converts_only_frames_flagged_gcj02() -> None:
    square = Polygon([(121.4, 31.2), (121.5, 31.2), (121.5, 31.3), (121.4, 31.3)])
    gcj = gpd.GeoDataFrame({"code": ["x"]}, geometry=[square], crs="EPSG:4326")
    with pytest.raises(cityres.ArgumentError, match="not flagged as GCJ-02"):
        to_wgs84(gcj)
    gcj.attrs["coordinates"] = "GCJ-02"
    wgs = to_wgs84(gcj)
    assert wgs.crs.to_epsg() == 4326 and wgs.attrs["coordinates"] == "WGS84"
    x, y = gcj02_to_wgs84(121.4, 31.2)
    assert wgs.geometry.iloc[0].exterior.coords[0] == pytest.approx((float(x), float(y)))
    assert gcj.geometry.iloc[0].equals(square)  # input untouched
    points = gpd.GeoDataFrame(geometry=[Point(121.4, 31.2)], crs="EPSG:4326")
    assert to_wgs84(points, source="gcj02").geometry.iloc[0].x == pytest.approx(float(x))
