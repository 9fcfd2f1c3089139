"""Step ``resilience``: Martin resistance and recovery of each city against a benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

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


@dataclass(frozen=True)
class ResilienceParams:
    """Parameters of ``resilience``.

    ``outcome`` is the series hit by the shock (employment, output); ``contraction`` and
    ``recovery`` are (start, end) years — omit ``contraction`` to detect the shock from
    the benchmark (peak → trough); ``benchmark`` is the sum over cities (extensive
    variables) or their mean (intensive ones); ``sectors`` lists sector columns summing to
    the outcome for the shift-share expectation; ``highlight`` cities in the line chart.
    """

    outcome: str
    contraction: tuple[int, int] | None = None
    recovery: tuple[int, int] | None = None
    benchmark: Literal["sum", "mean"] = "sum"
    sectors: tuple[str, ...] | None = None
    highlight: tuple[str, ...] | None = None
    digits: int = 3


def run(ctx: StepContext, p: ResilienceParams) -> StepResult:
    """Measures, typology, map, quadrant scatter and indexed lines."""
    from cityres.report.charts import indexed_lines, quadrant_scatter
    from cityres.report.figures import choropleth
    from cityres.resilience import martin

    (outcome,) = columns_of(ctx, [p.outcome], "outcome")
    sectors = columns_of(ctx, p.sectors, "sectors") if p.sectors else None
    result = martin(ctx.panel, outcome, contraction=p.contraction or "detect",
                    recovery=p.recovery, benchmark=p.benchmark, sectors=sectors)
    name = var_label(ctx, outcome)
    cities = ctx.panel.cities
    table = result.table
    windows = Text(f"收缩期/恢复期 {result.windows}", f"contraction / recovery {result.windows}")
    method = Text("偏离-份额预期" if sectors else ("城市加总基准" if p.benchmark == "sum"
                                                   else "城市均值基准"),
                  "shift-share expectation" if sectors else f"benchmark: {p.benchmark} of cities")
    note = Text(f"{method.zh}；{windows.zh}。Martin (2012)；Martin 等 (2016)。",
                f"{method.en}; {windows.en}. Martin (2012); Martin et al. (2016).")
    shown = pd.concat([cities[["name_zh", "name_en"]].reindex(table.index), table], axis=1)
    shown = shown.sort_values("resistance", ascending=False)
    tables = [TableOut("measures", shown, plain_table(shown, labels=ctx.labels,
                                                      digits=p.digits, simulated=ctx.simulated),
                       Text(f"{name.zh}的抵抗力与恢复力", f"{name.en}: resistance and recovery"),
                       ctx.source, note)]
    indexed = result.indexed()
    tables.append(TableOut("indexed", indexed, plain_table(indexed, labels=ctx.labels,
                                                           digits=1, simulated=ctx.simulated),
                           Text(f"{name.zh}指数（冲击前=100）",
                                f"{name.en} indexed (pre-shock = 100)"),
                           ctx.source, note))
    sim = simulated_note(ctx)
    figures: list[FigureOut] = []

    def labels_for(lang: Lang) -> pd.Series:
        return city_labels(ctx.panel, lang)

    geo = ctx.panel.geometry
    if geo is not None:
        def make_map(lang: Lang) -> Any:
            title = Text(f"{name.zh}的抵抗力", f"Resistance: {name.en}").get(lang)
            return choropleth(geo, table["resistance"], names=labels_for(lang), lang=lang,
                              title=title, legend_label=Text("抵抗力", "resistance").get(lang),
                              cmap="RdYlGn", simulated=ctx.simulated)

        figures.append(FigureOut("map", make_map, Text(f"{name.zh}抵抗力的空间分布",
                                                       f"Resistance by city: {name.en}"),
                                 ctx.source, sim))

    def make_scatter(lang: Lang) -> Any:
        return quadrant_scatter(table, names=labels_for(lang), lang=lang,
                                title=Text(f"{name.zh}：抵抗力与恢复力",
                                           f"{name.en}: resistance and recovery").get(lang),
                                simulated=ctx.simulated)

    figures.append(FigureOut("quadrants", make_scatter,
                             Text("抵抗力—恢复力四象限", "Resistance–recovery quadrants"),
                             ctx.source, sim))
    shock = (result.windows.contraction[0], result.windows.contraction[1])

    def make_lines(lang: Lang) -> Any:
        return indexed_lines(indexed, highlight=list(p.highlight) if p.highlight else None,
                             names=labels_for(lang), shock_years=shock, lang=lang,
                             title=Text(f"{name.zh}（冲击前=100）",
                                        f"{name.en} (pre-shock = 100)").get(lang),
                             simulated=ctx.simulated)

    figures.append(FigureOut("indexed", make_lines,
                             Text(f"{name.zh}走势与基准", f"{name.en} against the benchmark"),
                             ctx.source, sim))
    return StepResult(tables=tuple(tables), figures=tuple(figures), intro=note)


register_step(StepSpec(
    name="resilience",
    params=ResilienceParams,
    run=run,
    title=Text("冲击下的经济韧性", "Resilience to shocks"),
    description="Martin resistance, recovery, sensitivity and typology of each city.",
))
