"""The immutable result of :func:`cityres.econometrics.threshold`."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError

#: Names of the tests of k against k − 1 thresholds, as xthreg's table.
TEST_NAMES = ("single", "double", "triple")


@dataclass(frozen=True)
class ThresholdResult:
    """A fitted fixed-effects panel threshold model (Hansen 1999).

    Attributes
    ----------
    dep_var, q : str
        The response and the threshold variable.
    regime, controls : tuple of str
        Regime-dependent variables and regime-independent controls.
    threshold_values : tuple of float
        The thresholds, ascending (also as the list :attr:`thresholds`).
    params, std_errors, tstats, pvalues : pandas.Series
        Coefficients ``<regime>_r1`` (q ≤ γ₁), ``<regime>_r2`` (γ₁ < q ≤ γ₂), …, then the
        controls; standard errors clustered by entity (see Notes of
        :func:`~cityres.econometrics.threshold`); t tests with ``df_t`` = G − 1.
    cov : pandas.DataFrame
        Covariance of the coefficients.
    f_stats, threshold_pvalues : pandas.Series
        F statistic and bootstrap p-value of each test of k against k − 1 thresholds
        (index ``single``, ``double``, ``triple``); p-values NaN with ``bootstrap=0``.
    critical_values : pandas.DataFrame
        Bootstrap critical values of the tests (columns ``crit10``, ``crit5``, ``crit1``).
    threshold_ci : pandas.DataFrame
        ``estimate``, ``lower``, ``upper`` of each threshold (index ``gamma1``, …): the LR
        confidence interval at ``level``.
    lr_curve : pandas.DataFrame
        ``threshold`` (1, 2, … in ascending order of the estimates), ``gamma`` (every
        admissible candidate) and ``lr``, the statistic LR(γ) of that threshold.
    lr_critical, level : float
        c(α) = −2 ln(1 − √(1 − α)) and the confidence level (1 − α).
    tests : pandas.DataFrame
        The threshold-effect tests as xthreg prints them: ``threshold`` (the estimate at
        that stage), ``ssr``, ``mse``, ``f_stat``, ``pvalue``, ``crit10``, ``crit5``,
        ``crit1``, ``draws``.
    bootstrap_f : pandas.DataFrame
        The bootstrap F statistics, one column per test.
    ssr, ssr_linear : float
        SSR of the final model and of the model without thresholds.
    nobs, n_entities, n_periods, n_clusters : int
    df_t : int
        Degrees of freedom of the t tests (clusters − 1).
    df_sigma : int
        Degrees of freedom of σ̂² in the F and LR statistics: N(T − 1), less T − 1 with
        time effects.
    r2_within : float
        1 − SSR / (within-transformed total sum of squares).
    trim : tuple of float
    grid : int or None
    n_draws : int
        Bootstrap draws per test.
    time_effects : bool
    seed_entropy, seed_spawn_key : int or tuple of int, tuple of int
        The root seed of the bootstrap (:meth:`seed_sequence` rebuilds it, to repeat a run
        made with ``seed=None``).
    entity, time : str
    """

    dep_var: str
    q: str
    regime: tuple[str, ...]
    controls: tuple[str, ...]
    threshold_values: tuple[float, ...]
    params: pd.Series
    std_errors: pd.Series
    tstats: pd.Series
    pvalues: pd.Series
    cov: pd.DataFrame
    f_stats: pd.Series
    threshold_pvalues: pd.Series
    critical_values: pd.DataFrame
    threshold_ci: pd.DataFrame
    lr_curve: pd.DataFrame
    lr_critical: float
    level: float
    tests: pd.DataFrame
    bootstrap_f: pd.DataFrame
    ssr: float
    ssr_linear: float
    nobs: int
    n_entities: int
    n_periods: int
    n_clusters: int
    df_t: int
    df_sigma: int
    r2_within: float
    trim: tuple[float, ...]
    grid: int | None
    n_draws: int
    time_effects: bool
    seed_entropy: int | tuple[int, ...]
    seed_spawn_key: tuple[int, ...]
    entity: str
    time: str

    @property
    def thresholds(self) -> list[float]:
        """The estimated thresholds, ascending."""
        return list(self.threshold_values)

    def seed_sequence(self) -> np.random.SeedSequence:
        """The root seed of the bootstrap: ``threshold(..., seed=fit.seed_sequence())``
        repeats the draws."""
        return np.random.SeedSequence(self.seed_entropy, spawn_key=self.seed_spawn_key)

    @property
    def n_thresholds(self) -> int:
        """Number of thresholds in the model."""
        return len(self.threshold_values)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Coefficient intervals ``b ± t(df_t) · se`` (columns ``lower``, ``upper``)."""
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
            raise ArgumentError(f"level={level!r}; accepted: a number between 0 and 1")
        t = float(stats.t.ppf(0.5 + level / 2, self.df_t))
        return pd.DataFrame({"lower": self.params - t * self.std_errors,
                             "upper": self.params + t * self.std_errors})

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per coefficient: term, estimate, std_error, t, p, ci_lower, ci_upper."""
        ci = self.conf_int(level)
        return pd.DataFrame({
            "term": list(self.params.index), "estimate": self.params.to_numpy(),
            "std_error": self.std_errors.to_numpy(), "t": self.tstats.to_numpy(),
            "p": self.pvalues.to_numpy(), "ci_lower": ci["lower"].to_numpy(),
            "ci_upper": ci["upper"].to_numpy()})

    def regime_labels(self, digits: int = 4) -> list[str]:
        """The regimes in words: ``q ≤ γ₁``, ``γ₁ < q ≤ γ₂``, …, ``q > γ_k``."""
        g = [f"{v:.{digits}g}" for v in self.threshold_values]
        out = [f"{self.q} <= {g[0]}"]
        out += [f"{a} < {self.q} <= {b}" for a, b in pairwise(g)]
        return [*out, f"{self.q} > {g[-1]}"]

    def summary(self) -> str:
        """A text report: thresholds with LR intervals, the tests, the coefficients."""
        fx = "entity and year" if self.time_effects else "entity"
        grid = "all distinct values" if self.grid is None else f"{self.grid} quantile points"
        lines = [
            f"Panel threshold regression (Hansen 1999) of {self.dep_var}",
            f"threshold variable {self.q}; regime-dependent {', '.join(self.regime)}; "
            f"fixed effects: {fx}",
            f"N = {self.nobs} ({self.n_entities} × {self.n_periods}), within R² = "
            f"{self.r2_within:.4f}, trim = {', '.join(f'{t:g}' for t in self.trim)}, "
            f"candidates: {grid}", "",
            f"Thresholds with LR {self.level:.0%} intervals (c = {self.lr_critical:.4f}):"]
        lines.append(self.threshold_ci.to_string(float_format=lambda v: f"{v:.4f}"))
        lines += ["", f"Threshold-effect tests ({self.n_draws} bootstrap draws each):"]
        lines.append(self.tests.to_string(float_format=lambda v: f"{v:.4f}"))
        lines += ["", f"Coefficients (standard errors clustered by {self.entity}, "
                      f"{self.n_clusters} clusters):"]
        lines.append(self.tidy().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        lines += ["", "Regimes: " + "; ".join(f"r{j + 1}: {s}" for j, s in
                                               enumerate(self.regime_labels()))]
        return "\n".join(lines)


def empty_draws(n_tests: int) -> pd.DataFrame:
    """The ``bootstrap_f`` frame when no bootstrap was asked for."""
    return pd.DataFrame(np.zeros((0, n_tests)), columns=list(TEST_NAMES[:n_tests]))
