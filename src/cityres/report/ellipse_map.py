"""The standard deviational ellipse map with the migration path of the mean centre.

Ellipses are drawn from :func:`cityres.spatial.pattern.ellipse_outline`, so the map and
:meth:`cityres.spatial.pattern.PatternResult.ellipse_polygons` agree point for point.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import use_cjk
from cityres.report.i18n import Lang, Text, check_lang
from cityres.report.mapkit import (
    MAP_TEXT,
    as_wgs84,
    draw_names,
    finish_map,
    frame_axes,
    map_legend,
    shape_path,
)
from cityres.spatial.pattern import ellipse_outline, great_circle

__all__ = ["ellipse_map"]


_LABELS: Mapping[str, Text] = {
    "ellipse": Text("标准差椭圆", "Standard deviational ellipse"),
    "ellipse_title": Text("重心与标准差椭圆", "Mean centre and standard deviational ellipse"),
    "centre": Text("重心", "Mean centre"),
    "moved": Text("重心累计移动 {d} 公里", "Centre moved {d} km in total"),
    "year": Text("{y}年", "{y}"),
}


# --------------------------------------------------------------------- ellipse map
def ellipse_map(
    geometry: object,
    pattern_table: pd.DataFrame,
    *,
    years: Sequence[Hashable] | None = None,
    lang: Lang = "zh",
    title: Text | str | None = None,
    simulated: bool = False,
    names: pd.Series | None = None,
    cmap: str = "plasma",
    boundary_note: bool = True,
) -> Figure:
    """Standard deviational ellipses by year over the city map, and the centre's path.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame or geopandas.GeoSeries
        City polygons indexed by city code (drawn light grey).
    pattern_table : pandas.DataFrame
        :attr:`cityres.spatial.pattern.PatternResult.table`: indexed by year with
        ``centre_lon``, ``centre_lat``, ``sigma_x_km``, ``sigma_y_km``, ``rotation_deg``
        (and ``origin_lon`` / ``origin_lat``); ellipses are drawn with
        :func:`cityres.spatial.pattern.ellipse_outline`.
    years : sequence, optional
        Rows to draw, in this order of time; all rows by default.
    lang : {"zh", "en"}
    title : Text or str, optional
        "重心与标准差椭圆" / "Mean centre and standard deviational ellipse" by default.
    simulated : bool
        Draw the simulated-data mark.
    names : pandas.Series, optional
        City labels indexed by code.
    cmap : str
        Sequential matplotlib colormap giving one colour per year (early → late).
    boundary_note : bool
        Write the note that boundaries are schematic.

    Returns
    -------
    matplotlib.figure.Figure
        The map axes (ellipse lines ``"ellipse-<year>"``, centres ``"centre-<year>"``,
        arrows ``"move-<from>-<to>"``) and, with two or more years, an inset
        (``"centre-path"``) zooming on the centres' path under the note of the total
        distance moved.

    Raises
    ------
    ArgumentError
        Missing columns, an unknown year, non-finite values, a bad ``cmap`` or ``lang``.
    ArgumentTypeError
        ``geometry`` not a GeoDataFrame / GeoSeries or ``pattern_table`` not a DataFrame.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.pattern import centre_and_ellipse
    >>> from cityres.report.spatial_maps import ellipse_map
    >>> panel = cityres.datasets.load("yrd_sim")
    >>> table = centre_and_ellipse(panel, "gdp_pc", years=[2011, 2017, 2023]).table
    >>> fig = ellipse_map(panel.geometry, table, lang="en", simulated=True)
    >>> sorted(g for line in fig.axes[0].get_lines() if (g := line.get_gid() or "")[:3] == "ell")
    ['ellipse-2011', 'ellipse-2017', 'ellipse-2023']
    """
    import geopandas as gpd
    from shapely.geometry import Polygon

    lang = check_lang(lang)
    shapes = as_wgs84(geometry)
    table = _pattern_rows(pattern_table, years)
    if cmap not in matplotlib.colormaps:
        raise ArgumentError(f"cmap={cmap!r} is not a matplotlib colormap, e.g. 'plasma'")
    spots = np.linspace(0.1, 0.85, len(table)) if len(table) > 1 else np.array([0.6])
    colors = matplotlib.colormaps[cmap](spots)
    outlines = [ellipse_outline(row) for _, row in table.iterrows()]
    extent = gpd.GeoSeries([*shapes.to_numpy(), *(Polygon(np.column_stack(o)) for o in outlines)])
    lon, lat = table["centre_lon"].to_numpy(), table["centre_lat"].to_numpy()
    moves = [great_circle(lon[i], lat[i], lon[i + 1], lat[i + 1])[0] for i in range(len(lon) - 1)]

    with use_cjk():
        fig = new_figure((6.6, 7.0), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        for code, shape in shapes.items():
            ax.add_artist(PathPatch(shape_path(shape), facecolor="#ececec", edgecolor="white",
                                   linewidth=0.6, zorder=1, gid=f"city-{code}"))
        frame_axes(ax, extent)
        if names is not None:
            draw_names(ax, shapes, names, lang)
        handles: list[Line2D] = []
        for (year, _), (x, y), color in zip(table.iterrows(), outlines, colors, strict=True):
            (line,) = ax.plot(x, y, color=color, linewidth=1.6, zorder=3, gid=f"ellipse-{year}",
                              label=_year_label(year, lang))
            handles.append(line)
        _draw_centres(ax, lon, lat, list(table.index), colors, markersize=3.5,
                      min_reach=0.03)
        handles.append(Line2D([], [], color="#333333", marker="o", markersize=4, linewidth=0.8,
                              label=_LABELS["centre"].get(lang)))
        map_legend(ax, handles, _LABELS["ellipse"].get(lang))
        finish_map(fig, ax, lang, boundary_note=boundary_note,
                   title=as_text(title, lang) or _LABELS["ellipse_title"].get(lang))
        if len(table) > 1:
            box = _inset_box(ax, shapes, outlines)
            inset = ax.inset_axes(box)
            inset.set_anchor(("N" if box[1] > 0.5 else "S") + ("E" if box[0] > 0.5 else "W"))
            _draw_inset(inset, lon, lat, list(table.index), colors, float(np.sum(moves)), lang)
        fig.draw_without_rendering()
    return fig


def _year_label(year: Hashable, lang: Lang) -> str:
    """"2011年" / "2011" for a year; other labels (a cross-section's "all") as they are."""
    if isinstance(year, int | np.integer):
        return _LABELS["year"].format(y=int(year)).get(lang)
    return str(year)


def _pattern_rows(pattern_table: pd.DataFrame, years: Sequence[Hashable] | None) -> pd.DataFrame:
    if not isinstance(pattern_table, pd.DataFrame):
        raise ArgumentTypeError(
            f"pattern_table must be a pandas DataFrame; got {type(pattern_table).__name__}")
    needed = ["centre_lon", "centre_lat", "sigma_x_km", "sigma_y_km", "rotation_deg"]
    missing = [c for c in needed if c not in pattern_table.columns]
    if missing:
        raise ArgumentError(f"pattern_table lacks {missing}; pass PatternResult.table "
                            f"(columns: {list(pattern_table.columns)})")
    if years is None:
        table = pattern_table
    else:
        unknown = [y for y in years if y not in pattern_table.index]
        if unknown or not len(years):
            raise ArgumentError(f"years={list(years)!r}: {unknown or 'none given'} not in "
                                f"pattern_table; years: {list(pattern_table.index)}")
        table = pattern_table.loc[list(years)]
    if table.empty:
        raise ArgumentError("pattern_table has no rows")
    values = table[needed].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        bad = table.index[~np.isfinite(values).all(axis=1)]
        raise ArgumentError(f"pattern_table has missing values in years {list(bad)}")
    return table


def _draw_centres(ax: Axes, lon: np.ndarray, lat: np.ndarray, years: list[Hashable],
                  colors: np.ndarray, *, markersize: float, min_reach: float) -> None:
    """Centres as points and arrows between consecutive ones at least ``min_reach`` long
    (a fraction of the axes)."""
    for i, year in enumerate(years):
        ax.plot(lon[i], lat[i], marker="o", markersize=markersize, color=colors[i],
                markeredgecolor="#333333", markeredgewidth=0.5, linestyle="none", zorder=5,
                gid=f"centre-{year}")
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for i in range(len(years) - 1):
        reach = np.hypot((lon[i + 1] - lon[i]) / (x1 - x0), (lat[i + 1] - lat[i]) / (y1 - y0))
        if reach < min_reach:  # too short to show an arrow at this scale (see the inset)
            continue
        ax.annotate("", xy=(lon[i + 1], lat[i + 1]), xytext=(lon[i], lat[i]), zorder=4,
                    arrowprops={"arrowstyle": "-|>", "color": "#333333", "linewidth": 0.8,
                                "shrinkA": 2.0, "shrinkB": 2.0, "mutation_scale": 7},
                    gid=f"move-{years[i]}-{years[i + 1]}", annotation_clip=False)


#: Where the inset may go (axes fraction x, y, width, height): upper right, lower right,
#: upper left (below the north arrow); the legend holds the lower left.
_INSET_SPOTS = ((0.70, 0.70, 0.28, 0.28), (0.64, 0.62, 0.34, 0.34), (0.70, 0.10, 0.28, 0.28),
                (0.64, 0.10, 0.34, 0.34), (0.02, 0.52, 0.30, 0.30))


def _inset_box(ax: Axes, shapes: pd.Series, outlines: list[tuple[np.ndarray, np.ndarray]]
               ) -> tuple[float, float, float, float]:
    """The inset spot hiding the fewest ellipse vertices and the least land (first on ties)."""
    import shapely

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    lon = np.concatenate([o[0] for o in outlines])
    lat = np.concatenate([o[1] for o in outlines])
    costs = []
    for fx, fy, fw, fh in _INSET_SPOTS:
        box = shapely.box(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0),
                          x0 + (fx + fw) * (x1 - x0), y0 + (fy + fh) * (y1 - y0))
        hidden = float(shapely.contains_xy(box, lon, lat).mean())
        land = float(shapely.area(shapely.intersection(shapes.to_numpy(), box)).sum()) / box.area
        costs.append(round(hidden + land, 9))
    return _INSET_SPOTS[int(np.argmin(costs))]


def _draw_inset(inset: Axes, lon: np.ndarray, lat: np.ndarray, years: list[Hashable],
                colors: np.ndarray, total_km: float, lang: Lang) -> None:
    """The centres' path zoomed in, with a small scale bar and the total distance moved."""
    inset.set_gid("centre-path")
    _draw_centres(inset, lon, lat, years, colors, markersize=4.5, min_reach=1e-9)
    mid = float(np.mean(lat))
    km_per_degree = 111.32 * float(np.cos(np.deg2rad(mid)))
    stretch = 1.0 / float(np.cos(np.deg2rad(mid)))
    span = max(float(np.ptp(lon)), float(np.ptp(lat)) * stretch, 0.005)  # degrees of longitude
    cx, cy = (lon.min() + lon.max()) / 2, (lat.min() + lat.max()) / 2
    inset.set_xlim(cx - 0.7 * span, cx + 0.7 * span)
    inset.set_ylim(cy - 0.7 * span / stretch, cy + 0.7 * span / stretch)
    inset.set_aspect(stretch, adjustable="box")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_zorder(7)
    for spine in inset.spines.values():
        spine.set_edgecolor("#999999")
    for i in (0, len(years) - 1):
        inset.annotate(str(years[i]), (lon[i], lat[i]), xytext=(4, 3), textcoords="offset points",
                       fontsize=6.5, color="#333333", gid=f"inset-year-{years[i]}")
    bar = _nice_length(1.4 * span * km_per_degree / 3)
    x0, y0 = cx - 0.6 * span, cy - 0.6 * span / stretch
    inset.plot([x0, x0 + bar / km_per_degree], [y0, y0], color="#333333", linewidth=1.8,
               solid_capstyle="butt", gid="inset-scale")
    inset.annotate(MAP_TEXT["km"].format(n=f"{bar:g}").get(lang), (x0, y0), xytext=(0, 2),
                   textcoords="offset points", fontsize=6, color="#333333", va="bottom")
    inset.set_title(_LABELS["moved"].format(d=f"{total_km:.1f}").get(lang), fontsize=7,
                    color="#333333", pad=2)


def _nice_length(limit: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``limit`` (a scale-bar length in km)."""
    if limit <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(limit))
    return float(max(m * power for m in (1, 2, 5) if m * power <= limit))
