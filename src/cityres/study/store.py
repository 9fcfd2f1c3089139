"""The study's files: cached step outputs and the assembled output folder.

A cache entry (``<out>/.cache/<key>/``) holds everything a step produced, already
rendered: each table as Parquet, CSV and an HTML fragment per language, each figure as
PNG and SVG per language, and ``entry.json`` with captions. The output folder is
assembled from entries, so a cached step costs a file copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from cityres.report.document import ReportFigure, ReportTable
from cityres.report.i18n import LANGS, Text
from cityres.study.registry import StepResult


def _text(t: Text | None) -> dict[str, str] | None:
    return None if t is None else t.as_dict()


def _from(d: dict[str, str] | None) -> Text | None:
    return None if d is None else Text(d["zh"], d["en"])


def storable(frame: pd.DataFrame) -> pd.DataFrame:
    """A plain frame for Parquet/CSV/DuckDB: index as columns, string column names."""
    out = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame.copy()
    out.columns = [str(c) for c in out.columns]
    return out


def write_entry(entry: Path, step_id: str, result: StepResult, *, simulated: bool) -> None:
    """Render and write one step's outputs into the cache folder ``entry``."""
    from cityres.report.figures import save_figure

    entry.mkdir(parents=True)
    meta: dict[str, Any] = {"step": step_id, "intro": _text(result.intro), "tables": [],
                            "figures": [], "simulated": simulated}
    for t in result.tables:
        frame = storable(t.data)
        frame.to_parquet(entry / f"{t.key}.parquet", index=False)
        frame.to_csv(entry / f"{t.key}.csv", index=False, lineterminator="\n")
        for lang in LANGS:
            (entry / f"{t.key}.{lang}.html").write_text(t.display.to_html(lang), encoding="utf-8")
        meta["tables"].append({"key": t.key, "caption": _text(t.caption),
                               "source": _text(t.source), "notes": _text(t.notes)})
    for f in result.figures:
        for lang in LANGS:
            fig = f.make(lang)
            save_figure(fig, entry / f"{f.key}.{lang}")
        meta["figures"].append({"key": f.key, "caption": _text(f.caption),
                                "source": _text(f.source), "notes": _text(f.notes)})
    (entry / "entry.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                      encoding="utf-8")


def read_entry(entry: Path) -> tuple[dict[str, Any], list[ReportTable | ReportFigure]]:
    """The entry's metadata and its report items (tables, then figures)."""
    meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
    items: list[ReportTable | ReportFigure] = []
    sid = meta["step"]
    for t in meta["tables"]:
        html = {lang: (entry / f"{t['key']}.{lang}.html").read_text(encoding="utf-8")
                for lang in LANGS}
        items.append(ReportTable(f"{sid}__{t['key']}", _from(t["caption"]) or Text("", ""),
                                 _from(t["source"]) or Text("", ""), html, _from(t["notes"])))
    for f in meta["figures"]:
        png = {lang: (entry / f"{f['key']}.{lang}.png").read_bytes() for lang in LANGS}
        items.append(ReportFigure(f"{sid}__{f['key']}", _from(f["caption"]) or Text("", ""),
                                  _from(f["source"]) or Text("", ""), png, _from(f["notes"])))
    return meta, items


def publish_entry(entry: Path, out: Path, step_id: str) -> dict[str, list[str]]:
    """Copy an entry's tables and figures into ``out/tables`` and ``out/figures``."""
    meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
    files: dict[str, list[str]] = {"tables": [], "figures": []}
    (out / "tables").mkdir(exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    for t in meta["tables"]:
        for suffix in ("parquet", "csv"):
            name = f"{step_id}__{t['key']}.{suffix}"
            shutil.copyfile(entry / f"{t['key']}.{suffix}", out / "tables" / name)
            files["tables"].append(f"tables/{name}")
    for f in meta["figures"]:
        for lang in LANGS:
            for suffix in ("png", "svg"):
                name = f"{step_id}__{f['key']}.{lang}.{suffix}"
                shutil.copyfile(entry / f"{f['key']}.{lang}.{suffix}", out / "figures" / name)
                files["figures"].append(f"figures/{name}")
    return files


def write_duckdb(out: Path, panel_frame: pd.DataFrame, cities: pd.DataFrame) -> list[str]:
    """``out/study.duckdb`` with the prepared panel, its cities and every output table."""
    import duckdb

    path = out / "study.duckdb"
    names = ["panel", "cities"]
    con = duckdb.connect(str(path))
    try:
        con.register("panel_df", storable(panel_frame))
        con.execute("CREATE TABLE panel AS SELECT * FROM panel_df")
        con.register("cities_df", storable(cities))
        con.execute("CREATE TABLE cities AS SELECT * FROM cities_df")
        for parquet in sorted((out / "tables").glob("*.parquet")):
            name = parquet.stem
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)',
                        [str(parquet)])
            names.append(name)
    finally:
        con.close()
    return names


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
