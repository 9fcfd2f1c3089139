"""``threshold()``: Hansen's (1999) fixed-effects panel threshold regression."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres._shared.replicate import replicate
from cityres._shared.rng import Seed, as_seed_sequence
from cityres.econometrics.threshold._data import (
    ThresholdData,
    check_regime_sizes,
    check_trim,
    names_arg,
    prepare,
)
from cityres.econometrics.threshold.bootstrap import BootTest, bootstrap_test, child_seed
from cityres.econometrics.threshold.results import TEST_NAMES, ThresholdResult, empty_draws
from cityres.econometrics.threshold.search import Engine, admissible, make_engine, min_obs
from cityres.econometrics.threshold.sequential import (
    Model,
    Stage,
    fit_sequence,
    lr_critical,
    lr_curve,
    lr_interval,
)


def threshold(data: object, y: str, *, regime: str | tuple[str, ...] | list[str], q: str,
              controls: tuple[str, ...] | list[str] = (), entity: str | None = "city",
              time: str | None = "year", n_thresholds: int = 1,
              trim: float | tuple[float, ...] | list[float] = 0.05, grid: int | None = None,
              bootstrap: int = 300, seed: Seed = None, time_effects: bool = False,
              level: float = 0.95, backend: str = "serial") -> ThresholdResult:
    r"""Fixed-effects panel threshold regression (Hansen 1999) with 1–3 thresholds.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A balanced panel: a CityPanel, or a long frame with ``entity`` and ``time``
        columns.
    y : str
        The response.
    regime : str or sequence of str
        Regime-dependent variable(s) x: one coefficient per regime.
    q : str
        The threshold variable (it may also be the regime variable or a control).
    controls : sequence of str
        Regime-independent regressors.
    entity, time : str
        Unit and period columns ("city", "year" for a CityPanel).
    n_thresholds : {1, 2, 3}
        Thresholds estimated (sequentially) and tested.
    trim : float or sequence of float
        The smallest share of the observations a regime may hold, in (0, 0.5); one number
        or one per threshold (as xthreg's ``trim()``).
    grid : int, optional
        None: every distinct value of q is a candidate; an int g: the empirical quantiles
        of q at g evenly spaced probabilities from trim to 1 − trim (as xthreg's
        ``grid()``).
    bootstrap : int
        Bootstrap draws per test (0: no p-values).
    seed : int, Generator, SeedSequence or None
        Seed of the bootstrap; test k uses child k of it.
    time_effects : bool
        Add year effects as regime-independent regressors (two-way within transformation;
        Hansen's model has individual effects only).
    level : float
        Confidence level of the LR intervals of the thresholds.
    backend : {"serial", "processes"}
        Where the bootstrap draws run; the numbers are identical.

    Returns
    -------
    ThresholdResult

    Raises
    ------
    ArgumentError
        An argument outside what is accepted (the message says what is); a column not in
        the data; q with too few distinct values for the trimming (how many there are and
        how many are needed); a trim that leaves regimes of fewer than 10 observations.
    ArgumentTypeError
        An argument of the wrong type.
    PanelError
        An unbalanced panel (the gaps listed), missing cells (named), repeated rows, a
        regime variable or control absorbed by the fixed effects or collinear (named).

    Notes
    -----
    The model, for entity i and period t, with regimes cut at γ₁ < … < γ_k:

    .. math:: y_{it} = \mu_i + \sum_{j=1}^{k+1} \beta_j' x_{it}\,
              1(\gamma_{j-1} < q_{it} \le \gamma_j) + \delta' z_{it} + e_{it}

    (γ₀ = −∞, γ_{k+1} = ∞), estimated by least squares after the within transformation.
    Thresholds are estimated one at a time: γ̂₁ minimises S₁(γ); γ̂₂ minimises S(γ̂₁, γ);
    then γ̂₁ is re-estimated given γ̂₂ (Hansen's refinement), and likewise for a third.
    The test of k against k − 1 thresholds is F_k = (S_{k−1} − S_k)/σ̂², σ̂² = S_k / (N(T−1)),
    with a p-value from Hansen's fixed-regressor bootstrap (entities' residual vectors of
    the k − 1 model resampled, the k − 1 thresholds held at their estimates). The LR
    interval of a threshold holds the candidates with LR(γ) = (S(γ) − S(γ̂))/σ̂² ≤ c(α) =
    −2 ln(1 − √(1 − α)). Standard errors are clustered by entity with Stata's
    ``xtreg, fe vce(cluster)`` factor G/(G−1)·(n−1)/(n−K), K counting the slopes, the
    year dummies when ``time_effects`` and the constant xtreg reports (not the entity
    effects, which are nested in the clusters); t tests with G − 1 degrees of freedom.
    See ``docs/methods/threshold.md``.

    References
    ----------
    Hansen, B. E. (1999). Threshold effects in non-dynamic panels: Estimation, testing,
    and inference. Journal of Econometrics, 93(2), 345–368.
    Hansen, B. E. (2000). Sample splitting and threshold estimation. Econometrica, 68(3),
    575–603.
    Wang, Q. (2015). Fixed-effect panel threshold model using Stata. Stata Journal,
    15(1), 121–134.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> fit = threshold(p, "resilience", regime="de_latent", q="de_latent",
    ...                 controls=["ec_latent"], bootstrap=50, seed=1)
    >>> len(fit.thresholds), list(fit.params.index)
    (1, ['de_latent_r1', 'de_latent_r2', 'ec_latent'])
    """
    k = _int_arg(n_thresholds, "n_thresholds", low=1, high=3)
    trims = check_trim(trim, k)
    g = None if grid is None else _int_arg(grid, "grid", low=2, high=None)
    draws = _int_arg(bootstrap, "bootstrap", low=0, high=None)
    if not isinstance(time_effects, bool):
        raise ArgumentTypeError(f"time_effects={time_effects!r}; accepted: True or False")
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ArgumentError(f"level={level!r}; accepted: a number between 0 and 1, e.g. 0.95")
    replicate(_noop, 0, backend=backend)  # checks the backend name before any work
    root = as_seed_sequence(seed)
    regs = names_arg(regime, "regime", allow_empty=False)
    ctrl = names_arg(controls, "controls", allow_empty=True)
    data_ = prepare(data, y, regs, q, ctrl, entity=entity, time=time,
                    time_effects=time_effects)
    check_regime_sizes(trims, data_.n)
    engine = make_engine(data_, time_effects)
    _check_candidates(engine, trims[0], g, k)
    models, stages = fit_sequence(engine, data_.y, trims, g)
    boots = [bootstrap_test(engine, data_.y, st, draws, child_seed(root, st.k), backend)
             if draws else None for st in stages]
    return _result(engine, data_, models[-1], stages, boots, trims=trims, grid=g,
                   draws=draws, level=float(level), root=root)


def _noop(rng: np.random.Generator) -> None:  # pragma: no cover - never called
    return None


def _int_arg(value: object, name: str, *, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ArgumentTypeError(f"{name}={value!r}; accepted: an integer"
                                + (f" from {low} to {high}" if high else f" >= {low}"))
    if value < low or (high is not None and value > high):
        raise ArgumentError(f"{name}={value!r}; accepted: "
                            + (f"{low}, …, {high}" if high else f"an integer >= {low}"))
    return int(value)


def _check_candidates(engine: Engine, trim: float, grid: int | None, k: int) -> None:
    """Raise when q has too few distinct values for ``k`` thresholds with this trim."""
    d = engine.data
    n_ok = admissible(engine, (), trim, None).size
    if n_ok >= k:
        n_grid = admissible(engine, (), trim, grid).size
        if n_grid >= k:
            return
        raise ArgumentError(f"grid={grid} gives {n_grid} admissible candidate(s) for "
                            f"{d.q_name!r}; n_thresholds={k} needs at least {k}. Use a larger "
                            "grid or grid=None")
    m = min_obs(trim, d.n)
    raise ArgumentError(
        f"the threshold variable {d.q_name!r} has {engine.values.size} distinct value(s), of "
        f"which {n_ok} leave at least {m} of the {d.n} observations (trim={trim:g}) on each "
        f"side; n_thresholds={k} needs at least {k} such values (and regimes of {m} "
        "observations each). Use a smaller trim, fewer thresholds or another variable")


def _result(engine: Engine, d: ThresholdData, model: Model, stages: tuple[Stage, ...],
            boots: list[BootTest | None], *, trims: tuple[float, ...], grid: int | None,
            draws: int, level: float, root: np.random.SeedSequence) -> ThresholdResult:
    df = engine.df_sigma
    order = np.argsort(model.thresholds)
    gammas = tuple(float(model.thresholds[j]) for j in order)
    crit = lr_critical(level)
    curves, ci = [], {}
    for s, j in enumerate(order, start=1):
        gam, lr = lr_curve(model.curves[j], df)
        curves.append(pd.DataFrame({"threshold": s, "gamma": gam, "lr": lr}))
        lo, hi = lr_interval(gam, lr, crit)
        ci[f"gamma{s}"] = {"estimate": gammas[s - 1], "lower": lo, "upper": hi}
    params, ses, cov, resid_ssr, r2w = _final_fit(engine, d, gammas)
    names = list(TEST_NAMES[: len(stages)])
    tests = pd.DataFrame({
        "threshold": [st.scan.gamma for st in stages],
        "ssr": [st.scan.ssr_min for st in stages],
        "mse": [st.scan.ssr_min / df for st in stages],
        "f_stat": [st.f_stat for st in stages],
        "pvalue": [b.pvalue if b else np.nan for b in boots],
        "crit10": [b.critical[0] if b else np.nan for b in boots],
        "crit5": [b.critical[1] if b else np.nan for b in boots],
        "crit1": [b.critical[2] if b else np.nan for b in boots],
        "draws": [draws] * len(stages)}, index=pd.Index(names, name="test"))
    n_cl = d.n_entities
    tstats = params / ses
    pvals = pd.Series(2 * stats.t.sf(np.abs(tstats.to_numpy()), n_cl - 1), index=params.index)
    return ThresholdResult(
        dep_var=d.y_name, q=d.q_name, regime=d.regime, controls=d.controls,
        threshold_values=gammas, params=params, std_errors=ses, tstats=tstats,
        pvalues=pvals, cov=cov, f_stats=tests["f_stat"].rename(None),
        threshold_pvalues=tests["pvalue"].rename(None),
        critical_values=tests[["crit10", "crit5", "crit1"]].copy(),
        threshold_ci=pd.DataFrame(ci).T, lr_curve=pd.concat(curves, ignore_index=True),
        lr_critical=crit, level=level, tests=tests,
        bootstrap_f=(pd.DataFrame({nm: b.draws for nm, b in zip(names, boots, strict=True)
                                   if b is not None}) if draws else empty_draws(len(stages))),
        ssr=resid_ssr, ssr_linear=float(stages[0].scan.ssr_null), nobs=d.n,
        n_entities=d.n_entities, n_periods=d.n_periods, n_clusters=n_cl, df_t=n_cl - 1,
        df_sigma=df, r2_within=r2w, trim=trims, grid=grid, n_draws=draws,
        time_effects=engine.two_way, seed_entropy=_entropy(root.entropy),
        seed_spawn_key=tuple(int(k) for k in root.spawn_key), entity=d.entity, time=d.time)


def _entropy(value: object) -> int | tuple[int, ...]:
    if isinstance(value, int | np.integer):
        return int(value)
    return tuple(int(v) for v in value)  # type: ignore[attr-defined]


def _final_fit(engine: Engine, d: ThresholdData, gammas: tuple[float, ...]
               ) -> tuple[pd.Series, pd.Series, pd.DataFrame, float, float]:
    """Within OLS given the thresholds and its entity-clustered covariance (xtreg's)."""
    names = engine.column_names(len(gammas) + 1)
    engine.basis(gammas)  # raises naming collinear columns
    w = engine.within(engine.design(gammas))
    yw = engine.within(d.y)
    beta, *_ = np.linalg.lstsq(w, yw, rcond=None)
    e = yw - w @ beta
    bread = np.linalg.inv(w.T @ w)
    scores = (w * e[:, None]).reshape(d.n_entities, d.n_periods, -1).sum(axis=1)
    n, g = d.n, d.n_entities
    n_k = w.shape[1] + (d.n_periods - 1 if engine.two_way else 0) + 1
    factor = g / (g - 1) * (n - 1) / (n - n_k)
    cov = factor * bread @ (scores.T @ scores) @ bread
    ssr = float(e @ e)
    return (pd.Series(beta, index=names), pd.Series(np.sqrt(np.diag(cov)), index=names),
            pd.DataFrame(cov, index=names, columns=names), ssr, 1.0 - ssr / float(yw @ yw))
