"""Excel rendering (openpyxl): cells exactly as displayed, notes under the table.

Every cell is written as text (number format ``@``) exactly as the other renderings show
it, so stars, parentheses, thousands separators and trailing zeros survive. The title is
in A1 (bold), the header rows follow (bold, spans merged and centred), then the body and
the notes, one per row in column A. Borders give the three-line look.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cityres._shared.errors import ArgumentError
from cityres.report.i18n import Lang
from cityres.report.tables._ooxml import FIXED_DATE, write_reproducible
from cityres.report.tables.render_text import display_width

if TYPE_CHECKING:
    from cityres.report.tables.model import PubTable

_FORBIDDEN = set("[]:*?/\\")


def write_xlsx_sheet(worksheet: Any, table: PubTable, lang: Lang) -> int:
    """Write ``table`` into an openpyxl worksheet from cell A1; return the last row used.

    Examples
    --------
    >>> import openpyxl, pandas as pd
    >>> from cityres.report.tables import plain_table
    >>> ws = openpyxl.Workbook().active
    >>> write_xlsx_sheet(ws, plain_table(pd.DataFrame({"a": [1.0]})), "en")
    2
    >>> ws["B2"].value
    '1.000'
    """
    from openpyxl.styles import Alignment, Border, Font, Side

    n = table.n_columns
    outer, inner = Side(style="medium"), Side(style="thin")
    r = 1
    if table.title is not None:
        ws_cell = worksheet.cell(row=1, column=1, value=table.title.get(lang))
        ws_cell.font = Font(bold=True)
        r = 2
    widths = [0] * (n + 1)

    def put(row: int, col: int, text: str, *, bold: bool = False, center: bool = True) -> Any:
        cell = worksheet.cell(row=row, column=col, value=text if text else None)
        cell.number_format = "@"
        cell.alignment = Alignment(horizontal="center" if center else "left")
        if bold:
            cell.font = Font(bold=True)
        return cell

    borders: dict[tuple[int, int], dict[str, Side]] = {}

    def edge(row: int, col: int, name: str, side: Side) -> None:
        borders.setdefault((row, col), {})[name] = side

    first_header = r
    for i, hrow in enumerate(table.header):
        last = i == len(table.header) - 1
        stub = table.stub.get(lang) if last else ""
        put(r, 1, stub, bold=True, center=False)
        widths[0] = max(widths[0], display_width(stub))
        col = 2
        for span in hrow:
            text = span.text.get(lang)
            put(r, col, text, bold=True)
            if span.span > 1:
                worksheet.merge_cells(
                    start_row=r, start_column=col, end_row=r, end_column=col + span.span - 1
                )
                if text:
                    for c in range(col, col + span.span):
                        edge(r, c, "bottom", inner)
            else:
                widths[col - 1] = max(widths[col - 1], display_width(text))
            col += span.span
        r += 1
    last_header = r - 1
    for k, row in enumerate(table.rows):
        label = row.label.get(lang)
        put(r, 1, label, center=False)
        if row.heading:
            worksheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n + 1)
        else:
            widths[0] = max(widths[0], display_width(label))
            for j, cell_text in enumerate(row.cells, start=2):
                put(r, j, cell_text.get(lang))
                widths[j - 1] = max(widths[j - 1], display_width(cell_text.get(lang)))
        if k in table.rules:
            for c in range(1, n + 2):
                edge(r, c, "top", inner)
        r += 1
    for c in range(1, n + 2):
        edge(first_header, c, "top", outer)
        edge(last_header, c, "bottom", inner)
        edge(r - 1, c, "bottom", outer)
    for (row_i, col_i), sides in borders.items():
        worksheet.cell(row=row_i, column=col_i).border = Border(**sides)
    for note in table.all_notes(lang):
        cell = worksheet.cell(row=r, column=1, value=note)
        cell.number_format = "@"
        r += 1
    from openpyxl.utils import get_column_letter

    for j, w in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(j)].width = max(8, w + 2)
    return r - 1


def write_xlsx(table: PubTable, path: str | Path, lang: Lang, *, sheet: str = "Table") -> Path:
    """Write ``table`` to a new Excel workbook at ``path``, reproducibly.

    Parameters
    ----------
    table : PubTable
    path : str or pathlib.Path
    lang : {"zh", "en"}
    sheet : str
        Worksheet name (at most 31 characters, none of ``[]:*?/\\``).

    Returns
    -------
    pathlib.Path

    Notes
    -----
    The workbook's created and modified properties are
    :data:`cityres.report.tables._ooxml.FIXED_DATE` and the zip entries carry a fixed date,
    so the same table gives the same bytes on every run.
    """
    from openpyxl import Workbook

    if not sheet or len(sheet) > 31 or _FORBIDDEN & set(sheet):
        raise ArgumentError(
            f"sheet={sheet!r}; accepted: 1 to 31 characters, none of []:*?/\\"
        )
    path = Path(path)
    book = Workbook()
    ws = book.active
    ws.title = sheet
    write_xlsx_sheet(ws, table, lang)
    book.properties.creator = "cityres"
    book.properties.lastModifiedBy = "cityres"
    book.properties.created = FIXED_DATE.replace(tzinfo=None)
    book.properties.title = table.title.get(lang) if table.title is not None else None
    buffer = io.BytesIO()
    book.save(buffer)
    return write_reproducible(buffer.getvalue(), path)
