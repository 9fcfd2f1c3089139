"""Run pyxthreg once on the Hansen (1999) investment panel and store its output.

Not a test: run by hand (``python tests/econometrics/reference/make_hansen1999_pyxthreg.py``
with pyxthreg installed) to regenerate ``hansen1999_pyxthreg.json``. See README.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from pyxthreg import ThresholdPanel

HERE = Path(__file__).parent
F32 = ["c1", "d1", "q1", "q2", "q3", "qd1"]


def load() -> pd.DataFrame:
    d = pd.read_csv(HERE / "hansen1999.csv.gz", dtype={c: np.float32 for c in F32})
    return d.astype({c: np.float64 for c in F32})


def run(grid: int) -> dict:
    m = ThresholdPanel(load(), dep="i", rx=["c1"], qx="d1",
                       indep=["q1", "q2", "q3", "d1", "qd1"], entity_col="id",
                       time_col="year")
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        m.fit(thnum=3, trim=0.01, grid=grid, bs=300, robust=True, nobslog=True, n_jobs=1)
    r = m.results
    names = ["q1", "q2", "q3", "d1", "qd1", "c1_r1", "c1_r2", "c1_r3", "c1_r4"]
    return {
        "call": f"ThresholdPanel(data, dep='i', rx=['c1'], qx='d1', indep=['q1','q2','q3',"
                f"'d1','qd1'], entity_col='id', time_col='year').fit(thnum=3, trim=0.01, "
                f"grid={grid}, bs=300, robust=True, nobslog=True, n_jobs=1)",
        "seconds": round(time.perf_counter() - t0, 2),
        "thresholds": [float(v) for v in r["thresholds"]],
        "ci": [[float(a), float(b)] for a, b in r["ci_results"]],
        "stage_ssr": [float(v) for v in r["ssrs"]],
        "tests": [{k: float(v) if not isinstance(v, str) else v for k, v in b.items()}
                  for b in r["boot_results"]],
        "params": dict(zip(names, map(float, r["beta"].ravel()), strict=True)),
        "std_errors": dict(zip(names, map(float, r["se"].ravel()), strict=True)),
        "ssr_linear": float(r["ssr_linear"]),
    }


if __name__ == "__main__":
    out = {"tool": "pyxthreg", "version": version("pyxthreg"), "numpy": np.__version__,
           "python": sys.version.split()[0], "platform": platform.platform(),
           "data": "hansen1999.csv.gz (this folder)",
           "runs": {"exact": run(0), "grid400": run(400)}}
    (HERE / "hansen1999_pyxthreg.json").write_text(json.dumps(out, indent=1) + "\n")
