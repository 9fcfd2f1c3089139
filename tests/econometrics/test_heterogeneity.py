"""Subgroup regressions and the three group-difference tests (``subgroups``).

References, computed in the same run with pyfixest (installed with the test extra):

- each group's model: ``pf.feols("y ~ x + c | city + year", subsample, vcov={"CRV1":
  "city"})`` — coefficients to 1e-10, clustered standard errors to 1e-8 (relative);
- Chow-type test: ``pf.feols`` of the pooled model with explicit interaction columns
  ``x_0 = x·1[g=0]``, ``x_1 = x·1[g=1]`` (every regressor) and interacted fixed effects
  ``| city^grp + year^grp``, CRV1 by city, then ``wald_test(R, distribution="chi2")``:
  our F equals its ``_f_statistic`` (W / J) and our p equals ``f.sf(F, J, _dfd)`` with its
  denominator degrees of freedom (clusters − 1), to 1e-8;
- suest test: the stacked regression (the groups' data stacked with group-specific
  regressors and group-specific fixed effects, clustered by city) fitted by pyfixest with
  ``ssc=pf.ssc(k_adj=False, G_adj=True)`` — the small-sample factor is C/(C − 1) only, as
  our suest — and its Wald χ² of b_1 = b_2 (``_wald_statistic``, ``_p_value``), to 1e-8;
- the fast within estimator of the permutation loop equals ``fit_fe`` on the original
  groups to 1e-10, for balanced, unbalanced and period subsamples and every ``effects``.

The permutation test is checked for reproducibility (same seed → same draws; serial ==
processes backend), its size under no difference and power under one (slow), and on a
simulated panel (``cityres.datasets.simulate``) with the open top / bottom difference.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.econometrics import fit_fe
from cityres.econometrics._difftests import (
    PermutationProblem,
    comparisons_for,
    observed,
    permutation_pvalues,
    within_coefs,
)
from cityres.econometrics._groups import (
    city_list,
    column_groups,
    period_split,
    quantile_groups,
)
from cityres.econometrics.heterogeneity import ALL_SLOPES, subgroups

CONTROLS = ["gdp_pc", "fiscal_share"]
REGS = ["de_latent", *CONTROLS]


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def frame(panel: cityres.CityPanel) -> pd.DataFrame:
    d = panel.data.reset_index()
    for col in ("region", "open_group", "size_class"):
        d[col] = d["city"].map(panel.cities[col])
    return d


def _quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


GROUPINGS = {
    "region": ("region", lambda d: (d["region"] == "east").astype(int)),
    "period": (period_split(2017), lambda d: (d["year"] >= 2017).astype(int)),
}


@pytest.fixture(scope="module", params=list(GROUPINGS))
def case(request: pytest.FixtureRequest, panel: cityres.CityPanel,
         frame: pd.DataFrame) -> tuple[object, pd.DataFrame]:
    by, code = GROUPINGS[request.param]
    res = subgroups(panel, "resilience", "de_latent", by=by, controls=CONTROLS,
                    permutations=49, seed=7)
    d = frame.copy()
    d["grp"] = code(d)
    return res, d


def _interacted(d: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    d = d.copy()
    names = []
    for r in REGS:
        for j in (0, 1):
            d[f"{r}_{j}"] = d[r] * (d["grp"] == j)
            names.append(f"{r}_{j}")
    return d, names


def test_groups_equal_pyfixest_on_subsamples(case: tuple) -> None:
    res, d = case
    for j, label in enumerate(res.order):
        ref = _quiet(pf.feols, "resilience ~ " + " + ".join(REGS) + " | city + year",
                     d[d["grp"] == j], vcov={"CRV1": "city"})
        m = res.models[label]
        assert m.nobs == ref._N
        assert_allclose(m.params.to_numpy(), ref.coef().to_numpy(), rtol=1e-10)
        assert_allclose(m.std_errors.to_numpy(), ref.se().to_numpy(), rtol=1e-8)


def test_chow_equals_pyfixest_wald_on_the_pooled_interaction_model(case: tuple) -> None:
    res, d = case
    d, names = _interacted(d)
    fit = _quiet(pf.feols, "resilience ~ " + " + ".join(names) + " | city^grp + year^grp", d,
                 vcov={"CRV1": "city"})
    # x's slope equal in both groups
    R = np.zeros((1, len(names)))
    R[0, names.index("de_latent_0")], R[0, names.index("de_latent_1")] = 1.0, -1.0
    _quiet(fit.wald_test, R=R, distribution="chi2")
    row = res.tests.set_index("coefficient").loc["de_latent"]
    assert_allclose(row["chow_F"], fit._f_statistic, rtol=1e-8)
    assert_allclose(row["chow_p"], stats.f.sf(fit._f_statistic, 1, fit._dfd), rtol=1e-8)
    # every slope equal (the full Chow test)
    R = np.zeros((len(REGS), len(names)))
    for i, r in enumerate(REGS):
        R[i, names.index(f"{r}_0")], R[i, names.index(f"{r}_1")] = 1.0, -1.0
    _quiet(fit.wald_test, R=R, distribution="chi2")
    row = res.tests.set_index("coefficient").loc[ALL_SLOPES]
    assert row["chow_df"] == len(REGS)
    assert_allclose(row["chow_F"], fit._f_statistic, rtol=1e-8)
    assert_allclose(row["chow_p"], stats.f.sf(fit._f_statistic, len(REGS), fit._dfd),
                    rtol=1e-8)
    # the pooled model's group slopes are the subgroup estimates
    for j, label in enumerate(res.order):
        assert_allclose(res.pooled.params[[f"{r}_g{j + 1}" for r in REGS]].to_numpy(),
                        res.models[label].params[REGS].to_numpy(), rtol=1e-9)


def test_suest_equals_the_stacked_regression(case: tuple) -> None:
    res, d = case
    d, names = _interacted(d)
    fit = _quiet(pf.feols, "resilience ~ " + " + ".join(names) + " | city^grp + year^grp", d,
                 vcov={"CRV1": "city"}, ssc=pf.ssc(k_adj=False, G_adj=True))
    R = np.zeros((1, len(names)))
    R[0, names.index("de_latent_0")], R[0, names.index("de_latent_1")] = 1.0, -1.0
    _quiet(fit.wald_test, R=R, distribution="chi2")
    row = res.tests.set_index("coefficient").loc["de_latent"]
    assert row["suest_df"] == 1
    assert_allclose(row["suest_chi2"], fit._wald_statistic, rtol=1e-8)
    assert_allclose(row["suest_p"], fit._p_value, rtol=1e-8)
    # the joint covariance: the stacked regression's, reordered
    order = [f"{r}_{j}" for j in (0, 1) for r in REGS]
    V = pd.DataFrame(fit._vcov, index=names, columns=names).loc[order, order]
    assert_allclose(res.suest_cov.to_numpy(), V.to_numpy(), rtol=1e-8)


def test_period_split_makes_the_groups_covary(case: tuple) -> None:
    res, _ = case
    V = res.suest_cov
    cross = V.loc[[f"{res.order[0]}:{r}" for r in REGS], [f"{res.order[1]}:{r}" for r in REGS]]
    if res.level == "period":  # every city in both groups: nonzero covariance
        assert np.abs(cross.to_numpy()).max() > 0
    else:                      # cities in one group only: independent
        assert np.abs(cross.to_numpy()).max() == 0


@pytest.mark.parametrize("effects", ["twoways", "individual", "time", "none"])
@pytest.mark.parametrize("sample", ["cities", "period", "unbalanced"])
def test_fast_within_equals_fit_fe(frame: pd.DataFrame, effects: str, sample: str) -> None:
    if sample == "cities":
        d = frame[frame["region"] == "east"]
    elif sample == "period":
        d = frame[frame["year"] >= 2017]
    else:
        d = frame.drop(frame.sample(60, random_state=3).index)
    fit = fit_fe("resilience ~ " + " + ".join(REGS), d, entity="city", time="year",
                 effects=effects)  # type: ignore[arg-type]
    b = within_coefs(d[["resilience", *REGS]].to_numpy(), pd.factorize(d["city"])[0],
                     pd.factorize(d["year"])[0], effects)  # type: ignore[arg-type]
    assert_allclose(b, fit.params[REGS].to_numpy(), rtol=1e-10)


def test_permutation_statistic_on_the_original_groups_is_the_fit_fe_difference(
        case: tuple, frame: pd.DataFrame) -> None:
    res, _ = case
    ent = pd.factorize(frame["city"])[0]
    per = pd.factorize(frame["year"])[0]
    labels = res.groups.to_numpy()
    problem = PermutationProblem(frame[["resilience", *REGS]].to_numpy(), ent, per,
                                 "twoways", 1, comparisons_for(labels, res.order, res.level,
                                                               ent, per))
    b = [res.models[g].params["de_latent"] for g in res.order]
    assert_allclose(observed(problem)[0, 0], b[1] - b[0], rtol=1e-10)
    row = res.tests.set_index("coefficient").loc["de_latent"]
    assert_allclose(row["difference"], b[1] - b[0], rtol=1e-12)
    assert res.permutation_draws.shape == (49, 1)


def test_permutation_is_reproducible_and_backend_free(panel: cityres.CityPanel) -> None:
    kw = dict(controls=CONTROLS, test="permutation", permutations=40, seed=123)
    a = subgroups(panel, "resilience", "de_latent", by="open_group", **kw)
    b = subgroups(panel, "resilience", "de_latent", by="open_group", **kw)
    c = subgroups(panel, "resilience", "de_latent", by="open_group", backend="processes", **kw)
    pd.testing.assert_frame_equal(a.permutation_draws, b.permutation_draws)
    pd.testing.assert_frame_equal(a.permutation_draws, c.permutation_draws)
    pd.testing.assert_frame_equal(a.tests, c.tests)
    d = subgroups(panel, "resilience", "de_latent", by="open_group",
                  **{**kw, "seed": 124})
    assert not a.permutation_draws.equals(d.permutation_draws)
    assert a.seed_entropy == 123


def test_three_groups_give_pairs_and_a_joint_test(panel: cityres.CityPanel) -> None:
    res = subgroups(panel, "resilience", ["de_latent", "ec_latent"], by="open_group",
                    permutations=20, seed=1)
    assert res.order == ("bottom", "middle", "top")
    t = res.tests
    assert list(t["comparison"].unique()) == ["middle − bottom", "top − bottom",
                                              "top − middle", "all groups equal"]
    joint = t[(t["comparison"] == "all groups equal") & (t["coefficient"] == "de_latent")]
    assert int(joint["chow_df"].iloc[0]) == 2 and int(joint["suest_df"].iloc[0]) == 2
    assert t.loc[t["coefficient"] == ALL_SLOPES, "chow_df"].iloc[0] == 4
    assert res.permutation_draws.shape == (20, 8)
    assert (t["n_permutations"].dropna() == 20).all()
    tidy = res.tidy()
    assert set(tidy["group"]) == {"bottom", "middle", "top"} and len(tidy) == 6
    assert "all groups equal" in res.summary()


def test_permutation_units_follow_the_level_of_the_grouping() -> None:
    # 4 cities × 4 years; the statistic is computed, so check the shuffles themselves
    entity = np.repeat(np.arange(4), 4)
    time = np.tile(np.arange(4), 4)
    city_labels = np.array(["a", "a", "b", "b"], dtype=object)[entity]
    period_labels = np.where(time < 2, "a", "b").astype(object)
    (c,) = comparisons_for(city_labels, ("a", "b"), "entity", entity, time)
    assert c.unit_labels.tolist() == [0, 0, 1, 1] and c.units.tolist() == entity.tolist()
    (p,) = comparisons_for(period_labels, ("a", "b"), "period", entity, time)
    assert p.unit_labels.tolist() == [0, 0, 1, 1] and p.units.tolist() == time.tolist()
    obs = np.where((entity + time) % 3 == 0, "a", "b").astype(object)
    (o,) = comparisons_for(obs, ("a", "b"), "observation", entity, time)
    assert o.strata is not None and o.units.tolist() == list(range(16))
    # within-period shuffles keep each period's group counts
    rng = np.random.default_rng(0)
    for _ in range(20):
        order = np.argsort(o.strata, kind="stable")
        target = np.lexsort((rng.random(16), o.strata))
        shuffled = np.empty_like(o.unit_labels)
        shuffled[target] = o.unit_labels[order]
        for t in range(4):
            assert sorted(shuffled[time == t]) == sorted(o.unit_labels[time == t])


def test_pvalues_count_the_observed_direction() -> None:
    draws = np.array([-3.0, -1.0, 0.5, 1.0, 2.0])
    two, one, n = permutation_pvalues(1.0, draws, joint=False)
    assert (two, one, n) == ((1 + 4) / 6, (1 + 2) / 6, 5)
    two, one, _ = permutation_pvalues(-1.0, draws, joint=False)
    assert (two, one) == ((1 + 4) / 6, (1 + 2) / 6)
    two, one, n = permutation_pvalues(1.0, np.array([np.nan, 0.5, 2.0]), joint=True)
    assert (two, one, n) == (2 / 3, 2 / 3, 2)


def test_city_list_and_quantile_groups(panel: cityres.CityPanel) -> None:
    caps = ["310000", "320100", "330100", "340100"]
    res = subgroups(panel, "resilience", "de_latent", by=city_list(
        [*caps, "320500", "330200"], label_in="big"), test="chow", min_entities=5)
    assert res.order == ("others", "big") and res.level == "entity"
    assert res.models["big"].n_entities == 6
    q = subgroups(panel, "resilience", "de_latent", by=quantile_groups("openness", q=3),
                  test=("chow", "suest"))
    assert q.order == ("low", "middle", "high")
    assert sorted(m.n_entities for m in q.models.values()) == [13, 14, 14]
    first = quantile_groups("openness", stat="first")
    f = subgroups(panel, "resilience", "de_latent", by=first, test="suest")
    assert f.level == "entity" and f.groups.name == first.name
    cy = subgroups(panel, "resilience", "de_latent", effects="time",
                   by=quantile_groups("openness", by="city-year"), permutations=10, seed=0)
    assert cy.level == "observation"
    per_year = cy.groups.groupby(level="year").value_counts().unstack()
    assert (per_year["low"] >= 20).all() and (per_year["high"] >= 20).all()


def test_a_post_dummy_column_is_period_level(frame: pd.DataFrame) -> None:
    d = frame.assign(post=(frame["year"] >= 2017).astype(int))
    res = subgroups(d, "resilience", "de_latent", by="post", entity="city", time="year",
                    test="permutation", permutations=5, seed=0)
    assert res.level == "period" and res.order == ("0", "1")


# --- bad input -------------------------------------------------------------------------

def test_unknown_grouping_column(panel: cityres.CityPanel) -> None:
    with pytest.raises(ArgumentError, match=r"unknown grouping column 'regoin'.*city table"):
        subgroups(panel, "resilience", "de_latent", by="regoin")


def test_a_grouping_with_one_group(frame: pd.DataFrame) -> None:
    d = frame.assign(everyone="all")
    with pytest.raises(ArgumentError, match=r"grouping 'everyone' has one group only"):
        subgroups(d, "resilience", "de_latent", by="everyone", entity="city", time="year")
    with pytest.raises(ArgumentError, match=r"period_split\(2011\).*one group"):
        subgroups(d, "resilience", "de_latent", by=period_split(2011), entity="city",
                  time="year")


def test_a_group_too_small_is_named_with_its_size(panel: cityres.CityPanel) -> None:
    with pytest.raises(PanelError, match=r"group 'big' of grouping 'big vs others' is too "
                                         r"small.*26 observation\(s\), 2 city value"):
        subgroups(panel, "resilience", "de_latent", by=city_list(["310000", "320100"],
                                                                 label_in="big"))
    with pytest.raises(PanelError, match=r"'2023'.*1 year value.*at least 2 year"):
        subgroups(panel, "resilience", "de_latent", by=period_split(2023))


def test_missing_grouping_values_name_the_cities(frame: pd.DataFrame) -> None:
    d = frame.copy()
    d.loc[d["city"].isin(["320200", "340100"]), "region"] = None
    with pytest.raises(PanelError, match=r"'region' is missing for 26 row\(s\), city "
                                         r"\['320200', '340100'\]"):
        subgroups(d, "resilience", "de_latent", by="region", entity="city", time="year")


@pytest.mark.parametrize("bad", [0, -5, 2.5, True])
def test_permutations_must_be_positive(panel: cityres.CityPanel, bad: object) -> None:
    with pytest.raises(ArgumentError, match=r"permutations=.*accepted: an integer >= 1"):
        subgroups(panel, "resilience", "de_latent", by="region", permutations=bad)  # type: ignore[arg-type]


def test_other_bad_arguments(panel: cityres.CityPanel) -> None:
    with pytest.raises(ArgumentError, match=r"test=\['bdiff'\]; accepted"):
        subgroups(panel, "resilience", "de_latent", by="region", test="bdiff")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"controls: \['de_latent'\] are also in x"):
        subgroups(panel, "resilience", "de_latent", by="region", controls=["de_latent"])
    with pytest.raises(ArgumentTypeError, match=r"by: expected a column name"):
        subgroups(panel, "resilience", "de_latent", by=3)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"ids \['999999'\] are not city values"):
        subgroups(panel, "resilience", "de_latent", by=city_list(["999999"]))
    with pytest.raises(ArgumentError, match=r"order=\['east'\] must list each value"):
        subgroups(panel, "resilience", "de_latent", by=column_groups("region", order=["east"]))
    with pytest.raises(ArgumentError, match=r"q=1; accepted"):
        quantile_groups("openness", q=1)
    with pytest.raises(PanelError, match=r"singleton.*group by city"):
        subgroups(panel, "resilience", "de_latent", by=quantile_groups("openness",
                                                                       by="city-year"))


# --- statistical behaviour -------------------------------------------------------------

def _null_panel(seed: int, delta: float) -> pd.DataFrame:
    """40 cities × 10 years, y = a_i + f_t + (1 + delta·g_i) x + e; g_i = 1 for half."""
    rng = np.random.default_rng(seed)
    n, t = 40, 10
    city = np.repeat(np.arange(n), t)
    year = np.tile(np.arange(t), n)
    g = (np.arange(n) % 2)[city]
    x = rng.normal(size=n)[city] + rng.normal(size=t)[year] + rng.normal(size=n * t)
    e = rng.normal(size=n * t) * (0.5 + 0.5 * rng.uniform(size=n))[city]
    y = rng.normal(size=n)[city] + rng.normal(size=t)[year] + (1 + delta * g) * x + e
    return pd.DataFrame({"city": city, "year": year, "y": y, "x": x,
                         "g": np.where(g == 1, "b", "a")})


@pytest.mark.slow
def test_permutation_size_and_power() -> None:
    """No difference: the 5 % test rejects in at most 12 of 100 panels (binomial tail
    P(X > 12 | 0.05) ≈ 0.001); a difference of 0.3 is found in at least 24 of 30."""
    def reject(seed: int, delta: float) -> bool:
        res = subgroups(_null_panel(seed, delta), "y", "x", by="g", entity="city",
                        time="year", test="permutation", permutations=99, seed=seed)
        return bool(res.tests["perm_p"].iloc[0] <= 0.05)

    size = sum(reject(s, 0.0) for s in range(100))
    power = sum(reject(1000 + s, 0.3) for s in range(30))
    assert size <= 12, size
    assert power >= 24, power


def test_permutation_draw_on_a_null_panel_is_finite() -> None:
    res = subgroups(_null_panel(0, 0.0), "y", "x", by="g", entity="city", time="year",
                    test="permutation", permutations=30, seed=1)
    assert np.isfinite(res.permutation_draws.to_numpy()).all()
    assert 0 < res.tests["perm_p"].iloc[0] <= 1


def test_simulated_open_top_bottom_difference_is_detected() -> None:
    """A simulated lattice (cityres.datasets.simulate) with the outcome's other sources of
    heterogeneity switched off (no spatial lag or W·D, no threshold, no period multiplier),
    more idiosyncratic variation in D and the channels controlled for: top-openness cities
    have a larger effect of D than bottom ones (true ratio of mean effects from the
    ``de_effect`` column)."""
    from cityres.datasets import simulate

    params = {"outcome": {"rho": 0.0, "theta_de": 0.0, "post_mult": 1.0, "beta_high": 0.12},
              "digital": {"noise_sd": 0.04}}
    p = simulate(900, seed=5, params=params).to_panel().ln(["gdp_pc", "population"])
    d = p.data.reset_index()
    d["open_group"] = d["city"].map(p.cities["open_group"])
    d = d[d["open_group"] != "middle"]
    controls = ["ec_latent", "innovation", "upgrading", "misallocation", "consumption_pc",
                "emp_diversity", "ln_gdp_pc", "ln_population", "fiscal_share", "openness",
                "urbanisation"]
    res = subgroups(d, "resilience", "de_latent", by="open_group", entity="city",
                    time="year", controls=controls, permutations=199, seed=2)
    row = res.tests.set_index("coefficient").loc["de_latent"]
    assert row["comparison"] == "top − bottom" and row["difference"] > 0
    assert row["chow_p"] < 0.01 and row["suest_p"] < 0.01 and row["perm_p"] < 0.01
    true_ratio = (d.loc[d["open_group"] == "top", "de_effect"].mean()
                  / d.loc[d["open_group"] == "bottom", "de_effect"].mean())
    assert abs(row["ratio"] - true_ratio) < 0.35, (row["ratio"], true_ratio)


def test_a_seed_sequence_seed_gives_the_same_draws(panel: cityres.CityPanel) -> None:
    res = subgroups(panel, "resilience", "de_latent", by="region", test="permutation",
                    permutations=3, seed=5)
    again = subgroups(panel, "resilience", "de_latent", by="region", test="permutation",
                      permutations=3, seed=np.random.SeedSequence(5))
    pd.testing.assert_frame_equal(res.permutation_draws, again.permutation_draws)
