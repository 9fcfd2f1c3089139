"""Economic-distance and economic-geographic nested weights.

Both use a city's mean :math:`\\bar y_i` of an indicator (usually GDP per head) over the
chosen years. Economic weights link cities by how close those means are; nested weights
combine them with inverse geographic distance, in the two forms of the Chinese
literature ("scaled", after Lin, Long & Wu 2005, and "mixed", after Shao et al. 2016).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError, WeightsError
from cityres.spatial.weights._geo import (
    DENSE_MAX,
    Coordinates,
    PointRule,
    as_points,
    check_choice,
    label,
    names_of,
)
from cityres.spatial.weights.core import Weights
from cityres.spatial.weights.distance import inverse_distance

__all__ = ["city_means", "economic", "nested"]


def city_means(panel: Any, column: str, years: Iterable[int] | None = None) -> pd.Series:
    """Mean of ``column`` per city over ``years`` (all panel years by default).

    Raises
    ------
    PanelError
        A city lacks a chosen year, or has a missing value (naming city and year).
    ArgumentError
        ``column`` is not a panel column, or a year is not in the panel.
    """
    from cityres.data.panel import CityPanel

    if not isinstance(panel, CityPanel):
        raise ArgumentTypeError(f"panel must be a CityPanel; got {type(panel).__name__}")
    if not isinstance(column, str) or column not in panel.columns:
        near = [c for c in panel.columns if isinstance(column, str)
                and column.lower() in c.lower()][:10]
        raise ArgumentError(f"column={column!r} is not a column of the panel"
                            + (f"; similar: {near}" if near else
                               f"; {len(panel.columns)} columns, e.g. {panel.columns[:8]}"))
    have = panel.years
    if years is None:
        chosen = have
    else:
        if isinstance(years, str | bytes):
            raise ArgumentTypeError("years must be a list of whole years, e.g. [2011, 2012]; "
                                    f"got {years!r}")
        listed = list(years)
        odd = [y for y in listed if isinstance(y, bool) or not isinstance(y, int | np.integer)]
        if odd:
            raise ArgumentTypeError(f"years must be whole years (int), e.g. [2011, 2012]; got "
                                    f"{odd[:5]}")
        chosen = sorted({int(y) for y in listed})
        absent = [y for y in chosen if y not in have]
        if not chosen or absent:
            raise ArgumentError(f"years must be panel years ({have[0]}–{have[-1]}); not in "
                                f"the panel: {absent or 'no year given'}")
    data = panel.data[column]
    ids = panel.city_ids
    full = pd.MultiIndex.from_product([ids, chosen], names=["city", "year"])
    values = data.reindex(full)
    bad = values[values.isna()]
    if len(bad):
        names = names_of(panel.cities)
        shown = ", ".join(f"{label(c, names)}/{y}" for c, y in bad.index[:20])
        raise PanelError(f"column {column!r} is missing for {len(bad)} city-year(s): {shown}"
                         f"{' …' if len(bad) > 20 else ''}; fill them or choose years= "
                         "without them")
    means = values.to_numpy(float).reshape(len(ids), len(chosen)).mean(axis=1)
    return pd.Series(means, index=pd.Index(ids, name="city"), name=column)


def _year_param(panel: Any, years: Iterable[int] | None) -> str:
    ys = panel.years if years is None else sorted({int(y) for y in years})
    return f"{ys[0]}–{ys[-1]}" if ys == list(range(ys[0], ys[-1] + 1)) else ",".join(map(str, ys))


def _economic_dense(ybar: pd.Series, names: dict[str, str]) -> np.ndarray:
    y = ybar.to_numpy(float)
    if len(y) > DENSE_MAX:
        raise ArgumentError(f"economic weights are dense; {len(y)} cities is too many "
                            f"(at most {DENSE_MAX})")
    diff = np.abs(y[:, None] - y[None, :])
    np.fill_diagonal(diff, np.inf)
    zero = np.argwhere(np.triu(diff == 0, 1))
    if len(zero):
        ids = list(ybar.index)
        shown = "; ".join(f"{label(ids[a], names)} and {label(ids[b], names)}"
                          for a, b in zero[:10])
        raise WeightsError(f"cities with the same mean {ybar.name} have no economic distance "
                           f"(1/0): {shown}; choose another column or years")
    w: np.ndarray = 1.0 / diff
    return w


def economic(panel: Any, column: str, *, years: Iterable[int] | None = None) -> Weights:
    """Economic-distance weights :math:`w_{ij} = 1/|\\bar y_i - \\bar y_j|`.

    Parameters
    ----------
    panel : CityPanel
        The panel holding ``column``; ids are its cities, in its order.
    column : str
        The indicator (e.g. ``"gdp_pc"``), averaged per city over ``years``.
    years : iterable of int, optional
        Years to average over; all panel years by default.

    Returns
    -------
    Weights
        Dense, symmetric, ``kind="economic"``, not standardised.

    Raises
    ------
    PanelError
        A missing value or city-year, naming the city and year.
    WeightsError
        Two cities with the same mean (infinite weight), naming them.
    ArgumentError
        Unknown column or years.

    Notes
    -----
    :math:`\\bar y_i = \\frac1T\\sum_t y_{it}` and :math:`w_{ij} = 1/|\\bar y_i - \\bar y_j|`
    for :math:`i \\ne j`, :math:`w_{ii} = 0`: cities at similar levels of development
    weigh more. Near-equal means give very large weights that dominate a row after
    standardisation; check ``w.to_dense()``.

    References
    ----------
    .. [1] Case, A. C., Rosen, H. S. & Hines, J. R. (1993). Budget spillovers and fiscal
       policy interdependence: evidence from the states. *Journal of Public Economics*
       52(3), 285–307.
    .. [2] 林光平、龙志和、吴梅 (2005). 我国地区经济收敛的空间计量实证分析：1978—2002 年.
       《经济学（季刊）》4(增刊).

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import economic
    >>> w = economic(cityres.datasets.load("yrd_sim"), "gdp_pc")
    >>> w.kind, w.links == 41 * 40
    ('economic', True)
    """
    years = None if years is None else list(years)
    ybar = city_means(panel, column, years)
    names = names_of(panel.cities)
    w = _economic_dense(ybar, names)
    return Weights(sp.csr_array(w), tuple(ybar.index), kind="economic",
                   params={"column": column, "years": _year_param(panel, years),
                           "form": "1/|mean_i - mean_j|"})


def nested(geo_or_coords: Any, panel: Any, column: str, *, years: Iterable[int] | None = None,
           form: Literal["scaled", "mixed"] = "scaled", phi: float = 0.5, power: float = 1,
           point: PointRule = "centroid", coordinates: Coordinates = "auto") -> Weights:
    """Economic-geographic nested weights (经济地理嵌套矩阵), two forms.

    Parameters
    ----------
    geo_or_coords : CityPanel, GeoDataFrame, GeoSeries, DataFrame or (n, 2) array
        Where the cities are (as in :func:`distance_band`); its cities must be the
        panel's (any order).
    panel : CityPanel
        The panel holding ``column``; the result follows its city order.
    column : str
        The economic indicator (e.g. ``"gdp_pc"``).
    years : iterable of int, optional
        Years to average over (all panel years by default).
    form : {"scaled", "mixed"}
        ``"scaled"``: inverse distance with each column scaled by the neighbour's relative
        level; ``"mixed"``: a weighted sum of the row-standardised inverse-distance and
        economic matrices.
    phi : float, default 0.5
        Weight of geography in ``"mixed"`` (0 ≤ φ ≤ 1).
    power : float, default 1
        Distance decay of the inverse-distance part.
    point, coordinates
        As in :func:`distance_band`.

    Returns
    -------
    Weights
        ``kind="nested"``, not standardised (``"mixed"`` rows already sum to one).

    Raises
    ------
    WeightsError
        Cities of ``geo_or_coords`` and ``panel`` differ (both lists); non-positive means
        with ``"scaled"``; equal means with ``"mixed"``; coincident points.
    PanelError
        Missing values, naming city and year.

    Notes
    -----
    ``"scaled"`` (Lin, Long & Wu 2005; Li, Tan & Bai 2010):
    :math:`W = W_d\\,\\mathrm{diag}(\\bar y_1/\\bar{\\bar y}, \\dots, \\bar y_n/\\bar{\\bar y})`,
    i.e. :math:`w_{ij} = d_{ij}^{-p}\\,\\bar y_j/\\bar{\\bar y}`, with
    :math:`\\bar{\\bar y}` the mean over cities and years: a richer neighbour weighs more.

    ``"mixed"`` (Shao, Li, Cao & Yang 2016):
    :math:`W = \\varphi\\,\\tilde W_d + (1-\\varphi)\\,\\tilde W_e`, where
    :math:`\\tilde W_d` and :math:`\\tilde W_e` are the row-standardised inverse-distance
    and economic (:func:`economic`) matrices.

    References
    ----------
    .. [1] 林光平、龙志和、吴梅 (2005). 我国地区经济收敛的空间计量实证分析：1978—2002 年.
       《经济学（季刊）》4(增刊).
    .. [2] 李婧、谭清美、白俊红 (2010). 中国区域创新生产的空间计量分析——基于静态与动态
       空间面板模型的实证研究. 《管理世界》2010(7).
    .. [3] 邵帅、李欣、曹建华、杨莉莉 (2016). 中国雾霾污染治理的经济政策选择——基于空间
       溢出效应的视角. 《经济研究》51(9), 73–88.

    Examples
    --------
    >>> import cityres
    >>> from cityres.spatial.weights import nested
    >>> p = cityres.datasets.load("yrd_sim")
    >>> w = nested(p, p, "gdp_pc", form="mixed", phi=0.5)
    >>> round(float(w.row_sums.min()), 12)
    1.0
    """
    check_choice(form, ("scaled", "mixed"), "form")
    if isinstance(phi, bool) or not isinstance(phi, int | float) or not 0 <= phi <= 1:
        raise ArgumentError(f"phi must be a number in [0, 1]; got {phi!r}")
    years = None if years is None else list(years)
    ybar = city_means(panel, column, years)
    names = names_of(panel.cities)
    ids = tuple(ybar.index)
    pts = as_points(geo_or_coords, point=point, coordinates=coordinates)
    have, want = set(pts.ids), set(ids)
    if have != want:
        only_p = [label(i, names) for i in ids if i not in have]
        only_g = [label(i, {**pts.names, **names}) for i in pts.ids if i not in want]
        raise WeightsError(
            "the cities of the coordinates and of the panel differ; in the panel only "
            f"({len(only_p)}): {', '.join(only_p[:20]) or 'none'}; in the coordinates only "
            f"({len(only_g)}): {', '.join(only_g[:20]) or 'none'}")
    wd = inverse_distance(geo_or_coords, power=power, point=point,
                          coordinates=coordinates).reorder(ids, what="the panel")
    params: dict[str, Any] = {"column": column, "years": _year_param(panel, years),
                              "form": form}
    if form == "scaled":
        y = ybar.to_numpy(float)
        bad = [label(ids[i], names) for i in np.flatnonzero(~(y > 0))]
        if bad:
            raise WeightsError(f"form='scaled' needs a positive mean {column} for every city "
                               f"(it scales weights by ȳ_j/ȳ̄); not positive: "
                               f"{', '.join(bad[:20])}")
        grand = float(y.mean())  # = mean over cities and years (the panel is balanced)
        m = sp.csr_array(wd.sparse @ sp.diags_array(y / grand))
    else:
        we = Weights(sp.csr_array(_economic_dense(ybar, names)), ids)
        m = sp.csr_array(phi * wd.row_standardise().sparse
                         + (1 - phi) * we.row_standardise().sparse)
        params["phi"] = phi
    params.update({"power": power, "points": wd.params["points"],
                   "distance": wd.params["distance"]})
    return Weights(m, ids, kind="nested", params=params, notes=wd.notes)
