"""Steps ``index`` (composite index) and ``coupling`` (coupling coordination degree)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
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


@dataclass(frozen=True)
class IndexParams:
    """Parameters of ``index``: a bundled indicator system and every scoring choice.

    ``system`` is a bundled system name (digital_economy, ecommerce, urban_resilience,
    economic_resilience) or the path of your own system file (``.toml``, relative to the
    study file); ``map_years`` default to the first and last year; ``top`` is
    the number of best and worst cities listed; ``top_k`` obstacle indicators per city.
    """

    system: str
    normalize: Literal["minmax", "zscore", "vector"] = "minmax"
    scope: Literal["pooled", "by_year"] = "pooled"
    weighting: Literal["entropy", "critic", "cv", "pca", "equal"] = "entropy"
    aggregate: Literal["sum", "topsis"] = "sum"
    shift: float = 0.0
    map_years: tuple[int, ...] | None = None
    top: int = 10
    obstacles: bool = True
    top_k: int = 3


def _title(system: Any) -> Text:
    title = getattr(system, "title", None)
    if isinstance(title, Text):
        return title
    name = str(getattr(system, "name", "index"))
    return Text(name, name)


def _ranking(scores: pd.Series, cities: pd.DataFrame, top: int) -> pd.DataFrame:
    first, last = scores.index.get_level_values("year").min(), scores.index.get_level_values(
        "year").max()
    a = scores.xs(first, level="year")
    b = scores.xs(last, level="year")
    table = pd.DataFrame({
        "name_zh": cities["name_zh"].reindex(b.index),
        "name_en": cities["name_en"].reindex(b.index),
        f"score_{first}": a.reindex(b.index),
        f"score_{last}": b,
        f"rank_{last}": b.rank(ascending=False, method="min").astype(int),
        "change": b - a.reindex(b.index),
    }).sort_values(f"rank_{last}")
    table.index.name = "city"
    if len(table) > 2 * top:
        table = pd.concat([table.head(top), table.tail(top)])
    return table


def run_index(ctx: StepContext, p: IndexParams) -> StepResult:
    """Build the index and its tables and figures."""
    from cityres.indices import build_index, load_system, obstacles
    from cityres.report.figures import choropleth, trend_chart

    system = load_system(ctx.resolve(p.system) if p.system.endswith(".toml") else p.system)
    result = build_index(ctx.panel, system, normalize=p.normalize, scope=p.scope,
                         weighting=p.weighting, aggregate=p.aggregate, shift=p.shift)
    name = _title(system)
    choice = Text(f"标准化：{p.normalize}（{p.scope}）；赋权：{p.weighting}；合成：{p.aggregate}",
                  f"normalisation: {p.normalize} ({p.scope}); weights: {p.weighting}; "
                  f"aggregation: {p.aggregate}")
    sim = simulated_note(ctx)
    tables: list[TableOut] = []
    weights = result.weights
    shown = weights.set_index("indicator")  # row labels translated through the codebook
    tables.append(TableOut("weights", weights, plain_table(shown, labels=ctx.labels, digits=4,
                                                           simulated=ctx.simulated),
                           Text(f"{name.zh}指标权重", f"{name.en}: indicator weights"),
                           ctx.source, choice))
    scores = pd.DataFrame({"score": result.scores, "rank": result.ranks})
    # the index's name travels with its scores, so later steps (maps, Moran) can label it
    scores = scores.assign(index_zh=name.zh, index_en=name.en)
    by_year = result.scores.unstack("year")
    by_year.columns = [str(c) for c in by_year.columns]
    tables.append(TableOut("scores", scores, plain_table(
        by_year, labels=ctx.labels, simulated=ctx.simulated),
        Text(f"{name.zh}得分", f"{name.en}: scores by city and year"), ctx.source, choice))
    ranking = _ranking(result.scores, ctx.panel.cities, p.top)
    tables.append(TableOut("ranking", ranking, plain_table(
        ranking, labels=ctx.labels, digits={c: (0 if c.startswith("rank") else 3)
                                            for c in ranking.columns},
        simulated=ctx.simulated),
        Text(f"{name.zh}排名（前{p.top}与后{p.top}位）及变化",
             f"{name.en}: ranking (top and bottom {p.top}) and change"), ctx.source, choice))
    if p.obstacles:
        k = min(p.top_k, len(result.weights))  # a small system has fewer indicators than k
        obs = obstacles(result, top_k=k)
        top = obs.top(k)
        tables.append(TableOut("obstacles", top, plain_table(top, labels=ctx.labels,
                                                             simulated=ctx.simulated),
                               Text(f"{name.zh}主要障碍因子", f"{name.en}: main obstacle "
                                    "indicators by city"), ctx.source, sim))
    figures: list[FigureOut] = []
    years = ctx.panel.years
    map_years = list(p.map_years) if p.map_years else sorted({years[0], years[-1]})
    unknown = [y for y in map_years if y not in years]
    if unknown:
        raise ArgumentError(f"step {ctx.step_id!r}, map_years: {unknown} not in the panel")
    geo = ctx.panel.geometry
    if geo is not None:
        for year in map_years:
            values = result.scores.xs(year, level="year")

            def make(lang: Lang, values: pd.Series = values, year: int = year) -> Any:
                names = city_labels(ctx.panel, lang)
                title = Text(f"{name.zh}（{year}年）", f"{name.en} ({year})").get(lang)
                return choropleth(geo, values, names=names, lang=lang, title=title,
                                  legend_label=name.get(lang), simulated=ctx.simulated)

            figures.append(FigureOut(f"map_{year}", make,
                                     Text(f"{year}年{name.zh}的空间分布",
                                          f"{name.en} by city, {year}"), ctx.source, sim))
    frame = result.scores.rename("index_score").to_frame()
    if "province" in ctx.panel.cities and ctx.panel.cities["province"].notna().any():
        def make_trend(lang: Lang) -> Any:
            from cityres.data.panel import CityPanel

            panel = CityPanel(frame, ctx.panel.cities, meta=ctx.panel.meta)
            labels = {**ctx.labels, "index_score": name}
            return trend_chart(panel, "index_score", by="province", labels=labels, lang=lang,
                               simulated=ctx.simulated)

        figures.append(FigureOut("trend", make_trend,
                                 Text(f"{name.zh}省均值变化", f"{name.en}: provincial means"),
                                 ctx.source, sim))
    return StepResult(tables=tuple(tables), figures=tuple(figures),
                      intro=Text(f"{name.zh}。{choice.zh}。", f"{name.en}. {choice.en}."))


def _system_files(p: IndexParams, base: Path) -> list[Path]:
    if not p.system.endswith(".toml"):
        return []
    path = Path(p.system) if Path(p.system).is_absolute() else base / p.system
    if not path.exists():
        raise ArgumentError(f"step index, system: file not found: {path}")
    return [path]


register_step(StepSpec(
    name="index",
    version="2",  # 2: scores carry the index's name (index_zh, index_en)
    params=IndexParams,
    run=run_index,
    files=_system_files,
    title=Text("综合指数", "Composite index"),
    description="A composite index from an indicator system: weights, scores, ranking, "
                "maps, provincial trends and obstacle indicators.",
))


@dataclass(frozen=True)
class CouplingParams:
    """Parameters of ``coupling``: the ids of two or more earlier ``index`` steps."""

    systems: tuple[str, ...]
    formula: Literal["corrected", "traditional"] = "corrected"
    weights: tuple[float, ...] | None = None
    map_year: int | None = None


def run_coupling(ctx: StepContext, p: CouplingParams) -> StepResult:
    """Coupling coordination of the chosen index steps' scores."""
    from cityres.indices import coupling
    from cityres.report.figures import choropleth

    if len(p.systems) < 2:
        raise ArgumentError(f"step {ctx.step_id!r}, systems: give at least two index step ids")
    missing = [s for s in p.systems if s not in ctx.outputs or "scores" not in ctx.outputs[s]]
    if missing:
        raise ArgumentError(f"step {ctx.step_id!r}, systems: {missing} are not earlier index "
                            f"steps; earlier steps: {sorted(ctx.outputs)}")
    scores = pd.DataFrame({
        s: ctx.outputs[s]["scores"].set_index(["city", "year"])["score"] for s in p.systems
    })
    result = coupling(scores, weights=list(p.weights) if p.weights else None, formula=p.formula)
    table = result.table
    counts = table.groupby([table.index.get_level_values("year"), "level"]).size().unstack(
        "level", fill_value=0)
    counts.columns = [f"level_{c}" for c in counts.columns]
    sim = simulated_note(ctx)
    if p.formula == "corrected":
        formula = Text("修正耦合度模型（王淑佳等，2021，自然资源学报）",
                       "corrected coupling model (Wang et al. 2021, J. Natural Resources)")
    else:
        formula = Text("传统耦合度模型", "traditional coupling model")
    last = table.xs(ctx.panel.years[-1], level="year")
    assert isinstance(last, pd.DataFrame)
    tables = (
        TableOut("degree", table, plain_table(last, labels=ctx.labels, simulated=ctx.simulated),
            Text(f"耦合协调度（{ctx.panel.years[-1]}年）",
                 f"Coupling coordination degree ({ctx.panel.years[-1]})"), ctx.source, formula),
        TableOut("classes", counts, plain_table(counts, labels=ctx.labels, digits=0,
                                                simulated=ctx.simulated),
                 Text("各协调等级城市数", "Cities by coordination level and year"), ctx.source,
                 Text("等级 1–10：极度失调 … 优质协调", "levels 1–10: extreme imbalance … "
                      "high-quality coordination")),
    )
    figures: tuple[FigureOut, ...] = ()
    geo = ctx.panel.geometry
    if geo is not None:
        year = p.map_year or ctx.panel.years[-1]
        values = table["D"].xs(year, level="year")

        def make(lang: Lang) -> Any:
            names = city_labels(ctx.panel, lang)
            title = Text(f"耦合协调度 D（{year}年）", f"Coupling coordination D ({year})")
            return choropleth(geo, values, names=names, lang=lang, title=title.get(lang),
                              legend_label="D", simulated=ctx.simulated)

        figures = (FigureOut("map", make, Text(f"{year}年耦合协调度的空间分布",
                                               f"Coupling coordination by city, {year}"),
                             ctx.source, sim),)
    return StepResult(tables=tables, figures=figures)


register_step(StepSpec(
    name="coupling",
    params=CouplingParams,
    run=run_coupling,
    title=Text("耦合协调度", "Coupling coordination"),
    description="Coupling coordination degree of two or more earlier index steps.",
    needs=("index",),
))
