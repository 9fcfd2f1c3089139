"""Moderation analysis with fixed effects: an interaction of centred variables and the
marginal effect of the treatment at chosen values of the moderator, with delta-method
standard errors from the model's (clustered) covariance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.data.modelframe import indexed_frame
from cityres.econometrics._frame import Effects, check_effects, model_frame
from cityres.econometrics.fe import FEResult, Vcov, check_vcov, fit_fe
from cityres.econometrics.mediation import _names, check_level, check_roles

At = Literal["mean_sd", "quartiles"]


@dataclass(frozen=True)
class ModerationResult:
    """An interaction model ``y ~ x + z + x_c·z_c + controls`` and marginal effects of x.

    Attributes
    ----------
    y, x, moderator : str
    controls : tuple of str
    interaction : str
        Name of the generated interaction column (``<x>_x_<moderator>``).
    centered : bool
        Whether the interaction is of variables centred at their sample means (the main
        effects ``x`` and ``z`` enter uncentred; with fixed effects or an intercept their
        centring would change nothing).
    x_mean, z_mean, z_sd : float
        Sample means of x and z and the standard deviation of z (ddof = 1) on the
        estimation sample.
    level : float
    model : FEResult
        The fitted interaction model.
    marginal_effects : pandas.DataFrame
        One row per value of z: ``at`` (the name of the point: ``mean-1sd``, ``p25``…, or
        the value), ``z``, ``effect`` (∂y/∂x), ``std_error``, ``t``, ``p``, ``ci_lower``,
        ``ci_upper``.
    """

    y: str
    x: str
    moderator: str
    controls: tuple[str, ...]
    interaction: str
    centered: bool
    x_mean: float
    z_mean: float
    z_sd: float
    level: float
    model: FEResult
    marginal_effects: pd.DataFrame

    @property
    def params(self) -> pd.Series:
        """The model's estimates (so report tables render the result directly)."""
        return self.model.params

    @property
    def std_errors(self) -> pd.Series:
        """The model's standard errors."""
        return self.model.std_errors

    @property
    def tstats(self) -> pd.Series:
        """The model's t statistics."""
        return self.model.tstats

    @property
    def pvalues(self) -> pd.Series:
        """The model's p-values."""
        return self.model.pvalues

    @property
    def nobs(self) -> int:
        """Observations."""
        return self.model.nobs

    @property
    def r2(self) -> float:
        """R² of the model with its fixed effects."""
        return self.model.r2

    @property
    def r2_within(self) -> float:
        """Within R²."""
        return self.model.r2_within

    def tidy(self) -> pd.DataFrame:
        """The model's coefficients (``kind = "coefficient"``) followed by the marginal
        effects (``kind = "marginal_effect"``, term ``d<y>/d<x> at <z>=<value>``)."""
        coef = self.model.tidy(self.level).assign(kind="coefficient")
        me = self.marginal_effects
        eff = pd.DataFrame({
            "term": [f"d{self.y}/d{self.x} at {self.moderator}={z:.6g}" for z in me["z"]],
            "estimate": me["effect"], "std_error": me["std_error"], "t": me["t"],
            "p": me["p"], "ci_lower": me["ci_lower"], "ci_upper": me["ci_upper"],
            "kind": "marginal_effect"})
        return pd.concat([coef, eff], ignore_index=True)

    def summary(self) -> str:
        """The model's summary, how the interaction was built, and the marginal effects."""
        how = (f"{self.interaction} = ({self.x} - {self.x_mean:.6g}) × ({self.moderator} - "
               f"{self.z_mean:.6g}) (centred at the sample means)" if self.centered else
               f"{self.interaction} = {self.x} × {self.moderator} (not centred)")
        me = self.marginal_effects.to_string(index=False, float_format=lambda v: f"{v:.4f}")
        return "\n".join([self.model.summary(), "", how, "",
                          f"Marginal effect of {self.x} on {self.y} (delta-method SEs, "
                          f"{self.level:.0%} intervals)", me])


def _at_values(at: object, z: np.ndarray) -> tuple[list[str], np.ndarray]:
    mean, sd = float(z.mean()), float(z.std(ddof=1))
    if at is None or at == "mean_sd":
        return ["mean-1sd", "mean", "mean+1sd"], np.array([mean - sd, mean, mean + sd])
    if at == "quartiles":
        return ["p25", "p50", "p75"], np.quantile(z, [0.25, 0.5, 0.75])
    if isinstance(at, str | bytes) or not isinstance(at, Sequence) or not at or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v)
            for v in at):
        raise ArgumentError(f"at={at!r}; accepted: None or 'mean_sd' (mean − 1 sd, mean, "
                            "mean + 1 sd of the moderator), 'quartiles', or a list of "
                            "finite numbers")
    vals = np.asarray(at, dtype=float)
    return [f"{v:.6g}" for v in vals], vals


def moderation(data: object, y: str, x: str, moderator: str, *,
               controls: Sequence[str] = (), center: bool = True,
               at: At | Sequence[float] | None = None, entity: str | None = None,
               time: str | None = None, effects: Effects = "twoways",
               vcov: Vcov = "cluster", cluster: str | None = None,
               level: float = 0.95) -> ModerationResult:
    r"""Moderation (interaction) model and the marginal effect of ``x`` at values of the
    moderator.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
    y, x, moderator : str
        Outcome, treatment and moderator ``z``.
    controls : sequence of str
    center : bool
        Interact ``x`` and ``z`` centred at their sample means (default), so the
        coefficient of ``x`` is its effect at the mean of ``z``.
    at : None, "mean_sd", "quartiles" or a list of numbers
        Values of ``z`` for the marginal effects: default mean − 1 sd, mean and mean + 1 sd;
        ``"quartiles"`` the 25th, 50th and 75th percentiles; or the values given.
    entity, time, effects, vcov, cluster
        As :func:`cityres.econometrics.fit_fe`.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    ModerationResult

    Raises
    ------
    ArgumentError
        A column not in the data; ``moderator`` equal to ``x`` or ``y`` or a control; the
        generated interaction name ``<x>_x_<moderator>`` already a column of the data; bad
        ``at`` or ``level``.
    PanelError
        As :func:`fit_fe` (missing cells, absorbed or collinear regressors…).

    Notes
    -----
    The model (Aiken & West 1991) is

    .. math:: y_{it} = \beta_x x_{it} + \beta_z z_{it}
              + \beta_{xz}(x_{it}-\bar x)(z_{it}-\bar z) + X_{it}\gamma + \alpha_i
              + \lambda_t + e_{it}

    and the marginal effect :math:`\partial y/\partial x = \beta_x + \beta_{xz}(z - \bar z)`
    (without centring, :math:`\beta_x + \beta_{xz} z`). Its standard error is the delta
    method on the linear combination :math:`g = e_x + (z - \bar z) e_{xz}`:
    :math:`\mathrm{se} = \sqrt{g'\hat V g}` with :math:`\hat V` the model's (clustered)
    covariance; t and p use the model's degrees of freedom (Brambor, Clark & Golder 2006).
    Centring changes :math:`\beta_x` and :math:`\beta_z` but not :math:`\beta_{xz}` nor
    the marginal effects.

    References
    ----------
    Aiken, L. S., & West, S. G. (1991). Multiple Regression: Testing and Interpreting
    Interactions. Sage.
    Brambor, T., Clark, W. R., & Golder, M. (2006). Understanding interaction models:
    improving empirical analyses. Political Analysis, 14(1), 63–82.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> mod = moderation(p, "resilience", "de_latent", "openness")
    >>> mod.interaction, list(mod.marginal_effects["at"])
    ('de_latent_x_openness', ['mean-1sd', 'mean', 'mean+1sd'])
    """
    ctrl = _names(controls, "controls")
    if not isinstance(moderator, str):
        raise ArgumentTypeError(f"moderator: expected a column name; got {moderator!r}")
    check_roles(y, x, {"moderator": (moderator,), "controls": ctrl})
    if not isinstance(center, bool):
        raise ArgumentTypeError(f"center={center!r}; accepted: True or False")
    eff = check_effects(effects)
    vtype = check_vcov(vcov, cluster)
    lvl = check_level(level)
    name = f"{x}_x_{moderator}"
    raw, ename, tname = indexed_frame(data, entity, time)
    taken = {*map(str, raw.columns), ename, tname, *([cluster] if cluster else [])}
    if name in taken:
        raise ArgumentError(f"the interaction column {name!r} that moderation() generates is "
                            "already a column of the data; rename that column")
    frame, ename, tname = model_frame(data, [y, x, moderator, *ctrl], entity=entity, time=time,
                                      where="moderation",
                                      extra=[cluster] if cluster is not None else ())
    xv, zv = frame[x].to_numpy(float), frame[moderator].to_numpy(float)
    x_mean, z_mean = float(xv.mean()), float(zv.mean())
    frame[name] = (xv - x_mean) * (zv - z_mean) if center else xv * zv
    labels, zs = _at_values(at, zv)
    rest = (" + " + " + ".join(ctrl)) if ctrl else ""
    model = fit_fe(f"{y} ~ {x} + {moderator} + {name}{rest}", frame, entity=ename,
                   time=tname, effects=eff, vcov=vtype, cluster=cluster)
    shift = zs - z_mean if center else zs
    G = np.zeros((len(zs), len(model.exog_names)))
    G[:, model.exog_names.index(x)] = 1.0
    G[:, model.exog_names.index(name)] = shift
    est = G @ model.params.to_numpy()
    se = np.sqrt(np.einsum("ij,jk,ik->i", G, model.cov.to_numpy(), G))
    t = est / se
    q = float(stats.t.ppf(0.5 + lvl / 2, model.df_t))
    me = pd.DataFrame({"at": labels, "z": zs, "effect": est, "std_error": se, "t": t,
                       "p": 2 * stats.t.sf(np.abs(t), model.df_t),
                       "ci_lower": est - q * se, "ci_upper": est + q * se})
    return ModerationResult(y=y, x=x, moderator=moderator, controls=ctrl, interaction=name,
                            centered=center, x_mean=x_mean, z_mean=z_mean,
                            z_sd=float(zv.std(ddof=1)), level=lvl, model=model,
                            marginal_effects=me)
