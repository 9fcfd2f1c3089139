"""Read and write weights files: long CSV, square-matrix CSV, GAL and GWT.

Ids are always read as strings, so codes such as ``'010100'`` keep their leading zeros.
Every error names the file and the 1-based line, and says what is accepted.

Formats
-------
``csv`` (``.csv``)
    Header ``focal,neighbour,weight``; one row per link. A unit without neighbours is a
    row with an empty ``neighbour`` and ``weight`` (so islands survive a round trip). The
    ids are in order of first appearance as ``focal``.
``matrix-csv`` (never guessed from the suffix)
    A square matrix: the header row is a label cell then the ids; each row starts with
    its id.
``gal`` (``.gal``)
    Binary neighbour lists: a header with the number of units (``41``, or GeoDa's
    ``0 41 <layer> <id column>``), then per unit a line ``id k`` and a line with its
    ``k`` neighbours (empty when ``k = 0``).
``gwt`` (``.gwt``)
    Weighted links: a header (``0 41 <layer> <id column>``, or just ``41``), then one line
    ``focal neighbour weight`` per link. GWT cannot name a unit without neighbours.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cityres._shared.errors import ArgumentError, DataFileError, WeightsError, format_choices
from cityres.spatial.weights.core import Weights
from cityres.spatial.weights.matrix import from_matrix

__all__ = ["read_weights", "write_weights"]

FORMATS: tuple[str, ...] = ("csv", "matrix-csv", "gal", "gwt")
_SUFFIXES = {".csv": "csv", ".gal": "gal", ".gwt": "gwt"}
_LONG_HEADER = ("focal", "neighbour", "weight")


def _format(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise ArgumentError(f"format must be {format_choices(FORMATS)}; got {fmt!r}")
        return fmt
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise ArgumentError(f"cannot tell the weights format of {path.name!r} from its suffix; "
                            f"use .csv, .gal or .gwt, or pass format= "
                            f"({format_choices(FORMATS)})")
    return found


def _number(text: str, path: Path, line: int, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise DataFileError(f"{path}, line {line}: {what} must be a number; got {text!r}"
                            ) from None
    if not math.isfinite(v) or v < 0:
        raise DataFileError(f"{path}, line {line}: {what} must be a finite number ≥ 0; "
                            f"got {text!r}")
    return v


def _assemble(path: Path, focal_order: list[str], links: list[tuple[str, str, float]],
              fmt: str) -> Weights:
    order = list(dict.fromkeys(focal_order + [b for _, b, _ in links]))
    pos = {u: k for k, u in enumerate(order)}
    rows = np.fromiter((pos[a] for a, _, _ in links), dtype=np.intp, count=len(links))
    cols = np.fromiter((pos[b] for _, b, _ in links), dtype=np.intp, count=len(links))
    vals = np.fromiter((v for _, _, v in links), dtype=float, count=len(links))
    m = sp.csr_array((vals, (rows, cols)), shape=(len(order), len(order)))
    return Weights(m, tuple(order), kind="file", params={"file": str(path), "format": fmt})


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
                            ) from None


def _read_long_csv(path: Path) -> Weights:
    rows = list(csv.reader(_lines(path)))
    if not rows:
        raise DataFileError(f"{path}: empty file; a weights CSV starts with the header "
                            "focal,neighbour,weight")
    header = tuple(c.strip().lower().replace("neighbor", "neighbour") for c in rows[0])
    if header != _LONG_HEADER:
        raise DataFileError(f"{path}, line 1: a long weights CSV has the header "
                            f"focal,neighbour,weight; got {','.join(rows[0])!r}. For a square "
                            "matrix with ids as the first column and header, pass "
                            "format='matrix-csv'")
    focal: list[str] = []
    links: list[tuple[str, str, float]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 3:
            raise DataFileError(f"{path}, line {line}: expected 3 fields (focal, neighbour, "
                                f"weight); got {len(row)}")
        a, b, v = (c.strip() for c in row)
        if not a:
            raise DataFileError(f"{path}, line {line}: the focal id is empty")
        focal.append(a)
        if not b and not v:
            continue  # a unit without neighbours
        if not b or not v:
            raise DataFileError(f"{path}, line {line}: neighbour and weight must both be given "
                                "(or both empty for a unit without neighbours)")
        if a == b:
            raise DataFileError(f"{path}, line {line}: {a} is its own neighbour")
        if (a, b) in seen:
            raise DataFileError(f"{path}, line {line}: the link {a} → {b} repeats line "
                                f"{seen[(a, b)]}")
        seen[(a, b)] = line
        links.append((a, b, _number(v, path, line, "weight")))
    return _assemble(path, focal, links, "csv")


def _header_n(tokens: list[str], path: Path, fmt: str) -> int:
    text = tokens[1] if len(tokens) > 1 else (tokens[0] if tokens else "")
    if not text.isdigit():
        raise DataFileError(f"{path}, line 1: the {fmt.upper()} header must give the number of "
                            f"units ('41', or '0 41 <layer> <id column>'); got "
                            f"{' '.join(tokens)!r}")
    return int(text)


def _read_gal(path: Path) -> Weights:
    lines = _lines(path)
    if not lines:
        raise DataFileError(f"{path}: empty file")
    n = _header_n(lines[0].split(), path, "gal")
    focal: list[str] = []
    lists: list[tuple[str, list[str], int]] = []
    where: dict[str, int] = {}
    k = 1
    while len(focal) < n:
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k >= len(lines):
            raise DataFileError(f"{path}, line {len(lines)}: the file ends after {len(focal)} "
                                f"unit(s) but line 1 declares {n}")
        head = lines[k].split()
        if len(head) != 2 or not head[1].isdigit():
            raise DataFileError(f"{path}, line {k + 1}: expected '<id> <number of "
                                f"neighbours>'; got {lines[k].strip()!r}")
        unit, count = head[0], int(head[1])
        if unit in where:
            raise DataFileError(f"{path}, line {k + 1}: unit {unit} is listed again (first on "
                                f"line {where[unit]})")
        where[unit] = k + 1
        nxt = lines[k + 1].split() if k + 1 < len(lines) else []
        if count == 0 and len(nxt) == 2 and nxt[1].isdigit() and k + 1 < len(lines):
            neigh, k = [], k + 1  # no neighbour line before the next unit
        else:
            neigh, k = nxt, k + 2
            if len(neigh) != count:
                raise DataFileError(f"{path}, line {k}: unit {unit} declares {count} "
                                    f"neighbour(s) on line {k - 1} but this line lists "
                                    f"{len(neigh)}")
        focal.append(unit)
        lists.append((unit, neigh, k))
    rest = [i + 1 for i in range(k, len(lines)) if lines[i].strip()]
    if rest:
        raise DataFileError(f"{path}, line {rest[0]}: line 1 declares {n} units but more lines "
                            "follow")
    links: list[tuple[str, str, float]] = []
    for unit, neigh, line in lists:
        if len(set(neigh)) != len(neigh):
            raise DataFileError(f"{path}, line {line}: unit {unit} lists a neighbour twice")
        for b in neigh:
            if b not in where:
                raise DataFileError(f"{path}, line {line}: neighbour {b} of {unit} is not one "
                                    "of the units of the file")
            if b == unit:
                raise DataFileError(f"{path}, line {line}: {unit} is its own neighbour")
            links.append((unit, b, 1.0))
    return _assemble(path, focal, links, "gal")


def _read_gwt(path: Path) -> Weights:
    lines = _lines(path)
    if not lines:
        raise DataFileError(f"{path}: empty file")
    n = _header_n(lines[0].split(), path, "gwt")
    focal: list[str] = []
    links: list[tuple[str, str, float]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, text in enumerate(lines[1:], start=2):
        tok = text.split()
        if not tok:
            continue
        if len(tok) != 3:
            raise DataFileError(f"{path}, line {line}: expected '<focal> <neighbour> <weight>'; "
                                f"got {text.strip()!r}")
        a, b = tok[0], tok[1]
        if a == b:
            raise DataFileError(f"{path}, line {line}: {a} is its own neighbour")
        if (a, b) in seen:
            raise DataFileError(f"{path}, line {line}: the link {a} → {b} repeats line "
                                f"{seen[(a, b)]}")
        seen[(a, b)] = line
        focal.append(a)
        links.append((a, b, _number(tok[2], path, line, "weight")))
    w = _assemble(path, focal, links, "gwt")
    if w.n != n:
        raise DataFileError(f"{path}, line 1: the header declares {n} units but the links name "
                            f"{w.n}; a GWT file cannot list units without neighbours (use the "
                            "long CSV format for such weights)")
    return w


def _read_matrix_csv(path: Path) -> Weights:
    rows = [r for r in csv.reader(_lines(path))]
    if len(rows) < 2:
        raise DataFileError(f"{path}: a matrix CSV needs a header row of ids and one row per "
                            "id")
    ids = [c.strip() for c in rows[0][1:]]
    index: list[str] = []
    values = np.empty((len(rows) - 1, len(ids)))
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(ids) + 1:
            raise DataFileError(f"{path}, line {line}: expected {len(ids) + 1} fields (the id "
                                f"and one value per column id); got {len(row)}")
        index.append(row[0].strip())
        for j, cell in enumerate(row[1:]):
            if not cell.strip():
                raise DataFileError(f"{path}, line {line}, column {ids[j]}: empty cell (write "
                                    "0 for no link)")
            values[line - 2, j] = _number(cell.strip(), path, line, f"column {ids[j]}")
    frame = pd.DataFrame(values, index=pd.Index(index, dtype=object),
                         columns=pd.Index(ids, dtype=object))
    try:
        w = from_matrix(frame, kind="file")
    except WeightsError as err:
        raise DataFileError(f"{path}: {err}") from None
    return Weights(w.sparse, w.ids, kind="file",
                   params={"file": str(path), "format": "matrix-csv"})


def read_weights(path: str | os.PathLike[str], *, format: str | None = None) -> Weights:
    """Read a weights file (long CSV, matrix CSV, GAL or GWT).

    Parameters
    ----------
    path : str or path-like
        The file.
    format : {"csv", "matrix-csv", "gal", "gwt"}, optional
        Taken from the suffix when omitted (``.csv`` → ``"csv"``, ``.gal``, ``.gwt``); a
        square matrix CSV needs ``format="matrix-csv"``.

    Returns
    -------
    Weights
        ``kind="file"``, ``params`` the file and format; not standardised (a file cannot
        say whether it was).

    Raises
    ------
    DataFileError
        Missing file, or a malformed line: the message names the file and the 1-based line
        and says what is accepted.
    ArgumentError
        An unknown format or suffix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cityres.spatial.weights import read_weights
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.gal"
    >>> _ = p.write_text("2\\n010100 1\\n020100\\n020100 1\\n010100\\n")
    >>> read_weights(p).ids
    ('010100', '020100')
    """
    p = Path(path)
    fmt = _format(p, format)
    reader = {"csv": _read_long_csv, "gal": _read_gal, "gwt": _read_gwt,
              "matrix-csv": _read_matrix_csv}[fmt]
    return reader(p)


def _plain_ids(w: Weights, fmt: str) -> None:
    bad = [u for u in w.ids if not u or any(ch.isspace() for ch in u)]
    if bad:
        raise WeightsError(f"{fmt.upper()} separates fields by spaces, so ids cannot contain "
                           f"spaces or be empty: {bad[:10]}; write the long CSV format")


def write_weights(w: Weights, path: str | os.PathLike[str], *, format: str | None = None
                  ) -> Path:
    """Write weights to a file (long CSV, matrix CSV, GAL or GWT).

    Parameters
    ----------
    w : Weights
        The weights.
    path : str or path-like
        The file to write (replaced if it exists).
    format : {"csv", "matrix-csv", "gal", "gwt"}, optional
        Taken from the suffix when omitted.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    WeightsError
        GAL for weights that are not binary (GAL stores neighbours only); GWT for weights
        with islands (GWT cannot list them); ids with spaces in GAL/GWT.

    Notes
    -----
    Weights are written with full precision (``repr`` of the float), so reading the file
    back gives the same matrix exactly.
    """
    if not isinstance(w, Weights):
        raise ArgumentError(f"w must be a cityres Weights; got {type(w).__name__}")
    p = Path(path)
    fmt = _format(p, format)
    coo = w.sparse.tocoo()
    ids = w.ids
    if fmt == "csv":
        with p.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(_LONG_HEADER)
            m = w.sparse
            for i, u in enumerate(ids):
                lo, hi = m.indptr[i], m.indptr[i + 1]
                if lo == hi:
                    out.writerow([u, "", ""])
                for j, v in zip(m.indices[lo:hi].tolist(), m.data[lo:hi].tolist(), strict=True):
                    out.writerow([u, ids[j], repr(v)])
    elif fmt == "matrix-csv":
        dense = w.to_dense()
        with p.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(["city", *ids])
            for u, row in zip(ids, dense.to_numpy().tolist(), strict=True):
                out.writerow([u, *(repr(v) for v in row)])
    elif fmt == "gal":
        _plain_ids(w, fmt)
        if not w.is_binary():
            raise WeightsError(f"GAL stores neighbours only, but these weights ({w.kind}, "
                               f"{w.transform}) are not all 1; write GWT or CSV to keep them")
        m = w.sparse
        parts = [f"{w.n}"]
        for i, u in enumerate(ids):
            neigh = [ids[j] for j in m.indices[m.indptr[i]:m.indptr[i + 1]].tolist()]
            parts += [f"{u} {len(neigh)}", " ".join(neigh)]
        p.write_text("\n".join(parts) + "\n", encoding="utf-8")
    else:
        _plain_ids(w, fmt)
        if w.islands:
            raise WeightsError(f"GWT cannot list units without neighbours; these weights have "
                               f"islands {', '.join(w.islands[:10])}; write the long CSV format")
        body = [f"{ids[r]} {ids[c]} {v!r}" for r, c, v in
                zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)]
        p.write_text("\n".join([f"0 {w.n} cityres code", *body]) + "\n", encoding="utf-8")
    return p
