"""Hansen's (1999) panel threshold model against independent computations.

References used here (no stored files):

- the threshold estimates are checked against a brute-force search written in the test
  (``_threshold_cases.brute_search``: every admissible candidate fitted with numpy
  ``lstsq`` on pandas-demeaned data) — γ̂ must be *exactly* the minimising candidate and
  SSR(γ) agree to 1e-9 (relative);
- regime coefficients equal least squares on the within-transformed split data (1e-10);
- clustered standard errors equal the hand sandwich with Stata's ``xtreg, fe
  vce(cluster)`` factor (1e-10) and linearmodels 7.1 ``PanelOLS(y, [const, X],
  entity_effects=True).fit(cov_type="clustered", cluster_entity=True, debiased=True,
  group_debias=True)`` (a constant included as xtreg reports one; 1e-8);
- the LR critical values equal the 5.94, 7.35, 10.59 printed by Hansen (2000) for 90, 95
  and 99 % (to those 2 decimals);
- on a yrd_sim draw with the heterogeneity and spatial terms switched off
  (docs/data/yrd_sim.md), the true threshold 0.45 lies in the 95 % LR interval and the
  regime coefficients lie within 3 standard errors of 0.12 and 0.165.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _threshold_cases import (
    brute_search,
    brute_ssr,
    demean,
    regime_columns,
    threshold_panel,
)

from cityres.econometrics.threshold import ThresholdResult, threshold

KW = {"entity": "id", "time": "t"}


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return threshold_panel(11)


@pytest.fixture(scope="module")
def fit1(df: pd.DataFrame) -> ThresholdResult:
    return threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, bootstrap=49,
                     seed=3, **KW)


def _curve(fit: ThresholdResult, j: int) -> pd.Series:
    c = fit.lr_curve[fit.lr_curve["threshold"] == j]
    return pd.Series(c["lr"].to_numpy(), index=c["gamma"].to_numpy())


def test_single_threshold_is_the_brute_force_minimiser(df: pd.DataFrame,
                                                       fit1: ThresholdResult) -> None:
    best, ssr_min, ssr = brute_search(df, [], 0.1)
    assert fit1.thresholds == [best]
    lr = _curve(fit1, 1)
    assert list(lr.index) == sorted(ssr)
    sigma2 = ssr_min / (30 * 4)
    expected = (pd.Series(ssr) - ssr_min) / sigma2
    np.testing.assert_allclose(lr.to_numpy(), expected.sort_index().to_numpy(), rtol=1e-9,
                               atol=1e-7)
    assert math.isclose(fit1.ssr, ssr_min, rel_tol=1e-10)
    assert math.isclose(fit1.ssr_linear, brute_ssr(df, []), rel_tol=1e-10)


def test_f_statistic_definition(df: pd.DataFrame, fit1: ThresholdResult) -> None:
    df_sigma = 30 * (5 - 1)
    f = (fit1.ssr_linear - fit1.ssr) / (fit1.ssr / df_sigma)
    assert math.isclose(float(fit1.f_stats["single"]), f, rel_tol=1e-10)
    assert fit1.df_sigma == df_sigma
    assert fit1.tests.loc["single", "draws"] == 49
    assert (fit1.bootstrap_f["single"] >= 0).all()
    assert math.isclose(float(fit1.threshold_pvalues["single"]),
                        float(np.mean(fit1.bootstrap_f["single"] >= f)))


def test_double_threshold_follows_hansens_sequence() -> None:
    d = threshold_panel(5, n_entities=40, beta=(0.0, 1.5, 3.0), gammas=(0.3, 0.7))
    fit = threshold(d, "y", regime="x", q="q", controls=["z"], n_thresholds=2, trim=0.1,
                    bootstrap=0, **KW)
    g1, s1, _ = brute_search(d, [], 0.1)
    g2, s2, _ = brute_search(d, [g1], 0.1)
    g1r, s2r, _ = brute_search(d, [g2], 0.1)
    assert fit.thresholds == sorted([g1r, g2])
    assert fit.tests["threshold"].tolist() == [g1, g2]
    np.testing.assert_allclose(fit.tests["ssr"], [s1, s2], rtol=1e-10)
    assert math.isclose(fit.ssr, s2r, rel_tol=1e-10)
    f2 = (s1 - s2) / (s2 / (40 * 4))
    assert math.isclose(float(fit.f_stats["double"]), f2, rel_tol=1e-9)
    # each LR curve is zero at its own estimate
    for j, g in enumerate(fit.thresholds, start=1):
        assert _curve(fit, j)[g] == pytest.approx(0.0, abs=1e-9)


def test_triple_and_time_effects_against_brute_force() -> None:
    d = threshold_panel(8, n_entities=40, beta=(0.0, 1.5, 3.0, 1.0), gammas=(0.25, 0.5, 0.75),
                        year_shocks=True)
    fit = threshold(d, "y", regime="x", q="q", controls=["z"], n_thresholds=3, trim=0.1,
                    bootstrap=0, time_effects=True, **KW)
    kw = {"two_way": True}
    g1, s1, _ = brute_search(d, [], 0.1, **kw)
    g2, s2, _ = brute_search(d, [g1], 0.1, **kw)
    g1, _, _ = brute_search(d, [g2], 0.1, **kw)
    g3, s3, _ = brute_search(d, [g1, g2], 0.1, **kw)
    g1, _, _ = brute_search(d, [g2, g3], 0.1, **kw)
    g2, s_final, _ = brute_search(d, [g1, g3], 0.1, **kw)
    assert fit.thresholds == sorted([g1, g2, g3])
    np.testing.assert_allclose(fit.tests["ssr"], [s1, s2, s3], rtol=1e-10)
    assert math.isclose(fit.ssr, s_final, rel_tol=1e-10)
    assert fit.df_sigma == 40 * 4 - 4


def test_two_regime_variables_against_brute_force() -> None:
    d = threshold_panel(21)
    d["w"] = np.random.default_rng(0).normal(size=len(d)) + d["y"] * 0.1
    fit = threshold(d, "y", regime=["x", "w"], q="q", controls=["z"], trim=0.1, bootstrap=0,
                    **KW)
    best, ssr_min, _ = brute_search(d, [], 0.1, regime=("x", "w"))
    assert fit.thresholds == [best]
    assert math.isclose(fit.ssr, ssr_min, rel_tol=1e-10)
    assert list(fit.params.index) == ["x_r1", "x_r2", "w_r1", "w_r2", "z"]


def test_coefficients_are_within_ols_on_the_split_data(df: pd.DataFrame,
                                                        fit1: ThresholdResult) -> None:
    X = pd.concat([regime_columns(df, ["x"], fit1.thresholds), df[["z"]]], axis=1)
    Xw = demean(X, df, False).to_numpy()
    yw = demean(df[["y"]], df, False).to_numpy().ravel()
    b, *_ = np.linalg.lstsq(Xw, yw, rcond=None)
    np.testing.assert_allclose(fit1.params.to_numpy(), b, rtol=1e-10, atol=1e-12)
    # hand sandwich with xtreg's factor: G/(G-1) (n-1)/(n-K), K = 3 slopes + constant
    e = yw - Xw @ b
    bread = np.linalg.inv(Xw.T @ Xw)
    s = pd.DataFrame(Xw * e[:, None]).groupby(df["id"].to_numpy()).sum().to_numpy()
    n, g, k = len(df), 30, 3 + 1
    v = g / (g - 1) * (n - 1) / (n - k) * bread @ s.T @ s @ bread
    np.testing.assert_allclose(fit1.std_errors.to_numpy(), np.sqrt(np.diag(v)), rtol=1e-10)
    np.testing.assert_allclose(fit1.cov.to_numpy(), v, rtol=1e-10, atol=1e-16)


def test_clustered_errors_equal_linearmodels(df: pd.DataFrame, fit1: ThresholdResult) -> None:
    linearmodels = pytest.importorskip("linearmodels")
    X = regime_columns(df, ["x"], fit1.thresholds).assign(z=df["z"], const=1.0)
    X.index = pd.MultiIndex.from_frame(df[["id", "t"]])
    y = pd.Series(df["y"].to_numpy(), index=X.index)
    res = linearmodels.PanelOLS(y, X, entity_effects=True).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True)
    names = list(fit1.params.index)
    np.testing.assert_allclose(fit1.params[names], res.params[names], rtol=1e-8)
    np.testing.assert_allclose(fit1.std_errors[names], res.std_errors[names], rtol=1e-8)


@pytest.mark.parametrize(("level", "printed"), [(0.90, 5.94), (0.95, 7.35), (0.99, 10.59)])
def test_lr_interval_uses_hansens_critical_value(df: pd.DataFrame, level: float,
                                                 printed: float) -> None:
    fit = threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, bootstrap=0,
                    level=level, **KW)
    c = -2 * math.log(1 - math.sqrt(1 - (1 - level)))
    assert fit.lr_critical == pytest.approx(c, rel=1e-14)
    assert round(c, 2) == printed
    lr = _curve(fit, 1)
    inside = lr.index[lr.to_numpy() <= c]
    ci = fit.threshold_ci.loc["gamma1"]
    assert (ci["lower"], ci["upper"]) == (inside.min(), inside.max())
    assert ci["lower"] <= ci["estimate"] <= ci["upper"]


def test_grid_candidates_are_quantiles_of_q(df: pd.DataFrame) -> None:
    fit = threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, grid=20,
                    bootstrap=0, **KW)
    probs = 0.1 + 0.8 * np.arange(20) / 19
    points = np.quantile(df["q"].to_numpy(), probs, method="inverted_cdf")
    assert set(fit.lr_curve["gamma"]) <= set(points)
    _, _, ssr = brute_search(df, [], 0.1)
    on_grid = {g: s for g, s in ssr.items() if g in set(points)}
    assert fit.thresholds == [min(on_grid, key=on_grid.__getitem__)]


def test_bootstrap_is_identical_on_every_backend(df: pd.DataFrame) -> None:
    kw = {"regime": "x", "q": "q", "controls": ["z"], "n_thresholds": 2, "trim": 0.1,
          "bootstrap": 24, "seed": 99, **KW}
    serial = threshold(df, "y", backend="serial", **kw)  # type: ignore[arg-type]
    procs = threshold(df, "y", backend="processes", **kw)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(serial.bootstrap_f, procs.bootstrap_f)
    pd.testing.assert_series_equal(serial.threshold_pvalues, procs.threshold_pvalues)


def test_seeds_repeat_and_differ(df: pd.DataFrame, fit1: ThresholdResult) -> None:
    again = threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, bootstrap=49,
                      seed=3, **KW)
    pd.testing.assert_frame_equal(again.bootstrap_f, fit1.bootstrap_f)
    ss = np.random.SeedSequence(3)
    a = threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, bootstrap=49,
                  seed=ss, **KW)
    b = threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, bootstrap=49,
                  seed=ss, **KW)
    pd.testing.assert_frame_equal(a.bootstrap_f, b.bootstrap_f)
    pd.testing.assert_frame_equal(a.bootstrap_f, fit1.bootstrap_f)
    other = threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, bootstrap=49,
                      seed=4, **KW)
    assert not other.bootstrap_f.equals(fit1.bootstrap_f)
    free = threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, bootstrap=49,
                     **KW)
    rerun = threshold(df, "y", regime="x", q="q", controls=["z"], trim=0.1, bootstrap=49,
                      seed=free.seed_sequence(), **KW)
    pd.testing.assert_frame_equal(free.bootstrap_f, rerun.bootstrap_f)


def test_result_renders(fit1: ThresholdResult) -> None:
    from cityres.report.tables import regression_table

    tidy = fit1.tidy()
    assert list(tidy["term"]) == ["x_r1", "x_r2", "z"]
    text = fit1.summary()
    assert "Thresholds with LR 95% intervals" in text and "single" in text
    from cityres.study.steps.threshold import _summary

    s = _summary(fit1)
    assert s.stat("gamma1") == fit1.thresholds[0] and s.stat("r2_within") == fit1.r2_within
    table = regression_table([fit1])
    assert "x_r1" in table.to_text("en")
    with pytest.raises(AttributeError):
        fit1.ssr = 0.0  # type: ignore[misc]


def test_recovers_the_yrd_sim_threshold_without_heterogeneity() -> None:
    from cityres.datasets.sim import simulate

    one = {"bottom": 1.0, "middle": 1.0, "top": 1.0}
    params = {"outcome": {"post_mult": 1.0, "open_mult": one,
                          "region_mult": {"east": 1.0, "central": 1.0},
                          "size_mult": {"large": 1.0, "medium": 1.0, "small": 1.0},
                          "rho": 0.0, "theta_de": 0.0}}
    sim = simulate(seed=5, params=params)
    panel = sim.to_panel().ln(["gdp_pc", "population"])
    controls = ["ec_latent", "innovation", "upgrading", "misallocation", "consumption_pc",
                "emp_diversity", "ln_gdp_pc", "ln_population", "fiscal_share", "openness",
                "urbanisation"]
    fit = threshold(panel, "resilience", regime="de_latent", q="de_latent",
                    controls=controls, time_effects=True, bootstrap=0)
    truth = sim.truth["params"]["outcome"]
    ci = fit.threshold_ci.loc["gamma1"]
    assert ci["lower"] <= truth["threshold"] <= ci["upper"]
    for name, beta in (("de_latent_r1", truth["beta_low"]),
                       ("de_latent_r2", truth["beta_high"])):
        assert abs(fit.params[name] - beta) < 3 * fit.std_errors[name]
