"""The ``disparity`` study step on the bundled yrd_sim (SIMULATED) panel.

The step's tables are checked against ``cityres.dynamics.dagum`` and
``cityres.dynamics.theil`` (checked by brute force, by hand and against PySAL inequality in
tests/dynamics) at 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError, PanelError
from cityres.dynamics.dagum import dagum
from cityres.dynamics.theil import theil
from cityres.study import run_study

STUDY = """\
[study]
seed = 3

[data]
dataset = "yrd_sim"

[[steps]]
step = "disparity"
column = "de_latent"
group = "region"
years = [2011, 2015, 2019, 2023]
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("disp"), STUDY)


def test_tables_match_the_library(out: Path) -> None:
    panel = datasets.load("yrd_sim")
    years = [2011, 2015, 2019, 2023]
    res = dagum(panel, "de_latent", group="region", time=years)
    th = theil(panel, "de_latent", group="region", time=years)
    tab = pd.read_parquet(out / "tables" / "disparity__dagum.parquet").set_index("year")
    assert tab.index.tolist() == years
    np.testing.assert_allclose(tab[res.overall.columns], res.overall, rtol=0, atol=1e-12)
    within = pd.read_parquet(out / "tables" / "disparity__within.parquet").set_index("year")
    np.testing.assert_allclose(within[["central", "east"]], res.within, atol=1e-12)
    between = pd.read_parquet(out / "tables" / "disparity__between.parquet").set_index("year")
    np.testing.assert_allclose(between["G_jh central–east"], res.between["central–east"],
                               atol=1e-12)
    np.testing.assert_allclose(between["D_jh central–east"],
                               res.transvariation["central–east"], atol=1e-12)
    tt = pd.read_parquet(out / "tables" / "disparity__theil.parquet").set_index("year")
    np.testing.assert_allclose(tt[th.overall.columns], th.overall, atol=1e-12)


def test_report_and_figures(out: Path) -> None:
    for key in ("contribution", "ginis"):
        for lang in ("zh", "en"):
            assert (out / "figures" / f"disparity__{key}.{lang}.png").stat().st_size > 10_000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Dagum" in html and "超变密度" in html and "Transvariation" in html
    assert "模拟数据" in html


def test_bad_input_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY.replace('column = "de_latent"',
                                                   'column = "digital"'), encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"step 'disparity', column: unknown.*digital"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
    (tmp_path / "p.toml").write_text(STUDY.replace('group = "region"', 'group = "province"'),
                                     encoding="utf-8")
    with pytest.raises(PanelError, match="Shanghai"):
        run_study(tmp_path / "p.toml", tmp_path / "out2", progress=False)
