"""Step ``did``: a pilot programme's effect by staggered difference-in-differences — the
treatment cohorts with their confidence labels, the static ATT by TWFE and by the
heterogeneity-robust estimators, the event study of each with pre-trend tests and the
event-study plot; on yrd_sim the simulated true ATT beside the estimates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, format_choices
from cityres.econometrics.did import callaway_santanna
from cityres.econometrics.did.did2s import did2s, did2s_event_study
from cityres.econometrics.did.eventstudy import event_study
from cityres.econometrics.did.results import EventStudyResult
from cityres.econometrics.did.sunab import sun_abraham
from cityres.econometrics.did.twfe import did_twfe
from cityres.report.i18n import Lang, Text
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
from cityres.study.steps._did import (
    DID_LABELS,
    TreatmentSpec,
    average_true_att,
    groups_table,
    resolve_treatment,
    treatment_table,
    true_att,
    truth_frame,
)
from cityres.study.steps._econ import econ_labels

ESTIMATORS: dict[str, Text] = {
    "twfe": Text("双向固定效应", "TWFE"),
    "callaway_santanna": Text("Callaway–Sant'Anna", "Callaway–Sant'Anna"),
    "sun_abraham": Text("Sun–Abraham", "Sun–Abraham"),
    "did2s": Text("两阶段 DID（Gardner）", "Two-stage DID (Gardner)"),
}


@dataclass(frozen=True)
class DidParams:
    """Parameters of ``did``.

    ``y`` the outcome; the treatment is ``programme`` (a programme of the policy
    calendar — the bundled one, or ``calendar``, a CSV / Excel file — with rows below
    ``min_confidence`` ignored) or ``cohort`` (a panel column of adoption years, 0 = never
    treated). ``estimators`` any of twfe, callaway_santanna, sun_abraham, did2s;
    ``control`` the comparison group of Callaway–Sant'Anna and Sun–Abraham (never /
    notyet); ``method`` Callaway–Sant'Anna's dr / ipw / reg; ``leads`` / ``lags`` the
    event window (endpoints binned) with reference period −1; ``covariates`` enter every
    estimator; ``always_treated`` error / drop for cities adopting before the panel.
    """

    y: str
    programme: str | None = None
    cohort: str | None = None
    calendar: str | None = None
    min_confidence: str = "low"
    estimators: tuple[str, ...] = ("twfe", "callaway_santanna", "sun_abraham", "did2s")
    control: str = "never"
    method: str = "dr"
    leads: int = 4
    lags: int = 6
    covariates: tuple[str, ...] = ()
    always_treated: str = "error"
    digits: int = 4


def _fits(ctx: StepContext, p: DidParams, spec: TreatmentSpec
          ) -> tuple[dict[str, Any], dict[str, EventStudyResult]]:
    """Static ATT and event study of each estimator."""
    kw: dict[str, Any] = {"cohort": spec.cohort, "covariates": tuple(p.covariates),
                          "always_treated": p.always_treated}
    win: dict[str, Any] = {"leads": p.leads, "lags": p.lags}
    data, y = spec.panel, p.y
    static: dict[str, Any] = {}
    dynamic: dict[str, EventStudyResult] = {}
    for name in p.estimators:
        if name == "twfe":
            static[name] = did_twfe(data, y, name="ATT", **kw)
            dynamic[name] = event_study(data, y, **win, **kw)
        elif name == "callaway_santanna":
            cs = callaway_santanna(data, y, control=p.control, method=p.method,  # type: ignore[arg-type]
                                   seed=ctx.seed, **kw)
            static[name] = cs.aggregate("simple")
            dyn = cs.aggregate("dynamic", min_e=-p.leads, max_e=p.lags)
            dynamic[name] = dyn.to_event_study()
        elif name == "sun_abraham":
            sa = sun_abraham(data, y, control=p.control, **win, **kw)  # type: ignore[arg-type]
            static[name] = sa
            dynamic[name] = sa
        elif name == "did2s":
            static[name] = did2s(data, y, **kw)
            dynamic[name] = did2s_event_study(data, y, **win, **kw)
    return static, dynamic


def run(ctx: StepContext, p: DidParams) -> StepResult:
    """Treatment table, ATT table, event-study table and plot, pre-trend tests, truth."""
    from cityres.report.did_plots import event_study_plot

    unknown = [e for e in p.estimators if e not in ESTIMATORS]
    if unknown or not p.estimators:
        raise ArgumentError(f"step {ctx.step_id!r}, estimators={list(p.estimators)!r}: "
                            f"accepted: {format_choices(ESTIMATORS)} (at least one)")
    columns_of(ctx, [p.y], "y")
    columns_of(ctx, p.covariates, "covariates")
    spec = resolve_treatment(ctx, programme=p.programme, cohort=p.cohort,
                             calendar=p.calendar, min_confidence=p.min_confidence)
    static, dynamic = _fits(ctx, p, spec)
    sim = simulated_note(ctx)
    ylab = var_label(ctx, p.y)
    notes: list[Text] = [*spec.notes, *([sim] if sim else [])]
    how = Text(f"处理：{spec.name.zh}；结果变量：{ylab.zh}；标准误按城市聚类（Callaway–Sant'Anna "
               "为影响函数标准误）；事件窗口两端合并，基期为采纳前一年。",
               f"Treatment: {spec.name.en}; outcome: {ylab.en}; standard errors clustered "
               "by city (influence-function SEs for Callaway–Sant'Anna); event-window "
               "endpoints binned, reference period the year before adoption.")
    tables: list[TableOut] = []
    for tab in (treatment_table(ctx, spec, notes), groups_table(ctx, spec, notes)):
        if tab is not None:
            tables.append(tab)
    truth = true_att(ctx, spec, p.y)
    names = [ESTIMATORS[e] for e in static]
    rows: dict[str, list[Any]] = {}
    if truth is not None:
        avg = average_true_att(spec, truth)
        rows["truth"] = [f"{avg:.{p.digits}f}"] * len(static)
    labels = {**econ_labels(ctx, [p.y]), **DID_LABELS}
    tables.append(TableOut("att", _att_frame(static), regression_table(
        list(static.values()), labels=labels, keep=["ATT"], digits=p.digits,
        model_names=names, dep_var=ylab, rows=rows or None, stats=("nobs",),
        notes=[*notes, how, Text(
            "TWFE 的静态系数是各 2×2 比较的加权平均，处理效应随时间变化时权重可为负"
            "（Goodman-Bacon 2021）；其余三种估计量只以从未处理或尚未处理的城市作对照。",
            "The static TWFE coefficient is a weighted average of 2×2 comparisons whose "
            "weights can be negative when effects change over time (Goodman-Bacon 2021); "
            "the other three estimators compare only with never- or not-yet-treated "
            "cities.")] + ([_truth_note()] if truth is not None else []),
        simulated=ctx.simulated),
        Text(f"{spec.name.zh}对{ylab.zh}的平均处理效应",
             f"Average effect of {spec.name.en} on {ylab.en}"), ctx.source, how))
    tables.append(_event_table(ctx, p, dynamic, truth, notes, how))
    tables.append(_pretrend_table(ctx, dynamic, notes))

    def make(lang: Lang) -> Any:
        return event_study_plot(list(dynamic.values()), truth=truth,
                                labels=[ESTIMATORS[e] for e in dynamic], lang=lang,
                                simulated=ctx.simulated, ylabel=ylab,
                                title=Text(f"事件研究：{spec.name.zh}",
                                           f"Event study: {spec.name.en}"))

    figures = (FigureOut("event_study", make, Text(
        f"{spec.name.zh}对{ylab.zh}的动态效应（事件研究）",
        f"Dynamic effect of {spec.name.en} on {ylab.en} (event study)"), ctx.source, how),)
    intro = Text(
        f"把{spec.name.zh}视为交错实施的准自然实验：先看双向固定效应 DID 与事件研究，再用对"
        "处理效应异质性稳健的 Callaway–Sant'Anna、Sun–Abraham 与两阶段 DID 复核，并检验"
        "处理前趋势。",
        f"{spec.name.en} as a staggered quasi-natural experiment: the two-way FE DID and "
        "event study first, then the heterogeneity-robust estimators of Callaway–Sant'Anna, "
        "Sun–Abraham and Gardner's two-stage DID, with tests of pre-treatment trends.")
    return StepResult(tables=tuple(tables), figures=figures, intro=intro)


def _truth_note() -> Text:
    return Text("模拟真值：yrd_sim 中该政策的效应 ATT(e) = δ(1 − λ^{e+1})，各批次相同、无预期效应；"
                "表中为其在全部处理城市-年份上的平均（cityres.datasets.truth('yrd_sim')）。",
                "Simulated truth: in yrd_sim the programme's effect is ATT(e) = "
                "δ(1 − λ^{e+1}), equal across cohorts, without anticipation; the row shows "
                "its average over all treated city-years (cityres.datasets.truth('yrd_sim')).")


def _att_frame(static: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for name, fit in static.items():
        rows.append({"estimator": name, "att": float(fit.params["ATT"]),
                     "se": float(fit.std_errors["ATT"]), "pvalue": float(fit.pvalues["ATT"]),
                     "nobs": int(fit.nobs)})
    return pd.DataFrame(rows)


def _event_table(ctx: StepContext, p: DidParams, dynamic: dict[str, EventStudyResult],
                 truth: dict[int, float] | None, notes: list[Text], how: Text) -> TableOut:
    """Estimates (SE) by event time, one column pair per estimator, truth last."""
    parts = []
    for name, es in dynamic.items():
        c = es.coefs.set_index("event_time")
        parts.append(pd.DataFrame({(name, "estimate"): c["estimate"],
                                   (name, "se"): c["std_error"]}))
    frame = pd.concat(parts, axis=1).sort_index()
    events = [int(e) for e in frame.index]
    labels_map: dict[int, str] = {}
    for es in dynamic.values():
        for e, lab in zip(es.coefs["event_time"], es.coefs["label"], strict=True):
            labels_map.setdefault(int(e), str(lab))
    if truth is not None:
        frame[("truth", "value")] = truth_frame(truth, events).to_numpy()
    data = frame.copy()
    cols = [(str(c[0]), str(c[1])) for c in frame.columns]
    data.columns = [f"{a}_{b}" for a, b in cols]
    data = data.reset_index()
    shown = frame.copy()
    shown.index = pd.Index([labels_map[e] for e in events], name="event_time")
    shown.columns = pd.MultiIndex.from_tuples(cols)
    lab = {**ESTIMATORS, "truth": DID_LABELS["truth"],
           "estimate": Text("估计值", "Estimate"), "se": Text("标准误", "SE"),
           "value": Text("真值", "True ATT(e)"),
           "event_time": Text("相对采纳年份 e", "Event time e")}
    display = plain_table(shown, labels=lab, digits=p.digits, simulated=ctx.simulated,
                          notes=[*notes, how, Text(
                              "e = 年份 − 采纳年份；“≤”“≥”为回归估计量合并的端点（"
                              "Callaway–Sant'Anna 在端点处为该单一年份的效应）；参照期（−1）"
                              "的估计值固定为 0（Callaway–Sant'Anna 无参照期：处理前各期"
                              "为相邻年份的差分）。",
                              "e = year − adoption year; ≤ / ≥ mark the endpoints the "
                              "regression estimators bin (Callaway–Sant'Anna reports the "
                              "single event time there); the reference period (−1) is 0 "
                              "by construction (Callaway–Sant'Anna has none: its "
                              "pre-periods are year-on-year differences).")])
    return TableOut("event_study", data, display,
                    Text("事件研究：各相对年份的处理效应", "Event study: effects by event time"),
                    ctx.source, how)


def _pretrend_table(ctx: StepContext, dynamic: dict[str, EventStudyResult],
                    notes: list[Text]) -> TableOut:
    rows = []
    for name, es in dynamic.items():
        t = es.pretrend
        rows.append({"estimator": name,
                     "stat": np.nan if t is None else t.stat,
                     "df": np.nan if t is None else t.df_num,
                     "pvalue": np.nan if t is None else t.pvalue})
    data = pd.DataFrame(rows)
    shown = data.set_index(pd.Index([ESTIMATORS[n] for n in data["estimator"]],
                                    name="estimator")).drop(columns=["estimator"])
    lab = {"stat": Text("F 统计量", "F statistic"), "df": Text("约束个数", "Restrictions"),
           "pvalue": Text("p 值", "p-value"), "estimator": Text("估计量", "Estimator")}
    display = plain_table(shown, labels=lab, digits={"stat": 3, "df": 0, "pvalue": 4},
                          simulated=ctx.simulated, notes=[*notes, Text(
                              "原假设：处理前各期效应均为 0（平行趋势的可检验含义）；"
                              "Callaway–Sant'Anna 为全部处理前 ATT(g,t) 的 Wald 检验。",
                              "Null: every pre-treatment effect is zero (the testable "
                              "implication of parallel trends); for Callaway–Sant'Anna the "
                              "Wald test of all pre-treatment ATT(g,t).")])
    return TableOut("pretrend", data, display,
                    Text("处理前趋势的联合检验", "Joint tests of pre-treatment trends"),
                    ctx.source)


register_step(StepSpec(
    name="did",
    params=DidParams,
    run=run,
    title=Text("政策评估：交错双重差分", "Policy evaluation: staggered difference-in-"
               "differences"),
    description="Staggered DID of a pilot programme from the policy calendar: TWFE, "
                "Callaway–Sant'Anna, Sun–Abraham and two-stage DID, event studies with "
                "pre-trend tests and the event-study plot.",
))
