"""Tests of cityres.report.tables: the table model, plain and regression tables, renderings.

Expected numbers are computed in the tests from the fitted models' own estimates,
standard errors and p-values (statsmodels, pyfixest, linearmodels), formatted with
Python's ``format(x, ".3f")``; the star rule is written out independently below.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import numpy as np
import openpyxl
import pandas as pd
import pytest
import statsmodels.api as sm

import cityres.datasets
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.report.i18n import Text
from cityres.report.tables import (
    SIMULATED_NOTE,
    ModelSummary,
    PubTable,
    Row,
    Span,
    plain_table,
    regression_note,
    regression_table,
    stack_panels,
    star_marks,
    summarize,
)
from cityres.report.tables.render_text import display_width

FORMATS = ("txt", "html", "tex", "docx", "xlsx")
LANGS = ("zh", "en")
NOTE_EN = "Standard errors in parentheses; * p<0.1, ** p<0.05, *** p<0.01"
NOTE_ZH = "括号内为标准误；*、**、*** 分别表示在 10%、5%、1% 水平上显著"


def stars_of(p: float) -> str:
    """The default star rule written out: p < 0.01 → ***, < 0.05 → **, < 0.1 → *."""
    if p < 0.01:
        return "***"
    if p < 0.05:
        return "**"
    if p < 0.1:
        return "*"
    return ""


def est(model: object, name: str) -> str:
    """Estimate with stars as the table should show it (statsmodels results)."""
    return f"{model.params[name]:.3f}" + stars_of(model.pvalues[name])  # type: ignore[attr-defined]


def se_of(model: object, name: str) -> str:
    return f"({model.bse[name]:.3f})"  # type: ignore[attr-defined]


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fits() -> list[object]:
    """Three OLS fits of log GSP on the bundled Munnell (1990) Produc panel, 816 obs."""
    produc = cityres.datasets.load("produc").data
    d = np.log(produc[["gsp", "pcap", "pc", "emp"]]).add_prefix("ln_")
    d["unemp"] = produc["unemp"]

    def ols(xs: list[str]) -> object:
        return sm.OLS(d["ln_gsp"], sm.add_constant(d[xs])).fit()

    return [
        ols(["ln_pcap", "unemp"]),
        ols(["ln_pcap", "ln_pc", "ln_emp"]),
        ols(["ln_pcap", "ln_pc", "ln_emp", "unemp"]),
    ]


LABELS = {"ln_pcap": Text("公共资本 <对数>", "Public capital <log>")}
ROWS = {"Controls": ["No", "Yes", "Yes"], "State FE": ["No", "No", "No"]}


@pytest.fixture(scope="module")
def table(fits: list[object]) -> PubTable:
    return regression_table(
        fits,
        labels=LABELS,
        rows=ROWS,
        dep_var=Text("对数产出", "ln GSP"),
        title=Text("公共资本与产出", "Public capital and output"),
    )


def _row(t: PubTable, label: str, lang: str = "en") -> int:
    return [r.label.get(lang) for r in t.rows].index(label)  # type: ignore[arg-type]


# -- the table model --------------------------------------------------------------------------


def test_regression_layout(table: PubTable, fits: list[object]) -> None:
    m3, m1, m2 = fits
    assert [c.en for c in table.columns] == ["(1)", "(2)", "(3)"]
    assert table.header[0] == (Span(Text("对数产出", "ln GSP"), 3),)
    labels = [r.label.en for r in table.rows]
    # union of names in order of first appearance; each estimate followed by its SE row
    assert labels == ["Constant", "", "Public capital <log>", "", "unemp", "", "ln_pc", "",
                      "ln_emp", "", "Controls", "State FE", "N", "R²"]
    i = _row(table, "Public capital <log>")
    assert [c.en for c in table.rows[i].cells] == [est(m, "ln_pcap") for m in (m3, m1, m2)]
    assert [c.en for c in table.rows[i + 1].cells] == [se_of(m, "ln_pcap") for m in (m3, m1, m2)]
    j = _row(table, "unemp")
    assert [c.en for c in table.rows[j].cells] == [est(m3, "unemp"), "", est(m2, "unemp")]
    assert table.rows[j].cells[0].en.endswith("**")  # p = 0.015 in model (1)
    assert [c.en for c in table.rows[_row(table, "N")].cells] == ["816"] * 3
    assert [c.en for c in table.rows[_row(table, "R²")].cells] == [
        f"{m.rsquared:.3f}" for m in (m3, m1, m2)
    ]
    k = _row(table, "Controls")
    assert [c.zh for c in table.rows[k].cells] == ["否", "是", "是"]
    assert table.rows[k].label.zh == "控制变量"
    assert table.rows[_row(table, "N")].label.zh == "样本量"
    assert table.rules == (k,)
    assert [n.en for n in table.notes] == [NOTE_EN]
    assert [n.zh for n in table.notes] == [NOTE_ZH]


def test_constant_label(table: PubTable) -> None:
    assert table.rows[0].label == Text("常数项", "Constant")


def test_table_is_immutable(table: PubTable) -> None:
    with pytest.raises(AttributeError):
        table.title = Text("x", "x")  # type: ignore[misc]
    assert replace(table, simulated=True).simulated and not table.simulated


# -- renderings -----------------------------------------------------------------------------


def test_text_alignment(table: PubTable, fits: list[object]) -> None:
    text = table.to_text("en")
    lines = text.splitlines()
    assert lines[0].strip() == "Public capital and output"
    coef = next(line for line in lines if line.startswith("Public capital <log>"))
    se_line = lines[lines.index(coef) + 1]
    # the decimal points of estimates and standard errors line up in every column
    dots = [m.start() for m in re.finditer(r"\.", coef)]
    assert dots == [m.start() for m in re.finditer(r"\.", se_line)]
    assert len(dots) == 3
    # each column header sits over its numbers
    head = next(line for line in lines if "(1)" in line)
    for k, dot in enumerate(dots, start=1):
        assert abs(head.index(f"({k})") + 1 - dot) <= 4
    # rules span the table; the notes follow the bottom rule
    width = len(lines[1])
    assert set(lines[1]) == {"="} and lines[-2] == "=" * width
    assert lines[-1] == NOTE_EN
    assert all(len(line) <= width for line in lines[:-1])


def test_text_chinese_width(table: PubTable) -> None:
    lines = table.to_text("zh").splitlines()
    rule = display_width(lines[1])
    assert all(display_width(line) <= rule for line in lines[1:-1])
    coef = next(line for line in lines if line.startswith("公共资本"))
    n_line = next(line for line in lines if line.startswith("样本量"))
    # the last digit of N sits under the last digit of the estimate (stars hang right)
    last_digit = [m.end() for m in re.finditer(r"\d(?=\**(\s|$))", coef)]
    assert [display_width(n_line[: m.end()]) for m in re.finditer(r"816", n_line)] == [
        display_width(coef[:e]) for e in last_digit
    ]


def test_html(table: PubTable, fits: list[object]) -> None:
    html = table.to_html("en")
    assert html.startswith('<table class="pub"') and html.rstrip().endswith("</table>")
    assert "<caption>Public capital and output</caption>" in html
    assert "Public capital &lt;log&gt;" in html and "<log>" not in html
    assert "p&lt;0.1" in html
    assert "<script" not in html.lower() and "style=" not in html
    assert '<th scope="colgroup" colspan="3" class="span">ln GSP</th>' in html
    assert f"<td>{est(fits[0], 'unemp')}</td>" in html
    assert "<caption>" not in table.to_html("en", caption=False)
    zh = table.to_html("zh")
    assert 'lang="zh-CN"' in zh and "<td>是</td>" in zh and "公共资本 &lt;对数&gt;" in zh


def test_latex(table: PubTable, fits: list[object]) -> None:
    tex = table.to_latex("zh")
    for cmd in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{lccc}"):
        assert cmd in tex
    assert tex.index(r"\toprule") < tex.index(r"\midrule") < tex.index(r"\bottomrule")
    assert r"\multicolumn{3}{c}{对数产出}" in tex and r"\cmidrule(lr){2-4}" in tex
    assert r"ln\_pc &" in tex and "ln_pc" not in tex
    assert r"10\%、5\%、1\%" in tex and "10%" not in tex
    assert r"公共资本 \textless{}对数\textgreater{}" in tex
    assert r"\caption{公共资本与产出}" in tex
    en = table.to_latex("en")
    assert r"p\textless{}0.1" in en and r"R\textsuperscript{2}" in en
    assert f"& {est(fits[0], 'unemp')} &" in en
    bare = table.to_latex("en", environment=False)
    assert bare.startswith(r"\begin{tabular}") and r"\begin{table}" not in bare
    assert r"\footnotesize Standard errors" in bare


def _docx_cells(path: Path) -> list[list[str]]:
    document = docx.Document(str(path))
    assert len(document.tables) == 1
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


@pytest.mark.parametrize("lang", LANGS)
def test_docx(table: PubTable, fits: list[object], tmp_path: Path, lang: str) -> None:
    m3, m1, m2 = fits
    path = table.to_docx(tmp_path / "t.docx", lang)  # type: ignore[arg-type]
    grid = _docx_cells(path)
    label = "公共资本 <对数>" if lang == "zh" else "Public capital <log>"
    # header: dependent variable (merged over the three columns), then (1) (2) (3)
    assert grid[0][1:] == ["对数产出" if lang == "zh" else "ln GSP"] * 3
    assert grid[1] == ["变量" if lang == "zh" else "Variable", "(1)", "(2)", "(3)"]
    i = [r[0] for r in grid].index(label)
    assert grid[i][1:] == [est(m, "ln_pcap") for m in (m3, m1, m2)]
    assert grid[i + 1] == ["", *(se_of(m, "ln_pcap") for m in (m3, m1, m2))]
    j = [r[0] for r in grid].index("unemp")
    assert grid[j][1:] == [est(m3, "unemp"), "", est(m2, "unemp")]
    n_label, yes, no = ("样本量", "是", "否") if lang == "zh" else ("N", "Yes", "No")
    assert [r for r in grid if r[0] == n_label] == [[n_label, "816", "816", "816"]]
    controls = "控制变量" if lang == "zh" else "Controls"
    assert [r for r in grid if r[0] == controls] == [[controls, no, yes, yes]]
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == ("公共资本与产出" if lang == "zh" else "Public capital and output")
    assert (NOTE_ZH if lang == "zh" else NOTE_EN) in paragraphs
    # three-line table: 1.5 pt rule on top of the header and under the last row
    xml = document.tables[0]._tbl.xml
    first_row, last_row = document.tables[0].rows[0]._tr.xml, document.tables[0].rows[-1]._tr.xml
    assert re.search(r'<w:top w:val="single" w:sz="12"', first_row)
    assert re.search(r'<w:bottom w:val="single" w:sz="12"', last_row)
    assert 'w:sz="6"' in document.tables[0].rows[1]._tr.xml  # rule under the header
    assert "<w:left" not in xml and "<w:insideV" not in xml  # no vertical lines
    assert document.core_properties.created.year == 2000


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx(table: PubTable, fits: list[object], tmp_path: Path, lang: str) -> None:
    m3, m1, m2 = fits
    path = table.to_xlsx(tmp_path / "t.xlsx", lang)  # type: ignore[arg-type]
    ws = openpyxl.load_workbook(path).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == ("公共资本与产出" if lang == "zh" else "Public capital and output")
    assert ws["A1"].font.bold
    assert values[1][1] == ("对数产出" if lang == "zh" else "ln GSP")
    assert "B2:D2" in {str(r) for r in ws.merged_cells.ranges}
    assert values[2][1:4] == ["(1)", "(2)", "(3)"] and ws["B3"].font.bold
    label = "公共资本 <对数>" if lang == "zh" else "Public capital <log>"
    i = [r[0] for r in values].index(label)
    assert values[i][1:4] == [est(m, "ln_pcap") for m in (m3, m1, m2)]
    assert values[i + 1][1:4] == [se_of(m, "ln_pcap") for m in (m3, m1, m2)]
    cell = ws.cell(row=i + 1, column=2)
    assert cell.data_type == "s" and cell.number_format == "@"  # text, as displayed
    j = [r[0] for r in values].index("unemp")
    assert values[j][1:4] == [est(m3, "unemp"), None, est(m2, "unemp")]
    n_label, yes, no = ("样本量", "是", "否") if lang == "zh" else ("N", "Yes", "No")
    assert [r[:4] for r in values if r[0] == n_label] == [[n_label, "816", "816", "816"]]
    controls = "控制变量" if lang == "zh" else "Controls"
    assert [r[:4] for r in values if r[0] == controls] == [[controls, no, yes, yes]]
    # the note is under the table, after the last statistic
    r2 = [r[0] for r in values].index("R²")
    assert values[r2 + 1][0] == (NOTE_ZH if lang == "zh" else NOTE_EN)
    assert ws.cell(row=r2 + 1, column=2).border.bottom.style == "medium"


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_save_by_suffix(table: PubTable, tmp_path: Path, suffix: str, lang: str) -> None:
    path = table.save(tmp_path / "sub" / f"t.{suffix.upper()}", lang)  # type: ignore[arg-type]
    assert path.exists() and path.stat().st_size > 0
    note = NOTE_ZH if lang == "zh" else NOTE_EN
    assert note in _content(path)


def _content(path: Path) -> str:
    """All text of a saved table, whatever its format."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        document = docx.Document(str(path))
        texts = [p.text for p in document.paragraphs]
        texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join(texts)
    if suffix == ".xlsx":
        ws = openpyxl.load_workbook(path).active
        return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    text = path.read_text(encoding="utf-8")
    if suffix == ".tex":  # undo the escapes the note needs
        text = text.replace(r"\%", "%").replace(r"\textless{}", "<").replace("---", "—")
    if suffix == ".html":
        text = text.replace("&lt;", "<")
    return text


def test_save_html_is_a_page(table: PubTable, tmp_path: Path) -> None:
    page = table.save(tmp_path / "t.html", "zh").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert '<table class="pub"' in page and "border-top" in page


def test_save_unknown_suffix(table: PubTable, tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match=r"'\.csv'.*accepted suffixes: '\.txt', '\.html', "
                       r"'\.tex', '\.docx' or '\.xlsx'"):
        table.save(tmp_path / "t.csv", "en")
    with pytest.raises(ArgumentError, match=r"suffix '\(none\)'"):
        table.save(tmp_path / "t", "en")


def test_bad_lang(table: PubTable) -> None:
    with pytest.raises(ArgumentError, match="lang='fr'"):
        table.to_text("fr")  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", ["docx", "xlsx"])
def test_office_files_are_reproducible(table: PubTable, tmp_path: Path, suffix: str) -> None:
    a = table.save(tmp_path / f"a.{suffix}", "zh").read_bytes()
    b = table.save(tmp_path / f"b.{suffix}", "zh").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / f"a.{suffix}") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == [
        "2000-01-01T00:00:00Z"
    ] * 2


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_simulated_note_everywhere(
    table: PubTable, tmp_path: Path, suffix: str, lang: str
) -> None:
    sim = replace(table, simulated=True)
    content = _content(sim.save(tmp_path / f"t.{suffix}", lang))  # type: ignore[arg-type]
    assert "SIMULATED DATA — not real statistics" in content
    assert "模拟数据，非真实统计" in content
    assert "SIMULATED" not in _content(table.save(tmp_path / f"u.{suffix}", lang))  # type: ignore[arg-type]


def test_simulated_flag_in_builders(fits: list[object]) -> None:
    assert regression_table(fits, simulated=True).all_notes("en")[0] == SIMULATED_NOTE.en
    assert plain_table(pd.DataFrame({"a": [1.0]}), simulated=True).all_notes("zh") == [
        SIMULATED_NOTE.zh
    ]


# -- stars, se / t, keep / drop / order ------------------------------------------------------


def _summary(p: float, b: float = 0.5, s: float = 0.25) -> ModelSummary:
    return ModelSummary(params=pd.Series({"x": b}), std_errors=pd.Series({"x": s}),
                        pvalues=pd.Series({"x": p}), nobs=1234, r2=0.5)


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0.1, ""), (0.0999, "*"), (0.05, "*"), (0.0499, "**"), (0.01, "**"), (0.0099, "***"),
     (0.0, "***"), (float("nan"), "")],
)
def test_stars_at_boundaries(p: float, expected: str) -> None:
    # p < threshold, strictly: p exactly 0.05 gets one star, not two
    assert star_marks(p, (0.1, 0.05, 0.01)) == expected
    assert regression_table([_summary(p)]).rows[0].cells[0].en == "0.500" + expected


def test_custom_stars_and_note() -> None:
    t = regression_table([_summary(0.03)], stars=(0.01, 0.05))
    assert t.rows[0].cells[0].en == "0.500*"
    assert t.notes[0].en == "Standard errors in parentheses; * p<0.05, ** p<0.01"
    assert t.notes[0].zh == "括号内为标准误；*、** 分别表示在 5%、1% 水平上显著"
    none = regression_table([_summary(0.001)], stars=())
    assert none.rows[0].cells[0].en == "0.500"
    assert none.notes[0] == Text("括号内为标准误", "Standard errors in parentheses")
    with pytest.raises(ArgumentError, match="stars"):
        regression_table([_summary(0.1)], stars=(0.1, 5))


def test_n_has_thousands_and_no_decimals() -> None:
    t = regression_table([_summary(0.2)])
    assert t.rows[_row(t, "N")].cells[0].en == "1,234"


def test_t_statistics(fits: list[object]) -> None:
    m = fits[0]
    t = regression_table([m], se="t")
    i = _row(t, "unemp")
    assert t.rows[i + 1].cells[0].en == f"({m.tvalues['unemp']:.3f})"  # type: ignore[attr-defined]
    assert t.notes[0].en == "t statistics in parentheses; * p<0.1, ** p<0.05, *** p<0.01"
    assert t.notes[0].zh.startswith("括号内为 t 值；")
    assert regression_note(se="t") == t.notes[0]
    # without model t statistics: estimate / standard error
    s = regression_table([_summary(0.2, b=0.5, s=0.25)], se="t")
    assert s.rows[1].cells[0].en == "(2.000)"
    with pytest.raises(ArgumentError, match=r"se='z'; accepted: 'se'.* or 't'"):
        regression_table([m], se="z")  # type: ignore[arg-type]


def test_keep_drop_order(fits: list[object]) -> None:
    def names(**kw: object) -> list[str]:
        t = regression_table(fits, **kw)  # type: ignore[arg-type]
        return [r.label.en for r in t.rows if r.label.en and r.label.en not in ("N", "R²")]

    assert names(keep=["unemp", "ln_pcap"]) == ["ln_pcap", "unemp"]  # keep does not reorder
    assert names(drop=["const", "ln_pc"]) == ["ln_pcap", "unemp", "ln_emp"]
    assert names(order=["ln_emp", "unemp"]) == [
        "ln_emp", "unemp", "Constant", "ln_pcap", "ln_pc"
    ]
    assert names(keep="unemp") == ["unemp"]
    assert names(keep=["ln_pcap", "unemp"], order=["unemp"]) == ["unemp", "ln_pcap"]


@pytest.mark.parametrize("argument", ["keep", "drop", "order"])
def test_unknown_names_are_refused(fits: list[object], argument: str) -> None:
    with pytest.raises(ArgumentError) as err:
        regression_table(fits, **{argument: ["ln_pcap", "gdp"]})  # type: ignore[arg-type]
    message = str(err.value)
    assert message.startswith(f"{argument}: unknown coefficient name(s) ['gdp']")
    for name in ("const", "ln_pcap", "unemp", "ln_pc", "ln_emp"):
        assert repr(name) in message


def test_bad_arguments(fits: list[object]) -> None:
    with pytest.raises(ArgumentError, match=r"rows\['City FE'\]: received 2 value\(s\) for 3"):
        regression_table(fits, rows={"City FE": ["Yes", "Yes"]})
    with pytest.raises(ArgumentError, match=r"stats: unknown statistic\(s\) \['aic'\]"):
        regression_table(fits, stats=("nobs", "aic"))
    with pytest.raises(ArgumentError, match="model_names: received 1"):
        regression_table(fits, model_names=["OLS"])
    with pytest.raises(ArgumentError, match="models: received no models"):
        regression_table([])
    with pytest.raises(ArgumentTypeError, match=r"models\[1\]: a str has no coefficients"):
        regression_table([fits[0], "model"])
    with pytest.raises(ArgumentError, match="digits=-1"):
        regression_table(fits, digits=-1)


def test_headers_names_and_grouped_dep_var(fits: list[object]) -> None:
    t = regression_table({"OLS a": fits[0], "OLS b": fits[1], "OLS c": fits[2]},
                         dep_var=["y", "y", "z"], stats=("nobs", "adj_r2"))
    assert [[(s.text.en, s.span) for s in row] for row in t.header] == [
        [("y", 2), ("z", 1)], [("(1)", 1), ("(2)", 1), ("(3)", 1)],
        [("OLS a", 1), ("OLS b", 1), ("OLS c", 1)],
    ]
    adj = t.rows[_row(t, "Adj. R²")]
    assert adj.label.zh == "调整 R²"
    assert adj.cells[2].en == f"{fits[2].rsquared_adj:.3f}"  # type: ignore[attr-defined]


def test_missing_stats_row_left_out() -> None:
    s = replace(_summary(0.2), r2=None)
    t = regression_table([s])
    assert [r.label.en for r in t.rows] == ["x", "", "N"]


# -- other model types ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fe_data() -> pd.DataFrame:
    rng = np.random.default_rng(20240601)
    n = 200
    d = pd.DataFrame({"x": rng.normal(size=n), "w": rng.normal(size=n),
                      "f": rng.integers(0, 8, size=n)})
    d["y"] = 0.8 * d["x"] - 0.1 * d["w"] + 0.5 * d["f"] + rng.normal(size=n)
    return d


def test_pyfixest(fe_data: pd.DataFrame, fits: list[object]) -> None:
    pf = pytest.importorskip("pyfixest")
    fit = pf.feols("y ~ x + w | f", data=fe_data)
    t = regression_table([fit, fits[0]], rows={"FE": ["Yes", "No"]},
                         stats=("nobs", "r2", "r2_within"))
    coef, se, p = fit.coef(), fit.se(), fit.pvalue()
    for name in ("x", "w"):
        i = _row(t, name)
        assert t.rows[i].cells[0].en == f"{coef[name]:.3f}" + stars_of(p[name])
        assert t.rows[i + 1].cells[0].en == f"({se[name]:.3f})"
        assert t.rows[i].cells[1].en == ""  # not in the statsmodels fit
    assert t.rows[_row(t, "N")].cells[0].en == f"{fit._N:,d}"
    assert t.rows[_row(t, "R²")].cells[0].en == f"{fit._r2:.3f}"
    assert t.rows[_row(t, "Within R²")].cells == (Text(f"{fit._r2_within:.3f}",
                                                       f"{fit._r2_within:.3f}"), Text("", ""))
    s = summarize(fit)
    pd.testing.assert_series_equal(s.params, coef.rename(None).rename_axis(None))
    assert s.dep_var == "y"


def test_pyfixest_multi(fe_data: pd.DataFrame) -> None:
    pf = pytest.importorskip("pyfixest")
    multi = pf.feols("y ~ csw(x, w) | f", data=fe_data)
    t = regression_table([multi])
    assert [c.en for c in t.columns] == ["(1)", "(2)"]
    assert t.rows[_row(t, "w")].cells[0].en == ""


def test_linearmodels() -> None:
    linearmodels = pytest.importorskip("linearmodels")
    produc = cityres.datasets.load("produc").data
    d = np.log(produc[["gsp", "pcap", "pc", "emp"]])
    d["unemp"] = produc["unemp"]
    fit = linearmodels.PanelOLS.from_formula(
        "gsp ~ pcap + pc + emp + unemp + EntityEffects", d
    ).fit(cov_type="clustered", cluster_entity=True)
    t = regression_table([fit], stats=("nobs", "r2_within"))
    i = _row(t, "emp")
    assert t.rows[i].cells[0].en == f"{fit.params['emp']:.3f}" + stars_of(fit.pvalues["emp"])
    assert t.rows[i + 1].cells[0].en == f"({fit.std_errors['emp']:.3f})"
    assert t.rows[_row(t, "N")].cells[0].en == "816"


def test_statsmodels_without_names() -> None:
    rng = np.random.default_rng(7)
    X = sm.add_constant(rng.normal(size=(40, 2)))  # plain arrays: names from the model
    fit = sm.OLS(X @ [1.0, 2.0, 0.0] + rng.normal(size=40), X).fit()
    s = summarize(fit)
    assert list(s.params.index) == ["const", "x1", "x2"]
    assert s.params["x1"] == fit.params[1] and s.std_errors["x1"] == fit.bse[1]
    assert s.r2 == fit.rsquared and s.stats["adj_r2"] == fit.rsquared_adj


def test_model_summary_checks() -> None:
    with pytest.raises(ArgumentError, match="std_errors: names"):
        ModelSummary(params=pd.Series({"x": 1.0}), std_errors=pd.Series({"z": 1.0}),
                     pvalues=pd.Series({"x": 0.1}), nobs=10)
    with pytest.raises(ArgumentError, match=r"nobs=10\.5"):
        ModelSummary(params=pd.Series({"x": 1.0}), std_errors=pd.Series({"x": 1.0}),
                     pvalues=pd.Series({"x": 0.1}), nobs=10.5)  # type: ignore[arg-type]
    original = pd.Series({"x": 1.0})
    s = ModelSummary(params=original, std_errors=pd.Series({"x": 1.0}),
                     pvalues=pd.Series({"x": 0.1}), nobs=10)
    original["x"] = 2.0
    assert s.params["x"] == 1.0  # copied on construction


# -- plain tables --------------------------------------------------------------------------------


def test_plain_table() -> None:
    frame = pd.DataFrame(
        {"gdp": [1234.5678, np.nan], "n": [41, 16], "pilot": [True, False]},
        index=pd.Index(["Shanghai", "Anhui"], name="province"),
    )
    labels = {"gdp": Text("地区生产总值", "GDP")}
    t = plain_table(frame, labels=labels, digits=2, thousands=True, title="T")
    assert t.stub == Text("省份", "Province")
    assert [c.zh for c in t.columns] == ["地区生产总值", "样本量", "pilot"]
    assert [r.label.zh for r in t.rows] == ["上海", "安徽"]
    assert [c.en for c in t.rows[0].cells] == ["1,234.57", "41", "Yes"]
    assert [c.zh for c in t.rows[1].cells] == ["—", "16", "否"]
    assert plain_table(frame, na_rep="").rows[1].cells[0].en == ""
    assert plain_table(frame, digits={"gdp": 0}).rows[0].cells[0].en == "1235"
    assert plain_table(frame, digits={"Anhui": 1, "gdp": 0}).rows[1].cells[1].en == "16"


def test_plain_table_row_digits_and_int_rows() -> None:
    frame = pd.DataFrame({"east": [1.25, 41.0], "west": [2.5, 12.0]},
                         index=pd.Index(["gdp", "n"], name="variable"))
    t = plain_table(frame, digits={"n": 0})
    assert [[c.en for c in r.cells] for r in t.rows] == [["1.250", "2.500"], ["41", "12"]]


def test_plain_table_column_groups() -> None:
    columns = pd.MultiIndex.from_tuples([("2010", "mean"), ("2010", "std"), ("2020", "mean")])
    frame = pd.DataFrame([[1.0, 0.5, 2.0]], columns=columns, index=["all"])
    t = plain_table(frame)
    assert [[(s.text.en, s.span) for s in row] for row in t.header] == [
        [("2010", 2), ("2020", 1)], [("Mean", 1), ("Std. dev.", 1), ("Mean", 1)]
    ]
    assert t.rows[0].label.zh == "全部"
    assert r"\multicolumn{2}{c}{2010}" in t.to_latex("en")
    text = t.to_text("en").splitlines()
    assert text[2].strip() == "-" * len(text[2].strip())  # the span is underlined


def test_plain_table_type_errors() -> None:
    with pytest.raises(ArgumentTypeError, match="frame: expected a pandas DataFrame"):
        plain_table([[1.0]])  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="digits"):
        plain_table(pd.DataFrame({"a": [1.0]}), digits=1.5)  # type: ignore[arg-type]


# -- the model's own checks and panels -----------------------------------------------------------


def test_pub_table_checks() -> None:
    head = ((Span(Text("a", "a")), Span(Text("b", "b"))),)
    with pytest.raises(ArgumentError, match=r"rows\[0\] \('x'\) has 1 cell"):
        PubTable(header=head, rows=(Row(Text("x", "x"), (Text("1", "1"),)),))
    with pytest.raises(ArgumentError, match="cover"):
        PubTable(header=((Span(Text("g", "g"), 3),), *head), rows=())
    with pytest.raises(ArgumentError, match="rules"):
        PubTable(header=head, rows=(), rules=(1,))


def test_stack_panels(fits: list[object]) -> None:
    a = regression_table(fits[:2], keep=["ln_pcap"])
    b = regression_table(fits[1:], keep=["ln_pcap"])
    t = stack_panels([(Text("面板 A", "Panel A"), a), (Text("面板 B", "Panel B"), b)])
    labels = [r.label.en for r in t.rows]
    assert labels[0] == "Panel A" and labels.index("Panel B") == len(a.rows) + 1
    assert t.rules == (3, len(a.rows) + 1, len(a.rows) + 4)
    assert t.notes == a.notes
    assert '<tr class="rule panel"><th scope="rowgroup" colspan="3">Panel B</th></tr>' in (
        t.to_html("en")
    )
    assert r"\multicolumn{3}{l}{\textit{面板 B}}" in t.to_latex("zh")
    with pytest.raises(ArgumentError, match="columns"):
        stack_panels([("A", a), ("B", regression_table(fits))])
