"""Publication tables: one immutable model, five renderings, in Chinese or English.

Build a :class:`PubTable` with :func:`plain_table` (a DataFrame) or
:func:`regression_table` (fitted models side by side, as esttab / modelsummary /
fixest::etable), then render it with ``to_text``, ``to_html``, ``to_latex``, ``to_docx``
or ``to_xlsx`` in ``lang="zh"`` or ``"en"``, or ``save(path, lang)`` by suffix.

Examples
--------
>>> import numpy as np, statsmodels.api as sm, cityres.datasets
>>> d = np.log(cityres.datasets.load("produc").data[["gsp", "pcap", "emp"]])
>>> fit = sm.OLS(d["gsp"], sm.add_constant(d[["pcap", "emp"]])).fit()
>>> table = regression_table([fit], labels={"pcap": Text("公共资本", "Public capital")})
>>> table.rows[2].label.zh, table.rows[2].cells[0].zh
('公共资本', '0.408***')
"""

from cityres.report.i18n import Text
from cityres.report.tables._ooxml import FIXED_DATE
from cityres.report.tables._text import TABLE_LABELS, format_number
from cityres.report.tables.model import SIMULATED_NOTE, SUFFIXES, PubTable, Row, Span, stack_panels
from cityres.report.tables.plain import plain_table
from cityres.report.tables.regression import (
    check_stars,
    regression_note,
    regression_table,
    star_marks,
)
from cityres.report.tables.render_docx import add_docx_table
from cityres.report.tables.render_html import PUB_TABLE_CSS
from cityres.report.tables.render_latex import escape_latex
from cityres.report.tables.render_xlsx import write_xlsx_sheet
from cityres.report.tables.summary import ModelSummary, summarize

__all__ = [
    "FIXED_DATE",
    "PUB_TABLE_CSS",
    "SIMULATED_NOTE",
    "SUFFIXES",
    "TABLE_LABELS",
    "ModelSummary",
    "PubTable",
    "Row",
    "Span",
    "Text",
    "add_docx_table",
    "check_stars",
    "escape_latex",
    "format_number",
    "plain_table",
    "regression_note",
    "regression_table",
    "stack_panels",
    "star_marks",
    "summarize",
    "write_xlsx_sheet",
]
