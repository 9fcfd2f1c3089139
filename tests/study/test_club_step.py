"""The ``club_convergence`` study step on the bundled yrd_sim (SIMULATED) panel.

The step's tables are checked against ``cityres.dynamics.clubs`` itself (which is checked
against the R package ConvergenceClubs 2.2.5 in tests/dynamics/test_club.py), exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.dynamics.club import clubs

STUDY = """\
[study]
seed = 3

[data]
dataset = "yrd_sim"

[[steps]]
step = "club_convergence"
column = "gdp_pc"
hp = true
merge = "ps"
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("club"), STUDY)


def test_tables_match_the_library(out: Path) -> None:
    res = clubs(datasets.load("yrd_sim"), "gdp_pc", hp=True, merge="ps")
    logt = pd.read_parquet(out / "tables" / "club_convergence__logt.parquet")
    np.testing.assert_allclose(logt[["beta", "se", "t"]].to_numpy()[0],
                               [res.full.beta, res.full.se, res.full.tstat], rtol=1e-12)
    assert logt["n_units"].iloc[0] == 41 and logt["n_periods"].iloc[0] == 13
    tab = pd.read_parquet(out / "tables" / "club_convergence__clubs.parquet")
    assert tab["size"].tolist() == res.table["size"].tolist()
    np.testing.assert_allclose(tab["t"], res.table["t"], rtol=1e-12)
    member = pd.read_parquet(out / "tables" / "club_convergence__membership.parquet")
    member = member.set_index("city")
    assert len(member) == 41
    assert (member["club"] == res.membership.astype(str).reindex(member.index)).all()
    assert {"name_zh", "name_en", "province", "initial_club"} <= set(member.columns)


def test_figures_and_report(out: Path) -> None:
    for key in ("map", "paths"):
        for lang in ("zh", "en"):
            assert (out / "figures" / f"club_convergence__{key}.{lang}.png").stat().st_size \
                > 10_000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "俱乐部收敛" in html and "Club convergence" in html
    assert "模拟数据" in html and "HP trend" in html


def test_bad_merge_is_named(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="merge"):
        run_text(tmp_path, STUDY.replace('merge = "ps"', 'merge = "both"'))
