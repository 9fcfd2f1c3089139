"""Figures of σ and β convergence: the dispersion measures by year (one panel per measure,
one line per group) and the β scatter of growth against the initial log level."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import font_families, use_cjk
from cityres.report.i18n import Lang, Text, check_lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cityres.dynamics.beta import BetaResult
    from cityres.dynamics.sigma import SigmaResult

__all__ = ["beta_scatter", "sigma_plot"]

_LABELS: Mapping[str, Text] = {
    "cv": Text("变异系数", "Coefficient of variation"),
    "sd_log": Text("对数标准差", "SD of logs"),
    "gini": Text("基尼系数", "Gini coefficient"),
    "theil": Text("泰尔指数 T", "Theil T"),
    "overall": Text("全部城市", "All cities"),
    "year": Text("年份", "Year"),
    "sigma_title": Text("σ 收敛：{y}的离散程度", "σ convergence: dispersion of {y}"),
    "beta_title": Text("β 收敛：{y}", "β convergence: {y}"),
    "x": Text("{t0} 年对数水平 ln y", "Log level ln y in {t0}"),
    "y": Text("{t0}–{t1} 年年均增长率", "Average annual growth {t0}–{t1}"),
    "fit": Text("拟合线：β = {b}，λ = {lam}", "Fitted line: β = {b}, λ = {lam}"),
    "cities": Text("城市", "Cities"),
}
_COLOURS = ("#1f4e79", "#b2182b", "#4d9221", "#e08214", "#762a83", "#666666")


def sigma_plot(result: SigmaResult, *, lang: Lang = "zh", simulated: bool = False,
               title: Text | str | None = None, y_label: Text | str | None = None,
               group_labels: Mapping[str, Text | str] | None = None) -> Figure:
    """Each dispersion measure by year, one panel per measure, one line per group.

    Parameters
    ----------
    result : SigmaResult
        From :func:`cityres.dynamics.sigma`.
    lang : {"zh", "en"}
    simulated : bool
        Draw the simulated-data mark.
    title : Text or str, optional
        Figure title (default "σ convergence: dispersion of <column>").
    y_label : Text or str, optional
        Name of the indicator in the default title.
    group_labels : mapping, optional
        Legend names of the groups (default: the group values; ``overall`` → "All cities").

    Returns
    -------
    matplotlib.figure.Figure
        One axes per measure; lines have gid ``"<measure>-<group>"``.

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a :class:`~cityres.dynamics.sigma.SigmaResult`.

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.sigma import sigma
    >>> res = sigma(cityres.datasets.load("yrd_sim"), "de_latent", group="region")
    >>> fig = sigma_plot(res, lang="en", simulated=True)
    >>> len(fig.axes)
    4
    """
    lang = check_lang(lang)
    if not all(hasattr(result, a) for a in ("table", "measures", "grouped")):
        raise ArgumentTypeError("result must be a SigmaResult (from cityres.dynamics.sigma); "
                                f"got {type(result).__name__}")
    names = {**_LABELS, **(group_labels or {})}
    parts = ([(str(g), part.droplevel(0)) for g, part in result.table.groupby(level=0,
                                                                             sort=False)]
             if result.grouped else [("overall", result.table)])
    k = len(result.measures)
    ncol = 2 if k > 1 else 1
    nrow = int(np.ceil(k / ncol))
    with use_cjk():
        fig = new_figure((3.4 * ncol + 0.6, 2.5 * nrow + 1.0), simulated=simulated, lang=lang)
        axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
        for ax, m in zip(axes, result.measures, strict=False):
            ax.tick_params(labelfontfamily=font_families())
            for i, (g, part) in enumerate(parts):
                lab = names.get(g, g)
                ax.plot(part.index.to_numpy(), part[m].to_numpy(dtype=float),
                        color=_COLOURS[i % len(_COLOURS)], marker="o", markersize=3,
                        linewidth=1.8 if g == "overall" else 1.2, gid=f"{m}-{g}",
                        label=lab.get(lang) if isinstance(lab, Text) else str(lab))
            ax.set_title(_LABELS[m].get(lang), loc="left", fontsize=9.5)
            ax.grid(True, color="#eeeeee", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.spines[["top", "right"]].set_visible(False)
            ax.xaxis.get_major_locator().set_params(integer=True)
        for ax in axes[k:]:
            ax.set_visible(False)
        for ax in axes[max(0, k - ncol):k]:
            ax.set_xlabel(_LABELS["year"].get(lang))
        y = as_text(y_label, lang) or result.column
        fig.suptitle(as_text(title, lang) or _LABELS["sigma_title"].format(y=y).get(lang),
                     x=0.02, horizontalalignment="left", fontsize=11)
        if len(parts) > 1:
            fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower left",
                       ncols=min(len(parts), 4), fontsize=8.5, frameon=False)
        fig.draw_without_rendering()
    return fig


def beta_scatter(result: BetaResult, *, lang: Lang = "zh", simulated: bool = False,
                 title: Text | str | None = None, y_label: Text | str | None = None) -> Figure:
    """Average annual growth against the initial log level, with the fitted line.

    Parameters
    ----------
    result : BetaResult
        A cross-section fit from :func:`cityres.dynamics.beta_convergence`; for a
        conditional fit the line is drawn at the mean of the controls.
    lang : {"zh", "en"}
    simulated : bool
    title, y_label : Text or str, optional
        Figure title; name of the indicator in the default title.

    Returns
    -------
    matplotlib.figure.Figure
        The points (gid ``"cities"``) and the line (``"fit"``).

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a :class:`~cityres.dynamics.beta.BetaResult`.
    ArgumentError
        A panel fit (no single growth window to draw).

    Examples
    --------
    >>> import cityres
    >>> from cityres.dynamics.beta import beta_convergence
    >>> res = beta_convergence(cityres.datasets.load("yrd_sim"), "de_latent")
    >>> fig = beta_scatter(res, lang="en", simulated=True)
    >>> [c.get_gid() for c in fig.axes[0].collections]
    ['cities']
    """
    lang = check_lang(lang)
    if not all(hasattr(result, a) for a in ("form", "fit", "window", "speed")):
        raise ArgumentTypeError("result must be a BetaResult (from cityres.dynamics."
                                f"beta_convergence); got {type(result).__name__}")
    if result.form != "cross_section":
        raise ArgumentError(f"beta_scatter draws the cross-section form; got form="
                            f"{result.form!r}")
    exog = result.fit.model.data.orig_exog
    x = exog["ln_y0"].to_numpy(dtype=float)
    g = np.asarray(result.fit.model.endog, dtype=float)
    base = float(exog.drop(columns="ln_y0").mean().to_numpy() @ result.params.drop("ln_y0"))
    t0, t1 = result.window
    with use_cjk():
        fig = new_figure((5.6, 4.4), simulated=simulated, lang=lang)
        ax = fig.subplots()
        ax.tick_params(labelfontfamily=font_families())
        ax.scatter(x, g, s=18, color="#1f4e79", alpha=0.75, gid="cities",
                   label=_LABELS["cities"].get(lang))
        grid = np.linspace(x.min(), x.max(), 50)
        ax.plot(grid, base + result.beta * grid, color="#b2182b", linewidth=1.5, gid="fit",
                label=_LABELS["fit"].format(b=f"{result.beta:.4f}",
                                            lam=f"{result.speed:.4f}").get(lang))
        ax.set_xlabel(_LABELS["x"].format(t0=t0).get(lang))
        ax.set_ylabel(_LABELS["y"].format(t0=t0, t1=t1).get(lang))
        ax.grid(True, color="#eeeeee", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=8.5, frameon=False)
        y = as_text(y_label, lang) or result.column
        ax.set_title(as_text(title, lang) or _LABELS["beta_title"].format(y=y).get(lang),
                     loc="left", fontsize=11)
        fig.draw_without_rendering()
    return fig
