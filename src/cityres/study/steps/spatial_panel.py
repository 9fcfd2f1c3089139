"""Step ``spatial_panel``: spatial panel models across weights matrices, with effects."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from cityres._shared.errors import ArgumentError, CityresError
from cityres.report.i18n import Text
from cityres.report.tables import ModelSummary, plain_table, regression_table
from cityres.study.registry import StepContext, StepResult, StepSpec, TableOut, register_step
from cityres.study.steps._common import columns_of, simulated_note
from cityres.study.steps._spatial import build_weights, labels, weights_caption, weights_name

Model = Literal["sar", "sem", "sdm", "sdem", "slx", "sac"]
Effects = Literal["none", "individual", "time", "twoways"]
_DEFAULT_W: tuple[str | dict[str, Any], ...] = (
    "queen",
    {"kind": "distance_band", "km": 300},
    {"kind": "nested", "column": "gdp_pc"},
)
_EFFECT_NAMES = {"direct": Text("直接效应", "Direct"), "indirect": Text("间接效应", "Indirect"),
                 "total": Text("总效应", "Total")}


@dataclass(frozen=True)
class SpatialPanelParams:
    """Parameters of ``spatial_panel``.

    ``y`` and ``x`` are panel columns (transform them first with ``[[transform]]``, e.g.
    ``op = "ln"``); ``model`` one of sar, sem, sdm, sdem, slx, sac; ``effects`` the fixed
    effects; ``lee_yu`` the Lee–Yu correction: ``"transformation"`` (default) Lee & Yu's
    (2010) transformation approach (unbiased σ² and ρ with two-way effects; needs
    row-standardised weights for time or two-way effects), ``true`` or ``"splm"`` as R
    splm's ``LeeYu=TRUE``, ``false`` none; ``weights`` two or three matrices estimated side
    by side (default: queen contiguity, a 300 km distance band and
    the economic-geographic nested matrix of ``gdp_pc``); ``draws`` for the standard
    errors of the effects; ``spec_tests`` runs LM, robust LM, LR and Wald tests on the
    first matrix.
    """

    y: str
    x: tuple[str, ...]
    model: Model = "sdm"
    effects: Effects = "twoways"
    lee_yu: bool | Literal["splm", "transformation"] = "transformation"
    weights: tuple[str | dict[str, Any], ...] = _DEFAULT_W
    draws: int = 1000
    spec_tests: bool = True
    digits: int = 3


def _no_effects(fit: Any) -> pd.DataFrame:
    """An effects frame of NaN for a fit whose effects cannot be used (noted in the table)."""
    cols = [*_EFFECT_NAMES, *(f"{a}_{k}" for a in ("se", "t", "p") for k in _EFFECT_NAMES)]
    return pd.DataFrame(float("nan"), index=pd.Index(list(fit.exog_names)), columns=cols)


def _effects_summary(imp: pd.DataFrame, nobs: int) -> ModelSummary:
    params, ses, ps = {}, {}, {}
    for kind in ("direct", "indirect", "total"):
        for name in imp.index:
            key = f"{kind}:{name}"
            params[key] = float(imp.loc[name, kind])
            ses[key] = float(imp.loc[name, f"se_{kind}"])
            ps[key] = float(imp.loc[name, f"p_{kind}"])
    return ModelSummary(params=pd.Series(params), std_errors=pd.Series(ses),
                        pvalues=pd.Series(ps).fillna(1.0), nobs=nobs)


def run(ctx: StepContext, p: SpatialPanelParams) -> StepResult:
    """Specification tests, estimates and effects for each weights matrix."""
    from cityres.spatial.panel import BoundaryWarning, fit_panel
    from cityres.spatial.panel.spec_tests import spec_tests

    (y,) = columns_of(ctx, [p.y], "y")
    xs = columns_of(ctx, p.x, "x")
    if not xs:
        raise ArgumentError(f"step {ctx.step_id!r}, x: give at least one regressor")
    if not p.weights:
        raise ArgumentError(f"step {ctx.step_id!r}, weights: give at least one weights spec")
    if p.draws < 100:
        raise ArgumentError(f"step {ctx.step_id!r}, draws={p.draws}: accepted 100 or more")
    formula = f"{y} ~ " + " + ".join(xs)
    names = [weights_name(s) for s in p.weights]
    ws = [build_weights(ctx, s, f"weights[{i}]") for i, s in enumerate(p.weights)]
    fits, problems = [], {}
    for i, w in enumerate(ws):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fits.append(fit_panel(formula, ctx.panel, w=w, model=p.model, effects=p.effects,
                                  lee_yu=p.lee_yu))
        for c in caught:  # passed on, so the study manifest records them
            warnings.warn(c.message, c.category, stacklevel=2)
            if issubclass(c.category, BoundaryWarning):
                problems[i] = Text("空间参数位于可行区间边界", "the spatial parameter is at the "
                                   "boundary of its admissible interval")
    seeds = ctx.seed.spawn(len(ws))
    imps = []
    for i, (f, s) in enumerate(zip(fits, seeds, strict=True)):
        if i in problems:
            imps.append(_no_effects(f))
            continue
        try:
            imps.append(f.impacts(draws=p.draws, seed=s))
        except CityresError as err:  # e.g. an information matrix that is not positive definite
            problems[i] = Text(f"效应无法计算：{err}", f"effects cannot be computed: {err}")
            imps.append(_no_effects(f))
    sim = simulated_note(ctx)
    lab = {**labels(ctx), "rho": Text("ρ（空间滞后）", "ρ (spatial lag)"),
           "lambda": Text("λ（空间误差）", "λ (spatial error)"),
           **{f"W_{x}": Text(f"W×{labels(ctx).get(x, Text(x, x)).zh}",
                             f"W×{labels(ctx).get(x, Text(x, x)).en}") for x in xs},
           **{f"{k}:{x}": Text(f"{t.zh}：{labels(ctx).get(x, Text(x, x)).zh}",
                               f"{t.en}: {labels(ctx).get(x, Text(x, x)).en}")
              for k, t in _EFFECT_NAMES.items() for x in xs},
           "loglik": Text("对数似然", "Log-likelihood"), "sigma2": Text("σ²", "σ²")}
    wnotes = Text("；".join(f"({i + 1}) {weights_caption(w).zh}" for i, w in enumerate(ws)),
                  "; ".join(f"({i + 1}) {weights_caption(w).en}" for i, w in enumerate(ws)))
    how = {"transformation": Text("Lee–Yu 变换法", "Lee–Yu transformation approach"),
           "splm": Text("Lee–Yu 校正（R splm）", "Lee–Yu correction as R splm"),
           True: Text("Lee–Yu 校正（R splm）", "Lee–Yu correction as R splm")}.get(p.lee_yu)
    spec = Text(f"{p.model.upper()}，固定效应：{p.effects}" + (f"，{how.zh}" if how else ""),
                f"{p.model.upper()}, fixed effects: {p.effects}" + (f", {how.en}" if how else ""))
    notes: list[Text] = [spec, wnotes] + ([sim] if sim else [])
    for i, why in problems.items():
        notes.append(Text(f"({i + 1}) {names[i]}：{why.zh}；其效应未列出，估计值不宜使用。",
                          f"({i + 1}) {names[i]}: {why.en}; its effects are not shown and its "
                          "estimates should not be used."))
    summaries = {n: ModelSummary(params=f.params, std_errors=f.std_errors, pvalues=f.pvalues,
                                 nobs=f.nobs, stats={"loglik": f.loglik, "sigma2": f.sigma2},
                                 dep_var=y)
                 for n, f in zip(names, fits, strict=True)}
    estimates = pd.concat([f.tidy().assign(weights=n) for n, f in zip(names, fits,
                                                                       strict=True)])
    tables = [TableOut("estimates", estimates.reset_index(drop=True),
                       regression_table(summaries, labels=lab, digits=p.digits,
                                        stats=("nobs", "loglik", "sigma2"),
                                        dep_var=lab.get(y, Text(y, y)),
                                        notes=notes, simulated=ctx.simulated),
                       Text(f"空间面板模型估计（{p.model.upper()}）",
                            f"Spatial panel estimates ({p.model.upper()})"), ctx.source, spec)]
    effects = pd.concat([imp.assign(weights=n).rename_axis("variable").reset_index()
                         for n, imp in zip(names, imps, strict=True)])
    shown = {n: _effects_summary(imp, f.nobs) for i, (n, imp, f) in
             enumerate(zip(names, imps, fits, strict=True)) if i not in problems}
    if not shown:
        raise ArgumentError(f"step {ctx.step_id!r}: no weights matrix gave usable estimates: "
                            + "; ".join(f"{names[i]}: {why.en}" for i, why in problems.items()))
    tables.append(TableOut(
        "effects", effects.reset_index(drop=True),
        regression_table(shown, labels=lab, digits=p.digits,
                         stats=("nobs",), notes=[*notes, Text(
                             f"效应的标准误由 {p.draws} 次参数模拟得到（LeSage & Pace 2009）。",
                             f"Standard errors of the effects from {p.draws} simulated "
                             "parameter draws (LeSage & Pace 2009).")],
                         simulated=ctx.simulated),
        Text("直接、间接（溢出）与总效应", "Direct, indirect (spillover) and total effects"),
        ctx.source, spec))
    if p.spec_tests:
        st = spec_tests(formula, ctx.panel, w=ws[0], effects=p.effects
                        if p.effects != "none" else "twoways")
        table = st.table
        tables.append(TableOut("tests", table, plain_table(
            table.set_index("test"), labels=lab, digits=3, simulated=ctx.simulated,
            notes=[Text(f"权重矩阵 (1)：{weights_caption(ws[0]).zh}",
                        f"Weights (1): {weights_caption(ws[0]).en}")] + ([sim] if sim else [])),
            Text("空间计量模型设定检验", "Specification tests"), ctx.source, None))
    truth = _truth_table(ctx, y, xs, names, fits, imps)
    if truth is not None:
        tables.append(TableOut("truth", truth.reset_index(), plain_table(
            truth, labels=lab, digits=p.digits, simulated=True,
            notes=[Text("模拟数据的真实参数见 cityres.datasets.truth('yrd_sim')；"
                        "模拟所用 W 为 Queen 邻接（舟山连接上海与宁波）。",
                        "True values from cityres.datasets.truth('yrd_sim'); the simulation's "
                        "W is queen contiguity with Zhoushan linked to Shanghai and Ningbo."),
                   Text("捆绑的 yrd_sim 采用完整设计（门槛与异质的数字经济效应），同质 SDM 估计的是"
                        "混合效应，仅作参照（docs/data/yrd_sim.md）。",
                        "The bundled yrd_sim uses the full design (threshold and heterogeneous "
                        "effect of D), so a homogeneous SDM estimates a mixture: a reference, "
                        "not a recovery test (docs/data/yrd_sim.md).")]),
            Text("估计值与模拟真值", "Estimates against the simulated truth"), ctx.source, sim))
    intro = Text("空间面板模型检验数字经济的溢出效应：SDM 的间接效应即对邻近城市的影响；"
                 "并列多个权重矩阵，检查结论是否依赖 W 的设定。",
                 "Spatial panel models test whether effects spill over to neighbouring cities: "
                 "the SDM's indirect effect is the effect on neighbours; several weights "
                 "matrices side by side show whether the spillover survives a change of W.")
    return StepResult(tables=tuple(tables), intro=intro)


def _truth_table(ctx: StepContext, y: str, xs: list[str], names: list[str], fits: list[Any],
                 imps: list[pd.DataFrame]) -> pd.DataFrame | None:
    """Estimates next to the yrd_sim truth (ρ, θ, effects of de_latent) when they apply."""
    if ctx.panel.meta.get("name") != "yrd_sim" or y != "resilience" or "de_latent" not in xs:
        return None
    from cityres import datasets

    truth = datasets.truth("yrd_sim")
    out = truth["params"]["outcome"]
    eff = truth["effects"]["at_sample_beta"]
    rows = {"rho": out["rho"], "W_de_latent": out["theta_de"],
            "de_latent": eff["mean_beta"], "direct:de_latent": eff["direct"],
            "indirect:de_latent": eff["indirect"], "total:de_latent": eff["total"]}
    frame = pd.DataFrame({"truth": pd.Series(rows)})
    for n, f, imp in zip(names, fits, imps, strict=True):
        est = {k: float(f.params[k]) if k in f.params.index else float("nan")
               for k in ("rho", "W_de_latent", "de_latent")}
        for kind in ("direct", "indirect", "total"):
            est[f"{kind}:de_latent"] = float(imp[kind]["de_latent"])
        frame[n] = pd.Series(est)
    frame.index.name = "parameter"
    return frame


register_step(StepSpec(
    name="spatial_panel",
    params=SpatialPanelParams,
    run=run,
    title=Text("空间面板计量模型", "Spatial panel models"),
    description="SAR / SEM / SDM / SDEM / SLX / SAC with fixed effects for several weights "
                "matrices: specification tests, estimates and direct / indirect / total "
                "effects.",
))
