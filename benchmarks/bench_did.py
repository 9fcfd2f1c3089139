"""Time cityres's staggered-DID estimators beside a peer in the same run.

Data: the bundled ``yrd_sim`` (41 cities × 13 years, SIMULATED) and simulated lattices
``cityres.datasets.simulate(n, seed=1).to_panel()`` with n = 900 and 2,500 units
(11,700 and 32,500 rows); outcome ``de_latent``, treatment ``cohort_broadband`` (cohorts
2014 / 2015 / 2016, never treated otherwise). Each line is one estimator and its peer:

* ``event study``: :func:`cityres.econometrics.did.event_study` (window [-3, 6], binned
  endpoints, reference -1, CRV1 by city) against ``pyfixest.feols`` on the same 0/1
  event-time dummies (built outside the timing with ``numpy.clip``) and city + year
  effects; the difference is cityres's data checks and design building.
* ``TWFE DID``: :func:`did_twfe` against ``pyfixest.feols("y ~ D | city + year")``.
* ``C&S analytic``: :func:`callaway_santanna` (never-treated controls, doubly robust,
  analytic SEs) with ``aggregate("simple")`` and ``aggregate("dynamic")``, against the same
  three calls of ``moderndid.att_gt`` / ``moderndid.aggte`` made directly (the difference
  is the overhead of cityres's checks); and against ``csdid`` (``ATTgt(...).fit`` +
  ``aggte``) and ``differences`` (``ATTgt(...).fit`` + ``aggregate``) when they are
  installed (``pip install csdid differences``; skipped with a message otherwise).
* ``C&S bootstrap``: the same with ``se="bootstrap"``, 999 multiplier draws and uniform
  bands, against moderndid with ``boot=True, cband=True, biters=999`` (and csdid with
  ``bstrap=True`` when installed; differences is timed with analytic SEs only).
* ``Sun-Abraham``: :func:`sun_abraham` with ``bin="none"`` against pyfixest's saturated
  event study (``pyfixest.event_study(..., estimator="saturated")`` + ``aggregate()``).
* ``two-stage DID``: :func:`did2s` against ``pyfixest.did2s`` with the same stages.
* ``Bacon``: :func:`cityres.econometrics.did.bacon.bacon` against ``pybacondecomp`` when it
  is installed.
* ``placebo 500``: :func:`cityres.econometrics.did.placebo.placebo`, 500 unit
  reassignments, ``backend="serial"`` against ``backend="processes"`` (a pool of
  ``--jobs`` workers; the draws are identical).

``ratio`` is cityres's time over the peer's. The ``check`` column says whether the two
runs computed the same thing: the largest absolute difference of the estimates
(event-time effects, ATT, 2×2 weights), or whether the placebo draws are identical. Each
timing is the best of ``--repeat`` runs (wall clock) after a warm-up call (imports, numba
compilation). Run with one BLAS thread (this machine's multi-threaded OpenBLAS is
erratic):

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_did.py [--repeat 3] [--sizes 41 900 2500]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import platform
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

Y, COHORT = "de_latent", "cohort_broadband"
LEADS, LAGS = 3, 6
Row = tuple[str, str, float, str, float | None, str]


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The shortest of ``repeat`` wall-clock timings of ``fn()`` and its last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def quiet(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` with warnings and printed output suppressed."""
    def run() -> Any:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            return fn()
    return run


def load(n: int) -> Any:
    import cityres

    if n == 41:
        return cityres.datasets.load("yrd_sim")
    return cityres.datasets.simulate(n, seed=1).to_panel()


def long_frame(panel: Any) -> pd.DataFrame:
    """city, year, outcome, cohort (int), ``D``, ``unit`` (1…N) and ``rel`` (binned)."""
    d = panel.data.reset_index()[["city", "year", Y, COHORT]].copy()
    d[COHORT] = d[COHORT].astype(np.int64)
    d["city"] = d["city"].astype(str)
    g, t = d[COHORT].to_numpy(), d["year"].to_numpy()
    d["D"] = ((g > 0) & (t >= g)).astype(float)
    d["unit"] = pd.factorize(d["city"], sort=True)[0] + 1
    d["rel"] = np.where(g > 0, np.clip(t - g, -LEADS, LAGS), -1)
    for e in range(-LEADS, LAGS + 1):
        if e != -1:
            d[f"ev_{'m' if e < 0 else 'p'}{abs(e)}"] = ((g > 0) & (d["rel"] == e)).astype(float)
    return d


def ev_name(e: int) -> str:
    return f"ev_{'m' if e < 0 else 'p'}{abs(e)}"


def bench_event_study(p: Any, d: pd.DataFrame, repeat: int) -> list[Row]:
    import pyfixest as pf

    from cityres.econometrics.did import did_twfe, event_study

    cells = [e for e in range(-LEADS, LAGS + 1) if e != -1]
    fml = f"{Y} ~ " + " + ".join(ev_name(e) for e in cells) + " | city + year"
    ours = quiet(lambda: event_study(p, Y, cohort=COHORT, leads=LEADS, lags=LAGS))
    peer = quiet(lambda: pf.feols(fml, data=d, vcov={"CRV1": "city"}))
    ours(), peer()
    t_o, es = best_of(ours, repeat)
    t_p, fit = best_of(peer, repeat)
    c = es.coefs.set_index("event_time")
    diff = max(abs(float(c.loc[e, "estimate"]) - float(fit.coef()[ev_name(e)])) for e in cells)
    rows: list[Row] = [("event study", "event_study", t_o, "pyfixest feols", t_p,
                        f"max |Δβ| {diff:.1e}")]
    ours2 = quiet(lambda: did_twfe(p, Y, cohort=COHORT))
    peer2 = quiet(lambda: pf.feols(f"{Y} ~ D | city + year", data=d, vcov={"CRV1": "city"}))
    ours2(), peer2()
    t_o, tw = best_of(ours2, repeat)
    t_p, fit = best_of(peer2, repeat)
    rows.append(("TWFE DID", "did_twfe", t_o, "pyfixest feols", t_p,
                 f"|Δβ| {abs(float(tw.params['did']) - float(fit.coef()['D'])):.1e}"))
    return rows


def _csdid(d: pd.DataFrame, boot: bool) -> Callable[[], Any]:
    ATTgt = importlib.import_module("csdid.att_gt").ATTgt

    def run() -> tuple[float, np.ndarray]:
        o = ATTgt(yname=Y, gname=COHORT, idname="unit", tname="year", xformla=f"{Y}~1",
                  data=d, control_group="nevertreated").fit(est_method="dr", bstrap=boot)
        o.aggte(typec="simple", bstrap=boot, cband=boot)
        simple = float(np.ravel(o.atte["overall_att"])[0])
        o.aggte(typec="dynamic", bstrap=boot, cband=boot)
        return simple, np.asarray(o.atte["att_egt"], dtype=float)
    return quiet(run)


def _differences(d: pd.DataFrame) -> Callable[[], Any]:
    differences = importlib.import_module("differences")

    dd = d[["unit", "year", Y, COHORT]].copy()
    dd["cohort"] = dd[COHORT].where(dd[COHORT] > 0)
    dd = dd.drop(columns=COHORT).set_index(["unit", "year"])

    def run() -> tuple[float, np.ndarray]:
        m = differences.ATTgt(data=dd, cohort_column="cohort")
        m.fit(formula=Y, est_method="dr", control_group="never_treated", progress_bar=False)
        simple = m.aggregate("simple", overall=True)
        event = m.aggregate("event")
        first = [c for c in simple.columns if (c[-1] if isinstance(c, tuple) else c) == "ATT"]
        ev = [c for c in event.columns if (c[-1] if isinstance(c, tuple) else c) == "ATT"]
        return (float(simple[first[0]].iloc[0]),
                event[ev[0]].to_numpy(dtype=float))
    return quiet(run)


def bench_callaway(p: Any, d: pd.DataFrame, repeat: int) -> list[Row]:
    from moderndid import aggte, att_gt

    from cityres.econometrics.did import callaway_santanna

    rows: list[Row] = []
    for boot in (False, True):
        se = "bootstrap" if boot else "analytic"

        def ours(boot: bool = boot, se: str = se) -> tuple[float, np.ndarray]:
            cs = callaway_santanna(p, Y, cohort=COHORT, se=se,  # type: ignore[arg-type]
                                   n_boot=999, seed=1)
            dyn = cs.aggregate("dynamic")
            return cs.aggregate("simple").overall_att, dyn.estimates["att"].to_numpy()

        def peer(boot: bool = boot) -> tuple[float, np.ndarray]:
            kw: dict[str, Any] = {"boot": boot, "cband": boot}
            if boot:
                kw.update(biters=999, random_state=1)
            r = att_gt(data=d, yname=Y, tname="year", idname="unit", gname=COHORT,
                       est_method="dr", control_group="nevertreated", **kw)
            simple = aggte(r, type="simple", **kw)
            dyn = aggte(r, type="dynamic", **kw)
            return float(simple.overall_att), np.asarray(dyn.att_by_event, dtype=float)

        run_o, run_p = quiet(ours), quiet(peer)
        run_o(), run_p()
        t_o, (s_o, dyn_o) = best_of(run_o, repeat)
        t_p, (s_p, dyn_p) = best_of(run_p, repeat)
        diff = max(abs(s_o - s_p), float(np.max(np.abs(dyn_o - dyn_p))))
        label = f"C&S {se}"
        rows.append((label, "callaway_santanna", t_o, "moderndid", t_p, f"max |ΔATT| {diff:.1e}"))
        others: list[tuple[str, Callable[[], Any]]] = []
        try:
            others.append(("csdid", _csdid(d, boot)))
        except ImportError:
            rows.append((label, "", t_o, "csdid (not installed)", None, ""))
        if not boot:
            try:
                others.append(("differences", _differences(d)))
            except ImportError:
                rows.append((label, "", t_o, "differences (not installed)", None, ""))
        for name, fn in others:
            fn()
            t_x, (s_x, dyn_x) = best_of(fn, repeat)
            dd = abs(s_o - s_x)
            if len(dyn_x) == len(dyn_o):
                dd = max(dd, float(np.max(np.abs(dyn_o - dyn_x))))
            rows.append((label, "callaway_santanna", t_o, name, t_x, f"max |ΔATT| {dd:.1e}"))
    return rows


def bench_sunab_did2s(p: Any, d: pd.DataFrame, repeat: int) -> list[Row]:
    import pyfixest as pf

    from cityres.econometrics.did import did2s, sun_abraham

    cols = ["city", "year", Y, COHORT]
    ours = quiet(lambda: sun_abraham(p, Y, cohort=COHORT, bin="none"))

    def peer() -> Any:
        fit = pf.event_study(d[cols].copy(), yname=Y, idname="city", tname="year",
                             gname=COHORT, estimator="saturated")
        return fit.aggregate()

    run_p = quiet(peer)
    ours(), run_p()
    t_o, sa = best_of(ours, repeat)
    t_p, agg = best_of(run_p, repeat)
    agg.index = agg.index.astype(float).astype(int)
    est = sa.coefs[~sa.coefs["is_reference"]].set_index("event_time")["estimate"]
    diff = float(np.max(np.abs(est.to_numpy() - agg.loc[est.index, "Estimate"].astype(float)
                               .to_numpy())))
    rows: list[Row] = [("Sun-Abraham", "sun_abraham", t_o, "pyfixest saturated", t_p,
                        f"max |Δβ| {diff:.1e}")]
    frame = d[[*cols, "D"]].assign(tr=d["D"] > 0)
    ours2 = quiet(lambda: did2s(p, Y, cohort=COHORT))
    peer2 = quiet(lambda: pf.did2s(frame, yname=Y, first_stage="~ 0 | city + year",
                                   second_stage="~ D", treatment="tr", cluster="city"))
    ours2(), peer2()
    t_o, ds = best_of(ours2, repeat)
    t_p, fit = best_of(peer2, repeat)
    rows.append(("two-stage DID", "did2s", t_o, "pyfixest did2s", t_p,
                 f"|Δβ| {abs(ds.estimate - float(fit.coef()['D'])):.1e}"))
    return rows


def bench_bacon(p: Any, d: pd.DataFrame, repeat: int) -> list[Row]:
    from cityres.econometrics.did.bacon import bacon

    ours = quiet(lambda: bacon(p, Y, cohort=COHORT))
    ours()
    t_o, res = best_of(ours, repeat)
    try:
        pb = importlib.import_module("pybacondecomp")
    except ImportError:
        return [("Bacon", "bacon", t_o, "pybacondecomp (not installed)", None, "")]
    frame = d[["unit", "year", Y, "D"]].copy()
    peer = quiet(lambda: pb.bacondecomp(frame, Y, "D", "unit", "year", ddetail=True,
                                        verbose=False))
    peer()
    t_p, theirs = best_of(peer, repeat)
    w_o = np.sort(res.comparisons["weight"].to_numpy())
    w_p = np.sort(theirs.two_by_two["weight"].to_numpy(dtype=float))
    diff = abs(res.twfe - float(theirs.dd_estimate))
    if len(w_o) == len(w_p):
        diff = max(diff, float(np.max(np.abs(w_o - w_p))))
    return [("Bacon", "bacon", t_o, "pybacondecomp", t_p, f"max |Δ| {diff:.1e}")]


def bench_placebo(p: Any, repeat: int, draws: int, jobs: int) -> list[Row]:
    from cityres.econometrics.did.placebo import placebo

    def run(backend: str) -> Callable[[], Any]:
        return quiet(lambda: placebo(p, Y, cohort=COHORT, n=draws, seed=1, backend=backend,
                                     n_jobs=jobs if backend == "processes" else None))

    run("serial")()
    t_s, serial = best_of(run("serial"), repeat)
    t_p, procs = best_of(run("processes"), repeat)
    same = "identical" if np.array_equal(serial.draws, procs.draws) else "DIFFERENT"
    return [(f"placebo {draws}", "serial", t_s, f"processes ({jobs} workers)", t_p,
             f"draws {same}, p = {serial.pvalue:.4f}")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="+", default=[41, 900, 2500],
                    help="41 = yrd_sim; any other n = simulate(n, seed=1)")
    ap.add_argument("--draws", type=int, default=500, help="placebo draws")
    ap.add_argument("--jobs", type=int, default=2, help="workers of the processes backend")
    args = ap.parse_args()

    import moderndid
    import pyfixest

    print(f"Python {platform.python_version()}, numpy {np.__version__}, pandas "
          f"{pd.__version__}, pyfixest {pyfixest.__version__}, moderndid "
          f"{moderndid.__version__}; {os.cpu_count()} CPUs; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}; best of {args.repeat}")
    header = (f"{'data':<16}{'estimator':<16}{'cityres':<20}{'s':>8}  {'peer':<28}{'s':>8}"
              f"{'ratio':>7}  check")
    for n in args.sizes:
        p = load(n)
        d = long_frame(p)
        label = "yrd_sim (41)" if n == 41 else f"lattice {n}"
        rows = [*bench_event_study(p, d, args.repeat), *bench_callaway(p, d, args.repeat),
                *bench_sunab_did2s(p, d, args.repeat), *bench_bacon(p, d, args.repeat),
                *bench_placebo(p, args.repeat, args.draws, args.jobs)]
        print(f"\n{label}: {len(d)} rows, {d['unit'].nunique()} units")
        print(header)
        for what, ours, t_o, peer, t_p, check in rows:
            peer_t = f"{t_p:>8.3f}{t_o / t_p:>7.2f}" if t_p is not None else f"{'—':>8}{'':>7}"
            print(f"{label:<16}{what:<16}{ours:<20}{t_o:>8.3f}  {peer:<28}{peer_t}  {check}")


if __name__ == "__main__":
    main()
