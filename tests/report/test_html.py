"""The self-contained bilingual HTML report."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

import cityres
from cityres._shared.errors import ArgumentError
from cityres.report.document import ReportDoc, ReportFigure, ReportTable, Section
from cityres.report.figures import png_bytes, trend_chart
from cityres.report.html import item_labels, render_html, write_html
from cityres.report.i18n import Text

PNG_ZH = b"\x89PNG\r\n\x1a\nzh-image"
PNG_EN = b"\x89PNG\r\n\x1a\nen-image"


def _doc(*, simulated: bool = True, default_lang: str = "zh", **kwargs: object) -> ReportDoc:
    source = Text("模拟数据（yrd_sim）", "Simulated data (yrd_sim)")
    describe = Section(
        key="describe",
        title=Text("描述性统计", "Descriptive statistics"),
        intro=Text("样本为长三角 41 个城市。", "The sample is the 41 YRD cities."),
        items=(
            ReportTable(
                key="desc",
                caption=Text("主要变量的描述性统计", "Summary statistics"),
                source=source,
                html={"zh": "<table><tr><td>均值</td></tr></table>",
                      "en": "<table><tr><td>Mean</td></tr></table>"},
                notes=Text("标准差在括号内。", "Standard deviations in brackets."),
            ),
            ReportFigure(
                key="trend",
                caption=Text("人均GDP的趋势", "GDP per capita over time"),
                source=source,
                png={"zh": PNG_ZH, "en": PNG_EN},
            ),
        ),
    )
    maps = Section(
        key="map",
        title=Text("空间分布", "Spatial distribution"),
        items=(
            ReportFigure(
                key="map2023",
                caption=Text("2023年人均GDP <b>&", "GDP per capita in 2023 <b>&"),
                source=source,
                png={"zh": PNG_ZH, "en": PNG_ZH},
                alt=Text("地图", "A map"),
            ),
            ReportTable(
                key="values",
                caption=Text("各城市数值", "Values by city"),
                source=source,
                html={"zh": "<table><tr><td>1</td></tr></table>"},
            ),
        ),
    )
    args: dict[str, object] = {
        "title": Text("城市经济韧性报告", "Urban economic resilience report"),
        "subtitle": Text("长三角", "Yangtze River Delta"),
        "sections": (describe, maps),
        "simulated": simulated,
        "facts": ((Text("随机种子", "Seed"), "20240501"), (Text("输入", "Input"), "a<b.csv")),
        "warnings": ("city 320300 lacks 2011 <missing>",),
        "data_log": ("interpolate: 3 cells",),
        "generated_with": "cityres 0.1.0",
        "default_lang": default_lang,
    }
    args.update(kwargs)
    return ReportDoc(**args)  # type: ignore[arg-type]


class _Checker(HTMLParser):
    """Collects ids and checks that every opened element is closed in order."""

    VOID = frozenset({"meta", "img", "input", "br", "hr", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [v for k, v in attrs if k == "id" and v]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def test_banner_only_when_simulated() -> None:
    page = render_html(_doc(simulated=True))
    assert '<div class="sim-banner" role="alert">' in page
    assert "模拟数据：非真实统计" in page and "SIMULATED DATA: not real statistics" in page
    page = render_html(_doc(simulated=False))
    assert '<div class="sim-banner"' not in page
    assert "not real statistics" not in page


def test_both_languages_and_numbering() -> None:
    page = render_html(_doc())
    for text in ("主要变量的描述性统计", "Summary statistics", "人均GDP的趋势",
                 "GDP per capita over time", "样本为长三角", "The sample is the 41",
                 "数据来源：模拟数据（yrd_sim）", "Source: Simulated data (yrd_sim)",
                 "注：标准差在括号内。", "Note: Standard deviations in brackets.",
                 "<td>均值</td>", "<td>Mean</td>"):
        assert text in page, text
    numbers = re.findall(r'<span class="num">([^<]+)</span>', page)
    body = numbers  # captions in order of appearance, zh then en for each item
    assert body == ["表 1", "Table 1", "图 1", "Figure 1", "图 2", "Figure 2", "表 2", "Table 2"]
    assert item_labels(_doc()) == {
        ("table", "desc"): Text("表 1", "Table 1"),
        ("figure", "trend"): Text("图 1", "Figure 1"),
        ("figure", "map2023"): Text("图 2", "Figure 2"),
        ("table", "values"): Text("表 2", "Table 2"),
    }
    assert page.count('<td>1</td>') == 2  # a table given in one language shows in both
    toc = page[page.index('<nav class="toc">'):page.index("</nav>")]
    assert 'href="#table-desc"' in toc and 'href="#sec-map"' in toc and "图 2 " in toc


def test_self_contained_and_offline() -> None:
    page = render_html(_doc())
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page and "src=\"/" not in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert {base64.b64decode(u) for u in uris} == {PNG_ZH, PNG_EN}
    assert len(uris) == 3  # the map's PNG is the same in both languages: embedded once


def test_text_is_escaped() -> None:
    page = render_html(_doc())
    assert "2023年人均GDP &lt;b&gt;&amp;" in page
    assert "<b>&" not in page
    assert "a&lt;b.csv" in page and "&lt;missing&gt;" in page
    assert 'alt="地图 / A map"' in page


def test_language_switch_and_default() -> None:
    page = render_html(_doc())
    assert '<html lang="zh-CN">' in page
    assert 'id="cr-lang-zh" value="zh" checked' in page
    assert 'id="cr-lang-en" value="en" aria' in page
    assert '<label for="cr-lang-zh">中文</label><label for="cr-lang-en">English</label>' in page
    assert "#cr-lang-zh:checked~* .l-en,#cr-lang-en:checked~* .l-zh{display:none}" in page
    english = render_html(_doc(default_lang="en"))
    assert '<html lang="en">' in english and 'id="cr-lang-en" value="en" checked' in english
    with pytest.raises(ArgumentError, match="default_lang"):
        render_html(_doc(default_lang="fr"))


def test_well_formed_unique_ids_and_deterministic() -> None:
    doc = _doc()
    page = render_html(doc)
    assert page == render_html(_doc())
    checker = _Checker()
    checker.feed(page)
    assert not checker.errors and not checker.stack
    assert len(checker.ids) == len(set(checker.ids))
    assert page.index('id="provenance"') > page.index('id="sec-map"')
    prov = page[page.index('id="provenance"'):]
    assert "20240501" in prov and "interpolate: 3 cells" in prov and "(1)" in prov


def test_duplicate_keys_and_external_css_are_refused() -> None:
    doc = _doc()
    twice = ReportDoc(title=doc.title, sections=(doc.sections[0], doc.sections[0]),
                      simulated=False)
    with pytest.raises(ArgumentError, match="table key 'desc' is used twice"):
        render_html(twice)
    table = doc.sections[0].items[0]
    figure = ReportFigure(table.key, Text("图", "Figure"), table.source, {"zh": PNG_ZH})
    shared = ReportDoc(title=doc.title, simulated=False,
                       sections=(Section("s", Text("节", "Section"), (table, figure)),))
    page = render_html(shared)  # a table and its figure may share a key
    assert 'id="table-desc"' in page and 'id="figure-desc"' in page
    with pytest.raises(ArgumentError, match="extra_css"):
        render_html(_doc(extra_css="body{background:url(https://example.org/a.png)}"))
    with pytest.raises(ArgumentError, match="extra_css"):
        render_html(_doc(extra_css="@import 'x.css';"))
    page = render_html(_doc(extra_css="h1{color:red}</style><script>x()</script>"))
    assert "</style><script>x()" not in page and "h1{color:red}" in page


def test_report_with_real_figure(tmp_path: object) -> None:
    panel = cityres.datasets.load("yrd_sim")
    pngs = {lang: png_bytes(trend_chart(panel, "gdp_pc", lang=lang)) for lang in ("zh", "en")}
    figure = ReportFigure("gdp", Text("人均GDP", "GDP per capita"), Text("模拟", "Simulated"),
                          pngs)  # type: ignore[arg-type]
    doc = ReportDoc(Text("报告", "Report"), (Section("s", Text("趋势", "Trends"), (figure,)),),
                    simulated=True)
    from pathlib import Path

    path = write_html(doc, Path(str(tmp_path)) / "out" / "report.html")
    page = path.read_text(encoding="utf-8")
    assert page == render_html(doc)
    assert base64.b64encode(pngs["zh"]).decode() in page
    assert base64.b64encode(pngs["en"]).decode() in page
