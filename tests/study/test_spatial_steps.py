"""The spatial study steps (weights, moran, lisa, ellipse) on the bundled yrd_sim panel.

yrd_sim is SIMULATED data. The step outputs are checked against the library functions they
call (the library is checked against esda, libpysal and pointpats in tests/spatial), and
the permutation p-values against a second run with the same study seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cityres import StudyConfigError, datasets
from cityres._shared.errors import ArgumentError
from cityres.spatial import autocorrelation as ac
from cityres.spatial.pattern import centre_and_ellipse
from cityres.spatial.weights import weights_from_spec
from cityres.study import run_study

STUDY = """\
[study]
seed = 7

[data]
dataset = "yrd_sim"

[[steps]]
step = "weights"
matrices = ["queen", { kind = "distance_band", km = 300 }, { kind = "knn", k = 4 },
            { kind = "economic", column = "gdp_pc", name = "econ" }]

[[steps]]
step = "moran"
columns = ["gdp_pc", "resilience"]
statistics = ["moran", "geary"]
years = [2011, 2017, 2023]
permutations = 199

[[steps]]
step = "lisa"
column = "gdp_pc"
years = [2023]
permutations = 199

[[steps]]
step = "ellipse"
column = "gdp_pc"
years = [2011, 2015, 2019, 2023]
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("spatial")
    path = base / "s.toml"
    path.write_text(STUDY, encoding="utf-8")
    run_study(path, base / "a", progress=False)
    run_study(path, base / "b", progress=False)  # its own folder: no cache shared
    return base / "a", base / "b"


def _table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / "tables" / f"{name}.parquet")


def test_weights_summary_counts_match_the_builders(outputs: tuple[Path, Path]) -> None:
    a, _ = outputs
    summary = _table(a, "weights__summary").set_index("statistic")
    assert list(summary.columns) == ["queen", "distance_band_300", "knn_4", "econ"]
    panel = datasets.load("yrd_sim")
    queen = weights_from_spec("queen", panel)
    assert summary.loc["links", "queen"] == str(queen.links) == "200"
    assert summary.loc["max_neighbours", "knn_4"] == "4"
    assert summary.loc["islands", "queen"] == ""


def test_moran_table_matches_library_and_repeats(outputs: tuple[Path, Path]) -> None:
    a, b = outputs
    got = _table(a, "moran__moran")
    again = _table(b, "moran__moran")
    pd.testing.assert_frame_equal(got, again)
    panel = datasets.load("yrd_sim")
    w = weights_from_spec("queen", panel)
    lib = ac.moran(panel, "gdp_pc", w, years=[2011, 2017, 2023], permutations=199, seed=1)
    mine = got[got["indicator"] == "gdp_pc"].set_index("year")
    np.testing.assert_allclose(mine["I"].to_numpy(), lib.table["I"].to_numpy(), atol=1e-12)
    assert set(got["indicator"]) == {"gdp_pc", "resilience"}
    assert (a / "tables" / "moran__geary.parquet").exists()
    assert (a / "figures" / "moran__scatter_gdp_pc_2023.zh.png").exists()


def test_lisa_clusters_and_maps(outputs: tuple[Path, Path]) -> None:
    a, b = outputs
    clusters = _table(a, "lisa__clusters")
    pd.testing.assert_frame_equal(clusters, _table(b, "lisa__clusters"))
    assert set(clusters["cluster"]) <= {"HH", "LL", "LH", "HL", "ns"}
    counts = _table(a, "lisa__counts")
    assert counts.drop(columns="year").sum(axis=1).tolist() == [41]
    for fig in ("lisa_2023", "hotspots_2023"):
        assert (a / "figures" / f"lisa__{fig}.en.png").exists()


def test_ellipse_table_matches_library(outputs: tuple[Path, Path]) -> None:
    a, _ = outputs
    got = _table(a, "ellipse__ellipse").set_index("year")
    lib = centre_and_ellipse(datasets.load("yrd_sim"), "gdp_pc", years=[2011, 2015, 2019, 2023])
    np.testing.assert_allclose(got["centre_lon"].to_numpy(), lib.table["centre_lon"].to_numpy(),
                               atol=1e-12)
    assert len(_table(a, "ellipse__path")) == 3
    html = (a / "report.html").read_text(encoding="utf-8")
    for title in ("空间权重矩阵", "全局空间自相关", "局部空间集聚", "重心与标准差椭圆"):
        assert title in html
    assert "模拟数据" in html


def test_bad_weights_spec_names_step_and_accepted_kinds(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(STUDY.replace('"queen", { kind = "distance_band"',
                                  '"queens", { kind = "distance_band"'), encoding="utf-8")
    with pytest.raises((ArgumentError, StudyConfigError),
                       match=r"step 'weights', matrices\[0\]: weights kind must be 'queen'.*"
                             r"got 'queens'"):
        run_study(path, tmp_path / "out", progress=False)


def test_unknown_indicator_lists_columns_and_index_steps(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(STUDY.replace('columns = ["gdp_pc", "resilience"]',
                                  'columns = ["gdp_pc", "digital"]'), encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"step 'moran', columns: unknown \['digital'\]"):
        run_study(path, tmp_path / "out", progress=False)
