"""The ``spatial_panel`` study step on the bundled yrd_sim (SIMULATED) panel.

The step's estimates are checked against ``fit_panel`` (itself checked against R splm in
tests/spatial/panel), its effects against a rerun with the same study seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.spatial import fit_panel, weights_from_spec
from cityres.study import run_study

STUDY = """\
[study]
seed = 11

[data]
dataset = "yrd_sim"

[[steps]]
step = "spatial_panel"
y = "resilience"
x = ["de_latent", "ec_latent", "urbanisation"]
weights = ["queen", { kind = "distance_band", km = 300 }]
draws = 200
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("sp"), STUDY)


def test_estimates_match_fit_panel(out: Path) -> None:
    est = pd.read_parquet(out / "tables" / "spatial_panel__estimates.parquet")
    panel = datasets.load("yrd_sim")
    w = weights_from_spec("queen", panel)
    fit = fit_panel("resilience ~ de_latent + ec_latent + urbanisation", panel, w=w,
                    model="sdm", effects="twoways", lee_yu="transformation")
    mine = est[est["weights"] == "queen"].set_index("term")["estimate"]
    np.testing.assert_allclose(mine[fit.params.index].to_numpy(), fit.params.to_numpy(),
                               rtol=1e-12)
    assert set(est["weights"]) == {"queen", "distance_band_300"}


def test_effects_tests_and_truth_tables(out: Path) -> None:
    eff = pd.read_parquet(out / "tables" / "spatial_panel__effects.parquet")
    assert set(eff["variable"]) == {"de_latent", "ec_latent", "urbanisation"}
    np.testing.assert_allclose(eff["direct"] + eff["indirect"], eff["total"], rtol=1e-10)
    tests = pd.read_parquet(out / "tables" / "spatial_panel__tests.parquet")
    assert {"LM lag", "Robust LM error", "LR SDM vs SAR", "Wald theta = 0"} <= set(tests["test"])
    truth = pd.read_parquet(out / "tables" / "spatial_panel__truth.parquet").set_index(
        "parameter")
    assert truth.loc["rho", "truth"] == datasets.truth("yrd_sim")["params"]["outcome"]["rho"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "空间面板计量模型" in html and "Spatial panel models" in html and "模拟数据" in html


def test_effects_repeat_for_one_seed(out: Path, tmp_path: Path) -> None:
    again = run_text(tmp_path, STUDY)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "tables" / "spatial_panel__effects.parquet"),
        pd.read_parquet(again / "tables" / "spatial_panel__effects.parquet"))


def test_unknown_regressor_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY.replace('"urbanisation"]', '"urban"]'),
                                     encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"step 'spatial_panel', x: unknown column.*urban"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)


def test_fit_at_the_boundary_is_noted_not_fatal(tmp_path: Path) -> None:
    # on the bundled (heterogeneous) yrd_sim, the Lee–Yu transformation SDM with the nested
    # matrix puts rho at its upper bound: its effects are left out with a note, the others
    # are reported, and the BoundaryWarning is passed on
    from cityres.spatial.panel import BoundaryWarning

    study = STUDY.replace('x = ["de_latent", "ec_latent", "urbanisation"]',
                          'x = ["de_latent", "ec_latent", "innovation", "upgrading", '
                          '"misallocation", "consumption_pc", "emp_diversity", "fiscal_share", '
                          '"openness", "urbanisation"]')
    study = study.replace('weights = ["queen", { kind = "distance_band", km = 300 }]',
                          'weights = ["queen", { kind = "nested", column = "gdp_pc" }]')
    (tmp_path / "s.toml").write_text(study, encoding="utf-8")
    with pytest.warns(BoundaryWarning, match="rho = 1 is at the boundary"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
    eff = pd.read_parquet(tmp_path / "out" / "tables" / "spatial_panel__effects.parquet")
    assert eff.loc[eff["weights"] == "nested_gdp_pc", "direct"].isna().all()
    assert eff.loc[eff["weights"] == "queen", "direct"].notna().all()
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "nested_gdp_pc: the spatial parameter is at the boundary" in html
