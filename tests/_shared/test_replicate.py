"""The replication helper: identical results on every backend, seeded streams."""

from __future__ import annotations

import numpy as np
import pytest

import cityres
from cityres._shared.replicate import register_backend, replicate


def _draw(rng: np.random.Generator, scale: float = 1.0) -> float:
    return float(rng.normal() * scale)


def _mean_of_bootstrap(rng: np.random.Generator, data: np.ndarray) -> float:
    return float(data[rng.integers(0, len(data), len(data))].mean())


def test_serial_equals_processes() -> None:
    data = np.arange(50.0)
    serial = replicate(_mean_of_bootstrap, 40, seed=7, args=(data,))
    procs = replicate(_mean_of_bootstrap, 40, seed=7, args=(data,), backend="processes", n_jobs=2)
    assert serial == procs
    assert len(set(serial)) > 30  # replicates differ from each other


def test_streams_are_the_spawned_children() -> None:
    # replicate i uses SeedSequence(seed).spawn(n)[i] (numpy's documented spawning)
    expect = [np.random.default_rng(s).normal() for s in np.random.SeedSequence(3).spawn(5)]
    assert replicate(_draw, 5, seed=3) == expect
    # a prefix does not depend on n
    assert replicate(_draw, 3, seed=3) == expect[:3]


def test_seed_changes_results_and_kwargs_pass() -> None:
    assert replicate(_draw, 3, seed=1) != replicate(_draw, 3, seed=2)
    scaled = replicate(_draw, 3, seed=1, kwargs={"scale": 2.0})
    assert scaled == [2 * v for v in replicate(_draw, 3, seed=1)]


def test_custom_backend_gives_same_numbers() -> None:
    def reverse(task, indices, *, n_jobs, advance):  # type: ignore[no-untyped-def]
        out = {i: task(i) for i in reversed(list(indices))}
        advance(len(out))
        return [out[i] for i in indices]

    register_backend("reverse-test", reverse)
    assert replicate(_draw, 6, seed=9, backend="reverse-test") == replicate(_draw, 6, seed=9)


def test_bad_arguments() -> None:
    with pytest.raises(cityres.ArgumentError, match="backend='gpu'"):
        replicate(_draw, 3, backend="gpu")
    with pytest.raises(cityres.ArgumentError, match="non-negative"):
        replicate(_draw, -1)
    with pytest.raises(cityres.ArgumentTypeError):
        replicate(_draw, 2, seed="abc")  # type: ignore[arg-type]
