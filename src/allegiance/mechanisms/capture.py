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

from .. import pcg
from ..pcg import random as _random
from ..people import People, Status

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_CIVILIAN = int(Status.CIVILIAN)
_CAPTURED = int(Status.CAPTURED)


def surrender(
    people: People, fighters: np.ndarray, rate: float, presence: float, rng: np.random.Generator
) -> np.ndarray:
    """Capture former FSA fighters who are still civilians; returns their indices."""
    chance = float(-np.expm1(-rate * presence))  # NumPy's expm1, as before the compiled pass
    return _capture(people.status, fighters, pcg.state(rng), chance)


def repent(
    held: np.ndarray, accept: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Of the captives ``held`` (sorted), those who take the repentance course this month (the
    caller enlists them), and those still held."""
    if not held.size:  # most months have none: no draw, no call
        return held, held
    return _repent(held, pcg.state(rng), accept)


@njit(cache=True)
def _capture(status, fighters, st, chance):  # noqa: ANN001, ANN202
    """The fighters who are still civilians draw a uniform each, in order (``Generator.random``
    from the stream's state ``st``); those under ``chance`` are marked captured and returned.
    One compiled pass: the fighters are a fixed one or two per cent of everyone."""
    hit = np.empty(fighters.size, np.int64)
    n = 0
    for i in fighters:
        if status[i] == _CIVILIAN and _random(st) < chance:
            status[i] = _CAPTURED
            hit[n] = i
            n += 1
    return hit[:n]


@njit(cache=True)
def _repent(held, st, accept):  # noqa: ANN001, ANN202
    """(those whose uniform falls under ``accept``, the others), one draw each in order."""
    take = np.empty(held.size, held.dtype)
    keep = np.empty(held.size, held.dtype)
    a = b = 0
    for i in held:
        if _random(st) < accept:
            take[a] = i
            a += 1
        else:
            keep[b] = i
            b += 1
    return take[:a], keep[:b]
