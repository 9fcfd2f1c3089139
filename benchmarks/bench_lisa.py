"""Time LISA (local Moran's I) with many conditional permutations; compare with esda.

Synthetic rook lattices (libpysal ``lat2W``, row-standardised), one variable with spatial
autocorrelation (``x + W x``, ``x`` standard normal, seed 0). For each size and number of
permutations:

* ``cityres``: :func:`cityres.spatial.autocorrelation.lisa_stats` with its own draws — wall
  time, and peak traced memory (``tracemalloc``, a second run: numpy registers its buffers
  with tracemalloc, so this is the peak of Python and numpy allocations during the call);
* ``esda``: ``esda.Moran_Local(y, w, permutations=P, seed=0, n_jobs=…)`` with
  ``keep_simulations`` False (p-values only, like cityres) and True (esda's default, which
  keeps the n × P simulated values). esda allocates inside numba, which tracemalloc does not
  see, so its memory is the growth of the process peak resident set (``ru_maxrss``) during
  the call; for ``n_jobs=-1`` the loky worker processes are not counted. numba compilation
  (tens of seconds on first use) happens in a warm-up call and is not timed;
* ``agree``: cityres given esda's own draws (``esda.crand.vec_permutations``), number of
  cities whose permutation count differs from esda's (only exact ties, see
  ``docs/methods/esda.md``, can differ).

Every measurement runs in a fresh process (``--worker``), so memory figures do not mix.

Run: ``python benchmarks/bench_lisa.py [--sizes 50x57,200x200] [--permutations 9999]
[--jobs 1,-1] [--no-keep]``; quick: ``--sizes 20x20 --permutations 999``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings
from typing import Any

import numpy as np


def lattice(rows: int, cols: int) -> tuple[Any, np.ndarray]:
    from libpysal.weights import lat2W

    from cityres.spatial import Weights

    w = Weights.from_libpysal(lat2W(rows, cols, rook=True)).row_standardise()
    x = np.random.default_rng(0).normal(size=w.n)
    return w, x + w.sparse @ x


def rss_mb() -> float:
    """Peak resident set of this process so far, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(kind: str, rows: int, cols: int, perms: int, jobs: int, keep: bool) -> dict[str, Any]:
    from cityres.spatial.autocorrelation import lisa_stats

    w, y = lattice(rows, cols)
    out: dict[str, Any] = {"kind": kind, "n": w.n, "P": perms, "jobs": jobs, "keep": keep}
    if kind == "cityres":
        lisa_stats(y, w, permutations=9, seed=0)  # warm-up (imports)
        before = rss_mb()
        t0 = time.perf_counter()
        lisa_stats(y, w, permutations=perms, seed=0)
        out["seconds"] = time.perf_counter() - t0
        out["rss_growth_mb"] = rss_mb() - before
        tracemalloc.start()
        lisa_stats(y, w, permutations=perms, seed=0)
        out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return out
    import esda
    from esda.crand import vec_permutations

    lw = w.to_libpysal()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        esda.Moran_Local(y, lw, permutations=9, seed=0, n_jobs=jobs, keep_simulations=keep)
        before = rss_mb()
        t0 = time.perf_counter()
        ref = esda.Moran_Local(y, lw, permutations=perms, seed=0, n_jobs=jobs,
                               keep_simulations=keep)
        out["seconds"] = time.perf_counter() - t0
        out["rss_growth_mb"] = rss_mb() - before
    if jobs == 1 and not keep:
        k = int(w.cardinalities.max())
        ours = lisa_stats(y, w, permutations=vec_permutations(k, w.n, perms, 0))
        a = np.round(ours["p_sim"] * (perms + 1)).astype(int)
        b = np.round(np.asarray(ref.p_sim, float) * (perms + 1)).astype(int)
        out["count_mismatches"] = int((a != b).sum())
    return out


def run_worker(*args: str) -> dict[str, Any] | None:
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        print(f"  worker {args} failed: {proc.stderr.strip().splitlines()[-1:]}")
        return None
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50x57,200x200",
                        help="lattices rows x cols, comma-separated (default 50x57,200x200)")
    parser.add_argument("--permutations", default="9999",
                        help="numbers of permutations, comma-separated (default 9999)")
    parser.add_argument("--jobs", default="1,-1", help="esda n_jobs values (default 1,-1)")
    parser.add_argument("--no-keep", action="store_true",
                        help="skip esda with keep_simulations=True (n × P floats in memory)")
    parser.add_argument("--no-esda", action="store_true", help="time cityres only")
    parser.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, rows, cols, perms, jobs, keep = args.worker
        print(json.dumps(worker(kind, int(rows), int(cols), int(perms), int(jobs),
                                keep == "1")))
        return
    note = ""
    try:
        import esda
    except ImportError:
        esda, note = None, ", esda not installed: cityres only"
    if args.no_esda:
        esda, note = None, ", esda skipped (--no-esda)"
    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.sizes.split(",")]
    perms_list = [int(p) for p in args.permutations.split(",")]
    jobs_list = [int(j) for j in args.jobs.split(",")]
    print(f"LISA, rook lattice, row-standardised; numpy {np.__version__}"
          + (f", esda {esda.__version__}" if esda else note))
    header = (f"{'units':>7} {'perms':>6}  {'engine':<34} {'seconds':>8} {'traced MB':>10} "
              f"{'RSS growth MB':>14}  agree")
    print(header)
    print("-" * len(header))
    for rows, cols in sizes:
        for perms in perms_list:
            configs: list[tuple[str, int, bool]] = [("cityres", 1, False)]
            if esda:
                for jobs in jobs_list:
                    configs.append(("esda", jobs, False))
                    if not args.no_keep:
                        configs.append(("esda", jobs, True))
            for kind, jobs, keep in configs:
                res = run_worker(kind, str(rows), str(cols), str(perms), str(jobs),
                                 "1" if keep else "0")
                if res is None:
                    continue
                label = ("cityres.lisa_stats (numpy)" if kind == "cityres" else
                         f"esda.Moran_Local n_jobs={jobs} keep={'T' if keep else 'F'}")
                traced = f"{res['traced_peak_mb']:10.1f}" if "traced_peak_mb" in res else \
                    f"{'—':>10}"
                agree = (f"{res['count_mismatches']} differ" if "count_mismatches" in res
                         else "")
                print(f"{res['n']:>7} {perms:>6}  {label:<34} {res['seconds']:8.2f} {traced} "
                      f"{res['rss_growth_mb']:14.1f}  {agree}", flush=True)


if __name__ == "__main__":
    main()
