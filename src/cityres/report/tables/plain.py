"""Plain tables from a DataFrame: :func:`plain_table`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd

from cityres._shared.errors import ArgumentTypeError
from cityres.report.i18n import Text
from cityres.report.tables._text import (
    EMPTY,
    as_text,
    check_digits,
    format_number,
    is_missing,
    lookup,
    optional_text,
    text_tuple,
)
from cityres.report.tables.model import PubTable, Row, Span

#: Decimals used when ``digits`` is a mapping that does not name a column or row.
DEFAULT_DIGITS = 3


def _key(value: Hashable) -> str:
    return str(value)


def _label_of(value: Hashable, labels: Mapping[str, Text | str] | None) -> Text:
    if isinstance(value, tuple):  # MultiIndex row: join the translated levels
        parts = [_label_of(v, labels) for v in value]
        return Text(" / ".join(p.zh for p in parts), " / ".join(p.en for p in parts))
    if isinstance(value, Text):
        return value
    return lookup(_key(value), labels)


def _format(
    value: object, *, digits: int, thousands: bool, integer: bool, na_rep: str
) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, bool | np.bool_):
        return lookup("Yes" if value else "No", None)
    if is_missing(value):
        return Text(na_rep, na_rep)
    if isinstance(value, Integral) or (
        integer and isinstance(value, Real) and float(value).is_integer()
    ):
        text = f"{int(value):,d}" if thousands else f"{int(value):d}"  # type: ignore[call-overload]
        return Text(text, text)
    if isinstance(value, Real):
        text = format_number(float(value), digits, thousands=thousands)
        return Text(text, text)
    return as_text(str(value))


def plain_table(
    frame: pd.DataFrame,
    *,
    labels: Mapping[str, Text | str] | None = None,
    title: Text | str | None = None,
    notes: Sequence[Text | str] | Text | str | None = None,
    digits: int | Mapping[str, int] = 3,
    thousands: bool = False,
    na_rep: str = "—",
    stub: Text | str | None = None,
    simulated: bool = False,
) -> PubTable:
    """A publication table from a DataFrame: index → row labels, columns → header.

    Parameters
    ----------
    frame : pandas.DataFrame
        The values. Float cells are shown with ``digits`` decimals; integer cells
        (integer dtype columns, or Python / NumPy ints) without decimals; booleans as
        是/否 (Yes/No); :class:`~cityres.report.i18n.Text` cells as they are; anything else
        with ``str``. A column MultiIndex becomes spanning header rows (equal adjacent
        values of an upper level are merged).
    labels : mapping of str to Text, optional
        Labels of column names, index values and the index name; looked up by
        ``str(key)`` here, then in the table labels (``nobs``, ``Yes``…), then in
        :data:`cityres.report.i18n.COMMON`; unknown keys are shown as they are.
    title : Text or str, optional
    notes : Text, str or a sequence of them, optional
    digits : int or mapping of str to int
        Decimals of float cells. A mapping gives them by column name or by row label
        (``str`` of the index value; a row entry wins over a column entry); names it does
        not give get 3.
    thousands : bool
        Group thousands with commas (``12,345.678``).
    na_rep : str
        Text of missing cells (NaN, None, ``pd.NA``). The default is an em dash "—", as
        Chinese statistical yearbooks print a missing figure, so a missing value is
        visible and not mistaken for a cell left empty on purpose.
    stub : Text or str, optional
        Header of the row-label column; default: the label of the index name ("" when
        the index has no name).
    simulated : bool
        Mark the table as simulated data (a note in every rendering).

    Returns
    -------
    PubTable

    Raises
    ------
    ArgumentTypeError
        ``frame`` is not a DataFrame, or ``digits`` is neither an int nor a mapping.
    ArgumentError
        A number of decimals outside 0–15.

    Examples
    --------
    >>> import cityres.datasets
    >>> produc = cityres.datasets.load("produc").data
    >>> means = produc[["gsp", "unemp"]].groupby("year").mean().head(2)
    >>> print(plain_table(means, digits={"gsp": 0, "unemp": 2}, thousands=True).to_text("en"))
    ===================
    Year   gsp    unemp
    -------------------
    1970  48,880  4.90
    1971  49,990  5.68
    ===================
    """
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentTypeError(
            f"frame: expected a pandas DataFrame, received {type(frame).__name__}"
        )
    if isinstance(digits, Mapping):
        digit_map = {str(k): check_digits(v, f"digits[{k!r}]") for k, v in digits.items()}
        default = DEFAULT_DIGITS
    elif isinstance(digits, int) and not isinstance(digits, bool):
        digit_map, default = {}, check_digits(digits, "digits")
    else:
        raise ArgumentTypeError(
            f"digits={digits!r} ({type(digits).__name__}); accepted: an int or a mapping of "
            "column / row names to ints"
        )
    columns = frame.columns
    leaf = [c[-1] if isinstance(c, tuple) else c for c in columns]
    header: list[tuple[Span, ...]] = []
    if isinstance(columns, pd.MultiIndex):
        for level in range(columns.nlevels - 1):
            spans: list[Span] = []
            prefixes = [tuple(c[: level + 1]) for c in columns]
            start = 0
            for j in range(1, len(prefixes) + 1):
                if j == len(prefixes) or prefixes[j] != prefixes[start]:
                    spans.append(Span(_label_of(prefixes[start][-1], labels), j - start))
                    start = j
            header.append(tuple(spans))
    header.append(tuple(Span(_label_of(c, labels)) for c in leaf))
    integer_cols = [pd.api.types.is_integer_dtype(frame[c].dtype) for c in columns]
    rows = []
    for index, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        row_key = _key(index[-1] if isinstance(index, tuple) else index)
        cells = []
        for j, value in enumerate(values):
            d = digit_map.get(row_key, digit_map.get(_key(leaf[j]), default))
            cells.append(_format(value, digits=d, thousands=thousands,
                                 integer=integer_cols[j], na_rep=na_rep))
        rows.append(Row(_label_of(index, labels), tuple(cells)))
    if stub is None:
        names = [n for n in frame.index.names if n is not None]
        stub_text = (
            _label_of(tuple(names), labels) if len(names) > 1
            else _label_of(names[0], labels) if names else EMPTY
        )
    else:
        stub_text = as_text(stub)
    return PubTable(
        header=tuple(header) if len(columns) else ((Span(EMPTY),),),
        rows=tuple(rows) if len(columns) else tuple(Row(r.label, (EMPTY,)) for r in rows),
        stub=stub_text,
        title=optional_text(title, "title"),
        notes=text_tuple(notes, "notes"),
        simulated=simulated,
    )
