"""Step ``did_diagnostics``: what reviewers ask of a staggered DID — the Goodman-Bacon
decomposition of the TWFE estimate (table and plot) and placebo tests that reassign the
treated cities and / or adoption years (distribution plot, empirical p-value)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, format_choices
from cityres.econometrics.did import bacon, placebo
from cityres.report.i18n import Lang, Text
from cityres.report.tables import plain_table
from cityres.study.registry import (
    FigureOut,
    StepContext,
    StepResult,
    StepSpec,
    TableOut,
    register_step,
)
from cityres.study.steps._common import columns_of, simulated_note, var_label
from cityres.study.steps._did import resolve_treatment, treatment_table

_TYPES: dict[str, Text] = {
    "treated vs never treated": Text("处理组 vs 从未处理组", "Treated vs never treated"),
    "earlier vs later treated": Text("早处理组 vs 晚处理组（后者尚未处理）",
                                     "Earlier vs later treated"),
    "later vs earlier treated": Text("晚处理组 vs 早处理组（后者已处理）",
                                     "Later vs earlier treated"),
    "treated vs always treated": Text("处理组 vs 始终处理组", "Treated vs always treated"),
}
_MODES = {"units": Text("随机重新指定处理城市（保持各批次规模）",
                        "treated cities reassigned at random (cohort sizes kept)"),
          "years": Text("随机重抽采纳年份", "adoption years redrawn at random"),
          "both": Text("随机重新指定处理城市与采纳年份",
                       "treated cities and adoption years redrawn at random")}
_LABELS: dict[str, Text] = {
    "type": Text("比较类型", "Comparison"), "n": Text("比较个数", "Comparisons"),
    "weight": Text("权重", "Weight"), "estimate": Text("加权平均估计值", "Weighted estimate"),
    "contribution": Text("贡献（权重×估计值）", "Contribution (weight × estimate)"),
    "placebo_mean": Text("安慰剂均值", "Placebo mean"),
    "placebo_sd": Text("安慰剂标准差", "Placebo SD"), "q025": Text("2.5% 分位", "2.5% quantile"),
    "q975": Text("97.5% 分位", "97.5% quantile"), "p": Text("经验 p 值", "Empirical p-value"),
    "mode": Text("方式", "Draws"), "test": Text("检验", "Test"),
    "twfe": Text("TWFE 系数（合计）", "TWFE coefficient (total)"),
}


@dataclass(frozen=True)
class DidDiagnosticsParams:
    """Parameters of ``did_diagnostics``.

    ``y``, ``programme`` / ``cohort``, ``calendar``, ``min_confidence`` as in ``did``;
    ``placebo`` the number of placebo draws (0: none), ``modes`` any of units / years /
    both (one placebo test each, seeded by the study seed), ``bacon`` whether to
    decompose the TWFE estimate; ``always_treated`` keep / drop / error (the
    decomposition can use always-treated cities as controls).
    """

    y: str
    programme: str | None = None
    cohort: str | None = None
    calendar: str | None = None
    min_confidence: str = "low"
    placebo: int = 500
    modes: tuple[str, ...] = ("units", "years")
    bacon: bool = True
    always_treated: str = "error"
    digits: int = 4


def run(ctx: StepContext, p: DidDiagnosticsParams) -> StepResult:
    """Bacon table and plot; placebo table and one plot per mode."""
    from cityres.report.did_diagnostics_plots import bacon_plot, placebo_plot

    bad = [m for m in p.modes if m not in _MODES]
    if bad:
        raise ArgumentError(f"step {ctx.step_id!r}, modes={list(p.modes)!r}: accepted: "
                            f"{format_choices(_MODES)}")
    if isinstance(p.placebo, bool) or not isinstance(p.placebo, int) or p.placebo < 0:
        raise ArgumentError(f"step {ctx.step_id!r}, placebo={p.placebo!r}: accepted: a "
                            "number of draws >= 0 (0 = no placebo test)")
    if not p.bacon and (p.placebo == 0 or not p.modes):
        raise ArgumentError(f"step {ctx.step_id!r}: nothing to do (bacon = false and no "
                            "placebo draws)")
    columns_of(ctx, [p.y], "y")
    spec = resolve_treatment(ctx, programme=p.programme, cohort=p.cohort,
                             calendar=p.calendar, min_confidence=p.min_confidence)
    sim = simulated_note(ctx)
    ylab = var_label(ctx, p.y)
    notes: list[Text] = [*spec.notes, *([sim] if sim else [])]
    how = Text(f"处理：{spec.name.zh}；结果变量：{ylab.zh}；城市与年份双向固定效应。",
               f"Treatment: {spec.name.en}; outcome: {ylab.en}; city and year fixed effects.")
    tables: list[TableOut] = []
    figures: list[FigureOut] = []
    tab = treatment_table(ctx, spec, notes)
    if tab is not None:
        tables.append(tab)
    if p.bacon:
        dec = bacon(spec.panel, p.y, cohort=spec.cohort,
                    always_treated=p.always_treated)  # type: ignore[arg-type]
        by = dec.by_type()
        shown = by.set_index(pd.Index([_TYPES[t] for t in by["type"]], name="type")
                             ).drop(columns=["type"])
        total = pd.DataFrame({"n": [int(by["n"].sum())], "weight": [float(by["weight"].sum())],
                              "estimate": [dec.twfe], "contribution": [dec.weighted_sum]},
                             index=pd.Index([_LABELS["twfe"]], name="type"))
        shown = pd.concat([shown, total])
        tables.append(TableOut("bacon", dec.tidy(), plain_table(
            shown, labels=_LABELS, digits={"n": 0, "weight": 4, "estimate": p.digits,
                                           "contribution": p.digits},
            simulated=ctx.simulated, notes=[*notes, how, Text(
                "Goodman-Bacon（2021）分解：TWFE 系数等于全部 2×2 DID 估计值按处理方差加权之和"
                "（权重和为 1）；“晚处理组 vs 早处理组”以已处理城市为对照，效应随时间变化时会"
                "带偏 TWFE。",
                "Goodman-Bacon (2021): the TWFE coefficient is the variance-weighted sum of "
                "all 2×2 DID estimates (weights sum to one); 'later vs earlier treated' uses "
                "already-treated cities as controls and biases TWFE when effects change "
                "over time.")]),
            Text("TWFE 估计量的 Goodman-Bacon 分解", "Goodman-Bacon decomposition of the TWFE "
                 "estimate"), ctx.source, how))

        def make_bacon(lang: Lang) -> Any:
            return bacon_plot(dec, lang=lang, simulated=ctx.simulated)

        figures.append(FigureOut("bacon", make_bacon, Text(
            "各 2×2 比较的估计值与权重", "2×2 estimates against their weights"), ctx.source,
            how))
    rows = []
    for k, mode in enumerate(p.modes if p.placebo else ()):
        seed = np.random.SeedSequence(ctx.seed.entropy, spawn_key=(*ctx.seed.spawn_key, k))
        res = placebo(spec.panel, p.y, cohort=spec.cohort, mode=mode, n=p.placebo,  # type: ignore[arg-type]
                      seed=seed, always_treated=p.always_treated)  # type: ignore[arg-type]
        rows.append(res.tidy().assign(mode=mode))

        def make_placebo(lang: Lang, res: Any = res) -> Any:
            return placebo_plot(res, lang=lang, simulated=ctx.simulated)

        figures.append(FigureOut(f"placebo_{mode}", make_placebo, Text(
            f"安慰剂检验：{_MODES[mode].zh}，{p.placebo} 次",
            f"Placebo test: {_MODES[mode].en}, {p.placebo} draws"), ctx.source, how))
    if rows:
        data = pd.concat(rows, ignore_index=True)
        shown = data.drop(columns=["term", "n"]).set_index(
            pd.Index([_MODES[m] for m in data["mode"]], name="test")).drop(columns=["mode"])
        tables.append(TableOut("placebo", data, plain_table(
            shown, labels={**_LABELS, "estimate": Text("真实估计值", "Actual estimate")},
            digits={"estimate": p.digits, "placebo_mean": p.digits,
                    "placebo_sd": p.digits, "q025": p.digits, "q975": p.digits, "p": 3},
            simulated=ctx.simulated, notes=[*notes, how, Text(
                f"每种方式 {p.placebo} 次随机抽取，各自重估 TWFE DID 系数；经验 p 值 = "
                "(1 + #{|b*| ≥ |b|}) / (n + 1)。",
                f"{p.placebo} random draws per test, each re-estimating the TWFE DID "
                "coefficient; empirical p = (1 + #{|b*| ≥ |b|}) / (n + 1).")]),
            Text("安慰剂检验", "Placebo tests"), ctx.source, how))
    intro = Text("检验交错 DID 的可信度：TWFE 估计量由哪些 2×2 比较构成（Goodman-Bacon 分解），"
                 "以及随机指定的“伪政策”能否产生同样大的效应（安慰剂检验）。",
                 "How credible is the staggered DID: which 2×2 comparisons make up the TWFE "
                 "estimate (Goodman-Bacon decomposition), and whether randomly assigned "
                 "'fake policies' produce effects as large (placebo tests).")
    return StepResult(tables=tuple(tables), figures=tuple(figures), intro=intro)


register_step(StepSpec(
    name="did_diagnostics",
    params=DidDiagnosticsParams,
    run=run,
    title=Text("DID 诊断：Bacon 分解与安慰剂检验",
               "DID diagnostics: Bacon decomposition and placebo tests"),
    description="Goodman-Bacon decomposition of the TWFE DID and placebo tests reassigning "
                "treated cities and adoption years.",
))
