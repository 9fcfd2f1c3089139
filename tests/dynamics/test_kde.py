"""Kernel densities by year (cityres.dynamics.kde.density).

References: scipy.stats.gaussian_kde (scipy 1.17) called directly on the same samples
(rtol 1e-12), and a hand Gaussian kernel sum f(x) = mean_i φ((x − x_i)/h)/h with the
bandwidths written out here: Scott h = s n^(-1/5), Silverman h = s (3n/4)^(-1/5), s the
sample standard deviation (rtol 1e-10). Densities integrate to one on the grid
(trapezoid rule, atol 1e-4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import gaussian_kde, norm

import cityres
from cityres._shared.errors import ArgumentError, ArgumentTypeError, PanelError
from cityres.dynamics.kde import density


@pytest.fixture(scope="module")
def panel() -> cityres.data.CityPanel:
    return cityres.datasets.load("yrd_sim")


def _hand(x: np.ndarray, grid: np.ndarray, h: float) -> np.ndarray:
    return norm.pdf((grid[:, None] - x[None, :]) / h).mean(axis=1) / h


@pytest.mark.parametrize("rule", ["scott", "silverman"])
def test_against_scipy_and_a_hand_kernel_sum(panel: cityres.data.CityPanel, rule: str) -> None:
    res = density(panel, "de_latent", years=[2011, 2023], bandwidth=rule)
    for year in (2011, 2023):
        x = panel.data["de_latent"].xs(year, level="year").sort_index().to_numpy()
        n, s = x.size, x.std(ddof=1)
        h = s * (n ** -0.2 if rule == "scott" else (3 * n / 4) ** -0.2)
        got = res.densities[("all", year)].to_numpy()
        np.testing.assert_allclose(got, gaussian_kde(x, bw_method=rule)(res.grid), rtol=1e-12)
        np.testing.assert_allclose(got, _hand(x, res.grid, h), rtol=1e-10, atol=1e-14)
        assert res.stats.loc[("all", year), "bandwidth"] == pytest.approx(h, rel=1e-12)
    assert res.rule == rule and res.years == (2011, 2023)


def test_fixed_bandwidth_log_and_groups(panel: cityres.data.CityPanel) -> None:
    res = density(panel, "gdp_pc", group="region", bandwidth=0.15, log=True, grid=300)
    assert res.densities.shape == (300, 2 * 13) and res.groups == ("east", "central")
    np.testing.assert_allclose(res.bandwidths, 0.15, rtol=1e-12)
    region = panel.cities["region"]
    x = np.log(panel.data["gdp_pc"].xs(2015, level="year"))
    x = x[region.reindex(x.index) == "central"].to_numpy()
    np.testing.assert_allclose(res.densities[("central", 2015)], _hand(x, res.grid, 0.15),
                               rtol=1e-10, atol=1e-14)
    assert res.densities.index.name == "log(gdp_pc)"


def test_densities_integrate_to_one(panel: cityres.data.CityPanel) -> None:
    res = density(panel, "de_latent", grid=400)
    area = np.trapezoid(res.densities.to_numpy(), res.grid, axis=0)
    np.testing.assert_allclose(area, 1.0, atol=1e-4)


def test_tidy_and_summary(panel: cityres.data.CityPanel) -> None:
    res = density(panel, "de_latent", years=[2011, 2017])
    tidy = res.tidy()
    assert list(tidy.columns) == ["group", "year", "x", "density"] and len(tidy) == 400
    assert tidy["year"].tolist()[:1] == [2011]
    assert "Scott's rule" in res.summary()
    st = res.stats
    assert (st["modes"] >= 1).all() and st["n"].dtype == np.int64


def test_bad_input(panel: cityres.data.CityPanel) -> None:
    with pytest.raises(ArgumentError, match=r"bandwidth='normal'; accepted: 'scott' or "
                                            r"'silverman' or a positive number"):
        density(panel, "de_latent", bandwidth="normal")
    with pytest.raises(ArgumentError, match=r"bandwidth=-1"):
        density(panel, "de_latent", bandwidth=-1.0)
    with pytest.raises(ArgumentError, match=r"years \[2030\] not in the data \(2011–2023\)"):
        density(panel, "de_latent", years=[2011, 2030])
    with pytest.raises(ArgumentError, match=r"grid=3"):
        density(panel, "de_latent", grid=3)
    with pytest.raises(ArgumentTypeError, match=r"grid must be an integer"):
        density(panel, "de_latent", grid=2.5)  # type: ignore[arg-type]
    data = panel.data.copy()
    data.loc[("310000", 2012), "resilience"] = -0.5
    frame = data[["resilience"]]
    with pytest.raises(PanelError, match=r"must be > 0.*310000/2012"):
        density(frame, "resilience", log=True)
    one = {c: ("solo" if c == "310000" else "rest") for c in panel.cities.index}
    with pytest.raises(PanelError, match=r"group 'solo', year 2011: .*at least two cities"):
        density(panel, "de_latent", group=pd.Series(one))
