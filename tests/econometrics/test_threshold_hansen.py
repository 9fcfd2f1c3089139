"""Hansen's (1999) investment panel: cityres against pyxthreg and the published thresholds.

Data: ``reference/hansen1999.csv.gz`` — the 565 firms × 14 years (1974–1987) of Hansen
(1999) as distributed with Stata's xthreg (lianxhcn/data, stata/Hansen1999.dta; the float32
columns stored as the shortest decimals that read back to the same float32).
Model (Hansen 1999; Wang 2015): y = i, regime variable c1, threshold variable d1,
controls q1 q2 q3 d1 qd1, individual effects only.

References (see reference/README.md):

- ``reference/hansen1999_pyxthreg.json``: pyxthreg 0.0.3 (PyPI), run once by
  ``reference/make_hansen1999_pyxthreg.py``: ``fit(thnum=3, trim=0.01, grid=0, bs=300,
  robust=True)`` (grid=0 = every distinct value, as our ``grid=None``). Compared: the
  thresholds exactly (they are data values), stage SSRs and coefficients to 1e-10, the
  clustered standard errors to 1e-10 after pyxthreg's missing (n−1)/(n−K) factor, F₁ and
  F₂ to 1e-10 after its σ̂² denominator N·T − T (ours: N(T − 1), Hansen's).
- Hansen (1999, §5): γ̂₁ = 0.0157 and γ̂₂ = 0.5362; two thresholds significant, a third
  not.

Known definitional differences are ``xfail(strict=True)`` with the reason.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cityres.econometrics.threshold import ThresholdResult, threshold

REF = Path(__file__).parent / "reference"
F32 = ["c1", "d1", "q1", "q2", "q3", "qd1"]
CONTROLS = ["q1", "q2", "q3", "d1", "qd1"]
N, T = 565, 14
PYX = json.loads((REF / "hansen1999_pyxthreg.json").read_text())["runs"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = pd.read_csv(REF / "hansen1999.csv.gz", dtype={c: np.float32 for c in F32})
    return d.astype({c: np.float64 for c in F32})


def fit_hansen(data: pd.DataFrame, **kw: object) -> ThresholdResult:
    args = {"regime": "c1", "q": "d1", "controls": CONTROLS, "entity": "id", "time": "year",
            "bootstrap": 0, **kw}
    return threshold(data, "i", **args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def triple(data: pd.DataFrame) -> ThresholdResult:
    return fit_hansen(data, n_thresholds=3, trim=0.01)


@pytest.fixture(scope="module")
def double(data: pd.DataFrame) -> ThresholdResult:
    return fit_hansen(data, n_thresholds=2, trim=0.01, bootstrap=300, seed=1999)


def test_data_as_published(data: pd.DataFrame) -> None:
    assert data.shape == (N * T, 9)
    assert data.groupby("id").size().eq(T).all()
    assert (data["year"].min(), data["year"].max()) == (1974, 1987)


def test_thresholds_equal_pyxthreg_exactly(triple: ThresholdResult) -> None:
    ref = PYX["exact"]
    assert triple.thresholds == ref["thresholds"]
    np.testing.assert_allclose(triple.tests["ssr"].iloc[:2], ref["stage_ssr"][:2], rtol=1e-10)
    assert math.isclose(triple.ssr, ref["stage_ssr"][2], rel_tol=1e-10)
    assert math.isclose(triple.ssr_linear, ref["ssr_linear"], rel_tol=1e-10)


def test_coefficients_and_errors_equal_pyxthreg(triple: ThresholdResult) -> None:
    ref = PYX["exact"]
    names = list(ref["params"])
    np.testing.assert_allclose(triple.params[names], pd.Series(ref["params"])[names],
                               rtol=1e-10)
    # pyxthreg's robust=True multiplies by G/(G-1) only; xtreg's factor also has
    # (n-1)/(n-K), K = 9 slopes + the constant
    n, k = N * T, 9 + 1
    scaled = pd.Series(ref["std_errors"])[names] * math.sqrt((n - 1) / (n - k))
    np.testing.assert_allclose(triple.std_errors[names], scaled, rtol=1e-10)


def test_f_statistics_equal_pyxthreg_after_the_variance_denominator(
        triple: ThresholdResult) -> None:
    # σ̂² = S / (N(T-1)) here, as Hansen (1999); pyxthreg (and, it says, xthreg) use
    # S / (N·T − T)
    pyx = [t["F_stat"] for t in PYX["exact"]["tests"][:2]]
    ours = triple.f_stats.iloc[:2].to_numpy() * (N * T - T) / (N * (T - 1))
    np.testing.assert_allclose(ours, pyx, rtol=1e-10)


def test_first_lr_interval_equals_pyxthreg(triple: ThresholdResult) -> None:
    ci = triple.threshold_ci.loc["gamma1"]
    assert [ci["lower"], ci["upper"]] == PYX["exact"]["ci"][0]


@pytest.mark.xfail(strict=True, reason="pyxthreg's robust SEs omit Stata's (n-1)/(n-K) factor "
                                       "(a 0.06 % difference here)")
def test_errors_unscaled_equal_pyxthreg(triple: ThresholdResult) -> None:
    ref = pd.Series(PYX["exact"]["std_errors"])
    np.testing.assert_allclose(triple.std_errors[ref.index], ref, rtol=1e-6)


@pytest.mark.xfail(strict=True, reason="F uses σ̂² = S/(N(T-1)) (Hansen); pyxthreg S/(NT-T)")
def test_f_unscaled_equal_pyxthreg(triple: ThresholdResult) -> None:
    pyx = [t["F_stat"] for t in PYX["exact"]["tests"][:2]]
    np.testing.assert_allclose(triple.f_stats.iloc[:2].to_numpy(), pyx, rtol=1e-6)


@pytest.mark.xfail(strict=True, reason="the triple test's null model differs: here the "
                                       "double model's thresholds (0.0157, 0.5400); pyxthreg "
                                       "takes the first two of the refined triple model "
                                       "(0.0157, 0.5394)")
def test_third_f_equals_pyxthreg(triple: ThresholdResult) -> None:
    pyx = PYX["exact"]["tests"][2]["F_stat"]
    assert math.isclose(float(triple.f_stats["triple"]) * (N * T - T) / (N * (T - 1)), pyx,
                        rel_tol=1e-6)


@pytest.mark.xfail(strict=True, reason="LR curves differ: here each threshold's curve is the "
                                       "search that produced its estimate (Hansen's LR₁ʳ, "
                                       "LR₂ʳ); pyxthreg sweeps each threshold with the others "
                                       "at their final values")
def test_all_lr_intervals_equal_pyxthreg(triple: ThresholdResult) -> None:
    assert triple.threshold_ci[["lower", "upper"]].to_numpy().tolist() == PYX["exact"]["ci"]


@pytest.mark.xfail(strict=True, reason="grid points differ: here the "
                                       "empirical quantiles of q at evenly spaced "
                                       "probabilities; pyxthreg takes evenly spaced ranks "
                                       "among the distinct values")
def test_grid_thresholds_equal_pyxthreg(data: pd.DataFrame) -> None:
    fit = fit_hansen(data, n_thresholds=3, trim=0.01, grid=400)
    assert fit.thresholds == PYX["grid400"]["thresholds"]


def test_published_first_threshold(data: pd.DataFrame, double: ThresholdResult) -> None:
    single = fit_hansen(data, trim=0.01)
    assert round(single.thresholds[0], 4) == 0.0157
    assert round(double.thresholds[0], 4) == 0.0157


def test_published_second_threshold_in_our_interval(double: ThresholdResult) -> None:
    ci = double.threshold_ci.loc["gamma2"]
    assert ci["lower"] <= 0.5362 <= ci["upper"]


@pytest.mark.xfail(strict=True, reason="Hansen searched a grid of quantiles of d; on this "
                                       "data the exact search finds 0.5400 with a lower SSR "
                                       "(17.72370 against 17.72676 at 0.53616)")
def test_published_second_threshold_exactly(double: ThresholdResult) -> None:
    assert round(double.thresholds[1], 4) == 0.5362


def test_published_conclusion_two_thresholds(data: pd.DataFrame,
                                             double: ThresholdResult) -> None:
    assert double.threshold_pvalues["single"] < 0.05
    assert double.threshold_pvalues["double"] < 0.05
    triple = fit_hansen(data, n_thresholds=3, trim=(0.01, 0.01, 0.05), bootstrap=300,
                        seed=1999)
    assert triple.threshold_pvalues["triple"] > 0.10
