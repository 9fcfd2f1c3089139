"""Spatial figures: LISA and Gi* maps, Moran scatter plot, ellipse map — both languages, the CJK
font without missing glyphs, legend counts, no-data hatching, the simulated mark, errors.

References: the slope drawn in the Moran scatter plot is checked against esda 2.9
``esda.Moran(z, w, permutations=0).I`` on libpysal queen weights (row-standardised) built
in the same run (tolerance 1e-12); the ellipses drawn are checked against
``PatternResult.ellipse_polygons()`` (the same vertices, exactly) and the inset's note
against ``PatternResult.total_distance_km``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from esda.moran import Moran
from libpysal.weights import Queen
from matplotlib import font_manager
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.text import Text as MplText

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.data.panel import CityPanel
from cityres.report import fonts
from cityres.report.ellipse_map import ellipse_map
from cityres.report.figures import SIMULATED_MARK, png_bytes
from cityres.report.i18n import Lang
from cityres.report.maps import short_city_names
from cityres.report.moran_plot import moran_scatter_plot
from cityres.report.spatial_maps import CLUSTER_COLORS, hotspot_map, lisa_map
from cityres.spatial.pattern import PatternResult, centre_and_ellipse

_OPEN: list[Figure] = []
LEGEND_ZH = {"HH": "高-高 集聚", "LL": "低-低 集聚", "LH": "低-高 异常", "HL": "高-低 异常",
             "ns": "不显著"}
LEGEND_EN = {"HH": "High-High", "LL": "Low-Low", "LH": "Low-High", "HL": "High-Low",
             "ns": "Not significant"}


def keep(fig: Figure) -> Figure:
    _OPEN.append(fig)
    return fig


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().clear()


@pytest.fixture(scope="module")
def panel() -> CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def clusters(panel: CityPanel) -> pd.Series:
    """Made-up cluster types: 2 cities missing as NaN, 1 city absent from the index."""
    rng = np.random.default_rng(3)
    codes = panel.geometry.index.astype(str)
    out = pd.Series(rng.choice(["HH", "LL", "LH", "HL", "ns", "ns"], size=len(codes)),
                    index=codes, dtype=object)
    out.loc[["320300", "330700"]] = None
    return out.drop("341800")


@pytest.fixture(scope="module")
def scatter(panel: CityPanel) -> tuple[pd.DataFrame, float]:
    """z and Wz of gdp_pc in 2021 and 2023 (queen, row-standardised) and esda's I of 2023."""
    w = Queen.from_dataframe(panel.geometry, use_index=True, silence_warnings=True)
    w.transform = "r"
    rows, moran_i = [], float("nan")
    for year in (2021, 2023):
        x = panel.data.xs(year, level="year")["gdp_pc"].reindex(w.id_order)
        z = ((x - x.mean()) / x.std(ddof=0)).to_numpy()
        lag = w.sparse @ z
        rows.append(pd.DataFrame({"city": w.id_order, "year": year, "z": z, "lag": lag}))
        moran_i = float(Moran(x.to_numpy(), w, permutations=0).I)
    return pd.concat(rows, ignore_index=True), moran_i


@pytest.fixture(scope="module")
def pattern(panel: CityPanel) -> PatternResult:
    return centre_and_ellipse(panel, "gdp_pc", years=[2011, 2015, 2019, 2023])


def _texts(fig: Figure) -> list[MplText]:
    return [t for t in fig.findobj(MplText) if t.get_visible() and t.get_text().strip()]


def _by_gid(fig: Figure, prefix: str) -> list[MplText]:
    return [t for t in _texts(fig) if str(t.get_gid() or "").startswith(prefix)]


def _check_font(fig: Figure, cjk_glyphs: set[int]) -> None:
    """Render, then: every text is in the CJK font file and has all its glyphs there."""
    assert png_bytes(fig).startswith(b"\x89PNG")
    font_file = str(fonts.cjk_font_path())
    for text in _texts(fig):
        assert font_manager.findfont(text.get_fontproperties()) == font_file, text.get_text()
        lacking = [c for c in text.get_text() if not c.isspace() and ord(c) not in cjk_glyphs]
        assert not lacking, (text.get_text(), lacking)


def _legend(fig: Figure) -> tuple[str, dict[str, int]]:
    box = fig.axes[0].get_legend()
    assert box is not None
    entries = {}
    for text in box.get_texts():
        label, count = text.get_text().rsplit("  (", 1)
        entries[label] = int(count.rstrip(")"))
    return box.get_title().get_text(), entries


def _marks(fig: Figure) -> list[str]:
    return [t.get_text() for t in _by_gid(fig, "simulated-mark")]


# --------------------------------------------------------------------- LISA / Gi* maps
@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lisa_map_builds_in_both_languages(
    panel: CityPanel, clusters: pd.Series, cjk_glyphs: set[int], lang: Lang
) -> None:
    fig = keep(lisa_map(panel.geometry, clusters, names=short_city_names(panel.cities, lang),
                        lang=lang, title="LISA", legend_label="gdp_pc 2023", simulated=True))
    _check_font(fig, cjk_glyphs)
    assert len(_by_gid(fig, "label-")) == 41
    title, entries = _legend(fig)
    assert title.splitlines() == ["gdp_pc 2023", "LISA 集聚类型" if lang == "zh"
                                  else "LISA cluster type", "p ≤ 0.05"]
    names = LEGEND_ZH if lang == "zh" else LEGEND_EN
    counts = clusters.value_counts()
    assert entries == {names[k]: int(counts.get(k, 0)) for k in CLUSTER_COLORS} | {
        ("无数据" if lang == "zh" else "No data"): 3}
    assert sum(entries.values()) == 41
    assert _marks(fig) == [SIMULATED_MARK[lang]]


def test_lisa_map_colours_hatching_and_rule(panel: CityPanel, clusters: pd.Series) -> None:
    fig = keep(lisa_map(panel.geometry, clusters, lang="en", alpha=0.1, fdr=True))
    patches = {str(p.get_gid()): p for p in fig.axes[0].patches if isinstance(p, PathPatch)}
    assert len(patches) == 41
    hatched = sorted(code[5:] for code, p in patches.items() if p.get_hatch())
    assert hatched == ["320300", "330700", "341800"]
    for code, label in clusters.dropna().items():
        assert to_hex(patches[f"city-{code}"].get_facecolor()) == CLUSTER_COLORS[label], code
    title, _ = _legend(fig)
    assert title.splitlines()[-1] == "FDR, α = 0.1"
    assert not _marks(fig)


@pytest.mark.usefixtures("glyph_warnings_are_errors")
def test_hotspot_map(panel: CityPanel, cjk_glyphs: set[int]) -> None:
    codes = panel.geometry.index.astype(str)
    labels = pd.Series(np.where(codes.str.startswith("33"), "hot",
                                np.where(codes.str.startswith("34"), "cold", "ns")), index=codes)
    fig = keep(hotspot_map(panel.geometry, labels, simulated=True))
    _check_font(fig, cjk_glyphs)
    _, entries = _legend(fig)
    counts = labels.value_counts()
    assert entries == {"热点": counts["hot"], "冷点": counts["cold"], "不显著": counts["ns"]}
    assert not [p for p in fig.axes[0].patches if p.get_hatch()]
    assert _marks(fig) == [SIMULATED_MARK["zh"]]


def test_category_maps_reject_bad_inputs(panel: CityPanel, clusters: pd.Series) -> None:
    bad = clusters.copy()
    bad.loc["310000"] = "HX"
    with pytest.raises(ArgumentError, match=r"unknown labels 'HX' \(city 310000\); accepted: 'HH'"):
        lisa_map(panel.geometry, bad)
    with pytest.raises(ArgumentError, match="geometry lacks the cities 999999 of clusters"):
        lisa_map(panel.geometry, pd.concat([clusters, pd.Series({"999999": "HH"})]))
    with pytest.raises(ArgumentError, match="geometry lacks the cities 310000"):
        lisa_map(panel.geometry.drop(index="310000"), clusters)
    with pytest.raises(ArgumentError, match=r"unknown labels 'HH'.*accepted: 'hot', 'cold'"):
        hotspot_map(panel.geometry, clusters)
    with pytest.raises(ArgumentError, match=r"alpha=1\.5"):
        lisa_map(panel.geometry, clusters, alpha=1.5)
    with pytest.raises(ArgumentError, match="lang='fr'"):
        lisa_map(panel.geometry, clusters, lang="fr")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="clusters must be a pandas Series"):
        lisa_map(panel.geometry, clusters.to_dict())  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="geometry must be a geopandas"):
        lisa_map(panel.cities, clusters)


# --------------------------------------------------------------------- Moran scatter
@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_moran_scatter_plot(
    panel: CityPanel, scatter: tuple[pd.DataFrame, float], cjk_glyphs: set[int], lang: Lang
) -> None:
    frame, moran_i = scatter
    fig = keep(moran_scatter_plot(frame, year=2023, names=short_city_names(panel.cities, lang),
                                  lang=lang, simulated=True))
    _check_font(fig, cjk_glyphs)
    ax = fig.axes[0]
    assert ax.get_xlabel() == ("标准化值 z" if lang == "zh" else "Standardised value (z)")
    assert ax.get_ylabel() == ("空间滞后 Wz" if lang == "zh" else "Spatial lag (Wz)")
    assert ax.get_title(loc="left").endswith("2023年" if lang == "zh" else ", 2023")
    (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == "moran-line"]
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(moran_i, abs=1e-12)
    (text,) = _by_gid(fig, "moran-i")
    assert text.get_text() == f"Moran's I = {moran_i:.3f}"
    (points,) = [c for c in ax.collections if c.get_gid() == "cities"]
    assert isinstance(points, PathCollection) and len(points.get_offsets()) == 41
    year = frame[frame["year"] == 2023]
    quadrant = np.where(year["z"] >= 0, np.where(year["lag"] >= 0, "HH", "HL"),
                        np.where(year["lag"] >= 0, "LH", "LL"))
    assert [to_hex(c) for c in points.get_facecolors()] == [CLUSTER_COLORS[q] for q in quadrant]
    corners = {t.get_gid(): t.get_text() for t in _by_gid(fig, "quadrant-")}
    assert corners["quadrant-HH"] == ("高-高（HH）" if lang == "zh" else "High-High (HH)")
    farthest = year.assign(r=year["z"] ** 2 + year["lag"] ** 2).nlargest(5, "r")["city"]
    assert {str(t.get_gid())[6:] for t in _by_gid(fig, "label-")} == set(farthest)
    assert _marks(fig) == [SIMULATED_MARK[lang]]


def test_moran_scatter_options(scatter: tuple[pd.DataFrame, float]) -> None:
    frame, _ = scatter
    one = frame[frame["year"] == 2021].drop(columns="year").set_index("city")
    fig = keep(moran_scatter_plot(one, slope=0.25, label=["310000", "320500"], title="T",
                                  lang="en"))
    assert fig.axes[0].get_title(loc="left") == "T"
    assert sorted(str(t.get_gid()) for t in _by_gid(fig, "label-")) == [
        "label-310000", "label-320500"]
    assert _by_gid(fig, "moran-i")[0].get_text() == "Moran's I = 0.250"
    coded = one.assign(quadrant=np.where(one["z"] >= 0, 1, 3))  # esda's codes: 1 HH, 3 LL
    fig = keep(moran_scatter_plot(coded, label=None))
    (points,) = [c for c in fig.axes[0].collections if c.get_gid() == "cities"]
    expected = [CLUSTER_COLORS["HH" if z >= 0 else "LL"] for z in one["z"]]
    assert [to_hex(c) for c in points.get_facecolors()] == expected
    assert not _by_gid(fig, "label-")


def test_moran_scatter_rejects_bad_inputs(scatter: tuple[pd.DataFrame, float]) -> None:
    frame, _ = scatter
    with pytest.raises(ArgumentError, match="years 2021–2023; pass year="):
        moran_scatter_plot(frame)
    with pytest.raises(ArgumentError, match="year=2000 is not in scatter"):
        moran_scatter_plot(frame, year=2000)
    broken = frame[frame["year"] == 2023].copy()
    broken.loc[broken["city"] == "320500", "lag"] = np.nan
    with pytest.raises(ArgumentError, match="non-finite z / lag for cities 320500"):
        moran_scatter_plot(broken)
    with pytest.raises(ArgumentError, match=r"lacks \['lag'\]"):
        moran_scatter_plot(broken.drop(columns="lag"))
    with pytest.raises(ArgumentError, match="quadrant holds \\['XX'\\]"):
        moran_scatter_plot(frame[frame["year"] == 2023].assign(quadrant="XX"))
    with pytest.raises(ArgumentError, match="label names cities not in scatter: 999999"):
        moran_scatter_plot(frame, year=2023, label=["999999"])
    with pytest.raises(ArgumentTypeError, match="scatter must be a pandas DataFrame"):
        moran_scatter_plot(frame.to_numpy())  # type: ignore[arg-type]


# --------------------------------------------------------------------- ellipse map
@pytest.mark.usefixtures("glyph_warnings_are_errors")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ellipse_map(
    panel: CityPanel, pattern: PatternResult, cjk_glyphs: set[int], lang: Lang
) -> None:
    fig = keep(ellipse_map(panel.geometry, pattern.table, lang=lang, simulated=True))
    _check_font(fig, cjk_glyphs)
    ax = fig.axes[0]
    lines = {str(ln.get_gid()): ln for ln in ax.get_lines()}
    polygons = pattern.ellipse_polygons()
    for year in (2011, 2015, 2019, 2023):
        drawn = np.column_stack(lines[f"ellipse-{year}"].get_data())
        np.testing.assert_array_equal(drawn, np.asarray(polygons.geometry[year].exterior.coords))
        assert f"centre-{year}" in lines
    box = ax.get_legend()
    assert box is not None
    years = [t.get_text() for t in box.get_texts()][:4]
    assert years == (["2011年", "2015年", "2019年", "2023年"] if lang == "zh"
                     else ["2011", "2015", "2019", "2023"])
    (inset,) = [a for a in ax.child_axes if a.get_gid() == "centre-path"]
    total = f"{pattern.total_distance_km:.1f}"
    assert inset.get_title() == (f"重心累计移动 {total} 公里" if lang == "zh"
                                 else f"Centre moved {total} km in total")
    arrows = [t for t in inset.texts if str(t.get_gid()).startswith("move-")]
    assert len(arrows) == 3
    assert _marks(fig) == [SIMULATED_MARK[lang]]
    assert sum(1 for p in ax.patches if str(p.get_gid()).startswith("city-")) == 41


def test_ellipse_map_one_year_and_errors(panel: CityPanel, pattern: PatternResult) -> None:
    fig = keep(ellipse_map(panel.geometry, pattern.table, years=[2023], title="T"))
    assert len(fig.axes) == 1 and not fig.axes[0].child_axes  # no inset for a single year
    assert fig.axes[0].get_title(loc="left") == "T"
    assert not _marks(fig)
    with pytest.raises(ArgumentError, match=r"years=\[2012\]: \[2012\] not in pattern_table"):
        ellipse_map(panel.geometry, pattern.table, years=[2012])
    with pytest.raises(ArgumentError, match=r"lacks \['rotation_deg'\]"):
        ellipse_map(panel.geometry, pattern.table.drop(columns="rotation_deg"))
    with pytest.raises(ArgumentError, match="cmap='nope'"):
        ellipse_map(panel.geometry, pattern.table, cmap="nope")
    with pytest.raises(ArgumentTypeError, match="pattern_table must be a pandas DataFrame"):
        ellipse_map(panel.geometry, pattern)  # type: ignore[arg-type]


# --------------------------------------------------------------------- output
def test_figures_are_reproducible_and_leave_no_pyplot_state(
    panel: CityPanel, clusters: pd.Series, scatter: tuple[pd.DataFrame, float],
    pattern: PatternResult,
) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()

    def build() -> list[Figure]:
        return [keep(lisa_map(panel.geometry, clusters, simulated=True)),
                keep(moran_scatter_plot(scatter[0], year=2023)),
                keep(ellipse_map(panel.geometry, pattern.table))]

    for first, second in zip(build(), build(), strict=True):
        assert png_bytes(first) == png_bytes(second)
    assert plt.get_fignums() == before
