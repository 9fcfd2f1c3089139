"""Fixtures shared by the figure tests: the CJK font's glyphs, missing glyphs as errors."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from cityres.report import fonts

#: matplotlib's warning when a character has no glyph in the font used.
MISSING_GLYPH = r"Glyph .* missing from font"


@pytest.fixture(scope="module")
def cjk_glyphs() -> set[int]:
    return set(TTFont(str(fonts.cjk_font_path()), lazy=True).getBestCmap())


@pytest.fixture
def glyph_warnings_are_errors() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=MISSING_GLYPH)
        yield
