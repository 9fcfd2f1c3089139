"""σ convergence (cityres.dynamics.sigma) on the bundled yrd_sim (SIMULATED) panel.

References: hand formulas written here (a brute-force O(n²) Gini, the Theil T sum, the
population CV), the PySAL ``inequality`` package 1.1.2 (``inequality.gini.Gini``,
``inequality.theil.Theil``) and statsmodels 0.15 OLS with ``cov_type="HAC"`` for the trend
test; all compared at rtol 1e-12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from inequality.gini import Gini
from inequality.theil import Theil

from cityres import datasets
from cityres._shared.errors import ArgumentError, PanelError
from cityres.dynamics.sigma import sigma


@pytest.fixture(scope="module")
def panel():  # type: ignore[no-untyped-def]
    return datasets.load("yrd_sim")


def test_measures_equal_hand_formulas_and_inequality(panel) -> None:  # type: ignore[no-untyped-def]
    res = sigma(panel, "de_latent")
    wide = panel.data["de_latent"].unstack()
    for year in (2011, 2017, 2023):
        x = wide[year].to_numpy()
        n, m = x.size, x.mean()
        row = res.table.loc[year]
        np.testing.assert_allclose(row["cv"], np.sqrt(((x - m) ** 2).sum() / n) / m, rtol=1e-12)
        np.testing.assert_allclose(row["sd_log"], np.log(x).std(), rtol=1e-12)
        brute = np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * m)
        np.testing.assert_allclose(row["gini"], brute, rtol=1e-12)
        np.testing.assert_allclose(row["gini"], Gini(x).g, rtol=1e-12)
        np.testing.assert_allclose(row["theil"], Theil(x).T, rtol=1e-12)
        np.testing.assert_allclose(row["theil"], np.mean(x / m * np.log(x / m)), rtol=1e-12)
    assert round(float(res.table.loc[2011, "cv"]), 2) == 0.51
    assert round(float(res.table.loc[2023, "cv"]), 2) == 0.29


def test_groups_equal_subsets(panel) -> None:  # type: ignore[no-untyped-def]
    res = sigma(panel, "de_latent", group="region", measures=["cv", "gini"])
    assert list(dict.fromkeys(res.table.index.get_level_values(0))) == [
        "overall", "central", "east"]
    east = panel.cities.index[panel.cities["region"] == "east"]
    sub = panel.data.loc[panel.data.index.get_level_values(0).isin(east)]
    alone = sigma(sub, "de_latent", measures=["cv", "gini"])
    pd.testing.assert_frame_equal(res.table.loc["east"], alone.table, check_names=False)
    assert (res.table.loc["east", "n"] == 25).all()
    tidy = res.tidy()
    assert len(tidy) == 3 * 13 * 2 and list(tidy.columns) == ["group", "year", "measure",
                                                              "value"]


def test_trend_equals_statsmodels(panel) -> None:  # type: ignore[no-untyped-def]
    res = sigma(panel, "de_latent")
    trend = res.trend().set_index("measure")
    years = res.table.index.to_numpy(dtype=float)
    for m in ("cv", "theil"):
        fit = sm.OLS(res.table[m].to_numpy(), sm.add_constant(years)).fit(
            cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True}, use_t=True)
        np.testing.assert_allclose(trend.loc[m, ["slope", "std_error", "p"]].to_numpy(
            dtype=float), [fit.params[1], fit.bse[1], fit.pvalues[1]], rtol=1e-12)
        assert trend.loc[m, "maxlags"] == 2
        np.testing.assert_allclose(trend.loc[m, "ratio"],
                                   res.table[m].iloc[-1] / res.table[m].iloc[0], rtol=1e-14)
    assert (trend["slope"] < 0).all()
    assert "Newey–West" in res.summary()
    assert res.trend(maxlags=0).loc[0, "maxlags"] == 0


def test_bad_input(panel) -> None:  # type: ignore[no-untyped-def]
    frame = panel.data[["de_latent"]].copy()
    frame.loc[("320500", 2015), "de_latent"] = -0.1
    with pytest.raises(PanelError, match=r"320500/2015"):
        sigma(frame, "de_latent", measures=["sd_log"])
    sigma(frame, "de_latent", measures=["cv"])  # no log: accepted
    with pytest.raises(ArgumentError, match=r"measures.*'cv'"):
        sigma(panel, "de_latent", measures=["variance"])  # type: ignore[list-item]
    one = {c: ("a" if c == "320500" else "b") for c in panel.cities.index}
    with pytest.raises(PanelError, match=r"single unit.*320500"):
        sigma(panel, "de_latent", group=one)
    with pytest.raises(ArgumentError, match="maxlags"):
        sigma(panel, "de_latent").trend(maxlags=-1)
    short = panel.data.loc[panel.data.index.get_level_values(1) < 2013, ["de_latent"]]
    with pytest.raises(PanelError, match="at least 3 periods"):
        sigma(short, "de_latent").trend()
