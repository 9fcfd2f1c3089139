"""Errors of the autocorrelation statistics: each names what is wrong and where.

No peer: the expected messages follow the cityres conventions (city code and Chinese name,
year, column, accepted values). Data: the SIMULATED ``yrd_sim`` panel with queen weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.weights import Queen

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, WeightsError
from cityres.data.panel import CityPanel
from cityres.spatial import Weights
from cityres.spatial.autocorrelation import (
    fdr_threshold,
    geary,
    getis_ord,
    lisa,
    lisa_stats,
    local_g,
    moran,
    moran_bv,
    moran_scatter,
    moran_stats,
)


@pytest.fixture(scope="module")
def panel() -> CityPanel:
    return cityres.datasets.load("yrd_sim")


@pytest.fixture(scope="module")
def w(panel) -> Weights:
    return Weights.from_libpysal(Queen.from_dataframe(panel.geometry, use_index=True)
                                 ).row_standardise()


def with_data(panel: CityPanel, data: pd.DataFrame) -> CityPanel:
    return CityPanel(data, panel.cities, meta=panel.meta)


def test_missing_value_names_city_year_and_fixes(panel, w) -> None:
    data = panel.data.copy()
    data.loc[("320500", 2015), "gdp_pc"] = np.nan
    bad = with_data(panel, data)
    for fn in (moran, lisa, geary):
        with pytest.raises(PanelError) as err:
            fn(bad, "gdp_pc", w, permutations=9, seed=0)
        msg = str(err.value)
        assert "320500 (苏州市)" in msg and "2015" in msg and "'gdp_pc'" in msg
        assert "CityPanel.interpolate" in msg and "CityPanel.select" in msg
    # other years still work
    assert moran(bad, "gdp_pc", w, years=[2016], permutations=0).table.shape[0] == 1


def test_missing_row_is_a_missing_value(panel, w) -> None:
    data = panel.data.drop(index=("330900", 2020))
    with pytest.raises(PanelError, match=r"330900 \(舟山市\) in 2020"):
        moran(with_data(panel, data), "gdp_pc", w, permutations=0)


def test_constant_year(panel, w) -> None:
    data = panel.data.copy()
    data.loc[pd.IndexSlice[:, 2015], "gdp_pc"] = 7.0
    bad = with_data(panel, data)
    with pytest.raises(PanelError, match="Moran's I is undefined for gdp_pc in 2015: all "
                                         "cities have the same value"):
        moran(bad, "gdp_pc", w, permutations=0)
    with pytest.raises(PanelError, match="Local Moran's I is undefined for gdp_pc in 2015"):
        lisa(bad, "gdp_pc", w, permutations=9)
    with pytest.raises(ArgumentError, match="all values of y are equal"):
        moran_stats(np.ones(10), sp.csr_array(np.eye(10, k=1) + np.eye(10, k=-1)))


def test_weights_and_panel_mismatch_names_cities(panel, w) -> None:
    smaller = panel.select(cities=[c for c in panel.city_ids if c != "321300"])
    with pytest.raises(WeightsError, match="in the weights but not in the panel: 321300"):
        moran(smaller, "gdp_pc", w, permutations=0)
    frame = panel.data[["gdp_pc"]].rename(index={"310000": "999999"}, level="city")
    with pytest.raises(WeightsError) as err:
        lisa(frame, "gdp_pc", w, permutations=9)
    assert "in the panel but not in the weights: 999999" in str(err.value)
    assert "310000" in str(err.value)


def test_islands_are_named_with_the_builder_rule(panel, w) -> None:
    k = w.ids.index("330900")
    dense = w.to_dense().to_numpy().copy()
    dense[k, :] = 0
    dense[:, k] = 0
    islanded = Weights(dense, w.ids, kind="queen")
    for fn in (moran, lisa, moran_scatter):
        with pytest.raises(WeightsError) as err:
            fn(panel, "gdp_pc", islanded)
        assert "330900" in str(err.value) and "islands=" in str(err.value)
    with pytest.raises(WeightsError, match="islands"):
        lisa_stats(np.arange(41.0), sp.csr_array(dense))


def test_negative_values_for_getis_ord(panel, w) -> None:
    data = panel.data.copy()
    data.loc[("320100", 2012), "gdp_pc"] = -1.0
    bad = with_data(panel, data)
    for fn in (getis_ord, local_g):
        with pytest.raises(PanelError, match=r"non-negative .*320100 \(南京市\) in 2012"):
            fn(bad, "gdp_pc", w, permutations=9)
    frame = panel.data[["gdp_pc"]] - panel.data["gdp_pc"].mean()
    with pytest.raises(PanelError, match="negative for"):
        getis_ord(frame, "gdp_pc", w, years=[2015], permutations=0)


@pytest.mark.parametrize("alpha", [0, 1, 1.5, -0.1])
def test_bad_alpha_value(panel, w, alpha) -> None:
    with pytest.raises(ArgumentError, match="alpha must be strictly between 0 and 1"):
        lisa(panel, "gdp_pc", w, years=[2015], permutations=9, alpha=alpha)


@pytest.mark.parametrize("alpha", ["0.05", None, True])
def test_bad_alpha_type(panel, w, alpha) -> None:
    with pytest.raises(ArgumentTypeError, match="alpha"):
        local_g(panel, "gdp_pc", w, years=[2015], permutations=9, alpha=alpha)


@pytest.mark.parametrize(("permutations", "error", "text"), [
    (-1, ArgumentError, "non-negative integer"),
    (1.5, ArgumentTypeError, "int or a 2-d integer array"),
    (True, ArgumentTypeError, "int or a 2-d integer array"),
    ("999", ArgumentTypeError, "int or a 2-d integer array"),
    (np.zeros((5, 40), dtype=int), ArgumentError, "one column per unit"),
    (np.zeros((5, 41), dtype=int), ArgumentError, "not a permutation"),
    (np.zeros((5, 41)), ArgumentTypeError, "integer array"),
])
def test_bad_global_permutations(panel, w, permutations, error, text) -> None:
    with pytest.raises(error, match=text):
        moran(panel, "gdp_pc", w, years=[2015], permutations=permutations)


@pytest.mark.parametrize(("permutations", "error", "text"), [
    (0, ArgumentError, "positive integer"),
    (np.zeros((5, 3), dtype=int), ArgumentError, "at least 9 columns"),
    (np.zeros((5, 9), dtype=int), ArgumentError, "repeats an index"),
    (np.tile(np.arange(32, 41), (5, 1)), ArgumentError, r"0 … 39"),
    (np.arange(9), ArgumentTypeError, "2-d integer array"),
])
def test_bad_local_permutations(panel, w, permutations, error, text) -> None:
    with pytest.raises(error, match=text):
        lisa(panel, "gdp_pc", w, years=[2015], permutations=permutations)


def test_bad_alternative(panel, w) -> None:
    with pytest.raises(ArgumentError, match="'two-sided', 'greater' or 'less'; got 'two_sided'"):
        moran(panel, "gdp_pc", w, alternative="two_sided")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="alternative"):
        moran_bv(panel, "gdp_pc", "innovation", w, alternative="lesser")  # type: ignore[arg-type]


def test_bad_column_year_data_and_weights(panel, w) -> None:
    with pytest.raises(ArgumentError, match="column 'no_such' is not in the panel"):
        moran(panel, "no_such", w)
    with pytest.raises(ArgumentError, match=r"years \[1999\] are not in the panel; it has "
                                            "2011–2023"):
        lisa(panel, "gdp_pc", w, years=[2015, 1999])
    with pytest.raises(ArgumentTypeError, match="CityPanel or a pandas DataFrame"):
        moran([1, 2, 3], "gdp_pc", w)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="indexed by"):
        moran(panel.to_frame(), "gdp_pc", w)
    with pytest.raises(ArgumentTypeError, match=r"cityres\.spatial\.Weights"):
        moran(panel, "gdp_pc", w.to_libpysal())
    with pytest.raises(ArgumentError, match="fdr must be True or False"):
        lisa(panel, "gdp_pc", w, years=[2015], fdr="yes")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="star must be True or False"):
        local_g(panel, "gdp_pc", w, star=1)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="seed"):
        moran(panel, "gdp_pc", w, years=[2015], seed="abc")  # type: ignore[arg-type]


def test_array_level_input_checks(w) -> None:
    y = np.arange(41.0)
    with pytest.raises(ArgumentError, match="missing or infinite values at positions \\[3\\]"):
        moran_stats(np.where(np.arange(41) == 3, np.nan, y), w)
    with pytest.raises(ArgumentError, match="41 × 41 but y has 40 values"):
        lisa_stats(y[:40], w)
    with pytest.raises(ArgumentError, match="one-dimensional"):
        moran_stats(y.reshape(41, 1), w)


def test_fdr_threshold_checks() -> None:
    with pytest.raises(ArgumentError, match="empty"):
        fdr_threshold([])
    with pytest.raises(ArgumentError, match=r"\[0, 1\]"):
        fdr_threshold([0.1, np.nan])
    with pytest.raises(ArgumentError, match="alpha"):
        fdr_threshold([0.1, 0.2], alpha=2)


def test_errors_are_value_and_type_errors(panel, w) -> None:
    with pytest.raises(ValueError, match="permutations"):
        moran(panel, "gdp_pc", w, permutations=-5)
    with pytest.raises(TypeError, match="permutations"):
        moran(panel, "gdp_pc", w, permutations=2.5)  # type: ignore[arg-type]
