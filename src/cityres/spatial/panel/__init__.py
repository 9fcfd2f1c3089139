"""Spatial panel econometrics: SAR, SEM, SDM, SDEM, SLX and SAC with fixed effects.

- :func:`fit_panel` (formula and panel) and :class:`SpatialPanelML` (arrays): maximum
  likelihood on the demeaned panel, concentrated in the spatial parameter(s), with the
  analytic information matrix and R ``splm``'s Lee–Yu correction
  (``docs/methods/spatial_panel.md``).
- :class:`SpatialPanelResults`: estimates, ``summary()``, ``tidy()``, ``impacts()``.
- :func:`make_logdet` / :class:`LogDet`: ln|I − ρW| (eigenvalues, sparse LU, Chebyshev,
  Monte Carlo); :func:`g_traces`, :func:`power_traces`: the traces the variance and the
  effects need.
- :func:`impacts`, :func:`point_impacts`: direct, indirect and total effects.
- :func:`lm_tests`, :func:`lr_test`, :func:`wald_test` …: specification tests (the
  all-in-one ``spec_tests`` function stays in :mod:`cityres.spatial.panel.spec_tests`, whose
  name it shares).
"""

from cityres.spatial.panel.api import fit_panel
from cityres.spatial.panel.effects import impacts, point_impacts
from cityres.spatial.panel.logdet import LogDet, admissible_bounds, make_logdet
from cityres.spatial.panel.ml import BoundaryWarning, ConvergenceError, SpatialPanelML
from cityres.spatial.panel.results import SpatialPanelResults
from cityres.spatial.panel.spec_tests import (
    HypothesisTest,
    SpecTests,
    effects_lr_tests,
    lm_tests,
    lr_test,
    wald_common_factor,
    wald_test,
    wald_theta_zero,
)
from cityres.spatial.panel.traces import g_traces, power_traces
from cityres.spatial.panel.transform import demean

__all__ = [
    "BoundaryWarning",
    "ConvergenceError",
    "HypothesisTest",
    "LogDet",
    "SpatialPanelML",
    "SpatialPanelResults",
    "SpecTests",
    "admissible_bounds",
    "demean",
    "effects_lr_tests",
    "fit_panel",
    "g_traces",
    "impacts",
    "lm_tests",
    "lr_test",
    "make_logdet",
    "point_impacts",
    "power_traces",
    "wald_common_factor",
    "wald_test",
    "wald_theta_zero",
]
