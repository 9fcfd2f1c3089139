"""Pilot-programme calendars: which city entered which programme in which year.

A calendar is a table with one row per city and programme: ``city`` (6-digit code),
``programme`` (a name such as ``broadband_china``) and ``year``, optionally ``batch``,
``date``, ``document``, ``confidence`` (high / medium / low), ``note``, ``source`` and
``name_zh``. cityres bundles one for the 41 YRD cities (:func:`cityres.datasets.china.
policies`); :func:`read_policies` checks a user's own, and :func:`adoption_years` turns
either into the first-treatment year a staggered difference-in-differences needs.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataFileError,
    DataValidationError,
    LowConfidenceDataWarning,
    Problem,
    format_choices,
)

__all__ = ["CONFIDENCE_LEVELS", "REQUIRED_COLUMNS", "adoption_years", "read_policies"]

REQUIRED_COLUMNS = ("city", "programme", "year")
OPTIONAL_COLUMNS = ("name_zh", "batch", "date", "document", "confidence", "note", "source")
CONFIDENCE_LEVELS = ("high", "medium", "low")
_YEAR_RANGE = (1949, 2100)

Confidence = Literal["high", "medium", "low"]


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _as_code(value: object) -> str | None:
    """'320500' from '320500', 320500 or 320500.0; None if it is not a 6-digit code."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        text = str(int(value))
    elif isinstance(value, numbers.Real) and float(value).is_integer():
        text = str(int(float(value)))
    else:
        text = str(value).strip()
        if text.endswith(".0"):
            text = text[:-2]
    return text if len(text) == 6 and text.isdigit() else None


def _as_year(value: object) -> int | None:
    """An integer year from 2014, 2014.0 or '2014'; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return int(number) if number.is_integer() else None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else None


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataFileError(f"policy calendar not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise DataFileError(
        f"cannot read {path.name!r} as a policy calendar; accepted formats: .csv, .xlsx, "
        ".parquet"
    )


def _register_check(
    codes: Iterable[str] | None,
) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Accepted codes and, for messages, the retired codes with their successors."""
    from cityres.data.names import default_register

    register = default_register()
    accepted = frozenset(str(c) for c in codes) if codes is not None else register.current_codes
    return accepted, register.retired


def read_policies(
    path_or_frame: str | Path | pd.DataFrame,
    *,
    cities: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read and check a pilot-programme calendar.

    Parameters
    ----------
    path_or_frame : str, pathlib.Path or pandas.DataFrame
        A CSV, Excel or Parquet file, or a DataFrame, with one row per city and
        programme. Required columns: ``city`` (6-digit administrative code), ``programme``
        and ``year``; optional: ``name_zh``, ``batch``, ``date``, ``document``,
        ``confidence`` (``high``, ``medium`` or ``low``), ``note``, ``source``. Other
        columns are kept as they are.
    cities : iterable of str, optional
        The accepted city codes (e.g. the 41 YRD codes). Default: every current
        prefecture-level unit of the bundled register.

    Returns
    -------
    pandas.DataFrame
        The calendar in its original row order with a fresh index: ``city`` and
        ``programme`` as strings, ``year`` as int64, ``confidence`` lower-cased (missing
        stays missing), the other columns as read.

    Raises
    ------
    DataValidationError
        Listing every problem, each a :class:`~cityres._shared.errors.Problem` with its
        ``kind`` (``missing_column``, ``missing_value``, ``bad_city_code``,
        ``unknown_city``, ``bad_year``, ``bad_confidence``, ``duplicate``), ``file``, ``row``
        (1-based as a spreadsheet shows it: the header is row 1, the first data row is
        row 2, also for a DataFrame), ``column``, ``city`` and ``year`` where known.
    DataFileError
        If the file is missing or not a CSV, Excel or Parquet file.
    ArgumentTypeError
        If ``path_or_frame`` is neither a path nor a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> cal = read_policies(pd.DataFrame(
    ...     {"city": ["320500", "341300"], "programme": ["x", "x"], "year": [2016, 2018]}))
    >>> cal.dtypes["year"]
    dtype('int64')
    """
    if isinstance(path_or_frame, pd.DataFrame):
        frame, file = path_or_frame.copy(), None
    elif isinstance(path_or_frame, (str, Path)):
        path = Path(path_or_frame)
        frame, file = _read(path), str(path)
    else:
        raise ArgumentTypeError(
            "path_or_frame must be a file path or a pandas DataFrame; got "
            f"{type(path_or_frame).__name__}"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    problems: list[Problem] = []
    for col in REQUIRED_COLUMNS:
        if col not in frame.columns:
            problems.append(Problem(
                kind="missing_column", file=file, column=col,
                message=f"required column {col!r} is missing; the calendar has "
                f"{format_choices(frame.columns)}; required: {format_choices(REQUIRED_COLUMNS)}",
            ))
    accepted, retired = _register_check(cities)
    has = set(frame.columns)
    codes: list[str | None] = []
    years: list[int | None] = []
    first_seen: dict[tuple[str, str], int] = {}
    for pos, record in enumerate(frame.to_dict("records")):
        row = pos + 2
        code = year = None
        if "city" in has:
            raw = record["city"]
            if _is_missing(raw):
                problems.append(Problem(kind="missing_value", file=file, row=row, column="city",
                                        message="city code is empty"))
            elif (code := _as_code(raw)) is None:
                problems.append(Problem(
                    kind="bad_city_code", file=file, row=row, column="city", value=str(raw),
                    message=f"{raw!r} is not a 6-digit administrative code (e.g. '320500')"))
            elif code not in accepted:
                hint = ""
                if code in retired:
                    succ = ", ".join(retired[code]) or "no recorded successor"
                    hint = f"; it is a retired code, now {succ}"
                problems.append(Problem(
                    kind="unknown_city", file=file, row=row, column="city", city=code,
                    message=f"{code} is not an accepted city code{hint}"))
        if "year" in has:
            raw = record["year"]
            if _is_missing(raw):
                problems.append(Problem(kind="missing_value", file=file, row=row, column="year",
                                        city=code, message="year is empty"))
            elif (year := _as_year(raw)) is None or not (
                _YEAR_RANGE[0] <= year <= _YEAR_RANGE[1]
            ):
                problems.append(Problem(
                    kind="bad_year", file=file, row=row, column="year", city=code, value=str(raw),
                    message=f"{raw!r} is not a year (an integer from {_YEAR_RANGE[0]} to "
                    f"{_YEAR_RANGE[1]})"))
                year = None
        prog = None
        if "programme" in has:
            raw = record["programme"]
            if _is_missing(raw):
                problems.append(Problem(kind="missing_value", file=file, row=row,
                                        column="programme", city=code, year=year,
                                        message="programme is empty"))
            else:
                prog = str(raw).strip()
        if "confidence" in has and not _is_missing(record["confidence"]):
            conf = str(record["confidence"]).strip().lower()
            if conf not in CONFIDENCE_LEVELS:
                problems.append(Problem(
                    kind="bad_confidence", file=file, row=row, column="confidence", city=code,
                    year=year, value=str(record["confidence"]),
                    message=f"{record['confidence']!r} is not a confidence label; accepted: "
                    f"{format_choices(CONFIDENCE_LEVELS)} (or empty)"))
        if code is not None and prog is not None:
            key = (code, prog)
            if key in first_seen:
                problems.append(Problem(
                    kind="duplicate", file=file, row=row, column="city", city=code, year=year,
                    message=f"city {code} is listed twice for programme {prog!r} (first in "
                    f"row {first_seen[key]}); give each city its entry year once"))
            else:
                first_seen[key] = row
        codes.append(code)
        years.append(year)
    if problems:
        raise DataValidationError(problems, source=file)

    out = frame.reset_index(drop=True)
    out["city"] = pd.Series(codes, dtype=str)
    out["programme"] = out["programme"].astype(str).str.strip()
    out["year"] = pd.Series(years, dtype="int64")
    if "confidence" in has:
        conf_col = out["confidence"].astype(object)
        out["confidence"] = [None if _is_missing(v) else str(v).strip().lower()
                             for v in conf_col]
    return out


_RANK = {"high": 0, "medium": 1, "low": 2}


def adoption_years(
    calendar: pd.DataFrame,
    programme: str,
    *,
    min_confidence: Confidence = "low",
) -> pd.Series:
    """First year each city entered a programme.

    Parameters
    ----------
    calendar : pandas.DataFrame
        A calendar as returned by :func:`read_policies` or
        :func:`cityres.datasets.china.policies`.
    programme : str
        The programme, e.g. ``"broadband_china"``, ``"cbec_pilot_zone"`` or
        ``"ecommerce_demo_city"``.
    min_confidence : {"low", "medium", "high"}, default "low"
        Drop rows whose ``confidence`` is below this (rows without a label count as
        ``high``: they are the user's own facts). ``"high"`` keeps verified rows only.

    Returns
    -------
    pandas.Series
        int64 years indexed by city code (index name ``city``), named after the
        programme, sorted by city. Cities never in the programme are absent: treat them
        as never treated.

    Raises
    ------
    ArgumentError
        If the calendar lacks ``city``, ``programme`` or ``year``, the programme is not
        in it, or ``min_confidence`` is not accepted.

    Warns
    -----
    LowConfidenceDataWarning
        If any year comes from a row labelled ``medium`` or ``low`` (unverified).

    Examples
    --------
    >>> import pandas as pd
    >>> cal = pd.DataFrame({"city": ["320500", "320500", "341300"],
    ...                     "programme": ["a", "b", "a"], "year": [2014, 2016, 2015]})
    >>> adoption_years(cal, "a").to_dict()
    {'320500': 2014, '341300': 2015}
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in calendar.columns]
    if missing:
        raise ArgumentError(
            f"the calendar lacks column(s) {format_choices(missing)}; read it with "
            "cityres.data.policies.read_policies"
        )
    if min_confidence not in _RANK:
        raise ArgumentError(
            f"min_confidence must be {format_choices(CONFIDENCE_LEVELS)}; got {min_confidence!r}"
        )
    available = sorted(calendar["programme"].dropna().astype(str).unique())
    if programme not in available:
        raise ArgumentError(
            f"programme {programme!r} is not in the calendar; it has {format_choices(available)}"
        )
    rows = calendar[calendar["programme"] == programme]
    if "confidence" in rows.columns:
        conf = rows["confidence"].astype(object).map(
            lambda v: "high" if _is_missing(v) else str(v).strip().lower()
        )
        rows = rows[conf.map(_RANK).fillna(0) <= _RANK[min_confidence]]
        conf = conf.loc[rows.index]
    else:
        conf = pd.Series("high", index=rows.index)
    rows = rows.assign(_conf=conf.to_numpy(), city=rows["city"].astype(str),
                       year=rows["year"].astype("int64"))
    first = rows.sort_values(["city", "year"]).drop_duplicates("city")
    weak = first[first["_conf"] != "high"]
    if len(weak):
        listed = ", ".join(f"{c} ({y}, {k})" for c, y, k in
                           zip(weak["city"], weak["year"], weak["_conf"], strict=True))
        warnings.warn(
            f"{len(weak)} adoption year(s) of {programme!r} come from unverified rows "
            f"(confidence medium/low): {listed}. Check them, supply your own calendar, or "
            "pass min_confidence='high'",
            LowConfidenceDataWarning,
            stacklevel=2,
        )
    out = pd.Series(first["year"].to_numpy(dtype="int64"),
                    index=pd.Index(first["city"].to_numpy(dtype=object), name="city"),
                    name=programme)
    return out.sort_index()
