"""Ties: friendship circles carry exits and executions to friends still inside.

Rule: each circle keeps a decaying count of friends who left or were executed (keeping
leaving.friends_memory of it each month); it raises friends' exit hazards (leaving.friends) and commanders' suspicion; each friend
executed adds to disillusion. Evidence: Ammar 'watched ISIS execute friends he had known since
childhood' and grew disillusioned; Sami 'cried as he recounted the deaths of several of his
oldest childhood friends who had joined ISIS with him'.
"""

from __future__ import annotations

import numpy as np

from ..people import People, trait


def update(
    recent: np.ndarray, people: People, left: np.ndarray, executed: np.ndarray, memory: float
) -> np.ndarray:
    """Keep ``memory`` of the per-circle counts and add this month's exits and executions."""
    recent *= memory
    # only the circles someone left or was executed from: adding zero leaves the others as they
    # are, and a pass over every circle each month would cost more than the rest of this
    for idx in (left, executed):
        if idx.size:  # most months at a coarse resolution: np.unique of nothing still costs
            circles, count = np.unique(people.circle[idx], return_counts=True)
            recent[circles] += count.astype(np.float32)
    return recent


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
    (``fixed``: the members' FIXED records, when the caller carries them)."""
    # zeros, then the few circles hit: a bincount over every circle writes three times as much
    shock = np.zeros(n_circles, dtype=np.float32)
    if executed.size:
        hit, count = np.unique(people.circle[executed], return_counts=True)
        shock[hit] = count
    people.disillusion[members] += (
        per_execution * shock[trait(people, members, fixed, "circle")] + per_repression * repression
    )
