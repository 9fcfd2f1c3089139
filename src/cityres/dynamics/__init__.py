"""Regional dynamics and disparities: σ, β (absolute, conditional, spatial) and club
convergence, kernel-density evolution, classic and spatial Markov chains, Dagum Gini and
Theil decompositions.

Every function takes a :class:`cityres.data.CityPanel` or a DataFrame indexed by
(city, year) and reads it through :func:`wide_frame` (one indicator as a balanced city ×
year matrix, nothing dropped or filled).
"""

from __future__ import annotations

from cityres.dynamics._data import Wide, city_groups, wide_frame
from cityres.dynamics.beta import BetaResult, beta_convergence
from cityres.dynamics.club import ClubResult, LogTResult, clubs, log_t
from cityres.dynamics.dagum import DagumDecomposition, DagumResult, dagum, dagum_gini
from cityres.dynamics.kde import DensityResult, density
from cityres.dynamics.markov import MarkovResult, markov
from cityres.dynamics.sigma import SigmaResult, sigma
from cityres.dynamics.theil import TheilResult, theil

__all__ = [
    "BetaResult",
    "ClubResult",
    "DagumDecomposition",
    "DagumResult",
    "DensityResult",
    "LogTResult",
    "MarkovResult",
    "SigmaResult",
    "TheilResult",
    "Wide",
    "beta_convergence",
    "city_groups",
    "clubs",
    "dagum",
    "dagum_gini",
    "density",
    "log_t",
    "markov",
    "sigma",
    "theil",
    "wide_frame",
]
