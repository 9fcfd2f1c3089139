"""Specification tests for spatial panel models (Elhorst 2014, ch. 3).

- :func:`lm_tests`: LM lag, LM error and their robust forms (Anselin, Bera, Florax & Yoon
  1996) on the demeaned, stacked, non-spatial pooled OLS with ``W_NT = I_T ⊗ W``;
- :func:`lr_test`: likelihood ratio of nested fits (SDM → SAR, SDM → SEM);
- :func:`wald_test`, :func:`wald_theta_zero`, :func:`wald_common_factor`: Wald tests of
  θ = 0 and θ + ρβ = 0 (delta method);
- :func:`effects_lr_tests`: joint significance of the unit and of the time fixed effects;
- :func:`spec_tests`: all of them from a formula, as a :class:`SpecTests` table.

Formulas and references: ``docs/methods/effects_and_tests.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentError
from cityres.spatial.panel.hypothesis import (
    HypothesisTest,
    lr_test,
    wald_common_factor,
    wald_test,
    wald_theta_zero,
)
from cityres.spatial.panel.lm import Stacking, lm_tests
from cityres.spatial.panel.transform import Effects

__all__ = [
    "HypothesisTest",
    "SpecTests",
    "Stacking",
    "effects_lr_tests",
    "lm_tests",
    "lr_test",
    "spec_tests",
    "wald_common_factor",
    "wald_test",
    "wald_theta_zero",
]


@dataclass(frozen=True)
class SpecTests:
    """A table of specification tests (immutable).

    Attributes
    ----------
    tests : tuple of HypothesisTest
        In the order run.
    alpha : float
        Level of the ``decision`` column.
    notes : tuple of str
        What was run and what was skipped, in words.
    """

    tests: tuple[HypothesisTest, ...]
    alpha: float = 0.05
    notes: tuple[str, ...] = ()

    @property
    def table(self) -> pd.DataFrame:
        """Columns ``test``, ``statistic``, ``df``, ``p``, ``decision`` (a new frame)."""
        return pd.DataFrame(
            {"test": [t.test for t in self.tests],
             "statistic": [t.statistic for t in self.tests],
             "df": [t.df for t in self.tests], "p": [t.pvalue for t in self.tests],
             "decision": [t.decision(self.alpha) for t in self.tests]})

    def tidy(self) -> pd.DataFrame:
        """The :attr:`table`."""
        return self.table

    def summary(self) -> str:
        """The table as text, with the notes."""
        lines = [f"Specification tests (decision at {self.alpha:.0%})",
                 self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def effects_lr_tests(twoways: Any, *, time: Any = None, individual: Any = None,
                     n_entities: int | None = None,
                     n_periods: int | None = None) -> tuple[HypothesisTest, ...]:
    """LR tests of the joint significance of the unit and of the time fixed effects.

    Parameters
    ----------
    twoways : fitted results
        The model with both effects (``.loglik``; ``.effects``, ``.lee_yu``,
        ``.n_entities``, ``.n_periods``, ``.model`` checked when present).
    time : fitted results, optional
        The same model with time effects only (tests the unit effects, df = N − 1).
    individual : fitted results, optional
        The same model with unit effects only (tests the time effects, df = T − 1).
    n_entities, n_periods : int, optional
        ``N`` and ``T`` when the results do not carry them.

    Returns
    -------
    tuple of HypothesisTest
        ``LR unit effects`` and/or ``LR time effects``.

    Raises
    ------
    ArgumentError
        Neither ``time`` nor ``individual`` given; effects or models that do not match;
        Lee–Yu corrected fits (their likelihoods are of transformed data); see
        :func:`lr_test`.

    Notes
    -----
    :math:`LR = 2(\\ell_{twoways} - \\ell_{time})`, df = N − 1 (the unit effects added to a
    model that has time effects and hence an intercept); likewise df = T − 1 for the time
    effects (Elhorst 2014, ch. 3).
    """
    pairs = (("unit", time, "time", n_entities, "n_entities"),
             ("time", individual, "individual", n_periods, "n_periods"))
    if time is None and individual is None:
        raise ArgumentError("give time= (to test the unit effects) and/or individual= (to "
                            "test the time effects)")
    out = []
    for label, other, kind, given, attr in pairs:
        if other is None:
            continue
        fits = {"twoways": twoways, kind: other}
        for want, fit in fits.items():
            have = getattr(fit, "effects", want)
            if have != want:
                raise ArgumentError(f"the {want} argument has effects={have!r}")
            if getattr(fit, "lee_yu", False):
                raise ArgumentError("effects LR tests need fits without the Lee–Yu "
                                    "correction (lee_yu=False)")
        if getattr(twoways, "model", None) != getattr(other, "model", None):
            raise ArgumentError(f"different models: {getattr(twoways, 'model', None)!r} vs "
                                f"{getattr(other, 'model', None)!r}")
        count = given if given is not None else getattr(twoways, attr, None)
        if count is None:
            raise ArgumentError(f"give {attr}= (the results do not carry it)")
        out.append(lr_test(other, twoways, df=int(count) - 1, name=f"LR {label} effects"))
    return tuple(out)


def spec_tests(formula: str, data: Any, *, w: Any, entity: str | None = None,
               time: str | None = None, effects: Effects = "twoways",
               alpha: float = 0.05) -> SpecTests:
    """Run the specification tests of Elhorst (2014) on a panel from a formula.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` (plain column names).
    data : CityPanel or DataFrame
        A balanced panel (a DataFrame with ``entity``/``time`` columns or a 2-level index).
    w : Weights
        The weights (reordered to the panel's entities).
    entity, time : str, optional
        Column names for a DataFrame.
    effects : {"none", "individual", "time", "twoways"}
        The fixed effects swept out before the LM tests and in the fits.
    alpha : float
        Level of the decisions.

    Returns
    -------
    SpecTests
        LM lag/error and robust forms; with ``effects="twoways"`` the LR tests of the unit
        and time effects of the non-spatial model; when ``fit_panel`` is available, LR
        SDM → SAR and SDM → SEM and the Wald tests of θ = 0 and θ + ρβ = 0 (SDM).

    Raises
    ------
    PanelError, WeightsError, ArgumentError
        From the checks of the data and weights (unbalanced, missing values, ids).

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial import Weights
    >>> panel = cityres.datasets.load("produc").ln(["gsp", "pcap"])
    >>> w = Weights.from_libpysal(cityres.datasets.weights("produc")).row_standardise()
    >>> st = spec_tests("ln_gsp ~ ln_pcap", panel, w=w, effects="individual")
    >>> st.table.loc[0, "test"]
    'LM lag'
    """
    from cityres.data.modelframe import check_design
    from cityres.spatial.panel._data import panel_data
    from cityres.spatial.panel.transform import check_effects, demean

    check_effects(effects)
    if not 0 < alpha < 1:
        raise ArgumentError(f"alpha must be in (0, 1); got {alpha}")
    pdata = panel_data(formula, data, entity=entity, time=time, w=w)
    n, t, _ = pdata.X.shape
    ones = np.ones((n, t, 1))
    Xr = pdata.X if effects != "none" else np.concatenate([ones, pdata.X], axis=2)
    xn = pdata.x_names if effects != "none" else ("const", *pdata.x_names)

    def stacked(eff: str) -> tuple[np.ndarray, np.ndarray]:
        yd, Xd = demean(pdata.y, eff), demean(Xr, eff)
        return yd.T.ravel(), Xd.transpose(1, 0, 2).reshape(n * t, -1)  # time-major

    y, X = stacked(effects)
    check_design(X, tuple(xn), np.linalg.norm(Xr.reshape(n * t, -1), axis=0), effects)
    lm = lm_tests(y, X, pdata.w, n_entities=n, n_periods=t)
    labels = {"lm_lag": "LM lag", "robust_lm_lag": "Robust LM lag",
              "lm_error": "LM error", "robust_lm_error": "Robust LM error"}
    tests = [HypothesisTest(labels[str(i)], float(r.statistic), 1, float(r.p))
             for i, r in lm.iterrows()]
    notes = [f"LM tests on the {effects}-demeaned pooled OLS (N = {n}, T = {t}, "
             f"sigma2 = e'e/NT)"]
    if effects == "twoways":
        fits = {eff: _ols_fit(*stacked(eff), eff) for eff in ("twoways", "time", "individual")}
        tests += effects_lr_tests(fits["twoways"], time=fits["time"],
                                  individual=fits["individual"], n_entities=n, n_periods=t)
        notes.append("LR tests of the fixed effects on the non-spatial model (Elhorst 2014)")
    tests += _model_tests(formula, data, w, entity, time, effects, notes)
    return SpecTests(tuple(tests), alpha=alpha, notes=tuple(notes))


@dataclass(frozen=True)
class _OLSFit:
    loglik: float
    params: Sequence[float]
    effects: str
    model: str = "ols"


def _ols_fit(y: np.ndarray, X: np.ndarray, effects: str) -> _OLSFit:
    """Gaussian log-likelihood of OLS on demeaned data: −NT/2 (ln(2π σ²) + 1)."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ beta
    s2 = float(e @ e) / y.size
    return _OLSFit(-0.5 * y.size * (np.log(2 * np.pi * s2) + 1.0), beta.tolist(), effects)


def _model_tests(formula: str, data: Any, w: Any, entity: str | None, time: str | None,
                 effects: Effects, notes: list[str]) -> list[HypothesisTest]:
    """LR and Wald tests from SDM, SAR and SEM fits (``fit_panel``)."""
    from cityres.spatial.panel.api import fit_panel

    fits = {m: fit_panel(formula, data, entity=entity, time=time, w=w, model=m,
                         effects=effects) for m in ("sdm", "sar", "sem")}
    notes.append(f"LR and Wald tests from ML fits (SDM, SAR, SEM) with effects={effects!r}")
    return [lr_test(fits["sar"], fits["sdm"], name="LR SDM vs SAR"),
            lr_test(fits["sem"], fits["sdm"], name="LR SDM vs SEM"),
            wald_theta_zero(fits["sdm"]), wald_common_factor(fits["sdm"])]


__all__ = ["HypothesisTest", "SpecTests", "effects_lr_tests", "lm_tests",
           "lr_test", "spec_tests", "wald_common_factor", "wald_test", "wald_theta_zero"]
