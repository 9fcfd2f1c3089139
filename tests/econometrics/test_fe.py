"""Two-way FE baseline (``fit_fe``, ``fit_sequence``) against its peers.

References, computed in the same run (installed with the test extra):

- pyfixest (``feols("y ~ x | city + year", vcov={"CRV1": "city"})``, also iid and HC1):
  coefficients to 1e-10, standard errors to 1e-8 (relative) — fit_fe delegates to it, so
  these check the formula, the data passing and the checks, not the arithmetic.
- linearmodels ``PanelOLS(entity_effects=True, time_effects=True)`` clustered by entity:
  coefficients to 1e-9; its standard errors differ by the scalar small-sample factor only:
  linearmodels 7.1 scales the cluster sandwich by N/(N − K_all) with every fixed effect
  counted (K_all = k + G + T − 1), pyfixest and R fixest by G/(G − 1)·(N − 1)/(N − k − T)
  (the entity effects are nested in the clusters and not counted). The test checks that
  ratio to 1e-10.
- identities: the scores sum to zero (normal equations); the CRV1 sandwich rebuilt from
  ``scores()`` and ``bread()`` equals ``cov``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from linearmodels import PanelOLS
from numpy.testing import assert_allclose

import cityres
from cityres._shared.errors import ArgumentError, PanelError
from cityres.econometrics import fit_fe, fit_sequence

X = ["de_latent", "gdp_pc", "openness", "fiscal_share"]
FORMULA = "resilience ~ " + " + ".join(X)


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def frame(panel: cityres.CityPanel) -> pd.DataFrame:
    return panel.data.reset_index()


def _pyfixest(fml: str, frame: pd.DataFrame, vcov: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(fml, frame, vcov=vcov)


@pytest.mark.parametrize(("effects", "fe"), [("twoways", " | city + year"),
                                              ("individual", " | city"), ("time", " | year"),
                                              ("none", "")])
@pytest.mark.parametrize("vcov", ["cluster", "hetero", "iid"])
def test_equals_pyfixest(panel: cityres.CityPanel, frame: pd.DataFrame, effects: str, fe: str,
                         vcov: str) -> None:
    fit = fit_fe(FORMULA, panel, effects=effects, vcov=vcov)  # type: ignore[arg-type]
    ref = _pyfixest(FORMULA + fe, frame, {"CRV1": "city"} if vcov == "cluster" else vcov)
    assert_allclose(fit.params.to_numpy(), ref.coef().to_numpy(), rtol=1e-10, atol=1e-14)
    assert_allclose(fit.std_errors.to_numpy(), ref.se().to_numpy(), rtol=1e-8)
    assert_allclose(fit.pvalues.to_numpy(), ref.pvalue().to_numpy(), rtol=1e-6, atol=1e-14)
    assert fit.nobs == 533 and list(fit.exog_names) == list(ref.coef().index)
    assert fit.r2 == pytest.approx(ref._r2, rel=1e-10)


def test_equals_linearmodels_up_to_the_small_sample_factor(panel: cityres.CityPanel) -> None:
    fit = fit_fe(FORMULA, panel)
    d = panel.data
    ref = PanelOLS(d["resilience"], d[X], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True)
    assert_allclose(fit.params.to_numpy(), ref.params.to_numpy(), rtol=1e-9)
    N, k, G, T = 533, len(X), 41, 13
    lm_factor = N / (N - (k + G + T - 1))
    ours = G / (G - 1) * (N - 1) / (N - k - T)
    assert_allclose(ref.std_errors.to_numpy() / fit.std_errors.to_numpy(),
                    np.sqrt(lm_factor / ours), rtol=1e-10)
    # linearmodels calls the R² of the two-way demeaned model `rsquared`
    assert fit.r2_within == pytest.approx(ref.rsquared, rel=1e-8)


def test_cluster_by_a_city_table_column(panel: cityres.CityPanel, frame: pd.DataFrame) -> None:
    fit = fit_fe(FORMULA, panel, cluster="province")
    frame = frame.assign(province=panel.cities.loc[frame["city"], "province"].to_numpy())
    ref = _pyfixest(FORMULA + " | city + year", frame, {"CRV1": "province"})
    assert fit.n_clusters == 4 and fit.df_t == 3
    assert_allclose(fit.std_errors.to_numpy(), ref.se().to_numpy(), rtol=1e-8)


def test_scores_and_sandwich_identities(panel: cityres.CityPanel) -> None:
    fit = fit_fe(FORMULA, panel)
    s = fit.scores()
    assert_allclose(s.sum().to_numpy(), 0, atol=1e-9)
    meat_g = s.groupby(fit.clusters().to_numpy()).sum().to_numpy()
    B = fit.bread().to_numpy()
    N, k, G, T = fit.nobs, len(X), 41, 13
    c = G / (G - 1) * (N - 1) / (N - k - T)
    assert_allclose(c * B @ meat_g.T @ meat_g @ B, fit.cov.to_numpy(), rtol=1e-8)


def test_wald_equals_pyfixest(panel: cityres.CityPanel, frame: pd.DataFrame) -> None:
    fit = fit_fe(FORMULA, panel)
    ref = _pyfixest(FORMULA + " | city + year", frame, {"CRV1": "city"})
    R = np.array([[1.0, 0, -1, 0], [0, 0, 0, 1]])
    ours = fit.wald(R)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest reports chi2 for a general R
        theirs = ref.wald_test(R=R, distribution="chi2")
    assert ours.chi2 == pytest.approx(float(theirs["statistic"]), rel=1e-8)
    assert ours.stat == pytest.approx(ours.chi2 / 2, rel=1e-14)
    single = fit.wald({"de_latent": 1.0})
    assert single.stat == pytest.approx(float(fit.tstats["de_latent"]) ** 2, rel=1e-10)


def test_confidence_interval_uses_t_with_clusters_minus_one(panel: cityres.CityPanel) -> None:
    fit = fit_fe(FORMULA, panel)
    from scipy import stats
    q = stats.t.ppf(0.975, 40)
    ci = fit.conf_int()
    assert_allclose(ci["upper"] - fit.params, q * fit.std_errors, rtol=1e-12)
    assert {"term", "estimate", "std_error", "t", "p"} <= set(fit.tidy().columns)
    assert "clustered by city (41 clusters)" in fit.summary()


def test_sequence_adds_controls_step_by_step(panel: cityres.CityPanel) -> None:
    cols = fit_sequence("resilience", "de_latent", panel,
                        controls=["gdp_pc", ["openness", "fiscal_share"]])
    assert [c.exog_names for c in cols] == [("de_latent",), ("de_latent", "gdp_pc"),
                                           ("de_latent", "gdp_pc", "openness", "fiscal_share")]
    assert_allclose(cols[-1].params.to_numpy(), fit_fe(FORMULA, panel).params.to_numpy())
    with pytest.raises(ArgumentError, match="appear twice"):
        fit_sequence("resilience", "de_latent", panel, controls=["gdp_pc", "de_latent"])


def test_a_missing_cell_is_named(frame: pd.DataFrame) -> None:
    bad = frame.copy()
    bad.loc[(bad["city"] == "320500") & (bad["year"] == 2015), "openness"] = np.nan
    with pytest.raises(PanelError, match=r"city 320500, year 2015, column 'openness'"):
        fit_fe(FORMULA, bad, entity="city", time="year")


def test_absorbed_and_collinear_regressors_are_named(frame: pd.DataFrame) -> None:
    d = frame.assign(const_city=frame["city"].astype(int) % 7, twice=2 * frame["gdp_pc"])
    with pytest.raises(PanelError, match=r"\['const_city'\].*absorbed"):
        fit_fe("resilience ~ de_latent + const_city", d, entity="city", time="year")
    with pytest.raises(PanelError, match=r"'twice' is \(numerically\) a linear combination of "
                                         r"\['gdp_pc'\]"):
        fit_fe("resilience ~ gdp_pc + twice", d, entity="city", time="year")


def test_singletons_and_bad_arguments(frame: pd.DataFrame, panel: cityres.CityPanel) -> None:
    one = frame[(frame["city"] != "310000") | (frame["year"] == 2011)]
    with pytest.raises(PanelError, match=r"\['310000'\] have one observation"):
        fit_fe(FORMULA, one, entity="city", time="year")
    with pytest.raises(ArgumentError, match="effects='city'"):
        fit_fe(FORMULA, panel, effects="city")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="vcov='robust'"):
        fit_fe(FORMULA, panel, vcov="robust")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="needs vcov='cluster'"):
        fit_fe(FORMULA, panel, vcov="iid", cluster="province")
    with pytest.raises(ArgumentError, match="not in data"):
        fit_fe("resilience ~ nothing", panel)
    with pytest.raises(ArgumentError, match="neither a column"):
        fit_fe(FORMULA, panel, cluster="nowhere")
