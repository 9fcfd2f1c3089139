"""Model frames shared by the estimators: formulas of plain column names, the data as a
frame indexed by (entity, time), and the checks that name what is wrong (missing columns,
missing values by city and year, gaps in a balanced panel, collinear regressors).

``cityres.spatial.panel`` and ``cityres.econometrics`` both read their inputs through here,
so a bad cell gets the same message whichever model meets it first.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.data.panel import CityPanel

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")

#: Words for what a regressor with no variation left is constant within, by effects.
ABSORBED_BY = {
    "none": "constant over the whole panel (collinear with the intercept)",
    "individual": "constant within each entity over time (absorbed by the individual effects)",
    "time": "constant across entities within each period (absorbed by the time effects)",
    "twoways": "additive in entity and period (absorbed by the two-way effects)",
}


def parse_formula(formula: object) -> tuple[str, tuple[str, ...]]:
    """Split ``"y ~ x1 + x2"`` into ``("y", ("x1", "x2"))``.

    Only plain column names joined by ``+`` are accepted; transform columns first (e.g.
    ``panel.ln(["gsp", "pcap"])`` adds ``ln_gsp`` and ``ln_pcap``).
    """
    if not isinstance(formula, str):
        raise ArgumentTypeError(f"formula must be a str like 'y ~ x1 + x2'; got "
                                f"{type(formula).__name__}")
    if formula.count("~") != 1:
        raise ArgumentError(f"formula must have one '~' between the response and the "
                            f"regressors, like 'y ~ x1 + x2'; got {formula!r}")
    lhs, rhs = (part.strip() for part in formula.split("~"))
    terms = [t.strip() for t in rhs.split("+")]
    bad = [t for t in [lhs, *terms] if not _NAME.match(t)]
    if bad:
        raise ArgumentError(
            f"formula terms must be plain column names joined by '+'; cannot read {bad} in "
            f"{formula!r}. Transform columns first (panel.ln([...]) adds ln_<column>); the "
            "intercept is added by the model when effects='none'")
    dupes = sorted({t for t in terms if terms.count(t) > 1})
    if dupes:
        raise ArgumentError(f"formula repeats regressors {dupes}: {formula!r}")
    if lhs in terms:
        raise ArgumentError(f"the response {lhs!r} is also a regressor in {formula!r}")
    return lhs, tuple(terms)


def indexed_frame(data: object, entity: str | None,
                  time: str | None) -> tuple[pd.DataFrame, str, str]:
    """The data as a frame indexed by (entity, time), and the two level names.

    A :class:`CityPanel` gives its (city, year) frame; a DataFrame is indexed by the
    ``entity`` and ``time`` columns (or used as is when already indexed by two levels and
    both are None).
    """
    if isinstance(data, CityPanel):
        if entity not in (None, "city") or time not in (None, "year"):
            raise ArgumentError("entity and time come from a CityPanel's (city, year) index; "
                                f"leave them as None (got entity={entity!r}, time={time!r})")
        return data.data, "city", "year"
    if not isinstance(data, pd.DataFrame):
        raise ArgumentTypeError("data must be a cityres CityPanel or a pandas DataFrame; got "
                                f"{type(data).__name__}")
    if entity is None and time is None and data.index.nlevels == 2:
        names = [str(n) for n in data.index.names]
        return data, names[0], names[1]
    if entity is None or time is None:
        raise ArgumentError("for a DataFrame give entity= and time= (the columns naming the "
                            "unit and the period), or index it by (entity, time); got "
                            f"entity={entity!r}, time={time!r}")
    frame = data.reset_index() if data.index.nlevels > 1 or data.index.name else data
    for arg, col in (("entity", entity), ("time", time)):
        if col not in frame.columns:
            raise ArgumentError(f"{arg}={col!r} is not a column of data; columns: "
                                f"{list(frame.columns)[:30]}")
    return frame.set_index([entity, time]), entity, time


def check_values(frame: pd.DataFrame, cols: list[str], ename: str, tname: str, *,
                 who: str = "the spatial panel models") -> None:
    """Raise naming the columns that are absent or not numeric and the cells (entity, period,
    column) that are missing or infinite; ``who`` names the model in the message."""
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ArgumentError(f"formula names columns not in data: {missing}; columns: "
                            f"{list(frame.columns)[:30]}")
    bad_type = [c for c in cols if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad_type:
        raise PanelError(f"columns {bad_type} are not numeric")
    vals = frame[cols].to_numpy(dtype=np.float64)
    rows, cidx = np.nonzero(~np.isfinite(vals))
    if rows.size:
        shown = "; ".join(f"{ename} {frame.index[r][0]}, {tname} {frame.index[r][1]}, column "
                          f"{cols[c]!r} ({vals[r, c]})" for r, c in zip(rows[:20], cidx[:20],
                                                                        strict=True))
        more = f" … and {rows.size - 20} more" if rows.size > 20 else ""
        raise PanelError(f"{rows.size} missing or non-finite value(s); {who} "
                         f"need every value (fill or drop them first): {shown}{more}")


def check_design(Z: np.ndarray, names: tuple[str, ...], raw_scale: np.ndarray,
                 effects: str, *, absorbed: str | None = None) -> None:
    """Raise :class:`PanelError` naming regressors that are collinear after demeaning.

    ``Z`` is the demeaned ``NT × k`` design, ``raw_scale`` the norm of each column before
    demeaning (a column whose demeaned norm is ~0 relative to it was absorbed).
    """
    norms = np.linalg.norm(Z, axis=0)
    scale = np.where(raw_scale > 0, raw_scale, 1.0)
    dead = [names[j] for j in range(Z.shape[1]) if norms[j] <= 1e-10 * scale[j]]
    if dead:
        raise PanelError(f"regressor(s) {dead} have no variation left after demeaning: "
                         f"{absorbed or ABSORBED_BY[effects]} (effects={effects!r}); drop them")
    Zs = Z / norms
    M = Zs.T @ Zs  # unit diagonal; QR is avoided (slow with threaded OpenBLAS here)
    keep: list[int] = []
    parts = []
    for j in range(Z.shape[1]):
        coef = np.linalg.solve(M[np.ix_(keep, keep)], M[keep, j]) if keep else np.zeros(0)
        resid = M[j, j] - M[keep, j] @ coef  # squared distance of column j from the span
        if resid > 1e-10:
            keep.append(j)
            continue
        on = [names[keep[m]] for m in np.flatnonzero(np.abs(coef) > 1e-6)]
        parts.append(f"{names[j]!r} is (numerically) a linear combination of {on}")
    if parts:
        raise PanelError(f"collinear regressors after demeaning (effects={effects!r}): "
                         + "; ".join(parts) + ". Drop one of each group")
