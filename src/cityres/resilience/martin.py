"""Martin resistance, recovery, sensitivity, years to recover and permanent loss."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.data.panel import CityPanel
from cityres.resilience import inputs
from cityres.resilience.measures import compute
from cityres.resilience.result import ResilienceResult, typology
from cityres.resilience.shocks import resolve_windows

__all__ = ["martin"]


def _sector_benchmark(frame: object, sectors: Sequence[str], years: Sequence[int],
                      what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentTypeError(
            "sector_benchmark must be a DataFrame indexed by year with one column per sector; "
            f"got {type(frame).__name__}"
        )
    missing = [s for s in sectors if s not in frame.columns]
    if missing:
        raise ArgumentError(
            f"sector_benchmark lacks the sector column(s) {missing}; it needs every column "
            f"listed in sectors: {list(sectors)}"
        )
    out = {}
    for s in sectors:
        series = inputs.year_series(frame[s], f"sector_benchmark[{s!r}]")
        inputs.check_benchmark(series, years, what, f"sector_benchmark[{s!r}]")
        out[s] = series
    return pd.DataFrame(out)


def martin(
    panel: CityPanel | pd.DataFrame,
    outcome: str,
    *,
    contraction: tuple[int, int] | Sequence[int] | Literal["detect"],
    recovery: tuple[int, int] | Sequence[int] | None = None,
    benchmark: Literal["sum", "mean"] | pd.Series = "sum",
    sectors: Sequence[str] | None = None,
    sector_benchmark: pd.DataFrame | None = None,
) -> ResilienceResult:
    r"""Martin's shock-based resilience of every city against a benchmark.

    Parameters
    ----------
    panel : CityPanel or pandas.DataFrame
        The data; a DataFrame must be indexed by (``city``, ``year``) with integer years.
    outcome : str
        The series hit by the shock, ``E_r(t)``: employment, output, income. It must be a
        finite positive number for every city in every year of the windows.
    contraction : (int, int) or "detect"
        ``(t0, t1)``: the pre-shock (peak) year and the trough year, e.g. ``(2019, 2020)``;
        ``"detect"``: the deepest peak → trough episode of the benchmark
        (:func:`~cityres.resilience.detect_shock` with ``rule="peak-trough"``).
    recovery : (int, int), optional
        ``(r0, r1)`` with ``r0 >= t1``. Default: from the trough ``t1`` to the last year
        of the data (no recovery phase when the data end at ``t1``).
    benchmark : {"sum", "mean"} or pandas.Series
        ``B(t)``: the sum over the panel's cities (extensive variables: employment, GDP),
        their unweighted mean (intensive variables: per-capita income, wages), or a
        series indexed by year (e.g. the national series). Over windows in which every
        city is present, sum and mean have the same growth, so they give the same
        measures; they differ only in the levels shown.
    sectors : list of str, optional
        Sector columns adding up to ``outcome`` in every city-year (relative tolerance
        1e-6): the expected change becomes the shift-share expectation. The benchmark
        still dates ``"detect"`` and defines the sensitivity index.
    sector_benchmark : pandas.DataFrame, optional
        National sector series (index year, one column per sector) for ``g_Ni``; by
        default ``g_Ni`` is the growth of the sum of sector ``i`` over the panel's cities.

    Returns
    -------
    ResilienceResult
        ``.table`` (per city: resistance, recovery, sensitivity, peak_year, trough_year,
        years_to_recover, permanent_loss, type, type_zh, type_en), ``.components``,
        ``.windows``, ``.benchmark``, ``.indexed()``, ``.tidy()``, ``.summary()``,
        ``.simulated``.

    Raises
    ------
    ArgumentError, ArgumentTypeError
        Unknown columns or benchmark, windows that are not pairs of years, that lie
        outside the data or contain years missing from the data.
    PanelError
        Inside the windows: a city without a row, a missing, infinite or non-positive
        outcome, a negative sector value; sectors not adding up to the outcome (any
        city-year); a benchmark or expected change of zero (division by zero).
    NoShockError
        ``contraction="detect"`` on a benchmark that never falls.

    Notes
    -----
    With ``t0 → t1`` the contraction and ``r0 → r1`` the recovery, the change of city
    ``r`` over a phase ``a → b`` is ``g_r = E_r(b) / E_r(a) − 1`` and its expected change
    (relative to ``E_r(a)``) is, in the benchmark-growth version (Martin et al. 2016;
    Martin 2012 for the benchmark-relative view),

    .. math:: \hat g_r = \Delta E_r^{exp} / E_r(a) = g_B = B(b) / B(a) - 1,

    and, with sectors ``i``, in the shift-share version (Martin et al. 2016),

    .. math:: \hat g_r = \frac{\sum_i E_{ir}(a)\, g_{Ni}}{E_r(a)}, \qquad
              g_{Ni} = \frac{E_{Ni}(b)}{E_{Ni}(a)} - 1,

    i.e. expected change ``ΣE_ir(a)(1 + g_Ni) − E_r(a)``, with ``E_Ni`` the sum over cities
    of sector ``i`` (or ``sector_benchmark``). With one sector equal to the outcome and
    ``benchmark="sum"`` the two versions coincide. Then

    - resistance (contraction ``t0 → t1``) ``= (g_r − ĝ_r) / |ĝ_r|``, i.e.
      ``(ΔE_r − ΔE_r^exp) / |ΔE_r^exp|``; > 0: the city fell less than expected;
    - recovery (``r0 → r1``), the same formula with ``E_r(r0)`` (and ``E_ir(r0)``) as
      the base;
      > 0: the city grew more than expected;
    - sensitivity ``β_r = g_r / g_B`` over the contraction (Martin 2012); > 1:
      more sensitive than the benchmark. When ``g_B < 0`` the benchmark-growth resistance
      equals ``1 − β_r``;
    - years_to_recover: ``t − t1`` for the first year ``t`` in ``[t1, end]`` with
      ``E_r(t) >= E_r(t0)`` (0: the city was not below its pre-shock level at the
      trough); NaN when it has not regained that level by ``end`` (the end of the
      recovery, else ``t1``) — not regained within the data examined;
    - permanent_loss (hysteresis) ``= E_r(end) / E_r(t0) − 1 − ĝ_r(t0 → end)``: the city's
      change from the pre-shock year to the end minus the expected change (benchmark
      version: minus ``B(end) / B(t0) − 1``). Negative values are a lasting loss
      relative to the benchmark; the unit is a growth rate (−0.02 = 2 points of
      ``E_r(t0)``);
    - type: resistant (resistance > 0) or not × recovered (recovery > 0) or not
      (:data:`~cityres.resilience.result.TYPES` has the zh/en labels).

    References
    ----------
    Martin, R. (2012). Regional economic resilience, hysteresis and recessionary shocks.
    *Journal of Economic Geography* 12(1), 1–32.

    Martin, R., Sunley, P., Gardiner, B. and Tyler, P. (2016). How regions react to
    recessions: resilience and the role of economic structure. *Regional Studies* 50(4),
    561–585.

    Examples
    --------
    >>> import cityres
    >>> from cityres.resilience import martin
    >>> panel = cityres.datasets.load("yrd_sim")                    # SIMULATED data
    >>> res = martin(panel, "emp_total", contraction=(2019, 2020), recovery=(2020, 2023))
    >>> round(res.benchmark_changes["contraction"], 4)
    -0.0307
    >>> res.table.loc["310000", ["resistance", "recovery"]].round(3).tolist()
    [0.457, 0.323]
    >>> sectors = ["emp_agriculture", "emp_manufacturing", "emp_construction", "emp_trade",
    ...            "emp_ict", "emp_finance", "emp_other_services"]
    >>> ss = martin(panel, "emp_total", contraction=(2019, 2020), recovery=(2020, 2023),
    ...             sectors=sectors)
    >>> ss.options["method"]
    'shift-share'
    """
    data, simulated = inputs.as_frame(panel)
    (outcome,) = inputs.columns(data, [outcome], "outcome")
    sector_cols: list[str] = []
    if sectors is not None:
        if isinstance(sectors, str):
            raise ArgumentTypeError(f"sectors must be a list of column names; got {sectors!r}")
        sector_cols = inputs.columns(data, list(sectors), "sectors")
        if not sector_cols:
            raise ArgumentError("sectors is empty; give the sector columns or None")
    if sector_benchmark is not None and not sector_cols:
        raise ArgumentError("sector_benchmark needs sectors (the sector columns of the panel)")
    levels = inputs.wide(data, outcome)
    if "benchmark" in levels.columns:
        raise ArgumentError("a city id is 'benchmark', the name of the benchmark column")
    bench, kind = inputs.benchmark_series(levels, benchmark)
    if isinstance(contraction, str) and kind != "series" and bench.isna().any():
        raise PanelError(
            "contraction='detect' needs the benchmark in every year of the data, but "
            f"{kind} over cities is missing where cities lack values: "
            f"{inputs.missing_for_benchmark(levels, bench)}; give the contraction years"
        )
    windows = resolve_windows(contraction, recovery, bench, levels.index.tolist())
    what = f"the windows {windows} (contraction / recovery)"
    inputs.check_values(data, [outcome], windows.years, positive=True, what=what)
    sector_levels = None
    national = None
    if sector_cols:
        inputs.check_values(data, sector_cols, windows.years, positive=False, what=what)
        inputs.check_sector_sum(data, outcome, sector_cols)
        sector_levels = {s: inputs.wide(data, s) for s in sector_cols}
        if sector_benchmark is not None:
            national = _sector_benchmark(sector_benchmark, sector_cols, windows.years, what)
    inputs.check_benchmark(bench, windows.years, what, "benchmark")
    m = compute(levels, bench, windows, sector_levels, national)
    table = pd.concat([m.table, typology(m.table["resistance"], m.table["recovery"])], axis=1)
    options = {
        "outcome": outcome,
        "benchmark": kind,
        "method": "shift-share" if sector_cols else "benchmark-growth",
        "sectors": tuple(sector_cols) or None,
        "sector_benchmark": "given" if national is not None else (
            "sum over cities" if sector_cols else None),
    }
    return ResilienceResult(
        table=table,
        components=m.components,
        windows=windows,
        benchmark=bench,
        benchmark_changes=m.benchmark_changes,
        levels=levels,
        options=options,
        sector_growth=m.sector_growth,
        simulated=simulated,
    )

