"""One replication helper for every permutation, bootstrap, placebo and simulation loop.

:func:`replicate` calls ``fn(rng, *args, **kwargs)`` once per replicate, giving replicate
``i`` its own generator seeded from child ``i`` of ``SeedSequence(seed)``. Because each
replicate's stream depends only on ``(seed, i)``, the results are identical whichever
backend runs them and however the work is split.

Backends: ``"serial"`` (this process) and ``"processes"`` (a process pool). Others, such as
a distributed engine, plug in with :func:`register_backend`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

import numpy as np

from cityres._shared.errors import ArgumentError, format_choices
from cityres._shared.rng import Seed, as_seed_sequence

T = TypeVar("T")


class Backend(Protocol):
    """Runs ``task(i)`` for each ``i`` in ``indices`` and returns results in that order.

    ``advance(k)`` must be called as replicates finish (for the progress bar).
    """

    def __call__(
        self,
        task: Callable[[int], Any],
        indices: Sequence[int],
        *,
        n_jobs: int,
        advance: Callable[[int], None],
    ) -> list[Any]: ...


class _Task:
    """A picklable closure: replicate ``i`` → ``fn(Generator(child_i), *args, **kwargs)``."""

    def __init__(
        self,
        fn: Callable[..., Any],
        entropy: Any,
        spawn_key: tuple[int, ...],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        self.fn, self.entropy, self.spawn_key = fn, entropy, spawn_key
        self.args, self.kwargs = args, kwargs

    def __call__(self, i: int) -> Any:
        seq = np.random.SeedSequence(self.entropy, spawn_key=(*self.spawn_key, i))
        return self.fn(np.random.Generator(np.random.PCG64(seq)), *self.args, **self.kwargs)

    def chunk(self, indices: Sequence[int]) -> list[Any]:
        return [self(i) for i in indices]


def _serial(
    task: Callable[[int], Any],
    indices: Sequence[int],
    *,
    n_jobs: int,
    advance: Callable[[int], None],
) -> list[Any]:
    out = []
    for i in indices:
        out.append(task(i))
        advance(1)
    return out


def _processes(
    task: Callable[[int], Any],
    indices: Sequence[int],
    *,
    n_jobs: int,
    advance: Callable[[int], None],
) -> list[Any]:
    if not isinstance(task, _Task):  # pragma: no cover - replicate always passes a _Task
        raise ArgumentError("the processes backend needs a replicate task")
    size = max(1, min(64, len(indices) // (4 * n_jobs) or 1))
    chunks = [list(indices[k : k + size]) for k in range(0, len(indices), size)]
    out: list[Any] = []
    # forkserver, not fork: forking a parent whose libraries run threads (pyfixest's
    # numba / joblib pools, OpenMP) can deadlock the children
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx) as pool:
        for chunk, result in zip(chunks, pool.map(task.chunk, chunks), strict=True):
            out.extend(result)
            advance(len(chunk))
    return out


_BACKENDS: dict[str, Backend] = {"serial": _serial, "processes": _processes}


def register_backend(name: str, backend: Backend) -> None:
    """Make ``backend`` available as ``replicate(..., backend=name)``.

    A backend must return results in the order of ``indices``; the seeding is done by
    the task it is given, so any backend gives the same numbers.
    """
    _BACKENDS[name] = backend


@contextmanager
def _progress(n: int, show: bool, description: str) -> Iterator[Callable[[int], None]]:
    if not show:
        yield lambda k: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        tid = bar.add_task(description, total=n)
        yield lambda k: bar.advance(tid, k)


def replicate(
    fn: Callable[..., T],
    n: int,
    *,
    seed: Seed = None,
    backend: str = "serial",
    n_jobs: int | None = None,
    progress: bool | None = None,
    description: str = "replicates",
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
) -> list[T]:
    """Run ``fn(rng, *args, **kwargs)`` for ``n`` replicates with independent seeded streams.

    Parameters
    ----------
    fn : callable
        Takes a :class:`numpy.random.Generator` first; with ``backend="processes"`` it
        must be picklable (a module-level function).
    n : int
        Number of replicates (>= 0).
    seed : int, Generator, SeedSequence or None
        The root seed. Replicate ``i`` uses ``SeedSequence(seed).spawn(n)[i]``.
    backend : str
        ``"serial"``, ``"processes"`` or a name given to :func:`register_backend`.
    n_jobs : int, optional
        Worker processes (default: the number of CPUs).
    progress : bool, optional
        Show a progress bar; default: when ``n >= 100`` and standard error is a terminal.
    description : str
        Label of the progress bar.
    args, kwargs
        Passed to ``fn`` after the generator.

    Returns
    -------
    list
        ``fn``'s results in replicate order, identical for every backend.

    Notes
    -----
    The child streams are those of :meth:`numpy.random.SeedSequence.spawn`: child ``i``
    has spawn key ``(i,)`` under the root's entropy, so results do not depend on chunking.

    Examples
    --------
    >>> from cityres._shared.replicate import replicate
    >>> draws = replicate(lambda rng: rng.normal(), 3, seed=1)
    >>> draws == replicate(lambda rng: rng.normal(), 3, seed=1)
    True
    """
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 0:
        raise ArgumentError(f"n must be a non-negative integer; got {n!r}")
    if backend not in _BACKENDS:
        raise ArgumentError(f"backend={backend!r}; accepted: {format_choices(sorted(_BACKENDS))}")
    if n_jobs is not None and (not isinstance(n_jobs, int) or n_jobs < 1):
        raise ArgumentError(f"n_jobs must be a positive integer or None; got {n_jobs!r}")
    root = as_seed_sequence(seed)
    task = _Task(fn, root.entropy, tuple(root.spawn_key), args, dict(kwargs or {}))
    jobs = n_jobs or os.cpu_count() or 1
    show = progress if progress is not None else (n >= 100 and sys.stderr.isatty())
    with _progress(int(n), show, description) as advance:
        return list(_BACKENDS[backend](task, range(int(n)), n_jobs=jobs, advance=advance))
