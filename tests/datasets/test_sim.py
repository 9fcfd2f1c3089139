"""The simulated panels: reproducibility, sanity, and recovery of the true parameters.

Reference values are the simulation's own truth (``sim.truth``), never typed-in numbers;
tolerances are stated at each assertion.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

import cityres
from cityres.datasets.sim import simulate
from cityres.datasets.sim.bundled import (
    BUNDLED_SEED,
    yrd_sim_cities,
    yrd_sim_codebook,
    yrd_sim_frame,
    yrd_sim_truth,
)
from cityres.datasets.sim.params import MEDIATORS, SECONDARY, SECTORS, TERTIARY

GROUPS = {
    "digital_economy", "ecommerce", "resilience_social", "resilience_economic",
    "resilience_infrastructure", "resilience_ecological", "economic_resilience", "mediator",
    "control", "sector", "outcome", "policy", "latent", "instrument",
}
INDICATOR_GROUPS = GROUPS - {"mediator", "control", "sector", "outcome", "policy", "latent",
                             "instrument"}
CONTROLS = "ln_gdp_pc + ln_pop + fiscal_share + openness + urbanisation"


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return yrd_sim_frame()


@pytest.fixture(scope="module")
def sim41() -> cityres.datasets.sim.SimulatedData:
    return simulate(seed=BUNDLED_SEED)


@pytest.fixture(scope="module")
def lattice() -> cityres.datasets.sim.SimulatedData:
    return simulate(900, seed=3)


def _with_logs(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["ln_gdp_pc"] = np.log(out["gdp_pc"])
    out["ln_pop"] = np.log(out["population"])
    return out


# ----------------------------------------------------------------------------- reproducibility
def test_same_seed_same_numbers_and_different_seed_differs() -> None:
    a, b = simulate(150, seed=11), simulate(150, seed=11)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.truth == b.truth
    c = simulate(150, seed=12)
    assert not np.allclose(a.data["resilience"], c.data["resilience"])


def test_yrd41_reproducible(sim41: cityres.datasets.sim.SimulatedData) -> None:
    again = simulate(41, seed=BUNDLED_SEED)
    pd.testing.assert_frame_equal(sim41.data, again.data)
    other = simulate(seed=BUNDLED_SEED + 1)
    assert not np.allclose(sim41.data["de_latent"], other.data["de_latent"])


def test_bundled_files_equal_the_generator(
    bundled: pd.DataFrame, sim41: cityres.datasets.sim.SimulatedData
) -> None:
    # the CSV keeps 10 significant digits: relative error below 5e-10, checked at 1e-9
    assert list(bundled.columns) == list(sim41.data.columns)
    assert bundled["city"].tolist() == sim41.data["city"].tolist()
    num = [c for c in bundled.columns if c != "city"]
    np.testing.assert_allclose(bundled[num].to_numpy(float), sim41.data[num].to_numpy(float),
                               rtol=1e-9, atol=0)
    assert yrd_sim_truth() == json.loads(json.dumps(sim41.truth))
    pd.testing.assert_frame_equal(yrd_sim_codebook(), sim41.variables, check_dtype=False)
    cities = yrd_sim_cities()
    assert list(cities.index) == list(sim41.cities.index)
    pd.testing.assert_frame_equal(cities, sim41.cities, check_dtype=False, rtol=1e-9)
    with open(cityres.datasets._registry.data_file("yrd_sim.csv"), encoding="utf-8") as fh:
        first = fh.readline()
    assert first.startswith("# SIMULATED DATA") and f"seed={BUNDLED_SEED}" in first


# ----------------------------------------------------------------------------- codebook, sanity
def test_codebook_describes_every_column(sim41: cityres.datasets.sim.SimulatedData) -> None:
    book = sim41.variables
    assert list(book.index) == list(sim41.data.columns[2:])
    assert book["description"].str.startswith("SIMULATED").all()
    assert set(book["group"]) <= GROUPS
    ind = book[book["group"].isin(INDICATOR_GROUPS)]
    assert ind["direction"].isin([1, -1]).all()
    assert (book.loc[["unemp_rate", "so2_emissions", "pm25", "misallocation"], "direction"]
            == -1).all()
    counts = book[book["group"].str.startswith("resilience_")].groupby("group").size()
    assert counts.between(3, 5).all() and len(counts) == 4
    er = book[book["group"] == "economic_resilience"].groupby("dimension").size()
    assert len(er) == 3 and er.min() >= 3


@pytest.mark.parametrize("which", ["bundled", "lattice"])
def test_values_are_sane(which: str, bundled: pd.DataFrame,
                         lattice: cityres.datasets.sim.SimulatedData) -> None:
    frame = bundled if which == "bundled" else lattice.data
    book = yrd_sim_codebook()
    num = frame.drop(columns=["city", "year"])
    assert np.isfinite(num.to_numpy(float)).all()
    positive = book.index[~book["group"].isin(["latent", "outcome", "policy", "instrument"])
                          & (book.index != "innovation")]
    assert (num[positive] >= 0).all().all()
    assert (num[[c for c in positive if c != "taobao_villages"]] > 0).all().all()
    shares = book.index[book["unit"].str.startswith("share")]
    assert ((num[shares] >= 0) & (num[shares] <= 1)).all().all()
    rtol = 1e-12  # identities hold to rounding
    np.testing.assert_allclose(num["emp_total"], num[[f"emp_{s}" for s in SECTORS]].sum(axis=1),
                               rtol=rtol if which == "lattice" else 1e-8)
    np.testing.assert_allclose(num["gdp"], num[[f"gva_{s}" for s in SECTORS]].sum(axis=1),
                               rtol=rtol if which == "lattice" else 1e-8)
    ratio = (num[[f"gva_{s}" for s in TERTIARY]].sum(axis=1)
             / num[[f"gva_{s}" for s in SECONDARY]].sum(axis=1))
    np.testing.assert_allclose(ratio, num["upgrading"], rtol=1e-8)
    np.testing.assert_allclose(num["gdp_pc"] * num["population"] / 1e4, num["gdp"], rtol=1e-8)
    np.testing.assert_allclose(num["it_emp_share"], num["emp_ict"] / num["emp_total"], rtol=1e-8)
    np.testing.assert_allclose(num["patents_per10k"], np.exp(num["innovation"]), rtol=1e-8)
    for prog in ("broadband", "cbec", "ecdemo"):
        cohort, pilot = frame[f"cohort_{prog}"], frame[f"pilot_{prog}"]
        expect = ((cohort > 0) & (frame["year"] >= cohort)).astype(int)
        assert (pilot == expect).all()
        assert frame.groupby("city")[f"cohort_{prog}"].nunique().max() == 1


def test_truth_is_json_and_complete(sim41: cityres.datasets.sim.SimulatedData) -> None:
    text = json.dumps(sim41.truth, allow_nan=False)
    truth = json.loads(text)
    assert truth["simulated"] is True and truth["seed"] == BUNDLED_SEED
    assert set(truth["cities"]) == set(sim41.cities.index)
    assert truth["shock"]["applied"] and truth["shock"]["year"] == 2020
    for med in MEDIATORS:
        a, b = truth["params"]["mediators"][med]["a"], truth["params"]["mediators"][med]["b"]
        assert truth["derived"]["indirect_effects"][med] == pytest.approx(a * b, rel=1e-12)
    assert truth["derived"]["open_top_vs_bottom"] == pytest.approx(1.4)
    assert truth["derived"]["post_vs_pre"] == pytest.approx(1.3)


def test_martin_truth_is_what_the_formula_gives(bundled: pd.DataFrame) -> None:
    truth = yrd_sim_truth()
    emp = bundled.pivot(index="year", columns="city", values="emp_total")
    e19, e20, e23 = (emp.loc[y].to_numpy(float) for y in (2019, 2020, 2023))
    g = pd.Series(e20 / e19 - 1, index=emp.columns)
    g_n = float(e20.sum() / e19.sum() - 1)
    h = pd.Series(e23 / e20 - 1, index=emp.columns)
    h_n = float(e23.sum() / e20.sum() - 1)
    res = pd.Series({c: v["resistance_emp"] for c, v in truth["cities"].items()})
    rec = pd.Series({c: v["recovery_emp"] for c, v in truth["cities"].items()})
    # the file keeps 10 digits, so the recomputed measures agree to about 1e-6
    np.testing.assert_allclose(((g - g_n) / abs(g_n))[res.index], res, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(((h - h_n) / abs(h_n))[rec.index], rec, rtol=1e-6, atol=1e-6)
    comp = pd.Series({c: v["shock_component"] for c, v in truth["cities"].items()})
    assert np.corrcoef(comp, res[comp.index])[0, 1] > 0.5  # resistance reflects c_i


def test_yrd41_units_and_calendar(sim41: cityres.datasets.sim.SimulatedData) -> None:
    nb = sim41.neighbours
    assert len(nb) == 41 and all(nb[c] for c in nb)
    assert all(c in nb[j] for c in nb for j in nb[c])  # symmetric
    assert "330200" in nb["330900"] and len(nb["330900"]) == 2  # Zhoushan -> Ningbo + 1
    assert np.allclose(np.asarray(sim41.weights.sum(axis=1)).ravel(), 1.0)
    assert set(sim41.cities["province"]) == {"Shanghai", "Jiangsu", "Zhejiang", "Anhui"}
    pol = pd.read_csv(cityres.datasets._registry.data_file("policies_yrd41.csv"),
                      dtype={"city": str})
    bb = pol[pol["programme"].str.contains("broadband")].groupby("city")["year"].min()
    got = sim41.data.groupby("city")["cohort_broadband"].first()
    assert (got[bb.index] == bb).all() and (got.drop(bb.index) == 0).all()


def test_options_are_checked() -> None:
    with pytest.raises(cityres.ArgumentError, match="rho_typo"):
        simulate(100, params={"outcome": {"rho_typo": 0.1}})
    with pytest.raises(cityres.ArgumentError, match=r"outcome\.rho"):
        simulate(100, params={"outcome": {"rho": 1.0}})
    with pytest.raises(cityres.ArgumentError, match="'simple'"):
        simulate(100, params="simpel")
    with pytest.raises(cityres.ArgumentError, match="41 cities"):
        simulate(50, units="yrd41")
    with pytest.raises(cityres.ArgumentError, match="n_cities"):
        simulate(units="lattice")
    with pytest.raises(cityres.ArgumentError, match="consecutive"):
        simulate(64, years=[2011, 2013, 2014])
    short = simulate(np.int64(64), years=range(2012, 2019), seed=1)
    assert not short.truth["shock"]["applied"] and short.data["year"].min() == 2012


# ----------------------------------------------------------------------------- recovery
def test_mediator_effects_recovered_on_bundled_data(bundled: pd.DataFrame) -> None:
    """a_m (D -> mediator) is what two-way FE identifies in the full design."""
    truth = yrd_sim_truth()["params"]["mediators"]
    for med in MEDIATORS:
        fit = pf.feols(f"{med} ~ de_latent | city + year", data=bundled,
                       vcov={"CRV1": "city"})
        est, se = float(fit.coef()["de_latent"]), float(fit.se()["de_latent"])
        assert abs(est - truth[med]["a"]) < 3 * se, (med, est, se, truth[med]["a"])
    fit = pf.feols("innovation ~ de_latent | city + year", data=bundled, vcov={"CRV1": "city"})
    low, high = fit.confint().loc["de_latent"]
    assert low < truth["innovation"]["a"] < high  # the 95 % interval covers the truth


def test_direct_effect_recovered_on_large_lattice() -> None:
    """In the 'simple' design (no spatial lag, no heterogeneity) two-way FE is consistent."""
    sim = simulate(2500, seed=7, params="simple")
    p = sim.truth["params"]
    mediators = " + ".join(MEDIATORS)
    fit = pf.feols(f"resilience ~ de_latent + ec_latent + {mediators} + {CONTROLS} "
                   "| city + year", data=_with_logs(sim.data), vcov={"CRV1": "city"})
    est, se = float(fit.coef()["de_latent"]), float(fit.se()["de_latent"])
    beta = p["outcome"]["beta_low"]
    assert abs(est - beta) < 3 * se and abs(est - beta) < 0.05 * beta, (est, se, beta)
    for med in MEDIATORS:
        b = p["mediators"][med]["b"]
        assert abs(float(fit.coef()[med]) - b) < 3 * float(fit.se()[med]), med
    low, high = fit.confint().loc["de_latent"]
    assert low < beta < high


def test_spatial_lag_recovered_roughly_by_2sls() -> None:
    """rho by 2SLS with W X and W^2 X instruments after two-way demeaning."""
    sim = simulate(2500, seed=7, params="homogeneous")
    d = _with_logs(sim.data)
    n, T = len(sim.cities), d["year"].nunique()
    W = sim.weights
    xs = ["de_latent", "ec_latent", *MEDIATORS, "ln_gdp_pc", "ln_pop", "fiscal_share",
          "openness", "urbanisation"]

    def arr(c: str) -> np.ndarray:
        return d[c].to_numpy().reshape(n, T)

    def dm(a: np.ndarray) -> np.ndarray:
        return (a - a.mean(1, keepdims=True) - a.mean(0, keepdims=True) + a.mean()).ravel()

    X = [arr(c) for c in xs]
    exog = np.column_stack([dm(a) for a in [*X, W @ arr("de_latent")]])
    inst = np.column_stack([dm(W @ a) for a in X[1:]] + [dm(W @ (W @ a)) for a in X])
    y = arr("resilience")
    rhs = np.column_stack([dm(W @ y), exog])
    Z = np.column_stack([exog, inst])
    fitted = Z @ np.linalg.lstsq(Z, rhs, rcond=None)[0]
    coef = np.linalg.lstsq(fitted, dm(y), rcond=None)[0]
    assert abs(coef[0] - sim.truth["params"]["outcome"]["rho"]) < 0.1  # SE is about 0.03
    assert abs(coef[1] - sim.truth["params"]["outcome"]["beta_low"]) < 0.01


def test_broadband_event_study_recovers_att() -> None:
    """ATT(e) of Broadband China on D: equal across cohorts, so dynamic TWFE is unbiased."""
    sim = simulate(2500, seed=5, params="simple")
    d = sim.data.copy()
    rel = np.where(d["cohort_broadband"] > 0, d["year"] - d["cohort_broadband"], -1)
    d["rel"] = np.clip(rel, -4, 6)
    fit = pf.feols("de_latent ~ i(rel, ref=-1) | city + year", data=d, vcov={"CRV1": "city"})
    att = sim.truth["derived"]["att_broadband_on_de_latent"]
    coef, se = fit.coef(), fit.se()
    for e in range(4):
        name = next(k for k in coef.index if k.endswith(f"[{e}]") or k.endswith(f"::{e}]")
                    or k.endswith(f"::{e}"))
        assert abs(coef[name] - att[str(e)]) < 3 * se[name], (e, coef[name], att[str(e)])


def test_lattice_scales_to_ten_thousand_units() -> None:
    sim = simulate(10_000, seed=2)
    assert sim.data.shape == (130_000, len(sim.variables) + 2)
    assert sim.weights.shape == (10_000, 10_000) and sim.weights.nnz < 5 * 10_000
    assert sim.truth["effects"]["method"].startswith("Hutchinson")


def test_documentation_names_every_parameter_and_column() -> None:
    """docs/data/yrd_sim.md lists every parameter and every column (no silent drift)."""
    from pathlib import Path

    from cityres.datasets.sim import DEFAULT_PARAMS
    from cityres.datasets.sim.codebook import codebook

    doc = (Path(__file__).resolve().parents[2] / "docs" / "data" / "yrd_sim.md").read_text(
        encoding="utf-8")
    for section, group in DEFAULT_PARAMS.items():
        for key in group:
            name = f"| `{key}` |" if section == "mediators" else f"`{section}.{key}`"
            assert name in doc, name
    for field in DEFAULT_PARAMS["mediators"]["misallocation"]:
        assert f" {field} |" in doc, field
    for column in codebook().index:
        assert f"| `{column}` |" in doc, column
