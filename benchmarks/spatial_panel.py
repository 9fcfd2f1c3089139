"""Time the spatial Durbin panel model (two-way effects, Lee–Yu) as N grows; compare peers.

For each size, in a fresh process: simulate an SDM panel on a rook lattice (libpysal
``lat2W``, row-standardised; T periods; ρ = 0.4; two regressors; seed 0), then time

* ``cityres``: :func:`cityres.spatial.fit_panel` (``model="sdm"``, ``effects="twoways"``,
  ``lee_yu=True``, ``logdet="auto"``): estimation + standard errors, then ``impacts`` with
  1,000 draws; peak resident memory of the process (``ru_maxrss``);
* ``spreg``: ``spreg.ML_LagFE(..., slx_lags=1)`` — the SDM with *individual* effects only
  (spreg has no two-way effects before 1.9.1 and no Lee–Yu correction; it forms dense
  N × N matrices), with cityres fitted on the same individual-effects model beside it;
  skipped above ``--spreg-max`` units;
* R ``splm`` is timed only when ``Rscript`` with splm is installed (it is not on CI).

Also the 41-city yrd_sim panel (SIMULATED) with queen contiguity.

Run: ``python benchmarks/spatial_panel.py [--sizes 32x32,64x64,128x128,256x256] [--T 10]
[--spreg-max 4096]``; quick: ``--sizes 16x16,32x32``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import warnings
from typing import Any

import numpy as np


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def simulate(rows: int, cols: int, periods: int) -> tuple[Any, Any]:
    """A balanced SDM panel on a rook lattice (DataFrame with city, year) and its weights."""
    import pandas as pd
    import scipy.sparse as sp
    from libpysal.weights import lat2W
    from scipy.sparse.linalg import splu

    from cityres.spatial import Weights

    w = Weights.from_libpysal(lat2W(rows, cols, rook=True)).row_standardise()
    n, rho = w.n, 0.4
    rng = np.random.default_rng(0)
    lu = splu(sp.csc_array(sp.identity(n) - rho * w.sparse))
    mu, frames = rng.normal(size=n), []
    for t in range(periods):
        x = rng.normal(size=(n, 2))
        wx = w.sparse @ x
        e = rng.normal(scale=0.5, size=n)
        y = lu.solve(mu + 0.1 * t + x @ [1.0, -0.5] + wx @ [0.3, 0.2] + e)
        frames.append(pd.DataFrame({"city": w.ids, "year": 2000 + t, "y": y, "x1": x[:, 0],
                                    "x2": x[:, 1]}))
    return pd.concat(frames, ignore_index=True), w


def worker(kind: str, rows: int, cols: int, periods: int) -> dict[str, Any]:
    from cityres.spatial import fit_panel

    if kind == "yrd":
        import cityres
        from cityres.spatial import weights_from_spec

        data: Any = cityres.datasets.load("yrd_sim")
        w = weights_from_spec("queen", data)
        formula = "resilience ~ de_latent + ec_latent + urbanisation"
        kw: dict[str, Any] = {}
    else:
        data, w = simulate(rows, cols, periods)
        formula = "y ~ x1 + x2"
        kw = {"entity": "city", "time": "year"}
    out: dict[str, Any] = {"kind": kind, "n": w.n, "T": int(periods)}
    before = rss_mb()
    if kind in ("cityres", "yrd"):
        t0 = time.perf_counter()
        res = fit_panel(formula, data, w=w, model="sdm", effects="twoways", lee_yu=True, **kw)
        out["fit_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        res.impacts(draws=1000, seed=0)
        out["impacts_s"] = time.perf_counter() - t1
        out["rho"] = float(res.params["rho"])
        out["logdet"] = res.logdet_method
    elif kind == "cityres_individual":
        t0 = time.perf_counter()
        res = fit_panel(formula, data, w=w, model="sdm", effects="individual", **kw)
        out["fit_s"] = time.perf_counter() - t0
        out["rho"] = float(res.params["rho"])
    elif kind == "spreg":
        import contextlib
        import io

        import spreg

        # spreg's layout: all units of period 1 in the order of W, then period 2, …
        pos = {c: i for i, c in enumerate(w.ids)}
        d = data.assign(_pos=data["city"].map(pos)).sort_values(["year", "_pos"])
        lw = w.to_libpysal()
        lw.transform = "r"
        t0 = time.perf_counter()
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            ref = spreg.ML_LagFE(d[["y"]].to_numpy(), d[["x1", "x2"]].to_numpy(), lw,
                                 slx_lags=1, spat_impacts=None)
        out["fit_s"] = time.perf_counter() - t0
        out["rho"] = float(np.ravel(ref.betas)[-1])
    out["peak_rss_mb"] = rss_mb()
    out["rss_growth_mb"] = out["peak_rss_mb"] - before
    return out


def run_worker(*args: str, timeout: float, threads: str) -> dict[str, Any] | None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads,
           "MKL_NUM_THREADS": threads}
    try:
        proc = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                              text=True, check=False, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        print(f"  {args[0]} at {args[1]}x{args[2]}: stopped after {timeout:.0f} s")
        return None
    if proc.returncode != 0:
        print(f"  worker {args} failed: {proc.stderr.strip().splitlines()[-1:]}")
        return None
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def has_splm() -> bool:
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(["Rscript", "-e", "library(splm)"], capture_output=True, check=False)
    return check.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="32x32,64x64,128x128,256x256",
                        help="lattices rows x cols (default N = 1,024 … 65,536)")
    parser.add_argument("--T", type=int, default=10, help="periods (default 10)")
    parser.add_argument("--spreg-max", type=int, default=4096,
                        help="largest N given to spreg (dense N × N; default 4,096)")
    parser.add_argument("--timeout", type=float, default=900, help="per run, seconds")
    parser.add_argument("--threads", default="1",
                        help="BLAS threads of every run (default 1: on a shared 2-core machine "
                             "multi-threaded OpenBLAS made one dense eigen-decomposition take "
                             "0.1–7 s; both cityres and spreg get the same setting)")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, rows, cols, periods = args.worker
        print(json.dumps(worker(kind, int(rows), int(cols), int(periods))))
        return
    print(f"SDM, two-way effects, Lee–Yu, T = {args.T}; impacts with 1,000 draws; "
          f"BLAS threads: {args.threads}")
    print(f"{'case':<22}{'N':>8}{'fit s':>9}{'impacts s':>11}{'peak MB':>10}  rho, logdet")
    rows_out = []
    yrd = run_worker("yrd", "0", "0", "13", timeout=args.timeout, threads=args.threads)
    if yrd:
        rows_out.append(("cityres, yrd_sim (SIMULATED)", yrd))
    for size in args.sizes.split(","):
        r, c = (int(v) for v in size.lower().split("x"))
        res = run_worker("cityres", str(r), str(c), str(args.T), timeout=args.timeout,
                         threads=args.threads)
        if res:
            rows_out.append(("cityres", res))
        if r * c <= args.spreg_max:
            ind = run_worker("cityres_individual", str(r), str(c), str(args.T),
                             timeout=args.timeout, threads=args.threads)
            if ind:
                rows_out.append(("cityres, individual FE", ind))
            peer = run_worker("spreg", str(r), str(c), str(args.T), timeout=args.timeout,
                              threads=args.threads)
            if peer:
                rows_out.append(("spreg ML_LagFE (ind.)", peer))
    for name, o in rows_out:
        imp = f"{o['impacts_s']:.2f}" if "impacts_s" in o else "—"
        print(f"{name:<22}{o['n']:>8}{o['fit_s']:>9.2f}{imp:>11}{o['peak_rss_mb']:>10.0f}  "
              f"{o['rho']:.4f} {o.get('logdet', '')}")
    print("R splm:", "installed (not timed by this script yet)" if has_splm()
          else "not installed; skipped")


if __name__ == "__main__":
    main()
