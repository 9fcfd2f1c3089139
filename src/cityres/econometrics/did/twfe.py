"""The static two-way fixed-effects DID: one post-adoption dummy in a two-way FE regression."""

from __future__ import annotations

from collections.abc import Sequence

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.econometrics.did._data import AlwaysTreated, did_frame
from cityres.econometrics.fe import FEResult, Vcov, fit_fe

__all__ = ["did_twfe"]


def did_twfe(data: object, y: str, *, cohort: str, entity: str | None = None,
             time: str | None = None, covariates: Sequence[str] = (), vcov: Vcov = "cluster",
             cluster: str | None = None, always_treated: AlwaysTreated = "error",
             name: str = "did") -> FEResult:
    r"""Static TWFE difference-in-differences with staggered adoption.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        A panel, or a long frame with ``entity`` and ``time`` columns.
    y : str
        The outcome.
    cohort : str
        Adoption-period column (first treated period; 0 or missing = never treated).
    entity, time : str, optional
        Unit and period columns of a DataFrame (None for a CityPanel).
    covariates : sequence of str
        Time-varying controls.
    vcov : {"cluster", "hetero", "iid"}
    cluster : str, optional
        Cluster variable (default: the entity); for a CityPanel also a column of its city
        table (``province``).
    always_treated : {"error", "drop", "keep"}
        Units adopting at or before the first period (see :func:`did_frame`); with
        ``"keep"`` their dummy is 1 throughout and is absorbed by their unit effect, so
        they act as controls.
    name : str
        Name of the treatment dummy in the result (``params[name]``).

    Returns
    -------
    FEResult
        The coefficient on ``name`` is the TWFE DID estimate.

    Raises
    ------
    ArgumentError
        ``name`` clashes with the outcome or a covariate, or is not a plain name.
    PanelError
        Data problems (see :func:`did_frame` and :func:`cityres.econometrics.fit_fe`).

    Notes
    -----
    With :math:`D_{it} = 1[G_i > 0,\ t \ge G_i]` (absorbing treatment),

    .. math:: y_{it} = \alpha_i + \lambda_t + \beta D_{it} + x_{it}'\gamma + \varepsilon_{it}.

    With a single adoption date, or effects that are constant over time and across
    cohorts, :math:`\beta` is the ATT. With staggered adoption and effects that change
    with time since adoption or differ by cohort, :math:`\beta` is a weighted average of
    all 2×2 DID comparisons, some of which use already-treated units as controls; the
    implied weights on the cohort-period effects can be negative, so :math:`\beta` can
    even have the wrong sign (Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020).
    Report it beside a heterogeneity-robust estimator (:func:`sun_abraham`,
    :func:`did2s`, Callaway & Sant'Anna) and the Bacon decomposition.

    References
    ----------
    Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment
    timing. Journal of Econometrics, 225(2), 254–277.
    de Chaisemartin, C., & D'Haultfœuille, X. (2020). Two-way fixed effects estimators
    with heterogeneous treatment effects. American Economic Review, 110(9), 2964–2996.

    Examples
    --------
    >>> import cityres
    >>> p = cityres.datasets.load("yrd_sim")
    >>> fit = did_twfe(p, "de_latent", cohort="cohort_broadband")
    >>> fit.exog_names, fit.n_clusters
    (('did',), 41)
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(f"name must be a str; got {type(name).__name__}")
    if not name.isidentifier():
        raise ArgumentError(f"name={name!r}; accepted: a plain name (letters, digits, _)")
    if name in (y, *covariates):
        raise ArgumentError(f"name={name!r} is also the outcome or a covariate; pick another "
                            "name for the treatment dummy")
    d = did_frame(data, y, cohort=cohort, entity=entity, time=time, covariates=covariates,
                  extra=[cluster] if cluster is not None else (), where="did_twfe",
                  balanced=False, always_treated=always_treated)
    frame = d.frame.copy()
    if name in frame.columns:
        raise ArgumentError(f"name={name!r} is a column of the data ({list(frame.columns)}); "
                            "pick another name for the treatment dummy")
    frame[name] = d.treated.astype(float)
    formula = f"{y} ~ " + " + ".join([name, *d.covariates])
    return fit_fe(formula, frame, entity=d.entity, time=d.time, vcov=vcov, cluster=cluster)
