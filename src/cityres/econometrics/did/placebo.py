"""Placebo (randomisation) tests of a staggered DID: reassign which units are treated
and / or when, re-estimate, and compare the actual estimate with the placebo
distribution.

Every draw goes through :func:`cityres._shared.replicate.replicate`, so a seed gives the
same draws on every backend. The default estimator is the TWFE DID coefficient, computed
by a fast path: the two-way demeaned outcome is fixed and only the treatment dummy
changes between draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, format_choices
from cityres._shared.replicate import replicate
from cityres._shared.rng import Seed
from cityres.econometrics._frame import demean, fe_codes
from cityres.econometrics.did._data import AlwaysTreated, did_frame

__all__ = ["PlaceboResult", "placebo"]

Mode = Literal["units", "years", "both"]
Years = Literal["observed", "uniform"]
_MODES = ("units", "years", "both")
_YEARS = ("observed", "uniform")
_MAX_DRAWS = 1_000_000
_QUANTILES = (0.025, 0.05, 0.5, 0.95, 0.975)


@dataclass(frozen=True)
class PlaceboResult:
    """A placebo distribution and the actual estimate's place in it.

    Attributes
    ----------
    estimate : float
        The estimate on the actual assignment.
    draws : numpy.ndarray
        The ``n`` placebo estimates, in replicate order.
    pvalue : float
        Two-sided randomisation p-value ``(1 + #{|b*| >= |b|}) / (n + 1)``.
    n : int
    mode : {"units", "years", "both"}
    years : {"observed", "uniform"}
    seed : int, Generator, SeedSequence or None
        The seed as given.
    estimator : str
        ``"twfe"`` or the callable's name.
    y, cohort : str
    notes : tuple of str
        Changes made to the data on the way in (from :func:`did_frame`).
    """

    estimate: float
    draws: np.ndarray = field(repr=False)
    pvalue: float
    n: int
    mode: Mode
    years: Years
    seed: Seed = field(repr=False)
    estimator: str
    y: str
    cohort: str
    notes: tuple[str, ...] = ()

    @property
    def mean(self) -> float:
        """Mean of the placebo estimates."""
        return float(np.mean(self.draws))

    @property
    def sd(self) -> float:
        """Standard deviation of the placebo estimates (ddof = 1; NaN for one draw)."""
        return float(np.std(self.draws, ddof=1)) if self.n > 1 else float("nan")

    def quantiles(self, q: Sequence[float] = _QUANTILES) -> pd.Series:
        """Quantiles of the placebo estimates, indexed by ``q``."""
        qs = np.asarray(q, dtype=np.float64)
        if qs.ndim != 1 or np.any((qs < 0) | (qs > 1)):
            raise ArgumentError(f"q={q!r}; accepted: probabilities in [0, 1]")
        return pd.Series(np.quantile(self.draws, qs), index=qs, name="quantile")

    def tidy(self) -> pd.DataFrame:
        """One row: the estimate, the placebo mean, sd, 2.5 % and 97.5 % quantiles, p, n."""
        q = self.quantiles((0.025, 0.975)).to_numpy()
        return pd.DataFrame([{
            "term": f"{self.cohort} ({self.estimator})", "estimate": self.estimate,
            "placebo_mean": self.mean, "placebo_sd": self.sd, "q025": float(q[0]),
            "q975": float(q[1]), "p": self.pvalue, "n": self.n, "mode": self.mode}])

    def summary(self) -> str:
        """A text report of the placebo test."""
        how = {"units": "treated units reassigned (cohort sizes kept)",
               "years": f"adoption years redrawn ({self.years})",
               "both": f"treated units and adoption years redrawn ({self.years})"}[self.mode]
        q = self.quantiles()
        lines = [f"Placebo test of the {self.estimator} DID of {self.y} (cohort {self.cohort!r})",
                 f"{self.n} draws; {how}",
                 f"actual estimate = {self.estimate:.6f}",
                 f"placebo mean = {self.mean:.6f}, sd = {self.sd:.6f}",
                 "quantiles: " + ", ".join(f"{p:g}: {v:.6f}" for p, v in q.items()),
                 f"two-sided p = (1 + #{{|b*| >= |b|}}) / (n + 1) = {self.pvalue:.4f}"]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Design:
    """What a draw needs (picklable, for the processes backend)."""

    cohorts: np.ndarray          # per unit, 0 = never treated
    times: np.ndarray            # per row: period
    unit_of_row: np.ndarray      # per row: unit index
    interior: np.ndarray         # periods a uniform draw may pick (all but the first)
    mode: str
    years: str
    yt: np.ndarray | None        # two-way demeaned, covariate-partialled outcome (twfe)
    q: np.ndarray | None         # orthonormal basis of the demeaned covariates (twfe)
    shape: tuple[int, int] | None  # (N, T) when balanced
    codes: np.ndarray | None     # fixed-effect codes when unbalanced
    frame: pd.DataFrame | None   # the data, for a callable estimator
    cohort: str
    estimator: Callable[[pd.DataFrame], float] | None


def placebo(
    data: object,
    y: str,
    *,
    cohort: str,
    entity: str | None = None,
    time: str | None = None,
    mode: Mode = "units",
    years: Years = "observed",
    n: int = 500,
    estimator: Literal["twfe"] | Callable[[pd.DataFrame], float] = "twfe",
    covariates: Sequence[str] = (),
    always_treated: AlwaysTreated = "error",
    seed: Seed = None,
    backend: str = "serial",
    n_jobs: int | None = None,
) -> PlaceboResult:
    r"""Randomisation (placebo) test of a staggered DID estimate.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
    y : str
        The outcome.
    cohort : str
        Adoption-period column (0 or missing = never treated).
    entity, time : str, optional
        Unit and period columns of a DataFrame (None for a CityPanel).
    mode : {"units", "years", "both"}
        ``"units"``: permute the units' cohorts across units, so random units are treated,
        with the same number of units per cohort (and never treated) as in the data.
        ``"years"``: the treated units stay treated; each draws a new adoption year (see
        ``years``). ``"both"``: as many units as are treated are drawn at random, each with
        an adoption year drawn as in ``"years"``.
    years : {"observed", "uniform"}
        How ``"years"`` and ``"both"`` draw adoption years: ``"observed"`` draws each with
        replacement from the treated units' actual cohorts; ``"uniform"`` uniformly from
        the panel's periods after the first (so every placebo-treated unit has at least one
        untreated and one treated period).
    n : int
        Number of placebo draws (1 to 1,000,000; 500–1,000 is usual).
    estimator : "twfe" or callable
        ``"twfe"``: the coefficient of ``D_it = 1[t >= cohort_i]`` in a two-way FE
        regression of ``y`` (with ``covariates``), equal to ``fit_fe("y ~ D + ...")``.
        A callable gets the data frame (columns entity, time, y, cohort, covariates) with
        the cohort column reassigned and returns a float; with
        ``backend="processes"`` it must be picklable (a module-level function).
    covariates : sequence of str
        Controls of the TWFE regression (passed along in the frame for a callable).
    always_treated : {"error", "drop", "keep"}
        Units treated from the first period on, as :func:`did_frame`.
    seed : int, Generator, SeedSequence or None
        Draw ``i`` uses child ``i`` of ``SeedSequence(seed)``.
    backend : {"serial", "processes"} or a registered backend
        The draws are identical on every backend. With ``"processes"`` a callable
        estimator must be importable (a module-level function): the workers start from
        a fork server.
    n_jobs : int, optional
        Worker processes for ``backend="processes"``.

    Returns
    -------
    PlaceboResult

    Raises
    ------
    ArgumentError
        An unknown ``mode``, ``years`` or ``estimator``; ``n`` not an integer in
        [1, 1,000,000]; ``years="observed"`` with one adoption year in ``"years"`` mode
        (every draw would be the actual assignment).
    ArgumentTypeError
        ``estimator`` neither ``"twfe"`` nor callable.
    PanelError
        Bad data (see :func:`did_frame`), no treated unit, a TWFE not identified on the
        actual data, or placebo draws whose estimate is not finite (named by count).

    Notes
    -----
    With :math:`\hat b` the actual estimate and :math:`b^*_1, \dots, b^*_n` the placebo
    estimates, the two-sided p-value is

    .. math:: p = \frac{1 + \#\{j : |b^*_j| \ge |\hat b|\}}{n + 1}

    (the actual assignment counts as one draw, so :math:`p \ge 1/(n+1)`; ties within
    :math:`10^{-12}\max(1, |\hat b|)` count as exceedances). The TWFE fast path computes
    :math:`b^* = \tilde D^{*\prime} M \tilde y / \tilde D^{*\prime} M \tilde D^*` with
    :math:`\tilde{\cdot}` two-way demeaning (exact row/column means in a balanced panel,
    alternating projections otherwise) and :math:`M` the projection off the demeaned
    covariates (Frisch–Waugh–Lovell); :math:`\tilde y` is computed once.

    ``"units"`` tests whether the effect is tied to *which* units are treated: under the
    null the placebo distribution is centred near zero. ``"years"`` keeps the treated
    units, so with a real effect its placebo estimates are not centred at zero; it tests
    whether the effect is tied to the actual *timing*.

    References
    ----------
    Fisher, R. A. (1935). The Design of Experiments. Oliver & Boyd.
    Chetty, R., Looney, A., & Kroft, K. (2009). Salience and taxation: Theory and
    evidence. American Economic Review, 99(4), 1145–1177 (placebo reassignment of
    treatment as inference).

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> res = placebo(p, "de_latent", cohort="cohort_broadband", n=50, seed=1)
    >>> res.draws.shape, 0 < res.pvalue <= 1
    ((50,), True)
    """
    if mode not in _MODES:
        raise ArgumentError(f"mode={mode!r}; accepted: {format_choices(_MODES)}")
    if years not in _YEARS:
        raise ArgumentError(f"years={years!r}; accepted: {format_choices(_YEARS)}")
    if (not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1
            or n > _MAX_DRAWS):
        raise ArgumentError(f"n={n!r}; accepted: an integer from 1 to {_MAX_DRAWS:,}")
    if isinstance(estimator, str):
        if estimator != "twfe":
            raise ArgumentError(f"estimator={estimator!r}; accepted: 'twfe' or a callable "
                                "frame -> float")
        fn: Callable[[pd.DataFrame], float] | None = None
        name = "twfe"
    elif callable(estimator):
        fn, name = estimator, getattr(estimator, "__name__", type(estimator).__name__)
    else:
        raise ArgumentTypeError(f"estimator must be 'twfe' or a callable; got "
                                f"{type(estimator).__name__}")
    covs = (covariates,) if isinstance(covariates, str) else tuple(covariates)
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, covariates=covs,
                  where="placebo", balanced=False, always_treated=always_treated)
    frame = d.frame
    units, unit_of_row = np.unique(frame[d.entity].to_numpy(), return_inverse=True)
    cohorts = np.zeros(len(units), dtype=np.int64)
    cohorts[unit_of_row] = frame[d.cohort].to_numpy()
    if mode == "years" and years == "observed" and len(np.unique(cohorts[cohorts > 0])) < 2:
        raise ArgumentError(
            f"placebo: mode='years' with years='observed' redraws adoption years from the "
            f"observed cohorts, but there is only one ({sorted(set(cohorts[cohorts > 0]))}); "
            "every draw would be the actual assignment. Use years='uniform' or mode='units'")
    times = frame[d.time].to_numpy(dtype=np.int64)
    balanced = d.balanced
    shape = (len(units), len(d.periods)) if balanced else None
    codes = None if balanced else fe_codes(frame, d.entity, d.time, "twoways")
    yt = q = None
    if fn is None:
        yt, q = _twfe_parts(frame, y, covs, shape, codes)
    design = _Design(cohorts=cohorts, times=times, unit_of_row=unit_of_row,
                     interior=np.asarray(d.periods[1:], dtype=np.int64), mode=mode,
                     years=years, yt=yt, q=q, shape=shape, codes=codes,
                     frame=frame if fn is not None else None, cohort=d.cohort, estimator=fn)
    actual = _estimate(design, cohorts)
    if not np.isfinite(actual):
        raise PanelError(f"placebo: the {name} estimate on the actual assignment is not "
                         f"finite ({actual}); the DID is not identified on these data")
    draws = np.asarray(replicate(_draw, int(n), seed=seed, backend=backend, n_jobs=n_jobs,
                                 description="placebo draws", args=(design,)),
                       dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(draws))
    if bad.size:
        raise PanelError(f"placebo: {bad.size} of {n} placebo draws gave no finite estimate "
                         f"(draws {bad[:10].tolist()}): the reassigned treatment is not "
                         "identified there (e.g. every unit adopting in one period); "
                         "use another mode or years")
    tol = 1e-12 * max(1.0, abs(actual))
    pvalue = (1 + int(np.sum(np.abs(draws) >= abs(actual) - tol))) / (n + 1)
    return PlaceboResult(estimate=float(actual), draws=draws, pvalue=float(pvalue),
                         n=int(n), mode=mode, years=years, seed=seed, estimator=name,
                         y=y, cohort=d.cohort, notes=d.notes)


def _twoway(v: np.ndarray, shape: tuple[int, int] | None, codes: np.ndarray | None
            ) -> np.ndarray:
    """Two-way demeaned columns of ``v`` (n × k, rows sorted by unit then period)."""
    if shape is not None:
        a = v.reshape(shape[0], shape[1], -1)
        out = a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True) \
            + a.mean(axis=(0, 1), keepdims=True)
        return out.reshape(v.shape)
    assert codes is not None
    return demean(v, codes)


def _twfe_parts(frame: pd.DataFrame, y: str, covs: tuple[str, ...],
                shape: tuple[int, int] | None, codes: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray | None]:
    """The demeaned outcome with the demeaned covariates partialled out, and their basis."""
    yt = _twoway(frame[[y]].to_numpy(dtype=np.float64), shape, codes)[:, 0]
    if not covs:
        return yt, None
    xt = _twoway(frame[list(covs)].to_numpy(dtype=np.float64), shape, codes)
    q, r = np.linalg.qr(xt)
    diag = np.abs(np.diag(r))
    if diag.min(initial=np.inf) <= 1e-10 * max(1.0, float(diag.max(initial=0.0))):
        raise PanelError(f"placebo: the covariates {list(covs)} are collinear or absorbed by "
                         "the unit and period effects")
    return yt - q @ (q.T @ yt), q


def _estimate(design: _Design, cohorts: np.ndarray) -> float:
    """The estimate when unit ``i`` adopts in ``cohorts[i]`` (0 = never)."""
    g = cohorts[design.unit_of_row]
    if design.estimator is not None:
        assert design.frame is not None
        frame = design.frame.copy()
        frame[design.cohort] = g
        return float(design.estimator(frame))
    assert design.yt is not None
    dt = _twoway(((g > 0) & (design.times >= g)).astype(np.float64)[:, None],
                 design.shape, design.codes)[:, 0]
    if design.q is not None:
        dt = dt - design.q @ (design.q.T @ dt)
    ssd = float(dt @ dt)
    if ssd <= 1e-12 * len(dt):
        return float("nan")
    return float(dt @ design.yt) / ssd


def _draw(rng: np.random.Generator, design: _Design) -> float:
    """One placebo estimate (module level, so the processes backend can pickle it)."""
    c = design.cohorts
    if design.mode == "units":
        new = rng.permutation(c)
    else:
        treated = c > 0
        if design.mode == "both":
            treated = rng.permutation(treated)
        k = int(treated.sum())
        if design.years == "observed":
            years = rng.choice(c[c > 0], size=k, replace=True)
        else:
            years = rng.choice(design.interior, size=k, replace=True)
        new = np.zeros_like(c)
        new[treated] = years
    return _estimate(design, new)
