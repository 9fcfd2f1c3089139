"""Callaway & Sant'Anna (2021) against the R ``did`` package on its ``mpdta`` example.

Reference: tests/econometrics/did/reference/did_mpdta_reference.json (see README.md there):
- ``analytic_*`` blocks: R did 2.5.1 with analytic (influence-function) SEs, written at
  full precision by the R scripts of pedrohcgs/csdid-stata @ 820b049c
  (tests/fixtures/parity/*/expected/r/*.csv); tolerance 1e-9 (1e-8 where the source has
  10 decimals);
- ``docs_bootstrap_*`` blocks: the outputs printed in the did documentation
  (bcallaway11/did @ 71ba8a5: README.md, docs/articles/did-basics.md,
  docs/reference/att_gt.md, aggte.md), 4 decimals; their SEs are random bootstrap SEs,
  so only the point estimates (± 5e-5) and the Wald pre-test p-values are compared.
Data: mpdta.csv.gz, converted from the did package's data/mpdta.rda.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import cityres
from cityres._shared.errors import ArgumentError, PanelError
from cityres.econometrics.did import callaway_santanna

REF = Path(__file__).parent / "reference"
BLOCKS: dict[str, Any] = json.loads((REF / "did_mpdta_reference.json").read_text())["blocks"]
CONTROL = {"nevertreated": "never", "notyettreated": "notyet"}


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(REF / "mpdta.csv.gz")


def _fit(mpdta: pd.DataFrame, call: dict[str, str], **kw: Any) -> Any:
    cov = () if call["xformla"] in ("~1", None) else (call["xformla"].lstrip("~"),)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return callaway_santanna(mpdta, "lemp", cohort="first.treat", entity="countyreal",
                                 time="year", control=CONTROL[call["control_group"]],  # type: ignore[arg-type]
                                 method=call["est_method"], covariates=cov, **kw)


ANALYTIC = sorted(k for k in BLOCKS if k.startswith("analytic_"))


@pytest.mark.parametrize("key", ANALYTIC)
def test_att_gt_and_aggregations_equal_r_did(mpdta: pd.DataFrame, key: str) -> None:
    block = BLOCKS[key]
    tol = 1e-8 if key.endswith("_dr_cov") else 1e-9
    cs = _fit(mpdta, block["call"])
    got = cs.att_gt.set_index(["group", "time"])
    for row in block["attgt"]:
        g, t = row["group"], row["time"]
        assert got.loc[(g, t), "att"] == pytest.approx(row["att"], abs=tol)
        assert got.loc[(g, t), "se"] == pytest.approx(row["se"], abs=tol)
    assert len(got) == len(block["attgt"])
    if "wald_pretest" in block:
        assert cs.pretest_stat == pytest.approx(block["wald_pretest"]["W"], abs=1e-8)
        assert cs.pretest_pvalue == pytest.approx(block["wald_pretest"]["pvalue"], abs=1e-5)
    for name, ref in block.get("aggte", {}).items():
        kind, _, bal = name.partition("_balance_e_")
        agg = cs.aggregate(kind, balance_e=int(bal) if bal else None)  # type: ignore[arg-type]
        assert agg.overall_att == pytest.approx(ref["overall_att"], abs=tol)
        assert agg.overall_se == pytest.approx(ref["overall_se"], abs=tol)
        if "estimates" in ref:
            est = agg.estimates.set_index(agg.estimates.columns[0])
            for row in ref["estimates"]:
                assert est.loc[row["egt"], "att"] == pytest.approx(row["att"], abs=tol)
                assert est.loc[row["egt"], "se"] == pytest.approx(row["se"], abs=tol)
            assert len(est) == len(ref["estimates"])


DOCS = {  # printed call → our arguments
    "docs_bootstrap_did_README_0": {"xformla": "~1", "control_group": "nevertreated",
                                    "est_method": "reg"},
    "docs_bootstrap_did_docs_articles_did-basics_5": {
        "xformla": "~1", "control_group": "nevertreated", "est_method": "dr"},
    "docs_bootstrap_did_docs_reference_att_gt_0": {
        "xformla": "~1", "control_group": "nevertreated", "est_method": "dr"},
    "docs_bootstrap_did_docs_reference_att_gt_1": {
        "xformla": "~lpop", "control_group": "nevertreated", "est_method": "dr"},
    "docs_bootstrap_did_docs_reference_att_gt_2": {
        "xformla": "~lpop", "control_group": "notyettreated", "est_method": "dr"},
}


@pytest.mark.parametrize("key", sorted(DOCS))
def test_printed_documentation_estimates(mpdta: pd.DataFrame, key: str) -> None:
    block = BLOCKS[key]
    cs = _fit(mpdta, DOCS[key])
    got = cs.att_gt.set_index(["group", "time"])["att"]
    for row in block["attgt"]:
        assert got[(row["group"], row["time"])] == pytest.approx(row["att"], abs=5e-5)
    assert cs.pretest_pvalue == pytest.approx(block["wald_pretest_pvalue"], abs=5e-6)


@pytest.mark.parametrize("key", [k for k in BLOCKS if "aggte" in k or "README_1" in k
                                 or "README_2" in k or "basics_6" in k or "basics_7" in k])
def test_printed_documentation_aggregations(mpdta: pd.DataFrame, key: str) -> None:
    block = BLOCKS[key]
    printed = block["call_printed"]
    method = "reg" if key.startswith("docs_bootstrap_did_README") else "dr"
    cs = _fit(mpdta, {"xformla": "~1", "control_group": "nevertreated",
                      "est_method": method})
    kind = printed.split('type = "')[1].split('"')[0]
    bal = int(printed.split("balance_e = ")[1].rstrip(")")) if "balance_e" in printed else None
    agg = cs.aggregate(kind, balance_e=bal)
    assert agg.overall_att == pytest.approx(block["overall"]["att"], abs=5e-5)
    if block.get("estimates"):
        est = agg.estimates.set_index(agg.estimates.columns[0])["att"]
        for row in block["estimates"]:
            assert est[row["egt"]] == pytest.approx(row["att"], abs=5e-5)


def test_bootstrap_is_seeded_and_gives_uniform_bands(mpdta: pd.DataFrame) -> None:
    call = {"xformla": "~1", "control_group": "nevertreated", "est_method": "dr"}
    a = _fit(mpdta, call, se="bootstrap", n_boot=199, seed=11)
    b = _fit(mpdta, call, se="bootstrap", n_boot=199, seed=11)
    c = _fit(mpdta, call, se="bootstrap", n_boot=199, seed=12)
    pd.testing.assert_frame_equal(a.att_gt, b.att_gt)
    assert not np.allclose(a.att_gt["se"], c.att_gt["se"])
    analytic = _fit(mpdta, call)
    np.testing.assert_allclose(a.att_gt["att"], analytic.att_gt["att"], atol=1e-12)
    # bootstrap SEs estimate the analytic ones: within 20 % with 199 draws
    np.testing.assert_allclose(a.att_gt["se"], analytic.att_gt["se"], rtol=0.2)
    assert a.critical_value > 1.96  # a sup-t band is wider than the pointwise one
    da, db = a.aggregate("dynamic"), b.aggregate("dynamic")
    pd.testing.assert_frame_equal(da.estimates, db.estimates)
    assert not da.estimates["pointwise"].any()


@pytest.mark.filterwarnings("ignore:callaway_santanna")
def test_yrd_sim_recovers_the_simulated_att() -> None:
    """The bundled draw: ATT(e) of Broadband China on de_latent, truth 0.05(1 − 0.5^{e+1})."""
    truth = cityres.datasets.truth("yrd_sim")["derived"]["att_broadband_on_de_latent"]
    cs = callaway_santanna(cityres.datasets.load("yrd_sim"), "de_latent",
                           cohort="cohort_broadband")
    dyn = cs.aggregate("dynamic").estimates.set_index("event_time")
    for e in range(0, 6):
        est, se = dyn.loc[e, "att"], dyn.loc[e, "se"]
        assert abs(est - truth[str(e)]) < 3 * se, (e, est, se, truth[str(e)])
    pre = dyn.loc[dyn.index < 0]
    assert (np.abs(pre["att"]) < 3 * pre["se"]).all()


def test_bad_input_names_the_cohort_or_argument(mpdta: pd.DataFrame) -> None:
    kw: dict[str, Any] = {"cohort": "first.treat", "entity": "countyreal", "time": "year"}
    with pytest.raises(ArgumentError, match="control='nyt'; accepted"):
        callaway_santanna(mpdta, "lemp", control="nyt", **kw)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="method='ols'; accepted"):
        callaway_santanna(mpdta, "lemp", method="ols", **kw)  # type: ignore[arg-type]
    treated_only = mpdta[mpdta["first.treat"] > 0]
    with pytest.raises(PanelError, match="no unit is never treated"):
        callaway_santanna(treated_only, "lemp", **kw)
    with pytest.raises(PanelError, match="cohort 2007 has no never-treated or not-yet-treated"):
        callaway_santanna(treated_only, "lemp", control="notyet", **kw)
    early = mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(2004, 2003)})
    with pytest.raises(PanelError, match="treated at or before the first period 2003"):
        callaway_santanna(early, "lemp", **kw)
    with pytest.raises(ArgumentError, match="apply to type='dynamic' only"):
        callaway_santanna(mpdta, "lemp", **kw).aggregate("group", balance_e=1)
    with pytest.raises(ArgumentError, match="n_boot must be an integer >= 99"):
        callaway_santanna(mpdta, "lemp", se="bootstrap", n_boot=10, **kw)


def test_dynamic_aggregation_as_an_event_study(mpdta: pd.DataFrame) -> None:
    block = BLOCKS["analytic_mpdta_nev_dr"]
    cs = _fit(mpdta, block["call"])
    es = cs.aggregate("dynamic").to_event_study()
    ref = {r["egt"]: r for r in block["aggte"]["dynamic"]["estimates"]}
    coefs = es.coefs.set_index("event_time")
    for e, r in ref.items():
        assert coefs.loc[e, "estimate"] == pytest.approx(r["att"], abs=1e-9)
        assert coefs.loc[e, "std_error"] == pytest.approx(r["se"], abs=1e-9)
    # covariance from the influence functions: its diagonal is the squared SEs
    np.testing.assert_allclose(np.sqrt(np.diag(es.cov.to_numpy())),
                               coefs["std_error"].to_numpy(), rtol=1e-10)
    assert es.pretrend is not None
    assert es.pretrend.pvalue == pytest.approx(block["wald_pretest"]["pvalue"], abs=1e-5)
    assert es.params["ATT"] == pytest.approx(block["aggte"]["dynamic"]["overall_att"],
                                             abs=1e-9)
    # units behind each event time: e = 3 only the 2004 cohort (20 counties)
    assert coefs.loc[3, "nobs"] == 20 and coefs.loc[-3, "nobs"] == 131 + 40
    with pytest.raises(ArgumentError, match="needs type='dynamic'"):
        cs.aggregate("group").to_event_study()


def test_universal_base_period_marks_the_reference(mpdta: pd.DataFrame) -> None:
    """With base_period="universal" e = −1 is the omitted base: the pre-test counts only
    the estimated pre-treatment cells (its p-value equals the varying-base one, as in R
    did: the same restrictions in another parametrisation) and the event study marks −1
    as the reference."""
    call = {"xformla": "~1", "control_group": "nevertreated", "est_method": "dr"}
    uni = _fit(mpdta, call, base_period="universal")
    es = uni.aggregate("dynamic").to_event_study()
    assert es.references == (-1,)
    assert "rel::-1" not in es.cov.index and len(es.cov) == len(es.coefs) - 1
    assert es.pretrend is not None and es.pretrend.df_num == 5  # 2006: e=-3,-2; 2007: -4..-2
    np.testing.assert_allclose(np.sqrt(np.diag(es.cov.to_numpy())),
                               es.coefs.loc[~es.coefs["is_reference"], "std_error"],
                               rtol=1e-10)
