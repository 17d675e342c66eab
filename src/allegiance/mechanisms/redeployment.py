"""Redeployment orders: to Iraq or Libya, or into battle against fellow Syrians of the FSA.

Rule: each month a share of Syrian fighters on the home front is ordered away (rates set by
policy); an order stands for that month, during which it raises the redeployment exit hazard of
those whose enemy is the regime; those who stay serve away and come home after a tour (hazard
1/tour). Evidence: 'some Syrians are defecting from ISIS to avoid redeployment to Iraq and
Libya'; Ammar's 'final straw was his commanding officer's decision to redeploy him to the
frontlines in Iraq'; others 'deserted when the higher-ups tried to send them into battle
against fellow Syrians of the FSA'.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import pcg
from ..pcg import draws as _draws
from ..people import SYRIAN_MAX, People, Posting, Role, trait
from ..prefetch import AHEAD as _AHEAD
from ..prefetch import prefetch as _prefetch
from ..scenario import Redeployment

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_HOME = int(Posting.HOME)
_AGAINST_FSA = int(Posting.AGAINST_FSA)
_IRAQ = int(Posting.IRAQ)
_LIBYA = int(Posting.LIBYA)
_FIGHTER = int(Role.FIGHTER)

# Three compiled passes over the members in place of about twenty small NumPy calls a month.
# The uniforms stay NumPy draws between them (a Generator costs about 8 us to pass into a
# compiled function): the tour draw needs the count of those away, the order draw the count of
# those at home once the returning are back.
#
# The passes over the members read their population-wide records (posting, role, ordered): past
# the processor's cache (a few million people) each read waits for memory, so each pass starts
# the reads of the member _AHEAD places on (allegiance.prefetch: a hint, no value changes).


@njit(cache=True)
def _clear(ordered, posting, members):  # noqa: ANN001, ANN202
    """Clear last month's orders; the number of members serving away."""
    away = 0
    n = members.size
    for k in range(n):
        if k + _AHEAD < n:
            _prefetch(ordered, members[k + _AHEAD])
            _prefetch(posting, members[k + _AHEAD])
        m = members[k]
        ordered[m] = False
        away += posting[m] != _HOME
    return away


@njit(cache=True)
def _home(posting, role, members, origin, st, away, p_back):  # noqa: ANN001, ANN202
    """Bring home those away whose draw (one per member away, ``away`` of them, in member order,
    from the stream's state ``st``) is below ``p_back``; the Syrian fighters then at home, in
    member order."""
    u = _draws(st, away)
    j = 0
    size = members.size
    for k in range(size):
        if k + _AHEAD < size:
            _prefetch(posting, members[k + _AHEAD])
        m = members[k]
        if posting[m] != _HOME:
            if u[j] < p_back:
                posting[m] = _HOME
            j += 1
    home = np.empty(members.size, members.dtype)
    n = 0
    for i in range(size):
        if i + _AHEAD < size:
            _prefetch(posting, members[i + _AHEAD])
            _prefetch(role, members[i + _AHEAD])
        m = members[i]
        if posting[m] == _HOME and origin[i] <= SYRIAN_MAX and role[m] == _FIGHTER:
            home[n] = m
            n += 1
    return home[:n]


@njit(cache=True)
def _orders(ordered, posting, home, st, c1, c2, c3):  # noqa: ANN001, ANN202
    """Order the home fighters whose draw (one each, in order, from ``st``) falls below a
    destination's cumulative rate."""
    u = _draws(st, home.size)
    out = np.empty(home.size, home.dtype)
    n = 0
    for i in range(home.size):
        # as NumPy's three masked writes, the last (smallest threshold) winning
        dest = 255
        if u[i] < c3:
            dest = _AGAINST_FSA
        if u[i] < c2:
            dest = _LIBYA
        if u[i] < c1:
            dest = _IRAQ
        if dest != 255:
            m = home[i]
            ordered[m] = True
            posting[m] = dest
            out[n] = m
            n += 1
    return out[:n]


def order(
    people: People,
    members: np.ndarray,
    policy: Redeployment,
    rng: np.random.Generator,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Issue this month's orders; returns the ordered members. Clears last month's orders.

    ``members`` are distinct. Draws: one uniform per member away (the tour ends below
    1/tour_months), then one per Syrian fighter at home (the order and its destination).
    """
    return _order(
        people.ordered,
        people.posting,
        people.role,
        members,
        trait(people, members, fixed, "origin"),
        pcg.state(rng),  # the stream's state, stepped in the kernels (allegiance.pcg)
        *order_terms(policy),
    )


def order_terms(policy: Redeployment) -> tuple[float, float, float, float]:
    """The chance a tour ends this month and the destinations' cumulative rates."""
    c1 = policy.iraq_rate
    c2 = c1 + policy.libya_rate
    c3 = c2 + policy.fsa_rate
    return 1.0 / policy.tour_months, c1, c2, c3


@njit(cache=True)
def _order(ordered, posting, role, members, origin, st, p_back, c1, c2, c3):  # noqa: ANN001, ANN202
    """Last month's orders cleared, tours ended, this month's orders: one compiled call."""
    away = _clear(ordered, posting, members)
    home = _home(posting, role, members, origin, st, away, p_back)
    return _orders(ordered, posting, home, st, c1, c2, c3)
