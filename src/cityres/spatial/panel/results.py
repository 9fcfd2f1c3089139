"""The result of a spatial panel model: estimates, inference and fit, frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError

if TYPE_CHECKING:
    from cityres._shared.rng import Seed
    from cityres.spatial.weights import Weights

MODEL_TITLES = {
    "sar": "SAR (spatial lag)",
    "sem": "SEM (spatial error)",
    "sdm": "SDM (spatial Durbin)",
    "sdem": "SDEM (spatial Durbin error)",
    "slx": "SLX (spatially lagged X)",
    "sac": "SAC (spatial lag and error)",
}

_LEE_YU_LABEL: dict[bool | str, str] = {False: "no", True: "yes (splm)", "splm": "yes (splm)",
                                        "transformation": "transformation"}


@dataclass(frozen=True, eq=False)
class SpatialPanelResults:
    """Estimates of a spatial panel model (what :func:`fit_panel` returns).

    Attributes
    ----------
    model : str
        ``"sar"``, ``"sem"``, ``"sdm"``, ``"sdem"``, ``"slx"`` or ``"sac"``.
    effects : str
        ``"none"``, ``"individual"``, ``"time"`` or ``"twoways"``.
    lee_yu : bool or str
        ``False``; ``"splm"`` (R ``splm``'s ``LeeYu=TRUE``, asked for with ``True`` or
        ``"splm"``); or ``"transformation"`` (Lee & Yu's 2010 transformation approach:
        :attr:`loglik` is then the log-likelihood of the transformed panel, with
        ``N(T−1)``, ``(N−1)T`` or ``(N−1)(T−1)`` observations).
    params : pandas.Series
        The regressors' coefficients (``const`` first when ``effects="none"``), then the
        lagged regressors ``W_<name>`` (θ), then ``rho`` (spatial lag) and/or ``lambda``
        (spatial error). Not σ².
    vcov : pandas.DataFrame
        Asymptotic covariance of ``params`` (inverse information matrix, σ² block
        marginalised out), same order.
    sigma2 : float
        Estimated innovation variance σ².
    loglik : float
        Log-likelihood with all constants (see the notes of :func:`fit_panel`); for
        ``lee_yu="transformation"`` that of the transformed panel.
    nobs, n_entities, n_periods : int
        ``N·T``, ``N`` and ``T``.
    resid, fitted : pandas.Series
        The innovations ε̂ of the demeaned model and ``y - ε̂``, indexed (entity, time).
    exog_names : tuple of str
        The regressors as named in the formula (without ``W_`` and ``const``).
    weights : Weights
        The weights used, rows in entity order.
    y_name : str
        The response.
    logdet_method : str
        How ln|I − ρW| was computed.
    notes : tuple of str
        What was corrected or approximated, in words.
    """

    model: str
    effects: str
    lee_yu: bool | str
    params: pd.Series
    vcov: pd.DataFrame
    sigma2: float
    loglik: float
    nobs: int
    n_entities: int
    n_periods: int
    resid: pd.Series
    fitted: pd.Series
    exog_names: tuple[str, ...]
    weights: Weights
    y_name: str = "y"
    logdet_method: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    # ----------------------------------------------------------------- inference
    @property
    def std_errors(self) -> pd.Series:
        """Standard errors: square roots of the diagonal of :attr:`vcov`."""
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.params.index,
                         name="std_error")

    @property
    def tvalues(self) -> pd.Series:
        """``params / std_errors`` (asymptotically standard normal)."""
        return (self.params / self.std_errors).rename("t")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values from the standard normal distribution (as R ``splm``)."""
        return pd.Series(2 * stats.norm.sf(np.abs(self.tvalues.to_numpy())),
                         index=self.params.index, name="p")

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Normal-approximation confidence intervals with columns ``low`` and ``high``."""
        if not 0 < alpha < 1:
            raise ArgumentError(f"alpha must be between 0 and 1; got {alpha!r}")
        z = stats.norm.ppf(1 - alpha / 2)
        se = self.std_errors
        return pd.DataFrame({"low": self.params - z * se, "high": self.params + z * se})

    @property
    def n_params(self) -> int:
        """Number of estimated parameters counted by AIC/BIC: ``params`` plus σ²."""
        return len(self.params) + 1

    @property
    def aic(self) -> float:
        """Akaike criterion ``-2 loglik + 2 (len(params) + 1)`` (fixed effects not counted)."""
        return -2 * self.loglik + 2 * self.n_params

    @property
    def bic(self) -> float:
        """Schwarz criterion ``-2 loglik + ln(NT) (len(params) + 1)``."""
        return -2 * self.loglik + np.log(self.nobs) * self.n_params

    # ----------------------------------------------------------------- tables
    def tidy(self) -> pd.DataFrame:
        """One row per parameter: term, estimate, std_error, t, p, conf_low, conf_high."""
        ci = self.conf_int()
        return pd.DataFrame({
            "term": list(self.params.index),
            "estimate": self.params.to_numpy(),
            "std_error": self.std_errors.to_numpy(),
            "t": self.tvalues.to_numpy(),
            "p": self.pvalues.to_numpy(),
            "conf_low": ci["low"].to_numpy(),
            "conf_high": ci["high"].to_numpy(),
        })

    def summary(self) -> str:
        """A statsmodels-like text table of the fit and the estimates."""
        title = MODEL_TITLES.get(self.model, self.model)
        width = 78
        ly = _LEE_YU_LABEL.get(self.lee_yu, str(self.lee_yu))
        head = [
            f"Spatial panel model: {title}".center(width),
            "=" * width,
            f"{'Dependent variable:':<22}{self.y_name:<17}{'Log-likelihood:':<22}"
            f"{self.loglik:>17.4f}",
            f"{'Fixed effects:':<22}{self.effects:<17}{'sigma^2:':<22}{self.sigma2:>17.6g}",
            f"{'Lee-Yu correction:':<22}{ly:<17}{'AIC:':<22}"
            f"{self.aic:>17.4f}",
            f"{'Entities (N):':<22}{self.n_entities:<17}{'BIC:':<22}{self.bic:>17.4f}",
            f"{'Periods (T):':<22}{self.n_periods:<17}{'Observations:':<22}{self.nobs:>17}",
            f"{'ln|I - rho W|:':<22}{self.logdet_method:<17}{'Weights:':<22}"
            f"{self.weights.kind + ('/row' if self.weights.transform == 'row' else ''):>17}",
            "-" * width,
            f"{'':<16} {'estimate':>10} {'std.err':>10} {'z':>8} {'P>|z|':>7} {'[0.025':>10} "
            f"{'0.975]':>10}",
            "-" * width,
        ]
        ci = self.conf_int()
        rows = [
            f"{str(name)[:16]:<16} {est:>10.4g} {se:>10.4g} {t:>8.3f} {p:>7.3f} {lo:>10.4g} "
            f"{hi:>10.4g}"
            for name, est, se, t, p, lo, hi in zip(
                self.params.index, self.params, self.std_errors, self.tvalues, self.pvalues,
                ci["low"], ci["high"], strict=True)
        ]
        tail = ["=" * width, *(f"Note: {n}" for n in self.notes)]
        return "\n".join([*head, *rows, *tail])

    def __repr__(self) -> str:
        return (f"SpatialPanelResults(model={self.model!r}, effects={self.effects!r}, "
                f"lee_yu={self.lee_yu!r}, N={self.n_entities}, T={self.n_periods}, "
                f"loglik={self.loglik:.4f})")

    # ----------------------------------------------------------------- effects
    def impacts(self, draws: int = 1000, seed: Seed = None, *,
                method: str = "auto") -> pd.DataFrame:
        """Direct, indirect and total effects with simulated inference.

        Calls :func:`cityres.spatial.panel.effects.impacts` (LeSage & Pace 2009); see there
        for the columns and the methods.
        """
        from cityres.spatial.panel.effects import impacts

        return impacts(self, draws, seed, method=method)  # type: ignore[arg-type]
