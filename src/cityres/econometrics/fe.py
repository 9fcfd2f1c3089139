"""Fixed-effects linear regression (the baseline of every mechanism paper) on pyfixest.

:func:`fit_fe` parses a formula of plain column names, checks the data (no silent drops:
missing cells, singletons, absorbed or collinear regressors are errors naming what is
wrong), fits with :func:`pyfixest.feols` and returns an immutable :class:`FEResult` that
also keeps what the group-difference tests need (within-transformed regressors,
residuals, cluster ids).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.data.modelframe import parse_formula
from cityres.econometrics._frame import (
    Effects,
    check_effects,
    check_regressors,
    model_frame,
)

Vcov = Literal["cluster", "hetero", "iid"]
VCOVS: tuple[str, ...] = ("cluster", "hetero", "iid")
_FE_WORDS = {"twoways": "entity and time", "individual": "entity", "time": "time",
             "none": "none (pooled OLS with an intercept)"}


@dataclass(frozen=True)
class WaldTest:
    """A Wald test of ``R b = q``: ``F = (Rb − q)'(R V R')⁻¹(Rb − q) / J``.

    ``pvalue`` is from F(J, df_denom), ``df_denom`` the model's t degrees of freedom (the
    number of clusters − 1 under clustering, as Stata's ``test`` after ``reghdfe``).
    """

    stat: float
    df_num: int
    df_denom: float
    pvalue: float
    chi2: float
    hypothesis: str

    def summary(self) -> str:
        """One line: the hypothesis, F, its degrees of freedom and p-value."""
        return (f"{self.hypothesis}: F({self.df_num}, {self.df_denom:g}) = {self.stat:.4f}, "
                f"p = {self.pvalue:.4f}")


@dataclass(frozen=True)
class FEResult:
    """A fitted fixed-effects regression.

    Attributes
    ----------
    formula, dep_var : str
        The formula as given and the dependent variable.
    exog_names : tuple of str
        Regressors in the order of ``params`` (``Intercept`` first when ``effects="none"``).
    effects : {"twoways", "individual", "time", "none"}
    vcov_type : {"cluster", "hetero", "iid"}
    cluster : str or None
        The cluster variable.
    params, std_errors, tstats, pvalues : pandas.Series
        Estimates and inference by regressor name (t distribution with ``df_t`` degrees
        of freedom, as pyfixest and Stata's ``reghdfe``).
    cov : pandas.DataFrame
        Covariance of the estimates.
    nobs, n_entities, n_periods : int
    n_clusters : int or None
    df_t : float
        Degrees of freedom of the t and F tests (clusters − 1 under clustering).
    r2, adj_r2, r2_within : float
        R² of the full model (with the fixed effects), adjusted R², within R².
    entity, time : str
        Names of the unit and period columns.
    """

    formula: str
    dep_var: str
    exog_names: tuple[str, ...]
    effects: Effects
    vcov_type: Vcov
    cluster: str | None
    params: pd.Series
    std_errors: pd.Series
    tstats: pd.Series
    pvalues: pd.Series
    cov: pd.DataFrame
    nobs: int
    n_entities: int
    n_periods: int
    n_clusters: int | None
    df_t: float
    r2: float
    adj_r2: float
    r2_within: float
    entity: str
    time: str
    _xd: np.ndarray = field(repr=False, compare=False)
    _resid: np.ndarray = field(repr=False, compare=False)
    _groups: np.ndarray = field(repr=False, compare=False)
    _index: pd.MultiIndex = field(repr=False, compare=False)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals ``b ± t(df_t) · se`` with columns ``lower`` and ``upper``."""
        if not 0 < level < 1:
            raise ArgumentError(f"level={level!r}; accepted: a number between 0 and 1")
        q = float(stats.t.ppf(0.5 + level / 2, self.df_t))
        return pd.DataFrame({"lower": self.params - q * self.std_errors,
                             "upper": self.params + q * self.std_errors})

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per regressor: term, estimate, std_error, t, p, ci_lower, ci_upper."""
        ci = self.conf_int(level)
        return pd.DataFrame({
            "term": list(self.exog_names), "estimate": self.params.to_numpy(),
            "std_error": self.std_errors.to_numpy(), "t": self.tstats.to_numpy(),
            "p": self.pvalues.to_numpy(), "ci_lower": ci["lower"].to_numpy(),
            "ci_upper": ci["upper"].to_numpy()})

    def summary(self) -> str:
        """A text table of estimates with the model's facts."""
        se = {"cluster": f"clustered by {self.cluster} ({self.n_clusters} clusters)",
              "hetero": "heteroskedasticity-robust (HC1)", "iid": "iid"}[self.vcov_type]
        lines = [f"Fixed effects regression of {self.dep_var}",
                 f"fixed effects: {_FE_WORDS[self.effects]}; standard errors {se}",
                 f"N = {self.nobs}, entities = {self.n_entities}, periods = {self.n_periods}, "
                 f"R² = {self.r2:.4f}, within R² = {self.r2_within:.4f}", ""]
        lines.append(self.tidy().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)

    def wald(self, R: Any, q: Any = None) -> WaldTest:
        """Wald test of the linear restrictions ``R b = q``.

        Parameters
        ----------
        R : mapping, pandas.DataFrame or 2-D array
            The restrictions: a mapping ``{name: coefficient}`` for one restriction, a
            DataFrame whose columns are coefficient names (one row per restriction), or an
            array with one column per coefficient in ``exog_names`` order.
        q : float or array, optional
            Right-hand side (default 0).

        Examples
        --------
        >>> import cityres
        >>> p = cityres.datasets.load("yrd_sim")
        >>> fit = fit_fe("resilience ~ de_latent + innovation", p)
        >>> round(fit.wald({"de_latent": 1, "innovation": -1}).df_num)
        1
        """
        Rm = _restrictions(R, self.exog_names)
        J = Rm.shape[0]
        qv = np.zeros(J) if q is None else np.broadcast_to(np.asarray(q, float), (J,))
        b = self.params.to_numpy()
        d = Rm @ b - qv
        V = Rm @ self.cov.to_numpy() @ Rm.T
        chi2 = float(d @ np.linalg.solve(V, d))
        F = chi2 / J
        rows = [" ".join(f"{c:+g}·{n}" for c, n in zip(row, self.exog_names, strict=True)
                         if c) + f" = {v:g}" for row, v in zip(Rm, qv, strict=True)]
        return WaldTest(stat=F, df_num=J, df_denom=self.df_t,
                        pvalue=float(stats.f.sf(F, J, self.df_t)), chi2=chi2,
                        hypothesis="; ".join(rows))

    def scores(self) -> pd.DataFrame:
        """Per-observation scores ``x̃_it · e_it`` (within-transformed regressors times
        residuals), indexed by (entity, time): the meat of the sandwich."""
        return pd.DataFrame(self._xd * self._resid[:, None], index=self._index,
                            columns=list(self.exog_names))

    def bread(self) -> pd.DataFrame:
        """``(X̃'X̃)⁻¹`` of the within-transformed regressors."""
        inv = np.linalg.inv(self._xd.T @ self._xd)
        return pd.DataFrame(inv, index=list(self.exog_names), columns=list(self.exog_names))

    def clusters(self) -> pd.Series:
        """The cluster of each observation (the entity when not clustered)."""
        return pd.Series(self._groups, index=self._index, name=self.cluster or self.entity)

    def residuals(self) -> pd.Series:
        """Residuals ``ỹ − X̃ b`` of the within-transformed model."""
        return pd.Series(self._resid, index=self._index, name="residual")


def _restrictions(R: Any, names: tuple[str, ...]) -> np.ndarray:
    if isinstance(R, Mapping):
        R = pd.DataFrame([dict(R)])
    if isinstance(R, pd.DataFrame):
        unknown = [c for c in R.columns if c not in names]
        if unknown:
            raise ArgumentError(f"R names coefficients {unknown} the model does not have; it "
                                f"has {list(names)}")
        return R.reindex(columns=list(names), fill_value=0.0).to_numpy(dtype=float)
    arr = np.atleast_2d(np.asarray(R, dtype=float))
    if arr.shape[1] != len(names):
        raise ArgumentError(f"R has {arr.shape[1]} columns; the model has {len(names)} "
                            f"coefficients {list(names)}")
    return arr


def check_vcov(vcov: object, cluster: str | None) -> Vcov:
    if vcov not in VCOVS:
        raise ArgumentError(f"vcov={vcov!r}; accepted: " + ", ".join(map(repr, VCOVS)))
    if cluster is not None and vcov != "cluster":
        raise ArgumentError(f"cluster={cluster!r} needs vcov='cluster' (got vcov={vcov!r})")
    if cluster is not None and not isinstance(cluster, str):
        raise ArgumentTypeError(f"cluster must be a column name; got {type(cluster).__name__}")
    return vcov  # type: ignore[return-value]


def fit_fe(formula: str, data: object, *, entity: str | None = None,
           time: str | None = None, effects: Effects = "twoways", vcov: Vcov = "cluster",
           cluster: str | None = None) -> FEResult:
    r"""Fixed-effects (within) regression with clustered or robust standard errors.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"``: plain column names joined by ``+`` (transform columns first,
        e.g. ``panel.ln([...])``).
    data : CityPanel or pandas.DataFrame
        A panel, or a long frame with ``entity`` and ``time`` columns.
    entity, time : str, optional
        Unit and period columns of a DataFrame (None for a CityPanel: city, year).
    effects : {"twoways", "individual", "time", "none"}
        Fixed effects absorbed: entity and time (default), entity, time, or none (pooled
        OLS with an intercept).
    vcov : {"cluster", "hetero", "iid"}
        Standard errors: clustered (CRV1; by ``cluster``, default the entity),
        heteroskedasticity-robust (HC1) or iid.
    cluster : str, optional
        Cluster variable: a column of the data or, for a CityPanel, of its city table
        (``province``…).

    Returns
    -------
    FEResult

    Raises
    ------
    ArgumentError
        Bad formula, effects, vcov or cluster; a column not in the data.
    PanelError
        Missing or infinite cells (named by entity, period and column); repeated rows; a
        regressor absorbed by the fixed effects or collinear with others (named); an
        observation alone in its fixed-effect group (a singleton, which would be dropped).

    Notes
    -----
    The within estimator :math:`\hat\beta = (\tilde X'\tilde X)^{-1}\tilde X'\tilde y`
    with :math:`\tilde{\cdot}` the two-way demeaned data. Clustered covariance (CRV1):

    .. math:: \hat V = \frac{G}{G-1}\frac{N-1}{N-K}\, B
              \Big(\sum_g \tilde X_g'\hat e_g\hat e_g'\tilde X_g\Big) B,
              \quad B = (\tilde X'\tilde X)^{-1}

    where K counts the regressors and the levels of the fixed effects not nested in the
    clusters (with two-way effects and entity clusters K = k + T), as pyfixest and R fixest;
    t and F tests use G − 1 degrees of freedom. Estimation is done by
    pyfixest (:func:`pyfixest.feols`), so the numbers are pyfixest's.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. Journal of Human Resources, 50(2), 317–372.
    Bergé, L. (2018). Efficient estimation of maximum likelihood models with multiple
    fixed-effects: the R package FENmlm. CREA Discussion Papers 13.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> fit = fit_fe("resilience ~ de_latent + gdp_pc", p)
    >>> fit.nobs, fit.n_clusters
    (533, 41)
    """
    import pyfixest as pf

    y, xs = parse_formula(formula)
    eff = check_effects(effects)
    vtype = check_vcov(vcov, cluster)
    frame, ename, tname = model_frame(data, [y, *xs], entity=entity, time=time,
                                      where=f"fit_fe({formula!r})",
                                      extra=[cluster] if cluster is not None else ())
    cl = (cluster or ename) if vtype == "cluster" else None
    _check_singletons(frame, ename, tname, eff)
    check_regressors(frame, xs, ename, tname, eff, where=f"fit_fe({formula!r})")
    fe_part = {"twoways": f" | {ename} + {tname}", "individual": f" | {ename}",
               "time": f" | {tname}", "none": ""}[eff]
    fml = f"{y} ~ " + " + ".join(xs) + fe_part
    vc: Any = {"CRV1": cl} if vtype == "cluster" else vtype
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(fml, data=frame, vcov=vc, fixef_rm="none", fixef_tol=1e-10)
    return from_pyfixest(fit, frame, formula=formula, dep_var=y, effects=eff, vcov_type=vtype,
                         cluster=cl, entity=ename, time=tname)


def _check_singletons(frame: pd.DataFrame, entity: str, time: str, effects: Effects) -> None:
    for col, on in ((entity, effects in ("twoways", "individual")),
                    (time, effects in ("twoways", "time"))):
        if not on:
            continue
        counts = frame[col].value_counts()
        single = counts[counts < 2].index.tolist()
        if single:
            raise PanelError(f"{col} value(s) {single[:10]} have one observation only; their "
                             f"fixed effect fits it exactly (a singleton). Drop them or use "
                             f"other effects")


def from_pyfixest(fit: Any, frame: pd.DataFrame, *, formula: str, dep_var: str,
                  effects: Effects, vcov_type: Vcov, cluster: str | None, entity: str,
                  time: str) -> FEResult:
    """Build an :class:`FEResult` from a fitted :class:`pyfixest.Feols` on ``frame``."""
    names = tuple(str(n) for n in fit._coefnames)
    if int(fit._N) != len(frame):
        raise PanelError(f"pyfixest used {fit._N} of {len(frame)} observations; cityres does "
                         "not drop rows silently (report this as a bug)")
    collin = list(getattr(fit, "_collin_vars", []) or [])
    if collin:
        raise PanelError(f"regressors {collin} are collinear (pyfixest dropped them)")
    params = pd.Series(np.asarray(fit.coef(), float), index=list(names))
    cov = pd.DataFrame(np.asarray(fit._vcov, float), index=list(names), columns=list(names))
    groups = frame[cluster].to_numpy() if cluster else frame[entity].to_numpy()
    index = pd.MultiIndex.from_frame(frame[[entity, time]])
    n_clusters = int(pd.unique(groups).size) if vcov_type == "cluster" else None
    r2w = getattr(fit, "_r2_within", math.nan)
    return FEResult(
        formula=formula, dep_var=dep_var, exog_names=names, effects=effects,
        vcov_type=vcov_type, cluster=cluster, params=params,
        std_errors=pd.Series(np.asarray(fit.se(), float), index=list(names)),
        tstats=pd.Series(np.asarray(fit.tstat(), float), index=list(names)),
        pvalues=pd.Series(np.asarray(fit.pvalue(), float), index=list(names)),
        cov=cov, nobs=int(fit._N), n_entities=int(frame[entity].nunique()),
        n_periods=int(frame[time].nunique()), n_clusters=n_clusters,
        df_t=float(fit._df_t), r2=float(fit._r2), adj_r2=float(fit._adj_r2),
        r2_within=float(r2w) if r2w is not None else math.nan, entity=entity, time=time,
        _xd=np.asarray(fit._X, float).copy(), _resid=np.asarray(fit._u_hat, float).ravel().copy(),
        _groups=groups, _index=index)


def fit_sequence(y: str, x: str | Sequence[str], data: object, *,
                 controls: Sequence[str] | Sequence[Sequence[str]] = (),
                 entity: str | None = None, time: str | None = None,
                 effects: Effects = "twoways", vcov: Vcov = "cluster",
                 cluster: str | None = None) -> tuple[FEResult, ...]:
    """The baseline table's columns: the core regressors alone, then controls added step by
    step (one FE regression per column).

    Parameters
    ----------
    y : str
        Dependent variable.
    x : str or sequence of str
        Core regressor(s), in every column.
    data : CityPanel or pandas.DataFrame
    controls : sequence of str, or sequence of sequences of str
        Controls added one per column (``["a", "b"]`` gives x; x + a; x + a + b) or in
        groups (``[["a", "b"], ["c"]]`` gives x; x + a + b; x + a + b + c).
    entity, time, effects, vcov, cluster
        As :func:`fit_fe`.

    Returns
    -------
    tuple of FEResult
        One per column, in order.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> cols = fit_sequence("resilience", "de_latent", p, controls=["gdp_pc", "openness"])
    >>> [len(c.exog_names) for c in cols]
    [1, 2, 3]
    """
    core = [x] if isinstance(x, str) else list(x)
    if not core:
        raise ArgumentError("x: give at least one core regressor")
    steps: list[list[str]] = []
    for item in controls:
        steps.append([item] if isinstance(item, str) else list(item))
    seen: list[str] = list(core)
    out = [fit_fe(f"{y} ~ " + " + ".join(seen), data, entity=entity, time=time,
                  effects=effects, vcov=vcov, cluster=cluster)]
    for group in steps:
        again = [c for c in group if c in seen]
        if again:
            raise ArgumentError(f"controls: {again} appear twice (or are core regressors)")
        seen += group
        out.append(fit_fe(f"{y} ~ " + " + ".join(seen), data, entity=entity, time=time,
                          effects=effects, vcov=vcov, cluster=cluster))
    return tuple(out)
