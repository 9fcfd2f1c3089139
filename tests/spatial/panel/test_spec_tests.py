"""Specification tests (cityres.spatial.panel.spec_tests).

References:
- spreg 1.9 (``spreg.ols.BaseOLS`` + ``spreg.diagnostics_sp.LMtests``, Anselin et al. 1996)
  run in the same session on the stacked, demeaned Produc panel (48 states × 17 years,
  y = log gsp, x = log pcap, log pc, log emp, unemp) with the block-diagonal weights
  I_T ⊗ W as a libpysal W: LM lag / error and robust forms agree at 1e-8 relative (measured
  ~1e-13). Both use σ² = e'e/NT (no degrees-of-freedom correction), so nothing differs.
- A tiny hand example (N = 3, T = 2) where the formulas are evaluated with dense
  Kronecker products and the annihilator M written out.
- Wald and LR statistics on constructed inputs against their closed forms; the LR test of
  SDM against SAR from cityres's fits against splm's log-likelihoods
  (``reference/splm_produc.csv``, R splm 1.6-5) within 1e-6 (measured 1e-11).
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.spatial import Weights
from cityres.spatial.panel.spec_tests import (
    HypothesisTest,
    SpecTests,
    effects_lr_tests,
    lm_tests,
    lr_test,
    spec_tests,
    wald_common_factor,
    wald_test,
    wald_theta_zero,
)
from cityres.spatial.panel.transform import demean

FORMULA = "ln_gsp ~ ln_pcap + ln_pc + ln_emp + unemp"
REF = Path(__file__).parent / "reference" / "splm_produc.csv"


@pytest.fixture(scope="module")
def produc() -> tuple[np.ndarray, np.ndarray, Weights]:
    d = cityres.datasets.load("produc").data
    ids = d.index.get_level_values(0).unique().tolist()
    years = sorted(d.index.get_level_values(1).unique())

    def arr(col: str) -> np.ndarray:
        return d[col].unstack("year").loc[ids, years].to_numpy()

    y = np.log(arr("gsp"))
    X = np.stack([np.log(arr("pcap")), np.log(arr("pc")), np.log(arr("emp")), arr("unemp")],
                 axis=2)
    w = Weights.from_libpysal(cityres.datasets.weights("produc")).row_standardise()
    return y, X, w.reorder(ids)


def _stack(y: np.ndarray, X: np.ndarray, effects: str) -> tuple[np.ndarray, np.ndarray]:
    k = X.shape[2]  # time-major: row t·N + i
    return demean(y, effects).T.ravel(), demean(X, effects).transpose(1, 0, 2).reshape(-1, k)


@pytest.mark.parametrize("effects", ["individual", "time", "twoways"])
def test_lm_tests_match_spreg(produc: tuple, effects: str) -> None:
    spreg_ols = pytest.importorskip("spreg.ols")
    spreg_sp = pytest.importorskip("spreg.diagnostics_sp")
    libpysal = pytest.importorskip("libpysal")
    y, X, w = produc
    n, t, _ = X.shape
    ys, Xs = _stack(y, X, effects)
    ours = lm_tests(ys, Xs, w, n_entities=n, n_periods=t)
    big = libpysal.weights.WSP(sp.kron(sp.eye(t), w.sparse).tocsr()).to_W(silence_warnings=True)
    ols = spreg_ols.BaseOLS(ys[:, None], Xs)  # no constant: the data are demeaned
    ref = spreg_sp.LMtests(ols, big, tests=["lme", "lml", "rlme", "rlml"])
    want = {"lm_lag": ref.lml, "lm_error": ref.lme, "robust_lm_lag": ref.rlml,
            "robust_lm_error": ref.rlme}
    for name, (stat, p) in want.items():
        assert ours.loc[name, "statistic"] == pytest.approx(stat, rel=1e-8)
        assert ours.loc[name, "p"] == pytest.approx(p, rel=1e-6, abs=1e-300)
    assert (ours["df"] == 1).all()
    # entity-major stacking (W ⊗ I_T) gives the same numbers
    ye = demean(y, effects).ravel()
    Xe = demean(X, effects).reshape(n * t, -1)
    other = lm_tests(ye, Xe, w, n_entities=n, n_periods=t, stacking="entity")
    np.testing.assert_allclose(other["statistic"], ours["statistic"], rtol=1e-10)


def test_lm_tests_hand_example() -> None:
    W = np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]])
    n, t = 3, 2
    X = np.array([[1.0, 0.2], [2.0, -0.1], [0.5, 0.3], [1.5, 0.0], [-1.0, 0.4], [0.3, 0.9]])
    y = np.array([1.0, 2.5, 0.2, 1.1, -0.8, 1.4])
    WNT = np.kron(np.eye(t), W)
    b = np.linalg.solve(X.T @ X, X.T @ y)
    e = y - X @ b
    s2 = e @ e / (n * t)
    M = np.eye(n * t) - X @ np.linalg.inv(X.T @ X) @ X.T
    tw = t * np.trace(W.T @ W + W @ W)
    D = (WNT @ X @ b) @ M @ (WNT @ X @ b) / s2 + tw
    lag, err = e @ WNT @ y / s2, e @ WNT @ e / s2
    want = {"lm_lag": lag**2 / D, "lm_error": err**2 / tw,
            "robust_lm_lag": (lag - err) ** 2 / (D - tw),
            "robust_lm_error": (err - tw / D * lag) ** 2 / (tw * (1 - tw / D))}
    got = lm_tests(y, X, W, n_entities=n, n_periods=t)
    for name, value in want.items():
        assert got.loc[name, "statistic"] == pytest.approx(value, rel=1e-12)
        assert got.loc[name, "p"] == pytest.approx(stats.chi2.sf(value, 1), rel=1e-12)
    assert got.attrs["sigma2"] == pytest.approx(s2, rel=1e-14)


def test_lm_tests_errors(produc: tuple) -> None:
    y, X, w = produc
    n, t, _ = X.shape
    ys, Xs = _stack(y, X, "individual")
    with pytest.raises(ArgumentError, match="rows"):
        lm_tests(ys[:-1], Xs, w, n_entities=n, n_periods=t)
    with pytest.raises(ArgumentError, match="48 × 48"):
        lm_tests(ys, Xs, sp.eye_array(n - 1), n_entities=n, n_periods=t)
    with pytest.raises(ArgumentError, match="stacking"):
        lm_tests(ys, Xs, w, n_entities=n, n_periods=t, stacking="wide")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError):
        lm_tests(ys, Xs, [[0.0]], n_entities=n, n_periods=t)
    bad = ys.copy()
    bad[3] = np.nan
    with pytest.raises(ArgumentError, match="finite"):
        lm_tests(bad, Xs, w, n_entities=n, n_periods=t)
    frame = pd.DataFrame(Xs, columns=["a", "b", "c", "d"]).assign(e=lambda f: f.a + f.b)
    with pytest.raises(ArgumentError, match="'e'"):
        lm_tests(ys, frame, w, n_entities=n, n_periods=t)


def _fit(loglik: float, k: int, **kw: object) -> SimpleNamespace:
    return SimpleNamespace(loglik=loglik, params=pd.Series(np.zeros(k)), **kw)


def test_lr_test() -> None:
    r = lr_test(_fit(1650.0, 5, model="sar", nobs=816), _fit(1655.0, 9, model="sdm", nobs=816))
    assert (r.statistic, r.df) == (10.0, 4)
    assert r.pvalue == pytest.approx(stats.chi2.sf(10.0, 4), rel=1e-14)
    assert r.test == "LR SAR vs SDM" and r.decision() == "reject"
    assert lr_test(_fit(1.0, 2), _fit(1.0 - 1e-12, 3)).statistic == 0.0  # rounding
    assert lr_test(_fit(1.0, 2), _fit(2.0, 2), df=3).df == 3
    with pytest.raises(ArgumentError, match="swapped"):
        lr_test(_fit(1655.0, 9), _fit(1650.0, 5))
    with pytest.raises(ArgumentError, match="df"):
        lr_test(_fit(1.0, 3), _fit(2.0, 3))
    with pytest.raises(ArgumentError, match="nobs"):
        lr_test(_fit(1.0, 2, nobs=10), _fit(2.0, 3, nobs=12))
    with pytest.raises(ArgumentTypeError, match="loglik"):
        lr_test(object(), _fit(2.0, 3))


def _sdm_like() -> SimpleNamespace:
    names = ["a", "b", "W_a", "W_b", "rho"]
    p = pd.Series([0.8, -0.4, -0.3, 0.25, 0.45], index=names)
    g = np.random.default_rng(4).normal(size=(5, 12))
    V = pd.DataFrame(np.cov(g) * 1e-2, index=names, columns=names)
    return SimpleNamespace(params=p, vcov=V, exog_names=("a", "b"))


def test_wald_theta_zero_and_linear() -> None:
    res = _sdm_like()
    th = res.params[["W_a", "W_b"]].to_numpy()
    Vt = res.vcov.loc[["W_a", "W_b"], ["W_a", "W_b"]].to_numpy()
    got = wald_theta_zero(res)
    assert got.statistic == pytest.approx(th @ np.linalg.solve(Vt, th), rel=1e-12)
    assert got.df == 2
    R = np.zeros((1, 5))
    R[0, 0] = 1.0
    one = wald_test(res.params, res.vcov, restriction=(R, [0.5]))
    assert one.statistic == pytest.approx(0.3**2 / res.vcov.iloc[0, 0], rel=1e-12)
    with pytest.raises(ArgumentError, match="columns"):
        wald_test(res.params, res.vcov, restriction=(np.ones((1, 3)), [0.0]))
    with pytest.raises(ArgumentError, match="not in params"):
        wald_test(res.params, res.vcov, restriction=(pd.DataFrame({"zz": [1.0]}), [0.0]))
    with pytest.raises(ArgumentError, match="vcov"):
        wald_test(res.params, res.vcov.iloc[:3, :3], restriction=(R, [0.0]))
    with pytest.raises(ArgumentError, match="singular"):
        wald_test(res.params, res.vcov, restriction=(np.vstack([R, R]), [0.0, 0.0]))
    with pytest.raises(ArgumentError, match="W_<name>"):
        wald_theta_zero(SimpleNamespace(params=res.params[["a", "b", "rho"]], vcov=res.vcov,
                                        exog_names=("a", "b")))


def test_wald_common_factor() -> None:
    res = _sdm_like()
    p, V = res.params, res.vcov.to_numpy()
    g = p[["W_a", "W_b"]].to_numpy() + p["rho"] * p[["a", "b"]].to_numpy()
    J = np.array([[p["rho"], 0, 1, 0, p["a"]], [0, p["rho"], 0, 1, p["b"]]])
    want = g @ np.linalg.solve(J @ V @ J.T, g)
    got = wald_common_factor(res)
    assert got.statistic == pytest.approx(want, rel=1e-12) and got.df == 2

    def restriction(q: pd.Series) -> np.ndarray:
        return np.array([q["W_a"] + q["rho"] * q["a"], q["W_b"] + q["rho"] * q["b"]])

    numeric = wald_test(p, res.vcov, restriction=restriction)  # finite-difference Jacobian
    assert numeric.statistic == pytest.approx(want, rel=1e-7)
    with pytest.raises(ArgumentError, match="SDM"):
        wald_common_factor(SimpleNamespace(params=p.drop("rho"), vcov=res.vcov,
                                           exog_names=("a", "b")))


def test_effects_lr_tests() -> None:
    two = _fit(100.0, 4, effects="twoways", model="sdm", n_entities=48, n_periods=17)
    tim = _fit(60.0, 4, effects="time", model="sdm")
    ind = _fit(90.0, 4, effects="individual", model="sdm")
    unit, time = effects_lr_tests(two, time=tim, individual=ind)
    assert (unit.test, unit.statistic, unit.df) == ("LR unit effects", 80.0, 47)
    assert (time.test, time.statistic, time.df) == ("LR time effects", 20.0, 16)
    with pytest.raises(ArgumentError, match="effects="):
        effects_lr_tests(two, time=ind)
    with pytest.raises(ArgumentError, match="Lee"):
        effects_lr_tests(_fit(100.0, 4, effects="twoways", model="sdm", lee_yu=True,
                              n_entities=48), time=tim)
    with pytest.raises(ArgumentError, match="different models"):
        effects_lr_tests(two, time=_fit(60.0, 4, effects="time", model="sar"))
    with pytest.raises(ArgumentError, match="n_periods"):
        effects_lr_tests(_fit(100.0, 4, effects="twoways", model="sdm"), individual=ind)
    with pytest.raises(ArgumentError, match="give time"):
        effects_lr_tests(two)


def test_spec_tests_produc(produc: tuple) -> None:
    y, X, w = produc
    panel = cityres.datasets.load("produc").ln(["gsp", "pcap", "pc", "emp"])
    out = spec_tests(FORMULA, panel, w=w, effects="twoways")
    assert isinstance(out, SpecTests)
    table = out.table
    assert list(table.columns) == ["test", "statistic", "df", "p", "decision"]
    n, t, _ = X.shape
    lm = lm_tests(*_stack(y, X, "twoways"), w, n_entities=n, n_periods=t)
    got = table.set_index("test")["statistic"]
    assert got["LM lag"] == pytest.approx(lm.loc["lm_lag", "statistic"], rel=1e-10)
    assert got["Robust LM error"] == pytest.approx(lm.loc["robust_lm_error", "statistic"],
                                                   rel=1e-10)

    def ols_loglik(effects: str) -> float:
        ys, Xs = _stack(y, X, effects)
        e = ys - Xs @ np.linalg.lstsq(Xs, ys, rcond=None)[0]
        return -0.5 * ys.size * (np.log(2 * np.pi * (e @ e) / ys.size) + 1)

    unit = table.set_index("test").loc["LR unit effects"]
    assert unit["statistic"] == pytest.approx(2 * (ols_loglik("twoways") - ols_loglik("time")),
                                              rel=1e-10)
    assert unit["df"] == n - 1
    assert out.tidy().equals(table)
    assert "LM lag" in out.summary()
    with pytest.raises(FrozenInstanceError):
        out.alpha = 0.1  # type: ignore[misc]
    assert {"LR SDM vs SAR", "LR SDM vs SEM", "Wald theta = 0",
            "Wald theta + rho*beta = 0"} <= set(table["test"])


@pytest.mark.parametrize("effects", ["individual", "time", "twoways"])
def test_spec_tests_lr_matches_splm(produc: tuple, effects: str) -> None:
    """LR SDM vs SAR from cityres's fits against 2(ℓ_SDM − ℓ_SAR) of splm's log-likelihoods
    (reference/splm_produc.csv; both full Gaussian log-likelihoods; measured difference 1e-11)."""
    ref = pd.read_csv(REF)
    keep = (ref["param"] == "logLik") & (ref["effect"] == effects) & ~ref["lee_yu"]
    ll = ref[keep].set_index("model")["estimate"]
    panel = cityres.datasets.load("produc").ln(["gsp", "pcap", "pc", "emp"])
    table = spec_tests(FORMULA, panel, w=produc[2], effects=effects).table.set_index("test")
    lr = table.loc["LR SDM vs SAR"]
    assert lr["statistic"] == pytest.approx(2 * (ll["SDM"] - ll["SAR"]), abs=1e-6)
    assert lr["df"] == 4
    assert table.loc["Wald theta + rho*beta = 0", "df"] == 4


def test_spec_tests_bad_input() -> None:
    panel = cityres.datasets.load("produc").ln(["gsp", "pcap", "pc", "emp"])
    w = Weights.from_libpysal(cityres.datasets.weights("produc")).row_standardise()
    gappy = panel.data.drop(index=("ALABAMA", 1975))
    with pytest.raises(PanelError, match="ALABAMA"):
        spec_tests(FORMULA, gappy, w=w, effects="individual")
    with pytest.raises(ArgumentError, match="effects"):
        spec_tests(FORMULA, panel, w=w, effects="both")
    with pytest.raises(ArgumentError, match="alpha"):
        spec_tests(FORMULA, panel, w=w, alpha=5.0)


def test_hypothesis_test_decision() -> None:
    h = HypothesisTest("x", 3.0, 1, 0.08)
    assert h.decision() == "do not reject" and h.decision(0.1) == "reject"
