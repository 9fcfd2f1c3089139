"""Fixed-effects demeaning of a balanced panel held as an ``N × T`` (× k) array.

Arrays are laid out entity by period: axis 0 is the entity (the row order of ``W``),
axis 1 the period, an optional axis 2 the regressors. A spatial lag of a period's cross
section is then ``W @ a[:, t]``, and of every period at once ``W @ a`` (for 2-D ``a``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from cityres._shared.errors import ArgumentError, format_choices

Effects = Literal["none", "individual", "time", "twoways"]
EFFECTS: tuple[str, ...] = ("none", "individual", "time", "twoways")


def check_effects(effects: object) -> str:
    """Return ``effects`` if accepted, else raise :class:`ArgumentError` listing the choices."""
    if not isinstance(effects, str) or effects not in EFFECTS:
        raise ArgumentError(f"effects must be {format_choices(EFFECTS)}; got {effects!r}")
    return effects


def demean(a: np.ndarray, effects: str) -> np.ndarray:
    """Remove the fixed effects from a balanced panel array.

    Parameters
    ----------
    a : numpy.ndarray
        Shape ``(N, T)`` or ``(N, T, k)``: entity × period (× variable).
    effects : {"none", "individual", "time", "twoways"}
        Which fixed effects to sweep out.

    Returns
    -------
    numpy.ndarray
        A new array of the same shape.

    Notes
    -----
    With :math:`\\bar a_{i\\cdot}` the mean of entity ``i`` over periods, :math:`\\bar a_{\\cdot t}`
    the mean of period ``t`` over entities and :math:`\\bar a` the grand mean,

    - individual: :math:`a_{it} - \\bar a_{i\\cdot}`
    - time: :math:`a_{it} - \\bar a_{\\cdot t}`
    - twoways: :math:`a_{it} - \\bar a_{i\\cdot} - \\bar a_{\\cdot t} + \\bar a`
    - none: :math:`a_{it}` unchanged (a copy)

    which is what R ``splm`` (``spfeml``) does for ``effect = "individual"``, ``"time"``
    and ``"twoways"``.

    Examples
    --------
    >>> import numpy as np
    >>> demean(np.array([[1.0, 3.0], [5.0, 7.0]]), "twoways").tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """
    check_effects(effects)
    a = np.asarray(a, dtype=np.float64)
    if a.ndim not in (2, 3):
        raise ArgumentError(f"a must be an N × T or N × T × k array; got {a.ndim} dimensions")
    if effects == "none":
        return a.copy()
    if effects == "individual":
        return a - a.mean(axis=1, keepdims=True)
    if effects == "time":
        return a - a.mean(axis=0, keepdims=True)
    return (a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True)
            + a.mean(axis=(0, 1), keepdims=True))


def lag(W: object, a: np.ndarray) -> np.ndarray:
    """Spatial lag of every period's cross section: ``(W a_t)`` for each ``t`` (and each k).

    ``W`` is an ``N × N`` scipy sparse array or a dense array; ``a`` is ``(N, T)`` or
    ``(N, T, k)``.
    """
    shape = a.shape
    flat = a.reshape(shape[0], -1)
    out = W @ flat
    return np.asarray(out, dtype=np.float64).reshape(shape)

