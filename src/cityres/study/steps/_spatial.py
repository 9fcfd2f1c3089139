"""Helpers shared by the spatial steps: weights from the study file, indicator frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.report.i18n import Text
from cityres.study.registry import StepContext
from cityres.study.steps._common import var_label

#: Bilingual labels of the columns the spatial steps show.
SPATIAL_LABELS: Mapping[str, Text] = {
    "I": Text("Moran's I", "Moran's I"),
    "C": Text("Geary's C", "Geary's C"),
    "G": Text("General G", "General G"),
    "E_I": Text("E[I]", "E[I]"),
    "E_C": Text("E[C]", "E[C]"),
    "E_G": Text("E[G]", "E[G]"),
    "z_norm": Text("z 值", "z"),
    "p_norm": Text("p 值", "p"),
    "z": Text("z 值", "z"),
    "p_sim": Text("置换 p 值", "Permutation p"),
    "n": Text("城市数", "Cities"),
    "kind": Text("类型", "Kind"),
    "transform": Text("标准化", "Standardisation"),
    "links": Text("连接数", "Links"),
    "density": Text("密度", "Density"),
    "min_neighbours": Text("最少邻居数", "Min. neighbours"),
    "mean_neighbours": Text("平均邻居数", "Mean neighbours"),
    "max_neighbours": Text("最多邻居数", "Max. neighbours"),
    "islands": Text("孤岛", "Islands"),
    "components": Text("连通分量", "Components"),
    "symmetric": Text("对称", "Symmetric"),
    "reciprocal": Text("邻接互惠", "Reciprocal links"),
    "params": Text("参数", "Parameters"),
    "notes": Text("说明", "Notes"),
    "HH": Text("高-高", "High-High"),
    "LL": Text("低-低", "Low-Low"),
    "LH": Text("低-高", "Low-High"),
    "HL": Text("高-低", "High-Low"),
    "ns": Text("不显著", "Not significant"),
    "hot": Text("热点", "Hot spot"),
    "cold": Text("冷点", "Cold spot"),
    "centre_lon": Text("重心经度", "Centre longitude"),
    "centre_lat": Text("重心纬度", "Centre latitude"),
    "sigma_x_km": Text("短半轴/km", "Semi-axis x (km)"),
    "sigma_y_km": Text("长半轴/km", "Semi-axis y (km)"),
    "rotation_deg": Text("转角/°", "Rotation (°)"),
    "area_km2": Text("面积/km²", "Area (km²)"),
    "shape_index": Text("扁率", "Shape index"),
    "distance_km": Text("移动距离/km", "Distance moved (km)"),
    "bearing_deg": Text("方位角/°", "Bearing (°)"),
    "direction": Text("方向", "Direction"),
}

#: How each weights kind is named in tables and captions.
KIND_NAMES: Mapping[str, Text] = {
    "queen": Text("Queen 邻接", "Queen contiguity"),
    "rook": Text("Rook 邻接", "Rook contiguity"),
    "distance_band": Text("距离阈值", "Distance band"),
    "inverse_distance": Text("反距离", "Inverse distance"),
    "knn": Text("K 近邻", "k nearest neighbours"),
    "economic": Text("经济距离", "Economic distance"),
    "nested": Text("经济地理嵌套", "Economic-geographic nested"),
    "file": Text("文件", "From file"),
}


def labels(ctx: StepContext) -> dict[str, Text]:
    """The study's labels with the spatial column labels added (the study's win)."""
    return {**SPATIAL_LABELS, **ctx.labels}


def weights_name(spec: str | Mapping[str, Any]) -> str:
    """A short name of a weights spec for keys and headers (``queen``, ``distance_band_300``)."""
    if isinstance(spec, str):
        return spec
    if "name" in spec:
        return str(spec["name"])
    kind = str(spec.get("kind", "weights"))
    extra = [f"{v}" for k, v in spec.items() if k not in ("kind", "row_standardise", "name")]
    return "_".join([kind, *extra]).replace(" ", "").replace("/", "-")


def weights_caption(w: Any) -> Text:
    """'Queen contiguity, row-standardised' in both languages."""
    kind = KIND_NAMES.get(w.kind, Text(w.kind, w.kind))
    params = ", ".join(f"{k}={v}" for k, v in w.params.items() if k not in ("ids",))
    std = Text("行标准化", "row-standardised") if w.transform == "row" else Text("未标准化",
                                                                                "not standardised")
    tail = f" ({params})" if params else ""
    return Text(f"{kind.zh}{tail}，{std.zh}", f"{kind.en}{tail}, {std.en}")


def build_weights(ctx: StepContext, spec: str | Mapping[str, Any], argument: str = "weights"
                  ) -> Any:
    """The step's weights from its study-file spec, for the cities of the panel."""
    from cityres.spatial.weights import weights_from_spec

    try:
        return weights_from_spec(dict(spec) if isinstance(spec, Mapping) else spec, ctx.panel,
                                 base=ctx.base)
    except ArgumentError as err:
        raise ArgumentError(f"step {ctx.step_id!r}, {argument}: {err}") from err


def indicator_frame(ctx: StepContext, names: Sequence[str], argument: str) -> pd.DataFrame:
    """Columns by (city, year): panel columns, or the scores of earlier ``index`` steps.

    A name that is an earlier step id with a ``scores`` table (an ``index`` step) gives
    that index's scores, so a study can map and test the indices it built.
    """
    have = ctx.panel.columns
    out: dict[str, pd.Series] = {}
    unknown = []
    for name in names:
        if name in have:
            out[name] = ctx.panel.data[name]
        elif name in ctx.outputs and "scores" in ctx.outputs[name]:
            scores = ctx.outputs[name]["scores"]
            out[name] = scores.set_index(["city", "year"])["score"]
        else:
            unknown.append(name)
    if unknown:
        steps = sorted(s for s, t in ctx.outputs.items() if "scores" in t)
        raise ArgumentError(
            f"step {ctx.step_id!r}, {argument}: unknown {unknown}; accepted: panel columns "
            f"{have}" + (f" or earlier index steps {steps}" if steps else "")
        )
    frame = pd.DataFrame(out)
    frame.index = frame.index.set_names(["city", "year"])
    return frame


def indicator_label(ctx: StepContext, name: str) -> Text:
    """Label of a panel column or of an earlier index step (its id)."""
    if name in ctx.panel.columns:
        return var_label(ctx, name)
    if name in ctx.labels:
        return ctx.labels[name]
    scores = ctx.outputs.get(name, {}).get("scores")
    if scores is not None and {"index_zh", "index_en"} <= set(scores.columns) and len(scores):
        return Text(str(scores["index_zh"].iloc[0]), str(scores["index_en"].iloc[0]))
    return Text(name, name)


def check_years(ctx: StepContext, years: Sequence[int] | None, argument: str,
                default: Sequence[int] | None = None) -> list[int]:
    """Requested years (default: ``default`` or all), each checked against the panel."""
    have = ctx.panel.years
    chosen = list(years) if years is not None else list(default if default is not None else have)
    unknown = [y for y in chosen if y not in have]
    if unknown:
        raise ArgumentError(f"step {ctx.step_id!r}, {argument}: {unknown} not in the panel "
                            f"({have[0]}–{have[-1]})")
    return chosen
