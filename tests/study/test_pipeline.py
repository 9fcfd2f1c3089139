"""Running studies: outputs, determinism, caching, atomic output folders."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest

import cityres
from cityres.study import run_study

STUDY = """\
[study]
title = {{ zh = "测试研究", en = "Test study" }}
seed = 7

[data]
dataset = "yrd_sim"

[[transform]]
op = "select"
columns = ["resilience", "de_latent", "gdp_pc"]
years = [2019, 2020, 2021]

[[steps]]
step = "describe"
by = ["all", "province"]
digits = {digits}

[[steps]]
step = "trend"
columns = ["resilience"]

[[steps]]
step = "map"
column = "{column}"
years = [2021]
"""


def _study(tmp_path: Path, *, digits: int = 3, column: str = "resilience") -> Path:
    path = tmp_path / "study.toml"
    path.write_text(STUDY.format(digits=digits, column=column), encoding="utf-8")
    return path


def test_outputs_and_determinism(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_study(_study(tmp_path), out)
    assert [r.cached for r in first.steps] == [False, False, False]
    tables = sorted(p.name for p in (out / "tables").glob("*.parquet"))
    assert tables == ["describe__overall.parquet", "describe__province.parquet",
                      "map__resilience.parquet", "trend__resilience.parquet"]
    assert (out / "tables" / "describe__overall.csv").exists()
    for lang in ("zh", "en"):
        for suffix in ("png", "svg"):
            assert (out / "figures" / f"map__resilience_2021.{lang}.{suffix}").exists()
    con = duckdb.connect(str(out / "study.duckdb"), read_only=True)
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables")
             .fetchall()}
    assert {"panel", "cities", "describe__overall"} <= names
    n = con.execute("SELECT count(*) FROM panel").fetchone()
    con.close()
    assert n == (41 * 3,)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["simulated"] is True and manifest["seed"] == 7
    first_input = manifest["inputs"][0]
    assert first_input["file"] == "yrd_sim.csv" and len(first_input["sha256"]) == 64
    assert "SIMULATED" in (out / "report.html").read_text(encoding="utf-8")

    before = {p.name: p.read_bytes() for p in (out / "tables").glob("*.parquet")}
    # a fresh run in another folder gives byte-identical tables and manifest (but "run")
    again = run_study(_study(tmp_path), tmp_path / "out2")
    assert [r.cached for r in again.steps] == [False, False, False]
    after = {p.name: p.read_bytes() for p in (tmp_path / "out2" / "tables").glob("*.parquet")}
    assert before == after
    m2 = json.loads((tmp_path / "out2" / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("run")
    m2.pop("run")
    assert manifest == m2


def test_changed_parameter_reruns_only_that_step(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_study(_study(tmp_path), out)
    same = run_study(_study(tmp_path), out)
    assert [r.cached for r in same.steps] == [True, True, True]
    changed = run_study(_study(tmp_path, digits=2), out)
    assert [(r.id, r.cached) for r in changed.steps] == [
        ("describe", False), ("trend", True), ("map", True)]
    assert changed.manifest["run"]["cached_steps"] == ["trend", "map"]


def test_failed_run_leaves_no_half_written_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(cityres.ArgumentError, match="unknown column"):
        run_study(_study(tmp_path, column="nope"), out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "study.toml"]  # no partial folder
    run_study(_study(tmp_path), out)
    report = (out / "report.html").read_bytes()
    with pytest.raises(cityres.ArgumentError):
        run_study(_study(tmp_path, column="nope"), out)
    assert (out / "report.html").read_bytes() == report  # the earlier output is intact


def test_refuses_a_foreign_folder(tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(cityres.StudyConfigError, match="not a cityres output folder"):
        run_study(_study(tmp_path), foreign)
    assert (foreign / "thesis.docx").read_text() == "precious"


def test_step_seeds_depend_on_id_not_position() -> None:
    from cityres.study.pipeline import step_seed

    a = np.random.default_rng(step_seed(7, "describe")).random(3)
    b = np.random.default_rng(step_seed(7, "describe")).random(3)
    c = np.random.default_rng(step_seed(7, "map")).random(3)
    d = np.random.default_rng(step_seed(8, "describe")).random(3)
    assert (a == b).all() and not (a == c).any() and not (a == d).any()
