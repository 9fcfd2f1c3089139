"""The outcome: urban economic resilience R (spatial Durbin), its dimensions and effects."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from cityres.datasets.sim.latent import Ctx, SpatialSolver, tn
from cityres.datasets.sim.params import MEDIATORS

CONTROL_TERMS = ("ln_gdp_pc", "ln_population", "fiscal_share", "openness", "urbanisation")
EXACT_EFFECTS_MAX_N = 1000
HUTCHINSON_PROBES = 100


def resilience_fe(ctx: Ctx, rng: np.random.Generator, alpha: np.ndarray) -> np.ndarray:
    """City effect of resilience ``mu_i = fe_base + fe_slope (alpha_i - 0.3) + N(0, fe_sd)``."""
    o = ctx.p["outcome"]
    return o["fe_base"] + o["fe_slope"] * (alpha - 0.3) + tn(rng, ctx.n, o["fe_sd"])


def control_terms(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The control regressors as they enter R: ln GDP pc, ln population and three levels."""
    return {"ln_gdp_pc": np.log(x["gdp_pc"]), "ln_population": np.log(x["population"]),
            "fiscal_share": x["fiscal_share"], "openness": x["openness"],
            "urbanisation": x["urbanisation"]}


def de_effect(ctx: Ctx, D: np.ndarray, open_group: np.ndarray,
              size_class: np.ndarray) -> np.ndarray:
    """True direct marginal effect of D per city-year.

    ``beta_it = (beta_low if D_it <= gamma else beta_high) * post_mult^[year >= post_year]
    * open_mult[group_i] * region_mult[region_i] * size_mult[size_i]``.
    """
    o = ctx.p["outcome"]
    base = np.where(o["threshold"] >= D, o["beta_low"], o["beta_high"])
    post = np.where(ctx.years >= o["post_year"], o["post_mult"], 1.0)[:, None]
    return base * post * city_multiplier(ctx, open_group, size_class)[None, :]


def city_multiplier(ctx: Ctx, open_group: np.ndarray, size_class: np.ndarray) -> np.ndarray:
    """``open_mult[group_i] * region_mult[region_i] * size_mult[size_i]`` per city."""
    o = ctx.p["outcome"]
    return (np.array([o["open_mult"][g] for g in open_group])
            * ctx.by("region", o["region_mult"])
            * np.array([o["size_mult"][s] for s in size_class]))


def resilience(ctx: Ctx, rng: np.random.Generator, mu: np.ndarray, beta: np.ndarray,
               D: np.ndarray, E: np.ndarray, M: dict[str, np.ndarray],
               X: dict[str, np.ndarray], shock_year: int | None) -> np.ndarray:
    """Resilience from the spatial Durbin model, solved year by year with one sparse LU.

    ``R_t = (I - rho W)^-1 [mu + tau_t + beta_t * D_t + theta W D_t + beta_ec E_t
    + sum_m b_m (M_mt - ref_m) + sum_k g_k (X_kt - ref_k) + eps_t]``.
    """
    o = ctx.p["outcome"]
    T, n = D.shape
    WD = np.asarray(ctx.W @ D.T).T
    inner = (mu[None, :] + o["year_trend"] * ctx.t + beta * D + o["theta_de"] * WD
             + o["beta_ec"] * E)
    if shock_year is not None:
        inner = inner + o["shock_fe"] * (ctx.years == shock_year)[:, None]
    for name in MEDIATORS:
        m = ctx.p["mediators"][name]
        inner = inner + m["b"] * (M[name] - m["ref"])
    terms = control_terms(X)
    for k in CONTROL_TERMS:
        inner = inner + o["controls"][k] * (terms[k] - o["control_refs"][k])
    inner = inner + tn(rng, (T, n), o["noise_sd"])
    return SpatialSolver(ctx.W, o["rho"])(inner)


def dimensions(ctx: Ctx, rng: np.random.Generator, R: np.ndarray, D: np.ndarray,
               M: dict[str, np.ndarray], shock_c: np.ndarray) -> dict[str, np.ndarray]:
    """Latent dimension scores (urban resilience: four; economic resilience: three).

    ``S_k = load_k R + zeta_ki + eta_kit``; the economic-resilience scores add the shock
    component (resistance), structure (adaptation) and innovation (transformation).
    """
    q = ctx.p["dimensions"]
    T, n = R.shape
    refs = {m: ctx.p["mediators"][m]["ref"] for m in MEDIATORS}
    out: dict[str, np.ndarray] = {}

    def noise() -> np.ndarray:
        return tn(rng, n, q["fe_sd"])[None, :] + tn(rng, (T, n), q["noise_sd"])

    for k, load in q["ur_load"].items():
        out[f"ur_{k}"] = load * R + noise()
    res = q["er_resistance"]
    out["er_resistance"] = res["resilience"] * R + res["shock_component"] * shock_c[None, :]
    out["er_resistance"] = out["er_resistance"] + noise()
    ada = q["er_adaptation"]
    out["er_adaptation"] = (ada["resilience"] * R
                            + ada["upgrading"] * (M["upgrading"] - refs["upgrading"])
                            + ada["emp_diversity"] * (M["emp_diversity"] - refs["emp_diversity"])
                            + noise())
    inn = q["er_innovation"]
    out["er_innovation"] = (inn["resilience"] * R
                            + inn["innovation"] * (M["innovation"] - refs["innovation"])
                            + inn["de_latent"] * D + noise())
    return out


class _Neumann:
    """Solve ``(I - rho W) x = b`` by the Neumann series ``sum_k rho^k W^k b``.

    Used for many right-hand sides on large ``n`` (faster than sparse LU there); valid for
    ``|rho| < 1`` with a row-standardised ``W``; summed until ``|rho|^k < 1e-13``.
    """

    def __init__(self, W: sp.csr_matrix, rho: float) -> None:
        self.W = W
        self.rho = float(rho)

    def __call__(self, b: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(np.asarray(b, dtype=float))
        term = rows.T.copy()
        out = term.copy()
        k = 0
        while self.rho != 0.0 and abs(self.rho) ** (k + 1) > 1e-13:
            term = self.rho * (self.W @ term)
            out += term
            k += 1
        return out.T if np.ndim(b) == 2 else out.T[0]


def impacts(W: sp.csr_matrix, rho: float, theta: float, beta_bar: np.ndarray,
            beta_ref: float, rng: np.random.Generator) -> dict[str, Any]:
    """LeSage-Pace average impacts of D.

    With ``A = I - rho W`` and ``S = A^-1 (diag(beta) + theta W)``: direct = tr(S) / n,
    total = 1'S1 / n, indirect = total - direct. Given at the reference coefficient
    ``beta_ref`` and at the sample mean over years of each unit's ``beta_it`` (exact,
    since S is linear in beta and A does not change over time). Traces are exact for
    ``n <= 1000`` and Hutchinson estimates (100 Rademacher probes, seeded) above, where
    the solves use the Neumann series.
    """
    n = W.shape[0]
    solve: SpatialSolver | _Neumann = SpatialSolver(W, rho)
    if n <= EXACT_EFFECTS_MAX_N:
        Ainv = solve(np.eye(n)).T  # rows of the solve are columns of A^-1
        d_inv = np.diag(Ainv)
        tr_aw = float(np.trace(Ainv @ W.toarray())) / n
        dir_bar = float(np.mean(d_inv * beta_bar))
        md_inv = float(np.mean(d_inv))
        method = "exact"
    else:
        solve = _Neumann(W, rho)
        Z = rng.choice(np.array([-1.0, 1.0]), size=(HUTCHINSON_PROBES, n))
        AZ = solve(Z)
        md_inv = float(np.mean(np.sum(Z * AZ, axis=1))) / n
        AbZ = solve(Z * beta_bar[None, :])
        dir_bar = float(np.mean(np.sum(Z * AbZ, axis=1))) / n
        WZ = np.asarray(W @ Z.T).T
        tr_aw = float(np.mean(np.sum(Z * solve(WZ), axis=1))) / n
        method = f"Hutchinson trace estimates, {HUTCHINSON_PROBES} probes"
    rowsum = np.asarray(W.sum(axis=1)).ravel()
    ones = np.ones(n)

    def total(beta_vec: np.ndarray) -> float:
        return float(np.mean(solve(beta_vec + theta * rowsum)))

    ref_direct = beta_ref * md_inv + theta * tr_aw
    ref_total = total(beta_ref * ones)
    bar_direct = dir_bar + theta * tr_aw
    bar_total = total(beta_bar)
    return {
        "method": method,
        "at_beta_low": {"beta": beta_ref, "direct": ref_direct, "indirect": ref_total - ref_direct,
                        "total": ref_total},
        "at_sample_beta": {"mean_beta": float(np.mean(beta_bar)), "direct": bar_direct,
                           "indirect": bar_total - bar_direct, "total": bar_total},
    }
