"""Step ``threshold``: Hansen's (1999) panel threshold model — tests of the number of
thresholds, the thresholds with LR intervals, the regime coefficients and the LR plot."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.econometrics.threshold import ThresholdResult, threshold
from cityres.report.i18n import Lang, Text
from cityres.report.tables import ModelSummary, plain_table, regression_table
from cityres.study.registry import (
    FigureOut,
    StepContext,
    StepResult,
    StepSpec,
    TableOut,
    register_step,
)
from cityres.study.steps._common import columns_of, simulated_note, var_label

_TESTS = {"single": Text("单一门槛", "Single threshold"),
          "double": Text("双重门槛", "Double threshold"),
          "triple": Text("三重门槛", "Triple threshold")}
_LABELS: dict[str, Text] = {
    "f_stat": Text("F 统计量", "F statistic"),
    "pvalue": Text("Bootstrap p 值", "Bootstrap p-value"),
    "crit10": Text("10% 临界值", "10% critical value"),
    "crit5": Text("5% 临界值", "5% critical value"),
    "crit1": Text("1% 临界值", "1% critical value"),
    "estimate": Text("门槛估计值", "Threshold estimate"),
    "lower": Text("置信下限", "Lower bound"),
    "upper": Text("置信上限", "Upper bound"),
    "truth": Text("真值", "Truth"),
    "threshold": Text("门槛值 γ", "Threshold γ"),
    "beta_low": Text("低区制系数 β_low", "Low-regime coefficient β_low"),
    "beta_high": Text("高区制系数 β_high", "High-regime coefficient β_high"),
    "mean_beta": Text("β_it 的样本均值", "Sample mean of β_it"),
    "test": Text("检验", "Test"),
    "parameter": Text("参数", "Parameter"),
    "r2_within": Text("组内 R²", "Within R²"),
    **_TESTS,
}


@dataclass(frozen=True)
class ThresholdParams:
    """Parameters of ``threshold``.

    ``y`` the response; ``regime`` the regime-dependent variable(s) whose coefficient
    changes at the thresholds; ``q`` the threshold variable (it may be the regime variable
    itself); ``controls`` regime-independent regressors; ``n_thresholds`` 1–3, estimated
    sequentially and each tested against one fewer by Hansen's bootstrap with
    ``bootstrap`` draws (seeded by the study seed); ``trim`` the smallest share of
    observations a regime may hold (one number or one per threshold); ``grid`` None for
    every distinct value of q as a candidate, or a number of quantile points;
    ``time_effects`` adds year effects (Hansen's model has entity effects only).
    """

    y: str
    regime: str | tuple[str, ...]
    q: str
    controls: tuple[str, ...] = ()
    n_thresholds: int = 2
    trim: float | tuple[float, ...] = 0.05
    grid: int | None = None
    bootstrap: int = 300
    time_effects: bool = False
    digits: int = 3



def _summary(fit: ThresholdResult) -> ModelSummary:
    """The regression-table view of a threshold fit: ``stats`` add ``r2_within`` and the
    thresholds ``gamma1``, ``gamma2``…"""
    extra = {f"gamma{j + 1}": v for j, v in enumerate(fit.threshold_values)}
    return ModelSummary(params=fit.params, std_errors=fit.std_errors, pvalues=fit.pvalues,
                        nobs=fit.nobs, tstats=fit.tstats,
                        stats={"r2_within": fit.r2_within, **extra}, dep_var=fit.dep_var)

def run(ctx: StepContext, p: ThresholdParams) -> StepResult:
    """Tests, thresholds, regime coefficients, the LR plot and, on yrd_sim, the truth."""
    from cityres.report.threshold_plot import threshold_lr_plot

    regs = [p.regime] if isinstance(p.regime, str) else list(p.regime)
    if not regs:
        raise ArgumentError(f"step {ctx.step_id!r}, regime: give at least one variable")
    columns_of(ctx, [p.y], "y")
    columns_of(ctx, regs, "regime")
    columns_of(ctx, [p.q], "q")
    ctrl = columns_of(ctx, p.controls, "controls")
    fit = threshold(ctx.panel, p.y, regime=tuple(regs), q=p.q, controls=tuple(ctrl),
                    n_thresholds=p.n_thresholds, trim=p.trim, grid=p.grid,
                    bootstrap=p.bootstrap, seed=ctx.seed, time_effects=p.time_effects)
    sim = simulated_note(ctx)
    qlab = var_label(ctx, p.q)
    how = _how(fit, qlab)
    notes: list[Text] = [how] + ([sim] if sim else [])
    tests = fit.tests[["f_stat", "pvalue", "crit10", "crit5", "crit1"]].copy()
    tests.index = pd.Index(list(tests.index), name="test")
    ci = fit.threshold_ci.copy()
    ci.index = pd.Index([f"γ{j}" for j in range(1, len(ci) + 1)], name="parameter")
    level = f"{fit.level:.0%}"
    tables = [
        TableOut("tests", fit.tests.reset_index(), plain_table(
            tests, labels=_LABELS, digits={"f_stat": 2, "pvalue": 3, "crit10": 2,
                                           "crit5": 2, "crit1": 2},
            simulated=ctx.simulated, notes=[*notes, Text(
                f"F 检验 k 个对 k−1 个门槛；p 值与临界值来自 {fit.n_draws} 次固定解释变量"
                "残差 Bootstrap（Hansen 1999），按城市整体重抽残差。",
                f"F tests k against k − 1 thresholds; p-values and critical values from "
                f"{fit.n_draws} draws of Hansen's (1999) fixed-regressor residual "
                "bootstrap, resampling cities' residual vectors.")]),
            Text("门槛效应检验", "Tests of threshold effects"), ctx.source, how),
        TableOut("thresholds", ci.reset_index(), plain_table(
            ci, labels=_LABELS, digits=4, simulated=ctx.simulated, notes=[*notes, Text(
                f"{level}置信区间由似然比统计量反推：LR(γ) ≤ c = −2 ln(1 − √(1 − α)) = "
                f"{fit.lr_critical:.2f}（Hansen 2000）。",
                f"{level} intervals invert the likelihood ratio: LR(γ) ≤ c = "
                f"−2 ln(1 − √(1 − α)) = {fit.lr_critical:.2f} (Hansen 2000).")]),
            Text(f"门槛估计值及其{level}置信区间",
                 f"Threshold estimates with {level} confidence intervals"), ctx.source, how),
    ]
    lab = {**ctx.labels, **_coef_labels(ctx, fit, regs),
           **{f"gamma{j}": Text(f"门槛值 γ̂{j}", f"Threshold γ̂{j}")
              for j in range(1, fit.n_thresholds + 1)}}
    tables.append(TableOut("estimates", fit.tidy(), regression_table(
        [_summary(fit)], labels=lab, digits=p.digits, dep_var=var_label(ctx, p.y),
        stats=("nobs", "r2_within", *(f"gamma{j}" for j in range(1, fit.n_thresholds + 1))),
        notes=[*notes, Text(f"括号内为按城市聚类的稳健标准误（{fit.n_clusters} 个聚类，"
                            "小样本调整同 Stata xtreg, fe vce(cluster)）。",
                            f"Standard errors clustered by city in parentheses "
                            f"({fit.n_clusters} clusters; small-sample factor as Stata's "
                            "xtreg, fe vce(cluster)).")],
        simulated=ctx.simulated),
        Text("门槛回归：各区制系数", "Threshold regression: regime coefficients"),
        ctx.source, how))
    truth = _truth_table(ctx, p, fit)
    if truth is not None:
        tables.append(TableOut("truth", truth.reset_index(), plain_table(
            truth, labels=_LABELS, digits=4, simulated=True, notes=[
                Text("真值见 cityres.datasets.truth('yrd_sim')；β_low、β_high 为参照组"
                     "（东部、中等规模、低开放度、2017 年前）城市的系数；估计值取最接近真值的"
                     "门槛两侧区制的系数，区间为门槛的似然比区间与系数的 t 区间。",
                     "True values from cityres.datasets.truth('yrd_sim'); β_low and β_high "
                     "are the coefficients of the reference cell (east, medium size, low "
                     "openness, before 2017); estimates are those of the regimes on either "
                     "side of the estimated threshold nearest the true one, intervals the "
                     "threshold's LR interval and the coefficients' t intervals."),
                Text("捆绑的 yrd_sim 采用完整设计：D 的效应还乘以时期、开放度、地区、规模系数，"
                     "并有空间溢出（ρ = 0.3，θ = 0.06），故各区制系数是 β × 乘数的混合（β_it 均值"
                     "约 0.19），不是 β_low、β_high 本身；门槛值 γ 可识别。关闭这些项的模拟"
                     "（docs/data/yrd_sim.md “What each estimator identifies”）可检验还原。",
                     "The bundled yrd_sim uses the full design: D's effect is also multiplied "
                     "by period, openness, region and size multipliers and spills over "
                     "(ρ = 0.3, θ = 0.06), so the regime coefficients estimate a mixture of "
                     "β × multipliers (β_it averages about 0.19), not β_low and β_high "
                     "themselves; the threshold γ is identified. A simulation with those "
                     "terms switched off (docs/data/yrd_sim.md, 'What each estimator "
                     "identifies') is the recovery check.")]),
            Text("估计值与模拟真值", "Estimates against the simulated truth"), ctx.source, sim))

    def make(lang: Lang) -> Any:
        return threshold_lr_plot(fit, lang=lang, q_label=qlab, simulated=ctx.simulated)

    figures = (FigureOut("lr", make, Text(f"{qlab.zh}门槛的似然比统计量 LR(γ)",
                                          f"Likelihood ratio LR(γ) of the thresholds in "
                                          f"{qlab.en}"), ctx.source, how),)
    intro = Text("面板门槛模型（Hansen 1999）检验数字经济的效应是否随门槛变量跨越某一水平而改变："
                 "先用 Bootstrap 检验门槛个数，再给出门槛值的似然比置信区间与各区制系数。",
                 "The panel threshold model (Hansen 1999) asks whether the effect changes when "
                 "the threshold variable crosses a level: bootstrap tests of the number of "
                 "thresholds, likelihood-ratio intervals of the thresholds and the "
                 "coefficients of each regime.")
    return StepResult(tables=tuple(tables), figures=figures, intro=intro)


def _how(fit: ThresholdResult, qlab: Text) -> Text:
    grid = (Text("门槛变量的全部不同取值", "every distinct value of the threshold variable")
            if fit.grid is None else Text(f"{fit.grid} 个分位点", f"{fit.grid} quantile points"))
    trim = ", ".join(f"{t:g}" for t in fit.trim)
    fe = (Text("城市与年份固定效应", "city and year fixed effects") if fit.time_effects
          else Text("城市固定效应", "city fixed effects"))
    return Text(f"门槛变量 q：{qlab.zh}；{fit.n_thresholds} 个门槛依次估计（Hansen 精炼）；候选值："
                f"{grid.zh}；修整比例 {trim}；{fe.zh}。",
                f"Threshold variable q: {qlab.en}; {fit.n_thresholds} threshold(s) estimated "
                f"sequentially (Hansen's refinement); candidates: {grid.en}; trim {trim}; "
                f"{fe.en}.")


def _coef_labels(ctx: StepContext, fit: ThresholdResult, regs: list[str]) -> dict[str, Text]:
    """``<x>_r1`` … as "x (q ≤ γ̂1)", "x (γ̂1 < q ≤ γ̂2)", … (q is named in the notes)."""
    g = [f"γ̂{j}" for j in range(1, fit.n_thresholds + 1)]
    cuts = [f"q ≤ {g[0]}", *(f"{a} < q ≤ {b}" for a, b in pairwise(g)), f"q > {g[-1]}"]
    out = {}
    for v in regs:
        name = var_label(ctx, v)
        for j, cut in enumerate(cuts):
            out[f"{v}_r{j + 1}"] = Text(f"{name.zh}（{cut}）", f"{name.en} ({cut})")
    return out


def _truth_table(ctx: StepContext, p: ThresholdParams,
                 fit: ThresholdResult) -> pd.DataFrame | None:
    """γ, β_low, β_high of yrd_sim next to the estimates (the regimes around the
    estimated threshold nearest the true one)."""
    if (ctx.panel.meta.get("name") != "yrd_sim" or p.y != "resilience"
            or p.q != "de_latent" or fit.regime != ("de_latent",)):
        return None
    from cityres import datasets

    truth = datasets.truth("yrd_sim")
    out = truth["params"]["outcome"]
    gam = np.asarray(fit.thresholds)
    j = int(np.argmin(np.abs(gam - out["threshold"])))
    ci = fit.threshold_ci.iloc[j]
    conf = fit.conf_int(fit.level)
    lo, hi = f"de_latent_r{j + 1}", f"de_latent_r{j + 2}"
    frame = pd.DataFrame({
        "truth": [out["threshold"], out["beta_low"], out["beta_high"],
                  truth["derived"]["mean_de_effect"]],
        "estimate": [gam[j], fit.params[lo], fit.params[hi], np.nan],
        "lower": [ci["lower"], conf.loc[lo, "lower"], conf.loc[hi, "lower"], np.nan],
        "upper": [ci["upper"], conf.loc[lo, "upper"], conf.loc[hi, "upper"], np.nan]},
        index=pd.Index(["threshold", "beta_low", "beta_high", "mean_beta"],
                       name="parameter"))
    return frame


register_step(StepSpec(
    name="threshold",
    params=ThresholdParams,
    run=run,
    title=Text("面板门槛回归", "Panel threshold regression"),
    description="Hansen (1999) fixed-effects panel threshold model: bootstrap tests of the "
                "number of thresholds, LR intervals, regime coefficients and the LR plot.",
))
