"""Tests of PSM-DID: :func:`cityres.econometrics.did.psm.psm_match` and ``psm_did``.

References and tolerances:

- R 4.2.2 / MatchIt 4.5.1 (``reference/make_matchit.R``, provenance in
  ``reference/README_psm.md``) on MatchIt's ``lalonde`` data and a ``yrd_sim`` city
  cross-section: logit scores (1e-8), nearest-neighbour matched sets (identical, up to
  controls whose scores tie to 1e-12), matching weights (1e-12, after MatchIt's
  rescaling) and balance statistics (1e-8).
- statsmodels ``Logit`` (test extra): the logit coefficients (relative 1e-8).
- Kernel matching: a brute-force double loop of the psmatch2 formula
  ``w_ij = K((p_j − p_i)/h) / Σ_l K((p_l − p_i)/h)`` with psmatch2's kernels
  (Epanechnikov ``1 − u²`` on ``|u| < 1``, Gaussian ``exp(−u²/2)``; the constants
  cancel), 1e-12.
- The DID on the matched sample: pyfixest ``feols`` with ``weights`` on hand-built
  columns (1e-10) and, for integer weights, an unweighted ``fit_fe`` on a panel in which
  each control city is repeated ``weight`` times (1e-10).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.econometrics import fit_fe
from cityres.econometrics.did.psm import PSMatch, psm_did, psm_match

REF = Path(__file__).parent / "reference"
YRD_COVS = ["gdp_pc", "population", "fiscal_share", "openness", "urbanisation"]
LAL_COVS = ["age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]
# spec -> (dataset, k, caliper, replace), as in make_matchit.R
SPECS = {
    "lalonde_nn1_norep": ("lalonde", 1, None, False),
    "lalonde_nn1_rep": ("lalonde", 1, None, True),
    "lalonde_nn1_norep_cal": ("lalonde", 1, 0.05, False),
    "lalonde_nn1_rep_cal": ("lalonde", 1, 0.01, True),
    "lalonde_nn2_norep": ("lalonde", 2, None, False),
    "lalonde_nn3_rep_cal": ("lalonde", 3, 0.02, True),
    "yrd_nn1_norep": ("yrd", 1, None, False),
    "yrd_nn1_rep": ("yrd", 1, None, True),
    "yrd_nn1_norep_cal": ("yrd", 1, 0.05, False),
}


@pytest.fixture(scope="module")
def units() -> dict[str, tuple[pd.DataFrame, list[str]]]:
    lal = pd.read_csv(REF / "lalonde.csv", dtype={"id": str}).set_index("id")
    yrd = pd.read_csv(REF / "psm_yrd_units.csv", dtype={"city": str}).set_index("city")
    return {"lalonde": (lal, LAL_COVS), "yrd": (yrd, YRD_COVS)}


@pytest.fixture(scope="module")
def ref() -> dict[str, pd.DataFrame]:
    return {"pscore": pd.read_csv(REF / "matchit_pscore.csv", dtype={"id": str}),
            "pairs": pd.read_csv(REF / "matchit_pairs.csv", dtype=str),
            "weights": pd.read_csv(REF / "matchit_weights.csv", dtype={"id": str}),
            "balance": pd.read_csv(REF / "matchit_balance.csv")}


@pytest.fixture(scope="module")
def yrd() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


def _match(units: dict, spec: str, **kw: object) -> PSMatch:
    dataset, k, caliper, replace = SPECS[spec]
    data, covs = units[dataset]
    return psm_match(data, "treat", covariates=covs, k=k, caliper=caliper, replace=replace,
                     common_support=False, balance_sd="treated", **kw)


def _tie_class(pscore: pd.Series) -> pd.Series:
    """Map each unit to the first unit of its run of scores equal within 1e-12."""
    s = pscore.sort_values(kind="stable")
    new = np.r_[True, np.diff(s.to_numpy()) > 1e-12]
    return pd.Series(s.index[np.maximum.accumulate(np.where(new, np.arange(len(s)), 0))],
                     index=s.index)


# -- scores ----------------------------------------------------------------------------
@pytest.mark.parametrize("dataset", ["lalonde", "yrd"])
def test_pscore_matches_matchit_glm(units: dict, ref: dict, dataset: str) -> None:
    m = _match(units, f"{dataset}_nn1_rep")
    r = ref["pscore"][ref["pscore"]["dataset"] == dataset].set_index("id")["pscore"]
    np.testing.assert_allclose(m.pscore.reindex(r.index).to_numpy(), r.to_numpy(),
                               rtol=0, atol=1e-8)


def test_logit_coefficients_match_statsmodels(units: dict) -> None:
    sm = pytest.importorskip("statsmodels.api")
    data, covs = units["lalonde"]
    m = _match(units, "lalonde_nn1_rep")
    fit = sm.Logit(data["treat"].astype(float), sm.add_constant(data[covs].astype(float))
                   ).fit(method="newton", tol=1e-14, maxiter=200, disp=0)
    np.testing.assert_allclose(m.logit.to_numpy(), fit.params.to_numpy(), rtol=1e-8)


# -- nearest-neighbour matching ---------------------------------------------------------
@pytest.mark.parametrize("spec", list(SPECS))
def test_matched_pairs_match_matchit(units: dict, ref: dict, spec: str) -> None:
    _, k, _, replace = SPECS[spec]
    m = _match(units, spec)
    r = ref["pairs"][ref["pairs"]["spec"] == spec]
    ours = m.matches
    assert set(ours["treated"]) == set(r["treated"])
    assert len(ours) == len(r)
    if k == 1:  # the same control for every treated unit (no score ties hit here)
        pd.testing.assert_series_equal(
            ours.set_index("treated")["control"].sort_index(),
            r.set_index("treated")["control"].sort_index(), check_names=False)
        return
    cls = _tie_class(m.pscore)
    key = ["treated", "rank", "control"] if not replace else ["treated", "control"]
    a = sorted(zip(*(ours[c] if c != "control" else cls[ours[c]].to_numpy() for c in key),
                   strict=True))
    b = sorted(zip(*(r[c] if c != "control" else cls[r[c]].to_numpy() for c in key),
                   strict=True))
    if "rank" in key:
        a = [(t, int(rk), c) for t, rk, c in a]
        b = [(t, int(rk), c) for t, rk, c in b]
        a, b = sorted(a), sorted(b)
    assert a == b


@pytest.mark.parametrize("spec", list(SPECS))
def test_weights_match_matchit(units: dict, ref: dict, spec: str) -> None:
    m = _match(units, spec)
    w = m.weights.copy()
    ctrl = ~m.treated
    w[ctrl] = w[ctrl] * (w[ctrl] > 0).sum() / w[ctrl].sum()  # MatchIt's rescaling
    r = ref["weights"][ref["weights"]["spec"] == spec].set_index("id")["weight"]
    cls = _tie_class(m.pscore)
    np.testing.assert_allclose(w.groupby(cls.reindex(w.index)).sum().sort_index().to_numpy(),
                               r.groupby(cls.reindex(r.index)).sum().sort_index().to_numpy(),
                               rtol=0, atol=1e-12)
    # psmatch2's convention: controls' weights sum to the number of matched treated
    assert m.weights[ctrl].sum() == pytest.approx(m.n_treated, abs=1e-12)


@pytest.mark.parametrize("spec", list(SPECS))
def test_balance_matches_matchit(units: dict, ref: dict, spec: str) -> None:
    b = _match(units, spec).balance.set_index("covariate")
    rb = ref["balance"][ref["balance"]["spec"] == spec]
    before = rb[rb["sample"] == "all"].set_index("covariate").reindex(b.index)
    after = rb[rb["sample"] == "matched"].set_index("covariate").reindex(b.index)
    pairs = [("std_diff_before", before["std_mean_diff"] * 100),
             ("mean_treated", before["mean_treated"]),
             ("mean_control_before", before["mean_control"]),
             ("var_ratio_before", before["var_ratio"]),
             ("std_diff_after", after["std_mean_diff"] * 100),
             ("mean_treated_after", after["mean_treated"]),
             ("mean_control_after", after["mean_control"]),
             ("var_ratio_after", after["var_ratio"])]
    for ours, theirs in pairs:
        np.testing.assert_allclose(b[ours].to_numpy(), theirs.to_numpy(dtype=float),
                                   rtol=1e-8, atol=1e-10, equal_nan=True, err_msg=ours)


def test_balance_pooled_sd_and_ttests(units: dict) -> None:
    """The pstest columns by hand: pooled-SD % bias, pooled t-test before, the
    importance-weighted regression t-test after, % bias reduction."""
    from scipy import stats

    data, covs = units["lalonde"]
    m = psm_match(data, "treat", covariates=covs, k=2, replace=True, common_support=False)
    b = m.balance.set_index("covariate")
    t = m.treated.to_numpy()
    w = m.weights.to_numpy()
    for c in ("age", "re74"):
        x = data[c].to_numpy(float)
        s = np.sqrt((x[t].var(ddof=1) + x[~t].var(ddof=1)) / 2)
        mc = np.average(x[~t & (w > 0)], weights=w[~t & (w > 0)])
        d_b = 100 * (x[t].mean() - x[~t].mean()) / s
        d_a = 100 * (x[t & (w > 0)].mean() - mc) / s
        assert b.loc[c, "std_diff_before"] == pytest.approx(d_b, rel=1e-12)
        assert b.loc[c, "std_diff_after"] == pytest.approx(d_a, rel=1e-12)
        assert b.loc[c, "bias_reduction"] == pytest.approx(100 * (1 - abs(d_a) / abs(d_b)))
        assert b.loc[c, "p_before"] == pytest.approx(
            stats.ttest_ind(x[t], x[~t]).pvalue, rel=1e-10)
        keep = w > 0  # Stata: regress x treated [iw=w]: N = Σw, df = Σw − 2
        X = np.column_stack([np.ones(keep.sum()), t[keep]])
        W = np.diag(w[keep])
        beta = np.linalg.solve(X.T @ W @ X, X.T @ W @ x[keep])
        e = x[keep] - X @ beta
        df = w[keep].sum() - 2
        se = np.sqrt((w[keep] @ e**2) / df * np.linalg.inv(X.T @ W @ X)[1, 1])
        assert b.loc[c, "p_after"] == pytest.approx(
            2 * stats.t.sf(abs(beta[1]) / se, df), rel=1e-9)


# -- kernel matching ---------------------------------------------------------------------
@pytest.mark.parametrize(("kernel", "h"), [("epanechnikov", 0.06), ("epanechnikov", 0.01),
                                           ("gaussian", 0.02)])
def test_kernel_weights_brute_force(units: dict, kernel: str, h: float) -> None:
    data, covs = units["lalonde"]
    m = psm_match(data, "treat", covariates=covs, method="kernel", kernel=kernel,
                  bandwidth=h, common_support=True)
    p, t = m.pscore, m.treated
    lo, hi = p[~t].min(), p[~t].max()
    controls = list(p.index[~t])
    expected_w = pd.Series(0.0, index=p.index)
    pair_w: dict[tuple[str, str], float] = {}
    no_match, off = [], []
    for i in p.index[t]:
        if p[i] < lo or p[i] > hi:
            off.append(i)
            continue
        ks = {}
        for j in controls:
            u = (p[j] - p[i]) / h
            ks[j] = (1 - u * u if abs(u) < 1 else 0.0) if kernel == "epanechnikov" \
                else float(np.exp(-u * u / 2))
        tot = sum(ks.values())
        if tot == 0:
            no_match.append(i)
            continue
        expected_w[i] = 1.0
        for j, kv in ks.items():
            if kv > 0:
                pair_w[(i, j)] = kv / tot
                expected_w[j] += kv / tot
    np.testing.assert_allclose(m.weights.to_numpy(), expected_w.to_numpy(), rtol=0, atol=1e-12)
    got = {(a, b): v for a, b, v in zip(m.matches["treated"], m.matches["control"],
                                        m.matches["weight"], strict=True)}
    assert got.keys() == pair_w.keys()
    np.testing.assert_allclose([got[kk] for kk in pair_w], list(pair_w.values()), atol=1e-12)
    assert set(m.off_support) == set(off)
    assert set(m.unmatched) == set(off) | set(no_match)
    assert m.matches.groupby("treated")["weight"].sum().to_numpy() == pytest.approx(1.0)
    if h == 0.01:
        assert no_match  # a narrow bandwidth leaves some treated units without controls


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 3), replace=st.booleans(),
       caliper=st.sampled_from([None, 0.05, 0.2]))
def test_nearest_invariants(seed: int, k: int, replace: bool, caliper: float | None) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    x = rng.normal(size=(n, 2))
    t = (x[:, 0] + rng.logistic(size=n) > 0.8).astype(int)
    if t.sum() < 2 or t.sum() > n - 5:
        return
    u = pd.DataFrame({"t": t, "a": x[:, 0], "b": x[:, 1]}, index=[f"u{i}" for i in range(n)])
    m = psm_match(u, "t", covariates=["a", "b"], k=k, caliper=caliper, replace=replace,
                  common_support=False)
    per = m.matches.groupby("treated")["weight"].sum()
    assert np.allclose(per, 1.0)
    assert m.weights[~m.treated].sum() == pytest.approx(len(per))
    assert m.matches.groupby("treated").size().max() <= k
    if caliper is not None:
        assert (m.matches["distance"] <= caliper).all()
    if not replace:
        assert not m.matches["control"].duplicated().any()
    assert set(m.unmatched) == set(m.treated.index[m.treated]) - set(per.index)


# -- PSM-DID on the panel ---------------------------------------------------------------
def test_psm_did_cross_section_matches_matchit(yrd: cityres.CityPanel, ref: dict) -> None:
    res = psm_did(yrd, "de_latent", cohort="cohort_broadband", covariates=YRD_COVS,
                  common_support=False, balance_sd="treated")
    assert res.pre == (2011, 2012, 2013)
    r = ref["pscore"][ref["pscore"]["dataset"] == "yrd"].set_index("id")["pscore"]
    np.testing.assert_allclose(res.pscore.reindex(r.index).to_numpy(), r.to_numpy(), atol=1e-8)
    rp = ref["pairs"][ref["pairs"]["spec"] == "yrd_nn1_rep"].set_index("treated")["control"]
    assert res.matches.set_index("treated")["control"].sort_index().tolist() == \
        rp.sort_index().tolist()


def _hand_frame(panel: cityres.CityPanel, y: str, weights: pd.Series) -> pd.DataFrame:
    f = panel.data.reset_index()[["city", "year", y, "cohort_broadband"]]
    g = f["cohort_broadband"]
    f["D"] = ((g > 0) & (f["year"] >= g)).astype(float)
    f["w"] = weights.reindex(f["city"]).to_numpy()
    return f[f["w"] > 0].reset_index(drop=True)


@pytest.mark.parametrize("method", ["nearest", "kernel"])
def test_did_equals_weighted_pyfixest(yrd: cityres.CityPanel, method: str) -> None:
    import pyfixest as pf

    res = psm_did(yrd, "de_latent", cohort="cohort_broadband", covariates=YRD_COVS,
                  method=method, controls=["gdp_pc"])
    f = _hand_frame(yrd, "de_latent", res.weights)
    f["gdp_pc"] = yrd.data["gdp_pc"].reindex(pd.MultiIndex.from_frame(f[["city", "year"]])
                                             ).to_numpy()
    fit = pf.feols("de_latent ~ D + gdp_pc | city + year", data=f, weights="w",
                   vcov={"CRV1": "city"})
    np.testing.assert_allclose(res.params.to_numpy(), fit.coef().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.std_errors.to_numpy(), fit.se().to_numpy(), rtol=1e-10)
    assert res.nobs == len(f)
    assert res.did.n_entities == res.matching.n_treated + res.matching.n_controls


def test_did_equals_replicated_controls(yrd: cityres.CityPanel) -> None:
    """Integer weights (1:1 with replacement): weighted TWFE = unweighted TWFE on a panel
    with each control city repeated weight times (each copy its own fixed effect)."""
    res = psm_did(yrd, "de_latent", cohort="cohort_broadband", covariates=YRD_COVS)
    w = res.weights
    assert np.all(w == np.round(w))
    f = _hand_frame(yrd, "de_latent", w)
    copies = [f.assign(city=f["city"] + f"#{r}")[f["w"] > r] for r in range(int(w.max()))]
    big = pd.concat(copies, ignore_index=True)
    fit = fit_fe("de_latent ~ D", big, entity="city", time="year")
    assert res.estimate == pytest.approx(float(fit.params["D"]), rel=1e-10)


def test_unmatched_listed_and_left_out(yrd: cityres.CityPanel) -> None:
    res = psm_did(yrd, "de_latent", cohort="cohort_broadband", covariates=YRD_COVS,
                  replace=False, caliper=0.03)
    out = set(res.unmatched)
    assert out and out == set(res.weights.index[(res.weights == 0) & res.matching.treated])
    assert set(res.matching.off_support) <= out
    assert not out & set(res.did.clusters().unique())
    text = res.summary()
    assert all(str(u) in text for u in out)
    assert len(res.tidy()) == 1 and res.tidy()["term"].tolist() == ["D"]


def test_pre_periods_and_missing_outside_pre(yrd: cityres.CityPanel) -> None:
    df = yrd.data.copy()
    df.loc[("320100", 2020), "gdp_pc"] = np.nan  # outside the pre-period: not used
    res = psm_did(df, "de_latent", cohort="cohort_broadband", covariates=YRD_COVS)
    assert res.pre == (2011, 2012, 2013)
    res2 = psm_did(yrd, "de_latent", cohort="cohort_broadband", covariates=YRD_COVS,
                   pre=[2012, 2013])
    assert res2.pre == (2012, 2013)
    assert not np.allclose(res.pscore, res2.pscore)


# -- bad input ---------------------------------------------------------------------------
def test_missing_covariate_in_pre_year_names_city_year(yrd: cityres.CityPanel) -> None:
    df = yrd.data.copy()
    df.loc[("320100", 2012), "openness"] = np.nan
    with pytest.raises(PanelError, match=r"320100.*2012.*openness"):
        psm_did(df, "de_latent", cohort="cohort_broadband", covariates=YRD_COVS)


@pytest.mark.parametrize(("kw", "err", "pattern"), [
    ({"method": "radius"}, ArgumentError, "'nearest' or 'kernel'"),
    ({"kernel": "tricube"}, ArgumentError, "'epanechnikov' or 'gaussian'"),
    ({"k": 0}, ArgumentError, "k=0"),
    ({"k": 1.5}, ArgumentError, "k=1.5"),
    ({"caliper": 0}, ArgumentError, "caliper=0"),
    ({"caliper": -0.1}, ArgumentError, "caliper=-0.1"),
    ({"caliper": "wide"}, ArgumentTypeError, "caliper"),
    ({"bandwidth": 0.0}, ArgumentError, "bandwidth"),
    ({"pre": [2013, 2014]}, ArgumentError, r"\[2014\].*2014"),
    ({"pre": [2005]}, ArgumentError, "not in the data"),
    ({"always_treated": "keep"}, ArgumentError, "'error' or 'drop'"),
    ({"covariates": []}, ArgumentError, "non-empty"),
    ({"covariates": ["gdp_pc", "nonesuch"]}, ArgumentError, "nonesuch"),
    ({"balance_sd": "control"}, ArgumentError, "'pooled' or 'treated'"),
    ({"vcov": "hac"}, ArgumentError, "vcov"),
])
def test_bad_arguments(yrd: cityres.CityPanel, kw: dict, err: type, pattern: str) -> None:
    args: dict = {"covariates": YRD_COVS, **kw}
    with pytest.raises(err, match=pattern):
        psm_did(yrd, "de_latent", cohort="cohort_broadband", **args)


def test_no_overlap_is_an_error() -> None:
    u = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0, 0], "x": [5.0, 6, 7, 1, 2, 3, 2.5]},
                     index=list("abcdefg"))
    with pytest.raises(PanelError, match="separate"):
        psm_match(u, "t", covariates=["x"])


def test_all_treated_off_support_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # a converged logit always overlaps; simulate scores where it does not
    import cityres.econometrics.did._psmatch as mod

    def fake(X: pd.DataFrame, t: np.ndarray, where: str = "") -> tuple:
        return np.where(t, 0.9, 0.2) + np.arange(len(t)) * 1e-3, pd.Series(dtype=float)

    monkeypatch.setattr(mod, "logit_pscore", fake)
    u = pd.DataFrame({"t": [1, 1, 0, 0, 0], "x": [1.0, 2, 3, 4, 5]}, index=list("abcde"))
    with pytest.raises(PanelError, match="off the common support"):
        psm_match(u, "t", covariates=["x"])


def test_no_treated_matched_is_an_error(units: dict) -> None:
    data, covs = units["yrd"]
    with pytest.raises(PanelError, match="no treated unit found a control"):
        psm_match(data, "treat", covariates=covs, caliper=1e-12, common_support=False)


def test_collinear_and_constant_covariates(units: dict) -> None:
    data, covs = units["yrd"]
    d = data.assign(twice=2 * data["gdp_pc"], one=1.0)
    with pytest.raises(PanelError, match="collinear"):
        psm_match(d, "treat", covariates=[*covs, "twice"])
    with pytest.raises(PanelError, match="do not vary"):
        psm_match(d, "treat", covariates=[*covs, "one"])


def test_dataframe_with_integer_ids(yrd: cityres.CityPanel) -> None:
    df = yrd.data.reset_index()
    codes = {c: i for i, c in enumerate(sorted(df["city"].unique()))}
    df["cid"] = df["city"].map(codes)
    a = psm_did(df.drop(columns="city"), "de_latent", cohort="cohort_broadband",
                covariates=YRD_COVS, entity="cid", time="year")
    b = psm_did(yrd, "de_latent", cohort="cohort_broadband", covariates=YRD_COVS)
    assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
    assert a.pscore.index.tolist() == list(range(41))
