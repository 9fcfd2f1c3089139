"""Small helpers shared by the table builders and renderers: text coercion, labels, numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Real

import pandas as pd

from cityres._shared.errors import ArgumentError, ArgumentTypeError
from cityres.report.i18n import COMMON, Text

#: The empty bilingual text.
EMPTY = Text("", "")

#: Labels the table builders know besides :data:`cityres.report.i18n.COMMON`: regression
#: statistics, the usual "fixed effects" and "controls" rows and the intercept.
TABLE_LABELS: Mapping[str, Text] = {
    "nobs": Text("样本量", "N"),
    "r2": Text("R²", "R²"),
    "adj_r2": Text("调整 R²", "Adj. R²"),
    "r2_within": Text("组内 R²", "Within R²"),
    "const": Text("常数项", "Constant"),
    "Intercept": Text("常数项", "Constant"),
    "Controls": Text("控制变量", "Controls"),
    "City FE": Text("城市固定效应", "City FE"),
    "Year FE": Text("年份固定效应", "Year FE"),
    "Province FE": Text("省份固定效应", "Province FE"),
    "Region FE": Text("地区固定效应", "Region FE"),
    "State FE": Text("州固定效应", "State FE"),
    "Cluster": Text("聚类", "Cluster"),
    "Yes": Text("是", "Yes"),
    "No": Text("否", "No"),
}


def as_text(value: Text | str) -> Text:
    """``value`` as a :class:`Text` (a plain string is the same in both languages)."""
    if isinstance(value, Text):
        return value
    if isinstance(value, str):
        return Text(value, value)
    raise ArgumentTypeError(
        f"expected a Text or a str, received {type(value).__name__} ({value!r}); "
        "write bilingual text as cityres.report.i18n.Text(zh, en)"
    )


def optional_text(value: Text | str | None, argument: str) -> Text | None:
    """``value`` as a Text, None kept; a wrong type names ``argument``."""
    if value is None:
        return None
    if not isinstance(value, Text | str):
        raise ArgumentTypeError(
            f"{argument}: expected a Text, a str or None, received {type(value).__name__}"
        )
    return as_text(value)


def text_tuple(values: Sequence[Text | str] | Text | str | None, argument: str) -> tuple[Text, ...]:
    """One text or a sequence of them as a tuple of Text (None → empty)."""
    if values is None:
        return ()
    if isinstance(values, Text | str):
        return (as_text(values),)
    out = []
    for i, v in enumerate(values):
        if not isinstance(v, Text | str):
            raise ArgumentTypeError(
                f"{argument}[{i}]: expected a Text or a str, received {type(v).__name__}"
            )
        out.append(as_text(v))
    return tuple(out)


def lookup(key: str, labels: Mapping[str, Text | str] | None) -> Text:
    """The label of ``key``: ``labels``, then :data:`TABLE_LABELS`, then ``COMMON``, else key."""
    if labels is not None and key in labels:
        return as_text(labels[key])
    if key in TABLE_LABELS:
        return TABLE_LABELS[key]
    if key in COMMON:
        return COMMON[key]
    return Text(key, key)


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if value is None:
        return True
    if isinstance(value, Real):
        return math.isnan(float(value))
    if isinstance(value, str | Text):
        return False
    return value is pd.NA or value is pd.NaT


def format_number(value: float, digits: int, *, thousands: bool = False) -> str:
    """``value`` with ``digits`` decimals (half-to-even as Python rounds binary floats).

    Examples
    --------
    >>> format_number(1234.5678, 2, thousands=True)
    '1,234.57'
    >>> format_number(-0.0004, 3)
    '-0.000'
    """
    check_digits(digits, "digits")
    return f"{value:,.{digits}f}" if thousands else f"{value:.{digits}f}"


def format_count(value: float) -> str:
    """A count with thousands separators and no decimals: ``1234.0`` → ``'1,234'``."""
    return f"{round(value):,d}"


def check_digits(digits: object, argument: str) -> int:
    """Validate a number of decimals (an int from 0 to 15)."""
    if isinstance(digits, bool) or not isinstance(digits, int):
        raise ArgumentTypeError(
            f"{argument}={digits!r} ({type(digits).__name__}); accepted: an int from 0 to 15"
        )
    if not 0 <= digits <= 15:
        raise ArgumentError(f"{argument}={digits!r}; accepted: an int from 0 to 15")
    return digits
