"""Time cityres.dynamics beside its peers in the same run.

* Phillips–Sul clubs on the ``filteredGDP`` data (152 countries × 34 years, the R
  ConvergenceClubs example, stored in tests/dynamics/reference/): ``cityres.dynamics.
  clubs(..., log=False, merge="ps")`` against the PyPI port ``convergence_clubs``
  (``merge_clubs(find_clubs(load_filtered_gdp()))``; skipped when not installed). Both
  give the same merged clubs (checked here).
* Spatial Markov on a simulated lattice (``cityres.datasets.simulate(n, seed=1)``,
  ``de_latent``, 4 nearest neighbours, k = 5 pooled classes): ``cityres.dynamics.markov(...,
  classes="pooled")`` against ``giddy.markov.Spatial_Markov(fixed=True)`` on the same
  arrays (the transition counts are compared).
* Dagum Gini decomposition of ``gdp_pc`` (positive) by lattice province, every year: cityres's
  sorted-cumulative-sum algorithm against the O(n²) pairwise definition in numpy (the
  overall G is compared). Theil T by group against ``inequality.theil.TheilD``.

Each timing is the best of ``--repeat`` runs (wall clock); set ``OPENBLAS_NUM_THREADS=1``:

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_dynamics.py [--repeat 3] [--n 2500]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REF = Path(__file__).resolve().parents[1] / "tests" / "dynamics" / "reference"


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def row(name: str, seconds: float, note: str = "") -> None:
    print(f"  {name:<44} {seconds:8.3f} s  {note}")


def bench_clubs(repeat: int) -> None:
    from cityres.dynamics import clubs

    wide = pd.read_csv(REF / "filteredGDP.csv.gz", index_col=0).drop(columns="club_R")
    wide.columns = wide.columns.astype(int)
    frame = wide.rename_axis("country").rename_axis("year", axis=1).stack().rename(
        "gdp").to_frame()
    print("Phillips–Sul clubs, filteredGDP (152 × 34)")
    t, res = best_of(lambda: clubs(frame, "gdp", log=False, merge="ps"), repeat)
    merged = res.table[res.table["stage"] == "merged"]["size"].tolist()
    row("cityres.dynamics.clubs", t, f"merged sizes {merged}")
    try:
        import convergence_clubs as cc
    except ImportError:
        print("  convergence_clubs not installed (pip install convergence-clubs)")
        return
    t, port = best_of(lambda: cc.merge_clubs(cc.find_clubs(cc.load_filtered_gdp())), repeat)
    row("convergence_clubs (PyPI port)", t, f"merged sizes {[len(c.ids) for c in port.clubs]}")


def bench_markov(repeat: int, n: int) -> None:
    import libpysal
    from giddy.markov import Spatial_Markov

    import cityres
    from cityres.dynamics import markov, wide_frame
    from cityres.spatial.weights import weights_from_spec

    panel = cityres.datasets.simulate(n, seed=1).to_panel()
    w = weights_from_spec({"kind": "knn", "k": 4}, panel)
    print(f"Spatial Markov, lattice of {n} units × {len(panel.years)} years, k = 5 pooled")
    t, res = best_of(lambda: markov(panel, "de_latent", k=5, w=w, classes="pooled"), repeat)
    row("cityres.dynamics.markov", t)
    y = wide_frame(panel, "de_latent").array
    W = libpysal.weights.W({i: [int(j) for j in w.sparse[[i]].indices]
                            for i in range(w.n)})
    W.transform = "r"

    def peer() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Spatial_Markov(y, W, k=5, m=5, fixed=True)

    t, sm = best_of(peer, repeat)
    same = np.array_equal(np.asarray(res.chain.transitions, dtype=float),
                          np.asarray(sm.transitions, dtype=float))
    row("giddy Spatial_Markov", t, f"same classic counts: {same}")


def bench_dagum(repeat: int, n: int) -> None:
    from inequality.theil import TheilD

    import cityres
    from cityres.dynamics import dagum, theil, wide_frame

    panel = cityres.datasets.simulate(n, seed=1).to_panel()
    print(f"Dagum and Theil by province, lattice of {n} units, every year")
    t, res = best_of(lambda: dagum(panel, "gdp_pc", group="province"), repeat)
    row("cityres.dynamics.dagum", t, f"G(first year) = {res.overall['G'].iloc[0]:.6f}")
    y = wide_frame(panel, "gdp_pc").array[:, 0]

    def brute() -> float:
        return float(np.abs(y[:, None] - y[None, :]).sum() / (2 * y.size ** 2 * y.mean()))

    t, g = best_of(brute, repeat)
    row("O(n²) definition, first year only", t, f"G = {g:.6f}")
    t, th = best_of(lambda: theil(panel, "gdp_pc", group="province"), repeat)
    row("cityres.dynamics.theil (T and L, every year)", t)
    groups = panel.cities["province"].reindex(wide_frame(panel, "gdp_pc").units)
    codes = pd.factorize(groups)[0]
    t, td = best_of(lambda: TheilD(wide_frame(panel, "gdp_pc").array, codes), repeat)
    row("inequality TheilD (T, every year)", t,
        f"T between equal: {np.allclose(np.ravel(td.bg), th.overall['T_between'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=2500)
    args = parser.parse_args()
    bench_clubs(args.repeat)
    bench_markov(args.repeat, args.n)
    bench_dagum(args.repeat, args.n)


if __name__ == "__main__":
    main()
