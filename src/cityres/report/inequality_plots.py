"""Figures of Dagum's Gini decomposition (:func:`cityres.dynamics.dagum`): the
contributions of within-group inequality, net between-group inequality and
transvariation by year with the overall Gini, and the within- / between-group Ginis.

References
----------
Dagum, C. (1997). A new approach to the decomposition of the Gini income inequality
ratio. Empirical Economics, 22(4), 515–531.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.ticker import MaxNLocator

from cityres._shared.errors import ArgumentTypeError
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import font_families, use_cjk
from cityres.report.i18n import Lang, Text, check_lang, label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cityres.dynamics.dagum import DagumResult

__all__ = ["dagum_contribution_plot", "dagum_gini_plot"]

_LABELS: Mapping[str, Text] = {
    "Gw_pct": Text("组内差异 G_w", "Within-group G_w"),
    "Gnb_pct": Text("组间净差异 G_nb", "Net between-group G_nb"),
    "Gt_pct": Text("超变密度 G_t", "Transvariation G_t"),
    "G": Text("总体基尼系数 G（右轴）", "Overall Gini G (right axis)"),
    "pct": Text("贡献率（%）", "Contribution (%)"),
    "gini": Text("基尼系数", "Gini coefficient"),
    "year": Text("年份", "Year"),
    "title": Text("Dagum 基尼系数分解：各部分贡献率", "Dagum Gini decomposition: contributions"),
    "within": Text("组内基尼系数 G_jj", "Within-group Gini G_jj"),
    "between": Text("组间基尼系数 G_jh", "Between-group Gini G_jh"),
    "title2": Text("组内与组间基尼系数", "Within- and between-group Ginis"),
}
_COLORS = {"Gw_pct": "#4c72b0", "Gnb_pct": "#dd8452", "Gt_pct": "#55a868"}


def _check(result: object) -> None:
    for attr in ("overall", "within", "between"):
        if not hasattr(result, attr):
            raise ArgumentTypeError(f"result must be a DagumResult (from cityres.dynamics."
                                    f"dagum); got {type(result).__name__}")


def dagum_contribution_plot(
    result: DagumResult,
    *,
    lang: Lang = "zh",
    simulated: bool = False,
    title: Text | str | None = None,
) -> Figure:
    """Stacked bars of the contributions (%) of G_w, G_nb and G_t by year, with the
    overall Gini G as a line on the right axis.

    Parameters
    ----------
    result : DagumResult
        From :func:`cityres.dynamics.dagum`.
    lang : {"zh", "en"}
    simulated : bool
        Draw the simulated-data mark.
    title : Text or str, optional
        Figure title; "Dagum 基尼系数分解：各部分贡献率" / "Dagum Gini decomposition:
        contributions" by default.

    Returns
    -------
    matplotlib.figure.Figure
        Bars with gids ``"Gw_pct"``, ``"Gnb_pct"``, ``"Gt_pct"`` (one container each), the
        G line with gid ``"G"`` on the second axes.

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a Dagum result.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.dagum import dagum
    >>> res = dagum(cityres.datasets.load("yrd_sim"), "de_latent", group="region")
    >>> fig = dagum_contribution_plot(res, lang="en", simulated=True)
    >>> fig.axes[1].get_lines()[0].get_gid()
    'G'
    """
    lang = check_lang(lang)
    _check(result)
    frame = result.overall
    years = frame.index.to_numpy(dtype=np.int64)
    x = np.arange(years.size, dtype=float)
    with use_cjk():
        fig = new_figure((max(5.6, 1.2 + 0.45 * years.size), 4.2), simulated=simulated,
                         lang=lang)
        ax = fig.add_subplot()
        ax.tick_params(labelfontfamily=font_families())
        bottom = np.zeros(years.size)
        for key in ("Gw_pct", "Gnb_pct", "Gt_pct"):
            vals = frame[key].to_numpy(dtype=float)
            bars = ax.bar(x, vals, bottom=bottom, width=0.7, color=_COLORS[key],
                          label=_LABELS[key].get(lang), gid=key)
            for patch in bars.patches:
                patch.set_gid(key)
            bottom = bottom + np.nan_to_num(vals)
        ax.set_ylim(0, 100)
        ax.set_ylabel(_LABELS["pct"].get(lang))
        ax.set_xticks(x, [str(y) for y in years], rotation=45 if years.size > 8 else 0)
        ax.set_xlabel(_LABELS["year"].get(lang))
        ax.spines[["top"]].set_visible(False)
        right = ax.twinx()
        right.tick_params(labelfontfamily=font_families())
        right.plot(x, frame["G"].to_numpy(dtype=float), color="#222222", marker="o",
                   markersize=4, linewidth=1.4, gid="G", label=_LABELS["G"].get(lang))
        right.set_ylabel(_LABELS["gini"].get(lang))
        right.set_ylim(bottom=0, top=float(frame["G"].max()) * 1.15 + 1e-12)
        right.spines[["top"]].set_visible(False)
        handles, names = ax.get_legend_handles_labels()
        h2, n2 = right.get_legend_handles_labels()
        fig.suptitle(as_text(title, lang) or _LABELS["title"].get(lang), x=0.02,
                     horizontalalignment="left", fontsize=11)
        fig.legend(handles + h2, names + n2, loc="outside lower left", ncols=2, fontsize=8.5,
                   frameon=False)
        fig.draw_without_rendering()
    return fig


def dagum_gini_plot(
    result: DagumResult,
    *,
    lang: Lang = "zh",
    simulated: bool = False,
    labels: Mapping[str, Text] | None = None,
    title: Text | str | None = None,
) -> Figure:
    """Each group's within-group Gini (left) and each pair's between-group Gini (right)
    by year.

    Parameters
    ----------
    result : DagumResult
        From :func:`cityres.dynamics.dagum`.
    lang : {"zh", "en"}
    simulated : bool
        Draw the simulated-data mark.
    labels : mapping of str to Text, optional
        Names of the groups (default: the common labels, e.g. east → 东部 / East).
    title : Text or str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Lines with gids ``"within-<group>"`` and ``"between-<pair>"``.

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a Dagum result.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.dagum import dagum
    >>> res = dagum(cityres.datasets.load("yrd_sim"), "de_latent", group="region")
    >>> fig = dagum_gini_plot(res, lang="en")
    >>> [ln.get_gid() for ln in fig.axes[1].get_lines()]
    ['between-central–east']
    """
    lang = check_lang(lang)
    _check(result)

    def name(key: str) -> str:
        return label(key, labels).get(lang)

    def pair(key: str) -> str:
        return "–".join(name(k) for k in key.split("–"))

    years = result.within.index.to_numpy(dtype=np.int64)
    with use_cjk():
        fig = new_figure((9.0, 4.0), simulated=simulated, lang=lang)
        axes = fig.subplots(1, 2, sharey=True)
        for ax, frame, kind, fmt in ((axes[0], result.within, "within", name),
                                     (axes[1], result.between, "between", pair)):
            ax.tick_params(labelfontfamily=font_families())
            for col in frame.columns:
                ax.plot(years, frame[col].to_numpy(dtype=float), marker="o", markersize=3,
                        linewidth=1.3, gid=f"{kind}-{col}", label=fmt(str(col)))
            ax.set_title(_LABELS[kind].get(lang), loc="left", fontsize=9.5)
            ax.set_xlabel(_LABELS["year"].get(lang))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(True, color="#eeeeee", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.spines[["top", "right"]].set_visible(False)
            ax.legend(fontsize=8, frameon=False)
        axes[0].set_ylabel(_LABELS["gini"].get(lang))
        fig.suptitle(as_text(title, lang) or _LABELS["title2"].get(lang), x=0.02,
                     horizontalalignment="left", fontsize=11)
        fig.draw_without_rendering()
    return fig
