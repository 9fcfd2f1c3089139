"""The CJK font every cityres figure uses, registered with matplotlib at first use.

The font is Noto Sans SC Regular (the Simplified Chinese subset of Noto Sans CJK,
SIL Open Font License 1.1, version 2.004 from notofonts/noto-cjk ``Sans/SubsetOTF/SC``)
shipped by the PyPI package ``pylopdf-fonts-zh-cn``, a cityres dependency: installing
cityres installs the font, on any machine, with no system font needed. It has about
31,000 code points: all 6,763 GB 2312 Hanzi, all but one GBK character, Latin, digits,
full-width punctuation, the Unicode minus and common symbols. DejaVu Sans (bundled with
matplotlib) is the fallback for any glyph it lacks.

Nothing here changes matplotlib's global settings for good: :func:`use_cjk` sets them
for a ``with`` block only, and :func:`rc_params` returns them for callers who want to set
them themselves.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager

from cityres._shared.errors import CityresError

#: Family name of the CJK font as matplotlib's font manager knows it.
CJK_FAMILY = "Noto Sans SC"
#: Families tried, in order, for glyphs the CJK font lacks (bundled with matplotlib).
FALLBACK_FAMILIES: tuple[str, ...] = ("DejaVu Sans",)
#: The PyPI distribution that ships the font file, and its import name and file.
FONT_DISTRIBUTION = "pylopdf-fonts-zh-cn"
_FONT_MODULE = "pylopdf_fonts_zh_cn"
_FONT_FILE = "NotoSansSC-Regular.otf"
#: Salt for SVG element ids, so that saving the same figure twice gives the same bytes.
SVG_HASHSALT = "cityres"

_lock = threading.Lock()


class FontNotFoundError(CityresError, FileNotFoundError):
    """The CJK font file cannot be found (its package is missing or damaged)."""


@functools.cache
def cjk_font_path() -> Path:
    """Path of the CJK font file.

    Returns
    -------
    pathlib.Path
        ``NotoSansSC-Regular.otf`` inside the installed ``pylopdf_fonts_zh_cn`` package.

    Raises
    ------
    FontNotFoundError
        The package is not installed or the file is missing.
    """
    hint = (
        f"cityres draws Chinese labels with Noto Sans SC from the PyPI package "
        f"{FONT_DISTRIBUTION!r}, a cityres dependency; reinstall it with "
        f"`pip install --force-reinstall {FONT_DISTRIBUTION}`"
    )
    spec = importlib.util.find_spec(_FONT_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise FontNotFoundError(f"the CJK font package is not installed. {hint}")
    for location in spec.submodule_search_locations:
        path = Path(location) / _FONT_FILE
        if path.is_file():
            return path
    raise FontNotFoundError(
        f"the CJK font file {_FONT_FILE} is missing from "
        f"{list(spec.submodule_search_locations)}. {hint}"
    )


def register_fonts() -> Path:
    """Add the CJK font to matplotlib's font manager (once per process).

    Returns
    -------
    pathlib.Path
        The registered font file.

    Raises
    ------
    FontNotFoundError
        The font file is missing.

    Notes
    -----
    Idempotent and thread-safe: a font already known to the font manager is not added
    again.
    """
    path = cjk_font_path()
    with _lock:
        manager = font_manager.fontManager
        if not any(Path(entry.fname) == path for entry in manager.ttflist):
            manager.addfont(str(path))
    return path


def font_families() -> list[str]:
    """The family list figures use: the CJK font first, then the Latin fallback."""
    register_fonts()
    return [CJK_FAMILY, *FALLBACK_FAMILIES]


def cjk_font(size: float | None = None) -> font_manager.FontProperties:
    """Font properties selecting the CJK font (with the Latin fallback).

    Parameters
    ----------
    size : float, optional
        Font size in points; matplotlib's default when omitted.

    Returns
    -------
    matplotlib.font_manager.FontProperties

    Raises
    ------
    FontNotFoundError
        The font file is missing.

    Examples
    --------
    >>> from matplotlib import font_manager
    >>> from cityres.report.fonts import cjk_font, cjk_font_path
    >>> font_manager.findfont(cjk_font()) == str(cjk_font_path())
    True
    """
    return font_manager.FontProperties(family=font_families(), size=size)


def rc_params() -> dict[str, Any]:
    """matplotlib settings that make figures use the CJK font and save deterministically.

    Returns
    -------
    dict
        For ``matplotlib.rc_context`` or ``matplotlib.rcParams.update``.
    """
    return {
        "font.family": font_families(),
        "axes.unicode_minus": True,
        "svg.fonttype": "path",
        "svg.hashsalt": SVG_HASHSALT,
        "pdf.fonttype": 42,
    }


@contextmanager
def use_cjk() -> Iterator[None]:
    """Within the block, new text artists use the CJK font (settings restored after).

    Raises
    ------
    FontNotFoundError
        The font file is missing.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from cityres.report.fonts import use_cjk
    >>> with use_cjk():
    ...     fig = Figure()
    ...     title = fig.suptitle("长三角城市")
    >>> title.get_fontname()
    'Noto Sans SC'
    """
    with matplotlib.rc_context(rc_params()):  # type: ignore[arg-type]
        yield
