"""The command line, driven in-process."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from cityres.cli import app
from cityres.study import load_study

FIX = Path(__file__).parent / "data" / "fixtures"
runner = CliRunner(env={"COLUMNS": "200"})  # a wide terminal: rich folds table cells


def test_demo_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "SIMULATED" in result.output and "report.html" in result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'class="simulated-banner"' in html or "SIMULATED" in html.split("<body")[1][:3000]
    assert "描述性统计" in html and "Descriptive statistics" in html  # the describe table
    assert "城市经济韧性" in html  # Chinese labels from the codebook
    assert html.count("data:image/png;base64,") >= 2 * 4  # trend charts and maps, 2 languages
    assert "http://" not in html and "https://" not in html  # self-contained
    tables = sorted(p.name for p in (out / "tables").glob("*.csv"))
    assert "describe__overall.csv" in tables and "trend__resilience.csv" in tables
    assert (out / "figures" / "map__resilience_2023.zh.png").exists()
    assert (out / "study.duckdb").exists() and (out / "manifest.json").exists()
    again = runner.invoke(app, ["demo", "--out", str(out)])
    n_steps = len(load_study(resources.files("cityres.study") / "demo.toml").steps)
    assert again.exit_code == 0 and f"{n_steps} reused from cache" in again.output


def test_run_reports_one_line_errors(tmp_path: Path) -> None:
    study = tmp_path / "s.toml"
    study.write_text('[data]\ndataset = "yrd_sim"\n[[steps]]\nstep = "nope"\n', encoding="utf-8")
    result = runner.invoke(app, ["run", str(study), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "steps[0].step (line 4)" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_new_study_writes_templates_that_check(tmp_path: Path) -> None:
    folder = tmp_path / "mystudy"
    result = runner.invoke(app, ["new-study", str(folder)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in folder.iterdir()} == {"study.toml", "data_template.xlsx",
                                                 "README.txt"}
    from cityres.data import check
    from cityres.study import load_study

    assert check(folder / "data_template.xlsx", layout="wide") == []  # empty but valid
    assert [s.spec.name for s in load_study(folder / "study.toml").steps] == [
        "describe", "trend", "map"]
    again = runner.invoke(app, ["new-study", str(folder)])
    assert again.exit_code == 1 and "not empty" in again.output


def test_datasets_lists_catalogue() -> None:
    result = runner.invoke(app, ["datasets"])
    assert result.exit_code == 0, result.output
    for name in ("yrd41", "yrd_sim", "produc", "cigar", "policies"):
        assert name in result.output


def test_data_check_exit_codes() -> None:
    bad = runner.invoke(app, ["data", "check", str(FIX / "broken_long.xlsx")])
    assert bad.exit_code == 1
    lines = bad.output.splitlines()  # one line per problem, never wrapped
    assert any("non_numeric" in ln and "row 6" in ln and "—" in ln for ln in lines)
    assert any("ambiguous_city" in ln and "row 8" in ln for ln in lines)
    good = runner.invoke(app, ["data", "check", str(FIX / "clean_wide.xlsx"), "--layout", "wide"])
    assert good.exit_code == 0, good.output
    wrong = runner.invoke(app, ["data", "check", str(FIX / "clean_long.csv"), "--layout", "x"])
    assert wrong.exit_code == 1 and "--layout" in wrong.output
