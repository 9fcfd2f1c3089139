"""Interpret single cells: numbers, yearbook missing markers, years, header names."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime

#: Tokens yearbooks and statistical bulletins use for "no data".
MISSING_MARKERS = frozenset(
    {
        "—",
        "——",
        "－",
        "-",
        "--",
        "―",
        "..",
        "...",
        "…",
        "……",
        "na",
        "n/a",
        "n.a.",
        "nan",
        "null",
        "none",
        "#n/a",
        "无",
        "暂无",
        "缺失",
        "/",
        "x",
        "×",
        "*",
    }
)

CITY_HEADERS = (
    "city",
    "city_code",
    "citycode",
    "adcode",
    "code",
    "城市代码",
    "行政区划代码",
    "代码",
    "city_name",
    "cityname",
    "城市",
    "城市名称",
    "地级市",
    "地区",
    "名称",
    "name",
    "id",
    "state",
)
YEAR_HEADERS = ("year", "年份", "年度", "年", "time", "t")
PROVINCE_HEADERS = ("province", "province_zh", "province_en", "省份", "省", "所属省份", "省区")
FOOTNOTE_PREFIXES = ("注", "资料来源", "数据来源", "note", "source", "说明")

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_YEAR = re.compile(r"^(\d{4})(\.0+)?(年.*)?$")


def header_key(value: object) -> str:
    """A header normalised for comparison (NFKC, lower case, no spaces)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)).strip().lower())


def is_empty(value: object) -> bool:
    """None, NaN or whitespace-only."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def parse_number(value: object) -> tuple[float | None, str | None]:
    """Return ``(number, None)`` or ``(None, reason)`` for a non-empty cell.

    Numbers pass; numeric text passes after Unicode normalisation (full-width digits) and
    removal of thousands separators in the 1,234,567.8 pattern. Yearbook missing markers
    and any other text are refused with a reason.
    """
    if isinstance(value, bool):
        return None, "a TRUE/FALSE cell, not a number"
    if isinstance(value, int | float):
        return float(value), None
    if isinstance(value, datetime | date):
        return None, "a date, not a number"
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _NUMBER.match(text):
        return float(text), None
    if _THOUSANDS.match(text):
        return float(text.replace(",", "")), None
    if text.lower() in MISSING_MARKERS or str(value).strip() in MISSING_MARKERS:
        return None, f"{str(value).strip()!r} is a missing-data marker, not a number"
    return None, f"{str(value).strip()!r} is not a number"


def parse_year(value: object) -> int | None:
    """A 4-digit year from 2011, 2011.0, '2011' or '2011年'; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 1000 <= value <= 2999:
        return value
    if isinstance(value, float) and value.is_integer() and 1000 <= value <= 2999:
        return int(value)
    m = _YEAR.match(unicodedata.normalize("NFKC", str(value)).strip())
    return int(m.group(1)) if m else None


def is_footnote(value: object) -> bool:
    """True for yearbook footnote rows such as '注：…' or '资料来源：…'."""
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value).strip().lower()
    return text.startswith(FOOTNOTE_PREFIXES)
