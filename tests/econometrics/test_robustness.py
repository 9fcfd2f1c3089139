"""Robustness checks: each check's data change is the documented one (compared with the
panel transformation done by hand) and the model re-estimated on it equals ``fit_fe`` on
that data; city roles come from the bundled ``china_city_roles.csv`` (Ministry of Civil
Affairs lists, see its sidecar)."""

from __future__ import annotations

import warnings

import pytest

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.datasets.china import city_roles
from cityres.econometrics import fit_fe
from cityres.econometrics.robustness import drop_cities, robustness

CTRL = ["gdp_pc", "openness"]


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


def test_city_roles_are_the_known_lists() -> None:
    roles = city_roles()
    assert int(roles["municipality"].sum()) == 4
    assert int(roles["provincial_capital"].sum()) == 27
    assert int(roles["sub_provincial"].sum()) == 15
    assert sorted(roles.index[roles["separately_planned"]]) == [
        "210200", "330200", "350200", "370200", "440300"]
    register = cityres.datasets.china.china_cities()
    assert set(roles.index) <= set(register.index[register["status"] == "current"])


def test_drop_cities_logs_what_it_dropped(panel: cityres.CityPanel) -> None:
    p = drop_cities(panel, ["municipalities", "sub_provincial"])
    assert set(panel.city_ids) - set(p.city_ids) == {"310000", "320100", "330100", "330200"}
    dropped = p.log.to_frame().query("action == 'dropped_city'")["city"].tolist()
    assert sorted(dropped) == ["310000", "320100", "330100", "330200"]
    assert drop_cities(panel, "320500").city_ids == [c for c in panel.city_ids if c != "320500"]
    with pytest.raises(ArgumentError, match="neither a role"):
        drop_cities(panel, "capitals")
    with pytest.raises(ArgumentError, match="not in the panel"):
        drop_cities(panel, "110000")


def test_each_check_equals_fit_fe_on_the_changed_data(panel: cityres.CityPanel) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = robustness(panel, "resilience", "de_latent", controls=CTRL,
                       checks=[{"lag": 1}, {"winsorize": [0.05, 0.95]}, {"years": [2013, 2019]},
                               {"effects": "individual", "cluster": "province"}])
        lagged = panel.lag(["de_latent", *CTRL], 1)
        lagged = lagged.select(years=lagged.years[1:])
        wins = panel.winsorize(["resilience", "de_latent", *CTRL], limits=(0.05, 0.95))
    refs = [fit_fe("resilience ~ de_latent + gdp_pc + openness", panel),
            fit_fe("resilience ~ L1_de_latent + L1_gdp_pc + L1_openness", lagged),
            fit_fe("resilience ~ de_latent + gdp_pc + openness", wins),
            fit_fe("resilience ~ de_latent + gdp_pc + openness",
                   panel.select(years=range(2013, 2020))),
            fit_fe("resilience ~ de_latent + gdp_pc + openness", panel, effects="individual",
                   cluster="province")]
    for mine, ref in zip(r.models, refs, strict=True):
        assert mine.params.to_dict() == pytest.approx(ref.params.to_dict(), rel=1e-12)
        assert mine.std_errors.to_dict() == pytest.approx(ref.std_errors.to_dict(), rel=1e-12)
    assert r.core[1] == ("L1_de_latent",)
    assert "cells winsorised" in r.changes[2]
    assert r.labels == ("baseline", "lag 1", "winsorised 0.05–0.95", "2013–2019",
                        "effects = individual; cluster = province")
    assert set(r.tidy()["check"]) == set(r.labels)


def test_bad_checks(panel: cityres.CityPanel) -> None:
    with pytest.raises(ArgumentError, match=r"unknown key\(s\) \['lagg'\]"):
        robustness(panel, "resilience", "de_latent", checks=[{"lagg": 1}])
    with pytest.raises(ArgumentError, match="lag=0"):
        robustness(panel, "resilience", "de_latent", checks=[{"lag": 0}])
    with pytest.raises(ArgumentTypeError, match="needs a CityPanel"):
        robustness(panel.data, "resilience", "de_latent", checks=[{"lag": 1}])  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="expected a mapping"):
        robustness(panel, "resilience", "de_latent", checks=["lag"])  # type: ignore[list-item]
