"""The Goodman-Bacon (2021) decomposition.

References (the numbers are stored below with their source; no reference file):

- Castle doctrine (Cheng & Hoekstra 2013), ``l_homicide`` on ``post`` by state and year,
  as decomposed by R ``bacondecomp``:
  * CRAN vignette of bacondecomp 0.1.1
    (https://cran.r-project.org/web/packages/bacondecomp/vignettes/bacon.html), printed by
    type: weight 0.05976 / 0.03190 / 0.90834 and weighted average 2×2 estimate
    -0.00554 / 0.07032 / 0.08796 (earlier vs later, later vs earlier, treated vs never);
  * bacondecomp 0.1.0's vignette printed the *unweighted* means by type,
    -0.03438 / 0.02429 / 0.12392 (same weights), which checks the single 2×2 estimates;
  * the package's notebook (github:evanjflack/bacondecomp ``index.ipynb``, commit 5a15251,
    2019-11-25): weights 0.05976325 / 0.03189818 / 0.90833857, TWFE
    0.0818116169306471, top comparison 2006 vs never treated, estimate 0.06823587, weight
    0.5923947.
  The data come from PyPI ``causaldata`` 0.1.5 (``castle``), whose ``post`` starts the
  year *after* the law took effect, while bacondecomp's ``castle$post`` (= ``cdl > 0``)
  starts in the year it took effect; ``l_homicide`` is identical (checked against
  bacondecomp's ``data/castle.rda``). Every treated state's R cohort is causaldata's
  minus one (checked for all 21), so the test shifts the cohorts by one year and asserts
  the resulting cohort sizes and TWFE coefficient.
- Goodman-Bacon (2021), Fig. 2: three groups over 100 periods (never treated, treated at
  34 and at 85) have weights .365, .278, .222, .135 (also R bacondecomp's
  ``test_bacon_weights.R``).
- Stata ``bacondecomp`` (ssc 1.0.5) on the three-unit example of Statalist thread 1751536
  ("Interpretation of bacon decomposition graph"): Early_v_Late beta 2, weight
  .1818181841; Late_v_Early 4, .1363636317; Never_v_timing 2.933333323, .6818181841
  (single precision).
- PyPI ``pybacondecomp`` 0.1.0 (run here when installed): every 2×2 estimate and weight on
  causaldata's coding, tolerance 1e-8. It has no always-treated comparisons (it drops
  them and renormalises), so it is not compared on designs with always-treated units.

The identity Σ weight × estimate = TWFE coefficient is checked to 1e-10 on simulated
designs; the TWFE coefficient against :func:`cityres.econometrics.fit_fe` (pyfixest).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cityres
from cityres._shared.errors import ArgumentError, DataChangeWarning, PanelError
from cityres.econometrics import fit_fe
from cityres.econometrics.did.bacon import BACON_TYPES, BaconResult, bacon


def _design(cohorts: list[int], periods: list[int], seed: int = 0,
            effect: float = 1.0) -> pd.DataFrame:
    """A balanced panel: one unit per entry of ``cohorts``, heterogeneous dynamic effects."""
    rng = np.random.default_rng(seed)
    n, t = len(cohorts), len(periods)
    d = pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(periods, n),
                      "g": np.repeat(cohorts, t)})
    treated = (d["g"] > 0) & (d["t"] >= d["g"])
    d["y"] = (rng.normal(size=n)[d["id"]] + 0.1 * d["t"] + rng.normal(size=len(d))
              + treated * effect * (1 + 0.2 * (d["t"] - d["g"]) + 0.01 * d["g"]))
    return d


def _twfe(d: pd.DataFrame, y: str = "y", g: str = "g", entity: str = "id",
          time: str = "t") -> float:
    frame = d.copy()
    frame["D_"] = ((frame[g] > 0) & (frame[time] >= frame[g])).astype(float)
    return float(fit_fe(f"{y} ~ D_", frame, entity=entity, time=time).params["D_"])


DESIGNS = {
    "unequal sizes": ([0] * 7 + [3] * 2 + [5] * 9 + [8] * 4, list(range(1, 11))),
    "no never treated": ([2] * 3 + [4] * 6 + [7] * 2, list(range(1, 9))),
    "always and never": ([0] * 4 + [1] * 3 + [4] * 5 + [6] * 2, list(range(1, 9))),
    "always, no never": ([1] * 3 + [3] * 4 + [6] * 5, list(range(1, 9))),
    "always before start": ([0] * 3 + [1999] * 2 + [2003] * 4, list(range(2001, 2008))),
    "one cohort": ([0] * 5 + [4] * 6, list(range(1, 8))),
    "gaps in periods": ([0] * 4 + [2003] * 3 + [2006] * 3 + [2007] * 2,
                        [2000, 2002, 2004, 2006, 2008, 2010]),
    "last-period cohort": ([0] * 3 + [3] * 2 + [6] * 3, list(range(1, 7))),
}


@pytest.mark.parametrize("name", list(DESIGNS))
def test_weighted_sum_is_the_twfe_coefficient(name: str) -> None:
    cohorts, periods = DESIGNS[name]
    d = _design(cohorts, periods, seed=len(name))
    res = bacon(d, "y", cohort="g", entity="id", time="t")
    w = res.comparisons["weight"].to_numpy()
    assert np.all(w > 0)
    np.testing.assert_allclose(w.sum(), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.weighted_sum, res.twfe, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.twfe, _twfe(d), rtol=1e-8)
    np.testing.assert_allclose(res.by_type()["contribution"].sum(), res.twfe, atol=1e-10)
    assert set(res.comparisons["type"]) <= set(BACON_TYPES)


def test_comparison_types_and_labels() -> None:
    d = _design(*DESIGNS["always and never"])
    res = bacon(d, "y", cohort="g", entity="id", time="t")
    c = res.comparisons
    assert res.n_always == 3 and res.n_never == 4
    counts = c["type"].value_counts().to_dict()
    assert counts == {BACON_TYPES[0]: 2, BACON_TYPES[1]: 1, BACON_TYPES[2]: 1,
                      BACON_TYPES[3]: 2}
    always = c[c["type"] == BACON_TYPES[3]]
    assert set(always["control"]) == {1} and set(always["treated"]) == {4, 6}
    never = c[c["type"] == BACON_TYPES[0]]
    assert set(never["control"]) == {0}
    early = c[c["type"] == BACON_TYPES[1]].iloc[0]
    assert (early["treated"], early["control"], early["window_start"], early["window_end"]) \
        == (4, 6, 1, 5)
    late = c[c["type"] == BACON_TYPES[2]].iloc[0]
    assert (late["treated"], late["control"], late["window_start"], late["window_end"]) \
        == (6, 4, 4, 8)


def test_each_2x2_is_the_twfe_on_its_own_subsample() -> None:
    d = _design(*DESIGNS["always and never"], seed=7)
    res = bacon(d, "y", cohort="g", entity="id", time="t")
    for row in res.comparisons.itertuples():
        groups = {int(row.treated), int(row.control)}
        if row.type == BACON_TYPES[3]:
            groups = {int(row.treated), 1}
        sub = d[d["g"].isin(groups) & d["t"].between(row.window_start, row.window_end)]
        np.testing.assert_allclose(row.estimate, _twfe(sub), rtol=1e-8, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(0, 4), min_size=6, max_size=6),
       seed=st.integers(0, 2**16))
def test_identity_on_random_designs(sizes: list[int], seed: int) -> None:
    # groups: never, always, and cohorts 2..5 of a 6-period panel
    labels = [0, 1, 2, 3, 4, 5]
    cohorts = [g for g, k in zip(labels, sizes, strict=True) for _ in range(k)]
    starts = {g for g in cohorts}
    varied = len(starts - {0, 1}) >= 2 or (bool(starts - {0, 1}) and bool(starts & {0, 1}))
    assume(varied)
    d = _design(cohorts, list(range(1, 7)), seed=seed)
    res = bacon(d, "y", cohort="g", entity="id", time="t")
    np.testing.assert_allclose(res.comparisons["weight"].sum(), 1.0, atol=1e-12)
    np.testing.assert_allclose(res.weighted_sum, res.twfe, atol=1e-10)


# --- published examples ------------------------------------------------------------------

@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    causaldata = pytest.importorskip("causaldata")
    d = causaldata.castle.load_pandas().data[["sid", "year", "post", "l_homicide"]].copy()
    first_full = d[d["post"] == 1].groupby("sid")["year"].min()
    d["g_causaldata"] = d["sid"].map(first_full).fillna(0).astype(int)
    d["g_r"] = np.where(d["g_causaldata"] > 0, d["g_causaldata"] - 1, 0)
    return d


def test_castle_doctrine_matches_r_bacondecomp(castle: pd.DataFrame) -> None:
    sizes = castle.groupby("sid")["g_r"].first().value_counts().sort_index().to_dict()
    assert sizes == {0: 29, 2005: 1, 2006: 13, 2007: 4, 2008: 2, 2009: 1}
    res = bacon(castle, "l_homicide", cohort="g_r", entity="sid", time="year")
    np.testing.assert_allclose(res.twfe, 0.0818116169306471, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.weighted_sum, res.twfe, atol=1e-12)
    bt = res.by_type().set_index("type")
    order = [BACON_TYPES[1], BACON_TYPES[2], BACON_TYPES[0]]
    # bacondecomp 0.1.1 vignette (5 decimals) and the 2019 notebook (8 decimals)
    np.testing.assert_allclose(bt.loc[order, "weight"], [0.05976, 0.03190, 0.90834],
                               atol=5e-6)
    np.testing.assert_allclose(bt.loc[order, "weight"],
                               [0.05976325, 0.03189818, 0.90833857], atol=5e-9)
    np.testing.assert_allclose(bt.loc[order, "estimate"], [-0.00554, 0.07032, 0.08796],
                               atol=5e-6)
    # bacondecomp 0.1.0 printed unweighted means of the 2×2 estimates
    plain = res.comparisons.groupby("type")["estimate"].mean()
    np.testing.assert_allclose(plain[order], [-0.03438, 0.02429, 0.12392], atol=5e-6)
    top = res.tidy().iloc[0]
    assert (top["type"], top["treated"], top["control"]) == (BACON_TYPES[0], 2006, 0)
    np.testing.assert_allclose([top["estimate"], top["weight"]], [0.06823587, 0.5923947],
                               atol=5e-8)
    assert len(res.comparisons) == 5 + 2 * 10


def test_castle_matches_pybacondecomp(castle: pd.DataFrame) -> None:
    pb = pytest.importorskip("pybacondecomp")
    ours = bacon(castle, "l_homicide", cohort="g_causaldata", entity="sid", time="year")
    theirs = pb.bacondecomp(castle, "l_homicide", "post", "sid", "year", ddetail=True,
                            verbose=False)
    np.testing.assert_allclose(ours.twfe, theirs.dd_estimate, rtol=1e-10)
    kinds = {"Early vs Late": BACON_TYPES[1], "Late vs Early": BACON_TYPES[2],
             "Never vs timing": BACON_TYPES[0]}
    t = theirs.two_by_two.copy()
    t["type"] = t["type"].map(kinds)
    t["treated"] = t["treated"].astype(int)
    t["control"] = t["control"].replace({"Never": 0}).astype(int)
    merged = ours.comparisons.merge(t, on=["type", "treated", "control"],
                                    suffixes=("", "_pb"), validate="one_to_one")
    assert len(merged) == len(ours.comparisons) == len(t)
    np.testing.assert_allclose(merged["estimate"], merged["estimate_pb"], atol=1e-8)
    np.testing.assert_allclose(merged["weight"], merged["weight_pb"], atol=1e-8)


def test_goodman_bacon_figure_2_weights() -> None:
    d = _design([0, 34, 85], list(range(1, 101)), seed=3)
    res = bacon(d, "y", cohort="g", entity="id", time="t")
    got = res.comparisons.set_index(["treated", "control"])["weight"]
    expected = {(34, 0): 0.365, (85, 0): 0.222, (34, 85): 0.278, (85, 34): 0.135}
    for key, w in expected.items():
        assert round(float(got[key]), 3) == w


def test_stata_bacondecomp_three_unit_example() -> None:
    d = pd.DataFrame({"id": np.repeat([1, 2, 3], 10), "t": np.tile(np.arange(1, 11), 3)})
    d["g"] = d["id"].map({1: 0, 2: 5, 3: 8})
    treated = (d["g"] > 0) & (d["t"] >= d["g"])
    d["y"] = np.where(d["id"] == 2, 2.0, 4.0) * treated
    res = bacon(d, "y", cohort="g", entity="id", time="t")
    bt = res.by_type().set_index("type")
    order = [BACON_TYPES[1], BACON_TYPES[2], BACON_TYPES[0]]
    np.testing.assert_allclose(bt.loc[order, "estimate"], [2, 4, 2.933333323], atol=1e-7)
    np.testing.assert_allclose(bt.loc[order, "weight"],
                               [0.1818181841, 0.1363636317, 0.6818181841], atol=1e-7)
    np.testing.assert_allclose(res.twfe, 32 / 11, atol=1e-12)


# --- bundled data, always-treated handling -------------------------------------------------

def test_yrd_sim_always_treated_options() -> None:
    p = cityres.datasets.load("yrd_sim")
    kept = bacon(p, "de_latent", cohort="cohort_ecdemo")
    assert kept.n_always == 5
    assert BACON_TYPES[3] in set(kept.comparisons["type"])
    np.testing.assert_allclose(kept.weighted_sum, kept.twfe, atol=1e-10)
    np.testing.assert_allclose(kept.twfe, _twfe(p.data.reset_index().fillna(
        {"cohort_ecdemo": 0}), "de_latent", "cohort_ecdemo", "city", "year"), rtol=1e-8)
    with pytest.warns(DataChangeWarning, match="always-treated"):
        dropped = bacon(p, "de_latent", cohort="cohort_ecdemo", always_treated="drop")
    assert len(dropped.dropped) == 5 and dropped.n_always == 0 and dropped.notes
    assert BACON_TYPES[3] not in set(dropped.comparisons["type"])
    with pytest.raises(PanelError, match="always_treated='drop'"):
        bacon(p, "de_latent", cohort="cohort_ecdemo", always_treated="error")


# --- result object -----------------------------------------------------------------------

def test_result_api() -> None:
    res = bacon(cityres.datasets.load("yrd_sim"), "de_latent", cohort="cohort_broadband")
    assert isinstance(res, BaconResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.twfe = 0.0  # type: ignore[misc]
    tidy = res.tidy()
    assert list(tidy["weight"]) == sorted(tidy["weight"], reverse=True)
    assert list(res.by_type().columns) == ["type", "n", "weight", "estimate", "contribution"]
    text = res.summary()
    assert "Goodman-Bacon" in text and f"{res.twfe:.8f}" in text
    assert res.nobs == 533 and res.n_units == 41 and res.n_periods == 13


# --- bad input ---------------------------------------------------------------------------

def test_unbalanced_panel_names_missing_cells() -> None:
    d = _design(*DESIGNS["unequal sizes"]).iloc[1:]
    with pytest.raises(PanelError, match=r"unbalanced.*\(0, 1\)"):
        bacon(d, "y", cohort="g", entity="id", time="t")


def test_covariates_are_refused() -> None:
    d = _design(*DESIGNS["unequal sizes"])
    d["x"] = 1.0
    with pytest.raises(ArgumentError, match="covariates"):
        bacon(d, "y", cohort="g", entity="id", time="t", covariates=["x"])


def test_no_treated_units_and_no_variation() -> None:
    d = _design([0] * 5, list(range(1, 6)))
    with pytest.raises(PanelError, match="no unit is treated"):
        bacon(d, "y", cohort="g", entity="id", time="t")
    d = _design([3] * 5, list(range(1, 6)))
    with pytest.raises(PanelError, match="no variation"):
        bacon(d, "y", cohort="g", entity="id", time="t")


def test_bad_always_treated_option() -> None:
    d = _design(*DESIGNS["unequal sizes"])
    with pytest.raises(ArgumentError, match="always_treated="):
        bacon(d, "y", cohort="g", entity="id", time="t",
              always_treated="include")  # type: ignore[arg-type]
