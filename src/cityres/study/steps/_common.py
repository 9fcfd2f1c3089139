"""Helpers shared by the built-in steps."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.data.panel import CityPanel
from cityres.report.i18n import Lang, Text, label
from cityres.study.registry import StepContext


def columns_of(ctx: StepContext, columns: Sequence[str] | None, argument: str) -> list[str]:
    """The requested columns (default: all), checked against the panel."""
    have = ctx.panel.columns
    if columns is None:
        return have
    unknown = [c for c in columns if c not in have]
    if unknown:
        raise ArgumentError(
            f"step {ctx.step_id!r}, {argument}: unknown column(s) {unknown}; the panel has "
            f"{have}"
        )
    return list(columns)


def var_label(ctx: StepContext, column: str, *, with_unit: bool = False) -> Text:
    """The bilingual label of a column, with its unit from the codebook if asked."""
    text = label(column, ctx.labels)
    if with_unit:
        unit = unit_of(ctx.panel, column)
        if unit:
            text = text + f" ({unit})"
    return text


def unit_of(panel: CityPanel, column: str) -> str:
    """The unit of ``column`` in the codebook, or ''."""
    v = panel.variables
    if v is None or "unit" not in v.columns or column not in v.index:
        return ""
    unit = v.loc[column, "unit"]
    return "" if unit is None or str(unit) == "nan" else str(unit)


def simulated_note(ctx: StepContext) -> Text | None:
    """The note every simulated table and figure carries."""
    if not ctx.simulated:
        return None
    return Text("模拟数据，非真实统计。", "SIMULATED data, not real statistics.")


def city_labels(panel: CityPanel, lang: Lang) -> pd.Series:
    """City names for figures; English names shared by two cities get their province.

    Suzhou (苏州, Jiangsu) and Suzhou (宿州, Anhui), Taizhou (泰州, Jiangsu) and Taizhou
    (台州, Zhejiang) become "Suzhou (Jiangsu)" and "Suzhou (Anhui)", … on English figures.
    """
    cities = panel.cities
    column = "name_zh" if lang == "zh" else "name_en"
    if column not in cities:
        return pd.Series(cities.index.astype(str), index=cities.index)
    names = cities[column].astype(object).where(cities[column].notna(),
                                                pd.Series(cities.index, index=cities.index))
    if lang == "en" and "province" in cities:
        dup = names.duplicated(keep=False) & cities["province"].notna()
        names = names.where(~dup, names + " (" + cities["province"].astype(str) + ")")
    return names
