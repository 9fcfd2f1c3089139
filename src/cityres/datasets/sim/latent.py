"""Latent drivers of the simulation: city draws, digital economy D, e-commerce E, mediators
and controls.

Arrays are ``(T, n)``: one row per year, one column per unit. Every random term is a
clipped normal (``sd * clip(N(0, 1), -3, 3)``, mean zero and symmetric), so magnitudes stay
sane at any scale while expectations stay what the equations say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from cityres.datasets.sim.params import MEDIATORS, T0


def tn(rng: np.random.Generator, shape: int | tuple[int, ...], sd: float) -> np.ndarray:
    """Clipped normal draws: ``sd * clip(N(0, 1), -3, 3)``."""
    return float(sd) * np.clip(rng.standard_normal(shape), -3.0, 3.0)


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float | np.ndarray) -> np.ndarray:
    """The logit ``ln(p / (1 - p))``."""
    p = np.asarray(p, dtype=float)
    return np.log(p / (1.0 - p))


class SpatialSolver:
    """Solve ``(I - lam W) x = b`` for one or many right-hand sides with one sparse LU.

    ``b`` may be ``(n,)`` or ``(T, n)`` (one system per row); ``lam = 0`` returns ``b``.
    """

    def __init__(self, W: sp.csr_matrix, lam: float) -> None:
        self.lam = float(lam)
        n = W.shape[0]
        self._lu = None if self.lam == 0.0 else splu(sp.csc_matrix(sp.identity(n) - lam * W))

    def __call__(self, b: np.ndarray) -> np.ndarray:
        if self._lu is None:
            return np.array(b, dtype=float)
        if b.ndim == 1:
            return np.asarray(self._lu.solve(np.asarray(b, dtype=float)))
        return np.asarray(self._lu.solve(np.ascontiguousarray(b.T, dtype=float))).T


def phase_in(years: np.ndarray, cohort: np.ndarray, lam: float) -> np.ndarray:
    """Dynamic treatment profile: ``1 - lam**(e + 1)`` at event time ``e >= 0``, else 0.

    ``cohort`` is the adoption year per unit (0 = never); ``lam = 0`` gives a step.
    """
    e = years[:, None] - cohort[None, :]
    on = (cohort[None, :] > 0) & (e >= 0)
    return np.where(on, 1.0 - float(lam) ** (np.maximum(e, 0) + 1.0), 0.0)


def treated(years: np.ndarray, cohort: np.ndarray) -> np.ndarray:
    """0/1 treatment indicator: adopted in or before the year."""
    return ((cohort[None, :] > 0) & (years[:, None] >= cohort[None, :])).astype(np.int64)


@dataclass
class Ctx:
    """What every block needs: years, units table, weights and the parameters."""

    years: np.ndarray
    table: pd.DataFrame
    W: sp.csr_matrix
    p: dict[str, Any]

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.table.shape[0])

    @property
    def t(self) -> np.ndarray:
        """Years since :data:`T0` as a ``(T, 1)`` column."""
        return (self.years - T0).astype(float)[:, None]

    def by(self, column: str, mapping: dict[str, float]) -> np.ndarray:
        """Map a class column of the table (e.g. ``dev_tier``) through ``mapping``."""
        keys = self.table[column].astype(str)
        lookup = {str(k): float(v) for k, v in mapping.items()}
        return keys.map(lookup).to_numpy(dtype=float)


def draw_cities(ctx: Ctx, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """City-level draws around the prior class means (population, GDP pc, openness...)."""
    c = ctx.p["cities"]
    n = ctx.n
    pop0 = ctx.by("size_tier", c["pop_2011"]) * np.exp(tn(rng, n, c["pop_sd"]))
    gdp0 = ctx.by("dev_tier", c["gdp_pc_2011"]) * np.exp(tn(rng, n, c["gdp_pc_sd"]))
    open0 = ctx.by("open_tier", c["openness_level"]) * np.exp(tn(rng, n, c["openness_sd"]))
    phones = c["phones_1984"] * np.exp(tn(rng, n, c["phones_sd"]))
    size = np.where(pop0 >= c["size_large_min"], "large",
                    np.where(pop0 < c["size_small_max"], "small", "medium"))
    k = round(c["open_top_share"] * n)
    order = np.argsort(-open0, kind="stable")
    group = np.full(n, "middle", dtype=object)
    group[order[:k]] = "top"
    group[order[n - k:]] = "bottom"
    return {"pop0": pop0, "gdp0": gdp0, "open0": open0, "phones": phones,
            "size_class": size, "open_group": group.astype(str)}


def digital(ctx: Ctx, rng: np.random.Generator, cities: dict[str, np.ndarray],
            cohort_bb: np.ndarray) -> dict[str, np.ndarray]:
    """Latent digital economy ``D`` (see docs: equation D)."""
    d = ctx.p["digital"]
    n, T = ctx.n, ctx.years.size
    sp_solve = SpatialSolver(ctx.W, d["spatial_lambda"])
    level = (ctx.by("dev_tier", d["level"]) + d["level_size"] * np.log(cities["pop0"] / 500.0)
             + ctx.table["de_bonus"].to_numpy(float) + sp_solve(tn(rng, n, d["level_sd"])))
    slope = tn(rng, n, d["slope_sd"])
    a, b = d["nat_internet"]
    nat_lag = logistic(a + b * (ctx.years - 1.0 - 2010.0))
    iv = cities["phones"][None, :] * nat_lag[:, None]
    v = sp_solve(tn(rng, (T, n), d["noise_sd"]))
    u = np.empty((T, n))
    u[0] = v[0] / np.sqrt(1.0 - d["ar"] ** 2)
    for k in range(1, T):
        u[k] = d["ar"] * u[k - 1] + v[k]
    treat = phase_in(ctx.years, cohort_bb, d["phase_in"])
    D = (level[None, :] + (d["trend"] * ctx.t + slope[None, :] * ctx.t)
         + d["iv_coef"] * iv + d["delta_broadband"] * treat + u)
    return {"alpha": level, "slope": slope, "nat_lag": nat_lag, "D": D, "treat_bb": treat}


def ecommerce(ctx: Ctx, rng: np.random.Generator, D: np.ndarray,
              cohort_cbec: np.ndarray, cohort_ecd: np.ndarray) -> dict[str, np.ndarray]:
    """Latent e-commerce development ``E`` (see docs: equation E)."""
    e = ctx.p["ecommerce"]
    n, T = ctx.n, ctx.years.size
    sp_solve = SpatialSolver(ctx.W, e["spatial_lambda"])
    level = (ctx.by("role", e["province"]) + ctx.table["ec_bonus"].to_numpy(float)
             + tn(rng, n, e["level_sd"]))
    v = sp_solve(tn(rng, (T, n), e["noise_sd"]))
    u = np.empty((T, n))
    u[0] = v[0] / np.sqrt(1.0 - e["ar"] ** 2)
    for k in range(1, T):
        u[k] = e["ar"] * u[k - 1] + v[k]
    E = (level[None, :] + e["kappa"] * D + e["trend"] * ctx.t
         + e["delta_cbec"] * phase_in(ctx.years, cohort_cbec, e["phase_in"])
         + e["delta_ecdemo"] * phase_in(ctx.years, cohort_ecd, e["phase_in"]) + u)
    return {"alpha_ec": level, "E": E}


def mediators(ctx: Ctx, rng: np.random.Generator, alpha: np.ndarray, D: np.ndarray,
              shock_year: int | None) -> dict[str, np.ndarray]:
    """Mediators ``M_m = fe_i + tau_t + a_m D + u`` (see docs: equation M).

    The city effect ``fe_i`` depends on the digital level ``alpha_i`` (so pooled OLS is
    biased and fixed effects are needed): additive ``fe_base + fe_slope (alpha - 0.3) +
    N(0, fe_sd)``, multiplicative ``fe_base exp(fe_slope (alpha - 0.3) + N(0, fe_sd))``, or
    floor ``floor + fe_base exp(fe_slope (alpha - 0.3) + N(0, fe_sd))``.
    """
    n, T = ctx.n, ctx.years.size
    out: dict[str, np.ndarray] = {}
    for name in MEDIATORS:
        m = ctx.p["mediators"][name]
        dev = alpha - 0.3
        noise = tn(rng, n, m["fe_sd"])
        if m["fe_form"] == "additive":
            fe = m["fe_base"] + m["fe_slope"] * dev + noise
        elif m["fe_form"] == "multiplicative":
            fe = m["fe_base"] * np.exp(m["fe_slope"] * dev + noise)
        else:
            fe = m["floor"] + m["fe_base"] * np.exp(m["fe_slope"] * dev + noise)
        tau = m["trend"] * ctx.t
        if shock_year is not None:
            tau = tau + m["shock_fe"] * (ctx.years == shock_year)[:, None]
        out[name] = fe[None, :] + tau + m["a"] * D + tn(rng, (T, n), m["noise_sd"])
    return out


def controls(ctx: Ctx, rng: np.random.Generator, cities: dict[str, np.ndarray],
             slope_de: np.ndarray) -> dict[str, np.ndarray]:
    """Controls before the shock: population, ln GDP pc (trend part), fiscal share,
    openness and urbanisation (see docs: controls)."""
    c = ctx.p["controls"]
    n, T = ctx.n, ctx.years.size
    t = ctx.t
    gp = ctx.by("dev_tier", c["pop_growth"]) + tn(rng, n, c["pop_growth_sd"])
    pop = cities["pop0"][None, :] * np.exp(gp[None, :] * t + tn(rng, (T, n), c["pop_noise_sd"]))
    sd_s = max(float(ctx.p["digital"]["slope_sd"]), 1e-12)
    r = c["gdp_slope_corr_de"]
    gslope = c["gdp_slope_sd"] * (r * slope_de / sd_s
                                  + np.sqrt(1 - r * r) * np.clip(rng.standard_normal(n), -3, 3))
    v = tn(rng, (T, n), c["gdp_noise_sd"])
    u = np.empty((T, n))
    u[0] = v[0]
    for k in range(1, T):
        u[k] = c["gdp_ar"] * u[k - 1] + v[k]
    ln_gdp = np.log(cities["gdp0"])[None, :] + (c["gdp_growth"] + gslope[None, :]) * t + u
    f0 = ctx.by("dev_tier", c["fiscal"]) * np.exp(tn(rng, n, c["fiscal_sd"]))
    fiscal = logistic(logit(f0)[None, :] + c["fiscal_trend"] * t
                      + tn(rng, (T, n), c["fiscal_noise_sd"]))
    v = tn(rng, (T, n), c["openness_noise_sd"])
    openness = cities["open0"][None, :] * np.exp(c["openness_trend"] * t + v)
    u0 = logit(ctx.by("dev_tier", c["urban"])) + c["urban_size"] * np.log(cities["pop0"] / 500.0)
    urban = logistic(u0[None, :] + c["urban_trend"] * t + tn(rng, (T, n), c["urban_noise_sd"]))
    return {"population": pop, "ln_gdp_pc_trend": ln_gdp, "fiscal_share": fiscal,
            "openness": openness, "urbanisation": urban, "gdp_slope": gslope}
