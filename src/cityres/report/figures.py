"""Publication figures with Chinese or English labels: trend charts, saving, PNG bytes.

Every function builds a :class:`matplotlib.figure.Figure` directly (no pyplot, so no
global figure state), draws its text in the CJK font of :mod:`cityres.report.fonts` and
takes ``lang`` ("zh" or "en") for its labels. A figure of simulated data carries a red
"模拟数据 / SIMULATED DATA" mark in its lower right corner. Maps are made in
:mod:`cityres.report.maps`; :func:`choropleth` and :func:`short_city_names` are
re-exported here so that every figure function can be imported from this module.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices
from cityres.data.panel import CityPanel
from cityres.report.fonts import font_families, rc_params, use_cjk
from cityres.report.i18n import COMMON, Lang, Text, check_lang, label
from cityres.report.maps import choropleth, short_city_names

__all__ = [
    "PNG_DPI",
    "SIMULATED_MARK",
    "UNITS_ZH",
    "as_text",
    "choropleth",
    "mark_simulated",
    "new_figure",
    "png_bytes",
    "save_figure",
    "short_city_names",
    "trend_chart",
    "variable_label",
    "variable_name",
]

#: Resolution of saved PNG files (dots per inch).
PNG_DPI = 150
#: The mark every figure of simulated data carries.
SIMULATED_MARK: dict[Lang, str] = {
    "zh": "模拟数据 / SIMULATED DATA",
    "en": "SIMULATED DATA / 模拟数据",
}
Stat = Literal["mean", "median", "sum", "min", "max"]
_STATS: tuple[str, ...] = ("mean", "median", "sum", "min", "max")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">")
_FOOT = 0.32  # inches kept free at the bottom of a figure for the simulated mark

#: Chinese for the units of the bundled codebooks (a codebook ``unit_zh`` column wins).
UNITS_ZH: Mapping[str, str] = {
    "share (0-1)": "比重（0–1）",
    "100 million yuan": "亿元",
    "10,000 persons": "万人",
    "score": "得分",
    "0/1": "0/1",
    "year": "年",
    "index (about 0-1)": "指数（约 0–1）",
    "index (0-1)": "指数（0–1）",
    "index": "指数",
    "index points": "指数点",
    "ratio": "比值",
    "10,000 yuan per person": "万元/人",
    "yuan per person": "元/人",
    "10,000 yuan": "万元",
    "percent": "%",
    "percent of GDP": "占GDP的%",
    "telephones per 100 persons": "部/百人",
    "users per 100 persons": "户/百人",
    "subscribers per 100 persons": "户/百人",
    "ln(patents per 10,000 persons)": "ln(件/万人)",
    "patents per 10,000 persons": "件/万人",
    "10,000 pieces": "万件",
    "count": "个",
    "beds per 10,000 persons": "张/万人",
    "US dollars per person": "美元/人",
    "square metres per person": "平方米/人",
    "km per square km": "公里/平方公里",
    "vehicles per 10,000 persons": "辆/万人",
    "firms per 10,000 persons": "家/万人",
    "tonnes": "吨",
    "micrograms per cubic metre": "微克/立方米",
    "resilience per unit of D": "韧性/单位D",
}


# --------------------------------------------------------------------- building blocks
def new_figure(
    figsize: tuple[float, float], *, simulated: bool = False, lang: Lang = "zh"
) -> Figure:
    """A blank figure with constrained layout, an Agg canvas and the simulated mark.

    Call it inside :func:`cityres.report.fonts.use_cjk` so that its text uses the CJK
    font. A strip at the bottom is kept free for the mark whether or not it is drawn, so
    the same plot has the same layout with and without it.

    Parameters
    ----------
    figsize : (float, float)
        Width and height in inches.
    simulated : bool
        Draw the "模拟数据 / SIMULATED DATA" mark.
    lang : {"zh", "en"}
        Which language the mark starts with.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lang = check_lang(lang)
    foot = _FOOT / figsize[1]
    layout = ConstrainedLayoutEngine(rect=(0.0, foot, 1.0, 1.0 - foot))
    fig = Figure(figsize=figsize, dpi=PNG_DPI, layout=layout)
    FigureCanvasAgg(fig)
    if simulated:
        mark_simulated(fig, lang)
    return fig


def mark_simulated(fig: Figure, lang: Lang = "zh") -> None:
    """Write the red "模拟数据 / SIMULATED DATA" mark in the figure's lower right corner.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Best made by :func:`new_figure`, which keeps the bottom strip free for the mark.
    lang : {"zh", "en"}
        Which language the mark starts with; it always shows both.
    """
    fig.text(
        0.99,
        0.008,
        SIMULATED_MARK[check_lang(lang)],
        ha="right",
        va="bottom",
        fontsize=9,
        color="#b00000",
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "#fff0f0", "edgecolor": "#b00000"},
        gid="simulated-mark",
        zorder=10,
    )


def as_text(value: Text | str | None, lang: Lang) -> str | None:
    """``value`` in ``lang`` (a plain string is used as it is)."""
    if value is None or isinstance(value, str):
        return value
    return value.get(lang)


def variable_label(
    column: str,
    lang: Lang,
    *,
    variables: pd.DataFrame | None = None,
    labels: Mapping[str, Text] | None = None,
) -> str:
    """Axis label of an indicator: its name from ``labels`` or the codebook, and its unit.

    Parameters
    ----------
    column : str
        Indicator name.
    lang : {"zh", "en"}
    variables : pandas.DataFrame, optional
        Codebook indexed by name with ``label_zh``, ``label_en``, ``unit`` (and optionally
        ``unit_zh``), as :attr:`cityres.data.CityPanel.variables`.
    labels : mapping of str to Text, optional
        Labels that win over the codebook.

    Returns
    -------
    str
        ``"人均地区生产总值（元/人）"`` or ``"GDP per capita (yuan per person)"``.
    """
    lang = check_lang(lang)
    name = variable_name(column, lang, variables=variables, labels=labels)
    unit = None
    if variables is not None:
        unit = _cell(variables, column, "unit")
        if lang == "zh" and unit is not None:
            unit = _cell(variables, column, "unit_zh") or UNITS_ZH.get(unit, unit)
    if not unit:
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def variable_name(
    column: str,
    lang: Lang,
    *,
    variables: pd.DataFrame | None = None,
    labels: Mapping[str, Text] | None = None,
) -> str:
    """Name of an indicator from ``labels``, else the codebook, else :func:`label`."""
    if labels is not None and column in labels:
        return labels[column].get(lang)
    if variables is not None:
        name = _cell(variables, column, f"label_{lang}")
        if name:
            return name
    return label(column).get(lang)


def _cell(variables: pd.DataFrame, column: str, key: str) -> str | None:
    """A codebook cell as text, or None when absent, missing or empty."""
    if column not in variables.index or key not in variables.columns:
        return None
    value: object = variables[key].loc[[column]].iloc[0]
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


# --------------------------------------------------------------------- trend chart
def trend_chart(
    data: CityPanel | pd.DataFrame,
    column: str,
    *,
    by: str = "province",
    stat: Stat = "mean",
    labels: Mapping[str, Text] | None = None,
    lang: Lang = "zh",
    title: Text | str | None = None,
    simulated: bool = False,
) -> Figure:
    """Yearly mean (or another statistic) of an indicator by group, one line per group.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel (``by`` is a column of its city table or data), or a frame with a
        (``city``, ``year``) index or ``year`` column, holding ``column`` and ``by``.
    column : str
        The indicator.
    by : str
        Grouping column (``"province"``, ``"region"``, a tier...).
    stat : {"mean", "median", "sum", "min", "max"}
        Statistic over the cities of a group in a year (missing values skipped).
    labels : mapping of str to Text, optional
        Labels of groups and of ``column``; groups fall back to
        :data:`cityres.report.i18n.COMMON` (上海, 江苏, 东部...), then to a ``<by>_zh``
        column of the city table, then to the group key.
    lang : {"zh", "en"}
        Language of every label.
    title : Text or str, optional
        Title; by default "<indicator>: mean by province, 2011–2023" in ``lang``.
    simulated : bool
        Draw the simulated-data mark (always drawn for a simulated panel).

    Returns
    -------
    matplotlib.figure.Figure
        One axes; one line with markers per group, legend ordered by the last year's
        value (highest first).

    Raises
    ------
    ArgumentError
        Unknown ``lang``, ``stat``, ``column`` or ``by``.
    ArgumentTypeError
        ``data`` is neither a CityPanel nor a DataFrame.

    Examples
    --------
    >>> import cityres
    >>> from cityres.report.figures import trend_chart
    >>> panel = cityres.datasets.load("yrd_sim")
    >>> fig = trend_chart(panel, "gdp_pc", lang="en")
    >>> len(fig.axes[0].get_lines())
    4
    """
    lang = check_lang(lang)
    if stat not in _STATS:
        raise ArgumentError(f"stat={stat!r}; accepted: {format_choices(_STATS)}")
    frame, variables, zh_names, sim = _long_frame(data, column, by)
    table = frame.groupby([by, "year"], observed=True)[column].agg(stat).unstack(by)
    table = table.sort_index()
    last = table.ffill().iloc[-1] if len(table) else pd.Series(dtype=float)
    order = sorted(table.columns, key=lambda g: (-_finite(last.get(g)), str(g)))

    def group_name(key: object) -> str:
        text = str(key)
        if (labels is not None and text in labels) or text in COMMON:
            return label(text, labels).get(lang)
        if lang == "zh" and text in zh_names:
            return zh_names[text]
        return text

    with use_cjk():
        fig = new_figure((7.2, 4.4), simulated=simulated or sim, lang=lang)
        ax = fig.add_subplot()
        ax.tick_params(labelfontfamily=font_families())
        colors = [matplotlib.colormaps["tab10"](i) for i in range(10)]
        for i, group in enumerate(order):
            series = table[group]
            ax.plot(
                series.index.to_numpy(),
                series.to_numpy(dtype=float),
                marker=_MARKERS[i % len(_MARKERS)],
                markersize=4.5,
                linewidth=1.6,
                color=colors[i % len(colors)],
                label=group_name(group),
            )
        ylabel = variable_label(column, lang, variables=variables, labels=labels)
        ax.set_xlabel(COMMON["year"].get(lang))
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        values = table.to_numpy(dtype=float)
        if np.isfinite(values).any() and np.nanmax(np.abs(values)) >= 10_000:
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(
            as_text(title, lang)
            or _default_title(column, by, stat, table, lang, variables, labels),
            loc="left",
            fontsize=11,
        )
        fig.legend(loc="outside right upper", title=label(by, labels).get(lang), frameon=False)
        fig.draw_without_rendering()
    return fig


def _finite(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -np.inf
    return out if np.isfinite(out) else -np.inf


def _default_title(
    column: str,
    by: str,
    stat: str,
    table: pd.DataFrame,
    lang: Lang,
    variables: pd.DataFrame | None,
    labels: Mapping[str, Text] | None,
) -> str:
    name = variable_name(column, lang, variables=variables, labels=labels)
    years = ""
    if len(table.index):
        first, last = int(table.index.min()), int(table.index.max())
        years = f"{first}–{last}" if first != last else str(first)
    group = label(by, labels)
    stat_text = label(stat)
    if lang == "zh":
        return f"{name}：各{group.zh}{stat_text.zh}" + (f"，{years}年" if years else "")
    return f"{name}: {stat_text.en.lower()} by {group.en.lower()}" + (
        f", {years}" if years else ""
    )


def _long_frame(
    data: CityPanel | pd.DataFrame, column: str, by: str
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, str], bool]:
    """(frame with year, column, by), codebook, zh names of groups, simulated flag."""
    if isinstance(data, CityPanel):
        if column not in data.columns:
            raise ArgumentError(
                f"column={column!r} is not an indicator of the panel; "
                f"indicators include {data.columns[:12]}"
            )
        frame = data.data[[column]].reset_index()
        cities = data.cities
        if by in data.columns and by != column:
            frame[by] = data.data[by].to_numpy()
        elif by in cities.columns:
            frame[by] = frame["city"].map(cities[by]).to_numpy()
        else:
            raise ArgumentError(
                f"by={by!r} is neither a city-table column {list(cities.columns)} "
                "nor a panel indicator"
            )
        zh_names: dict[str, str] = {}
        if f"{by}_zh" in cities.columns:
            pairs = cities[[by, f"{by}_zh"]].dropna().drop_duplicates(by)
            zh_names = {str(k): str(v) for k, v in pairs.itertuples(index=False)}
        return frame, data.variables, zh_names, data.simulated
    if not isinstance(data, pd.DataFrame):
        raise ArgumentTypeError(
            f"data must be a CityPanel or a pandas DataFrame; got {type(data).__name__}"
        )
    frame = data.reset_index() if "year" in (data.index.names or []) else data
    missing = [c for c in ("year", column, by) if c not in frame.columns]
    if missing:
        raise ArgumentError(
            f"the frame lacks {missing}; it needs a 'year' column (or index level), "
            f"column={column!r} and by={by!r}; columns: {list(frame.columns)}"
        )
    return frame[["year", column, by]], None, {}, False


# --------------------------------------------------------------------- output
def _save_kwargs(fmt: str) -> dict[str, Any]:
    if fmt == "png":
        return {"format": "png", "dpi": PNG_DPI, "metadata": {"Software": None}}
    return {"format": "svg", "metadata": {"Date": None}}


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (150 dpi, no timestamp or software tag: reproducible).

    Examples
    --------
    >>> from cityres.report.figures import new_figure, png_bytes
    >>> png_bytes(new_figure((2, 1)))[:4]
    b'\\x89PNG'
    """
    return _render(fig, "png")


def _render(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(rc_params()):  # type: ignore[arg-type]
        fig.savefig(buffer, **_save_kwargs(fmt))
    return buffer.getvalue()


def save_figure(fig: Figure, path_stem: str | Path) -> dict[str, Path]:
    """Write the figure as ``<path_stem>.png`` (150 dpi) and ``<path_stem>.svg``.

    The same figure gives byte-identical files on every save: the PNG has no software
    tag, the SVG no date, and SVG ids use a fixed salt
    (:data:`cityres.report.fonts.SVG_HASHSALT`). Text in the SVG is drawn as paths, so
    the file needs no font to display.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path_stem : str or pathlib.Path
        Path without suffix; missing parent folders are created.

    Returns
    -------
    dict
        ``{"png": Path, "svg": Path}``.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for fmt in ("png", "svg"):
        path = stem.with_name(stem.name + f".{fmt}")
        path.write_bytes(_render(fig, fmt))
        out[fmt] = path
    return out
