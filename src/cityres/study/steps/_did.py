"""Shared by the DID steps: the treatment (from the policy calendar or a cohort column)
with its confidence labels as a table and notes, and the yrd_sim true ATT(e)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    DataChangeWarning,
    LowConfidenceDataWarning,
    format_choices,
)
from cityres.data.panel import CityPanel
from cityres.econometrics.did import Treatment, treatment_from_calendar
from cityres.report.i18n import Text
from cityres.report.tables import PubTable, plain_table
from cityres.study.registry import StepContext, TableOut
from cityres.study.steps._common import columns_of, var_label
from cityres.study.steps._econ import is_yrd_sim

__all__ = ["DID_LABELS", "PROGRAMMES", "TreatmentSpec", "resolve_treatment", "true_att"]

#: Bilingual names of the bundled calendar's programmes.
PROGRAMMES: dict[str, Text] = {
    "broadband_china": Text("“宽带中国”示范城市", "Broadband China demonstration cities"),
    "cbec_pilot_zone": Text("跨境电子商务综合试验区", "Cross-border e-commerce pilot zones"),
    "ecommerce_demo_city": Text("国家电子商务示范城市", "National e-commerce demonstration "
                                "cities"),
}
#: yrd_sim: which outcome each programme's simulated effect is on, and the truth key.
_TRUTH = {("broadband_china", "de_latent"): "att_broadband_on_de_latent",
          ("cbec_pilot_zone", "ec_latent"): "att_cbec_on_ec_latent",
          ("ecommerce_demo_city", "ec_latent"): "att_ecdemo_on_ec_latent"}
_COHORT_COLUMNS = {"cohort_broadband": "broadband_china", "cohort_cbec": "cbec_pilot_zone",
                   "cohort_ecdemo": "ecommerce_demo_city"}

DID_LABELS: dict[str, Text] = {
    "cohort": Text("采纳年份", "Adoption year"),
    "status": Text("状态", "Status"),
    "n_cities": Text("城市数", "Cities"),
    "cities": Text("城市", "Cities"),
    "high": Text("高可信", "High confidence"),
    "medium": Text("中可信", "Medium confidence"),
    "low": Text("低可信", "Low confidence"),
    "never": Text("从未处理", "Never treated"),
    "in_window": Text("样本期内", "Within the panel"),
    "before_panel": Text("样本期前（始终处理）", "Before the panel (always treated)"),
    "after_panel": Text("样本期后", "After the panel"),
    "ATT": Text("平均处理效应 ATT", "ATT"),
    "truth": Text("模拟真值", "Simulated truth"),
}


@dataclass(frozen=True)
class TreatmentSpec:
    """The panel with a cohort column and what was learnt on the way."""

    panel: CityPanel
    cohort: str
    name: Text
    treatment: Treatment | None
    programme: str | None
    notes: tuple[Text, ...]


def resolve_treatment(ctx: StepContext, *, programme: str | None, cohort: str | None,
                      calendar: str | None, min_confidence: str) -> TreatmentSpec:
    """The cohort column a DID step uses: ``programme`` from the calendar (bundled unless
    ``calendar`` names a file), or the panel column ``cohort``; exactly one of them.

    Confidence labels and calendar warnings become bilingual notes (every table of the
    step carries them); the calendar's cohorts are added to the panel as a logged
    derived column.
    """
    where = f"step {ctx.step_id!r}"
    if (programme is None) == (cohort is None):
        raise ArgumentError(f"{where}: give exactly one of programme (a policy-calendar "
                            f"programme: {format_choices(PROGRAMMES)}) or cohort (a panel "
                            "column of adoption years, 0 = never treated)")
    if cohort is not None:
        columns_of(ctx, [cohort], "cohort")
        prog = _COHORT_COLUMNS.get(cohort) if is_yrd_sim(ctx) else None
        name = PROGRAMMES[prog] if prog else var_label(ctx, cohort)
        return TreatmentSpec(ctx.panel, cohort, name, None, prog, ())
    assert programme is not None
    if min_confidence not in ("low", "medium", "high"):
        raise ArgumentError(f"{where}: min_confidence={min_confidence!r}; accepted: 'low', "
                            "'medium', 'high'")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tr = treatment_from_calendar(
            ctx.panel, programme,
            calendar=str(ctx.resolve(calendar)) if calendar else None,
            min_confidence=min_confidence)  # type: ignore[arg-type]
    for w in caught:  # everything they say is in the notes below
        if not issubclass(w.category, (LowConfidenceDataWarning, DataChangeWarning)):
            warnings.warn(w.message, w.category, stacklevel=2)
    notes = _calendar_notes(tr)
    col = f"cohort_{programme}"
    panel = ctx.panel if col in ctx.panel.columns else tr.attach(ctx.panel, name=col)
    name = PROGRAMMES.get(programme, Text(programme, programme))
    return TreatmentSpec(panel, col, name, tr, programme, tuple(notes))


def _calendar_notes(tr: Treatment) -> list[Text]:
    """Bilingual notes: unverified adoption years, adoption outside the panel, calendar
    cities missing from the panel."""
    notes: list[Text] = []
    weak = tr.confidence[tr.confidence.isin(["medium", "low"])]
    if len(weak):
        years = tr.cohorts.to_dict()
        listed = ", ".join(f"{c} ({years[c]}, {k})" for c, k in weak.items())
        notes.append(Text(f"政策日历中 {len(weak)} 个采纳年份来自未核实条目（中／低可信度）："
                          f"{listed}；可改用 min_confidence = \"high\" 或自备日历。",
                          f"{len(weak)} adoption year(s) come from unverified calendar rows "
                          f"(medium / low confidence): {listed}; use min_confidence = "
                          "\"high\" or your own calendar to exclude them."))
    for kind, zh, en in (("before_panel", "在样本期首年或之前入选（始终处理）",
                          "adopted at or before the panel's first year (always treated)"),
                         ("after_panel", "在样本期末之后入选（样本期内视为未处理）",
                          "adopted after the panel's last year (untreated within it)")):
        hit = tr.status[tr.status == kind]
        if len(hit):
            listed = ", ".join(f"{c} ({tr.cohorts[c]})" for c in hit.index)
            notes.append(Text(f"{len(hit)} 个城市{zh}：{listed}。",
                              f"{len(hit)} city(ies) {en}: {listed}."))
    missing = [n for n in tr.notes if "not in the panel" in n]
    notes.extend(Text(f"政策日历提示：{n}", f"Policy calendar: {n}") for n in missing)
    return notes


def treatment_table(ctx: StepContext, spec: TreatmentSpec, notes: list[Text]
                    ) -> TableOut | None:
    """Cohort sizes with the calendar's confidence labels (calendar treatments only)."""
    if spec.treatment is None:
        return None
    table = spec.treatment.table()
    shown = table.drop(columns=["cities"]).set_index("cohort")
    shown["status"] = pd.Series([DID_LABELS.get(s, Text(s, s)) for s in table["status"]],
                                index=shown.index, dtype=object)
    display: PubTable = plain_table(
        shown, labels=DID_LABELS, digits=0, simulated=ctx.simulated, notes=[*notes, Text(
            f"政策日历：{spec.treatment.source}；可信度为日历所注（高＝核实的官方名单，中／低＝"
            f"未核实，见 docs/data/china.md）；采纳年份 0 表示样本期内从未入选；最低可信度"
            f"{spec.treatment.min_confidence}。",
            f"Policy calendar: {spec.treatment.source}; confidence as labelled in the "
            "calendar (high = verified official list, medium / low = unverified, see "
            "docs/data/china.md); adoption year 0 = never selected within the panel; "
            f"minimum confidence {spec.treatment.min_confidence}.")])
    return TableOut("treatment", table, display,
                    Text(f"处理组构成：{spec.name.zh}", f"Treatment cohorts: {spec.name.en}"),
                    ctx.source)


def groups_table(ctx: StepContext, spec: TreatmentSpec, notes: list[Text]) -> TableOut | None:
    """Per year the cities already treated, not yet treated and never treated (the
    comparison groups of the estimators), for calendar treatments."""
    if spec.treatment is None:
        return None
    groups = spec.treatment.groups()
    shown = groups.set_index("period")
    shown.index.name = "year"
    labels = {"treated": Text("已处理", "Treated"),
              "not_yet_treated": Text("尚未处理", "Not yet treated"),
              "never_treated": Text("从未处理", "Never treated"),
              "year": Text("年份", "Year")}
    return TableOut("groups", groups, plain_table(
        shown, labels=labels, digits=0, simulated=ctx.simulated, notes=[*notes, Text(
            "“尚未处理”城市在入选前可作对照（Callaway–Sant'Anna control = \"notyet\"）；"
            "“从未处理”城市在整个样本期内都是对照。",
            "Not-yet-treated cities can serve as controls before they adopt "
            "(Callaway–Sant'Anna control = \"notyet\"); never-treated cities are controls "
            "throughout.")]),
        Text("各年处理组与对照组的城市数", "Treated and comparison cities by year"),
        ctx.source)


def true_att(ctx: StepContext, spec: TreatmentSpec, y: str) -> dict[int, float] | None:
    """yrd_sim's true ATT(e) for the programme and outcome, when the study runs on the
    bundled panel and the cohorts are the simulator's; else None."""
    if not is_yrd_sim(ctx) or spec.programme is None:
        return None
    key = _TRUTH.get((spec.programme, y))
    if key is None:
        return None
    sim_col = {v: k for k, v in _COHORT_COLUMNS.items()}[spec.programme]
    data = spec.panel.data
    if sim_col not in data.columns or not np.array_equal(
            data[sim_col].to_numpy(dtype=float), data[spec.cohort].to_numpy(dtype=float)):
        return None  # a calendar filter changed the cohorts: the truth does not apply
    from cityres import datasets

    raw = datasets.truth("yrd_sim")["derived"][key]
    return {int(e): float(v) for e, v in raw.items()}


def average_true_att(spec: TreatmentSpec, truth: dict[int, float]) -> float:
    """The truth averaged over the treated city-years (the target of a static ATT)."""
    data = spec.panel.data
    g = data[spec.cohort].to_numpy(dtype=float)
    t = data.index.get_level_values("year").to_numpy(dtype=float)
    e = (t - g)[(g > 0) & (t >= g)].astype(int)
    return float(np.mean([truth[int(v)] for v in e]))


def truth_frame(truth: dict[int, float], events: list[int]) -> pd.Series:
    """The truth at the given event times (0 before adoption: no anticipation)."""
    return pd.Series([truth.get(e, 0.0) if e >= 0 else 0.0 for e in events],
                     index=pd.Index(events, name="event_time"), name="truth")
