"""Figures of distribution dynamics: kernel-density ridgelines and surfaces, and heatmaps
of Markov transition probabilities (bilingual, with the simulated-data mark).

The functions read results duck-typed: a density result needs ``grid``, ``densities``
(columns (group, year)), ``column`` and ``log``; a Markov result ``chain.p``,
``lag_chains`` and ``k``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import font_families, use_cjk
from cityres.report.i18n import COMMON, Lang, Text, check_lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["density_3d", "density_ridgeline", "transition_heatmap"]

_LABELS: Mapping[str, Text] = {
    "density": Text("核密度", "Density"),
    "year": Text("年份", "Year"),
    "log": Text("ln({x})", "ln({x})"),
    "ridge": Text("{x}的核密度分布演进", "Evolution of the kernel density of {x}"),
    "surface": Text("{x}核密度的三维演进", "Kernel density of {x} over time"),
    "heat": Text("马尔可夫转移概率矩阵", "Markov transition probabilities"),
    "from": Text("t 年类型", "Class in year t"),
    "to": Text("t+1 年类型", "Class in year t+1"),
    "all": Text("全部（传统马尔可夫）", "All (classic Markov)"),
    "lag": Text("邻域滞后类型 {lag}", "Spatial-lag class {lag}"),
}
_FILL = "#6baed6"
_EDGE = "#08306b"


def _check_density(result: Any) -> None:
    for attr in ("grid", "densities", "column", "log"):
        if not hasattr(result, attr):
            raise ArgumentTypeError("result must be a DensityResult (from cityres.dynamics."
                                    f"kde.density); got {type(result).__name__}")


def _group_name(group: str, lang: Lang, labels: Mapping[str, Text] | None) -> str:
    if labels is not None and group in labels:
        return labels[group].get(lang)
    return COMMON[group].get(lang) if group in COMMON else group


def _x_name(result: Any, lang: Lang, x_label: Text | str | None) -> str:
    name = as_text(x_label, lang) or str(result.column)
    return _LABELS["log"].format(x=name).get(lang) if result.log else name


def density_ridgeline(result: Any, *, lang: Lang = "zh", simulated: bool = False,
                      title: Text | str | None = None, x_label: Text | str | None = None,
                      labels: Mapping[str, Text] | None = None,
                      overlap: float = 1.6) -> Figure:
    """One kernel density per year stacked upwards (a ridgeline), one panel per group.

    Parameters
    ----------
    result : DensityResult
        From :func:`cityres.dynamics.kde.density`.
    lang : {"zh", "en"}
    simulated : bool
        Draw the simulated-data mark.
    title, x_label : Text or str, optional
        Figure title and the name of the indicator (default: the column name).
    labels : mapping of str to Text, optional
        Names of the groups.
    overlap : float, default 1.6
        Height of the tallest density in units of the spacing between years (> 0).

    Returns
    -------
    matplotlib.figure.Figure
        Each density is a filled area with gid ``"ridge-<group>-<year>"``.

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a density result.
    ArgumentError
        ``overlap`` not positive.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.kde import density
    >>> res = density(cityres.datasets.load("yrd_sim"), "de_latent", years=[2011, 2023])
    >>> fig = density_ridgeline(res, lang="en", simulated=True)
    >>> len(fig.axes)
    1
    """
    lang = check_lang(lang)
    _check_density(result)
    if not overlap > 0:
        raise ArgumentError(f"overlap={overlap!r}; accepted: a positive number")
    dens = result.densities
    groups = list(dict.fromkeys(str(g) for g in dens.columns.get_level_values(0)))
    years = sorted({int(y) for y in dens.columns.get_level_values(1)})
    scale = overlap / float(np.nanmax(dens.to_numpy()))
    xs = np.asarray(result.grid, dtype=float)
    with use_cjk():
        fig = new_figure((3.6 * len(groups) + 1.2, 1.6 + 0.42 * len(years)),
                         simulated=simulated, lang=lang)
        axes = fig.subplots(1, len(groups), squeeze=False, sharex=True, sharey=True)[0]
        for ax, g in zip(axes, groups, strict=True):
            ax.tick_params(labelfontfamily=font_families())
            for j, yr in reversed(list(enumerate(years))):
                if (g, yr) not in dens.columns:
                    continue
                base = float(j)
                top = base + dens[(g, yr)].to_numpy(dtype=float) * scale
                ax.fill_between(xs, base, top, color=_FILL, alpha=0.75, linewidth=0,
                                zorder=len(years) - j, gid=f"ridge-{g}-{yr}")
                ax.plot(xs, top, color=_EDGE, linewidth=0.8, zorder=len(years) - j + 0.5)
            ax.set_yticks(range(len(years)), [str(y) for y in years])
            ax.set_xlabel(_x_name(result, lang, x_label))
            if len(groups) > 1 or g != "all":
                ax.set_title(_group_name(g, lang, labels), fontsize=10)
            ax.spines[["top", "right", "left"]].set_visible(False)
            ax.grid(True, axis="x", color="#eeeeee", linewidth=0.6)
        axes[0].set_ylabel(_LABELS["year"].get(lang))
        name = as_text(x_label, lang) or str(result.column)
        fig.suptitle(as_text(title, lang) or _LABELS["ridge"].format(x=name).get(lang),
                     x=0.02, horizontalalignment="left", fontsize=11, wrap=True)
        fig.draw_without_rendering()
    return fig


def density_3d(result: Any, *, lang: Lang = "zh", simulated: bool = False,
               title: Text | str | None = None, x_label: Text | str | None = None,
               labels: Mapping[str, Text] | None = None) -> Figure:
    """Year × value × density surface (mplot3d), one panel per group.

    Parameters
    ----------
    result : DensityResult
        From :func:`cityres.dynamics.kde.density`.
    lang : {"zh", "en"}
    simulated : bool
    title, x_label : Text or str, optional
    labels : mapping of str to Text, optional
        Names of the groups.

    Returns
    -------
    matplotlib.figure.Figure
        One 3D axes per group; the surface has gid ``"surface-<group>"``.

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a density result.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.kde import density
    >>> res = density(cityres.datasets.load("yrd_sim"), "de_latent")
    >>> fig = density_3d(res, lang="en")
    >>> fig.axes[0].name
    '3d'
    """
    lang = check_lang(lang)
    _check_density(result)
    dens = result.densities
    groups = list(dict.fromkeys(str(g) for g in dens.columns.get_level_values(0)))
    xs = np.asarray(result.grid, dtype=float)
    with use_cjk():
        fig = new_figure((5.2 * len(groups) + 0.6, 4.8), simulated=simulated, lang=lang)
        for i, g in enumerate(groups, start=1):
            ax: Any = fig.add_subplot(1, len(groups), i, projection="3d")
            sub = dens[g]
            years = np.array([int(y) for y in sub.columns], dtype=float)
            gx, gy = np.meshgrid(xs, years)
            z = sub.to_numpy(dtype=float).T
            ax.plot_surface(gx, gy, z, cmap="viridis", linewidth=0, antialiased=True,
                            rcount=min(len(years), 60), ccount=min(len(xs), 120),
                            gid=f"surface-{g}")
            ax.set_xlabel(_x_name(result, lang, x_label), labelpad=6)
            ax.set_ylabel(_LABELS["year"].get(lang), labelpad=6)
            ax.set_zlabel(_LABELS["density"].get(lang), labelpad=4)
            ax.yaxis.set_major_formatter("{x:.0f}")
            ax.view_init(elev=28, azim=-60)
            if len(groups) > 1 or g != "all":
                ax.set_title(_group_name(g, lang, labels), fontsize=10)
        name = as_text(x_label, lang) or str(result.column)
        fig.suptitle(as_text(title, lang) or _LABELS["surface"].format(x=name).get(lang),
                     x=0.02, horizontalalignment="left", fontsize=11, wrap=True)
        fig.draw_without_rendering()
    return fig


def transition_heatmap(result: Any, *, lang: Lang = "zh", simulated: bool = False,
                       title: Text | str | None = None, digits: int = 2) -> Figure:
    """Heatmaps of the transition probabilities with the values written in the cells:
    the classic chain, then one per spatial-lag class of a spatial chain.

    Parameters
    ----------
    result : MarkovResult
        From :func:`cityres.dynamics.markov.markov`.
    lang : {"zh", "en"}
    simulated : bool
    title : Text or str, optional
    digits : int, default 2
        Decimals of the cell values (0–6).

    Returns
    -------
    matplotlib.figure.Figure
        Images with gid ``"heatmap-all"`` and ``"heatmap-L1"``…

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a Markov result.
    ArgumentError
        ``digits`` outside 0–6.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.markov import markov
    >>> res = markov(cityres.datasets.load("yrd_sim"), "de_latent", k=4)
    >>> fig = transition_heatmap(res, lang="en")
    >>> fig.axes[0].images[0].get_gid()
    'heatmap-all'
    """
    lang = check_lang(lang)
    if not hasattr(result, "chain") or not hasattr(result, "lag_chains"):
        raise ArgumentTypeError("result must be a MarkovResult (from cityres.dynamics.markov."
                                f"markov); got {type(result).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 6:
        raise ArgumentError(f"digits={digits!r}; accepted: an integer 0–6")
    panels = [("all", result.chain.p), *((lab, c.p) for lab, c in result.lag_chains.items())]
    ncol = min(len(panels), 3)
    nrow = -(-len(panels) // ncol)
    k = int(result.k)
    size = 0.55 * k + 1.3
    with use_cjk():
        fig = new_figure((size * ncol + 1.0, size * nrow + 0.9), simulated=simulated,
                         lang=lang)
        axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
        image = None
        for ax, (lab, p) in zip(axes, panels, strict=False):
            ax.tick_params(labelfontfamily=font_families())
            arr = p.to_numpy(dtype=float)
            image = ax.imshow(arr, cmap="Blues", vmin=0.0, vmax=1.0, gid=f"heatmap-{lab}")
            for i in range(arr.shape[0]):
                for j in range(arr.shape[1]):
                    cell = f"{arr[i, j]:.{digits}f}" if arr[i].sum() > 0 else "—"
                    ax.text(j, i, cell, ha="center", va="center",
                            fontsize=7.5 if k > 5 else 8.5,
                            color="white" if arr[i, j] > 0.6 else "#222222")
            ax.set_xticks(range(arr.shape[1]), list(p.columns))
            ax.set_yticks(range(arr.shape[0]), list(p.index))
            ax.set_xlabel(_LABELS["to"].get(lang), fontsize=9)
            ax.set_ylabel(_LABELS["from"].get(lang), fontsize=9)
            head = _LABELS["all"] if lab == "all" else _LABELS["lag"].format(lag=lab)
            ax.set_title(head.get(lang), fontsize=9.5)
        for ax in axes[len(panels):]:
            ax.set_visible(False)
        if image is not None:
            fig.colorbar(image, ax=list(axes[:len(panels)]), shrink=0.8)
        fig.suptitle(as_text(title, lang) or _LABELS["heat"].get(lang), x=0.02,
                     horizontalalignment="left", fontsize=11)
        fig.draw_without_rendering()
    return fig
