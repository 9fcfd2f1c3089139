"""The immutable result of :func:`cityres.resilience.martin` and the four-way typology."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from cityres.resilience.shocks import Windows

#: Type code → (Chinese label, English label). Resistant means resistance > 0 (the city
#: fell less than expected), recovered means recovery > 0 (it grew more than expected
#: after the trough); a value of exactly 0 counts as "not".
TYPES: dict[str, tuple[str, str]] = {
    "resistant_recovered": ("抗冲击且恢复", "resistant and recovered"),
    "resistant_not_recovered": ("抗冲击但未恢复", "resistant, not recovered"),
    "not_resistant_recovered": ("不抗冲击但恢复", "not resistant, recovered"),
    "not_resistant_not_recovered": ("不抗冲击且未恢复", "not resistant, not recovered"),
    # used only when there is no recovery phase (the data end at the trough)
    "resistant": ("抗冲击", "resistant"),
    "not_resistant": ("不抗冲击", "not resistant"),
}

MEASURES = ("resistance", "recovery", "sensitivity", "years_to_recover", "permanent_loss")


def typology(resistance: pd.Series, recovery: pd.Series) -> pd.DataFrame:
    """``type``, ``type_zh``, ``type_en`` from the signs of resistance and recovery.

    Without a recovery value (NaN) the type is ``resistant`` / ``not_resistant``.
    """
    res = np.where(resistance.to_numpy() > 0, "resistant", "not_resistant")
    rec = recovery.to_numpy()
    codes = [
        r if np.isnan(v) else f"{r}_{'recovered' if v > 0 else 'not_recovered'}"
        for r, v in zip(res, rec, strict=True)
    ]
    return pd.DataFrame(
        {
            "type": codes,
            "type_zh": [TYPES[c][0] for c in codes],
            "type_en": [TYPES[c][1] for c in codes],
        },
        index=resistance.index,
    )


class ResilienceResult:
    """Martin resilience measures of each city and how they were computed.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by ``city``: ``resistance``, ``recovery``, ``sensitivity``, ``peak_year``
        and ``trough_year`` (the contraction window, the same for every city),
        ``years_to_recover``, ``permanent_loss``, ``type``, ``type_zh``, ``type_en``.
    components : pandas.DataFrame
        Indexed by ``city``: ``change_<phase>`` (``E_r(end)/E_r(start) − 1``) and
        ``expected_<phase>`` (expected change over ``E_r(start)``) for the phases
        ``contraction``, ``recovery`` (when there is one) and ``end`` (``t0`` → end).
    windows : Windows
        The contraction and recovery years used (and the detected episode, if any).
    benchmark : pandas.Series
        The benchmark series by year (sum or mean over cities, or the series given).
    benchmark_changes : dict
        The benchmark's change ``B(end)/B(start) − 1`` per phase.
    sector_growth : pandas.DataFrame or None
        ``g_Ni`` per sector (rows) and phase (columns) with the shift-share expectation.
    levels : pandas.DataFrame
        The outcome by year (rows) and city (columns), every year of the data.
    options : dict
        ``outcome``, ``benchmark`` (``sum``, ``mean`` or ``series``), ``method``
        (``benchmark-growth`` or ``shift-share``), ``sectors``, ``sector_benchmark``.
    simulated : bool
        True when the panel was simulated (tables and figures must say so).
    """

    __slots__ = (
        "_benchmark",
        "_components",
        "_growth",
        "_levels",
        "_options",
        "_table",
        "benchmark_changes",
        "simulated",
        "windows",
    )

    def __init__(
        self,
        *,
        table: pd.DataFrame,
        components: pd.DataFrame,
        windows: Windows,
        benchmark: pd.Series,
        benchmark_changes: Mapping[str, float],
        levels: pd.DataFrame,
        options: Mapping[str, Any],
        sector_growth: pd.DataFrame | None = None,
        simulated: bool = False,
    ) -> None:
        self._table = table
        self._components = components
        self._benchmark = benchmark
        self._levels = levels
        self._growth = sector_growth
        self._options: Mapping[str, Any] = MappingProxyType(dict(options))
        self.benchmark_changes: Mapping[str, float] = MappingProxyType(dict(benchmark_changes))
        self.windows = windows
        self.simulated = simulated

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, name):
            raise AttributeError(f"ResilienceResult is immutable; {name!r} cannot be changed")
        object.__setattr__(self, name, value)

    @property
    def table(self) -> pd.DataFrame:
        """Measures and type per city (a copy)."""
        return self._table.copy()

    @property
    def components(self) -> pd.DataFrame:
        """Changes and expected changes per city and phase (a copy)."""
        return self._components.copy()

    @property
    def benchmark(self) -> pd.Series:
        """The benchmark series by year (a copy)."""
        return self._benchmark.copy()

    @property
    def sector_growth(self) -> pd.DataFrame | None:
        """Sector benchmark growth per phase, or None without sectors (a copy)."""
        return None if self._growth is None else self._growth.copy()

    @property
    def levels(self) -> pd.DataFrame:
        """The outcome, year × city (a copy)."""
        return self._levels.copy()

    @property
    def options(self) -> dict[str, Any]:
        """Every choice made, as a new dict."""
        return dict(self._options)

    # ----------------------------------------------------------------- views
    def indexed(self) -> pd.DataFrame:
        """The outcome indexed to 100 in the pre-shock year ``t0``, for line charts.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``year`` (every year of the data), one column per city and a last
            column ``benchmark``: ``100 · E_r(t) / E_r(t0)`` and ``100 · B(t) / B(t0)``.
            A city-year without a value (outside the windows) is NaN; so is the sum or
            mean benchmark in such a year.
        """
        t0 = self.windows.contraction[0]
        out = self._levels.div(self._levels.loc[t0], axis=1) * 100.0
        bench = self._benchmark.reindex(out.index)
        out["benchmark"] = bench / float(self._benchmark.loc[t0]) * 100.0
        out.columns.name = "city"
        out.index.name = "year"
        return out

    def tidy(self) -> pd.DataFrame:
        """Long table: ``city``, ``measure``, ``value``, ``start``, ``end`` (years spanned)."""
        w = self.windows
        t0, t1 = w.contraction
        r = w.recovery
        spans = {
            "resistance": (t0, t1),
            "recovery": r if r is not None else (None, None),
            "sensitivity": (t0, t1),
            "years_to_recover": (t1, w.end),
            "permanent_loss": (t0, w.end),
        }
        rows = []
        for measure in MEASURES:
            start, end = spans[measure]
            part = pd.DataFrame(
                {
                    "city": self._table.index,
                    "measure": measure,
                    "value": self._table[measure].to_numpy(dtype="float64"),
                    "start": start,
                    "end": end,
                }
            )
            rows.append(part)
        out = pd.concat(rows, ignore_index=True)
        out["start"] = out["start"].astype("Int64")
        out["end"] = out["end"].astype("Int64")
        return out

    def summary(self) -> str:
        """Plain-text summary: windows, benchmark, its changes, measures, typology."""
        o = self._options
        lines = []
        if self.simulated:
            lines.append("*** SIMULATED DATA: not real statistics ***")
        lines.append(f"Martin resilience of {o['outcome']!r} ({o['method']}, "
                     f"benchmark: {o['benchmark']}), {len(self._table)} cities")
        w = self.windows
        lines.append(f"  contraction {w.contraction[0]}–{w.contraction[1]}; recovery "
                     + ("none (the data end at the trough)" if w.recovery is None
                        else f"{w.recovery[0]}–{w.recovery[1]}"))
        if w.detected is not None:
            lines.append(f"  detected on the benchmark: {w.detected}")
        for key, g in self.benchmark_changes.items():
            lines.append(f"  benchmark change ({key}): {100 * g:+.3f} %")
        if self._growth is not None:
            lines.append("  sector benchmark growth (%):")
            for sector, row in self._growth.iterrows():
                vals = "  ".join(f"{k} {100 * v:+.3f}" for k, v in row.items())
                lines.append(f"    {sector}: {vals}")
        lines.append(f"  {'measure':<17}{'mean':>10}{'min':>10}{'max':>10}{'missing':>9}")
        for m in MEASURES:
            x = self._table[m]
            lines.append(f"  {m:<17}{x.mean():>10.4f}{x.min():>10.4f}{x.max():>10.4f}"
                         f"{int(x.isna().sum()):>9}")
        missing = int(self._table["years_to_recover"].isna().sum())
        if missing:
            lines.append(f"  {missing} city(ies) had not regained their {w.contraction[0]} level "
                         f"by {w.end} (years_to_recover is NaN)")
        lines.append("  types:")
        for code, n in self._table["type"].value_counts().items():
            zh, en = TYPES[str(code)]
            lines.append(f"    {en} / {zh}: {n}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        sim = ", SIMULATED" if self.simulated else ""
        o = self._options
        return (f"ResilienceResult({o['outcome']!r}, {len(self._table)} cities, windows "
                f"{self.windows}, {o['method']}{sim})")
