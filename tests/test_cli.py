"""The command line, driven in-process."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cityres.cli import app

FIX = Path(__file__).parent / "data" / "fixtures"
runner = CliRunner(env={"COLUMNS": "200"})  # a wide terminal: rich folds table cells


def test_demo_prints_simulated_summary() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "SIMULATED" in result.output
    assert "cities: 41" in result.output


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
