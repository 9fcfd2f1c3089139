"""Indicator systems: bundled TOML files, user files, validation against a panel."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import cityres
from cityres.indices import IndicatorSystem, bundled_systems, load_system

# which codebook groups make each bundled system (yrd_sim codebook, SIMULATED panel)
GROUPS = {
    "digital_economy": ["digital_economy"],
    "ecommerce": ["ecommerce"],
    "urban_resilience": [
        "resilience_social",
        "resilience_economic",
        "resilience_infrastructure",
        "resilience_ecological",
    ],
    "economic_resilience": ["economic_resilience"],
}


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


def test_bundled_names() -> None:
    assert set(GROUPS) <= set(bundled_systems())


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_bundled_system_matches_codebook(panel: cityres.CityPanel, name: str) -> None:
    system = load_system(name)
    assert system.source == f"bundled:{name}"
    assert system.title_zh and system.title_en and system.references
    book = panel.variables
    assert book is not None
    rows = book[book["group"].isin(GROUPS[name])]
    # the same columns, exactly
    assert sorted(system.columns) == sorted(rows.index)
    for ind in system.indicators:
        assert ind.direction == int(rows.at[ind.column, "direction"]), ind.column
        assert ind.dimension == rows.at[ind.column, "dimension"], ind.column
        assert ind.unit == rows.at[ind.column, "unit"], ind.column
        assert ind.zh and ind.en and ind.source, ind.column
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        system.validate(panel)  # no error, no warning


def test_digital_economy_is_zhao_et_al() -> None:
    s = load_system("digital_economy")
    assert s.columns == [
        "internet_users_per100",
        "it_emp_share",
        "telecom_rev_pc",
        "mobile_per100",
        "dfi_index",
    ]
    assert "赵涛" in s.references[0] and "管理世界" in s.references[0]
    assert "北京大学" in s.indicators[-1].source


def test_dimensions_in_order() -> None:
    assert load_system("urban_resilience").dimension_keys == [
        "social",
        "economic",
        "infrastructure",
        "ecological",
    ]
    assert load_system("economic_resilience").dimension_keys == [
        "resistance_recovery",
        "adaptation_adjustment",
        "innovation_transformation",
    ]
    frame = load_system("urban_resilience").to_frame()
    assert frame.loc["pm25", "direction"] == -1 and frame.index.name == "indicator"


def test_validate_lists_every_missing_column(panel: cityres.CityPanel) -> None:
    small = panel.select(["internet_users_per100", "dfi_index"])
    with pytest.raises(cityres.PanelError) as info:
        load_system("digital_economy").validate(small)
    msg = str(info.value)
    assert "'digital_economy'" in msg and "3 column(s)" in msg
    for col in ("it_emp_share", "telecom_rev_pc", "mobile_per100"):
        assert col in msg
    with pytest.raises(cityres.PanelError, match="it_emp_share"):
        cityres.indices.build_index(small, "digital_economy")


def test_direction_clash_with_codebook_warns(panel: cityres.CityPanel) -> None:
    s = IndicatorSystem.from_dict(
        {
            "name": "odd",
            "dimensions": [{"key": "d"}],
            "indicators": [
                {"column": "pm25", "direction": "+"},
                {"column": "gdp_pc", "direction": "+"},
            ],
        }
    )
    with pytest.warns(cityres.DataQualityWarning, match="pm25"):
        s.validate(panel)


def test_user_toml_file(tmp_path: Path, panel: cityres.CityPanel) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\ntitle_en = "Mine"\n[[dimensions]]\nkey = "k"\n'
        '[[indicators]]\ncolumn = "gdp_pc"\ndirection = "+"\n'
        '[[indicators]]\ncolumn = "pm25"\ndirection = "-"\n',
        encoding="utf-8",
    )
    s = load_system(path)
    assert s.columns == ["gdp_pc", "pm25"] and s.dimension_of.tolist() == ["k", "k"]
    assert load_system(str(path)) == s
    res = cityres.indices.build_index(panel, path)
    assert res.scores.between(0, 1).all()


def test_bad_toml_reports_all_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "bad"\n[[dimensions]]\nkey = "a"\n[[dimensions]]\nkey = "b"\n'
        '[[indicators]]\ncolumn = "x"\ndimension = "a"\ndirection = "up"\n'
        '[[indicators]]\ncolumn = "x"\ndimension = "zzz"\ndirection = "+"\n',
        encoding="utf-8",
    )
    with pytest.raises(cityres.DataFileError) as info:
        load_system(path)
    msg = str(info.value)
    assert "'up'" in msg and "listed twice" in msg and "'zzz'" in msg and "'b' has no" in msg
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n", encoding="utf-8")
    with pytest.raises(cityres.DataFileError, match="invalid TOML"):
        load_system(broken)
    with pytest.raises(cityres.DataFileError, match="digital_economy"):
        load_system("no_such_system")


def test_drop_and_immutability() -> None:
    s = load_system("urban_resilience")
    t = s.drop(["green_coverage", "so2_emissions", "pm25", "sewage_treatment"])
    assert "ecological" not in t.dimension_keys and len(t.indicators) == 12
    assert len(s.indicators) == 16
    with pytest.raises(cityres.ArgumentError, match="nope"):
        s.drop("nope")
    with pytest.raises(AttributeError):
        s.name = "x"
    assert isinstance(s.directions, pd.Series) and s.directions["pm25"] == -1
