"""LaTeX rendering: a booktabs ``tabular`` (``\\toprule``, ``\\midrule``, ``\\bottomrule``).

The preamble needs ``\\usepackage{booktabs}``; Chinese text needs a CJK-capable engine and
package (``xelatex`` with ``ctex``, e.g. ``\\documentclass{ctexart}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cityres.report.i18n import Lang

if TYPE_CHECKING:
    from cityres.report.tables.model import PubTable

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "²": r"\textsuperscript{2}",
    "—": "---",
    "\n": " ",
}


def escape_latex(text: str) -> str:
    r"""Escape LaTeX's special characters in ``text``.

    Examples
    --------
    >>> print(escape_latex("ln_gdp 5% & R²"))
    ln\_gdp 5\% \& R\textsuperscript{2}
    """
    return "".join(_SPECIALS.get(ch, ch) for ch in text)


def render_latex(
    table: PubTable, lang: Lang, *, environment: bool = True, label: str | None = None
) -> str:
    r"""Render ``table`` as LaTeX in ``lang``.

    Parameters
    ----------
    table : PubTable
    lang : {"zh", "en"}
    environment : bool
        Wrap the ``tabular`` in a ``table`` float with ``\centering``, the ``\caption``
        (the title) and the notes in ``\footnotesize`` under it. When False, only the
        ``tabular`` is returned and the notes become full-width rows after
        ``\bottomrule``.
    label : str, optional
        A ``\label{...}`` after the caption (not escaped; use letters, digits, ``:`` and
        ``-``).

    Returns
    -------
    str

    Examples
    --------
    >>> from cityres.report.tables import plain_table
    >>> import pandas as pd
    >>> tex = plain_table(pd.DataFrame({"share_%": [0.5]})).to_latex("en")
    >>> r"\toprule" in tex and r"share\_\%" in tex
    True
    """
    n = table.n_columns
    rows: list[str] = [r"\toprule"]
    for i, hrow in enumerate(table.header):
        last = i == len(table.header) - 1
        cells = [escape_latex(table.stub.get(lang)) if last else ""]
        rules = []
        col = 2
        for span in hrow:
            text = escape_latex(span.text.get(lang))
            if span.span > 1:
                cells.append(rf"\multicolumn{{{span.span}}}{{c}}{{{text}}}")
                if text:
                    rules.append(rf"\cmidrule(lr){{{col}-{col + span.span - 1}}}")
            else:
                cells.append(text)
            col += span.span
        rows.append(" & ".join(cells) + r" \\")
        if rules:
            rows.append(" ".join(rules))
    rows.append(r"\midrule")
    for i, r in enumerate(table.rows):
        if i in table.rules:
            rows.append(r"\midrule")
        if r.heading:
            text = escape_latex(r.label.get(lang))
            rows.append(rf"\multicolumn{{{n + 1}}}{{l}}{{\textit{{{text}}}}} \\")
        else:
            cells = [escape_latex(r.label.get(lang))] + [escape_latex(c.get(lang)) for c in r.cells]
            rows.append(" & ".join(cells) + r" \\")
    rows.append(r"\bottomrule")
    notes = [escape_latex(note) for note in table.all_notes(lang)]
    if not environment:
        rows += [rf"\multicolumn{{{n + 1}}}{{l}}{{\footnotesize {note}}} \\" for note in notes]
    tabular = [rf"\begin{{tabular}}{{l{'c' * n}}}", *("  " + r for r in rows), r"\end{tabular}"]
    if not environment:
        return "\n".join(tabular) + "\n"
    out = [r"\begin{table}[htbp]", r"\centering"]
    if table.title is not None:
        out.append(rf"\caption{{{escape_latex(table.title.get(lang))}}}")
    if label is not None:
        out.append(rf"\label{{{label}}}")
    out += tabular
    if notes:
        out.append(r"\par\smallskip")
        out.append(r"\begin{minipage}{\linewidth}\footnotesize\raggedright")
        out.append("\\par\n".join(notes))
        out.append(r"\end{minipage}")
    out.append(r"\end{table}")
    return "\n".join(out) + "\n"
