"""Reproducible Office Open XML files (.docx, .xlsx): fixed dates inside and in the zip.

python-docx and openpyxl stamp the zip entries with the time of writing, and openpyxl sets
the "modified" document property to the time of saving. :func:`write_reproducible`
rewrites the package with every entry dated 1980-01-01 (the zip epoch) and the created /
modified properties set to :data:`FIXED_DATE`, so the same table gives the same bytes on
every run.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

#: Creation and modification date written into every .docx and .xlsx (UTC).
FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_W3CDTF = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
_DATE_ELEMENT = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def write_reproducible(data: bytes, path: Path) -> Path:
    """Write the OOXML package ``data`` to ``path`` with fixed dates; return ``path``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = _DATE_ELEMENT.sub(rb"\g<1>" + _W3CDTF.encode() + rb"\g<3>", blob)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, blob)
    path.write_bytes(out.getvalue())
    return path
