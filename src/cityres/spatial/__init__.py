"""Spatial analysis: weights, global and local autocorrelation, spatial pattern."""

from cityres.spatial.weights import Weights, WeightsSummary

__all__ = ["Weights", "WeightsSummary"]
