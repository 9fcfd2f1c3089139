"""check() and read_panel() on the yearbook fixtures (tests/data/fixtures/make_fixtures.py).

Expected rows and columns are those written by make_fixtures.py: title row 1, header row 2.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import cityres
from cityres.data import check, read_panel

FIX = Path(__file__).parent / "fixtures"
BROKEN = FIX / "broken_long.xlsx"


def _by_kind(problems: list[cityres.Problem]) -> dict[str, list[cityres.Problem]]:
    out: dict[str, list[cityres.Problem]] = {}
    for p in problems:
        out.setdefault(p.kind, []).append(p)
    return out


def test_clean_files_have_no_problems() -> None:
    assert check(FIX / "clean_long.xlsx") == []
    assert check(FIX / "clean_long.csv") == []
    assert check(FIX / "clean_wide.xlsx", layout="wide") == []


def test_broken_workbook_every_problem_at_its_row_and_column() -> None:
    problems = check(BROKEN)
    kinds = _by_kind(problems)
    assert sorted(kinds) == [
        "ambiguous_city",
        "duplicate",
        "missing_year",
        "negative",
        "non_numeric",
        "unknown_city",
    ]
    # one problem per defect, no more (the duplicate row gives one per indicator cell)
    dup = kinds["duplicate"]
    assert {p.row for p in dup} == {5}
    assert {p.column for p in dup} == {"地区生产总值", "年末户籍人口", "互联网宽带接入用户"}
    assert all(p.city == "320100" and p.year == 2021 for p in dup)
    assert "row 4" in dup[0].message

    (dash,) = kinds["non_numeric"]
    assert (dash.row, dash.column, dash.city, dash.year, dash.value) == (
        6,
        "互联网宽带接入用户",
        "320200",
        2020,
        "—",
    )
    assert "column E" in dash.message
    assert dash.sheet == "主要指标" and dash.file == str(BROKEN)

    (amb,) = kinds["ambiguous_city"]
    assert (amb.row, amb.column, amb.year) == (8, "城市", 2020)
    assert "320500" in amb.message and "341300" in amb.message  # both candidates named

    (unk,) = kinds["unknown_city"]
    assert (unk.row, unk.value) == (9, "长安市")

    (neg,) = kinds["negative"]
    assert (neg.row, neg.column, neg.city, neg.year) == (11, "年末户籍人口", "320400", 2021)

    (gap,) = kinds["missing_year"]
    assert (gap.city, gap.year, gap.severity) == ("321100", 2021, "warning")


def test_read_raises_once_listing_all_errors() -> None:
    with pytest.raises(cityres.DataValidationError) as info:
        read_panel(BROKEN)
    err = info.value
    assert isinstance(err, ValueError)  # subclasses also inherit ValueError
    kinds = {p.kind for p in err.problems}
    assert kinds == {"ambiguous_city", "duplicate", "negative", "non_numeric", "unknown_city"}
    assert "row 6" in str(err) and "broken_long.xlsx" in str(err)


def test_coerce_logs_each_coerced_cell(tmp_path: Path) -> None:
    path = tmp_path / "dash.csv"
    path.write_text(
        "城市,年份,gdp\n南京市,2020,1.5\n南京市,2021,..\n无锡市,2020,－\n无锡市,2021,2\n",
        encoding="utf-8",
    )
    with pytest.raises(cityres.DataValidationError):
        read_panel(path)
    panel = read_panel(path, coerce=True)
    coerced = [c for c in panel.log if c.action == "coerced"]
    assert [(c.city, c.year, c.old) for c in coerced] == [
        ("320100", 2021, ".."),
        ("320200", 2020, "－"),
    ]
    assert panel.data["gdp"].isna().sum() == 2


def test_wide_excel_reads_to_same_panel_as_long_csv() -> None:
    wide = read_panel(FIX / "clean_wide.xlsx", layout="wide")
    long_csv = read_panel(FIX / "clean_long.csv")
    long_xlsx = read_panel(FIX / "clean_long.xlsx")
    cols = ["地区生产总值", "年末户籍人口", "互联网宽带接入用户"]
    pd.testing.assert_frame_equal(wide.data[cols], long_csv.data[cols])
    pd.testing.assert_frame_equal(long_xlsx.data[cols], long_csv.data[cols])
    assert wide.city_ids == ["320100", "320200", "320400", "320500", "341300"]
    assert wide.cities.loc["341300", "name_zh"] == "宿州市"
    assert wide.cities.loc["320500", "province"] == "Jiangsu"


def test_name_matching_is_logged_and_province_disambiguates(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text(
        "city,province,year,gdp\nSuzhou,Anhui,2020,1\nTaizhou,浙江,2020,2\n常州,江苏,2020,3\n",
        encoding="utf-8",
    )
    panel = read_panel(path)
    assert panel.city_ids == ["320400", "331000", "341300"]
    matched = {c.city for c in panel.log if c.action == "matched"}
    assert matched == {"320400", "331000", "341300"}


def test_retired_city_names_its_successors(tmp_path: Path) -> None:
    path = tmp_path / "chaohu.csv"
    path.write_text("city,year,gdp\n巢湖市,2010,1\n", encoding="utf-8")
    (p,) = check(path)
    assert p.kind == "retired_city"
    assert "340100" in p.message  # Hefei took part of Chaohu in 2011


def test_bad_arguments_name_the_argument(tmp_path: Path) -> None:
    with pytest.raises(cityres.ArgumentError, match="layout='tall'"):
        read_panel(FIX / "clean_long.csv", layout="tall")  # type: ignore[arg-type]
    with pytest.raises(cityres.DataFileError, match="no such file"):
        read_panel(tmp_path / "nope.csv")
    bad = tmp_path / "x.xls"
    bad.write_bytes(b"")
    with pytest.raises(cityres.DataFileError, match=r"\.xlsx"):
        read_panel(bad)
    with pytest.raises(cityres.DataFileError, match="no sheet 'GDP'"):
        read_panel(FIX / "clean_wide.xlsx", layout="wide", sheet="GDP")


def test_names_none_keeps_foreign_ids(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("state,year,gsp\nALABAMA,1970,1\nALABAMA,1971,2\n", encoding="utf-8")
    with pytest.raises(cityres.DataValidationError, match="names='none'"):
        read_panel(path, city="state")
    panel = read_panel(path, city="state", names="none")
    assert panel.city_ids == ["ALABAMA"]


@pytest.mark.parametrize("suffix", [".dta", ".parquet"])
def test_stata_and_parquet(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {"code": ["320100", "320100", "320200"], "year": [2020, 2021, 2020], "gdp": [1.0, 2.0, 3.0]}
    )
    path = tmp_path / f"p{suffix}"
    if suffix == ".dta":
        frame.to_stata(path, write_index=False)
    else:
        frame.to_parquet(path)
    with pytest.warns(cityres.DataQualityWarning, match="year 2021"):
        panel = read_panel(path)
    assert panel.data.loc[("320100", 2021), "gdp"] == 2.0
    assert panel.meta["problems"]


def test_historical_alias_and_gb18030_csv(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    # GB18030-encoded, as Excel on a Chinese-locale Windows saves CSV
    path.write_bytes("地区,年份,gdp\n襄樊市,2009,1.0\n襄阳市,2011,2.0\n".encode("gb18030"))
    panel = read_panel(path)
    assert panel.city_ids == ["420600"]  # 襄樊 was renamed 襄阳 in 2010, same code
    (matched,) = [c for c in panel.log if c.action == "matched"]
    assert "襄樊市" in matched.detail


def test_wide_csv_files_one_per_indicator_merge(tmp_path: Path) -> None:
    gdp = "城市,2020,2021年\n南京市,1,2\n无锡市,3,4\n"
    (tmp_path / "gdp.csv").write_text(gdp, encoding="utf-8")
    (tmp_path / "pop.csv").write_text("城市,2020,2021年\n无锡市,30,40\n南京市,10,20\n",
                                      encoding="utf-8")
    panel = read_panel([tmp_path / "gdp.csv", tmp_path / "pop.csv"], layout="wide")
    assert panel.columns == ["gdp", "pop"]
    assert panel.data.loc[("320200", 2021)].tolist() == [4.0, 40.0]
    with pytest.raises(cityres.ArgumentError, match="variable='x'"):
        read_panel([tmp_path / "gdp.csv", tmp_path / "pop.csv"], layout="wide", variable="x")


def test_columns_select_and_rename(tmp_path: Path) -> None:
    rename = {"地区生产总值": "gdp", "年末户籍人口": "pop"}
    panel = read_panel(FIX / "clean_long.csv", columns=rename)
    assert panel.columns == ["gdp", "pop"]
    with pytest.raises(cityres.ArgumentError, match="not found"):
        read_panel(FIX / "clean_long.csv", columns=["GDP"])


def test_thousands_separators_and_fullwidth_digits_are_numbers(tmp_path: Path) -> None:
    path = tmp_path / "fmt.csv"
    path.write_text('city,year,gdp\n320100,2020,"14,817.95"\n320100,2021,１６３５５\n',
                    encoding="utf-8")
    panel = read_panel(path)
    assert panel.data["gdp"].tolist() == [14817.95, 16355.0]
