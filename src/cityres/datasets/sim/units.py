"""The spatial units of a simulation: the 41 real YRD cities or a synthetic lattice.

Both kinds give a :class:`Units` with the city table (register facts and prior classes),
the binary contiguity as a neighbour mapping, the row-standardised sparse weights and the
pilot-programme adoption years (0 = never adopts).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres.datasets.sim.priors import (
    DEV_TIERS,
    OPEN_TIERS,
    PROVINCE_ROLE,
    ROLE_NAMES,
    ROLE_REGION,
    SIZE_TIERS,
    YRD41_PRIORS,
)

PROGRAMMES = ("broadband", "cbec", "ecdemo")
ZHOUSHAN = "330900"
ZHOUSHAN_K = 2


@dataclass(frozen=True)
class Units:
    """Spatial units, their contiguity and their pilot adoption years."""

    table: pd.DataFrame  # indexed by code, sorted
    neighbours: dict[str, tuple[str, ...]]
    W: sp.csr_matrix  # row-standardised, order of ``table.index``
    cohorts: dict[str, np.ndarray]  # programme -> adoption year per unit (0 = never)
    notes: dict[str, str]

    @property
    def ids(self) -> list[str]:
        """Unit ids in simulation order."""
        return [str(i) for i in self.table.index]


def row_standardise(A: sp.spmatrix) -> sp.csr_matrix:
    """Divide each row of a binary adjacency matrix by its sum (empty rows stay zero)."""
    A = sp.csr_matrix(A, dtype=float)
    deg = np.asarray(A.sum(axis=1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    return sp.csr_matrix(sp.diags(inv) @ A)


def _adjacency(ids: list[str], neighbours: dict[str, tuple[str, ...]]) -> sp.csr_matrix:
    pos = {c: k for k, c in enumerate(ids)}
    rows = [pos[c] for c in ids for _ in neighbours[c]]
    cols = [pos[j] for c in ids for j in neighbours[c]]
    n = len(ids)
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


# ----------------------------------------------------------------------------- lattice
def lattice_units(n: int, rng: np.random.Generator, lattice: dict[str, Any]) -> Units:
    """A square-ish lattice of ``n`` units with rook contiguity.

    Units fill a grid of ``ceil(sqrt(n))`` columns row by row from the north-west; ids are
    ``L000001``…; the west 40 % of columns form a "central" Anhui-like province, the east
    is split into a northern (Jiangsu-like) and a southern (Zhejiang-like) province. Prior
    classes are drawn with the class shares of the 41 YRD cities; development and openness
    rise from west to east with a spatially smooth random component.
    """
    ncol = int(np.ceil(np.sqrt(n)))
    nrow = int(np.ceil(n / ncol))
    k = np.arange(n)
    row, col = k // ncol, k % ncol
    ids = [f"L{i + 1:06d}" for i in range(n)]
    # rook contiguity, built directly as a sparse matrix
    right = (col + 1 < ncol) & (k + 1 < n)
    down = k + ncol < n
    src = np.concatenate([k[right], k[down]])
    dst = np.concatenate([k[right] + 1, k[down] + ncol])
    A = sp.csr_matrix(
        (np.ones(2 * src.size), (np.concatenate([src, dst]), np.concatenate([dst, src]))),
        shape=(n, n),
    )
    W = row_standardise(A)
    indptr, indices = A.indptr, A.indices
    neighbours = {ids[i]: tuple(ids[j] for j in indices[indptr[i]:indptr[i + 1]])
                  for i in range(n)}
    xs = col / max(ncol - 1, 1)
    ys = row / max(nrow - 1, 1)
    lon = 115.0 + 7.5 * xs
    lat = 35.0 - 7.8 * ys
    role = np.where(xs < 0.4, "anhui", np.where(ys < 0.5, "jiangsu", "zhejiang"))
    prov = {"jiangsu": "P1", "zhejiang": "P2", "anhui": "P3"}
    # smooth random field: mean of own and neighbours' normal draws, twice
    field = rng.standard_normal(n)
    for _ in range(2):
        field = 0.5 * field + 0.5 * (W @ field)
    field = field / max(float(np.std(field)), 1e-12)
    dev_score = 1.5 * xs + 0.5 * field + 0.3 * rng.standard_normal(n)
    open_score = 0.7 * dev_score + 0.5 * rng.standard_normal(n)
    shares = lattice
    dev = _tiers(dev_score, DEV_TIERS, shares["dev_tier_shares"])
    opn = _tiers(open_score, OPEN_TIERS, shares["open_tier_shares"])
    size_p = np.asarray(shares["size_tier_shares"], dtype=float)
    size = rng.choice(np.asarray(SIZE_TIERS), size=n, p=size_p / size_p.sum())
    table = pd.DataFrame(
        {
            "name_zh": [f"模拟格点{i + 1}" for i in range(n)],
            "name_en": [f"Lattice unit {i + 1}" for i in range(n)],
            "province": [f"Synthetic {prov[r]} ({ROLE_NAMES[r][0]}-like)" for r in role],
            "province_zh": [f"模拟省{prov[r][1]}" for r in role],
            "region": [ROLE_REGION[r] for r in role],
            "lat": lat,
            "lon": lon,
            "role": role,
            "size_tier": size,
            "dev_tier": dev,
            "open_tier": opn,
            "de_bonus": 0.0,
            "ec_bonus": 0.0,
            "finance_hub": 0.0,
        },
        index=pd.Index(ids, name="code"),
    )
    notes = {
        "contiguity": f"rook contiguity on a {nrow} x {ncol} grid filled row by row "
        f"({n} units); row-standardised",
        "policy_calendar": "SIMULATED staggered adoption: units ranked by alpha_i plus "
        "N(0, 1) noise, assigned to cohorts earliest first (selection on levels only)",
    }
    return Units(table, neighbours, W, {}, notes)


def _tiers(score: np.ndarray, labels: tuple[str, ...], counts: list[int]) -> np.ndarray:
    """Cut ``score`` into classes, the highest scores in the first label."""
    share = np.cumsum(np.asarray(counts, dtype=float)) / float(sum(counts))
    rank = np.empty(score.size)
    rank[np.argsort(-score, kind="stable")] = (np.arange(score.size) + 0.5) / score.size
    return np.asarray(labels)[np.searchsorted(share, rank)]


def lattice_cohorts(
    alpha: np.ndarray, rng: np.random.Generator, lattice: dict[str, Any], selection: float
) -> dict[str, np.ndarray]:
    """Draw staggered adoption years: the highest scores adopt earliest.

    The score is ``selection * standardised(alpha_i) + N(0, 1)``; the cohort shares are
    ``lattice['cohorts_<programme>']``; units beyond the listed shares never adopt (0).
    """
    n = alpha.size
    z = (alpha - alpha.mean()) / max(float(alpha.std()), 1e-12)
    out: dict[str, np.ndarray] = {}
    for prog in PROGRAMMES:
        spec: dict[str, float] = lattice[f"cohorts_{prog}"]
        score = selection * z + rng.standard_normal(n)
        order = np.argsort(-score, kind="stable")
        years = np.zeros(n, dtype=np.int64)
        start = 0
        for year, share in sorted(spec.items(), key=lambda kv: int(kv[0])):
            m = round(share * n)
            years[order[start:start + m]] = int(year)
            start += m
        out[prog] = years
    return out


# ----------------------------------------------------------------------------- yrd41
def _programme(name: str) -> str | None:
    low = name.lower()
    if "broadband" in low or "宽带" in low:
        return "broadband"
    if "cbec" in low or "cross" in low or "跨境" in low:
        return "cbec"
    if "demo" in low or "示范" in low:
        return "ecdemo"
    return None


@cache
def yrd41_units() -> Units:
    """The 41 YRD cities: register facts, Queen contiguity and the bundled pilot calendar.

    Read once per session and cached (the result is never modified).

    Zhoushan (330900) is an archipelago whose polygon touches the mainland only through
    boundary artefacts, so its Queen links are replaced by links to its
    ``ZHOUSHAN_K = 2`` nearest cities by polygon distance (in a metric projection),
    symmetrically; every other city keeps its Queen neighbours.
    """
    import geopandas as gpd
    import libpysal

    from cityres.datasets._registry import data_file

    reg = pd.read_csv(data_file("china_cities.csv"), dtype={"code": str})
    reg = reg.drop_duplicates("code").set_index("code")
    codes = sorted(YRD41_PRIORS)
    gdf = gpd.read_file(data_file("yrd41.geojson"))
    gdf["code"] = gdf["code"].astype(str)
    gdf = gdf.set_index("code").loc[codes]
    queen = libpysal.weights.Queen.from_dataframe(gdf, use_index=True, silence_warnings=True)
    neigh: dict[str, set[str]] = {c: {str(j) for j in queen.neighbors[c]} for c in codes}
    metric = gdf.to_crs("EPSG:32651")
    dist = metric.geometry.distance(metric.geometry.loc[ZHOUSHAN]).drop(ZHOUSHAN)
    nearest = [str(c) for c in dist.sort_values(kind="stable").index[:ZHOUSHAN_K]]
    for c in neigh.pop(ZHOUSHAN):
        neigh[c].discard(ZHOUSHAN)
    neigh[ZHOUSHAN] = set(nearest)
    for c in nearest:
        neigh[c].add(ZHOUSHAN)
    neighbours = {c: tuple(sorted(neigh[c])) for c in codes}
    W = row_standardise(_adjacency(codes, neighbours))
    role = [PROVINCE_ROLE[c[:2]] for c in codes]
    pri = [YRD41_PRIORS[c] for c in codes]
    rows = reg.reindex(codes)
    table = pd.DataFrame(
        {
            "name_zh": rows["name_zh"].astype(str),
            "name_en": rows["name_en"].astype(str),
            "province": [ROLE_NAMES[r][0] for r in role],
            "province_zh": [ROLE_NAMES[r][1] for r in role],
            "region": [ROLE_REGION[r] for r in role],
            "lat": rows["lat"].astype(float),
            "lon": rows["lon"].astype(float),
            "role": role,
            "size_tier": [p.size for p in pri],
            "dev_tier": [p.dev for p in pri],
            "open_tier": [p.open for p in pri],
            "de_bonus": [p.de_bonus for p in pri],
            "ec_bonus": [p.ec_bonus for p in pri],
            "finance_hub": [p.finance_hub for p in pri],
        },
        index=pd.Index(codes, name="code"),
    )
    cohorts, source = _yrd41_cohorts(codes)
    n_links = sum(len(v) for v in neighbours.values()) // 2
    notes = {
        "contiguity": "Queen contiguity of the bundled yrd41.geojson polygons "
        f"({n_links} links); Zhoushan (330900) is effectively an island: its Queen links "
        f"are replaced by its {ZHOUSHAN_K} nearest cities by polygon distance "
        f"({', '.join(nearest)}), symmetric; row-standardised",
        "policy_calendar": source,
    }
    return Units(table, neighbours, W, cohorts, notes)


def _yrd41_cohorts(codes: list[str]) -> tuple[dict[str, np.ndarray], str]:
    from cityres.datasets._registry import data_file

    pol = pd.read_csv(data_file("policies_yrd41.csv"), dtype={"city": str, "code": str})
    city_col = "city" if "city" in pol.columns else "code"
    prog_col = next(c for c in ("programme", "program", "policy") if c in pol.columns)
    pol["_prog"] = pol[prog_col].astype(str).map(_programme)
    pol = pol.dropna(subset=["_prog"])
    pol = pol[pol[city_col].isin(codes)]
    first = pol.groupby(["_prog", city_col])["year"].min()
    out = {}
    for prog in PROGRAMMES:
        years = first.get(prog, pd.Series(dtype=int))
        out[prog] = np.array([int(years.get(c, 0)) for c in codes], dtype=np.int64)
    conf = ""
    if "confidence" in pol.columns:
        counts = pol["confidence"].value_counts().to_dict()
        conf = "; rows by confidence: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    source = (
        "bundled policies_yrd41.csv (first listed year per city and programme, treated "
        "from that year on; medium- and low-confidence rows are used as listed, which is "
        f"harmless for simulated outcomes){conf}"
    )
    return out, source
