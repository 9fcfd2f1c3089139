"""The ``heterogeneity`` study step on the bundled yrd_sim (SIMULATED) panel.

The step's subgroup estimates are checked against ``subgroups`` (itself checked against
pyfixest in tests/econometrics/test_heterogeneity.py), its permutation p-values against a
rerun with the same study seed, its truth table against ``cityres.datasets.truth``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.econometrics._groups import period_split
from cityres.econometrics.heterogeneity import subgroups
from cityres.study import run_study

STUDY = """\
[study]
seed = 5

[data]
dataset = "yrd_sim"

[[steps]]
step = "heterogeneity"
y = "resilience"
x = ["de_latent"]
controls = ["ec_latent", "urbanisation"]
groupings = ["region", { split_year = 2017 }, { column = "open_group" },
             { quantiles = "openness", q = 2 }]
permutations = 49
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("het"), STUDY)


def _table(out: Path, key: str) -> pd.DataFrame:
    return pd.read_parquet(out / "tables" / f"heterogeneity__{key}.parquet")


def test_subgroup_estimates_match_subgroups(out: Path) -> None:
    panel = datasets.load("yrd_sim")
    for key, by in (("region", "region"), ("period_2017", period_split(2017))):
        est = _table(out, key)
        ref = subgroups(panel, "resilience", "de_latent", by=by,
                        controls=["ec_latent", "urbanisation"], test="chow").tidy()
        np.testing.assert_allclose(est["estimate"], ref["estimate"], rtol=1e-12)
        np.testing.assert_allclose(est["std_error"], ref["std_error"], rtol=1e-12)
        assert list(est["group"]) == list(ref["group"])


def test_tests_table_has_every_comparison(out: Path) -> None:
    tests = _table(out, "tests")
    assert set(tests["grouping"]) == {"region", "period split at 2017", "open_group",
                                      "openness halves (of each city's mean value)"}
    og = tests[(tests["grouping"] == "open_group") & (tests["coefficient"] == "de_latent")]
    assert list(og["comparison"]) == ["middle − bottom", "top − bottom", "top − middle",
                                      "all groups equal"]
    pairs = tests[tests["coefficient"] == "de_latent"]
    assert pairs[["chow_p", "suest_p", "perm_p"]].notna().all().all()
    assert (pairs["n_permutations"] == 49).all()


def test_truth_table_on_yrd_sim(out: Path) -> None:
    truth = _table(out, "truth").set_index("comparison")
    outcome = datasets.truth("yrd_sim")["params"]["outcome"]
    assert truth.loc["open_group: top / bottom", "true_ratio"] == pytest.approx(
        outcome["open_mult"]["top"])
    assert truth.loc["region: central / east", "true_ratio"] == pytest.approx(0.8)
    assert truth.loc["period split at 2017: 2017–2023 / 2011–2016", "true_ratio"] == (
        pytest.approx(outcome["post_mult"]))
    est = _table(out, "region").set_index(["group", "term"])["estimate"]
    assert truth.loc["region: central / east", "estimated_ratio"] == pytest.approx(
        est[("central", "de_latent")] / est[("east", "de_latent")])


def test_report_marks_simulated_data_and_tests(out: Path) -> None:
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "异质性分析" in html and "Heterogeneity analysis" in html
    assert "模拟数据" in html and "SIMULATED" in html
    assert "Permutation test, empirical p" in html and "费舍尔组合检验经验 p 值" in html
    assert "reduced-form mixtures" in html


def test_permutations_repeat_for_one_seed(out: Path, tmp_path: Path) -> None:
    again = run_text(tmp_path, STUDY)
    pd.testing.assert_frame_equal(_table(out, "tests"), _table(again, "tests"))


@pytest.mark.parametrize(("groupings", "message"), [
    ("[{ foo = 1 }]", r"step 'heterogeneity', groupings\[0\]: cannot read \{'foo': 1\}"),
    ('["regoin"]', r"groupings\[0\]: .*unknown grouping column 'regoin'"),
    ("[{ quantiles = \"openness\", q = 1 }]", r"groupings\[0\]: quantile_groups: q=1"),
])
def test_bad_groupings_are_named(tmp_path: Path, groupings: str, message: str) -> None:
    study = STUDY.replace('groupings = ["region", { split_year = 2017 }, { column = '
                          '"open_group" },\n             { quantiles = "openness", q = 2 }]',
                          f"groupings = {groupings}")
    assert study != STUDY
    (tmp_path / "s.toml").write_text(study, encoding="utf-8")
    with pytest.raises(ArgumentError, match=message):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
