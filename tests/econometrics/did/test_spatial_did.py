"""Tests of the spatial DID (:func:`cityres.econometrics.did.spatial.spatial_did`).

References and tolerances:

- A simulated staggered DID on a 16 × 16 rook lattice (weights from
  :func:`cityres.spatial.weights.from_matrix`) with known direct effect and spillovers on
  untreated and treated neighbours: each estimate within 3 standard errors of the truth.
- The same regression on hand-built columns (exposure ``W·D`` computed by loops over the
  lattice, not by the module): ``fit_fe`` and pyfixest ``feols`` give the same
  coefficients and standard errors (1e-10); the exposure column equals the hand-built one
  (1e-12).
- ``model="sdm"``: equal to :func:`cityres.spatial.panel.fit_panel` (SDM) on the
  hand-built treatment column (1e-10).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cityres
from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataChangeWarning,
    WeightsError,
)
from cityres.econometrics import fit_fe
from cityres.econometrics.did.spatial import EFFECT_COLUMNS, spatial_did
from cityres.spatial.weights import contiguity, from_matrix

SIDE = 16
PERIODS = np.arange(2001, 2011)
TRUTH = {"D": 1.0, "WD_treated": 0.5, "WD_untreated": 0.8}


def _lattice_neighbours(side: int) -> dict[int, list[int]]:
    nb: dict[int, list[int]] = {}
    for r in range(side):
        for c in range(side):
            i = r * side + c
            nb[i] = [rr * side + cc for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1),
                                                   (r, c + 1))
                     if 0 <= rr < side and 0 <= cc < side]
    return nb


def _ids(side: int) -> list[str]:
    return [f"g{i:03d}" for i in range(side * side)]


def _lattice_weights(side: int) -> cityres.spatial.Weights:
    n = side * side
    A = np.zeros((n, n))
    for i, js in _lattice_neighbours(side).items():
        A[i, js] = 1.0
    return from_matrix(A, _ids(side))


def _simulate(seed: int, theta: dict[str, float]) -> pd.DataFrame:
    """y = α_i + λ_t + β D + θ1 D·E + θ0 (1−D)·E + 0.5 x + ε, E = share of treated rook
    neighbours (computed here by loops)."""
    rng = np.random.default_rng(seed)
    n, ids, nb = SIDE * SIDE, _ids(SIDE), _lattice_neighbours(SIDE)
    cohort = rng.choice([0, 2004, 2006, 2008], size=n, p=[0.4, 0.2, 0.2, 0.2])
    alpha = rng.normal(size=n)
    lam = rng.normal(size=len(PERIODS))
    rows = []
    for i in range(n):
        for ti, t in enumerate(PERIODS):
            d = float(cohort[i] > 0 and t >= cohort[i])
            e = sum(float(cohort[j] > 0 and t >= cohort[j]) for j in nb[i]) / len(nb[i])
            x = rng.normal()
            y = (alpha[i] + lam[ti] + theta["D"] * d + theta["WD_treated"] * d * e
                 + theta["WD_untreated"] * (1 - d) * e + 0.5 * x + rng.normal())
            rows.append((ids[i], int(t), int(cohort[i]), d, e, x, y))
    return pd.DataFrame(rows, columns=["unit", "year", "cohort", "D_hand", "E_hand", "x", "y"])


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return _simulate(11, TRUTH)


@pytest.fixture(scope="module")
def w() -> cityres.spatial.Weights:
    return _lattice_weights(SIDE)


def test_recovers_direct_and_spillovers(sim: pd.DataFrame, w: cityres.spatial.Weights
                                        ) -> None:
    res = spatial_did(sim, "y", cohort="cohort", w=w, entity="unit", time="year",
                      covariates=["x"])
    eff = res.effects.set_index("term")
    for term, truth in TRUTH.items():
        est, se = eff.loc[term, "estimate"], eff.loc[term, "std_error"]
        assert abs(est - truth) < 3 * se, (term, est, se)
    full = eff.loc["D + WD_treated"]
    assert abs(full["estimate"] - 1.5) < 3 * full["std_error"]
    assert list(res.effects.columns) == list(EFFECT_COLUMNS)
    assert any("row-standardised" in n for n in res.notes)


def test_recovers_pooled_spillover() -> None:
    sim = _simulate(12, {"D": 1.0, "WD_treated": 0.6, "WD_untreated": 0.6})
    res = spatial_did(sim, "y", cohort="cohort", w=_lattice_weights(SIDE), entity="unit",
                      time="year", covariates=["x"], split=False)
    eff = res.effects.set_index("effect")
    assert list(eff.index) == ["direct", "spillover"]
    assert abs(eff.loc["spillover", "estimate"] - 0.6) < 3 * eff.loc["spillover", "std_error"]
    assert abs(eff.loc["direct", "estimate"] - 1.0) < 3 * eff.loc["direct", "std_error"]


def test_equals_fit_fe_and_pyfixest_on_hand_columns(sim: pd.DataFrame,
                                                    w: cityres.spatial.Weights) -> None:
    import pyfixest as pf

    res = spatial_did(sim, "y", cohort="cohort", w=w, entity="unit", time="year",
                      covariates=["x"])
    ex = res.exposure.merge(sim, on=["unit", "year"])
    np.testing.assert_allclose(ex["WD"], ex["E_hand"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ex["D"], ex["D_hand"])
    f = sim.assign(D=sim["D_hand"], WD_treated=sim["D_hand"] * sim["E_hand"],
                   WD_untreated=(1 - sim["D_hand"]) * sim["E_hand"])
    fe = fit_fe("y ~ D + WD_treated + WD_untreated + x", f, entity="unit", time="year")
    np.testing.assert_allclose(res.params.to_numpy(), fe.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.std_errors.to_numpy(), fe.std_errors.to_numpy(),
                               rtol=1e-10)
    pfit = pf.feols("y ~ D + WD_treated + WD_untreated + x | unit + year", data=f,
                    vcov={"CRV1": "unit"})
    np.testing.assert_allclose(res.params.to_numpy(), pfit.coef().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.std_errors.to_numpy(), pfit.se().to_numpy(), rtol=1e-10)
    # the pooled variant
    res2 = spatial_did(sim, "y", cohort="cohort", w=w, entity="unit", time="year",
                       covariates=["x"], split=False, vcov="hetero")
    fe2 = fit_fe("y ~ D + WD + x", f.assign(WD=f["E_hand"]), entity="unit", time="year",
                 vcov="hetero")
    np.testing.assert_allclose(res2.params.to_numpy(), fe2.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res2.std_errors.to_numpy(), fe2.std_errors.to_numpy(),
                               rtol=1e-10)


def test_sdm_equals_fit_panel(sim: pd.DataFrame, w: cityres.spatial.Weights) -> None:
    from cityres.spatial.panel import fit_panel

    res = spatial_did(sim, "y", cohort="cohort", w=w, entity="unit", time="year",
                      covariates=["x"], model="sdm", seed=3)
    ref = fit_panel("y ~ D + x", sim.assign(D=sim["D_hand"]), entity="unit", time="year",
                    w=w.row_standardise(), model="sdm", effects="twoways")
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-10)
    assert list(res.effects["effect"]) == ["direct", "indirect", "total"]
    again = spatial_did(sim, "y", cohort="cohort", w=w, entity="unit", time="year",
                        covariates=["x"], model="sdm", seed=3)
    pd.testing.assert_frame_equal(res.effects, again.effects)
    assert np.isnan(res.r2) and "spatial Durbin" in res.summary()


def test_yrd_sim_with_contiguity() -> None:
    p = cityres.datasets.load("yrd_sim")
    w = contiguity(p, "queen")
    res = spatial_did(p, "de_latent", cohort="cohort_broadband", w=w)
    assert res.nobs == 533 and res.weights.transform == "row"
    assert set(res.exposure.columns) == {"city", "year", "D", "WD"}
    assert res.exposure["WD"].between(0, 1).all()
    text = res.summary()
    assert "spillover_untreated" in text and "row-standardised" in text
    # already row-standardised weights: no note
    res_r = spatial_did(p, "de_latent", cohort="cohort_broadband", w=w.row_standardise())
    assert not any("row-standardised" in n for n in res_r.notes)
    assert res_r.params.equals(res.params)


# -- bad input ---------------------------------------------------------------------------
def test_weights_missing_cities_named(sim: pd.DataFrame, w: cityres.spatial.Weights) -> None:
    ids = _ids(SIDE)
    small = from_matrix(w.sparse.toarray()[:-2, :-2], ids[:-2])
    with pytest.raises(WeightsError, match=f"{ids[-2]}, {ids[-1]}"):
        spatial_did(sim, "y", cohort="cohort", w=small, entity="unit", time="year")


def test_weights_with_extra_units_restricted(sim: pd.DataFrame,
                                             w: cityres.spatial.Weights) -> None:
    ids = _ids(SIDE)
    keep = ids[:-SIDE]  # drop the last lattice row from the data
    sub = sim[sim["unit"].isin(keep)]
    with pytest.warns(DataChangeWarning, match="restricted"):
        res = spatial_did(sub, "y", cohort="cohort", w=w, entity="unit", time="year")
    assert res.weights.n == len(keep)
    assert any("not in the data dropped" in n for n in res.notes)
    # the exposure counts neighbours in the data only
    last_row_neighbour = ids[-2 * SIDE + 5]  # lost its neighbour below
    nb = res.weights.neighbours(last_row_neighbour)
    assert len(nb) == 3 and nb.sum() == pytest.approx(1.0)


def test_bad_arguments(sim: pd.DataFrame, w: cityres.spatial.Weights) -> None:
    kw = {"cohort": "cohort", "entity": "unit", "time": "year"}
    with pytest.raises(ArgumentTypeError, match="Weights"):
        spatial_did(sim, "y", w=np.eye(SIDE * SIDE), **kw)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="'fe' or 'sdm'"):
        spatial_did(sim, "y", w=w, model="sar", **kw)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="WD"):
        spatial_did(sim.assign(WD=1.0), "y", w=w, covariates=["WD"], **kw)
    with pytest.raises(ArgumentError, match="vcov"):
        spatial_did(sim, "y", w=w, vcov="hac", **kw)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spatial_did(sim, "y", w=w, **kw)  # a covering W warns about nothing


def test_integer_ids_and_cluster_from_city_table() -> None:
    p = cityres.datasets.load("yrd_sim")
    w = contiguity(p, "queen")
    by_province = spatial_did(p, "de_latent", cohort="cohort_broadband", w=w,
                              cluster="province")
    assert by_province.fit.n_clusters == 4
    df = p.data.reset_index()
    codes = {c: i for i, c in enumerate(sorted(df["city"].unique()))}
    df["cid"] = df["city"].map(codes)  # integer ids, sorted differently from their strings
    w_int = cityres.spatial.Weights(w.sparse, [str(codes[c]) for c in w.ids])
    res = spatial_did(df.drop(columns="city"), "de_latent", cohort="cohort_broadband",
                      w=w_int, entity="cid", time="year")
    np.testing.assert_allclose(res.params.to_numpy(), by_province.params.to_numpy(),
                               rtol=1e-12)
