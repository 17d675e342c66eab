"""The training pipeline: sharia course and boot camp, 30 days a month, then membership.

Rule: each month a trainee completes 30 days; when none are left they become fighters, having
received the training set when they joined. Evidence: 'dawraat sharia, which last from 30 to 45
days, followed by military boot camp for another 30 days'; after Sinjar (November 2015) ISIS
'eliminat[ed] military training altogether and requir[ed] only a few days of Islamic education'.
A short course finishes in the month of joining.
"""

from __future__ import annotations

import numpy as np

from ..people import People, Role, Status

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_MEMBER = int(Status.MEMBER)
_FIGHTER = int(Role.FIGHTER)


def advance(people: People, trainees: np.ndarray) -> np.ndarray:
    """Advance trainees by one month; return the indices of those who graduate."""
    left = people.training_left[trainees] - 30
    people.training_left[trainees] = np.maximum(left, 0)
    done = trainees[left <= 0]
    people.status[done] = _MEMBER
    people.role[done] = _FIGHTER
    return done
