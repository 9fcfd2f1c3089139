"""Step ``map``: choropleth maps of an indicator for chosen years."""

from __future__ import annotations

from dataclasses import dataclass

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
from cityres.study.steps._common import city_labels, columns_of, simulated_note, unit_of, var_label


@dataclass(frozen=True)
class MapParams:
    """Parameters of ``map``.

    ``years`` default to the first and last year of the panel; ``k`` quantile classes;
    ``cmap`` a matplotlib colour map; ``names`` draws city names on the map.
    """

    column: str
    years: tuple[int, ...] | None = None
    k: int = 5
    cmap: str = "YlGnBu"
    names: bool = True
    digits: int = 3


def run(ctx: StepContext, p: MapParams) -> StepResult:
    """One map per year and a table of the mapped values."""
    from cityres.report.figures import choropleth

    (col,) = columns_of(ctx, [p.column], "column")
    geo = ctx.panel.geometry
    if geo is None:
        raise ArgumentError(
            f"step {ctx.step_id!r}: the data have no city polygons; use a dataset with geometry "
            "(yrd_sim, yrd41) or set data.geometry = \"yrd41\" in the study"
        )
    have = ctx.panel.years
    years = list(p.years) if p.years is not None else sorted({have[0], have[-1]})
    unknown = [y for y in years if y not in have]
    if unknown:
        raise ArgumentError(f"step {ctx.step_id!r}, years: {unknown} not in the panel "
                            f"({have[0]}–{have[-1]})")
    if not 2 <= p.k <= 9:
        raise ArgumentError(f"step {ctx.step_id!r}, k={p.k}: accepted 2 to 9 classes")
    wide = ctx.panel.data[col].unstack("year")[years]
    cities = ctx.panel.cities
    table = pd.concat([cities[["name_zh", "name_en"]].reindex(wide.index), wide], axis=1)
    table.columns = [str(c) for c in table.columns]
    name = var_label(ctx, col)
    unit = unit_of(ctx.panel, col)
    notes = simulated_note(ctx)
    figures = []
    for year in years:
        caption = Text(f"{year}年{name.zh}的空间分布", f"{name.en} by city, {year}")

        def make(lang: Lang, year: int = year) -> object:
            labels = city_labels(ctx.panel, lang) if p.names else None
            return choropleth(geo, wide[year], names=labels, lang=lang,
                              title=Text(f"{name.zh}（{year}年）", f"{name.en} ({year})").get(lang),
                              legend_label=f"{name.get(lang)}{f' ({unit})' if unit else ''}",
                              cmap=p.cmap, k=p.k, simulated=ctx.simulated)

        figures.append(FigureOut(f"{col}_{year}", make, caption, ctx.source, notes))  # type: ignore[arg-type]
    caption = Text(f"各城市{name.zh}", f"{name.en} by city")
    display = plain_table(table, labels=ctx.labels, digits=p.digits,
                          simulated=ctx.simulated)
    return StepResult(tables=(TableOut(col, table, display, caption, ctx.source),),
                      figures=tuple(figures))


register_step(StepSpec(
    name="map",
    params=MapParams,
    run=run,
    title=Text("空间分布", "Spatial distribution"),
    description="Choropleth maps of one indicator across cities for chosen years.",
))
