"""Maximum likelihood for spatial panels with fixed effects: the array-level estimator.

:class:`SpatialPanelML` takes ``y`` (``N × T``), ``X`` (``N × T × k``) and ``W`` in the
same entity order, sweeps out the fixed effects, maximises the log-likelihood concentrated
in the spatial parameter(s) by a bounded search over the admissible interval, and returns
a :class:`~cityres.spatial.panel.results.SpatialPanelResults`. :func:`fit_panel` parses a
formula and a panel and calls it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize, minimize_scalar

from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    CityresError,
    CityresWarning,
    PanelError,
    WeightsError,
    format_choices,
)
from cityres.data.modelframe import check_design
from cityres.spatial.panel._data import as_weights, entity_index
from cityres.spatial.panel.logdet import LogDet, make_logdet
from cityres.spatial.panel.results import SpatialPanelResults
from cityres.spatial.panel.transform import check_effects, demean, lag
from cityres.spatial.panel.variance import (
    information,
    information_transformation,
    lee_yu_twoways,
)
from cityres.spatial.weights import Weights

MODELS: tuple[str, ...] = ("sar", "sem", "sdm", "sdem", "slx", "sac")
FAMILY = {"sar": "lag", "sdm": "lag", "sem": "error", "sdem": "error", "slx": "ols",
          "sac": "sac"}
DURBIN = ("sdm", "sdem", "slx")
_LOG2PI = float(np.log(2 * np.pi))
LeeYu = Literal[False, "splm", "transformation"]


class ConvergenceError(CityresError, RuntimeError):
    """The likelihood search did not converge (the message names the model)."""


class BoundaryWarning(CityresWarning):
    """A spatial parameter was estimated at the boundary of its admissible interval."""


def make_ld(W: Any, method: str) -> LogDet:
    """``make_logdet(W, method=method, seed=0)``: the seed makes the stochastic methods
    (Chebyshev, Monte Carlo) give the same fit on every run."""
    return make_logdet(W, method=method, seed=0)  # type: ignore[arg-type]


class _Reduced:
    """Least squares on linear combinations of fixed columns ``C`` (``NT × m``).

    With ``R'R = C'C`` (a Cholesky factor of the column-scaled cross-product matrix),
    ``||C v||² = ||R v||²`` for every ``v``, so the residual sum of squares of regressing
    ``C a`` on ``C B`` is that of ``R a`` on ``R B``: an ``m × m`` problem per evaluation,
    for any ``N``.
    """

    def __init__(self, C: np.ndarray) -> None:
        scale = np.linalg.norm(C, axis=0)
        scale[scale == 0] = 1.0
        Cs = C / scale
        M = Cs.T @ Cs
        try:
            R = np.linalg.cholesky(M).T
        except np.linalg.LinAlgError:  # exact fit: a semi-definite square root instead
            ev, V = np.linalg.eigh(M)
            R = np.sqrt(np.clip(ev, 0, None))[:, None] * V.T
        self.R = R * scale

    def fit(self, a: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        """β, the residual sum of squares and the reduced residual ``R(a − Bβ)``."""
        Ra, RB = self.R @ a, self.R @ B
        beta = np.linalg.lstsq(RB, Ra, rcond=None)[0]
        r = Ra - RB @ beta
        return beta, float(r @ r), r


def _check_boundary(x: float, name: str, lo: float, hi: float, model: str) -> None:
    if min(x - lo, hi - x) <= 1e-6 * (hi - lo):
        warnings.warn(
            f"{model.upper()}: the spatial parameter {name} = {x:.6g} is at the boundary of "
            f"its admissible interval ({lo:.6g}, {hi:.6g}); the estimate and its standard "
            "error should not be used (check the weights and the specification)",
            BoundaryWarning, stacklevel=4)


def maximise_1d(f: Callable[[float], float], bounds: tuple[float, float], *, name: str,
                model: str, score: Callable[[float], float] | None = None) -> float:
    """Bounded Brent search for the maximum of ``f`` over the open interval ``bounds``.

    Brent stops within about ``1e-10 + 1.5e-8 |x|``; with the derivative ``score`` of
    ``f`` the root of the score is then polished by ``brentq`` in a small bracket.
    """
    lo, hi = bounds
    pad = 1e-9 * (hi - lo)
    res = minimize_scalar(lambda x: -f(x), bounds=(lo + pad, hi - pad), method="bounded",
                          options={"xatol": 1e-10, "maxiter": 1000})
    if not res.success or not np.isfinite(res.fun):
        raise ConvergenceError(f"{model.upper()}: the search for {name} over ({lo:.6g}, "
                               f"{hi:.6g}) did not converge ({res.message})")
    x = float(res.x)
    for h in (1e-7, 1e-6, 1e-5) if score is not None else ():
        a, b = max(lo + pad, x - h), min(hi - pad, x + h)
        if score(a) > 0 > score(b):  # type: ignore[misc]
            x = float(brentq(score, a, b, xtol=1e-15))
            break
    _check_boundary(x, name, lo, hi, model)
    return x


def maximise_2d(f: Callable[[float, float], float], b1: tuple[float, float],
                b2: tuple[float, float], *, names: tuple[str, str], model: str,
                scale: float) -> tuple[float, float]:
    """Bounded maximum of ``f(a, b)``: L-BFGS-B from splm's four starts, Nelder–Mead polish."""
    pad1, pad2 = 1e-9 * (b1[1] - b1[0]), 1e-9 * (b2[1] - b2[0])
    box = [(b1[0] + pad1, b1[1] - pad1), (b2[0] + pad2, b2[1] - pad2)]

    def obj(v: np.ndarray) -> float:
        val = f(float(v[0]), float(v[1])) / scale
        return -val if np.isfinite(val) else np.inf

    starts = 0.8 * np.array([[b1[0], b2[1]], [0.0, 0.0], [b1[1], b2[1]], [b1[1], b2[0]]])
    fits = [minimize(obj, s, method="L-BFGS-B", bounds=box,
                     options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000}) for s in starts]
    finite = [r for r in fits if np.isfinite(r.fun)]
    if not finite:
        raise ConvergenceError(f"{model.upper()}: the likelihood is not finite at any start "
                               f"of the search for {names[0]} and {names[1]}")
    best = min(finite, key=lambda r: r.fun)
    x0 = np.clip(best.x, [box[0][0], box[1][0]], [box[0][1], box[1][1]])
    step = 1e-3 * np.array([b1[1] - b1[0], b2[1] - b2[0]])
    simplex = np.array([x0, x0 + np.array([step[0], 0.0]), x0 + np.array([0.0, step[1]])])
    simplex = np.clip(simplex, [box[0][0], box[1][0]], [box[0][1], box[1][1]])
    res = minimize(obj, x0, method="Nelder-Mead", bounds=box,
                   options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 4000,
                            "initial_simplex": simplex})
    if not res.success or not np.isfinite(res.fun):
        raise ConvergenceError(f"{model.upper()}: the search for {names[0]} and {names[1]} "
                               f"did not converge ({res.message})")
    out = res.x if res.fun <= best.fun else best.x
    _check_boundary(float(out[0]), names[0], *b1, model)
    _check_boundary(float(out[1]), names[1], *b2, model)
    return float(out[0]), float(out[1])


LEE_YU: tuple[str, ...] = ("splm", "transformation")


def check_options(model: object, effects: object, lee_yu: object) -> tuple[str, str, LeeYu]:
    """Validate ``model``, ``effects`` and ``lee_yu`` (errors list what is accepted).

    ``lee_yu`` is returned as ``False``, ``"splm"`` (also for ``True``) or
    ``"transformation"``.
    """
    if not isinstance(model, str) or model not in MODELS:
        raise ArgumentError(f"model must be {format_choices(MODELS)}; got {model!r}")
    eff = check_effects(effects)
    if isinstance(lee_yu, str):
        if lee_yu not in LEE_YU:
            raise ArgumentError(f"lee_yu must be True, False, {format_choices(LEE_YU)}; "
                                f"got {lee_yu!r}")
        mode: LeeYu = "splm" if lee_yu == "splm" else "transformation"
    elif isinstance(lee_yu, bool | np.bool_):
        mode = "splm" if lee_yu else False
    else:
        raise ArgumentTypeError("lee_yu must be True or False, 'splm' or 'transformation'; "
                                f"got {lee_yu!r}")
    if mode and eff == "none":
        raise ArgumentError(f"lee_yu={lee_yu!r} corrects for estimated fixed effects; "
                            "effects='none' has none (use effects='individual', 'time' or "
                            "'twoways', or lee_yu=False)")
    if mode and model == "slx":
        raise ArgumentError(f"lee_yu={lee_yu!r} corrects the likelihood of a spatial "
                            "parameter; model='slx' has none (use lee_yu=False)")
    return model, eff, mode


def check_row_standardised(w: Weights, effects: str) -> None:
    """Lee & Yu's time transformation needs ``W1 = 1`` (a :class:`WeightsError` otherwise)."""
    sums = np.asarray(w.sparse.sum(axis=1)).ravel()
    bad = np.flatnonzero(np.abs(sums - 1) > 1e-9)
    if bad.size:
        shown = ", ".join(f"{w.ids[i]} ({sums[i]:.6g})" for i in bad[:10])
        raise WeightsError(
            f"lee_yu='transformation' with effects={effects!r} needs row-standardised "
            "weights (every row summing to 1, no islands): Lee & Yu's time transformation "
            "F'y_t uses W1 = 1 so that the transformed model has weights F'WF; "
            f"{bad.size} row(s) do not sum to 1: {shown} (use w.row_standardise() and "
            "drop or link islands, or lee_yu='splm')")


def _flat(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1) if a.ndim == 2 else a.reshape(-1, a.shape[-1])


def _check_array(a: np.ndarray, what: str, names: Sequence[str] | None = None) -> None:
    bad = np.argwhere(~np.isfinite(a))
    if bad.size:
        where = "; ".join(f"entity {i[0]}, period {i[1]}"
                          + (f", column {names[i[2]]!r}" if names is not None else "")
                          for i in bad[:10])
        raise PanelError(f"{what} has {len(bad)} missing or non-finite value(s): {where}")


class SpatialPanelML:
    """Array-level ML estimator of SAR, SEM, SDM, SDEM, SLX and SAC panels.

    Parameters
    ----------
    y : array_like, shape (N, T)
        Response, entity by period.
    X : array_like, shape (N, T, k) or (N, T)
        Regressors (without an intercept: ``effects="none"`` adds ``const``).
    w : Weights or array_like, shape (N, N)
        Spatial weights with rows in the order of ``entities`` (a :class:`Weights` is
        reordered to it); used as given (row-standardise it first if wanted).
    model, effects, lee_yu, logdet
        As :func:`~cityres.spatial.panel.api.fit_panel`.
    exog_names : sequence of str, optional
        Names of the ``k`` regressors (default ``x1 … xk``).
    y_name : str
        Name of the response.
    entities, periods : sequence, optional
        Labels of the rows and columns of ``y`` (default: the ids of ``w`` when it is a
        :class:`Weights`, else ``0 … N−1``; and ``0 … T−1``).
    entity_name, time_name : str
        Names of the two levels of the index of ``resid`` and ``fitted``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> N, T = 25, 8
    >>> W = np.zeros((N, N)); i = np.arange(N - 1); W[i, i + 1] = W[i + 1, i] = 1
    >>> W = W / W.sum(1, keepdims=True)
    >>> X = rng.normal(size=(N, T, 1))
    >>> y = np.linalg.solve(np.eye(N) - 0.4 * W, X[..., 0] + 0.1 * rng.normal(size=(N, T)))
    >>> res = SpatialPanelML(y, X, W, model="sar", effects="individual").fit()
    >>> round(float(res.params["x1"]), 1), round(float(res.params["rho"]), 1)
    (1.0, 0.4)
    """

    def __init__(self, y: Any, X: Any, w: Any, *, model: str = "sdm",
                 effects: str = "twoways", lee_yu: bool | str = False, logdet: str = "auto",
                 exog_names: Sequence[str] | None = None, y_name: str = "y",
                 entities: Sequence[Any] | None = None, periods: Sequence[Any] | None = None,
                 entity_name: str = "entity", time_name: str = "time") -> None:
        self.model, self.effects, self.lee_yu = check_options(model, effects, lee_yu)
        self.y = np.asarray(y, dtype=np.float64)
        Xa = np.asarray(X, dtype=np.float64)
        self.X = Xa[:, :, None] if Xa.ndim == 2 else Xa
        if self.y.ndim != 2 or self.X.ndim != 3 or self.X.shape[:2] != self.y.shape:
            raise ArgumentError(f"y must be N × T and X N × T × k with the same N and T; got "
                                f"y {self.y.shape}, X {Xa.shape}")
        N, T, k = self.X.shape
        self.exog_names = (tuple(f"x{j + 1}" for j in range(k)) if exog_names is None
                           else tuple(str(n) for n in exog_names))
        if len(self.exog_names) != k or len(set(self.exog_names)) != k:
            raise ArgumentError(f"exog_names must be {k} distinct names; got {exog_names!r}")
        _check_array(self.y, f"y ({y_name})")
        _check_array(self.X, "X", self.exog_names)
        if T < 2 and effects in ("individual", "twoways"):
            raise PanelError(f"effects={effects!r} needs at least 2 periods; got T = {T}")
        if N < 2:
            raise PanelError(f"a spatial panel needs at least 2 entities; got N = {N}")
        if entities is None:
            entities = w.ids if isinstance(w, Weights) else range(N)
        self.entities = tuple(str(e) for e in entities)
        self.periods = tuple(range(T)) if periods is None else tuple(periods)
        if len(self.entities) != N or len(self.periods) != T:
            raise ArgumentError(f"entities and periods must have N = {N} and T = {T} labels")
        self.w = as_weights(w, self.entities)
        if self.w.links == 0 and model != "slx":
            raise WeightsError("w has no links: every entity is an island, so the spatial "
                               f"parameter of model={model!r} is not identified")
        if self.lee_yu == "transformation" and self.effects in ("time", "twoways"):
            check_row_standardised(self.w, self.effects)
        self.logdet, self.y_name = logdet, y_name
        self.entity_name, self.time_name = entity_name, time_name

    def fit(self) -> SpatialPanelResults:
        """Estimate the model; see :func:`~cityres.spatial.panel.api.fit_panel`."""
        N, T, _ = self.X.shape
        NT, W, eff, model = N * T, self.w.sparse, self.effects, self.model
        family = FAMILY[model]
        names = list(self.exog_names)
        Z = self.X
        if eff == "none":
            Z = np.concatenate([np.ones((N, T, 1)), Z], axis=2)
            names = ["const", *names]
        if model in DURBIN:
            Z = np.concatenate([Z, lag(W, self.X)], axis=2)
            names += [f"W_{n}" for n in self.exog_names]
        ys, Zs = demean(self.y, eff), demean(Z, eff)
        check_design(_flat(Zs), tuple(names), np.linalg.norm(_flat(Z), axis=0), eff)
        if not np.any(np.abs(ys) > 1e-12 * max(1.0, float(np.abs(self.y).max()))):
            raise PanelError(f"{self.y_name} has no variation left after demeaning "
                             f"(effects={eff!r})")
        k = Zs.shape[2]
        Wy = lag(W, ys)
        cols = {"ols": [ys], "lag": [ys, Wy], "error": [ys, Wy],
                "sac": [ys, Wy, lag(W, Wy)]}[family]
        Zcols = [Zs] if family in ("ols", "lag") else [Zs, lag(W, Zs)]
        trans = self.lee_yu == "transformation"
        cj = 1.0 if trans and eff in ("time", "twoways") else 0.0
        if cj:  # the transformed model lives on 1⊥: W-lagged columns projected on J_N
            cols = [cols[0], *(demean(c, "time") for c in cols[1:])]
            Zcols = [Zcols[0], *(demean(z, "time") for z in Zcols[1:])]
        T_eff, n_eff = self._effective() if trans else (T, NT)
        ny = len(cols)
        C = np.column_stack([_flat(c) for c in cols] + [_flat(z) for z in Zcols])
        red = _Reduced(C)

        def ab(rho: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
            a = np.zeros(C.shape[1])
            a[0] = 1.0
            if family in ("lag", "error"):
                a[1] = -(rho + lam)
            elif family == "sac":
                a[1], a[2] = -(rho + lam), rho * lam
            B = np.zeros((C.shape[1], k))
            B[ny:ny + k] = np.eye(k)
            if len(Zcols) == 2:
                B[ny + k:] = -lam * np.eye(k)
            return a, B

        ld = None if family == "ols" else make_ld(W, self.logdet)

        def jf(x: float) -> float:
            """ln|I − xW|, minus ln(1 − x) for the time transformation."""
            assert ld is not None
            return ld(x) - cj * float(np.log1p(-x)) if cj else ld(x)

        def jacobian(rho: float, lam: float) -> float:
            return (jf(rho) if family in ("lag", "sac") else 0.0) + (
                jf(lam) if family in ("error", "sac") else 0.0)

        def conc(rho: float, lam: float) -> float:
            sse = red.fit(*ab(rho, lam))[1]
            return -n_eff / 2 * np.log(sse) + T_eff * jacobian(rho, lam) if sse > 0 else -np.inf

        def score(x: float) -> float:
            """d conc / dx for the lag (x = ρ) or error (x = λ) model (envelope theorem)."""
            assert ld is not None
            rl = (x, 0.0) if family == "lag" else (0.0, x)
            beta, sse, r = red.fit(*ab(*rl))
            d = np.zeros(C.shape[1])  # d(a − Bβ)/dx at fixed β
            d[1] = -1.0
            if family == "error":
                d[ny + k:] = beta
            return (-n_eff * float(r @ (red.R @ d)) / sse
                    + T_eff * (ld.derivative(x) + cj / (1 - x)))

        rho = lam = 0.0
        sc = score if ld is not None and ld.has_derivative else None
        if family == "lag":
            assert ld is not None
            rho = maximise_1d(lambda r: conc(r, 0.0), ld.bounds, name="rho", model=model,
                              score=sc)
        elif family == "error":
            assert ld is not None
            lam = maximise_1d(lambda r: conc(0.0, r), ld.bounds, name="lambda", model=model,
                              score=sc)
        elif family == "sac":
            assert ld is not None
            per_obs = T_eff / n_eff  # 1/N for individual effects with or without Lee–Yu

            def conc_per_obs(rho: float, lam: float) -> float:
                sse = red.fit(*ab(rho, lam))[1]
                return -np.log(sse) / 2 + per_obs * jacobian(rho, lam) if sse > 0 else -np.inf

            rho, lam = maximise_2d(conc_per_obs, ld.bounds, ld.bounds,
                                   names=("rho", "lambda"), model=model, scale=1.0)
        beta, sse, _ = red.fit(*ab(rho, lam))
        jac = 0.0 if ld is None else jacobian(rho, lam)
        sigma2 = sse / n_eff
        loglik = T_eff * jac - n_eff / 2 * (_LOG2PI + np.log(sigma2) + 1)
        notes: list[str] = []
        bounds = None if ld is None else ld.bounds
        if self.lee_yu == "splm":
            assert ld is not None
            sigma2, loglik, beta, rho, lam, T_eff, n_eff = self._lee_yu(
                family, Zs, beta, rho, lam, sse, jac, loglik, notes, ld.bounds)
        if trans:
            info = information_transformation(
                family, W, Zs, beta, rho=rho, lam=lam, sigma2=sigma2, T_eff=T_eff,
                n_eff=n_eff, center=bool(cj), bounds=bounds)
            notes.append(
                f"Lee–Yu transformation approach: ML on the transformed panel, n* = {n_eff}, "
                f"T* = {T_eff}, σ² = SSE/n*; the log-likelihood is that of the transformed "
                "panel" + (" (Jacobian T*[ln|I − ρW| − ln(1 − ρ)])" if cj else ""))
        else:
            info = information(family, W, Zs, beta, rho=rho, lam=lam, sigma2=sigma2,
                               T_eff=T_eff, NT_eff=n_eff, bounds=bounds)
        V = np.linalg.inv(info)
        s = {"ols": 0, "lag": 1, "error": 1, "sac": 2}[family]
        order = [*range(1 + s, 1 + s + k), *range(1, 1 + s)]
        spatial = {"ols": [], "lag": ["rho"], "error": ["lambda"],
                   "sac": ["rho", "lambda"]}[family]
        pnames = names + spatial
        values = [*beta, *([rho] if "rho" in spatial else []),
                  *([lam] if "lambda" in spatial else [])]
        a, B = ab(rho, lam)
        resid = C @ (a - B @ beta)
        idx = entity_index(self.entities, self.periods, self.entity_name, self.time_name)
        if (ld is not None and self.w.transform != "row" and self.lee_yu == "splm"
                and eff != "individual"):
            notes.append("Lee–Yu's time-effect correction assumes row-standardised weights")
        return SpatialPanelResults(
            model=model, effects=eff, lee_yu=self.lee_yu,
            params=pd.Series(values, index=pnames, name="estimate", dtype=np.float64),
            vcov=pd.DataFrame(V[np.ix_(order, order)], index=pnames, columns=pnames),
            sigma2=float(sigma2), loglik=float(loglik), nobs=NT, n_entities=N, n_periods=T,
            resid=pd.Series(resid, index=idx, name="resid"),
            fitted=pd.Series(_flat(self.y) - resid, index=idx, name="fitted"),
            exog_names=self.exog_names, weights=self.w, y_name=self.y_name,
            logdet_method="none" if ld is None else str(ld.method), notes=tuple(notes))

    def _effective(self) -> tuple[int, int]:
        """Periods and observations of Lee & Yu's transformed panel: ``(T − 1, N(T − 1))``,
        ``(T, (N − 1)T)`` or ``(T − 1, (N − 1)(T − 1))``."""
        N, T, _ = self.X.shape
        Te = T if self.effects == "time" else T - 1
        Ne = N if self.effects == "individual" else N - 1
        return Te, Ne * Te

    def _lee_yu(self, family: str, Zs: np.ndarray, beta: np.ndarray, rho: float, lam: float,
                sse: float, jac: float, loglik: float, notes: list[str],
                bounds: tuple[float, float],
                ) -> tuple[float, float, np.ndarray, float, float, int, int]:
        """splm's ``LeeYu=TRUE``: σ² and the information multiplicities (and, for two-way
        effects, its bias correction of every parameter)."""
        N, T, _ = self.X.shape
        if self.effects == "individual":
            T_eff, NT_eff = T - 1, N * (T - 1)
            sigma2 = sse / NT_eff
            loglik = T_eff * jac - NT_eff / 2 * (_LOG2PI + np.log(sigma2) + 1)
            notes.append("Lee–Yu: σ² = SSE/(N(T−1)); likelihood and information with T−1")
        elif self.effects == "time":
            T_eff, NT_eff = T, (N - 1) * T
            sigma2 = sse / NT_eff
            loglik = T * jac - NT_eff / 2 * (_LOG2PI + np.log(sigma2) + 1)
            notes.append("Lee–Yu: σ² = SSE/((N−1)T); likelihood and information with N−1")
        else:
            T_eff, NT_eff = T - 1, (N - 1) * (T - 1)
            beta, rho, lam, sigma2 = lee_yu_twoways(family, self.w.sparse, Zs, beta, rho=rho,
                                                    lam=lam, sigma2=sse / (N * T), N=N, T=T,
                                                    bounds=bounds)
            notes.append("Lee–Yu (as splm): bias-corrected estimates, information with "
                         "T−1 and (N−1)(T−1); log-likelihood of the uncorrected fit")
        return sigma2, loglik, beta, rho, lam, T_eff, NT_eff
