"""Reading and writing weights files.

Round trips are exact (weights written with ``repr``). Interoperability is checked
against libpysal 4.14's own GAL/GWT readers and writers (``libpysal.io.open``) in the same
run, and against the bundled ``states48.gal`` (from libpysal's examples) read by libpysal.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import cityres
from cityres._shared.errors import ArgumentError, DataFileError, WeightsError
from cityres.spatial.weights import (
    Weights,
    contiguity,
    from_matrix,
    inverse_distance,
    knn,
    read_weights,
    write_weights,
)

ZERO_IDS = ["010100", "020100", "030100", "310000"]


@pytest.fixture(scope="module")
def panel() -> cityres.CityPanel:
    return cityres.datasets.load("yrd_sim")


def _same(a: Weights, b: Weights) -> None:
    assert a.ids == b.ids
    assert a.sparse.shape == b.sparse.shape
    assert (a.sparse != b.sparse).nnz == 0  # exact


def _lattice_with_island() -> Weights:
    m = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]], float)
    return from_matrix(m, ids=ZERO_IDS)


@pytest.mark.parametrize(("fmt", "name"), [("csv", "w.csv"), ("matrix-csv", "m.csv"),
                                           ("gal", "w.gal"), ("gwt", "w.gwt")])
def test_round_trip_queen(panel: cityres.CityPanel, tmp_path: Path, fmt: str, name: str) -> None:
    w = contiguity(panel)
    path = write_weights(w, tmp_path / name, format=fmt if fmt == "matrix-csv" else None)
    back = read_weights(path, format=fmt if fmt == "matrix-csv" else None)
    _same(back, w)
    assert back.kind == "file" and back.params["format"] == fmt


@pytest.mark.parametrize(("fmt", "name"), [("csv", "w.csv"), ("matrix-csv", "m.csv"),
                                           ("gwt", "w.gwt")])
def test_round_trip_weighted_is_exact(panel: cityres.CityPanel, tmp_path: Path, fmt: str,
                                      name: str) -> None:
    w = inverse_distance(panel, power=2).row_standardise()
    back = read_weights(write_weights(w, tmp_path / name, format=fmt), format=fmt)
    _same(back, w)


@pytest.mark.parametrize(("fmt", "name"), [("csv", "w.csv"), ("matrix-csv", "m.csv"),
                                           ("gal", "w.gal")])
def test_leading_zeros_and_islands_survive(tmp_path: Path, fmt: str, name: str) -> None:
    w = _lattice_with_island()
    back = read_weights(write_weights(w, tmp_path / name, format=fmt), format=fmt)
    _same(back, w)
    assert back.ids[0] == "010100" and back.islands == ("310000",)


def test_asymmetric_knn_round_trip(panel: cityres.CityPanel, tmp_path: Path) -> None:
    w = knn(panel, k=3)
    for name in ("k.gal", "k.gwt", "k.csv"):
        _same(read_weights(write_weights(w, tmp_path / name)), w)


def test_libpysal_reads_ours_and_we_read_libpysal(panel: cityres.CityPanel,
                                                  tmp_path: Path) -> None:
    import libpysal

    w = contiguity(panel)
    write_weights(w, tmp_path / "ours.gal")
    theirs = libpysal.io.open(str(tmp_path / "ours.gal")).read()
    assert list(theirs.id_order) == list(w.ids)
    assert {k: set(v) for k, v in theirs.neighbors.items()} == \
        {u: set(w.neighbours(u).index) for u in w.ids}
    wd = inverse_distance(panel, cutoff_km=200, islands="keep")
    assert not wd.islands
    write_weights(wd, tmp_path / "ours.gwt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal looks for a .dbf next to a GWT
        gwt = libpysal.io.open(str(tmp_path / "ours.gwt")).read()
    _same(Weights.from_libpysal(gwt).reorder(wd.ids), wd)
    # and the other way: files written by libpysal
    lw = w.to_libpysal()
    out = libpysal.io.open(str(tmp_path / "theirs.gal"), "w")
    out.write(lw)
    out.close()
    _same(read_weights(tmp_path / "theirs.gal"), w)


def test_bundled_states48_gal() -> None:
    import libpysal

    path = Path(cityres.datasets.__file__).parent / "files" / "states48.gal"
    ours = read_weights(path)
    ref = libpysal.io.open(str(path)).read()
    assert ours.n == 48 and ours.links == 214
    assert {u: set(ours.neighbours(u).index) for u in ours.ids} == \
        {str(k): {str(v) for v in vs} for k, vs in ref.neighbors.items()}


def test_gal_header_forms(tmp_path: Path) -> None:
    body = "010100 1\n020100\n020100 1\n010100\n"
    for head in ("2", "0 2 layer code"):
        p = tmp_path / "h.gal"
        p.write_text(f"{head}\n{body}", encoding="utf-8")
        assert read_weights(p).ids == ("010100", "020100")
    p.write_text("3\n010100 1\n020100\n020100 1\n010100\n030100 0\n", encoding="utf-8")
    assert read_weights(p).islands == ("030100",)  # no line after a unit with 0 neighbours


def test_write_refusals(panel: cityres.CityPanel, tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="GAL stores neighbours only"):
        write_weights(inverse_distance(panel), tmp_path / "x.gal")
    with pytest.raises(WeightsError, match="310000"):
        write_weights(_lattice_with_island(), tmp_path / "x.gwt")
    with pytest.raises(ArgumentError, match="matrix-csv"):
        write_weights(contiguity(panel), tmp_path / "x.txt")


@pytest.mark.parametrize(("name", "text", "pattern"), [
    ("bad.gal", "2\n010100 2\n020100\n020100 1\n010100\n",
     r"bad\.gal, line 3: unit 010100 declares 2 neighbour\(s\) on line 2 but this line lists 1"),
    ("bad.gal", "two\n010100 1\n020100\n", r"bad\.gal, line 1: the GAL header"),
    ("bad.gal", "2\n010100 1\n030100\n020100 1\n010100\n",
     r"line 3: neighbour 030100 of 010100 is not one of the units"),
    ("bad.gal", "3\n010100 1\n020100\n020100 1\n010100\n", r"ends after 2 unit\(s\).*declares 3"),
    ("bad.gal", "1\n010100 x\n020100\n", r"line 2: expected '<id> <number of neighbours>'"),
    ("bad.gwt", "0 2 layer code\n010100 020100 1.5\n020100 010100 abc\n",
     r"bad\.gwt, line 3: weight must be a number; got 'abc'"),
    ("bad.gwt", "0 3 layer code\n010100 020100 1\n020100 010100 1\n",
     r"line 1: the header declares 3 units but the links name 2"),
    ("bad.gwt", "2\n010100 020100\n", r"line 2: expected '<focal> <neighbour> <weight>'"),
    ("bad.csv", "focal,neighbour,weight\n010100,020100,1\n010100,020100,2\n",
     r"bad\.csv, line 3: the link 010100 → 020100 repeats line 2"),
    ("bad.csv", "city,010100,020100\n010100,0,1\n",
     r"bad\.csv, line 1: .*focal,neighbour,weight.*format='matrix-csv'"),
    ("bad.csv", "focal,neighbour,weight\n010100,020100,-1\n", r"line 2: weight must be .* ≥ 0"),
    ("bad.csv", "focal,neighbour,weight\n010100,010100,1\n", r"line 2: 010100 is its own"),
    ("bad.csv", "focal,neighbour,weight\n010100,,1\n", r"line 2: neighbour and weight"),
])
def test_malformed_files_name_file_and_line(tmp_path: Path, name: str, text: str,
                                            pattern: str) -> None:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=pattern):
        read_weights(p)


def test_matrix_csv_errors(tmp_path: Path) -> None:
    p = tmp_path / "m.csv"
    p.write_text("city,010100,020100\n010100,0,1\n030100,1,0\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"m\.csv: .*index only: 030100.*columns only: 020100"):
        read_weights(p, format="matrix-csv")
    p.write_text("city,010100,020100\n010100,0,\n020100,1,0\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 2, column 020100: empty cell"):
        read_weights(p, format="matrix-csv")
    p.write_text("city,010100,020100\n010100,0,1\n020100,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 3: expected 3 fields"):
        read_weights(p, format="matrix-csv")


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"nope\.gal: no such file"):
        read_weights(tmp_path / "nope.gal")
    with pytest.raises(ArgumentError, match=r"'csv', 'matrix-csv', 'gal' or 'gwt'"):
        read_weights(tmp_path / "w.gal", format="shp")
