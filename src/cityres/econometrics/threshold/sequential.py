"""Hansen's sequential estimation: one threshold at a time, each later threshold searched
given the earlier ones, then the earlier ones re-estimated given the rest (the
refinement), with the F statistic of each added threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cityres.econometrics.threshold.search import Engine, Scan, SplitSetup, scan, setup


@dataclass(frozen=True)
class Stage:
    """The search for threshold ``k`` given the ``k − 1`` thresholds of the previous model.

    ``F = (S_{k−1} − S_k) / (S_k / df)`` with ``S_{k−1}`` the SSR of the previous model and
    ``S_k`` the minimum over the candidates.
    """

    k: int
    setup: SplitSetup
    scan: Scan
    f_stat: float


@dataclass(frozen=True)
class Model:
    """A model with ``k`` thresholds (in estimation order) and, for each, the search whose
    minimum produced it (its LR curve)."""

    thresholds: tuple[float, ...]
    curves: tuple[Scan, ...]
    ssr: float


def fit_sequence(engine: Engine, y: np.ndarray, trims: tuple[float, ...],
                 grid: int | None) -> tuple[tuple[Model, ...], tuple[Stage, ...]]:
    """Models with 1…K thresholds (K = ``len(trims)``) and the stage searches.

    Threshold ``k`` is searched given the final thresholds of the ``k − 1`` model; then
    each earlier threshold is re-estimated in turn given all the others (one pass, as
    Hansen's refinement for the double-threshold model).
    """
    df = engine.df_sigma
    models: list[Model] = []
    stages: list[Stage] = []
    fixed: tuple[float, ...] = ()
    curves: tuple[Scan, ...] = ()
    for k, trim in enumerate(trims, start=1):
        st = setup(engine, fixed, trim, grid, stage=f"threshold {k} of {len(trims)}")
        sc = scan(engine, st, y)
        f_stat = (sc.ssr_null - sc.ssr_min) / (sc.ssr_min / df)
        stages.append(Stage(k=k, setup=st, scan=sc, f_stat=float(f_stat)))
        ths = [*fixed, sc.gamma]
        cur = [*curves, sc]
        ssr = sc.ssr_min
        for j in range(k - 1):
            others = tuple(ths[:j] + ths[j + 1:])
            rs = scan(engine, setup(engine, others, trims[j], grid,
                                    stage=f"re-estimating threshold {j + 1} of {k}"), y)
            ths[j], cur[j], ssr = rs.gamma, rs, rs.ssr_min
        fixed, curves = tuple(ths), tuple(cur)
        models.append(Model(thresholds=fixed, curves=curves, ssr=float(ssr)))
    return tuple(models), tuple(stages)


def lr_curve(sc: Scan, df: int) -> tuple[np.ndarray, np.ndarray]:
    """``(γ, LR(γ))`` with ``LR(γ) = (S(γ) − S(γ̂)) / σ̂²``, ``σ̂² = S(γ̂) / df``."""
    s_min = sc.ssr_min
    return sc.gammas.copy(), (sc.ssr - s_min) / (s_min / df)


def lr_critical(level: float) -> float:
    """Hansen's (2000) critical value c(α) = −2 ln(1 − √(1 − α)), α = 1 − level."""
    alpha = 1.0 - level
    return float(-2.0 * np.log(1.0 - np.sqrt(1.0 - alpha)))


def lr_interval(gammas: np.ndarray, lr: np.ndarray, crit: float) -> tuple[float, float]:
    """The smallest interval holding every candidate with ``LR ≤ c``."""
    inside = gammas[lr <= crit]
    return float(inside.min()), float(inside.max())
