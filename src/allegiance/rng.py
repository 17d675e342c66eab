"""Independent random streams, one per mechanism, all derived from one master seed."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """Return the generator for mechanism ``name`` under master ``seed``.

    The stream is keyed by the mechanism's name rather than its position, so adding or
    reordering mechanisms never shifts another mechanism's draws (docs/ODD.md, 4.9).
    """
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))


def streams(seed: int, names: list[str] | tuple[str, ...]) -> dict[str, np.random.Generator]:
    """Return one independent generator per name."""
    return {name: stream(seed, name) for name in names}


def child_seeds(master: int, n: int) -> list[int]:
    """Derive ``n`` run seeds from a master seed; the same for any executor or worker count."""
    children = np.random.SeedSequence(master).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
