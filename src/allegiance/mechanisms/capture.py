"""Captured enemy combatants: surrender, captivity, and the repentance course into membership.

Rule: each month a civilian who fought with the FSA is captured with probability
1 - exp(-surrenders * presence) (his brigade is forced to surrender where the group holds
ground); a captive takes the repentance course (dawrat istitaba) with probability ``accept`` each
month and then enters training as a coerced joiner; the others stay captive. Evidence (seed):
'Two former FSA fighters interviewed for this article joined ISIS after both of their brigades
were forced to surrender to the Islamic State ... When ISIS offered them amnesty in exchange for
undergoing adawrat istitaaba (repentance course), they took the deal'; 'I knew that they would
kill me if I didn't join'.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..people import People, Status

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_CIVILIAN = int(Status.CIVILIAN)
_CAPTURED = int(Status.CAPTURED)


def surrender(
    people: People, fighters: np.ndarray, rate: float, presence: float, rng: np.random.Generator
) -> np.ndarray:
    """Capture former FSA fighters who are still civilians; returns their indices."""
    chance = float(-np.expm1(-rate * presence))  # NumPy's expm1, as before the compiled pass
    pool = _still_civilian(people.status, fighters)
    # the draws stay NumPy's: a Generator handed to a compiled function costs more to unpack
    return _capture(people.status, pool, rng.random(pool.size), chance)


def repent(
    held: np.ndarray, accept: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Of the captives ``held`` (sorted), those who take the repentance course this month (the
    caller enlists them), and those still held."""
    take = rng.random(held.size) < accept
    return held[take], held[~take]


@njit(cache=True)
def _still_civilian(status, fighters):  # noqa: ANN001, ANN202
    """The fighters who are still civilians, in order (one compiled pass: the fighters are a
    fixed one or two per cent of everyone, and a mask and a gather cost more than the pass)."""
    out = np.empty(fighters.size, np.int64)
    n = 0
    for i in fighters:
        if status[i] == _CIVILIAN:
            out[n] = i
            n += 1
    return out[:n]


@njit(cache=True)
def _capture(status, pool, u, chance):  # noqa: ANN001, ANN202
    """Those of ``pool`` whose uniform falls under ``chance``, marked captured."""
    hit = np.empty(pool.size, np.int64)
    n = 0
    for k in range(pool.size):
        if u[k] < chance:
            status[pool[k]] = _CAPTURED
            hit[n] = pool[k]
            n += 1
    return hit[:n]
