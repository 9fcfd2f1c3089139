"""The ``mediation`` and ``moderation`` study steps on the bundled yrd_sim (SIMULATED) panel.

The steps' numbers are checked against direct calls of ``mediation`` and ``moderation``
(themselves checked against pyfixest and linearmodels in tests/econometrics), the
bootstrap against a rerun with the same study seed, the truth table against
``cityres.datasets.truth("yrd_sim")``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError, StudyConfigError
from cityres.econometrics.mediation import mediation
from cityres.econometrics.moderation import moderation
from cityres.study import run_study

MEDS = ["innovation", "upgrading", "emp_diversity"]
STUDY = """\
[study]
seed = 11

[data]
dataset = "yrd_sim"

[[steps]]
step = "mediation"
y = "resilience"
x = "de_latent"
mediators = ["innovation", "upgrading", "emp_diversity"]
controls = ["gdp_pc", "openness"]
bootstrap = 100

[[steps]]
step = "moderation"
y = "resilience"
x = "de_latent"
moderators = ["openness", "urbanisation"]
controls = ["gdp_pc"]
at = "quartiles"
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("mech"), STUDY)


def _table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / "tables" / f"{name}.parquet")


def test_mediation_tables_match_the_function(out: Path) -> None:
    eff = _table(out, "mediation__effects").set_index("mediator")
    ref = mediation(datasets.load("yrd_sim"), "resilience", "de_latent", MEDS,
                    controls=["gdp_pc", "openness"], bootstrap=0)
    cols = ["a", "se_a", "b", "se_b", "c", "c_prime", "indirect", "sobel_z"]
    np.testing.assert_allclose(eff.loc[MEDS, cols], ref.effects[cols], rtol=1e-12)
    assert (eff["n_boot"] == 100).all()
    assert (eff["boot_ci_lower"] < eff["boot_ci_upper"]).all()
    tidy = _table(out, "mediation__mechanism")
    assert set(tidy["term"]) == {"a", "b", "c", "c_prime", "indirect", "share_mediated"}


def test_bootstrap_repeats_for_one_seed(out: Path, tmp_path: Path) -> None:
    again = run_text(tmp_path, STUDY)
    pd.testing.assert_frame_equal(_table(out, "mediation__effects"),
                                  _table(again, "mediation__effects"))
    (tmp_path / "t.toml").write_text(STUDY.replace("seed = 11", "seed = 12"), encoding="utf-8")
    run_study(tmp_path / "t.toml", tmp_path / "other", progress=False)
    other = _table(tmp_path / "other", "mediation__effects")
    assert not np.allclose(other["boot_ci_lower"], _table(out, "mediation__effects")[
        "boot_ci_lower"])


def test_truth_table(out: Path) -> None:
    truth = _table(out, "mediation__truth").set_index("mediator")
    t = datasets.truth("yrd_sim")
    for m in MEDS:
        assert truth.loc[m, "a_true"] == t["params"]["mediators"][m]["a"]
        assert truth.loc[m, "ab_true"] == t["derived"]["indirect_effects"][m]
        # a_m is consistent on yrd_sim (docs/data/yrd_sim.md): within 3 SE of the truth
        assert abs(truth.loc[m, "a_hat"] - truth.loc[m, "a_true"]) <= 3 * truth.loc[m, "se_a"]


def test_moderation_tables_match_the_function(out: Path) -> None:
    me = _table(out, "moderation__marginal_effects")
    panel = datasets.load("yrd_sim")
    for z in ("openness", "urbanisation"):
        ref = moderation(panel, "resilience", "de_latent", z, controls=["gdp_pc"],
                         at="quartiles")
        mine = me[me["moderator"] == z].reset_index(drop=True)
        cols = ["z", "effect", "std_error", "ci_lower", "ci_upper"]
        np.testing.assert_allclose(mine[cols], ref.marginal_effects[cols], rtol=1e-12)
    coefs = _table(out, "moderation__interaction")
    assert {"de_latent_x_openness", "de_latent_x_urbanisation"} <= set(coefs["term"])


def test_report_marks_simulated_data(out: Path) -> None:
    html = (out / "report.html").read_text(encoding="utf-8")
    for text in ("机制检验：中介效应", "Mechanism: mediation", "调节效应", "Moderation",
                 "模拟数据", "Sobel z", "Jiang 2022", "Median"):
        assert text in html, text


def test_unknown_mediator_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY.replace('"emp_diversity"]', '"emp_div"]'),
                                     encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"step 'mediation', mediators: unknown.*emp_div"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)


def test_bad_bootstrap_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY.replace("bootstrap = 100", "bootstrap = -5"),
                                     encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"step 'mediation': bootstrap=-5"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
    (tmp_path / "t.toml").write_text(STUDY.replace('at = "quartiles"', 'at = "deciles"'),
                                     encoding="utf-8")
    with pytest.raises(StudyConfigError, match="at"):
        run_study(tmp_path / "t.toml", tmp_path / "out2", progress=False)
