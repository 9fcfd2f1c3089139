"""Global autocorrelation statistics (Moran's I, Geary's C, General G, bivariate Moran's I).

Reference: esda 2.9 (``esda.Moran``, ``esda.Geary``, ``esda.G``, ``esda.Moran_BV``) run in
the same session on the same vector and the same weights (our ``Weights`` converted with
``to_libpysal()``). Values agree to rtol 1e-10. Permutation p-values are *equal* when both
sides use the same permutations: esda draws ``np.random.permutation`` from numpy's global
RandomState, so we seed it with ``np.random.seed(s)`` and pass ``RandomState(s).permutation(n)``
drawn ``P`` times as explicit permutations. Data: the SIMULATED ``yrd_sim`` panel (41 cities,
queen contiguity from ``libpysal.weights.Queen``; Zhoushan 330900 touches only Shanghai)
and a 7 × 8 rook lattice.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import Queen, lat2W

import cityres
from cityres.spatial import Weights
from cityres.spatial.autocorrelation import (
    GlobalAutocorrelation,
    geary,
    geary_stats,
    getis_ord,
    getis_ord_stats,
    moran,
    moran_bv,
    moran_bv_stats,
    moran_stats,
)

esda = pytest.importorskip("esda")

RTOL = 1e-10
P = 199


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def w_binary(panel: cityres.data.CityPanel) -> Weights:
    return Weights.from_libpysal(Queen.from_dataframe(panel.geometry, use_index=True))


@pytest.fixture(scope="module")
def w_row(w_binary: Weights) -> Weights:
    return w_binary.row_standardise()


def year_vector(panel: cityres.data.CityPanel, w: Weights, column: str, year: int) -> np.ndarray:
    return panel.data[column].xs(year, level="year").reindex(list(w.ids)).to_numpy(float)


def lattice() -> tuple[Weights, np.ndarray]:
    w = Weights.from_libpysal(lat2W(7, 8, rook=True))
    i = np.arange(56)
    return w, np.sin(i * 0.7) + (i % 5) * 0.3 + i / 20


def esda_draws(seed: int, n: int, p: int = P) -> np.ndarray:
    """The permutations esda draws after ``np.random.seed(seed)``."""
    rs = np.random.RandomState(seed)
    return np.array([rs.permutation(n) for _ in range(p)])


def run_esda(cls: type, *args: object, seed: int, **kw: object) -> object:
    np.random.seed(seed)  # noqa: NPY002 - esda draws from numpy's global RandomState
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(*args, permutations=P, **kw)


def cases(panel: cityres.data.CityPanel, w_row: Weights, w_binary: Weights):
    lat_w, lat_y = lattice()
    y = year_vector(panel, w_row, "gdp_pc", 2015)
    return [("yrd-row", y, w_row, "r"), ("yrd-binary", y, w_binary, "b"),
            ("lattice-row", lat_y, lat_w.row_standardise(), "r"),
            ("lattice-binary", lat_y, lat_w, "b")]


# ----------------------------------------------------------------------------- Moran
def test_moran_matches_esda(panel, w_row, w_binary) -> None:
    for name, y, w, tr in cases(panel, w_row, w_binary):
        ref = run_esda(esda.Moran, y, w.to_libpysal(), transformation=tr, seed=11)
        ours = moran_stats(y, w, permutations=esda_draws(11, w.n))
        for mine, theirs in [("I", "I"), ("E_I", "EI"), ("var_norm", "VI_norm"),
                             ("z_norm", "z_norm"), ("p_norm", "p_norm"), ("var_rand", "VI_rand"),
                             ("z_rand", "z_rand"), ("p_rand", "p_rand")]:
            np.testing.assert_allclose(ours[mine], getattr(ref, theirs), rtol=RTOL, atol=1e-14,
                                       err_msg=f"{name}: {mine}")
        assert ours["p_sim"] == ref.p_sim, name
        np.testing.assert_allclose(ours["z_sim"], ref.z_sim, rtol=1e-9, err_msg=name)
        np.testing.assert_allclose(ours["E_sim"], ref.EI_sim, rtol=1e-9, atol=1e-14)


def test_moran_one_sided_p_values_match_esda(panel, w_row) -> None:
    # esda's one-tailed p (two_tailed=False) is the tail the z-score points to
    for column in ("gdp_pc", "resilience", "innovation"):
        y = year_vector(panel, w_row, column, 2018)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = esda.Moran(y, w_row.to_libpysal(), permutations=0, two_tailed=False)
        side = "greater" if ref.z_norm > 0 else "less"
        ours = moran_stats(y, w_row, permutations=0, alternative=side)
        np.testing.assert_allclose(ours["p_norm"], ref.p_norm, rtol=RTOL)
        np.testing.assert_allclose(ours["p_rand"], ref.p_rand, rtol=RTOL)
        two = moran_stats(y, w_row, permutations=0)
        np.testing.assert_allclose(two["p_norm"], 2 * ref.p_norm, rtol=RTOL)


def test_one_sided_p_sim_counts_one_tail(panel, w_row) -> None:
    y = year_vector(panel, w_row, "resilience", 2016)
    draws = esda_draws(3, w_row.n, 499)
    z = y - y.mean()
    sims = np.array([z[d] @ (w_row.sparse @ z[d]) for d in draws]) / (z @ z)
    obs = moran_stats(y, w_row, permutations=0)["I"]
    greater = moran_stats(y, w_row, permutations=draws, alternative="greater")["p_sim"]
    less = moran_stats(y, w_row, permutations=draws, alternative="less")["p_sim"]
    assert greater == ((sims >= obs).sum() + 1) / 500
    assert less == ((sims <= obs).sum() + 1) / 500


# ----------------------------------------------------------------------------- Geary
def test_geary_matches_esda(panel, w_row, w_binary) -> None:
    for name, y, w, tr in cases(panel, w_row, w_binary):
        ref = run_esda(esda.Geary, y, w.to_libpysal(), transformation=tr, seed=5)
        ours = geary_stats(y, w, permutations=esda_draws(5, w.n))
        for mine, theirs in [("C", "C"), ("E_C", "EC"), ("var_norm", "VC_norm"),
                             ("z_norm", "z_norm"), ("var_rand", "VC_rand"), ("z_rand", "z_rand")]:
            np.testing.assert_allclose(ours[mine], getattr(ref, theirs), rtol=RTOL,
                                       err_msg=f"{name}: {mine}")
        # esda's Geary p-values are one-tailed; ours are two-sided by default
        np.testing.assert_allclose(ours["p_norm"], 2 * ref.p_norm, rtol=RTOL)
        np.testing.assert_allclose(ours["p_rand"], 2 * ref.p_rand, rtol=RTOL)
        assert ours["p_sim"] == ref.p_sim, name
        np.testing.assert_allclose(ours["z_sim"], ref.z_sim, rtol=1e-9)


# ----------------------------------------------------------------------------- General G
def test_getis_ord_matches_esda_on_binary_weights(panel, w_binary) -> None:
    lat_w, lat_y = lattice()
    for y, w in ((year_vector(panel, w_binary, "gdp_pc", 2015), w_binary),
                 (lat_y - lat_y.min() + 0.1, lat_w)):
        ref = run_esda(esda.G, y, w.to_libpysal(), seed=8)  # esda.G always binarises
        ours = getis_ord_stats(y, w, permutations=esda_draws(8, w.n))
        for mine, theirs in [("G", "G"), ("E_G", "EG"), ("var", "VG"), ("z", "z_norm")]:
            np.testing.assert_allclose(ours[mine], getattr(ref, theirs), rtol=RTOL)
        np.testing.assert_allclose(ours["p_norm"], 2 * ref.p_norm, rtol=1e-8)  # esda: 1 − Φ(|z|)
        assert ours["p_sim"] == ref.p_sim
        np.testing.assert_allclose(ours["z_sim"], ref.z_sim, rtol=1e-9)


def test_getis_ord_row_standardised_matches_esda_formulas(panel, w_row) -> None:
    # esda.G forces binary weights; run its moment and statistic code on the row-standardised
    # libpysal W directly (bypassing the constructor) to check weights used as given.
    y = year_vector(panel, w_row, "gdp_pc", 2019)
    ref = esda.G.__new__(esda.G)
    ref.n, ref.y, ref.w, ref.permutations = y.size, y, w_row.to_libpysal(), 0
    ref._G__moments()
    ref.den_sum = y.sum() ** 2 - (y * y).sum()
    g = ref._G__calc(y)
    ours = getis_ord_stats(y, w_row, permutations=0)
    np.testing.assert_allclose([ours["G"], ours["E_G"], ours["var"]], [g, ref.EG, ref.VG],
                               rtol=RTOL)


# ----------------------------------------------------------------------------- bivariate
def test_moran_bv_matches_esda_on_row_standardised_weights(panel, w_row) -> None:
    x = year_vector(panel, w_row, "gdp_pc", 2015)
    y = year_vector(panel, w_row, "innovation", 2015)
    ref = run_esda(esda.Moran_BV, x, y, w_row.to_libpysal(), seed=21)
    ours = moran_bv_stats(x, y, w_row, permutations=esda_draws(21, w_row.n))
    np.testing.assert_allclose(ours["I"], ref.I, rtol=RTOL)
    assert ours["p_sim"] == ref.p_sim
    np.testing.assert_allclose(ours["z_sim"], ref.z_sim, rtol=1e-9)


def test_moran_bv_binary_weights_scale_by_n_over_s0(panel, w_binary) -> None:
    x = year_vector(panel, w_binary, "gdp_pc", 2015)
    y = year_vector(panel, w_binary, "innovation", 2015)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_BV(x, y, w_binary.to_libpysal(), transformation="b", permutations=0)
    ours = moran_bv_stats(x, y, w_binary, permutations=0)
    np.testing.assert_allclose(ours["I"], ref.I * w_binary.n / w_binary.sparse.sum(), rtol=RTOL)
    # I_xx is Moran's I
    np.testing.assert_allclose(moran_bv_stats(x, x, w_binary, permutations=0)["I"],
                               moran_stats(x, w_binary, permutations=0)["I"], rtol=RTOL)


# ----------------------------------------------------------------------------- panel level
def test_panel_table_matches_array_level(panel, w_row) -> None:
    draws = esda_draws(2, w_row.n, 99)
    res = moran(panel, "gdp_pc", w_row, years=[2012, 2020], permutations=draws)
    assert isinstance(res, GlobalAutocorrelation)
    assert res.explicit_draws and res.seed_entropy is None and res.permutations == 99
    for t in (2012, 2020):
        ref = moran_stats(year_vector(panel, w_row, "gdp_pc", t), w_row, permutations=draws)
        row = res.table.loc[t]
        for key, value in ref.items():
            assert row[key] == pytest.approx(value, rel=1e-12), key
    assert list(res.table.columns) == ["I", "E_I", "var_norm", "z_norm", "p_norm", "var_rand",
                                       "z_rand", "p_rand", "p_sim", "z_sim", "E_sim", "sd_sim",
                                       "n"]


def test_every_statistic_has_its_columns(panel, w_row) -> None:
    kw = {"years": [2015], "permutations": 49, "seed": 1}
    assert {"C", "E_C", "p_sim"} <= set(geary(panel, "gdp_pc", w_row, **kw).table.columns)
    assert {"G", "E_G", "var", "z", "p_norm", "p_sim"} <= set(
        getis_ord(panel, "gdp_pc", w_row, **kw).table.columns)
    bv = moran_bv(panel, "gdp_pc", "innovation", w_row, **kw)
    assert {"I", "p_sim", "z_sim"} <= set(bv.table.columns)
    assert bv.lag_column == "innovation" and "gdp_pc ~ W·innovation" in bv.tidy()["column"].iloc[0]


def test_same_seed_same_result_other_seed_differs(panel, w_row) -> None:
    a = moran(panel, "resilience", w_row, permutations=199, seed=42)
    b = moran(panel, "resilience", w_row, permutations=199, seed=42)
    c = moran(panel, "resilience", w_row, permutations=199, seed=43)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.allclose(a.table["E_sim"], c.table["E_sim"])
    assert a.seed_entropy == 42


def test_year_stream_does_not_depend_on_other_years(panel, w_row) -> None:
    alone = moran(panel, "resilience", w_row, years=(2015,), permutations=199, seed=7)
    every = moran(panel, "resilience", w_row, permutations=199, seed=7)
    pd.testing.assert_series_equal(alone.table.loc[2015], every.table.loc[2015])
    assert every.table.index.tolist() == panel.years


def test_seed_none_records_entropy_that_repeats_the_run(panel, w_row) -> None:
    first = geary(panel, "resilience", w_row, years=[2014, 2016], permutations=99)
    assert isinstance(first.seed_entropy, int) and first.seed_spawn_key == ()
    again = geary(panel, "resilience", w_row, years=[2014, 2016], permutations=99,
                  seed=first.seed_entropy)
    pd.testing.assert_frame_equal(first.table, again.table)


def test_generator_and_seed_sequence_are_accepted(panel, w_row) -> None:
    ss = np.random.SeedSequence(5, spawn_key=(3,))
    a = moran(panel, "resilience", w_row, years=[2015], permutations=99, seed=ss)
    assert a.seed_spawn_key == (3,)
    b = moran(panel, "resilience", w_row, years=[2015], permutations=99,
              seed=np.random.SeedSequence(a.seed_entropy, spawn_key=a.seed_spawn_key))
    pd.testing.assert_frame_equal(a.table, b.table)
    g = moran(panel, "resilience", w_row, years=[2015], permutations=99,
              seed=np.random.default_rng(1))
    assert isinstance(g.seed_entropy, tuple)


def test_dataframe_input_equals_panel_input(panel, w_row) -> None:
    frame = panel.data[["gdp_pc"]].sample(frac=1.0, random_state=0)  # order does not matter
    a = moran(panel, "gdp_pc", w_row, years=[2015], permutations=99, seed=3)
    b = moran(frame, "gdp_pc", w_row, years=[2015], permutations=99, seed=3)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.simulated and not b.simulated


def test_no_permutations_gives_missing_p_sim(panel, w_row) -> None:
    res = moran(panel, "gdp_pc", w_row, years=[2015], permutations=0)
    assert np.isnan(res.table.loc[2015, "p_sim"]) and res.permutations == 0
    assert res.seed_entropy is None
    assert "no permutation test" in res.summary()


def test_tidy_and_summary(panel, w_row) -> None:
    res = moran(panel, "gdp_pc", w_row, years=[2015, 2016], permutations=49, seed=1)
    tidy = res.tidy()
    assert list(tidy.columns[:3]) == ["statistic", "column", "year"]
    assert tidy["year"].tolist() == [2015, 2016] and (tidy["statistic"] == "moran").all()
    text = res.summary()
    assert "SIMULATED" in text and "Moran's I of gdp_pc" in text and "seed: 1" in text
    with pytest.raises(AttributeError):
        res.column = "x"  # type: ignore[misc]
    table = res.table
    table.loc[2015, "I"] = 99.0  # a copy: the result does not change
    assert res.table.loc[2015, "I"] != 99.0
