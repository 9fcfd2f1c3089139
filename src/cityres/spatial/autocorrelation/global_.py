"""Global spatial autocorrelation: Moran's I, Geary's C, Getis–Ord General G and the
bivariate Moran's I, year by year, with analytic moments and whole-map permutation tests.

Each statistic has an array-level function (``*_stats``: one 1-d array, a ``Weights`` or
scipy sparse matrix, returns a dict) and a panel-level function that loops over years and
returns a :class:`~cityres.spatial.autocorrelation.results.GlobalAutocorrelation`. The
weights are used as given (no transformation); definitions follow esda 2.9 (see
``docs/methods/esda.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from cityres._shared.errors import ArgumentError, PanelError
from cityres._shared.rng import Seed, as_generator
from cityres.spatial.autocorrelation import _data, _perm
from cityres.spatial.autocorrelation.results import GlobalAutocorrelation
from cityres.spatial.weights import Weights

Alternative = Literal["two-sided", "greater", "less"]
_NAN = float("nan")


# ---------------------------------------------------------------------------- helpers
def _s012(m: sp.csr_array) -> tuple[float, float, float]:
    """``S0 = Σ w``, ``S1 = ½ Σ (w_ij + w_ji)²``, ``S2 = Σ_i (row_i + col_i)²``."""
    s0 = float(m.sum())
    sym = m + m.T
    s1 = 0.5 * float((sym.multiply(sym)).sum())
    rc = np.asarray(m.sum(axis=1)).ravel() + np.asarray(m.sum(axis=0)).ravel()
    return s0, s1, float(rc @ rc)


def _p_norm(z: float, alternative: str) -> float:
    if alternative == "greater":
        return float(stats.norm.sf(z))
    if alternative == "less":
        return float(stats.norm.cdf(z))
    return float(2.0 * stats.norm.sf(abs(z)))


def _simulate(observed: float, sims: Iterator[np.ndarray], permutations: int,
              alternative: str) -> dict[str, float]:
    """p_sim, z_sim, E_sim, sd_sim from a stream of simulated values."""
    if not permutations:
        return {"p_sim": _NAN, "z_sim": _NAN, "E_sim": _NAN, "sd_sim": _NAN}
    tally = _perm.global_tally(sims, observed, abs(observed))
    mean = observed + float(tally.mean()[0])
    sd = float(tally.std()[0])
    p = float(_perm.folded_p(tally.count_ge, tally.count_le, tally.n, alternative)[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = float(np.float64(observed - mean) / np.float64(sd))
    return {"p_sim": p, "z_sim": z, "E_sim": mean, "sd_sim": sd}


def _perm_stream(values: np.ndarray, perms: int | np.ndarray, seed: Seed,
                 fn: Callable[[np.ndarray], np.ndarray]) -> Iterator[np.ndarray]:
    """Apply ``fn`` to blocks of permuted copies of ``values`` (rows)."""
    rng = None if isinstance(perms, np.ndarray) or not perms else as_generator(seed)
    for block in _perm.permutation_blocks(perms, rng, n=values.shape[0]):
        yield fn(values[block])


def _quad(m: sp.csr_array, a: np.ndarray) -> np.ndarray:
    """``a_p' W a_p`` for each row ``a_p`` of ``a``."""
    wa = m @ a.T  # (n, B)
    return np.einsum("pi,ip->p", a, wa)


def _prepare(y: object, w: object, permutations: object,
             alternative: object) -> tuple[np.ndarray, sp.csr_array, int | np.ndarray, str]:
    arr = _data.as_vector(y)
    m = _data.as_csr(w, arr.size)
    if np.all(arr == arr[0]):
        raise ArgumentError("the statistic is undefined: all values of y are equal")
    return (arr, m, _perm.check_permutations(permutations, n=arr.size),
            _data.check_alternative(alternative))


def _count(perms: int | np.ndarray) -> int:
    return int(perms.shape[0]) if isinstance(perms, np.ndarray) else int(perms)


# ---------------------------------------------------------------------------- array level
def moran_stats(y: Any, w: Weights | sp.sparray | sp.spmatrix, *,
                permutations: int | np.ndarray = 999, seed: Seed = None,
                alternative: Alternative = "two-sided") -> dict[str, float]:
    """Moran's I of one vector with analytic moments and a permutation test.

    Parameters
    ----------
    y : array_like
        One value per unit, in the order of the rows of ``w``.
    w : Weights or scipy sparse matrix
        Spatial weights, used as given.
    permutations : int or array of int, shape (P, n)
        Number of random permutations, or the permutations themselves (each row a
        permutation of ``0 … n−1``).
    seed : int, Generator, SeedSequence or None
        Randomness of the permutations.
    alternative : {"two-sided", "greater", "less"}
        Alternative hypothesis of ``p_norm``, ``p_rand`` and ``p_sim``. With
        ``"two-sided"``, ``p_sim`` is the pseudo p-value of GeoDa and esda: the share of
        permutations in the tail where the observed value lies, so it is one tail — compare
        it with α/2 for a strict two-sided test (``docs/methods/esda.md``).

    Returns
    -------
    dict
        ``I``, ``E_I``, ``var_norm``, ``z_norm``, ``p_norm``, ``var_rand``, ``z_rand``,
        ``p_rand``, ``p_sim``, ``z_sim``, ``E_sim``, ``sd_sim``, ``n``.

    Notes
    -----
    ``I = (n / S0) · Σ_ij w_ij z_i z_j / Σ_i z_i²`` with ``z = y − ȳ``; moments under
    normality and randomisation as Cliff & Ord (1981) (identical to ``esda.Moran``).
    """
    arr, m, perms, alt = _prepare(y, w, permutations, alternative)
    n = arr.size
    z = arr - arr.mean()
    z2ss = float(z @ z)
    s0, s1, s2 = _s012(m)
    scale = n / s0 / z2ss
    i_obs = scale * float(z @ (m @ z))
    ei = -1.0 / (n - 1)
    n2, s02 = n * n, s0 * s0
    var_norm = (n2 * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) - ei * ei
    k = float((z**4).sum() / n) / float((z2ss / n) ** 2)
    a = n * ((n2 - 3 * n + 3) * s1 - n * s2 + 3 * s02)
    b = k * ((n2 - n) * s1 - 2 * n * s2 + 6 * s02)
    var_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s02) - ei * ei
    z_norm = (i_obs - ei) / var_norm**0.5
    z_rand = (i_obs - ei) / var_rand**0.5 if var_rand > 0 else _NAN
    out = {"I": i_obs, "E_I": ei, "var_norm": var_norm, "z_norm": z_norm,
           "p_norm": _p_norm(z_norm, alt), "var_rand": var_rand, "z_rand": z_rand,
           "p_rand": _p_norm(z_rand, alt)}
    out.update(_simulate(i_obs, _perm_stream(z, perms, seed, lambda a_: scale * _quad(m, a_)),
                         _count(perms), alt))
    out["n"] = n
    return out


def geary_stats(y: Any, w: Weights | sp.sparray | sp.spmatrix, *,
                permutations: int | np.ndarray = 999, seed: Seed = None,
                alternative: Alternative = "two-sided") -> dict[str, float]:
    """Geary's C of one vector (parameters as :func:`moran_stats`).

    Returns
    -------
    dict
        ``C``, ``E_C`` (= 1), ``var_norm``, ``z_norm``, ``p_norm``, ``var_rand``,
        ``z_rand``, ``p_rand``, ``p_sim``, ``z_sim``, ``E_sim``, ``sd_sim``, ``n``.

    Notes
    -----
    ``C = (n − 1) Σ_ij w_ij (y_i − y_j)² / (2 S0 Σ_i (y_i − ȳ)²)``; ``C < 1`` is positive
    autocorrelation, so ``alternative="greater"`` tests *negative* autocorrelation.
    Variances as Cliff & Ord (1981) (identical to ``esda.Geary``).
    """
    arr, m, perms, alt = _prepare(y, w, permutations, alternative)
    n = arr.size
    yd = arr - arr.mean()
    yss = float(yd @ yd)
    s0, s1, s2 = _s012(m)
    coo = m.tocoo()
    den = 2.0 * s0 * yss
    c_obs = (n - 1) * float((coo.data * (arr[coo.row] - arr[coo.col]) ** 2).sum()) / den
    rc = np.asarray(m.sum(axis=1)).ravel() + np.asarray(m.sum(axis=0)).ravel()
    k = float((yd**4).sum() / n) / float((yss / n) ** 2)
    n2, s02 = n * n, s0 * s0
    aa = (n - 1) * s1 * (n2 - 3 * n + 3 - (n - 1) * k)
    bb = 0.25 * ((n - 1) * s2 * (n2 + 3 * n - 6 - (n2 - n + 2) * k))
    cc = s02 * (n2 - 3 - (n - 1) ** 2 * k)
    var_rand = (aa - bb + cc) / (n * (n - 2) * (n - 3) * s02)
    var_norm = (1 / (2 * (n + 1) * s02)) * ((2 * s1 + s2) * (n - 1) - 4 * s02)
    z_norm = (c_obs - 1.0) / var_norm**0.5
    z_rand = (c_obs - 1.0) / var_rand**0.5 if var_rand > 0 else _NAN

    def sim(a_: np.ndarray) -> np.ndarray:
        return (n - 1) * ((a_ * a_) @ rc - 2.0 * _quad(m, a_)) / den

    out = {"C": c_obs, "E_C": 1.0, "var_norm": var_norm, "z_norm": z_norm,
           "p_norm": _p_norm(z_norm, alt), "var_rand": var_rand, "z_rand": z_rand,
           "p_rand": _p_norm(z_rand, alt)}
    out.update(_simulate(c_obs, _perm_stream(yd, perms, seed, sim), _count(perms), alt))
    out["n"] = n
    return out


def getis_ord_stats(y: Any, w: Weights | sp.sparray | sp.spmatrix, *,
                    permutations: int | np.ndarray = 999, seed: Seed = None,
                    alternative: Alternative = "two-sided") -> dict[str, float]:
    """Getis–Ord General G of one non-negative vector (parameters as :func:`moran_stats`).

    Returns
    -------
    dict
        ``G``, ``E_G``, ``var``, ``z``, ``p_norm``, ``p_sim``, ``z_sim``, ``E_sim``,
        ``sd_sim``, ``n``.

    Raises
    ------
    ArgumentError
        If a value is negative or fewer than two are positive.

    Notes
    -----
    ``G = Σ_{i≠j} w_ij y_i y_j / Σ_{i≠j} y_i y_j``, ``E[G] = S0 / (n(n − 1))``, variance
    of Getis & Ord (1992) (identical to ``esda.G`` for the same weights).
    """
    arr, m, perms, alt = _prepare(y, w, permutations, alternative)
    if np.any(arr < 0):
        raise ArgumentError("General G needs non-negative values; negative at positions "
                            f"{np.flatnonzero(arr < 0)[:10].tolist()}")
    if np.count_nonzero(arr) < 2:
        raise ArgumentError("General G needs at least two positive values")
    n = arr.size
    s0, s1, s2 = _s012(m)
    den = float(arr.sum() ** 2 - (arr * arr).sum())
    g_obs = float(arr @ (m @ arr)) / den
    eg = s0 / (n * (n - 1))
    n2, s02 = n * n, s0 * s0
    b0 = (n2 - 3 * n + 3) * s1 - n * s2 + 3 * s02
    b1 = -((n2 - n) * s1 - 2 * n * s2 + 6 * s02)
    b2 = -(2 * n * s1 - (n + 3) * s2 + 6 * s02)
    b3 = 4 * (n - 1) * s1 - 2 * (n + 1) * s2 + 8 * s02
    b4 = s1 - s2 + s02
    m1, m2, m3, m4 = (float((arr**p).sum()) for p in (1, 2, 3, 4))
    eg2 = (b0 * m2**2 + b1 * m4 + b2 * m1**2 * m2 + b3 * m1 * m3 + b4 * m1**4) / (
        (m1**2 - m2) ** 2 * n * (n - 1) * (n - 2) * (n - 3))
    var = eg2 - eg**2
    z = (g_obs - eg) / var**0.5
    out = {"G": g_obs, "E_G": eg, "var": var, "z": z, "p_norm": _p_norm(z, alt)}
    out.update(_simulate(g_obs, _perm_stream(arr, perms, seed, lambda a_: _quad(m, a_) / den),
                         _count(perms), alt))
    out["n"] = n
    return out


def moran_bv_stats(x: Any, y: Any, w: Weights | sp.sparray | sp.spmatrix, *,
                   permutations: int | np.ndarray = 999, seed: Seed = None,
                   alternative: Alternative = "two-sided") -> dict[str, float]:
    """Bivariate Moran's I of ``x`` with the spatial lag of ``y`` (permutations of ``y``).

    Returns
    -------
    dict
        ``I``, ``p_sim``, ``z_sim``, ``E_sim``, ``sd_sim``, ``n``.

    Notes
    -----
    ``I_xy = (n / S0) Σ_i z_x,i Σ_j w_ij z_y,j / Σ_i z_x,i²`` with ``z`` standardised;
    ``I_xx`` is Moran's I. ``esda.Moran_BV`` omits ``n / S0``: the two agree for
    row-standardised weights (``S0 = n``). Only ``y`` is permuted, as in esda.
    """
    xa = _data.as_vector(x, "x")
    ya, m, perms, alt = _prepare(y, w, permutations, alternative)
    if xa.size != ya.size:
        raise ArgumentError(f"x has {xa.size} values and y {ya.size}")
    if np.all(xa == xa[0]):
        raise ArgumentError("the statistic is undefined: all values of x are equal")
    n = xa.size
    zx = (xa - xa.mean()) / xa.std()
    zy = (ya - ya.mean()) / ya.std()
    s0 = float(m.sum())
    wt_zx = (m.T @ zx) * (n / s0 / float(zx @ zx))  # I = zy · (Wᵀ z_x) · n / (S0 Σ z_x²)
    i_obs = float(zy @ wt_zx)
    out = {"I": i_obs}
    out.update(_simulate(i_obs, _perm_stream(zy, perms, seed, lambda a_: a_ @ wt_zx),
                         _count(perms), alt))
    out["n"] = n
    return out


# ---------------------------------------------------------------------------- panel level
def _run(stat: str, cb: _data.ColumnByYear, fn: Callable[..., dict[str, float]],
         permutations: object, seed: Seed, alternative: str, lag: _data.ColumnByYear | None
         ) -> GlobalAutocorrelation:
    alt = _data.check_alternative(alternative)
    perms = _perm.check_permutations(permutations, n=cb.w.n)
    explicit = isinstance(perms, np.ndarray)
    gens, entropy, key = _data.year_generators(seed, cb.years)
    rows = []
    for t in cb.years:
        args = (cb.year(t),) if lag is None else (cb.year(t), lag.year(t))
        rows.append(fn(*args, cb.w, permutations=perms, seed=gens[t], alternative=alt))
    table = pd.DataFrame(rows, index=pd.Index(list(cb.years), name="year"))
    table["n"] = table["n"].astype("int64")
    drawn = bool(_count(perms)) and not explicit
    return GlobalAutocorrelation(
        statistic=stat, column=cb.column, _table=table, permutations=_count(perms),
        alternative=alt, weights_summary=_data.weights_summary(cb.w),
        seed_entropy=entropy if drawn else None, seed_spawn_key=key if drawn else (),
        explicit_draws=explicit, simulated=cb.simulated,
        lag_column=None if lag is None else lag.column)


def moran(data: _data.PanelLike, column: str, w: Weights, *, years: Iterable[int] | None = None,
          permutations: int | np.ndarray = 999, seed: Seed = None,
          alternative: Alternative = "two-sided") -> GlobalAutocorrelation:
    """Global Moran's I of a panel column, year by year.

    Parameters
    ----------
    data : CityPanel or pandas.DataFrame
        The panel (a DataFrame must be indexed by ``(city, year)``).
    column : str
        The variable.
    w : Weights
        Spatial weights over exactly the cities of the panel, used as given (row-standardise
        with ``w.row_standardise()``); no islands.
    years : iterable of int, optional
        Years to compute (default: all).
    permutations : int or array of int, shape (P, n)
        Permutations per year, or the permutations themselves (rows of ``0 … n−1`` in the
        order of ``w.ids``, used in every year).
    seed : int, Generator, SeedSequence or None
        Year ``t`` draws from ``SeedSequence(entropy, spawn_key=(…, t))``, so its p-value does
        not depend on the other years asked for; the entropy is kept in ``seed_entropy``.
    alternative : {"two-sided", "greater", "less"}
        ``"two-sided"``: ``p_norm = 2·sf(|z|)`` and esda's pseudo p-value (the smaller tail).

    Returns
    -------
    GlobalAutocorrelation
        ``table`` columns: ``I``, ``E_I``, ``var_norm``, ``z_norm``, ``p_norm``,
        ``var_rand``, ``z_rand``, ``p_rand``, ``p_sim``, ``z_sim``, ``E_sim``, ``sd_sim``, ``n``.

    Raises
    ------
    WeightsError
        Cities of the panel and the weights differ (named), or the weights have islands.
    PanelError
        A missing value (city and year named) or a year where all cities are equal.
    ArgumentError
        Unknown column or year, bad ``permutations`` or ``alternative``.

    Notes
    -----
    ``I = (n / S0) Σ_ij w_ij z_i z_j / Σ_i z_i²``, ``z = y − ȳ``, ``E[I] = −1/(n − 1)``;
    variances under normality and randomisation of Cliff & Ord (1981); ``p_sim =
    (M + 1)/(P + 1)``. Values equal ``esda.Moran`` (see ``docs/methods/esda.md``).

    References
    ----------
    Cliff, A. D. and Ord, J. K. (1981). *Spatial Processes*. Pion.

    Examples
    --------
    >>> import cityres
    >>> from libpysal.weights import Queen
    >>> from cityres.spatial import Weights
    >>> from cityres.spatial.autocorrelation import moran
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = Weights.from_libpysal(Queen.from_dataframe(p.geometry, use_index=True))
    >>> w = w.row_standardise()
    >>> res = moran(p, "gdp_pc", w, years=[2015, 2020], permutations=99, seed=1)
    >>> res.table.index.tolist()
    [2015, 2020]
    """
    w = _data.check_weights(w, statistic="Moran's I")
    cb = _data.column_by_year(data, column, w, years, statistic="Moran's I")
    return _run("moran", cb, moran_stats, permutations, seed, alternative, None)


def geary(data: _data.PanelLike, column: str, w: Weights, *, years: Iterable[int] | None = None,
          permutations: int | np.ndarray = 999, seed: Seed = None,
          alternative: Alternative = "two-sided") -> GlobalAutocorrelation:
    """Geary's C of a panel column, year by year (arguments as :func:`moran`).

    ``table`` columns: ``C``, ``E_C``, ``var_norm``, ``z_norm``, ``p_norm``, ``var_rand``,
    ``z_rand``, ``p_rand``, ``p_sim``, ``z_sim``, ``E_sim``, ``sd_sim``, ``n``. See
    :func:`geary_stats` for the formula; values equal ``esda.Geary`` (whose ``p_norm`` is
    one-tailed: half the two-sided value here).

    Examples
    --------
    >>> import cityres
    >>> from libpysal.weights import Queen
    >>> from cityres.spatial import Weights
    >>> from cityres.spatial.autocorrelation import geary
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = Weights.from_libpysal(Queen.from_dataframe(p.geometry, use_index=True))
    >>> res = geary(p, "gdp_pc", w.row_standardise(), years=[2015], seed=1)
    >>> bool(res.table.loc[2015, "C"] < 1)  # positive autocorrelation
    True
    """
    w = _data.check_weights(w, statistic="Geary's C")
    cb = _data.column_by_year(data, column, w, years, statistic="Geary's C")
    return _run("geary", cb, geary_stats, permutations, seed, alternative, None)


def getis_ord(data: _data.PanelLike, column: str, w: Weights, *,
              years: Iterable[int] | None = None, permutations: int | np.ndarray = 999,
              seed: Seed = None, alternative: Alternative = "two-sided") -> GlobalAutocorrelation:
    """Getis–Ord General G of a non-negative panel column, year by year.

    Arguments as :func:`moran`; ``w`` is used as given (esda's ``G`` always binarises the
    weights, so the two agree for binary weights). ``table`` columns: ``G``, ``E_G``,
    ``var``, ``z``, ``p_norm``, ``p_sim``, ``z_sim``, ``E_sim``, ``sd_sim``, ``n``.

    Raises
    ------
    PanelError
        A negative value (cities and year named), besides the errors of :func:`moran`.

    Examples
    --------
    >>> import cityres
    >>> from libpysal.weights import Queen
    >>> from cityres.spatial import Weights
    >>> from cityres.spatial.autocorrelation import getis_ord
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = Weights.from_libpysal(Queen.from_dataframe(p.geometry, use_index=True))
    >>> res = getis_ord(p, "gdp_pc", w, years=[2015], seed=1)
    >>> res.table.columns[:4].tolist()
    ['G', 'E_G', 'var', 'z']
    """
    w = _data.check_weights(w, statistic="General G")
    cb = _data.column_by_year(data, column, w, years, statistic="General G")
    neg = np.argwhere(cb.values < 0)
    if neg.size:
        cells = [f"{_data.label(w.ids[r], cb.names)} in {cb.years[c]}" for r, c in neg[:5]]
        raise PanelError(f"General G needs non-negative values of {column!r}; negative for "
                         + "; ".join(cells) + (f" (and {len(neg) - 5} more)" if len(neg) > 5
                                               else ""))
    return _run("getis_ord", cb, getis_ord_stats, permutations, seed, alternative,
                None)


def moran_bv(data: _data.PanelLike, x: str, y: str, w: Weights, *,
             years: Iterable[int] | None = None, permutations: int | np.ndarray = 999,
             seed: Seed = None, alternative: Alternative = "two-sided") -> GlobalAutocorrelation:
    """Bivariate Moran's I of ``x`` with the spatial lag of ``y``, year by year.

    Arguments as :func:`moran`; ``table`` columns ``I``, ``p_sim``, ``z_sim``, ``E_sim``,
    ``sd_sim``, ``n``. See :func:`moran_bv_stats` for the formula and how it relates to
    ``esda.Moran_BV`` (equal for row-standardised weights).

    Examples
    --------
    >>> import cityres
    >>> from libpysal.weights import Queen
    >>> from cityres.spatial import Weights
    >>> from cityres.spatial.autocorrelation import moran_bv
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = Weights.from_libpysal(Queen.from_dataframe(p.geometry, use_index=True))
    >>> res = moran_bv(p, "gdp_pc", "innovation", w.row_standardise(), years=[2015], seed=1)
    >>> res.lag_column
    'innovation'
    """
    w = _data.check_weights(w, statistic="Bivariate Moran's I")
    cx = _data.column_by_year(data, x, w, years, statistic="Bivariate Moran's I")
    cy = _data.column_by_year(data, y, w, cx.years, statistic="Bivariate Moran's I")
    return _run("moran_bv", cx, moran_bv_stats, permutations, seed,
                alternative, cy)
