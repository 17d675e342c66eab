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

from ..people import FOREIGN_MIN, IRAQI, SYRIAN_MAX, People, Role
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
    people: People, members: np.ndarray, org: Organization, rng: np.random.Generator
) -> None:
    """Promote fighters into vacant leader and administrator posts."""
    lead = org.leadership
    role = people.role[members]
    fighters = members[role == _FIGHTER]
    f_origin = people.origin[fighters]
    vacant = int(round(lead.leader_share * members.size)) - np.count_nonzero(role == _LEADER)
    logit = (
        lead.foreign_weight * (f_origin >= FOREIGN_MIN)
        + lead.iraqi_weight * (f_origin == IRAQI)
        + people.skilled[fighters]
        + lead.ideology_weight * people.ideology[fighters]
    ).astype(np.float64)
    promoted = _fill(rng, fighters, logit, vacant)
    people.role[promoted] = _LEADER
    fighters = members[people.role[members] == _FIGHTER]
    f_origin = people.origin[fighters]
    vacant = int(round(lead.admin_share * members.size)) - np.count_nonzero(role == _ADMINISTRATOR)
    logit = (lead.syrian_admin_weight * (f_origin <= SYRIAN_MAX) + people.skilled[fighters]).astype(
        np.float64
    )
    people.role[_fill(rng, fighters, logit, vacant)] = _ADMINISTRATOR


def update_suspicion(
    people: People, members: np.ndarray, org: Organization, friends_left: np.ndarray
) -> None:
    """Update commanders' suspicion and who is sent on high-risk missions."""
    s = org.suspicion
    syrian = people.origin[members] <= SYRIAN_MAX
    friends = np.minimum(friends_left[people.circle[members]], 1.0)
    new = (
        s.decay * people.suspicion[members]
        + s.syrian_gain * syrian * (1.0 - people.ideology[members])
        + s.friend_gain * friends
    )
    new = np.minimum(np.maximum(new, 0.0), 1.0).astype(np.float32)  # a clip without its wrapper
    people.suspicion[members] = new
    people.high_risk[members] = (new > s.threshold) & (people.role[members] == _FIGHTER)
