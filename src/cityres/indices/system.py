"""Indicator systems: which columns make an index, in which dimensions, with which direction.

A system is a TOML file (the bundled ones are in ``cityres/indices/systems/``)::

    name = "digital_economy"
    title_zh = "数字经济发展水平"
    title_en = "Digital economy development"
    references = ["赵涛, 张智, 梁上坤 (2020) ..."]

    [[dimensions]]
    key = "digital_economy"
    zh = "数字经济"
    en = "Digital economy"

    [[indicators]]
    column = "internet_users_per100"   # the panel column, exactly
    dimension = "digital_economy"      # a key of [[dimensions]]
    direction = "+"                    # "+" (more is better) or "-"
    unit = "users per 100 persons"
    zh = "每百人互联网宽带接入用户数"
    en = "Internet broadband users per 100 persons"
    source = "中国城市统计年鉴 ..."      # where the number is found

:func:`load_system` reads a bundled name or a path and returns a frozen
:class:`IndicatorSystem`; :meth:`IndicatorSystem.validate` checks a panel has every column.
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cityres._shared.errors import (
    ArgumentError,
    DataFileError,
    DataQualityWarning,
    PanelError,
    format_choices,
)

if TYPE_CHECKING:
    from cityres.data.panel import CityPanel

_DIRECTIONS = {"+": 1, "-": -1, "−": -1, "1": 1, "-1": -1, "positive": 1, "negative": -1}


@dataclass(frozen=True)
class Dimension:
    """One dimension (sub-system) of an indicator system."""

    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Indicator:
    """One indicator: its panel column, dimension, direction (+1 / −1), unit, labels, source."""

    column: str
    dimension: str
    direction: int
    unit: str = ""
    zh: str = ""
    en: str = ""
    source: str = ""


@dataclass(frozen=True)
class IndicatorSystem:
    """A frozen indicator system (see the module docstring for the TOML layout).

    Attributes
    ----------
    name, title_zh, title_en : str
        Identifier and bilingual title.
    dimensions : tuple of Dimension
        In the order of the file.
    indicators : tuple of Indicator
        In the order of the file; ``column`` values are unique.
    references, notes : tuple of str / str
        Where the system comes from and what to know when using it.
    source : str
        The file it was read from (``"bundled:<name>"`` for shipped systems).
    """

    name: str
    title_zh: str
    title_en: str
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    references: tuple[str, ...] = ()
    notes: str = ""
    source: str = field(default="", compare=False)

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], *, source: str = "<dict>") -> IndicatorSystem:
        """Build a system from the parsed TOML mapping; every problem is reported at once.

        Raises
        ------
        DataFileError
            Missing keys, unknown dimensions, bad directions or duplicate columns, each
            named with the indicator's position and column.
        """
        problems: list[str] = []
        for key in ("name", "dimensions", "indicators"):
            if key not in spec:
                problems.append(f"missing top-level key {key!r}")
        if problems:
            raise DataFileError(_problem_text(source, problems))
        dims: list[Dimension] = []
        for i, d in enumerate(spec["dimensions"], start=1):
            if not isinstance(d, Mapping) or "key" not in d:
                problems.append(f"[[dimensions]] #{i} needs a 'key'")
                continue
            key = str(d["key"])
            dims.append(Dimension(key, str(d.get("zh", key)), str(d.get("en", key))))
        keys = [d.key for d in dims]
        if len(set(keys)) != len(keys):
            problems.append(f"duplicate dimension keys in {keys}")
        inds: list[Indicator] = []
        seen: set[str] = set()
        for i, raw in enumerate(spec["indicators"], start=1):
            where = f"[[indicators]] #{i}"
            if not isinstance(raw, Mapping) or "column" not in raw:
                problems.append(f"{where} needs a 'column'")
                continue
            col = str(raw["column"])
            where += f" (column {col!r})"
            if col in seen:
                problems.append(f"{where}: column listed twice")
            seen.add(col)
            dim = str(raw.get("dimension", keys[0] if len(keys) == 1 else ""))
            if dim not in keys:
                problems.append(
                    f"{where}: dimension {dim!r} is not declared; declared: {format_choices(keys)}"
                )
            direction = _DIRECTIONS.get(str(raw.get("direction", "")).strip())
            if direction is None:
                problems.append(
                    f"{where}: direction {raw.get('direction')!r} not understood; use '+' "
                    "(larger is better) or '-' (larger is worse)"
                )
                direction = 1
            inds.append(
                Indicator(
                    col,
                    dim,
                    direction,
                    unit=str(raw.get("unit", "")),
                    zh=str(raw.get("zh", col)),
                    en=str(raw.get("en", col)),
                    source=str(raw.get("source", "")),
                )
            )
        if not inds and not problems:
            problems.append("no [[indicators]]")
        used = {ind.dimension for ind in inds}
        for d in dims:
            if d.key not in used:
                problems.append(f"dimension {d.key!r} has no indicators")
        if problems:
            raise DataFileError(_problem_text(source, problems))
        refs = spec.get("references", ())
        return cls(
            name=str(spec["name"]),
            title_zh=str(spec.get("title_zh", spec["name"])),
            title_en=str(spec.get("title_en", spec["name"])),
            dimensions=tuple(dims),
            indicators=tuple(inds),
            references=tuple(str(r) for r in ([refs] if isinstance(refs, str) else refs)),
            notes=str(spec.get("notes", "")).strip(),
            source=source,
        )

    # ----------------------------------------------------------------- views
    @property
    def columns(self) -> list[str]:
        """Panel columns, in the order of the file."""
        return [i.column for i in self.indicators]

    @property
    def dimension_keys(self) -> list[str]:
        """Dimension keys, in the order of the file."""
        return [d.key for d in self.dimensions]

    @property
    def directions(self) -> pd.Series:
        """+1 / −1 per column (int64, indexed by column)."""
        return pd.Series(
            [i.direction for i in self.indicators], index=self.columns, name="direction"
        ).astype("int64")

    @property
    def dimension_of(self) -> pd.Series:
        """The dimension key of each column (indexed by column)."""
        dims = [i.dimension for i in self.indicators]
        return pd.Series(dims, index=self.columns, name="dimension")

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator (indexed by column): dimension, direction, unit, zh, en, source."""
        rows = [
            {
                "indicator": i.column,
                "dimension": i.dimension,
                "direction": i.direction,
                "unit": i.unit,
                "zh": i.zh,
                "en": i.en,
                "source": i.source,
            }
            for i in self.indicators
        ]
        return pd.DataFrame(rows).set_index("indicator")

    def drop(self, columns: Iterable[str] | str) -> IndicatorSystem:
        """A copy without ``columns`` (e.g. a constant indicator); empty dimensions go too."""
        gone = {columns} if isinstance(columns, str) else set(columns)
        unknown = sorted(gone - set(self.columns))
        if unknown:
            raise ArgumentError(
                f"cannot drop {unknown} from system {self.name!r}: not among its indicators "
                f"{self.columns}"
            )
        inds = tuple(i for i in self.indicators if i.column not in gone)
        if not inds:
            raise ArgumentError(f"dropping {sorted(gone)} would leave system {self.name!r} empty")
        used = {i.dimension for i in inds}
        dims = tuple(d for d in self.dimensions if d.key in used)
        return replace(self, indicators=inds, dimensions=dims)

    def __repr__(self) -> str:
        dims = ", ".join(
            f"{d.key} ({sum(i.dimension == d.key for i in self.indicators)})"
            for d in self.dimensions
        )
        return f"IndicatorSystem({self.name!r}: {len(self.indicators)} indicators; {dims})"

    # ----------------------------------------------------------------- checks
    def validate(self, panel: CityPanel | pd.DataFrame) -> None:
        """Check that ``panel`` has every column of the system.

        Also warns (:class:`~cityres.DataQualityWarning`) when the panel's codebook gives a
        column a direction opposite to the system's.

        Raises
        ------
        PanelError
            Naming the system and *all* missing columns.
        """
        data = panel if isinstance(panel, pd.DataFrame) else panel.data
        missing = [c for c in self.columns if c not in data.columns]
        if missing:
            raise PanelError(
                f"indicator system {self.name!r} ({self.source or 'no file'}) needs "
                f"{len(missing)} column(s) the panel lacks: {missing}. Add them to the panel, "
                "rename the panel columns, or write a system without them "
                "(system.drop([...]) or your own TOML file)"
            )
        codebook = None if isinstance(panel, pd.DataFrame) else panel.variables
        if codebook is not None and "direction" in codebook.columns:
            coded = pd.to_numeric(codebook["direction"], errors="coerce").dropna()
            clash = [
                f"{ind.column} (system {ind.direction:+d}, codebook {int(coded[ind.column]):+d})"
                for ind in self.indicators
                if ind.column in coded.index and int(coded[ind.column]) != ind.direction
            ]
            if clash:
                warnings.warn(
                    f"indicator system {self.name!r} and the panel codebook disagree on the "
                    f"direction of: {', '.join(clash)}; the system's direction is used",
                    DataQualityWarning,
                    stacklevel=2,
                )


def _problem_text(source: str, problems: list[str]) -> str:
    body = "\n".join(f"  - {p}" for p in problems)
    return f"indicator system {source}: {len(problems)} problem(s):\n{body}"


def bundled_systems() -> list[str]:
    """Names of the indicator systems shipped with cityres."""
    folder = resources.files("cityres.indices") / "systems"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_system(name_or_path: str | Path | IndicatorSystem) -> IndicatorSystem:
    """Load a bundled indicator system by name, or a user's TOML file by path.

    Parameters
    ----------
    name_or_path : str, pathlib.Path or IndicatorSystem
        A bundled name (:func:`bundled_systems`: ``digital_economy``, ``ecommerce``,
        ``urban_resilience``, ``economic_resilience``), a path to a ``.toml`` file, or a
        system (returned unchanged).

    Returns
    -------
    IndicatorSystem

    Raises
    ------
    DataFileError
        Unknown name or missing file (the message lists the bundled names), invalid TOML
        (with the parser's line), or a file whose content is not a valid system.

    Examples
    --------
    >>> from cityres.indices import load_system
    >>> load_system("digital_economy").columns[:2]
    ['internet_users_per100', 'it_emp_share']
    """
    if isinstance(name_or_path, IndicatorSystem):
        return name_or_path
    text = str(name_or_path)
    names = bundled_systems()
    if isinstance(name_or_path, str) and text in names:
        raw = (resources.files("cityres.indices") / "systems" / f"{text}.toml").read_text("utf-8")
        source = f"bundled:{text}"
    else:
        path = Path(text)
        if not path.is_file():
            raise DataFileError(
                f"indicator system {text!r} is neither a bundled system "
                f"({format_choices(names)}) nor an existing file"
            )
        raw = path.read_text("utf-8")
        source = str(path)
    try:
        spec = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"indicator system {source}: invalid TOML: {exc}") from exc
    return IndicatorSystem.from_dict(spec, source=source)
