"""Spatial analysis: weights, global and local autocorrelation, spatial pattern.

- :mod:`cityres.spatial.weights`: the :class:`Weights` object and its builders
  (contiguity, distance band, inverse distance, k nearest, economic, nested, files).
- :mod:`cityres.spatial.autocorrelation`: Moran's I, Geary's C, General G, bivariate
  Moran by year; LISA and Gi* with seeded conditional permutations; Moran scatter data.
- :mod:`cityres.spatial.pattern`: weighted mean centre, standard deviational ellipse and
  the migration of the centre.
- :mod:`cityres.spatial.panel`: spatial panel models (SAR, SEM, SDM, SDEM, SLX, SAC) with
  fixed effects, Lee–Yu correction, effects and specification tests (:func:`fit_panel`).
- :mod:`cityres.spatial.sphere`: great-circle distances and bearings.
"""

from cityres.spatial.autocorrelation import (
    GlobalAutocorrelation,
    LocalAutocorrelation,
    fdr_threshold,
    geary,
    getis_ord,
    lisa,
    local_g,
    moran,
    moran_bv,
    moran_scatter,
)
from cityres.spatial.panel import SpatialPanelResults, fit_panel
from cityres.spatial.pattern import PatternResult, centre_and_ellipse
from cityres.spatial.weights import (
    Weights,
    WeightsSummary,
    contiguity,
    distance_band,
    economic,
    from_matrix,
    inverse_distance,
    knn,
    nested,
    read_weights,
    weights_from_spec,
    write_weights,
)

__all__ = [
    "GlobalAutocorrelation",
    "LocalAutocorrelation",
    "PatternResult",
    "SpatialPanelResults",
    "Weights",
    "WeightsSummary",
    "centre_and_ellipse",
    "contiguity",
    "distance_band",
    "economic",
    "fdr_threshold",
    "fit_panel",
    "from_matrix",
    "geary",
    "getis_ord",
    "inverse_distance",
    "knn",
    "lisa",
    "local_g",
    "moran",
    "moran_bv",
    "moran_scatter",
    "nested",
    "read_weights",
    "weights_from_spec",
    "write_weights",
]
