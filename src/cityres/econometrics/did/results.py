"""Results of the difference-in-differences estimators.

:class:`EventStudyResult` holds effects by event time (relative period) from any
estimator — the TWFE event study, Sun & Abraham's interaction-weighted estimator,
Gardner's two-stage DID, Callaway & Sant'Anna's dynamic aggregation — with the reference
period(s), binned endpoints, the cell sizes and an optional pre-trend test, so that one
plot function and one table renderer read them all. :class:`ATTResult` holds a single
average effect (a static two-stage DID, a simple aggregation).

Both expose ``params``, ``std_errors``, ``tstats``, ``pvalues``, ``nobs``, ``r2`` and
``r2_within`` for :func:`cityres.report.tables.regression_table`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError
from cityres.econometrics.fe import FEResult, WaldTest

__all__ = ["COEF_COLUMNS", "ATTResult", "EventStudyResult", "coef_table", "event_label",
           "event_term", "inference", "wald_zero"]

#: Columns of :attr:`EventStudyResult.coefs`, in order.
COEF_COLUMNS: tuple[str, ...] = (
    "event_time", "label", "term", "estimate", "std_error", "tstat", "ci_low", "ci_high",
    "pvalue", "nobs", "binned", "is_reference")
_OVERALL_COLUMNS: tuple[str, ...] = (
    "term", "estimate", "std_error", "tstat", "ci_low", "ci_high", "pvalue", "nobs")


def event_label(e: int, *, low: bool = False, high: bool = False) -> str:
    """The label of an event-time cell: ``"-3"``, or ``"≤-4"`` / ``"≥4"`` for a binned
    endpoint that pools every relative time at or beyond it."""
    if low:
        return f"≤{e}"
    if high:
        return f"≥{e}"
    return str(int(e))


def event_term(label: str) -> str:
    """The coefficient name of an event-time cell in ``params``: ``"rel::-3"``."""
    return f"rel::{label}"


def inference(estimate: np.ndarray, std_error: np.ndarray, *, df: float,
              level: float) -> dict[str, np.ndarray]:
    """t statistics, two-sided p-values and ``level`` confidence bounds.

    The t distribution with ``df`` degrees of freedom, or the normal when ``df`` is
    infinite.
    """
    if not 0 < level < 1:
        raise ArgumentError(f"level={level!r}; accepted: a number between 0 and 1")
    b = np.asarray(estimate, dtype=float)
    se = np.asarray(std_error, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = b / se
    dist = stats.norm if math.isinf(df) else stats.t(df)
    q = float(dist.ppf(0.5 + level / 2))
    return {"tstat": t, "pvalue": 2 * dist.sf(np.abs(t)), "ci_low": b - q * se,
            "ci_high": b + q * se}


def coef_table(event_time: Sequence[int], label: Sequence[str], estimate: Sequence[float],
               std_error: Sequence[float], nobs: Sequence[int], binned: Sequence[bool],
               is_reference: Sequence[bool], *, df: float, level: float) -> pd.DataFrame:
    """The :attr:`EventStudyResult.coefs` frame, sorted by event time.

    Reference rows get estimate 0 and no standard error, test or interval (NaN).
    """
    ref = np.asarray(is_reference, dtype=bool)
    b = np.where(ref, 0.0, np.asarray(estimate, dtype=float))
    se = np.where(ref, np.nan, np.asarray(std_error, dtype=float))
    inf = inference(b, se, df=df, level=level)
    out = pd.DataFrame({
        "event_time": np.asarray(event_time, dtype=np.int64),
        "label": [str(s) for s in label],
        "term": [event_term(str(s)) for s in label],
        "estimate": b, "std_error": se, **inf,
        "nobs": np.asarray(nobs, dtype=np.int64),
        "binned": np.asarray(binned, dtype=bool), "is_reference": ref,
    })
    return out[list(COEF_COLUMNS)].sort_values("event_time", kind="stable").reset_index(drop=True)


def wald_zero(estimate: pd.Series, cov: pd.DataFrame, *, df: float,
              hypothesis: str) -> WaldTest:
    """Wald test that every coefficient in ``estimate`` is zero, with covariance ``cov``:
    ``F = b'V⁻¹b / J`` against F(J, df) (chi-squared / J when ``df`` is infinite)."""
    names = list(estimate.index)
    b = estimate.to_numpy(dtype=float)
    V = cov.loc[names, names].to_numpy(dtype=float)
    chi2 = float(b @ np.linalg.solve(V, b))
    J = len(names)
    F = chi2 / J
    p = float(stats.chi2.sf(chi2, J)) if math.isinf(df) else float(stats.f.sf(F, J, df))
    return WaldTest(stat=F, df_num=J, df_denom=df, pvalue=p, chi2=chi2, hypothesis=hypothesis)


@dataclass(frozen=True)
class EventStudyResult:
    """Treatment effects by event time (periods since adoption).

    Attributes
    ----------
    estimator : str
        Which estimator made it ("TWFE event study", "Sun & Abraham (2021)", …).
    dep_var : str
        The outcome.
    coefs : pandas.DataFrame
        One row per event-time cell, sorted: ``event_time`` (int; a binned endpoint has
        its boundary, e.g. −4 for "≤-4"), ``label`` ("-3", "≤-4", "≥4"), ``term``
        ("rel::-3", the name in ``params``), ``estimate``, ``std_error``, ``tstat``,
        ``ci_low``, ``ci_high``, ``pvalue``, ``nobs`` (treated-unit observations in the
        cell), ``binned`` (the cell pools several relative times) and ``is_reference``
        (omitted period: estimate 0, no standard error).
    cov : pandas.DataFrame
        Covariance of the estimated (non-reference) coefficients, by ``term``.
    level : float
        Confidence level of ``ci_low`` / ``ci_high``.
    df_t : float
        Degrees of freedom of the t tests and intervals (``inf``: normal).
    pretrend : WaldTest or None
        Joint test that every estimated lead (event time < 0, not the reference) is zero.
    fe : FEResult or None
        The underlying regression, for regression-based estimators.
    nobs, n_units : int
        Observations and units used.
    n_clusters : int or None
    r2, r2_within : float
        From the underlying regression (NaN when there is none).
    control : str
        The comparison group ("never treated", "never treated and not yet treated", …).
    overall : pandas.DataFrame or None
        Summary effects (e.g. the ATT over all post-treatment cells): ``term``,
        ``estimate``, ``std_error``, ``tstat``, ``ci_low``, ``ci_high``, ``pvalue``,
        ``nobs``; they are appended to ``params``.
    detail : pandas.DataFrame or None
        Estimator-specific detail, e.g. Sun & Abraham's cohort-specific CATT(g, e).
    notes : tuple of str
        What was changed on the way (recoded cohorts, dropped units or periods).
    """

    estimator: str
    dep_var: str
    coefs: pd.DataFrame
    cov: pd.DataFrame
    level: float = 0.95
    df_t: float = math.inf
    pretrend: WaldTest | None = None
    fe: FEResult | None = None
    nobs: int = 0
    n_units: int = 0
    n_clusters: int | None = None
    r2: float = math.nan
    r2_within: float = math.nan
    control: str = ""
    overall: pd.DataFrame | None = None
    detail: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        missing = [c for c in COEF_COLUMNS if c not in self.coefs.columns]
        if missing:
            raise ArgumentError(f"EventStudyResult.coefs lacks columns {missing}; it needs "
                                f"{list(COEF_COLUMNS)} (build it with coef_table)")
        if self.overall is not None:
            lacking = [c for c in _OVERALL_COLUMNS if c not in self.overall.columns]
            if lacking:
                raise ArgumentError(f"EventStudyResult.overall lacks columns {lacking}")

    def _rows(self) -> pd.DataFrame:
        rows = self.coefs.loc[~self.coefs["is_reference"].to_numpy(dtype=bool),
                              ["term", "estimate", "std_error", "tstat", "pvalue"]]
        if self.overall is not None:
            rows = pd.concat([rows, self.overall[["term", "estimate", "std_error", "tstat",
                                                  "pvalue"]]], ignore_index=True)
        return rows.set_index("term")

    @property
    def params(self) -> pd.Series:
        """Estimates by term (event-time cells other than the reference, then ``overall``)."""
        return self._rows()["estimate"].rename(None)

    @property
    def std_errors(self) -> pd.Series:
        """Standard errors by term."""
        return self._rows()["std_error"].rename(None)

    @property
    def tstats(self) -> pd.Series:
        """t (or z) statistics by term."""
        return self._rows()["tstat"].rename(None)

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values by term."""
        return self._rows()["pvalue"].rename(None)

    @property
    def event_times(self) -> np.ndarray:
        """The event times of the cells (reference included), ascending."""
        return self.coefs["event_time"].to_numpy(dtype=np.int64)

    @property
    def references(self) -> tuple[int, ...]:
        """The omitted event time(s)."""
        ref = self.coefs[self.coefs["is_reference"].to_numpy(dtype=bool)]
        return tuple(int(e) for e in ref["event_time"])

    def tidy(self) -> pd.DataFrame:
        """The event-time table (a copy of ``coefs``)."""
        return self.coefs.copy()

    def summary(self) -> str:
        """A text table of the event-time effects with the design's facts."""
        dist = "normal" if math.isinf(self.df_t) else f"t({self.df_t:g})"
        lines = [f"{self.estimator}: {self.dep_var} by event time (periods since adoption)",
                 f"comparison group: {self.control or 'n/a'}; reference period(s): "
                 f"{', '.join(map(str, self.references)) or 'none'}",
                 f"N = {self.nobs}, units = {self.n_units}"
                 + (f", clusters = {self.n_clusters}" if self.n_clusters else "")
                 + f"; {self.level:.0%} intervals from the {dist} distribution"]
        binned = self.coefs[self.coefs["binned"].to_numpy(dtype=bool)]
        if len(binned):
            side = {True: "at or before", False: "at or after"}
            lines.append("binned endpoints: " + "; ".join(
                f"{lab} pools every relative time {side[lab.startswith('≤')]} {e}"
                for lab, e in zip(binned["label"], binned["event_time"], strict=True)))
        lines.append("")
        cols = ["label", "estimate", "std_error", "ci_low", "ci_high", "pvalue", "nobs"]
        lines.append(self.coefs[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}",
                                                na_rep="(ref)"))
        if self.overall is not None and len(self.overall):
            lines += ["", self.overall[["term", "estimate", "std_error", "ci_low", "ci_high",
                                        "pvalue"]].to_string(
                index=False, float_format=lambda v: f"{v:.4f}")]
        if self.pretrend is not None:
            lines += ["", "pre-trend test: " + self.pretrend.summary()]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class ATTResult:
    """One average treatment effect on the treated with its inference.

    Attributes
    ----------
    estimator, dep_var : str
    term : str
        Its name in ``params`` (e.g. ``"ATT"``).
    estimate, std_error : float
    level : float
        Confidence level of :attr:`ci_low` / :attr:`ci_high`.
    df_t : float
        Degrees of freedom of the test (``inf``: normal).
    nobs, n_units : int
    n_clusters : int or None
    r2, r2_within : float
        NaN when the estimator has none.
    control : str
        The comparison group.
    notes : tuple of str
    """

    estimator: str
    dep_var: str
    term: str
    estimate: float
    std_error: float
    level: float = 0.95
    df_t: float = math.inf
    nobs: int = 0
    n_units: int = 0
    n_clusters: int | None = None
    r2: float = math.nan
    r2_within: float = math.nan
    control: str = ""
    notes: tuple[str, ...] = ()

    def _inf(self) -> dict[str, float]:
        out = inference(np.array([self.estimate]), np.array([self.std_error]), df=self.df_t,
                        level=self.level)
        return {k: float(v[0]) for k, v in out.items()}

    @property
    def tstat(self) -> float:
        """``estimate / std_error``."""
        return self._inf()["tstat"]

    @property
    def pvalue(self) -> float:
        """Two-sided p-value."""
        return self._inf()["pvalue"]

    @property
    def ci_low(self) -> float:
        """Lower confidence bound at ``level``."""
        return self._inf()["ci_low"]

    @property
    def ci_high(self) -> float:
        """Upper confidence bound at ``level``."""
        return self._inf()["ci_high"]

    @property
    def params(self) -> pd.Series:
        """``{term: estimate}``."""
        return pd.Series({self.term: self.estimate})

    @property
    def std_errors(self) -> pd.Series:
        """``{term: std_error}``."""
        return pd.Series({self.term: self.std_error})

    @property
    def tstats(self) -> pd.Series:
        """``{term: tstat}``."""
        return pd.Series({self.term: self.tstat})

    @property
    def pvalues(self) -> pd.Series:
        """``{term: pvalue}``."""
        return pd.Series({self.term: self.pvalue})

    def tidy(self) -> pd.DataFrame:
        """One row: term, estimate, std_error, tstat, ci_low, ci_high, pvalue."""
        i = self._inf()
        return pd.DataFrame([{"term": self.term, "estimate": self.estimate,
                              "std_error": self.std_error, "tstat": i["tstat"],
                              "ci_low": i["ci_low"], "ci_high": i["ci_high"],
                              "pvalue": i["pvalue"]}])

    def summary(self) -> str:
        """The estimate, its standard error, interval and test in a few lines."""
        i = self._inf()
        dist = "normal" if math.isinf(self.df_t) else f"t({self.df_t:g})"
        lines = [f"{self.estimator}: effect on {self.dep_var}",
                 f"comparison group: {self.control or 'n/a'}; N = {self.nobs}, units = "
                 f"{self.n_units}" + (f", clusters = {self.n_clusters}"
                                      if self.n_clusters else ""),
                 f"{self.term} = {self.estimate:.4f} (SE {self.std_error:.4f}), "
                 f"{self.level:.0%} CI [{i['ci_low']:.4f}, {i['ci_high']:.4f}], "
                 f"p = {i['pvalue']:.4f} ({dist})"]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)
