"""The :class:`Weights` object: a spatial weights matrix with its ids and its history.

A ``Weights`` is a square sparse matrix ``W`` (scipy CSR, float64, zero diagonal,
non-negative, finite) and the city ids of its rows in order. It also records how it was
built (``kind`` and ``params``), whether it is row-standardised (``transform``) and every
rule that changed it after it was built (``notes``: an island linked to its nearest
city, a row-standardisation). It never changes in place: every method returns a new one.

Conversions to and from libpysal ``W`` and ``Graph`` keep the ids and the weights.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from cityres._shared.errors import ArgumentError, ArgumentTypeError, WeightsError

Transform = Literal["none", "row"]
_TRANSFORMS: tuple[str, ...] = ("none", "row")


def _ids_tuple(ids: Iterable[Hashable], *, argument: str = "ids") -> tuple[str, ...]:
    out = tuple(str(i) for i in ids)
    seen: set[str] = set()
    dupes = sorted({i for i in out if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
    if dupes:
        raise WeightsError(f"{argument} must be unique; repeated: {', '.join(dupes[:10])}")
    return out


def _clean_csr(matrix: Any, n: int) -> sp.csr_array:
    """A canonical CSR array: float64, sorted indices, no explicit zeros."""
    m = sp.csr_array(matrix, dtype=np.float64)
    if m.shape != (n, n):
        raise WeightsError(f"the weights matrix must be {n} × {n} (one row per id); got "
                           f"{m.shape[0]} × {m.shape[1]}")
    m.eliminate_zeros()
    m.sum_duplicates()
    m.sort_indices()
    return m


@dataclass(frozen=True, eq=False)
class WeightsSummary:
    """Counts that describe a weights matrix (what :meth:`Weights.summary` returns)."""

    kind: str
    transform: str
    n: int
    links: int
    density: float
    min_neighbours: int
    mean_neighbours: float
    max_neighbours: int
    islands: tuple[str, ...]
    components: int
    symmetric: bool
    reciprocal: bool
    params: Mapping[str, Any]
    notes: tuple[str, ...]

    def to_series(self) -> pd.Series:
        """The summary as one labelled column (what the study's weights table shows)."""
        return pd.Series({
            "kind": self.kind,
            "transform": self.transform,
            "n": self.n,
            "links": self.links,
            "density": self.density,
            "min_neighbours": self.min_neighbours,
            "mean_neighbours": self.mean_neighbours,
            "max_neighbours": self.max_neighbours,
            "islands": ", ".join(self.islands) if self.islands else "",
            "components": self.components,
            "symmetric": self.symmetric,
            "reciprocal": self.reciprocal,
            "params": "; ".join(f"{k}={v}" for k, v in self.params.items()),
            "notes": " | ".join(self.notes),
        }, dtype=object)

    def __str__(self) -> str:
        scaled = "row-standardised" if self.transform == "row" else "not standardised"
        lines = [
            f"Spatial weights: {self.kind} ({scaled})",
            f"  units {self.n}, links {self.links} (density {self.density:.4f}), "
            f"components {self.components}, symmetric {self.symmetric}, "
            f"reciprocal links {self.reciprocal}",
            f"  neighbours per unit: min {self.min_neighbours}, mean {self.mean_neighbours:.2f}, "
            f"max {self.max_neighbours}",
            f"  islands: {', '.join(self.islands) if self.islands else 'none'}",
        ]
        if self.params:
            lines.append("  built with: " + ", ".join(f"{k}={v}" for k, v in self.params.items()))
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class Weights:
    """A spatial weights matrix with the ids of its rows.

    Parameters
    ----------
    sparse : scipy.sparse array or matrix, or numpy array
        ``n × n`` weights; ``W[i, j] > 0`` when ``j`` is a neighbour of ``i``. Stored as a
        float64 CSR array with sorted indices and no explicit zeros.
    ids : sequence of str
        The unit (city code) of each row, unique; stored as strings.
    kind : str
        How it was built (``"queen"``, ``"rook"``, ``"distance_band"``, ``"knn"``,
        ``"inverse_distance"``, ``"economic"``, ``"nested"``, ``"matrix"``, ``"file"``,
        ``"libpysal"``).
    params : mapping
        The arguments it was built with (e.g. ``{"km": 300, "binary": True}``).
    transform : {"none", "row"}
        ``"row"`` when every row with neighbours sums to one.
    notes : tuple of str
        Rules that changed the matrix after it was built, in order (islands linked,
        row-standardisation), in words a report can print.

    Raises
    ------
    WeightsError
        If the matrix is not square of size ``len(ids)``, has negative, missing or
        infinite weights, a non-zero diagonal, repeated ids, or ``transform="row"`` but
        rows that do not sum to one.

    Examples
    --------
    >>> import numpy as np
    >>> from cityres.spatial import Weights
    >>> w = Weights(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]), ["a", "b", "c"])
    >>> w.cardinalities.tolist()
    [1, 2, 1]
    >>> w.row_standardise().sparse.toarray()[1].tolist()
    [0.5, 0.0, 0.5]
    """

    sparse: sp.csr_array
    ids: tuple[str, ...]
    kind: str = "matrix"
    params: Mapping[str, Any] = field(default_factory=dict)
    transform: Transform = "none"
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        ids = _ids_tuple(self.ids)
        m = _clean_csr(self.sparse, len(ids))
        if self.transform not in _TRANSFORMS:
            raise ArgumentError(f"transform must be 'none' or 'row'; got {self.transform!r}")
        if m.nnz:
            if not np.isfinite(m.data).all():
                i = int(np.repeat(np.arange(len(ids)), np.diff(m.indptr))[~np.isfinite(m.data)][0])
                raise WeightsError(f"weights must be finite; row {ids[i]!r} has a missing or "
                                   "infinite weight")
            if (m.data < 0).any():
                rows = np.repeat(np.arange(len(ids)), np.diff(m.indptr))[m.data < 0]
                raise WeightsError("weights must be non-negative; negative weights in rows "
                                   + ", ".join(ids[i] for i in sorted(set(rows.tolist()))[:10]))
        diag = m.diagonal()
        if np.any(diag != 0):
            bad = [ids[i] for i in np.flatnonzero(diag)[:10]]
            raise WeightsError("a unit cannot be its own neighbour (the diagonal must be zero); "
                               f"non-zero for {', '.join(bad)}")
        if self.transform == "row":
            sums = np.asarray(m.sum(axis=1)).ravel()
            off = (np.abs(sums - 1) > 1e-9) & (sums != 0)
            if off.any():
                bad = [ids[i] for i in np.flatnonzero(off)[:10]]
                raise WeightsError("transform='row' but these rows do not sum to one: "
                                   + ", ".join(bad))
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "sparse", m)
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "notes", tuple(str(n) for n in self.notes))

    # -- basic facts ------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of units."""
        return len(self.ids)

    @property
    def links(self) -> int:
        """Number of non-zero weights (ordered pairs)."""
        return int(self.sparse.nnz)

    @property
    def index(self) -> pd.Index:
        """The ids as a pandas Index named ``city``."""
        return pd.Index(list(self.ids), name="city", dtype=object)

    @property
    def cardinalities(self) -> pd.Series:
        """Number of neighbours of each unit, indexed by id."""
        return pd.Series(np.diff(self.sparse.indptr), index=self.index, name="neighbours")

    @property
    def row_sums(self) -> pd.Series:
        """Sum of each row's weights, indexed by id."""
        return pd.Series(np.asarray(self.sparse.sum(axis=1)).ravel(), index=self.index,
                         name="row_sum")

    @property
    def islands(self) -> tuple[str, ...]:
        """Ids of units without any neighbour."""
        card = np.diff(self.sparse.indptr)
        return tuple(self.ids[i] for i in np.flatnonzero(card == 0))

    def components(self) -> pd.Series:
        """Connected component (0, 1, …) of each unit, links taken in either direction."""
        _, labels = connected_components(self.sparse, directed=True, connection="weak")
        return pd.Series(labels, index=self.index, name="component")

    @property
    def n_components(self) -> int:
        """Number of connected components (an island is a component of its own)."""
        return int(connected_components(self.sparse, directed=True, connection="weak")[0])

    def is_symmetric(self, tol: float = 1e-12) -> bool:
        """Whether ``W == W.T`` within ``tol`` (absolute)."""
        diff = self.sparse - self.sparse.T
        return bool(diff.nnz == 0 or np.max(np.abs(diff.data)) <= tol)

    def is_reciprocal(self) -> bool:
        """Whether every link goes both ways (``W[i, j] > 0`` iff ``W[j, i] > 0``).

        Row-standardised contiguity weights are not symmetric but are reciprocal; k-nearest
        neighbours usually are neither.
        """
        pattern = self.sparse.copy()
        pattern.data = np.ones_like(pattern.data)
        diff = pattern - pattern.T
        return bool(diff.nnz == 0 or not np.any(diff.data))

    def is_binary(self) -> bool:
        """Whether every non-zero weight is one."""
        return bool(np.all(self.sparse.data == 1.0))

    def neighbours(self, unit: Hashable) -> pd.Series:
        """The neighbours of ``unit`` and their weights, indexed by id."""
        i = self._position(unit)
        lo, hi = self.sparse.indptr[i], self.sparse.indptr[i + 1]
        return pd.Series(self.sparse.data[lo:hi],
                         index=pd.Index([self.ids[j] for j in self.sparse.indices[lo:hi]],
                                        name="neighbour", dtype=object),
                         name=str(unit))

    def _position(self, unit: Hashable) -> int:
        key = str(unit)
        try:
            return self.ids.index(key)
        except ValueError:
            raise WeightsError(f"{key!r} is not a unit of these weights "
                               f"({self.n} units: {', '.join(self.ids[:5])}, …)") from None

    # -- new matrices -----------------------------------------------------------------
    def row_standardise(self) -> Weights:
        """Row-standardised copy: ``w_ij / Σ_j w_ij``; an island's row stays zero.

        Returns
        -------
        Weights
            ``transform="row"``; a note records the standardisation (and the islands left
            with a zero row, if any).
        """
        if self.transform == "row":
            return self
        m = self.sparse.copy()
        sums = np.asarray(m.sum(axis=1)).ravel()
        # divide (not multiply by 1/sum): 1/sum overflows for subnormal row sums
        m.data = m.data / np.repeat(sums, np.diff(m.indptr))
        note = "row-standardised (each row divided by its sum)"
        if self.islands:
            note += f"; islands kept with a zero row: {', '.join(self.islands)}"
        return replace(self, sparse=m, transform="row", notes=(*self.notes, note))

    def symmetrise(self) -> Weights:
        """Symmetric copy ``(W + Wᵀ) / 2`` of non-standardised weights."""
        if self.transform == "row":
            raise WeightsError("symmetrise() needs weights that are not row-standardised; "
                               "symmetrise first, then row_standardise()")
        m = (self.sparse + self.sparse.T) / 2
        return replace(self, sparse=sp.csr_array(m),
                       notes=(*self.notes, "symmetrised as (W + Wᵀ)/2"))

    def reorder(self, ids: Sequence[Hashable], *, what: str = "the data") -> Weights:
        """The same weights with rows and columns in the order of ``ids``.

        Parameters
        ----------
        ids : sequence
            Exactly the units of these weights, in the wanted order.
        what : str
            What ``ids`` come from, for the error message (e.g. ``"the panel"``).

        Raises
        ------
        WeightsError
            Naming the ids in ``ids`` but not in the weights and those in the weights but
            not in ``ids``.
        """
        want = _ids_tuple(ids, argument=f"the ids of {what}")
        if want == self.ids:
            return self
        have = set(self.ids)
        missing = [i for i in want if i not in have]
        extra = sorted(have - set(want))
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"in {what} but not in the weights: {', '.join(missing[:20])}"
                             + (" …" if len(missing) > 20 else ""))
            if extra:
                parts.append(f"in the weights but not in {what}: {', '.join(extra[:20])}"
                             + (" …" if len(extra) > 20 else ""))
            raise WeightsError(f"the weights ({self.kind}, {self.n} units) do not match {what} "
                               f"({len(want)} units); " + "; ".join(parts))
        pos = {u: k for k, u in enumerate(self.ids)}
        order = np.array([pos[u] for u in want])
        m = self.sparse[order][:, order]
        return replace(self, sparse=sp.csr_array(m), ids=want)

    # -- views --------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Long table of links: ``focal``, ``neighbour``, ``weight`` (row order)."""
        coo = self.sparse.tocoo()
        ids = np.array(self.ids, dtype=object)
        return pd.DataFrame({"focal": ids[coo.row], "neighbour": ids[coo.col],
                             "weight": coo.data})

    def to_dense(self) -> pd.DataFrame:
        """The full ``n × n`` matrix as a DataFrame labelled by id (small ``n`` only)."""
        return pd.DataFrame(self.sparse.toarray(), index=self.index,
                            columns=pd.Index(list(self.ids), dtype=object))

    def summary(self) -> WeightsSummary:
        """Neighbour counts, islands, components, symmetry and how the matrix was built."""
        card = np.diff(self.sparse.indptr)
        n = self.n
        return WeightsSummary(
            kind=self.kind,
            transform=self.transform,
            n=n,
            links=self.links,
            density=self.links / (n * (n - 1)) if n > 1 else 0.0,
            min_neighbours=int(card.min()) if n else 0,
            mean_neighbours=float(card.mean()) if n else 0.0,
            max_neighbours=int(card.max()) if n else 0,
            islands=self.islands,
            components=self.n_components,
            symmetric=self.is_symmetric(),
            reciprocal=self.is_reciprocal(),
            params=dict(self.params),
            notes=self.notes,
        )

    def __repr__(self) -> str:
        return (f"Weights(kind={self.kind!r}, n={self.n}, links={self.links}, "
                f"transform={self.transform!r}, islands={len(self.islands)})")

    # -- libpysal ----------------------------------------------------------------------
    def to_libpysal(self) -> Any:
        """A ``libpysal.weights.W`` with the same ids (strings) and weights.

        The libpysal transform is set to ``"R"`` for row-standardised weights so that
        libpysal does not standardise again, and to ``"O"`` otherwise.
        """
        from libpysal.weights import W

        coo = self.sparse.tocoo()
        neighbours: dict[str, list[str]] = {u: [] for u in self.ids}
        weights: dict[str, list[float]] = {u: [] for u in self.ids}
        for r, c, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
            neighbours[self.ids[r]].append(self.ids[c])
            weights[self.ids[r]].append(v)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # libpysal warns about islands; we report them
            w = W(neighbours, weights, id_order=list(self.ids), silence_warnings=True)
        if self.transform == "row":
            w._transform = "R"
        return w

    @classmethod
    def from_libpysal(cls, w: Any, *, kind: str = "libpysal",
                      params: Mapping[str, Any] | None = None) -> Weights:
        """Weights from a ``libpysal.weights.W`` (ids in its ``id_order``).

        ``transform`` is ``"row"`` when the ``W`` is row-standardised (libpysal transform
        ``"R"``).
        """
        try:
            from libpysal.weights import W
        except ImportError:  # pragma: no cover - libpysal is a dependency
            raise
        if not isinstance(w, W):
            raise ArgumentTypeError(f"expected a libpysal.weights.W; got {type(w).__name__}")
        ids = tuple(str(i) for i in w.id_order)
        m = sp.csr_array(w.sparse)
        transform: Transform = "row" if str(getattr(w, "transform", "O")).upper() == "R" else "none"
        return cls(m, ids, kind=kind, params=dict(params or {}), transform=transform)

    def to_graph(self) -> Any:
        """A ``libpysal.graph.Graph`` with the same ids and weights (islands kept)."""
        from libpysal.graph import Graph

        return Graph.from_sparse(self.sparse, ids=np.array(self.ids, dtype=object))

    @classmethod
    def from_graph(cls, graph: Any, *, kind: str = "libpysal",
                   params: Mapping[str, Any] | None = None) -> Weights:
        """Weights from a ``libpysal.graph.Graph`` (ids in its ``unique_ids`` order)."""
        from libpysal.graph import Graph

        if not isinstance(graph, Graph):
            raise ArgumentTypeError(f"expected a libpysal.graph.Graph; got {type(graph).__name__}")
        ids = tuple(str(i) for i in graph.unique_ids)
        transform: Transform = "row" if str(graph.transformation).upper() == "R" else "none"
        return cls(sp.csr_array(graph.sparse), ids, kind=kind, params=dict(params or {}),
                   transform=transform)
