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
from numba import njit

from ..people import Motive, People, trait
from ..prefetch import AHEAD as _AHEAD
from ..prefetch import prefetch as _prefetch
from ..scenario import Scenario

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_OPPORTUNISM = int(Motive.OPPORTUNISM)


# The two helpers are combat's, repeated rather than imported: Numba's cache checks only the
# calling module's file, so an edit to combat.py would leave this module's cached kernel stale.


@njit(cache=True, inline="always")
def _under_18(month, birth):  # noqa: ANN001, ANN202
    """people.years(month, birth) < 18 for one person: int32 difference, floor division, int16."""
    return np.int16((month - np.int32(birth)) // 12) < 18


@njit(cache=True, inline="always")
def _untrained(days, full):  # noqa: ANN001, ANN202
    """1 - min(days / full, 1) in float64, as NumPy's int16 array over a Python int."""
    return 1.0 - np.minimum(np.float64(days) / np.float64(full), 1.0)


@njit(cache=True)
def _indiscipline(training_days, motive, members, birth, month, full, w):  # noqa: ANN001, ANN202
    """The score in one compiled pass (it was a dozen small NumPy calls), its three float64
    terms added in NumPy's order."""
    score = np.empty(members.size, np.float64)
    for i in range(members.size):
        if i + _AHEAD < members.size:
            _prefetch(training_days, members[i + _AHEAD])
            _prefetch(motive, members[i + _AHEAD])
        m = members[i]
        v = w[0] * _untrained(training_days[m], full)
        v = v + w[1] * np.float64(motive[m] == _OPPORTUNISM)
        score[i] = v + w[2] * np.float64(_under_18(month, birth[i]))
    return score


def indiscipline(
    people: People,
    members: np.ndarray,
    policy: Scenario,
    month: int,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Each member's indiscipline score."""
    return _indiscipline(
        people.training_days,
        people.motive,
        members,
        trait(people, members, fixed, "birth"),
        month,
        policy.organization.training.full_days,
        weights(policy),
    )


def weights(policy: Scenario) -> np.ndarray:
    """The score's weights in ``_indiscipline``'s order."""
    h = policy.harm
    return np.array([h.untrained, h.opportunist, h.child])


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
    return per_member_and_civilian(score.sum(), score.size, scale, civilians_under_rule)


@njit(cache=True)
def per_member_and_civilian(
    total: float, n: int, scale: float, civilians_under_rule: float
) -> tuple[float, float]:
    """(harm per member, harm per 1,000 civilians under rule) from the total score of ``n``
    members (NumPy's pairwise sum, or ``allegiance.pairwise.total``, which adds in its order);
    compiled, so the monthly row (``record.row_values``) computes it in its own call."""
    if n == 0:
        return 0.0, 0.0
    per_civilian = (
        float(total * scale / civilians_under_rule * 1000.0) if civilians_under_rule > 0 else 0.0
    )
    return float(total / n), per_civilian  # the mean, from the one sum
