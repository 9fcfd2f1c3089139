"""build_index / IndexBuilder on the bundled SIMULATED yrd_sim panel, options and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cityres
from cityres.indices import (
    IndexBuilder,
    IndicatorSystem,
    OutOfRangeWarning,
    build_index,
    bundled_systems,
    combine,
    load_system,
    pca_components,
)
from cityres.indices.normalize import normalize


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


def _small() -> pd.DataFrame:
    idx = pd.MultiIndex.from_product([["A", "B", "C"], [2020, 2021]], names=["city", "year"])
    return pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 5.0, 2.0, 4.0], "y": [9.0, 7.0, 5.0, 3.0, 1.0, 2.0]}, index=idx
    )


SMALL = IndicatorSystem.from_dict(
    {
        "name": "small",
        "dimensions": [{"key": "d"}],
        "indicators": [{"column": "x", "direction": "+"}, {"column": "y", "direction": "-"}],
    }
)


@pytest.mark.parametrize(
    "name", ["digital_economy", "ecommerce", "urban_resilience", "economic_resilience"]
)
@pytest.mark.parametrize("aggregate", ["sum", "topsis"])
def test_bundled_systems_build(panel: cityres.CityPanel, name: str, aggregate: str) -> None:
    assert name in bundled_systems()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = build_index(panel, name, aggregate=aggregate)
    assert res.simulated and "SIMULATED" in res.summary() and "SIMULATED" in repr(res)
    assert res.scores.index.equals(panel.data.index)
    assert np.isfinite(res.scores).all() and res.scores.between(0, 1).all()
    assert res.scores.min() >= 0 and res.scores.max() <= 1
    assert res.dimension_scores.columns.tolist() == load_system(name).dimension_keys
    assert ((res.dimension_scores >= 0) & (res.dimension_scores <= 1)).all().all()
    w = res.weights
    assert w["indicator"].tolist() == load_system(name).columns
    assert w["weight"].sum() == pytest.approx(1, abs=1e-12) and (w["weight"] >= 0).all()
    assert_allclose(w["within_weight"] * w["dimension_weight"], w["weight"], atol=1e-15)
    assert_allclose(w.groupby("dimension")["within_weight"].sum(), 1, atol=1e-12)
    assert {"entropy", "divergence"} <= set(w.columns)
    # ranks: 1 = best within each year
    for _, grp in pd.DataFrame({"s": res.scores, "r": res.ranks}).groupby(level="year"):
        assert grp.loc[grp["s"].idxmax(), "r"] == 1 and grp["r"].max() <= len(grp)
    if aggregate == "sum":  # total = Σ dimension weight × dimension score
        dim_w = w.drop_duplicates("dimension").set_index("dimension")["dimension_weight"]
        assert_allclose(res.dimension_scores @ dim_w, res.scores, atol=1e-12)
    tidy = res.tidy()
    assert list(tidy.columns) == ["system", "city", "year", "dimension", "score", "rank"]
    assert len(tidy) == len(res.scores) * (1 + len(load_system(name).dimensions))


def test_digital_economy_tracks_latent(panel: cityres.CityPanel) -> None:
    # SIMULATED data: the five indicators load on de_latent, so the entropy index must
    # track it. Measured (seed 20240501): r = 0.9605 pooled; 0.98 within years.
    res = build_index(panel, "digital_economy")
    r = np.corrcoef(res.scores, panel.data["de_latent"])[0, 1]
    assert r > 0.95
    by_year = pd.DataFrame({"s": res.scores, "d": panel.data["de_latent"]}).groupby(level="year")
    assert min(g["s"].corr(g["d"]) for _, g in by_year) > 0.9
    topsis = build_index(panel, "digital_economy", aggregate="topsis")
    assert np.corrcoef(topsis.scores, panel.data["de_latent"])[0, 1] > 0.9


@pytest.mark.parametrize("weighting", ["entropy", "critic", "cv", "pca", "equal"])
@pytest.mark.parametrize("scope", ["pooled", "by_year"])
def test_weighting_methods(panel: cityres.CityPanel, weighting: str, scope: str) -> None:
    res = build_index(panel, "urban_resilience", weighting=weighting, scope=scope)
    w = res.weights
    assert w["weight"].sum() == pytest.approx(1, abs=1e-12) and (w["weight"] > 0).all()
    diag = {
        "entropy": {"entropy", "divergence"},
        "critic": {"std", "conflict", "information"},
        "cv": {"mean", "std", "cv"},
        "pca": {"pca_coefficient"},
        "equal": set(),
    }[weighting]
    assert diag <= set(w.columns)
    assert res.options["weighting"] == weighting and res.options["scope"] == scope
    assert res.scores.between(0, 1).all()


def test_by_year_weights_are_mean_of_yearly(panel: cityres.CityPanel) -> None:
    b = IndexBuilder("digital_economy", scope="by_year").fit(panel)
    assert b.weights_by_year_ is not None
    yearly = b.weights_by_year_.pivot(index="year", columns="indicator", values="weight")
    assert_allclose(yearly.sum(axis=1), 1, atol=1e-12)
    mean = yearly.mean()[b.weights_["indicator"]].to_numpy()
    assert_allclose(b.weights_["weight"], mean / mean.sum(), atol=1e-15)
    # each year's weights are the entropy weights of that year's cities
    one = build_index(panel.select(years=[2015]), "digital_economy")
    assert_allclose(yearly.loc[2015, one.weights["indicator"]], one.weights["weight"], atol=1e-12)
    assert b.min_.index.name == "year" and len(b.min_) == 13
    res = b.transform(panel)
    assert res.options["by_year_weights"] == "mean over years"
    # by_year min–max: every year has a 0 and a 1 per indicator
    assert_allclose(res.normalized.groupby(level="year").max(), 1.0)


def test_user_and_combined_weights(panel: cityres.CityPanel) -> None:
    cols = load_system("digital_economy").columns
    given = dict(zip(cols, [2, 1, 1, 1, 5], strict=True))
    res = build_index(panel, "digital_economy", weighting="user", weights=given)
    assert_allclose(res.weights["weight"], [0.2, 0.1, 0.1, 0.1, 0.5], atol=1e-15)
    assert res.weights["given"].tolist() == [2, 1, 1, 1, 5]
    ent = build_index(panel, "digital_economy").weights["weight"]
    mixed = build_index(panel, "digital_economy", weights=given, combine=0.4)
    expect = 0.4 * np.array([0.2, 0.1, 0.1, 0.1, 0.5]) + 0.6 * ent.to_numpy()
    assert_allclose(mixed.weights["weight"], expect, atol=1e-15)
    assert {"subjective", "objective", "entropy"} <= set(mixed.weights.columns)
    mult = combine(
        pd.Series(given, dtype=float), pd.Series(ent.to_numpy(), index=cols), how="multiplicative"
    )
    s = np.array([0.2, 0.1, 0.1, 0.1, 0.5]) * ent.to_numpy()
    assert_allclose(mult, s / s.sum(), atol=1e-15)
    with pytest.raises(cityres.ArgumentError, match="combine="):
        build_index(panel, "digital_economy", weights=given)
    with pytest.raises(cityres.ArgumentError, match=r"missing \['dfi_index'\]"):
        build_index(panel, "digital_economy", weighting="user", weights={c: 1.0 for c in cols[:-1]})
    with pytest.raises(cityres.ArgumentError, match="needs weights"):
        build_index(panel, "digital_economy", weighting="user")


def test_pca_rule(panel: cityres.CityPanel) -> None:
    res = build_index(panel, "urban_resilience", weighting="pca")
    comp = pca_components(res.normalized)
    kept = comp[comp["eigenvalue"] > 1]
    assert res.options["pca_components"] == len(kept) >= 1
    lam = kept["eigenvalue"].to_numpy()
    coef = np.abs(kept[res.weights["indicator"]].to_numpy()).T @ (lam / lam.sum())
    assert_allclose(res.weights["weight"], coef / coef.sum(), atol=1e-12)
    share = build_index(panel, "urban_resilience", weighting="pca", pca_share=0.9)
    k = int((comp["cumulative"] < 0.9 - 1e-12).sum()) + 1
    assert share.options["pca_components"] == k


def test_transform_later_year_with_learned_parameters(panel: cityres.CityPanel) -> None:
    ref = panel.select(years=range(2011, 2020))
    b = IndexBuilder("digital_economy").fit(ref)
    with pytest.warns(OutOfRangeWarning, match="not clipped"):
        later = b.transform(panel.select(years=[2023]))
    assert later.normalized.to_numpy().max() > 1  # growth beyond the reference range
    lo, hi = b.min_.loc["pooled"], b.max_.loc["pooled"]
    x = panel.select(years=[2023]).data[lo.index]
    assert_allclose(later.normalized, (x - lo) / (hi - lo), atol=1e-12)
    assert_allclose(later.scores, later.normalized @ b.weights_["weight"].to_numpy(), atol=1e-12)
    # fitting on the reference period and scoring it again reproduces build_index
    assert_allclose(b.transform(ref).scores, build_index(ref, "digital_economy").scores)
    by_year = IndexBuilder("digital_economy", scope="by_year").fit(ref)
    with pytest.raises(cityres.ArgumentError, match=r"\[2023\].*scope='pooled'"):
        by_year.transform(panel.select(years=[2023]))
    with pytest.raises(cityres.ArgumentError, match="not fitted"):
        IndexBuilder("digital_economy").transform(ref)


def test_options_and_immutability(panel: cityres.CityPanel) -> None:
    res = build_index(panel, "ecommerce", shift=0.0001, aggregate="topsis")
    opt = res.options
    for key in (
        "normalize",
        "scope",
        "shift",
        "weighting",
        "aggregate",
        "std_ddof",
        "entropy_zero",
        "dimension_weight",
        "out_of_range",
        "fit_years",
    ):
        assert key in opt
    assert opt["shift"] == 0.0001 and opt["fit_cities"] == 41
    opt["shift"] = 5
    assert res.options["shift"] == 0.0001
    s = res.scores
    s.iloc[0] = 99.0
    assert res.scores.iloc[0] != 99.0
    with pytest.raises(AttributeError, match="immutable"):
        res.system = load_system("digital_economy")


def test_zscore_and_vector(panel: cityres.CityPanel) -> None:
    z = build_index(panel, "digital_economy", normalize="zscore", weighting="critic")
    assert_allclose(z.normalized.mean(), 0, atol=1e-12)
    assert_allclose(z.normalized.std(ddof=1), 1, atol=1e-12)
    with pytest.raises(cityres.PanelError, match="zscore"):
        build_index(panel, "digital_economy", normalize="zscore", weighting="entropy")
    v = build_index(panel, "urban_resilience", normalize="vector")
    x = panel.data["pm25"]
    assert_allclose(v.normalized["pm25"], 1 - x / np.sqrt((x**2).sum()), atol=1e-15)


def test_normalize_function_by_year_and_shift() -> None:
    out = normalize(_small(), SMALL.directions, scope="by_year", shift=0.5)
    # 2020: x = 1, 3, 2 -> (x-1)/2 = 0, 1, .5; y (neg) = 9, 5, 1 -> (9-y)/8 = 0, .5, 1
    assert_allclose(out.xs(2020, level="year"), [[0.5, 0.5], [1.5, 1.0], [1.0, 1.5]])
    # 2021: x = 2, 5, 4 -> 0, 1, 2/3; y = 7, 3, 2 -> (7-y)/5 = 0, .8, 1
    assert_allclose(out.xs(2021, level="year"), [[0.5, 0.5], [1.5, 1.3], [7 / 6, 1.5]])


# ----------------------------------------------------------------- bad input
def test_constant_indicator_is_named() -> None:
    data = _small().assign(x=3.0)
    with pytest.raises(cityres.PanelError, match=r"'x'.*shift cannot.*drop\(\['x'\]\)"):
        build_index(data, SMALL)
    by_year = _small()
    by_year.loc[(slice(None), 2021), "y"] = 4.0
    with pytest.raises(cityres.PanelError, match=r"'y', year 2021.*scope='pooled'"):
        build_index(by_year, SMALL, scope="by_year")
    build_index(by_year, SMALL)  # pooled it varies: fine


def test_missing_values_name_indicator_city_year(panel: cityres.CityPanel) -> None:
    data = panel.data.copy()
    data.loc[("320500", 2015), "dfi_index"] = np.nan
    data.loc[("330100", 2019), "mobile_per100"] = np.nan
    holey = cityres.CityPanel(data, panel.cities, meta=panel.meta, variables=panel.variables)
    with pytest.raises(cityres.PanelError) as info:
        build_index(holey, "digital_economy")
    msg = str(info.value)
    assert "dfi_index: city 320500, year 2015" in msg
    assert "mobile_per100: city 330100, year 2019" in msg
    assert "interpolate" in msg and "system.drop" in msg and "select(years" in msg
    with pytest.warns(cityres.DataChangeWarning):
        filled = holey.interpolate(["dfi_index", "mobile_per100"])
    fixed = build_index(filled, "digital_economy")
    assert np.isfinite(fixed.scores).all()


def test_negative_values_where_a_ratio_is_needed() -> None:
    data = _small()
    data.loc[("B", 2021), "x"] = -1.0
    expect = r"(?s)x: city B, year 2021 \(value -1.0\).*minmax"
    with pytest.raises(cityres.PanelError, match=expect):
        build_index(data, SMALL, normalize="vector")
    with pytest.raises(cityres.PanelError, match=r"\['x'\].*entropy"):
        build_index(data, SMALL, weighting="cv")
    res = build_index(data, SMALL)  # min–max handles negative raw values
    assert res.scores.between(0, 1).all()


def test_infinite_and_bad_arguments() -> None:
    data = _small()
    data.loc[("A", 2020), "y"] = np.inf
    with pytest.raises(cityres.PanelError, match="y: city A, year 2020"):
        build_index(data, SMALL)
    with pytest.raises(cityres.ArgumentError, match="'minmax', 'zscore' or 'vector'"):
        build_index(_small(), SMALL, normalize="rank")
    with pytest.raises(cityres.ArgumentError, match="'pooled' or 'by_year'"):
        build_index(_small(), SMALL, scope="year")
    with pytest.raises(cityres.ArgumentError, match="'sum' or 'topsis'"):
        build_index(_small(), SMALL, aggregate="mean")
    with pytest.raises(cityres.ArgumentTypeError, match="CityPanel"):
        build_index(np.zeros((3, 2)), SMALL)
    with pytest.raises(cityres.ArgumentError, match="city, year"):
        build_index(_small().reset_index(), SMALL)
