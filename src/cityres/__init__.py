"""cityres: measure and explain the economic resilience of cities.

Read yearbook-style city panels (:mod:`cityres.data`), use the bundled data
(:mod:`cityres.datasets`), and — as later modules land — build composite indices, measure
resilience against shocks, and run the panel and spatial econometrics of the literature.
"""

from cityres import datasets
from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    CityMatchError,
    CityresError,
    CityresWarning,
    DataChangeWarning,
    DataFileError,
    DataQualityWarning,
    DataValidationError,
    LowConfidenceDataWarning,
    PanelError,
    Problem,
    StudyConfigError,
    UnknownDatasetError,
)
from cityres.data import CityPanel, check, read_panel

__version__ = "0.1.0.dev0"

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "CityMatchError",
    "CityPanel",
    "CityresError",
    "CityresWarning",
    "DataChangeWarning",
    "DataFileError",
    "DataQualityWarning",
    "DataValidationError",
    "LowConfidenceDataWarning",
    "PanelError",
    "Problem",
    "StudyConfigError",
    "UnknownDatasetError",
    "__version__",
    "check",
    "datasets",
    "read_panel",
]
