"""β convergence (cityres.dynamics.beta) on simulated panels with a KNOWN speed and on yrd_sim.

Recovery: panels drawn here from ln y_{i,t+1} = ln y_it + b (ln y*_i − ln y_it) + ε_it with
known b = 1 − e^{−λ}; the cross-section β and λ are recovered within 3 SE; the panel FE β
agrees within 3 SE with its Nickell (1981) probability limit (the within estimator of a
dynamic panel is biased by O(1/T)). Peers: statsmodels 0.15 OLS (HC1), pyfixest 0.60
``feols`` (CRV1 by city) and cityres.spatial.panel.fit_panel called directly (itself checked
against R splm in tests/spatial); all at rtol 1e-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from cityres import datasets
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.dynamics.beta import beta_convergence
from cityres.spatial.panel import fit_panel, impacts
from cityres.spatial.weights import weights_from_spec


def simulate(n: int, periods: int, lam: float, seed: int, *, hetero: bool = False,
             sd0: float = 0.5, eps: float = 0.02, stationary: bool = False) -> pd.DataFrame:
    """A panel of y with convergence speed ``lam`` towards ln y* (0, or a_i = x_i)."""
    rng = np.random.default_rng(seed)
    rho = np.exp(-lam)
    star = rng.normal(0, 0.5, n) if hetero else np.zeros(n)
    sd = eps / np.sqrt(1 - rho**2) if stationary else sd0
    ly = np.empty((n, periods))
    ly[:, 0] = star + rng.normal(0, sd, n)
    for t in range(1, periods):
        ly[:, t] = ly[:, t - 1] + (1 - rho) * (star - ly[:, t - 1]) + rng.normal(0, eps, n)
    idx = pd.MultiIndex.from_product([[f"c{i:04d}" for i in range(n)],
                                      list(range(2000, 2000 + periods))], names=["city", "year"])
    return pd.DataFrame({"y": np.exp(ly).ravel(), "x": np.repeat(star, periods)}, index=idx)


def test_cross_section_recovers_the_speed() -> None:
    lam = 0.05
    res = beta_convergence(simulate(400, 11, lam, 1), "y")
    assert res.period_length == 10
    true_beta = (np.exp(-lam * 10) - 1) / 10
    assert abs(res.beta - true_beta) < 3 * res.beta_se
    assert abs(res.speed - lam) < 3 * res.speed_se
    assert abs(res.half_life - np.log(2) / lam) < 3 * res.half_life_se
    cond = beta_convergence(simulate(400, 11, lam, 2, hetero=True), "y", kind="conditional",
                            controls=["x"])
    assert abs(cond.speed - lam) < 3 * cond.speed_se


def test_panel_agrees_with_nickell_limit() -> None:
    lam, periods = 0.1, 13
    res = beta_convergence(simulate(3000, periods, lam, 3, hetero=True, stationary=True), "y",
                           form="panel")
    rho, T = np.exp(-lam), periods - 1
    a = 1 - (1 - rho**T) / (T * (1 - rho))
    bias = -(1 + rho) / (T - 1) * a / (1 - 2 * rho / ((1 - rho) * (T - 1)) * a)
    assert abs(res.beta - (rho - 1 + bias)) < 3 * res.beta_se
    assert res.period_length == 1 and res.nobs == 3000 * T


def test_cross_section_equals_statsmodels() -> None:
    p = datasets.load("yrd_sim")
    res = beta_convergence(p, "de_latent", kind="conditional", controls=["urbanisation"],
                           window=(2012, 2020))
    w = p.data[["de_latent", "urbanisation"]].unstack()
    X = sm.add_constant(pd.DataFrame({"ln": np.log(w["de_latent"][2012]),
                                      "u": w["urbanisation"][2012]}))
    g = (np.log(w["de_latent"][2020]) - np.log(w["de_latent"][2012])) / 8
    fit = sm.OLS(g, X).fit(cov_type="HC1")
    np.testing.assert_allclose(res.params.to_numpy(), fit.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.std_errors.to_numpy(), fit.bse.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.r2, fit.rsquared, rtol=1e-10)
    b, se = fit.params["ln"], fit.bse["ln"]
    np.testing.assert_allclose(res.speed, -np.log(1 + 8 * b) / 8, rtol=1e-12)
    np.testing.assert_allclose(res.speed_se, se / (1 + 8 * b), rtol=1e-10)
    np.testing.assert_allclose(res.half_life, np.log(2) / res.speed, rtol=1e-12)
    tidy = res.tidy().set_index("term")
    assert {"ln_y0", "urbanisation", "speed", "half_life"} <= set(tidy.index)


def _panel_frame(p: object) -> pd.DataFrame:
    d = p.data[["de_latent", "urbanisation"]].copy()  # type: ignore[attr-defined]
    d["ly"] = np.log(d["de_latent"])
    g = d.groupby(level=0)
    d["lag_ly"] = g["ly"].shift()
    d["lag_u"] = g["urbanisation"].shift()
    d["dly"] = d["ly"] - d["lag_ly"]
    return d.dropna().reset_index()


def test_panel_equals_pyfixest() -> None:
    p = datasets.load("yrd_sim")
    res = beta_convergence(p, "de_latent", kind="conditional", form="panel",
                           controls=["urbanisation"])
    fit = pf.feols("dly ~ lag_ly + lag_u | city + year", data=_panel_frame(p),
                   vcov={"CRV1": "city"})
    np.testing.assert_allclose(res.params.to_numpy(), fit.coef().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.std_errors.to_numpy(), fit.se().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.speed, -np.log(1 + fit.coef()["lag_ly"]), rtol=1e-10)
    assert res.nobs == 41 * 12 and res.r2_within is not None


def test_spatial_equals_fit_panel() -> None:
    p = datasets.load("yrd_sim")
    w = weights_from_spec("queen", p)
    frame = _panel_frame(p).rename(columns={"dly": "growth", "lag_ly": "ln_y0"})
    for model in ("sar", "sdm"):
        res = beta_convergence(p, "de_latent", form="panel", spatial=model, w=w)
        fit = fit_panel("growth ~ ln_y0", frame, entity="city", time="year", w=w, model=model,
                        effects="twoways")
        np.testing.assert_allclose(res.params.to_numpy(), fit.params.to_numpy(), rtol=1e-10)
        np.testing.assert_allclose(res.std_errors.to_numpy(), fit.std_errors.to_numpy(),
                                   rtol=1e-10)
        imp = impacts(fit, draws=2, seed=0, se="delta")
        d = imp.loc["ln_y0"]
        np.testing.assert_allclose(res.speed, -np.log(1 + d["direct"]), rtol=1e-10)
        np.testing.assert_allclose(res.speed_se, d["se_direct"] / (1 + d["direct"]),
                                   rtol=1e-10)
        terms = set(res.tidy()["term"])
        assert {"rho", "direct:ln_y0", "indirect:ln_y0", "total:ln_y0"} <= terms
        assert ("W_ln_y0" in terms) == (model == "sdm")


def test_bad_input() -> None:
    p = datasets.load("yrd_sim")
    frame = p.data[["de_latent", "urbanisation"]].copy()
    frame.loc[("320500", 2014), "de_latent"] = 0.0
    with pytest.raises(PanelError, match=r"320500/2014"):
        beta_convergence(frame, "de_latent")
    with pytest.raises(ArgumentError, match="needs controls"):
        beta_convergence(p, "de_latent", kind="conditional")
    with pytest.raises(ArgumentError, match="takes no controls"):
        beta_convergence(p, "de_latent", controls=["urbanisation"])
    with pytest.raises(ArgumentError, match="form"):
        beta_convergence(p, "de_latent", form="pooled")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="Weights"):
        beta_convergence(p, "de_latent", form="panel", spatial="sar")
    with pytest.raises(ArgumentError, match="form='panel'"):
        beta_convergence(p, "de_latent", spatial="sar", w=weights_from_spec("queen", p))
    with pytest.raises(ArgumentError, match="window"):
        beta_convergence(p, "de_latent", window=(2015, 2011))
    gap = p.data.loc[p.data.index.get_level_values(1) != 2016, ["de_latent"]]
    with pytest.raises(PanelError, match="consecutive"):
        beta_convergence(gap, "de_latent", form="panel")
