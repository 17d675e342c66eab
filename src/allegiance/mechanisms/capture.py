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

from ..people import People, Status

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_CIVILIAN = int(Status.CIVILIAN)
_CAPTURED = int(Status.CAPTURED)


def surrender(
    people: People, fighters: np.ndarray, rate: float, presence: float, rng: np.random.Generator
) -> np.ndarray:
    """Capture former FSA fighters who are still civilians; returns their indices."""
    pool = fighters[people.status[fighters] == _CIVILIAN]
    hit = pool[rng.random(pool.size) < -np.expm1(-rate * presence)]
    people.status[hit] = _CAPTURED
    return hit


def repent(
    held: np.ndarray, accept: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Of the captives ``held`` (sorted), those who take the repentance course this month (the
    caller enlists them), and those still held."""
    take = rng.random(held.size) < accept
    return held[take], held[~take]
