"""Resilience charts: quadrant scatter and indexed lines, in both languages, in the CJK font,
without missing glyphs, reproducible, marked when simulated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text as MplText

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.data.panel import CityPanel
from cityres.report import fonts
from cityres.report.charts import QUADRANTS, indexed_lines, quadrant_scatter
from cityres.report.figures import SIMULATED_MARK, png_bytes, save_figure
from cityres.report.i18n import Lang
from cityres.report.maps import short_city_names

MISSING_GLYPH = r"Glyph .* missing from font"
QUADRANT_TEXT = {
    "zh": {"抗冲击且恢复", "不抗冲击但恢复", "不抗冲击且未恢复", "抗冲击但未恢复"},
    "en": {
        "resistant & recovered",
        "not resistant, recovered",
        "not resistant, not recovered",
        "resistant, not recovered",
    },
}


# --------------------------------------------------------------------- data
@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    """Six cities, one in each quadrant and one on an axis, one without recovery."""
    return pd.DataFrame(
        {
            "resistance": [0.40, -0.30, -0.55, 0.25, 0.0, 0.10],
            "recovery": [0.35, 0.20, -0.45, -0.15, 0.05, np.nan],
        },
        index=pd.Index(["A", "B", "C", "D", "E", "F"], name="city"),
    )


@pytest.fixture(scope="module")
def small_names() -> dict[Lang, pd.Series]:
    zh = pd.Series(["甲市", "乙市", "丙市", "丁市", "戊市", "己市"], index=list("ABCDEF"))
    en = pd.Series(["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"], index=list("ABCDEF"))
    return {"zh": zh, "en": en}


@pytest.fixture(scope="module")
def small_indexed() -> pd.DataFrame:
    years = [2017, 2018, 2019, 2020, 2021, 2022]
    return pd.DataFrame(
        {
            "A": [97.0, 99.0, 100.0, 98.0, 101.0, 104.0],
            "B": [95.0, 98.0, 100.0, 93.0, 97.0, 99.0],
            "C": [99.0, 99.5, 100.0, 90.0, 92.0, 95.0],
            "D": [96.0, 98.0, 100.0, 97.0, 100.0, 102.0],
            "E": [98.0, 99.0, 100.0, 95.0, 99.0, 101.0],
            "F": [97.0, 98.5, 100.0, 96.0, 98.0, 100.0],
            "G": [99.0, 99.0, 100.0, 94.0, 96.0, 97.0],
            "H": [98.0, 99.0, 100.0, 99.0, 103.0, 106.0],
            "benchmark": [97.5, 99.0, 100.0, 95.0, 98.0, 100.5],
        },
        index=pd.Index(years, name="year"),
    )


@pytest.fixture(scope="module")
def panel() -> CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def yrd_indexed(panel: CityPanel) -> pd.DataFrame:
    """emp_total of the 41 simulated cities and their sum, indexed to 2019 = 100."""
    emp = panel.data["emp_total"].unstack("city").sort_index()
    emp["benchmark"] = emp.sum(axis=1)
    return emp / emp.loc[2019] * 100.0


@pytest.fixture(scope="module")
def yrd_table(yrd_indexed: pd.DataFrame) -> pd.DataFrame:
    """Martin (2012) resistance 2019–2020 and recovery 2020–2023 against the sum of cities;
    three cities are given no recovery value."""

    def relative(start: int, end: int) -> pd.Series:
        before = yrd_indexed.loc[start].to_numpy(dtype=float)
        after = yrd_indexed.loc[end].to_numpy(dtype=float)
        growth = after[-1] / before[-1] - 1.0  # the benchmark is the last column
        expected = before * growth
        out = (after - before - expected) / np.abs(expected)
        return pd.Series(out[:-1], index=yrd_indexed.columns[:-1])

    table = pd.DataFrame({"resistance": relative(2019, 2020), "recovery": relative(2020, 2023)})
    table.loc[["320300", "330700", "341800"], "recovery"] = np.nan
    return table


def _texts(fig: Figure) -> list[MplText]:
    return [t for t in fig.findobj(MplText) if t.get_visible() and t.get_text().strip()]


def _by_gid(fig: Figure, prefix: str) -> list[MplText]:
    return [t for t in _texts(fig) if str(t.get_gid() or "").startswith(prefix)]


def _check_font(fig: Figure, cjk_glyphs: set[int]) -> None:
    """Render, then: every text is in the CJK font file and has all its glyphs there."""
    png = png_bytes(fig)
    assert png.startswith(b"\x89PNG")
    font_file = str(fonts.cjk_font_path())
    for text in _texts(fig):
        assert font_manager.findfont(text.get_fontproperties()) == font_file, text.get_text()
        assert text.get_fontname() == fonts.CJK_FAMILY
        lacking = [c for c in text.get_text() if not c.isspace() and ord(c) not in cjk_glyphs]
        assert not lacking, (text.get_text(), lacking)


def _points(fig: Figure) -> np.ndarray:
    (cities,) = [c for c in fig.axes[0].collections if c.get_gid() == "cities"]
    assert isinstance(cities, PathCollection)
    return np.asarray(cities.get_offsets())


# --------------------------------------------------------------------- quadrant scatter
@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_quadrant_scatter_small(
    small: pd.DataFrame, small_names: dict[Lang, pd.Series], cjk_glyphs: set[int], lang: Lang
) -> None:
    fig = quadrant_scatter(small, names=small_names[lang], lang=lang)
    _check_font(fig, cjk_glyphs)
    ax = fig.axes[0]
    points = _points(fig)
    assert len(points) == 5 == int(small.notna().all(axis=1).sum())
    np.testing.assert_array_equal(points, small.dropna().to_numpy())
    quadrants = {t.get_text() for t in _by_gid(fig, "quadrant-")}
    assert quadrants == QUADRANT_TEXT[lang]
    assert quadrants.isdisjoint(QUADRANT_TEXT["en" if lang == "zh" else "zh"])
    corner = {str(t.get_gid()): t.get_text() for t in _by_gid(fig, "quadrant-")}
    assert corner["quadrant-top-right"] == QUADRANTS["top-right"].get(lang)
    assert corner["quadrant-bottom-left"] == QUADRANTS["bottom-left"].get(lang)
    # one label per drawn city, none for the city without recovery
    labels = {str(t.get_gid()): t.get_text() for t in _by_gid(fig, "label-")}
    assert labels == {f"label-{c}": small_names[lang][c] for c in "ABCDE"}
    # 0 is inside both axes, with room on each side, and dashed lines cross there
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < 0 < x1 and y0 < 0 < y1
    assert min(-x0, x1) >= 0.4 * max(-x0, x1) and min(-y0, y1) >= 0.4 * max(-y0, y1)
    zero = {str(line.get_gid()): line for line in ax.get_lines()}
    assert zero["zero-x"].get_linestyle() == zero["zero-y"].get_linestyle() == "--"
    np.testing.assert_array_equal(np.asarray(zero["zero-x"].get_xdata(), dtype=float), [0, 0])
    np.testing.assert_array_equal(np.asarray(zero["zero-y"].get_ydata(), dtype=float), [0, 0])
    # the note counts the city without recovery data
    (note,) = _by_gid(fig, "missing-note")
    expected = "1 个城市无恢复力数据，未绘出" if lang == "zh" else "1 city without recovery data"
    assert note.get_text().startswith(expected)
    assert ax.get_xlabel() == (
        "抵抗力（相对基准）" if lang == "zh" else "Resistance (relative to benchmark)"
    )
    assert not _by_gid(fig, "simulated-mark")


def test_quadrant_scatter_colours_points_by_quadrant(small: pd.DataFrame) -> None:
    fig = quadrant_scatter(small, lang="en")
    (cities,) = [c for c in fig.axes[0].collections if c.get_gid() == "cities"]
    colours = [tuple(np.round(c, 3)) for c in np.asarray(cities.get_facecolor())]
    # A top-right, B top-left, C bottom-left, D bottom-right, E (x = 0) top-right
    assert len(set(colours[:4])) == 4 and colours[4] == colours[0]
    # each quadrant name has the colour of the points in its quadrant
    corner = {str(t.get_gid()): t for t in _by_gid(fig, "quadrant-")}
    for city, gid in enumerate(["top-right", "top-left", "bottom-left", "bottom-right"]):
        rgb = tuple(np.round(to_rgba(corner[f"quadrant-{gid}"].get_color()), 3))
        assert rgb[:3] == colours[city][:3], gid
    assert not _by_gid(fig, "label-")  # no names given: no labels


@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_quadrant_scatter_41_simulated_cities(
    panel: CityPanel, yrd_table: pd.DataFrame, cjk_glyphs: set[int], lang: Lang
) -> None:
    names = short_city_names(panel.cities, lang)
    fig = quadrant_scatter(yrd_table, names=names, lang=lang, simulated=True)
    _check_font(fig, cjk_glyphs)
    assert len(_points(fig)) == 38 == int(yrd_table["recovery"].notna().sum())
    assert {t.get_text() for t in _by_gid(fig, "quadrant-")} == QUADRANT_TEXT[lang]
    labels = _by_gid(fig, "label-")
    assert len(labels) == 38
    assert {"上海", "苏州"} <= {t.get_text() for t in labels} or lang == "en"
    (note,) = _by_gid(fig, "missing-note")
    assert note.get_text().startswith("3 个城市" if lang == "zh" else "3 cities without recovery")
    assert [t.get_text() for t in _by_gid(fig, "simulated-mark")] == [SIMULATED_MARK[lang]]
    # labels sit off their points and do not overlap each other
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [t.get_window_extent(renderer) for t in labels]
    overlaps = sum(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert overlaps <= 2, overlaps


def test_quadrant_scatter_custom_labels_and_columns() -> None:
    table = pd.DataFrame({"res": [1.0, -2.0], "rec": [np.nan, np.nan]}, index=[1, 2])
    fig = quadrant_scatter(table, x="res", y="rec", lang="en", title="T", x_label="X", y_label="Y")
    ax = fig.axes[0]
    assert (ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()) == ("T", "X", "Y")
    assert len(_points(fig)) == 0
    (note,) = _by_gid(fig, "missing-note")
    assert note.get_text() == "2 cities without rec data, not shown"
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < 0 < x1 and y0 < 0 < y1


def test_quadrant_scatter_rejects_bad_arguments(small: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match="x='nope'"):
        quadrant_scatter(small, x="nope")
    with pytest.raises(ArgumentError, match="lang"):
        quadrant_scatter(small, lang="fr")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="DataFrame"):
        quadrant_scatter(small["resistance"])  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="names"):
        quadrant_scatter(small, names={"A": "a"})  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="numeric"):
        quadrant_scatter(small.assign(recovery="high"))


# --------------------------------------------------------------------- indexed lines
@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_indexed_lines_small(
    small_indexed: pd.DataFrame,
    small_names: dict[Lang, pd.Series],
    cjk_glyphs: set[int],
    lang: Lang,
) -> None:
    names = pd.concat([small_names[lang], pd.Series({"G": "G", "H": "H"})])
    fig = indexed_lines(small_indexed, names=names, shock_years=(2019, 2020), lang=lang)
    _check_font(fig, cjk_glyphs)
    ax = fig.axes[0]
    lines = {str(line.get_gid()): line for line in ax.get_lines()}
    # default highlight: the 3 highest (H, A, D) and the 3 lowest (B, G, C) in 2022
    last = small_indexed.drop(columns="benchmark").iloc[-1].sort_values(ascending=False)
    top, bottom = list(last.index[:3]), list(last.index[-3:])
    highlighted = [gid.removeprefix("highlight-") for gid in lines if gid.startswith("highlight-")]
    assert highlighted == top + bottom  # drawn (and listed) from highest to lowest
    grey = sorted(gid.removeprefix("city-") for gid in lines if gid.startswith("city-"))
    assert grey == sorted(set(last.index) - set(top) - set(bottom))
    bench = lines["benchmark"]
    assert bench.get_color() == "black"
    assert bench.get_linewidth() > max(lines[f"highlight-{c}"].get_linewidth() for c in top)
    assert all(lines[f"city-{c}"].get_linewidth() < 1.0 for c in grey)
    np.testing.assert_array_equal(bench.get_ydata(), small_indexed["benchmark"].to_numpy())
    base = lines["base-100"]
    assert base.get_linestyle() == ":"
    np.testing.assert_array_equal(np.asarray(base.get_ydata(), dtype=float), [100, 100])
    (span,) = [p for p in ax.patches if p.get_gid() == "contraction"]
    corners = span.get_transform().transform(span.get_path().vertices)
    data_x = ax.transData.inverted().transform(corners)[:, 0]
    np.testing.assert_allclose([data_x.min(), data_x.max()], [2019, 2020], atol=1e-9)
    legend = fig.legends[0]
    entries = [t.get_text() for t in legend.get_texts()]
    if lang == "zh":
        assert entries[0] == "基准" and entries[-2:] == ["其他城市", "收缩期（2019–2020年）"]
        assert ax.get_ylabel() == "指数（2019年 = 100）" and ax.get_xlabel() == "年份"
    else:
        assert entries[0] == "Benchmark"
        assert entries[-2:] == ["Other cities", "Contraction (2019–2020)"]
        assert ax.get_ylabel() == "Index (2019 = 100)" and ax.get_xlabel() == "Year"
    assert entries[1:-2] == [str(names[c]) for c in top + bottom]
    assert not _by_gid(fig, "simulated-mark")


def test_indexed_lines_given_highlight_and_no_window(small_indexed: pd.DataFrame) -> None:
    fig = indexed_lines(small_indexed, highlight=["B", "A"], lang="en", y_label=None)
    ax = fig.axes[0]
    gids = [str(line.get_gid()) for line in ax.get_lines()]
    assert [g for g in gids if g.startswith("highlight-")] == ["highlight-A", "highlight-B"]
    assert len([g for g in gids if g.startswith("city-")]) == 6
    assert not [p for p in ax.patches if p.get_gid() == "contraction"]
    assert ax.get_ylabel() == "Index (2019 = 100)"  # the year where every value is 100
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Benchmark", "A", "B", "Other cities"]  # ids without names
    no_bench = indexed_lines(small_indexed.drop(columns="benchmark"), benchmark=None)
    assert "benchmark" not in {line.get_gid() for line in no_bench.axes[0].get_lines()}


@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_indexed_lines_41_simulated_cities(
    panel: CityPanel, yrd_indexed: pd.DataFrame, cjk_glyphs: set[int], lang: Lang
) -> None:
    names = short_city_names(panel.cities, lang)
    fig = indexed_lines(
        yrd_indexed, names=names, shock_years=(2019, 2020), lang=lang, simulated=True
    )
    _check_font(fig, cjk_glyphs)
    gids = [str(line.get_gid()) for line in fig.axes[0].get_lines()]
    assert len([g for g in gids if g.startswith("highlight-")]) == 6
    assert len([g for g in gids if g.startswith("city-")]) == 35
    assert "benchmark" in gids and "base-100" in gids
    assert [t.get_text() for t in _by_gid(fig, "simulated-mark")] == [SIMULATED_MARK[lang]]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert ("上海" if lang == "zh" else "Shanghai") in legend


def test_indexed_lines_rejects_bad_arguments(small_indexed: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match="benchmark='national'"):
        indexed_lines(small_indexed, benchmark="national")
    with pytest.raises(ArgumentError, match="'Z'"):
        indexed_lines(small_indexed, highlight=["A", "Z"])
    with pytest.raises(ArgumentError, match="at most 9"):
        indexed_lines(
            small_indexed.assign(**{f"x{i}": 100.0 for i in range(5)}),
            highlight=[*"ABCDEFGH", "x0", "x1"],
        )
    with pytest.raises(ArgumentError, match="trough is before the peak"):
        indexed_lines(small_indexed, shock_years=(2020, 2019))
    with pytest.raises(ArgumentError, match="shock_years"):
        indexed_lines(small_indexed, shock_years=(2019,))
    with pytest.raises(ArgumentError, match="lang"):
        indexed_lines(small_indexed, lang="fr")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="DataFrame"):
        indexed_lines(small_indexed["A"])  # type: ignore[arg-type]


# --------------------------------------------------------------------- output
def test_charts_are_byte_identical_across_renders(
    panel: CityPanel, yrd_table: pd.DataFrame, yrd_indexed: pd.DataFrame, tmp_path: Path
) -> None:
    names = short_city_names(panel.cities, "zh")

    def build() -> list[Figure]:
        return [
            quadrant_scatter(yrd_table, names=names, simulated=True),
            indexed_lines(yrd_indexed, names=names, shock_years=(2019, 2020), simulated=True),
        ]

    for i, (first, second) in enumerate(zip(build(), build(), strict=True)):
        a = save_figure(first, tmp_path / "a" / f"chart{i}")
        b = save_figure(second, tmp_path / "b" / f"chart{i}")
        for fmt in ("png", "svg"):
            assert a[fmt].read_bytes() == b[fmt].read_bytes(), (i, fmt)
        assert png_bytes(first) == png_bytes(second) == a["png"].read_bytes()


def test_charts_leave_no_pyplot_state(small: pd.DataFrame, small_indexed: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    quadrant_scatter(small, names=pd.Series({"A": "a"}))
    indexed_lines(small_indexed)
    assert plt.get_fignums() == before
