"""Classic and spatial Markov chains (cityres.dynamics.markov).

Reference: giddy 2.3.8's documented example on US state per-capita income, 48 states,
1929–2009 (``usjoin.csv`` and ``states48.gal``, shipped with libpysal's examples and read
offline here). The numbers below are copied from the docstrings printed in giddy 2.3.8,
``giddy/markov.py``:

* ``Markov`` docstring, "US nominal per capita income 48 states 81 years 1929-2009":
  within-year quintiles (``mc.Quantiles(y).yb`` per year) → ``m.transitions``,
  ``m.steady_state``; "Relative incomes": pooled quintiles of income / year mean →
  ``mq.transitions``, ``mq.steady_state``.
* ``Spatial_Markov`` docstring, case (1) ``Spatial_Markov(rpci, w, fixed=True, k=5, m=5)``
  with row-standardised ``states48.gal``: ``sm.P``, ``sm.p``, ``sm.LR`` = 170.659,
  ``sm.Q`` = 200.624, ``sm.dof_hom`` = 60, ``sm.S`` and ``sm.F`` (first lag class); case
  (2) ``m=4``: LR 172.105, Q 321.128, dof 45.

Counts must agree exactly; probabilities, steady states and first-passage times to the
8 decimals giddy prints (atol 1e-8), test statistics to the 3 decimals printed. Within-
year spatial chains are compared with giddy's ``Spatial_Markov(fixed=False)`` run live
(rtol 1e-12), and the time-homogeneity test with the Bickenbach–Bode formulas written
out here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, WeightsError
from cityres.dynamics.markov import markov, quantile_classes
from cityres.spatial.weights import Weights

libpysal = pytest.importorskip("libpysal")
YEARS = list(range(1929, 2010))


@pytest.fixture(scope="module")
def usjoin() -> pd.DataFrame:
    f = libpysal.io.open(libpysal.examples.get_path("usjoin.csv"))
    pci = np.array([f.by_col[str(y)] for y in YEARS]).T
    wide = pd.DataFrame(pci, index=pd.Index([str(i) for i in range(48)], name="state"),
                        columns=pd.Index(YEARS, name="year"))
    return wide.stack().rename("pci").to_frame()


@pytest.fixture(scope="module")
def w48() -> object:
    return libpysal.io.open(libpysal.examples.get_path("states48.gal")).read()


def test_within_year_quintiles_reproduce_giddy_markov(usjoin: pd.DataFrame) -> None:
    res = markov(usjoin, "pci", k=5)
    np.testing.assert_array_equal(res.transitions.to_numpy(), [
        [729, 71, 1, 0, 0], [72, 567, 80, 3, 0], [0, 81, 631, 86, 2],
        [0, 3, 86, 573, 56], [0, 0, 1, 57, 741]])
    np.testing.assert_allclose(res.p.to_numpy(), [
        [0.91011236, 0.0886392, 0.00124844, 0.0, 0.0],
        [0.09972299, 0.78531856, 0.11080332, 0.00415512, 0.0],
        [0.0, 0.10125, 0.78875, 0.1075, 0.0025],
        [0.0, 0.00417827, 0.11977716, 0.79805014, 0.07799443],
        [0.0, 0.0, 0.00125156, 0.07133917, 0.92740926]], atol=1e-8)
    np.testing.assert_allclose(
        res.steady_state, [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187],
        atol=1e-8)
    assert list(res.p.index) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert not res.spatial and res.notes == ()


def test_pooled_relative_quintiles_reproduce_giddy(usjoin: pd.DataFrame) -> None:
    res = markov(usjoin, "pci", k=5, classes="pooled", relative=True)
    np.testing.assert_array_equal(res.transitions.to_numpy(), [
        [707, 58, 7, 1, 0], [50, 629, 80, 1, 1], [4, 79, 610, 73, 2],
        [0, 7, 72, 650, 37], [0, 0, 0, 48, 724]])
    np.testing.assert_allclose(
        res.steady_state, [0.17957376, 0.21631443, 0.21499942, 0.21134662, 0.17776576],
        atol=1e-8)
    assert res.cutoffs.index.tolist() == ["pooled"]


def test_spatial_markov_reproduces_giddy_docstring(usjoin: pd.DataFrame, w48: object) -> None:
    res = markov(usjoin, "pci", k=5, w=w48, classes="pooled", relative=True)
    np.testing.assert_allclose(res.lag_cutoffs.to_numpy().ravel(),
                               [0.88973386, 0.95891917, 1.01469758, 1.1183566], atol=1e-8)
    np.testing.assert_allclose(res.cutoffs.to_numpy().ravel(),
                               [0.83999133, 0.94707545, 1.03242697, 1.14911154], atol=1e-8)
    np.testing.assert_allclose(res.p.loc["L1"].to_numpy(), [
        [0.96341463, 0.0304878, 0.00609756, 0.0, 0.0],
        [0.06040268, 0.83221477, 0.10738255, 0.0, 0.0],
        [0.0, 0.14, 0.74, 0.12, 0.0],
        [0.0, 0.03571429, 0.32142857, 0.57142857, 0.07142857],
        [0.0, 0.0, 0.0, 0.16666667, 0.83333333]], atol=1e-8)
    np.testing.assert_allclose(res.p.loc["L5"].to_numpy(), [
        [0.33333333, 0.66666667, 0.0, 0.0, 0.0],
        [0.0483871, 0.77419355, 0.16129032, 0.01612903, 0.0],
        [0.01149425, 0.16091954, 0.74712644, 0.08045977, 0.0],
        [0.0, 0.01036269, 0.06217617, 0.89637306, 0.03108808],
        [0.0, 0.0, 0.0, 0.02352941, 0.97647059]], atol=1e-8)
    np.testing.assert_allclose(res.chain.p.to_numpy(), [
        [0.91461837, 0.07503234, 0.00905563, 0.00129366, 0.0],
        [0.06570302, 0.82654402, 0.10512484, 0.00131406, 0.00131406],
        [0.00520833, 0.10286458, 0.79427083, 0.09505208, 0.00260417],
        [0.0, 0.00913838, 0.09399478, 0.84856397, 0.04830287],
        [0.0, 0.0, 0.0, 0.06217617, 0.93782383]], atol=1e-8)
    np.testing.assert_allclose(res.steady_state.to_numpy(), [
        [0.43509425, 0.2635327, 0.20363044, 0.06841983, 0.02932278],
        [0.13391287, 0.33993305, 0.25153036, 0.23343016, 0.04119356],
        [0.12124869, 0.21137444, 0.2635101, 0.29013417, 0.1137326],
        [0.0776413, 0.19748806, 0.25352636, 0.22480415, 0.24654013],
        [0.01776781, 0.19964349, 0.19009833, 0.25524697, 0.3372434]], atol=1e-8)
    np.testing.assert_allclose(res.mfpt.loc["L1"].to_numpy(), [
        [2.29835259, 28.95614035, 46.14285714, 80.80952381, 279.42857143],
        [33.86549708, 3.79459555, 22.57142857, 57.23809524, 255.85714286],
        [43.60233918, 9.73684211, 4.91085714, 34.66666667, 233.28571429],
        [46.62865497, 12.76315789, 6.25714286, 14.61564626, 198.61904762],
        [52.62865497, 18.76315789, 12.25714286, 6.0, 34.1031746]], atol=1e-8)
    h = res.spatial_homogeneity
    assert h is not None
    assert (f"{h.lr:.3f}", f"{h.q:.3f}", h.dof) == ("170.659", "200.624", 60)
    assert f"{h.lr_pvalue:.3f}" == "0.000" and h.n_transitions == 3840
    res4 = markov(usjoin, "pci", k=5, m=4, w=w48, classes="pooled", relative=True)
    h4 = res4.spatial_homogeneity
    assert h4 is not None
    assert (f"{h4.lr:.3f}", f"{h4.q:.3f}", h4.dof) == ("172.105", "321.128", 45)
    np.testing.assert_allclose(res4.p.loc["L1"].iloc[0], [0.95708955, 0.03544776,
                                                          0.00746269, 0, 0], atol=1e-8)


def test_within_year_spatial_matches_giddy_live(usjoin: pd.DataFrame, w48: object) -> None:
    from giddy.markov import Spatial_Markov

    w = libpysal.io.open(libpysal.examples.get_path("states48.gal")).read()
    w.transform = "r"
    pci = usjoin["pci"].unstack().to_numpy()
    sm = Spatial_Markov(pci, w, k=5, m=5, fixed=False)
    res = markov(usjoin, "pci", k=5, w=w48)
    np.testing.assert_array_equal(res.transitions.to_numpy(), sm.T.reshape(25, 5))
    np.testing.assert_allclose(res.p.to_numpy(), sm.P.reshape(25, 5), rtol=1e-12)
    for j, (lab, chain) in enumerate(res.lag_chains.items()):
        ref = np.asarray(sm.S[j], dtype=float)
        if ref.ndim == 1:
            np.testing.assert_allclose(chain.steady_state, ref, rtol=1e-10)
        else:  # several recurrent classes: giddy lists them, we say "not unique"
            assert chain.n_recurrent == ref.shape[0] and chain.steady_state.isna().all(), lab
    h = res.spatial_homogeneity
    assert h is not None
    assert h.lr == pytest.approx(sm.LR, rel=1e-12) and h.q == pytest.approx(sm.Q, rel=1e-12)
    assert res.chi2_by_lag is not None
    np.testing.assert_allclose(res.chi2_by_lag["chi2"], [c[0] for c in sm.chi2], rtol=1e-12)


def test_time_homogeneity_by_hand(usjoin: pd.DataFrame) -> None:
    res = markov(usjoin, "pci", k=5, split=1970)
    ids = res.class_ids.to_numpy()
    j = YEARS.index(1970)
    mats = []
    for lo, hi in ((0, j), (j, len(YEARS) - 1)):
        t = np.zeros((5, 5))
        for s in range(lo, hi):
            for a, b in zip(ids[:, s], ids[:, s + 1], strict=True):
                t[a, b] += 1
        mats.append(t)
    pooled = mats[0] + mats[1]
    p0 = pooled / pooled.sum(axis=1, keepdims=True)
    lr = q = 0.0
    for t in mats:
        n_i = t.sum(axis=1, keepdims=True)
        pr = t / np.where(n_i > 0, n_i, 1)
        q += float((n_i * np.where(p0 > 0, (pr - p0) ** 2 / np.where(p0 > 0, p0, 1), 0)).sum())
        pos = t > 0
        lr += 2 * float((t[pos] * np.log(pr[pos] / p0[pos])).sum())
    b = sum((m.sum(axis=1) > 0).astype(int) for m in mats)
    a = (pooled > 0).sum(axis=1)
    h = res.time_homogeneity
    assert h is not None and res.split == 1970
    assert h.lr == pytest.approx(lr, rel=1e-10) and h.q == pytest.approx(q, rel=1e-10)
    assert h.dof == int(((b - 1) * (a - 1)).sum())
    assert h.regimes == ("1929–1970", "1970–2009")
    assert markov(usjoin, "pci", k=5).split == 1969  # the middle of 80 transitions


def test_quantile_classes_ties_go_down() -> None:
    x = np.array([1.0, 2, 2, 2, 2, 2, 3, 4, 5, 6])
    ids, cuts = quantile_classes(x, 5)
    np.testing.assert_allclose(cuts, np.percentile(x, [20, 40, 60, 80]))
    assert len(set(ids[1:6])) == 1  # ties share a class
    # cuts 2, 2, 2.4, 4.2: the 2s go to Q1, Q2 and Q3 stay empty
    assert (np.bincount(ids, minlength=5) == [6, 0, 0, 2, 2]).all()
    import mapclassify as mc

    y = np.random.default_rng(0).normal(size=57)
    np.testing.assert_array_equal(quantile_classes(y, 5)[0], mc.Quantiles(y, k=5).yb)


def test_empty_and_reducible_lag_chains_are_noted() -> None:
    panel = cityres.datasets.load("yrd_sim")
    from cityres.spatial.weights import weights_from_spec

    res = markov(panel, "de_latent", k=4, w=weights_from_spec("queen", panel))
    assert res.lag_chains["L4"].empty_states == ("Q1",)
    assert any("L4: no transitions start in Q1" in n for n in res.notes)
    nan_rows = [lab for lab, c in res.lag_chains.items() if c.n_recurrent > 1]
    for lab in nan_rows:
        assert res.steady_state.loc[lab].isna().all()
    tidy = res.tidy()
    assert set(tidy["lag"]) == {"all", "L1", "L2", "L3", "L4"} and len(tidy) == 5 * 16
    assert "Spatial homogeneity" in res.summary()


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"k": 1}, ArgumentError, r"k=1; accepted: an integer ≥ 2"),
    ({"k": 49}, ArgumentError, r"k=49 is larger than the number of units \(48\)"),
    ({"k": 2.5}, ArgumentTypeError, r"k must be an integer; got float"),
    ({"k": 5, "w": "queen"}, ArgumentTypeError, r"w must be cityres Weights"),
    ({"classes": "global"}, ArgumentError, r"classes='global'; accepted: 'within_year' or "),
    ({"split": 1929}, ArgumentError, r"split=1929 must be a period"),
    ({"m": 1, "w": "W"}, ArgumentError, r"m=1; accepted"),
])
def test_bad_arguments(usjoin: pd.DataFrame, w48: object, kwargs: dict, err: type,
                       match: str) -> None:
    if kwargs.get("w") == "W":
        kwargs = {**kwargs, "w": w48}
    with pytest.raises(err, match=match):
        markov(usjoin, "pci", **kwargs)


def test_too_few_years_and_bad_weights(usjoin: pd.DataFrame, w48: object) -> None:
    one = usjoin[usjoin.index.get_level_values("year") == 1929]
    with pytest.raises(PanelError, match=r"at least two periods; 'pci' has 1 \(year \[1929\]\)"):
        markov(one, "pci")
    part = usjoin[~usjoin.index.get_level_values("state").isin(["3", "7"])]
    w = Weights.from_libpysal(w48)
    with pytest.raises(WeightsError, match=r"in the weights but not in the data: 3, 7"):
        markov(part, "pci", w=w)
    arr = w.sparse.toarray()
    arr[5, :] = 0
    arr[:, 5] = 0
    with pytest.raises(WeightsError, match=r"without neighbours.*: 5"):
        markov(usjoin, "pci", w=Weights(arr, w.ids))
    neg = usjoin.copy()
    neg.iloc[3, 0] = -1.0
    with pytest.raises(PanelError, match=r"must be > 0.*0/1932"):
        markov(neg, "pci", relative=True)
