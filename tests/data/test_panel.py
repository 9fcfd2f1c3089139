"""CityPanel construction and transformations (hand-computed expectations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cityres
from cityres import CityPanel


def _panel() -> CityPanel:
    df = pd.DataFrame(
        {
            "city": ["A"] * 4 + ["B"] * 4,
            "year": [2010, 2011, 2012, 2013] * 2,
            "x": [1.0, np.nan, 3.0, 4.0, 2.0, 4.0, np.nan, np.nan],
            "pop": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    return CityPanel.from_frame(df)


def test_from_frame_index_and_errors() -> None:
    p = _panel()
    assert p.data.index.names == ["city", "year"]
    assert p.city_ids == ["A", "B"] and p.years == [2010, 2011, 2012, 2013]
    dup = pd.DataFrame({"city": ["A", "A"], "year": [2010, 2010], "x": [1, 2]})
    with pytest.raises(cityres.PanelError, match="A/2010"):
        CityPanel.from_frame(dup)
    with pytest.raises(cityres.ArgumentError, match="city='id'"):
        CityPanel.from_frame(dup, city="id")
    text = pd.DataFrame({"city": ["A"], "year": ["20x0"], "x": [1]})
    with pytest.raises(cityres.PanelError, match="integer years"):
        CityPanel.from_frame(text)


def test_immutable() -> None:
    p = _panel()
    d = p.data
    d.loc[("A", 2010), "x"] = 99.0
    assert p.data.loc[("A", 2010), "x"] == 1.0
    q = p.lag("x")
    assert "L1_x" not in p.columns and "L1_x" in q.columns


def test_interpolate_logs_each_cell_and_does_not_extrapolate() -> None:
    with pytest.warns(cityres.DataChangeWarning):
        q = _panel().interpolate()
    assert q.data.loc[("A", 2011), "x"] == 2.0
    assert np.isnan(q.data.loc[("B", 2012), "x"])
    filled = [(c.city, c.year, c.column, c.new) for c in q.log if c.action == "filled"]
    assert filled == [("A", 2011, "x", 2.0)]
    with pytest.warns(cityres.DataChangeWarning):
        e = _panel().interpolate(extrapolate=True)
    assert e.data.loc[("B", 2013), "x"] == 8.0  # line through (2010, 2) and (2011, 4)
    assert sum(c.detail == "extrapolated" for c in e.log) == 2


def test_interpolate_never_invents_rows() -> None:
    df = pd.DataFrame({"city": ["A", "A"], "year": [2010, 2012], "x": [1.0, 3.0]})
    q = CityPanel.from_frame(df).interpolate()
    assert len(q) == 2 and len(q.log) == 0


def test_balance_reports_drops() -> None:
    df = pd.DataFrame(
        {
            "city": ["A", "A", "B", "C", "C"],
            "year": [1, 2, 1, 1, 2],
            "x": [1.0, 2.0, 3.0, 4.0, np.nan],
        }
    )
    p = CityPanel.from_frame(df)
    with pytest.warns(cityres.DataChangeWarning, match="dropped 2 cities"):
        q = p.balance()
    assert q.city_ids == ["A"]
    assert [(c.city, c.detail) for c in q.log] == [
        ("B", "incomplete in years [2]"),
        ("C", "incomplete in years [2]"),
    ]
    with pytest.warns(cityres.DataChangeWarning):
        q = p.balance(how="drop_years")
    assert q.years == [1] and [c.year for c in q.log] == [2]
    with pytest.raises(cityres.PanelError, match="drop every row"):
        CityPanel.from_frame(df.assign(x=np.nan)).balance()


def test_ln_refuses_nonpositive_with_city_year() -> None:
    df = pd.DataFrame({"city": ["A", "B"], "year": [2010, 2010], "x": [0.0, 2.0]})
    p = CityPanel.from_frame(df)
    with pytest.raises(cityres.PanelError, match="A/2010"):
        p.ln("x")
    assert p.ln("x", log1p=True).data["ln_x"].tolist() == [0.0, pytest.approx(np.log(3.0))]


def test_per_capita_deflate_lag_lead() -> None:
    p = _panel()
    assert p.per_capita("x", "pop", scale=100).data.loc[("A", 2013), "x_pc"] == 100.0
    defl = pd.Series({2010: 100.0, 2011: 110.0, 2012: 120.0, 2013: 125.0})
    real = p.deflate("pop", defl).data["pop_real"]
    assert real.loc[("A", 2013)] == pytest.approx(4.0 / 1.25)
    lag = p.lag("pop", 2).data["L2_pop"]
    assert lag.loc[("A", 2012)] == 1.0 and np.isnan(lag.loc[("A", 2011)])
    lead = p.lead("pop").data["F1_pop"]
    assert lead.loc[("B", 2012)] == 8.0 and np.isnan(lead.loc[("B", 2013)])


def test_lag_uses_calendar_years_not_rows() -> None:
    df = pd.DataFrame({"city": ["A", "A"], "year": [2010, 2012], "x": [1.0, 3.0]})
    assert np.isnan(CityPanel.from_frame(df).lag("x").data.loc[("A", 2012), "L1_x"])


def test_winsorize_matches_quantiles_and_logs() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"city": [f"c{i}" for i in range(200)], "year": 2020, "x": rng.standard_normal(200)}
    )
    p = CityPanel.from_frame(df)
    with pytest.warns(cityres.DataChangeWarning):
        w = p.winsorize()
    lo, hi = np.quantile(df["x"], [0.01, 0.99])  # numpy's default linear rule
    assert w.data["x"].min() == pytest.approx(lo) and w.data["x"].max() == pytest.approx(hi)
    assert len(w.log) == int((df["x"] < lo).sum() + (df["x"] > hi).sum())


def test_select_validates() -> None:
    p = _panel()
    with pytest.raises(cityres.ArgumentError, match="not in the panel"):
        p.select(cities=["Z"])
    assert p.select(["x"], years=[2011]).data.shape == (2, 1)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=3, max_size=12))
def test_interpolate_only_fills_inside_and_keeps_observed(values: list[float | None]) -> None:
    x = np.array([np.nan if v is None else v for v in values], dtype=float)
    df = pd.DataFrame({"city": "A", "year": range(2000, 2000 + len(x)), "x": x})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = CityPanel.from_frame(df).interpolate().data["x"].to_numpy()
    ok = ~np.isnan(x)
    np.testing.assert_array_equal(out[ok], x[ok])  # observed values never change
    if ok.any():
        first, last = np.flatnonzero(ok)[[0, -1]]
        assert np.isnan(out[:first]).all() and np.isnan(out[last + 1 :]).all()
        assert not np.isnan(out[first : last + 1]).any()


def test_with_columns_adds_logs_and_refuses_overwrites_and_gaps() -> None:
    import cityres
    from cityres._shared.errors import ArgumentError, PanelError

    panel = cityres.datasets.load("yrd_sim")
    extra = (panel.data[["gdp_pc"]] * 2).rename(columns={"gdp_pc": "double"})
    p = panel.with_columns(extra, source="test")
    assert (p.data["double"] == 2 * panel.data["gdp_pc"]).all()
    assert p.log[-1].action == "derived" and p.log[-1].column == "double"
    with pytest.raises(ArgumentError, match=r"\['double'\] already exist"):
        p.with_columns(extra, source="test")
    with pytest.raises(PanelError, match="no value for 1 city-year"):
        panel.with_columns(extra.iloc[1:], source="test")
