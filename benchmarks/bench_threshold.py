"""Time the double-threshold panel model with 300 bootstrap draws per test; compare with
pyxthreg in the same run.

Synthetic balanced panel at the size of China's prefecture-level cities: N = 285 cities,
T = 13 years (3,705 rows), seed 0. ``y = μ_i + β_j x + 0.5 z₁ − 0.3 z₂ + e`` with regimes
cut at the 35th and 70th percentiles of a continuous threshold variable q (every value
distinct), β = (0.5, 1.0, 1.6), one regime variable x and two controls. Settings of both
tools: two thresholds, trim 0.05, 300 bootstrap draws for each of the two tests.

* ``cityres grid=300``: ``threshold(..., n_thresholds=2, grid=300, bootstrap=300)``;
* ``cityres exact``: the same with ``grid=None`` (every distinct value of q, ~3,300
  candidates per search);
* ``cityres exact, processes``: the exact search with ``backend="processes"`` (the
  bootstrap on a process pool; identical numbers);
* ``pyxthreg grid=300``: ``ThresholdPanel(...).fit(thnum=2, trim=0.05, grid=300,
  bs=300)`` (its default ``n_jobs=-1``: threads on every core). numba compilation happens
  in a warm-up fit and is not timed. Skipped with a message when pyxthreg is not
  installed (``pip install pyxthreg``).

Each timing is the best of ``--repeat`` runs (wall clock). Set ``OPENBLAS_NUM_THREADS=1``
(this machine's multi-threaded OpenBLAS is erratic):

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_threshold.py [--repeat 3]

The thresholds each run finds are printed beside the time (grids differ between the tools:
cityres takes quantiles of q, pyxthreg evenly spaced ranks of its distinct values, so the
grid estimates need not coincide; the exact searches of both agree, see
tests/econometrics/test_threshold_hansen.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

N, T = 285, 13


def panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = N * T
    q = rng.uniform(size=n)
    g1, g2 = np.quantile(q, [0.35, 0.70])
    x = rng.normal(size=n) + 0.5 * q
    z1, z2 = rng.normal(size=(2, n))
    beta = np.array([0.5, 1.0, 1.6])[np.searchsorted([g1, g2], q, side="left")]
    city = np.repeat(np.arange(N), T)
    y = rng.normal(size=N)[city] + beta * x + 0.5 * z1 - 0.3 * z2 + rng.normal(size=n)
    return pd.DataFrame({"city": city, "year": np.tile(np.arange(2011, 2011 + T), N),
                         "y": y, "x": x, "q": q, "z1": z1, "z2": z2})


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from cityres.econometrics.threshold import threshold

    d = panel()
    rows = []

    def ours(grid: int | None, backend: str = "serial") -> Callable[[], Any]:
        return lambda: threshold(d, "y", regime="x", q="q", controls=["z1", "z2"],
                                 n_thresholds=2, trim=0.05, grid=grid, bootstrap=300,
                                 seed=1, backend=backend)

    ours(300)()  # warm-up (imports)
    for label, fn in (("cityres grid=300", ours(300)), ("cityres exact", ours(None)),
                      ("cityres exact, processes", ours(None, "processes"))):
        sec, fit = best_of(fn, args.repeat)
        rows.append((label, sec, fit.thresholds, fit.threshold_pvalues.round(3).tolist()))

    try:
        from pyxthreg import ThresholdPanel
    except ImportError:
        print("pyxthreg is not installed (pip install pyxthreg): peer skipped")
        ThresholdPanel = None
    if ThresholdPanel is not None:
        def peer() -> Any:
            m = ThresholdPanel(d, dep="y", rx=["x"], qx="q", indep=["z1", "z2"],
                               entity_col="city", time_col="year")
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                m.fit(thnum=2, trim=0.05, grid=300, bs=300, nobslog=True)
            return m

        peer()  # numba compilation
        sec, m = best_of(peer, args.repeat)
        rows.append(("pyxthreg grid=300", sec, sorted(float(v) for v in
                                                       m.results["thresholds"]),
                     [round(float(b["p_value"]), 3) for b in m.results["boot_results"]]))

    print(f"Double-threshold model, N = {N}, T = {T}, 300 bootstrap draws per test; "
          f"best of {args.repeat}")
    print(f"{'run':<28}{'seconds':>9}  thresholds              p-values")
    for label, sec, ths, ps in rows:
        print(f"{label:<28}{sec:>9.3f}  {', '.join(f'{v:.4f}' for v in ths):<22}  {ps}")


if __name__ == "__main__":
    main()
