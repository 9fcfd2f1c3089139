"""Assemble the JSON-ready truth of a simulation: parameters, derived effects, per city."""

from __future__ import annotations

from typing import Any

import numpy as np

from cityres.datasets.sim.indicators import spec_truth
from cityres.datasets.sim.params import MEDIATORS

DGP_VERSION = "1.0"

IDENTIFICATION = {
    "mediator_equations": (
        "For each mediator m, feols('m ~ de_latent | city + year') is consistent for "
        "params.mediators.<m>.a: the mediator equations are non-spatial and homogeneous and "
        "their errors are independent of de_latent (true in every preset)."
    ),
    "outcome_full_design": (
        "resilience follows a spatial Durbin model (rho, theta_de) with a threshold and "
        "multiplicative heterogeneity in the D effect; a non-spatial two-way FE regression of "
        "resilience on de_latent is NOT consistent for beta_low or any other single "
        "parameter here. Consistent: an SDM with two-way effects whose D term is interacted "
        "with the threshold regime, post_year, open_group, region and size_class dummies."
    ),
    "outcome_simple_preset": (
        "With params='simple' (rho = theta_de = 0, no heterogeneity, no threshold), "
        "feols('resilience ~ de_latent + ec_latent + innovation + upgrading + misallocation "
        "+ consumption_pc + emp_diversity + log(gdp_pc) + log(population) + fiscal_share "
        "+ openness + urbanisation | city + year') is consistent for beta_low (de_latent), "
        "beta_ec (ec_latent), b_m (mediators) and the control coefficients."
    ),
    "outcome_homogeneous_preset": (
        "With params='homogeneous' the D effect is beta_low everywhere and an SDM with "
        "two-way fixed effects and regressors D, WD, E, mediators and controls (as above) "
        "is correctly specified; 2SLS with W X and W^2 X instruments is consistent for rho."
    ),
    "total_effect_of_d": (
        "Holding the spatial structure aside, a unit change in D changes the non-spatial "
        "part of resilience by beta_it + sum_m a_m b_m + kappa * beta_ec; the reduced-form "
        "regression of resilience on D alone also absorbs the spatial feedback and is not "
        "one of the stored numbers."
    ),
    "did_broadband": (
        "de_latent responds to pilot_broadband with ATT(e) = delta_broadband * "
        "(1 - phase_in^(e+1)) at event time e >= 0, equal for every cohort; adoption is "
        "unrelated to the city-specific trends, so event-study estimators (Sun-Abraham, "
        "Callaway-Sant'Anna, fully dynamic TWFE with never-treated controls) recover ATT(e); "
        "a static TWFE coefficient is a weighted average of ATT(e), not delta_broadband."
    ),
    "did_ecommerce": (
        "ec_latent responds to pilot_cbec and pilot_ecdemo with the same phase-in profile "
        "(delta_cbec, delta_ecdemo); ec_latent also moves with kappa * de_latent."
    ),
    "instrument": (
        "phones_1984 * nat_internet_lag enters de_latent with coefficient iv_coef and is "
        "excluded from resilience: a valid instrument for de_latent in the 'simple' preset; "
        "in the full design the non-spatial IV is invalid because the instrument of the "
        "neighbours moves W D and W resilience."
    ),
    "threshold": (
        "Hansen threshold in de_latent at params.outcome.threshold (gamma): coefficient "
        "beta_low below or at gamma and beta_high above, times the other multipliers."
    ),
    "shock": (
        "Employment by sector takes the shock (national sector shocks + city component c_i, "
        "decaying at rate r_i); GDP per capita takes national_gdp + gdp_city_share * c_i "
        "with the same decay, spread proportionally over sectors. Martin resistance and "
        "recovery per city are the values a correct implementation must return from "
        "emp_total (or gdp) relative to the aggregate of all simulated units."
    ),
}


def to_json(obj: Any) -> Any:
    """Convert numpy scalars and arrays inside ``obj`` to plain Python (for json.dump)."""
    if obj is None or type(obj) in (str, int, float, bool):
        return obj
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_json(v) for v in obj.tolist()]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def derived(p: dict[str, Any], years: np.ndarray, beta: np.ndarray,
            D: np.ndarray) -> dict[str, Any]:
    """Quantities implied by the parameters (indirect effects, ATT profiles...)."""
    ind = {m: p["mediators"][m]["a"] * p["mediators"][m]["b"] for m in MEDIATORS}
    horizon = int(years.max() - years.min()) + 1

    def att(delta: float, lam: float) -> dict[str, float]:
        return {str(e): delta * (1.0 - lam ** (e + 1)) for e in range(horizon)}

    d, e, o = p["digital"], p["ecommerce"], p["outcome"]
    return {
        "reference_cell": (
            "beta_low is the direct D effect for an east-region, medium-size, "
            "bottom-openness city before post_year with D at or below the threshold"
        ),
        "indirect_effects": ind,
        "total_indirect_via_mediators": float(sum(ind.values())),
        "indirect_via_ecommerce": e["kappa"] * o["beta_ec"],
        "mean_de_effect": float(np.mean(beta)),
        "share_above_threshold": float(np.mean(o["threshold"] < D)),
        "open_top_vs_bottom": o["open_mult"]["top"] / o["open_mult"]["bottom"],
        "post_vs_pre": o["post_mult"],
        "att_broadband_on_de_latent": att(d["delta_broadband"], d["phase_in"]),
        "att_cbec_on_ec_latent": att(e["delta_cbec"], e["phase_in"]),
        "att_ecdemo_on_ec_latent": att(e["delta_ecdemo"], e["phase_in"]),
    }


def per_city(ids: list[str], cols: dict[str, np.ndarray | list[Any]]) -> dict[str, Any]:
    """``{id: {field: value}}`` from columns of equal length."""
    names = list(cols)
    arrays = [np.asarray(cols[k]).tolist() for k in names]
    return {c: dict(zip(names, vals, strict=True))
            for c, vals in zip(ids, zip(*arrays, strict=True), strict=True)}


def assemble(**parts: Any) -> dict[str, Any]:
    """The truth dictionary (see docs/data/yrd_sim.md, section Truth)."""
    out = {
        "simulated": True,
        "note": "SIMULATED DATA: true parameters of cityres.datasets.simulate; "
        "not real statistics. See docs/data/yrd_sim.md",
        "dgp_version": DGP_VERSION,
        **parts,
        "identification": IDENTIFICATION,
        "indicators": spec_truth(),
    }
    result: dict[str, Any] = to_json(out)
    return result
