"""Time composite indices on the SIMULATED yrd_sim panel; compare with pymcdm when installed.

cityres.build_index does more than the peer: it validates the system against the panel,
checks every cell, keeps diagnostics and dimension scores, and ranks within years. The
peer is the bare computation in pymcdm (entropy weights of x' + TOPSIS) on the same
matrix, whose closeness must agree to 1e-10.

Run: ``python benchmarks/bench_indices.py [--repeat 20]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

import cityres
from cityres.indices import build_index, bundled_systems, load_system


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    panel = cityres.datasets.load("yrd_sim")
    print(f"panel: {panel!r}")
    for name in bundled_systems():
        for aggregate in ("sum", "topsis"):
            ms = best_of(
                lambda n=name, a=aggregate: build_index(panel, n, aggregate=a), args.repeat
            )
            print(f"build_index({name!r}, entropy, {aggregate}): {ms:7.1f} ms")
    try:
        from pymcdm import normalizations, weights
        from pymcdm.methods import TOPSIS
    except ImportError:
        print("pymcdm not installed: no peer comparison")
        return
    system = load_system("urban_resilience")
    x = panel.data[system.columns].to_numpy(dtype=float)
    d = system.directions.to_numpy()
    ours = build_index(panel, system, aggregate="topsis", shift=0.0001)
    xn = ours.normalized.to_numpy()

    def peer() -> np.ndarray:
        w = weights.entropy_weights(xn)
        return TOPSIS(normalizations.minmax_normalization)(x, w, d)

    gap = float(np.abs(peer() - ours.scores.to_numpy()).max())
    print(
        f"pymcdm entropy + TOPSIS (urban_resilience, pooled): {best_of(peer, args.repeat):7.1f}"
        f" ms; max |difference in closeness| = {gap:.2e}"
    )


if __name__ == "__main__":
    main()
