"""LISA cluster and Gi* hot-spot maps.

The maps follow :func:`cityres.report.maps.choropleth`: longitude / latitude with the aspect
corrected for the middle latitude, cities without a value grey and hatched ("无数据" /
"No data"), a north arrow, a scale bar and the note that boundaries are schematic. Every
figure is a :class:`matplotlib.figure.Figure` built without pyplot, with its text in the
CJK font, labels in ``lang`` ("zh" or "en") and the red "模拟数据 / SIMULATED DATA" mark
when ``simulated=True``. The Moran scatter plot is in :mod:`cityres.report.moran_plot`,
the ellipse map in :mod:`cityres.report.ellipse_map`.

References
----------
Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical
Analysis* 27(2), 93–115. Getis, A. & Ord, J. K. (1992). The analysis of spatial
association by use of distance statistics. *Geographical Analysis* 24(3), 189–206.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import use_cjk
from cityres.report.i18n import Lang, Text, check_lang
from cityres.report.mapkit import (
    MAP_TEXT,
    MISSING_EDGE,
    MISSING_FACE,
    as_wgs84,
    draw_names,
    finish_map,
    frame_axes,
    map_legend,
    shape_path,
)

__all__ = [
    "CLUSTER_COLORS",
    "CLUSTER_LABELS",
    "HOTSPOT_COLORS",
    "HOTSPOT_LABELS",
    "hotspot_map",
    "lisa_map",
]


#: Colours of the LISA cluster types (ColorBrewer RdYlBu ends, as GeoDa).
CLUSTER_COLORS: Mapping[str, str] = {
    "HH": "#d7191c", "LL": "#2c7bb6", "LH": "#abd9e9", "HL": "#fdae61", "ns": "#eeeeee"}
#: Legend labels of the LISA cluster types.
CLUSTER_LABELS: Mapping[str, Text] = {
    "HH": Text("高-高 集聚", "High-High"),
    "LL": Text("低-低 集聚", "Low-Low"),
    "LH": Text("低-高 异常", "Low-High"),
    "HL": Text("高-低 异常", "High-Low"),
    "ns": Text("不显著", "Not significant"),
}
#: Colours and labels of the Getis-Ord Gi* classes.
HOTSPOT_COLORS: Mapping[str, str] = {"hot": "#d7191c", "cold": "#2c7bb6", "ns": "#eeeeee"}
HOTSPOT_LABELS: Mapping[str, Text] = {
    "hot": Text("热点", "Hot spot"), "cold": Text("冷点", "Cold spot"),
    "ns": Text("不显著", "Not significant")}
_EDGE = "#a6a6a6"
_LABELS: Mapping[str, Text] = {
    "lisa": Text("LISA 集聚类型", "LISA cluster type"),
    "gi": Text("Getis-Ord Gi* 冷热点", "Getis-Ord Gi* hot and cold spots"),
}



# --------------------------------------------------------------------- category maps
def lisa_map(
    geometry: object,
    clusters: pd.Series,
    *,
    names: pd.Series | None = None,
    lang: Lang = "zh",
    title: Text | str | None = None,
    legend_label: Text | str | None = None,
    simulated: bool = False,
    alpha: float = 0.05,
    fdr: bool = False,
    boundary_note: bool = True,
) -> Figure:
    """A map of LISA cluster types: High-High, Low-Low, Low-High, High-Low, not significant.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame or geopandas.GeoSeries
        City polygons indexed by city code (any CRS; drawn in WGS84).
    clusters : pandas.Series
        Indexed by city code, values ``"HH"``, ``"LL"``, ``"LH"``, ``"HL"`` or ``"ns"``;
        a missing value, or a city of ``geometry`` absent from the index, is "no data"
        (grey, hatched).
    names : pandas.Series, optional
        City labels indexed by code (:func:`cityres.report.maps.short_city_names`).
    lang : {"zh", "en"}
    title : Text or str, optional
    legend_label : Text or str, optional
        First line of the legend title (e.g. the indicator and year).
    simulated : bool
        Draw the simulated-data mark.
    alpha : float
        Significance level the clusters were found at (written in the legend).
    fdr : bool
        Whether ``alpha`` was applied as a false-discovery-rate bound: the legend says
        "FDR, α = 0.05" instead of "p ≤ 0.05".
    boundary_note : bool
        Write the note that boundaries are schematic.

    Returns
    -------
    matplotlib.figure.Figure
        City patches have gids ``"city-<code>"``; the legend lists each type with its
        number of cities, then "no data" when there is any.

    Raises
    ------
    ArgumentError
        An unknown cluster label (the message names it and its cities); a city of
        ``clusters`` missing from ``geometry``; a bad ``alpha`` or ``lang``.
    ArgumentTypeError
        ``geometry`` not a GeoDataFrame / GeoSeries, ``clusters`` not a Series.

    Examples
    --------
    >>> import pandas as pd, cityres
    >>> from cityres.report.spatial_maps import lisa_map
    >>> geo = cityres.datasets.geometry("yrd41")
    >>> clusters = pd.Series("ns", index=geo.index).mask(geo.index.str.startswith("31"), "HH")
    >>> fig = lisa_map(geo, clusters, lang="en")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2]
    ['High-High  (1)', 'Low-Low  (0)']
    """
    rule = _rule(alpha, fdr)
    return _category_map(geometry, clusters, "clusters", CLUSTER_COLORS, CLUSTER_LABELS,
                         _LABELS["lisa"], rule, names=names, lang=lang, title=title,
                         legend_label=legend_label, simulated=simulated,
                         boundary_note=boundary_note)


def hotspot_map(
    geometry: object,
    labels: pd.Series,
    *,
    names: pd.Series | None = None,
    lang: Lang = "zh",
    title: Text | str | None = None,
    legend_label: Text | str | None = None,
    simulated: bool = False,
    alpha: float = 0.05,
    fdr: bool = False,
    boundary_note: bool = True,
) -> Figure:
    """A map of Getis-Ord Gi* hot spots, cold spots and not significant cities.

    As :func:`lisa_map`, with ``labels`` taking the values ``"hot"``, ``"cold"`` or
    ``"ns"`` (热点 / 冷点 / 不显著).

    Examples
    --------
    >>> import pandas as pd, cityres
    >>> from cityres.report.spatial_maps import hotspot_map
    >>> geo = cityres.datasets.geometry("yrd41")
    >>> fig = hotspot_map(geo, pd.Series("ns", index=geo.index), fdr=True)
    >>> fig.axes[0].get_legend().get_title().get_text().splitlines()[-1]
    'FDR, α = 0.05'
    """
    rule = _rule(alpha, fdr)
    return _category_map(geometry, labels, "labels", HOTSPOT_COLORS, HOTSPOT_LABELS,
                         _LABELS["gi"], rule, names=names, lang=lang, title=title,
                         legend_label=legend_label, simulated=simulated,
                         boundary_note=boundary_note)


def _rule(alpha: float, fdr: bool) -> str:
    if not isinstance(alpha, int | float | np.floating) or not 0.0 < float(alpha) < 1.0:
        raise ArgumentError(f"alpha={alpha!r}; accepted: a number between 0 and 1, e.g. 0.05")
    return f"FDR, α = {float(alpha):g}" if fdr else f"p ≤ {float(alpha):g}"


def _category_map(
    geometry: object,
    values: pd.Series,
    argument: str,
    colors: Mapping[str, str],
    texts: Mapping[str, Text],
    heading: Text,
    rule: str,
    *,
    names: pd.Series | None,
    lang: Lang,
    title: Text | str | None,
    legend_label: Text | str | None,
    simulated: bool,
    boundary_note: bool,
) -> Figure:
    lang = check_lang(lang)
    shapes = as_wgs84(geometry)
    if not isinstance(values, pd.Series):
        raise ArgumentTypeError(
            f"{argument} must be a pandas Series indexed by city code; got {type(values).__name__}")
    values = values.copy()
    values.index = values.index.astype(str)
    if values.index.has_duplicates:
        repeated = sorted(set(values.index[values.index.duplicated()]))
        raise ArgumentError(f"{argument} has repeated cities: {', '.join(repeated[:10])}")
    present = values[values.notna()]
    unknown = present[~present.isin(list(colors))]
    if len(unknown):
        shown = "; ".join(f"{v!r} (city {', '.join(unknown.index[unknown == v][:5])})"
                          for v in pd.unique(unknown)[:5])
        raise ArgumentError(f"{argument} holds unknown labels {shown}; accepted: "
                            f"{format_choices(colors)} or a missing value for no data")
    outside = sorted(set(values.index) - set(shapes.index))
    if outside:
        raise ArgumentError(f"geometry lacks the cities {', '.join(outside[:10])}"
                            + (f" and {len(outside) - 10} more" if len(outside) > 10 else "")
                            + f" of {argument}; pass polygons for every city")
    classes = values.reindex(shapes.index)
    heading_text = as_text(legend_label, lang)
    legend_title = "\n".join(t for t in (heading_text, heading.get(lang), rule) if t)

    with use_cjk():
        fig = new_figure((6.6, 7.0), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        for code, shape, cls in zip(shapes.index, shapes.to_numpy(), classes.to_numpy(),
                                    strict=True):
            missing = pd.isna(cls)
            ax.add_artist(PathPatch(  # add_artist: limits are set by frame_axes, not per patch
                shape_path(shape),
                facecolor=MISSING_FACE if missing else colors[cls],
                edgecolor=MISSING_EDGE if missing else _EDGE,
                hatch="////" if missing else None,
                linewidth=0.5,
                gid=f"city-{code}",
            ))
        frame_axes(ax, shapes)
        if names is not None:
            draw_names(ax, shapes, names, lang)
        counts = classes.value_counts()
        handles = [Patch(facecolor=colors[key], edgecolor="#999999",
                         label=f"{texts[key].get(lang)}  ({int(counts.get(key, 0))})")
                   for key in colors]
        n_missing = int(classes.isna().sum())
        if n_missing:
            handles.append(Patch(facecolor=MISSING_FACE, edgecolor=MISSING_EDGE, hatch="////",
                                 label=f"{MAP_TEXT['no_data'].get(lang)}  ({n_missing})"))
        map_legend(ax, handles, legend_title)
        finish_map(fig, ax, lang, boundary_note=boundary_note, title=as_text(title, lang))
        fig.draw_without_rendering()
    return fig
