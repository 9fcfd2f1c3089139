"""Figures and maps: the CJK font is really used, no glyph is missing, output is reproducible."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text as MplText

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.data.panel import CityPanel
from cityres.report import fonts
from cityres.report.figures import (
    SIMULATED_MARK,
    new_figure,
    png_bytes,
    save_figure,
    trend_chart,
    variable_label,
)
from cityres.report.i18n import Lang
from cityres.report.maps import choropleth, quantile_classes, short_city_names

MISSING_GLYPH = r"Glyph .* missing from font"


@pytest.fixture(scope="module")
def panel() -> CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def gdp_2023(panel: CityPanel) -> pd.Series:
    values = panel.data.xs(2023, level="year")["gdp_pc"].copy()
    values.loc[["320300", "330700"]] = np.nan  # Xuzhou and Jinhua have no data
    return values


def _map(panel: CityPanel, values: pd.Series, lang: Lang, *, simulated: bool = True) -> Figure:
    title = {"zh": "人均地区生产总值，2023年", "en": "GDP per capita, 2023"}[lang]
    return choropleth(
        panel.geometry,
        values,
        names=short_city_names(panel.cities, lang),
        lang=lang,
        title=title,
        legend_label=variable_label("gdp_pc", lang, variables=panel.variables),
        simulated=simulated,
    )


def _texts(fig: Figure) -> list[MplText]:
    return [t for t in fig.findobj(MplText) if t.get_visible() and t.get_text().strip()]


# --------------------------------------------------------------------- the font
def test_font_file_is_registered_once() -> None:
    first = fonts.register_fonts()
    assert fonts.register_fonts() == first == fonts.cjk_font_path()
    assert first.is_file()
    entries = [e for e in font_manager.fontManager.ttflist if Path(e.fname) == first]
    assert len(entries) == 1
    assert entries[0].name == fonts.CJK_FAMILY
    assert font_manager.findfont(fonts.cjk_font()) == str(first)


def test_missing_font_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fonts.cjk_font_path.cache_clear()
    monkeypatch.setattr(fonts.importlib.util, "find_spec", lambda name: None)
    try:
        with pytest.raises(fonts.FontNotFoundError, match=fonts.FONT_DISTRIBUTION):
            fonts.cjk_font_path()
        with pytest.raises(FileNotFoundError):
            fonts.register_fonts()
    finally:
        monkeypatch.undo()
        fonts.cjk_font_path.cache_clear()
    assert fonts.cjk_font_path().is_file()


def test_use_cjk_restores_rcparams() -> None:
    before = dict(matplotlib.rcParams)
    with fonts.use_cjk():
        assert matplotlib.rcParams["font.family"][0] == fonts.CJK_FAMILY
    assert dict(matplotlib.rcParams) == before


def test_glyph_check_catches_a_font_without_chinese() -> None:
    """The warning the map tests turn into errors does fire for a Latin-only font."""
    fig = Figure()
    fig.text(0.5, 0.5, "测试缺字：苏锡常", family="DejaVu Sans")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=MISSING_GLYPH)
        with pytest.raises(UserWarning, match=MISSING_GLYPH):
            png_bytes(fig)


# --------------------------------------------------------------------- maps
@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_text_is_drawn_in_the_cjk_font(
    panel: CityPanel, gdp_2023: pd.Series, cjk_glyphs: set[int], lang: Lang
) -> None:
    fig = _map(panel, gdp_2023, lang)
    png = png_bytes(fig)
    assert png.startswith(b"\x89PNG")
    texts = _texts(fig)
    labels = [t for t in texts if (t.get_gid() or "").startswith("label-")]
    assert len(labels) == 41
    assert fig.axes[0].get_title(loc="left") in {t.get_text() for t in texts}
    font_file = str(fonts.cjk_font_path())
    for text in texts:
        assert font_manager.findfont(text.get_fontproperties()) == font_file, text.get_text()
        assert text.get_fontname() == fonts.CJK_FAMILY
        lacking = [c for c in text.get_text() if not c.isspace() and ord(c) not in cjk_glyphs]
        assert not lacking, (text.get_text(), lacking)
    shown = {t.get_text() for t in labels}
    expected = {"上海", "苏州", "连云港", "马鞍山"} if lang == "zh" else {"Shanghai", "Ma'anshan"}
    assert expected <= shown


def test_map_marks_missing_values_and_simulated_data(
    panel: CityPanel, gdp_2023: pd.Series
) -> None:
    fig = _map(panel, gdp_2023, "zh")
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert sorted(str(p.get_gid()) for p in hatched) == ["city-320300", "city-330700"]
    box = fig.axes[0].get_legend()
    assert box is not None
    legend = [t.get_text() for t in box.get_texts()]
    assert legend[-1] == "无数据  (2)"
    assert sum(int(s.rsplit("(", 1)[1].rstrip(")")) for s in legend) == 41
    assert "分位数分级（5 级）" in box.get_title().get_text()
    marks = [t.get_text() for t in _texts(fig) if t.get_gid() == "simulated-mark"]
    assert marks == [SIMULATED_MARK["zh"]]
    plain = _map(panel, gdp_2023, "en", simulated=False)
    assert not [t for t in _texts(plain) if t.get_gid() == "simulated-mark"]
    en_box = plain.axes[0].get_legend()
    assert en_box is not None
    assert en_box.get_texts()[-1].get_text() == "No data  (2)"


def test_png_and_svg_are_byte_identical(
    panel: CityPanel, gdp_2023: pd.Series, tmp_path: Path
) -> None:
    fig = _map(panel, gdp_2023, "zh")
    first = save_figure(fig, tmp_path / "a" / "map")
    second = save_figure(fig, tmp_path / "b" / "map")
    again = save_figure(_map(panel, gdp_2023, "zh"), tmp_path / "c" / "map")
    for fmt in ("png", "svg"):
        data = first[fmt].read_bytes()
        assert data == second[fmt].read_bytes() == again[fmt].read_bytes(), fmt
    assert first["png"].suffix == ".png" and first["svg"].suffix == ".svg"
    svg = first["svg"].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    assert b"Software" not in first["png"].read_bytes()
    assert png_bytes(fig) == first["png"].read_bytes()


def test_quantile_classes() -> None:
    values = pd.Series([5.0, 1.0, np.nan, 3.0, 2.0, 4.0], index=list("abcdef"))
    classes, edges = quantile_classes(values, 5)
    # numpy.quantile, linear interpolation: 1 + 4 * j / 5; tolerance for float rounding
    np.testing.assert_allclose(edges, [1.0, 1.8, 2.6, 3.4, 4.2, 5.0], rtol=1e-12)
    assert classes.tolist() == [4, 0, -1, 2, 1, 3]
    same, one = quantile_classes(pd.Series([2.0, 2.0]), 5)
    assert same.tolist() == [0, 0] and one.tolist() == [2.0, 2.0]


def test_short_city_names(panel: CityPanel) -> None:
    zh = short_city_names(panel.cities, "zh")
    assert zh["310000"] == "上海" and zh["320700"] == "连云港"
    assert short_city_names(panel.cities, "en")["340500"] == "Ma'anshan"


def test_choropleth_rejects_bad_arguments(panel: CityPanel, gdp_2023: pd.Series) -> None:
    geo = panel.geometry
    with pytest.raises(ArgumentError, match="k=1"):
        choropleth(geo, gdp_2023, k=1)
    with pytest.raises(ArgumentError, match="cmap"):
        choropleth(geo, gdp_2023, cmap="no-such-map")
    with pytest.raises(ArgumentError, match="no city code"):
        choropleth(geo, pd.Series([1.0], index=["999999"]))
    with pytest.raises(ArgumentTypeError, match="GeoDataFrame"):
        choropleth(panel.cities, gdp_2023)
    with pytest.raises(ArgumentError, match="lang"):
        choropleth(geo, gdp_2023, lang="fr")  # type: ignore[arg-type]


# --------------------------------------------------------------------- trend chart
@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize(
    ("lang", "groups", "ylabel"),
    [
        ("zh", {"上海", "江苏", "浙江", "安徽"}, "人均地区生产总值（元/人）"),
        ("en", {"Shanghai", "Jiangsu", "Zhejiang", "Anhui"}, "GDP per capita (yuan per person)"),
    ],
)
def test_trend_chart_has_one_line_per_province(
    panel: CityPanel, cjk_glyphs: set[int], lang: Lang, groups: set[str], ylabel: str
) -> None:
    fig = trend_chart(panel, "gdp_pc", lang=lang)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == 4
    assert {line.get_label() for line in lines} == groups
    assert all(np.asarray(line.get_xdata()).size == len(panel.years) for line in lines)
    assert ax.get_ylabel() == ylabel
    assert lines[0].get_label() in {"上海", "Shanghai"}  # ordered by the last year's value
    png_bytes(fig)
    font_file = str(fonts.cjk_font_path())
    for text in _texts(fig):  # title, axis labels, tick labels, legend, simulated mark
        assert font_manager.findfont(text.get_fontproperties()) == font_file, text.get_text()
        assert all(ord(c) in cjk_glyphs for c in text.get_text() if not c.isspace())
    assert [t.get_text() for t in _texts(fig) if t.get_gid() == "simulated-mark"]


def test_trend_chart_means_match_pandas(panel: CityPanel) -> None:
    fig = trend_chart(panel, "urbanisation", by="region", stat="median", lang="en")
    frame = panel.data[["urbanisation"]].join(panel.cities["region"], on="city")
    expected = frame.groupby(["region", "year"])["urbanisation"].median().unstack("region")
    for line in fig.axes[0].get_lines():
        key = {"East": "east", "Central": "central"}[str(line.get_label())]
        drawn = np.asarray(line.get_ydata(), dtype=float)
        np.testing.assert_allclose(drawn, expected[key].to_numpy(), rtol=0, atol=0)  # exact


def test_trend_chart_accepts_a_long_frame() -> None:
    frame = pd.DataFrame(
        {
            "year": [2020, 2021, 2020, 2021],
            "province": ["Jiangsu", "Jiangsu", "Anhui", "Anhui"],
            "y": [1.0, 2.0, 0.5, 1.5],
        }
    )
    fig = trend_chart(frame, "y", lang="zh")
    assert {line.get_label() for line in fig.axes[0].get_lines()} == {"江苏", "安徽"}
    assert not [t for t in _texts(fig) if t.get_gid() == "simulated-mark"]
    with pytest.raises(ArgumentError, match="lacks"):
        trend_chart(frame, "z")
    with pytest.raises(ArgumentError, match="stat"):
        trend_chart(frame, "y", stat="mode")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError):
        trend_chart([1, 2], "y")  # type: ignore[arg-type]


def test_figures_leave_no_pyplot_state(panel: CityPanel, gdp_2023: pd.Series) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    trend_chart(panel, "gdp_pc")
    _map(panel, gdp_2023, "en")
    new_figure((2, 2), simulated=True)
    assert plt.get_fignums() == before
