"""The Moran scatter plot: standardised values against their spatial lag, by quadrant.

References
----------
Anselin, L. (1996). The Moran scatterplot as an ESDA tool to assess local instability in
spatial association. In *Spatial Analytical Perspectives on GIS*, 111–125.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices
from cityres.report.charts import _POINT_SIZE, _place_labels
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import font_families, use_cjk
from cityres.report.i18n import Lang, Text, check_lang
from cityres.report.spatial_maps import CLUSTER_COLORS, CLUSTER_LABELS

__all__ = ["moran_scatter_plot"]


#: Darker shades of the quadrant colours for text on white.
_QUADRANT_TEXT_COLORS = {"HH": "#b2182b", "LH": "#4393c3", "LL": "#2166ac", "HL": "#d6604d"}
_ESDA_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
_LABELS: Mapping[str, Text] = {
    "z": Text("标准化值 z", "Standardised value (z)"),
    "lag": Text("空间滞后 Wz", "Spatial lag (Wz)"),
    "scatter_title": Text("Moran 散点图", "Moran scatter plot"),
    "moran_i": Text("Moran's I = {i}", "Moran's I = {i}"),
}


# --------------------------------------------------------------------- Moran scatter
def moran_scatter_plot(
    scatter: pd.DataFrame,
    *,
    year: int | None = None,
    names: pd.Series | None = None,
    lang: Lang = "zh",
    title: Text | str | None = None,
    slope: float | None = None,
    simulated: bool = False,
    label: int | Sequence[Hashable] | None = 5,
) -> Figure:
    """The Moran scatter plot: each city's standardised value against its spatial lag.

    Dashed lines at 0 cut the plot into the quadrants High-High (top right), Low-High (top
    left), Low-Low (bottom left) and High-Low (bottom right), named in the corners. The
    line through the origin has slope Moran's I (for row-standardised weights, I is the
    least-squares slope of Wz on z through the origin).

    Parameters
    ----------
    scatter : pandas.DataFrame
        Columns ``z`` and ``lag``, the city in a ``city`` column (else the index),
        optionally ``year`` and ``quadrant`` (``"HH"``, ``"LH"``, ``"LL"``, ``"HL"`` or
        esda's codes 1–4); the quadrant is taken from the signs of ``z`` and ``lag`` when
        absent (0 counts as high).
    year : int, optional
        The year drawn; needed when ``scatter`` holds several.
    names : pandas.Series, optional
        Labels indexed by city (:func:`cityres.report.maps.short_city_names`); the code
        where missing.
    lang : {"zh", "en"}
    title : Text or str, optional
        "Moran 散点图，2023年" / "Moran scatter plot, 2023" by default.
    slope : float, optional
        Moran's I to draw; Σ z·Wz / Σ z² when omitted.
    simulated : bool
        Draw the simulated-data mark.
    label : int, sequence of city ids or None
        Label this many cities farthest from the origin (default 5), or the cities
        listed; None or 0 for no labels.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a scatter collection (gid ``"cities"``), the line (``"moran-line"``),
        the value of I (text ``"moran-i"``), labels ``"label-<city>"``.

    Raises
    ------
    ArgumentError
        Missing columns; several years and no ``year``; an unknown ``year``, quadrant
        or labelled city; missing or non-finite ``z`` / ``lag`` (names the cities);
        fewer than 2 cities.
    ArgumentTypeError
        ``scatter`` not a DataFrame or ``names`` not a Series.

    Examples
    --------
    >>> import pandas as pd
    >>> from cityres.report.spatial_maps import moran_scatter_plot
    >>> frame = pd.DataFrame({"city": list("abcd"), "z": [1.2, -0.4, 0.3, -1.1],
    ...                       "lag": [0.6, -0.2, 0.1, -0.5]})
    >>> fig = moran_scatter_plot(frame, lang="en")
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "moran-i"]
    ["Moran's I = 0.476"]
    """
    lang = check_lang(lang)
    frame, chosen_year = _scatter_frame(scatter, year)
    z, lag = frame["z"].to_numpy(dtype=float), frame["lag"].to_numpy(dtype=float)
    cities = pd.Index(frame["city"])
    quadrants = _quadrants(frame, z, lag)
    if slope is None:
        slope = float(z @ lag / (z @ z)) if float(z @ z) > 0 else float("nan")
    elif not isinstance(slope, int | float | np.floating) or not np.isfinite(slope):
        raise ArgumentError(f"slope={slope!r}; accepted: a finite number (Moran's I)")
    labelled = _labelled(cities, z, lag, label)
    if names is not None and not isinstance(names, pd.Series):
        raise ArgumentTypeError(f"names must be a pandas Series; got {type(names).__name__}")
    lookup = {} if names is None else {str(k): v for k, v in names.items()}
    texts = [None if not keep else str(lookup.get(str(c)) or c)
             for c, keep in zip(cities, labelled, strict=True)]

    with use_cjk():
        fig = new_figure((6.6, 6.0), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        ax.tick_params(labelfontfamily=font_families())
        xr = max(float(np.abs(z).max()), 1e-9) * 1.15
        yr = max(float(np.abs(lag).max()), 1e-9) * 1.15
        ax.set_xlim(-xr, xr)
        ax.set_ylim(-yr, yr)
        ax.axhline(0.0, color="#555555", linestyle="--", linewidth=0.9, zorder=1, gid="zero-y")
        ax.axvline(0.0, color="#555555", linestyle="--", linewidth=0.9, zorder=1, gid="zero-x")
        corner_texts = []
        for key, (fx, fy, ha, va) in {"HH": (0.98, 0.98, "right", "top"),
                                      "LH": (0.02, 0.98, "left", "top"),
                                      "LL": (0.02, 0.02, "left", "bottom"),
                                      "HL": (0.98, 0.02, "right", "bottom")}.items():
            name = CLUSTER_LABELS[key].get(lang).replace(" 集聚", "").replace(" 异常", "")
            corner_texts.append(ax.text(fx, fy, f"{name} ({key})" if lang == "en" else
                                        f"{name}（{key}）", transform=ax.transAxes, ha=ha,
                                        va=va, fontsize=9, color=_QUADRANT_TEXT_COLORS[key],
                                        zorder=2, gid=f"quadrant-{key}"))
        if np.isfinite(slope):
            ax.plot([-xr, xr], [-slope * xr, slope * xr], color="#333333", linewidth=1.3,
                    zorder=2, gid="moran-line")
        corner_texts.append(ax.text(
            0.5, 0.98, _LABELS["moran_i"].format(i=f"{slope:.3f}").get(lang),
            transform=ax.transAxes, ha="center", va="top", fontsize=9.5, color="#222222",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#cccccc"},
            zorder=5, gid="moran-i"))
        ax.scatter(z, lag, s=_POINT_SIZE, c=[CLUSTER_COLORS[q] for q in quadrants],
                   edgecolors="#555555", linewidths=0.5, zorder=3, gid="cities")
        ax.set_xlabel(_LABELS["z"].get(lang))
        ax.set_ylabel(_LABELS["lag"].get(lang))
        default = _LABELS["scatter_title"].get(lang)
        if chosen_year is not None:
            default += f"，{chosen_year}年" if lang == "zh" else f", {chosen_year}"
        ax.set_title(as_text(title, lang) or default, loc="left", fontsize=11)
        ax.grid(True, color="#eeeeee", linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        fig.draw_without_rendering()
        if any(t is not None for t in texts):
            _place_labels(ax, z, lag, texts, cities, corner_texts, lang)
        fig.draw_without_rendering()
    return fig


def _scatter_frame(scatter: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    if not isinstance(scatter, pd.DataFrame):
        raise ArgumentTypeError(f"scatter must be a pandas DataFrame; got {type(scatter).__name__}")
    levels = [n for n in scatter.index.names if n in ("city", "year")]
    frame = scatter.reset_index(level=levels) if levels else scatter.copy()
    if "city" not in frame.columns:
        frame = frame.assign(city=frame.index)
    missing = [c for c in ("z", "lag") if c not in frame.columns]
    if missing:
        raise ArgumentError(f"scatter lacks {missing}; it needs 'z' and 'lag' (and 'city', "
                            f"'year'); columns: {list(frame.columns)}")
    chosen: int | None = None
    if "year" in frame.columns:
        years = sorted(pd.unique(frame["year"]).tolist())
        if year is None and len(years) > 1:
            raise ArgumentError(f"scatter holds the years {years[0]}–{years[-1]}; pass year=")
        chosen = years[0] if year is None else year
        if chosen not in years:
            raise ArgumentError(f"year={year!r} is not in scatter; years: {years}")
        frame = frame[frame["year"] == chosen]
    elif year is not None:
        raise ArgumentError(f"year={year!r} given, but scatter has no 'year' column")
    frame = frame.assign(city=frame["city"].astype(str)).reset_index(drop=True)
    try:
        values = frame[["z", "lag"]].apply(pd.to_numeric, errors="raise").astype(float)
    except (TypeError, ValueError) as err:
        raise ArgumentError(f"z and lag must be numeric; {err}") from err
    bad = ~np.isfinite(values.to_numpy()).all(axis=1)
    if bad.any():
        raise ArgumentError(f"missing or non-finite z / lag for cities "
                            f"{', '.join(frame.loc[bad, 'city'][:10])}; nothing is dropped")
    if len(frame) < 2:
        raise ArgumentError(f"the scatter needs at least 2 cities; got {len(frame)}")
    return frame.assign(z=values["z"], lag=values["lag"]), chosen


def _quadrants(frame: pd.DataFrame, z: np.ndarray, lag: np.ndarray) -> list[str]:
    if "quadrant" not in frame.columns:
        return [("H" if a >= 0 else "L") + ("H" if b >= 0 else "L") for a, b in zip(z, lag,
                                                                                    strict=True)]
    out = [_ESDA_QUADRANTS.get(int(q), q) if isinstance(q, int | np.integer) else q
           for q in frame["quadrant"]]
    unknown = sorted({str(q) for q in out if q not in _QUADRANT_TEXT_COLORS})
    if unknown:
        raise ArgumentError(f"quadrant holds {unknown}; accepted: "
                            f"{format_choices(_QUADRANT_TEXT_COLORS)} or esda's 1–4")
    return [str(q) for q in out]


def _labelled(cities: pd.Index, z: np.ndarray, lag: np.ndarray,
              label: int | Sequence[Hashable] | None) -> np.ndarray:
    if label is None or (isinstance(label, int | np.integer) and not isinstance(label, bool)):
        k = 0 if label is None else int(label)
        if k < 0:
            raise ArgumentError(f"label={label!r}; accepted: a count ≥ 0 or a list of cities")
        order = np.lexsort((np.arange(len(z)), -(z * z + lag * lag)))
        keep = np.zeros(len(z), dtype=bool)
        keep[order[:k]] = True
        return keep
    if isinstance(label, bool):
        raise ArgumentError(f"label={label!r}; accepted: a count ≥ 0 or a list of cities")
    wanted = [str(c) for c in ([label] if isinstance(label, str) else label)]
    unknown = [c for c in wanted if c not in set(cities)]
    if unknown:
        raise ArgumentError(f"label names cities not in scatter: {', '.join(unknown[:10])}")
    return np.asarray(cities.isin(wanted))
