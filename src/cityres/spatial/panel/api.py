"""``fit_panel``: spatial panel models with fixed effects from a formula and a panel."""

from __future__ import annotations

from typing import Literal

from cityres.spatial.panel._data import panel_data
from cityres.spatial.panel.ml import SpatialPanelML, check_options
from cityres.spatial.panel.results import SpatialPanelResults

Model = Literal["sar", "sem", "sdm", "sdem", "slx", "sac"]
EffectsArg = Literal["none", "individual", "time", "twoways"]
LeeYuArg = bool | Literal["splm", "transformation"]


def fit_panel(formula: str, data: object, *, entity: str | None = None,
              time: str | None = None, w: object, model: Model = "sdm",
              effects: EffectsArg = "twoways", lee_yu: LeeYuArg = False,
              logdet: str = "auto") -> SpatialPanelResults:
    """Fit a spatial panel model with fixed effects by maximum likelihood.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` with plain column names (transform columns first, e.g.
        ``panel.ln(["gsp", "pcap"])`` adds ``ln_gsp`` and ``ln_pcap``).
    data : CityPanel or pandas.DataFrame
        A :class:`~cityres.CityPanel` (entity = city, time = year), or a DataFrame with
        ``entity`` and ``time`` columns (or indexed by the two).
    entity, time : str, optional
        The columns naming the unit and the period of a DataFrame.
    w : Weights or array_like
        Spatial weights. A :class:`~cityres.spatial.Weights` is reordered to the panel's
        entities (sorted ids); a square numpy array or scipy sparse matrix must already be
        in that order. Used as given: row-standardise it first if wanted.
    model : {"sdm", "sar", "sem", "sdem", "slx", "sac"}
        ``sar``: :math:`y = \\rho Wy + X\\beta + \\alpha + \\varepsilon`;
        ``sem``: :math:`y = X\\beta + \\alpha + u,\\ u = \\lambda Wu + \\varepsilon`;
        ``sdm``: SAR plus :math:`WX\\theta`; ``sdem``: SEM plus :math:`WX\\theta`;
        ``slx``: :math:`y = X\\beta + WX\\theta + \\alpha + \\varepsilon` (least squares);
        ``sac``: :math:`y = \\rho Wy + X\\beta + \\alpha + u,\\ u = \\lambda Wu + \\varepsilon`.
    effects : {"twoways", "individual", "time", "none"}
        Fixed effects swept out by demeaning; ``"none"`` estimates an intercept ``const``.
    lee_yu : bool or {"splm", "transformation"}
        ``True`` or ``"splm"``: the Lee–Yu correction as R ``splm`` does with
        ``LeeYu=TRUE``; ``"transformation"``: Lee & Yu's (2010) transformation approach,
        ML on the panel transformed by orthonormal bases of ``1⊥`` (see Notes);
        ``False``: none (the direct approach).
    logdet : str
        How ln|I − ρW| is computed, passed to
        ``cityres.spatial.panel.logdet.make_logdet(W, method=logdet)``.

    Returns
    -------
    SpatialPanelResults
        ``params`` (β, then ``W_<x>``, then ``rho`` and/or ``lambda``), ``vcov``,
        ``std_errors``, ``sigma2``, ``loglik``, ``resid``, ``summary()``, ``tidy()``,
        ``impacts()``.

    Raises
    ------
    PanelError
        An unbalanced panel (the missing entity–period pairs are listed), missing values
        (listed by entity, period and column), regressors collinear after demeaning
        (named), no variation left in the response.
    WeightsError
        Weights whose ids do not match the panel's (listed), a non-square or non-finite
        matrix, weights without any link; ``lee_yu="transformation"`` with time or two-way
        effects and rows of W that do not sum to 1 (listed).
    ArgumentError
        An unknown ``model``, ``effects``, ``lee_yu`` or ``logdet``; a Lee–Yu option with
        ``effects="none"`` or ``model="slx"``.
    ConvergenceError
        The likelihood search did not converge (the model is named).

    Warns
    -----
    BoundaryWarning
        A spatial parameter estimated at the boundary of its admissible interval.

    Notes
    -----
    The panel is demeaned (individual: :math:`y_{it}-\\bar y_{i\\cdot}`; time:
    :math:`y_{it}-\\bar y_{\\cdot t}`; two-way: :math:`y_{it}-\\bar y_{i\\cdot}-\\bar
    y_{\\cdot t}+\\bar y`) and the log-likelihood concentrated in the spatial
    parameter(s) is maximised over the admissible interval :math:`(1/\\omega_{min},
    1/\\omega_{max})`:

    .. math:: \\ell_c(\\rho) = -\\frac{NT}{2}\\ln e(\\rho)'e(\\rho) + T\\ln|I-\\rho W|,

    with :math:`e(\\rho)` the least-squares residuals of :math:`y^*-\\rho Wy^*` on
    :math:`X^*` (SAR/SDM), of :math:`(I-\\lambda W)y^*` on :math:`(I-\\lambda W)X^*`
    (SEM/SDEM), and the sum of both Jacobians for SAC. Then
    :math:`\\hat\\sigma^2 = e'e/NT` and the reported log-likelihood is the full one,
    :math:`T\\sum\\ln|I-aW| - \\frac{NT}{2}(\\ln 2\\pi\\hat\\sigma^2 + 1)`. Standard errors
    come from the analytic information matrix (Elhorst 2014, ch. 3). ``W_<x>`` is the
    spatial lag of ``x`` computed period by period before demeaning. All of this
    reproduces R ``splm`` 1.6-5 ``spml(model="within")`` (whose *lambda* is cityres's
    ``rho`` and vice versa), except that splm reports for SEM the concentrated
    log-likelihood without constants. ``lee_yu=True`` reproduces ``LeeYu=TRUE``:
    individual effects: :math:`\\hat\\sigma^2 = e'e/N(T-1)` and ``T − 1`` in the
    likelihood and information; time effects: :math:`e'e/(N-1)T` and ``N − 1``;
    two-way effects: splm's bias correction of every parameter and the information
    with ``T − 1`` and ``(N − 1)(T − 1)`` (``docs/methods/spatial_panel.md``).

    ``lee_yu="transformation"`` maximises the likelihood of the transformed panel, with
    :math:`n^*` observations and :math:`T^*` periods,

    .. math:: \\ell^* = -\\frac{n^*}{2}\\ln 2\\pi\\sigma^2 + T^*[\\ln|I-\\rho W| - c\\ln(1-\\rho)]
        - \\frac{e'e}{2\\sigma^2},

    :math:`(n^*, T^*, c)` = :math:`(N(T-1), T-1, 0)` (individual), :math:`((N-1)T, T, 1)`
    (time), :math:`((N-1)(T-1), T-1, 1)` (two-way), λ likewise; with time effects the
    W-lagged columns are projected on :math:`J_N = I - 11'/N` (W must be
    row-standardised). :math:`\\hat\\sigma^2 = e'e/n^*`, ``loglik`` is :math:`\\ell^*`, the
    information matrix is that of :math:`\\ell^*`. With individual effects β̂ and ρ̂ are
    those of ``lee_yu=False``.

    References
    ----------
    .. [1] Elhorst, J. P. (2014). *Spatial Econometrics: From Cross-Sectional Data to
       Spatial Panels*. Springer, ch. 3.
    .. [2] Lee, L.-f. & Yu, J. (2010). Estimation of spatial autoregressive panel data
       models with fixed effects. *Journal of Econometrics* 154(2), 165–185.
    .. [3] Millo, G. & Piras, G. (2012). splm: Spatial panel data models in R. *Journal
       of Statistical Software* 47(1).

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial import Weights
    >>> from cityres.spatial.panel import fit_panel
    >>> panel = cityres.datasets.load("produc").ln(["gsp", "pcap", "pc", "emp"])
    >>> w = Weights.from_libpysal(cityres.datasets.weights("produc")).row_standardise()
    >>> res = fit_panel("ln_gsp ~ ln_pcap + ln_pc + ln_emp + unemp", panel, w=w,
    ...                 model="sar", effects="individual")
    >>> round(float(res.params["rho"]), 4)
    0.2747
    """
    check_options(model, effects, lee_yu)
    pdata = panel_data(formula, data, entity=entity, time=time, w=w)
    return SpatialPanelML(
        pdata.y, pdata.X, pdata.w, model=model, effects=effects, lee_yu=lee_yu,
        logdet=logdet, exog_names=pdata.x_names, y_name=pdata.y_name,
        entities=pdata.entities, periods=pdata.periods, entity_name=pdata.entity_name,
        time_name=pdata.time_name,
    ).fit()
