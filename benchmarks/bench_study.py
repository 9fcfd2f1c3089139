"""Time the demo study cold (every step runs) and warm (every step reused from the cache).

The comparison is within cityres: the cache should make a rerun cost file copies, the
report and the DuckDB file. Run: ``python benchmarks/bench_study.py [--repeat 3]``
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np

from cityres.study import run_study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with resources.as_file(resources.files("cityres.study") / "demo.toml") as study, \
            tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        cold, warm = [], []
        for _ in range(args.repeat):
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.perf_counter()
            run_study(study, out, progress=False)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            result = run_study(study, out, progress=False)
            warm.append(time.perf_counter() - t0)
            assert all(r.cached for r in result.steps)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
        print(f"demo study ({len(result.steps)} steps, output {size:.1f} MB incl. cache)")
        print(f"cold: median {np.median(cold):.2f} s (min {min(cold):.2f}, max {max(cold):.2f})")
        print(f"warm: median {np.median(warm):.2f} s (min {min(warm):.2f}, max {max(warm):.2f})"
              f"; {np.median(cold) / np.median(warm):.1f}× faster")


if __name__ == "__main__":
    main()
