"""Sectoral output and employment, the shock and its true Martin (2012) measures."""

from __future__ import annotations

from typing import Any

import numpy as np

from cityres.datasets.sim.latent import Ctx, logistic, logit, tn
from cityres.datasets.sim.params import SECTORS, TERTIARY


def shock_draws(ctx: Ctx, rng: np.random.Generator, D: np.ndarray,
                mu_r: np.ndarray) -> dict[str, Any] | None:
    """City shock component ``c_i`` and recovery rate ``r_i`` (None if no shock in window).

    ``c_i = psi_de (D_pre - 0.5) + psi_fe (mu_i - fe_base) / 0.1 + N(0, city_sd)`` with
    ``D_pre`` the digital latent in the last year before the shock and ``mu_i`` the
    resilience fixed effect;
    ``r_i = clip(recovery_base + recovery_de (D_pre - 0.5) + N(0, recovery_sd))``.
    """
    s = ctx.p["shock"]
    year = int(s["year"])
    if year not in set(ctx.years.tolist()) or ctx.years.min() >= year:
        return None
    pre = int(np.flatnonzero(ctx.years < year).max())
    d_pre = D[pre]
    n = ctx.n
    mu_dev = (mu_r - ctx.p["outcome"]["fe_base"]) / 0.1
    c = s["psi_de"] * (d_pre - 0.5) + s["psi_fe"] * mu_dev + tn(rng, n, s["city_sd"])
    lo, hi = s["recovery_bounds"]
    r = np.clip(s["recovery_base"] + s["recovery_de"] * (d_pre - 0.5)
                + tn(rng, n, s["recovery_sd"]), lo, hi)
    nu = tn(rng, (n, len(SECTORS)), s["sector_sd"])
    k = ctx.years[:, None] - year
    decay = np.where(k >= 0, (1.0 - r[None, :]) ** np.maximum(k, 0), 0.0)
    return {"year": year, "pre_year": int(ctx.years[pre]), "c": c, "r": r, "nu": nu,
            "decay": decay}


def sectors(ctx: Ctx, rng: np.random.Generator, D: np.ndarray, alpha: np.ndarray,
            upgrading: np.ndarray, pop: np.ndarray, gdp_pc: np.ndarray,
            shock: dict[str, Any] | None) -> dict[str, np.ndarray]:
    """GVA and employment by sector (see docs: sectors).

    Output shares: primary ``p``, secondary ``(1 - p) / (1 + U)``, tertiary ``U`` times the
    secondary (``U`` = the upgrading mediator, so tertiary / secondary GVA equals it
    exactly); secondary split by a city construction share, tertiary by a softmax whose ICT
    logit rises with ``D``. Employment shares are output shares divided by relative
    productivity, normalised; the shock multiplies sector employment by
    ``1 + (g_s + c_i + nu_is) (1 - r_i)^(t - shock year)``.
    """
    q = ctx.p["sectors"]
    n, T = ctx.n, ctx.years.size
    t = ctx.t
    gdp = pop * gdp_pc / 1e4  # 10k persons * yuan = 1e4 yuan -> 100 million yuan
    p0 = logit(ctx.by("dev_tier", q["primary"])) + tn(rng, n, q["primary_sd"])
    prim = logistic(p0[None, :] + q["primary_trend"] * t
                    + tn(rng, (T, n), q["primary_noise_sd"]))
    sec = (1.0 - prim) / (1.0 + upgrading)
    ter = upgrading * sec
    qc = logistic(logit(q["construction_in_secondary"]) + tn(rng, n, q["construction_sd"]))
    base = q["tertiary_logits"]
    logits = {s: np.full((T, n), float(base[s])) for s in TERTIARY}
    logits["ict"] = logits["ict"] + q["ict_de"] * D
    hub = ctx.table["finance_hub"].to_numpy(float)
    logits["finance"] = logits["finance"] + (q["finance_alpha"] * (alpha - 0.3) + hub)[None, :]
    for s in TERTIARY:
        logits[s] = logits[s] + tn(rng, (T, n), q["logit_noise_sd"])
    top = np.maximum.reduce([logits[s] for s in TERTIARY])
    expo = {s: np.exp(logits[s] - top) for s in TERTIARY}
    tot = sum(expo.values())
    share = {"agriculture": prim, "manufacturing": sec * (1.0 - qc[None, :]),
             "construction": sec * qc[None, :]}
    for s in TERTIARY:
        share[s] = ter * expo[s] / tot
    out: dict[str, np.ndarray] = {f"gva_{s}": gdp * share[s] for s in SECTORS}
    er = logistic(logit(q["employment_rate"]) + tn(rng, n, q["employment_rate_sd"]))
    emp_star = pop * er[None, :]
    raw = {s: share[s] / q["productivity"][s] for s in SECTORS}
    den = sum(raw.values())
    nat = ctx.p["shock"]["national_emp"]
    for j, s in enumerate(SECTORS):
        e = emp_star * raw[s] / den
        if shock is not None:
            hit = nat[s] + shock["c"] + shock["nu"][:, j]
            e = e * (1.0 + hit[None, :] * shock["decay"])
        out[f"emp_{s}"] = e
    out["emp_total"] = sum(out[f"emp_{s}"] for s in SECTORS)  # type: ignore[assignment]
    out["gdp"] = sum(out[f"gva_{s}"] for s in SECTORS)  # type: ignore[assignment]
    out["gdp_pc"] = out["gdp"] * 1e4 / pop
    return out


def martin(total: np.ndarray, years: np.ndarray, pre: int, trough: int,
           end: int | None) -> dict[str, np.ndarray | float | None]:
    """Martin (2012) resistance and recovery of each unit relative to the aggregate.

    ``resistance_i = (g_i - g_N) / |g_N|`` with ``g = E_trough / E_pre - 1`` and
    ``recovery_i = (h_i - h_N) / |h_N|`` with ``h = E_end / E_trough - 1``; the aggregate
    ``N`` is the sum over all simulated units.
    """
    yi = {int(y): k for k, y in enumerate(years.tolist())}
    e_pre, e_tr = total[yi[pre]], total[yi[trough]]
    g = e_tr / e_pre - 1.0
    g_n = float(e_tr.sum() / e_pre.sum() - 1.0)
    out: dict[str, np.ndarray | float | None] = {
        "change": g, "aggregate_change": g_n, "resistance": (g - g_n) / abs(g_n),
        "recovery": None, "recovery_change": None, "aggregate_recovery_change": None,
    }
    if end is not None:
        e_end = total[yi[end]]
        h = e_end / e_tr - 1.0
        h_n = float(e_end.sum() / e_tr.sum() - 1.0)
        out.update(recovery=(h - h_n) / abs(h_n), recovery_change=h,
                   aggregate_recovery_change=h_n)
    return out


def shift_share(emp: dict[str, np.ndarray], years: np.ndarray, pre: int,
                trough: int) -> dict[str, Any]:
    """Shift-share split of each unit's employment change from ``pre`` to ``trough``.

    ``expected_i = sum_s (E_is,pre / E_i,pre) G_s`` with ``G_s`` the aggregate growth of
    sector s; ``industry_mix_i = expected_i - g_N``; ``competitive_i = g_i - expected_i``.
    """
    yi = {int(y): k for k, y in enumerate(years.tolist())}
    a, b = yi[pre], yi[trough]
    tot_pre = sum(emp[s][a] for s in SECTORS)
    tot_tr = sum(emp[s][b] for s in SECTORS)
    growth = {s: float(emp[s][b].sum() / emp[s][a].sum() - 1.0) for s in SECTORS}
    expected = sum(emp[s][a] / tot_pre * growth[s] for s in SECTORS)
    g = tot_tr / tot_pre - 1.0
    g_n = float(tot_tr.sum() / tot_pre.sum() - 1.0)
    return {"sector_growth": growth, "expected": expected, "industry_mix": expected - g_n,
            "competitive": g - expected}
