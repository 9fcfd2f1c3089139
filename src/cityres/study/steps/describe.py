"""Step ``describe``: descriptive statistics, overall and by region, province and year."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from cityres.report.i18n import Text
from cityres.report.tables import plain_table
from cityres.study.registry import StepContext, StepResult, StepSpec, TableOut, register_step
from cityres.study.steps._common import columns_of

Stat = Literal["n", "mean", "std", "min", "max", "median", "missing"]
By = Literal["all", "region", "province", "year"]

_STAT_FUNCS = {"n": "count", "mean": "mean", "std": "std", "min": "min", "max": "max",
               "median": "median"}
_BY_TEXT = {"region": Text("地区", "region"), "province": Text("省份", "province"),
            "year": Text("年份", "year")}


@dataclass(frozen=True)
class DescribeParams:
    """Parameters of ``describe``.

    ``columns`` default to every indicator; ``by`` chooses the tables (``all``: one row
    per variable with ``stats``; the others: the mean of each variable by group);
    ``stats`` are computed over all city-years (std is the sample standard deviation,
    ddof = 1, as Stata's ``summarize``).
    """

    columns: tuple[str, ...] | None = None
    by: tuple[By, ...] = ("all", "region", "province", "year")
    stats: tuple[Stat, ...] = ("n", "mean", "std", "min", "max")
    digits: int = 3


def overall(data: pd.DataFrame, stats: tuple[str, ...]) -> pd.DataFrame:
    """One row per variable, one column per statistic."""
    out = pd.DataFrame(index=pd.Index(data.columns, name="variable"))
    for s in stats:
        out[s] = data.isna().sum() if s == "missing" else data.agg(_STAT_FUNCS[s])
    return out


def by_group(data: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Mean of each variable (rows) by group (columns); a last row counts observations."""
    grouped = data.groupby(groups.to_numpy())
    means = grouped.mean().T
    means.index.name = "variable"
    means.loc["n"] = grouped.size()
    means.columns = [str(c) for c in means.columns]
    return means


def run(ctx: StepContext, p: DescribeParams) -> StepResult:
    """Compute the tables."""
    cols = columns_of(ctx, p.columns, "columns")
    data = ctx.panel.data[cols].astype(float)
    cities = ctx.panel.cities
    tables = []
    for b in p.by:
        if b == "all":
            frame = overall(data, p.stats)
            caption = Text("描述性统计", "Descriptive statistics")
        else:
            if b == "year":
                groups = pd.Series(data.index.get_level_values("year"), index=data.index)
            else:
                ids = data.index.get_level_values("city")
                groups = pd.Series(cities[b].reindex(ids).to_numpy(), index=data.index)
                if groups.isna().all():
                    continue  # the city table has no such attribute (e.g. US states: region)
            frame = by_group(data, groups.fillna("—"))
            caption = Text(f"分{_BY_TEXT[b].zh}均值", f"Means by {_BY_TEXT[b].en}")
        digits = {"n": 0, "missing": 0}
        digits.update({c: p.digits for c in frame.columns if c not in digits})
        digits.update({r: 0 for r in ("n",) if r in frame.index})
        display = plain_table(frame, labels=ctx.labels, digits=digits, simulated=ctx.simulated)
        tables.append(TableOut(b if b != "all" else "overall", frame, display, caption,
                               ctx.source))
    return StepResult(tables=tuple(tables))


register_step(StepSpec(
    name="describe",
    params=DescribeParams,
    run=run,
    title=Text("描述性统计", "Descriptive statistics"),
    description="Descriptive statistics overall and by region, province and year.",
))

__all__ = ["DescribeParams", "by_group", "overall"]
