"""Step ``club_convergence``: Phillips–Sul log t test, convergence clubs (clustering and
merging), the membership table, the club map and the transition paths."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cityres._shared.errors import ArgumentError, format_choices
from cityres.dynamics.club import ClubResult, clubs
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
from cityres.study.steps._common import city_labels, columns_of, simulated_note, var_label

_LABELS: dict[str, Text] = {
    "n_units": Text("城市数 N", "Cities N"),
    "n_periods": Text("年数 T", "Years T"),
    "periods": Text("回归年份", "Years in the regression"),
    "beta": Text("b̂", "b̂"),
    "se": Text("标准误", "Std. error"),
    "t": Text("t 值", "t"),
    "converges": Text("收敛（t > −1.65）", "Converges (t > −1.65)"),
    "stage": Text("阶段", "Stage"),
    "club": Text("俱乐部", "Club"),
    "size": Text("城市数", "Cities"),
    "merged_from": Text("合并自初始俱乐部", "Merged from initial clubs"),
    "members": Text("成员", "Members"),
    "name": Text("城市", "City"),
    "province": Text("省份", "Province"),
    "initial_club": Text("初始俱乐部", "Initial club"),
    "all": Text("全部城市", "All cities"),
    "initial": Text("初始聚类", "Initial clustering"),
    "merged": Text("合并后", "After merging"),
    "divergent": Text("发散", "Divergent"),
    "group": Text("样本", "Sample"),
    "row": Text("序号", "No."),
    "city": Text("城市代码", "City code"),
    "cstar": Text("筛选临界值 c*", "Sieve value c*"),
}
_MERGE = (True, False, "ps", "vlt")


@dataclass(frozen=True)
class ClubParams:
    """Parameters of ``club_convergence``.

    ``column`` the indicator; ``log`` analyses its log (PS 2007; values must be > 0 and,
    for h = x / mean x to be a share, the logs too — set ``log = false`` for an index below
    1); ``hp`` replaces each city's series by its Hodrick–Prescott trend with smoothing
    ``lamb`` (400 for annual data); ``trim`` the share of first years dropped from the log t
    regression; ``cstar`` the sieve critical value c*; ``merge`` true / "ps" (Phillips &
    Sul 2009), "vlt" (von Lyncker & Thoennessen 2017) or false.
    """

    column: str
    trim: float = 1 / 3
    log: bool = True
    hp: bool = False
    lamb: float = 400.0
    cstar: float = 0.0
    merge: bool | str = True
    digits: int = 3


def _club_text(value: object) -> Text:
    if value == "divergent":
        return _LABELS["divergent"]
    return Text(f"俱乐部 {value}", f"Club {value}")


def _texts(items: list[Text], index: pd.Index) -> pd.Series:
    return pd.Series(items, index=index, dtype=object)


def _members_text(ctx: StepContext, codes: str) -> Text:
    zh, en = city_labels(ctx.panel, "zh"), city_labels(ctx.panel, "en")
    items = [c for c in codes.split(", ") if c]
    return Text("、".join(str(zh.get(c, c)) for c in items),
                ", ".join(str(en.get(c, c)) for c in items))


def _tables(ctx: StepContext, p: ClubParams, res: ClubResult, notes: list[Text],
            how: Text, name: Text) -> list[TableOut]:
    full = res.full
    logt = pd.DataFrame({"n_units": [full.n_units], "n_periods": [full.n_periods],
                         "periods": [f"{full.periods[0]}–{full.periods[-1]}"],
                         "beta": [full.beta], "se": [full.se], "t": [full.tstat],
                         "converges": [full.converges]},
                        index=pd.Index(["all"], name="group"))
    hac = Text("标准误为二次谱核长期方差（Andrews AR(1) 带宽，同 Phillips–Sul 程序与 R "
               "ConvergenceClubs 的 FQSB）；t < −1.65 时在 5% 水平拒绝收敛。",
               "Standard errors from the quadratic-spectral long-run variance (Andrews "
               "AR(1) bandwidth, as Phillips–Sul's code and R ConvergenceClubs' FQSB); "
               "convergence is rejected at 5% when t < −1.65.")
    tab = res.table.copy()
    display = tab.drop(columns=["members"]).copy()
    tab["club"] = tab["club"].astype(str)  # stored: "1", "2", …, "divergent"
    display["stage"] = _texts([_LABELS[s] for s in display["stage"]], display.index)
    display["club"] = _texts([_club_text(c) for c in display["club"]], display.index)
    display["members"] = _texts([_members_text(ctx, m) for m in tab["members"]],
                                display.index)
    display.index = pd.RangeIndex(1, len(display) + 1, name="row")
    member = pd.DataFrame({"club": res.membership.astype(str),
                           "initial_club": res.initial_membership.astype(str)})
    cities = ctx.panel.cities.reindex(member.index)
    keep = [c for c in ("name_zh", "name_en", "province") if c in cities.columns]
    member = pd.concat([cities[keep], member], axis=1)
    member.index.name = "city"
    zh, en = city_labels(ctx.panel, "zh"), city_labels(ctx.panel, "en")
    member_display = member.drop(columns=[c for c in ("name_zh", "name_en") if c in member])
    member_display.insert(0, "name", _texts([Text(str(zh.get(c, c)), str(en.get(c, c)))
                                             for c in member.index], member.index))
    member_display["club"] = _texts([_club_text(v) for v in res.membership],
                                    member_display.index)
    member_display["initial_club"] = _texts([_club_text(v) for v in res.initial_membership],
                                            member_display.index)
    sort_key = pd.to_numeric(res.membership, errors="coerce").fillna(1e9)
    member_display = member_display.loc[sort_key.sort_values(kind="stable").index]
    digits = {"beta": 4, "se": 4, "t": p.digits}
    return [
        TableOut("logt", logt.reset_index(), plain_table(
            logt, labels=_LABELS, digits=digits, simulated=ctx.simulated,
            notes=[*notes, hac]),
            Text(f"{name.zh}的 log t 收敛检验（全部城市）",
                 f"Log t convergence test of {name.en} (all cities)"), ctx.source, how),
        TableOut("clubs", tab, plain_table(
            display, labels=_LABELS, digits=digits, simulated=ctx.simulated,
            notes=[*notes, hac]),
            Text(f"{name.zh}的收敛俱乐部", f"Convergence clubs of {name.en}"), ctx.source, how),
        TableOut("membership", member.reset_index(), plain_table(
            member_display, labels=_LABELS, simulated=ctx.simulated, notes=notes),
            Text("各城市所属俱乐部", "Club of each city"), ctx.source, how),
    ]


def run(ctx: StepContext, p: ClubParams) -> StepResult:
    """Log t test, clubs, membership, club map and transition paths."""
    from cityres.report.club_plots import club_map, club_paths_plot

    (col,) = columns_of(ctx, [p.column], "column")
    if p.merge not in _MERGE:
        raise ArgumentError(f"step {ctx.step_id!r}, merge={p.merge!r}; accepted: "
                            f"{format_choices(_MERGE)}")
    merge: Any = p.merge
    res = clubs(ctx.panel, col, trim=p.trim, log=p.log, hp=p.hp, lamb=p.lamb, cstar=p.cstar,
                merge=merge)
    name = var_label(ctx, col)
    sim = simulated_note(ctx)
    notes: list[Text] = [sim] if sim else []
    series = Text(("对数" if p.log else "") + name.zh + ("的 HP 趋势（λ = " f"{p.lamb:g}）"
                                                       if p.hp else ""),
                  ("log " if p.log else "") + name.en + (f", HP trend (λ = {p.lamb:g})"
                                                         if p.hp else ""))
    merged = {"ps": Text("Phillips–Sul（2009）规则合并相邻俱乐部",
                         "adjacent clubs merged by the Phillips–Sul (2009) rule"),
              "vlt": Text("von Lyncker–Thoennessen（2017）规则合并相邻俱乐部",
                          "adjacent clubs merged by the von Lyncker–Thoennessen (2017) rule"),
              None: Text("不合并", "no merging")}[res.merge]
    how = Text(f"分析序列：{series.zh}；修整比例 r = {p.trim:.3g}（回归用 "
               f"{res.full.periods[0]}–{res.full.periods[-1]} 年）；筛选临界值 c* = "
               f"{p.cstar:g}；{merged.zh}。",
               f"Series: {series.en}; trim r = {p.trim:.3g} (regression on "
               f"{res.full.periods[0]}–{res.full.periods[-1]}); sieve critical value c* = "
               f"{p.cstar:g}; {merged.en}.")
    tables = _tables(ctx, p, res, notes, how, name)

    def paths(lang: Lang) -> Any:
        return club_paths_plot(res, lang=lang, simulated=ctx.simulated)

    figures = [FigureOut("paths", paths, Text(f"{name.zh}各收敛俱乐部的相对转移路径",
                                              f"Relative transition paths of {name.en} by "
                                              "convergence club"), ctx.source, how)]
    geo = ctx.panel.geometry
    if geo is not None:
        def make_map(lang: Lang) -> Any:
            return club_map(geo, res.membership, names=city_labels(ctx.panel, lang),
                            lang=lang, legend_label=name, simulated=ctx.simulated)

        figures.insert(0, FigureOut("map", make_map, Text(f"{name.zh}收敛俱乐部的空间分布",
                                                          f"Convergence clubs of {name.en} "
                                                          "by city"), ctx.source, how))
    intro = Text("Phillips–Sul（2007、2009）log t 检验判断全部城市是否收敛到同一路径；若拒绝，"
                 "按末期水平排序、形成核心组、以 c* 筛选并对剩余城市递归，得到收敛俱乐部，"
                 "再检验相邻俱乐部能否合并。",
                 "The Phillips–Sul (2007, 2009) log t test asks whether all cities converge "
                 "to one path; if not, cities are ordered by their last value, a core group "
                 "is formed, the others sieved with c* and the rest clustered recursively "
                 "into convergence clubs, and adjacent clubs are tested for merging.")
    return StepResult(tables=tuple(tables), figures=tuple(figures), intro=intro)


register_step(StepSpec(
    name="club_convergence",
    params=ClubParams,
    run=run,
    title=Text("俱乐部收敛", "Club convergence"),
    description="Phillips-Sul log t test, convergence clubs (clustering and merging), "
                "membership table, club map and transition paths.",
))
