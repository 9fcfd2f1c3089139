"""Steps ``mediation`` and ``moderation``: the mechanism tables of a panel study."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.econometrics._frame import Effects
from cityres.econometrics.mediation import MediationResult, mediation
from cityres.econometrics.moderation import ModerationResult, moderation
from cityres.report.i18n import Text
from cityres.report.tables import format_number, plain_table, regression_table, star_marks
from cityres.study.registry import StepContext, StepResult, StepSpec, TableOut, register_step
from cityres.study.steps._common import columns_of, simulated_note, var_label

#: Labels of the rows and columns the mechanism tables add.
MECHANISM_LABELS: dict[str, Text] = {
    "indirect": Text("间接效应 a×b", "Indirect effect a×b"),
    "sobel_z": Text("Sobel z", "Sobel z"),
    "sobel_p": Text("Sobel p 值", "Sobel p"),
    "boot_ci": Text("Bootstrap 置信区间（百分位）", "Bootstrap CI (percentile)"),
    "bc_ci": Text("Bootstrap 置信区间（偏差校正）", "Bootstrap CI (bias-corrected)"),
    "share_mediated": Text("中介效应占比", "Share mediated"),
    "a": Text("a（x→m）", "a (x→m)"),
    "se_a": Text("a 的标准误", "SE of a"),
    "b": Text("b（m→y）", "b (m→y)"),
    "se_b": Text("b 的标准误", "SE of b"),
    "c": Text("总效应 c", "Total effect c"),
    "c_prime": Text("直接效应 c′", "Direct effect c′"),
    "n_boot": Text("Bootstrap 次数", "Bootstrap draws"),
    "boot_ci_lower": Text("Bootstrap 下限", "Bootstrap lower"),
    "boot_ci_upper": Text("Bootstrap 上限", "Bootstrap upper"),
    "mediator": Text("中介变量", "Mediator"),
    "moderator": Text("调节变量", "Moderator"),
    "a_true": Text("a 真值", "a (truth)"),
    "a_hat": Text("a 估计值", "a (estimate)"),
    "ab_true": Text("a×b 真值", "a×b (truth)"),
    "ab_hat": Text("a×b 估计值", "a×b (estimate)"),
    "at": Text("取值点", "At"),
    "z": Text("调节变量取值", "Moderator value"),
    "effect": Text("边际效应", "Marginal effect"),
    "std_error": Text("标准误", "SE"),
    "p": Text("p 值", "p"),
    "ci_lower": Text("置信下限", "CI lower"),
    "ci_upper": Text("置信上限", "CI upper"),
    "mean-1sd": Text("均值−1 标准差", "Mean − 1 SD"),
    "mean": Text("均值", "Mean"),
    "mean+1sd": Text("均值+1 标准差", "Mean + 1 SD"),
    "p25": Text("下四分位数", "25th percentile"),
    "p50": Text("中位数", "Median"),
    "p75": Text("上四分位数", "75th percentile"),
}
_STARS = (0.1, 0.05, 0.01)


@dataclass(frozen=True)
class MediationParams:
    """Parameters of ``mediation``.

    ``y`` the outcome, ``x`` the treatment, ``mediators`` analysed one at a time, side by
    side; ``controls`` in every equation; ``bootstrap`` cluster-bootstrap draws (resampling
    cities, or ``cluster`` units; 0 skips it); ``effects`` the fixed effects; ``cluster``
    the cluster variable of the standard errors (default the city); ``level`` of the
    intervals.
    """

    y: str
    x: str
    mediators: tuple[str, ...]
    controls: tuple[str, ...] = ()
    bootstrap: int = 1000
    effects: Effects = "twoways"
    cluster: str | None = None
    level: float = 0.95
    digits: int = 3


@dataclass(frozen=True)
class ModerationParams:
    """Parameters of ``moderation``.

    ``moderators`` are estimated one at a time (``y ~ x + z + x_c·z_c + controls``, x and z
    centred at their sample means when ``center``); ``at`` the moderator values of the
    marginal effects: omitted or ``"mean_sd"`` (mean ± 1 sd), ``"quartiles"``, or a list of
    numbers (the same for every moderator).
    """

    y: str
    x: str
    moderators: tuple[str, ...]
    controls: tuple[str, ...] = ()
    at: Literal["mean_sd", "quartiles"] | tuple[float, ...] | None = None
    center: bool = True
    effects: Effects = "twoways"
    cluster: str | None = None
    level: float = 0.95
    digits: int = 3


def _labels(ctx: StepContext) -> dict[str, Text]:
    return {**MECHANISM_LABELS, **ctx.labels}


def _fe_rows(effects: str, n: int, controls: bool) -> dict[str, list[str]]:
    return {"Controls": ["Yes" if controls else "No"] * n,
            "City FE": ["Yes" if effects in ("twoways", "individual") else "No"] * n,
            "Year FE": ["Yes" if effects in ("twoways", "time") else "No"] * n}


def _ci(lo: float, hi: float, digits: int) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "—"
    return f"[{format_number(lo, digits)}, {format_number(hi, digits)}]"


def _notes(ctx: StepContext, *extra: Text) -> list[Text]:
    sim = simulated_note(ctx)
    return [*extra, *([sim] if sim else [])]


def _se_note(cluster: str | None) -> Text:
    zh, en = ("城市", "city") if cluster is None else (cluster, cluster)
    return Text(f"括号内为按{zh}聚类的稳健标准误；*、**、*** 分别表示在 10%、5%、1% 水平上显著",
                f"Standard errors clustered by {en} in parentheses; * p<0.1, ** p<0.05, "
                "*** p<0.01")


def run_mediation(ctx: StepContext, p: MediationParams) -> StepResult:
    """Mechanism table (total, mediator and outcome equations), Sobel and bootstrap."""
    (y, x) = columns_of(ctx, [p.y, p.x], "y/x")
    meds = columns_of(ctx, p.mediators, "mediators")
    if not meds:
        raise ArgumentError(f"step {ctx.step_id!r}, mediators: give at least one mediator")
    ctrl = columns_of(ctx, p.controls, "controls")
    try:
        res = mediation(ctx.panel, y, x, meds, controls=ctrl, effects=p.effects,
                        cluster=p.cluster, bootstrap=p.bootstrap, seed=ctx.seed,
                        level=p.level)
    except ArgumentError as err:
        raise ArgumentError(f"step {ctx.step_id!r}: {err}") from None
    lab = _labels(ctx)
    d = p.digits
    models = [res.total]
    dep = [var_label(ctx, y)]
    names = [Text("总效应", "Total effect")]
    for m in meds:
        models += [res.models[m]["mediator"], res.models[m]["outcome"]]
        dep += [var_label(ctx, m), var_label(ctx, y)]
        names += [Text("中介方程", "Mediator eq."), Text("结果方程", "Outcome eq.")]
    extra: dict[str, list[str]] = {k: [""] for k in ("indirect", "sobel_z", "boot_ci",
                                                      "bc_ci", "share_mediated")}
    for m in meds:
        e = res.effects.loc[m].astype(float).to_dict()
        vals = {"indirect": format_number(e["indirect"], d),
                "sobel_z": format_number(e["sobel_z"], d) + star_marks(e["sobel_p"], _STARS),
                "boot_ci": _ci(e["boot_ci_lower"], e["boot_ci_upper"], d),
                "bc_ci": _ci(e["bc_ci_lower"], e["bc_ci_upper"], d),
                "share_mediated": format_number(e["share_mediated"], d)}
        for k, v in vals.items():
            extra[k] += ["", v]
    rows = {**_fe_rows(p.effects, len(models), bool(ctrl)), **extra}
    boot_note = (Text(f"Bootstrap：按城市（或聚类）有放回重抽样 {p.bootstrap} 次，"
                      f"{p.level:.0%} 置信区间；Sobel z 的星号按正态分布 p 值。",
                      f"Bootstrap: {p.bootstrap} cluster-bootstrap draws (cities, or clusters, "
                      f"resampled with replacement), {p.level:.0%} intervals; stars of Sobel z "
                      "from its normal p-value.") if p.bootstrap else
                 Text("未进行 Bootstrap。", "No bootstrap."))
    caveat = Text("逐步法检验的是相关关系链条：a 的识别与 x 的基准回归同样可信，b 要求中介变量"
                  "本身外生，通常难以保证（江艇 2022）；请同时报告 a 并论证 m→y 的合理性。",
                  "The stepwise test is a chain of associations: a is identified as well as "
                  "the baseline, but b needs the mediator itself to be exogenous, which is "
                  "rarely assured (Jiang 2022); report a and argue for m → y.")
    notes = _notes(ctx, _se_note(p.cluster), boot_note, caveat)
    table = regression_table(models, labels=lab, digits=d, keep=[x, *meds], rows=rows,
                             stats=("nobs", "r2_within"), model_names=names, dep_var=dep,
                             notes=notes, simulated=ctx.simulated)
    spec = Text(f"固定效应：{p.effects}", f"Fixed effects: {p.effects}")
    tables = [TableOut("mechanism", res.tidy(), table,
                       Text("机制检验：中介效应", "Mechanism: mediation"), ctx.source, spec)]
    shown = res.effects[["a", "se_a", "b", "se_b", "c", "c_prime", "indirect", "sobel_z",
                         "sobel_p", "share_mediated"]].copy()
    shown["boot_ci"] = [_ci(lo, hi, d) for lo, hi in zip(res.effects["boot_ci_lower"],
                                                         res.effects["boot_ci_upper"],
                                                         strict=True)]
    shown["bc_ci"] = [_ci(lo, hi, d) for lo, hi in zip(res.effects["bc_ci_lower"],
                                                       res.effects["bc_ci_upper"], strict=True)]
    shown.index = pd.Index(meds, name="mediator")
    tables.append(TableOut(
        "effects", res.effects.reset_index(),
        plain_table(shown, labels=lab, digits=d, simulated=ctx.simulated,
                    notes=_notes(ctx, boot_note, Text(
                        "Sobel z = ab / √(b²s_a² + a²s_b²)；c = c′ + ab 在同一样本与固定效应下"
                        "严格成立。", "Sobel z = ab / √(b²s_a² + a²s_b²); c = c′ + ab holds "
                        "exactly with the same sample and fixed effects."))),
        Text("间接效应、Sobel 检验与 Bootstrap 置信区间",
             "Indirect effects, Sobel tests and bootstrap intervals"), ctx.source, spec))
    truth = _truth(ctx, res)
    if truth is not None:
        tables.append(TableOut("truth", truth.reset_index(), plain_table(
            truth, labels=lab, digits=d, simulated=True, notes=[Text(
                "真值见 cityres.datasets.truth('yrd_sim')。中介方程非空间且同质，故 m ~ de_latent"
                "（+ 控制变量）| 城市 + 年份 在所有设定下一致估计 a_m；韧性方程的双向固定效应在"
                "完整设计（空间滞后、门槛与异质效应）下不能一致估计 b_m 与 a_m·b_m，只有在 "
                "params=\"simple\" 下才可以（docs/data/yrd_sim.md）。请比较 a，b 与 a×b 仅作参照。",
                "True values from cityres.datasets.truth('yrd_sim'). The mediator equations are "
                "non-spatial and homogeneous, so m ~ de_latent (+ controls) | city + year "
                "estimates a_m consistently in every preset; the two-way FE of resilience does "
                "not estimate b_m or a_m·b_m consistently in the full design (spatial lag, "
                "threshold, heterogeneous effects), only with params=\"simple\" "
                "(docs/data/yrd_sim.md). Compare a; read b and a×b as a reference only.")]),
            Text("中介效应估计值与模拟真值", "Mediation estimates against the simulated truth"),
            ctx.source, simulated_note(ctx)))
    intro = Text("中介效应检验数字经济影响韧性的渠道：逐步回归（Baron & Kenny 1986；温忠麟和叶宝娟 "
                 "2014）、Sobel 检验与按城市聚类的 Bootstrap 置信区间，各中介变量分别估计。",
                 "Mediation analysis tests the channels from the treatment to resilience: the "
                 "stepwise regressions (Baron & Kenny 1986), the Sobel test and city-cluster "
                 "bootstrap intervals, each mediator estimated separately.")
    return StepResult(tables=tuple(tables), intro=intro)


def _truth(ctx: StepContext, res: MediationResult) -> pd.DataFrame | None:
    """a_m and a_m·b_m against the yrd_sim truth (when the step's model matches)."""
    if ctx.panel.meta.get("name") != "yrd_sim" or res.x != "de_latent":
        return None
    from cityres import datasets

    truth = datasets.truth("yrd_sim")
    params = truth["params"]["mediators"]
    indirect = truth["derived"]["indirect_effects"]
    meds = [m for m in res.mediators if m in params]
    if not meds:
        return None
    e = res.effects.loc[meds]
    frame = pd.DataFrame({"a_true": [float(params[m]["a"]) for m in meds],
                          "a_hat": e["a"].to_numpy(), "se_a": e["se_a"].to_numpy()},
                         index=pd.Index(meds, name="mediator"))
    if res.y == "resilience":
        frame["ab_true"] = [float(indirect[m]) for m in meds]
        frame["ab_hat"] = e["indirect"].to_numpy()
        frame["boot_ci_lower"] = e["boot_ci_lower"].to_numpy()
        frame["boot_ci_upper"] = e["boot_ci_upper"].to_numpy()
    return frame


def run_moderation(ctx: StepContext, p: ModerationParams) -> StepResult:
    """Interaction table (one column per moderator) and marginal effects."""
    (y, x) = columns_of(ctx, [p.y, p.x], "y/x")
    mods = columns_of(ctx, p.moderators, "moderators")
    if not mods:
        raise ArgumentError(f"step {ctx.step_id!r}, moderators: give at least one moderator")
    ctrl = columns_of(ctx, p.controls, "controls")
    fits: list[ModerationResult] = []
    for z in mods:
        try:
            fits.append(moderation(ctx.panel, y, x, z, controls=ctrl, center=p.center,
                                   at=p.at, effects=p.effects, cluster=p.cluster,
                                   level=p.level))
        except ArgumentError as err:
            raise ArgumentError(f"step {ctx.step_id!r}, moderator {z!r}: {err}") from None
    lab = _labels(ctx)
    xl = var_label(ctx, x)
    for f in fits:
        zl = var_label(ctx, f.moderator)
        lab[f.interaction] = Text(f"{xl.zh}×{zl.zh}", f"{xl.en} × {zl.en}")
    how = (Text("交互项由以样本均值中心化的变量构造。", "Interactions of variables centred at "
                "their sample means.") if p.center else
           Text("交互项未中心化。", "Interactions not centred."))
    keep = [x, *mods, *(f.interaction for f in fits)]
    table = regression_table(fits, labels=lab, digits=p.digits, keep=keep,
                             rows=_fe_rows(p.effects, len(fits), bool(ctrl)),
                             stats=("nobs", "r2_within"), dep_var=var_label(ctx, y),
                             model_names=[var_label(ctx, z) for z in mods],
                             notes=_notes(ctx, _se_note(p.cluster), how),
                             simulated=ctx.simulated)
    spec = Text(f"固定效应：{p.effects}", f"Fixed effects: {p.effects}")
    coefs = pd.concat([f.model.tidy(p.level).assign(moderator=f.moderator) for f in fits],
                      ignore_index=True)
    me = pd.concat([f.marginal_effects.assign(moderator=f.moderator) for f in fits],
                   ignore_index=True)
    shown = me.set_index(["moderator", "at"])[["z", "effect", "std_error", "p", "ci_lower",
                                               "ci_upper"]]
    me_table = plain_table(shown, labels=lab, digits=p.digits, simulated=ctx.simulated,
                           notes=_notes(ctx, Text(
                               f"∂y/∂x = β_x + β_xz (z − z̄)；标准误由聚类协方差矩阵按 delta "
                               f"方法计算，{p.level:.0%} 置信区间。",
                               f"∂y/∂x = β_x + β_xz (z − z̄); delta-method standard errors "
                               f"from the clustered covariance, {p.level:.0%} intervals.")))
    tables = (
        TableOut("interaction", coefs, table, Text("调节效应：交互项回归", "Moderation: "
                                                   "interaction models"), ctx.source, spec),
        TableOut("marginal_effects", me, me_table,
                 Text(f"{xl.zh}的边际效应", f"Marginal effect of {xl.en}"), ctx.source, spec))
    intro = Text("调节效应检验数字经济的作用是否随城市特征而变：交互项以中心化变量构造，"
                 "并报告调节变量不同取值处的边际效应（Brambor, Clark & Golder 2006）。",
                 "Moderation tests whether the effect varies with a city characteristic: "
                 "interactions of centred variables, and marginal effects at chosen values "
                 "of the moderator (Brambor, Clark & Golder 2006).")
    return StepResult(tables=tables, intro=intro)


register_step(StepSpec(
    name="mediation",
    params=MediationParams,
    run=run_mediation,
    title=Text("机制检验：中介效应", "Mechanism: mediation"),
    description="Stepwise mediation with fixed effects for several mediators side by side: "
                "total, mediator and outcome equations, Sobel tests, cluster-bootstrap "
                "intervals of the indirect effect and the share mediated.",
))

register_step(StepSpec(
    name="moderation",
    params=ModerationParams,
    run=run_moderation,
    title=Text("调节效应", "Moderation"),
    description="Interaction models with centred variables, one per moderator, and the "
                "marginal effect of the treatment at chosen moderator values with "
                "delta-method standard errors.",
))
