"""Combat deaths, higher for those on high-risk missions, for children and for the untrained.

Rule: lambda = base * pressure(t) * exp(high_risk*h + child*[age<18] + untrained*(1 - days/full)
+ leader*([leader] + [administrator]/2) + away*[posted to Iraq or Libya]). Evidence: Syrians
'increasingly assigned to the most dangerous jobs on the front lines'; ISIS 'had been using these
children as cannon fodder on the frontlines because they lacked the training and experience';
'rising casualties'.
"""

from __future__ import annotations

import numpy as np

from ..people import People, Posting, Role, trait, years
from ..scenario import Scenario

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_LEADER = int(Role.LEADER)
_ADMINISTRATOR = int(Role.ADMINISTRATOR)
_IRAQ = int(Posting.IRAQ)
_LIBYA = int(Posting.LIBYA)


def deaths(
    people: People,
    members: np.ndarray,
    policy: Scenario,
    pressure: float,
    month: int,
    rng: np.random.Generator,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Draw this month's combat deaths among ``members``; returns their indices."""
    c = policy.combat
    full = policy.organization.training.full_days
    under18 = years(month, trait(people, members, fixed, "birth")) < 18
    untrained = 1.0 - np.minimum(people.training_days[members] / full, 1.0)
    role = people.role[members]
    posting = people.posting[members]
    x = (
        c.high_risk * people.high_risk[members]
        + c.child * under18
        + c.untrained * untrained
        + c.leader * (role == _LEADER)
        + 0.5 * c.leader * (role == _ADMINISTRATOR)  # administrators serve nearer the front
        + c.away * ((posting == _IRAQ) | (posting == _LIBYA))
    )
    lam = c.base * pressure * np.exp(x)
    return members[rng.random(members.size) < -np.expm1(-lam)]
