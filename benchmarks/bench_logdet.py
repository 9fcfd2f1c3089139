"""Time and accuracy of ln|I − ρW| and of the traces of G = W(I − ρW)^{-1} for large N.

Table 1, rook lattices (row-standardised, libpysal ``lat2W``), N = 1,024 … 65,536: for each
method of :func:`cityres.spatial.panel.logdet.make_logdet` the set-up time (including the
admissible interval), the mean time of one evaluation over ρ ∈ {−0.9, −0.5, 0.3, 0.6, 0.9,
0.95} and the relative error at each ρ against the exact sparse LU (``method="lu"``).
Peer: the log-determinant as spreg 1.9's ``ML_Lag(method="LU")`` computes it
(``scipy.sparse.linalg.splu(I − ρW)`` with scipy's defaults: COLAMD ordering, partial
pivoting; ``Σ ln|U_ii|``), timed on the same matrices.

Table 2, binary rook lattices (not standardised), whose eigenvalues are known in closed form
(``2cos(πi/(m+1)) + 2cos(πj/(m+1))``) and which are symmetric, so ``tr G``, ``tr G'G`` and
``tr G²`` are all exact sums over eigenvalues: time and relative error of
:func:`~cityres.spatial.panel.traces.g_traces` (stochastic, 100 probes) at ρ = 0.6·upper,
its reported relative standard errors and ``|error|/se``; and the largest error of
:func:`~cityres.spatial.panel.traces.power_traces` (Monte Carlo, 100 probes, order 100) as
a multiple of ``ρ(W)^k/√N``.

Run: ``python benchmarks/bench_logdet.py [--sides 32,64,128,256] [--eigen-max 4096]``.
Timings depend on the load of the machine (OpenBLAS threads compete with other processes);
the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from cityres.spatial.panel.logdet import make_logdet
from cityres.spatial.panel.traces import g_traces, power_traces

RHOS = (-0.9, -0.5, 0.3, 0.6, 0.9, 0.95)


def lattice(side: int, *, binary: bool = False) -> sp.csr_array:
    from libpysal.weights import lat2W

    from cityres.spatial import Weights

    w = Weights.from_libpysal(lat2W(side, side, rook=True))
    return (w if binary else w.row_standardise()).sparse


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``fn(*args, **kwargs)`` and its wall time in seconds."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def spreg_style(W: sp.csr_array, rho: float) -> float:
    """spreg's ``lag_c_loglik_sp`` log-determinant: default ``splu`` of ``I − ρW``."""
    a = sp.identity(W.shape[0], format="csr") - rho * W
    lu = sla.splu(sp.csc_matrix(a))
    return float(np.sum(np.log(np.abs(lu.U.diagonal()))))


def logdet_table(sides: list[int], eigen_max: int) -> None:
    head = (f"{'N':>7} {'method':<14} {'setup s':>8} {'eval s':>8}  "
            + " ".join(f"{'ρ=' + format(r, 'g'):>9}" for r in RHOS) + "   (relative error vs lu)")
    print(head)
    print("-" * len(head))
    for side in sides:
        W = lattice(side)
        n = W.shape[0]
        ref_ld = make_logdet(W, method="lu")
        ref = {r: ref_ld(r) for r in RHOS}
        runs: list[tuple[str, dict[str, Any]]] = []
        if n <= eigen_max:
            runs.append(("eigen", {"method": "eigen"}))
        runs += [("lu", {"method": "lu"}), ("lu grid=60", {"method": "lu", "grid": 60}),
                 ("chebyshev", {"method": "chebyshev", "seed": 0}),
                 ("mc", {"method": "mc", "seed": 0}), ("auto", {"seed": 0})]
        for label, kwargs in runs:
            ld, setup = timed(make_logdet, W, **kwargs)
            name = label if label != "auto" else f"auto→{ld.method}"
            errs, secs = [], []
            for r in RHOS:
                v, s = timed(ld, r)
                secs.append(s)
                errs.append(abs(v - ref[r]) / abs(ref[r]))
            cells = " ".join(f"{e:9.1e}" for e in errs)
            print(f"{n:>7} {name:<14} {setup:8.3f} {np.mean(secs):8.4f}  {cells}")
        peer = [timed(spreg_style, W, r) for r in RHOS]
        cells = " ".join(f"{abs(v - ref[r]) / abs(ref[r]):9.1e}"
                         for (v, _), r in zip(peer, RHOS, strict=True))
        print(f"{n:>7} {'spreg splu':<14} {'':>8} {np.mean([s for _, s in peer]):8.4f}  {cells}")
        fill = make_logdet(W, method="lu")
        fill(0.5)
        entries = fill._engine.fill  # the size of the last factorisation (private)
        print(f"{'':>7} (lu: {entries:,} entries in L+U, bounds {fill.bounds[0]:.8f}, "
              f"{fill.bounds[1]:.8f}: {fill.options['bounds_from']})")


def traces_table(sides: list[int]) -> None:
    print()
    head = (f"{'N':>7} {'g_traces s':>10} {'rel err trG':>12} {'trGtG':>9} {'trG2':>9} "
            f"{'rel se trG':>11} {'trGtG':>9} {'trG2':>9} {'max|z|':>7} "
            f"{'power s':>8} {'max err·√N/ρ(W)^k':>19}")
    print(head)
    print("-" * len(head))
    for side in sides:
        W = lattice(side, binary=True)
        n = W.shape[0]
        c = 2 * np.cos(np.pi * np.arange(1, side + 1) / (side + 1))
        ev = (c[:, None] + c[None, :]).ravel()
        upper = 1 / ev.max()
        rho = 0.6 * upper
        g = ev / (1 - rho * ev)
        exact = {"trG": g.sum(), "trGtG": (g**2).sum(), "trG2": (g**2).sum()}
        est, secs = timed(g_traces, W, rho, method="stochastic", seed=0,
                          bounds=(-upper * 0.99999, upper * 0.99999))
        keys = ("trG", "trGtG", "trG2")
        rel = [abs(est[k] - exact[k]) / exact[k] for k in keys]
        rse = [est[f"se_{k}"] / exact[k] for k in keys]
        z = max(abs(est[k] - exact[k]) / est[f"se_{k}"] for k in keys)
        order = 100
        pt, psecs = timed(power_traces, W, order, method="mc", seed=0)
        k = np.arange(order + 1)
        exact_pt = np.array([np.sum(ev**j) for j in k]) / n
        scale = ev.max() ** k / np.sqrt(n)
        perr = float(np.max(np.abs(pt - exact_pt) / scale))
        print(f"{n:>7} {secs:10.3f} {rel[0]:12.1e} {rel[1]:9.1e} {rel[2]:9.1e} {rse[0]:11.1e} "
              f"{rse[1]:9.1e} {rse[2]:9.1e} {z:7.2f} {psecs:8.3f} {perr:19.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sides", default="32,64,128,256",
                        help="lattice sides (N = side²), comma-separated")
    parser.add_argument("--eigen-max", type=int, default=4096,
                        help="largest N for the dense eigenvalue method")
    args = parser.parse_args()
    sides = [int(s) for s in args.sides.split(",")]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    logdet_table(sides, args.eigen_max)
    traces_table(sides)


if __name__ == "__main__":
    main()
