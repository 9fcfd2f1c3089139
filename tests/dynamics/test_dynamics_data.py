"""The data layer of cityres.dynamics (wide_frame, city_groups).

No peer: the expected matrices are the panel's own cells; the errors must name the
city, year and column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cityres
from cityres._shared.errors import ArgumentError, PanelError
from cityres.dynamics import city_groups, wide_frame


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


def test_wide_matrix_of_a_panel_and_of_frames(panel: cityres.data.CityPanel) -> None:
    w = wide_frame(panel, "de_latent")
    assert w.values.shape == (41, 13) and list(w.periods) == list(range(2011, 2024))
    assert w.values.loc["320500", 2015] == panel.data.loc[("320500", 2015), "de_latent"]
    same = wide_frame(panel.data, "de_latent")  # a (city, year)-indexed DataFrame
    pd.testing.assert_frame_equal(w.values, same.values)
    flat = panel.data.reset_index()
    cols = wide_frame(flat, "de_latent", entity="city", time="year")
    np.testing.assert_array_equal(cols.array, w.array)


def test_bad_cells_are_named(panel: cityres.data.CityPanel) -> None:
    with pytest.raises(ArgumentError, match="column 'nope' is not in the data"):
        wide_frame(panel, "nope")
    holes = panel.data.drop(index=("310000", 2015))
    with pytest.raises(PanelError, match=r"unbalanced; 1 missing .*\('310000', 2015\)"):
        wide_frame(holes, "de_latent")
    neg = panel.data.copy()
    neg.loc[("340100", 2012), "gdp_pc"] = 0.0
    with pytest.raises(PanelError, match=r"must be > 0 .* 340100/2012 \(0\)"):
        wide_frame(neg, "gdp_pc", positive=True)
    nan = panel.data.copy()
    nan.loc[("340100", 2012), "gdp_pc"] = np.nan
    with pytest.raises(PanelError, match="340100"):
        wide_frame(nan, "gdp_pc")


def test_groups_from_city_table_data_or_mapping(panel: cityres.data.CityPanel) -> None:
    units = wide_frame(panel, "de_latent").units
    region = city_groups(panel, "region", units)
    assert region.value_counts().to_dict() == {"east": 25, "central": 16}
    mapping = {u: ("a" if i % 2 else "b") for i, u in enumerate(units)}
    assert city_groups(panel, mapping, units).nunique() == 2
    with pytest.raises(PanelError, match="1 unit\\(s\\) have no group"):
        city_groups(panel, dict(list(mapping.items())[1:]), units)
    with pytest.raises(ArgumentError, match="neither a column of the city table"):
        city_groups(panel, "nope", units)
    varying = panel.data.assign(g=np.arange(len(panel.data)) % 2)
    with pytest.raises(PanelError, match="varies over time"):
        city_groups(varying, "g", units)
