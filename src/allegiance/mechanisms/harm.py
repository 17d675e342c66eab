"""Indiscipline and harm to civilians from untrained, opportunist and child members.

Rule: indiscipline_i = w_u*(1 - training/full) + w_o*[opportunist] + w_c*[under 18]. Two
indices: harm per member (the mean indiscipline: how unruly the average member is) and harm per
1,000 civilians under the group's rule (the sum over members in real-world units, divided by the
civilians still under its rule, which shrink with its territory). Faster unravelling leaves
fewer civilians under a less disciplined force, so harm per civilian can rise while the group
shrinks. Evidence (Revkin & Mhidi 2016): the sharia course 'covers ISIS' version of Islamic
humanitarian law, which does set some limits on violence against civilians'; with less training
'its fighters will become increasingly prone to indiscipline, corruption, and looting ... at a
high cost to Syrian civilians, who are likely to face increased violence and exploitation by an
organization that is beginning to unravel'; Hossam: '80 percent of ISIS members are bad guys'.
"""

from __future__ import annotations

import numpy as np

from ..people import Motive, People, trait, years
from ..scenario import Scenario

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_OPPORTUNISM = int(Motive.OPPORTUNISM)


def indiscipline(
    people: People,
    members: np.ndarray,
    policy: Scenario,
    month: int,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Each member's indiscipline score."""
    h = policy.harm
    full = policy.organization.training.full_days
    untrained = 1.0 - np.minimum(people.training_days[members] / full, 1.0)
    u18 = years(month, trait(people, members, fixed, "birth")) < 18
    return (
        h.untrained * untrained
        + h.opportunist * (people.motive[members] == _OPPORTUNISM)
        + h.child * u18
    )


def civilian_harm(
    people: People,
    members: np.ndarray,
    policy: Scenario,
    month: int,
    scale: float,
    civilians_under_rule: float,
    fixed: np.ndarray | None = None,
) -> tuple[float, float]:
    """(harm per member, harm per 1,000 civilians under the group's rule)."""
    if members.size == 0:
        return 0.0, 0.0
    score = indiscipline(people, members, policy, month, fixed)
    total = score.sum()
    per_civilian = (
        float(total * scale / civilians_under_rule * 1000.0) if civilians_under_rule > 0 else 0.0
    )
    return float(total / score.size), per_civilian  # the mean, from the one sum
