"""``fit_panel`` with individual effects against PySAL spreg 1.9 on Munnell's Produc.

Peers (run here, not stored): ``spreg.ML_LagFE`` (SAR; with ``slx_lags=1`` the SDM) and
``spreg.ML_ErrorFE`` (SEM), and the older ``spreg.Panel_FE_Lag`` / ``Panel_FE_Error``;
Elhorst's (2003) fixed-effects ML with the analytic information matrix, individual effects
only. Data: ``cityres.datasets.load("produc")`` (48 states × 17 years), y = ln gsp on ln
pcap, ln pc, ln emp, unemp; W = states48.gal row-standardised.

Tolerances: coefficients and ρ/λ 1e-6 relative (spreg's Brent search stops at 1e-7),
standard errors 1e-5 relative, σ² 1e-6 relative, log-likelihood 1e-6 absolute.
``Panel_FE_Lag``/``Panel_FE_Error`` report a log-likelihood lower by exactly
``(NT/2) ln(NT)`` (they put ``ln e'e`` where ``ln(e'e/NT)`` belongs); tested as such.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from functools import cache
from typing import Any

import numpy as np
import pytest

import cityres
from cityres.spatial import Weights
from cityres.spatial.panel import SpatialPanelResults, fit_panel

spreg = pytest.importorskip("spreg")

FORMULA = "ln_gsp ~ ln_pcap + ln_pc + ln_emp + unemp"
XS = ["ln_pcap", "ln_pc", "ln_emp", "unemp"]


@cache
def setup() -> tuple[cityres.CityPanel, Weights]:
    panel = cityres.datasets.load("produc").ln(["gsp", "pcap", "pc", "emp"])
    w = Weights.from_libpysal(cityres.datasets.weights("produc")).row_standardise()
    return panel, w.reorder(panel.city_ids)


def long_arrays() -> tuple[np.ndarray, np.ndarray, Any]:
    """spreg's long layout: all states of year 1, then year 2, …"""
    panel, w = setup()
    d = panel.data
    y = d["ln_gsp"].unstack().to_numpy().reshape(-1, 1, order="F")
    x = np.column_stack([d[c].unstack().to_numpy().reshape(-1, order="F") for c in XS])
    wl = w.to_libpysal()
    wl.transform = "r"
    return y, x, wl


def run(cls: Any, **kw: Any) -> Any:
    y, x, wl = long_arrays()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return cls(y, x, wl, **kw)


def ours(model: str) -> SpatialPanelResults:
    panel, w = setup()
    return fit_panel(FORMULA, panel, w=w, model=model, effects="individual")


def compare(peer: Any, res: SpatialPanelResults, loglik_shift: float = 0.0) -> None:
    np.testing.assert_allclose(np.ravel(peer.betas), res.params.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(np.ravel(peer.std_err), res.std_errors.to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(float(np.ravel(peer.sig2)[0]), res.sigma2, rtol=1e-6)
    np.testing.assert_allclose(float(peer.logll), res.loglik + loglik_shift, rtol=0,
                               atol=1e-6)


@pytest.mark.parametrize(("model", "kw"), [("sar", {"spat_impacts": None}),
                                           ("sdm", {"slx_lags": 1, "spat_impacts": None})])
def test_ml_lag_fe(model: str, kw: dict[str, Any]) -> None:
    peer = run(spreg.ML_LagFE, **kw)
    compare(peer, ours(model))  # spreg orders β, θ (W_x), ρ as cityres does


def test_ml_error_fe() -> None:
    compare(run(spreg.ML_ErrorFE), ours("sem"))


@pytest.mark.parametrize(("cls", "model"), [("Panel_FE_Lag", "sar"),
                                            ("Panel_FE_Error", "sem")])
def test_panel_fe_classes(cls: str, model: str) -> None:
    nt = 48 * 17
    compare(run(getattr(spreg, cls)), ours(model), loglik_shift=-nt / 2 * np.log(nt))
