"""Figures of shock-based resilience results: the resistance / recovery quadrant chart and
the indexed-outcome line chart (Martin 2012).

Both functions follow the conventions of :mod:`cityres.report.figures`: a
:class:`matplotlib.figure.Figure` built directly (no pyplot), every text in the CJK font
of :mod:`cityres.report.fonts`, labels in ``lang`` ("zh" or "en"), the red
"模拟数据 / SIMULATED DATA" mark when ``simulated=True``; save them with
:func:`cityres.report.figures.save_figure`.

References
----------
Martin, R. (2012). Regional economic resilience, hysteresis and recessionary shocks.
*Journal of Economic Geography*, 12(1), 1–32.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation
from matplotlib.ticker import MaxNLocator

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import font_families, use_cjk
from cityres.report.i18n import COMMON, Lang, Text, check_lang, label

__all__ = ["QUADRANTS", "indexed_lines", "quadrant_scatter"]

#: Quadrant names of the resistance / recovery chart, keyed by corner.
QUADRANTS: Mapping[str, Text] = {
    "top-right": Text("抗冲击且恢复", "resistant & recovered"),
    "top-left": Text("不抗冲击但恢复", "not resistant, recovered"),
    "bottom-left": Text("不抗冲击且未恢复", "not resistant, not recovered"),
    "bottom-right": Text("抗冲击但未恢复", "resistant, not recovered"),
}
_QUADRANT_COLORS: Mapping[str, str] = {
    "top-right": "#1a7f37",
    "top-left": "#2b6cb0",
    "bottom-left": "#c0392b",
    "bottom-right": "#b7700b",
}
_TEXT: Mapping[str, Text] = {
    "resistance": Text("抵抗力（相对基准）", "Resistance (relative to benchmark)"),
    "recovery": Text("恢复力（相对基准）", "Recovery (relative to benchmark)"),
    "resistance_short": Text("抵抗力", "resistance"),
    "recovery_short": Text("恢复力", "recovery"),
    "data_short": Text("", ""),
    "missing": Text("{n} 个城市无{what}数据，未绘出", "{n} {cities} without {what}data, not shown"),
    "quadrant_title": Text(
        "城市经济韧性：抵抗力与恢复力", "Economic resilience of cities: resistance and recovery"
    ),
    "lines_title": Text("冲击前后各城市的变化", "Cities through the shock"),
    "index_base": Text("指数（{base}年 = 100）", "Index ({base} = 100)"),
    "index_pre": Text("指数（冲击前 = 100）", "Index (pre-shock year = 100)"),
    "benchmark": Text("基准", "Benchmark"),
    "others": Text("其他城市", "Other cities"),
    "contraction": Text("收缩期", "Contraction"),
}
#: Colours of highlighted cities: tab10 without its grey (grey is for the other cities).
_HIGHLIGHT_COLORS = tuple(matplotlib.colormaps["tab10"](i) for i in (0, 1, 2, 3, 4, 5, 6, 8, 9))
_N_EXTREME = 3  # default highlight: this many highest and this many lowest cities
_POINT_SIZE = 30.0  # scatter marker area, points²
_HALO = [patheffects.withStroke(linewidth=2.0, foreground="white")]


# --------------------------------------------------------------------- quadrant scatter
def quadrant_scatter(
    table: pd.DataFrame,
    *,
    x: str = "resistance",
    y: str = "recovery",
    names: pd.Series | None = None,
    lang: Lang = "zh",
    title: Text | str | None = None,
    x_label: Text | str | None = None,
    y_label: Text | str | None = None,
    simulated: bool = False,
) -> Figure:
    """Resistance against recovery, one point per city, in four labelled quadrants.

    The axes cross at 0 (dashed lines): a city right of the vertical line resisted the
    shock better than the benchmark, a city above the horizontal line recovered better.
    The four quadrants are named in ``lang`` (:data:`QUADRANTS`) and points are coloured
    by quadrant (a value of exactly 0 counts as the upper / right side). Limits are
    symmetric-ish: 0 is always inside and the shorter side of each axis is at least half
    the longer one.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by city, with the columns ``x`` and ``y``.
    x, y : str
        Columns drawn on the horizontal and vertical axis.
    names : pandas.Series, optional
        Labels indexed by city (e.g. :func:`cityres.report.maps.short_city_names`); each
        drawn point gets its label in a small font, placed next to it where it overlaps
        least with other labels and points. No labels when omitted.
    lang : {"zh", "en"}
        Language of every label.
    title : Text or str, optional
        Title; "城市经济韧性：抵抗力与恢复力" / "Economic resilience of cities: resistance
        and recovery" by default.
    x_label, y_label : Text or str, optional
        Axis labels; by default "抵抗力（相对基准）" / "Resistance (relative to
        benchmark)" and likewise for recovery when the columns are ``resistance`` and
        ``recovery``, else the column's label from :data:`cityres.report.i18n.COMMON` or
        its name.
    simulated : bool
        Draw the simulated-data mark.

    Returns
    -------
    matplotlib.figure.Figure
        One axes holding one scatter collection (gid ``"cities"``) with a point per city
        that has both values. Rows with a missing or infinite value are skipped and
        counted in a note at the lower left ("3 cities without recovery data, not shown").

    Raises
    ------
    ArgumentError
        Bad ``lang``; ``x`` or ``y`` not a column; non-numeric values.
    ArgumentTypeError
        ``table`` is not a DataFrame or ``names`` not a Series.

    Examples
    --------
    >>> import pandas as pd
    >>> from cityres.report.charts import quadrant_scatter
    >>> table = pd.DataFrame({"resistance": [0.4, -0.2, 0.1], "recovery": [0.3, -0.5, None]},
    ...                      index=["A", "B", "C"])
    >>> fig = quadrant_scatter(table, lang="en")
    >>> len(fig.axes[0].collections[0].get_offsets())
    2
    """
    lang = check_lang(lang)
    if not isinstance(table, pd.DataFrame):
        raise ArgumentTypeError(f"table must be a pandas DataFrame; got {type(table).__name__}")
    _check_names(names)
    for argument, column in (("x", x), ("y", y)):
        if column not in table.columns:
            raise ArgumentError(
                f"{argument}={column!r} is not a column of the table; "
                f"columns: {list(table.columns)}"
            )
    xs, ys = _numeric(table[x], "x"), _numeric(table[y], "y")
    x_ok, y_ok = np.isfinite(xs), np.isfinite(ys)
    keep = x_ok & y_ok
    cities = table.index[keep]
    px, py = xs[keep], ys[keep]
    corners = np.where(
        py >= 0,
        np.where(px >= 0, "top-right", "top-left"),
        np.where(px >= 0, "bottom-right", "bottom-left"),
    )

    with use_cjk():
        fig = new_figure((6.8, 6.0), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        ax.tick_params(labelfontfamily=font_families())
        ax.set_xlim(*_limits(px))
        ax.set_ylim(*_limits(py))
        ax.axhline(0.0, color="#555555", linestyle="--", linewidth=0.9, zorder=1, gid="zero-y")
        ax.axvline(0.0, color="#555555", linestyle="--", linewidth=0.9, zorder=1, gid="zero-x")
        quadrant_texts = _draw_quadrant_names(ax, lang)
        ax.scatter(
            px,
            py,
            s=_POINT_SIZE,
            c=[_QUADRANT_COLORS[c] for c in corners],
            edgecolors="white",
            linewidths=0.6,
            zorder=3,
            gid="cities",
        )
        ax.set_xlabel(as_text(x_label, lang) or _axis_label(x, lang))
        ax.set_ylabel(as_text(y_label, lang) or _axis_label(y, lang))
        ax.set_title(
            as_text(title, lang) or _TEXT["quadrant_title"].get(lang), loc="left", fontsize=11
        )
        ax.grid(True, color="#eeeeee", linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        n_missing = int((~keep).sum())
        if n_missing:
            fig.text(
                0.01,
                0.008,
                _missing_note(
                    n_missing, x, y, bool(x_ok[~keep].all()), bool(y_ok[~keep].all())
                ).get(lang),
                fontsize=7.5,
                color="#555555",
                gid="missing-note",
            )
        fig.draw_without_rendering()  # fixes the layout before labels are placed
        if names is not None:
            labels = _lookup_names(names, cities)
            _place_labels(ax, px, py, labels, cities, quadrant_texts, lang)
        fig.draw_without_rendering()
    return fig


def _numeric(values: pd.Series, argument: str) -> np.ndarray:
    try:
        return pd.to_numeric(values, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise ArgumentError(f"{argument}={values.name!r} must be numeric; {err}") from err


def _limits(values: np.ndarray) -> tuple[float, float]:
    """Axis limits holding the values and 0, each side at least half the other, padded."""
    if values.size == 0:
        return -1.0, 1.0
    lo, hi = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    reach = max(-lo, hi)
    if reach == 0.0:
        reach = 1.0
    lo, hi = min(lo, -0.5 * reach), max(hi, 0.5 * reach)
    pad = 0.12 * (hi - lo)
    return lo - pad, hi + pad


def _axis_label(column: str, lang: Lang) -> str:
    if column in ("resistance", "recovery"):
        return _TEXT[column].get(lang)
    return label(column).get(lang)


def _missing_note(n: int, x: str, y: str, x_all_ok: bool, y_all_ok: bool) -> Text:
    """ "3 cities without recovery data": names the variable when only one is missing."""
    if x_all_ok:
        what = _short_name(y)
    elif y_all_ok:
        what = _short_name(x)
    else:
        what = _TEXT["data_short"]
    return Text(
        _TEXT["missing"].zh.format(n=n, what=what.zh),
        _TEXT["missing"].en.format(
            n=n, cities="city" if n == 1 else "cities", what=f"{what.en} " if what.en else ""
        ),
    )


def _short_name(column: str) -> Text:
    if column in ("resistance", "recovery"):
        return _TEXT[f"{column}_short"]
    return Text(label(column).zh, label(column).en)


def _draw_quadrant_names(ax: Axes, lang: Lang) -> list[matplotlib.text.Text]:
    """The four quadrant names in the axes corners, in the quadrant colours."""
    spots = {
        "top-right": (0.98, 0.98, "right", "top"),
        "top-left": (0.02, 0.98, "left", "top"),
        "bottom-left": (0.02, 0.02, "left", "bottom"),
        "bottom-right": (0.98, 0.02, "right", "bottom"),
    }
    out = []
    for corner, (fx, fy, ha, va) in spots.items():
        out.append(
            ax.text(
                fx,
                fy,
                QUADRANTS[corner].get(lang),
                transform=ax.transAxes,
                ha=ha,
                va=va,
                fontsize=9,
                color=_QUADRANT_COLORS[corner],
                alpha=0.85,
                zorder=2,
                gid=f"quadrant-{corner}",
            )
        )
    return out


def _check_names(names: object) -> None:
    if names is not None and not isinstance(names, pd.Series):
        raise ArgumentTypeError(
            f"names must be a pandas Series indexed by city; got {type(names).__name__}"
        )


def _lookup_names(names: pd.Series, cities: pd.Index) -> list[str | None]:
    """The label of each city from ``names`` (matched as given, else as text)."""
    by_text = {str(k): v for k, v in names.items()}
    out: list[str | None] = []
    for city in cities:
        value = names.get(city) if city in names.index else by_text.get(str(city))
        out.append(None if value is None or pd.isna(value) or str(value) == "" else str(value))
    return out


_HAlign = Literal["left", "center", "right"]
_VAlign = Literal["bottom", "center", "top"]
# label candidates: offset from the point (points) and alignment; nearest first
_NEAR = 4.5
_CANDIDATES: tuple[tuple[float, float, _HAlign, _VAlign], ...] = (
    (_NEAR, _NEAR * 0.4, "left", "bottom"),
    (_NEAR, -_NEAR * 0.4, "left", "top"),
    (-_NEAR, _NEAR * 0.4, "right", "bottom"),
    (-_NEAR, -_NEAR * 0.4, "right", "top"),
    (0.0, _NEAR, "center", "bottom"),
    (0.0, -_NEAR, "center", "top"),
    (_NEAR * 2.2, 0.0, "left", "center"),
    (-_NEAR * 2.2, 0.0, "right", "center"),
    (_NEAR * 2.0, _NEAR * 2.2, "left", "bottom"),
    (-_NEAR * 2.0, _NEAR * 2.2, "right", "bottom"),
    (_NEAR * 2.0, -_NEAR * 2.2, "left", "top"),
    (-_NEAR * 2.0, -_NEAR * 2.2, "right", "top"),
)
_FAR = 6  # candidates from this index on are drawn with a thin leader line


def _overlap(box: np.ndarray, boxes: np.ndarray) -> float:
    """Total area of ``box`` ([x0, y0, x1, y1]) covered by each of ``boxes``, summed."""
    if boxes.size == 0:
        return 0.0
    w = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    h = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return float((np.clip(w, 0.0, None) * np.clip(h, 0.0, None)).sum())


def _place_labels(
    ax: Axes,
    xs: np.ndarray,
    ys: np.ndarray,
    labels: list[str | None],
    cities: pd.Index,
    obstacles: list[matplotlib.text.Text],
    lang: Lang,
) -> None:
    """Label each point at the candidate offset overlapping least (greedy, deterministic).

    Overlap is measured in display space against labels already placed, every point's
    marker, the quadrant names and the outside of the axes; the first candidate without
    any overlap wins, else the one with the least. Labels are placed from the most crowded
    point outward, so isolated points (which have room anyway) come last.
    """
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer = canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    centres = ax.transData.transform(np.column_stack([xs, ys])) if len(xs) else np.empty((0, 2))
    radius = np.sqrt(_POINT_SIZE) / 2.0 * px_per_pt + 1.0
    markers = np.column_stack([centres - radius, centres + radius]) if len(xs) else np.empty((0, 4))
    frame = ax.get_window_extent(renderer)
    fixed = [np.asarray(t.get_window_extent(renderer).extents) for t in obstacles]
    zero = ax.transData.transform([(0.0, 0.0)])[0]  # the dashed lines: thin obstacles
    fixed.append(np.array([frame.x0, zero[1] - 1.0, frame.x1, zero[1] + 1.0]))
    fixed.append(np.array([zero[0] - 1.0, frame.y0, zero[0] + 1.0, frame.y1]))
    placed: list[np.ndarray] = []
    if len(xs) > 1:
        gaps = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
        np.fill_diagonal(gaps, np.inf)
        crowding = gaps.min(axis=1)
    else:
        crowding = np.zeros(len(xs))
    order = np.lexsort((np.arange(len(xs)), crowding))
    fontsize = 7.0 if lang == "zh" else 6.5
    style = {
        "textcoords": "offset points",
        "fontsize": fontsize,
        "color": "#1a1a1a",
        "path_effects": _HALO,
        "zorder": 4,
        "annotation_clip": False,
    }
    probe = ax.annotate("", xy=(0.0, 0.0), xytext=(0.0, 0.0), **style)  # type: ignore[arg-type]
    probe.set_in_layout(False)
    frame_box = np.array([frame.extents])
    for i in order:
        text = labels[i]
        if text is None:
            continue
        probe.set_text(text)
        probe.xy = (xs[i], ys[i])
        others = np.delete(markers, i, axis=0)
        other_centres = np.delete(centres, i, axis=0)
        obstacles_now = np.array(fixed + placed).reshape(-1, 4)
        best: tuple[float, int, np.ndarray] | None = None
        for k, (dx, dy, ha, va) in enumerate(_CANDIDATES):
            _set_offset(probe, dx, dy, ha, va)
            box = np.asarray(probe.get_window_extent(renderer).extents)
            outside = (box[2] - box[0]) * (box[3] - box[1]) - _overlap(box, frame_box)
            cost = _overlap(box, obstacles_now) + _overlap(box, others) + 4.0 * outside
            cost += _ambiguity(box, centres[i], other_centres)
            if best is None or cost < best[0]:
                best = (cost, k, box)
            if cost == 0.0:
                break
        assert best is not None
        _, k, box = best
        dx, dy, ha, va = _CANDIDATES[k]
        leader = (
            {
                "arrowstyle": "-",
                "color": "#999999",
                "linewidth": 0.5,
                "shrinkA": 0.0,
                "shrinkB": 3.0,
            }
            if k >= _FAR
            else None
        )
        annotation = ax.annotate(
            text,
            xy=(xs[i], ys[i]),
            xytext=(dx, dy),
            ha=ha,
            va=va,
            arrowprops=leader,
            gid=f"label-{cities[i]}",
            **style,  # type: ignore[arg-type]
        )
        annotation.set_in_layout(False)
        placed.append(box)
    probe.remove()


def _ambiguity(box: np.ndarray, own: np.ndarray, others: np.ndarray) -> float:
    """A cost when another point is nearer the label than its own point (it would read as
    that point's label): a tenth of the label's area per such point."""
    if others.size == 0:
        return 0.0

    def gap(points: np.ndarray) -> np.ndarray:
        dx = np.maximum(np.maximum(box[0] - points[:, 0], points[:, 0] - box[2]), 0.0)
        dy = np.maximum(np.maximum(box[1] - points[:, 1], points[:, 1] - box[3]), 0.0)
        return np.hypot(dx, dy)

    nearer = int((gap(others) < gap(own[None, :])[0]).sum())
    return 0.1 * nearer * float((box[2] - box[0]) * (box[3] - box[1]))


def _set_offset(annotation: Annotation, dx: float, dy: float, ha: _HAlign, va: _VAlign) -> None:
    annotation.xyann = (dx, dy)
    annotation.set_horizontalalignment(ha)
    annotation.set_verticalalignment(va)


# --------------------------------------------------------------------- indexed lines
def indexed_lines(
    indexed: pd.DataFrame,
    *,
    benchmark: str | None = "benchmark",
    highlight: Sequence[Hashable] | None = None,
    names: pd.Series | None = None,
    shock_years: tuple[int, int] | Sequence[int] | None = None,
    lang: Lang = "zh",
    title: Text | str | None = None,
    y_label: Text | str | None = None,
    simulated: bool = False,
) -> Figure:
    """An outcome indexed to 100 at the pre-shock year: every city and the benchmark.

    The benchmark is a thick black line, the ``highlight`` cities are coloured lines named
    in the legend (ordered by their last value, highest first), every other city is a thin
    grey line. A dotted line marks 100 and the contraction window is shaded.

    Parameters
    ----------
    indexed : pandas.DataFrame
        Index: years; columns: city ids and the ``benchmark`` column; values: the outcome
        indexed to 100 at the pre-shock year. Missing values leave gaps.
    benchmark : str or None
        The benchmark column; None when there is none.
    highlight : sequence of city ids, optional
        Cities drawn in colour (at most 9). By default the 3 highest and the 3 lowest at
        the last year (each city's last non-missing value; all cities when there are 6 or
        fewer).
    names : pandas.Series, optional
        Legend labels of the highlighted cities, indexed by city id (e.g.
        :func:`cityres.report.maps.short_city_names`); the id where missing.
    shock_years : (int, int), optional
        ``(peak, trough)``: the contraction window, shaded; ``peak`` is also named as the
        base year in the default y label.
    lang : {"zh", "en"}
        Language of every label.
    title : Text or str, optional
        Title; "冲击前后各城市的变化" / "Cities through the shock" by default.
    y_label : Text or str, optional
        Y label; by default "指数（2019年 = 100）" / "Index (2019 = 100)" with the base year
        from ``shock_years``, else the year where every value is 100, else "pre-shock
        year".
    simulated : bool
        Draw the simulated-data mark.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; the legend is at the right of the figure.

    Raises
    ------
    ArgumentError
        Bad ``lang``; ``benchmark`` or a highlighted city not a column; more than 9
        highlighted cities; non-numeric years or values; a bad ``shock_years``.
    ArgumentTypeError
        ``indexed`` is not a DataFrame or ``names`` not a Series.

    Notes
    -----
    Artists carry gids so that tests and later steps can find them: ``"benchmark"``,
    ``"highlight-<id>"`` (coloured cities), ``"city-<id>"`` (grey cities), ``"base-100"``
    (the dotted line) and ``"contraction"`` (the shaded window).

    Examples
    --------
    >>> import pandas as pd
    >>> from cityres.report.charts import indexed_lines
    >>> indexed = pd.DataFrame({"A": [100, 95, 104], "B": [100, 90, 96],
    ...                         "benchmark": [100, 93, 100]}, index=[2019, 2020, 2021])
    >>> fig = indexed_lines(indexed, shock_years=(2019, 2020), lang="en")
    >>> sorted(line.get_gid() for line in fig.axes[0].get_lines())
    ['base-100', 'benchmark', 'highlight-A', 'highlight-B']
    """
    lang = check_lang(lang)
    if not isinstance(indexed, pd.DataFrame):
        raise ArgumentTypeError(f"indexed must be a pandas DataFrame; got {type(indexed).__name__}")
    _check_names(names)
    if benchmark is not None and benchmark not in indexed.columns:
        raise ArgumentError(
            f"benchmark={benchmark!r} is not a column of the frame; "
            f"columns: {list(indexed.columns)[:12]} (pass benchmark=None when there is none)"
        )
    try:
        years = pd.to_numeric(pd.Series(indexed.index), errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise ArgumentError(f"the index of indexed must hold years; {err}") from err
    frame = indexed.iloc[np.argsort(years, kind="stable")]
    years = np.sort(years, kind="stable")
    try:
        values = frame.apply(pd.to_numeric, errors="raise").astype(float)
    except (TypeError, ValueError) as err:
        raise ArgumentError(f"indexed must hold numbers; {err}") from err
    cities = [c for c in values.columns if benchmark is None or c != benchmark]
    chosen = _highlighted(values[cities], highlight)
    window = _window(shock_years)
    last = values[cities].ffill().iloc[-1] if len(values) else pd.Series(dtype=float)
    chosen = sorted(chosen, key=lambda c: (-_finite(last.get(c)), str(c)))

    with use_cjk():
        fig = new_figure((7.6, 4.6), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        ax.tick_params(labelfontfamily=font_families())
        handles: list[Line2D | Patch] = []
        if window is not None:
            span = ax.axvspan(
                window[0],
                window[1],
                color="#f2d7d5",
                alpha=0.7,
                linewidth=0,
                zorder=0,
                gid="contraction",
            )
            text = _TEXT["contraction"].get(lang)
            years_text = f"{window[0]}–{window[1]}"
            span.set_label(
                f"{text}（{years_text}年）" if lang == "zh" else f"{text} ({years_text})"
            )
        ax.axhline(100.0, color="#444444", linestyle=":", linewidth=1.0, zorder=1, gid="base-100")
        other = None
        for city in cities:
            if city in chosen:
                continue
            (other,) = ax.plot(
                years,
                values[city].to_numpy(),
                color="#b3b3b3",
                linewidth=0.7,
                zorder=2,
                gid=f"city-{city}",
                label="_nolegend_",
            )
        lines: list[Line2D] = []
        for i, city in enumerate(chosen):
            (line,) = ax.plot(
                years,
                values[city].to_numpy(),
                color=_HIGHLIGHT_COLORS[i],
                linewidth=1.6,
                marker="o",
                markersize=3.0,
                zorder=4,
                gid=f"highlight-{city}",
                label=_city_name(names, city),
            )
            lines.append(line)
        if benchmark is not None:
            (bench,) = ax.plot(
                years,
                values[benchmark].to_numpy(),
                color="black",
                linewidth=2.8,
                zorder=3,
                gid="benchmark",
                label=_TEXT["benchmark"].get(lang),
            )
            handles.append(bench)
        handles.extend(lines)
        if other is not None:
            handles.append(
                Line2D([], [], color="#b3b3b3", linewidth=0.9, label=_TEXT["others"].get(lang))
            )
        if window is not None:
            handles.append(Patch(facecolor="#f2d7d5", alpha=0.7, label=str(span.get_label())))
        ax.set_xlabel(COMMON["year"].get(lang))
        ax.set_ylabel(as_text(y_label, lang) or _index_label(values, years, window, lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, color="#e5e5e5", linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        if len(years):
            ax.set_xlim(years[0] - 0.25, years[-1] + 0.25)
        ax.set_title(
            as_text(title, lang) or _TEXT["lines_title"].get(lang), loc="left", fontsize=11
        )
        fig.legend(handles=handles, loc="outside right upper", frameon=False, fontsize=8.5)
        fig.draw_without_rendering()
    return fig


def _highlighted(values: pd.DataFrame, highlight: Sequence[Hashable] | None) -> list[Hashable]:
    """The highlighted columns: as asked (validated), else the extremes at the last year."""
    if highlight is not None:
        if isinstance(highlight, str):
            highlight = [highlight]
        by_text = {str(c): c for c in values.columns}
        out: list[Hashable] = []
        for city in highlight:
            column = city if city in values.columns else by_text.get(str(city))
            if column is None:
                raise ArgumentError(
                    f"highlight city {city!r} is not a column of the frame; "
                    f"cities include {list(values.columns)[:12]}"
                )
            if column not in out:
                out.append(column)
        if len(out) > len(_HIGHLIGHT_COLORS):
            raise ArgumentError(
                f"highlight has {len(out)} cities; at most {len(_HIGHLIGHT_COLORS)} can be "
                "told apart by colour"
            )
        return out
    if values.empty:
        return []
    last = values.ffill().iloc[-1].dropna()
    ranked = sorted(last.index, key=lambda c: (-float(last[c]), str(c)))
    if len(ranked) <= 2 * _N_EXTREME:
        return ranked
    return ranked[:_N_EXTREME] + ranked[-_N_EXTREME:]


def _window(shock_years: tuple[int, int] | Sequence[int] | None) -> tuple[int, int] | None:
    if shock_years is None:
        return None
    try:
        peak, trough = (int(v) for v in shock_years)
    except (TypeError, ValueError) as err:
        raise ArgumentError(
            f"shock_years={shock_years!r}; accepted: (peak, trough), two years"
        ) from err
    if trough < peak:
        raise ArgumentError(f"shock_years={shock_years!r}: the trough is before the peak")
    return peak, trough


def _finite(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -np.inf
    return out if np.isfinite(out) else -np.inf


def _city_name(names: pd.Series | None, city: Hashable) -> str:
    if names is not None:
        value = names.get(city) if city in names.index else None
        if value is None:
            value = {str(k): v for k, v in names.items()}.get(str(city))
        if value is not None and not pd.isna(value) and str(value):
            return str(value)
    return str(city)


def _index_label(
    values: pd.DataFrame, years: np.ndarray, window: tuple[int, int] | None, lang: Lang
) -> str:
    if window is not None:
        return _TEXT["index_base"].format(base=window[0]).get(lang)
    array = values.to_numpy(dtype=float)
    for year, row in zip(years, array, strict=True):
        finite = row[np.isfinite(row)]
        if finite.size and np.allclose(finite, 100.0, rtol=0.0, atol=1e-9):
            return _TEXT["index_base"].format(base=int(year)).get(lang)
    return _TEXT["index_pre"].get(lang)
