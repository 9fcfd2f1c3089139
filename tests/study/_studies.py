"""Running a study written inline in a test (shared by the step test modules).

Imported by the test modules beside it (pytest puts this folder on ``sys.path``).
"""

from __future__ import annotations

from pathlib import Path

from cityres.study import run_study


def run_text(base: Path, text: str, name: str = "s.toml") -> Path:
    """Write the study ``text`` to ``base/name``, run it into ``base/out``; return that."""
    (base / name).write_text(text, encoding="utf-8")
    run_study(base / name, base / "out", progress=False)
    return base / "out"
