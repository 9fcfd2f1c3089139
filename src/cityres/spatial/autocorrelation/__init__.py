"""Spatial autocorrelation: global Moran's I, Geary's C, General G and bivariate Moran's I;
local Moran's I (LISA), Getis–Ord Gi / Gi* and the Moran scatter.

Panel-level functions take a ``CityPanel`` (or a DataFrame indexed by ``(city, year)``), a
column and a :class:`~cityres.spatial.Weights`, and compute the statistic year by year with
a seeded, reproducible permutation test; ``*_stats`` functions do the same for one vector.
Definitions match esda 2.9 (``docs/methods/esda.md`` lists every convention).
"""

from cityres.spatial.autocorrelation.fdr import fdr_threshold
from cityres.spatial.autocorrelation.global_ import (
    geary,
    geary_stats,
    getis_ord,
    getis_ord_stats,
    moran,
    moran_bv,
    moran_bv_stats,
    moran_stats,
)
from cityres.spatial.autocorrelation.local import (
    lisa,
    lisa_stats,
    local_g,
    local_g_stats,
    moran_scatter,
)
from cityres.spatial.autocorrelation.results import (
    GlobalAutocorrelation,
    LocalAutocorrelation,
)

__all__ = [
    "GlobalAutocorrelation",
    "LocalAutocorrelation",
    "fdr_threshold",
    "geary",
    "geary_stats",
    "getis_ord",
    "getis_ord_stats",
    "lisa",
    "lisa_stats",
    "local_g",
    "local_g_stats",
    "moran",
    "moran_bv",
    "moran_bv_stats",
    "moran_scatter",
    "moran_stats",
]
