"""The ``psm_did`` and ``spatial_did`` study steps on the bundled yrd_sim (SIMULATED)
panel: their tables equal direct calls of cityres.econometrics.did (whose estimators are
checked against R MatchIt and hand-built regressions in tests/econometrics/did)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.econometrics.did.psm import psm_did
from cityres.econometrics.did.spatial import spatial_did
from cityres.spatial.weights import weights_from_spec

STUDY = """\
[study]
seed = 3

[data]
dataset = "yrd_sim"

[[steps]]
id = "psm"
step = "psm_did"
y = "de_latent"
cohort = "cohort_broadband"
covariates = ["gdp_pc", "population", "urbanisation"]

[[steps]]
id = "sdid"
step = "spatial_did"
y = "de_latent"
cohort = "cohort_broadband"
weights = "queen"
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_text(tmp_path_factory.mktemp("didx"), STUDY)


def test_psm_step_equals_psm_did(out: Path) -> None:
    panel = datasets.load("yrd_sim")
    fit = psm_did(panel, "de_latent", cohort="cohort_broadband",
                  covariates=("gdp_pc", "population", "urbanisation"))
    did = pd.read_csv(out / "tables" / "psm__did.csv").set_index("term")
    assert did.loc["D", "estimate"] == pytest.approx(fit.estimate, abs=1e-12)
    bal = pd.read_csv(out / "tables" / "psm__balance.csv").set_index("covariate")
    pd.testing.assert_series_equal(bal["std_diff_after"],
                                   fit.balance.set_index("covariate")["std_diff_after"],
                                   check_names=False)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "PSM-DID" in html and "SIMULATED" in html


def test_spatial_step_equals_spatial_did(out: Path) -> None:
    panel = datasets.load("yrd_sim")
    w = weights_from_spec("queen", panel)
    fit = spatial_did(panel, "de_latent", cohort="cohort_broadband", w=w)
    eff = pd.read_csv(out / "tables" / "sdid__effects.csv").set_index("effect")
    ref = fit.effects.set_index("effect")
    assert list(eff.index) == list(ref.index)
    for e in ref.index:
        assert eff.loc[e, "estimate"] == pytest.approx(ref.loc[e, "estimate"], abs=1e-12)
        assert eff.loc[e, "std_error"] == pytest.approx(ref.loc[e, "std_error"], abs=1e-12)


def test_bad_covariate_is_named(tmp_path: Path) -> None:
    bad = STUDY.replace('"urbanisation"]', '"nope"]')
    with pytest.raises(ArgumentError, match="nope"):
        run_text(tmp_path, bad)
