"""Step ``weights``: build the spatial weights matrices of a study and compare them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.report.i18n import Text
from cityres.report.tables import plain_table
from cityres.study.registry import StepContext, StepResult, StepSpec, TableOut, register_step
from cityres.study.steps._common import simulated_note
from cityres.study.steps._spatial import build_weights, labels, weights_caption, weights_name

_DEFAULT: tuple[str | dict[str, Any], ...] = (
    "queen",
    {"kind": "distance_band", "km": 300},
    {"kind": "knn", "k": 4},
    {"kind": "inverse_distance"},
)


@dataclass(frozen=True)
class WeightsParams:
    """Parameters of ``weights``.

    ``matrices`` lists weights specs: a kind (``"queen"``) or a table
    (``{ kind = "distance_band", km = 300 }``, ``{ kind = "economic", column = "gdp_pc" }``,
    ``{ kind = "file", path = "w.gal" }``; ``name`` names it in the tables). The default
    compares queen contiguity, a 300 km distance band, 4 nearest neighbours and inverse
    distance. ``links`` also writes every matrix as a long table of links.
    """

    matrices: tuple[str | dict[str, Any], ...] = _DEFAULT
    links: bool = False


def run(ctx: StepContext, p: WeightsParams) -> StepResult:
    """A summary table comparing the matrices and, if asked, their links."""
    if not p.matrices:
        raise ArgumentError(f"step {ctx.step_id!r}, matrices: give at least one weights spec")
    names = [weights_name(s) for s in p.matrices]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ArgumentError(f"step {ctx.step_id!r}, matrices: {dupes} appear twice; give each "
                            "a distinct name = \"...\"")
    built = [build_weights(ctx, spec, f"matrices[{i}]") for i, spec in enumerate(p.matrices)]
    summary = pd.DataFrame({n: w.summary().to_series() for n, w in zip(names, built,
                                                                        strict=True)})
    summary.index.name = "statistic"
    notes = [Text("；".join(weights_caption(w).zh for w in built),
                  "; ".join(weights_caption(w).en for w in built))]
    sim = simulated_note(ctx)
    if sim is not None:
        notes.append(sim)
    tables = [TableOut("summary", summary.astype(str).reset_index(),
                       plain_table(summary, labels=labels(ctx), digits=3,
                                   simulated=ctx.simulated),
                       Text("空间权重矩阵概况", "Spatial weights matrices"), ctx.source,
                       notes[0])]
    if p.links:
        for name, w in zip(names, built, strict=True):
            frame = w.to_frame()
            tables.append(TableOut(f"links_{name}", frame,
                                   plain_table(frame.head(20), labels=labels(ctx), digits=4,
                                               simulated=ctx.simulated),
                                   Text(f"权重矩阵 {name} 的连接（前 20 行）",
                                        f"Links of {name} (first 20 rows)"),
                                   ctx.source, weights_caption(w)))
    intro = Text("空间权重矩阵决定“邻居”：邻接、距离阈值（300 公里）、K 近邻、反距离和经济距离矩阵"
                 "常被并列使用以检验结论的稳健性。",
                 "Spatial weights define who is a neighbour; papers compare contiguity, a "
                 "300 km distance band, k nearest neighbours, inverse-distance and economic "
                 "matrices to check that results are robust.")
    return StepResult(tables=tuple(tables), intro=intro)


register_step(StepSpec(
    name="weights",
    params=WeightsParams,
    run=run,
    title=Text("空间权重矩阵", "Spatial weights"),
    description="Build contiguity, distance, k-nearest, economic and nested weights and "
                "compare their neighbour counts, islands and components.",
))
