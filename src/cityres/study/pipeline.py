"""Run a study: prepare data, run or reuse each step, write the output folder atomically.

Output folder::

    report.html          self-contained bilingual report
    manifest.json        inputs' hashes, versions, seeds, steps, warnings, data log;
                         run-specific facts (timings, cache hits) under "run"
    study.duckdb         the prepared panel, its cities and every table (SQL)
    tables/<step>__<table>.parquet|.csv
    figures/<step>__<figure>.<zh|en>.png|.svg
    .cache/<key>/        rendered step outputs, reused when inputs and parameters match

The folder is built beside the target and swapped in only when everything succeeded, so
a failed run leaves the previous folder (or nothing) behind, never a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cityres._shared.errors import StudyConfigError
from cityres.report.document import ReportDoc, Section
from cityres.report.i18n import Text
from cityres.study.config import StepCall, StudyConfig, load_study
from cityres.study.params import params_to_dict
from cityres.study.prepare import Prepared, prepare
from cityres.study.registry import StepContext
from cityres.study.store import publish_entry, read_entry, write_duckdb, write_entry

PACKAGES = ("cityres", "numpy", "pandas", "scipy", "geopandas", "shapely", "libpysal",
            "matplotlib", "duckdb", "pyarrow", "openpyxl")
MANIFEST_MARK = "cityres-study-manifest"


@dataclass(frozen=True)
class StepRecord:
    """How one step went: its cache key, whether it was reused, and its duration."""

    id: str
    step: str
    key: str
    cached: bool
    seconds: float


@dataclass(frozen=True)
class RunResult:
    """The output folder and what happened."""

    out: Path
    report: Path
    manifest: dict[str, Any]
    steps: tuple[StepRecord, ...]


def _versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _labels(prepared: Prepared) -> dict[str, Text]:
    from cityres.report.i18n import COMMON

    labels = dict(COMMON)
    variables = prepared.panel.variables
    if variables is not None and {"label_zh", "label_en"} <= set(variables.columns):
        for name, row in variables.iterrows():
            labels[str(name)] = Text(str(row["label_zh"]), str(row["label_en"]))
    return labels


def step_files(call: StepCall, base: Path) -> dict[str, str]:
    """SHA-256 of each extra file the step reads (e.g. a user's indicator system)."""
    from cityres.study.store import sha256_file

    if call.spec.files is None:
        return {}
    return {str(p): sha256_file(p) for p in call.spec.files(call.params, base)}


def _strings(value: Any) -> set[str]:
    """Every string inside a parameter value (nested lists and tables included)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def step_key(call: StepCall, prepared: Prepared, seed: int, base: Path,
             earlier: Mapping[str, str] | None = None) -> str:
    """The cache key of a step: its code version, parameters, data, extra files and seed,
    and the keys of the earlier steps it reads (those whose ids its parameters name, e.g.
    an index step whose scores a regression uses), so a changed index re-runs them."""
    params = params_to_dict(call.params)
    named = _strings(params)
    reads = {sid: k for sid, k in (earlier or {}).items() if sid in named}
    payload = {
        "files": step_files(call, base),
        "cityres": _versions()["cityres"],
        "step": call.spec.name,
        "version": call.spec.version,
        "id": call.id,
        "params": params,
        "data": prepared.fingerprint,
        "seed": seed,
    }
    if reads:
        payload["reads"] = reads
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def step_seed(seed: int, step_id: str) -> np.random.SeedSequence:
    """A step's own random stream: from the study seed and the step's id only.

    Independent of the step's position, so adding or reordering steps never changes the
    numbers (or invalidates the cache) of the others.
    """
    return np.random.SeedSequence(step_entropy(seed, step_id))


def step_entropy(seed: int, step_id: str) -> list[int]:
    """The entropy of a step's seed sequence: ``[study seed, 64-bit hash of the id]``."""
    return [seed, int.from_bytes(hashlib.sha256(step_id.encode()).digest()[:8], "little")]


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise StudyConfigError(f"--out {out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        manifest = out / "manifest.json"
        ok = manifest.exists() and MANIFEST_MARK in manifest.read_text(encoding="utf-8")[:200]
        if not ok:
            raise StudyConfigError(
                f"--out {out}: the folder is not empty and is not a cityres output folder; "
                "choose a new or empty folder (cityres replaces its output folders whole)"
            )


def run_study(
    study: str | Path | StudyConfig,
    out: str | Path,
    *,
    progress: bool | None = None,
) -> RunResult:
    """Run ``study`` and write its output folder ``out``.

    Parameters
    ----------
    study : path or StudyConfig
        The study file (validated with :func:`~cityres.study.load_study`) or a loaded one.
    out : path
        The output folder; created, or replaced if it holds an earlier cityres output.
    progress : bool, optional
        Show a progress bar (default: when standard error is a terminal).

    Returns
    -------
    RunResult
    """
    config = study if isinstance(study, StudyConfig) else load_study(study)
    out = Path(out).resolve()
    _check_target(out)
    t_start = time.perf_counter()
    prepared = prepare(config)
    t_prepare = time.perf_counter() - t_start
    labels = _labels(prepared)
    old_cache = out / ".cache"
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        records, sections, files = _run_steps(config, prepared, labels, old_cache, tmp, progress)
        tables = write_duckdb(tmp, prepared.panel.data, prepared.panel.cities)
        manifest = _manifest(config, prepared, records, files, tables, t_prepare,
                             time.perf_counter() - t_start)
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, default=str) + "\n",
            encoding="utf-8")
        doc = _document(config, prepared, sections, manifest)
        from cityres.report.html import render_html

        (tmp / "report.html").write_text(render_html(doc), encoding="utf-8")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return RunResult(out, out / "report.html", manifest, tuple(records))


def _run_steps(config: StudyConfig, prepared: Prepared, labels: dict[str, Text],
               old_cache: Path, tmp: Path, progress: bool | None
               ) -> tuple[list[StepRecord], list[Section], dict[str, dict[str, list[str]]]]:
    from rich.progress import Progress

    show = progress if progress is not None else sys.stderr.isatty()
    seeds = [step_seed(config.seed, call.id) for call in config.steps]
    records: list[StepRecord] = []
    sections: list[Section] = []
    files: dict[str, dict[str, list[str]]] = {}
    outputs: dict[str, dict[str, Any]] = {}
    keys: dict[str, str] = {}
    with Progress(transient=True, disable=not show) as bar:
        task = bar.add_task("study", total=len(config.steps))
        for call, seed in zip(config.steps, seeds, strict=True):
            bar.update(task, description=f"step {call.id}")
            t0 = time.perf_counter()
            key = step_key(call, prepared, config.seed, config.path.parent, keys)
            keys[call.id] = key
            entry = tmp / ".cache" / key
            cached = (old_cache / key / "entry.json").exists()
            if cached:
                shutil.copytree(old_cache / key, entry)
            else:
                ctx = StepContext(prepared.panel, call.id, seed, labels, prepared.source,
                                  outputs, config.path.parent.resolve())
                result = call.spec.run(ctx, call.params)
                write_entry(entry, call.id, result, simulated=prepared.panel.simulated)
            meta, items = read_entry(entry)
            outputs[call.id] = {t["key"]: pd.read_parquet(entry / f"{t['key']}.parquet")
                                for t in meta["tables"]}
            files[call.id] = publish_entry(entry, tmp, call.id)
            intro = meta.get("intro")
            sections.append(Section(call.id, call.spec.title, tuple(items),
                                    Text(intro["zh"], intro["en"]) if intro else None))
            records.append(StepRecord(call.id, call.spec.name, key, cached,
                                      time.perf_counter() - t0))
            bar.advance(task)
    return records, sections, files


def _swap(tmp: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)


def _manifest(config: StudyConfig, prepared: Prepared, records: list[StepRecord],
              files: dict[str, dict[str, list[str]]], tables: list[str], t_prepare: float,
              t_total: float) -> dict[str, Any]:
    steps = []
    for call, rec in zip(config.steps, records, strict=True):
        steps.append({"id": call.id, "step": call.spec.name, "version": call.spec.version,
                      "params": params_to_dict(call.params), "key": rec.key,
                      "seed_entropy": step_entropy(config.seed, call.id),
                      "files": step_files(call, config.path.parent),
                      "outputs": files[call.id]})
    return {
        "format": MANIFEST_MARK,
        "study": {"file": config.path.name, "sha256": hashlib.sha256(
            config.text.encode()).hexdigest(), "title": config.title.as_dict()},
        "simulated": prepared.panel.simulated,
        "inputs": list(prepared.inputs),
        "data": {"fingerprint": prepared.fingerprint, "cities": len(prepared.panel.city_ids),
                 "years": prepared.panel.years, "columns": prepared.panel.columns},
        "seed": config.seed,
        "versions": _versions(),
        "python": platform.python_version(),
        "steps": steps,
        "duckdb_tables": tables,
        "warnings": list(prepared.warnings),
        "data_log": [str(c) for c in prepared.panel.log],
        "run": {
            "timings_seconds": {"prepare": round(t_prepare, 4), "total": round(t_total, 4),
                                **{r.id: round(r.seconds, 4) for r in records}},
            "cached_steps": [r.id for r in records if r.cached],
        },
    }


def _document(config: StudyConfig, prepared: Prepared, sections: list[Section],
              manifest: dict[str, Any]) -> ReportDoc:
    panel = prepared.panel
    facts: list[tuple[Text, str]] = [
        (Text("数据", "Data"), prepared.source.en),
        (Text("城市 × 年份", "Cities × years"), f"{len(panel.city_ids)} × {len(panel.years)}"),
        (Text("随机种子", "Seed"), str(config.seed)),
        (Text("研究文件 SHA-256", "Study file SHA-256"), manifest["study"]["sha256"][:16]),
        (Text("软件版本", "Software"),
         ", ".join(f"{k} {v}" for k, v in manifest["versions"].items())),
    ]
    for i in prepared.inputs:
        facts.append((Text("输入文件", "Input file"), f"{i.get('file')} sha256:{i['sha256'][:12]}"))
    return ReportDoc(
        title=config.title,
        subtitle=Text("由 cityres 生成", "Generated by cityres"),
        sections=tuple(sections),
        simulated=prepared.panel.simulated,
        facts=tuple(facts),
        warnings=prepared.warnings,
        data_log=tuple(manifest["data_log"]),
        generated_with=f"cityres {manifest['versions']['cityres']}",
        default_lang=config.lang,
    )
