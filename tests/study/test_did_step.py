"""The ``did`` study step on the bundled yrd_sim (SIMULATED) panel.

The step's numbers are checked against direct calls of cityres.econometrics.did (each
estimator is itself checked against R did / pyfixest in tests/econometrics/did), the truth
row against ``cityres.datasets.truth('yrd_sim')``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.econometrics.did import callaway_santanna
from cityres.econometrics.did.twfe import did_twfe

STUDY = """\
[study]
seed = 11

[data]
dataset = "yrd_sim"

[[steps]]
id = "bb"
step = "did"
y = "de_latent"
programme = "broadband_china"
leads = 3
lags = 4
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_text(tmp_path_factory.mktemp("did"), STUDY)


def test_att_table_equals_the_estimators(out: Path) -> None:
    att = pd.read_csv(out / "tables" / "bb__att.csv").set_index("estimator")
    assert list(att.index) == ["twfe", "callaway_santanna", "sun_abraham", "did2s"]
    panel = datasets.load("yrd_sim")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tw = did_twfe(panel, "de_latent", cohort="cohort_broadband", name="ATT")
        cs = callaway_santanna(panel, "de_latent", cohort="cohort_broadband")
    assert att.loc["twfe", "att"] == pytest.approx(tw.params["ATT"], abs=1e-12)
    assert att.loc["twfe", "se"] == pytest.approx(tw.std_errors["ATT"], abs=1e-12)
    simple = cs.aggregate("simple")
    assert att.loc["callaway_santanna", "att"] == pytest.approx(simple.overall_att, abs=1e-12)
    # the bundled calendar's cohorts are the simulator's: every estimate is positive and
    # within 3 SE of the simulated average ATT over treated city-years
    truth = datasets.truth("yrd_sim")["derived"]["att_broadband_on_de_latent"]
    d = panel.data
    g = d["cohort_broadband"].to_numpy()
    t = d.index.get_level_values("year").to_numpy()
    avg = np.mean([truth[str(e)] for e in (t - g)[(g > 0) & (t >= g)]])
    assert (np.abs(att["att"] - avg) < 3 * att["se"]).all()


def test_event_table_truth_and_figure(out: Path) -> None:
    ev = pd.read_csv(out / "tables" / "bb__event_study.csv").set_index("event_time")
    truth = datasets.truth("yrd_sim")["derived"]["att_broadband_on_de_latent"]
    for e in range(0, 4):
        assert ev.loc[e, "truth_value"] == pytest.approx(truth[str(e)])
    assert (ev.loc[ev.index < 0, "truth_value"] == 0).all()
    assert ev.loc[-1, "twfe_estimate"] == 0 and np.isnan(ev.loc[-1, "twfe_se"])
    assert ev.index.min() == -3 and ev.index.max() == 4
    pre = pd.read_csv(out / "tables" / "bb__pretrend.csv").set_index("estimator")
    assert (pre["pvalue"] > 0.05).all()  # no simulated anticipation
    for lang in ("zh", "en"):
        assert (out / "figures" / f"bb__event_study.{lang}.png").stat().st_size > 10_000


def test_treatment_table_carries_the_confidence_labels(out: Path) -> None:
    tab = pd.read_csv(out / "tables" / "bb__treatment.csv").set_index("cohort")
    assert tab.loc[2015, "medium"] == 4 and tab.loc[0, "n_cities"] == 23
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "未核实条目" in html and "unverified calendar rows" in html
    assert "SIMULATED" in html


def test_bad_step_arguments(tmp_path: Path) -> None:
    both = STUDY + 'cohort = "cohort_broadband"\n'
    with pytest.raises(ArgumentError, match="exactly one of programme"):
        run_text(tmp_path, both)
    bad = STUDY.replace('leads = 3', 'estimators = ["ols"]')
    with pytest.raises(ArgumentError, match=r"estimators=.*accepted"):
        run_text(tmp_path, bad)
    demo = STUDY.replace('programme = "broadband_china"', 'programme = "ecommerce_demo_city"')
    with pytest.raises(Exception, match="treated at or before the first period 2011"):
        run_text(tmp_path, demo)


DIAG = """\
[study]
seed = 5

[data]
dataset = "yrd_sim"

[[steps]]
id = "diag"
step = "did_diagnostics"
y = "de_latent"
cohort = "cohort_broadband"
placebo = 99
"""


def test_diagnostics_step_bacon_and_placebo(tmp_path: Path) -> None:
    from cityres.econometrics.did import bacon

    out = run_text(tmp_path, DIAG)
    comps = pd.read_csv(out / "tables" / "diag__bacon.csv")
    direct = bacon(datasets.load("yrd_sim"), "de_latent", cohort="cohort_broadband")
    assert comps["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (comps["weight"] * comps["estimate"]).sum() == pytest.approx(direct.twfe, abs=1e-10)
    plc = pd.read_csv(out / "tables" / "diag__placebo.csv").set_index("mode")
    assert list(plc.index) == ["units", "years"] and (plc["n"] == 99).all()
    assert plc.loc["units", "p"] <= 0.05  # the simulated effect is real
    for key in ("bacon", "placebo_units", "placebo_years"):
        assert (out / "figures" / f"diag__{key}.en.png").exists()
    (tmp_path / "again").mkdir()
    again = run_text(tmp_path / "again", DIAG)  # same study seed → same placebo draws
    pd.testing.assert_frame_equal(plc, pd.read_csv(again / "tables" / "diag__placebo.csv")
                                  .set_index("mode"))
    with pytest.raises(ArgumentError, match=r"modes=.*accepted"):
        run_text(tmp_path, DIAG + 'modes = ["cities"]\n')


def test_groups_table_counts_the_comparison_groups(out: Path) -> None:
    g = pd.read_csv(out / "tables" / "bb__groups.csv").set_index("period")
    assert g.loc[2013].tolist() == [0, 18, 23] and g.loc[2016].tolist() == [18, 0, 23]
    assert (g.sum(axis=1) == 41).all()
