"""Step ``disparity``: regional disparities of one indicator — Dagum's (1997) Gini
decomposition by year (within, net between, transvariation and their contributions),
each group's and each pair's Gini, the Theil T / L decomposition and the contribution
chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cityres.dynamics.dagum import DagumResult, dagum
from cityres.dynamics.theil import theil
from cityres.report.i18n import Lang, Text, label
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

_LABELS: dict[str, Text] = {
    "G": Text("总体基尼系数 G", "Overall Gini G"),
    "Gw": Text("组内差异 G_w", "Within G_w"),
    "Gnb": Text("组间净差异 G_nb", "Net between G_nb"),
    "Gt": Text("超变密度 G_t", "Transvariation G_t"),
    "Gw_pct": Text("G_w 贡献率（%）", "G_w share (%)"),
    "Gnb_pct": Text("G_nb 贡献率（%）", "G_nb share (%)"),
    "Gt_pct": Text("G_t 贡献率（%）", "G_t share (%)"),
    "T": Text("泰尔指数 T", "Theil T"),
    "T_between": Text("T 组间", "T between"),
    "T_within": Text("T 组内", "T within"),
    "T_between_pct": Text("T 组间占比（%）", "T between share (%)"),
    "T_within_pct": Text("T 组内占比（%）", "T within share (%)"),
    "L": Text("泰尔指数 L（MLD）", "Theil L (MLD)"),
    "L_between": Text("L 组间", "L between"),
    "L_within": Text("L 组内", "L within"),
    "L_between_pct": Text("L 组间占比（%）", "L between share (%)"),
    "L_within_pct": Text("L 组内占比（%）", "L within share (%)"),
    "year": Text("年份", "Year"),
}


@dataclass(frozen=True)
class DisparityParams:
    """Parameters of ``disparity``.

    ``column`` the indicator (every value > 0); ``group`` a column of the city table
    (``region``, ``province``) or a time-invariant data column, at least two groups each
    with at least two cities; ``years`` the years to show (None: every year); ``digits``
    decimals of the indices (shares get 2).
    """

    column: str
    group: str = "region"
    years: tuple[int, ...] | None = None
    digits: int = 4


def _group_labels(ctx: StepContext, res: DagumResult) -> dict[str, Text]:
    """Bilingual names of the groups and of the pairs "a–b"."""
    out = {str(g): label(str(g), ctx.labels) for g in res.within.columns}
    for pair in res.between.columns:
        a, b = str(pair).split("–", 1)
        out[str(pair)] = Text(f"{out[a].zh}–{out[b].zh}", f"{out[a].en}–{out[b].en}")
    return out


def run(ctx: StepContext, p: DisparityParams) -> StepResult:
    """The Dagum and Theil tables and the contribution chart."""
    from cityres.report.inequality_plots import dagum_contribution_plot, dagum_gini_plot

    columns_of(ctx, [p.column], "column")
    years = None if p.years is None else list(p.years)
    res = dagum(ctx.panel, p.column, group=p.group, time=years)
    th = theil(ctx.panel, p.column, group=p.group, time=years)
    sim = simulated_note(ctx)
    var = var_label(ctx, p.column)
    glabel = label(p.group, ctx.labels)
    names = _group_labels(ctx, res)
    sizes = res.membership.value_counts().sort_index()
    how = Text(f"指标：{var.zh}；分组：{glabel.zh}（"
               + "、".join(f"{names[str(g)].zh} {n} 个城市" for g, n in sizes.items()) + "）。",
               f"Indicator: {var.en}; groups: {glabel.en} ("
               + ", ".join(f"{names[str(g)].en} {n} cities" for g, n in sizes.items()) + ").")
    notes: list[Text] = [how] + ([sim] if sim else [])
    labels = {**ctx.labels, **_LABELS, **names}
    pct = {c: 2 for c in ("Gw_pct", "Gnb_pct", "Gt_pct", "T_between_pct", "T_within_pct",
                          "L_between_pct", "L_within_pct")}
    digits: dict[str, int] = {**{c: p.digits for c in res.overall.columns}, **pct,
                              **{c: p.digits for c in th.overall.columns if c not in pct}}
    dagum_note = Text("G = G_w + G_nb + G_t（Dagum 1997）；G_w 为组内差异，G_nb 为组间净差异，"
                      "G_t 为超变密度（组间交叉重叠）；贡献率为各部分占 G 的百分比。",
                      "G = G_w + G_nb + G_t (Dagum 1997): within-group inequality, net "
                      "between-group inequality and transvariation (the overlap of the "
                      "groups); shares are percentages of G.")
    within = res.within.copy()
    between = pd.concat({"G_jh": res.between, "D_jh": res.transvariation}, axis=1)
    between.columns = pd.Index([f"{key[0]} {key[1]}" for key in between.columns])
    between_labels = {f"{k} {pair}": Text(f"{k} {names[str(pair)].zh}",
                                          f"{k} {names[str(pair)].en}")
                      for k in ("G_jh", "D_jh") for pair in res.between.columns}
    tables = (
        TableOut("dagum", res.tidy(), plain_table(
            res.overall, labels=labels, digits=digits, simulated=ctx.simulated,
            notes=[*notes, dagum_note]),
            Text(f"{var.zh}的 Dagum 基尼系数及其分解", f"Dagum Gini decomposition of {var.en}"),
            ctx.source, how),
        TableOut("within", within.reset_index(), plain_table(
            within, labels=labels, digits=p.digits, simulated=ctx.simulated, notes=[
                *notes, Text("G_jj：第 j 组内部城市之间的基尼系数。",
                             "G_jj: the Gini coefficient among the cities of group j.")]),
            Text(f"{var.zh}的组内基尼系数", f"Within-group Ginis of {var.en}"), ctx.source,
            how),
        TableOut("between", between.reset_index(), plain_table(
            between, labels={**labels, **between_labels}, digits=p.digits,
            simulated=ctx.simulated, notes=[*notes, Text(
                "G_jh：j、h 两组城市之间的组间基尼系数；D_jh：两组间的相对经济影响"
                "（(d_jh − p_jh)/(d_jh + p_jh)，均值较高组对较低组）。",
                "G_jh: the between-group Gini of groups j and h; D_jh: their relative "
                "economic affluence ((d_jh − p_jh)/(d_jh + p_jh), higher-mean group over "
                "the other).")]),
            Text(f"{var.zh}的组间基尼系数", f"Between-group Ginis of {var.en}"), ctx.source,
            how),
        TableOut("theil", th.tidy(), plain_table(
            th.overall, labels=labels, digits=digits, simulated=ctx.simulated, notes=[
                *notes, Text("T = T_组间 + T_组内，L = L_组间 + L_组内（泰尔指数 T 用 PySAL "
                             "inequality 计算；L 为平均对数偏差）。",
                             "T = T_between + T_within and L = L_between + L_within (Theil "
                             "T from PySAL inequality; L is the mean log deviation).")]),
            Text(f"{var.zh}的泰尔指数分解", f"Theil decomposition of {var.en}"), ctx.source,
            how),
    )

    def make(lang: Lang) -> Any:
        return dagum_contribution_plot(res, lang=lang, simulated=ctx.simulated)

    def make_ginis(lang: Lang) -> Any:
        return dagum_gini_plot(res, lang=lang, simulated=ctx.simulated, labels=names)

    figures = (
        FigureOut("contribution", make, Text(f"{var.zh}的 Dagum 基尼系数分解贡献率",
                                             f"Contributions to the Dagum Gini of {var.en}"),
                  ctx.source, how),
        FigureOut("ginis", make_ginis, Text(f"{var.zh}的组内与组间基尼系数",
                                            f"Within- and between-group Ginis of {var.en}"),
                  ctx.source, how),
    )
    intro = Text("Dagum（1997）基尼系数分解把总体差异拆为组内差异、组间净差异与超变密度；"
                 "泰尔指数 T、L 给出组间与组内的可加分解。",
                 "Dagum's (1997) decomposition splits the Gini coefficient into within-group "
                 "inequality, net between-group inequality and transvariation; Theil's T and "
                 "L decompose additively into between- and within-group parts.")
    return StepResult(tables=tables, figures=figures, intro=intro)


register_step(StepSpec(
    name="disparity",
    params=DisparityParams,
    run=run,
    title=Text("区域差异：Dagum 基尼系数与泰尔指数分解",
               "Regional disparities: Dagum Gini and Theil decompositions"),
    description="Dagum (1997) Gini decomposition by year (within, net between, "
                "transvariation, contributions), within- and between-group Ginis, Theil T/L "
                "between/within decomposition and the contribution chart.",
))
