"""Steps ``baseline`` (two-way FE, controls added step by step), ``iv`` (2SLS with first
stage and weak-identification statistics) and ``robustness`` (the baseline re-estimated
under each check)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.report.i18n import Text
from cityres.report.tables import ModelSummary, plain_table, regression_table
from cityres.study.registry import StepContext, StepResult, StepSpec, TableOut, register_step
from cityres.study.steps._common import simulated_note
from cityres.study.steps._econ import (
    TRUTH_NOTE,
    econ_labels,
    econ_panel,
    fe_rows,
    is_yrd_sim,
    yrd_sim_beta_truth,
)

Effects = Literal["twoways", "individual", "time", "none"]
Vcov = Literal["cluster", "hetero", "iid"]
_SE = {"cluster": Text("聚类到城市的稳健标准误", "standard errors clustered by city"),
       "hetero": Text("异方差稳健标准误（HC1）", "heteroskedasticity-robust standard errors (HC1)"),
       "iid": Text("普通标准误", "iid standard errors")}


def _se_note(vcov: str, cluster: str | None) -> Text:
    if vcov == "cluster" and cluster:
        return Text(f"聚类到 {cluster} 的稳健标准误", f"standard errors clustered by {cluster}")
    return _SE[vcov]


def _truth_rows(ctx: StepContext, y: str, xs: tuple[str, ...],
                estimates: dict[str, float]) -> TableOut | None:
    """Estimates of the ``de_latent`` coefficient against the yrd_sim truth."""
    if not (is_yrd_sim(ctx) and y == "resilience" and "de_latent" in xs):
        return None
    t = yrd_sim_beta_truth()
    frame = pd.DataFrame({"estimate": pd.Series(estimates)})
    for k in ("beta_low", "mean_beta", "total_at_mean"):
        frame[k] = t[k]
    frame.index.name = "model"
    lab = {"beta_low": Text("真值 β_low", "true β_low"),
           "mean_beta": Text("真值 β 均值", "true mean β_it"),
           "total_at_mean": Text("真值总效应（均值 β）", "true total effect at mean β"),
           "estimate": Text("估计值", "estimate")}
    return TableOut("truth", frame.reset_index(), plain_table(
        frame, labels=lab, digits=3, simulated=True, notes=[TRUTH_NOTE]),
        Text("数字经济系数与模拟真值", "Coefficient of the digital economy against the "
             "simulated truth"), ctx.source, None)


@dataclass(frozen=True)
class BaselineParams:
    """Parameters of ``baseline``.

    ``y`` and ``x`` are panel columns or ids of earlier ``index`` steps; ``controls`` are
    added one per column (``steps = "cumulative"``) or all at once (``"all"``: two
    columns); ``effects`` the fixed effects (a ``pooled`` OLS column is added first when
    ``pooled_first``); ``vcov`` / ``cluster`` the standard errors.
    """

    y: str
    x: tuple[str, ...]
    controls: tuple[str, ...] = ()
    steps: Literal["cumulative", "all"] = "cumulative"
    effects: Effects = "twoways"
    pooled_first: bool = False
    vcov: Vcov = "cluster"
    cluster: str | None = None
    digits: int = 3


def run_baseline(ctx: StepContext, p: BaselineParams) -> StepResult:
    """The baseline table: one FE regression per column."""
    from cityres.econometrics import fit_fe, fit_sequence

    if not p.x:
        raise ArgumentError(f"step {ctx.step_id!r}, x: give at least one core regressor")
    panel = econ_panel(ctx, [p.y, *p.x, *p.controls], "y, x, controls")
    groups: list[Any] = list(p.controls) if p.steps == "cumulative" else (
        [list(p.controls)] if p.controls else [])
    models = list(fit_sequence(p.y, p.x, panel, controls=groups, effects=p.effects,
                               vcov=p.vcov, cluster=p.cluster))
    effects = [p.effects] * len(models)
    if p.pooled_first:
        models.insert(0, fit_fe(f"{p.y} ~ " + " + ".join([*p.x, *p.controls]), panel,
                                effects="none", vcov=p.vcov, cluster=p.cluster))
        effects.insert(0, "none")
    lab = econ_labels(ctx, [p.y, *p.x, *p.controls])
    sim = simulated_note(ctx)
    notes = [Text(f"{_se_note(p.vcov, p.cluster).zh}；* p<0.1，** p<0.05，*** p<0.01",
                  f"{_se_note(p.vcov, p.cluster).en} in parentheses; * p<0.1, ** p<0.05, "
                  "*** p<0.01")] + ([sim] if sim else [])
    tidy = pd.concat([m.tidy().assign(model=i + 1) for i, m in enumerate(models)])
    table = regression_table(models, labels=lab, digits=p.digits, order=list(p.x),
                             rows=fe_rows(effects), stats=("nobs", "r2", "r2_within"),
                             dep_var=lab.get(p.y, Text(p.y, p.y)), notes=notes,
                             simulated=ctx.simulated)
    tables = [TableOut("estimates", tidy.reset_index(drop=True), table,
                       Text("基准回归", "Baseline regressions"), ctx.source, None)]
    truth = _truth_rows(ctx, p.y, p.x, {f"({i + 1})": float(m.params["de_latent"])
                                        for i, m in enumerate(models)}
                        if "de_latent" in p.x else {})
    if truth is not None:
        tables.append(truth)
    intro = Text("基准回归：双向固定效应模型，逐步加入控制变量，检验核心解释变量的系数是否稳定。",
                 "Baseline: two-way fixed-effects regressions adding the controls step by "
                 "step, to see whether the core coefficient is stable.")
    return StepResult(tables=tuple(tables), intro=intro)


@dataclass(frozen=True)
class IVParams:
    """Parameters of ``iv``.

    ``endogenous`` is the regressor to instrument (a panel column or index step id);
    ``instruments`` panel columns, where ``"a*b"`` is the product of two columns (added
    to the data and logged, e.g. ``"phones_1984*nat_internet_lag"``, a Bartik-style
    historical instrument); ``controls`` the exogenous regressors.
    """

    y: str
    endogenous: str
    instruments: tuple[str, ...]
    controls: tuple[str, ...] = ()
    effects: Effects = "twoways"
    vcov: Vcov = "cluster"
    cluster: str | None = None
    digits: int = 3


def _instrument_columns(ctx: StepContext, panel: Any, instruments: tuple[str, ...]
                        ) -> tuple[Any, list[str]]:
    names, products = [], {}
    for item in instruments:
        if "*" in item:
            a, b = (s.strip() for s in item.split("*", 1))
            for c in (a, b):
                if c not in panel.columns:
                    raise ArgumentError(f"step {ctx.step_id!r}, instruments: {c!r} is not a "
                                        "column of the panel")
            name = f"{a}_x_{b}"
            products[name] = panel.data[a] * panel.data[b]
            names.append(name)
        else:
            names.append(item)
    if products:
        panel = panel.with_columns(pd.DataFrame(products), source="products of instruments")
    return panel, names


def run_iv(ctx: StepContext, p: IVParams) -> StepResult:
    """FE OLS, first stage and 2SLS side by side, with the weak-identification rows."""
    from cityres.econometrics import fit_fe
    from cityres.econometrics.iv import fit_iv

    if not p.instruments:
        raise ArgumentError(f"step {ctx.step_id!r}, instruments: give at least one")
    panel = econ_panel(ctx, [p.y, p.endogenous, *p.controls], "y, endogenous, controls")
    panel, inst = _instrument_columns(ctx, panel, p.instruments)
    ctrl = " + ".join(p.controls) if p.controls else "1"
    iv = fit_iv(f"{p.y} ~ {ctrl} | {p.endogenous} ~ " + " + ".join(inst), panel,
                effects=p.effects, vcov=p.vcov, cluster=p.cluster)
    ols = fit_fe(f"{p.y} ~ " + " + ".join([p.endogenous, *p.controls]), panel,
                 effects=p.effects, vcov=p.vcov, cluster=p.cluster)
    first = iv.first_stages[p.endogenous]
    diag = iv.diagnostics.loc[p.endogenous]
    lab = econ_labels(ctx, [p.y, p.endogenous, *p.controls])
    for name, raw in zip(inst, p.instruments, strict=True):
        lab.setdefault(name, Text(raw.replace("*", " × "), raw.replace("*", " × ")))
    second = ModelSummary(params=iv.params, std_errors=iv.std_errors, pvalues=iv.pvalues,
                          nobs=iv.nobs, tstats=iv.tstats)
    blank = ""
    rows = {**fe_rows([p.effects] * 3),
            "First-stage F": [blank, f"{diag['first_stage_f']:.2f}", blank],
            "Cragg-Donald F": [blank, blank, f"{diag['cragg_donald_f']:.2f}"],
            "Effective F": [blank, blank, f"{diag['effective_f']:.2f}"],
            "Stock-Yogo 10%": [blank, blank, f"{diag['stock_yogo_10pct']:.2f}"],
            "Partial R²": [blank, f"{diag['partial_r2']:.3f}", blank]}
    lab.update({"First-stage F": Text("第一阶段 F 值", "First-stage F"),
                "Cragg-Donald F": Text("Cragg-Donald Wald F", "Cragg-Donald Wald F"),
                "Effective F": Text("有效 F（Olea-Pflueger）", "Effective F (Olea-Pflueger)"),
                "Stock-Yogo 10%": Text("Stock-Yogo 10% 临界值", "Stock-Yogo 10% critical value"),
                "Partial R²": Text("工具变量偏 R²", "Partial R² of the instruments")})
    sim = simulated_note(ctx)
    notes = [Text(f"{_se_note(p.vcov, p.cluster).zh}；第一阶段 F 为排除工具变量的 Wald F"
                  "（同一协方差）。",
                  f"{_se_note(p.vcov, p.cluster).en} in parentheses; the first-stage F is the "
                  "Wald F of the excluded instruments with the same covariance.")] + (
        [sim] if sim else [])
    table = regression_table([ols, first, second], labels=lab, digits=p.digits,
                             order=[p.endogenous, *inst], rows=rows, stats=("nobs",),
                             model_names=["FE", Text("第一阶段", "First stage"), "2SLS"],
                             dep_var=[lab.get(p.y, Text(p.y, p.y)),
                                      lab.get(p.endogenous, Text(p.endogenous, p.endogenous)),
                                      lab.get(p.y, Text(p.y, p.y))],
                             notes=notes, simulated=ctx.simulated)
    data = pd.concat([ols.tidy().assign(model="fe"), first.tidy().assign(model="first_stage"),
                      iv.tidy().assign(model="2sls")]).reset_index(drop=True)
    tables = [TableOut("estimates", data, table, Text("工具变量估计", "Instrumental variables"),
                       ctx.source, None),
              TableOut("diagnostics", iv.diagnostics.reset_index(), plain_table(
                  iv.diagnostics, labels=lab, digits=3, simulated=ctx.simulated),
                  Text("弱工具变量检验", "Weak-identification statistics"), ctx.source, None)]
    truth = _truth_rows(ctx, p.y, (p.endogenous,), {"FE": float(ols.params[p.endogenous]),
                                                    "2SLS": float(iv.params[p.endogenous])})
    if truth is not None:
        tables.append(truth)
    intro = Text("工具变量法缓解内生性：第一阶段检验工具变量的相关性，第二阶段给出因果效应估计。",
                 "Instrumental variables address endogeneity: the first stage shows the "
                 "instruments' relevance, the second stage the causal estimate.")
    return StepResult(tables=tuple(tables), intro=intro)


@dataclass(frozen=True)
class RobustnessParams:
    """Parameters of ``robustness``.

    ``checks`` is a list of tables as :mod:`cityres.econometrics.robustness` describes
    (``{ lag = 1 }``, ``{ drop = "municipalities" }``, ``{ winsorize = [0.01, 0.99] }``,
    ``{ years = [2011, 2019] }``, ``{ y = "column" }``, ``{ x = "column" }``…);
    ``alt_index`` rebuilds an index with other weighting methods and uses each as the core
    regressor: ``{ system = "digital_economy", weightings = ["critic", "equal"] }``.
    """

    y: str
    x: str
    controls: tuple[str, ...] = ()
    checks: tuple[dict[str, Any], ...] = ()
    alt_index: dict[str, Any] | None = None
    effects: Effects = "twoways"
    vcov: Vcov = "cluster"
    cluster: str | None = None
    digits: int = 3


def _alt_index(ctx: StepContext, panel: Any, spec: dict[str, Any]) -> tuple[Any, list[dict[
        str, Any]]]:
    from cityres.indices import build_index, load_system

    unknown = [k for k in spec if k not in ("system", "weightings", "normalize")]
    if unknown or "system" not in spec or not spec.get("weightings"):
        raise ArgumentError(f"step {ctx.step_id!r}, alt_index: give system and weightings "
                            f"(a list); unknown keys {unknown}")
    system = load_system(spec["system"])
    cols, checks = {}, []
    for w in spec["weightings"]:
        res = build_index(panel, system, weighting=w,
                          normalize=spec.get("normalize", "minmax"))
        name = f"{spec['system']}_{w}"
        cols[name] = res.scores
        checks.append({"x": name, "label": f"{spec['system']} index, {w} weights"})
    frame = pd.DataFrame(cols)
    return panel.with_columns(frame, source="alternative index weightings"), checks


def run_robustness(ctx: StepContext, p: RobustnessParams) -> StepResult:
    """The baseline and every check, one column each."""
    from cityres.econometrics.robustness import robustness

    names = [p.y, p.x, *p.controls] + [c[k] for c in p.checks for k in ("y", "x") if k in c]
    panel = econ_panel(ctx, names, "y, x, controls, checks")
    checks = [dict(c) for c in p.checks]
    if p.alt_index:
        panel, extra = _alt_index(ctx, panel, dict(p.alt_index))
        checks += extra
    if not checks:
        raise ArgumentError(f"step {ctx.step_id!r}: give checks or alt_index")
    res = robustness(panel, p.y, p.x, checks=checks, controls=p.controls, effects=p.effects,
                     vcov=p.vcov, cluster=p.cluster)
    lab = econ_labels(ctx, names)
    shown = []
    for m, core in zip(res.models, res.core, strict=True):  # the core row is shared
        rename = {core[0]: "core"}
        shown.append(ModelSummary(params=m.params.rename(index=rename),
                                  std_errors=m.std_errors.rename(index=rename),
                                  pvalues=m.pvalues.rename(index=rename), nobs=m.nobs,
                                  r2=m.r2, stats={"r2_within": m.r2_within}))
    lab["core"] = lab.get(p.x, Text(p.x, p.x))
    sim = simulated_note(ctx)
    notes = [Text("各列为基准模型在一项稳健性检验下的重新估计；核心解释变量行给出其系数。",
                  "Each column re-estimates the baseline under one check; the first row is "
                  "the core regressor's coefficient (lagged or replaced where the check says "
                  "so).")] + [Text(f"({i + 1}) {lbl}" + (f"：{ch}" if ch else ""),
                                   f"({i + 1}) {lbl}" + (f": {ch}" if ch else ""))
                              for i, (lbl, ch) in enumerate(zip(res.labels, res.changes,
                                                                strict=True))]
    table = regression_table(shown, labels=lab, digits=p.digits, keep=["core"],
                             model_names=list(res.labels),
                             rows={"Controls": ["Yes" if p.controls else "No"] * len(shown)},
                             stats=("nobs", "r2_within"), notes=notes + ([sim] if sim else []),
                             simulated=ctx.simulated)
    intro = Text("稳健性检验：滞后解释变量、替换被解释变量或核心解释变量、剔除特殊城市、缩尾处理、"
                 "调整样本期与指数赋权方法。",
                 "Robustness: lagged regressors, alternative dependent or core variables, "
                 "subsamples without special cities, winsorised data, another period and "
                 "other index weightings.")
    return StepResult(tables=(TableOut("estimates", res.tidy(), table,
                                       Text("稳健性检验", "Robustness checks"), ctx.source,
                                       None),), intro=intro)


register_step(StepSpec(name="baseline", params=BaselineParams, run=run_baseline,
                       title=Text("基准回归", "Baseline regressions"),
                       description="Two-way fixed-effects regressions adding controls step by "
                                   "step (pyfixest), clustered standard errors."))
register_step(StepSpec(name="iv", params=IVParams, run=run_iv,
                       title=Text("工具变量估计", "Instrumental variables"),
                       description="2SLS with fixed effects, first stage, first-stage F, "
                                   "Cragg-Donald and effective F."))
register_step(StepSpec(name="robustness", params=RobustnessParams, run=run_robustness,
                       title=Text("稳健性检验", "Robustness checks"),
                       description="The baseline re-estimated with lags, other variables, "
                                   "subsamples, winsorised data and other index weightings."))
