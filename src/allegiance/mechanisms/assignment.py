"""Roles, commanders' suspicion and high-risk assignment.

Rules: leader and administrator posts are kept at a share of members and filled by weighted draws
(log-odds favour foreigners and Iraqis for leadership, Syrians and the skilled for
administration). Suspicion s <- decay*s + gain*Syrian*(1 - ideology) + friend_gain*friends who
left; members above the threshold are sent on high-risk missions. Evidence: 'foreign fighters
are rapidly promoted to leadership positions'; 'the majority of ISIS leaders in Syria are
foreigners or Iraqis'; Syrians 'uniquely vulnerable to accusations of being "too close" to the
civilian population'; 'Those suspected of disloyalty are frequently assigned to the most
high-risk missions - an underhanded means of eliminating them.'
"""

from __future__ import annotations

import numpy as np

from ..people import FOREIGN_MIN, IRAQI, SYRIAN_MAX, People, Role, take, trait
from ..scenario import Organization

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_FIGHTER = int(Role.FIGHTER)
_LEADER = int(Role.LEADER)
_ADMINISTRATOR = int(Role.ADMINISTRATOR)


def _fill(rng: np.random.Generator, pool: np.ndarray, logit: np.ndarray, k: int) -> np.ndarray:
    """Draw ``k`` of ``pool`` without replacement with weights exp(logit) (Gumbel top-k)."""
    if k <= 0 or pool.size == 0:
        return pool[:0]
    k = min(k, pool.size)
    key = logit + rng.gumbel(size=pool.size)
    return pool[np.argpartition(-key, k - 1)[:k]]


def fill_posts(
    people: People,
    members: np.ndarray,
    org: Organization,
    rng: np.random.Generator,
    fixed: np.ndarray | None = None,
) -> None:
    """Promote fighters into vacant leader and administrator posts (``fixed``: the members'
    FIXED records, when the caller carries them)."""
    lead = org.leadership
    role = people.role[members]
    is_fighter = role == _FIGHTER
    fighters = members[is_fighter]
    f_fixed = take(fixed, is_fighter) if fixed is not None else None
    f_origin = trait(people, fighters, f_fixed, "origin")
    vacant = int(round(lead.leader_share * members.size)) - np.count_nonzero(role == _LEADER)
    logit = (
        lead.foreign_weight * (f_origin >= FOREIGN_MIN)
        + lead.iraqi_weight * (f_origin == IRAQI)
        + trait(people, fighters, f_fixed, "skilled")
        + lead.ideology_weight * trait(people, fighters, f_fixed, "ideology")
    ).astype(np.float64)
    promoted = _fill(rng, fighters, logit, vacant)
    people.role[promoted] = _LEADER
    is_fighter = people.role[members] == _FIGHTER
    fighters = members[is_fighter]
    f_fixed = take(fixed, is_fighter) if fixed is not None else None
    f_origin = trait(people, fighters, f_fixed, "origin")
    vacant = int(round(lead.admin_share * members.size)) - np.count_nonzero(role == _ADMINISTRATOR)
    skilled = trait(people, fighters, f_fixed, "skilled")
    logit = (lead.syrian_admin_weight * (f_origin <= SYRIAN_MAX) + skilled).astype(np.float64)
    people.role[_fill(rng, fighters, logit, vacant)] = _ADMINISTRATOR


def update_suspicion(
    people: People,
    members: np.ndarray,
    org: Organization,
    friends_left: np.ndarray,
    fixed: np.ndarray | None = None,
) -> None:
    """Update commanders' suspicion and who is sent on high-risk missions."""
    s = org.suspicion
    syrian = trait(people, members, fixed, "origin") <= SYRIAN_MAX
    friends = np.minimum(friends_left[trait(people, members, fixed, "circle")], 1.0)
    new = (
        s.decay * people.suspicion[members]
        + s.syrian_gain * syrian * (1.0 - trait(people, members, fixed, "ideology"))
        + s.friend_gain * friends
    )
    new = np.minimum(np.maximum(new, 0.0), 1.0).astype(np.float32)  # a clip without its wrapper
    people.suspicion[members] = new
    people.high_risk[members] = (new > s.threshold) & (people.role[members] == _FIGHTER)
