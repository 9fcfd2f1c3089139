"""Steps ``psm_did`` (propensity-score matching on pre-period covariates, the balance
table and the DID on the matched sample) and ``spatial_did`` (direct effect and
spillovers onto neighbours through treatment exposure W·D)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cityres.econometrics.did.psm import psm_did
from cityres.econometrics.did.spatial import spatial_did
from cityres.report.i18n import Text
from cityres.report.tables import plain_table, regression_table
from cityres.study.registry import StepContext, StepResult, StepSpec, TableOut, register_step
from cityres.study.steps._common import columns_of, simulated_note, var_label
from cityres.study.steps._did import resolve_treatment, treatment_table
from cityres.study.steps._econ import econ_labels
from cityres.study.steps._spatial import build_weights, weights_caption

_BALANCE: dict[str, Text] = {
    "mean_treated": Text("处理组均值", "Treated mean"),
    "mean_treated_after": Text("处理组均值（匹配后）", "Treated mean (matched)"),
    "mean_control_before": Text("对照组均值（匹配前）", "Control mean (before)"),
    "mean_control_after": Text("对照组均值（匹配后）", "Control mean (after)"),
    "std_diff_before": Text("标准化偏差%（前）", "Std. bias % (before)"),
    "std_diff_after": Text("标准化偏差%（后）", "Std. bias % (after)"),
    "bias_reduction": Text("偏差降幅%", "Bias reduction %"),
    "p_before": Text("t 检验 p（前）", "t-test p (before)"),
    "p_after": Text("t 检验 p（后）", "t-test p (after)"),
    "var_ratio_before": Text("方差比（前）", "Variance ratio (before)"),
    "var_ratio_after": Text("方差比（后）", "Variance ratio (after)"),
    "covariate": Text("协变量", "Covariate"),
    "pscore": Text("倾向得分", "Propensity score"),
}
_EFFECTS: dict[str, Text] = {
    "direct": Text("直接效应（本市入选）", "Direct effect (own treatment)"),
    "spillover_untreated": Text("对未入选城市的溢出", "Spillover onto untreated cities"),
    "spillover_treated": Text("对已入选城市的溢出", "Spillover among treated cities"),
    "spillover": Text("空间溢出（合并）", "Spillover (pooled)"),
    "treated_full_exposure": Text("入选且邻市全部入选", "Treated, all neighbours treated"),
    "indirect": Text("间接效应", "Indirect effect"), "total": Text("总效应", "Total effect"),
    "estimate": Text("估计值", "Estimate"), "std_error": Text("标准误", "SE"),
    "pvalue": Text("p 值", "p-value"), "ci_low": Text("置信下限", "Lower bound"),
    "ci_high": Text("置信上限", "Upper bound"), "effect": Text("效应", "Effect"),
}


@dataclass(frozen=True)
class PsmDidParams:
    """Parameters of ``psm_did``.

    ``y`` and the treatment as in ``did``; ``covariates`` of the logit propensity model
    (their means over the pre-treatment years ``pre``, default every year before the
    first adoption); ``method`` nearest / kernel with ``k`` neighbours, ``caliper`` on the
    score, ``replace``, ``bandwidth`` and ``kernel`` (epanechnikov / gaussian);
    ``controls`` enter the weighted two-way FE DID on the matched sample.
    """

    y: str
    covariates: tuple[str, ...]
    programme: str | None = None
    cohort: str | None = None
    calendar: str | None = None
    min_confidence: str = "low"
    pre: tuple[int, ...] | None = None
    method: str = "nearest"
    k: int = 1
    caliper: float | None = None
    replace: bool = True
    bandwidth: float = 0.06
    kernel: str = "epanechnikov"
    controls: tuple[str, ...] = ()
    always_treated: str = "error"
    digits: int = 4


def run_psm(ctx: StepContext, p: PsmDidParams) -> StepResult:
    """Balance table and the matched-sample DID beside the unmatched TWFE DID."""
    from cityres.econometrics.did.twfe import did_twfe

    columns_of(ctx, [p.y], "y")
    columns_of(ctx, p.covariates, "covariates")
    columns_of(ctx, p.controls, "controls")
    spec = resolve_treatment(ctx, programme=p.programme, cohort=p.cohort,
                             calendar=p.calendar, min_confidence=p.min_confidence)
    fit = psm_did(spec.panel, p.y, cohort=spec.cohort, covariates=tuple(p.covariates),
                  pre=None if p.pre is None else tuple(p.pre), method=p.method,  # type: ignore[arg-type]
                  k=p.k, caliper=p.caliper, replace=p.replace, bandwidth=p.bandwidth,
                  kernel=p.kernel, controls=tuple(p.controls),  # type: ignore[arg-type]
                  always_treated=p.always_treated)  # type: ignore[arg-type]
    plain = did_twfe(spec.panel, p.y, cohort=spec.cohort, covariates=tuple(p.controls),
                     always_treated=p.always_treated, name="D")  # type: ignore[arg-type]
    sim = simulated_note(ctx)
    ylab = var_label(ctx, p.y)
    notes: list[Text] = [*spec.notes, *([sim] if sim else [])]
    years = f"{fit.pre[0]}–{fit.pre[-1]}" if len(fit.pre) > 1 else str(fit.pre[0])
    how = Text(
        f"处理：{spec.name.zh}；倾向得分 logit 模型的协变量取 {years} 年均值；匹配方式：{p.method}"
        f"（k = {p.k}，卡尺 {p.caliper}，{'有' if p.replace else '无'}放回）。",
        f"Treatment: {spec.name.en}; logit propensity model on the {years} means of the "
        f"covariates; matching: {p.method} (k = {p.k}, caliper {p.caliper}, "
        f"{'with' if p.replace else 'without'} replacement).")
    left = list(fit.unmatched)
    if left:
        notes.append(Text(f"未匹配而排除的处理城市：{', '.join(map(str, left))}。",
                          f"Treated cities left out (no match / off support): "
                          f"{', '.join(map(str, left))}."))
    tables: list[TableOut] = []
    tab = treatment_table(ctx, spec, notes)
    if tab is not None:
        tables.append(tab)
    bal = fit.balance.set_index("covariate")
    bal.index = pd.Index([_BALANCE.get(str(c), var_label(ctx, str(c)))
                          if str(c) not in p.covariates else var_label(ctx, str(c))
                          for c in bal.index], name="covariate")
    cols = ["mean_treated", "mean_control_before", "mean_control_after", "std_diff_before",
            "std_diff_after", "bias_reduction", "p_before", "p_after"]
    tables.append(TableOut("balance", fit.balance, plain_table(
        bal[cols], labels=_BALANCE, digits={c: 3 for c in cols} | {"std_diff_before": 1,
                                                                    "std_diff_after": 1,
                                                                    "bias_reduction": 1},
        simulated=ctx.simulated, notes=[*notes, how, Text(
            "标准化偏差 = 100 ×（处理组均值 − 对照组均值）/ 合并标准差；匹配后对照组按匹配权重"
            "加权；|偏差| < 10% 通常视为平衡。",
            "Standardised bias = 100 × (treated − control mean) / pooled SD; after "
            "matching the controls are weighted by their matching weights; |bias| < 10 % "
            "is commonly read as balanced.")]),
        Text("匹配前后的协变量平衡性", "Covariate balance before and after matching"),
        ctx.source, how))
    labels = {**econ_labels(ctx, [p.y, *p.controls]),
              "D": Text(f"{spec.name.zh}（入选后=1）", f"{spec.name.en} (after adoption = 1)")}
    tables.append(TableOut("did", fit.tidy(), regression_table(
        [plain, fit], labels=labels, keep=["D"], digits=p.digits, dep_var=ylab,
        model_names=[Text("全样本 DID", "DID, all cities"),
                     Text("PSM-DID（匹配样本）", "PSM-DID (matched sample)")],
        stats=("nobs", "r2_within"), notes=[*notes, how, Text(
            "双向固定效应，标准误按城市聚类；匹配样本回归以匹配权重加权。",
            "Two-way fixed effects, standard errors clustered by city; the matched-sample "
            "regression is weighted by the matching weights.")],
        simulated=ctx.simulated),
        Text("PSM-DID 估计结果", "PSM-DID estimates"), ctx.source, how))
    intro = Text("入选城市并非随机：先按入选前特征做倾向得分匹配，再在匹配样本上估计 DID。",
                 "Selected cities are not random: match on pre-treatment characteristics by "
                 "propensity score, then estimate the DID on the matched sample.")
    return StepResult(tables=tuple(tables), intro=intro)


@dataclass(frozen=True)
class SpatialDidParams:
    """Parameters of ``spatial_did``.

    ``y`` and the treatment as in ``did``; ``weights`` a weights spec as in the
    ``weights`` step (row-standardised); ``split`` separates the spillover onto untreated
    cities from that among treated ones; ``model`` fe (two-way FE with W·D) or sdm (a
    spatial Durbin model with D and W·D and its direct / indirect / total impacts).
    """

    y: str
    programme: str | None = None
    cohort: str | None = None
    calendar: str | None = None
    min_confidence: str = "low"
    weights: str | Mapping[str, Any] = field(default="queen")
    covariates: tuple[str, ...] = ()
    split: bool = True
    model: str = "fe"
    always_treated: str = "error"
    digits: int = 4


def run_spatial(ctx: StepContext, p: SpatialDidParams) -> StepResult:
    """The effects table (direct, spillovers) with their meaning."""
    columns_of(ctx, [p.y], "y")
    columns_of(ctx, p.covariates, "covariates")
    spec = resolve_treatment(ctx, programme=p.programme, cohort=p.cohort,
                             calendar=p.calendar, min_confidence=p.min_confidence)
    w = build_weights(ctx, p.weights)
    fit = spatial_did(spec.panel, p.y, cohort=spec.cohort, w=w,
                      covariates=tuple(p.covariates), split=p.split,
                      model=p.model, always_treated=p.always_treated,  # type: ignore[arg-type]
                      seed=ctx.seed)
    sim = simulated_note(ctx)
    ylab = var_label(ctx, p.y)
    notes: list[Text] = [*spec.notes, *([sim] if sim else [])]
    wcap = weights_caption(fit.weights)
    how = Text(f"处理：{spec.name.zh}；结果变量：{ylab.zh}；空间权重：{wcap.zh}；处理暴露 W·D 为"
               "邻市中已入选城市的（加权）比例。",
               f"Treatment: {spec.name.en}; outcome: {ylab.en}; weights: {wcap.en}; "
               "exposure W·D is the (weighted) share of neighbours already treated.")
    tables: list[TableOut] = []
    tab = treatment_table(ctx, spec, notes)
    if tab is not None:
        tables.append(tab)
    eff = fit.effects.set_index("effect")
    shown = eff[["estimate", "std_error", "pvalue", "ci_low", "ci_high"]]
    shown.index = pd.Index([_EFFECTS.get(str(e), Text(str(e), str(e))) for e in shown.index],
                           name="effect")
    tables.append(TableOut("effects", fit.effects, plain_table(
        shown, labels=_EFFECTS, digits={"estimate": p.digits, "std_error": p.digits,
                                        "pvalue": 3, "ci_low": p.digits,
                                        "ci_high": p.digits},
        simulated=ctx.simulated, notes=[*notes, how, Text(
            "假定：溢出只经由 W 所描述的邻近关系传递（部分干扰），W 外生且设定正确；"
            "未入选城市若受溢出影响，普通 DID 的对照组被“污染”，直接效应会被低估或高估。",
            "Assumptions: spillovers travel only along the links of W (partial "
            "interference), W is exogenous and correctly specified; if untreated cities "
            "receive spillovers, the plain DID's control group is contaminated and the "
            "direct effect is mis-estimated.")]),
        Text("空间 DID：直接效应与溢出效应", "Spatial DID: direct and spillover effects"),
        ctx.source, how))
    intro = Text("政策可能惠及邻近城市：以邻市入选比例 W·D 度量处理暴露，区分本市的直接效应与对"
                 "邻市（尤其未入选城市）的空间溢出。",
                 "A programme may reach neighbouring cities: with exposure W·D, the share of "
                 "treated neighbours, separate the direct effect from spillovers onto "
                 "neighbours, untreated ones in particular.")
    return StepResult(tables=tuple(tables), intro=intro)


register_step(StepSpec(
    name="psm_did",
    params=PsmDidParams,
    run=run_psm,
    title=Text("倾向得分匹配 DID", "Propensity-score matched DID"),
    description="Propensity-score matching on pre-treatment covariates (nearest-neighbour "
                "or kernel), balance table, and the weighted DID on the matched sample.",
))
register_step(StepSpec(
    name="spatial_did",
    params=SpatialDidParams,
    run=run_spatial,
    title=Text("空间 DID：政策的空间溢出", "Spatial DID: spillovers of the programme"),
    description="Direct effect and spillovers of a staggered programme through treatment "
                "exposure W·D (two-way FE or spatial Durbin model).",
))
