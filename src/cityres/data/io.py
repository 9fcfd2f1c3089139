"""Read yearbook-style city panels: :func:`read_panel` and :func:`check`.

Accepted files: CSV (UTF-8 or GB18030), Excel (.xlsx), Stata (.dta), Parquet. Layouts:

``long``
    one row per city-year; a city column (code or name), a year column, one column per
    indicator. Title rows above the header are allowed.
``wide``
    one indicator per sheet (or per file), one row per city, years as columns
    (``2011``, ``"2011"`` or ``"2011年"``); the indicator is named after the sheet (or
    the file, or ``variable=``). Several sheets or files are merged into one panel.

Every problem is collected with its file, sheet, row, column, city and year before
anything is raised, so one run of :func:`check` lists them all.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    DataFileError,
    DataQualityWarning,
    DataValidationError,
    Problem,
    format_choices,
)
from cityres.data import cells
from cityres.data.changelog import Change
from cityres.data.names import CityMatch, CityRegister, NameMode, default_register
from cityres.data.panel import CityPanel, city_table_from_register
from cityres.data.sources import RawSheet, read_sheets

Layout = Literal["long", "wide"]
PathLike = str | Path

#: Name stems of columns that cannot be negative (``nonnegative="auto"``).
NONNEGATIVE_STEMS = (
    "pop",
    "人口",
    "gdp",
    "生产总值",
    "emp",
    "就业",
    "从业",
    "retail",
    "零售",
    "patent",
    "专利",
    "users",
    "用户",
    "subscri",
    "revenue",
    "收入",
    "volume",
    "业务量",
    "area",
    "面积",
    "output",
    "产值",
    "count",
    "number",
    "数量",
    "beds",
    "床位",
    "doctors",
    "医生",
)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class _Cell:
    raw_city: object
    province: object
    year: int
    column: str
    value: object
    file: str
    sheet: str | None
    row: int
    col_index: int
    city_header: str
    wide: bool


@dataclass
class _Parsed:
    cells: list[_Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def _find_header(
    sheet: RawSheet, wanted: Sequence[str] | None, headers: Sequence[str], *, need_years: int
) -> tuple[int, int] | None:
    """(row index, column index) of the first header row holding a wanted header."""
    keys = [cells.header_key(h) for h in (wanted or headers)]
    for i, row in enumerate(sheet.rows[:30]):
        if row and isinstance(row[0], str) and row[0].lstrip().startswith("#"):
            continue
        normalised = [cells.header_key(c) if not cells.is_empty(c) else "" for c in row]
        n_years = sum(cells.parse_year(c) is not None for c in row if not cells.is_empty(c))
        if n_years < need_years:
            continue
        for key in keys:  # in order of preference
            if key in normalised:
                return i, normalised.index(key)
        if need_years and wanted is None:
            # wide sheet without a recognised city header: the first non-year text cell
            for j, c in enumerate(row):
                if not cells.is_empty(c) and cells.parse_year(c) is None:
                    return i, j
    return None


def _where(sheet: RawSheet) -> str:
    return f"{sheet.file}" + (f", sheet {sheet.sheet!r}" if sheet.sheet else "")


def _province_col(header: list[object]) -> int | None:
    keys = [cells.header_key(c) if not cells.is_empty(c) else "" for c in header]
    for h in cells.PROVINCE_HEADERS:
        if h in keys:
            return keys.index(h)
    return None


def _skip_row(row: list[object], city_j: int, sheet: RawSheet, r: int, out: _Parsed) -> bool:
    """Blank rows, comment rows and footnotes are not data (footnotes are logged)."""
    if all(cells.is_empty(c) for c in row):
        return True
    first = next((c for c in row if not cells.is_empty(c)), None)
    if isinstance(first, str) and first.lstrip().startswith("#"):
        return True
    others = [c for j, c in enumerate(row) if j != city_j and not cells.is_empty(c)]
    if cells.is_footnote(first) and not others:
        out.changes.append(
            Change(
                "read",
                "skipped_row",
                f"footnote {str(first)[:40]!r} in {_where(sheet)}",
            )
        )
        return True
    return False


def _parse_long(
    sheet: RawSheet,
    city: str | None,
    year: str | None,
    out: _Parsed,
    columns: Mapping[str, str] | None,
) -> None:
    found = _find_header(sheet, [city] if city else None, cells.CITY_HEADERS, need_years=0)
    if found is None:
        raise DataFileError(
            f"{_where(sheet)}: no header row with a city column "
            f"({'city=' + repr(city) if city else 'one of ' + format_choices(cells.CITY_HEADERS)}) "
            "in the first 30 rows; pass city='<header>'"
        )
    hi, city_j = found
    header = sheet.rows[hi]
    keys = [cells.header_key(c) if not cells.is_empty(c) else "" for c in header]
    year_keys = [cells.header_key(year)] if year else list(cells.YEAR_HEADERS)
    year_j = next((keys.index(k) for k in year_keys if k in keys), None)
    if year_j is None:
        raise DataFileError(
            f"{_where(sheet)}, row {hi + 1}: no year column "
            f"({'year=' + repr(year) if year else 'one of ' + format_choices(cells.YEAR_HEADERS)});"
            f" headers are {[str(h) for h in header if not cells.is_empty(h)]}. For years as "
            "columns use layout='wide'"
        )
    prov_j = _province_col(header)
    skip = {city_j, year_j} | ({prov_j} if prov_j is not None else set())
    var_cols = [
        (j, str(h).strip()) for j, h in enumerate(header) if j not in skip and not cells.is_empty(h)
    ]
    var_cols = _choose_columns(var_cols, columns, sheet)
    for _, name in var_cols:
        if name not in out.columns:
            out.columns.append(name)
    for r in range(hi + 1, len(sheet.rows)):
        row = list(sheet.rows[r]) + [None] * (len(header) - len(sheet.rows[r]))
        if _skip_row(row, city_j, sheet, r, out):
            continue
        yr = cells.parse_year(row[year_j])
        if yr is None:
            out.problems.append(
                Problem(
                    "bad_year",
                    f"{row[year_j]!r} is not a 4-digit year",
                    sheet.file,
                    sheet.sheet,
                    r + 1,
                    str(header[year_j]),
                    value=str(row[year_j]),
                )
            )
            continue
        if cells.is_empty(row[city_j]):
            out.problems.append(
                Problem(
                    "missing_city",
                    "the city cell is empty",
                    sheet.file,
                    sheet.sheet,
                    r + 1,
                    str(header[city_j]),
                    year=yr,
                )
            )
            continue
        prov = row[prov_j] if prov_j is not None else None
        for j, name in var_cols:
            out.cells.append(
                _Cell(
                    row[city_j],
                    prov,
                    yr,
                    name,
                    row[j],
                    sheet.file,
                    sheet.sheet,
                    r + 1,
                    j,
                    str(header[city_j]),
                    False,
                )
            )


def _choose_columns(
    var_cols: list[tuple[int, str]], columns: Mapping[str, str] | None, sheet: RawSheet
) -> list[tuple[int, str]]:
    if columns is None:
        return var_cols
    names = {n for _, n in var_cols}
    unknown = [c for c in columns if c not in names]
    if unknown:
        raise ArgumentError(
            f"columns: {unknown} not found in {_where(sheet)}; headers: {sorted(names)}"
        )
    return [(j, columns[n]) for j, n in var_cols if n in columns]


def _parse_wide(sheet: RawSheet, city: str | None, variable: str, out: _Parsed) -> None:
    found = _find_header(sheet, [city] if city else None, cells.CITY_HEADERS, need_years=2)
    if found is None:
        raise DataFileError(
            f"{_where(sheet)}: no header row with years as columns (2011, '2011', '2011年') "
            "in the first 30 rows; is the layout 'long'?"
        )
    hi, city_j = found
    header = sheet.rows[hi]
    prov_j = _province_col(header)
    year_cols = [
        (j, y)
        for j, h in enumerate(header)
        if (y := cells.parse_year(h)) is not None and j != city_j
    ]
    if variable not in out.columns:
        out.columns.append(variable)
    for r in range(hi + 1, len(sheet.rows)):
        row = list(sheet.rows[r]) + [None] * (len(header) - len(sheet.rows[r]))
        if _skip_row(row, city_j, sheet, r, out):
            continue
        if cells.is_empty(row[city_j]):
            out.problems.append(
                Problem(
                    "missing_city",
                    "the city cell is empty",
                    sheet.file,
                    sheet.sheet,
                    r + 1,
                    str(header[city_j]),
                )
            )
            continue
        prov = row[prov_j] if prov_j is not None else None
        for j, yr in year_cols:
            out.cells.append(
                _Cell(
                    row[city_j],
                    prov,
                    yr,
                    variable,
                    row[j],
                    sheet.file,
                    sheet.sheet,
                    r + 1,
                    j,
                    str(header[city_j]),
                    True,
                )
            )


def _match_cities(
    out: _Parsed, names: NameMode, register: CityRegister | None, scope: Iterable[str] | None
) -> dict[int, str]:
    """Map each cell (by position) to a city id; problems for failures."""
    ids: dict[int, str] = {}
    cache: dict[tuple[str, str], CityMatch] = {}
    reported: set[tuple[str, int]] = set()
    for k, c in enumerate(out.cells):
        text = str(c.raw_city).strip()
        if isinstance(c.raw_city, float) and c.raw_city.is_integer():
            text = str(int(c.raw_city))
        if names == "none" or register is None:
            ids[k] = text
            continue
        key = (text, "" if c.province is None else str(c.province))
        if key not in cache:
            cache[key] = register.match(text, mode=names, province=c.province, scope=scope)
        m = cache[key]
        if m.code is not None:
            ids[k] = m.code
            continue
        if (c.file + str(c.sheet), c.row) in reported:
            continue
        reported.add((c.file + str(c.sheet), c.row))
        hint = "" if names != "auto" else " (for ids that are not Chinese cities pass names='none')"
        out.problems.append(
            Problem(
                f"{m.status}_city",
                register.explain(m) + hint,
                c.file,
                c.sheet,
                c.row,
                c.city_header,
                text,
                None if c.wide else c.year,
                text,
            )
        )
    # name matches that were not exact are logged
    for (text, _), m in cache.items():
        if m.status == "name" and m.code is not None and register is not None:
            described = register.describe(m.code)
            out.changes.append(
                Change("read", "matched", f"{text!r} read as {described} ({m.how})", city=m.code)
            )
    return ids


def _nonnegative_columns(columns: Sequence[str], nonnegative: Sequence[str] | str) -> set[str]:
    if nonnegative == "auto":
        return {c for c in columns if any(s in cells.header_key(c) for s in NONNEGATIVE_STEMS)}
    if isinstance(nonnegative, str):
        raise ArgumentError(f"nonnegative must be 'auto' or a list of columns; got {nonnegative!r}")
    unknown = [c for c in nonnegative if c not in columns]
    if unknown:
        raise ArgumentError(f"nonnegative: unknown column(s) {unknown}; columns: {list(columns)}")
    return set(nonnegative)


@dataclass(frozen=True)
class _Outcome:
    frame: pd.DataFrame
    problems: list[Problem]
    changes: list[Change]
    columns: list[str]
    sources: list[str]


def _parse(
    path: PathLike | Sequence[PathLike],
    *,
    city: str | None,
    year: str | None,
    sheet: str | int | Sequence[str | int] | None,
    layout: Layout,
    names: NameMode,
    variable: str | None,
    columns: Sequence[str] | Mapping[str, str] | None,
    nonnegative: Sequence[str] | str,
    coerce: bool,
    scope: Iterable[str] | None,
) -> _Outcome:
    if layout not in ("long", "wide"):
        raise ArgumentError(f"layout={layout!r}; accepted: 'long' or 'wide'")
    if names not in ("auto", "code", "name", "none"):
        raise ArgumentError(f"names={names!r}; accepted: 'auto', 'code', 'name' or 'none'")
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    if not paths:
        raise ArgumentError("path: give at least one file")
    if isinstance(columns, str):
        raise ArgumentError(f"columns must be a list or a dict of column names; got {columns!r}")
    chosen: Mapping[str, str] | None = (
        {c: c for c in columns} if isinstance(columns, Sequence) else columns
    )
    out = _Parsed()
    for p in paths:
        sheets = read_sheets(p, sheet, all_sheets=layout == "wide")
        if variable is not None and (len(paths) > 1 or len(sheets) > 1):
            raise ArgumentError(
                f"variable={variable!r} names one indicator, but {len(paths)} file(s) with "
                f"{len(sheets)} sheet(s) were given; several indicators are named after their "
                "sheets or files"
            )
        for sh in sheets:
            if layout == "long":
                _parse_long(sh, city, year, out, chosen)
            else:
                _parse_wide(sh, city, variable or sh.sheet or p.stem, out)
    register = None if names == "none" else default_register()
    ids = _match_cities(out, names, register, scope)
    nonneg = _nonnegative_columns(out.columns, nonnegative)
    records: dict[tuple[str, int], dict[str, float | None]] = {}
    first_row: dict[tuple[str, int, str], tuple[int, str | None]] = {}
    for k, c in enumerate(out.cells):
        if k not in ids:
            continue
        cid = ids[k]
        where = (c.file, c.sheet, c.row, c.column, cid, c.year)
        key3 = (cid, c.year, c.column)
        if key3 in first_row:
            prev_row, prev_sheet = first_row[key3]
            out.problems.append(
                Problem(
                    "duplicate",
                    f"city {cid} year {c.year} {c.column!r} also in row {prev_row}"
                    + (f" of sheet {prev_sheet!r}" if prev_sheet and prev_sheet != c.sheet else ""),
                    *where,
                )
            )
            continue
        first_row[key3] = (c.row, c.sheet)
        rec = records.setdefault((cid, c.year), {})
        if cells.is_empty(c.value):
            rec[c.column] = None
            continue
        number, reason = cells.parse_number(c.value)
        if number is None:
            if coerce:
                rec[c.column] = None
                out.changes.append(
                    Change(
                        "read",
                        "coerced",
                        f"{reason}; read as missing ({c.file}, row {c.row})",
                        cid,
                        c.year,
                        c.column,
                        old=str(c.value),
                        new=None,
                    )
                )
            else:
                out.problems.append(
                    Problem(
                        "non_numeric",
                        f"{reason} (column {_column_letter(c.col_index)})",
                        *where,
                        value=str(c.value),
                    )
                )
            continue
        if c.column in nonneg and number < 0:
            out.problems.append(
                Problem(
                    "negative",
                    f"{number:g} < 0 in a column that cannot be "
                    "negative (pass nonnegative=[...] to change the list)",
                    *where,
                    value=str(c.value),
                )
            )
        rec[c.column] = number
    # unbalanced: cities lacking years the file has for others
    years = sorted({y for _, y in records})
    by_city: dict[str, set[int]] = {}
    for cid, y in records:
        by_city.setdefault(cid, set()).add(y)
    for cid in sorted(by_city):
        for y in years:
            if y not in by_city[cid]:
                out.problems.append(
                    Problem(
                        "missing_year",
                        f"no row for year {y} (the file has {years[0]}–{years[-1]})",
                        paths[0].as_posix() if len(paths) == 1 else None,
                        None,
                        None,
                        None,
                        cid,
                        y,
                        severity="warning",
                    )
                )
    frame = pd.DataFrame.from_dict(records, orient="index", columns=out.columns, dtype=float)
    if len(frame):
        frame.index = pd.MultiIndex.from_tuples(list(frame.index), names=["city", "year"])
    else:
        frame.index = pd.MultiIndex.from_arrays([[], []], names=["city", "year"])
    return _Outcome(
        frame.sort_index(), out.problems, out.changes, out.columns, [str(p) for p in paths]
    )


def check(
    path: PathLike | Sequence[PathLike],
    *,
    city: str | None = None,
    year: str | None = None,
    sheet: str | int | Sequence[str | int] | None = None,
    layout: Layout = "long",
    names: NameMode = "auto",
    variable: str | None = None,
    columns: Sequence[str] | Mapping[str, str] | None = None,
    nonnegative: Sequence[str] | str = "auto",
    scope: Iterable[str] | None = None,
) -> list[Problem]:
    """List every problem in a data file, each with file, sheet, row, column, city and year.

    Takes the same keywords as :func:`read_panel`. Problems found: duplicate city-year
    cells (``duplicate``), non-numeric cells such as "—", "－", ".." or "NA"
    (``non_numeric``), unknown, ambiguous or retired cities (``unknown_city``,
    ``ambiguous_city``, ``retired_city``), empty city cells (``missing_city``), bad years
    (``bad_year``), negative values in columns that cannot be negative (``negative``) and
    cities lacking years that others have (``missing_year``, severity ``warning``).

    Returns
    -------
    list of Problem
        Empty when the file is clean. Rows count as a spreadsheet shows them (header = 1).

    Examples
    --------
    >>> from cityres.data import check
    >>> for problem in check("yearbook.xlsx", layout="wide"):  # doctest: +SKIP
    ...     print(problem)
    """
    outcome = _parse(
        path,
        city=city,
        year=year,
        sheet=sheet,
        layout=layout,
        names=names,
        variable=variable,
        columns=columns,
        nonnegative=nonnegative,
        coerce=False,
        scope=scope,
    )
    return outcome.problems


def read_panel(
    path: PathLike | Sequence[PathLike],
    *,
    city: str | None = None,
    year: str | None = None,
    sheet: str | int | Sequence[str | int] | None = None,
    layout: Layout = "long",
    names: NameMode = "auto",
    variable: str | None = None,
    columns: Sequence[str] | Mapping[str, str] | None = None,
    nonnegative: Sequence[str] | str = "auto",
    coerce: bool = False,
    scope: Iterable[str] | None = None,
) -> CityPanel:
    """Read a city panel from CSV, Excel, Stata or Parquet files.

    Parameters
    ----------
    path : path or list of paths
        One file, or several (e.g. one wide file per indicator) merged into one panel.
    city, year : str, optional
        Headers of the city and year columns; found automatically when omitted (city:
        ``city``, ``code``, ``adcode``, ``城市``, ``地区``, ``行政区划代码`` …; year: ``year``,
        ``年份``, ``年度`` …).
    sheet : str, int or list, optional
        Excel sheet(s) by name or 0-based position. Default: the first sheet for
        ``layout="long"``, every sheet for ``layout="wide"``.
    layout : {"long", "wide"}
        ``long``: one row per city-year. ``wide``: one row per city, years as columns,
        one indicator per sheet (named after the sheet) or file (named after the file, or
        ``variable``).
    names : {"auto", "code", "name", "none"}
        How to read the city column: codes or names (``auto``), 6-digit codes only, names
        only, or ids kept as they are (``none``, for data that are not Chinese cities).
        Names are matched against the bundled register: full (苏州市), short (苏州),
        English (Suzhou), historical (襄樊). Ambiguous names (Suzhou: 苏州 or 宿州) are
        refused with the candidates unless a province column settles them.
    variable : str, optional
        Indicator name for a wide CSV file (default: the file name).
    columns : list or dict, optional
        Indicators to read (a dict also renames: ``{"地区生产总值": "gdp"}``).
    nonnegative : "auto" or list of str
        Columns in which negative values are errors; ``auto`` takes columns whose names
        contain stems such as population/人口, GDP/生产总值, employment/就业, retail/零售.
    coerce : bool
        Read non-numeric cells ("—", "..", "NA") as missing, logging each in
        ``panel.log``, instead of raising.
    scope : iterable of str, optional
        Codes of the cities the file may contain (e.g. the 41 YRD codes); narrows name
        matching.

    Returns
    -------
    CityPanel

    Raises
    ------
    DataValidationError
        Listing every problem of severity ``error`` (see :func:`check`), not just the first.
    DataFileError
        Missing file, unsupported format, no header row found.

    Warns
    -----
    DataQualityWarning
        For problems that do not stop reading (cities lacking some years).
    """
    outcome = _parse(
        path,
        city=city,
        year=year,
        sheet=sheet,
        layout=layout,
        names=names,
        variable=variable,
        columns=columns,
        nonnegative=nonnegative,
        coerce=coerce,
        scope=scope,
    )
    errors = [p for p in outcome.problems if p.severity == "error"]
    if errors:
        raise DataValidationError(errors, source=", ".join(outcome.sources))
    notes = [p for p in outcome.problems if p.severity != "error"]
    if notes:
        warnings.warn(
            f"{len(notes)} data problem(s) in {', '.join(outcome.sources)} do not stop reading; "
            f"first: {notes[0]}. See panel.meta['problems'].",
            DataQualityWarning,
            stacklevel=2,
        )
    frame = outcome.frame
    if frame.empty:
        raise DataFileError(f"{', '.join(outcome.sources)}: no data rows found")
    ids = frame.index.get_level_values("city").unique()
    if names == "none":
        cities = None
    else:
        cities = city_table_from_register(default_register().frame, list(ids))
    read = Change(
        "read",
        "read",
        f"{len(frame)} city-years × {frame.shape[1]} indicators from {', '.join(outcome.sources)}",
    )
    panel = CityPanel.from_frame(
        frame.reset_index(),
        cities=cities,
        meta={
            "name": Path(outcome.sources[0]).stem,
            "simulated": False,
            "sources": outcome.sources,
            "problems": tuple(str(p) for p in notes),
        },
    )
    return panel._replace(None, [read, *outcome.changes])
