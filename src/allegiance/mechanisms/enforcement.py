"""Deterrence: catching those who try to leave, executing many, punishing the rest.

Rule (Epstein 2002; docs/ODD.md): in each province, P(caught) = 1 - exp(-k * E / A), E the
security personnel there (a share of members times enforcement intensity) and A the number
expected to try to leave there this month (the sum of members' chances of trying: the realized
count would make deterrence depend on the resolution, since a coarse run has only a handful of
simulated attempts per province), so exits are safer in numbers; a closed border adds border*(1 -
openness) to the exponent for those heading abroad. The caught are executed with the policy's
share; the rest return under suspicion to high-risk duty. Evidence: 'the group has executed
hundreds of its own fighters for trying to flee'; 'defectors and deserters have been burned or
frozen to death'.
"""

from __future__ import annotations

import numpy as np

from ..people import People, Route
from ..scenario import Enforcement

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_RIVAL = int(Route.RIVAL)


def catch_probability(
    location: np.ndarray,
    member_location: np.ndarray,
    route: np.ndarray,
    policy: Enforcement,
    border_openness: float,
    n_locations: int,
    expected: np.ndarray | None = None,
) -> np.ndarray:
    """P(caught) for each person trying to leave, from where they are and their route.

    ``expected`` is the number expected to try in each location; without it, those trying are
    counted.
    """
    attempts = (
        np.bincount(location, minlength=n_locations).astype(np.float64)
        if expected is None
        else expected
    )
    guards = (
        policy.intensity
        * policy.security_share
        * np.bincount(member_location, minlength=n_locations)
    )
    ratio = guards[location] / np.maximum(attempts[location], 1.0)
    exponent = policy.k * ratio
    abroad = route != _RIVAL
    exponent = exponent + abroad * policy.border * (1.0 - border_openness)
    return -np.expm1(-exponent)


def fates(
    people: People,
    idx: np.ndarray,
    p_caught: np.ndarray,
    policy: Enforcement,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Split those trying into (escaped mask, executed mask); the caught but spared are punished."""
    caught = rng.random(idx.size) < p_caught
    executed = caught & (rng.random(idx.size) < policy.execute_share)
    punished = idx[caught & ~executed]
    people.suspicion[punished] = 1.0
    people.high_risk[punished] = True
    return ~caught, executed
