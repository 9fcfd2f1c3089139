"""The ``index`` and ``coupling`` study steps on the bundled yrd_sim (SIMULATED) panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cityres
from cityres import datasets
from cityres.indices import build_index, coupling
from cityres.study import run_study

STUDY = """\
[study]
seed = 1

[data]
dataset = "yrd_sim"

[[transform]]
op = "select"
years = [2021, 2022, 2023]

[[steps]]
id = "de"
step = "index"
system = "digital_economy"
map_years = [2023]

[[steps]]
id = "ur"
step = "index"
system = "urban_resilience"
aggregate = "topsis"
obstacles = false
map_years = [2023]

[[steps]]
step = "coupling"
systems = ["de", "ur"]
"""


def test_index_and_coupling_steps(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(STUDY, encoding="utf-8")
    out = tmp_path / "out"
    result = run_study(path, out, progress=False)
    assert [r.id for r in result.steps] == ["de", "ur", "coupling"]
    names = {p.name for p in (out / "tables").glob("*.parquet")}
    assert {"de__weights.parquet", "de__scores.parquet", "de__ranking.parquet",
            "de__obstacles.parquet", "ur__scores.parquet", "coupling__degree.parquet",
            "coupling__classes.parquet"} <= names
    assert "ur__obstacles.parquet" not in names
    assert (out / "figures" / "de__map_2023.zh.png").exists()
    assert (out / "figures" / "coupling__map.en.png").exists()

    # the stored scores are exactly those of the library call on the same data
    panel = datasets.load("yrd_sim").select(years=[2021, 2022, 2023])
    de = build_index(panel, "digital_economy")
    ur = build_index(panel, "urban_resilience", aggregate="topsis")
    stored = pd.read_parquet(out / "tables" / "de__scores.parquet").set_index(["city", "year"])
    np.testing.assert_allclose(stored["score"].to_numpy(), de.scores.sort_index().to_numpy(),
                               rtol=0, atol=1e-12)
    weights = pd.read_parquet(out / "tables" / "de__weights.parquet")
    assert weights["weight"].sum() == pytest.approx(1.0)
    expected = coupling(pd.DataFrame({"de": de.scores, "ur": ur.scores})).table
    degree = pd.read_parquet(out / "tables" / "coupling__degree.parquet").set_index(
        ["city", "year"])
    np.testing.assert_allclose(degree["D"].to_numpy(), expected["D"].sort_index().to_numpy(),
                               atol=1e-12)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "耦合协调度" in html and "Coupling coordination" in html


def test_coupling_needs_earlier_index_steps(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(STUDY.replace('systems = ["de", "ur"]', 'systems = ["de", "xx"]'),
                    encoding="utf-8")
    with pytest.raises(cityres.ArgumentError, match=r"\['xx'\] are not earlier index steps"):
        run_study(path, tmp_path / "out", progress=False)
    bad = STUDY.split("[[steps]]\nid = \"de\"")[0] + '[[steps]]\nstep = "coupling"\n' \
        'systems = ["a", "b"]\n'
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(cityres.StudyConfigError, match="needs a 'index' step before it"):
        run_study(path, tmp_path / "out", progress=False)


USER_SYSTEM = """\
name = "mini"
title_zh = "迷你指数"
title_en = "Mini index"

[[dimensions]]
key = "d"
zh = "维度"
en = "Dimension"

[[indicators]]
column = "internet_users_per100"
dimension = "d"
direction = "+"

[[indicators]]
column = "{second}"
dimension = "d"
direction = "+"
"""


def test_user_system_file_is_part_of_the_cache_key(tmp_path: Path) -> None:
    system = tmp_path / "systems" / "mini.toml"
    system.parent.mkdir()
    system.write_text(USER_SYSTEM.format(second="mobile_per100"), encoding="utf-8")
    study = tmp_path / "s.toml"
    study.write_text(STUDY.split('[[steps]]\nid = "de"')[0] + '[[steps]]\nstep = "index"\n'
                     'system = "systems/mini.toml"\nmap_years = [2023]\n', encoding="utf-8")
    out = tmp_path / "out"
    first = run_study(study, out, progress=False)
    weights = pd.read_parquet(out / "tables" / "index__weights.parquet")
    assert list(weights["indicator"]) == ["internet_users_per100", "mobile_per100"]
    assert first.manifest["steps"][0]["files"]  # the system file's hash is recorded
    assert run_study(study, out, progress=False).steps[0].cached
    system.write_text(USER_SYSTEM.format(second="dfi_index"), encoding="utf-8")
    rerun = run_study(study, out, progress=False)
    assert not rerun.steps[0].cached  # an edited system file reruns the step
    weights = pd.read_parquet(out / "tables" / "index__weights.parquet")
    assert list(weights["indicator"]) == ["internet_users_per100", "dfi_index"]
