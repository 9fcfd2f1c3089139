"""The record of every change a step makes to a panel's data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import overload

import pandas as pd


@dataclass(frozen=True)
class Change:
    """One change to the data: which step, what it did, and where.

    ``action`` is one of ``read``, ``coerced``, ``matched``, ``dropped_city``,
    ``dropped_year``, ``dropped_row``, ``filled``, ``clipped``, ``derived``, ``selected``.
    """

    step: str
    action: str
    detail: str
    city: str | None = None
    year: int | None = None
    column: str | None = None
    old: object = None
    new: object = None

    def __str__(self) -> str:
        where = ", ".join(
            f"{k} {v}"
            for k, v in (("city", self.city), ("year", self.year), ("column", self.column))
            if v is not None
        )
        return (
            f"{self.step}: {self.action} ({where}) {self.detail}"
            if where
            else (f"{self.step}: {self.action} {self.detail}")
        )


class ChangeLog(Sequence[Change]):
    """An immutable sequence of :class:`Change` records with a tabular view."""

    __slots__ = ("_items",)

    def __init__(self, items: Sequence[Change] = ()) -> None:
        self._items: tuple[Change, ...] = tuple(items)

    @overload
    def __getitem__(self, i: int) -> Change: ...
    @overload
    def __getitem__(self, i: slice) -> ChangeLog: ...
    def __getitem__(self, i: int | slice) -> Change | ChangeLog:
        if isinstance(i, slice):
            return ChangeLog(self._items[i])
        return self._items[i]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Change]:
        return iter(self._items)

    def __add__(self, other: Sequence[Change]) -> ChangeLog:
        return ChangeLog(self._items + tuple(other))

    def __repr__(self) -> str:
        return f"ChangeLog({len(self)} changes)"

    def to_frame(self) -> pd.DataFrame:
        """One row per change: step, action, detail, city, year, column, old, new."""
        cols = ["step", "action", "detail", "city", "year", "column", "old", "new"]
        return pd.DataFrame([asdict(c) for c in self._items], columns=cols)

    def counts(self) -> pd.Series:
        """Number of changes by (step, action)."""
        frame = self.to_frame()
        if frame.empty:
            return pd.Series(dtype="int64")
        return frame.groupby(["step", "action"]).size()
