"""Step ``distribution_dynamics``: kernel-density evolution (ridgeline and 3D figures) and
classic / spatial Markov transition matrices with steady state, mean first-passage times
and homogeneity tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.dynamics.kde import DensityResult, density
from cityres.dynamics.markov import MarkovResult, markov
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
from cityres.study.steps._spatial import build_weights, check_years, weights_caption

_LABELS: dict[str, Text] = {
    "n": Text("转移数", "Transitions"),
    "from": Text("t 年类型", "Class in t"),
    "to": Text("t+1 年类型", "Class in t+1"),
    "lag": Text("邻域类型", "Lag class"),
    "state": Text("类型", "Class"),
    "steady_state": Text("稳态分布", "Steady state"),
    "group": Text("组别", "Group"),
    "cities": Text("城市数", "Cities"),
    "mean": Text("均值", "Mean"),
    "std": Text("标准差", "Std. dev."),
    "bandwidth": Text("带宽 h", "Bandwidth h"),
    "peak": Text("峰值位置", "Peak at"),
    "modes": Text("峰数", "Modes"),
    "test": Text("检验", "Test"),
    "lr": Text("LR 统计量", "LR statistic"),
    "lr_pvalue": Text("LR p 值", "LR p-value"),
    "q": Text("Q 统计量", "Q statistic"),
    "q_pvalue": Text("Q p 值", "Q p-value"),
    "dof": Text("自由度", "d.f."),
    "chi2": Text("χ² 统计量", "χ² statistic"),
    "pvalue": Text("p 值", "p-value"),
    "time": Text("时间齐性（前后两期）", "Time homogeneity (two sub-periods)"),
    "spatial": Text("空间齐性（各邻域类型）", "Spatial homogeneity (lag classes)"),
}


@dataclass(frozen=True)
class DistributionParams:
    """Parameters of ``distribution_dynamics``.

    ``column`` the indicator; ``years`` the years of the kernel densities (default: all);
    ``bandwidth`` "scott", "silverman" or a number (in the units of the values, of their
    log with ``log``); ``group`` a city-table column (``region``, ``province``) for
    densities by group; ``k`` quantile classes of the Markov chain (``classes``
    within each year or pooled); ``weights`` a weights spec (``"queen"``…) for the
    spatial Markov chain, or omitted for the classic chain only.
    """

    column: str
    years: tuple[int, ...] | None = None
    bandwidth: Literal["scott", "silverman"] | float = "scott"
    group: str | None = None
    log: bool = False
    k: int = 5
    classes: Literal["within_year", "pooled"] = "within_year"
    weights: str | dict[str, Any] | None = None
    digits: int = 3


def run(ctx: StepContext, p: DistributionParams) -> StepResult:
    """KDE statistics and figures; Markov tables and heatmap."""
    from cityres.report.dynamics_plots import density_3d, density_ridgeline, transition_heatmap

    columns_of(ctx, [p.column], "column")
    years = check_years(ctx, p.years, "years")
    try:
        kde = density(ctx.panel, p.column, years=years, group=p.group,
                      bandwidth=p.bandwidth, log=p.log)
        w = build_weights(ctx, p.weights) if p.weights is not None else None
        chain = markov(ctx.panel, p.column, k=p.k, w=w, classes=p.classes)
    except ArgumentError as err:
        raise ArgumentError(f"step {ctx.step_id!r}: {err}") from err
    sim = simulated_note(ctx)
    name = var_label(ctx, p.column)
    labels = {**_LABELS, **ctx.labels}
    kde_how = _kde_how(kde, name)
    mk_how = _markov_how(chain, name, w)
    kn = [kde_how, *([sim] if sim else [])]
    mn = [mk_how, *([sim] if sim else [])]
    tables = [_kde_table(ctx, kde, labels, kn, kde_how)]
    tables += _markov_tables(ctx, chain, labels, mn, mk_how, p.digits)

    def ridge(lang: Lang) -> Any:
        return density_ridgeline(kde, lang=lang, simulated=ctx.simulated, x_label=name,
                                 labels=ctx.labels)

    def surface(lang: Lang) -> Any:
        return density_3d(kde, lang=lang, simulated=ctx.simulated, x_label=name,
                          labels=ctx.labels)

    def heat(lang: Lang) -> Any:
        return transition_heatmap(chain, lang=lang, simulated=ctx.simulated)

    figures = (
        FigureOut("ridgeline", ridge, Text(f"{name.zh}核密度分布的演进（山脊图）",
                                           f"Kernel densities of {name.en} by year "
                                           "(ridgeline)"), ctx.source, kde_how),
        FigureOut("kde3d", surface, Text(f"{name.zh}核密度的三维演进",
                                         f"Kernel density of {name.en} over time (3D)"),
                  ctx.source, kde_how),
        FigureOut("transitions", heat, Text(f"{name.zh}的马尔可夫转移概率",
                                            f"Markov transition probabilities of {name.en}"),
                  ctx.source, mk_how),
    )
    intro = Text("分布动态：逐年高斯核密度刻画分布的位置、离散与极化；马尔可夫链刻画城市在"
                 "分位数类型间的流动，空间马尔可夫链再按邻域类型分组，检验邻居对跃迁的影响。",
                 "Distribution dynamics: yearly Gaussian kernel densities show the location, "
                 "spread and polarisation of the distribution; a Markov chain shows how "
                 "cities move between quantile classes, and the spatial Markov chain "
                 "conditions those moves on the class of the neighbours.")
    return StepResult(tables=tuple(tables), figures=figures, intro=intro)


def _kde_how(kde: DensityResult, name: Text) -> Text:
    rule = {"scott": Text("Scott 规则 h = σ̂ n^(−1/5)", "Scott's rule h = σ̂ n^(−1/5)"),
            "silverman": Text("Silverman 规则 h = σ̂ (3n/4)^(−1/5)",
                              "Silverman's rule h = σ̂ (3n/4)^(−1/5)"),
            "fixed": Text("固定带宽", "a fixed bandwidth")}[kde.rule]
    var = Text(f"ln({name.zh})", f"ln({name.en})") if kde.log else name
    return Text(f"高斯核密度（scipy gaussian_kde），变量 {var.zh}；带宽：{rule.zh}，σ̂ 为当年"
                "（组内）样本标准差；各年共用同一网格。",
                f"Gaussian kernel density (scipy gaussian_kde) of {var.en}; bandwidth: "
                f"{rule.en}, σ̂ the year's (group's) sample standard deviation; all years "
                "share one grid.")


def _markov_how(res: MarkovResult, name: Text, w: Any) -> Text:
    how = (Text("按每年截面分位数", "quantiles of each year's cross-section")
           if res.classes == "within_year" else Text("按全部年份合并的分位数",
                                                       "quantiles of all years pooled"))
    text = Text(f"{name.zh}分为 {res.k} 个{how.zh}类型（Q1 最低；取值等于分界点归入较低类型）；"
                f"{res.periods[0]}–{res.periods[-1]} 年相邻年份间的转移，极大似然估计。",
                f"{name.en} in {res.k} classes by {how.en} (Q1 lowest; a value equal to a "
                f"bound goes to the lower class); transitions between consecutive years "
                f"{res.periods[0]}–{res.periods[-1]}, maximum likelihood.")
    if w is not None:
        wc = weights_caption(w)
        text = text + Text(f"空间马尔可夫：按期初邻域滞后值（{wc.zh}）的 {res.m} 个分位数类型"
                           "分组。",
                           f" Spatial Markov: conditioned on the start-year class of the "
                           f"spatial lag ({wc.en}) in {res.m} quantile classes.")
    return text


def _kde_table(ctx: StepContext, kde: DensityResult, labels: dict[str, Text],
               notes: list[Text], how: Text) -> TableOut:
    st = kde.stats.rename(columns={"n": "cities"})[
        ["cities", "mean", "std", "bandwidth", "peak", "modes"]]
    if kde.groups == ("all",):
        st = st.droplevel(0)
    return TableOut("kde", kde.stats.reset_index(), plain_table(
        st, labels=labels, digits=4, simulated=ctx.simulated, notes=notes),
        Text("核密度估计：各年样本、带宽与峰", "Kernel densities: samples, bandwidths and peaks"),
        ctx.source, how)


def _with_n(chain_p: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    out = chain_p.copy()
    out.insert(0, "n", counts.sum(axis=1).astype("int64"))
    return out


def _markov_tables(ctx: StepContext, res: MarkovResult, labels: dict[str, Text],
                   notes: list[Text], how: Text, digits: int) -> list[TableOut]:
    c = res.chain
    counts = c.transitions.astype("int64")
    probs = _with_n(c.p, c.transitions)
    ss = pd.concat([c.steady_state.rename("steady_state"),
                    c.mfpt.rename(columns=lambda s: f"→{s}").set_axis(c.steady_state.index)],
                   axis=1)
    ss_note = Text("稳态分布 π 满足 π = πP；其后各列为平均首达时间（年）：从该类型出发首次到达"
                   "列类型的期望年数，对角线为平均返回时间。",
                   "The steady state π solves π = πP; the other columns are mean first-passage "
                   "times (years): expected years to first reach the column class from the "
                   "row class; the diagonal is the mean recurrence time.")
    tables = [
        TableOut("transition_counts", counts.reset_index(), plain_table(
            counts, labels=labels, simulated=ctx.simulated, notes=notes),
            Text("马尔可夫转移次数", "Markov transition counts"), ctx.source, how),
        TableOut("transition_probabilities", probs.reset_index(), plain_table(
            probs, labels=labels, digits=digits, simulated=ctx.simulated, notes=notes),
            Text("传统马尔可夫转移概率矩阵", "Classic Markov transition probabilities"),
            ctx.source, how),
        TableOut("steady_state", ss.reset_index(), plain_table(
            ss, labels=labels, digits=digits, simulated=ctx.simulated,
            notes=[*notes, ss_note]),
            Text("稳态分布与平均首达时间", "Steady state and mean first-passage times"),
            ctx.source, how),
    ]
    if res.spatial:
        sp = pd.concat({lab: _with_n(ch.p, ch.transitions) for lab, ch in res.lag_chains.items()},
                       names=["lag"])
        tables.append(TableOut("spatial_probabilities", sp.reset_index(), plain_table(
            sp, labels=labels, digits=digits, simulated=ctx.simulated, notes=notes),
            Text("空间马尔可夫转移概率矩阵（按邻域类型）",
                 "Spatial Markov transition probabilities by lag class"), ctx.source, how))
        sss = res.steady_state
        assert isinstance(sss, pd.DataFrame)
        tables.append(TableOut("spatial_steady_state", sss.reset_index(), plain_table(
            sss, labels=labels, digits=digits, simulated=ctx.simulated,
            notes=[*notes, *(Text(n, n) for n in res.notes if "steady state" in n)]),
            Text("各邻域类型下的稳态分布", "Steady state by lag class"), ctx.source, how))
        assert res.chi2_by_lag is not None
        tables.append(TableOut("lag_tests", res.chi2_by_lag.reset_index(), plain_table(
            res.chi2_by_lag, labels=labels, digits=digits, simulated=ctx.simulated,
            notes=[*notes, Text("各邻域类型的转移次数与全样本转移概率的 χ² 检验（Rey 2001）。",
                                "χ² test of each lag class's counts against the pooled "
                                "probabilities (Rey 2001).")]),
            Text("各邻域类型的齐性检验", "Tests of each lag class"), ctx.source, how))
    rows = {}
    if res.time_homogeneity is not None:
        rows["time"] = res.time_homogeneity
    if res.spatial_homogeneity is not None:
        rows["spatial"] = res.spatial_homogeneity
    if rows:
        hom = pd.DataFrame({k: {"lr": t.lr, "lr_pvalue": t.lr_pvalue, "q": t.q,
                                "q_pvalue": t.q_pvalue, "dof": t.dof}
                            for k, t in rows.items()}).T
        hom["dof"] = hom["dof"].astype("int64")
        hom.index.name = "test"
        split = Text(f"时间齐性：{res.split} 年之前开始的转移对 {res.split} 年及之后的转移。",
                     f"Time homogeneity: transitions starting before {res.split} against "
                     f"those starting in {res.split} or later.")
        tables.append(TableOut("homogeneity", hom.reset_index(), plain_table(
            hom, labels=labels, digits=digits, simulated=ctx.simulated,
            notes=[*notes, split, Text(
                "Bickenbach 与 Bode（2003）的 LR 与 Q 检验，原假设为各子样本转移概率相同，"
                "自由度按零单元格调整。",
                "Bickenbach and Bode (2003) LR and Q tests of equal transition probabilities "
                "across sub-samples; degrees of freedom adjusted for empty cells.")]),
            Text("马尔可夫链齐性检验", "Homogeneity tests of the Markov chain"), ctx.source,
            how))
    return tables


register_step(StepSpec(
    name="distribution_dynamics",
    params=DistributionParams,
    run=run,
    title=Text("分布动态：核密度与马尔可夫链", "Distribution dynamics: kernel density and "
               "Markov chains"),
    description="Yearly Gaussian kernel densities (ridgeline and 3D figures, by group), "
                "classic and spatial Markov transition matrices with steady state, mean "
                "first-passage times and homogeneity tests.",
))
