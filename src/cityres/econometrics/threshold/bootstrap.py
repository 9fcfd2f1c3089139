r"""Hansen's (1999) fixed-regressor residual bootstrap of the threshold-number tests.

Under the null of ``k − 1`` thresholds (held at their estimates), the entities' vectors of
within residuals :math:`\hat e_i = (\hat e_{i1}, …, \hat e_{iT})` are drawn with
replacement; ``x``, ``q`` and the controls stay fixed. Because the F statistic is
invariant to adding anything in the span of the null model's regressors, the bootstrap
response is the drawn residuals themselves; only ``r'Py*`` changes between draws (the
search's ``(r'Pr)⁻¹`` is computed once).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cityres._shared.replicate import replicate
from cityres._shared.rng import Seed, as_seed_sequence
from cityres.econometrics.threshold.search import Engine, SplitSetup, gains
from cityres.econometrics.threshold.sequential import Stage


@dataclass(frozen=True)
class BootTest:
    """The bootstrap distribution of one F statistic."""

    draws: np.ndarray
    pvalue: float
    critical: tuple[float, float, float]  # 10 %, 5 %, 1 %


def draw_f(rng: np.random.Generator, engine: Engine, st: SplitSetup,
           resid: np.ndarray) -> float:
    """One bootstrap F: resample entities' residual vectors, search the split again."""
    n_e = resid.shape[0]
    ystar = resid[rng.integers(0, n_e, size=n_e)].ravel()
    py = engine.project(ystar, st.basis)
    s0 = float(py @ py)
    best = float(gains(engine, st, py).max())
    return best / ((s0 - best) / engine.df_sigma)


def child_seed(seed: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """The seed of test ``k``: child ``k`` of ``seed``, derived without spawning (so the
    same SeedSequence object gives the same numbers every time)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, k))


def bootstrap_test(engine: Engine, y: np.ndarray, stage: Stage, draws: int, seed: Seed,
                   backend: str) -> BootTest:
    """p-value (share of draws with F* ≥ F) and the 90/95/99 % quantiles of F*."""
    st = stage.setup
    resid = engine.project(y, st.basis).reshape(engine.data.n_entities,
                                                engine.data.n_periods)
    out = np.asarray(replicate(draw_f, draws, seed=as_seed_sequence(seed), backend=backend,
                               description=f"bootstrap, threshold {stage.k}",
                               args=(engine, st, resid)), dtype=float)
    crit = np.quantile(out, [0.90, 0.95, 0.99])
    return BootTest(draws=out, pvalue=float(np.mean(out >= stage.f_stat)),
                    critical=(float(crit[0]), float(crit[1]), float(crit[2])))
