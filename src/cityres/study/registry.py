"""The step registry: analyses plug into the study pipeline without touching it.

A step is a :class:`StepSpec`: a name, a frozen parameter dataclass (validated against
the study file), a function ``run(ctx, params) -> StepResult`` and the title of its report
section. Steps register with :func:`register_step`. The built-in steps live in
``cityres.study.steps`` (every module there is imported on first use); other packages
register theirs through the ``cityres.steps`` entry-point group.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cityres._shared.errors import StudyConfigError, format_choices
from cityres.report.i18n import Lang, Text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cityres.data.panel import CityPanel
    from cityres.report.tables import PubTable


@dataclass(frozen=True)
class TableOut:
    """A table a step produces.

    ``data`` is stored (Parquet, CSV, DuckDB) as it is; ``display`` renders it in the
    report (both languages); ``key`` names the files (``<step id>__<key>``).
    """

    key: str
    data: pd.DataFrame
    display: PubTable
    caption: Text
    source: Text
    notes: Text | None = None


@dataclass(frozen=True)
class FigureOut:
    """A figure a step produces: ``make(lang)`` draws it with labels in that language."""

    key: str
    make: Callable[[Lang], Figure]
    caption: Text
    source: Text
    notes: Text | None = None


@dataclass(frozen=True)
class StepResult:
    """What one step produced, in report order."""

    tables: tuple[TableOut, ...] = ()
    figures: tuple[FigureOut, ...] = ()
    intro: Text | None = None


@dataclass(frozen=True)
class StepContext:
    """What a step sees: the prepared panel, its own seed, labels and earlier outputs."""

    panel: CityPanel
    step_id: str
    seed: np.random.SeedSequence
    labels: Mapping[str, Text]
    source: Text
    outputs: Mapping[str, Mapping[str, pd.DataFrame]] = field(default_factory=dict)
    base: Path = field(default_factory=Path.cwd)

    def resolve(self, path: str) -> Path:
        """A path from the study file, relative to the study file's folder."""
        p = Path(path)
        return p if p.is_absolute() else self.base / p

    @property
    def simulated(self) -> bool:
        """True when the data are simulated (every table and figure must say so)."""
        return self.panel.simulated

    def rng(self) -> np.random.Generator:
        """A generator seeded for this step only (same study seed → same numbers)."""
        return np.random.default_rng(self.seed)


@dataclass(frozen=True)
class StepSpec:
    """A registered analysis step.

    ``version`` is part of every cache key: bump it when the step's output changes for
    the same inputs. ``needs`` lists steps whose tables this step reads (their ids must
    come earlier in the study).
    """

    name: str
    params: type
    run: Callable[[StepContext, Any], StepResult]
    title: Text
    description: str = ""
    version: str = "1"
    needs: tuple[str, ...] = ()
    files: Callable[[Any, Path], list[Path]] | None = None


_STEPS: dict[str, StepSpec] = {}
_LOADED = False


def register_step(spec: StepSpec) -> StepSpec:
    """Register ``spec`` under ``spec.name`` (re-registering a name replaces it)."""
    _STEPS[spec.name] = spec
    return spec


def _load_builtin() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import cityres.study.steps as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{mod.name}")
    for ep in entry_points(group="cityres.steps"):
        ep.load()


def registered_steps() -> dict[str, StepSpec]:
    """Every registered step by name."""
    _load_builtin()
    return dict(_STEPS)


def get_step(name: str, *, where: str = "") -> StepSpec:
    """The step called ``name``, or a StudyConfigError listing the registered ones."""
    steps = registered_steps()
    if name not in steps:
        raise StudyConfigError(
            f"{where}: unknown step {name!r}; registered steps: {format_choices(sorted(steps))}"
        )
    return steps[name]
