"""Local statistics: LISA (local Moran's I), Getis–Ord Gi / Gi*, the Moran scatter, FDR.

References
----------
* Values (``Is``, ``EI``, ``VI``, ``q``; ``Gs``, ``EGs``, ``VGs``, ``Zs``, ``p_norm``): esda
  2.9 ``Moran_Local`` / ``G_Local`` run live with ``permutations=0`` (no numba needed),
  rtol 1e-10.
* Conditional-permutation p-values: esda's ``crand`` must be compiled by numba (~40 s on
  first use), so the default tests compare with esda's counts ``round(p_sim · (P + 1))``
  stored in ``ESDA_COUNTS`` below, made by esda 2.9.0 / numba 0.68.1 / numpy 2.4.6 /
  libpysal 4.14.1 with ``Moran_Local(y, w.to_libpysal(), transformation="r",
  permutations=999, seed=2024, n_jobs=1)`` and ``G_Local(y, w.to_libpysal(), transform=…,
  star=…, permutations=999, seed=2024, n_jobs=1)`` on the cases built below. Both sides use
  the same draws: ``esda.crand.vec_permutations(K, n, 999, 2024)``, which equals
  ``RandomState(2024).choice(n − 1, K, replace=False)`` drawn row by row. The ``slow`` test
  re-runs the compiled esda live and checks both facts.
* Counts are equal for every city except where a draw reproduces the observed neighbours
  exactly (a tie): cityres counts a tie as at least as extreme, esda's rounding decides; the
  difference is then at most the number of tie draws, computed here from the draws alone.
* ``fdr_threshold`` against ``esda.fdr``; the engine against a brute-force loop.

Data: the SIMULATED ``yrd_sim`` panel (41 cities, queen contiguity; Zhoushan 330900 has
one neighbour, Shanghai), a 7 × 8 rook lattice and 5-nearest-neighbour inverse-distance
weights (rows of unequal weights).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.weights import KNN, Queen, lat2W
from libpysal.weights import W as LibpysalW

import cityres
from cityres.spatial import Weights
from cityres.spatial.autocorrelation import (
    LocalAutocorrelation,
    _perm,
    fdr_threshold,
    lisa,
    lisa_stats,
    local_g,
    local_g_stats,
    moran,
    moran_scatter,
)

esda = pytest.importorskip("esda")

RTOL = 1e-10
P, SEED = 999, 2024
ESDA_COUNTS = {  # esda 2.9.0, numba 0.68.1, numpy 2.4.6, libpysal 4.14.1 (see docstring)
    "lisa_queen_r": [27, 315, 52, 47, 39, 5, 28, 175, 231, 187, 253, 10, 4, 37, 436, 280, 481,
                     1, 35, 54, 238, 437, 26, 192, 375, 16, 73, 1, 2, 342, 14, 75, 43, 373,
                     262, 1, 28, 21, 1, 11, 45],
    "lisa_lattice_r": [64, 78, 169, 329, 145, 69, 9, 2, 20, 21, 320, 484, 391, 150, 20, 58, 53,
                       29, 173, 447, 179, 256, 456, 161, 31, 72, 192, 493, 202, 104, 60, 158,
                       367, 183, 142, 475, 171, 31, 14, 23, 168, 241, 499, 455, 352, 26, 3, 6,
                       59, 128, 208, 434, 184, 89, 20, 8],
    "lisa_knn_idw_r": [6, 176, 6, 3, 14, 4, 1, 265, 254, 171, 129, 2, 35, 130, 481, 60, 464,
                       4, 2, 51, 199, 403, 10, 111, 438, 63, 381, 1, 3, 479, 3, 112, 11, 48,
                       469, 1, 9, 8, 1, 44, 365],
    "g_star_r": [27, 315, 52, 47, 39, 5, 28, 175, 231, 187, 253, 10, 4, 37, 436, 280, 481, 1,
                 35, 54, 238, 437, 1, 192, 375, 16, 73, 1, 2, 342, 14, 75, 43, 373, 262, 2, 28,
                 21, 1, 11, 45],
    "g_b": [27, 315, 52, 47, 39, 5, 28, 175, 231, 187, 253, 10, 4, 37, 436, 280, 481, 1, 35,
            54, 238, 437, 26, 192, 375, 16, 73, 1, 2, 342, 14, 75, 43, 373, 262, 1, 28, 21, 1,
            11, 45],
}


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def w_binary(panel) -> Weights:
    return Weights.from_libpysal(Queen.from_dataframe(panel.geometry, use_index=True))


@pytest.fixture(scope="module")
def w_row(w_binary) -> Weights:
    return w_binary.row_standardise()


@pytest.fixture(scope="module")
def cases(panel, w_binary, w_row) -> dict[str, tuple[np.ndarray, Weights]]:
    y = panel.data["gdp_pc"].xs(2015, level="year").reindex(list(w_row.ids)).to_numpy(float)
    i = np.arange(56)
    y_lat = np.sin(i * 0.7) + (i % 5) * 0.3 + i / 20
    xy = panel.cities.loc[list(w_row.ids), ["lon", "lat"]].to_numpy()
    knn = KNN(xy, k=5, ids=list(w_row.ids))
    pos = {c: k for k, c in enumerate(w_row.ids)}
    wts = {a: [1 / np.hypot(*(xy[pos[a]] - xy[pos[b]])) for b in knn.neighbors[a]]
           for a in knn.neighbors}
    w_knn = Weights.from_libpysal(LibpysalW(knn.neighbors, wts, id_order=list(w_row.ids)))
    return {
        "lisa_queen_r": (y, w_row),
        "lisa_lattice_r": (y_lat, Weights.from_libpysal(lat2W(7, 8, rook=True)).row_standardise()),
        "lisa_knn_idw_r": (y, w_knn.row_standardise()),
        "g_star_r": (y, w_row),
        "g_b": (y, w_binary),
    }


def draws(w: Weights, p: int = P, seed: int = SEED) -> np.ndarray:
    k = int(w.cardinalities.max())
    rs = np.random.RandomState(seed)
    return np.array([rs.choice(w.n - 1, k, replace=False) for _ in range(p)])


def counts(p_values: np.ndarray, p: int = P) -> np.ndarray:
    return np.round(np.asarray(p_values, float) * (p + 1)).astype(int)


def tie_draws(w: Weights, d: np.ndarray) -> np.ndarray:
    """Per unit, the draws that put exactly its neighbours (with their weights) back."""
    m = w.sparse
    out = np.zeros(w.n, dtype=int)
    for i in range(w.n):
        nb = m.indices[m.indptr[i]:m.indptr[i + 1]]
        wt = m.data[m.indptr[i]:m.indptr[i + 1]]
        mapped = d[:, :nb.size] + (d[:, :nb.size] >= i)
        key = sorted(zip(wt.tolist(), nb.tolist(), strict=True))
        out[i] = sum(sorted(zip(wt.tolist(), row.tolist(), strict=True)) == key for row in mapped)
    return out


def assert_counts_match(ours: np.ndarray, ref: np.ndarray, ties: np.ndarray) -> None:
    ours, ref = counts(ours), np.asarray(ref)
    free = ties == 0
    np.testing.assert_array_equal(ours[free], ref[free])
    assert np.all(np.abs(ours - ref) <= ties)


def quiet_esda(cls: type, *args: object, **kw: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(*args, **kw)


# ----------------------------------------------------------------------------- LISA values
@pytest.mark.parametrize("name", ["lisa_queen_r", "lisa_lattice_r", "lisa_knn_idw_r"])
def test_lisa_values_match_esda(cases, name) -> None:
    y, w = cases[name]
    ref = quiet_esda(esda.Moran_Local, y, w.to_libpysal(), transformation="r", permutations=0)
    ours = lisa_stats(y, w, permutations=9, seed=0)
    for mine, theirs in [("Ii", "Is"), ("E_Ii", "EI"), ("var_Ii", "VI"), ("z", "z")]:
        np.testing.assert_allclose(ours[mine], getattr(ref, theirs), rtol=RTOL, atol=1e-14)
    quad = np.array(["", "HH", "LH", "LL", "HL"], dtype=object)[ref.q]
    np.testing.assert_array_equal(ours["quadrant"], quad)


def test_lisa_values_match_esda_on_binary_weights(cases, w_binary) -> None:
    y, _ = cases["lisa_queen_r"]
    ref = quiet_esda(esda.Moran_Local, y, w_binary.to_libpysal(), transformation="b",
                     permutations=0)
    ours = lisa_stats(y, w_binary, permutations=9, seed=0)
    for mine, theirs in [("Ii", "Is"), ("E_Ii", "EI"), ("var_Ii", "VI")]:
        np.testing.assert_allclose(ours[mine], getattr(ref, theirs), rtol=RTOL, atol=1e-14)


@pytest.mark.parametrize("name", ["lisa_queen_r", "lisa_lattice_r", "lisa_knn_idw_r"])
def test_lisa_p_sim_matches_esda_given_the_same_draws(cases, name) -> None:
    y, w = cases[name]
    d = draws(w)
    ours = lisa_stats(y, w, permutations=d)
    ties = tie_draws(w, d)
    assert_counts_match(ours["p_sim"], ESDA_COUNTS[name], ties)
    assert (ties > 0).sum() <= 3  # ties are rare: a draw must hit every neighbour


# ----------------------------------------------------------------------------- Gi / Gi*
@pytest.mark.parametrize(("star", "transform"), [(True, "R"), (True, "B"), (False, "R"),
                                                 (False, "B")])
def test_local_g_values_match_esda(cases, w_binary, w_row, star, transform) -> None:
    y, _ = cases["g_star_r"]
    w = w_row if transform == "R" else w_binary
    ref = quiet_esda(esda.G_Local, y, w.to_libpysal(), transform=transform, star=star,
                     permutations=0)
    ours = local_g_stats(y, w, star=star, permutations=9, seed=0)
    for mine, theirs in [("Gi", "Gs"), ("E_Gi", "EGs"), ("var_Gi", "VGs"), ("z_Gi", "Zs")]:
        np.testing.assert_allclose(ours[mine], getattr(ref, theirs), rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(ours["p_norm"], 2 * ref.p_norm, rtol=1e-9)  # esda: one-tailed


@pytest.mark.parametrize(("name", "star"), [("g_star_r", True), ("g_b", False)])
def test_local_g_p_sim_matches_esda_given_the_same_draws(cases, name, star) -> None:
    y, w = cases[name]
    d = draws(w)
    ours = local_g_stats(y, w, star=star, permutations=d)
    assert_counts_match(ours["p_sim"], ESDA_COUNTS[name], tie_draws(w, d))


def test_zhoushan_ties_count_as_extreme(cases, w_row) -> None:
    # Zhoushan has one neighbour: 1 draw in 40 puts Shanghai back, a tie. esda 2.9 counted
    # none of the 25 ties for Gi* (rounding); cityres counts them all.
    y, _ = cases["g_star_r"]
    d = draws(w_row)
    k = w_row.ids.index("330900")
    ties = tie_draws(w_row, d)[k]
    ours = counts(local_g_stats(y, w_row, permutations=d)["p_sim"])[k]
    assert ties == 25 and ours == ESDA_COUNTS["g_star_r"][k] + ties


@pytest.mark.slow
def test_live_esda_p_sim_and_draws(cases) -> None:
    """esda live (compiled with numba when installed, ~40 s): draws, counts, z_sim."""
    from esda.crand import vec_permutations

    for name, (y, w) in cases.items():
        k = int(w.cardinalities.max())
        d = draws(w)
        np.testing.assert_array_equal(vec_permutations(k, w.n, P, SEED), d)
        if name.startswith("lisa"):
            ref = quiet_esda(esda.Moran_Local, y, w.to_libpysal(), transformation="r",
                             permutations=P, seed=SEED, n_jobs=1)
            ours = lisa_stats(y, w, permutations=d)
        else:
            star = name == "g_star_r"
            ref = quiet_esda(esda.G_Local, y, w.to_libpysal(), transform=name[-1].upper(),
                             star=star, permutations=P, seed=SEED, n_jobs=1)
            ours = local_g_stats(y, w, star=star, permutations=d)
        ties = tie_draws(w, d)
        free = ties == 0
        # esda compiled (numba) or not gives the stored counts away from ties; at a tie its
        # count depends on rounding, which differs between the two code paths
        np.testing.assert_array_equal(counts(ref.p_sim)[free], np.asarray(ESDA_COUNTS[name])[free])
        assert_counts_match(ours["p_sim"], counts(ref.p_sim), ties)
        np.testing.assert_allclose(ours["z_sim"][free], ref.z_sim[free], rtol=1e-8)


# ----------------------------------------------------------------------------- engine
def test_engine_equals_brute_force_on_mixed_weights() -> None:
    rng = np.random.default_rng(3)
    n = 60
    dense = (rng.random((n, n)) < 0.06).astype(float)
    np.fill_diagonal(dense, 0)
    dense[np.arange(n), (np.arange(n) + 1) % n] = 1.0  # no islands
    unequal = rng.random(n) < 0.5  # half the rows get unequal weights
    dense[unequal] *= rng.uniform(0.5, 2.0, size=(unequal.sum(), n))
    m = sp.csr_array(dense)
    m.sort_indices()
    z = rng.normal(size=n)
    observed = m @ z
    sign = np.sign(rng.normal(size=n))
    sign[:3] = 0
    k = int(np.diff(m.indptr).max())
    d = _perm._floyd_rows(np.random.default_rng(9), 300, n - 1, k)
    for block in (7, 25, None):  # small blocks: most draws inside; large: most outside
        plan = _perm.NeighbourPlan.from_csr(m, block=block)
        tally = _perm.conditional_tally(z, plan, observed, sign, iter([d[:100], d[100:]]))
        for i in range(n):
            nb = m.indices[m.indptr[i]:m.indptr[i + 1]]
            wt = m.data[m.indptr[i]:m.indptr[i + 1]]
            r = d[:, :nb.size]
            s = z[r + (r >= i)] @ wt
            dev = sign[i] * (s - observed[i])
            tol = _perm.TIE_RTOL * np.abs(z).max() * np.abs(wt).sum()
            ge = 300 if sign[i] == 0 else int((dev >= -tol).sum())
            le = 300 if sign[i] == 0 else int((dev <= tol).sum())
            assert (tally.count_ge[i], tally.count_le[i]) == (ge, le), (block, i)
            np.testing.assert_allclose(tally.mean()[i], s.mean(), rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(tally.std()[i], s.std(), rtol=1e-9)


def test_own_draws_are_without_replacement_and_uniform() -> None:
    rng = np.random.default_rng(1)
    for m, k in ((40, 9), (10, 10), (300, 70)):  # 70 > 64 uses the membership table
        d = _perm._floyd_rows(rng, 4000, m, k)
        assert d.shape == (4000, k) and d.min() >= 0 and d.max() < m
        srt = np.sort(d, axis=1)
        assert not (srt[:, 1:] == srt[:, :-1]).any()
        for col in (0, k - 1):  # every position is uniform over 0 … m−1
            freq = np.bincount(d[:, col], minlength=m)
            chi2 = ((freq - 4000 / m) ** 2 / (4000 / m)).sum()
            assert chi2 < m + 6 * np.sqrt(2 * m)


# ----------------------------------------------------------------------------- FDR
def test_fdr_threshold_matches_esda(cases) -> None:
    y, w = cases["lisa_queen_r"]
    lisa_p = lisa_stats(y, w, permutations=draws(w))["p_sim"]
    rng = np.random.default_rng(0)
    samples = [lisa_p, rng.uniform(size=200), rng.uniform(size=50) ** 4, np.ones(10),
               np.full(8, 1e-5), np.array([0.001, 0.01, 0.03, 0.2, 0.5])]
    for p in samples:
        for alpha in (0.05, 0.1, 0.01):
            assert fdr_threshold(p, alpha) == pytest.approx(esda.fdr(p, alpha), rel=1e-15)


def test_lisa_significance_uses_the_fdr_threshold(panel, w_row) -> None:
    res = lisa(panel, "gdp_pc", w_row, years=[2015, 2021], permutations=499, seed=4, fdr=True)
    table = res.table
    for t in (2015, 2021):
        part = table[table["year"] == t]
        cut = esda.fdr(part["p_sim"].to_numpy(), 0.05)
        assert res.thresholds[t] == pytest.approx(cut, rel=1e-15)
        np.testing.assert_array_equal(part["significant"], part["p_sim"] <= cut)
    plain = lisa(panel, "gdp_pc", w_row, years=[2015], permutations=499, seed=4)
    assert plain.thresholds[2015] == 0.05
    assert plain.table["significant"].sum() >= table[table["year"] == 2015]["significant"].sum()


# ----------------------------------------------------------------------------- panel level
def test_lisa_table_and_clusters(panel, w_row) -> None:
    res = lisa(panel, "gdp_pc", w_row, years=[2015, 2016], permutations=199, seed=8)
    assert isinstance(res, LocalAutocorrelation)
    table = res.table
    assert list(table.columns) == ["city", "year", "value", "z", "lag", "Ii", "E_Ii", "var_Ii",
                                   "z_Ii", "p_norm", "p_sim", "z_sim", "quadrant",
                                   "significant", "cluster"]
    assert len(table) == 2 * 41 and table["city"].iloc[:41].tolist() == list(w_row.ids)
    np.testing.assert_array_equal(table["cluster"],
                                  np.where(table["significant"], table["quadrant"], "ns"))
    hh = table[table["quadrant"] == "HH"]
    assert (hh["z"] > 0).all() and (hh["lag"] > 0).all()
    lh = table[table["quadrant"] == "LH"]
    assert (lh["z"] <= 0).all() and (lh["lag"] > 0).all()
    clusters = res.clusters(2016)
    assert clusters.index.tolist() == list(w_row.ids) and clusters.name == "cluster"
    counts_ = res.cluster_counts()
    assert counts_.sum(axis=1).tolist() == [41, 41]
    assert list(counts_.columns) == ["HH", "LL", "LH", "HL", "ns"]
    text = res.summary()
    assert "SIMULATED" in text and "Local Moran" in text and "2016" in text
    assert res.tidy()["statistic"].eq("lisa").all()


def test_local_g_labels_hot_and_cold(panel, w_row) -> None:
    res = local_g(panel, "gdp_pc", w_row, years=[2020], permutations=199, seed=2)
    t = res.table
    assert set(t["cluster"]) <= {"hot", "cold", "ns"} and res.statistic == "local_g_star"
    assert (t.loc[t["cluster"] == "hot", "z_Gi"] > 0).all()
    assert (t.loc[t["cluster"] == "cold", "z_Gi"] < 0).all()
    assert (t.loc[t["cluster"] == "ns", "significant"] == False).all()  # noqa: E712
    assert local_g(panel, "gdp_pc", w_row, star=False, years=[2020], permutations=9,
                   seed=2).statistic == "local_g"


def test_local_seeds_repeat_differ_and_are_per_year(panel, w_row) -> None:
    kw = {"permutations": 199, "alpha": 0.1}
    a = lisa(panel, "resilience", w_row, years=[2014, 2015], seed=11, **kw)
    b = lisa(panel, "resilience", w_row, years=[2014, 2015], seed=11, **kw)
    c = lisa(panel, "resilience", w_row, years=[2014, 2015], seed=12, **kw)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.array_equal(a.table["p_sim"], c.table["p_sim"])
    alone = lisa(panel, "resilience", w_row, years=[2015], seed=11, **kw).table
    both = a.table[a.table["year"] == 2015].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, both)
    fresh = lisa(panel, "resilience", w_row, years=[2015], **kw)
    again = lisa(panel, "resilience", w_row, years=[2015], seed=fresh.seed_entropy, **kw)
    pd.testing.assert_frame_equal(fresh.table, again.table)


def test_explicit_draws_are_used_in_every_year(panel, w_row, cases) -> None:
    d = draws(w_row, 199)
    res = lisa(panel, "gdp_pc", w_row, years=[2015], permutations=d)
    y, _ = cases["lisa_queen_r"]
    np.testing.assert_array_equal(res.table["p_sim"], lisa_stats(y, w_row, permutations=d)["p_sim"])
    assert res.explicit_draws and res.seed_entropy is None and res.permutations == 199


def test_moran_scatter_slope_is_moran_i(panel, w_row) -> None:
    scatter = moran_scatter(panel, "gdp_pc", w_row)
    assert list(scatter.columns) == ["city", "year", "z", "lag", "quadrant", "slope"]
    slopes = scatter.groupby("year")["slope"].first()
    global_i = moran(panel, "gdp_pc", w_row, permutations=0).table["I"]
    np.testing.assert_allclose(slopes.to_numpy(), global_i.to_numpy(), rtol=1e-12)
    part = scatter[scatter["year"] == 2015].reset_index(drop=True)
    np.testing.assert_allclose(part["slope"].iloc[0],
                               (part["z"] @ part["lag"]) / (part["z"] @ part["z"]), rtol=1e-14)
    local = lisa(panel, "gdp_pc", w_row, years=[2015], permutations=9, seed=0).table
    np.testing.assert_array_equal(part["quadrant"], local["quadrant"])
    np.testing.assert_allclose(part["lag"], local["lag"], rtol=1e-14)
    assert scatter.attrs["simulated"] is True


def test_moran_scatter_slope_differs_from_moran_i_on_binary_weights(panel, w_binary) -> None:
    # the identity needs S0 = n; with binary weights I = slope · n / S0
    scatter = moran_scatter(panel, "gdp_pc", w_binary, years=[2015])
    i = moran(panel, "gdp_pc", w_binary, years=[2015], permutations=0).table.loc[2015, "I"]
    np.testing.assert_allclose(scatter["slope"].iloc[0] * w_binary.n / w_binary.sparse.sum(), i,
                               rtol=1e-12)
