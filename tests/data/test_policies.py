"""read_policies() and adoption_years() (cityres.data.policies).

Row numbers are as a spreadsheet shows them: header = row 1, first data row = row 2.
Codes: 330100 Hangzhou, 320500 Suzhou (current); 341400 Chaohu (retired in 2011, split
between 340100, 340200, 340500); 999900 is no code at all.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import cityres
from cityres.data.policies import adoption_years, read_policies
from cityres.datasets.china import policies


def _problems(frame: pd.DataFrame | Path, **kw: object) -> list[cityres.Problem]:
    with pytest.raises(cityres.DataValidationError) as info:
        read_policies(frame, **kw)  # type: ignore[arg-type]
    return list(info.value.problems)


def test_clean_calendar_is_typed() -> None:
    cal = read_policies(pd.DataFrame({
        "city": [330100, "320500"], "programme": ["a", "a"], "year": ["2015", 2016.0],
        "confidence": ["High", None],
    }))
    assert cal["city"].tolist() == ["330100", "320500"]
    assert cal["year"].dtype == "int64" and cal["year"].tolist() == [2015, 2016]
    assert cal["confidence"].iloc[0] == "high" and pd.isna(cal["confidence"].iloc[1])


def test_broken_frame_reports_every_problem_with_row_and_column() -> None:
    broken = pd.DataFrame({
        "city": ["330100", "12345", "999900", "320500", "330100", "320500", "341400"],
        "programme": ["x", "x", "x", "x", "x", "y", "x"],
        "year": [2015, 2016, 2016, "2015.5", 2018, 2019, 2010],
        "confidence": ["high", "high", "high", "low", "high", "sure", "medium"],
    })
    found = {(p.kind, p.row, p.column) for p in _problems(broken)}
    assert found == {
        ("bad_city_code", 3, "city"),   # '12345' has 5 digits
        ("unknown_city", 4, "city"),    # 999900
        ("bad_year", 5, "year"),        # '2015.5'
        ("duplicate", 6, "city"),       # 330100 × x again (first in row 2)
        ("bad_confidence", 7, "confidence"),
        ("unknown_city", 8, "city"),    # 341400 is retired
    }
    by_row = {p.row: p for p in _problems(broken)}
    assert "row 2" in by_row[6].message and by_row[6].city == "330100"
    assert "retired" in by_row[8].message and "340100" in by_row[8].message
    assert by_row[7].city == "320500" and by_row[7].year == 2019


def test_missing_columns_and_values() -> None:
    problems = _problems(pd.DataFrame({"city": ["330100", None], "year": [2015, None]}))
    kinds = {(p.kind, p.row, p.column) for p in problems}
    assert ("missing_column", None, "programme") in kinds
    assert ("missing_value", 3, "city") in kinds and ("missing_value", 3, "year") in kinds


def test_cities_argument_restricts_codes() -> None:
    frame = pd.DataFrame({"city": ["110000"], "programme": ["x"], "year": [2014]})
    assert len(read_policies(frame)) == 1  # Beijing is a current unit
    (p,) = _problems(frame, cities=["330100"])
    assert (p.kind, p.row, p.city) == ("unknown_city", 2, "110000")


def test_files_name_themselves_in_problems(tmp_path: Path) -> None:
    path = tmp_path / "cal.csv"
    path.write_text("city,programme,year\n330100,x,2015\n320500,x,20x6\n", encoding="utf-8")
    (p,) = _problems(path)
    assert (p.kind, p.file, p.row, p.column) == ("bad_year", str(path), 3, "year")
    good = tmp_path / "ok.csv"
    good.write_text("city,programme,year\n320500,x,2015\n", encoding="utf-8")
    assert read_policies(good)["city"].tolist() == ["320500"]
    with pytest.raises(cityres.DataFileError, match="not found"):
        read_policies(tmp_path / "missing.csv")
    (tmp_path / "cal.json").write_text("{}", encoding="utf-8")
    with pytest.raises(cityres.DataFileError, match=r"\.csv"):
        read_policies(tmp_path / "cal.json")
    with pytest.raises(cityres.ArgumentTypeError):
        read_policies(42)  # type: ignore[arg-type]


def test_adoption_years_and_confidence() -> None:
    cal = policies()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # cbec rows used here are all high but Bengbu's
        cbec = adoption_years(cal, "cbec_pilot_zone", min_confidence="high")
    assert cbec["330100"] == 2015 and cbec["310000"] == 2016  # batches 1 and 2
    assert "340300" not in cbec.index  # Bengbu's batch-7 row is labelled low
    assert cbec.index.name == "city" and cbec.dtype == "int64"
    with pytest.warns(cityres.LowConfidenceDataWarning, match="340300"):
        everything = adoption_years(cal, "cbec_pilot_zone")
    assert everything["340300"] == 2022
    with pytest.raises(cityres.ArgumentError, match="broadband_china"):
        adoption_years(cal, "broadband")
    with pytest.raises(cityres.ArgumentError, match="min_confidence"):
        adoption_years(cal, "cbec_pilot_zone", min_confidence="sure")  # type: ignore[arg-type]
