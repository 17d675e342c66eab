"""Combat deaths, higher for those on high-risk missions, for children and for the untrained.

Rule: lambda = base * pressure(t) * exp(high_risk*h + child*[age<18] + untrained*(1 - days/full)
+ leader*([leader] + [administrator]/2) + away*[posted to Iraq or Libya]). Evidence: Syrians
'increasingly assigned to the most dangerous jobs on the front lines'; ISIS 'had been using these
children as cannon fodder on the frontlines because they lacked the training and experience';
'rising casualties'.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import pcg
from ..pcg import random as _random
from ..people import People, Posting, Role, trait
from ..prefetch import AHEAD as _AHEAD
from ..prefetch import prefetch as _prefetch
from ..scenario import Combat, Scenario

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_LEADER = int(Role.LEADER)
_ADMINISTRATOR = int(Role.ADMINISTRATOR)
_IRAQ = int(Posting.IRAQ)
_LIBYA = int(Posting.LIBYA)

# The linear predictor and the draw are compiled passes (they were about thirty small NumPy
# calls a month); exp and expm1 stay NumPy calls on whole arrays: on this hardware NumPy's SIMD
# exp differs from libm's in the last bit for some values, and the draws must not change.


@njit(cache=True, inline="always")
def _under_18(month, birth):  # noqa: ANN001, ANN202
    """people.years(month, birth) < 18 for one person: int32 difference, floor division, int16."""
    return np.int16((month - np.int32(birth)) // 12) < 18


@njit(cache=True, inline="always")
def _untrained(days, full):  # noqa: ANN001, ANN202
    """1 - min(days / full, 1) in float64, as NumPy's int16 array over a Python int."""
    return 1.0 - np.minimum(np.float64(days) / np.float64(full), 1.0)


@njit(cache=True)
def _predictor(high_risk, training_days, role, posting, members, birth, month, full, w):  # noqa: ANN001, ANN202
    """The exponent x of each member's death rate, summed in the order NumPy adds the terms
    (each weight times a 0/1 in float64)."""
    x = np.empty(members.size, np.float64)
    for i in range(members.size):
        if i + _AHEAD < members.size:
            a = members[i + _AHEAD]
            _prefetch(high_risk, a)
            _prefetch(training_days, a)
            _prefetch(role, a)
            _prefetch(posting, a)
        m = members[i]
        r = role[m]
        p = posting[m]
        v = w[0] * np.float64(high_risk[m])
        v = v + w[1] * np.float64(_under_18(month, birth[i]))
        v = v + w[2] * _untrained(training_days[m], full)
        v = v + w[3] * np.float64(r == _LEADER)
        v = v + w[4] * np.float64(r == _ADMINISTRATOR)
        v = v + w[5] * np.float64((p == _IRAQ) | (p == _LIBYA))
        x[i] = v
    return x


@njit(cache=True)
def _below(members, st, neg_p):  # noqa: ANN001, ANN202
    """The members whose draw is below their probability (given negated): one
    ``Generator.random`` each, in order, from the stream's state ``st``."""
    out = np.empty(members.size, members.dtype)
    n = 0
    for i in range(members.size):
        if _random(st) < -neg_p[i]:
            out[n] = members[i]
            n += 1
    return out[:n]


def weights(c: Combat) -> np.ndarray:
    """The predictor's weights in the kernel's order (administrators': half the leaders')."""
    return np.array([c.high_risk, c.child, c.untrained, c.leader, 0.5 * c.leader, c.away])


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
    x = _predictor(
        people.high_risk,
        people.training_days,
        people.role,
        people.posting,
        members,
        trait(people, members, fixed, "birth"),
        month,
        policy.organization.training.full_days,
        weights(c),
    )
    return _below(members, pcg.state(rng), minus_chance(x, c, pressure))


def minus_chance(x: np.ndarray, c: Combat, pressure: float) -> np.ndarray:
    """Minus each member's chance of death, expm1(-lam), from the exponents ``x`` (NumPy's exp
    and expm1: their SIMD results are not libm's in the last bit)."""
    return np.expm1(np.exp(x) * scale(c, pressure))


def scale(c: Combat, pressure: float) -> float:
    """The factor of exp(x) in minus each member's death rate: lam = base * pressure * exp(x),
    and -lam as (-(base * pressure)) * exp(x) (negation is exact)."""
    return -(c.base * pressure)
