"""Spatial weights: the :class:`Weights` object and the builders of the literature.

Builders: :func:`contiguity` (queen, rook), :func:`distance_band`, :func:`inverse_distance`,
:func:`knn`, :func:`economic`, :func:`nested`, :func:`from_matrix`; files:
:func:`read_weights`, :func:`write_weights`; study specs: :func:`weights_from_spec`.
Distances are great-circle (haversine, R = 6371.0088 km): :func:`great_circle_km`,
:func:`distance_matrix_km`.
"""

from cityres.spatial.weights._geo import EARTH_RADIUS_KM, great_circle_km
from cityres.spatial.weights.contiguity import contiguity
from cityres.spatial.weights.core import Weights, WeightsSummary
from cityres.spatial.weights.distance import (
    distance_band,
    distance_matrix_km,
    inverse_distance,
    knn,
)
from cityres.spatial.weights.economic import city_means, economic, nested
from cityres.spatial.weights.io import read_weights, write_weights
from cityres.spatial.weights.matrix import from_matrix
from cityres.spatial.weights.spec import weights_from_spec

__all__ = [
    "EARTH_RADIUS_KM",
    "Weights",
    "WeightsSummary",
    "city_means",
    "contiguity",
    "distance_band",
    "distance_matrix_km",
    "economic",
    "from_matrix",
    "great_circle_km",
    "inverse_distance",
    "knn",
    "nested",
    "read_weights",
    "weights_from_spec",
    "write_weights",
]
