"""Step ``heterogeneity``: subgroup FE regressions with tests that the coefficients differ."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cityres._shared.errors import ArgumentError, CityresError, PanelError
from cityres.econometrics._groups import (
    CityList,
    ColumnGroups,
    Grouping,
    PeriodSplit,
    QuantileGroups,
    city_list,
    column_groups,
    period_split,
    quantile_groups,
)
from cityres.econometrics.heterogeneity import ALL_SLOPES, HeterogeneityResult, subgroups
from cityres.report.i18n import Text
from cityres.report.tables import plain_table, regression_note, regression_table
from cityres.study.registry import StepContext, StepResult, StepSpec, TableOut, register_step
from cityres.study.steps._common import columns_of, simulated_note, var_label

Effects = Literal["none", "individual", "time", "twoways"]
TestName = Literal["chow", "suest", "permutation"]
_FORMS = ('a column name ("region"), { column = "open_group", order = [...] }, '
          '{ split_year = 2017 }, { quantiles = "openness", q = 2, by = "city", stat = "mean" } '
          'or { cities = ["310000", ...], label_in = "...", label_out = "..." }')
_GROUP_NAMES = {
    "region": Text("地区", "Region"), "size_class": Text("城市规模", "City size"),
    "open_group": Text("开放程度", "Openness group"), "province": Text("省份", "Province"),
}
_VALUES = {
    "east": Text("东部", "East"), "central": Text("中部", "Central"),
    "west": Text("西部", "West"), "large": Text("大城市", "Large"),
    "medium": Text("中等城市", "Medium"), "small": Text("小城市", "Small"),
    "top": Text("高开放", "Top"), "middle": Text("中开放", "Middle"),
    "bottom": Text("低开放", "Bottom"), "low": Text("低", "Low"), "high": Text("高", "High"),
}
_TRUTH_MULT = {"open_group": "open_mult", "region": "region_mult", "size_class": "size_mult"}


@dataclass(frozen=True)
class HeterogeneityParams:
    """Parameters of ``heterogeneity``.

    ``y`` the outcome, ``x`` the regressor(s) whose differences are tested, ``controls``
    further regressors; ``groupings`` a list of groupings, each a column name of the panel
    or city table (``"region"``), ``{ column = "open_group", order = [...] }``,
    ``{ split_year = 2017 }`` (before 2017 vs from 2017), ``{ quantiles = "openness",
    q = 2, by = "city" | "city-year", stat = "mean" | "first" }`` or ``{ cities = [...],
    label_in = "capitals", label_out = "others" }``; ``tests`` among chow, suest,
    permutation; ``permutations`` of the Fisher test (default 1000).
    """

    y: str
    x: tuple[str, ...]
    groupings: tuple[str | dict[str, Any], ...]
    controls: tuple[str, ...] = ()
    tests: tuple[TestName, ...] = ("chow", "suest", "permutation")
    permutations: int = 1000
    effects: Effects = "twoways"
    digits: int = 3


def grouping_from_spec(spec: str | Mapping[str, Any], where: str) -> Grouping:
    """A grouping from its study-file form (see :class:`HeterogeneityParams`)."""
    if isinstance(spec, str):
        return column_groups(spec)
    if not isinstance(spec, Mapping):
        raise ArgumentError(f"{where}: received {spec!r}; accepted: {_FORMS}")
    keys = set(spec)
    try:
        if keys <= {"column", "order"} and "column" in keys:
            return column_groups(spec["column"], order=spec.get("order"))
        if keys == {"split_year"}:
            return period_split(spec["split_year"])
        if keys <= {"quantiles", "q", "by", "stat"} and "quantiles" in keys:
            return quantile_groups(spec["quantiles"], spec.get("q", 2),
                                   by=spec.get("by", "city"), stat=spec.get("stat", "mean"))
        if keys <= {"cities", "label_in", "label_out"} and "cities" in keys:
            return city_list(spec["cities"], label_in=spec.get("label_in", "listed"),
                             label_out=spec.get("label_out", "others"))
    except CityresError as err:
        raise type(err)(f"{where}: {err}") from None
    raise ArgumentError(f"{where}: cannot read {dict(spec)!r}; accepted: {_FORMS}")


def _key(g: Grouping) -> str:
    if isinstance(g, PeriodSplit):
        return f"period_{g.year}"
    if isinstance(g, QuantileGroups):
        return f"{g.column}_q{g.q}" + ("_cityyear" if g.by == "city-year" else "")
    if isinstance(g, CityList):
        return f"{g.label_in}_list".replace(" ", "_")
    assert isinstance(g, ColumnGroups)
    return g.column


def _grouping_text(ctx: StepContext, g: Grouping) -> Text:
    if isinstance(g, PeriodSplit):
        return Text(f"{g.year} 年前后", f"before / from {g.year}")
    if isinstance(g, QuantileGroups):
        lab = var_label(ctx, g.column)
        zh = {2: "高低两组", 3: "三分位组"}.get(g.q, f"{g.q} 分位组")
        return Text(f"{lab.zh}{zh}", f"{lab.en}, {g.q} quantile groups")
    if isinstance(g, CityList):
        return Text(f"{g.label_in}与{g.label_out}", g.name)
    assert isinstance(g, ColumnGroups)
    return _GROUP_NAMES.get(g.column, var_label(ctx, g.column))


def _group_text(ctx: StepContext, g: Grouping, label: str) -> Text:
    if isinstance(g, QuantileGroups) and label in _VALUES:
        col = var_label(ctx, g.column)
        return Text(f"{col.zh}{_VALUES[label].zh}", f"{_VALUES[label].en} {col.en}")
    return _VALUES.get(label, Text(label, label))


def _fmt(v: object, digits: int) -> str:
    """A number with ``digits`` decimals; "" for a missing one."""
    if v is None or v is pd.NA:
        return ""
    f = float(v)  # type: ignore[arg-type]
    return "" if math.isnan(f) else f"{f:.{digits}f}"


def _test_rows(res: HeterogeneityResult, tests: tuple[str, ...],
               digits: int) -> dict[str, list[str]]:
    """Rows under the columns: each group against column (1)."""
    rows: dict[str, list[str]] = {}
    t = res.tests
    many = len(res.x) > 1
    for name in res.x:
        pre = f"{name}: " if many else ""
        pairs = {row.group_b: row for row in t[(t["coefficient"] == name)
                                              & (t["group_a"] == res.order[0])].itertuples()}
        def cells(col: str, nd: int, pairs: dict[Any, Any] = pairs) -> list[str]:
            return [""] + [_fmt(getattr(pairs[g], col), nd) for g in res.order[1:]]
        rows[f"{pre}Difference from (1)"] = cells("difference", digits)
        if "permutation" in tests:
            rows[f"{pre}Permutation p"] = cells("perm_p", 3)
        if "chow" in tests:
            rows[f"{pre}Chow p"] = cells("chow_p", 3)
        if "suest" in tests:
            rows[f"{pre}suest p"] = cells("suest_p", 3)
    return rows


def _row_labels(xs: tuple[str, ...]) -> dict[str, Text]:
    out: dict[str, Text] = {}
    for name in ("", *(f"{x}: " for x in xs)):
        out[f"{name}Difference from (1)"] = Text(f"{name}与 (1) 列之差", f"{name}Difference "
                                                 "from (1)")
        out[f"{name}Permutation p"] = Text(f"{name}费舍尔组合检验经验 p 值",
                                           f"{name}Permutation test, empirical p")
        out[f"{name}Chow p"] = Text(f"{name}交互项（Chow）检验 p 值", f"{name}Chow-type test p")
        out[f"{name}suest p"] = Text(f"{name}似无相关（suest）检验 p 值", f"{name}suest test p")
    return out


def run(ctx: StepContext, p: HeterogeneityParams) -> StepResult:
    """One subgroup table per grouping, a table of all difference tests, and the truth."""
    (y,) = columns_of(ctx, [p.y], "y")
    xs = tuple(columns_of(ctx, p.x, "x"))
    cs = tuple(columns_of(ctx, p.controls, "controls"))
    if not xs:
        raise ArgumentError(f"step {ctx.step_id!r}, x: give at least one regressor")
    if not p.groupings:
        raise ArgumentError(f"step {ctx.step_id!r}, groupings: give at least one grouping; "
                            f"accepted: {_FORMS}")
    if p.permutations < 1:
        raise ArgumentError(f"step {ctx.step_id!r}, permutations={p.permutations}: accepted 1 "
                            "or more")
    groupings = [grouping_from_spec(s, f"step {ctx.step_id!r}, groupings[{i}]")
                 for i, s in enumerate(p.groupings)]
    seeds = ctx.seed.spawn(len(groupings))
    results: list[HeterogeneityResult] = []
    for i, (g, s) in enumerate(zip(groupings, seeds, strict=True)):
        try:
            results.append(subgroups(ctx.panel, y, xs, by=g, controls=cs, effects=p.effects,
                                     test=p.tests, permutations=p.permutations, seed=s))
        except (ArgumentError, PanelError) as err:
            raise type(err)(f"step {ctx.step_id!r}, groupings[{i}]: {err}") from None
    sim = simulated_note(ctx)
    lab: dict[str, Text] = {c: var_label(ctx, c) for c in (y, *xs, *cs)}
    lab.update(_row_labels(xs))
    fe = {"City FE": p.effects in ("twoways", "individual"),
          "Year FE": p.effects in ("twoways", "time")}
    how = _method_note(p)
    tables: list[TableOut] = []
    keys: set[str] = set()
    for g, res in zip(groupings, results, strict=True):
        key = _key(g)
        while key in keys:
            key += "_2"
        keys.add(key)
        gtext = _grouping_text(ctx, g)
        rows: dict[str, Any] = {k: [v] * len(res.order) for k, v in fe.items()}
        rows.update(_test_rows(res, p.tests, p.digits))
        notes: list[Text] = [regression_note(), how]
        joint = res.tests[res.tests["group_a"].isna() & (res.tests["coefficient"] != ALL_SLOPES)]
        for row in joint.itertuples():
            notes.append(Text(
                f"{row.coefficient} 各组系数相等的联合检验：Chow p = {_fmt(row.chow_p, 3)}，"
                f"suest p = {_fmt(row.suest_p, 3)}，组合检验 p = {_fmt(row.perm_p, 3)}。",
                f"Joint test that {row.coefficient} is equal in all groups: Chow p = "
                f"{_fmt(row.chow_p, 3)}, suest p = {_fmt(row.suest_p, 3)}, permutation p = "
                f"{_fmt(row.perm_p, 3)}."))
        if sim:
            notes.append(sim)
        display = regression_table(
            {gl: res.models[gl] for gl in res.order}, labels=lab, digits=p.digits,
            rows=rows, stats=("nobs", "r2_within"),
            model_names=[_group_text(ctx, g, gl) for gl in res.order],
            dep_var=lab[y], notes=notes, simulated=ctx.simulated)
        tables.append(TableOut(
            key, res.tidy(), display,
            Text(f"异质性分析：按{gtext.zh}分组", f"Heterogeneity by {gtext.en}"),
            ctx.source, Text(f"分组：{res.grouping}", f"Grouping: {res.grouping}")))
    summary = pd.concat([r.tests.assign(grouping=r.grouping) for r in results],
                        ignore_index=True)
    shown = summary.assign(row=summary["grouping"] + ": " + summary["comparison"] + " ["
                           + summary["coefficient"] + "]").set_index("row")[
        ["difference", "chow_p", "suest_p", "perm_p", "perm_p_one_sided"]]
    shown.index.name = "comparison"
    test_lab = {"difference": Text("系数差", "Difference"), "chow_p": Text("Chow p", "Chow p"),
                "suest_p": Text("suest p", "suest p"),
                "perm_p": Text("组合检验 p（双侧）", "Permutation p (two-sided)"),
                "perm_p_one_sided": Text("组合检验 p（单侧）", "Permutation p (one-sided)"),
                "comparison": Text("比较", "Comparison")}
    tables.append(TableOut("tests", summary, plain_table(
        shown, labels=test_lab, digits=3, simulated=ctx.simulated,
        notes=[how] + ([sim] if sim else [])),
        Text("组间系数差异检验", "Tests of coefficient differences between groups"),
        ctx.source, None))
    truth = _truth_table(ctx, y, xs, groupings, results)
    if truth is not None:
        tables.append(TableOut("truth", truth.reset_index(), plain_table(
            truth, digits=3, simulated=True, notes=[
                Text("真实倍数来自 cityres.datasets.truth('yrd_sim')：高开放 ×1.4（相对低开放）、"
                     "2017 年起 ×1.3、中部 ×0.8、大城市 ×1.1、小城市 ×0.9（相对中等城市）。",
                     "True multipliers from cityres.datasets.truth('yrd_sim'): top openness "
                     "×1.4 (vs bottom), from 2017 ×1.3, central ×0.8, large ×1.1 and small "
                     "×0.9 (vs medium)."),
                Text("完整设计中还有空间滞后、W·D、门槛和其余乘数，双向固定效应的分组系数是约化式的"
                     "混合（并含中介与电子商务渠道），其比值不是上述倍数的一致估计，仅作参照"
                     "（docs/data/yrd_sim.md）。",
                     "In the full design the spatial lag, W·D, the threshold and the other "
                     "multipliers are also present, so two-way FE subgroup coefficients are "
                     "reduced-form mixtures (carrying the mediator and e-commerce channels "
                     "too); their ratios are not consistent for these multipliers — a "
                     "reference, not a recovery test (docs/data/yrd_sim.md).")]),
            Text("分组系数之比与模拟真值", "Subgroup coefficient ratios against the simulated "
                 "truth"), ctx.source, sim))
    intro = Text("分组回归检验数字经济效应在不同类型城市间是否不同；组间系数差异用三种检验："
                 "含全部交互项的合并模型 Wald 检验（Chow 型）、似无相关估计（suest）的 χ² 检验"
                 "与费舍尔组合检验（bdiff）。",
                 "Subgroup regressions ask whether the effect differs between kinds of city; "
                 "the difference between groups is tested three ways: a Wald test in the fully "
                 "interacted pooled model (Chow-type), a seemingly-unrelated (suest) χ² test "
                 "and Fisher's permutation test (as Stata's bdiff).")
    return StepResult(tables=tuple(tables), intro=intro)


def _method_note(p: HeterogeneityParams) -> Text:
    parts_zh, parts_en = [], []
    if "chow" in p.tests:
        parts_zh.append("Chow：合并模型中全部解释变量与固定效应均与分组交互，"
                        "按城市聚类的 Wald F 检验")
        parts_en.append("Chow: Wald F test in the pooled model with every regressor and fixed "
                        "effect interacted with the groups, clustered by city")
    if "suest" in p.tests:
        parts_zh.append("suest：各组得分叠加的联合聚类稳健协方差，χ² 检验")
        parts_en.append("suest: χ² test with the joint cluster-robust covariance of the "
                        "stacked scores")
    if "permutation" in p.tests:
        parts_zh.append(f"组合检验：在分组定义的层级（城市、年份或城市-年）随机置换组别 "
                        f"{p.permutations} 次，经验 p 值为双侧 (1+#)/(1+B)")
        parts_en.append(f"permutation: group labels shuffled {p.permutations} times at the "
                        "level they are defined (city, year or city-year), two-sided "
                        "empirical p = (1 + #)/(1 + B)")
    return Text("；".join(parts_zh) + "。", "; ".join(parts_en) + ".")


def _truth_table(ctx: StepContext, y: str, xs: tuple[str, ...], groupings: list[Grouping],
                 results: list[HeterogeneityResult]) -> pd.DataFrame | None:
    """Estimated coefficient ratios beside the yrd_sim multipliers, where they apply."""
    if ctx.panel.meta.get("name") != "yrd_sim" or y != "resilience" or "de_latent" not in xs:
        return None
    from cityres import datasets

    out = datasets.truth("yrd_sim")["params"]["outcome"]
    rows = []
    for g, res in zip(groupings, results, strict=True):
        b = {gl: float(m.params["de_latent"]) for gl, m in res.models.items()}
        pairs: list[tuple[str, str, float]] = []
        if isinstance(g, ColumnGroups) and g.column in _TRUTH_MULT:
            mult = out[_TRUTH_MULT[g.column]]
            ref = next((k for k, v in mult.items() if v == 1.0 and k in b), None)
            if ref is not None:
                pairs = [(gl, ref, mult[gl] / mult[ref]) for gl in res.order
                         if gl != ref and gl in mult]
        elif isinstance(g, PeriodSplit) and g.year == out["post_year"]:
            pairs = [(res.order[1], res.order[0], float(out["post_mult"]))]
        for gl, ref, true in pairs:
            t = res.tests[(res.tests["coefficient"] == "de_latent")
                          & res.tests["group_a"].isin([gl, ref])
                          & res.tests["group_b"].isin([gl, ref])]
            rows.append({"comparison": f"{res.grouping}: {gl} / {ref}", "true_ratio": true,
                         "estimated_ratio": b[gl] / b[ref], "estimate": b[gl],
                         "estimate_reference": b[ref],
                         "perm_p": float(t["perm_p"].iloc[0]) if len(t) else math.nan})
    if not rows:
        return None
    return pd.DataFrame(rows).set_index("comparison")


register_step(StepSpec(
    name="heterogeneity",
    params=HeterogeneityParams,
    run=run,
    title=Text("异质性分析", "Heterogeneity analysis"),
    description="Subgroup two-way FE regressions by region, size, openness, period or a "
                "list of cities, with Chow-type, suest and Fisher permutation tests of the "
                "coefficient differences.",
))
