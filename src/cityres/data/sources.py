"""Read a data file into raw sheets of cells with their spreadsheet row numbers.

Nothing is interpreted here: cells come back as Python objects (str, int, float, None),
so the parser can report every odd cell at its exact row and column.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cityres._shared.errors import DataFileError, format_choices

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".dta": "stata",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class RawSheet:
    """Cells of one sheet; ``rows[i]`` is spreadsheet row ``i + 1``."""

    file: str
    sheet: str | None
    rows: list[list[object]]


def file_format(path: Path) -> str:
    """The reader for ``path`` from its suffix, or an error listing the accepted ones."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        extra = " (save .xls workbooks as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise DataFileError(
            f"{path}: unsupported file type {path.suffix!r}{extra}; accepted: "
            f"{format_choices(sorted(FORMATS))}"
        )
    return fmt


def read_sheets(
    path: Path, sheet: str | int | Sequence[str | int] | None, *, all_sheets: bool
) -> list[RawSheet]:
    """Raw sheets of ``path``.

    ``sheet`` picks Excel sheets by name or 0-based position; ``None`` takes every sheet
    when ``all_sheets`` else the first. Other formats have a single unnamed sheet.
    """
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    fmt = file_format(path)
    if fmt != "excel" and sheet is not None:
        raise DataFileError(f"{path}: sheet={sheet!r} given, but a {fmt} file has no sheets")
    if fmt == "csv":
        return [RawSheet(str(path), None, _csv_rows(path))]
    if fmt == "excel":
        return _excel_sheets(path, sheet, all_sheets=all_sheets)
    frame = (
        pd.read_stata(path, convert_categoricals=False) if fmt == "stata" else pd.read_parquet(path)
    )
    rows: list[list[object]] = [list(map(str, frame.columns))]
    for rec in frame.itertuples(index=False):
        rows.append([None if _is_na(v) else v for v in rec])
    return [RawSheet(str(path), None, rows)]


def _is_na(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value  # NaN


def _csv_rows(path: Path) -> list[list[object]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise DataFileError(f"{path}: not UTF-8 or GB18030 text")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    lines = [ln for ln in text.splitlines()]
    rows: list[list[object]] = []
    for row in csv.reader(lines, delimiter=delimiter):
        rows.append([cell if cell.strip() != "" else None for cell in row])
    # comment lines (starting with '#') are kept as rows so numbering stays right;
    # the parser skips them.
    return rows


def _excel_sheets(
    path: Path, sheet: str | int | Sequence[str | int] | None, *, all_sheets: bool
) -> list[RawSheet]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a broken file
        raise DataFileError(f"{path}: cannot open as an Excel workbook ({exc})") from exc
    try:
        names = list(book.sheetnames)
        if sheet is None:
            wanted: list[str] = names if all_sheets else names[:1]
        else:
            items = [sheet] if isinstance(sheet, str | int) else list(sheet)
            wanted = []
            for item in items:
                if isinstance(item, int):
                    if not 0 <= item < len(names):
                        raise DataFileError(
                            f"{path}: sheet position {item} out of range; the workbook has "
                            f"{len(names)} sheet(s): {names}"
                        )
                    wanted.append(names[item])
                elif item in names:
                    wanted.append(item)
                else:
                    raise DataFileError(
                        f"{path}: no sheet {item!r}; sheets: {format_choices(names)}"
                    )
        out = []
        for name in wanted:
            ws = book[name]
            rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            out.append(RawSheet(str(path), name, rows))
        return out
    finally:
        book.close()
