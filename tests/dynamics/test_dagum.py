"""Dagum's (1997) Gini decomposition.

References: (1) a brute-force O(n²) implementation written here from Dagum (1997,
Empirical Economics 22:515–531, eqs. 2–12), forming every pairwise difference and the
first moments of transvariation d_jh, p_jh directly — agreement to 1e-12; (2) the
identity G = G_w + G_nb + G_t (1e-12); (3) with one group, G equals the ordinary Gini of
PySAL ``inequality.gini.Gini`` 1.1.2 (same ΣΣ|y_i − y_r|/(2n²μ) form; 1e-12); (4) a small
example computed by hand below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from inequality.gini import Gini

from cityres import datasets
from cityres._shared.errors import ArgumentError, PanelError
from cityres.dynamics.dagum import dagum, dagum_gini


def brute(y: np.ndarray, g: np.ndarray) -> dict[str, float]:
    """Dagum (1997) with n × n difference matrices, groups ordered by mean."""
    n, mu = y.size, y.mean()
    G = np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * mu)
    names = sorted(set(g), key=lambda k: y[g == k].mean())  # ascending means
    part = {k: y[g == k] for k in names}
    p = {k: part[k].size / n for k in names}
    s = {k: part[k].sum() / y.sum() for k in names}
    m = {k: part[k].mean() for k in names}
    gw = sum(np.abs(part[k][:, None] - part[k][None, :]).sum() / (2 * part[k].size ** 2 * m[k])
             * p[k] * s[k] for k in names)
    gnb = gt = 0.0
    for a in range(1, len(names)):
        for b in range(a):
            j, h = names[a], names[b]  # mean_j >= mean_h
            diff = part[j][:, None] - part[h][None, :]
            gjh = np.abs(diff).sum() / (part[j].size * part[h].size * (m[j] + m[h]))
            d = np.where(diff > 0, diff, 0).mean()
            pp = np.where(diff < 0, -diff, 0).mean()
            D = (d - pp) / (d + pp)
            w = p[j] * s[h] + p[h] * s[j]
            gnb += gjh * w * D
            gt += gjh * w * (1 - D)
    return {"G": G, "Gw": gw, "Gnb": gnb, "Gt": gt}


def test_hand_example() -> None:
    # y = (1, 3 | 2, 6), groups A = {1, 3}, B = {2, 6}; n = 4, μ = 3, total 12.
    # ΣΣ|y_i − y_r| over ordered pairs: 2·(|1−3|+|1−2|+|1−6|+|3−2|+|3−6|+|2−6|) = 2·16 = 32,
    #   G = 32 / (2·16·3) = 1/3.
    # G_AA = 2·2 / (2·4·2) = 1/4;  G_BB = 2·4 / (2·4·4) = 1/4.
    # p_A = p_B = 1/2; s_A = 4/12 = 1/3, s_B = 8/12 = 2/3.
    # G_w = 1/4·1/2·1/3 + 1/4·1/2·2/3 = 1/8.
    # B has the higher mean (4 > 2): differences y_B − y_A: 2−1=1, 2−3=−1, 6−1=5, 6−3=3.
    #   d_BA = (1+5+3)/4 = 9/4, p_BA = 1/4, D = (9/4 − 1/4)/(10/4) = 4/5.
    #   G_BA = (1+1+5+3) / (2·2·(4+2)) = 10/24 = 5/12.
    #   weight p_B s_A + p_A s_B = 1/2·1/3 + 1/2·2/3 = 1/2.
    # G_nb = 5/12·1/2·4/5 = 1/6;  G_t = 5/12·1/2·1/5 = 1/24.
    # check: 1/8 + 1/6 + 1/24 = 3/24 + 4/24 + 1/24 = 8/24 = 1/3 = G.
    d = dagum_gini([1.0, 3.0, 2.0, 6.0], ["A", "A", "B", "B"])
    np.testing.assert_allclose([d.G, d.Gw, d.Gnb, d.Gt], [1 / 3, 1 / 8, 1 / 6, 1 / 24],
                               rtol=0, atol=1e-15)
    np.testing.assert_allclose(d.within.to_numpy(), [0.25, 0.25], atol=1e-15)
    assert d.between.index.tolist() == ["A–B"]
    np.testing.assert_allclose(d.between.iloc[0], 5 / 12, atol=1e-15)
    np.testing.assert_allclose(d.transvariation.iloc[0], 4 / 5, atol=1e-15)
    np.testing.assert_allclose(d.groups["s"].to_numpy(), [1 / 3, 2 / 3], atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_agrees_with_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    y = rng.lognormal(0, 0.7, n)
    y[:5] = y[5:10]  # ties inside and across groups
    g = rng.choice(np.array(["a", "b", "c", "d"]), size=n)
    g[:8] = ["a", "a", "b", "b", "c", "c", "d", "d"]
    d = dagum_gini(y, g)
    ref = brute(y, g)
    np.testing.assert_allclose([d.G, d.Gw, d.Gnb, d.Gt],
                               [ref["G"], ref["Gw"], ref["Gnb"], ref["Gt"]], rtol=0, atol=1e-12)
    assert abs(d.G - (d.Gw + d.Gnb + d.Gt)) < 1e-12
    assert ((d.transvariation >= 0) & (d.transvariation <= 1)).all()


def test_one_group_is_the_ordinary_gini() -> None:
    y = np.random.default_rng(5).lognormal(0, 1, 41)
    d = dagum_gini(y, ["all"] * 41)
    g = Gini(y).g
    np.testing.assert_allclose([d.G, d.Gw, d.within["all"]], [g, g, g], rtol=0, atol=1e-12)
    assert d.Gnb == 0 and d.Gt == 0 and d.between.empty


def test_by_year_frame_on_yrd_sim() -> None:
    panel = datasets.load("yrd_sim")
    res = dagum(panel, "de_latent", group="region")
    years = panel.years
    assert res.overall.index.tolist() == list(years)
    assert list(res.overall.columns) == ["G", "Gw", "Gnb", "Gt", "Gw_pct", "Gnb_pct",
                                         "Gt_pct"]
    o = res.overall
    np.testing.assert_allclose(o["G"], o["Gw"] + o["Gnb"] + o["Gt"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(o[["Gw_pct", "Gnb_pct", "Gt_pct"]].sum(axis=1), 100, atol=1e-10)
    region = panel.cities["region"]
    for t in (2011, 2017, 2023):
        y = panel.data["de_latent"].xs(t, level="year").sort_index()
        ref = brute(y.to_numpy(), region.reindex(y.index).to_numpy())
        np.testing.assert_allclose(o.loc[t, ["G", "Gw", "Gnb", "Gt"]].to_numpy(dtype=float),
                                   [ref[k] for k in ("G", "Gw", "Gnb", "Gt")], atol=1e-12)
        np.testing.assert_allclose(o.loc[t, "G"], Gini(y.to_numpy()).g, atol=1e-12)
    assert list(res.within.columns) == ["central", "east"]
    assert list(res.between.columns) == ["central–east"]
    # selecting years; a DataFrame with entity / period columns gives the same numbers
    one = dagum(panel, "de_latent", group="region", time=2015)
    pd.testing.assert_frame_equal(one.overall, o.loc[[2015]])
    long = panel.data.reset_index()
    alt = dagum(long, "de_latent", group=region.to_dict(), time=[2023, 2011],
                entity="city", time_col="year")
    pd.testing.assert_frame_equal(alt.overall, o.loc[[2011, 2023]])
    assert "Dagum Gini decomposition" in res.summary()
    assert res.tidy().columns[0] == "year"


def test_bad_input() -> None:
    panel = datasets.load("yrd_sim")
    with pytest.raises(PanelError, match=r"single city: 'Shanghai' \(\['310000'\]\)"):
        dagum(panel, "de_latent", group="province")
    with pytest.raises(PanelError, match="one group"):
        dagum(panel, "de_latent", group={c: "x" for c in panel.cities.index})
    with pytest.raises(ArgumentError, match=r"year\(s\) \[2030\] are not in the data"):
        dagum(panel, "de_latent", group="region", time=[2011, 2030])
    with pytest.raises(ArgumentError, match="group='nowhere'"):
        dagum(panel, "de_latent", group="nowhere")
    data = panel.data.copy()
    data.loc[("320100", 2013), "de_latent"] = -0.1
    with pytest.raises(PanelError, match=r"must be > 0.*320100/2013"):
        dagum(data, "de_latent", group=panel.cities["region"])
    with pytest.raises(PanelError, match=r"single member"):
        dagum_gini([1.0, 2.0, 3.0], ["a", "a", "b"])
    with pytest.raises(PanelError, match=r"> 0"):
        dagum_gini([1.0, 0.0, 3.0, 4.0], ["a", "a", "b", "b"])
    with pytest.raises(ArgumentError, match="as long as y"):
        dagum_gini([1.0, 2.0], ["a"])
