"""The ``distribution_dynamics`` study step on the bundled yrd_sim (SIMULATED) panel.

The step's tables are checked against ``cityres.dynamics.density`` and
``cityres.dynamics.markov`` called directly (themselves checked against scipy, a hand
kernel sum and giddy's documented US-income example in tests/dynamics).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.dynamics.kde import density
from cityres.dynamics.markov import markov
from cityres.spatial.weights import weights_from_spec
from cityres.study import run_study

STUDY = """\
[study]
seed = 3

[data]
dataset = "yrd_sim"

[[steps]]
step = "distribution_dynamics"
column = "de_latent"
years = [2011, 2015, 2019, 2023]
group = "region"
k = 4
weights = "queen"

[[steps]]
id = "plain"
step = "distribution_dynamics"
column = "gdp_pc"
years = [2011, 2023]
k = 3
classes = "pooled"
bandwidth = "silverman"
log = true
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("dist"), STUDY)


def _table(out: Path, key: str) -> pd.DataFrame:
    return pd.read_parquet(out / "tables" / f"distribution_dynamics__{key}.parquet")


def test_markov_tables_match_the_library(out: Path) -> None:
    panel = datasets.load("yrd_sim")
    res = markov(panel, "de_latent", k=4, w=weights_from_spec("queen", panel))
    counts = _table(out, "transition_counts").set_index("from")
    np.testing.assert_array_equal(counts.to_numpy(), res.chain.transitions.to_numpy())
    probs = _table(out, "transition_probabilities").set_index("from")
    np.testing.assert_allclose(probs[list(res.labels)].to_numpy(), res.chain.p.to_numpy(),
                               rtol=1e-12)
    assert (probs["n"] == res.chain.transitions.sum(axis=1).to_numpy()).all()
    ss = _table(out, "steady_state").set_index("state")
    np.testing.assert_allclose(ss["steady_state"], res.chain.steady_state, rtol=1e-12)
    sp = _table(out, "spatial_probabilities").set_index(["lag", "from"])
    np.testing.assert_allclose(sp[list(res.labels)].to_numpy(), res.p.to_numpy(), rtol=1e-12)
    hom = _table(out, "homogeneity").set_index("test")
    assert res.spatial_homogeneity is not None and res.time_homogeneity is not None
    assert hom.loc["spatial", "lr"] == pytest.approx(res.spatial_homogeneity.lr, rel=1e-12)
    assert hom.loc["time", "q"] == pytest.approx(res.time_homogeneity.q, rel=1e-12)
    assert len(_table(out, "lag_tests")) == 4


def test_kde_table_and_figures(out: Path) -> None:
    kde = density(datasets.load("yrd_sim"), "de_latent", years=[2011, 2015, 2019, 2023],
                  group="region")
    tab = _table(out, "kde").set_index(["group", "year"])
    np.testing.assert_allclose(tab["bandwidth"], kde.stats["bandwidth"], rtol=1e-12)
    assert set(tab.index.get_level_values(0)) == {"east", "central"}
    for key in ("ridgeline", "kde3d", "transitions"):
        for lang in ("zh", "en"):
            assert (out / "figures" / f"distribution_dynamics__{key}.{lang}.png").stat(
            ).st_size > 10_000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "分布动态" in html and "Distribution dynamics" in html and "模拟数据" in html


def test_classic_only_without_weights(out: Path) -> None:
    panel = datasets.load("yrd_sim")
    assert not (out / "tables" / "plain__spatial_probabilities.parquet").exists()
    hom = pd.read_parquet(out / "tables" / "plain__homogeneity.parquet")
    assert hom["test"].tolist() == ["time"]
    res = markov(panel, "gdp_pc", k=3, classes="pooled")
    probs = pd.read_parquet(out / "tables" / "plain__transition_probabilities.parquet")
    np.testing.assert_allclose(probs[list(res.labels)].to_numpy(), res.chain.p.to_numpy(),
                               rtol=1e-12)
    kde = density(panel, "gdp_pc", years=[2011, 2023], bandwidth="silverman", log=True)
    tab = pd.read_parquet(out / "tables" / "plain__kde.parquet")
    np.testing.assert_allclose(tab["bandwidth"], kde.stats["bandwidth"], rtol=1e-12)
    assert (out / "figures" / "plain__ridgeline.en.png").exists()


def test_bad_k_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY.replace("k = 4", "k = 50"), encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"distribution_dynamics.*k=50 is larger than the "
                                            r"number of units \(41\)"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)


def test_unknown_column_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY.replace('"de_latent"', '"digital"'),
                                     encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"column: unknown column.*digital"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
