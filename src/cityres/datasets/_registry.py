"""The registry of bundled datasets.

Each dataset module registers a :class:`DatasetInfo` with :func:`register`; the public
functions in :mod:`cityres.datasets` look names up here. A dataset says whether it is real
or simulated, where it comes from, under which licence, and how confident we are in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from cityres._shared.errors import UnknownDatasetError, format_choices

Kind = Literal["real", "simulated", "real + simulated"]


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about one bundled dataset.

    Attributes
    ----------
    name : str
        The name passed to :func:`cityres.datasets.load`.
    title : str
        One line saying what it is.
    kind : {"real", "simulated", "real + simulated"}
        Whether the values are observed facts or simulated.
    source : str
        Where it comes from (package, file, publication).
    licence : str
        The licence under which it is redistributed.
    confidence : str
        How far the values can be trusted ("high", "mixed: see column confidence", ...).
    loader : callable
        Returns the dataset (usually a :class:`~cityres.data.CityPanel`).
    weights : callable or None
        Returns the dataset's own spatial weights, if it ships any.
    truth : callable or None
        Returns the true parameters of a simulated dataset.
    """

    name: str
    title: str
    kind: Kind
    source: str
    licence: str
    confidence: str
    loader: Callable[[], Any]
    weights: Callable[[], Any] | None = None
    truth: Callable[[], dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, DatasetInfo] = {}


def register(info: DatasetInfo) -> DatasetInfo:
    """Add ``info`` to the registry (a later registration of the same name replaces it)."""
    _REGISTRY[info.name] = info
    return info


def get(name: str, *, need: str | None = None) -> DatasetInfo:
    """Return the registered dataset ``name`` or raise a clear error listing the names.

    ``need`` ("weights" or "truth") additionally requires that facet to exist.
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise UnknownDatasetError(
            f"no bundled dataset named {name!r}; available: {format_choices(sorted(_REGISTRY))}"
        )
    info = _REGISTRY[name]
    if need is not None and getattr(info, need) is None:
        having = sorted(n for n, i in _REGISTRY.items() if getattr(i, need) is not None)
        raise UnknownDatasetError(
            f"dataset {name!r} has no {need}; datasets with {need}: {format_choices(having)}"
        )
    return info


def all_datasets() -> list[DatasetInfo]:
    """Return every registered dataset, sorted by name."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def data_file(name: str) -> Path:
    """Return the path of a file bundled in ``cityres/datasets/files``."""
    path = Path(str(resources.files("cityres.datasets") / "files" / name))
    if not path.exists():  # a broken install, not a user error
        raise FileNotFoundError(f"bundled data file missing from the installation: {path}")
    return path
