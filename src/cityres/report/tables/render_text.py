"""Plain-text rendering: aligned columns for consoles, logs and e-mail.

Widths count East Asian wide characters (Chinese) as two columns, as terminals show them.
Cells containing a digit are right-aligned on their last digit, with what follows it
(stars, a closing parenthesis) hanging to the right, as esttab lays out numbers: with the
same number of decimals the decimal points line up. Other cells are centred.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from cityres.report.i18n import Lang

if TYPE_CHECKING:
    from cityres.report.tables.model import PubTable

_SEP = "  "


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide and full-width characters count two)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _rjust(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def _center(text: str, width: int) -> str:
    room = max(0, width - display_width(text))
    left = room // 2
    return " " * left + text + " " * (room - left)


def _is_numeric(cell: str) -> bool:
    return any(ch.isdigit() for ch in cell)


def _split(cell: str) -> tuple[str, str]:
    """(number, suffix): the suffix is what follows the last digit (stars, ``)``)."""
    i = max(k for k, ch in enumerate(cell) if ch.isdigit()) + 1
    return cell[:i], cell[i:]


class _Column:
    """Alignment of one data column: numbers aligned on their last digit, text centred."""

    def __init__(self, cells: list[str]) -> None:
        parts = [_split(c) for c in cells if _is_numeric(c)]
        self.left = max((display_width(a) for a, _ in parts), default=0)
        self.right = max((display_width(b) for _, b in parts), default=0)
        texts = [display_width(c) for c in cells if not _is_numeric(c)]
        self.width = max([self.left + self.right, *texts, 0])

    def render(self, cell: str) -> str:
        if not _is_numeric(cell):
            return _center(cell, self.width)
        a, b = _split(cell)
        block = _rjust(a, self.left) + _ljust(b, self.right)
        pad = (self.width - self.left - self.right) // 2
        return _ljust(" " * pad + block, self.width)


def render_text(table: PubTable, lang: Lang) -> str:
    """Render ``table`` as plain text in ``lang``.

    Layout: the title (centred when narrower than the table), a ``=`` rule, the header rows
    (spans underlined with ``-``), a ``-`` rule, the body (``-`` rules where the table has
    them), a ``=`` rule and the notes, one per line. Trailing spaces are removed.

    Examples
    --------
    >>> from cityres.report.tables import plain_table
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"gdp": [1.5, 22.25]}, index=pd.Index(["a", "b"], name="city"))
    >>> print(plain_table(frame, digits=2).to_text("en"))
    ===========
    City   gdp
    -----------
    a      1.50
    b     22.25
    ===========
    """
    n = table.n_columns
    body = [(r.label.get(lang), [c.get(lang) for c in r.cells], r.heading) for r in table.rows]
    columns = [_Column([cells[j] for _, cells, heading in body if not heading]) for j in range(n)]
    widths = [c.width for c in columns]
    for row in table.header:
        j = 0
        for span in row:
            need = display_width(span.text.get(lang))
            have = sum(widths[j : j + span.span]) + len(_SEP) * (span.span - 1)
            if need > have:  # widen the spanned columns evenly, the last ones first
                extra = need - have
                for k in range(span.span):
                    widths[j + span.span - 1 - k] += extra // span.span + (
                        1 if k < extra % span.span else 0
                    )
            j += span.span
    for col, w in zip(columns, widths, strict=True):
        col.width = w
    stub_w = max(
        [display_width(table.stub.get(lang))]
        + [display_width(label) for label, _, heading in body if not heading]
    )
    total = stub_w + sum(len(_SEP) + w for w in widths)
    starts = []
    pos = stub_w
    for w in widths:
        pos += len(_SEP)
        starts.append(pos)
        pos += w

    lines: list[str] = []
    if table.title is not None:
        title = table.title.get(lang)
        lines.append(_center(title, total) if display_width(title) < total else title)
    lines.append("=" * total)
    for i, row in enumerate(table.header):
        last = i == len(table.header) - 1
        parts = [_ljust(table.stub.get(lang) if last else "", stub_w)]
        underline = [" "] * total
        j = 0
        for span in row:
            w = sum(widths[j : j + span.span]) + len(_SEP) * (span.span - 1)
            parts.append(_SEP + _center(span.text.get(lang), w))
            if span.span > 1 and span.text.get(lang):
                underline[starts[j] : starts[j] + w] = ["-"] * w
            j += span.span
        lines.append("".join(parts))
        if "-" in underline:
            lines.append("".join(underline))
    lines.append("-" * total)
    for i, (label, cells, heading) in enumerate(body):
        if i in table.rules:
            lines.append("-" * total)
        if heading:
            lines.append(label)
            continue
        parts = [_ljust(label, stub_w)]
        parts += [_SEP + col.render(c) for col, c in zip(columns, cells, strict=True)]
        lines.append("".join(parts))
    lines.append("=" * total)
    lines.extend(table.all_notes(lang))
    return "\n".join(line.rstrip() for line in lines)
