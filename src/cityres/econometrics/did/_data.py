"""The data of a staggered difference-in-differences: a long panel with an adoption-year
(cohort) column, checked so that nothing is dropped, filled or recoded silently.

Every estimator in :mod:`cityres.econometrics.did` reads its data through
:func:`did_frame`. The cohort convention is R ``did``'s: the first period a unit is
treated, ``0`` (or missing) for a unit never treated; treatment is absorbing.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, DataChangeWarning, PanelError, format_choices
from cityres.data.modelframe import check_values, indexed_frame
from cityres.econometrics._frame import carry_extra

__all__ = ["AlwaysTreated", "DidData", "did_frame"]

AlwaysTreated = Literal["error", "drop", "keep"]
_ALWAYS = ("error", "drop", "keep")


@dataclass(frozen=True)
class DidData:
    """A checked staggered-adoption panel.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``[entity, time, y, cohort, *covariates, *extra]`` sorted by entity and
        time with a fresh RangeIndex; ``time`` and ``cohort`` are int64 and ``cohort`` is
        0 for never-treated units.
    entity, time, y, cohort : str
        Column names.
    covariates : tuple of str
        Covariate columns (finite numbers).
    periods : numpy.ndarray
        The sorted distinct periods.
    cohorts : tuple of int
        The treated cohorts present, sorted.
    notes : tuple of str
        What was changed on the way in (cohorts after the last period recoded to never
        treated, always-treated units dropped), for the result to report.
    dropped : tuple of str
        Units removed (always treated, with ``always_treated="drop"``).
    """

    frame: pd.DataFrame
    entity: str
    time: str
    y: str
    cohort: str
    covariates: tuple[str, ...]
    periods: np.ndarray
    cohorts: tuple[int, ...]
    notes: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()

    @property
    def treated(self) -> np.ndarray:
        """Boolean per row: ``cohort > 0`` and ``time >= cohort`` (absorbing treatment)."""
        g = self.frame[self.cohort].to_numpy()
        return (g > 0) & (self.frame[self.time].to_numpy() >= g)

    @property
    def event_time(self) -> np.ndarray:
        """Per row ``time − cohort`` as float; NaN for never-treated units."""
        g = self.frame[self.cohort].to_numpy()
        e = (self.frame[self.time].to_numpy() - g).astype(np.float64)
        e[g == 0] = np.nan
        return e

    def units(self) -> pd.DataFrame:
        """One row per unit (indexed by entity) with its ``cohort``."""
        return (self.frame.groupby(self.entity, sort=True)[[self.cohort]].first())

    @property
    def n_never(self) -> int:
        """Number of never-treated units."""
        return int((self.units()[self.cohort] == 0).sum())

    @property
    def balanced(self) -> bool:
        """Whether every unit is observed in every period."""
        return len(self.frame) == self.frame[self.entity].nunique() * len(self.periods)


def _integer_years(values: pd.Series, name: str, frame: pd.DataFrame, ename: str,
                   where: str, *, allow_missing: bool) -> pd.Series:
    """``values`` as int64 (missing → 0 when allowed), else PanelError naming rows."""
    if values.dtype == bool or not (pd.api.types.is_numeric_dtype(values)):
        raise PanelError(f"{where}: column {name!r} must hold integer years (dtype "
                         f"{values.dtype}); a cohort is the first treated period, 0 or "
                         "missing for never treated")
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(x)
    bad = ~missing & (~np.isfinite(x) | (x != np.round(x)) | (x < 0))
    if not allow_missing:
        bad |= missing
    if bad.any():
        rows = frame.loc[bad].index[:10].tolist()
        raise PanelError(f"{where}: column {name!r} has {int(bad.sum())} value(s) that are not "
                         f"non-negative integer periods at ({ename}, time) {rows}: "
                         f"{values[bad].head(10).tolist()}")
    return pd.Series(np.where(missing, 0, x).astype(np.int64), index=values.index)


def did_frame(
    data: object,
    y: str,
    *,
    cohort: str,
    entity: str | None = None,
    time: str | None = None,
    covariates: Sequence[str] = (),
    extra: Sequence[str] = (),
    where: str = "the DID",
    balanced: bool = True,
    always_treated: AlwaysTreated = "error",
) -> DidData:
    """Check and assemble the data of a staggered DID.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long frame with ``entity`` and ``time`` columns (or indexed by them).
    y : str
        The outcome column.
    cohort : str
        The adoption-period column: the first period a unit is treated; 0 or missing for
        never treated. It must be constant within a unit.
    entity, time : str, optional
        Unit and period columns (None for a CityPanel: city, year). Periods must be
        integers (years).
    covariates : sequence of str
        Numeric covariates (every cell finite).
    extra : sequence of str
        Further columns carried along unchecked (e.g. a cluster variable).
    where : str
        How messages name the estimator.
    balanced : bool, default True
        Require every unit in every period (the error lists the missing unit-periods).
    always_treated : {"error", "drop", "keep"}, default "error"
        Units whose cohort is at or before the first period have no untreated period.
        ``"error"`` raises naming them, ``"drop"`` removes them (listed in ``dropped`` and
        ``notes`` and warned), ``"keep"`` keeps them (TWFE and the Bacon decomposition can
        use them as controls; group-time estimators cannot).

    Returns
    -------
    DidData

    Raises
    ------
    ArgumentError
        A column that is not in the data, or an unaccepted ``always_treated``.
    PanelError
        Non-integer periods or cohorts, a cohort that varies within a unit, repeated
        (unit, period) rows, missing or infinite outcome / covariate cells, a missing
        unit-period in a balanced design, always-treated units with
        ``always_treated="error"``, or no treated unit at all — each naming the units.

    Warns
    -----
    DataChangeWarning
        Cohorts after the last period (recoded to never treated: within the window these
        units are untreated) and dropped always-treated units.

    Examples
    --------
    >>> import cityres
    >>> d = did_frame(cityres.datasets.load("yrd_sim"), "de_latent", cohort="cohort_broadband")
    >>> d.cohorts, d.n_never
    ((2014, 2015, 2016), 23)
    """
    if always_treated not in _ALWAYS:
        raise ArgumentError(f"always_treated={always_treated!r}; accepted: "
                            f"{format_choices(_ALWAYS)}")
    frame, ename, tname = indexed_frame(data, entity, time)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()[:10].tolist()
        raise PanelError(f"{where}: data has repeated ({ename}, {tname}) rows: {dup}")
    if cohort not in frame.columns:
        raise ArgumentError(f"{where}: cohort={cohort!r} is not a column of the data; columns: "
                            f"{list(frame.columns)[:30]}")
    cols = list(dict.fromkeys([y, *covariates]))
    if cohort in cols:
        raise ArgumentError(f"{where}: the cohort column {cohort!r} is also the outcome or a "
                            "covariate")
    check_values(frame, cols, ename, tname, who=where)
    out = carry_extra(frame[cols].reset_index(), frame, data, extra, ename, tname, where)
    periods = out[tname]
    if not pd.api.types.is_integer_dtype(periods):
        as_float = pd.to_numeric(periods, errors="coerce")
        if as_float.isna().any() or (as_float != as_float.round()).any():
            raise PanelError(f"{where}: the period column {tname!r} must hold integer periods "
                             f"(years); got dtype {periods.dtype}")
        out[tname] = as_float.astype(np.int64)
    out[tname] = out[tname].astype(np.int64)
    raw_cohort = frame[cohort].reset_index(drop=True)
    g = _integer_years(raw_cohort, cohort, frame, ename, where, allow_missing=True)
    out[cohort] = g.to_numpy()
    out = out.sort_values([ename, tname], kind="stable").reset_index(drop=True)

    varying = out.groupby(ename, sort=True)[cohort].nunique()
    if (varying > 1).any():
        bad = varying.index[varying > 1][:10].tolist()
        examples = {str(u): sorted(set(out.loc[out[ename] == u, cohort].tolist()))
                    for u in bad[:3]}
        raise PanelError(f"{where}: the cohort ({cohort!r}) varies within unit(s) {bad}: "
                         f"{examples}; give each unit one adoption period (0 = never)")

    t_all = np.sort(out[tname].unique())
    first, last = int(t_all[0]), int(t_all[-1])
    notes: list[str] = []
    units = out.groupby(ename, sort=True)[cohort].first()
    late = units[units > last]
    if len(late):
        listed = ", ".join(f"{u} ({c})" for u, c in late.head(20).items())
        msg = (f"{where}: {len(late)} unit(s) adopt after the last period {last} and are "
               f"untreated within the window; they are treated as never treated: {listed}")
        warnings.warn(msg, DataChangeWarning, stacklevel=2)
        notes.append(msg)
        out.loc[out[ename].isin(late.index), cohort] = 0
        units = out.groupby(ename, sort=True)[cohort].first()
    always = units[(units > 0) & (units <= first)]
    dropped: tuple[str, ...] = ()
    if len(always):
        listed = ", ".join(f"{u} ({c})" for u, c in always.head(20).items())
        if always_treated == "error":
            raise PanelError(
                f"{where}: {len(always)} unit(s) are treated at or before the first period "
                f"{first} (no untreated period to compare): {listed}; pass "
                "always_treated='drop' to estimate without them (they are listed in the "
                "result) or restrict the data")
        if always_treated == "drop":
            dropped = tuple(str(u) for u in always.index)
            msg = (f"{where}: dropped {len(always)} always-treated unit(s) (cohort at or "
                   f"before the first period {first}): {listed}")
            warnings.warn(msg, DataChangeWarning, stacklevel=2)
            notes.append(msg)
            out = out[~out[ename].isin(always.index)].reset_index(drop=True)
            units = units.drop(always.index)
    if not (units > 0).any():
        raise PanelError(f"{where}: no unit is treated within the periods {first}–{last} "
                         f"(cohort column {cohort!r})")
    if balanced:
        n_units, n_t = out[ename].nunique(), out[tname].nunique()
        if len(out) != n_units * n_t:
            full = pd.MultiIndex.from_product([np.sort(out[ename].unique()),
                                               np.sort(out[tname].unique())])
            have = pd.MultiIndex.from_frame(out[[ename, tname]])
            gaps = full.difference(have)
            raise PanelError(f"{where}: the panel is unbalanced; {len(gaps)} missing "
                             f"({ename}, {tname}) cell(s), e.g. {gaps[:10].tolist()}; this "
                             "estimator needs every unit in every period")
    return DidData(
        frame=out, entity=ename, time=tname, y=y, cohort=cohort,
        covariates=tuple(dict.fromkeys(covariates)),
        periods=np.sort(out[tname].unique()),
        cohorts=tuple(int(c) for c in np.sort(units[units > 0].unique())),
        notes=tuple(notes), dropped=dropped,
    )
