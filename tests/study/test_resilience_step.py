"""The ``resilience`` study step on the bundled yrd_sim (SIMULATED) panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cityres import datasets
from cityres.resilience import martin
from cityres.study import run_study

STUDY = """\
[study]
seed = 1

[data]
dataset = "yrd_sim"

[[steps]]
step = "resilience"
outcome = "emp_total"
contraction = [2019, 2020]
recovery = [2020, 2023]

[[steps]]
id = "shift_share"
step = "resilience"
outcome = "emp_total"
sectors = ["emp_agriculture", "emp_manufacturing", "emp_construction", "emp_trade",
           "emp_ict", "emp_finance", "emp_other_services"]
"""


def test_resilience_step_outputs_match_library(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(STUDY, encoding="utf-8")
    out = tmp_path / "out"
    run_study(path, out, progress=False)
    for name in ("resilience__measures", "resilience__indexed", "shift_share__measures"):
        assert (out / "tables" / f"{name}.parquet").exists()
    for fig in ("map", "quadrants", "indexed"):
        assert (out / "figures" / f"resilience__{fig}.zh.png").exists()
    stored = pd.read_parquet(out / "tables" / "resilience__measures.parquet").set_index("city")
    expected = martin(datasets.load("yrd_sim"), "emp_total", contraction=(2019, 2020),
                      recovery=(2020, 2023)).table
    np.testing.assert_allclose(stored.loc[expected.index, "resistance"].to_numpy(),
                               expected["resistance"].to_numpy(), atol=1e-12)
    # the detected shock (shift-share step, no contraction given) is the simulated 2019–2020
    detected = pd.read_parquet(out / "tables" / "shift_share__measures.parquet")
    assert set(detected["peak_year"]) == {2019} and set(detected["trough_year"]) == {2020}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "冲击下的经济韧性" in html and "Resilience to shocks" in html


def test_english_labels_tell_same_name_cities_apart() -> None:
    from cityres.study.steps._common import city_labels

    panel = datasets.load("yrd41")
    en = city_labels(panel, "en")
    assert en["320500"] == "Suzhou (Jiangsu)" and en["341300"] == "Suzhou (Anhui)"
    assert en["321200"] == "Taizhou (Jiangsu)" and en["331000"] == "Taizhou (Zhejiang)"
    assert en["320100"] == "Nanjing" and en.is_unique
    assert city_labels(panel, "zh")["341300"] == "宿州市"
