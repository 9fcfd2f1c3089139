"""Study files: every problem reported at once, each with its key and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import cityres
from cityres.study import load_study
from cityres.study.toml_lines import key_lines

GOOD = """\
[study]
title = { zh = "测试", en = "Test" }
seed = 3

[data]
dataset = "yrd_sim"

[[steps]]
step = "describe"
by = ["all"]

[[steps]]
step = "map"
column = "resilience"
years = [2023]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_study_loads(tmp_path: Path) -> None:
    cfg = load_study(_write(tmp_path, GOOD))
    assert [s.id for s in cfg.steps] == ["describe", "map"]
    assert cfg.steps[1].params.years == (2023,)
    assert cfg.title.en == "Test" and cfg.seed == 3


def test_key_lines() -> None:
    lines = key_lines(GOOD)
    assert lines["data.dataset"] == 6
    assert lines["steps[1]"] == 12 and lines["steps[1].years"] == 15


def test_unknown_step_names_key_and_line(tmp_path: Path) -> None:
    text = GOOD.replace('step = "map"', 'step = "mapp"')
    with pytest.raises(cityres.StudyConfigError) as info:
        load_study(_write(tmp_path, text))
    msg = str(info.value)
    assert "steps[1].step (line 13)" in msg and "'mapp'" in msg and "'describe'" in msg


def test_wrong_parameter_type_names_key_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("years = [2023]", 'years = "2023"').replace('by = ["all"]', "by = 3")
    with pytest.raises(cityres.StudyConfigError) as info:
        load_study(_write(tmp_path, text))
    msg = str(info.value)
    assert "2 problem(s)" in msg  # both reported, not just the first
    assert "steps[1].years (line 15): expected a list of an integer" in msg
    assert "steps[0].by (line 10)" in msg


def test_unknown_parameter_lists_accepted(tmp_path: Path) -> None:
    text = GOOD.replace("years = [2023]", "yeras = [2023]")
    with pytest.raises(cityres.StudyConfigError, match=r"steps\[1\]\.yeras \(line 15\).*years"):
        load_study(_write(tmp_path, text))


def test_missing_data_file_names_key_and_line(tmp_path: Path) -> None:
    text = GOOD.replace('dataset = "yrd_sim"', 'path = "nowhere.xlsx"\nlayout = "wide"')
    with pytest.raises(cityres.StudyConfigError, match=r"data\.path \(line 6\): data file not "
                       r"found: .*nowhere\.xlsx"):
        load_study(_write(tmp_path, text))


def test_missing_required_parameter_and_bad_toml(tmp_path: Path) -> None:
    text = GOOD.replace('column = "resilience"\n', "")
    with pytest.raises(cityres.StudyConfigError, match="missing required parameter 'column'"):
        load_study(_write(tmp_path, text))
    with pytest.raises(cityres.StudyConfigError, match=r"not valid TOML.*line 2"):
        load_study(_write(tmp_path, "[study]\ntitle = \n"))
    with pytest.raises(cityres.StudyConfigError, match="no such study file"):
        load_study(tmp_path / "none.toml")


def test_unknown_sections_and_transform_keys(tmp_path: Path) -> None:
    text = GOOD + '\n[[transform]]\nop = "winsorize"\nlimit = [0.01, 0.99]\n\n[extra]\nx = 1\n'
    with pytest.raises(cityres.StudyConfigError) as info:
        load_study(_write(tmp_path, text))
    msg = str(info.value)
    assert "transform[0].limit (line 19): winsorize takes no 'limit'" in msg
    assert "extra (line 21): unknown section" in msg


def test_table_parameters_are_accepted_and_checked() -> None:
    from cityres.study.params import build_params, params_to_dict

    p, errors = build_params(P, {"weights": {"kind": "knn", "k": 4}}, path="steps[0]",
                             locate=lambda _: "line 3")
    assert errors == [] and p.weights == {"kind": "knn", "k": 4}
    assert params_to_dict(p) == {"weights": {"kind": "knn", "k": 4}}
    p, errors = build_params(P, {"weights": 5}, path="steps[0]", locate=lambda _: "line 3")
    assert p is None
    assert errors == ["steps[0].weights (line 3): expected a string or a table; got 5"]


@dataclass(frozen=True)
class P:
    """A step parameter dataclass with a table-valued parameter."""

    weights: str | dict[str, Any] = "queen"
