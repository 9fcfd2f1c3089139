"""The DID data layer (did_frame) and treatment from a policy calendar.

No peer: the expected values are read off the bundled calendar (policies_yrd41.csv) and
the yrd_sim cohort columns, which the simulator derives from that calendar.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cityres
from cityres._shared.errors import (
    ArgumentError,
    DataChangeWarning,
    DataValidationError,
    LowConfidenceDataWarning,
    PanelError,
)
from cityres.econometrics.did import did_frame
from cityres.econometrics.did.treatment import treatment_from_calendar


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


def _long(n_units: int = 6, years: range = range(2010, 2016)) -> pd.DataFrame:
    cohorts = [0, 0, 2012, 2012, 2014, 2014][:n_units]
    rows = [{"id": f"u{i}", "t": t, "y": float(i + t), "g": cohorts[i]}
            for i in range(n_units) for t in years]
    return pd.DataFrame(rows)


def test_frame_of_yrd_sim(panel: cityres.data.CityPanel) -> None:
    d = did_frame(panel, "de_latent", cohort="cohort_broadband")
    assert d.cohorts == (2014, 2015, 2016)
    assert d.n_never == 23 and d.balanced
    assert list(d.frame.columns) == ["city", "year", "de_latent", "cohort_broadband"]
    treated = panel.data["pilot_broadband"].to_numpy(dtype=bool)
    assert np.array_equal(d.treated, treated)
    e = d.event_time
    assert np.isnan(e[d.frame["cohort_broadband"].to_numpy() == 0]).all()
    assert np.nanmin(e) == 2011 - 2016 and np.nanmax(e) == 2023 - 2014


def test_missing_cohort_means_never_treated() -> None:
    df = _long()
    df["g"] = df["g"].astype(float).replace(0.0, np.nan)
    d = did_frame(df, "y", cohort="g", entity="id", time="t")
    assert d.n_never == 2 and d.cohorts == (2012, 2014)
    assert d.notes == ()


def test_cohort_varying_within_unit_names_it() -> None:
    df = _long()
    df.loc[(df["id"] == "u2") & (df["t"] == 2015), "g"] = 2013
    with pytest.raises(PanelError, match=r"varies within unit\(s\) \['u2'\]"):
        did_frame(df, "y", cohort="g", entity="id", time="t")


def test_non_integer_cohort_is_refused() -> None:
    df = _long()
    df["g"] = df["g"].astype(float)
    df.loc[df["id"] == "u4", "g"] = 2013.5
    with pytest.raises(PanelError, match="not non-negative integer periods"):
        did_frame(df, "y", cohort="g", entity="id", time="t")


def test_always_treated_error_drop_keep() -> None:
    df = _long()
    df.loc[df["id"] == "u5", "g"] = 2010
    with pytest.raises(PanelError, match=r"u5 \(2010\)"):
        did_frame(df, "y", cohort="g", entity="id", time="t")
    with pytest.warns(DataChangeWarning, match="dropped 1 always-treated"):
        d = did_frame(df, "y", cohort="g", entity="id", time="t", always_treated="drop")
    assert d.dropped == ("u5",) and "u5" not in set(d.frame["id"]) and len(d.notes) == 1
    kept = did_frame(df, "y", cohort="g", entity="id", time="t", always_treated="keep")
    assert kept.cohorts == (2010, 2012, 2014)
    with pytest.raises(ArgumentError, match="always_treated='x'; accepted"):
        did_frame(df, "y", cohort="g", entity="id", time="t",
                  always_treated="x")  # type: ignore[arg-type]


def test_cohort_after_last_period_becomes_never_with_a_note() -> None:
    df = _long()
    df.loc[df["id"] == "u5", "g"] = 2030
    with pytest.warns(DataChangeWarning, match=r"after the last period 2015.*u5 \(2030\)"):
        d = did_frame(df, "y", cohort="g", entity="id", time="t")
    assert d.n_never == 3 and d.notes


def test_unbalanced_and_untreated_panels() -> None:
    df = _long().query("not (id == 'u1' and t == 2013)")
    with pytest.raises(PanelError, match=r"unbalanced; 1 missing .*\('u1', 2013\)"):
        did_frame(df, "y", cohort="g", entity="id", time="t")
    assert not did_frame(df, "y", cohort="g", entity="id", time="t", balanced=False).balanced
    none = _long().assign(g=0)
    with pytest.raises(PanelError, match="no unit is treated"):
        did_frame(none, "y", cohort="g", entity="id", time="t")
    with pytest.raises(ArgumentError, match="cohort='nope' is not a column"):
        did_frame(_long(), "y", cohort="nope", entity="id", time="t")


def test_treatment_matches_the_simulated_cohorts(panel: cityres.data.CityPanel) -> None:
    with pytest.warns(LowConfidenceDataWarning, match="321000 \\(2015, medium\\)"):
        tr = treatment_from_calendar(panel, "broadband_china")
    sim = panel.data["cohort_broadband"].groupby(level="city").first()
    assert tr.cohorts.reindex(sim.index).tolist() == sim.astype(int).tolist()
    table = tr.table().set_index("cohort")
    assert table.loc[0, "n_cities"] == 23 and table.loc[2015, "medium"] == 4
    assert tr.confidence[tr.cohorts == 0].eq("").all()
    groups = tr.groups().set_index("period")
    assert groups.loc[2015].tolist() == [11, 7, 23]
    assert (groups.sum(axis=1) == 41).all()
    attached = tr.attach(panel)
    assert np.array_equal(attached.data["post_broadband_china"].to_numpy(),
                          panel.data["pilot_broadband"].to_numpy(dtype=float))


def test_high_confidence_only_drops_unverified_years(panel: cityres.data.CityPanel) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", LowConfidenceDataWarning)
        tr = treatment_from_calendar(panel, "broadband_china", min_confidence="high")
    assert int((tr.cohorts == 2015).sum()) == 0 and int((tr.cohorts > 0).sum()) == 14


@pytest.mark.filterwarnings("ignore::cityres._shared.errors.LowConfidenceDataWarning")
def test_always_treated_and_outside_cities_are_reported(panel: cityres.data.CityPanel) -> None:
    with pytest.warns(DataChangeWarning, match="at or before the first period 2011"):
        tr = treatment_from_calendar(panel, "ecommerce_demo_city")
    assert (tr.status == "before_panel").sum() == 5
    sub = panel.data.loc[panel.data.index.get_level_values("city").isin(
        ["310000", "320100", "320200"])]
    with pytest.warns(DataChangeWarning, match="not in the panel and are left out"):
        small = treatment_from_calendar(sub.reset_index(), "broadband_china",
                                        entity="city", time="year")
    assert len(small.cohorts) == 3


def test_user_calendar_errors_name_row_and_city(panel: cityres.data.CityPanel) -> None:
    cal = pd.DataFrame({"city": ["310000", "999999"], "programme": ["p", "p"],
                        "year": [2015, 2016]})
    with pytest.raises(DataValidationError, match="999999"):
        treatment_from_calendar(panel, "p", calendar=cal)
    ok = pd.DataFrame({"city": ["310000"], "programme": ["p"], "year": [2015]})
    with pytest.raises(ArgumentError, match="programme 'q' is not in the calendar"):
        treatment_from_calendar(panel, "q", calendar=ok)
    tr = treatment_from_calendar(panel, "p", calendar=ok)
    assert tr.cohorts["310000"] == 2015 and tr.confidence["310000"] == "high"
    assert "user calendar" in tr.summary()
