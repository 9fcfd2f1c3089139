"""Local spatial autocorrelation: local Moran's I (LISA), Getis–Ord Gi / Gi* and the Moran
scatter, city by city and year by year, with conditional-permutation pseudo p-values.

Array-level functions (``lisa_stats``, ``local_g_stats``) take one vector and the weights
and return a dict of arrays; the panel-level ones loop over years and return a
:class:`~cityres.spatial.autocorrelation.results.LocalAutocorrelation`. Definitions follow
esda 2.9 (``Moran_Local``, ``G_Local``); see ``docs/methods/esda.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from cityres._shared.errors import ArgumentError, PanelError
from cityres._shared.rng import Seed, as_generator
from cityres.spatial.autocorrelation import _data, _perm
from cityres.spatial.autocorrelation.fdr import fdr_threshold
from cityres.spatial.autocorrelation.results import LocalAutocorrelation
from cityres.spatial.weights import Weights


def _quadrants(z: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """HH, LH, LL, HL from the signs of ``z`` and its lag (0 counts as low, as in esda)."""
    zp, lp = z > 0, lag > 0
    return np.where(zp, np.where(lp, "HH", "HL"), np.where(lp, "LH", "LL")).astype(object)


def _conditional(values: np.ndarray, m: sp.csr_array, observed: np.ndarray, sign: np.ndarray,
                 permutations: object, seed: Seed) -> tuple[_perm.Tally, int]:
    plan = _perm.NeighbourPlan.from_csr(m)
    draws = _perm.check_conditional_draws(permutations, max_card=plan.max_card, n=m.shape[0])
    rng = None if isinstance(draws, np.ndarray) else as_generator(seed)
    blocks = _perm.conditional_blocks(draws, rng, n=m.shape[0], max_card=plan.max_card)
    tally = _perm.conditional_tally(values, plan, observed, sign, blocks)
    return tally, tally.n


def lisa_stats(y: Any, w: Weights | sp.sparray | sp.spmatrix, *,
               permutations: int | np.ndarray = 999, seed: Seed = None) -> dict[str, np.ndarray]:
    """Local Moran's I of one vector with a conditional-permutation test.

    Parameters
    ----------
    y : array_like
        One value per unit, in the order of the rows of ``w``.
    w : Weights or scipy sparse matrix
        Spatial weights, used as given; every unit needs a neighbour.
    permutations : int or array of int, shape (P, K)
        Number of conditional permutations, or the draws themselves: row ``p`` holds ``K``
        (the largest number of neighbours) distinct indices into the ``n − 1`` other units,
        as ``esda.crand.vec_permutations`` makes them.
    seed : int, Generator, SeedSequence or None
        Randomness of the draws.

    Returns
    -------
    dict of arrays
        ``z``, ``lag``, ``Ii``, ``E_Ii``, ``var_Ii``, ``z_Ii``, ``p_norm`` (two-sided),
        ``p_sim``, ``z_sim``, ``E_sim``, ``sd_sim``, ``quadrant``; ``permutations`` (int).

    Notes
    -----
    ``z = (y − ȳ)/s`` (population ``s``), ``lag = W z``, ``I_i = (n − 1) z_i lag_i / Σ z²``.
    ``E_Ii = −w_i/(n − 1)`` and ``var_Ii`` are the total-randomisation moments of Sokal et
    al. (1998) that esda exposes as ``EI``/``VI`` (``w_i`` the row sum). ``p_sim`` is
    esda's folded pseudo p-value over conditional permutations (the neighbours of ``i``
    replaced by other units, ``i`` held fixed).

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical
    Analysis* 27(2), 93–115. Sokal, R. R., Oden, N. L. and Thomson, B. A. (1998). Local
    spatial autocorrelation in a biological model. *Geographical Analysis* 30(4), 331–354.
    """
    arr = _data.as_vector(y)
    m = _data.as_csr(w, arr.size)
    if np.all(arr == arr[0]):
        raise ArgumentError("local Moran's I is undefined: all values of y are equal")
    n = arr.size
    z = (arr - arr.mean()) / arr.std()
    lag = m @ z
    den = float(z @ z)
    ii = (n - 1) * z * lag / den
    m2 = den / n
    b2 = float((z**4).sum() / n) / m2**2
    wi = np.asarray(m.sum(axis=1)).ravel()
    wi2 = np.asarray(m.multiply(m).sum(axis=1)).ravel()
    ei = -wi / (n - 1)
    vi = (wi2 * (n - b2) / (n - 1) + (wi**2 - wi2) * (2 * b2 - n) / ((n - 1) * (n - 2))
          - (wi / (n - 1)) ** 2)
    z_ii = (ii - ei) / np.sqrt(vi)
    tally, p_count = _conditional(z, m, lag, np.sign(z), permutations, seed)
    kappa = (n - 1) * z / den
    e_sim = kappa * tally.mean()
    sd_sim = np.abs(kappa) * tally.std()
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = (ii - e_sim) / sd_sim
    return {"z": z, "lag": lag, "Ii": ii, "E_Ii": ei, "var_Ii": vi, "z_Ii": z_ii,
            "p_norm": 2.0 * stats.norm.sf(np.abs(z_ii)),
            "p_sim": _perm.folded_p(tally.count_ge, tally.count_le, p_count, "two-sided"),
            "z_sim": z_sim, "E_sim": e_sim, "sd_sim": sd_sim,
            "quadrant": _quadrants(z, lag), "permutations": np.asarray(p_count)}


def star_weights(m: sp.csr_array, row_standardised: bool) -> tuple[sp.csr_array, np.ndarray]:
    """The Gi* weights: self-weight = the largest weight of the row, rows re-standardised
    when the weights were. Returns the off-diagonal part and the self-weights."""
    self_w = np.asarray(m.max(axis=1).toarray()).ravel() if m.nnz else np.zeros(m.shape[0])
    if row_standardised:
        scale = 1.0 / (np.asarray(m.sum(axis=1)).ravel() + self_w)
        off = sp.csr_array(sp.diags_array(scale) @ m)
        off.sort_indices()
        return off, self_w * scale
    return m, self_w


def local_g_stats(y: Any, w: Weights | sp.sparray | sp.spmatrix, *, star: bool = True,
                  row_standardised: bool | None = None, permutations: int | np.ndarray = 999,
                  seed: Seed = None) -> dict[str, np.ndarray]:
    """Getis–Ord Gi (``star=False``) or Gi* of one non-negative vector.

    Parameters
    ----------
    y, w, permutations, seed
        As :func:`lisa_stats` (``y`` non-negative with at least two positive values).
    star : bool
        Gi* includes the unit itself with the largest weight of its row (1 for binary
        weights); row-standardised weights are then standardised again over the row.
    row_standardised : bool, optional
        Whether ``w`` is row-standardised (default: ``w.transform == "row"`` for a
        ``Weights``, else whether every row sums to one).

    Returns
    -------
    dict of arrays
        ``Gi``, ``E_Gi``, ``var_Gi``, ``z_Gi``, ``p_norm`` (two-sided), ``p_sim``, ``z_sim``,
        ``E_sim``, ``sd_sim``; ``permutations`` (int).

    Notes
    -----
    ``G_i = Σ_j w_ij y_j / Σ_{j≠i} y_j`` (Gi) or ``Σ_j w*_ij y_j / Σ_j y_j`` (Gi*);
    ``E = w_i/N`` and ``Var = w_i (N − w_i)/(N − 1) · s²/(N² ȳ²)`` with ``N = n − 1`` (Gi,
    ``ȳ``, ``s²`` over the other units) or ``n`` (Gi*), ``w_i`` the row sum — as
    ``esda.G_Local``.

    References
    ----------
    Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of
    distance statistics. *Geographical Analysis* 24(3), 189–206. Ord, J. K. and Getis, A.
    (1995). Local spatial autocorrelation statistics. *Geographical Analysis* 27(4), 286–306.
    """
    arr = _data.as_vector(y)
    m = _data.as_csr(w, arr.size)
    if np.any(arr < 0):
        raise ArgumentError("Getis–Ord G needs non-negative values; negative at positions "
                            f"{np.flatnonzero(arr < 0)[:10].tolist()}")
    if np.count_nonzero(arr) < 2:
        raise ArgumentError("Getis–Ord G needs at least two positive values")
    if row_standardised is None:
        row_standardised = (w.transform == "row" if isinstance(w, Weights)
                            else bool(np.allclose(np.asarray(m.sum(axis=1)).ravel(), 1.0)))
    n = arr.size
    total = float(arr.sum())
    if star:
        off, self_w = star_weights(m, row_standardised)
        denom = np.full(n, total)
        big_n = n
        mean = np.full(n, total / n)
        mean_sq = np.full(n, float((arr**2).sum()) / n)
    else:
        off, self_w = m, np.zeros(n)
        denom = total - arr
        big_n = n - 1
        mean = (total - arr) / big_n
        mean_sq = (float((arr**2).sum()) - arr**2) / big_n
    lag = off @ arr + self_w * arr
    gi = lag / denom
    card = np.asarray(off.sum(axis=1)).ravel() + self_w
    eg = card / big_n
    vg = card * (big_n - card) / (big_n - 1) / big_n**2 * (mean_sq - mean**2) / mean**2
    z_gi = (gi - eg) / np.sqrt(vg)
    yc = arr - total / n  # centred: the same order, smaller sums
    rows = np.asarray(off.sum(axis=1)).ravel()
    tally, p_count = _conditional(yc, off, off @ yc, np.ones(n), permutations, seed)
    mean_s = tally.mean() + (total / n) * rows
    e_sim = (mean_s + self_w * arr) / denom
    sd_sim = tally.std() / denom
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = (gi - e_sim) / sd_sim
    return {"Gi": gi, "E_Gi": eg, "var_Gi": vg, "z_Gi": z_gi,
            "p_norm": 2.0 * stats.norm.sf(np.abs(z_gi)),
            "p_sim": _perm.folded_p(tally.count_ge, tally.count_le, p_count, "two-sided"),
            "z_sim": z_sim, "E_sim": e_sim, "sd_sim": sd_sim,
            "permutations": np.asarray(p_count)}


# ---------------------------------------------------------------------------- panel level
def _run_local(stat: str, cb: _data.ColumnByYear, fn: Callable[..., dict[str, np.ndarray]],
               columns: tuple[str, ...], label: Callable[[dict[str, np.ndarray]], np.ndarray],
               permutations: object, seed: Seed, alpha: object, fdr: bool
               ) -> LocalAutocorrelation:
    a = _data.check_alpha(alpha)
    if not isinstance(fdr, bool):
        raise ArgumentError(f"fdr must be True or False; got {fdr!r}")
    _perm.check_conditional_draws(permutations, max_card=int(cb.w.cardinalities.max()),
                                  n=cb.w.n)
    explicit = not isinstance(permutations, int | np.integer)
    gens, entropy, key = _data.year_generators(seed, cb.years)
    frames, cuts = [], {}
    p_count = 0
    for t in cb.years:
        res = fn(cb.year(t), cb.w, permutations=permutations, seed=gens[t])
        p_count = int(res["permutations"])
        cut = fdr_threshold(res["p_sim"], a) if fdr else a
        cuts[t] = cut
        sig = res["p_sim"] <= cut
        part = pd.DataFrame({"city": list(cb.w.ids), "year": t, "value": cb.year(t)})
        for c in columns:
            part[c] = res[c]
        part["significant"] = sig
        part["cluster"] = np.where(sig, label(res), "ns").astype(object)
        frames.append(part)
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype("int64")
    return LocalAutocorrelation(
        statistic=stat, column=cb.column, _table=table, alpha=a, fdr=fdr,
        _thresholds=pd.Series(cuts, name="threshold").rename_axis("year"),
        permutations=p_count, weights_summary=_data.weights_summary(cb.w),
        seed_entropy=None if explicit else entropy, seed_spawn_key=() if explicit else key,
        explicit_draws=explicit, simulated=cb.simulated)


def lisa(data: _data.PanelLike, column: str, w: Weights, *, years: Iterable[int] | None = None,
         permutations: int | np.ndarray = 999, seed: Seed = None, alpha: float = 0.05,
         fdr: bool = False) -> LocalAutocorrelation:
    """Local Moran's I (LISA) of a panel column for every city and year.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        The panel (a DataFrame must be indexed by ``(city, year)``).
    column : str
        The variable.
    w : Weights
        Spatial weights over exactly the cities of the panel, used as given; no islands.
    years : iterable of int, optional
        Years to compute (default: all).
    permutations : int or array of int, shape (P, K)
        Conditional permutations per year, or the draws themselves (see :func:`lisa_stats`),
        used in every year.
    seed : int, Generator, SeedSequence or None
        Year ``t`` draws from ``SeedSequence(entropy, spawn_key=(…, t))``; the entropy is
        kept in ``seed_entropy``.
    alpha : float
        Significance level.
    fdr : bool
        Use the Benjamini–Hochberg cut-off of each year (:func:`fdr_threshold`) instead of
        ``alpha``.

    Returns
    -------
    LocalAutocorrelation
        ``table``: ``city``, ``year``, ``value``, ``z``, ``lag``, ``Ii``, ``E_Ii``,
        ``var_Ii``, ``z_Ii``, ``p_norm``, ``p_sim``, ``z_sim``, ``quadrant`` (``HH`` a high
        value among high neighbours, ``LH`` a low value among high neighbours, ``LL``,
        ``HL``), ``significant`` (``p_sim ≤`` cut-off) and ``cluster`` (the quadrant when
        significant, else ``"ns"``).

    Raises
    ------
    WeightsError, PanelError, ArgumentError
        As :func:`cityres.spatial.autocorrelation.moran`; also a bad ``alpha``.

    Notes
    -----
    ``I_i = (n − 1) z_i Σ_j w_ij z_j / Σ_k z_k²`` (Anselin 1995) — see :func:`lisa_stats`.

    Examples
    --------
    >>> import cityres
    >>> from libpysal.weights import Queen
    >>> from cityres.spatial import Weights
    >>> from cityres.spatial.autocorrelation import lisa
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = Weights.from_libpysal(Queen.from_dataframe(p.geometry, use_index=True))
    >>> w = w.row_standardise()
    >>> res = lisa(p, "gdp_pc", w, years=[2020], permutations=199, seed=1)
    >>> res.clusters(2020).isin(["HH", "LL", "LH", "HL", "ns"]).all()
    np.True_
    """
    w = _data.check_weights(w, statistic="Local Moran's I")
    cb = _data.column_by_year(data, column, w, years, statistic="Local Moran's I")
    cols = ("z", "lag", "Ii", "E_Ii", "var_Ii", "z_Ii", "p_norm", "p_sim", "z_sim", "quadrant")
    return _run_local("lisa", cb, lisa_stats, cols, lambda r: r["quadrant"], permutations,
                      seed, alpha, fdr)


def local_g(data: _data.PanelLike, column: str, w: Weights, *, star: bool = True,
            years: Iterable[int] | None = None, permutations: int | np.ndarray = 999,
            seed: Seed = None, alpha: float = 0.05, fdr: bool = False) -> LocalAutocorrelation:
    """Getis–Ord Gi* (``star=True``) or Gi hot and cold spots for every city and year.

    Arguments as :func:`lisa`; ``column`` must be non-negative. ``table``: ``city``,
    ``year``, ``value``, ``Gi``, ``E_Gi``, ``var_Gi``, ``z_Gi``, ``p_norm``, ``p_sim``,
    ``z_sim``, ``significant``, ``cluster`` (``"hot"`` when significant with ``z_Gi > 0``,
    ``"cold"`` when significant with ``z_Gi < 0``, else ``"ns"``). See
    :func:`local_g_stats` for the formula and the self-weight of Gi*.

    Raises
    ------
    PanelError
        A negative value (cities and year named), besides the errors of :func:`lisa`.

    Examples
    --------
    >>> import cityres
    >>> from libpysal.weights import Queen
    >>> from cityres.spatial import Weights
    >>> from cityres.spatial.autocorrelation import local_g
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = Weights.from_libpysal(Queen.from_dataframe(p.geometry, use_index=True))
    >>> res = local_g(p, "gdp_pc", w.row_standardise(), years=[2020], permutations=199, seed=1)
    >>> sorted(set(res.clusters(2020)) - {"hot", "cold", "ns"})
    []
    """
    if not isinstance(star, bool):
        raise ArgumentError(f"star must be True or False; got {star!r}")
    name = "Getis–Ord Gi*" if star else "Getis–Ord Gi"
    w = _data.check_weights(w, statistic=name)
    cb = _data.column_by_year(data, column, w, years, statistic=name)
    neg = np.argwhere(cb.values < 0)
    if neg.size:
        cells = [f"{_data.label(w.ids[r], cb.names)} in {cb.years[c]}" for r, c in neg[:5]]
        raise PanelError(f"{name} needs non-negative values of {column!r}; negative for "
                         + "; ".join(cells))

    def fn(y: np.ndarray, ww: Weights, **kw: Any) -> dict[str, np.ndarray]:
        return local_g_stats(y, ww, star=star, **kw)

    def hot_cold(r: dict[str, np.ndarray]) -> np.ndarray:
        return np.where(r["z_Gi"] > 0, "hot", "cold")

    cols = ("Gi", "E_Gi", "var_Gi", "z_Gi", "p_norm", "p_sim", "z_sim")
    return _run_local("local_g_star" if star else "local_g", cb, fn, cols, hot_cold,
                      permutations, seed, alpha, fdr)


def moran_scatter(data: _data.PanelLike, column: str, w: Weights, *,
                  years: Iterable[int] | None = None) -> pd.DataFrame:
    """The Moran scatter of a panel column: ``z`` against ``W z`` for every city and year.

    Parameters
    ----------
    data, column, w, years
        As :func:`lisa`.

    Returns
    -------
    pandas.DataFrame
        Long table ``city``, ``year``, ``z`` (standardised with the population standard
        deviation), ``lag`` (``W z``), ``quadrant`` (``HH``, ``LH``, ``LL``, ``HL``) and
        ``slope``, the year's least-squares slope of ``lag`` on ``z`` (``Σ z·lag / Σ z²``),
        which is Moran's I when ``w`` is row-standardised. ``attrs["simulated"]`` is True
        for simulated panels.

    Raises
    ------
    WeightsError, PanelError, ArgumentError
        As :func:`lisa`.

    Notes
    -----
    ``I = (n/S0) zᵀWz / zᵀz``: with row-standardised weights ``S0 = n`` and ``I`` is the
    slope of the regression of ``Wz`` on ``z`` (Anselin 1996).

    References
    ----------
    Anselin, L. (1996). The Moran scatterplot as an ESDA tool to assess local instability
    in spatial association. In *Spatial Analytical Perspectives on GIS*, 111–125.

    Examples
    --------
    >>> import cityres
    >>> from libpysal.weights import Queen
    >>> from cityres.spatial import Weights
    >>> from cityres.spatial.autocorrelation import moran_scatter
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = Weights.from_libpysal(Queen.from_dataframe(p.geometry, use_index=True))
    >>> moran_scatter(p, "gdp_pc", w.row_standardise(), years=[2020]).columns.tolist()
    ['city', 'year', 'z', 'lag', 'quadrant', 'slope']
    """
    w = _data.check_weights(w, statistic="The Moran scatter")
    cb = _data.column_by_year(data, column, w, years, statistic="The Moran scatter")
    frames = []
    for t in cb.years:
        y = cb.year(t)
        z = (y - y.mean()) / y.std()
        lag = w.sparse @ z
        frames.append(pd.DataFrame({"city": list(w.ids), "year": t, "z": z, "lag": lag,
                                    "quadrant": _quadrants(z, lag),
                                    "slope": float(z @ lag / (z @ z))}))
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype("int64")
    table.attrs["simulated"] = cb.simulated
    return table
