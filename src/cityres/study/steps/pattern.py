"""Step ``ellipse``: weighted mean centre, standard deviational ellipse and centre migration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
from cityres.study.steps._spatial import check_years, indicator_frame, indicator_label, labels


@dataclass(frozen=True)
class EllipseParams:
    """Parameters of ``ellipse``.

    ``column`` weights each city (a panel column or an earlier ``index`` step id, values
    ≥ 0; omit for the unweighted geographic centre); ``years`` to compute (default all);
    ``map_years`` to draw (default: first, middle and last); ``std`` scales the ellipse
    (1 = one standard deviation).
    """

    column: str | None = None
    years: tuple[int, ...] | None = None
    map_years: tuple[int, ...] | None = None
    std: float = 1.0
    digits: int = 3


def run(ctx: StepContext, p: EllipseParams) -> StepResult:
    """Centre and ellipse by year, the migration path, and the ellipse map."""
    from cityres.report.ellipse_map import ellipse_map
    from cityres.spatial.pattern import centre_and_ellipse

    if p.std <= 0:
        raise ArgumentError(f"step {ctx.step_id!r}, std={p.std}: accepted a number > 0")
    years = check_years(ctx, p.years, "years")
    mid = years[len(years) // 2]
    map_years = check_years(ctx, p.map_years, "map_years",
                            default=sorted({years[0], mid, years[-1]}))
    outside = [y for y in map_years if y not in years]
    if outside:
        raise ArgumentError(f"step {ctx.step_id!r}, map_years: {outside} are not in years")
    if p.column is None:
        data: Any = ctx.panel
        name = Text("城市", "cities")
    else:
        frame = indicator_frame(ctx, [p.column], "column")
        data = _with_column(ctx, frame)
        name = indicator_label(ctx, p.column)
    result = centre_and_ellipse(data, p.column, years=years, std=p.std)
    table = result.table
    path = result.path
    sim = simulated_note(ctx)
    what = Text(f"以{name.zh}加权", f"weighted by {name.en}") if p.column else Text(
        "不加权", "unweighted")
    note = Text(f"{what.zh}；椭圆为 {p.std} 倍标准差；距离为大圆距离。",
                f"{what.en}; ellipse at {p.std} standard deviation(s); great-circle distances.")
    notes = [note] + ([sim] if sim else [])
    tables = [
        TableOut("ellipse", table.reset_index(),
                 plain_table(table, labels=labels(ctx), digits=p.digits,
                             simulated=ctx.simulated, notes=notes),
                 Text(f"{name.zh}的重心与标准差椭圆", f"Mean centre and ellipse: {name.en}"),
                 ctx.source, note),
        TableOut("path", path,
                 plain_table(path, labels=labels(ctx), digits=p.digits,
                             simulated=ctx.simulated, notes=notes),
                 Text(f"{name.zh}重心的迁移", f"Migration of the centre: {name.en}"),
                 ctx.source, note),
    ]
    figures: list[FigureOut] = []
    geo = ctx.panel.geometry
    if geo is not None:
        def make(lang: Lang) -> Any:
            return ellipse_map(geo, table, years=map_years, lang=lang,
                               names=city_labels(ctx.panel, lang), simulated=ctx.simulated,
                               title=Text(f"{name.zh}的标准差椭圆与重心迁移",
                                          f"Ellipse and centre migration: {name.en}").get(lang))

        figures.append(FigureOut("map", make, Text(f"{name.zh}的标准差椭圆与重心迁移路径",
                                                   f"Standard deviational ellipses and centre "
                                                   f"path: {name.en}"),
                                 ctx.source, note))
    intro = Text("加权平均中心（重心）与标准差椭圆刻画空间格局的位置、范围与方向及其演变。",
                 "The weighted mean centre and the standard deviational ellipse describe where "
                 "the pattern sits, how far it spreads and in which direction, year by year.")
    return StepResult(tables=tuple(tables), figures=tuple(figures), intro=intro)


def _with_column(ctx: StepContext, frame: pd.DataFrame) -> Any:
    """The panel with ``frame``'s column added (for an index step's scores)."""
    col = frame.columns[0]
    if col in ctx.panel.columns:
        return ctx.panel
    return frame.join(ctx.panel.cities[["lon", "lat"]], on="city")


register_step(StepSpec(
    name="ellipse",
    params=EllipseParams,
    run=run,
    title=Text("重心与标准差椭圆", "Mean centre and standard deviational ellipse"),
    description="Weighted mean centre, standard deviational ellipse and centre migration "
                "by year.",
))
