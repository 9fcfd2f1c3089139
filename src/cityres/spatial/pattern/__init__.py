"""Spatial pattern of an indicator: weighted mean centre, standard deviational ellipse and
the migration of the centre from year to year (``docs/methods/pattern.md``)."""

from cityres.spatial.pattern.centre import PatternResult, centre_and_ellipse
from cityres.spatial.pattern.ellipse import (
    Ellipse,
    ellipse_outline,
    great_circle,
    plane_crs,
    standard_deviational_ellipse,
)
from cityres.spatial.sphere import EARTH_RADIUS_KM

__all__ = [
    "EARTH_RADIUS_KM",
    "Ellipse",
    "PatternResult",
    "centre_and_ellipse",
    "ellipse_outline",
    "great_circle",
    "plane_crs",
    "standard_deviational_ellipse",
]
