"""The static TWFE DID (did_twfe).

References:
- pyfixest 0.60 ``feols("y ~ D | city + year")`` on the same treatment dummy
  ``D = 1[cohort > 0 and year >= cohort]`` (built here from the data, and checked against
  the bundled ``pilot_broadband`` column): estimates to 1e-10 absolute, standard errors
  (CRV1 by city or province, HC1) to 1e-8 relative.
- The simulated lattice with a constant, homogeneous effect
  (``simulate(2500, seed=5, params={"digital": {"phase_in": 0}})``: ATT(e) = 0.05 for every
  e), where TWFE is unbiased: within 3 standard errors of 0.05.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.econometrics.did.twfe import did_twfe


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


def _frame(panel: cityres.data.CityPanel, cohort: str = "cohort_broadband") -> pd.DataFrame:
    d = panel.data.reset_index()
    g = d[cohort]
    d["D"] = ((g > 0) & (d["year"] >= g)).astype(float)
    d["province"] = panel.cities["province"].reindex(d["city"]).to_numpy()
    return d


def _feols(fml: str, d: pd.DataFrame, vcov: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(fml, data=d, vcov=vcov)


@pytest.mark.parametrize(("vcov", "cluster", "py_vcov"), [
    ("cluster", None, {"CRV1": "city"}),
    ("cluster", "province", {"CRV1": "province"}),
    ("hetero", None, "hetero"),
])
def test_equals_pyfixest(panel: cityres.data.CityPanel, vcov: str, cluster: str | None,
                         py_vcov: object) -> None:
    d = _frame(panel)
    np.testing.assert_array_equal(d["D"], panel.data["pilot_broadband"].to_numpy())
    fit = did_twfe(panel, "de_latent", cohort="cohort_broadband", covariates=["gdp_pc"],
                   vcov=vcov, cluster=cluster)  # type: ignore[arg-type]
    ref = _feols("de_latent ~ D + gdp_pc | city + year", d, py_vcov)
    co, se = ref.coef(), ref.se()  # type: ignore[attr-defined]
    assert fit.exog_names == ("did", "gdp_pc")
    np.testing.assert_allclose(fit.params.to_numpy(), co.to_numpy(), atol=1e-10, rtol=0)
    np.testing.assert_allclose(fit.std_errors.to_numpy(), se.to_numpy(), rtol=1e-8)
    assert fit.nobs == 533


def test_dataframe_input_and_name(panel: cityres.data.CityPanel) -> None:
    d = _frame(panel)
    fit = did_twfe(d, "de_latent", cohort="cohort_broadband", entity="city", time="year",
                   name="treat_post")
    ref = _feols("de_latent ~ D | city + year", d, {"CRV1": "city"})
    assert fit.exog_names == ("treat_post",)
    np.testing.assert_allclose(fit.params["treat_post"], ref.coef()["D"],  # type: ignore[attr-defined]
                               atol=1e-10, rtol=0)
    with pytest.raises(ArgumentError, match="name='de_latent' is also the outcome"):
        did_twfe(panel, "de_latent", cohort="cohort_broadband", name="de_latent")
    with pytest.raises(ArgumentError, match="name='gdp_pc' is a column of the data"):
        did_twfe(d, "de_latent", cohort="cohort_broadband", entity="city", time="year",
                 name="gdp_pc", covariates=["openness"], cluster="gdp_pc")
    with pytest.raises(ArgumentError, match="plain name"):
        did_twfe(panel, "de_latent", cohort="cohort_broadband", name="post treat")
    with pytest.raises(ArgumentTypeError, match="name must be a str"):
        did_twfe(panel, "de_latent", cohort="cohort_broadband", name=1)  # type: ignore[arg-type]


def test_always_treated(panel: cityres.data.CityPanel) -> None:
    with pytest.raises(PanelError, match=r"5 unit\(s\) are treated at or before the first"):
        did_twfe(panel, "ec_latent", cohort="cohort_ecdemo")
    # keep: their dummy is 1 throughout (absorbed by the unit effect); same as pyfixest
    kept = did_twfe(panel, "ec_latent", cohort="cohort_ecdemo", always_treated="keep")
    d = _frame(panel, "cohort_ecdemo")
    ref = _feols("ec_latent ~ D | city + year", d, {"CRV1": "city"})
    np.testing.assert_allclose(kept.params["did"], ref.coef()["D"], atol=1e-10, rtol=0)  # type: ignore[attr-defined]
    np.testing.assert_allclose(kept.std_errors["did"], ref.se()["D"], rtol=1e-8)  # type: ignore[attr-defined]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dropped = did_twfe(panel, "ec_latent", cohort="cohort_ecdemo", always_treated="drop")
    assert any("always-treated" in str(w.message) for w in caught)
    assert dropped.n_entities == 36


def test_constant_effect_recovered_on_lattice() -> None:
    sim = cityres.datasets.simulate(2500, seed=5, params={"digital": {"phase_in": 0.0}})
    truth = sim.truth["derived"]["att_broadband_on_de_latent"]
    assert set(truth.values()) == {0.05}
    fit = did_twfe(sim.to_panel(), "de_latent", cohort="cohort_broadband")
    assert abs(fit.params["did"] - 0.05) <= 3 * fit.std_errors["did"]


def test_bad_input(panel: cityres.data.CityPanel) -> None:
    with pytest.raises(ArgumentError, match="cohort='no_such'"):
        did_twfe(panel, "de_latent", cohort="no_such")
    with pytest.raises(ArgumentError, match="vcov='cluster2'"):
        did_twfe(panel, "de_latent", cohort="cohort_broadband", vcov="cluster2")  # type: ignore[arg-type]
    d = _frame(panel)
    d.loc[d.index[3], "cohort_broadband"] = 2019
    with pytest.raises(PanelError, match="varies within unit"):
        did_twfe(d, "de_latent", cohort="cohort_broadband", entity="city", time="year")
