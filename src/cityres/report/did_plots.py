"""The event-study plot: effects by periods since adoption with confidence intervals.

One or several :class:`cityres.econometrics.did.results.EventStudyResult` (TWFE, Sun &
Abraham, two-stage DID, Callaway & Sant'Anna) side by side: points with interval bars,
dodged so that estimators do not overlap; the reference period drawn as a hollow point at
zero; a dashed zero line; a dotted vertical line at −0.5 between the last pre-adoption
period and adoption; and, for simulated data, the true effect as a line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.lines import Line2D

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.report.figures import as_text, new_figure
from cityres.report.fonts import font_families, use_cjk
from cityres.report.i18n import Lang, Text, check_lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cityres.econometrics.did.results import EventStudyResult

__all__ = ["event_study_plot"]

_LABELS: Mapping[str, Text] = {
    "x": Text("相对政策实施的期数（0 = 实施当期）",
              "Periods relative to adoption (0 = adoption)"),
    "y": Text("处理效应估计值（{level}置信区间）",
              "Estimated effect ({level} confidence interval)"),
    "title": Text("事件研究：{y}", "Event study: {y}"),
    "reference": Text("基准期（系数设为 0）", "Reference period (set to 0)"),
    "truth": Text("真实效应（模拟）", "True ATT (simulated)"),
    "binned": Text("≤ / ≥：端点期合并", "≤ / ≥: binned endpoints"),
}
#: Chinese names of the estimators cityres returns (others are shown as they are).
_ESTIMATORS: Mapping[str, Text] = {
    "TWFE event study": Text("双向固定效应事件研究", "TWFE event study"),
    "Sun & Abraham (2021)": Text("Sun & Abraham (2021)", "Sun & Abraham (2021)"),
    "Gardner (2022) two-stage DID": Text("Gardner (2022) 两阶段 DID",
                                         "Gardner (2022) two-stage DID"),
    "Callaway & Sant'Anna (2021)": Text("Callaway & Sant'Anna (2021)",
                                        "Callaway & Sant'Anna (2021)"),
}
_COLOURS = ("#1f4e79", "#c0504d", "#4f8f3a", "#8064a2", "#d08a1e", "#2c8c99")
_MARKERS = ("o", "s", "^", "D", "v", "P")
_TRUTH = "#222222"


def _check(results: object) -> list[EventStudyResult]:
    items = [results] if hasattr(results, "coefs") else results
    if isinstance(items, str | bytes) or not isinstance(items, Sequence) or not items:
        raise ArgumentTypeError("results must be an EventStudyResult or a non-empty sequence "
                                f"of them; got {type(results).__name__}")
    need = ("event_time", "label", "estimate", "ci_low", "ci_high", "is_reference")
    for i, r in enumerate(items):
        coefs = getattr(r, "coefs", None)
        if coefs is None or any(c not in coefs.columns for c in need):
            raise ArgumentTypeError(f"results[{i}] is not an EventStudyResult (from cityres."
                                    f"econometrics.did); got {type(r).__name__}")
    return list(items)


def event_study_plot(
    results: EventStudyResult | Sequence[EventStudyResult],
    *,
    truth: Mapping[int, float] | Mapping[str, float] | None = None,
    labels: Sequence[Text | str] | None = None,
    lang: Lang = "zh",
    simulated: bool = False,
    title: Text | str | None = None,
    ylabel: Text | str | None = None,
) -> Figure:
    """Event-study coefficients with confidence intervals, one or more estimators.

    Parameters
    ----------
    results : EventStudyResult or sequence of EventStudyResult
        From :func:`event_study`, :func:`sun_abraham`, :func:`did2s_event_study` or a
        Callaway & Sant'Anna dynamic aggregation.
    truth : mapping of event time to effect, optional
        The true effect by event time (keys may be strings, as in
        ``cityres.datasets.truth("yrd_sim")["derived"]["att_broadband_on_de_latent"]``);
        drawn as a line over the event times shown. At a binned endpoint the estimate
        averages several relative times, so it need not sit on the line there.
    labels : sequence of Text or str, optional
        Legend entries, one per result (default: the estimator names).
    lang : {"zh", "en"}
    simulated : bool
        Draw the simulated-data mark.
    title, ylabel : Text or str, optional
        Title (default "事件研究：<outcome>" / "Event study: <outcome>") and y-axis label.

    Returns
    -------
    matplotlib.figure.Figure
        One axes. Per result i: the estimates (``gid`` ``"estimates-<i>"``, a line of
        points with interval bars) and the reference point(s) (``"reference-<i>"``);
        ``"zero"`` (dashed), ``"adoption"`` (vertical at −0.5) and ``"truth"`` lines. The
        x ticks are the event times, labelled as the results label them ("≤-4", "≥4").

    Raises
    ------
    ArgumentTypeError
        ``results`` not event-study results; ``truth`` not a mapping.
    ArgumentError
        ``labels`` of the wrong length; ``truth`` keys that are not integers.

    Examples
    --------
    >>> import cityres
    >>> from cityres.econometrics.did.eventstudy import event_study
    >>> from cityres.econometrics.did.sunab import sun_abraham
    >>> p = cityres.datasets.load("yrd_sim")
    >>> kw = dict(cohort="cohort_broadband", leads=3, lags=3)
    >>> es = [event_study(p, "de_latent", **kw), sun_abraham(p, "de_latent", **kw)]
    >>> t = cityres.datasets.truth("yrd_sim")["derived"]["att_broadband_on_de_latent"]
    >>> fig = event_study_plot(es, truth=t, lang="en", simulated=True)
    >>> [ln.get_gid() for ln in fig.axes[0].get_lines() if ln.get_gid()][:2]
    ['zero', 'adoption']
    """
    lang = check_lang(lang)
    items = _check(results)
    if labels is not None:
        if isinstance(labels, str | Text) or len(labels) != len(items):
            raise ArgumentError(f"labels: give one per result ({len(items)}); got {labels!r}")
        names = [as_text(lb, lang) or "" for lb in labels]
    else:
        names = [(_ESTIMATORS[r.estimator].get(lang) if r.estimator in _ESTIMATORS
                  else r.estimator) for r in items]
    true = _truth(truth)
    ticks: dict[int, str] = {}
    for r in items:
        for e, lab in zip(r.coefs["event_time"], r.coefs["label"], strict=True):
            ticks.setdefault(int(e), str(lab))
    k = len(items)
    step = min(0.22, 0.66 / k)
    level = f"{items[0].level:.0%}"
    with use_cjk():
        fig = new_figure((7.2, 4.4), simulated=simulated, lang=lang)
        ax = fig.add_subplot()
        ax.tick_params(labelfontfamily=font_families())
        ax.axhline(0.0, color="#777777", linestyle="--", linewidth=0.9, gid="zero", zorder=1)
        ax.axvline(-0.5, color="#777777", linestyle=":", linewidth=1.0, gid="adoption",
                   zorder=1)
        for i, (r, name) in enumerate(zip(items, names, strict=True)):
            c = r.coefs
            x = c["event_time"].to_numpy(dtype=float) + (i - (k - 1) / 2) * step
            ref = c["is_reference"].to_numpy(dtype=bool)
            est = c["estimate"].to_numpy(dtype=float)
            lo = c["ci_low"].to_numpy(dtype=float)
            hi = c["ci_high"].to_numpy(dtype=float)
            colour, marker = _COLOURS[i % len(_COLOURS)], _MARKERS[i % len(_MARKERS)]
            bars = ax.errorbar(x[~ref], est[~ref], yerr=np.vstack([est[~ref] - lo[~ref],
                                                                   hi[~ref] - est[~ref]]),
                               fmt=marker, color=colour, markersize=5, capsize=2.5,
                               elinewidth=1.1, linestyle="none", label=name, zorder=3)
            bars.lines[0].set_gid(f"estimates-{i}")
            ax.plot(x[ref], est[ref], marker=marker, linestyle="none", markersize=6,
                    markerfacecolor="white", markeredgecolor=colour, gid=f"reference-{i}",
                    zorder=4, label=_LABELS["reference"].get(lang) if i == 0 else None)
        if true:
            xs = [e for e in sorted(true) if min(ticks) <= e <= max(ticks)]
            if xs:
                ax.plot(xs, [true[e] for e in xs], color=_TRUTH, linewidth=1.4,
                        marker="_", markersize=10, gid="truth", zorder=2,
                        label=_LABELS["truth"].get(lang))
        order = sorted(ticks)
        ax.set_xticks(order, [ticks[e] for e in order])
        ax.set_xlim(order[0] - 0.6, order[-1] + 0.6)
        ax.set_xlabel(_LABELS["x"].get(lang))
        ax.set_ylabel(as_text(ylabel, lang) or _LABELS["y"].format(level=level).get(lang))
        ax.set_title(as_text(title, lang)
                     or _LABELS["title"].format(y=items[0].dep_var).get(lang),
                     loc="left", fontsize=11)
        ax.grid(True, axis="y", color="#eeeeee", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        handles, texts = ax.get_legend_handles_labels()
        first = [n for n, t in enumerate(texts) if t in names]  # estimators lead the legend
        order_h = first + [n for n in range(len(texts)) if n not in first]
        handles, texts = [handles[n] for n in order_h], [texts[n] for n in order_h]
        if any(r.coefs["binned"].any() for r in items):
            texts.append(_LABELS["binned"].get(lang))
            handles.append(Line2D([], [], linestyle="none"))
        # lower left, so the simulated-data mark in the lower right corner stays clear
        fig.legend(handles, texts, loc="outside lower left", ncols=min(3, len(texts)),
                   fontsize=8.5, frameon=False)
        fig.draw_without_rendering()
    return fig


def _truth(truth: object) -> dict[int, float]:
    if truth is None:
        return {}
    if not isinstance(truth, Mapping):
        raise ArgumentTypeError(f"truth must be a mapping of event time to effect; got "
                                f"{type(truth).__name__}")
    out: dict[int, float] = {}
    for key, value in truth.items():
        whole = ((isinstance(key, str) and key.strip().lstrip("+-").isdigit())
                 or (isinstance(key, int | np.integer) and not isinstance(key, bool))
                 or (isinstance(key, float) and key.is_integer()))
        if not whole:
            raise ArgumentError(f"truth: key {key!r} is not an event time (an integer)")
        out[int(key)] = float(value)
    return out
