"""Martin measures on the SIMULATED yrd_sim panel against the simulation's truth.

The simulation stores, per city, Martin resistance ``(g_i − g_N)/|g_N|`` with
``g = E_2020/E_2019 − 1`` and recovery ``(h_i − h_N)/|h_N|`` with ``h = E_2023/E_2020 − 1``,
``N`` the sum over the 41 cities, for ``emp_total`` and ``gdp``
(``cityres.datasets.sim.sectors.martin``), and the shift-share split of the 2019→2020
employment change (``sectors.shift_share``). These are the formulas of
:func:`cityres.resilience.martin` with ``benchmark="sum"``, contraction (2019, 2020) and
recovery (2020, 2023), so the values must agree:

- on the data of ``simulate(seed=20240501)`` (full precision), to 1e-9;
- on the bundled ``yrd_sim.csv`` (10 significant digits, relative rounding < 5e-10), to
  1e-7: a growth rate off by ~1e-9 divided by |g_N| ≈ 0.031 moves by ~3e-8.

The structural truth behind them — the city shock component ``c_i`` and recovery rate
``r_i`` — is checked by rank correlation (Spearman, figures in the asserts).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

import cityres
from cityres.data import CityPanel
from cityres.datasets.sim import simulate
from cityres.datasets.sim.params import SECTORS
from cityres.resilience import martin

WINDOWS: dict[str, Any] = {"contraction": (2019, 2020), "recovery": (2020, 2023)}
EMP_SECTORS = [f"emp_{s}" for s in SECTORS]


@pytest.fixture(scope="module")
def sim() -> tuple[CityPanel, dict[str, Any]]:
    data = simulate(seed=20240501)
    return data.to_panel(), data.truth


def _truth(cities: dict[str, Any], index: Any, key: str) -> np.ndarray:
    return np.array([cities[c][key] for c in index])


@pytest.mark.parametrize(("outcome", "key"), [("emp_total", "emp"), ("gdp", "gdp")])
def test_equals_the_truth_of_the_simulation(
    sim: tuple[CityPanel, dict[str, Any]], outcome: str, key: str
) -> None:
    panel, truth = sim
    tab = martin(panel, outcome, **WINDOWS).table
    cities = truth["cities"]
    np.testing.assert_allclose(tab["resistance"], _truth(cities, tab.index, f"resistance_{key}"),
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(tab["recovery"], _truth(cities, tab.index, f"recovery_{key}"),
                               rtol=0, atol=1e-9)


def test_shift_share_equals_the_truth(sim: tuple[CityPanel, dict[str, Any]]) -> None:
    """Shift-share resistance = competitive / |expected| of the truth's split."""
    panel, truth = sim
    res = martin(panel, "emp_total", **WINDOWS, sectors=EMP_SECTORS)
    cities = truth["cities"]
    comp = _truth(cities, res.table.index, "shift_share_competitive_emp")
    exp = _truth(cities, res.table.index, "shift_share_expected_emp")
    np.testing.assert_allclose(res.table["resistance"], comp / np.abs(exp), rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.components["expected_contraction"], exp, rtol=0, atol=1e-12)
    growth = res.sector_growth
    assert growth is not None
    for s, g in truth["shock"]["aggregate_sector_emp_growth"].items():
        assert growth.loc[f"emp_{s}", "contraction"] == pytest.approx(g, abs=1e-12)


def test_bundled_file_matches_the_bundled_truth() -> None:
    panel = cityres.datasets.load("yrd_sim")
    cities = cityres.datasets.truth("yrd_sim")["cities"]
    res = martin(panel, "emp_total", **WINDOWS)
    assert res.simulated
    tab = res.table
    for m in ("resistance", "recovery"):
        np.testing.assert_allclose(tab[m], _truth(cities, tab.index, f"{m}_emp"),
                                   rtol=0, atol=1e-7)
    shock = cityres.datasets.truth("yrd_sim")["shock"]
    assert res.benchmark_changes["contraction"] == pytest.approx(
        shock["aggregate_emp_change"], abs=1e-9)


def test_ranks_follow_the_structural_truth(sim: tuple[CityPanel, dict[str, Any]]) -> None:
    """Measured vs. structural: Spearman 0.830 (resistance ~ c_i), 0.405 (recovery ~ r_i)."""
    panel, truth = sim
    tab = martin(panel, "emp_total", **WINDOWS).table
    cities = truth["cities"]
    rho_res = spearmanr(tab["resistance"], _truth(cities, tab.index, "shock_component"))[0]
    rho_rec = spearmanr(tab["recovery"], _truth(cities, tab.index, "recovery_rate"))[0]
    assert rho_res == pytest.approx(0.8301, abs=1e-3)
    assert rho_rec == pytest.approx(0.4049, abs=1e-3)
    # identical measures rank identically with the stored truth
    rho_exact = spearmanr(tab["resistance"], _truth(cities, tab.index, "resistance_emp"))[0]
    assert rho_exact == pytest.approx(1.0, abs=1e-12)


def test_detect_finds_the_2020_shock(sim: tuple[CityPanel, dict[str, Any]]) -> None:
    panel, _ = sim
    res = martin(panel, "emp_total", contraction="detect")
    assert str(res.windows) == "2019–2020 / 2020–2023"
    assert res.windows.detected is not None
    assert res.windows.detected.recovered_year == 2023
    ref = martin(panel, "emp_total", **WINDOWS).table
    np.testing.assert_array_equal(res.table["resistance"], ref["resistance"])
