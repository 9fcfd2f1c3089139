"""The Weights object: validation, standardisation, reordering, libpysal round trips.

References: libpysal 4.x ``W`` / ``Graph`` built from the same neighbour lists (peer for the
conversions and for the connected components); hypothesis for the row-sum invariant.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from libpysal.weights import W, lat2W

from cityres import CityresError
from cityres._shared.errors import WeightsError
from cityres.spatial import Weights

PATH = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]], dtype=float)
IDS = ["310000", "320100", "320200", "330900"]


def test_stores_canonical_csr_and_string_ids() -> None:
    w = Weights(PATH, [310000, 320100, 320200, 330900])
    assert isinstance(w.sparse, sp.csr_array)
    assert w.ids == tuple(IDS)
    assert w.links == 4
    assert w.islands == ("330900",)
    assert w.cardinalities.tolist() == [1, 2, 1, 0]
    assert w.n_components == 2
    assert w.components().nunique() == 2


@pytest.mark.parametrize(
    ("matrix", "ids", "match"),
    [
        (np.ones((2, 3)), ["a", "b"], "must be 2 × 2"),
        (np.array([[0, -1], [1, 0]]), ["a", "b"], "non-negative.*a"),
        (np.array([[0, np.nan], [1, 0]]), ["a", "b"], "finite.*'a'"),
        (np.array([[1, 1], [1, 0]]), ["a", "b"], "own neighbour.*a"),
        (np.array([[0, 1], [1, 0]]), ["a", "a"], "unique; repeated: a"),
    ],
)
def test_refuses_invalid_matrices(matrix: np.ndarray, ids: list[str], match: str) -> None:
    with pytest.raises(WeightsError, match=match):
        Weights(matrix, ids)


def test_row_transform_must_hold() -> None:
    with pytest.raises(WeightsError, match="do not sum to one: 320100"):
        Weights(PATH, IDS, transform="row")
    with pytest.raises(CityresError, match="'none' or 'row'"):
        Weights(PATH, IDS, transform="B")  # type: ignore[arg-type]


def test_row_standardise_keeps_islands_zero_and_notes_it() -> None:
    w = Weights(PATH, IDS).row_standardise()
    assert w.transform == "row"
    np.testing.assert_allclose(w.row_sums.to_numpy(), [1, 1, 1, 0])
    assert "islands kept with a zero row: 330900" in w.notes[-1]
    assert w.row_standardise() is w


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.integers(0, 2**32 - 1))
def test_row_standardised_rows_sum_to_one(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = rng.random((n, n)) * (rng.random((n, n)) < 0.5)
    np.fill_diagonal(m, 0)
    w = Weights(m, [f"c{i}" for i in range(n)]).row_standardise()
    sums = w.row_sums.to_numpy()
    has = np.diff(w.sparse.indptr) > 0
    np.testing.assert_allclose(sums[has], 1.0, atol=1e-12)
    assert np.all(sums[~has] == 0)


def test_reorder_permutes_rows_and_columns_and_names_mismatches() -> None:
    w = Weights(PATH, IDS)
    order = ["320200", "310000", "330900", "320100"]
    r = w.reorder(order)
    dense = w.to_dense()
    np.testing.assert_array_equal(r.to_dense().to_numpy(), dense.loc[order, order].to_numpy())
    with pytest.raises(WeightsError, match=r"in the panel but not in the weights: 340100; "
                                           r"in the weights but not in the panel: 330900"):
        w.reorder(["310000", "320100", "320200", "340100"], what="the panel")


def test_neighbours_and_long_frame() -> None:
    w = Weights(PATH, IDS)
    assert w.neighbours("320100").index.tolist() == ["310000", "320200"]
    assert len(w.to_frame()) == w.links
    with pytest.raises(WeightsError, match="'999999' is not a unit"):
        w.neighbours("999999")


def test_symmetry_and_symmetrise() -> None:
    m = np.array([[0, 2, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    w = Weights(m, ["a", "b", "c"])
    assert not w.is_symmetric()
    s = w.symmetrise()
    assert s.is_symmetric()
    assert s.sparse[0, 1] == 1.5
    with pytest.raises(WeightsError, match="symmetrise first"):
        w.row_standardise().symmetrise()


def test_libpysal_round_trip_keeps_ids_weights_and_transform() -> None:
    lat = lat2W(4, 5, rook=False)
    lat.transform = "R"
    w = Weights.from_libpysal(lat)
    assert w.transform == "row"
    back = w.to_libpysal()
    assert back.transform == "R"
    np.testing.assert_allclose(back.sparse.toarray(), lat.sparse.toarray(), atol=1e-15)
    assert [str(i) for i in lat.id_order] == list(back.id_order)


def test_graph_round_trip_and_components_match_libpysal() -> None:
    neighbours = {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"], "e": []}
    lw = W(neighbours, silence_warnings=True)
    w = Weights.from_libpysal(lw)
    assert w.n_components == lw.n_components == 3
    assert w.islands == ("e",)
    g = w.to_graph()
    back = Weights.from_graph(g)
    assert back.ids == w.ids
    np.testing.assert_array_equal(back.sparse.toarray(), w.sparse.toarray())


def test_summary_counts() -> None:
    s = Weights(PATH, IDS, kind="queen", params={"islands": "keep"}).summary()
    assert (s.n, s.links, s.min_neighbours, s.max_neighbours, s.components) == (4, 4, 0, 2, 2)
    assert s.islands == ("330900",)
    assert s.symmetric
    text = str(s)
    assert "islands: 330900" in text and "islands=keep" in text
    assert s.to_series()["links"] == 4


def test_row_standardised_contiguity_is_reciprocal_not_symmetric() -> None:
    w = Weights(PATH, IDS).row_standardise()
    assert not w.is_symmetric() and w.is_reciprocal()
    one_way = Weights(np.array([[0, 1], [0, 0]]), ["a", "b"])
    assert not one_way.is_reciprocal()
    assert w.summary().reciprocal and not w.summary().symmetric
