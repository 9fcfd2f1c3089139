"""The publication table model: :class:`PubTable` and its parts, and saving by suffix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cityres._shared.errors import ArgumentError, ArgumentTypeError, format_choices
from cityres.report.i18n import Lang, Text, check_lang
from cityres.report.tables._text import EMPTY, as_text, optional_text, text_tuple

#: The note every rendering of a table of simulated data carries, first among the notes.
#: Both languages appear in either rendering, so the warning survives translation and a
#: search for "SIMULATED" finds every such file.
SIMULATED_NOTE = Text(
    "模拟数据，非真实统计 / SIMULATED DATA — not real statistics",
    "SIMULATED DATA — not real statistics / 模拟数据，非真实统计",
)

#: File suffixes :meth:`PubTable.save` accepts, and the format each one writes.
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".html": "HTML",
    ".tex": "LaTeX",
    ".docx": "Word",
    ".xlsx": "Excel",
}


@dataclass(frozen=True)
class Span:
    """One header cell over ``span`` adjacent data columns (a column group when > 1).

    Examples
    --------
    >>> Span(Text("对数产出", "Log output"), 2).span
    2
    """

    text: Text
    span: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", as_text(self.text))
        if isinstance(self.span, bool) or not isinstance(self.span, int) or self.span < 1:
            raise ArgumentError(f"Span.span={self.span!r}; accepted: an int >= 1")


@dataclass(frozen=True)
class Row:
    """One body row: a label and one cell per data column.

    A ``heading`` row is a panel heading ("Panel A: …"): its label spans the whole width
    and it has no cells.

    Examples
    --------
    >>> Row(Text("人口", "Population"), (Text("1.0", "1.0"),)).cells[0].en
    '1.0'
    """

    label: Text
    cells: tuple[Text, ...] = ()
    heading: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", as_text(self.label))
        object.__setattr__(self, "cells", text_tuple(self.cells, "Row.cells"))
        if self.heading and self.cells:
            raise ArgumentError(
                f"Row(heading=True) with {len(self.cells)} cell(s); a panel heading has none"
            )


@dataclass(frozen=True)
class PubTable:
    """An immutable publication table that renders to text, HTML, LaTeX, Word and Excel.

    Parameters
    ----------
    header : tuple of tuple of Span
        Header rows, top to bottom. Every row covers the same number of data columns; the
        last row has one cell per data column (no spans) and names the columns. Rows above
        it group columns (a spanning header such as the dependent variable); a non-empty
        span wider than one column is underlined (LaTeX ``\\cmidrule``).
    rows : tuple of Row
        Body rows.
    stub : Text
        Header of the row-label column (shown in the last header row).
    title : Text, optional
        The caption.
    notes : tuple of Text
        Notes printed under the table, one per line.
    rules : tuple of int
        Body-row positions before which a horizontal rule is drawn (1 … len(rows) - 1).
        The top rule, the rule under the header and the bottom rule are always drawn
        (the three-line table of Chinese journals).
    simulated : bool
        Put :data:`SIMULATED_NOTE` first among the notes of every rendering.

    Notes
    -----
    Tables are usually built with :func:`~cityres.report.tables.plain_table` or
    :func:`~cityres.report.tables.regression_table`. Change one with
    :func:`dataclasses.replace`, e.g. ``replace(table, title=Text(...))``.

    Examples
    --------
    >>> t = PubTable(
    ...     header=((Span(Text("均值", "Mean")),),),
    ...     rows=(Row(Text("上海", "Shanghai"), (Text("1.50", "1.50"),)),),
    ...     stub=Text("城市", "City"),
    ... )
    >>> print(t.to_text("en"))
    ==============
    City      Mean
    --------------
    Shanghai  1.50
    ==============
    """

    header: tuple[tuple[Span, ...], ...]
    rows: tuple[Row, ...]
    stub: Text = EMPTY
    title: Text | None = None
    notes: tuple[Text, ...] = ()
    rules: tuple[int, ...] = ()
    simulated: bool = False
    _width: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        header = tuple(tuple(_span(s) for s in row) for row in self.header)
        if not header or not header[-1]:
            raise ArgumentError("PubTable.header: received no header row; accepted: one or more")
        widths = {sum(s.span for s in row) for row in header}
        if len(widths) != 1:
            raise ArgumentError(
                f"PubTable.header: rows cover {sorted(widths)} columns; every row must cover "
                "the same number of data columns"
            )
        if any(s.span != 1 for s in header[-1]):
            raise ArgumentError(
                "PubTable.header: the last header row names the columns and cannot span"
            )
        width = widths.pop()
        rows = tuple(self.rows)
        for i, row in enumerate(rows):
            if not isinstance(row, Row):
                raise ArgumentTypeError(
                    f"PubTable.rows[{i}]: expected a Row, received {type(row).__name__}"
                )
            if not row.heading and len(row.cells) != width:
                raise ArgumentError(
                    f"PubTable.rows[{i}] ({row.label.en!r}) has {len(row.cells)} cell(s); "
                    f"the header has {width} column(s)"
                )
        rules = tuple(sorted(set(self.rules)))
        bad = [r for r in rules if isinstance(r, bool) or not isinstance(r, int)
               or not 0 < r < len(rows)]
        if bad:
            raise ArgumentError(
                f"PubTable.rules: {bad} out of range; accepted: body-row positions 1 to "
                f"{len(rows) - 1} (the rule before row i)"
            )
        object.__setattr__(self, "header", header)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "stub", as_text(self.stub))
        object.__setattr__(self, "title", optional_text(self.title, "PubTable.title"))
        object.__setattr__(self, "notes", text_tuple(self.notes, "PubTable.notes"))
        object.__setattr__(self, "simulated", bool(self.simulated))
        object.__setattr__(self, "_width", width)

    @property
    def n_columns(self) -> int:
        """Number of data columns (the row-label column not counted)."""
        return self._width

    @property
    def columns(self) -> tuple[Text, ...]:
        """The column names (the last header row)."""
        return tuple(s.text for s in self.header[-1])

    def all_notes(self, lang: Lang) -> list[str]:
        """The notes in ``lang`` as rendered: the SIMULATED note first when ``simulated``."""
        lang = check_lang(lang)
        notes = [SIMULATED_NOTE.get(lang)] if self.simulated else []
        return notes + [n.get(lang) for n in self.notes]

    # -- renderings --------------------------------------------------------------------

    def to_text(self, lang: Lang = "zh") -> str:
        """Plain text with aligned columns (see :func:`.render_text.render_text`)."""
        from cityres.report.tables.render_text import render_text

        return render_text(self, check_lang(lang))

    def to_html(self, lang: Lang = "zh", *, caption: bool = True) -> str:
        """A ``<table class="pub">`` fragment (see :func:`.render_html.render_html`)."""
        from cityres.report.tables.render_html import render_html

        return render_html(self, check_lang(lang), caption=caption)

    def to_latex(
        self, lang: Lang = "zh", *, environment: bool = True, label: str | None = None
    ) -> str:
        """A booktabs ``tabular`` (see :func:`.render_latex.render_latex`)."""
        from cityres.report.tables.render_latex import render_latex

        return render_latex(self, check_lang(lang), environment=environment, label=label)

    def to_docx(self, path: str | Path, lang: Lang = "zh") -> Path:
        """Write a Word file with a three-line table (see :func:`.render_docx.write_docx`)."""
        from cityres.report.tables.render_docx import write_docx

        return write_docx(self, path, check_lang(lang))

    def to_xlsx(self, path: str | Path, lang: Lang = "zh", *, sheet: str = "Table") -> Path:
        """Write an Excel file, cells as displayed (see :func:`.render_xlsx.write_xlsx`)."""
        from cityres.report.tables.render_xlsx import write_xlsx

        return write_xlsx(self, path, check_lang(lang), sheet=sheet)

    def save(self, path: str | Path, lang: Lang = "zh") -> Path:
        """Write the table in the format its suffix names.

        Parameters
        ----------
        path : str or pathlib.Path
            Ends in ``.txt``, ``.html`` (a small standalone UTF-8 page around the
            fragment), ``.tex``, ``.docx`` or ``.xlsx`` (case-insensitive). Missing parent
            folders are created.
        lang : {"zh", "en"}
            Language of labels and notes.

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        ArgumentError
            The suffix is not one of those accepted, or ``lang`` is not "zh" or "en".

        Examples
        --------
        >>> import tempfile, pathlib
        >>> t = PubTable(header=((Span(Text("x", "x")),),), rows=())
        >>> with tempfile.TemporaryDirectory() as d:
        ...     t.save(pathlib.Path(d) / "t.tex", "en").suffix
        '.tex'
        """
        lang = check_lang(lang)
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise ArgumentError(
                f"path={str(path)!r} has suffix {suffix or '(none)'!r}; accepted suffixes: "
                f"{format_choices(SUFFIXES)}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".docx":
            return self.to_docx(path, lang)
        if suffix == ".xlsx":
            return self.to_xlsx(path, lang)
        if suffix == ".txt":
            content = self.to_text(lang) + "\n"
        elif suffix == ".tex":
            content = self.to_latex(lang)
        else:
            from cityres.report.tables.render_html import html_page

            content = html_page(self, lang)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
        return path

    def _repr_html_(self) -> str:  # Jupyter
        return self.to_html("zh")


def _span(value: object) -> Span:
    if isinstance(value, Span):
        return value
    if isinstance(value, Text | str):
        return Span(as_text(value))
    raise ArgumentTypeError(
        f"PubTable.header: expected Span, Text or str cells, received {type(value).__name__}"
    )


def stack_panels(
    panels: Sequence[tuple[Text | str, PubTable]],
    *,
    title: Text | str | None = None,
    notes: Sequence[Text | str] | None = None,
) -> PubTable:
    """Stack tables with the same columns into one table of panels (Panel A, Panel B…).

    Parameters
    ----------
    panels : sequence of (heading, PubTable)
        Each heading becomes a full-width row above its table's rows, with a rule before
        it (except the first). The header and stub are the first table's.
    title : Text or str, optional
        Caption of the stacked table (default: the first table's).
    notes : sequence of Text or str, optional
        Notes (default: the panels' notes, each once, in order).

    Returns
    -------
    PubTable
        Simulated when any panel is.

    Raises
    ------
    ArgumentError
        No panels, or panels whose column names differ.

    Examples
    --------
    >>> a = PubTable(header=((Span(Text("均值", "Mean")),),),
    ...              rows=(Row(Text("x", "x"), (Text("1", "1"),)),))
    >>> t = stack_panels([(Text("面板 A", "Panel A"), a), (Text("面板 B", "Panel B"), a)])
    >>> [r.label.en for r in t.rows], t.rules
    (['Panel A', 'x', 'Panel B', 'x'], (2,))
    """
    if not panels:
        raise ArgumentError("panels: received an empty sequence; accepted: (heading, table) pairs")
    first = panels[0][1]
    rows: list[Row] = []
    rules: list[int] = []
    collected: list[Text] = []
    for i, (heading, table) in enumerate(panels):
        if table.columns != first.columns:
            raise ArgumentError(
                f"panels[{i}]: columns {[c.en for c in table.columns]} differ from panels[0]'s "
                f"{[c.en for c in first.columns]}; stacked panels share one header"
            )
        if rows:
            rules.append(len(rows))
        offset = len(rows) + 1
        rows.append(Row(as_text(heading), heading=True))
        rows.extend(table.rows)
        rules.extend(offset + r for r in table.rules)
        collected.extend(n for n in table.notes if n not in collected)
    return PubTable(
        header=first.header,
        rows=tuple(rows),
        stub=first.stub,
        title=optional_text(title, "title") if title is not None else first.title,
        notes=text_tuple(notes, "notes") if notes is not None else tuple(collected),
        rules=tuple(rules),
        simulated=any(t.simulated for _, t in panels),
    )
