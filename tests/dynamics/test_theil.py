"""Theil T and L with their between / within decomposition.

Reference: the documented values of PySAL ``inequality`` 1.1.2 on the Mexico state
per-capita GDP data (``mexico.csv`` shipped inside ``libpysal.examples``, read offline
from the installed package): the docstrings of ``inequality.theil.Theil`` (``theil_y.T``)
and ``inequality.theil.TheilD`` (``theil_d.bg``, ``theil_d.wg``, partition ``hanson98``),
also asserted in the package's tests/test_theil.py. They are printed with 8 decimals, so
the tolerance is 1e-8 (absolute). Theil L (not in ``inequality``) is checked against its
definition mean(ln(μ / y)) computed per group by hand here, and both decompositions
against their identities (1e-12).
"""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest

from cityres import datasets
from cityres._shared.errors import ArgumentError, PanelError
from cityres.dynamics.theil import theil

# inequality 1.1.2, inequality/theil.py docstrings (Theil, TheilD), Mexico 1940…2000
DOC_T = [0.20894344, 0.15222451, 0.10472941, 0.10194725, 0.09560113, 0.10511256, 0.10660832]
DOC_BG = [0.0345889, 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731, 0.03635872]
DOC_WG = [0.17435454, 0.12405598, 0.0521202, 0.04263506, 0.06354856, 0.07547525, 0.0702496]
DECADES = list(range(1940, 2010, 10))


@pytest.fixture(scope="module")
def mexico() -> tuple[pd.DataFrame, dict[str, str]]:
    raw = pd.read_csv(libpysal.examples.get_path("mexico.csv"))
    long = raw.melt(id_vars=["State"], value_vars=[f"pcgdp{d}" for d in DECADES],
                    var_name="year", value_name="pcgdp")
    long["year"] = long["year"].str[5:].astype(int)
    regimes = dict(zip(raw["State"], raw["hanson98"].astype(int).astype(str), strict=True))
    return long.set_index(["State", "year"]), regimes


def test_matches_inequality_documented_values(mexico: tuple[pd.DataFrame, dict]) -> None:
    data, regimes = mexico
    res = theil(data, "pcgdp", group=regimes)
    o = res.overall
    assert o.index.tolist() == DECADES
    np.testing.assert_allclose(o["T"], DOC_T, rtol=0, atol=1e-8)
    np.testing.assert_allclose(o["T_between"], DOC_BG, rtol=0, atol=1e-8)
    np.testing.assert_allclose(o["T_within"], DOC_WG, rtol=0, atol=1e-8)
    np.testing.assert_allclose(theil(data, "pcgdp").overall["T"], DOC_T, atol=1e-8)


def test_theil_l_and_identities(mexico: tuple[pd.DataFrame, dict]) -> None:
    data, regimes = mexico
    res = theil(data, "pcgdp", group=regimes, time=[1940, 2000])
    o, g = res.overall, res.groups
    assert g is not None
    for t in (1940, 2000):
        y = data["pcgdp"].xs(t, level="year")
        lab = y.index.map(regimes)
        mu = y.mean()
        np.testing.assert_allclose(o.loc[t, "L"], np.mean(np.log(mu / y)), atol=1e-12)
        np.testing.assert_allclose(o.loc[t, "T"], np.mean(y / mu * np.log(y / mu)), atol=1e-12)
        lb = sum((lab == k).mean() * np.log(mu / y[lab == k].mean()) for k in set(lab))
        np.testing.assert_allclose(o.loc[t, "L_between"], lb, atol=1e-12)
        gt = g[g["year"] == t]
        np.testing.assert_allclose(gt["T_within"].sum(), o.loc[t, "T_within"], atol=1e-12)
        np.testing.assert_allclose(gt["L_within"].sum(), o.loc[t, "L_within"], atol=1e-12)
        np.testing.assert_allclose(gt["p"].sum(), 1, atol=1e-12)
        np.testing.assert_allclose(gt["s"].sum(), 1, atol=1e-12)
    for m in ("T", "L"):
        np.testing.assert_allclose(o[f"{m}_between_pct"] + o[f"{m}_within_pct"], 100,
                                   atol=1e-10)


def test_panel_and_bad_input() -> None:
    panel = datasets.load("yrd_sim")
    res = theil(panel, "gdp_pc", group="province")  # Shanghai alone is allowed here
    assert res.overall.shape == (13, 10) and res.membership is not None
    assert "Theil T and L" in res.summary()
    assert list(theil(panel, "gdp_pc").overall.columns) == ["T", "L"]
    with pytest.raises(PanelError, match="one group"):
        theil(panel, "gdp_pc", group={c: "x" for c in panel.cities.index})
    with pytest.raises(ArgumentError, match="time="):
        theil(panel, "gdp_pc", time=True)
    data = panel.data.copy()
    data.loc[("340100", 2020), "gdp_pc"] = 0.0
    with pytest.raises(PanelError, match=r"must be > 0.*340100/2020"):
        theil(data, "gdp_pc")
