"""Spatial difference-in-differences: the direct effect of a pilot on treated cities and
its spillover onto neighbours through the treatment exposure ``(W D)_it``.

:func:`spatial_did` adds the share of a city's neighbours that are treated (a cityres
:class:`~cityres.spatial.Weights`, row-standardised) to the two-way FE DID, pooled or split
by the city's own treatment; ``model="sdm"`` instead fits a spatial Durbin model with
``D`` and ``W·D`` through :func:`cityres.spatial.panel.fit_panel` and reports its direct
and indirect effects.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataChangeWarning,
    WeightsError,
    format_choices,
)
from cityres._shared.rng import Seed
from cityres.econometrics.did._data import AlwaysTreated, did_frame
from cityres.econometrics.did.results import inference
from cityres.econometrics.fe import FEResult, Vcov, fit_fe
from cityres.spatial.weights import Weights

__all__ = ["EFFECT_COLUMNS", "SpatialDIDResult", "spatial_did"]

EFFECT_COLUMNS: tuple[str, ...] = ("effect", "term", "estimate", "std_error", "tstat",
                                   "pvalue", "ci_low", "ci_high", "meaning")
_MODELS: tuple[str, ...] = ("fe", "sdm")
_NAMES = ("D", "WD", "WD_treated", "WD_untreated")


@dataclass(frozen=True)
class SpatialDIDResult:
    """A spatial DID: direct effect and spillovers of a staggered treatment.

    Attributes
    ----------
    dep_var, cohort : str
    model : {"fe", "sdm"}
    split : bool
        Whether the exposure effect is split by the city's own treatment (``"fe"``).
    fit : FEResult or SpatialPanelResults
        The regression: two-way FE (``"fe"``) or the spatial Durbin model (``"sdm"``).
    effects : pandas.DataFrame
        Columns :data:`EFFECT_COLUMNS`, one row per effect: ``direct`` (own treatment),
        ``spillover_untreated`` / ``spillover_treated`` (exposure effect on untreated /
        treated cities; with ``split=False`` one pooled ``spillover``),
        ``treated_full_exposure`` (direct + spillover on treated: a treated city all of
        whose neighbours are treated); for ``"sdm"`` the LeSage–Pace ``direct``,
        ``indirect`` and ``total`` impacts of ``D``.
    exposure : pandas.DataFrame
        Per row of the data: entity, time, ``D`` and ``WD`` (the row-standardised share of
        treated neighbours).
    weights : Weights
        The weights used (row-standardised, in the data's unit order).
    notes : tuple of str
    """

    dep_var: str
    cohort: str
    model: str
    split: bool
    fit: Any
    effects: pd.DataFrame
    exposure: pd.DataFrame
    weights: Weights
    notes: tuple[str, ...] = ()

    @property
    def params(self) -> pd.Series:
        return pd.Series(self.fit.params)

    @property
    def std_errors(self) -> pd.Series:
        return pd.Series(self.fit.std_errors)

    @property
    def tstats(self) -> pd.Series:
        return pd.Series(self.fit.tstats if isinstance(self.fit, FEResult)
                         else self.fit.tvalues)

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(self.fit.pvalues)

    @property
    def nobs(self) -> int:
        return int(self.fit.nobs)

    @property
    def r2(self) -> float:
        return float(getattr(self.fit, "r2", np.nan))

    @property
    def r2_within(self) -> float:
        return float(getattr(self.fit, "r2_within", np.nan))

    def tidy(self) -> pd.DataFrame:
        """The effects table (a copy of :attr:`effects`)."""
        return self.effects.copy()

    def summary(self) -> str:
        """The effects with their meaning, then the regression."""
        head = {"fe": "two-way FE with treatment exposure W·D" +
                (" split by own treatment" if self.split else ""),
                "sdm": "spatial Durbin model with D and W·D (two-way FE)"}[self.model]
        lines = [f"Spatial DID of {self.dep_var} (cohort {self.cohort!r}): {head}",
                 f"W: {self.weights.kind}, {self.weights.n} units, row-standardised", "",
                 self.effects.drop(columns="meaning").to_string(
                     index=False, float_format=lambda v: f"{v:.4f}"), ""]
        lines += [f"{r.effect}: {r.meaning}" for r in self.effects.itertuples()]
        lines += ["", self.fit.summary(), *[f"note: {n}" for n in self.notes]]
        return "\n".join(lines)


def _weights(w: object, units: np.ndarray) -> tuple[Weights, list[str]]:
    """``w`` restricted to and ordered like ``units``, row-standardised; notes."""
    if not isinstance(w, Weights):
        raise ArgumentTypeError(f"w must be a cityres Weights (cityres.spatial.weights); got "
                                f"{type(w).__name__}")
    ids = [str(u) for u in units]
    have = set(w.ids)
    missing = [u for u in ids if u not in have]
    if missing:
        raise WeightsError(f"spatial_did: {len(missing)} unit(s) of the data are not in the "
                           f"weights ({w.kind}, {w.n} units): {', '.join(missing[:20])}"
                           + (" …" if len(missing) > 20 else ""))
    notes: list[str] = []
    if len(have) > len(ids):
        extra = sorted(have - set(ids))
        pos = {u: i for i, u in enumerate(w.ids)}
        keep = np.array([pos[u] for u in ids])
        sub = Weights(w.sparse[keep][:, keep], tuple(ids), kind=w.kind, params=w.params,
                      notes=w.notes)
        msg = (f"the weights were restricted to the {len(ids)} units of the data ({len(extra)} "
               f"unit(s) of W not in the data dropped: {', '.join(extra[:20])}); their "
               "treatment is unknown, so exposure counts only neighbours in the data")
        warnings.warn(msg, DataChangeWarning, stacklevel=3)
        notes.append(msg)
        w = sub
    else:
        w = w.reorder(ids, what="the data")
    if w.transform != "row":
        notes.append("W row-standardised: W·D is the share (weighted) of a city's "
                     "neighbours that are treated")
        w = w.row_standardise()
    if w.islands:
        notes.append(f"units without neighbours have exposure 0: {', '.join(w.islands[:20])}")
    return w, notes


def spatial_did(data: object, y: str, *, cohort: str, w: Weights, entity: str | None = None,
                time: str | None = None, covariates: Sequence[str] = (), split: bool = True,
                vcov: Vcov = "cluster", cluster: str | None = None,
                always_treated: AlwaysTreated = "error",
                model: Literal["fe", "sdm"] = "fe", seed: Seed = None) -> SpatialDIDResult:
    r"""Spatial DID: direct effect on treated cities and spillover onto neighbours.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        The panel (a DataFrame with ``entity`` and ``time`` columns).
    y : str
        The outcome.
    cohort : str
        Adoption-period column (0 or missing = never treated).
    w : Weights
        Spatial weights whose ids cover the data's units (extra ids are dropped with a
        warning; the exposure then counts neighbours in the data only). Row-standardised
        here if it is not (said in ``notes``).
    entity, time : str, optional
        Unit and period columns of a DataFrame (None for a CityPanel).
    covariates : sequence of str
        Controls (every cell finite).
    split : bool, default True
        Split the exposure effect by the city's own treatment (``"fe"`` only).
    vcov : {"cluster", "hetero", "iid"}
    cluster : str, optional
        Cluster variable (default the entity), as :func:`~cityres.econometrics.fit_fe`.
    always_treated : {"error", "drop", "keep"}
        Units treated from the first period (see :func:`did_frame`).
    model : {"fe", "sdm"}
        ``"fe"``: the two-way FE regression below; ``"sdm"``: a spatial Durbin model
        :math:`y = \rho Wy + \beta D + \theta WD + X\gamma + WX\delta + \alpha_i +
        \lambda_t + \varepsilon` by ML (:func:`cityres.spatial.panel.fit_panel`; balanced
        panel, ``vcov`` and ``cluster`` do not apply) with its direct / indirect / total
        effects of ``D`` (LeSage & Pace 2009; simulated inference seeded by ``seed``).
    seed : int, Generator, SeedSequence or None
        Seed of the simulated impacts of ``model="sdm"``.

    Returns
    -------
    SpatialDIDResult

    Raises
    ------
    ArgumentError
        An unknown ``model`` or ``vcov`` (the accepted values are listed); a column named
        like a generated regressor (``D``, ``WD``, ``WD_treated``, ``WD_untreated``).
    ArgumentTypeError
        ``w`` not a :class:`~cityres.spatial.Weights`.
    WeightsError
        Units of the data not in ``w`` (named).
    PanelError
        Bad panel data (see :func:`did_frame`), regressors absorbed or collinear.

    Notes
    -----
    With :math:`D_{it} = 1[\text{cohort}_i > 0,\ t \ge \text{cohort}_i]` and :math:`W`
    row-standardised, the exposure :math:`E_{it} = (WD_t)_i = \sum_j w_{ij} D_{jt}` is the
    share of city :math:`i`'s neighbours treated at :math:`t`. ``"fe"`` estimates

    .. math:: y_{it} = \alpha_i + \lambda_t + \beta D_{it}
              + \theta_1 D_{it} E_{it} + \theta_0 (1 - D_{it}) E_{it}
              + x_{it}'\gamma + \varepsilon_{it}

    (``split=False``: :math:`\theta E_{it}` instead) by :func:`fit_fe`. :math:`\beta`
    is the effect of a city's own treatment when none of its neighbours is treated,
    :math:`\theta_0` the spillover on an untreated city of having all neighbours treated
    (per unit of exposure), :math:`\theta_1` that on a treated city. With
    :math:`\theta_0 \ne 0` the never-treated neighbours of pilots are not clean controls,
    and the plain DID is biased by about :math:`-\theta_0` times the controls' mean
    exposure.

    Caveats. (1) :math:`W` is taken as exogenous and correctly specified; the estimates
    change with it (contiguity, distance bands, k-nearest). (2) Partial interference:
    a city's outcome depends on others' treatment only through :math:`E_{it}`, the
    chosen exposure mapping; higher-order neighbours and intensity are ignored. (3) No
    spatial lag of :math:`y` in ``"fe"``: outcome feedback is absorbed into
    :math:`\theta`; ``"sdm"`` models it, assuming the SDM is the data's process (a
    staggered-adoption SDM inherits the TWFE comparisons of already-treated units).
    (4) Inference clusters by city; spatially correlated shocks across clusters are not
    accounted for. (5) Exposure is the contemporaneous share; dynamic spillovers need
    leads and lags of :math:`E`.

    References
    ----------
    Delgado, M. S., & Florax, R. J. G. M. (2015). Difference-in-differences techniques for
    spatial data: Local autocorrelation and spatial interaction. Economics Letters, 137,
    123–126.
    Butts, K. (2021). Difference-in-differences estimation with spatial spillovers.
    arXiv:2105.03737.
    LeSage, J., & Pace, R. K. (2009). Introduction to Spatial Econometrics. CRC Press.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import contiguity
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = contiguity(p, "queen")
    >>> res = spatial_did(p, "de_latent", cohort="cohort_broadband", w=w)
    >>> list(res.effects["effect"])
    ['direct', 'spillover_untreated', 'spillover_treated', 'treated_full_exposure']
    """
    if model not in _MODELS:
        raise ArgumentError(f"model={model!r}; accepted: {format_choices(_MODELS)}")
    if not isinstance(split, bool | np.bool_):
        raise ArgumentTypeError(f"split must be True or False; got {split!r}")
    covs = (covariates,) if isinstance(covariates, str) else tuple(covariates)
    taken = [c for c in (y, *covs) if c in _NAMES]
    if taken:
        raise ArgumentError(f"spatial_did: columns {taken} share the names of the generated "
                            f"regressors {list(_NAMES)}; rename them")
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, covariates=covs,
                  extra=(cluster,) if cluster else (), where="spatial_did",
                  balanced=model == "sdm", always_treated=always_treated)
    frame = d.frame.copy()
    units = np.sort(frame[d.entity].unique())
    W, wnotes = _weights(w, units)
    g = d.units()[d.cohort].reindex(units).to_numpy()
    periods = d.periods
    Dm = ((g[:, None] > 0) & (periods[None, :] >= g[:, None])).astype(np.float64)
    Em = np.asarray(W.sparse @ Dm)
    ui = np.searchsorted(units, frame[d.entity].to_numpy())
    ti = np.searchsorted(periods, frame[d.time].to_numpy())
    frame["D"] = Dm[ui, ti]
    frame["WD"] = Em[ui, ti]
    exposure = frame[[d.entity, d.time, "D", "WD"]].copy()
    notes = [*d.notes, *wnotes]
    if model == "sdm":
        fit, effects = _sdm(frame, d.y, covs, d.entity, d.time, W, seed)
    else:
        if split:
            frame["WD_treated"] = frame["D"] * frame["WD"]
            frame["WD_untreated"] = (1 - frame["D"]) * frame["WD"]
            xs = ["D", "WD_treated", "WD_untreated", *covs]
        else:
            xs = ["D", "WD", *covs]
        fit = fit_fe(f"{d.y} ~ " + " + ".join(xs), frame, entity=d.entity, time=d.time,
                     vcov=vcov, cluster=cluster)
        effects = _fe_effects(fit, split)
    return SpatialDIDResult(dep_var=y, cohort=cohort, model=model, split=bool(split),
                            fit=fit, effects=effects, exposure=exposure, weights=W,
                            notes=tuple(notes))


def _row(effect: str, term: str, est: float, se: float, df: float, meaning: str
         ) -> dict[str, Any]:
    inf = inference(np.array([est]), np.array([se]), df=df, level=0.95)
    return {"effect": effect, "term": term, "estimate": est, "std_error": se,
            "tstat": float(inf["tstat"][0]), "pvalue": float(inf["pvalue"][0]),
            "ci_low": float(inf["ci_low"][0]), "ci_high": float(inf["ci_high"][0]),
            "meaning": meaning}


def _fe_effects(fit: FEResult, split: bool) -> pd.DataFrame:
    b = {str(k): float(v) for k, v in fit.params.items()}
    se = {str(k): float(v) for k, v in fit.std_errors.items()}
    V = fit.cov.to_numpy(dtype=np.float64)
    pos = {n: i for i, n in enumerate(fit.exog_names)}
    df = fit.df_t
    rows = [_row("direct", "D", b["D"], se["D"], df,
                 "own treatment, no treated neighbour")]
    if split:
        rows.append(_row("spillover_untreated", "WD_untreated", b["WD_untreated"],
                         se["WD_untreated"], df,
                         "untreated city, all neighbours treated vs none"))
        rows.append(_row("spillover_treated", "WD_treated", b["WD_treated"], se["WD_treated"],
                         df, "treated city, all neighbours treated vs none"))
        i, j = pos["D"], pos["WD_treated"]
        v = V[i, i] + V[j, j] + 2 * V[i, j]
        rows.append(_row("treated_full_exposure", "D + WD_treated",
                         b["D"] + b["WD_treated"], float(np.sqrt(v)), df,
                         "treated city with all neighbours treated vs untreated city with "
                         "none"))
    else:
        rows.append(_row("spillover", "WD", b["WD"], se["WD"], df,
                         "any city, all neighbours treated vs none"))
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def _sdm(frame: pd.DataFrame, y: str, covs: tuple[str, ...], entity: str, time: str,
         W: Weights, seed: Seed) -> tuple[Any, pd.DataFrame]:
    from cityres.spatial.panel import fit_panel

    panel = frame[[entity, time, y, "D", *covs]].copy()
    panel[entity] = panel[entity].astype(str)
    fit = fit_panel(f"{y} ~ " + " + ".join(["D", *covs]), panel, entity=entity, time=time,
                    w=W, model="sdm", effects="twoways")
    tab = fit.impacts(seed=seed)
    imp = dict(zip(map(str, tab.columns), tab.loc["D"].to_numpy(dtype=np.float64).tolist(),
                   strict=True))
    z = 1.959963984540054
    meaning = {"direct": "own treatment incl. feedback through neighbours (ρ)",
               "indirect": "spillover: effect on a city of every other city treated (via W, ρ)",
               "total": "direct + indirect"}
    rows = [{"effect": k, "term": "D", "estimate": imp[k], "std_error": imp[f"se_{k}"],
             "tstat": imp[f"t_{k}"], "pvalue": imp[f"p_{k}"],
             "ci_low": imp[k] - z * imp[f"se_{k}"], "ci_high": imp[k] + z * imp[f"se_{k}"],
             "meaning": meaning[k]} for k in ("direct", "indirect", "total")]
    return fit, pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))
