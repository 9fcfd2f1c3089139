"""Bad input to ``fit_panel`` fails with errors that name the cause; documented edge rules.

Reference: the rules of docs/methods/spatial_panel.md (balanced panels only, gaps and
missing values listed, weights ids matched by name, collinear regressors named, the Lee–Yu
correction only with fixed effects, boundary estimates warned about, a failed search an
error naming the model). Data: Produc (``cityres.datasets.load("produc")``).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from _panel_cases import FORMULA, panel, weights

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, WeightsError
from cityres.spatial import Weights
from cityres.spatial.panel import BoundaryWarning, ConvergenceError, SpatialPanelML, fit_panel
from cityres.spatial.panel.ml import maximise_1d


def frame() -> pd.DataFrame:
    return panel().data.copy()


# ----------------------------------------------------------------------- the panel
def test_unbalanced_panel_lists_the_gaps() -> None:
    df = frame().drop(index=[("ALABAMA", 1975), ("WYOMING", 1986)])
    with pytest.raises(PanelError, match="balanced") as err:
        fit_panel(FORMULA, df, w=weights(), model="sar")
    msg = str(err.value)
    assert "2 (city, year) pair(s)" in msg
    assert "(ALABAMA, 1975)" in msg and "(WYOMING, 1986)" in msg


def test_missing_values_are_listed_by_entity_time_column() -> None:
    df = frame()
    df.loc[("OHIO", 1980), "unemp"] = np.nan
    df.loc[("IOWA", 1971), "ln_pc"] = np.inf
    with pytest.raises(PanelError, match="2 missing or non-finite") as err:
        fit_panel(FORMULA, df, w=weights(), model="sdm")
    msg = str(err.value)
    assert "city OHIO, year 1980, column 'unemp'" in msg
    assert "city IOWA, year 1971, column 'ln_pc'" in msg


def test_data_type_and_entity_columns() -> None:
    with pytest.raises(ArgumentTypeError, match="CityPanel or a pandas DataFrame"):
        fit_panel(FORMULA, np.zeros((3, 3)), w=weights())
    flat = frame().reset_index()
    with pytest.raises(ArgumentError, match="entity= and time="):
        fit_panel(FORMULA, flat, w=weights())
    with pytest.raises(ArgumentError, match="entity='state' is not a column"):
        fit_panel(FORMULA, flat, entity="state", time="year", w=weights())
    with pytest.raises(ArgumentError, match="leave them as None"):
        fit_panel(FORMULA, panel(), entity="state", w=weights())
    dup = pd.concat([flat, flat.iloc[:1]])
    with pytest.raises(PanelError, match="repeated"):
        fit_panel(FORMULA, dup, entity="city", time="year", w=weights())


# ----------------------------------------------------------------------- the formula
@pytest.mark.parametrize(("formula", "match"), [
    ("np.log(gsp) ~ ln_pcap", "panel.ln"),
    ("ln_gsp ln_pcap", "one '~'"),
    ("ln_gsp ~ ln_pcap + ln_pcap", "repeats"),
    ("ln_gsp ~ ln_gsp + ln_pc", "also a regressor"),
    ("ln_gsp ~ nothere + ln_pc", "not in data: \\['nothere'\\]"),
    ("ln_gsp ~ ln_pc * unemp", "plain column names"),
])
def test_formula_errors(formula: str, match: str) -> None:
    with pytest.raises(ArgumentError, match=match):
        fit_panel(formula, panel(), w=weights(), model="sar")


# ----------------------------------------------------------------------- the weights
def test_weights_ids_must_match_the_panel() -> None:
    w = weights()
    renamed = Weights(w.sparse, ["OHIO_X" if i == "OHIO" else i for i in w.ids],
                      transform="row")
    with pytest.raises(WeightsError) as err:
        fit_panel(FORMULA, panel(), w=renamed, model="sar")
    msg = str(err.value)
    assert "in the panel but not in the weights: OHIO" in msg
    assert "in the weights but not in the panel: OHIO_X" in msg


@pytest.mark.parametrize(("w", "match"), [
    (np.ones((48, 47)), "square"),
    (np.ones((47, 47)) - np.eye(47), "47 × 47 but the panel has 48"),
    (np.ones(48), "square"),
    ("queen", "Weights, a square numpy array"),
])
def test_bad_weight_matrices(w: object, match: str) -> None:
    err = ArgumentTypeError if isinstance(w, str) else WeightsError
    with pytest.raises(err, match=match):
        fit_panel(FORMULA, panel(), w=w, model="sar")


def test_non_finite_and_negative_weights() -> None:
    dense = weights().sparse.toarray()
    bad = dense.copy()
    bad[0, 1] = np.nan
    with pytest.raises(WeightsError, match=r"missing or infinite weight\(s\), at \(ALABAMA, "):
        fit_panel(FORMULA, panel(), w=bad, model="sar")
    neg = dense.copy()
    neg[2, 3] = -0.5
    with pytest.raises(WeightsError, match="non-negative"):
        fit_panel(FORMULA, panel(), w=neg, model="sar")
    with pytest.raises(WeightsError, match="no links"):
        fit_panel(FORMULA, panel(), w=np.zeros((48, 48)), model="sar")


def test_array_weights_are_taken_in_sorted_entity_order() -> None:
    dense = weights().reorder(sorted(panel().city_ids)).sparse.toarray()
    a = fit_panel(FORMULA, panel(), w=dense, model="sar", effects="individual")
    b = fit_panel(FORMULA, panel(), w=weights(), model="sar", effects="individual")
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=1e-12)
    assert a.weights.transform == "row"


# ----------------------------------------------------------------------- collinearity
def test_collinear_regressors_are_named() -> None:
    df = frame()
    df["combo"] = 2 * df["ln_pcap"] - df["ln_pc"]
    with pytest.raises(PanelError, match="collinear") as err:
        fit_panel(FORMULA + " + combo", df, w=weights(), model="sar", effects="twoways")
    assert "'combo' is (numerically) a linear combination of ['ln_pcap', 'ln_pc']" in str(
        err.value)


@pytest.mark.parametrize(("effects", "column", "words"), [
    ("individual", "region", "constant within each entity"),
    ("twoways", "region", "absorbed by the two-way effects"),
    ("time", "trend", "constant across entities within each period"),
])
def test_regressors_absorbed_by_the_effects_are_named(effects: str, column: str,
                                                      words: str) -> None:
    df = frame()
    df["region"] = pd.Series(df.index.get_level_values("city").str.len(), index=df.index)
    df["trend"] = df.index.get_level_values("year") - 1970.0
    with pytest.raises(PanelError, match=re.escape(words)) as err:
        fit_panel(f"{FORMULA} + {column}", df, w=weights(), model="sdm", effects=effects)
    assert f"['{column}'" in str(err.value)


def test_sdm_with_no_effects_names_lag_collinear_with_constant() -> None:
    df = frame()
    df["one"] = 1.0  # collinear with the intercept added for effects="none"
    with pytest.raises(PanelError, match=r"'one' is \(numerically\) a linear combination of "
                                         r"\['const'\]"):
        fit_panel(FORMULA + " + one", df, w=weights(), model="sar", effects="none")


def test_response_without_variation() -> None:
    df = frame()
    df["flat"] = df.groupby(level="city")["ln_gsp"].transform("mean")
    with pytest.raises(PanelError, match="no variation left"):
        fit_panel("flat ~ ln_pcap + ln_pc", df, w=weights(), model="sar",
                  effects="individual")


# ----------------------------------------------------------------------- options
@pytest.mark.parametrize(("kw", "err", "match"), [
    ({"model": "lag"}, ArgumentError,
     "model must be 'sar', 'sem', 'sdm', 'sdem', 'slx' or 'sac'; got 'lag'"),
    ({"effects": "fixed"}, ArgumentError,
     "effects must be 'none', 'individual', 'time' or 'twoways'; got 'fixed'"),
    ({"lee_yu": "yes"}, ArgumentError,
     "lee_yu must be True, False, 'splm' or 'transformation'; got 'yes'"),
    ({"lee_yu": 1.5}, ArgumentTypeError, "lee_yu"),
    ({"lee_yu": True, "effects": "none"}, ArgumentError, "effects='none' has none"),
    ({"lee_yu": True, "model": "slx"}, ArgumentError, "model='slx' has none"),
    ({"logdet": "exactly"}, ArgumentError, "exactly"),
])
def test_option_errors(kw: dict[str, object], err: type[Exception], match: str) -> None:
    args: dict[str, object] = {"model": "sdm", "effects": "twoways"} | kw
    with pytest.raises(err, match=re.escape(match)):
        fit_panel(FORMULA, panel(), w=weights(), **args)  # type: ignore[arg-type]


def test_lee_yu_with_one_way_effects_rescales_sigma2_as_splm() -> None:
    """Documented behaviour (splm's LeeYu=TRUE): individual effects σ² × T/(T−1), time
    effects σ² × N/(N−1); β and the spatial parameter unchanged."""
    for effects, factor in (("individual", 17 / 16), ("time", 48 / 47)):
        plain = fit_panel(FORMULA, panel(), w=weights(), model="sar", effects=effects)
        ly = fit_panel(FORMULA, panel(), w=weights(), model="sar", effects=effects,
                       lee_yu=True)
        np.testing.assert_allclose(ly.params.to_numpy(), plain.params.to_numpy(), rtol=1e-12)
        assert ly.sigma2 / plain.sigma2 == pytest.approx(factor, rel=1e-12)
        assert ly.notes and "Lee–Yu" in ly.notes[0]


# ----------------------------------------------------------------------- the search
def test_boundary_estimate_warns_with_the_parameter_name() -> None:
    with pytest.warns(BoundaryWarning, match=r"SAR: the spatial parameter rho = .* boundary"):
        x = maximise_1d(lambda r: r, (-1.0, 1.0), name="rho", model="sar")
    assert x == pytest.approx(1.0, abs=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        maximise_1d(lambda r: -(r - 0.3) ** 2, (-1.0, 1.0), name="rho", model="sar")


def test_failed_search_is_an_error_naming_the_model() -> None:
    with pytest.raises(ConvergenceError, match="SEM: the search for lambda"):
        maximise_1d(lambda r: float("nan"), (-1.0, 1.0), name="lambda", model="sem")


def test_array_class_checks_shapes_and_values() -> None:
    y = np.zeros((4, 3))
    W = np.ones((4, 4)) - np.eye(4)
    with pytest.raises(ArgumentError, match="same N and T"):
        SpatialPanelML(y, np.zeros((4, 2, 1)), W)
    X = np.ones((4, 3, 1))
    X[1, 2, 0] = np.nan
    with pytest.raises(PanelError, match="entity 1, period 2, column 'x1'"):
        SpatialPanelML(y, X, W)
    with pytest.raises(PanelError, match="at least 2 periods"):
        SpatialPanelML(np.zeros((4, 1)), np.zeros((4, 1, 1)), W, effects="individual")
    with pytest.raises(ArgumentError, match="exog_names"):
        SpatialPanelML(y, np.zeros((4, 3, 1)), W, exog_names=["a", "b"])
