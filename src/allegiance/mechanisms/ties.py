"""Ties: friendship circles carry exits and executions to friends still inside.

Rule: each circle keeps a decaying count of friends who left or were executed (keeping
leaving.friends_memory of it each month); it raises friends' exit hazards (leaving.friends) and commanders' suspicion; each friend
executed adds to disillusion. Evidence: Ammar 'watched ISIS execute friends he had known since
childhood' and grew disillusioned; Sami 'cried as he recounted the deaths of several of his
oldest childhood friends who had joined ISIS with him'.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..people import People, trait
from ..prefetch import AHEAD as _AHEAD
from ..prefetch import prefetch as _prefetch

# Compiled passes in place of np.unique and fancy-indexed adds (a dozen small NumPy calls a
# month). The per-circle counts are still added as ONE float32 addition of the count per circle
# and group (exits, then executions), as recent[circles] += count did: adding 1 three times can
# round differently from adding 3 once, once the decayed values are fractional.


@njit(cache=True)
def _circle_counts(circle, idx):  # noqa: ANN001, ANN202
    """The distinct circles of the people ``idx`` (sorted) and how many of them are in each."""
    c = np.sort(circle[idx])
    hit = np.empty(c.size, c.dtype)
    count = np.empty(c.size, np.int64)
    n = 0
    for i in range(c.size):
        if n and hit[n - 1] == c[i]:
            count[n - 1] += 1
        else:
            hit[n] = c[i]
            count[n] = 1
            n += 1
    return hit[:n], count[:n]


@njit(cache=True)
def _add_counts(recent, circle, idx):  # noqa: ANN001, ANN202
    hit, count = _circle_counts(circle, idx)
    for j in range(hit.size):
        recent[hit[j]] += np.float32(count[j])


@njit(cache=True)
def _update(recent, memory, circle, left, executed):  # noqa: ANN001, ANN202
    for i in range(recent.size):
        recent[i] *= memory
    _add_counts(recent, circle, left)  # exits first, then executions, as before
    _add_counts(recent, circle, executed)


def update(
    recent: np.ndarray, people: People, left: np.ndarray, executed: np.ndarray, memory: float
) -> np.ndarray:
    """Keep ``memory`` of the per-circle counts and add this month's exits and executions
    (``recent`` float32, changed in place and returned; ``memory`` a Python float, which NumPy
    rounds to float32 before the product)."""
    _update(recent, recent.dtype.type(memory), people.circle, left, executed)
    return recent


@njit(cache=True)
def _disillusion(disillusion, members, circle, pop_circle, executed, per_execution, repression):  # noqa: ANN001, ANN202
    hit, count = _circle_counts(pop_circle, executed)
    zero = np.float32(0.0)
    j = 0
    for i in range(members.size):
        if i + _AHEAD < members.size:
            _prefetch(disillusion, members[i + _AHEAD])
        c = circle[i]
        shock = zero  # friends executed in the member's circle, as float32
        # j: the first circle hit at or after c (np.searchsorted's). People are stored circle by
        # circle and members sorted, so circles mostly come in order: then j walks on from the
        # last member's (it never moves back), a step or none a member in place of a binary
        # search; a circle out of order gets the search
        if i and c >= circle[i - 1]:
            while j < hit.size and hit[j] < c:
                j += 1
        else:
            j = np.searchsorted(hit, c)
        if j < hit.size and hit[j] == c:
            shock = np.float32(count[j])
        m = members[i]
        disillusion[m] += per_execution * shock + repression


def disillusion(
    people: People,
    members: np.ndarray,
    executed: np.ndarray,
    per_execution: float,
    repression: float,
    per_repression: float,
    n_circles: int,
    fixed: np.ndarray | None = None,
) -> None:
    """Grow disillusion from friends executed this month and from everyday repression
    (``fixed``: the members' FIXED records, when the caller carries them; ``members`` distinct,
    the weights Python floats).

    In float32 throughout: per_execution rounded to float32 times the count, plus
    per_repression * repression (a Python product) rounded to float32. ``n_circles`` is kept
    for the callers: only the circles hit are looked at.
    """
    f32 = np.float32
    _disillusion(
        people.disillusion,
        members,
        trait(people, members, fixed, "circle"),
        people.circle,
        executed,
        f32(per_execution),
        f32(per_repression * repression),
    )
