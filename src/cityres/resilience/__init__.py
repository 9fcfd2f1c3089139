"""Shock-based resilience of cities (Martin 2012; Martin, Sunley, Gardiner & Tyler 2016).

Resistance to a contraction, recovery after it, Martin's sensitivity index, the years a
city takes to regain its pre-shock level, the permanent loss (hysteresis) relative to a
benchmark and a four-way typology, in one call::

    >>> import cityres
    >>> from cityres.resilience import martin
    >>> panel = cityres.datasets.load("yrd_sim")                    # SIMULATED data
    >>> res = martin(panel, "emp_total", contraction=(2019, 2020), recovery=(2020, 2023))
    >>> list(res.table.columns[:3])
    ['resistance', 'recovery', 'sensitivity']
    >>> str(res.windows)
    '2019–2020 / 2020–2023'

Modules: :mod:`~cityres.resilience.shocks` (:func:`detect_shock`, windows),
:mod:`~cityres.resilience.martin` (:func:`martin`, input checks in
:mod:`~cityres.resilience.inputs`), :mod:`~cityres.resilience.measures` (the array-level
formulas), :mod:`~cityres.resilience.result` (:class:`ResilienceResult`, typology labels).
"""

from cityres.resilience.martin import martin
from cityres.resilience.result import TYPES, ResilienceResult, typology
from cityres.resilience.shocks import NoShockError, ShockWindow, Windows, detect_shock

__all__ = [
    "TYPES",
    "NoShockError",
    "ResilienceResult",
    "ShockWindow",
    "Windows",
    "detect_shock",
    "martin",
    "typology",
]
