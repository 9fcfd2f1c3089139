"""Load a study's data and apply its transformations, recording inputs and warnings."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cityres._shared.errors import CityresError, StudyConfigError
from cityres.data.panel import CityPanel
from cityres.report.i18n import Text
from cityres.study.config import StudyConfig
from cityres.study.store import sha256_file


@dataclass(frozen=True)
class Prepared:
    """The prepared panel with what went into it."""

    panel: CityPanel
    inputs: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    source: Text
    fingerprint: str


def _dataset_inputs(name: str) -> list[dict[str, Any]]:
    from cityres.datasets._registry import data_file, get

    info = get(name)
    files = {
        "yrd41": ["china_cities.csv", "yrd41.geojson"],
        "yrd_sim": ["yrd_sim.csv", "yrd_sim.cities.csv", "yrd_sim.codebook.csv",
                    "yrd41.geojson"],
        "produc": ["produc.csv"],
        "cigar": ["cigar.csv"],
    }.get(name, [])
    return [{"dataset": name, "file": f, "sha256": sha256_file(data_file(f)),
             "kind": info.kind, "source": info.source} for f in files]


def fingerprint(panel: CityPanel) -> str:
    """A hash of everything a step can see: data, city table, geometry, simulated flag."""
    h = hashlib.sha256()
    data = panel.data
    h.update(repr(list(data.columns)).encode())
    h.update(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes())
    h.update(panel.cities.to_csv().encode())
    geo = panel.geometry
    if geo is not None:
        h.update(b"".join(geo.geometry.to_wkb()))
    if panel.variables is not None:
        h.update(panel.variables.to_csv().encode())
    h.update(b"simulated" if panel.simulated else b"real")
    return h.hexdigest()


def prepare(config: StudyConfig) -> Prepared:
    """Load the data of ``config`` and apply its transformations in order."""
    from cityres import datasets
    from cityres.data.io import read_panel

    spec = config.data
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        if spec.dataset is not None:
            loaded = datasets.load(spec.dataset)
            if not isinstance(loaded, CityPanel):
                raise StudyConfigError(
                    f"{config.path}: data.dataset = {spec.dataset!r} is not a panel; use one of "
                    "yrd_sim, produc, cigar, or data.path"
                )
            panel = loaded
            inputs = _dataset_inputs(spec.dataset)
            kind = "SIMULATED " if panel.simulated else ""
            source = Text(f"cityres 内置{'模拟' if panel.simulated else ''}数据集 {spec.dataset}",
                          f"cityres bundled {kind}dataset {spec.dataset}")
        else:
            try:
                panel = read_panel(list(spec.paths), **spec.read)
            except CityresError as exc:
                raise StudyConfigError(f"{config.path}: reading data.path failed: {exc}") from exc
            inputs = [{"file": str(p), "sha256": sha256_file(p), "kind": "user"}
                      for p in spec.paths]
            names = ", ".join(p.name for p in spec.paths)
            source = Text(f"用户数据 {names}", f"user data {names}")
        if spec.geometry == "yrd41":
            panel = _with_geometry(panel)
        for t in config.transforms:
            try:
                panel = getattr(panel, t.op)(**t.kwargs)
            except CityresError as exc:
                raise StudyConfigError(f"{config.path}: {t.where} ({t.op}): {exc}") from exc
        caught = [f"{w.category.__name__}: {w.message}" for w in record]
    return Prepared(panel, tuple(inputs), tuple(caught), source, fingerprint(panel))


def _with_geometry(panel: CityPanel) -> CityPanel:
    from cityres.datasets.china import yrd41_geometry

    geo = yrd41_geometry()
    return CityPanel(panel.data, panel.cities, geometry=geo[geo.index.isin(panel.city_ids)],
                     log=panel.log, meta=panel.meta, variables=panel.variables)
