"""Diagnostic figures of a staggered DID: the Goodman-Bacon decomposition and the placebo
distribution.

:func:`bacon_plot` draws each 2×2 DID estimate against its weight, by comparison type,
with the TWFE coefficient as a horizontal line (Goodman-Bacon 2021, Fig. 6).
:func:`placebo_plot` draws the histogram and kernel density of the placebo estimates with
the actual estimate and its randomisation p-value.

References
----------
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
Journal of Econometrics, 225(2), 254–277.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from cityres._shared.errors import ArgumentTypeError
from cityres.econometrics.did.bacon import BACON_TYPES
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import font_families, use_cjk
from cityres.report.i18n import Lang, Text, check_lang

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cityres.econometrics.did.bacon import BaconResult
    from cityres.econometrics.did.placebo import PlaceboResult

__all__ = ["bacon_plot", "placebo_plot"]

#: Per comparison type: gid suffix, label, marker, colour.
_TYPE_STYLE: Mapping[str, tuple[str, Text, str, str]] = {
    BACON_TYPES[0]: ("never", Text("处理组 vs 从未处理组", "Treated vs never treated"),
                     "o", "#1f4e79"),
    BACON_TYPES[1]: ("earlier", Text("较早处理组 vs 较晚处理组（尚未处理）",
                                     "Earlier vs later treated (not yet treated)"),
                     "^", "#2ca02c"),
    BACON_TYPES[2]: ("later", Text("较晚处理组 vs 较早处理组（已处理）",
                                   "Later vs earlier treated (already treated)"),
                     "v", "#b2182b"),
    BACON_TYPES[3]: ("always", Text("处理组 vs 始终处理组", "Treated vs always treated"),
                     "s", "#8c6d31"),
}

_LABELS: Mapping[str, Text] = {
    "bacon_x": Text("权重", "Weight"),
    "bacon_y": Text("2×2 DID 估计值", "2×2 DID estimate"),
    "bacon_title": Text("Goodman-Bacon 分解：双向固定效应 DID 的 2×2 比较",
                        "Goodman-Bacon decomposition of the two-way FE DID"),
    "type_legend": Text("{label}（权重 {w}，加权均值 {b}）",
                        "{label} (weight {w}, mean {b})"),
    "twfe": Text("双向固定效应估计值 = {b}", "TWFE estimate = {b}"),
    "placebo_x": Text("安慰剂估计值", "Placebo estimate"),
    "placebo_y": Text("密度", "Density"),
    "placebo_title": Text("安慰剂检验：随机分配处理的估计值分布",
                          "Placebo test: estimates under random assignment"),
    "draws": Text("安慰剂估计（{n} 次）", "Placebo estimates ({n} draws)"),
    "kde": Text("核密度", "Kernel density"),
    "estimate": Text("实际估计值 = {b}（p = {p}）", "Actual estimate = {b} (p = {p})"),
    "interval": Text("安慰剂分布 2.5%–97.5% 分位数", "Placebo 2.5%–97.5% quantiles"),
    "mode_units": Text("随机分配处理城市", "treated units reassigned"),
    "mode_years": Text("随机分配政策年份", "adoption years redrawn"),
    "mode_both": Text("随机分配处理城市与政策年份", "treated units and years redrawn"),
}


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _style(ax: Axes) -> None:
    ax.tick_params(labelfontfamily=font_families())
    ax.grid(True, color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def bacon_plot(
    result: BaconResult,
    *,
    lang: Lang = "zh",
    simulated: bool = False,
    title: Text | str | None = None,
) -> Figure:
    """Scatter of the 2×2 DID estimates against their weights, by comparison type.

    Parameters
    ----------
    result : BaconResult
        From :func:`cityres.econometrics.did.bacon.bacon`.
    lang : {"zh", "en"}
    simulated : bool
        Draw the simulated-data mark.
    title : Text or str, optional
        Figure title (a default in each language).

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a scatter per comparison type present (gid ``"bacon-never"``,
        ``"bacon-earlier"``, ``"bacon-later"``, ``"bacon-always"``), the TWFE line
        (``"twfe"``) and a zero line (``"zero"``).

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a Bacon decomposition.

    Examples
    --------
    >>> import cityres
    >>> from cityres.econometrics.did.bacon import bacon
    >>> res = bacon(cityres.datasets.load("yrd_sim"), "de_latent", cohort="cohort_broadband")
    >>> fig = bacon_plot(res, lang="en", simulated=True)
    >>> sorted(c.get_gid() for c in fig.axes[0].collections)
    ['bacon-earlier', 'bacon-later', 'bacon-never']
    """
    lang = check_lang(lang)
    if not (hasattr(result, "comparisons") and hasattr(result, "twfe")):
        raise ArgumentTypeError(f"result must be a BaconResult (from cityres.econometrics.did."
                                f"bacon); got {type(result).__name__}")
    comp = result.comparisons
    with use_cjk():
        fig = new_figure((6.6, 4.8), simulated=simulated, lang=lang)
        ax = fig.subplots()
        _style(ax)
        ax.axhline(0.0, color="#999999", linewidth=0.8, gid="zero")
        for kind in BACON_TYPES:
            part = comp[comp["type"] == kind]
            if part.empty:
                continue
            key, name, marker, colour = _TYPE_STYLE[kind]
            w = part["weight"].to_numpy(dtype=float)
            b = part["estimate"].to_numpy(dtype=float)
            mean_b = float(w @ b / w.sum()) if w.sum() > 0 else float("nan")
            ax.scatter(w, b, marker=marker, color=colour, s=34, alpha=0.85,
                       edgecolors="white", linewidths=0.5, gid=f"bacon-{key}",
                       label=_LABELS["type_legend"].format(
                           label=name.get(lang), w=f"{w.sum():.3f}",
                           b=_fmt(mean_b)).get(lang))
        ax.axhline(result.twfe, color="#222222", linestyle="--", linewidth=1.1, gid="twfe",
                   label=_LABELS["twfe"].format(b=_fmt(result.twfe)).get(lang))
        ax.set_xlim(left=0.0)
        ax.set_xlabel(_LABELS["bacon_x"].get(lang))
        ax.set_ylabel(_LABELS["bacon_y"].get(lang))
        fig.suptitle(as_text(title, lang) or _LABELS["bacon_title"].get(lang), x=0.02,
                     horizontalalignment="left", fontsize=11)
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncols=1,
                   fontsize=8.5, frameon=False)
        fig.draw_without_rendering()
    return fig


def placebo_plot(
    result: PlaceboResult,
    *,
    lang: Lang = "zh",
    simulated: bool = False,
    title: Text | str | None = None,
) -> Figure:
    """Histogram and kernel density of the placebo estimates, with the actual estimate.

    Parameters
    ----------
    result : PlaceboResult
        From :func:`cityres.econometrics.did.placebo.placebo`.
    lang : {"zh", "en"}
    simulated : bool
        Draw the simulated-data mark.
    title : Text or str, optional
        Figure title (a default in each language, naming how the draws were made).

    Returns
    -------
    matplotlib.figure.Figure
        One axes with the histogram (its bars have gid ``"draws"``), the kernel density
        (``"kde"``, when the draws vary), the actual estimate (``"estimate"``; the legend
        gives its p-value) and the 2.5 % / 97.5 % quantiles (``"q025"``, ``"q975"``).

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a placebo result.

    Examples
    --------
    >>> import cityres
    >>> from cityres.econometrics.did.placebo import placebo
    >>> res = placebo(cityres.datasets.load("yrd_sim"), "de_latent",
    ...               cohort="cohort_broadband", n=50, seed=1)
    >>> fig = placebo_plot(res, lang="en", simulated=True)
    >>> [ln.get_gid() for ln in fig.axes[0].get_lines()][:2]
    ['kde', 'estimate']
    """
    lang = check_lang(lang)
    if not all(hasattr(result, a) for a in ("draws", "estimate", "pvalue", "mode")):
        raise ArgumentTypeError(f"result must be a PlaceboResult (from cityres.econometrics."
                                f"did.placebo); got {type(result).__name__}")
    draws = np.asarray(result.draws, dtype=float)
    with use_cjk():
        fig = new_figure((6.6, 4.6), simulated=simulated, lang=lang)
        ax = fig.subplots()
        _style(ax)
        bins = int(np.clip(np.ceil(np.sqrt(draws.size)), 5, 60))
        ax.hist(draws, bins=bins, density=True, color="#9ecae1", edgecolor="white",
                linewidth=0.4, gid="draws",
                label=_LABELS["draws"].format(n=result.n).get(lang))
        spread = float(np.ptp(draws)) if draws.size else 0.0
        if draws.size >= 2 and spread > 0:
            from scipy.stats import gaussian_kde

            lo = min(float(draws.min()), float(result.estimate))
            hi = max(float(draws.max()), float(result.estimate))
            pad = 0.1 * (hi - lo)
            grid = np.linspace(lo - pad, hi + pad, 256)
            ax.plot(grid, gaussian_kde(draws)(grid), color="#1f4e79", linewidth=1.3,
                    gid="kde", label=_LABELS["kde"].get(lang))
        ax.axvline(result.estimate, color="#b2182b", linewidth=1.6, gid="estimate",
                   label=_LABELS["estimate"].format(b=_fmt(result.estimate),
                                                    p=f"{result.pvalue:.3f}").get(lang))
        q = np.quantile(draws, [0.025, 0.975])
        for gid, v, lab in (("q025", q[0], _LABELS["interval"].get(lang)),
                            ("q975", q[1], None)):
            ax.axvline(float(v), color="#555555", linestyle=":", linewidth=1.0, gid=gid,
                       label=lab)
        ax.set_xlabel(_LABELS["placebo_x"].get(lang))
        ax.set_ylabel(_LABELS["placebo_y"].get(lang))
        default = (_LABELS["placebo_title"].get(lang) + (" — " if lang == "en" else "：")
                   + _LABELS[f"mode_{result.mode}"].get(lang))
        fig.suptitle(as_text(title, lang) or default, x=0.02, horizontalalignment="left",
                     fontsize=11)
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncols=2,
                   fontsize=8.5, frameon=False)
        fig.draw_without_rendering()
    return fig
