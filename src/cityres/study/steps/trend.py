"""Step ``trend``: indicator means by province (or region) over time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
from cityres.study.steps._common import columns_of, simulated_note, var_label

_STAT = {"mean": Text("均值", "mean"), "median": Text("中位数", "median"),
         "sum": Text("合计", "total")}
_BY = {"province": Text("省份", "province"), "region": Text("地区", "region")}


@dataclass(frozen=True)
class TrendParams:
    """Parameters of ``trend``: one chart and one table per column."""

    columns: tuple[str, ...]
    by: Literal["province", "region"] = "province"
    stat: Literal["mean", "median", "sum"] = "mean"
    digits: int = 3


def group_series(data: pd.DataFrame, cities: pd.DataFrame, column: str, by: str,
                 stat: Literal["mean", "median", "sum"]) -> pd.DataFrame:
    """``stat`` of ``column`` by group (rows) and year (columns)."""
    ids = data.index.get_level_values("city")
    frame = pd.DataFrame({
        "group": cities[by].reindex(ids).to_numpy(),
        "year": data.index.get_level_values("year"),
        "value": data[column].astype(float).to_numpy(),
    })
    table = frame.pivot_table(index="group", columns="year", values="value", aggfunc=stat)
    table.columns = [str(c) for c in table.columns]
    table.index.name = by
    return table


def run(ctx: StepContext, p: TrendParams) -> StepResult:
    """Tables and charts of each column's trend by group."""
    from cityres.report.figures import trend_chart

    cols = columns_of(ctx, p.columns, "columns")
    if p.by not in ctx.panel.cities or ctx.panel.cities[p.by].isna().all():
        raise ArgumentError(f"step {ctx.step_id!r}, by={p.by!r}: the city table has no {p.by}")
    notes = simulated_note(ctx)
    tables, figures = [], []
    for col in cols:
        frame = group_series(ctx.panel.data, ctx.panel.cities, col, p.by, p.stat)
        name = var_label(ctx, col)
        caption = Text(f"{name.zh}的{_STAT[p.stat].zh}（按{_BY[p.by].zh}）",
                       f"{name.en}: {_STAT[p.stat].en} by {_BY[p.by].en}")
        tables.append(TableOut(col, frame, plain_table(frame, labels=ctx.labels, digits=p.digits,
                                                       simulated=ctx.simulated),
                               caption, ctx.source))

        def make(lang: Lang, col: str = col) -> object:
            return trend_chart(ctx.panel, col, by=p.by, stat=p.stat, labels=ctx.labels,
                               lang=lang, simulated=ctx.simulated)

        figures.append(FigureOut(col, make, caption, ctx.source, notes))  # type: ignore[arg-type]
    return StepResult(tables=tuple(tables), figures=tuple(figures))


register_step(StepSpec(
    name="trend",
    params=TrendParams,
    run=run,
    title=Text("时间趋势", "Trends over time"),
    description="Indicator means by province or region over the years, as charts and tables.",
))
