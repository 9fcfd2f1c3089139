"""HTML rendering: a ``<table class="pub">`` fragment, styled by :data:`PUB_TABLE_CSS`.

The fragment has no inline scripts and no inline styles; every piece of text is escaped.
Structure: optional ``<caption>``, ``<thead>`` (spanning cells with ``colspan`` and class
``span``), ``<tbody>`` (rows after a rule have class ``rule``, panel headings class
``panel``), ``<tfoot>`` with the notes.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from cityres.report.i18n import Lang

if TYPE_CHECKING:
    from cityres.report.tables.model import PubTable

#: CSS giving ``table.pub`` the three-line look (top and bottom rules, a rule under the
#: header, thin rules where the table has them). The report includes it once per page.
PUB_TABLE_CSS = """\
table.pub { border-collapse: collapse; margin: 0.8em auto; font-variant-numeric: tabular-nums; }
table.pub caption { caption-side: top; font-weight: bold; padding-bottom: 0.4em; }
table.pub th, table.pub td { padding: 0.15em 0.8em; text-align: center; white-space: nowrap; }
table.pub thead tr:first-child > * { border-top: 2px solid currentColor; }
table.pub thead tr:last-child > * { border-bottom: 1px solid currentColor; }
table.pub thead th.span { border-bottom: 1px solid currentColor; }
table.pub tbody th { text-align: left; font-weight: normal; }
table.pub tbody tr.panel th { font-style: italic; }
table.pub tbody tr.rule > * { border-top: 1px solid currentColor; }
table.pub tbody tr:last-child > * { border-bottom: 2px solid currentColor; }
table.pub tfoot td { text-align: left; font-size: 0.85em; white-space: normal; }
"""


def _e(text: str) -> str:
    return escape(text, quote=True)


def render_html(table: PubTable, lang: Lang, *, caption: bool = True) -> str:
    """Render ``table`` as an HTML fragment in ``lang``.

    Parameters
    ----------
    table : PubTable
    lang : {"zh", "en"}
    caption : bool
        Put the title in a ``<caption>`` (when the table has one). Turn off when the page
        numbers and captions tables itself.

    Returns
    -------
    str
        ``<table class="pub" lang="...">…</table>``.

    Examples
    --------
    >>> from cityres.report.tables import plain_table
    >>> import pandas as pd
    >>> html = plain_table(pd.DataFrame({"a<b": [1.0]})).to_html("en")
    >>> "a&lt;b" in html and html.startswith('<table class="pub"')
    True
    """
    n = table.n_columns
    html_lang = "zh-CN" if lang == "zh" else "en"
    out = [f'<table class="pub" lang="{html_lang}">']
    if caption and table.title is not None:
        out.append(f"<caption>{_e(table.title.get(lang))}</caption>")
    out.append("<thead>")
    for i, row in enumerate(table.header):
        last = i == len(table.header) - 1
        stub = _e(table.stub.get(lang)) if last else ""
        cells = [f'<th scope="col" class="stub">{stub}</th>']
        for span in row:
            text = _e(span.text.get(lang))
            if span.span > 1:
                cls = ' class="span"' if text else ""
                cells.append(f'<th scope="colgroup" colspan="{span.span}"{cls}>{text}</th>')
            else:
                cells.append(f'<th scope="col">{text}</th>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</thead>")
    out.append("<tbody>")
    for i, r in enumerate(table.rows):
        classes = [c for c, on in (("rule", i in table.rules), ("panel", r.heading)) if on]
        attr = f' class="{" ".join(classes)}"' if classes else ""
        if r.heading:
            cells = [f'<th scope="rowgroup" colspan="{n + 1}">{_e(r.label.get(lang))}</th>']
        else:
            cells = [f'<th scope="row">{_e(r.label.get(lang))}</th>']
            cells += [f"<td>{_e(c.get(lang))}</td>" for c in r.cells]
        out.append(f"<tr{attr}>" + "".join(cells) + "</tr>")
    out.append("</tbody>")
    notes = table.all_notes(lang)
    if notes:
        body = "<br>".join(_e(note) for note in notes)
        out.append(f'<tfoot><tr><td colspan="{n + 1}">{body}</td></tr></tfoot>')
    out.append("</table>")
    return "\n".join(out)


def html_page(table: PubTable, lang: Lang) -> str:
    """A small standalone UTF-8 HTML page showing ``table`` with :data:`PUB_TABLE_CSS`."""
    html_lang = "zh-CN" if lang == "zh" else "en"
    title = _e(table.title.get(lang)) if table.title is not None else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>\n{PUB_TABLE_CSS}</style>\n</head>\n<body>\n"
        f"{render_html(table, lang)}\n</body>\n</html>\n"
    )
