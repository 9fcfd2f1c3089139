"""Sun & Abraham's interaction-weighted event study (sun_abraham).

References:
- R fixest's documented results on its ``base_stagg`` data (the walkthrough vignette and
  the author's reply in fixest issue #287): ``reference/fixest_sunab_base_stagg.json``,
  data ``reference/base_stagg.csv.gz`` (provenance in ``reference/README.md``). Printed to
  6 (4) digits, compared to half a unit of the last digit.
- pyfixest 0.60 ``event_study(..., estimator="saturated")`` and its ``aggregate()`` (which
  its own tests compare with ``fixest::sunab``), run in the test on the same data:
  CATT(g, e), IW estimates and standard errors to 1e-8.
- pyfixest ``feols`` on hand-built interactions for the last-treated control cohort, and
  hand computations of the share-variance term and the pre-trend Wald test.
- The simulated lattice (``cityres.datasets.simulate(2500, seed=11)``), whose true ATT(e)
  is known: the IW estimates within 3 standard errors.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

import cityres
from cityres._shared.errors import ArgumentError, PanelError
from cityres.econometrics.did.results import EventStudyResult
from cityres.econometrics.did.sunab import sun_abraham

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def stagg() -> pd.DataFrame:
    d = pd.read_csv(REF / "base_stagg.csv.gz")
    d["g"] = d["year_treated"].where(d["year_treated"] < 1000, 0)
    return d


@pytest.fixture(scope="module")
def fixest_doc() -> dict:
    return json.loads((REF / "fixest_sunab_base_stagg.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


def test_fixest_walkthrough_att_and_catt(stagg: pd.DataFrame, fixest_doc: dict) -> None:
    ref = fixest_doc["walkthrough"]
    sa = sun_abraham(stagg, "y", cohort="g", entity="id", time="year", bin="none",
                     covariates=["x1"])
    half = 0.5e-6
    assert sa.fe is not None
    assert abs(sa.fe.params["x1"] - ref["x1"]["estimate"]) <= half
    assert abs(sa.fe.std_errors["x1"] - ref["x1"]["std_error"]) <= half
    assert sa.overall is not None
    att = sa.overall.set_index("term").loc["ATT"]
    assert abs(att["estimate"] - ref["ATT"]["estimate"]) <= half
    assert abs(att["std_error"] - ref["ATT"]["std_error"]) <= half
    assert abs(sa.fe.adj_r2 - ref["adj_r2"]) <= half
    assert abs(sa.r2_within - ref["r2_within"]) <= half
    assert sa.detail is not None
    cat = sa.detail.set_index(["event_time", "cohort"])
    for row in ref["catt"]:
        got = cat.loc[(row["event_time"], row["cohort"])]
        assert abs(got["estimate"] - row["estimate"]) <= 0.5e-4
        assert abs(got["std_error"] - row["std_error"]) <= 0.5e-4


def test_fixest_issue_287_periods(stagg: pd.DataFrame, fixest_doc: dict) -> None:
    ref = fixest_doc["issue_287"]
    sa = sun_abraham(stagg, "y", cohort="g", entity="id", time="year", bin="none")
    c = sa.coefs.set_index("event_time")
    for row in ref["period"]:
        assert abs(c.loc[row["event_time"], "estimate"] - row["estimate"]) <= 0.5e-6
        assert abs(c.loc[row["event_time"], "std_error"] - row["std_error"]) <= 0.5e-6
    assert abs(sa.r2_within - ref["r2_within"]) <= 0.5e-6


@pytest.mark.parametrize("which", ["stagg", "yrd"])
def test_equals_pyfixest_saturated(which: str, stagg: pd.DataFrame,
                                   panel: cityres.data.CityPanel) -> None:
    if which == "stagg":
        data, y, g, i, t = stagg, "y", "g", "id", "year"
        sa = sun_abraham(stagg, y, cohort=g, entity=i, time=t, bin="none")
    else:
        data = panel.data.reset_index()
        y, g, i, t = "de_latent", "cohort_broadband", "city", "year"
        sa = sun_abraham(panel, y, cohort=g, bin="none")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.event_study(data[[i, t, y, g]].copy(), yname=y, idname=i, tname=t, gname=g,
                             estimator="saturated")
        agg = fit.aggregate()
    # CATT(g, e): pyfixest names them rel_time::<e>:first_treated_period::<g>
    co = fit.coef()
    parsed = co.index.str.extract(r"rel_time::(-?[\d.]+):first_treated_period::(\d+)")
    py = pd.DataFrame({"event_time": parsed[0].astype(float).astype(int).to_numpy(),
                       "cohort": parsed[1].astype(int).to_numpy(),
                       "estimate": co.to_numpy(), "std_error": fit.se().to_numpy()})
    assert sa.detail is not None
    mine = sa.detail.merge(py, on=["event_time", "cohort"], suffixes=("", "_py"),
                           validate="one_to_one")
    assert len(mine) == len(py) == len(sa.detail)
    np.testing.assert_allclose(mine["estimate"], mine["estimate_py"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(mine["std_error"], mine["std_error_py"], rtol=1e-8, atol=0)
    # IW aggregation by event time
    agg.index = agg.index.astype(float).astype(int)
    est = sa.coefs[~sa.coefs["is_reference"]].set_index("event_time")
    agg = agg.loc[est.index]
    np.testing.assert_allclose(est["estimate"], agg["Estimate"].astype(float), atol=1e-8,
                               rtol=0)
    np.testing.assert_allclose(est["std_error"], agg["Std. Error"].astype(float), rtol=1e-8)


def test_weights_att_and_pretrend_by_hand(panel: cityres.data.CityPanel) -> None:
    sa = sun_abraham(panel, "de_latent", cohort="cohort_broadband", leads=3, lags=4)
    assert sa.fe is not None and sa.detail is not None and sa.overall is not None
    det = sa.detail
    np.testing.assert_allclose(det.groupby("event_time")["weight"].sum(), 1.0, rtol=1e-12)
    b = sa.fe.params
    V = sa.fe.cov
    # weights are the cohorts' shares of the observations in each cell
    d = panel.data.reset_index()
    rel = (d["year"] - d["cohort_broadband"]).clip(-3, 4)[d["cohort_broadband"] > 0]
    counts = d.loc[rel.index].assign(rel=rel).groupby(["rel", "cohort_broadband"]).size()
    for row in det.itertuples():
        assert row.nobs == counts.loc[(row.event_time, row.cohort)]
    W = pd.DataFrame(0.0, index=sorted(set(det["event_time"])), columns=b.index)
    for row in det.itertuples():
        W.loc[row.event_time, row.term] = row.weight
    nu = W @ b
    C = W @ V @ W.T
    est = sa.coefs[~sa.coefs["is_reference"]].set_index("event_time")
    np.testing.assert_allclose(est["estimate"], nu.loc[est.index], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(est["std_error"], np.sqrt(np.diag(C.loc[est.index, est.index])),
                               rtol=1e-12)
    # pre-trend: Wald of the IW leads with their covariance W V W'
    leads = [e for e in est.index if e < 0]
    bl = nu.loc[leads].to_numpy()
    chi2 = float(bl @ np.linalg.solve(C.loc[leads, leads].to_numpy(), bl))
    assert sa.pretrend is not None
    assert sa.pretrend.df_num == len(leads) == 2
    np.testing.assert_allclose(sa.pretrend.stat, chi2 / 2, rtol=1e-10)
    np.testing.assert_allclose(sa.pretrend.pvalue,
                               stats.f.sf(chi2 / 2, 2, sa.fe.n_clusters - 1), rtol=1e-10)
    # the same as FEResult.wald on the weight rows
    wald = sa.fe.wald(W.loc[leads])
    np.testing.assert_allclose(wald.stat, sa.pretrend.stat, rtol=1e-10)
    # ATT: every post cell by its observations
    post = det[det["event_time"] >= 0]
    w = (post["nobs"] / post["nobs"].sum()).to_numpy()
    att = sa.overall.set_index("term").loc["ATT"]
    np.testing.assert_allclose(att["estimate"], float(w @ b[post["term"]].to_numpy()),
                               rtol=1e-12)
    Vp = V.loc[post["term"], post["term"]].to_numpy()
    np.testing.assert_allclose(att["std_error"], np.sqrt(w @ Vp @ w), rtol=1e-12)
    assert "rel::ATT" not in sa.params.index and "ATT" in sa.params.index


def test_share_variance_adds_eventstudyinteract_term(panel: cityres.data.CityPanel) -> None:
    kw = dict(cohort="cohort_broadband", leads=3, lags=4)
    fixed = sun_abraham(panel, "de_latent", **kw)
    extra = sun_abraham(panel, "de_latent", share_variance=True, **kw)
    assert fixed.detail is not None
    pd.testing.assert_series_equal(fixed.params, extra.params)
    for e, sub in fixed.detail.groupby("event_time"):
        w = sub["weight"].to_numpy()
        dlt = sub["estimate"].to_numpy()
        n = sub["nobs"].sum()
        term = (w @ dlt**2 - (w @ dlt) ** 2) / n
        se0 = fixed.coefs.set_index("event_time").loc[e, "std_error"]
        se1 = extra.coefs.set_index("event_time").loc[e, "std_error"]
        np.testing.assert_allclose(se1**2, se0**2 + term, rtol=1e-10)
    assert extra.std_errors.ge(fixed.std_errors - 1e-15).all()


def test_last_treated_control_by_hand(panel: cityres.data.CityPanel) -> None:
    sa = sun_abraham(panel, "de_latent", cohort="cohort_broadband", control="last",
                     bin="none")
    d = panel.data.reset_index()
    d = d[d["year"] < 2016].copy()
    g = d["cohort_broadband"].where(d["cohort_broadband"] != 2016, 0)
    e = d["year"] - g
    cols, cells = [], {}
    for c in (2014, 2015):
        for k in sorted(set(e[g == c])):
            if k == -1:
                continue
            name = f"c{c}_{'m' if k < 0 else 'p'}{abs(k)}"
            d[name] = ((g == c) & (e == k)).astype(float)
            cols.append(name)
            cells[name] = (c, k, int(d[name].sum()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols("de_latent ~ " + " + ".join(cols) + " | city + year", data=d,
                       vcov={"CRV1": "city"})
    b, V = fit.coef(), pd.DataFrame(fit._vcov, index=cols, columns=cols)
    est = sa.coefs[~sa.coefs["is_reference"]].set_index("event_time")
    for k in est.index:
        names = [n for n, (_, kk, _) in cells.items() if kk == k]
        w = np.array([cells[n][2] for n in names], float)
        w /= w.sum()
        np.testing.assert_allclose(est.loc[k, "estimate"], w @ b[names], atol=1e-8, rtol=0)
        np.testing.assert_allclose(est.loc[k, "std_error"],
                                   np.sqrt(w @ V.loc[names, names].to_numpy() @ w), rtol=1e-8)
    assert sa.nobs == len(d)
    assert "last-treated cohort 2016" in sa.control
    assert any("2016–2023" in n for n in sa.notes)


def test_known_truth_on_lattice() -> None:
    sim = cityres.datasets.simulate(2500, seed=11)
    truth = sim.truth["derived"]["att_broadband_on_de_latent"]
    sa = sun_abraham(sim.to_panel(), "de_latent", cohort="cohort_broadband", leads=3, lags=5)
    c = sa.coefs.set_index("event_time")
    for e in range(4):
        est, se = c.loc[e, "estimate"], c.loc[e, "std_error"]
        assert abs(est - truth[str(e)]) <= 3 * se, (e, est, se, truth[str(e)])
    for e in (-3, -2):
        assert abs(c.loc[e, "estimate"]) <= 3 * c.loc[e, "std_error"]


def test_bad_input(panel: cityres.data.CityPanel) -> None:
    d = panel.data.reset_index()
    treated_only = d[d["cohort_broadband"] > 0]
    with pytest.raises(PanelError, match=r"control='never' needs never-treated.*control='last'"):
        sun_abraham(treated_only, "de_latent", cohort="cohort_broadband", entity="city",
                    time="year")
    # the last-treated cohort works without never-treated units
    sa = sun_abraham(treated_only, "de_latent", cohort="cohort_broadband", entity="city",
                     time="year", control="last", bin="none")
    assert isinstance(sa, EventStudyResult) and sa.control == "last-treated cohort 2016"
    one = d[d["cohort_broadband"].isin([0, 2014])]
    with pytest.raises(ArgumentError, match="two treated cohorts"):
        sun_abraham(one, "de_latent", cohort="cohort_broadband", entity="city", time="year",
                    control="last")
    with pytest.raises(ArgumentError, match=r"control='nyt'.*'never' or 'last'"):
        sun_abraham(panel, "de_latent", cohort="cohort_broadband", control="nyt")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="always_treated='keep'"):
        sun_abraham(panel, "de_latent", cohort="cohort_ecdemo", always_treated="keep")
    with pytest.raises(PanelError, match="treated at or before the first period"):
        sun_abraham(panel, "de_latent", cohort="cohort_ecdemo")
    with pytest.raises(ArgumentError, match=r"leads=9 is out of range.*1 to 5"):
        sun_abraham(panel, "de_latent", cohort="cohort_broadband", leads=9)
    with pytest.raises(ArgumentError, match=r"ref=-7.*not in the event window -4 to 4"):
        sun_abraham(panel, "de_latent", cohort="cohort_broadband", ref=-7)
