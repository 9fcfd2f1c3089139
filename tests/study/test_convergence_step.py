"""The ``convergence`` study step on the bundled yrd_sim (SIMULATED) panel.

The step's tables are checked against cityres.dynamics.sigma / beta_convergence called
directly (themselves checked against inequality, statsmodels, pyfixest and
cityres.spatial.panel in tests/dynamics) at rtol 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _studies import run_text

from cityres import datasets
from cityres._shared.errors import ArgumentError
from cityres.dynamics.beta import beta_convergence
from cityres.dynamics.sigma import sigma
from cityres.spatial.weights import weights_from_spec
from cityres.study import run_study

STUDY = """\
[study]
seed = 5

[data]
dataset = "yrd_sim"

[[steps]]
step = "convergence"
column = "de_latent"
controls = ["urbanisation"]
spatial = "sar"
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_text(tmp_path_factory.mktemp("conv"), STUDY)


def test_sigma_tables_match_the_library(out: Path) -> None:
    p = datasets.load("yrd_sim")
    ref = sigma(p, "de_latent", group="region")
    got = pd.read_parquet(out / "tables" / "convergence__sigma.parquet")
    np.testing.assert_allclose(got[list(ref.measures)].to_numpy(),
                               ref.table[list(ref.measures)].to_numpy(), rtol=1e-12)
    trend = pd.read_parquet(out / "tables" / "convergence__sigma_trend.parquet")
    np.testing.assert_allclose(trend["slope"], ref.trend()["slope"], rtol=1e-12)


def test_beta_table_matches_the_library(out: Path) -> None:
    p = datasets.load("yrd_sim")
    beta = pd.read_parquet(out / "tables" / "convergence__beta.parquet")
    assert beta["model"].nunique() == 6
    refs = [beta_convergence(p, "de_latent"),
            beta_convergence(p, "de_latent", kind="conditional", controls=["urbanisation"]),
            beta_convergence(p, "de_latent", form="panel"),
            beta_convergence(p, "de_latent", form="panel", kind="conditional",
                             controls=["urbanisation"]),
            beta_convergence(p, "de_latent", form="panel", spatial="sar",
                             w=weights_from_spec("queen", p))]
    for i, ref in enumerate(refs, start=1):
        part = beta[beta["model"] == i].set_index("term")
        np.testing.assert_allclose(part.loc["ln_y0", "estimate"], ref.beta, rtol=1e-12)
        np.testing.assert_allclose(part.loc["speed", "estimate"], ref.speed, rtol=1e-12)
        np.testing.assert_allclose(part.loc["half_life", "std_error"], ref.half_life_se,
                                   rtol=1e-12)


def test_report(out: Path) -> None:
    for key in ("sigma", "beta"):
        for lang in ("zh", "en"):
            assert (out / "figures" / f"convergence__{key}.{lang}.png").stat().st_size > 10_000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "σ 收敛与 β 收敛" in html and "σ and β convergence" in html
    assert "模拟数据" in html and "Nickell" in html and "Queen" in html


def test_bad_measure_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(STUDY + 'measures = ["var"]\n', encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"step 'convergence', measures.*'cv'"):
        run_study(tmp_path / "s.toml", tmp_path / "out", progress=False)
