"""The ``threshold`` study step on the bundled yrd_sim (SIMULATED) panel.

The step's numbers are checked against ``cityres.econometrics.threshold`` (itself checked
against brute force, linearmodels and pyxthreg in tests/econometrics), its bootstrap
p-values against a rerun with the same study seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.econometrics.threshold import threshold
from cityres.study import run_study

STUDY = """\
[study]
seed = 11

[data]
dataset = "yrd_sim"

[[steps]]
step = "threshold"
y = "resilience"
regime = "de_latent"
q = "de_latent"
controls = ["ec_latent", "urbanisation"]
n_thresholds = 2
bootstrap = 49
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("thr"), STUDY)


def test_estimates_match_the_library(out: Path) -> None:
    est = pd.read_parquet(out / "tables" / "threshold__estimates.parquet").set_index("term")
    fit = threshold(datasets.load("yrd_sim"), "resilience", regime="de_latent", q="de_latent",
                    controls=["ec_latent", "urbanisation"], n_thresholds=2, bootstrap=0)
    np.testing.assert_allclose(est.loc[fit.params.index, "estimate"], fit.params, rtol=1e-12)
    np.testing.assert_allclose(est.loc[fit.params.index, "std_error"], fit.std_errors,
                               rtol=1e-12)
    tests = pd.read_parquet(out / "tables" / "threshold__tests.parquet").set_index("test")
    np.testing.assert_allclose(tests["f_stat"], fit.f_stats, rtol=1e-12)
    assert (tests["draws"] == 49).all() and tests["pvalue"].between(0, 1).all()
    ci = pd.read_parquet(out / "tables" / "threshold__thresholds.parquet")
    np.testing.assert_array_equal(ci["estimate"], fit.thresholds)


def test_truth_table_and_report(out: Path) -> None:
    truth = pd.read_parquet(out / "tables" / "threshold__truth.parquet").set_index("parameter")
    outcome = datasets.truth("yrd_sim")["params"]["outcome"]
    assert truth.loc["threshold", "truth"] == outcome["threshold"] == 0.45
    assert truth.loc["beta_low", "truth"] == outcome["beta_low"]
    row = truth.loc["threshold"]
    assert row["lower"] <= row["truth"] <= row["upper"]
    assert abs(row["estimate"] - 0.45) < 0.01
    for lang in ("zh", "en"):
        assert (out / "figures" / f"threshold__lr.{lang}.png").stat().st_size > 10_000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "面板门槛回归" in html and "Panel threshold regression" in html
    assert "模拟数据" in html and "mixture of" in html


def test_bootstrap_repeats_for_one_seed(out: Path, tmp_path: Path) -> None:
    again = run_text(tmp_path, STUDY)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "tables" / "threshold__tests.parquet"),
        pd.read_parquet(again / "tables" / "threshold__tests.parquet"))


def test_unknown_column_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY.replace('q = "de_latent"', 'q = "digital"'),
                                     encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"step 'threshold', q: unknown column.*digital"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
