"""City choropleth maps with Chinese or English labels.

The map is drawn in longitude / latitude (WGS84) with the aspect ratio corrected for the
middle latitude, so shapes and the scale bar are right near the centre of the map. Values
are put into ``k`` quantile classes; cities without a value are grey and hatched and
listed in the legend as "无数据" / "No data". A north arrow, a scale bar and the note that
boundaries are schematic are drawn on every map.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch

from cityres._shared.errors import ArgumentError, ArgumentTypeError
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
    shape_path,
)


def short_city_names(cities: pd.DataFrame, lang: Lang = "zh") -> pd.Series:
    """City labels for maps: "苏州" (``name_zh`` without 市) or ``name_en``.

    Parameters
    ----------
    cities : pandas.DataFrame
        City table indexed by code with ``name_zh`` and ``name_en``
        (:attr:`cityres.data.CityPanel.cities`).
    lang : {"zh", "en"}

    Returns
    -------
    pandas.Series
        Labels indexed by city code; the code where the name is missing.

    Examples
    --------
    >>> import cityres
    >>> from cityres.report.maps import short_city_names
    >>> short_city_names(cityres.datasets.load("yrd_sim").cities)["320700"]
    '连云港'
    """
    lang = check_lang(lang)
    column = f"name_{lang}"
    if column in cities.columns:
        names = cities[column].astype("string")
    else:
        names = pd.Series(pd.NA, index=cities.index, dtype="string")
    if lang == "zh":
        names = names.where(~(names.str.endswith("市") & (names.str.len() > 2)), names.str[:-1])
    fallback = pd.Series(cities.index.astype(str), index=cities.index, dtype="string")
    return names.fillna(fallback).astype(str)


def quantile_classes(values: pd.Series, k: int = 5) -> tuple[pd.Series, np.ndarray]:
    """Put values into ``k`` quantile classes.

    Parameters
    ----------
    values : pandas.Series
        Numbers; missing values get class -1.
    k : int
        Number of classes wanted; fewer are made when quantiles coincide.

    Returns
    -------
    classes : pandas.Series
        Class of each value, 0 (lowest) to ``len(edges) - 2``, or -1 when missing.
    edges : numpy.ndarray
        Class bounds from the minimum to the maximum; class ``i`` holds values in
        ``(edges[i], edges[i + 1]]`` and class 0 also holds the minimum.

    Notes
    -----
    Bounds are ``numpy.quantile`` (linear interpolation) at ``0, 1/k, ..., 1``.
    """
    x = values.to_numpy(dtype=float)
    finite = np.isfinite(x)
    codes = np.full(len(x), -1, dtype=np.int64)
    if not finite.any():
        return pd.Series(codes, index=values.index), np.array([], dtype=float)
    edges = np.unique(np.quantile(x[finite], np.linspace(0.0, 1.0, k + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0]])
    codes[finite] = np.searchsorted(edges[1:-1], x[finite], side="left")
    return pd.Series(codes, index=values.index), edges


def choropleth(
    geometry: object,
    values: pd.Series,
    *,
    names: pd.Series | None = None,
    lang: Lang = "zh",
    title: Text | str | None = None,
    legend_label: Text | str | None = None,
    cmap: str = "YlGnBu",
    k: int = 5,
    simulated: bool = False,
    boundary_note: bool = True,
) -> Figure:
    """A map of cities coloured by quantile class of ``values``.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame or geopandas.GeoSeries
        City polygons indexed by city code (:attr:`cityres.data.CityPanel.geometry`);
        WGS84, or any CRS (converted to WGS84).
    values : pandas.Series
        Numbers indexed by city code; codes not in ``geometry`` are ignored, cities
        without a value are drawn as "no data".
    names : pandas.Series, optional
        Labels indexed by city code, drawn at a point inside each city (e.g.
        :func:`short_city_names`); no labels when omitted.
    lang : {"zh", "en"}
    title : Text or str, optional
    legend_label : Text or str, optional
        What the values are (e.g. the indicator and year); heads the legend.
    cmap : str
        A matplotlib colormap name.
    k : int
        Number of quantile classes, 2 to 9.
    simulated : bool
        Draw the simulated-data mark.
    boundary_note : bool
        Write "示意图，边界非官方" / "Schematic map; boundaries are not official".

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ArgumentError
        Bad ``lang``, ``k`` or ``cmap``; non-numeric values; no code of ``values`` in
        ``geometry``.
    ArgumentTypeError
        ``geometry`` is not a GeoDataFrame / GeoSeries or ``values`` not a Series.

    Examples
    --------
    >>> import cityres
    >>> from cityres.report.maps import choropleth, short_city_names
    >>> panel = cityres.datasets.load("yrd_sim")
    >>> gdp = panel.data.xs(2023, level="year")["gdp_pc"]
    >>> fig = choropleth(panel.geometry, gdp, names=short_city_names(panel.cities),
    ...                  legend_label="人均GDP（元），2023年", simulated=True)
    >>> len(fig.axes)
    1
    """
    from cityres.report.figures import as_text, new_figure  # figures re-exports this module

    lang = check_lang(lang)
    shapes = as_wgs84(geometry)
    if not isinstance(values, pd.Series):
        raise ArgumentTypeError(f"values must be a pandas Series; got {type(values).__name__}")
    if not isinstance(k, int | np.integer) or not 2 <= int(k) <= 9:
        raise ArgumentError(f"k={k!r}; accepted: an integer from 2 to 9")
    if cmap not in matplotlib.colormaps:
        raise ArgumentError(f"cmap={cmap!r} is not a matplotlib colormap, e.g. 'YlGnBu'")
    try:
        numbers = pd.to_numeric(values, errors="raise").astype(float)
    except (TypeError, ValueError) as err:
        raise ArgumentError(f"values must be numeric; {err}") from err
    numbers.index = numbers.index.astype(str)
    if not numbers.index.isin(shapes.index).any():
        raise ArgumentError(
            "no city code of values is in the geometry index "
            f"(values: {list(numbers.index[:5])}, geometry: {list(shapes.index[:5])})"
        )
    classes, edges = quantile_classes(numbers.reindex(shapes.index), int(k))
    heading = as_text(legend_label, lang)
    title_text = as_text(title, lang)
    colors = matplotlib.colormaps[cmap](np.linspace(0.12, 0.95, max(len(edges) - 1, 1)))

    with use_cjk():
        fig = new_figure((6.6, 7.0), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        for code, shape, cls in zip(
            shapes.index, shapes.to_numpy(), classes.to_numpy(), strict=True
        ):
            missing = cls < 0
            ax.add_patch(
                PathPatch(
                    shape_path(shape),
                    facecolor=MISSING_FACE if missing else colors[cls],
                    edgecolor=MISSING_EDGE if missing else "white",
                    hatch="////" if missing else None,
                    linewidth=0.5,
                    gid=f"city-{code}",
                )
            )
        frame_axes(ax, shapes)
        if names is not None:
            draw_names(ax, shapes, names, lang)
        _draw_legend(ax, edges, classes, colors, lang, heading, int(k))
        finish_map(fig, ax, lang, boundary_note=boundary_note, title=title_text)
        fig.draw_without_rendering()
    return fig


# --------------------------------------------------------------------- helpers
def _format_edges(edges: np.ndarray) -> list[str]:
    """Class bounds as text with enough decimals to tell neighbouring bounds apart."""
    steps = np.diff(edges)
    steps = steps[steps > 0]
    scale = float(steps.min()) if len(steps) else float(abs(edges).max() or 1.0)
    decimals = int(np.clip(np.ceil(-np.log10(scale)) + 1, 0, 6))
    return [f"{e:,.{decimals}f}" for e in edges]


def _draw_legend(
    ax: Axes,
    edges: np.ndarray,
    classes: pd.Series,
    colors: np.ndarray,
    lang: Lang,
    heading: str | None,
    k: int,
) -> None:
    handles: list[Patch] = []
    if len(edges) >= 2:
        bounds = _format_edges(edges)
        counts = np.bincount(classes[classes >= 0].to_numpy(), minlength=len(edges) - 1)
        for i in range(len(edges) - 1):
            handles.append(
                Patch(
                    facecolor=colors[i],
                    edgecolor="#999999",
                    label=f"{bounds[i]} – {bounds[i + 1]}  ({counts[i]})",
                )
            )
    n_missing = int((classes < 0).sum())
    if n_missing:
        handles.append(
            Patch(
                facecolor=MISSING_FACE,
                edgecolor=MISSING_EDGE,
                hatch="////",
                label=f"{MAP_TEXT['no_data'].get(lang)}  ({n_missing})",
            )
        )
    scheme = MAP_TEXT["scheme"].format(k=len(edges) - 1 if len(edges) >= 2 else k).get(lang)
    legend = ax.legend(
        handles=handles,
        loc="lower left",
        title=f"{heading}\n{scheme}" if heading else scheme,
        fontsize=7.5,
        title_fontsize=8,
        frameon=True,
        framealpha=0.9,
        edgecolor="#cccccc",
        alignment="left",
    )
    legend.set_zorder(6)


