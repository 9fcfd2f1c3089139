"""Treatment from a pilot-programme calendar: cohorts, event time, never-treated and
not-yet-treated groups, with the calendar's confidence labels carried along.

:func:`treatment_from_calendar` turns the bundled calendar
(:func:`cityres.datasets.china.policies`) or a user's own (checked by
:func:`cityres.data.policies.read_policies`) into the adoption-year column every DID
estimator of :mod:`cityres.econometrics.did` takes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataChangeWarning,
    LowConfidenceDataWarning,
)
from cityres.data.modelframe import indexed_frame
from cityres.data.panel import CityPanel
from cityres.data.policies import Confidence, adoption_years, read_policies

__all__ = ["Treatment", "treatment_from_calendar"]

_STATUS = ("never", "before_panel", "in_window", "after_panel")


@dataclass(frozen=True)
class Treatment:
    """The adoption year of every city of a panel for one programme.

    Attributes
    ----------
    programme : str
        The calendar's programme name.
    cohorts : pandas.Series
        int64 adoption year by city (index ``city``), 0 = never in the programme within
        the calendar; every city of the panel appears.
    confidence : pandas.Series
        The calendar's label for each adopting city (``high``, ``medium``, ``low``; rows
        without a label count as ``high``), empty string for never-treated cities.
    status : pandas.Series
        ``never``, ``before_panel`` (adopted at or before the first period: always
        treated), ``in_window`` or ``after_panel`` (adopted after the last period).
    periods : tuple of int
        First and last period of the panel.
    source : str
        Where the calendar came from.
    min_confidence : str
        The confidence filter applied.
    notes : tuple of str
        Calendar cities absent from the panel and adoption years outside it.
    """

    programme: str
    cohorts: pd.Series
    confidence: pd.Series
    status: pd.Series
    periods: tuple[int, int]
    source: str
    min_confidence: str
    notes: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        """Default name of the cohort column: ``cohort_<programme>``."""
        return f"cohort_{self.programme}"

    def table(self) -> pd.DataFrame:
        """One row per cohort: ``cohort`` (0 = never), ``status``, ``n_cities``,
        ``cities`` (codes, comma-separated) and the number of ``high`` / ``medium`` /
        ``low`` confidence years."""
        frame = pd.DataFrame({"cohort": self.cohorts, "status": self.status,
                              "confidence": self.confidence})
        rows = []
        for (g, status), part in frame.groupby(["cohort", "status"], sort=True):
            conf = part["confidence"].value_counts()
            rows.append({"cohort": int(str(g)), "status": status, "n_cities": len(part),
                         "cities": ", ".join(part.index.astype(str)),
                         **{k: int(conf.get(k, 0)) for k in ("high", "medium", "low")}})
        return pd.DataFrame(rows)

    def groups(self) -> pd.DataFrame:
        """Per period the number of cities ``treated``, ``not_yet_treated`` (adopt later,
        within or after the panel) and ``never_treated``."""
        g = self.cohorts.to_numpy()
        rows = []
        for t in range(self.periods[0], self.periods[1] + 1):
            treated = (g > 0) & (g <= t)
            rows.append({"period": t, "treated": int(treated.sum()),
                         "not_yet_treated": int(((g > t)).sum()),
                         "never_treated": int((g == 0).sum())})
        return pd.DataFrame(rows)

    def frame(self, periods: np.ndarray | None = None) -> pd.DataFrame:
        """Long (city, period) frame: ``cohort``, ``treated`` (0/1), ``event_time``
        (period − cohort, missing for never treated) and ``group`` (``treated``,
        ``not_yet_treated``, ``never_treated``)."""
        years = (np.arange(self.periods[0], self.periods[1] + 1) if periods is None
                 else np.asarray(periods))
        idx = pd.MultiIndex.from_product([self.cohorts.index, years], names=["city", "year"])
        g = np.repeat(self.cohorts.to_numpy(), len(years))
        t = np.tile(years, len(self.cohorts))
        treated = (g > 0) & (t >= g)
        group = np.where(g == 0, "never_treated",
                         np.where(treated, "treated", "not_yet_treated"))
        event = pd.array(np.where(g > 0, t - g, 0), dtype="Int64")
        event[g == 0] = pd.NA
        return pd.DataFrame({"cohort": g, "treated": treated.astype(np.int64),
                             "event_time": event, "group": group}, index=idx)

    def attach(self, panel: CityPanel, *, name: str | None = None) -> CityPanel:
        """The panel with the cohort column (``name`` or :attr:`column`) and its 0/1
        treatment column ``post_<programme>`` added (logged as derived columns)."""
        if not isinstance(panel, CityPanel):
            raise ArgumentTypeError(f"attach needs a CityPanel; got {type(panel).__name__}")
        col = name or self.column
        long = self.frame(np.asarray(panel.years))
        cols = pd.DataFrame({col: long["cohort"].astype(float),
                             f"post_{self.programme}": long["treated"].astype(float)},
                            index=long.index)
        return panel.with_columns(cols, source=f"{self.source}, programme {self.programme!r}")

    def tidy(self) -> pd.DataFrame:
        """One row per city: ``cohort``, ``status``, ``confidence``."""
        return pd.DataFrame({"cohort": self.cohorts, "status": self.status,
                             "confidence": self.confidence})

    def summary(self) -> str:
        """Cohort sizes, statuses and confidence labels as text."""
        lines = [f"Treatment: {self.programme} ({self.source}; min_confidence="
                 f"{self.min_confidence}); periods {self.periods[0]}–{self.periods[1]}"]
        for row in self.table().itertuples(index=False):
            label = "never" if row.cohort == 0 else str(row.cohort)
            conf = ("" if row.cohort == 0 else
                    f"  confidence high/medium/low {row.high}/{row.medium}/{row.low}")
            lines.append(f"  {label:>6}  {row.status:<12} {row.n_cities:>3} cities{conf}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def treatment_from_calendar(
    data: object,
    programme: str,
    *,
    calendar: pd.DataFrame | str | None = None,
    min_confidence: Confidence = "low",
    entity: str | None = None,
    time: str | None = None,
) -> Treatment:
    """Adoption years of a programme for the cities of a panel.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        The panel whose cities and periods define the window (a long frame needs
        ``entity`` and ``time``).
    programme : str
        A programme of the calendar, e.g. ``"broadband_china"``, ``"cbec_pilot_zone"``,
        ``"ecommerce_demo_city"``.
    calendar : pandas.DataFrame or path, optional
        A calendar (city, programme, year[, confidence, ...]); read and checked with
        :func:`cityres.data.policies.read_policies`. Default: the bundled YRD calendar
        :func:`cityres.datasets.china.policies`.
    min_confidence : {"low", "medium", "high"}, default "low"
        Ignore calendar rows below this confidence (their cities count as never treated).
    entity, time : str, optional
        Columns of a long DataFrame.

    Returns
    -------
    Treatment

    Raises
    ------
    ArgumentError
        An unknown programme or confidence level (the message lists what is accepted).
    DataValidationError
        A user calendar with bad codes, years or labels (from ``read_policies``).

    Warns
    -----
    DataChangeWarning
        Calendar cities that are not in the panel (they are left out) and adoption years
        outside the panel's periods (at or before the first: always treated; after the
        last: untreated within the window).
    LowConfidenceDataWarning
        Adoption years from unverified (medium / low confidence) rows.

    Examples
    --------
    >>> import cityres
    >>> tr = treatment_from_calendar(cityres.datasets.load("yrd_sim"), "broadband_china",
    ...                              min_confidence="high")
    >>> int((tr.cohorts > 0).sum()) > 0
    True
    """
    frame, _, tname = indexed_frame(data, entity, time)
    if calendar is None:
        from cityres.datasets.china import policies

        cal = policies()
        source = "bundled YRD policy calendar (policies_yrd41.csv)"
    else:
        cal = read_policies(calendar)
        source = "user calendar" if isinstance(calendar, pd.DataFrame) else str(calendar)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LowConfidenceDataWarning)
        years = adoption_years(cal, programme, min_confidence=min_confidence)
    for w in caught:
        warnings.warn(str(w.message), LowConfidenceDataWarning, stacklevel=2)
    units = pd.Index(sorted(frame.index.get_level_values(0).astype(str).unique()), name="city")
    periods = frame.index.get_level_values(1)
    try:
        first, last = int(periods.min()), int(periods.max())
    except (TypeError, ValueError):
        raise ArgumentError(f"the period level {tname!r} must hold integer years") from None
    notes: list[str] = []
    outside = years.index.difference(units)
    if len(outside):
        msg = (f"{len(outside)} city(ies) of programme {programme!r} are not in the panel and "
               f"are left out: {', '.join(outside[:20])}")
        notes.append(msg)
        warnings.warn(msg, DataChangeWarning, stacklevel=2)
    cohorts = years.reindex(units).fillna(0).astype(np.int64)
    cohorts.name = f"cohort_{programme}"
    conf_rows = cal[cal["programme"] == programme].sort_values("year").drop_duplicates("city")
    labels = (conf_rows.set_index("city")["confidence"] if "confidence" in conf_rows.columns
              else pd.Series(dtype=object))
    confidence = pd.Series(
        ["" if g == 0 else (labels.get(c) or "high") for c, g in cohorts.items()],
        index=units, name="confidence", dtype=object)
    g = cohorts.to_numpy()
    status = pd.Series(np.select([g == 0, g <= first, g > last],
                                 ["never", "before_panel", "after_panel"], "in_window"),
                       index=units, name="status", dtype=object)
    for kind, text in (("before_panel", f"at or before the first period {first} (always "
                        "treated: no untreated period)"),
                       ("after_panel", f"after the last period {last} (untreated within the "
                        "window)")):
        hit = status[status == kind]
        if len(hit):
            listed = ", ".join(f"{c} ({cohorts[c]})" for c in hit.index[:20])
            msg = f"{len(hit)} city(ies) adopt {programme!r} {text}: {listed}"
            notes.append(msg)
            warnings.warn(msg, DataChangeWarning, stacklevel=2)
    return Treatment(programme=programme, cohorts=cohorts, confidence=confidence,
                     status=status, periods=(first, last), source=source,
                     min_confidence=min_confidence, notes=tuple(notes))
