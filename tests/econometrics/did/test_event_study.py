"""The TWFE event study (event_study) and its relative-time design (event_design).

References:
- pyfixest 0.60 ``feols`` with ``i(rel, ref=-1) | city + year`` on the same binned
  relative time (computed independently here with ``numpy.clip``, never-treated units set
  to the reference so that all their dummies are 0), CRV1 by city: estimates to 1e-10
  absolute, standard errors to 1e-8 relative.
- The pre-trend test against a hand computation ``b_L' V_LL⁻¹ b_L / J`` with F(J, G − 1).
- The simulated lattice (``cityres.datasets.simulate(2500, seed=11)``, effects equal across
  cohorts, so the TWFE event study with never-treated units is unbiased): ATT(e) within 3
  standard errors for e = 0…3.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.econometrics.did import did_frame
from cityres.econometrics.did.eventstudy import event_design, event_study
from cityres.econometrics.did.results import EventStudyResult
from cityres.report.tables import regression_table


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


def _pyfixest(panel: cityres.data.CityPanel, lo: int, hi: int, *, covariates: str = "",
              cluster: str = "city", ref: int = -1) -> object:
    d = panel.data.reset_index()
    g = d["cohort_broadband"]
    rel = (d["year"] - g).clip(lo, hi).where(g > 0, ref)
    d = d.assign(rel=rel.astype(int))
    if cluster != "city":
        d[cluster] = panel.cities[cluster].reindex(d["city"]).to_numpy()
    fml = f"de_latent ~ i(rel, ref={ref})" + (f" + {covariates}" if covariates else "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(fml + " | city + year", data=d, vcov={"CRV1": cluster})


def _rel(name: str) -> int:
    return int(float(name.split("::")[1]))  # pyfixest names i() dummies rel::-3


@pytest.mark.parametrize(("leads", "lags", "bin"), [(4, 4, "endpoints"), (2, 6, "endpoints"),
                                                     (None, None, "none")])
def test_equals_pyfixest(panel: cityres.data.CityPanel, leads: int | None, lags: int | None,
                         bin: str) -> None:
    es = event_study(panel, "de_latent", cohort="cohort_broadband", leads=leads, lags=lags,
                     bin=bin)  # type: ignore[arg-type]
    lo, hi = (-leads, lags) if leads is not None and lags is not None else (-5, 9)
    fit = _pyfixest(panel, lo, hi)
    co, se = fit.coef(), fit.se()  # type: ignore[attr-defined]
    py = pd.DataFrame({"estimate": co.to_numpy(), "std_error": se.to_numpy()},
                      index=[_rel(n) for n in co.index])
    est = es.coefs[~es.coefs["is_reference"]].set_index("event_time")
    assert sorted(est.index) == sorted(py.index)
    np.testing.assert_allclose(est["estimate"], py.loc[est.index, "estimate"], atol=1e-10,
                               rtol=0)
    np.testing.assert_allclose(est["std_error"], py.loc[est.index, "std_error"], rtol=1e-8)
    pv = fit.pvalue()  # type: ignore[attr-defined]
    np.testing.assert_allclose(est["pvalue"], pv.to_numpy()[[list(py.index).index(e)
                                                             for e in est.index]], rtol=1e-7)


def test_covariates_and_province_clusters(panel: cityres.data.CityPanel) -> None:
    es = event_study(panel, "de_latent", cohort="cohort_broadband", leads=3, lags=3,
                     covariates=["gdp_pc", "openness"], cluster="province")
    fit = _pyfixest(panel, -3, 3, covariates="gdp_pc + openness", cluster="province")
    co, se = fit.coef(), fit.se()  # type: ignore[attr-defined]
    assert es.fe is not None
    np.testing.assert_allclose(es.fe.params[["gdp_pc", "openness"]], co[["gdp_pc", "openness"]],
                               atol=1e-10, rtol=0)
    keep = [n for n in co.index if n.startswith("rel::")]
    assert len(keep) == 6
    est = es.coefs[~es.coefs["is_reference"]].set_index("event_time")
    np.testing.assert_allclose(est.loc[[_rel(n) for n in keep], "std_error"], se[keep],
                               rtol=1e-8)
    assert es.n_clusters == panel.cities["province"].nunique()


def test_coefs_table(panel: cityres.data.CityPanel) -> None:
    es = event_study(panel, "de_latent", cohort="cohort_broadband")
    c = es.coefs
    assert list(c["label"]) == ["≤-4", "-3", "-2", "-1", "0", "1", "2", "3", "≥4"]
    assert list(c["event_time"]) == list(range(-4, 5))
    assert list(c["binned"]) == [True] + [False] * 7 + [True]
    ref = c[c["is_reference"]]
    assert list(ref["event_time"]) == [-1] and ref["estimate"].iloc[0] == 0.0
    assert ref["std_error"].isna().all() and ref["pvalue"].isna().all()
    # cell sizes: cohorts 2014 (7), 2015 (4), 2016 (7); relative times from -5 to 9
    d = panel.data.reset_index()
    g = d["cohort_broadband"]
    rel = (d["year"] - g)[g > 0].clip(-4, 4)
    assert dict(zip(c["event_time"], c["nobs"], strict=True)) == rel.value_counts().to_dict()
    assert es.references == (-1,)
    assert es.estimator == "TWFE event study" and es.nobs == 533 and es.n_units == 41
    # the attributes regression tables read
    assert list(es.params.index) == [f"rel::{lab}" for lab in c["label"] if lab != "-1"]
    assert es.cov.shape == (8, 8)
    np.testing.assert_allclose(np.sqrt(np.diag(es.cov)), es.std_errors, rtol=1e-12)
    text = es.summary()
    assert "≤-4 pools every relative time at or before -4" in text
    assert "pre-trend test" in text
    table = regression_table([es])
    assert table is not None
    with pytest.raises(ArgumentError, match="lacks columns"):
        EventStudyResult(estimator="x", dep_var="y", coefs=c.drop(columns="nobs"), cov=es.cov)


def test_pretrend_by_hand(panel: cityres.data.CityPanel) -> None:
    es = event_study(panel, "de_latent", cohort="cohort_broadband", leads=4, lags=4)
    leads = [t for t, e in zip(es.coefs["term"], es.coefs["event_time"], strict=True)
             if e < -1]
    b = es.params[leads].to_numpy()
    V = es.cov.loc[leads, leads].to_numpy()
    chi2 = float(b @ np.linalg.solve(V, b))
    assert es.pretrend is not None and es.fe is not None
    assert es.pretrend.df_num == 3
    np.testing.assert_allclose(es.pretrend.chi2, chi2, rtol=1e-10)
    np.testing.assert_allclose(es.pretrend.stat, chi2 / 3, rtol=1e-10)
    np.testing.assert_allclose(es.pretrend.pvalue, stats.f.sf(chi2 / 3, 3, 40), rtol=1e-10)
    assert es.pretrend.df_denom == es.fe.n_clusters - 1 == 40
    assert "rel::≤-4" in es.pretrend.hypothesis


@pytest.mark.filterwarnings("ignore:event_study. no never-treated")
def test_two_references_without_never_treated(panel: cityres.data.CityPanel) -> None:
    d = panel.data.reset_index()
    treated = d[d["cohort_broadband"] > 0]
    kw = dict(cohort="cohort_broadband", entity="city", time="year", bin="none")
    with pytest.raises(ArgumentError, match=r"no never-treated unit.*ref=\(-1, -5\)"):
        event_study(treated, "de_latent", **kw)  # type: ignore[arg-type]
    es = event_study(treated, "de_latent", ref=(-1, -5), **kw)  # type: ignore[arg-type]
    assert es.references == (-5, -1)
    assert es.control.startswith("not yet treated")
    # endpoints bin the extremes, so one reference identifies the model
    es2 = event_study(treated, "de_latent", cohort="cohort_broadband", entity="city",
                      time="year", leads=3, lags=3)
    assert es2.coefs["binned"].sum() == 2


def test_known_truth_on_lattice() -> None:
    sim = cityres.datasets.simulate(2500, seed=11)
    truth = sim.truth["derived"]["att_broadband_on_de_latent"]
    es = event_study(sim.to_panel(), "de_latent", cohort="cohort_broadband", bin="none")
    c = es.coefs.set_index("event_time")
    for e in range(4):
        est, se = c.loc[e, "estimate"], c.loc[e, "std_error"]
        assert abs(est - truth[str(e)]) <= 3 * se, (e, est, se, truth[str(e)])
    assert es.pretrend is not None and es.pretrend.pvalue > 0.01


def test_design_ranges(panel: cityres.data.CityPanel) -> None:
    d = did_frame(panel, "de_latent", cohort="cohort_broadband")
    des = event_design(d, leads=5, lags=9, ref=-1, bin="endpoints")
    assert (des.e_min, des.e_max) == (-5, 9)
    assert not des.binned(-5) and not des.binned(9)
    assert des.label(-5) == "-5" and des.label(9) == "9"
    des = event_design(d, leads=1, lags=0, ref=-1, bin="endpoints")
    assert des.cells == (-1, 0) and des.estimated == (0,)
    assert des.label(-1) == "≤-1" and des.label(0) == "≥0"
    names = des.names(["rel_0"])
    assert names == {0: "rel__0"}


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"leads": 6}, ArgumentError, r"leads=6 is out of range; accepted: an integer from 1 to 5"),
    ({"leads": 0}, ArgumentError, r"leads=0 is out of range"),
    ({"lags": 10}, ArgumentError, r"lags=10 is out of range; accepted: an integer from 0 to 9"),
    ({"lags": -1}, ArgumentError, r"lags=-1 is out of range"),
    ({"leads": 2.5}, ArgumentTypeError, r"leads must be an integer"),
    ({"leads": True}, ArgumentTypeError, r"leads must be an integer"),
    ({"ref": -6}, ArgumentError, r"ref=-6: \[-6\] not in the event window -4 to 4"),
    ({"ref": (-1, 7)}, ArgumentError, r"not in the event window -4 to 4"),
    ({"ref": "x"}, ArgumentTypeError, r"ref must be an integer"),
    ({"ref": ()}, ArgumentTypeError, r"ref must be an integer"),
    ({"leads": 1, "lags": 0, "ref": (-1, 0)}, ArgumentError, r"omits every cell"),
    ({"bin": "trim"}, ArgumentError, r"bin='trim'; accepted: 'endpoints' or 'none'"),
    ({"bin": "none", "leads": 3}, ArgumentError, r"leads=3 with bin='none'"),
    ({"vcov": "robust"}, ArgumentError, r"vcov='robust'"),
])
def test_bad_arguments(panel: cityres.data.CityPanel, kwargs: dict, error: type,
                       match: str) -> None:
    with pytest.raises(error, match=match):
        event_study(panel, "de_latent", cohort="cohort_broadband", **kwargs)


def test_bad_data(panel: cityres.data.CityPanel) -> None:
    with pytest.raises(PanelError, match="treated at or before the first period 2011"):
        event_study(panel, "de_latent", cohort="cohort_ecdemo")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = event_study(panel, "de_latent", cohort="cohort_ecdemo", always_treated="drop",
                         leads=2, lags=2)
    assert es.n_units == 36 and any("dropped 5 always-treated" in n for n in es.notes)
    d = panel.data.reset_index()
    d = d.assign(g=np.where(d["cohort_broadband"] > 0, d["year"].min() + 0 * d["year"], 0))
    d.loc[d["g"] > 0, "g"] = 2011
    with pytest.raises(ArgumentError, match="no treated unit is observed before its adoption"):
        event_study(d, "de_latent", cohort="g", entity="city", time="year",
                    always_treated="keep")


def test_no_never_treated_warns_that_binning_identifies() -> None:
    """Without never-treated units the endpoints' constant-effect restriction identifies
    the event study (Schmidheiny & Siegloch 2023): a warning and a note say so."""
    import cityres
    from cityres._shared.errors import CityresWarning
    from cityres.econometrics.did import event_study as _es

    d = cityres.datasets.load("yrd_sim").data.reset_index()
    treated = d[d["cohort_broadband"] > 0]
    with pytest.warns(CityresWarning, match="no never-treated unit"):
        es = _es(treated, "de_latent", cohort="cohort_broadband", entity="city",
                 time="year", leads=3, lags=4)
    assert any("binned endpoints" in n for n in es.notes)
