"""Gardner's two-stage DID (did2s, did2s_event_study), on pyfixest.did2s.

References:
- R ``did2s`` (Butts & Gardner) on pyfixest's ``df_het`` data, as stored by pyfixest's own
  test suite (``reference/did2s_df_het_r.csv``; provenance in ``reference/README.md``):
  pyfixest 0.60 ``did2s`` reproduces it to 1e-5 (absolute for estimates, relative for
  standard errors: the two fixed-effect solvers stop at different tolerances), which is
  why cityres uses it.
- pyfixest ``did2s`` called directly with the same specification (event-time dummies
  built independently here with ``numpy.clip``): estimates and standard errors to 1e-10.
- The simulated lattice (``simulate(600, seed=11)``: 600 units keep pyfixest's dense
  first-stage design small): ATT(e) within 3 standard errors for e = 0…3 and the static
  ATT within 3 standard errors of the mean true effect over the treated observations.
"""

from __future__ import annotations

import importlib.resources
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

import cityres
from cityres._shared.errors import ArgumentError, DataChangeWarning, PanelError
from cityres.econometrics.did.did2s import did2s, did2s_event_study
from cityres.econometrics.did.results import ATTResult, EventStudyResult

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def df_het() -> pd.DataFrame:
    path = importlib.resources.files("pyfixest") / "did/data/df_het.csv"
    d = pd.read_csv(str(path))
    d["X"] = np.random.default_rng(12345).normal(size=len(d))  # as pyfixest's test
    return d


def _pf_did2s(d: pd.DataFrame, **kw: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.did2s(d, **kw)


@pytest.mark.parametrize(("model", "first", "second"), [
    ("model1", "~ 0 | state + year", "~ treat"),
    ("model2", "~ 0 | state + year", "~ i(rel_year, ref = -1.0)"),
    ("model3", "~ X | state + year", "~ i(rel_year, ref = -1.0)"),
])
def test_pyfixest_reproduces_r_did2s(df_het: pd.DataFrame, model: str, first: str,
                                     second: str) -> None:
    ref = pd.read_csv(REF / "did2s_df_het_r.csv", index_col=[0, 1]).loc[model]
    fit = _pf_did2s(df_het, yname="dep_var", first_stage=first, second_stage=second,
                    treatment="treat", cluster="state")
    co, se = fit.coef(), fit.se()  # type: ignore[attr-defined]
    assert len(co) == len(ref)
    np.testing.assert_allclose(co.to_numpy(), ref["1"].astype(float), atol=1e-5, rtol=0)
    np.testing.assert_allclose(se.to_numpy(), ref["2"].astype(float), rtol=1e-5)


def test_static_equals_pyfixest(panel: cityres.data.CityPanel) -> None:
    fit = did2s(panel, "de_latent", cohort="cohort_broadband", covariates=["gdp_pc"],
                cluster="province")
    d = panel.data.reset_index()
    g = d["cohort_broadband"]
    d["tr"] = (g > 0) & (d["year"] >= g)
    d["D"] = d["tr"].astype(float)
    d["province"] = panel.cities["province"].reindex(d["city"]).to_numpy()
    ref = _pf_did2s(d, yname="de_latent", first_stage="~ gdp_pc | city + year",
                    second_stage="~ D", treatment="tr", cluster="province")
    assert isinstance(fit, ATTResult)
    np.testing.assert_allclose(fit.estimate, ref.coef()["D"], atol=1e-10, rtol=0)  # type: ignore[attr-defined]
    np.testing.assert_allclose(fit.std_error, ref.se()["D"], rtol=1e-10)  # type: ignore[attr-defined]
    z = fit.estimate / fit.std_error
    np.testing.assert_allclose(fit.pvalue, 2 * stats.norm.sf(abs(z)), rtol=1e-12)
    np.testing.assert_allclose(fit.ci_high - fit.estimate,
                               stats.norm.ppf(0.975) * fit.std_error, rtol=1e-12)
    assert fit.df_t == math.inf and fit.n_clusters == panel.cities["province"].nunique()
    assert list(fit.params.index) == ["ATT"] and "ATT =" in fit.summary()
    assert list(fit.tidy().columns) == ["term", "estimate", "std_error", "tstat", "ci_low",
                                        "ci_high", "pvalue"]


@pytest.mark.parametrize(("leads", "lags"), [(3, 4), (5, 9)])
def test_event_study_equals_pyfixest(panel: cityres.data.CityPanel, leads: int,
                                     lags: int) -> None:
    es = did2s_event_study(panel, "de_latent", cohort="cohort_broadband", leads=leads,
                           lags=lags)
    d = panel.data.reset_index()
    g = d["cohort_broadband"]
    d["tr"] = (g > 0) & (d["year"] >= g)
    d["rel"] = (d["year"] - g).clip(-leads, lags).where(g > 0, -1).astype(int)
    ref = _pf_did2s(d, yname="de_latent", first_stage="~ 0 | city + year",
                    second_stage="~ i(rel, ref=-1)", treatment="tr", cluster="city")
    co, se = ref.coef(), ref.se()  # type: ignore[attr-defined]
    rel = [int(float(n.split("::")[1])) for n in co.index]
    est = es.coefs[~es.coefs["is_reference"]].set_index("event_time").loc[rel]
    np.testing.assert_allclose(est["estimate"], co.to_numpy(), atol=1e-10, rtol=0)
    np.testing.assert_allclose(est["std_error"], se.to_numpy(), rtol=1e-10)
    assert isinstance(es, EventStudyResult) and es.fe is None and es.df_t == math.inf
    # pre-trend: chi-squared of the leads with their GMM covariance
    leads_t = [t for t, e in zip(es.coefs["term"], es.coefs["event_time"], strict=True)
               if e < -1]
    b = es.params[leads_t].to_numpy()
    chi2 = float(b @ np.linalg.solve(es.cov.loc[leads_t, leads_t].to_numpy(), b))
    assert es.pretrend is not None
    np.testing.assert_allclose(es.pretrend.chi2, chi2, rtol=1e-10)
    np.testing.assert_allclose(es.pretrend.pvalue, stats.chi2.sf(chi2, len(leads_t)),
                               rtol=1e-10)


def test_known_truth_on_lattice() -> None:
    sim = cityres.datasets.simulate(600, seed=11)
    truth = {int(k): v for k, v in sim.truth["derived"]["att_broadband_on_de_latent"].items()}
    p = sim.to_panel()
    es = did2s_event_study(p, "de_latent", cohort="cohort_broadband", leads=3, lags=5)
    c = es.coefs.set_index("event_time")
    for e in range(4):
        est, se = c.loc[e, "estimate"], c.loc[e, "std_error"]
        assert abs(est - truth[e]) <= 3 * se, (e, est, se, truth[e])
    fit = did2s(p, "de_latent", cohort="cohort_broadband")
    d = p.data.reset_index()
    g = d["cohort_broadband"]
    e = (d["year"] - g)[(g > 0) & (d["year"] >= g)]
    target = float(np.mean([truth[int(k)] for k in e]))
    assert abs(fit.estimate - target) <= 3 * fit.std_error, (fit.estimate, target)


def test_bad_input(panel: cityres.data.CityPanel) -> None:
    with pytest.raises(ArgumentError, match="always_treated='keep'"):
        did2s(panel, "ec_latent", cohort="cohort_ecdemo", always_treated="keep")
    with pytest.raises(PanelError, match="treated at or before the first period"):
        did2s(panel, "ec_latent", cohort="cohort_ecdemo")
    d = panel.data.reset_index()
    treated = d[d["cohort_broadband"] > 0]
    with pytest.raises(PanelError, match=r"period\(s\) \[2016, .*2023\] have no untreated"):
        did2s(treated, "de_latent", cohort="cohort_broadband", entity="city", time="year")
    # before 2016 the 2016 cohort is untreated: it becomes the never-treated group (warned)
    with pytest.warns(DataChangeWarning, match="adopt after the last period 2015"):
        ok = did2s(treated[treated["year"] < 2016], "de_latent", cohort="cohort_broadband",
                   entity="city", time="year")
    assert ok.control == "never treated and not yet treated (untreated observations)"
    assert any("adopt after the last period" in n for n in ok.notes)
    with pytest.raises(ArgumentError, match=r"lags=12 is out of range.*0 to 9"):
        did2s_event_study(panel, "de_latent", cohort="cohort_broadband", lags=12)
    with pytest.raises(ArgumentError, match=r"ref=3.*not in the event window -2 to 2"):
        did2s_event_study(panel, "de_latent", cohort="cohort_broadband", leads=2, lags=2,
                          ref=3)


def test_units_with_one_untreated_period_are_named() -> None:
    """pyfixest 0.60's first stage drops singleton unit effects and then fails with a
    shape error (pyfixest issue #1244); cityres names the units first."""
    d = cityres.datasets.load("yrd_sim").data.reset_index()
    d.loc[d["city"] == "310000", "cohort_broadband"] = 2012
    with pytest.raises(PanelError, match=r"fewer than two untreated .* 310000 \(1\)"):
        did2s(d, "de_latent", cohort="cohort_broadband", entity="city", time="year")
