"""Steps ``moran`` (global autocorrelation by year) and ``lisa`` (local clusters, hot spots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cityres._shared.errors import ArgumentError
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
from cityres.study.steps._common import city_labels, simulated_note
from cityres.study.steps._spatial import (
    build_weights,
    check_years,
    indicator_frame,
    indicator_label,
    labels,
    weights_caption,
)

Statistic = Literal["moran", "geary", "getis_ord"]
_SHOWN: dict[str, tuple[str, ...]] = {
    "moran": ("I", "E_I", "z_norm", "p_norm", "p_sim"),
    "geary": ("C", "E_C", "z_norm", "p_norm", "p_sim"),
    "getis_ord": ("G", "E_G", "z", "p_norm", "p_sim"),
}
_TITLES: dict[str, Text] = {
    "moran": Text("全局 Moran's I", "Global Moran's I"),
    "geary": Text("Geary's C", "Geary's C"),
    "getis_ord": Text("Getis-Ord General G", "Getis-Ord General G"),
}


@dataclass(frozen=True)
class MoranParams:
    """Parameters of ``moran``.

    ``columns`` are panel columns or ids of earlier ``index`` steps; ``weights`` a kind or
    a table (see the ``weights`` step); ``statistics`` any of moran, geary, getis_ord
    (General G needs non-negative values); ``permutations`` for the permutation p-value
    (seeded by the study seed); ``scatter_years`` get a Moran scatterplot (default: the
    last year).
    """

    columns: tuple[str, ...]
    weights: str | dict[str, Any] = "queen"
    years: tuple[int, ...] | None = None
    statistics: tuple[Statistic, ...] = ("moran",)
    permutations: int = 999
    alternative: Literal["two-sided", "greater", "less"] = "two-sided"
    scatter_years: tuple[int, ...] | None = None
    digits: int = 3


def run_moran(ctx: StepContext, p: MoranParams) -> StepResult:
    """One table per statistic (years × indicators) and Moran scatterplots."""
    from cityres.report.moran_plot import moran_scatter_plot
    from cityres.spatial import autocorrelation as ac

    if not p.columns:
        raise ArgumentError(f"step {ctx.step_id!r}, columns: give at least one indicator")
    frame = indicator_frame(ctx, p.columns, "columns")
    years = check_years(ctx, p.years, "years")
    scatter_years = check_years(ctx, p.scatter_years, "scatter_years", default=[years[-1]])
    w = build_weights(ctx, p.weights)
    funcs = {"moran": ac.moran, "geary": ac.geary, "getis_ord": ac.getis_ord}
    sim = simulated_note(ctx)
    wnote = weights_caption(w)
    tables: list[TableOut] = []
    for stat in dict.fromkeys(p.statistics):
        parts = {}
        full = []
        for col in p.columns:
            res = funcs[stat](frame, col, w, years=years, permutations=p.permutations,
                              seed=_child(ctx, stat, col), alternative=p.alternative)
            parts[col] = res.table[list(_SHOWN[stat])]
            full.append(res.tidy().assign(indicator=col))
        shown = pd.concat(parts, axis=1)
        note = Text(f"{wnote.zh}；置换次数 {p.permutations}，种子由研究种子派生。",
                    f"{wnote.en}; {p.permutations} permutations seeded from the study seed.")
        tables.append(TableOut(
            stat, pd.concat(full, ignore_index=True),
            plain_table(shown, labels={**labels(ctx), **{c: indicator_label(ctx, c)
                                                        for c in p.columns}},
                        digits=p.digits, simulated=ctx.simulated,
                        notes=[note] + ([sim] if sim else [])),
            Text(f"{_TITLES[stat].zh}（按年份）", f"{_TITLES[stat].en} by year"),
            ctx.source, note))
    figures: list[FigureOut] = []
    for col in p.columns if scatter_years else ():
        scatter = ac.moran_scatter(frame, col, w, years=scatter_years)
        name = indicator_label(ctx, col)
        for year in scatter_years:
            def make(lang: Lang, year: int = year, col: str = col, name: Text = name,
                     scatter: pd.DataFrame = scatter) -> Any:
                return moran_scatter_plot(
                    scatter, year=year, names=city_labels(ctx.panel, lang), lang=lang,
                    title=Text(f"{name.zh}的 Moran 散点图（{year}年）",
                               f"Moran scatterplot: {name.en}, {year}").get(lang),
                    simulated=ctx.simulated)

            figures.append(FigureOut(f"scatter_{col}_{year}", make,
                                     Text(f"{year}年{name.zh}的 Moran 散点图",
                                          f"Moran scatterplot of {name.en}, {year}"),
                                     ctx.source, sim))
    intro = Text("全局空间自相关检验指标在相邻城市间是否集聚（I > E[I]）或离散。",
                 "Global spatial autocorrelation tests whether neighbouring cities have "
                 "similar (I > E[I]) or dissimilar values.")
    return StepResult(tables=tuple(tables), figures=tuple(figures), intro=intro)


def _child(ctx: StepContext, *parts: str) -> Any:
    """A seed for one statistic of one indicator, stable whatever else the step computes."""
    import zlib

    import numpy as np

    words = [zlib.crc32(s.encode()) for s in parts]
    return np.random.SeedSequence(ctx.seed.entropy, spawn_key=(*ctx.seed.spawn_key, *words))


register_step(StepSpec(
    name="moran",
    params=MoranParams,
    run=run_moran,
    title=Text("全局空间自相关", "Global spatial autocorrelation"),
    description="Moran's I, Geary's C and General G by year with analytic and permutation "
                "p-values, and Moran scatterplots.",
))


@dataclass(frozen=True)
class LisaParams:
    """Parameters of ``lisa``.

    ``column`` is a panel column or an earlier ``index`` step id; ``years`` to map
    (default: first and last); ``alpha`` the significance level of the permutation
    p-value, with Benjamini–Hochberg ``fdr`` correction if asked; ``hotspots`` adds
    Getis–Ord Gi* hot- and cold-spot maps.
    """

    column: str
    weights: str | dict[str, Any] = "queen"
    years: tuple[int, ...] | None = None
    permutations: int = 999
    alpha: float = 0.05
    fdr: bool = False
    hotspots: bool = True


def run_lisa(ctx: StepContext, p: LisaParams) -> StepResult:
    """Cluster table, counts by year, LISA cluster maps and Gi* hot-spot maps."""
    from cityres.report.spatial_maps import hotspot_map, lisa_map
    from cityres.spatial import autocorrelation as ac

    frame = indicator_frame(ctx, [p.column], "column")
    have = ctx.panel.years
    years = check_years(ctx, p.years, "years", default=sorted({have[0], have[-1]}))
    if not 0 < p.alpha < 1:
        raise ArgumentError(f"step {ctx.step_id!r}, alpha={p.alpha}: accepted 0 < alpha < 1")
    w = build_weights(ctx, p.weights)
    geo = ctx.panel.geometry
    name = indicator_label(ctx, p.column)
    sim = simulated_note(ctx)
    local = ac.lisa(frame, p.column, w, years=years, permutations=p.permutations,
                    seed=_child(ctx, "lisa", p.column), alpha=p.alpha, fdr=p.fdr)
    table = local.tidy()
    clusters = table.pivot(index="city", columns="year", values="cluster")
    clusters.columns = [str(c) for c in clusters.columns]
    cities = ctx.panel.cities
    shown = pd.concat([cities[["name_zh", "name_en"]].reindex(clusters.index), clusters], axis=1)
    counts = (table.groupby(["year", "cluster"]).size().unstack("cluster", fill_value=0)
              .reindex(columns=["HH", "LL", "LH", "HL", "ns"], fill_value=0))
    rule = (Text(f"FDR 校正，α = {p.alpha}", f"FDR-corrected, α = {p.alpha}") if p.fdr
            else Text(f"置换 p ≤ {p.alpha}", f"permutation p ≤ {p.alpha}"))
    wnote = weights_caption(w)
    note = Text(f"{wnote.zh}；{p.permutations} 次条件置换；{rule.zh}。",
                f"{wnote.en}; {p.permutations} conditional permutations; {rule.en}.")
    notes = [note] + ([sim] if sim else [])
    tables = [
        TableOut("clusters", table, plain_table(shown, labels=labels(ctx), simulated=ctx.simulated,
                                               notes=notes),
                 Text(f"{name.zh}的局部空间集聚类型（LISA）", f"LISA clusters of {name.en}"),
                 ctx.source, note),
        TableOut("counts", counts.reset_index(),
                 plain_table(counts, labels=labels(ctx), simulated=ctx.simulated, notes=notes),
                 Text(f"{name.zh}各类集聚的城市数", f"Cities per LISA cluster: {name.en}"),
                 ctx.source, note),
    ]
    figures: list[FigureOut] = []
    hot = None
    if p.hotspots:
        hot = ac.local_g(frame, p.column, w, star=True, years=years,
                         permutations=p.permutations, seed=_child(ctx, "gistar", p.column),
                         alpha=p.alpha, fdr=p.fdr)
        hot_table = hot.tidy()
        tables.append(TableOut("hotspots", hot_table,
                               plain_table(hot_table.pivot(index="city", columns="year",
                                                           values="cluster"),
                                           labels=labels(ctx), simulated=ctx.simulated,
                                           notes=notes),
                               Text(f"{name.zh}的冷热点（Gi*）",
                                    f"Gi* hot and cold spots: {name.en}"),
                               ctx.source, note))
    if geo is not None:
        for year in years:
            def make(lang: Lang, year: int = year) -> Any:
                return lisa_map(geo, local.clusters(year), names=city_labels(ctx.panel, lang),
                                lang=lang, alpha=p.alpha, fdr=p.fdr, simulated=ctx.simulated,
                                title=Text(f"{name.zh}的 LISA 集聚图（{year}年）",
                                           f"LISA clusters: {name.en}, {year}").get(lang))

            figures.append(FigureOut(f"lisa_{year}", make,
                                     Text(f"{year}年{name.zh}的 LISA 集聚图",
                                          f"LISA cluster map of {name.en}, {year}"),
                                     ctx.source, note))
            if hot is not None:
                def make_hot(lang: Lang, year: int = year, hot: Any = hot) -> Any:
                    return hotspot_map(geo, hot.clusters(year),
                                       names=city_labels(ctx.panel, lang), lang=lang,
                                       alpha=p.alpha, fdr=p.fdr, simulated=ctx.simulated,
                                       title=Text(f"{name.zh}的冷热点（{year}年）",
                                                  f"Hot and cold spots: {name.en}, {year}"
                                                  ).get(lang))

                figures.append(FigureOut(f"hotspots_{year}", make_hot,
                                         Text(f"{year}年{name.zh}的冷热点（Gi*）",
                                              f"Gi* hot and cold spots of {name.en}, {year}"),
                                         ctx.source, note))
    intro = Text("局部 Moran 指数把城市分为高-高、低-低集聚和高-低、低-高异常；Gi* 识别冷热点。",
                 "Local Moran's I sorts cities into High-High and Low-Low clusters and "
                 "High-Low and Low-High outliers; Gi* finds hot and cold spots.")
    return StepResult(tables=tuple(tables), figures=tuple(figures), intro=intro)


register_step(StepSpec(
    name="lisa",
    params=LisaParams,
    run=run_lisa,
    title=Text("局部空间集聚", "Local spatial clusters"),
    description="Local Moran (LISA) clusters with permutation inference and FDR, Gi* hot "
                "spots, cluster maps.",
))
