"""Mediation analysis with fixed effects: the three-equation (stepwise) model, the Sobel
test and the cluster-bootstrap interval of the indirect effect, for several mediators side
by side.

The regressions are :func:`cityres.econometrics.fit_fe` fits (same sample, fixed effects
and standard errors in every equation); the bootstrap re-estimates ``a`` and ``b`` with a
numpy within estimator on panels of resampled cities (:mod:`._bootstrap`), drawn through
:func:`cityres._shared.replicate.replicate` so every backend gives the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres._shared.replicate import replicate
from cityres._shared.rng import Seed
from cityres.econometrics import _bootstrap as boot
from cityres.econometrics._frame import Effects, check_effects, model_frame
from cityres.econometrics.fe import FEResult, Vcov, check_vcov, fit_fe

_WORDS = {"twoways": "entity and time", "individual": "entity", "time": "time",
          "none": "none"}


@dataclass(frozen=True)
class MediationResult:
    """Mediation estimates for one treatment and several mediators (each separately).

    Attributes
    ----------
    y, x : str
        Outcome and treatment.
    mediators, controls : tuple of str
    fixed_effects : {"twoways", "individual", "time", "none"}
        The fixed effects of every equation.
    vcov_type, cluster : str, str or None
        Standard errors of every equation (as :class:`FEResult`).
    resample : str
        The column whose units the bootstrap resampled (the entity, or the cluster
        variable).
    level : float
        Confidence level of the intervals.
    effects : pandas.DataFrame
        One row per mediator (index ``mediator``): ``a``, ``se_a``, ``p_a`` (m on x),
        ``b``, ``se_b``, ``p_b`` (m in y on x and m), ``c``, ``se_c``, ``p_c`` (total
        effect), ``c_prime``, ``se_c_prime``, ``p_c_prime`` (direct effect), ``indirect``
        (a·b), ``sobel_se``, ``sobel_z``, ``sobel_p``, ``aroian_z``, ``aroian_p``,
        ``boot_ci_lower``/``upper`` (percentile), ``bc_ci_lower``/``upper`` (bias-corrected),
        ``share_mediated`` (a·b / c) and ``n_boot`` (draws used).
    models : mapping
        ``models[m]`` maps ``"total"`` (y ~ x + controls, shared by all mediators),
        ``"mediator"`` (m ~ x + controls) and ``"outcome"`` (y ~ x + m + controls) to their
        :class:`FEResult`.
    total : FEResult
        The total-effect model.
    draws : pandas.DataFrame
        The bootstrap draws: ``draw``, ``mediator``, ``a``, ``b``, ``indirect`` (empty when
        ``bootstrap=0``).
    """

    y: str
    x: str
    mediators: tuple[str, ...]
    controls: tuple[str, ...]
    fixed_effects: Effects
    vcov_type: str
    cluster: str | None
    resample: str
    level: float
    effects: pd.DataFrame
    models: Mapping[str, Mapping[str, FEResult]]
    total: FEResult
    draws: pd.DataFrame = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """Long table: per mediator the terms ``a``, ``b``, ``c``, ``c_prime`` (t-based
        intervals of their regressions), ``indirect`` (Sobel SE, z and p; percentile and
        bias-corrected bootstrap intervals) and ``share_mediated``."""
        rows = []
        q = {name: m for name, m in self.models.items()}
        for med, e in self.effects.iterrows():
            fits = q[str(med)]
            for term, fit, coef in (("a", fits["mediator"], self.x),
                                    ("b", fits["outcome"], str(med)),
                                    ("c", fits["total"], self.x),
                                    ("c_prime", fits["outcome"], self.x)):
                ci = fit.conf_int(self.level).loc[coef]
                rows.append({"mediator": med, "term": term, "estimate": fit.params[coef],
                             "std_error": fit.std_errors[coef], "statistic": fit.tstats[coef],
                             "p": fit.pvalues[coef], "ci_lower": ci["lower"],
                             "ci_upper": ci["upper"], "bc_ci_lower": np.nan,
                             "bc_ci_upper": np.nan})
            rows.append({"mediator": med, "term": "indirect", "estimate": e["indirect"],
                         "std_error": e["sobel_se"], "statistic": e["sobel_z"],
                         "p": e["sobel_p"], "ci_lower": e["boot_ci_lower"],
                         "ci_upper": e["boot_ci_upper"], "bc_ci_lower": e["bc_ci_lower"],
                         "bc_ci_upper": e["bc_ci_upper"]})
            rows.append({"mediator": med, "term": "share_mediated",
                         "estimate": e["share_mediated"], "std_error": np.nan,
                         "statistic": np.nan, "p": np.nan, "ci_lower": np.nan,
                         "ci_upper": np.nan, "bc_ci_lower": np.nan, "bc_ci_upper": np.nan})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """Text: the design, then per mediator a, b, c, c', a·b, Sobel and bootstrap."""
        total = self.total
        n_boot = int(self.effects["n_boot"].max()) if len(self.effects) else 0
        lines = [f"Mediation of {self.x} -> {self.y}",
                 f"fixed effects: {_WORDS[self.fixed_effects]}; standard errors: "
                 f"{self.vcov_type}" + (f" by {self.cluster}" if self.cluster else ""),
                 f"N = {total.nobs}, entities = {total.n_entities}, controls: "
                 f"{', '.join(self.controls) or 'none'}",
                 (f"bootstrap: {n_boot} draws resampling {self.resample} units, "
                  f"{self.level:.0%} intervals" if n_boot else "bootstrap: not run"), ""]
        cols = ["a", "b", "c", "c_prime", "indirect", "sobel_z", "sobel_p", "boot_ci_lower",
                "boot_ci_upper", "bc_ci_lower", "bc_ci_upper", "share_mediated"]
        lines.append(self.effects[cols].T.to_string(float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)


def _names(value: object, argument: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ArgumentTypeError(f"{argument}: expected a column name or a sequence of column "
                                f"names; got {value!r}")
    dupes = sorted({v for v in value if list(value).count(v) > 1})
    if dupes:
        raise ArgumentError(f"{argument}: {dupes} given more than once")
    return tuple(value)


def check_roles(y: str, x: str, roles: Mapping[str, tuple[str, ...]]) -> None:
    """Raise :class:`ArgumentError` when a column plays two roles (y, x, mediator, control,
    moderator)."""
    for name, argument in ((y, "y"), (x, "x")):
        if not isinstance(name, str):
            raise ArgumentTypeError(f"{argument}: expected a column name; got {name!r}")
    if x == y:
        raise ArgumentError(f"x={x!r} is also y; give a treatment other than the outcome")
    seen = {y: "y", x: "x"}
    for argument, names in roles.items():
        for n in names:
            if n in seen:
                raise ArgumentError(f"{argument}: {n!r} is already {seen[n]}; a column can "
                                    "play one role only")
            seen[n] = argument


def _bootstrap_count(bootstrap: object) -> int:
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int | np.integer):
        raise ArgumentTypeError(f"bootstrap={bootstrap!r}; accepted: a whole number of draws "
                                "(0 skips the bootstrap)")
    if bootstrap < 0:
        raise ArgumentError(f"bootstrap={bootstrap}; accepted: 0 (no bootstrap) or a positive "
                            "number of draws, e.g. 1000")
    return int(bootstrap)


def check_level(level: object) -> float:
    """``level`` if it is a number in (0, 1), else an :class:`ArgumentError`."""
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ArgumentError(f"level={level!r}; accepted: a number between 0 and 1, e.g. 0.95")
    return float(level)


def sobel(a: float, se_a: float, b: float, se_b: float) -> tuple[float, float, float, float]:
    r"""The Sobel (first-order delta) test of ``a·b = 0`` and Aroian's variant.

    Returns ``(se, z, p, aroian_z)``: :math:`se = \sqrt{b^2 s_a^2 + a^2 s_b^2}`,
    :math:`z = ab/se`, ``p`` two-sided from the standard normal; Aroian adds
    :math:`s_a^2 s_b^2` under the root.

    Examples
    --------
    >>> se, z, p, _ = sobel(0.5, 0.1, 0.4, 0.1)
    >>> round(se, 6), round(z, 4)
    (0.064031, 3.1235)
    """
    se = math.sqrt(b * b * se_a * se_a + a * a * se_b * se_b)
    z = a * b / se
    aroian = a * b / math.sqrt(se * se + se_a * se_a * se_b * se_b)
    return se, z, float(2 * stats.norm.sf(abs(z))), aroian


def mediation(data: object, y: str, x: str, mediators: str | Sequence[str], *,
              controls: Sequence[str] = (), entity: str | None = None,
              time: str | None = None, effects: Effects = "twoways",
              vcov: Vcov = "cluster", cluster: str | None = None, bootstrap: int = 1000,
              seed: Seed = None, level: float = 0.95,
              backend: str = "serial") -> MediationResult:
    r"""Mediation analysis: total, direct and indirect effects of ``x`` on ``y`` through
    each mediator, with the Sobel test and cluster-bootstrap intervals.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long frame with ``entity`` and ``time`` columns.
    y, x : str
        Outcome and treatment (core explanatory variable).
    mediators : str or sequence of str
        Mediators, each analysed separately (side by side).
    controls : sequence of str
        Controls in every equation.
    entity, time, effects, vcov, cluster
        As :func:`cityres.econometrics.fit_fe`; the same in all equations.
    bootstrap : int
        Cluster-bootstrap draws (default 1000); 0 skips the bootstrap.
    seed : int, Generator, SeedSequence or None
        Seed of the bootstrap (draw ``i`` uses child ``i`` of ``SeedSequence(seed)``).
    level : float
        Confidence level of the bootstrap intervals (default 0.95).
    backend : str
        ``"serial"`` or ``"processes"`` (identical numbers), see
        :func:`cityres._shared.replicate.replicate`.

    Returns
    -------
    MediationResult

    Raises
    ------
    ArgumentError
        A column not in the data; a mediator that is also ``x``, ``y`` or a control (or a
        column given twice); ``bootstrap < 0``; fewer than two entities (clusters) to
        resample; a bad ``level``, ``effects``, ``vcov`` or ``backend``.
    ArgumentTypeError
        ``bootstrap`` not a whole number; names that are not strings.
    PanelError
        Missing or infinite cells, singletons, absorbed or collinear regressors (as
        :func:`fit_fe`).

    Notes
    -----
    For each mediator ``m`` (Baron & Kenny 1986), with the same fixed effects:

    .. math:: y = c\,x + X\gamma_1 + \alpha_i + \lambda_t + e_1 \quad
              m = a\,x + X\gamma_2 + \alpha_i + \lambda_t + e_2 \quad
              y = c'x + b\,m + X\gamma_3 + \alpha_i + \lambda_t + e_3

    The indirect effect is :math:`ab`, and :math:`c = c' + ab` holds exactly (OLS, same
    sample and effects). Sobel's (1982) test: :math:`z = ab/\sqrt{b^2 s_a^2 + a^2 s_b^2}`
    with the clustered standard errors of the two regressions (their covariance is
    ignored); Aroian's adds :math:`s_a^2 s_b^2` under the root. The share mediated is
    :math:`ab/c` (unstable when ``c`` is near zero).

    The bootstrap resamples entities (or, with ``cluster=``, whole clusters) with
    replacement; a resampled city gets a fresh id so its fixed effect is its own; ``a`` and
    ``b`` are re-estimated on each draw. The percentile interval takes the
    :math:`\alpha/2, 1-\alpha/2` quantiles of the :math:`a^*b^*` draws; the bias-corrected
    one the :math:`\Phi(2z_0 \pm z_{1-\alpha/2})` quantiles with
    :math:`z_0 = \Phi^{-1}(\#\{a^*b^* < \hat a\hat b\}/B)`. See docs/methods/mediation.md,
    also for the caveats of the stepwise approach (江艇 2022).

    References
    ----------
    Baron, R. M., & Kenny, D. A. (1986). The moderator–mediator variable distinction.
    Journal of Personality and Social Psychology, 51(6), 1173–1182.
    Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects in structural
    equation models. Sociological Methodology, 13, 290–312.
    MacKinnon, D. P., Lockwood, C. M., & Williams, J. (2004). Confidence limits for the
    indirect effect. Multivariate Behavioral Research, 39(1), 99–128.
    Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for
    assessing and comparing indirect effects. Behavior Research Methods, 40(3), 879–891.
    江艇 (2022). 因果推断经验研究中的中介效应与调节效应. 中国工业经济, (5), 100–120.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> med = mediation(p, "resilience", "de_latent", ["innovation", "upgrading"],
    ...                 bootstrap=50, seed=1)
    >>> list(med.effects.index), int(med.effects["n_boot"].iloc[0])
    (['innovation', 'upgrading'], 50)
    """
    meds = _names(mediators, "mediators")
    if not meds:
        raise ArgumentError("mediators: give at least one mediator column")
    ctrl = _names(controls, "controls")
    check_roles(y, x, {"mediators": meds, "controls": ctrl})
    eff = check_effects(effects)
    vtype = check_vcov(vcov, cluster)
    n_boot = _bootstrap_count(bootstrap)
    lvl = check_level(level)
    frame, ename, tname = model_frame(data, [y, x, *meds, *ctrl], entity=entity, time=time,
                                      where="mediation",
                                      extra=[cluster] if cluster is not None else ())
    unit = cluster if cluster is not None else ename
    n_units = int(frame[unit].nunique())
    if n_boot and n_units < 2:
        raise ArgumentError(f"bootstrap={n_boot} resamples {unit} units but the data has "
                            f"{n_units}; give at least 2, or bootstrap=0")
    rest = (" + " + " + ".join(ctrl)) if ctrl else ""

    def fit(formula: str) -> FEResult:
        return fit_fe(formula, frame, entity=ename, time=tname, effects=eff, vcov=vtype,
                      cluster=cluster)

    total = fit(f"{y} ~ {x}{rest}")
    models: dict[str, Mapping[str, FEResult]] = {}
    for m in meds:
        models[m] = MappingProxyType({"total": total, "mediator": fit(f"{m} ~ {x}{rest}"),
                                      "outcome": fit(f"{y} ~ {x} + {m}{rest}")})

    draws = np.full((n_boot, len(meds), 3), np.nan)
    if n_boot:
        wd = boot.within_data(frame, [y, x, *meds, *ctrl], len(meds), ename, tname, eff, unit)
        out = replicate(boot.draw, n_boot, seed=seed, backend=backend,
                        description="mediation bootstrap", args=(wd,))
        draws = np.stack(out)
    rows, long = [], []
    for j, m in enumerate(meds):
        fa, fb = models[m]["mediator"], models[m]["outcome"]
        a, se_a = float(fa.params[x]), float(fa.std_errors[x])
        b, se_b = float(fb.params[m]), float(fb.std_errors[m])
        c = float(total.params[x])
        ab = a * b
        s_se, s_z, s_p, a_z = sobel(a, se_a, b, se_b)
        ab_draws = draws[:, j, 0] * draws[:, j, 1]
        good = ab_draws[np.isfinite(ab_draws)]
        boot.warn_failed(n_boot - good.size, n_boot)
        lo, hi = boot.percentile_ci(good, lvl)
        blo, bhi = boot.bias_corrected_ci(good, ab, lvl)
        rows.append({"a": a, "se_a": se_a, "p_a": float(fa.pvalues[x]),
                     "b": b, "se_b": se_b, "p_b": float(fb.pvalues[m]),
                     "c": c, "se_c": float(total.std_errors[x]),
                     "p_c": float(total.pvalues[x]),
                     "c_prime": float(fb.params[x]), "se_c_prime": float(fb.std_errors[x]),
                     "p_c_prime": float(fb.pvalues[x]), "indirect": ab, "sobel_se": s_se,
                     "sobel_z": s_z, "sobel_p": s_p, "aroian_z": a_z,
                     "aroian_p": float(2 * stats.norm.sf(abs(a_z))),
                     "boot_ci_lower": lo, "boot_ci_upper": hi, "bc_ci_lower": blo,
                     "bc_ci_upper": bhi, "share_mediated": ab / c if c != 0 else np.nan,
                     "n_boot": int(good.size)})
        long.append(pd.DataFrame({"draw": np.arange(n_boot), "mediator": m,
                                  "a": draws[:, j, 0], "b": draws[:, j, 1],
                                  "indirect": ab_draws}))
    table = pd.DataFrame(rows, index=pd.Index(meds, name="mediator"))
    return MediationResult(
        y=y, x=x, mediators=meds, controls=ctrl, fixed_effects=eff, vcov_type=vtype,
        cluster=total.cluster, resample=unit, level=lvl, effects=table,
        models=MappingProxyType(models), total=total,
        draws=pd.concat(long, ignore_index=True))
