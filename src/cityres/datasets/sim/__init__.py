"""SIMULATED city panels with known true parameters (the yrd_sim structural model).

:func:`simulate` draws a panel on the 41 real Yangtze River Delta cities (their contiguity
and pilot calendar) or on a synthetic lattice of any size; the result carries the data,
the city table, the codebook and a ``truth`` dictionary of every true parameter, so that
estimators can be checked for recovering them. :mod:`~cityres.datasets.sim.bundled` reads
the bundled ``yrd_sim`` files made by ``tools/build_yrd_sim.py``. The model is documented
in ``docs/data/yrd_sim.md``. Nothing here is real statistics.
"""

from __future__ import annotations

from cityres.datasets.sim.model import SimulatedData, simulate
from cityres.datasets.sim.params import DEFAULT_PARAMS, PRESETS, resolve_params

__all__ = ["DEFAULT_PARAMS", "PRESETS", "SimulatedData", "resolve_params", "simulate"]
