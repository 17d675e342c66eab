"""The training pipeline: sharia course and boot camp, 30 days a month, then membership.

Rule: each month a trainee completes 30 days; when none are left they become fighters, having
received the training set when they joined. Evidence: 'dawraat sharia, which last from 30 to 45
days, followed by military boot camp for another 30 days'; after Sinjar (November 2015) ISIS
'eliminat[ed] military training altogether and requir[ed] only a few days of Islamic education'.
A short course finishes in the month of joining.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..people import People, Role, Status

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_MEMBER = int(Status.MEMBER)
_FIGHTER = int(Role.FIGHTER)


@njit(cache=True)
def _advance(training_left, status, role, trainees):  # noqa: ANN001, ANN202
    """One compiled pass in place of seven small NumPy calls a month."""
    done = np.empty(trainees.size, trainees.dtype)
    n = 0
    for i in trainees:
        left = np.int16(training_left[i] - 30)  # int16 arithmetic, as NumPy's
        training_left[i] = max(left, 0)
        if left <= 0:
            status[i] = _MEMBER
            role[i] = _FIGHTER
            done[n] = i
            n += 1
    return done[:n]


def advance(people: People, trainees: np.ndarray) -> np.ndarray:
    """Advance trainees (distinct) by one month; return the indices of those who graduate."""
    return _advance(people.training_left, people.status, people.role, trainees)
