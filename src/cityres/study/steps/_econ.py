"""Helpers shared by the econometric steps: the panel with earlier index scores as columns,
labels, fixed-effect rows and the yrd_sim truth notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cityres.data.panel import CityPanel
from cityres.report.i18n import Text
from cityres.study.registry import StepContext
from cityres.study.steps._spatial import indicator_frame, indicator_label, labels

FE_NAMES = {"twoways": ("Yes", "Yes"), "individual": ("Yes", "No"), "time": ("No", "Yes"),
            "none": ("No", "No")}


def econ_panel(ctx: StepContext, names: Sequence[str], argument: str) -> CityPanel:
    """The study panel with every name in ``names`` available as a column: panel columns as
    they are, the ids of earlier ``index`` steps as their scores (logged)."""
    extra = [n for n in dict.fromkeys(names) if n not in set(ctx.panel.columns)]
    if not extra:
        return ctx.panel
    frame = indicator_frame(ctx, extra, argument)  # raises naming unknown names
    return ctx.panel.with_columns(frame, source="earlier index steps " + ", ".join(extra))


def econ_labels(ctx: StepContext, names: Sequence[str]) -> dict[str, Text]:
    """Labels of the study plus those of index-step regressors and lagged columns."""
    out = labels(ctx)
    for n in names:
        if n not in out:
            out[n] = indicator_label(ctx, n)
        for k in (1, 2, 3):
            lag = f"L{k}_{n}"
            base = out[n]
            out.setdefault(lag, Text(f"{base.zh}（滞后{k}期）", f"{base.en} (lag {k})"))
    return out


def fe_rows(effects: Sequence[str], controls: Sequence[bool] | None = None
            ) -> dict[str, list[Any]]:
    """The rows under a regression table: controls, city and year fixed effects."""
    rows: dict[str, list[Any]] = {}
    if controls is not None:
        rows["Controls"] = ["Yes" if c else "No" for c in controls]
    rows["City FE"] = [FE_NAMES[e][0] for e in effects]
    rows["Year FE"] = [FE_NAMES[e][1] for e in effects]
    return rows


def is_yrd_sim(ctx: StepContext) -> bool:
    """Whether the study runs on the bundled simulated panel (truth tables apply)."""
    return bool(ctx.panel.meta.get("name") == "yrd_sim")


def yrd_sim_beta_truth() -> dict[str, float]:
    """The yrd_sim quantities a coefficient of ``de_latent`` on ``resilience`` is compared
    with: β_low of the reference cell, the panel mean of β_it, the mean total effect."""
    from cityres import datasets

    truth = datasets.truth("yrd_sim")
    out = truth["params"]["outcome"]
    eff = truth["effects"]["at_sample_beta"]
    return {"beta_low": float(out["beta_low"]), "beta_high": float(out["beta_high"]),
            "mean_beta": float(eff["mean_beta"]), "total_at_mean": float(eff["total"])}


TRUTH_NOTE = Text(
    "真值见 cityres.datasets.truth('yrd_sim')。捆绑的 yrd_sim 采用完整设计（空间滞后、门槛与"
    "异质效应），双向固定效应系数是这些机制的混合简约式，不对应任何单一真值；params=\"simple\" "
    "的模拟数据中它才一致估计 β_low（docs/data/yrd_sim.md）。",
    "True values from cityres.datasets.truth('yrd_sim'). The bundled yrd_sim uses the full "
    "design (spatial lag, threshold, heterogeneous effects), so a two-way FE coefficient is a "
    "reduced-form mixture, not any one stored number; it recovers β_low only in panels "
    "simulated with params=\"simple\" (docs/data/yrd_sim.md).")
