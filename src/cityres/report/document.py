"""The report's document model: sections of numbered tables and figures, bilingual.

The study runner builds a :class:`ReportDoc`; :func:`cityres.report.html.render_html`
turns it into one self-contained HTML file. Tables and figures are numbered in the order
they appear (表 1 / Table 1, 图 1 / Figure 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cityres.report.i18n import Lang, Text


@dataclass(frozen=True)
class ReportTable:
    """A table: pre-rendered HTML fragments (``<table>…</table>``) per language."""

    key: str
    caption: Text
    source: Text
    html: dict[Lang, str]
    notes: Text | None = None


@dataclass(frozen=True)
class ReportFigure:
    """A figure: PNG bytes per language (labels differ by language)."""

    key: str
    caption: Text
    source: Text
    png: dict[Lang, bytes]
    notes: Text | None = None
    alt: Text | None = None


@dataclass(frozen=True)
class Section:
    """One step's part of the report."""

    key: str
    title: Text
    items: tuple[ReportTable | ReportFigure, ...]
    intro: Text | None = None


@dataclass(frozen=True)
class ReportDoc:
    """A whole report.

    ``simulated`` puts a visible SIMULATED banner at the top of every page view;
    ``facts`` are (label, value) pairs shown in the provenance block (inputs, seeds,
    versions) and ``warnings`` the data warnings recorded during the run.
    """

    title: Text
    sections: tuple[Section, ...]
    simulated: bool
    subtitle: Text | None = None
    facts: tuple[tuple[Text, str], ...] = ()
    warnings: tuple[str, ...] = ()
    data_log: tuple[str, ...] = ()
    generated_with: str = ""
    default_lang: Lang = "zh"
    extra_css: str = field(default="", repr=False)
