"""The LR(γ) plot of a panel threshold model (Hansen 1999, Fig. 1 style).

One panel per threshold: the likelihood-ratio statistic LR(γ) over the candidate
thresholds, a dashed line at the critical value c(α) = −2 ln(1 − √(1 − α)) (the
confidence set is where the curve lies below it) and the estimate marked at LR = 0.

References
----------
Hansen, B. E. (1999). Threshold effects in non-dynamic panels: Estimation, testing, and
inference. Journal of Econometrics, 93(2), 345–368.
"""

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

    from cityres.econometrics.threshold import ThresholdResult

__all__ = ["threshold_lr_plot"]

_LABELS: Mapping[str, Text] = {
    "x": Text("门槛值 γ（{q}）", "Threshold γ ({q})"),
    "y": Text("似然比统计量 LR(γ)", "Likelihood ratio LR(γ)"),
    "panel": Text("第 {j} 个门槛：γ̂ = {g}，{level}置信区间 [{lo}, {hi}]",
                  "Threshold {j}: γ̂ = {g}, {level} interval [{lo}, {hi}]"),
    "critical": Text("{level}临界值 c = {c}", "{level} critical value c = {c}"),
    "estimate": Text("估计值", "Estimate"),
    "title": Text("门槛参数的似然比统计量", "Likelihood ratio of the threshold parameters"),
}
_CURVE = "#1f4e79"
_CRIT = "#b2182b"


def threshold_lr_plot(
    result: ThresholdResult,
    *,
    lang: Lang = "zh",
    q_label: Text | str | None = None,
    title: Text | str | None = None,
    simulated: bool = False,
    digits: int = 4,
) -> Figure:
    """LR(γ) against γ for each threshold of a fitted threshold model.

    Parameters
    ----------
    result : ThresholdResult
        From :func:`cityres.econometrics.threshold`.
    lang : {"zh", "en"}
    q_label : Text or str, optional
        Name of the threshold variable on the x axis (default: its column name).
    title : Text or str, optional
        Figure title; "门槛参数的似然比统计量" / "Likelihood ratio of the threshold
        parameters" by default.
    simulated : bool
        Draw the simulated-data mark.
    digits : int
        Significant digits of the numbers in the panel titles.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per threshold (in ascending order of the estimates), each with the curve
        (gid ``"lr-<j>"``), the critical line (``"critical-<j>"``) and the estimate
        (``"estimate-<j>"``).

    Raises
    ------
    ArgumentTypeError
        ``result`` is not a threshold result.
    ArgumentError
        ``digits`` not a positive integer.

    Examples
    --------
    >>> import cityres
    >>> from cityres.econometrics.threshold import threshold
    >>> p = cityres.datasets.load("yrd_sim")
    >>> fit = threshold(p, "resilience", regime="de_latent", q="de_latent", bootstrap=0)
    >>> fig = threshold_lr_plot(fit, lang="en", simulated=True)
    >>> [ax.get_lines()[0].get_gid() for ax in fig.axes]
    ['lr-1']
    """
    lang = check_lang(lang)
    for attr in ("lr_curve", "threshold_values", "threshold_ci", "lr_critical", "level", "q"):
        if not hasattr(result, attr):
            raise ArgumentTypeError(f"result must be a ThresholdResult (from cityres."
                                    f"econometrics.threshold); got {type(result).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ArgumentError(f"digits={digits!r}; accepted: a positive integer")
    k = len(result.threshold_values)
    qname = as_text(q_label, lang) or result.q
    level = f"{result.level:.0%}"
    crit = float(result.lr_critical)

    def fmt(v: float) -> str:
        return f"{v:.{digits}g}"

    with use_cjk():
        fig = new_figure((6.4, 1.2 + 2.5 * k), simulated=simulated, lang=lang)
        axes = fig.subplots(k, 1, squeeze=False)[:, 0]
        for j, ax in enumerate(axes, start=1):
            ax.tick_params(labelfontfamily=font_families())
            cur = result.lr_curve[result.lr_curve["threshold"] == j]
            gam = cur["gamma"].to_numpy(dtype=float)
            lr = cur["lr"].to_numpy(dtype=float)
            bounds = result.threshold_ci[["lower", "upper"]].to_numpy(dtype=float)[j - 1]
            lo, hi = float(bounds[0]), float(bounds[1])
            others = [g for i, g in enumerate(result.threshold_values, start=1) if i != j]
            px, py = _broken(gam, lr, others)
            ax.plot(px, py, color=_CURVE, linewidth=1.3, gid=f"lr-{j}", label="LR(γ)")
            ax.axhline(crit, color=_CRIT, linestyle="--", linewidth=1.0, gid=f"critical-{j}",
                       label=_LABELS["critical"].format(level=level, c=f"{crit:.2f}").get(lang))
            est = float(result.threshold_values[j - 1])
            ax.plot([est], [0.0], marker="o", color="#222222", markersize=5, linestyle="none",
                    gid=f"estimate-{j}", label=_LABELS["estimate"].get(lang))
            inside = lr <= crit
            if inside.any():
                ax.fill_between(gam, 0, crit, where=inside, color="#9ecae1", alpha=0.35,
                                linewidth=0, gid=f"interval-{j}")
            top = float(np.nanmax(lr)) if lr.size else crit
            ax.set_ylim(bottom=min(0.0, float(np.nanmin(lr)) if lr.size else 0.0),
                        top=max(top, crit) * 1.05 + 1e-12)
            ax.set_ylabel(_LABELS["y"].get(lang))
            ax.set_title(_LABELS["panel"].format(
                j=j, g=fmt(est), level=level, lo=fmt(lo), hi=fmt(hi)).get(lang), loc="left",
                fontsize=9.5)
            ax.grid(True, color="#eeeeee", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.spines[["top", "right"]].set_visible(False)
        axes[-1].set_xlabel(_LABELS["x"].format(q=qname).get(lang))
        fig.suptitle(as_text(title, lang) or _LABELS["title"].get(lang), x=0.02,
                     horizontalalignment="left", fontsize=11)
        # lower left, so the simulated-data mark in the lower right corner stays clear
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower left", ncols=3,
                   fontsize=8.5, frameon=False)
        fig.draw_without_rendering()
    return fig


def _broken(gam: np.ndarray, lr: np.ndarray, cuts: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """The curve with a break (NaN) where the candidates skip another threshold's
    neighbourhood (no admissible split there), so no line is drawn across it."""
    if gam.size < 2 or not cuts:
        return gam, lr
    at = [i + 1 for i in range(gam.size - 1)
          if any(gam[i] < c <= gam[i + 1] for c in cuts)]
    return (np.insert(gam, at, np.nan), np.insert(lr, at, np.nan))
