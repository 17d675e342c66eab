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
from numba import njit

from .. import pcg
from ..pcg import gumbels as _gumbels
from ..people import FOREIGN_MIN, IRAQI, SYRIAN_MAX, People, Role, trait
from ..prefetch import AHEAD as _AHEAD
from ..prefetch import prefetch as _prefetch
from ..scenario import Leadership, Organization

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_FIGHTER = int(Role.FIGHTER)
_LEADER = int(Role.LEADER)
_ADMINISTRATOR = int(Role.ADMINISTRATOR)

# Both functions run every month over the members, and as NumPy code they were dozens of small
# calls (a microsecond or more each, whatever the size); here each is one or two compiled calls
# computing the same IEEE operations in the same dtypes (no fastmath: no fused or reordered
# arithmetic). The Gumbel keys stay a NumPy draw: a Generator passed into a compiled function
# costs about 8 us to unbox, more than the calls it would save.
#
# Each loop over the members reads their population-wide records (role, suspicion...): past the
# processor's cache (a few million people) each read waits for memory, so the loops start the
# reads of the member _AHEAD places on (allegiance.prefetch: a hint, no value changes) and the
# waits overlap.


@njit(cache=True)
def _roles(role, members):  # noqa: ANN001, ANN202
    """Fighters, leaders and administrators among ``members``."""
    fighters = leaders = admins = 0
    n = members.size
    for k in range(n):
        if k + _AHEAD < n:
            _prefetch(role, members[k + _AHEAD])
        r = role[members[k]]
        fighters += r == _FIGHTER
        leaders += r == _LEADER
        admins += r == _ADMINISTRATOR
    return fighters, leaders, admins


@njit(cache=True)
def _promote(role, members, pos, key, k, code):  # noqa: ANN001, ANN202
    """Give role ``code`` to the members at positions ``pos`` with the ``k`` largest ``key``.

    The set that np.argpartition(-key, k - 1)[:k] picks: all below the k-th smallest of -key and
    then the ones equal to it, first in pool order (keys are continuous, so ties have probability
    zero; NumPy's introselect could pick other members among exactly equal keys)."""
    m = pos.size
    if k >= m:
        for j in range(m):
            role[members[pos[j]]] = code
        return
    neg = -key
    t = np.partition(neg, k - 1)[k - 1]
    c = 0
    for j in range(m):
        if neg[j] < t:
            role[members[pos[j]]] = code
            c += 1
    for j in range(m):
        if c >= k:
            break
        if neg[j] == t:
            role[members[pos[j]]] = code
            c += 1


@njit(cache=True, inline="always")
def _leader_logit(origin, skilled, ideology, w, w_ideology):  # noqa: ANN001, ANN202
    """A fighter's leadership log-odds: float64 as NumPy's weight * bool array, then + bool,
    then + the float32 product of weight and ideology (a float32 array times a Python float)."""
    logit = w[0] * np.float64(origin >= FOREIGN_MIN) + w[1] * np.float64(origin == IRAQI)
    logit = logit + np.float64(skilled)
    return logit + np.float64(w_ideology * ideology)


@njit(cache=True, inline="always")
def _admin_logit(origin, skilled, w):  # noqa: ANN001, ANN202
    """A fighter's administration log-odds, float64."""
    return w[2] * np.float64(origin <= SYRIAN_MAX) + np.float64(skilled)


@njit(cache=True)
def _fill_posts(role, members, origin, skilled, ideology, k1, k2, w, w_ideology, st, n_keys):  # noqa: ANN001, ANN202
    """Leader posts, then administrator posts, each a Gumbel top-k over the fighters of the
    moment (``n_keys`` Gumbel keys drawn first from the stream's state ``st``, as one
    ``Generator.gumbel`` call would: the leader draw's keys, then the administrator draw's)."""
    gumbel = _gumbels(st, n_keys)
    n = members.size
    pos = np.empty(n, np.int64)
    key = np.empty(n, np.float64)
    used = 0
    if k1 > 0:
        m = 0
        for i in range(n):
            if i + _AHEAD < n:
                _prefetch(role, members[i + _AHEAD])
            if role[members[i]] == _FIGHTER:
                pos[m] = i
                key[m] = (
                    _leader_logit(origin[i], skilled[i], ideology[i], w, w_ideology) + gumbel[m]
                )
                m += 1
        if m:
            _promote(role, members, pos[:m], key[:m], min(k1, m), _LEADER)
            used = m
    if k2 > 0:
        m = 0
        for i in range(n):
            if i + _AHEAD < n:
                _prefetch(role, members[i + _AHEAD])
            if role[members[i]] == _FIGHTER:
                pos[m] = i
                key[m] = _admin_logit(origin[i], skilled[i], w) + gumbel[used + m]
                m += 1
        if m:
            _promote(role, members, pos[:m], key[:m], min(k2, m), _ADMINISTRATOR)
            used += m
    if used != gumbel.size:
        raise ValueError("Gumbel keys drawn for another number of fighters")


def _weights(lead: Leadership) -> tuple[np.ndarray, np.float32]:
    """The log-odds weights as the kernels take them: foreign, Iraqi and Syrian (administration)
    in float64, and ideology's rounded to float32 as NumPy rounds it for a float32 array."""
    w = np.array([lead.foreign_weight, lead.iraqi_weight, lead.syrian_admin_weight])
    return w, np.float32(lead.ideology_weight)


def fill_posts(
    people: People,
    members: np.ndarray,
    org: Organization,
    rng: np.random.Generator,
    fixed: np.ndarray | None = None,
) -> None:
    """Promote fighters into vacant leader and administrator posts (``fixed``: the members'
    FIXED records, when the caller carries them).

    Each fill draws Gumbel keys for all fighters of the moment (weights exp(logit), without
    replacement: Gumbel top-k), and only when posts are vacant and fighters there: the leader
    fill's pool is the fighters, the administrator fill's the fighters not promoted. Both
    draws are drawn in the kernel, as one NumPy call of a + b would (allegiance.pcg).
    ``members`` are distinct.
    """
    _fill(
        people.role,
        members,
        trait(people, members, fixed, "origin"),
        trait(people, members, fixed, "skilled"),
        trait(people, members, fixed, "ideology"),
        *fill_terms(org),
        pcg.state(rng),
    )


def fill_terms(org: Organization) -> tuple[float, float, np.ndarray, np.float32]:
    """The posts' shares of the members and the log-odds weights, as ``_fill`` takes them."""
    lead = org.leadership
    return (lead.leader_share, lead.admin_share, *_weights(lead))


@njit(cache=True)
def _fill(role, members, origin, skilled, ideology, leader_share, admin_share, w, w_ideology, st):  # noqa: ANN001, ANN202
    """The vacant posts (each share of the members rounded half to even, as Python's round,
    less those holding the post) and the draws they need, then ``_fill_posts``; no draw when
    no post is vacant or no fighter is there."""
    n_fighters, n_leaders, n_admins = _roles(role, members)
    k1 = int(np.rint(leader_share * members.size)) - n_leaders
    k2 = int(np.rint(admin_share * members.size)) - n_admins
    d1 = n_fighters if k1 > 0 else 0
    left = n_fighters - min(k1, n_fighters) if d1 else n_fighters
    d2 = left if k2 > 0 else 0
    if d1 + d2 == 0:
        return
    _fill_posts(role, members, origin, skilled, ideology, k1, k2, w, w_ideology, st, d1 + d2)


@njit(cache=True)
def _update_suspicion(suspicion, high_risk, role, members, origin, circle, ideology, friends, w):  # noqa: ANN001, ANN202
    """``w``: decay, friend gain and threshold as float32 (NumPy rounds a Python float to a
    float32 array's dtype), then the Syrian gain as float64 (its product is with a bool array)."""
    decay, friend_gain, threshold = np.float32(w[0]), np.float32(w[1]), np.float32(w[2])
    one = np.float32(1.0)
    n = members.size
    for i in range(n):
        if i + _AHEAD < n:
            # every population-wide read (and write) of the member ahead, and his circle's
            a = members[i + _AHEAD]
            _prefetch(suspicion, a)
            _prefetch(high_risk, a)
            _prefetch(role, a)
            _prefetch(friends, circle[i + _AHEAD])
        m = members[i]
        f = np.minimum(friends[circle[i]], one)  # float32, as np.minimum(float32 array, 1.0)
        # float32 decay term, float64 Syrian term, float32 friends term: summed in float64, in
        # NumPy's order
        new = np.float64(decay * suspicion[m])
        syrian = np.float64(origin[i] <= SYRIAN_MAX)
        new = new + w[3] * syrian * np.float64(one - ideology[i])
        new = new + np.float64(friend_gain * f)
        s = np.float32(np.minimum(np.maximum(new, 0.0), 1.0))
        suspicion[m] = s
        # a float32 array against a Python float compares in float32
        high_risk[m] = (s > threshold) & (role[m] == _FIGHTER)


def update_suspicion(
    people: People,
    members: np.ndarray,
    org: Organization,
    friends_left: np.ndarray,
    fixed: np.ndarray | None = None,
) -> None:
    """Update commanders' suspicion and who is sent on high-risk missions (``friends_left``
    float32, one per circle)."""
    w = suspicion_weights(org)
    _update_suspicion(
        people.suspicion,
        people.high_risk,
        people.role,
        members,
        trait(people, members, fixed, "origin"),
        trait(people, members, fixed, "circle"),
        trait(people, members, fixed, "ideology"),
        friends_left,
        w,
    )


def suspicion_weights(org: Organization) -> np.ndarray:
    """Suspicion's weights as ``_update_suspicion`` takes them."""
    s = org.suspicion
    f32 = np.float32  # rounded as NumPy rounds them for a float32 array, then held exactly
    return np.array([f32(s.decay), f32(s.friend_gain), f32(s.threshold), s.syrian_gain], np.float64)
