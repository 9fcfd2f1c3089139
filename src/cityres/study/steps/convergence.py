"""Step ``convergence``: σ convergence (dispersion by year, overall and by group, with a
trend test) and β convergence (absolute and conditional, cross-section and panel, spatial
when asked) with speed and half-life; the σ chart and the β scatter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cityres._shared.errors import ArgumentError, format_choices
from cityres.dynamics.beta import BetaResult, beta_convergence
from cityres.dynamics.sigma import MEASURES, sigma
from cityres.report.i18n import COMMON, Lang, Text
from cityres.report.tables import plain_table, regression_table
from cityres.study.registry import (
    FigureOut,
    StepContext,
    StepResult,
    StepSpec,
    TableOut,
    register_step,
)
from cityres.study.steps._common import columns_of, simulated_note, var_label
from cityres.study.steps._spatial import build_weights, weights_caption

_LABELS: dict[str, Text] = {
    "cv": Text("变异系数", "CV"), "sd_log": Text("对数标准差", "SD of logs"),
    "gini": Text("基尼系数", "Gini"), "theil": Text("泰尔指数 T", "Theil T"),
    "overall": Text("全部城市", "All cities"), "year": Text("年份", "Year"),
    "slope": Text("年均变化", "Slope per year"), "std_error": Text("标准误", "SE"),
    "t": Text("t 值", "t"), "p": Text("p 值", "p"), "first": Text("期初值", "First"),
    "last": Text("期末值", "Last"), "ratio": Text("期末/期初", "Last / first"),
    "maxlags": Text("HAC 滞后阶数", "HAC lags"), "n": Text("城市数", "Cities"),
    "ln_y0": Text("期初（滞后）对数水平 β", "Initial (lagged) log level β"),
    "W_ln_y0": Text("W×期初（滞后）对数水平", "W × initial (lagged) log level"),
    "rho": Text("ρ（空间滞后）", "ρ (spatial lag)"), "const": Text("常数项", "Constant"),
    "Speed": Text("收敛速度 λ", "Speed λ"), "Half-life": Text("半衰期（年）", "Half-life (years)"),
    "Direct": Text("直接效应（ln y）", "Direct effect (ln y)"),
    "Indirect": Text("间接效应（ln y）", "Indirect effect (ln y)"),
}


@dataclass(frozen=True)
class ConvergenceParams:
    """Parameters of ``convergence``.

    ``column`` the indicator (> 0; it is logged); ``group`` the groups of the σ table (a
    city-table column, default ``region``; None for all cities only); ``measures`` among
    cv, sd_log, gini, theil; ``window`` (start, end) years of the β regressions (default
    the first and last year); ``controls`` the conditional β regressors (none: absolute β
    only); ``spatial`` adds SAR or SDM panel β with the ``weights`` spec (default queen
    contiguity); ``digits`` of the tables.
    """

    column: str
    group: str | None = "region"
    measures: tuple[str, ...] = MEASURES
    window: tuple[int, int] | None = None
    controls: tuple[str, ...] = ()
    spatial: Literal["sar", "sdm"] | None = None
    weights: str | dict[str, Any] = "queen"
    digits: int = 3


def _sigma_tables(ctx: StepContext, p: ConvergenceParams, notes: list[Text]
                  ) -> tuple[list[TableOut], Any]:
    res = sigma(ctx.panel, p.column, group=p.group, measures=p.measures)  # type: ignore[arg-type]
    ylab = var_label(ctx, p.column)
    if res.grouped:
        groups = list(dict.fromkeys(res.table.index.get_level_values(0)))
        show = pd.concat({g: res.table.loc[g, list(res.measures)] for g in groups}, axis=1)
    else:
        show = res.table.loc[:, list(res.measures)]
    lab = {**_LABELS, **ctx.labels}
    how = Text("变异系数与对数标准差用总体标准差（ddof = 0）；基尼系数由 PySAL inequality 计算；"
               "泰尔指数 T = (1/n)Σ(x/x̄)ln(x/x̄)。",
               "CV and SD of logs use the population standard deviation (ddof = 0); Gini by "
               "the PySAL inequality package; Theil T = (1/n)Σ(x/x̄)ln(x/x̄).")
    trend = res.trend()
    keys = [f"{r.get('group', 'overall')}|{r['measure']}" for _, r in trend.iterrows()]
    for k in keys:
        g, m = k.split("|")
        gl, ml = lab.get(g, Text(g, g)), _LABELS[m]
        lab[k] = Text(f"{gl.zh}：{ml.zh}", f"{gl.en}: {ml.en}")
    tshow = trend.set_index(pd.Index(keys))[["slope", "std_error", "t", "p", "first", "last",
                                               "ratio", "maxlags"]]
    tables = [
        TableOut("sigma", res.table.reset_index(), plain_table(
            show, labels=lab, digits=p.digits, simulated=ctx.simulated, notes=[how, *notes]),
            Text(f"{ylab.zh}的 σ 收敛：各年离散程度", f"σ convergence of {ylab.en}: "
                 "dispersion by year"), ctx.source, how),
        TableOut("sigma_trend", trend, plain_table(
            tshow, labels=lab, digits={"slope": 5, "std_error": 5}, simulated=ctx.simulated,
            notes=[Text("各指标对年份的 OLS 回归，Newey–West（HAC，Bartlett 核）标准误，"
                        "p 值取 t(T−2) 分布；斜率显著为负即 σ 收敛。",
                        "OLS of each measure on the year with Newey–West (HAC, Bartlett "
                        "kernel) standard errors, p-values from t(T − 2); a significantly "
                        "negative slope is σ convergence."), *notes]),
            Text("σ 收敛的趋势检验", "Trend test of σ convergence"), ctx.source, how),
    ]
    return tables, res


def _cell(frame: pd.DataFrame, column: str) -> float:
    return float(frame[column].to_numpy(dtype=float)[frame.index.get_loc("ln_y0")])


def _fmt(v: float, se: float, d: int) -> str:
    return "—" if v != v else f"{v:.{d}f} ({se:.{d}f})"


def run(ctx: StepContext, p: ConvergenceParams) -> StepResult:
    """σ table and trend test, β table, σ chart and β scatter."""
    from cityres.report.convergence_plots import beta_scatter, sigma_plot

    columns_of(ctx, [p.column], "column")
    ctrl = columns_of(ctx, p.controls, "controls")
    bad = [m for m in p.measures if m not in MEASURES]
    if bad or not p.measures:
        raise ArgumentError(f"step {ctx.step_id!r}, measures: {list(p.measures)}; accepted: "
                            f"one or more of {format_choices(MEASURES)}")
    sim = simulated_note(ctx)
    notes = [sim] if sim else []
    tables, sres = _sigma_tables(ctx, p, notes)
    kinds: list[tuple[str, tuple[str, ...]]] = [("absolute", ())]
    if ctrl:
        kinds.append(("conditional", tuple(ctrl)))
    fits: list[tuple[Text, BetaResult]] = []
    for form, name in (("cross_section", Text("截面 OLS", "Cross-section OLS")),
                       ("panel", Text("面板双向 FE", "Panel two-way FE"))):
        for kind, c in kinds:
            fits.append((name, beta_convergence(ctx.panel, p.column, kind=kind,  # type: ignore[arg-type]
                                                form=form, window=p.window,  # type: ignore[arg-type]
                                                controls=c)))
    wnote: list[Text] = []
    if p.spatial is not None:
        w = build_weights(ctx, p.weights)
        for kind, c in kinds:
            fits.append((Text(f"空间面板 {p.spatial.upper()}", f"Spatial panel "
                              f"{p.spatial.upper()}"),
                         beta_convergence(ctx.panel, p.column, kind=kind,  # type: ignore[arg-type]
                                          form="panel", window=p.window, controls=c,
                                          spatial=p.spatial, w=w)))
        cap = weights_caption(w)
        wnote.append(Text(f"空间权重：{cap.zh}；空间模型的 λ 由 ln y 的直接效应计算。",
                          f"Spatial weights: {cap.en}; the spatial models' λ is computed from "
                          "the direct effect of ln y."))
    d = p.digits
    rows: dict[str, list[Any]] = {
        "Controls": ["Yes" if f.controls else "No" for _, f in fits],
        "Speed": [_fmt(f.speed, f.speed_se, d) for _, f in fits],
        "Half-life": [_fmt(f.half_life, f.half_life_se, 2) for _, f in fits],
    }
    if p.spatial is not None:
        for key, col in (("Direct", "direct"), ("Indirect", "indirect")):
            rows[key] = ["" if f.impacts is None else _fmt(
                _cell(f.impacts, col), _cell(f.impacts, f"se_{col}"), d) for _, f in fits]
    t0, t1 = fits[0][1].window
    data = pd.concat([f.tidy().assign(model=i + 1, form=f.form, kind=f.kind,
                                      spatial=f.spatial or "")
                      for i, (_, f) in enumerate(fits)], ignore_index=True)
    ylab = var_label(ctx, p.column)
    how = Text(f"截面：{t0}–{t1} 年年均增长率对 {t0} 年对数水平回归（HC1 稳健标准误），"
               "λ = −ln(1 + Tβ)/T，T 为窗口长度；面板：逐年增长率对上年对数水平回归，城市与年份"
               "固定效应，按城市聚类，λ = −ln(1 + β)；半衰期 ln2/λ，标准误由 delta 方法得到。"
               "条件收敛的控制变量取期初值（截面）或滞后一期（面板）。",
               f"Cross-section: average annual growth {t0}–{t1} on the {t0} log level (HC1 "
               "standard errors), λ = −ln(1 + Tβ)/T with T the window length; panel: yearly "
               "growth on the previous year's log level with city and year fixed effects, "
               "clustered by city, λ = −ln(1 + β); half-life ln 2/λ, standard errors by the "
               "delta method. Conditional controls enter at their initial (cross-section) or "
               "lagged (panel) values.")
    nickell = Text("面板固定效应含滞后因变量，T 较小时估计的 β 偏向更快收敛（Nickell 1981）。",
                   "With a lagged dependent variable and few years the panel FE β is biased "
                   "towards faster convergence (Nickell 1981).")
    tables.append(TableOut("beta", data, regression_table(
        [f for _, f in fits], labels={**_LABELS, **ctx.labels}, digits=d,
        model_names=[n for n, _ in fits], rows=rows, stats=("nobs", "r2"),
        dep_var=Text(f"{ylab.zh}增长率", f"Growth of {ylab.en}"),
        notes=[how, nickell, *wnote, *notes], simulated=ctx.simulated),
        Text(f"{ylab.zh}的 β 收敛", f"β convergence of {ylab.en}"), ctx.source, how))
    cs = fits[len(kinds) - 1][1]

    def make_sigma(lang: Lang) -> Any:
        return sigma_plot(sres, lang=lang, simulated=ctx.simulated, y_label=ylab,
                          group_labels={**COMMON, **ctx.labels})

    def make_beta(lang: Lang) -> Any:
        return beta_scatter(cs, lang=lang, simulated=ctx.simulated, y_label=ylab)

    figures = (
        FigureOut("sigma", make_sigma, Text(f"{ylab.zh}的离散程度（σ 收敛）",
                                            f"Dispersion of {ylab.en} (σ convergence)"),
                  ctx.source),
        FigureOut("beta", make_beta, Text(f"{ylab.zh}：年均增长率与期初对数水平（β 收敛，"
                                          f"{'条件' if ctrl else '绝对'}）",
                                          f"{ylab.en}: average growth against the initial "
                                          f"log level ({'conditional' if ctrl else 'absolute'}"
                                          " β convergence)"), ctx.source),
    )
    intro = Text("σ 收敛看城市间差距是否逐年缩小；β 收敛看初始水平低的城市是否增长更快"
                 "（Barro & Sala-i-Martin 1992）。β 收敛是 σ 收敛的必要而非充分条件"
                 "（Young, Higgins & Levy 2008）。",
                 "σ convergence asks whether the gap between cities narrows year by year; β "
                 "convergence whether cities that start lower grow faster (Barro & "
                 "Sala-i-Martin 1992). β convergence is necessary but not sufficient for σ "
                 "convergence (Young, Higgins & Levy 2008).")
    return StepResult(tables=tuple(tables), figures=figures, intro=intro)


register_step(StepSpec(
    name="convergence",
    params=ConvergenceParams,
    run=run,
    title=Text("σ 收敛与 β 收敛", "σ and β convergence"),
    description="σ convergence (CV, SD of logs, Gini, Theil by year, overall and by group, "
                "with a trend test) and β convergence (absolute / conditional, cross-section "
                "/ panel, spatial SAR / SDM) with speed and half-life.",
))
