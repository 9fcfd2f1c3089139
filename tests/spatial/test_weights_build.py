"""Weights builders against their peers.

References (computed in the same run, nothing stored):
- contiguity: libpysal 4.14 ``Queen``/``Rook.from_dataframe`` on the same 41 YRD polygons
  (``cityres.datasets.geometry("yrd41")``) — exactly the same neighbours;
- great-circle distances: the haversine formula written out with ``math`` on the stored
  city-table lon/lat (rel 1e-12), and ``pyproj.Geod(ellps="WGS84")`` geodesics (the sphere
  of radius 6371.0088 km differs from the WGS84 ellipsoid by at most ~0.5 %; here the
  largest difference is 0.33 %, tolerance 0.5 %);
- distance band and knn: libpysal ``DistanceBand``/``KNN`` with ``distance_metric="arc"``
  and the same radius (same neighbours; d⁻¹ weights to rel 1e-9);
- economic and nested weights: dense hand computation with numpy (rel 1e-12);
- row standardisation: hypothesis property test on random matrices.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import cityres
from cityres.data.geometry import GCJ02_ATTR, wgs84_to_gcj02
from cityres.spatial.weights import (
    EARTH_RADIUS_KM,
    Weights,
    contiguity,
    distance_band,
    distance_matrix_km,
    economic,
    from_matrix,
    great_circle_km,
    inverse_distance,
    knn,
    nested,
    weights_from_spec,
)
from cityres.spatial.weights import _geo as geo_module

R = 6371.0088


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def geo() -> gpd.GeoDataFrame:
    return cityres.datasets.geometry("yrd41")


@pytest.fixture(scope="module")
def lonlat(panel: cityres.CityPanel) -> np.ndarray:
    return panel.cities.loc[panel.city_ids, ["lon", "lat"]].to_numpy(float)


def _neighbour_sets(w: Weights) -> dict[str, set[str]]:
    return {u: set(w.neighbours(u).index) for u in w.ids}


def _haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * R * math.asin(math.sqrt(h))


# -- contiguity --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_contiguity_equals_libpysal(geo: gpd.GeoDataFrame, kind: str) -> None:
    from libpysal.weights import Queen, Rook

    ref = (Queen if kind == "queen" else Rook).from_dataframe(geo, use_index=True)
    w = contiguity(geo, kind)
    assert w.ids == tuple(geo.index)
    assert _neighbour_sets(w) == {str(k): {str(v) for v in vs} for k, vs in ref.neighbors.items()}
    assert w.is_binary() and w.is_symmetric() and w.kind == kind and not w.notes


def test_contiguity_from_panel_is_in_panel_order(panel: cityres.CityPanel,
                                                 geo: gpd.GeoDataFrame) -> None:
    w = contiguity(panel, "queen")
    assert w.ids == tuple(panel.city_ids)
    assert (w.to_dense() == contiguity(geo, "queen").reorder(panel.city_ids).to_dense()).all().all()
    assert list(w.neighbours("330900").index) == ["310000"]  # Zhoushan's only neighbour


def test_zhoushan_island_rules(geo: gpd.GeoDataFrame) -> None:
    sub = geo.drop(index="310000")  # without Shanghai, Zhoushan has no neighbour
    with pytest.raises(cityres.CityresError, match=r"330900 舟山市.*islands='nearest'"):
        contiguity(sub, "rook")
    # nearest city by hand: haversine between representative points
    reps = sub.representative_point()
    z = reps.loc["330900"]
    dist = {c: _haversine(z.x, z.y, p.x, p.y) for c, p in reps.items() if c != "330900"}
    near = min(dist, key=dist.__getitem__)
    assert near == "330200"  # Ningbo
    w = contiguity(sub, "rook", islands="nearest")
    assert list(w.neighbours("330900").index) == [near]
    assert w.sparse[w.ids.index(near), w.ids.index("330900")] == 1  # both ways
    assert w.is_symmetric() and not w.islands
    assert len(w.notes) == 1
    assert (f"330900 舟山市 had no rook neighbour; linked to its nearest city 330200 宁波市 "
            f"({dist[near]:.1f} km)") in w.notes[0]
    two = contiguity(sub, "rook", islands="knn:2")
    assert set(two.neighbours("330900").index) == set(sorted(dist, key=dist.__getitem__)[:2])
    kept = contiguity(sub, "queen", islands="keep")
    assert kept.islands == ("330900",) and "330900 舟山市" in kept.notes[0]


# -- distances ---------------------------------------------------------------------------
# the city table's lon/lat are polygon centroids, not the city seats (Shanghai–Nanjing
# seat to seat is about 270 km; centroid to centroid 263 km)
@pytest.mark.parametrize(("a", "b", "approx_km"), [("310000", "320100", 263),
                                                   ("310000", "330100", 242),
                                                   ("340100", "330300", 524)])
def test_great_circle_by_hand(panel: cityres.CityPanel, a: str, b: str, approx_km: int) -> None:
    c = panel.cities
    hand = _haversine(c.at[a, "lon"], c.at[a, "lat"], c.at[b, "lon"], c.at[b, "lat"])
    d = distance_matrix_km(panel)
    assert d.at[a, b] == pytest.approx(hand, rel=1e-12)
    assert great_circle_km(c.at[a, "lon"], c.at[a, "lat"], c.at[b, "lon"], c.at[b, "lat"]) \
        == pytest.approx(hand, rel=1e-12)
    assert round(hand) == approx_km
    assert EARTH_RADIUS_KM == R


def test_great_circle_against_pyproj_ellipsoid(panel: cityres.CityPanel,
                                               lonlat: np.ndarray) -> None:
    from pyproj import Geod

    d = distance_matrix_km(panel).to_numpy()
    i, j = np.triu_indices(len(lonlat), 1)
    _, _, metres = Geod(ellps="WGS84").inv(lonlat[i, 0], lonlat[i, 1], lonlat[j, 0], lonlat[j, 1])
    np.testing.assert_allclose(d[i, j], metres / 1000, rtol=5e-3)


@pytest.mark.parametrize("km", [100, 200, 300])
def test_distance_band_equals_libpysal(panel: cityres.CityPanel, lonlat: np.ndarray,
                                       km: int) -> None:
    from libpysal.weights import DistanceBand

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = DistanceBand(lonlat, threshold=km, distance_metric="arc", radius=R,
                           ids=panel.city_ids, binary=False, alpha=-1, silence_warnings=True)
    refw = Weights.from_libpysal(ref).sparse.toarray()
    ours = distance_band(panel, km, binary=False, islands="keep").sparse.toarray()
    assert ((refw > 0) == (ours > 0)).all()
    np.testing.assert_allclose(ours, refw, rtol=1e-9)
    binary = distance_band(panel, km, islands="keep")
    assert binary.is_binary() and ((binary.sparse.toarray() > 0) == (refw > 0)).all()


def test_knn_equals_libpysal(panel: cityres.CityPanel, lonlat: np.ndarray) -> None:
    from libpysal.weights import KNN

    d = distance_matrix_km(panel).to_numpy() + np.diag(np.full(len(lonlat), np.inf))
    for k in (1, 4, 6):
        ordered = np.sort(d, axis=1)
        assert (ordered[:, k - 1] < ordered[:, k]).all()  # no ties: the comparison is exact
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # libpysal warns about disconnected components
            ref = KNN.from_array(lonlat, k=k, distance_metric="arc", radius=R,
                                 ids=panel.city_ids)
        w = knn(panel, k=k)
        assert _neighbour_sets(w) == {a: set(map(str, b)) for a, b in ref.neighbors.items()}
    assert any("not symmetric" in n for n in knn(panel, k=4).notes)


def test_knn_ties_broken_by_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    # on the equator, 1° east, west, north and south are equally far from the origin
    xy = np.array([[0, 0], [0, 1], [-1, 0], [1, 0], [0, -1]], dtype=float)
    ids = ["o", "n", "w", "e", "s"]
    w = knn(xy, k=2, ids=ids)
    assert list(w.neighbours("o").index) == ["n", "w"]
    assert any("tie" in note and "o" in note for note in w.notes)
    monkeypatch.setattr(geo_module, "DENSE_SEARCH_MAX", 0)  # the cKDTree path breaks ties alike
    assert list(knn(xy, k=2, ids=ids).neighbours("o").index) == ["n", "w"]


def test_tree_and_dense_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(6)
    lon, lat = np.meshgrid(np.arange(110, 112, 0.25), np.arange(28, 30, 0.25))
    grid = np.column_stack([lon.ravel(), lat.ravel()])
    xy = np.vstack([grid, np.column_stack([rng.uniform(110, 112, 200), rng.uniform(28, 30, 200)])])
    ids = [f"u{i:03d}" for i in range(len(xy))]
    dense = [knn(xy, k=5, ids=ids), distance_band(xy, 30, ids=ids, islands="keep"),
             inverse_distance(xy, cutoff_km=40, ids=ids, islands="keep", power=2)]
    monkeypatch.setattr(geo_module, "DENSE_SEARCH_MAX", 0)
    tree = [knn(xy, k=5, ids=ids), distance_band(xy, 30, ids=ids, islands="keep"),
            inverse_distance(xy, cutoff_km=40, ids=ids, islands="keep", power=2)]
    for a, b in zip(dense, tree, strict=True):
        assert a.links == b.links
        assert (abs(a.sparse - b.sparse) > 1e-12 * a.sparse.max()).nnz == 0


def test_inverse_distance_by_hand(panel: cityres.CityPanel) -> None:
    d = distance_matrix_km(panel).to_numpy()
    off = ~np.eye(len(d), dtype=bool)
    for power in (1, 2):
        w = inverse_distance(panel, power=power).sparse.toarray()
        np.testing.assert_allclose(w[off], d[off] ** -power, rtol=1e-12)
    cut = inverse_distance(panel, cutoff_km=250, islands="keep").sparse.toarray()
    np.testing.assert_allclose(cut, np.where(off & (d <= 250), 1 / np.where(off, d, 1), 0),
                               rtol=1e-12)


def test_polygon_points_and_projected_input(geo: gpd.GeoDataFrame) -> None:
    cent = distance_band(geo, 200)
    assert "equal-area" in cent.params["points"]
    rep = distance_band(geo, 200, point="representative")
    assert "representative" in rep.params["points"]
    utm = geo.to_crs(32651)
    conv = distance_band(utm, 200)
    assert any("EPSG:32651" in n for n in conv.notes)
    np.testing.assert_allclose(distance_matrix_km(utm).to_numpy(),
                               distance_matrix_km(geo).to_numpy(), atol=1e-6)


def test_gcj02_frame_is_converted_with_a_note(panel: cityres.CityPanel,
                                              lonlat: np.ndarray) -> None:
    glon, glat = wgs84_to_gcj02(lonlat[:, 0], lonlat[:, 1])
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(glon, glat), crs=4326,
                           index=pd.Index(panel.city_ids))
    pts.attrs[GCJ02_ATTR] = "GCJ-02"
    w = distance_band(pts, 300)
    assert any("GCJ-02" in n for n in w.notes)
    np.testing.assert_allclose(distance_matrix_km(pts).to_numpy(),
                               distance_matrix_km(panel).to_numpy(), atol=1e-6)
    with pytest.raises(cityres.CityresError, match="GCJ-02"):
        distance_band(pts, 300, coordinates="wgs84")


# -- economic and nested -----------------------------------------------------------------
def _means(panel: cityres.CityPanel, column: str, years: list[int]) -> np.ndarray:
    data = panel.data[column]
    frame = data[data.index.get_level_values("year").isin(years)].unstack("year")
    return frame.loc[panel.city_ids].mean(axis=1).to_numpy()


@pytest.mark.parametrize("years", [None, [2015, 2016, 2017]])
def test_economic_by_hand(panel: cityres.CityPanel, years: list[int] | None) -> None:
    y = _means(panel, "gdp_pc", years or panel.years)
    with np.errstate(divide="ignore"):
        hand = 1 / np.abs(y[:, None] - y[None, :])
    np.fill_diagonal(hand, 0)
    w = economic(panel, "gdp_pc", years=years)
    assert w.ids == tuple(panel.city_ids)
    np.testing.assert_allclose(w.sparse.toarray(), hand, rtol=1e-12, atol=0)


def test_nested_by_hand(panel: cityres.CityPanel) -> None:
    years = [2012, 2013, 2014, 2015]
    y = _means(panel, "gdp_pc", years)
    cells = panel.data["gdp_pc"]
    grand = cells[cells.index.get_level_values("year").isin(years)].mean()
    d = distance_matrix_km(panel).to_numpy()
    off = ~np.eye(len(y), dtype=bool)
    wd = np.where(off, 1 / np.where(off, d, 1), 0)
    scaled = wd * (y / grand)[None, :]
    w = nested(panel, panel, "gdp_pc", years=years)
    np.testing.assert_allclose(w.sparse.toarray(), scaled, rtol=1e-12, atol=0)
    we = np.where(off, 1 / np.where(off, np.abs(y[:, None] - y[None, :]), 1), 0)
    mixed = (0.3 * wd / wd.sum(1, keepdims=True) + 0.7 * we / we.sum(1, keepdims=True))
    m = nested(panel, panel, "gdp_pc", years=years, form="mixed", phi=0.3)
    np.testing.assert_allclose(m.sparse.toarray(), mixed, rtol=1e-12, atol=1e-15)
    assert m.params["phi"] == 0.3 and m.kind == "nested"


# -- row standardisation and specs -------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 9), st.just(9)),
              elements=st.one_of(st.just(0.0), st.floats(1e-300, 1e6))))
def test_row_standardised_rows_sum_to_one(block: np.ndarray) -> None:
    n = block.shape[0]
    m = block[:, :n].copy()
    np.fill_diagonal(m, 0)
    w = from_matrix(m, ids=[f"c{i}" for i in range(n)]).row_standardise()
    sums = w.row_sums.to_numpy()
    nonzero = m.sum(axis=1) > 0
    np.testing.assert_allclose(sums[nonzero], 1.0, atol=1e-12)
    assert (sums[~nonzero] == 0).all()


def test_row_standardise_subnormal_weights() -> None:
    # found by the property test: 1/sum overflows for subnormal row sums
    m = np.full((2, 2), 2.2e-311)
    np.fill_diagonal(m, 0)
    w = from_matrix(m, ids=["a", "b"]).row_standardise()
    np.testing.assert_allclose(w.row_sums.to_numpy(), 1.0)


@pytest.mark.parametrize("spec", ["queen", "rook", "knn", "distance_band", "inverse_distance",
                                  {"kind": "economic", "column": "gdp_pc"},
                                  {"kind": "nested", "column": "gdp_pc", "form": "mixed"},
                                  {"kind": "distance_band", "km": 250, "points": "centroid"},
                                  {"kind": "knn", "k": 6, "name": "knn6"}])
def test_spec_builds_row_standardised(panel: cityres.CityPanel, spec: object) -> None:
    w = weights_from_spec(spec, panel)  # type: ignore[arg-type]
    assert w.transform == "row" and w.ids == tuple(panel.city_ids)
    np.testing.assert_allclose(w.row_sums.to_numpy(), 1.0, atol=1e-12)


def test_spec_matches_builders(panel: cityres.CityPanel, tmp_path: object) -> None:
    w = weights_from_spec({"kind": "distance_band", "km": 300, "row_standardise": False}, panel)
    assert (w.sparse != distance_band(panel, 300).sparse).nnz == 0
    from cityres.spatial.weights import write_weights

    write_weights(contiguity(panel), tmp_path / "q.gal")  # type: ignore[operator]
    f = weights_from_spec({"kind": "file", "path": "q.gal"}, panel, base=tmp_path)  # type: ignore[arg-type]
    assert (f.sparse != contiguity(panel).row_standardise().sparse).nnz == 0


def test_from_matrix_reorders_columns_and_keeps_sparse() -> None:
    ids = ["310000", "320100", "330100"]
    dense = np.array([[0, 1, 2], [1, 0, 0], [2, 0, 0]], float)
    frame = pd.DataFrame(dense, index=ids, columns=ids)[["330100", "310000", "320100"]]
    w = from_matrix(frame, require_symmetric=True)
    np.testing.assert_array_equal(w.sparse.toarray(), dense)
    s = from_matrix(sp.csr_array(dense), ids=ids)
    assert s.ids == tuple(ids) and (s.sparse != w.sparse).nnz == 0


def test_contiguity_of_gcj02_polygons(geo: gpd.GeoDataFrame) -> None:
    import shapely

    sub = geo.drop(index="310000")

    def shift(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))

    gcj = sub.copy()
    gcj["geometry"] = shapely.transform(np.asarray(sub.geometry.values, dtype=object), shift)
    gcj.attrs = {GCJ02_ATTR: "GCJ-02"}
    w = contiguity(gcj, "rook", islands="nearest")  # adjacency does not depend on the datum
    assert _neighbour_sets(w) == _neighbour_sets(contiguity(sub, "rook", islands="nearest"))
    assert "GCJ-02" in w.notes[0] and "330900 舟山市" in w.notes[1]
    with pytest.raises(cityres.CityresError, match="flagged GCJ-02"):
        contiguity(gcj, "rook", coordinates="wgs84")
    assert contiguity(sub.geometry, "queen", islands="keep").islands == ("330900",)
