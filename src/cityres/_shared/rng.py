"""Seeded randomness.

Every cityres function that draws random numbers takes ``seed: int | Generator | None``
and turns it into a generator with :func:`as_generator`, or into independent child
streams with :func:`child_seeds`, so the same seed gives the same numbers everywhere.
"""

from __future__ import annotations

import numpy as np

from cityres._shared.errors import ArgumentTypeError

Seed = int | np.random.Generator | np.random.SeedSequence | None


def as_seed_sequence(seed: Seed, *, argument: str = "seed") -> np.random.SeedSequence:
    """Turn ``seed`` into a :class:`numpy.random.SeedSequence`.

    An ``int`` or ``None`` seeds a new sequence (``None`` draws fresh OS entropy, which is
    recorded in ``.entropy`` so a run can be repeated); a ``Generator`` contributes a
    sequence spawned from its bit generator, so the same generator state gives the same
    children.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        # Derive deterministically from the generator's own stream.
        return np.random.SeedSequence(seed.integers(0, 2**63 - 1, size=4).tolist())
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)):
        if seed is not None and int(seed) < 0:
            raise ArgumentTypeError(f"{argument} must be a non-negative integer; got {seed}")
        return np.random.SeedSequence(None if seed is None else int(seed))
    raise ArgumentTypeError(
        f"{argument} must be an int, a numpy.random.Generator, a SeedSequence or None; "
        f"got {type(seed).__name__}"
    )


def as_generator(seed: Seed, *, argument: str = "seed") -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``seed`` (a Generator is used as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(as_seed_sequence(seed, argument=argument))


def child_seeds(seed: Seed, n: int) -> list[np.random.SeedSequence]:
    """Return ``n`` independent child seed sequences of ``seed`` (one per replicate)."""
    return as_seed_sequence(seed).spawn(n)
