"""Find the line of a key in a TOML file, so validation errors can point at it.

``tomllib`` parses without positions; this scanner walks the text and records, for each
table (``data``, ``steps[2]``) and key, the line where it is assigned. It understands what
study files use: ``[table]``, ``[[array of tables]]``, ``key = value`` (dotted keys too)
and multi-line values (only their first line matters).
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\".]+)\s*=")


def key_lines(text: str) -> dict[str, int]:
    """Map ``"table.key"`` paths (``"steps[1].years"``, ``"data.path"``) to 1-based lines.

    Tables themselves map too (``"steps[1]"`` → the line of its ``[[steps]]`` header).
    """
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    current = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0] if '"' not in raw else raw
        header = _HEADER.match(line)
        if header:
            name = header.group(2).replace('"', "").strip()
            if header.group(1) == "[[":
                index = counts.get(name, 0)
                counts[name] = index + 1
                current = f"{name}[{index}]"
            else:
                current = name
            lines.setdefault(current, number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(1).replace('"', "")
            path = f"{current}.{name}" if current else name
            lines.setdefault(path, number)
    return lines


def where(lines: dict[str, int], path: str) -> str:
    """'line N' for ``path`` (or its nearest enclosing table), or '' when unknown."""
    probe = path
    while probe:
        if probe in lines:
            return f"line {lines[probe]}"
        if "." not in probe:
            break
        probe = probe.rsplit(".", 1)[0]
    return ""
