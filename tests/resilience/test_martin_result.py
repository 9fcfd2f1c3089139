"""ResilienceResult views (indexed, tidy, summary), immutability, typology, docstrings."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

import cityres
from cityres.resilience import TYPES, ResilienceResult, martin, typology


@pytest.fixture(scope="module")
def res() -> ResilienceResult:
    panel = cityres.datasets.load("yrd_sim")  # SIMULATED
    return martin(panel, "emp_total", contraction=(2019, 2020), recovery=(2020, 2023))


def test_table_columns(res: ResilienceResult) -> None:
    assert list(res.table.columns) == [
        "resistance", "recovery", "sensitivity", "peak_year", "trough_year",
        "years_to_recover", "permanent_loss", "type", "type_zh", "type_en",
    ]
    assert res.table.index.name == "city" and len(res.table) == 41
    assert (res.table["peak_year"] == 2019).all() and (res.table["trough_year"] == 2020).all()


def test_indexed_is_100_in_the_pre_shock_year(res: ResilienceResult) -> None:
    ix = res.indexed()
    assert list(ix.index) == list(range(2011, 2024))
    assert ix.columns[-1] == "benchmark" and ix.shape[1] == 42
    np.testing.assert_allclose(ix.loc[2019], 100.0, rtol=0, atol=1e-12)
    g = res.benchmark_changes["contraction"]
    assert ix.loc[2020, "benchmark"] == pytest.approx(100 * (1 + g), abs=1e-10)


def test_tidy_holds_every_measure_with_its_years(res: ResilienceResult) -> None:
    t = res.tidy()
    assert list(t.columns) == ["city", "measure", "value", "start", "end"]
    assert len(t) == 41 * 5
    r = t[t["measure"] == "recovery"]
    assert (r["start"] == 2020).all() and (r["end"] == 2023).all()
    pl = t[(t["measure"] == "permanent_loss") & (t["city"] == "310000")]
    assert pl["value"].iloc[0] == res.table.loc["310000", "permanent_loss"]


def test_summary_and_repr_say_simulated(res: ResilienceResult) -> None:
    text = res.summary()
    assert text.startswith("*** SIMULATED DATA")
    assert "contraction 2019–2020; recovery 2020–2023" in text
    assert "benchmark change (contraction): -3.069 %" in text
    assert "had not regained their 2019 level by 2023" in text
    assert "SIMULATED" in repr(res)


def test_result_is_immutable(res: ResilienceResult) -> None:
    with pytest.raises(AttributeError, match="immutable"):
        res.windows = None  # type: ignore[misc]
    t = res.table
    t.loc["310000", "resistance"] = 99.0
    assert res.table.loc["310000", "resistance"] != 99.0


def test_typology_without_recovery() -> None:
    out = typology(pd.Series([0.2, -0.1, 0.0]), pd.Series([np.nan, 0.5, 0.0]))
    assert out["type"].tolist() == ["resistant", "not_resistant_recovered",
                                    "not_resistant_not_recovered"]
    assert out["type_en"].tolist() == [TYPES[c][1] for c in out["type"]]


@pytest.mark.parametrize("module", ["cityres.resilience", "cityres.resilience.martin",
                                    "cityres.resilience.shocks"])
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
