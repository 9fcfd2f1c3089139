"""The dataset catalogue and its public functions."""

from __future__ import annotations

import pytest

import cityres
from cityres import datasets


def test_list_names_every_dataset_with_kind_source_licence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    table = datasets.list()
    assert set(table.index) == {"cigar", "policies", "produc", "yrd41", "yrd_sim"}
    assert table.loc["yrd_sim", "kind"] == "simulated"
    assert (table.drop(index="yrd_sim")["kind"] == "real").all()
    assert table["source"].str.len().min() > 20 and table["licence"].str.len().min() > 2
    assert "SIMULATED" in capsys.readouterr().out


def test_unknown_names_list_the_choices() -> None:
    with pytest.raises(cityres.UnknownDatasetError, match="'produc'") as info:
        datasets.load("prodcu")
    assert isinstance(info.value, KeyError)
    with pytest.raises(cityres.UnknownDatasetError, match="has no weights"):
        datasets.weights("yrd_sim")
    with pytest.raises(cityres.UnknownDatasetError, match="has no truth"):
        datasets.truth("produc")


def test_yrd41_is_a_register_with_geometry() -> None:
    panel = datasets.load("yrd41")
    assert len(panel.city_ids) == 0 or panel.columns == []
    assert len(panel.cities) == 41
    assert panel.geometry is not None and len(panel.geometry) == 41
    assert set(panel.cities["province"]) == {"Shanghai", "Jiangsu", "Zhejiang", "Anhui"}
    assert not panel.simulated


def test_yrd_sim_is_labelled_simulated() -> None:
    panel = datasets.load("yrd_sim")
    assert panel.simulated
    assert "SIMULATED" in panel.summary().splitlines()[0]
    assert panel.variables is not None
    assert panel.variables["description"].str.startswith("SIMULATED").all()
    assert len(panel.city_ids) == 41 and panel.years == list(range(2011, 2024))
    assert panel.is_balanced
    assert datasets.load.__doc__ is not None and "SIMULATED" in datasets.load.__doc__
    assert isinstance(datasets.truth("yrd_sim"), dict)


def test_us_panels_with_their_weights() -> None:
    produc = datasets.load("produc")
    w = datasets.weights("produc")
    assert sorted(w.id_order) == produc.city_ids
    cigar = datasets.load("cigar")
    assert sorted(datasets.weights("cigar").id_order) == cigar.city_ids
