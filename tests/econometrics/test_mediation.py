"""Mediation: the three equations against pyfixest and linearmodels, the Sobel and
bootstrap formulas, reproducibility, recovery of a known indirect effect, bad input.

References (computed in the test run, nothing stored):

- pyfixest 0.60 ``feols("m ~ x + controls | city + year", vcov={"CRV1": "city"})`` on the
  bundled yrd_sim (SIMULATED) panel: coefficients to 1e-10, SEs to 1e-8 (relative).
- linearmodels 7.1 ``PanelOLS(entity_effects=True, time_effects=True).fit(
  cov_type="clustered", cluster_entity=True, auto_df=False, count_effects=False,
  group_debias=True)``: coefficients to 1e-10; it scales the cluster sandwich by
  G/(G-1)·(N-1)/(N-k) (Stata's ``xtreg, fe vce(cluster)``), fixest (and so fit_fe) by
  G/(G-1)·(N-1)/(N-k-T) (the T time effects are not nested in the city clusters and are
  counted), so the SEs agree after the factor sqrt((N-k)/(N-k-T)), to 1e-8.
- The bias-corrected interval on a hand example: draws 1…1000, estimate 300.5, so
  z0 = Φ⁻¹(0.3) = −0.5244005; the quantiles Φ(2z0 ∓ 1.959964) = 0.0013116, 0.8188952 of the
  draws (linear interpolation: 1 + 999 q) are 2.310248 and 819.0763 (normal table values).
- Recovery: ``cityres.datasets.simulate(400, seed=3, params="simple")`` (docs/data/yrd_sim.md:
  the plain two-way FE identifies a_m and b_m in this preset); the 95 % percentile interval
  of every a_m·b_m covers the truth and |âb̂ − ab| ≤ 3 Sobel SE.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import cityres
from cityres import datasets
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres._shared.replicate import replicate
from cityres.econometrics import _bootstrap as boot
from cityres.econometrics._frame import model_frame
from cityres.econometrics.mediation import MediationResult, mediation, sobel

Y, X = "resilience", "de_latent"
MEDS = ["innovation", "upgrading", "misallocation", "consumption_pc", "emp_diversity"]
CTRL = ["gdp_pc", "fiscal_share", "openness", "urbanisation"]


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def res(panel: cityres.CityPanel) -> MediationResult:
    return mediation(panel, Y, X, MEDS, controls=CTRL, bootstrap=200, seed=7)


def test_equations_match_pyfixest(panel: cityres.CityPanel, res: MediationResult) -> None:
    import pyfixest as pf

    d = panel.data.reset_index()
    rest = " + ".join(CTRL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tot = pf.feols(f"{Y} ~ {X} + {rest} | city + year", d, vcov={"CRV1": "city"})
        for m in MEDS:
            fa = pf.feols(f"{m} ~ {X} + {rest} | city + year", d, vcov={"CRV1": "city"})
            fb = pf.feols(f"{Y} ~ {X} + {m} + {rest} | city + year", d, vcov={"CRV1": "city"})
            e = res.effects.loc[m]
            got = [e["a"], e["b"], e["c"], e["c_prime"]]
            want = [fa.coef()[X], fb.coef()[m], tot.coef()[X], fb.coef()[X]]
            np.testing.assert_allclose(got, want, rtol=1e-10)
            got_se = [e["se_a"], e["se_b"], e["se_c"], e["se_c_prime"]]
            want_se = [fa.se()[X], fb.se()[m], tot.se()[X], fb.se()[X]]
            np.testing.assert_allclose(got_se, want_se, rtol=1e-8)


def test_equations_match_linearmodels(panel: cityres.CityPanel, res: MediationResult) -> None:
    from linearmodels import PanelOLS

    d = panel.data
    N, T = len(d), d.index.get_level_values("year").nunique()

    def lm(dep: str, regs: list[str]) -> Any:
        mod = PanelOLS(d[dep], d[regs], entity_effects=True, time_effects=True)
        return mod.fit(cov_type="clustered", cluster_entity=True, auto_df=False,
                       count_effects=False, group_debias=True)

    for m in MEDS[:3]:
        for kind, dep, regs, coef in (("mediator", m, [X, *CTRL], X),
                                      ("outcome", Y, [X, m, *CTRL], m),
                                      ("total", Y, [X, *CTRL], X)):
            ours = res.models[m][kind]
            ref = lm(dep, regs)
            k = len(regs)
            factor = np.sqrt((N - k) / (N - k - T))
            np.testing.assert_allclose(ours.params[coef], ref.params[coef], rtol=1e-10)
            np.testing.assert_allclose(ours.std_errors[regs].to_numpy(),
                                       ref.std_errors[regs].to_numpy() * factor, rtol=1e-8)


@pytest.mark.parametrize("effects", ["twoways", "individual", "time", "none"])
def test_total_is_direct_plus_indirect(panel: cityres.CityPanel, effects: str) -> None:
    r = mediation(panel, Y, X, MEDS, controls=CTRL[:2], effects=effects, bootstrap=0)
    e = r.effects
    np.testing.assert_allclose(e["c"], e["c_prime"] + e["indirect"], rtol=1e-10, atol=1e-14)


def test_sobel_is_the_hand_formula(res: MediationResult) -> None:
    for m in MEDS:
        e = res.effects.loc[m]
        a, b, sa, sb = e["a"], e["b"], e["se_a"], e["se_b"]
        z = a * b / np.sqrt(b**2 * sa**2 + a**2 * sb**2)
        from scipy.stats import norm

        np.testing.assert_allclose(e["sobel_z"], z, rtol=1e-13)
        np.testing.assert_allclose(e["sobel_p"], 2 * norm.sf(abs(z)), rtol=1e-12)
        np.testing.assert_allclose(e["aroian_z"],
                                   a * b / np.sqrt(b**2 * sa**2 + a**2 * sb**2 + sa**2 * sb**2),
                                   rtol=1e-13)
    se, z, _, _ = sobel(0.5, 0.1, 0.4, 0.1)  # sqrt(0.16·0.01 + 0.25·0.01) = 0.0640312
    assert se == pytest.approx(0.0640312424, rel=1e-9)
    assert z == pytest.approx(3.1234752, rel=1e-7)


def _within(frame: pd.DataFrame, effects: str, columns: list[str]) -> boot.WithinData:
    return boot.within_data(frame, columns, len(MEDS), "city", "year", effects, "city")


@pytest.mark.parametrize("effects", ["twoways", "individual", "time", "none"])
@pytest.mark.parametrize("balanced", [True, False])
def test_draw_estimator_is_fit_fe_on_the_original_sample(panel: cityres.CityPanel, effects: str,
                                                         balanced: bool) -> None:
    d = panel.data
    if not balanced:  # drop a few city-years: the general (alternating projections) path
        d = d.drop(index=[("320100", 2011), ("340100", 2023), ("330100", 2015)])
    cols = [Y, X, *MEDS, *CTRL]
    frame, _, _ = model_frame(d, cols)
    wd = _within(frame, effects, cols)
    assert (wd.cube is not None) == balanced
    est = boot.within_effects(wd, np.arange(len(wd.units)))
    r = mediation(d, Y, X, MEDS, controls=CTRL, effects=effects, bootstrap=0)
    np.testing.assert_allclose(est[:, 0], r.effects["a"], rtol=1e-10)
    np.testing.assert_allclose(est[:, 1], r.effects["b"], rtol=1e-10)
    np.testing.assert_allclose(est[:, 2], r.effects["c"], rtol=1e-10)


@pytest.mark.parametrize("effects", ["twoways", "individual", "time", "none"])
def test_balanced_shortcut_equals_general_path_on_resampled_panels(panel: cityres.CityPanel,
                                                                   effects: str) -> None:
    cols = [Y, X, *MEDS, *CTRL]
    frame, _, _ = model_frame(panel, cols)
    fast = _within(frame, effects, cols)
    slow = boot.WithinData(**{**fast.__dict__, "cube": None})
    rng = np.random.default_rng(3)
    for _ in range(3):
        ents = rng.integers(0, 41, 41)  # repeats: each copy must be a city of its own
        np.testing.assert_allclose(boot.within_effects(fast, ents),
                                   boot.within_effects(slow, ents), rtol=1e-9)


def test_bootstrap_reproducible_on_both_backends(panel: cityres.CityPanel) -> None:
    serial = mediation(panel, Y, X, MEDS[:2], controls=CTRL, bootstrap=24, seed=11)
    procs = mediation(panel, Y, X, MEDS[:2], controls=CTRL, bootstrap=24, seed=11,
                      backend="processes")
    pd.testing.assert_frame_equal(serial.draws, procs.draws)
    pd.testing.assert_frame_equal(serial.effects, procs.effects)
    other = mediation(panel, Y, X, MEDS[:2], controls=CTRL, bootstrap=24, seed=12)
    assert not np.allclose(other.draws["indirect"], serial.draws["indirect"])


def test_draws_are_the_replicate_stream(panel: cityres.CityPanel, res: MediationResult) -> None:
    # draw i resamples with child i of SeedSequence(7): rebuild draw 5 by hand
    cols = [Y, X, *MEDS, *CTRL]
    frame, _, _ = model_frame(panel, cols)
    wd = _within(frame, "twoways", cols)
    (five,) = replicate(lambda rng: rng.integers(0, 41, 41), 6, seed=7)[5:]
    want = boot.within_effects(wd, five)
    got = res.draws[res.draws["draw"] == 5].set_index("mediator").loc[MEDS]
    np.testing.assert_allclose(got["a"], want[:, 0], rtol=1e-12)
    np.testing.assert_allclose(got["indirect"], want[:, 0] * want[:, 1], rtol=1e-12)


def test_intervals_are_computed_from_the_draws(res: MediationResult) -> None:
    for m in MEDS:
        ab = res.draws.loc[res.draws["mediator"] == m, "indirect"].to_numpy()
        e = res.effects.loc[m]
        assert e["n_boot"] == 200 == ab.size
        np.testing.assert_allclose([e["boot_ci_lower"], e["boot_ci_upper"]],
                                   np.quantile(ab, [0.025, 0.975]), rtol=1e-14)
        assert e["bc_ci_lower"] < e["indirect"] < e["bc_ci_upper"]


def test_bias_corrected_interval_hand_example() -> None:
    draws = np.arange(1.0, 1001.0)
    lo, hi = boot.bias_corrected_ci(draws, 300.5, 0.95)
    np.testing.assert_allclose([lo, hi], [2.310248, 819.0763], rtol=1e-6)
    # no bias (half the draws below the estimate): the percentile interval
    np.testing.assert_allclose(boot.bias_corrected_ci(draws, 500.5, 0.95),
                               boot.percentile_ci(draws, 0.95), rtol=1e-14)
    assert np.isnan(boot.bias_corrected_ci(draws, 0.0, 0.95)).all()


def test_bootstrap_zero_skips(panel: cityres.CityPanel) -> None:
    r = mediation(panel, Y, X, "innovation", bootstrap=0)
    e = r.effects.loc["innovation"]
    assert e["n_boot"] == 0 and np.isnan(e["boot_ci_lower"]) and np.isnan(e["bc_ci_upper"])
    assert r.draws.empty
    assert "bootstrap: not run" in r.summary()


def test_cluster_bootstrap_resamples_whole_clusters(panel: cityres.CityPanel) -> None:
    r = mediation(panel, Y, X, ["innovation"], cluster="province", bootstrap=20, seed=1)
    assert r.resample == "province" and r.cluster == "province"
    assert r.models["innovation"]["mediator"].n_clusters == 4
    assert r.effects.loc["innovation", "n_boot"] == 20


def test_recovers_a_known_indirect_effect() -> None:
    sim = datasets.simulate(400, seed=3, params="simple")
    pan = sim.to_panel().ln(["gdp_pc", "population"])
    ctrl = ["ec_latent", "ln_gdp_pc", "ln_population", "fiscal_share", "openness",
            "urbanisation"]
    r = mediation(pan, Y, X, MEDS, controls=ctrl, bootstrap=199, seed=5)
    truth = sim.truth
    for m in MEDS:
        e = r.effects.loc[m]
        ab = truth["derived"]["indirect_effects"][m]
        assert e["boot_ci_lower"] <= ab <= e["boot_ci_upper"], m
        assert abs(e["indirect"] - ab) <= 3 * e["sobel_se"], m
        assert abs(e["a"] - truth["params"]["mediators"][m]["a"]) <= 3 * e["se_a"], m


@pytest.mark.slow
def test_percentile_interval_coverage() -> None:
    # 40 small simple-preset panels: the 90 % interval of a·b (innovation) covers the truth in
    # 80–100 % of them (binomial(40, 0.9) is in [32, 40] with probability ≈ 0.96)
    cover = 0
    for rep in range(40):
        sim = datasets.simulate(80, seed=100 + rep, params="simple")
        d = sim.to_panel().data
        cols = [Y, X, "innovation", "ec_latent"]
        frame, _, _ = model_frame(d, cols)
        wd = boot.within_data(frame, cols, 1, "city", "year", "twoways", "city")
        draws = np.stack(replicate(boot.draw, 199, seed=rep, args=(wd,)))
        lo, hi = boot.percentile_ci(draws[:, 0, 0] * draws[:, 0, 1], 0.90)
        cover += lo <= sim.truth["derived"]["indirect_effects"]["innovation"] <= hi
    assert 32 <= cover <= 40


def test_tidy_and_summary(res: MediationResult) -> None:
    t = res.tidy()
    assert len(t) == 6 * len(MEDS)
    row = t[(t["mediator"] == "innovation") & (t["term"] == "indirect")].iloc[0]
    assert row["estimate"] == res.effects.loc["innovation", "indirect"]
    assert row["ci_lower"] == res.effects.loc["innovation", "boot_ci_lower"]
    s = res.summary()
    assert "Mediation of de_latent -> resilience" in s and "200 draws" in s
    assert res.models["upgrading"]["total"] is res.total


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(mediators=["nope"]), ArgumentError, "nope"),
    (dict(controls=["gdp_pcx"]), ArgumentError, "gdp_pcx"),
    (dict(mediators=[X]), ArgumentError, "'de_latent' is already x"),
    (dict(mediators=[Y]), ArgumentError, "'resilience' is already y"),
    (dict(mediators=["innovation"], controls=["innovation"]), ArgumentError, "already mediators"),
    (dict(mediators=["innovation", "innovation"]), ArgumentError, "more than once"),
    (dict(mediators=[]), ArgumentError, "at least one mediator"),
    (dict(bootstrap=-1), ArgumentError, "bootstrap=-1"),
    (dict(bootstrap=2.5), ArgumentTypeError, "bootstrap=2.5"),
    (dict(bootstrap=True), ArgumentTypeError, "bootstrap=True"),
    (dict(level=95), ArgumentError, "level=95"),
    (dict(effects="city"), ArgumentError, "effects='city'"),
    (dict(backend="threads"), ArgumentError, "backend='threads'"),
    (dict(cluster="province", vcov="hetero"), ArgumentError, "needs vcov='cluster'"),
])
def test_bad_input(panel: cityres.CityPanel, kwargs: dict, error: type, match: str) -> None:
    args = {"mediators": ["innovation"], "bootstrap": 2, **kwargs}
    meds = args.pop("mediators")
    with pytest.raises(error, match=match):
        mediation(panel, Y, X, meds, **args)


def test_x_equal_to_y(panel: cityres.CityPanel) -> None:
    with pytest.raises(ArgumentError, match="also y"):
        mediation(panel, Y, Y, ["innovation"])


def test_fewer_than_two_entities_to_resample(panel: cityres.CityPanel) -> None:
    one = panel.data.loc[["310000"]].reset_index()
    with pytest.raises(ArgumentError, match="resamples city units but the data has 1"):
        mediation(one, Y, X, ["innovation"], entity="city", time="year",
                  effects="individual", bootstrap=10)


def test_cluster_that_splits_an_entity(panel: cityres.CityPanel) -> None:
    d = panel.data.reset_index()
    d["half"] = (d["year"] > 2016).astype(int)
    with pytest.raises(ArgumentError, match="lie in more than one half"):
        mediation(d, Y, X, ["innovation"], entity="city", time="year", cluster="half",
                  bootstrap=5)
