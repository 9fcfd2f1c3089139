"""The cityres error and warning tree.

Every error cityres raises on purpose derives from :class:`CityresError`; each subclass
also derives from the built-in exception a Python user would expect (``ValueError``,
``TypeError``, ``KeyError``, ``FileNotFoundError``), so ``except ValueError`` keeps working.
Messages say what was wrong, where (file, sheet, row, column, city, year or argument) and
what is accepted.

Data problems that do not stop a run are warnings deriving from :class:`CityresWarning`;
the study runner records them in its manifest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class CityresError(Exception):
    """Base class of every error raised by cityres."""


class ArgumentError(CityresError, ValueError):
    """An argument has a value that is not accepted (the message lists what is)."""


class ArgumentTypeError(CityresError, TypeError):
    """An argument has a type that is not accepted."""


class DataFileError(CityresError, ValueError):
    """A data file cannot be read: missing, unknown format, unreadable sheet."""


class UnknownDatasetError(CityresError, KeyError):
    """A bundled dataset name that does not exist."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class CityMatchError(CityresError, ValueError):
    """A city name or code that matches no city, or more than one."""


class PanelError(CityresError, ValueError):
    """A panel operation cannot be done on this data (duplicates, gaps, bad values)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, with where it is.

    ``row`` is the 1-based row number as a spreadsheet shows it (for CSV, Stata and
    Parquet files the header counts as row 1), or ``None`` when the problem is not tied to
    a row (e.g. a missing year). ``severity`` is ``"error"`` (reading stops) or
    ``"warning"`` (reading goes on and warns, e.g. a city lacking some years).
    """

    kind: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    city: str | None = None
    year: int | None = None
    value: str | None = None
    severity: str = "error"

    def where(self) -> str:
        """Return 'file, sheet S, row R, column C, city X, year Y' for the parts known."""
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file)
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.city is not None:
            parts.append(f"city {self.city}")
        if self.year is not None:
            parts.append(f"year {self.year}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return (
            f"[{self.kind}] {where}: {self.message}" if where else f"[{self.kind}] {self.message}"
        )


class DataValidationError(CityresError, ValueError):
    """A data file has problems; ``.problems`` lists every one found, not just the first."""

    def __init__(self, problems: Sequence[Problem], *, source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        head = f"{len(self.problems)} problem(s) found"
        if source:
            head += f" in {source}"
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = "" if len(self.problems) <= 50 else f"\n  ... and {len(self.problems) - 50} more"
        hint = (
            "\nRun cityres.data.check(path, ...) for the full list; pass coerce=True to turn "
            "non-numeric cells into missing values (each one is logged)."
        )
        super().__init__(f"{head}:\n{shown}{more}{hint}")


class CityresWarning(UserWarning):
    """Base class of warnings about data problems that do not stop a run."""


class DataQualityWarning(CityresWarning):
    """A data file has problems that do not stop reading (e.g. an unbalanced panel)."""


class DataChangeWarning(CityresWarning):
    """A step changed the data (dropped, filled, clipped) and logged it."""


class LowConfidenceDataWarning(CityresWarning):
    """Bundled facts of medium or low confidence were used."""


def format_choices(choices: Iterable[object]) -> str:
    """Format accepted values for an error message: ``'a', 'b' or 'c'``."""
    items = [repr(c) for c in choices]
    if not items:
        return "(nothing)"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


class WeightsError(CityresError, ValueError):
    """Spatial weights that cannot be built or used as asked (islands, ids, values)."""


class StudyConfigError(CityresError, ValueError):
    """A study file is invalid; the message names the file, key and line."""
