"""Word rendering (python-docx): a real Word table in the three-line style.

The three-line table (三线表) of Chinese journals: a 1.5 pt rule above the header, a
0.75 pt rule under it and a 1.5 pt rule under the last row, no vertical lines. Spanning
headers are merged cells underlined by a 0.5 pt rule; the table's own rules are 0.5 pt
lines. Header rows repeat on every page. Text is Times New Roman with SimSun (宋体) for
Chinese, 10.5 pt (五号); notes are 9 pt.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cityres._shared.errors import CityresError
from cityres.report.i18n import Lang
from cityres.report.tables._ooxml import FIXED_DATE, write_reproducible

if TYPE_CHECKING:
    from cityres.report.tables.model import PubTable

#: Rule widths in eighths of a point (Word's unit for borders).
TOP_BOTTOM_RULE = 12  # 1.5 pt
HEADER_RULE = 6  # 0.75 pt
THIN_RULE = 4  # 0.5 pt
_EDGES = ("top", "left", "bottom", "right")
_TCPR_AFTER_BORDERS = (
    "w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
    "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
)


def _docx() -> Any:
    try:
        import docx
    except ImportError as err:  # pragma: no cover - python-docx is a dependency
        raise CityresError(
            "writing .docx needs python-docx; install it with: pip install python-docx"
        ) from err
    return docx


def _set_border(cell: Any, edge: str, size: int) -> None:
    """Set one border of a table cell (``edge`` in top/left/bottom/right, size in 1/8 pt)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    current: dict[str, int] = {}
    if borders is not None:
        for child in borders:
            name = child.tag.rsplit("}", 1)[-1]
            current[name] = int(child.get(qn("w:sz"), "0"))
        tc_pr.remove(borders)
    current[edge] = max(size, current.get(edge, 0))
    borders = OxmlElement("w:tcBorders")
    for name in _EDGES:
        if name in current:
            el = OxmlElement(f"w:{name}")
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), str(current[name]))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
            borders.append(el)
    tc_pr.insert_element_before(borders, *_TCPR_AFTER_BORDERS)


def _write(cell: Any, text: str, *, align: str, bold: bool = False, italic: bool = False,
           size: float = 10.5) -> None:
    docx = _docx()
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    para = cell.paragraphs[0]
    para.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
    para.paragraph_format.space_before = docx.shared.Pt(0)
    para.paragraph_format.space_after = docx.shared.Pt(0)
    if text:
        run = para.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        run.font.size = docx.shared.Pt(size)


def add_docx_table(document: Any, table: PubTable, lang: Lang) -> Any:
    """Append ``table`` (title paragraph, Word table, notes) to a python-docx ``Document``.

    Parameters
    ----------
    document : docx.document.Document
        The document to append to (several tables can go into one file).
    table : PubTable
    lang : {"zh", "en"}

    Returns
    -------
    docx.table.Table
        The Word table added.

    Examples
    --------
    >>> import docx, pandas as pd
    >>> from cityres.report.tables import plain_table
    >>> doc = docx.Document()
    >>> t = add_docx_table(doc, plain_table(pd.DataFrame({"a": [1.0]})), "en")
    >>> t.cell(1, 1).text
    '1.000'
    """
    docx = _docx()
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    n = table.n_columns
    if table.title is not None:
        para = document.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.keep_with_next = True
        run = para.add_run(table.title.get(lang))
        run.bold = True
    n_head = len(table.header)
    grid = document.add_table(rows=n_head + len(table.rows), cols=n + 1)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, hrow in enumerate(table.header):
        trow = grid.rows[i]
        trow._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        last = i == n_head - 1
        _write(trow.cells[0], table.stub.get(lang) if last else "", align="left")
        col = 1
        for span in hrow:
            cell = grid.cell(i, col)
            if span.span > 1:
                cell = cell.merge(grid.cell(i, col + span.span - 1))
            _write(cell, span.text.get(lang), align="center")
            if span.span > 1 and span.text.get(lang):
                _set_border(cell, "bottom", THIN_RULE)
            col += span.span
    for k, row in enumerate(table.rows):
        i = n_head + k
        if row.heading:
            cell = grid.cell(i, 0).merge(grid.cell(i, n))
            _write(cell, row.label.get(lang), align="left", italic=True)
        else:
            _write(grid.cell(i, 0), row.label.get(lang), align="left")
            for j, c in enumerate(row.cells, start=1):
                _write(grid.cell(i, j), c.get(lang), align="center")
        if k in table.rules:
            for j in range(n + 1):
                _set_border(grid.cell(i, j), "top", THIN_RULE)
    last_row = n_head + len(table.rows) - 1
    for j in range(n + 1):
        _set_border(grid.cell(0, j), "top", TOP_BOTTOM_RULE)
        _set_border(grid.cell(n_head - 1, j), "bottom", HEADER_RULE)
        _set_border(grid.cell(last_row, j), "bottom", TOP_BOTTOM_RULE)
    for note in table.all_notes(lang):
        para = document.add_paragraph()
        para.paragraph_format.space_after = docx.shared.Pt(0)
        run = para.add_run(note)
        run.font.size = docx.shared.Pt(9)
    return grid


def write_docx(table: PubTable, path: str | Path, lang: Lang) -> Path:
    """Write ``table`` to a new Word file at ``path``, reproducibly.

    The document's created / modified / last-printed properties are
    :data:`cityres.report.tables._ooxml.FIXED_DATE` and the zip entries carry a fixed
    date, so the same table gives the same bytes on every run.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from cityres.report.tables import plain_table
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_docx(plain_table(pd.DataFrame({"a": [1.0]})), pathlib.Path(d) / "t.docx",
    ...                "zh").name
    't.docx'
    """
    docx = _docx()
    from docx.oxml.ns import qn

    path = Path(path)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = docx.shared.Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    props = document.core_properties
    props.author = "cityres"
    props.last_modified_by = "cityres"
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    props.last_printed = FIXED_DATE
    props.revision = 1
    props.title = table.title.get(lang) if table.title is not None else ""
    add_docx_table(document, table, lang)
    buffer = io.BytesIO()
    document.save(buffer)
    return write_reproducible(buffer.getvalue(), path)
