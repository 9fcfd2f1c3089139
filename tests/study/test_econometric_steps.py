"""The ``baseline``, ``iv`` and ``robustness`` study steps on the bundled yrd_sim
(SIMULATED) panel.

Each step's numbers are checked against the library function it calls
(``fit_fe`` / ``fit_iv`` / ``robustness``, themselves checked against pyfixest and
linearmodels in tests/econometrics); the cache test checks that a step reading an earlier
index step re-runs when that index changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.econometrics import fit_fe
from cityres.econometrics.iv import fit_iv
from cityres.study import run_study

CONTROLS = '["gdp_pc", "openness", "fiscal_share"]'
STUDY = f"""\
[study]
seed = 5

[data]
dataset = "yrd_sim"

[[steps]]
id = "di"
step = "index"
system = "digital_economy"
weighting = "entropy"
map_years = [2023]
obstacles = false

[[steps]]
step = "baseline"
y = "resilience"
x = ["de_latent"]
controls = {CONTROLS}

[[steps]]
id = "baseline_index"
step = "baseline"
y = "resilience"
x = ["di"]
controls = {CONTROLS}
steps = "all"
pooled_first = true

[[steps]]
step = "iv"
y = "resilience"
endogenous = "de_latent"
instruments = ["phones_1984*nat_internet_lag"]
controls = {CONTROLS}

[[steps]]
step = "robustness"
y = "resilience"
x = "de_latent"
controls = {CONTROLS}
checks = [{{ lag = 1 }}, {{ drop = ["municipalities", "provincial_capitals"] }},
          {{ winsorize = [0.01, 0.99] }}, {{ years = [2011, 2019] }},
          {{ y = "er_resistance_latent", label = "economic resistance" }}]
alt_index = {{ system = "digital_economy", weightings = ["critic", "equal"] }}
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("econ"), STUDY)


def test_baseline_columns_match_fit_fe(out: Path) -> None:
    est = pd.read_parquet(out / "tables" / "baseline__estimates.parquet")
    assert sorted(est["model"].unique()) == [1, 2, 3, 4]
    fit = fit_fe("resilience ~ de_latent + gdp_pc + openness + fiscal_share",
                 datasets.load("yrd_sim"))
    last = est[est["model"] == 4].set_index("term")["estimate"]
    np.testing.assert_allclose(last[fit.params.index].to_numpy(), fit.params.to_numpy(),
                               rtol=1e-12)
    truth = pd.read_parquet(out / "tables" / "baseline__truth.parquet")
    assert truth["beta_low"].iloc[0] == 0.12
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "基准回归" in html or "Baseline" in html


def test_baseline_on_an_index_step_uses_its_scores(out: Path) -> None:
    est = pd.read_parquet(out / "tables" / "baseline_index__estimates.parquet")
    scores = pd.read_parquet(out / "tables" / "di__scores.parquet").set_index(
        ["city", "year"])["score"]
    panel = datasets.load("yrd_sim")
    panel = panel.with_columns(scores.to_frame("di"), source="test")
    fit = fit_fe("resilience ~ di + gdp_pc + openness + fiscal_share", panel)
    assert sorted(est["model"].unique()) == [1, 2, 3]  # pooled, index alone, with controls
    mine = est[est["model"] == 3].set_index("term")["estimate"]
    assert mine["di"] == pytest.approx(float(fit.params["di"]), rel=1e-12)
    assert "Intercept" in set(est[est["model"] == 1]["term"])  # the pooled column


def test_iv_matches_fit_iv(out: Path) -> None:
    est = pd.read_parquet(out / "tables" / "iv__estimates.parquet")
    d = datasets.load("yrd_sim").data.reset_index()
    d["phones_1984_x_nat_internet_lag"] = d["phones_1984"] * d["nat_internet_lag"]
    iv = fit_iv("resilience ~ gdp_pc + openness + fiscal_share | de_latent ~ "
                "phones_1984_x_nat_internet_lag", d, entity="city", time="year")
    mine = est[est["model"] == "2sls"].set_index("term")["estimate"]
    assert mine["de_latent"] == pytest.approx(float(iv.params["de_latent"]), rel=1e-12)
    diag = pd.read_parquet(out / "tables" / "iv__diagnostics.parquet").set_index("endogenous")
    assert diag.loc["de_latent", "first_stage_f"] == pytest.approx(
        float(iv.diagnostics.loc["de_latent", "first_stage_f"]), rel=1e-12)


def test_robustness_columns(out: Path) -> None:
    tidy = pd.read_parquet(out / "tables" / "robustness__estimates.parquet")
    assert list(tidy["check"]) == [
        "baseline", "lag 1", "drop municipalities, provincial_capitals",
        "winsorised 0.01–0.99", "2011–2019", "economic resistance",
        "digital_economy index, critic weights", "digital_economy index, equal weights"]
    dropped = tidy.loc[tidy["check"].str.startswith("drop"), "change"].iloc[0]
    assert "310000" in dropped and "320100" in dropped
    assert tidy.loc[tidy["check"] == "lag 1", "nobs"].iloc[0] == 41 * 12


def test_cache_follows_the_index_a_step_reads(tmp_path: Path) -> None:
    head = STUDY.split('[[steps]]\nstep = "baseline"')[0]
    tail = ('[[steps]]\nstep = "baseline"\ny = "resilience"\nx = ["di"]\n')
    (tmp_path / "s.toml").write_text(head + tail, encoding="utf-8")
    run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
    again = run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
    assert [s.cached for s in again.steps] == [True, True]
    (tmp_path / "s.toml").write_text(head.replace('"entropy"', '"critic"') + tail,
                                     encoding="utf-8")
    changed = run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
    assert [s.cached for s in changed.steps] == [False, False]


def test_bad_parameters_are_named(tmp_path: Path) -> None:
    head = STUDY.split('[[steps]]\nid = "di"')[0]
    (tmp_path / "s.toml").write_text(head + '[[steps]]\nstep = "baseline"\ny = "resilience"\n'
                                     'x = ["nothing"]\n', encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"unknown \['nothing'\]"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
    (tmp_path / "s.toml").write_text(head + '[[steps]]\nstep = "robustness"\ny = "resilience"\n'
                                     'x = "de_latent"\nchecks = [{ lagged = 1 }]\n',
                                     encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"unknown key\(s\) \['lagged'\]"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
