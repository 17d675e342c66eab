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

from ..people import SYRIAN_MAX, People, Posting, Role, trait
from ..scenario import Redeployment

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_HOME = int(Posting.HOME)
_AGAINST_FSA = int(Posting.AGAINST_FSA)
_IRAQ = int(Posting.IRAQ)
_LIBYA = int(Posting.LIBYA)
_FIGHTER = int(Role.FIGHTER)


def order(
    people: People,
    members: np.ndarray,
    policy: Redeployment,
    rng: np.random.Generator,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Issue this month's orders; returns the ordered members. Clears last month's orders."""
    people.ordered[members] = False
    away = members[people.posting[members] != _HOME]
    back = away[rng.random(away.size) < 1.0 / policy.tour_months]
    people.posting[back] = _HOME
    home = members[
        (people.posting[members] == _HOME)
        & (trait(people, members, fixed, "origin") <= SYRIAN_MAX)
        & (people.role[members] == _FIGHTER)
    ]
    u = rng.random(home.size)
    dest = np.full(home.size, 255, dtype=np.uint8)
    c1 = policy.iraq_rate
    c2 = c1 + policy.libya_rate
    c3 = c2 + policy.fsa_rate
    dest[u < c3] = _AGAINST_FSA
    dest[u < c2] = _LIBYA
    dest[u < c1] = _IRAQ
    hit = dest != 255
    ordered = home[hit]
    people.ordered[ordered] = True
    people.posting[ordered] = dest[hit]
    return ordered
