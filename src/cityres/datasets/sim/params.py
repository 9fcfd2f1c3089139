"""True parameters of the yrd_sim structural model, presets and overrides.

Every number that shapes the simulated panel lives in :data:`DEFAULT_PARAMS`; the truth
dictionary of a simulation holds the merged parameters actually used. The equations are
in ``docs/data/yrd_sim.md``; the comments below name each parameter's role briefly.

Overrides are nested mappings merged into the defaults (unknown keys are refused), or one
of the presets ``"full"`` (default), ``"homogeneous"`` (no heterogeneity and no threshold in
the D effect), ``"aspatial"`` (``rho = theta = 0``) and ``"simple"`` (both): the presets
make designs in which simpler estimators are consistent, for Monte Carlo checks.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices

T0 = 2011
"""Reference year: every linear time trend is ``(year - T0)``."""

SECTORS = (
    "agriculture",
    "manufacturing",
    "construction",
    "trade",
    "ict",
    "finance",
    "other_services",
)
SECONDARY = ("manufacturing", "construction")
TERTIARY = ("trade", "ict", "finance", "other_services")
MEDIATORS = ("innovation", "upgrading", "misallocation", "consumption_pc", "emp_diversity")
CONTROLS = ("gdp_pc", "population", "fiscal_share", "openness", "urbanisation")

DEFAULT_PARAMS: dict[str, Any] = {
    "cities": {
        # class means of the priors (see priors.py); draws are lognormal around them
        "pop_2011": {"XL": 2000.0, "L": 850.0, "M": 520.0, "S": 300.0, "XS": 150.0},
        "pop_sd": 0.08,
        "gdp_pc_2011": {"A": 95000.0, "B": 68000.0, "C": 45000.0, "D": 25000.0},
        "gdp_pc_sd": 0.10,
        "openness_level": {"1": 0.9, "2": 0.4, "3": 0.15, "4": 0.06},
        "openness_sd": 0.25,
        # independent of every other city trait, so that pilot adoption (selected on
        # levels) is unrelated to the trend pi * phones_1984 * nat_internet_lag in D
        "phones_1984": 0.6,
        "phones_sd": 0.4,
        "size_large_min": 700.0,  # population (10k) of 2011 from which a city is "large"
        "size_small_max": 350.0,  # below this a city is "small"
        "open_top_share": 0.3,  # top / bottom 30 % by openness level -> open_group
    },
    "digital": {
        "level": {"A": 0.45, "B": 0.32, "C": 0.22, "D": 0.12},  # alpha_i by development tier
        "level_size": 0.03,  # + level_size * ln(pop_2011 / 500)
        "level_sd": 0.04,  # sd of the level shock before the spatial filter
        "trend": 0.02,  # common growth per year
        "slope_sd": 0.003,  # city-specific growth per year
        "iv_coef": 0.30,  # pi: effect of phones_1984 * nat_internet_lag
        # national internet penetration n_t = logistic(a + b (year - 2010)); lagged 1 year
        "nat_internet": [-0.9, 0.16],
        "delta_broadband": 0.05,  # long-run effect of Broadband China on D
        "phase_in": 0.5,  # effect at event time e is delta * (1 - phase_in ** (e + 1))
        "ar": 0.5,  # AR(1) coefficient of the idiosyncratic part
        "spatial_lambda": 0.5,  # spatial autoregressive parameter of the innovations
        "noise_sd": 0.02,
    },
    "ecommerce": {
        "kappa": 0.6,  # D -> E
        "province": {"shanghai": 0.03, "jiangsu": 0.02, "zhejiang": 0.06, "anhui": 0.0},
        "level_sd": 0.04,
        "trend": 0.01,
        "delta_cbec": 0.06,
        "delta_ecdemo": 0.04,
        "phase_in": 0.5,
        "ar": 0.5,
        "spatial_lambda": 0.3,
        "noise_sd": 0.02,
    },
    "mediators": {
        # M = fe_i + trend*(t-T0) + shock_fe*[t = shock year] + a*D + u,  R gets b*(M - ref)
        "innovation": {"a": 1.5, "b": 0.02, "fe_base": 2.0, "fe_slope": 3.5, "fe_sd": 0.25,
                       "fe_form": "additive", "trend": 0.03, "shock_fe": -0.05,
                       "noise_sd": 0.08, "ref": 2.5},
        "upgrading": {"a": 0.6, "b": 0.03, "fe_base": 0.95, "fe_slope": 1.0, "fe_sd": 0.1,
                      "fe_form": "multiplicative", "trend": 0.03, "shock_fe": 0.02,
                      "noise_sd": 0.03, "ref": 1.2},
        "misallocation": {"a": -0.08, "b": -0.15, "fe_base": 0.25, "fe_slope": -1.5,
                          "fe_sd": 0.1, "fe_form": "floor", "floor": 0.15, "trend": -0.001,
                          "shock_fe": 0.01, "noise_sd": 0.01, "ref": 0.35},
        "consumption_pc": {"a": 1.0, "b": 0.012, "fe_base": 1.5, "fe_slope": 2.0, "fe_sd": 0.1,
                           "fe_form": "multiplicative", "trend": 0.15, "shock_fe": -0.2,
                           "noise_sd": 0.05, "ref": 2.5},
        "emp_diversity": {"a": 0.05, "b": 0.4, "fe_base": 0.84, "fe_slope": 0.08,
                          "fe_sd": 0.01, "fe_form": "additive", "trend": 0.001,
                          "shock_fe": 0.0, "noise_sd": 0.004, "ref": 0.85},
    },
    "controls": {
        "pop_growth": {"A": 0.006, "B": 0.004, "C": 0.002, "D": -0.002},
        "pop_growth_sd": 0.003,
        "pop_noise_sd": 0.003,
        "gdp_growth": 0.07,  # nominal growth of GDP per capita per year
        "gdp_slope_sd": 0.006,
        "gdp_slope_corr_de": 0.5,  # correlation of the city GDP slope with the D slope
        "gdp_ar": 0.6,
        "gdp_noise_sd": 0.012,
        "fiscal": {"A": 0.12, "B": 0.13, "C": 0.16, "D": 0.20},
        "fiscal_sd": 0.1,  # log-normal spread of the city fiscal share around its tier
        "fiscal_trend": 0.01,  # logit scale
        "fiscal_noise_sd": 0.03,
        "openness_trend": -0.025,  # log scale
        "openness_noise_sd": 0.04,
        "urban": {"A": 0.78, "B": 0.62, "C": 0.55, "D": 0.42},
        "urban_size": 0.3,  # logit(urbanisation) + urban_size * ln(pop_2011 / 500)
        "urban_trend": 0.05,
        "urban_noise_sd": 0.02,
    },
    "outcome": {
        "beta_low": 0.12,  # direct effect of D in the reference cell below the threshold
        "beta_high": 0.165,  # ... above the threshold
        "threshold": 0.45,  # gamma, on the threshold variable de_latent
        "post_year": 2017,  # "after 2016": multiplier applies from this year on
        "post_mult": 1.3,
        "open_mult": {"bottom": 1.0, "middle": 1.2, "top": 1.4},
        "region_mult": {"east": 1.0, "central": 0.8},
        "size_mult": {"large": 1.1, "medium": 1.0, "small": 0.9},
        "beta_ec": 0.05,  # direct effect of the e-commerce latent E
        "theta_de": 0.06,  # coefficient of W D (SDM)
        "rho": 0.30,  # spatial lag of resilience
        "controls": {"ln_gdp_pc": 0.04, "ln_population": 0.01, "fiscal_share": -0.10,
                     "openness": 0.02, "urbanisation": 0.12},
        "control_refs": {"ln_gdp_pc": 11.0, "ln_population": 6.2, "fiscal_share": 0.15,
                         "openness": 0.3, "urbanisation": 0.6},
        "fe_base": 0.10,
        "fe_slope": -0.10,  # mu_i = fe_base + fe_slope * (alpha_i - 0.3) + N(0, fe_sd)
        "fe_sd": 0.02,
        "year_trend": -0.008,  # year effects: year_trend * (t - T0) + shock_fe * [shock year]
        "shock_fe": -0.01,  # year effect in the shock year
        "noise_sd": 0.01,
    },
    "shock": {
        "year": 2020,
        "national_emp": {"agriculture": -0.01, "manufacturing": -0.04, "construction": -0.05,
                         "trade": -0.07, "ict": 0.03, "finance": 0.01, "other_services": -0.05},
        "national_gdp": -0.05,  # log deviation of GDP per capita from trend
        "gdp_city_share": 0.8,  # GDP shock = national_gdp + gdp_city_share * c_i
        "psi_de": 0.05,  # c_i = psi_de (D_pre - 0.5) + psi_fe (mu_i - fe_base) / 0.1 + N(0, sd)
        "psi_fe": 0.01,
        "city_sd": 0.01,
        "sector_sd": 0.01,
        "recovery_base": 0.45,  # r_i = clip(base + recovery_de (D_pre - 0.5) + N(0, sd))
        "recovery_de": 0.4,
        "recovery_sd": 0.08,
        "recovery_bounds": [0.1, 0.9],
    },
    "sectors": {
        "primary": {"A": 0.02, "B": 0.05, "C": 0.08, "D": 0.15},
        "primary_sd": 0.2,
        "primary_trend": -0.06,
        "primary_noise_sd": 0.03,
        "construction_in_secondary": 0.12,
        "construction_sd": 0.25,
        "tertiary_logits": {"trade": 0.0, "ict": -1.6, "finance": -1.0, "other_services": 0.35},
        "ict_de": 2.0,
        "finance_alpha": 1.0,
        "logit_noise_sd": 0.03,
        "productivity": {"agriculture": 0.3, "manufacturing": 1.1, "construction": 0.8,
                         "trade": 0.75, "ict": 2.2, "finance": 3.0, "other_services": 0.8},
        "employment_rate": 0.58,
        "employment_rate_sd": 0.15,
    },
    "dimensions": {
        # S_k = load * R + zeta_i + eta_it   (urban resilience, four dimensions)
        "ur_load": {"social": 1.0, "economic": 1.1, "infrastructure": 0.9, "ecological": 0.8},
        "fe_sd": 0.04,
        "noise_sd": 0.015,
        # economic resilience, three dimensions
        "er_resistance": {"resilience": 0.8, "shock_component": 1.5},
        "er_adaptation": {"resilience": 0.6, "upgrading": 0.10, "emp_diversity": 1.0},
        "er_innovation": {"resilience": 0.5, "innovation": 0.08, "de_latent": 0.2},
    },
    "lattice": {
        # share of units in each adoption cohort (the rest never adopt in the window)
        "cohorts_broadband": {"2014": 0.15, "2015": 0.10, "2016": 0.10},
        "cohorts_cbec": {"2015": 0.02, "2016": 0.05, "2018": 0.05, "2019": 0.08,
                         "2020": 0.15, "2022": 0.10},
        "cohorts_ecdemo": {"2011": 0.05, "2014": 0.08, "2017": 0.08},
        "selection": 1.0,  # weight of alpha_i in the adoption score (selection on levels)
        "dev_tier_shares": [7, 8, 13, 13],
        "open_tier_shares": [7, 9, 13, 12],
        "size_tier_shares": [1, 8, 17, 10, 5],
    },
}

PRESETS: dict[str, dict[str, Any]] = {
    "full": {},
    "homogeneous": {
        "outcome": {"beta_high": None, "post_mult": 1.0,
                    "open_mult": {"bottom": 1.0, "middle": 1.0, "top": 1.0},
                    "region_mult": {"east": 1.0, "central": 1.0},
                    "size_mult": {"large": 1.0, "medium": 1.0, "small": 1.0}},
    },
    "aspatial": {"outcome": {"rho": 0.0, "theta_de": 0.0}},
}
PRESETS["simple"] = {
    "outcome": {**PRESETS["homogeneous"]["outcome"], **PRESETS["aspatial"]["outcome"]}
}


def _merge(base: dict[str, Any], over: Mapping[str, Any], path: str) -> None:
    for key, value in over.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in base:
            raise ArgumentError(
                f"params: unknown parameter {where!r}; accepted here: "
                f"{format_choices(sorted(base))}"
            )
        if isinstance(base[key], dict):
            if not isinstance(value, Mapping):
                raise ArgumentTypeError(
                    f"params: {where!r} is a group of parameters; pass a mapping, "
                    f"got {type(value).__name__}"
                )
            _merge(base[key], value, where)
        else:
            base[key] = value


def resolve_params(params: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the full parameter dictionary for a preset name or an override mapping.

    Parameters
    ----------
    params : str, mapping or None
        ``None`` or ``"full"`` for the defaults; ``"homogeneous"``, ``"aspatial"`` or
        ``"simple"`` for a preset; or a nested mapping of overrides, e.g.
        ``{"outcome": {"rho": 0.0}}``. A mapping may name a preset under the key
        ``"preset"``, applied before the other overrides.

    Returns
    -------
    dict
        A deep copy of :data:`DEFAULT_PARAMS` with the overrides applied; ``beta_high``
        ``None`` means "equal to beta_low" (no threshold).

    Raises
    ------
    ArgumentError
        An unknown preset or parameter name (the message lists the accepted ones).
    """
    out = copy.deepcopy(DEFAULT_PARAMS)
    if params is None:
        overrides: list[Mapping[str, Any]] = []
    elif isinstance(params, str):
        overrides = [_preset(params)]
    elif isinstance(params, Mapping):
        rest = dict(params)
        preset = rest.pop("preset", None)
        overrides = ([_preset(str(preset))] if preset is not None else []) + [rest]
    else:
        raise ArgumentTypeError(
            f"params must be a preset name or a mapping; got {type(params).__name__}"
        )
    for over in overrides:
        _merge(out, over, "")
    if out["outcome"]["beta_high"] is None:
        out["outcome"]["beta_high"] = out["outcome"]["beta_low"]
    for where in ("outcome.rho", "digital.spatial_lambda", "digital.ar",
                  "ecommerce.spatial_lambda", "ecommerce.ar", "controls.gdp_ar"):
        section, key = where.split(".")
        value = out[section][key]
        if not isinstance(value, int | float) or not -1.0 < float(value) < 1.0:
            raise ArgumentError(f"params: {where} must be a number in (-1, 1) with a "
                                f"row-standardised W; got {value!r}")
    return out


def _preset(name: str) -> dict[str, Any]:
    if name not in PRESETS:
        raise ArgumentError(f"params: unknown preset {name!r}; accepted: "
                            f"{format_choices(sorted(PRESETS))}")
    return copy.deepcopy(PRESETS[name])
