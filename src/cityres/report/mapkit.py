"""Drawing pieces shared by every city map: shapes, frame, names, north arrow, scale bar.

:mod:`cityres.report.maps` (choropleths) and :mod:`cityres.report.spatial_maps` (cluster,
hot-spot and ellipse maps) draw cities the same way through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.path import Path as MplPath

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.report.i18n import Lang, Text

MISSING_FACE = "#d9d9d9"
MISSING_EDGE = "#8c8c8c"
KM_PER_DEGREE = 111.32
MAP_TEXT: Mapping[str, Text] = {
    "no_data": Text("无数据", "No data"),
    "scheme": Text("分位数分级（{k} 级）", "Quantiles, {k} classes"),
    "north": Text("北", "N"),
    "km": Text("{n} 公里", "{n} km"),
    "boundaries": Text("示意图，边界非官方", "Schematic map; boundaries are not official"),
}


def as_wgs84(geometry: object) -> pd.Series:
    """The shapes as a GeoSeries in WGS84 indexed by code (as strings)."""
    import geopandas as gpd

    if isinstance(geometry, gpd.GeoDataFrame):
        shapes = geometry.geometry
    elif isinstance(geometry, gpd.GeoSeries):
        shapes = geometry
    else:
        raise ArgumentTypeError(
            "geometry must be a geopandas GeoDataFrame or GeoSeries indexed by city code; "
            f"got {type(geometry).__name__}"
        )
    if shapes.crs is not None and not shapes.crs.is_geographic:
        shapes = shapes.to_crs(4326)
    shapes = shapes[~(shapes.isna() | shapes.is_empty)]
    if shapes.empty:
        raise ArgumentError("geometry holds no shapes")
    shapes = shapes.copy()
    shapes.index = shapes.index.astype(str)
    return shapes


def shape_path(shape: object) -> MplPath:
    """A matplotlib path of a (multi)polygon, holes included."""
    polygons: Sequence[object] = getattr(shape, "geoms", [shape])
    paths = []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):  # type: ignore[attr-defined]
            xy = np.asarray(ring.coords)[:, :2]
            codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            paths.append(MplPath(xy, codes))
    return MplPath.make_compound_path(*paths)


def frame_axes(ax: Axes, shapes: pd.Series) -> None:
    """Fit the axes to the shapes, correct the aspect for latitude and hide the axes."""
    xmin, ymin, xmax, ymax = shapes.total_bounds
    padx, pady = (xmax - xmin) * 0.03, (ymax - ymin) * 0.03
    ax.set_xlim(xmin - padx, xmax + padx)
    ax.set_ylim(ymin - pady, ymax + pady)
    ax.set_aspect(1.0 / np.cos(np.deg2rad((ymin + ymax) / 2.0)))
    ax.set_axis_off()


def label_point(shape: object) -> tuple[float, float]:
    """A point inside the largest part of the shape."""
    parts = getattr(shape, "geoms", [shape])
    largest = max(parts, key=lambda p: p.area)
    point = largest.representative_point()
    return float(point.x), float(point.y)


def draw_names(ax: Axes, shapes: pd.Series, names: pd.Series, lang: Lang) -> None:
    labels = names.copy()
    labels.index = labels.index.astype(str)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for code, shape in shapes.items():
        text = labels.get(code)
        if text is None or pd.isna(text) or str(text) == "":
            continue
        x, y = label_point(shape)
        ax.text(
            x,
            y,
            str(text),
            ha="center",
            va="center",
            fontsize=7 if lang == "zh" else 6.3,
            color="#1a1a1a",
            path_effects=halo,
            gid=f"label-{code}",
            zorder=5,
        )


def draw_north_arrow(ax: Axes, lang: Lang) -> None:
    ax.annotate(
        "",
        xy=(0.05, 0.95),
        xytext=(0.05, 0.87),
        xycoords="axes fraction",
        textcoords="axes fraction",
        arrowprops={"arrowstyle": "-|>", "color": "#333333", "linewidth": 1.2},
    )
    ax.text(
        0.05,
        0.955,
        MAP_TEXT["north"].get(lang),
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=9,
        color="#333333",
    )


def draw_scale_bar(ax: Axes, lang: Lang) -> None:
    """A 100 km bar (50 km on small maps) at the lower right, valid at mid latitude."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    km_per_degree = KM_PER_DEGREE * np.cos(np.deg2rad((y0 + y1) / 2.0))
    width_km = (x1 - x0) * km_per_degree
    length = next((n for n in (500, 200, 100, 50, 20, 10, 5) if n <= width_km / 4), 1)
    end = x1 - (x1 - x0) * 0.04
    start = end - length / km_per_degree
    y = y0 + (y1 - y0) * 0.03
    ax.plot([start, end], [y, y], color="#333333", linewidth=2.5, solid_capstyle="butt")
    ax.text(
        (start + end) / 2,
        y + (y1 - y0) * 0.012,
        MAP_TEXT["km"].format(n=length).get(lang),
        ha="center",
        va="bottom",
        fontsize=7.5,
        color="#333333",
    )


def map_legend(ax: Axes, handles: Sequence[Artist], title: str) -> Legend:
    """The legend box every cityres map uses: lower left, small type, light frame."""
    legend = ax.legend(handles=handles, loc="lower left", title=title, fontsize=7.5,
                       title_fontsize=8, frameon=True, framealpha=0.9, edgecolor="#cccccc",
                       alignment="left")
    legend.set_zorder(6)
    return legend


def finish_map(fig: Figure, ax: Axes, lang: Lang, *, boundary_note: bool,
               title: str | None) -> None:
    """North arrow, scale bar, the boundary disclaimer (when asked) and the title."""
    draw_north_arrow(ax, lang)
    draw_scale_bar(ax, lang)
    if boundary_note:
        fig.text(0.01, 0.008, MAP_TEXT["boundaries"].get(lang), fontsize=7, color="#666666")
    if title:
        ax.set_title(title, loc="left", fontsize=11)
