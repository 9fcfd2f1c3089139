"""Figures of Phillips–Sul convergence clubs: the club map and the transition paths.

The map follows :func:`cityres.report.maps.choropleth` (longitude / latitude, cities
without a club grey and hatched, north arrow, scale bar, schematic-boundary note); the
path plot follows Phillips & Sul (2007, Fig. 4): the average relative transition path
h_it = X_it / N⁻¹Σ_j X_jt of each club over time. Both are bilingual and carry the
"模拟数据 / SIMULATED DATA" mark when ``simulated=True``.

References
----------
Phillips, P. C. B., & Sul, D. (2007). Transition modeling and econometric convergence
tests. Econometrica, 75(6), 1771–1855.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, PathPatch

from cityres._shared.errors import ArgumentError, ArgumentTypeError
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

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cityres.dynamics.club import ClubResult

__all__ = ["club_map", "club_paths_plot"]

_TEXT = {
    "club": Text("俱乐部 {k}", "Club {k}"),
    "divergent": Text("发散", "Divergent"),
    "legend": Text("收敛俱乐部（Phillips–Sul）", "Convergence clubs (Phillips–Sul)"),
    "x": Text("年份", "Year"),
    "y": Text("相对转移路径 h", "Relative transition path h"),
    "paths": Text("各俱乐部的平均相对转移路径", "Average relative transition path by club"),
}
_DIVERGENT_COLOR = "#9e9e9e"


def _club_colors(labels: list[object]) -> dict[object, str]:
    clubs_ = sorted(int(v) for v in labels if isinstance(v, int | np.integer))
    cmap = matplotlib.colormaps["viridis"]
    pos = np.linspace(0.05, 0.9, max(len(clubs_), 1))
    out: dict[object, str] = {c: matplotlib.colors.to_hex(cmap(p))
                              for c, p in zip(clubs_, pos, strict=False)}
    out["divergent"] = _DIVERGENT_COLOR
    return out


def _label(value: object, lang: Lang) -> str:
    if value == "divergent":
        return _TEXT["divergent"].get(lang)
    return _TEXT["club"].format(k=value).get(lang)


def _check_membership(membership: object) -> pd.Series:
    if not isinstance(membership, pd.Series):
        raise ArgumentTypeError("membership must be a pandas Series city → club number or "
                                f"'divergent'; got {type(membership).__name__}")
    bad = [v for v in pd.unique(membership.dropna())
           if v != "divergent" and not isinstance(v, int | np.integer)]
    if bad:
        raise ArgumentError(f"membership holds {bad[:5]!r}; accepted: club numbers (int) or "
                            "'divergent'")
    out = membership.copy()
    out.index = out.index.astype(str)
    return out


def club_map(geometry: object, membership: pd.Series, *, names: pd.Series | None = None,
             lang: Lang = "zh", title: Text | str | None = None,
             legend_label: Text | str | None = None, simulated: bool = False,
             boundary_note: bool = True) -> Figure:
    """A map of cities coloured by convergence club.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame or geopandas.GeoSeries
        City polygons indexed by city code.
    membership : pandas.Series
        City code → club number (int, 1 = highest level) or ``"divergent"``
        (:attr:`cityres.dynamics.ClubResult.membership`); cities absent are "no data".
    names : pandas.Series, optional
        City labels drawn on the map.
    lang : {"zh", "en"}
    title, legend_label : Text or str, optional
    simulated : bool
        Draw the simulated-data mark.
    boundary_note : bool
        Write the schematic-boundary note.

    Returns
    -------
    matplotlib.figure.Figure
        City patches have gids ``"city-<code>"``; the legend lists each club with its
        number of cities.

    Raises
    ------
    ArgumentTypeError
        ``membership`` not a Series, ``geometry`` not a GeoDataFrame / GeoSeries.
    ArgumentError
        Labels other than club numbers and ``"divergent"``; cities not in ``geometry``.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.club import clubs
    >>> from cityres.report.club_plots import club_map
    >>> panel = cityres.datasets.load("yrd_sim")
    >>> fig = club_map(panel.geometry, clubs(panel, "gdp_pc").membership, lang="en")
    >>> len(fig.axes)
    1
    """
    lang = check_lang(lang)
    shapes = as_wgs84(geometry)
    member = _check_membership(membership)
    outside = sorted(set(member.index) - set(shapes.index))
    if outside:
        raise ArgumentError(f"geometry lacks the cities {outside[:10]} of membership; pass "
                            "polygons for every city")
    classes = member.reindex(shapes.index)
    colors = _club_colors(list(pd.unique(member.dropna())))
    heading = "\n".join(t for t in (as_text(legend_label, lang), _TEXT["legend"].get(lang))
                        if t)
    with use_cjk():
        fig = new_figure((6.6, 7.0), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        for code, shape, cls in zip(shapes.index, shapes.to_numpy(), classes.to_numpy(),
                                    strict=True):
            missing = pd.isna(cls)
            ax.add_artist(PathPatch(shape_path(shape),
                                    facecolor=MISSING_FACE if missing else colors[cls],
                                    edgecolor=MISSING_EDGE if missing else "white",
                                    hatch="////" if missing else None, linewidth=0.5,
                                    gid=f"city-{code}"))
        frame_axes(ax, shapes)
        if names is not None:
            draw_names(ax, shapes, names, lang)
        counts = classes.value_counts()
        handles = [Patch(facecolor=colors[key], edgecolor="#999999",
                         label=f"{_label(key, lang)}  ({int(counts.get(key, 0))})")
                   for key in colors if int(counts.get(key, 0)) > 0]
        n_missing = int(classes.isna().sum())
        if n_missing:
            handles.append(Patch(facecolor=MISSING_FACE, edgecolor=MISSING_EDGE, hatch="////",
                                 label=f"{MAP_TEXT['no_data'].get(lang)}  ({n_missing})"))
        map_legend(ax, handles, heading)
        finish_map(fig, ax, lang, boundary_note=boundary_note, title=as_text(title, lang))
        fig.draw_without_rendering()
    return fig


def club_paths_plot(result: ClubResult, *, lang: Lang = "zh", title: Text | str | None = None,
                    simulated: bool = False) -> Figure:
    """Average relative transition path of each club (and of the divergent units).

    h_it = X_it / N⁻¹Σ_j X_jt over all units (X the analysed series: log and / or HP
    trend as in the club analysis); each line is a club's mean of h_it, thin lines the
    members.

    Parameters
    ----------
    result : ClubResult
        From :func:`cityres.dynamics.clubs`.
    lang : {"zh", "en"}
    title : Text or str, optional
    simulated : bool

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.club import clubs
    >>> from cityres.report.club_plots import club_paths_plot
    >>> res = clubs(cityres.datasets.load("yrd_sim"), "gdp_pc")
    >>> fig = club_paths_plot(res, lang="en")
    >>> fig.axes[0].get_xlabel()
    'Year'
    """
    lang = check_lang(lang)
    paths = result.transition_paths()
    member = _check_membership(result.membership)
    paths.index = paths.index.astype(str)
    colors = _club_colors(list(pd.unique(member)))
    years = paths.columns.to_numpy(dtype=np.int64)
    with use_cjk():
        fig = new_figure((7.8, 4.4), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        for key, color in colors.items():
            rows = paths.loc[member.index[member == key]]
            if rows.empty:
                continue
            for _, row in rows.iterrows():
                ax.plot(years, row.to_numpy(), color=color, linewidth=0.5, alpha=0.35)
            ax.plot(years, rows.mean(axis=0).to_numpy(), color=color, linewidth=2.0,
                    label=f"{_label(key, lang)} (n = {len(rows)})",
                    linestyle="--" if key == "divergent" else "-")
        ax.axhline(1.0, color="#555555", linewidth=0.8, linestyle=":")
        ax.set_xlabel(_TEXT["x"].get(lang))
        ax.set_ylabel(_TEXT["y"].get(lang))
        ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
        ax.set_title(as_text(title, lang) or _TEXT["paths"].get(lang), loc="left",
                     fontsize=11)
        fig.draw_without_rendering()
    return fig
