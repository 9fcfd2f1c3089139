"""``fit_panel`` against R splm 1.6-5 on Munnell's Produc (every row of the reference).

Reference: ``reference/splm_produc.csv`` (provenance in ``reference/README.md``): splm's
``spml(model="within")`` for SAR, SEM and SDM with individual, time and two-way fixed
effects, and two-way with ``LeeYu=TRUE``; W = ``usaww`` row-standardised (= libpysal's
states48.gal, bundled as ``cityres.datasets.weights("produc")``).

Tolerances: coefficients and spatial parameters 1e-5 relative, standard errors 1e-3
relative, σ² 1e-4 relative, log-likelihood 1e-4 absolute. splm calls the spatial lag
coefficient ``lambda`` and the spatial error coefficient ``rho``; cityres the opposite.
splm's SEM ``logLik`` is the concentrated log-likelihood without constants; cityres's is
larger by exactly ``(NT/2)(ln NT − ln 2π − 1)``, which is tested as such.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _panel_cases import FORMULA, panel, weights

from cityres.spatial.panel import SpatialPanelML, SpatialPanelResults, fit_panel

REF = pd.read_csv(Path(__file__).parent / "reference" / "splm_produc.csv")
XNAMES = {"x1": "ln_pcap", "x2": "ln_pc", "x3": "ln_emp", "x4": "unemp"}
GROUPS = sorted({(m, e, bool(ly)) for m, e, ly in
                 REF[["model", "effect", "lee_yu"]].itertuples(index=False)})
NT = 48 * 17


def cityres_name(model: str, param: str) -> str:
    """Map a reference parameter name to cityres's (swapping lambda and rho)."""
    if param == "lambda":  # splm: spatial lag
        return "rho"
    if param == "rho":  # splm: spatial error
        return "lambda"
    if param.startswith("W_"):
        return "W_" + XNAMES[param[2:]]
    return XNAMES[param]


@cache
def fit(model: str, effect: str, lee_yu: bool) -> SpatialPanelResults:
    return fit_panel(FORMULA, panel(), w=weights(), model=model.lower(), effects=effect,
                     lee_yu=lee_yu)


def rows(model: str, effect: str, lee_yu: bool) -> pd.DataFrame:
    sel = REF[(REF.model == model) & (REF.effect == effect) & (REF.lee_yu == lee_yu)]
    return sel.set_index("param")


def coefficient_rows(model: str, effect: str, lee_yu: bool) -> pd.DataFrame:
    r = rows(model, effect, lee_yu)
    return r[r["std_error"].notna()]


@pytest.mark.parametrize(("model", "effect", "lee_yu"), GROUPS)
def test_coefficients(model: str, effect: str, lee_yu: bool) -> None:
    res = fit(model, effect, lee_yu)
    ref = coefficient_rows(model, effect, lee_yu)
    names = [cityres_name(model, p) for p in ref.index]
    assert sorted(names) == sorted(res.params.index)
    np.testing.assert_allclose(res.params[names].to_numpy(), ref["estimate"].to_numpy(),
                               rtol=1e-5)


@pytest.mark.parametrize(("model", "effect", "lee_yu"), GROUPS)
def test_std_errors(model: str, effect: str, lee_yu: bool) -> None:
    res = fit(model, effect, lee_yu)
    ref = coefficient_rows(model, effect, lee_yu)
    names = [cityres_name(model, p) for p in ref.index]
    np.testing.assert_allclose(res.std_errors[names].to_numpy(), ref["std_error"].to_numpy(),
                               rtol=1e-3)


@pytest.mark.parametrize(("model", "effect", "lee_yu"), GROUPS)
def test_sigma2(model: str, effect: str, lee_yu: bool) -> None:
    res = fit(model, effect, lee_yu)
    ref = rows(model, effect, lee_yu).loc["sigma2", "estimate"]
    np.testing.assert_allclose(res.sigma2, ref, rtol=1e-4)


@pytest.mark.parametrize(("model", "effect", "lee_yu"), GROUPS)
def test_loglik(model: str, effect: str, lee_yu: bool) -> None:
    res = fit(model, effect, lee_yu)
    ref = rows(model, effect, lee_yu).loc["logLik", "estimate"]
    # splm's SEM logLik omits the constants of the full log-likelihood
    shift = NT / 2 * (np.log(NT) - np.log(2 * np.pi) - 1) if model == "SEM" else 0.0
    np.testing.assert_allclose(res.loglik - shift, ref, rtol=0, atol=1e-4)


def test_reference_covers_every_row() -> None:
    """Every model × effect of the reference is tested, Lee–Yu with two-way effects."""
    assert len(GROUPS) == 12
    assert {g for g in GROUPS if g[2]} == {("SAR", "twoways", True), ("SDM", "twoways", True),
                                           ("SEM", "twoways", True)}


def test_lee_yu_keeps_loglik_and_shrinks_sigma2() -> None:
    """splm's two-way Lee–Yu reports the uncorrected log-likelihood; σ² is scaled T/(T+1)."""
    for model in ("SAR", "SEM", "SDM"):
        plain, ly = fit(model, "twoways", False), fit(model, "twoways", True)
        assert ly.loglik == pytest.approx(plain.loglik, abs=1e-9)
        assert ly.sigma2 / plain.sigma2 == pytest.approx(17 / 18, rel=1e-3)
    # SEM: the information matrix is block diagonal, so β is not corrected
    sem, sem_ly = fit("SEM", "twoways", False), fit("SEM", "twoways", True)
    xs = list(XNAMES.values())
    np.testing.assert_allclose(sem_ly.params[xs], sem.params[xs], rtol=1e-12)


def test_sdm_equals_sar_with_yearly_lagged_regressors() -> None:
    """The SDM's W_x are W times each year's cross-section, as in the reference."""
    p, w = panel(), weights()
    data = p.data.copy()
    W = w.reorder(p.city_ids).sparse
    for x in XNAMES.values():
        wide = data[x].unstack("year")  # city × year, cities in panel order
        data[f"lag_{x}"] = pd.DataFrame(W @ wide.to_numpy(), index=wide.index,
                                        columns=wide.columns).stack()
    formula = FORMULA + " + " + " + ".join(f"lag_{x}" for x in XNAMES.values())
    sar = fit_panel(formula, data, w=w, model="sar", effects="twoways")
    sdm = fit("SDM", "twoways", False)
    np.testing.assert_allclose(sar.params.to_numpy(), sdm.params.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(sar.std_errors.to_numpy(), sdm.std_errors.to_numpy(),
                               rtol=1e-9)


def test_dataframe_and_array_inputs_agree() -> None:
    """A DataFrame with entity/time columns and a dense W in sorted-id order give the same
    fit; so does the array-level class."""
    res = fit("SDM", "individual", False)
    frame = panel().data.reset_index().rename(columns={"city": "state", "year": "yr"})
    frame = frame.sample(frac=1.0, random_state=3)  # row order must not matter
    dense = weights().reorder(sorted(panel().city_ids)).sparse.toarray()
    res2 = fit_panel(FORMULA, frame, entity="state", time="yr", w=dense, model="sdm",
                     effects="individual")
    np.testing.assert_allclose(res2.params.to_numpy(), res.params.to_numpy(), rtol=1e-10)
    assert res2.resid.index.names == ["state", "yr"]
    d = panel().data
    y = d["ln_gsp"].unstack().to_numpy()
    X = np.stack([d[x].unstack().to_numpy() for x in XNAMES.values()], axis=2)
    res3 = SpatialPanelML(y, X, weights().reorder(panel().city_ids), model="sdm",
                          effects="individual", exog_names=list(XNAMES.values())).fit()
    np.testing.assert_allclose(res3.params.to_numpy(), res.params.to_numpy(), rtol=1e-10)


def test_results_object() -> None:
    res = fit("SDM", "twoways", True)
    assert list(res.params.index) == [*XNAMES.values(), *(f"W_{x}" for x in XNAMES.values()),
                                      "rho"]
    assert list(res.vcov.index) == list(res.params.index)
    v = res.vcov.to_numpy()
    np.testing.assert_allclose(v, v.T, rtol=1e-10)
    assert np.all(np.linalg.eigvalsh(v) > 0)
    assert (res.nobs, res.n_entities, res.n_periods) == (816, 48, 17)
    assert res.aic == pytest.approx(-2 * res.loglik + 2 * 10)
    assert res.bic == pytest.approx(-2 * res.loglik + np.log(816) * 10)
    # resid are the innovations of the demeaned model: they sum to zero over each city's years
    e = res.resid.unstack()
    assert np.abs(e.sum(axis=1)).max() < 1e-10
    np.testing.assert_allclose((res.fitted + res.resid).to_numpy(),
                               panel().data["ln_gsp"].to_numpy(), rtol=1e-12)
    tidy = res.tidy()
    assert list(tidy.columns) == ["term", "estimate", "std_error", "t", "p", "conf_low",
                                  "conf_high"]
    ci = res.conf_int(0.1)
    assert (ci["low"] < res.params).all() and (res.params < ci["high"]).all()
    text = res.summary()
    for piece in ("SDM", "twoways", "Lee-Yu correction:    yes", "W_ln_emp", "rho", "816"):
        assert piece in text
    with pytest.raises(AttributeError):
        res.sigma2 = 1.0  # type: ignore[misc]
