"""Composite indices of city development: indicator systems, normalisation, weights, scores.

Build an index in one call::

    >>> import cityres
    >>> from cityres.indices import build_index
    >>> panel = cityres.datasets.load("yrd_sim")          # SIMULATED data
    >>> de = build_index(panel, "digital_economy")        # min–max, pooled, entropy, sum
    >>> de.weights[["indicator", "weight"]].shape
    (5, 2)
    >>> er = build_index(panel, "economic_resilience", weighting="entropy", aggregate="topsis")
    >>> list(er.dimension_scores.columns)
    ['resistance_recovery', 'adaptation_adjustment', 'innovation_transformation']

or learn on a reference period and score later years with the same min/max and weights::

    >>> from cityres.indices import IndexBuilder
    >>> builder = IndexBuilder("digital_economy").fit(panel.select(years=range(2011, 2020)))
    >>> later = builder.transform(panel.select(years=[2020]))  # may warn: x' beyond [0, 1]

Modules: :mod:`~cityres.indices.system` (TOML indicator systems; bundled:
``digital_economy``, ``ecommerce``, ``urban_resilience``, ``economic_resilience``),
:mod:`~cityres.indices.normalize`, :mod:`~cityres.indices.weighting`,
:mod:`~cityres.indices.aggregate` (weighted sum, TOPSIS), :mod:`~cityres.indices.builder`
(``IndexBuilder``, ``build_index``), :mod:`~cityres.indices.coupling` (coupling
coordination) and :mod:`~cityres.indices.obstacle` (obstacle degree).

The function ``normalize`` stays in its module (``cityres.indices.normalize.normalize``)
so that the name ``cityres.indices.normalize`` keeps meaning the module.
"""

from cityres.indices.aggregate import ideal_points, rank_within_year, topsis, weighted_sum
from cityres.indices.builder import IndexBuilder, build_index
from cityres.indices.coupling import coupling
from cityres.indices.normalize import Normalizer, OutOfRangeWarning
from cityres.indices.obstacle import obstacles
from cityres.indices.result import IndexResult
from cityres.indices.system import (
    Dimension,
    Indicator,
    IndicatorSystem,
    bundled_systems,
    load_system,
)
from cityres.indices.weighting import (
    combine,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    hierarchy,
    pca_components,
    pca_weights,
    user_weights,
)

__all__ = [
    "Dimension",
    "IndexBuilder",
    "IndexResult",
    "Indicator",
    "IndicatorSystem",
    "Normalizer",
    "OutOfRangeWarning",
    "build_index",
    "bundled_systems",
    "combine",
    "coupling",
    "critic_weights",
    "cv_weights",
    "entropy_weights",
    "equal_weights",
    "hierarchy",
    "ideal_points",
    "load_system",
    "obstacles",
    "pca_components",
    "pca_weights",
    "rank_within_year",
    "topsis",
    "user_weights",
    "weighted_sum",
]
