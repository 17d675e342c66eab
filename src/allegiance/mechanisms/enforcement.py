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
from numba import njit

from .. import pcg
from ..pcg import draws as _draws
from ..people import People, Route, Status
from ..scenario import Enforcement

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_RIVAL = int(Route.RIVAL)
_DESERTED, _DEFECTED = int(Status.DESERTED), int(Status.DEFECTED)
_EXECUTED = int(Status.EXECUTED)
_NO_EXPECTED = np.empty(0, np.float64)  # stands for "count those trying" in the kernel


@njit(cache=True, error_model="numpy")
def _minus_exponent(
    location: np.ndarray,
    member_location: np.ndarray,
    route: np.ndarray,
    expected: np.ndarray,
    counted: bool,
    guards_each: float,
    k: float,
    border: float,
    closed: float,
    n_locations: int,
) -> np.ndarray:
    """Minus the catch exponent of each of those trying, with the plain expression's float64
    operations in its order (guards per location over the larger of one and those expected
    there, times k, plus the border's term for those heading abroad)."""
    # NumPy's bincount and indexing refuse what would be out of bounds here (no bounds checks)
    size = n_locations
    for x in location:
        size = max(size, x + 1)
        if x < 0:
            raise ValueError("locations must be non-negative")
        if not counted and x >= expected.size:
            raise IndexError("a location past the expected counts")
    for x in member_location:
        size = max(size, x + 1)
        if x < 0:
            raise ValueError("locations must be non-negative")
    guards = np.zeros(size, np.int64)
    for x in member_location:
        guards[x] += 1
    if counted:
        attempts = np.zeros(size, np.float64)
        for x in location:
            attempts[x] += 1.0
    else:
        attempts = expected
    out = np.empty(location.size, np.float64)
    for i in range(location.size):
        x = location[i]
        a = attempts[x]
        if a < 1.0:  # np.maximum: a NaN stays
            a = 1.0
        exponent = k * ((guards_each * np.float64(guards[x])) / a)
        abroad = 0.0 if route[i] == _RIVAL else 1.0
        out[i] = -(exponent + abroad * border * closed)
    return out


def _float64(expected: np.ndarray) -> np.ndarray:
    """Expected counts as float64: the kernel takes one dtype, and any other (a float32 or an
    integer count) converts exactly, as NumPy converts it against the float64 guards."""
    return expected if expected.dtype == np.float64 else expected.astype(np.float64)


@njit(cache=True)
def expected_attempts(unit, per_province, chance, n_locations):  # noqa: ANN001, ANN201
    """Each member's location (int32 ``unit // per_province``) and the expected number trying in
    each location: ``np.bincount(location, weights=chance)``, whose float64 sums run in index
    order, in one compiled pass instead of a division and a bincount."""
    where = np.empty(unit.size, np.int32)
    expected = np.zeros(n_locations, np.float64)
    for i in range(unit.size):
        w = np.int32(unit[i] // per_province)
        where[i] = w
        expected[w] += np.float64(chance[i])
    return where, expected


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
    # one compiled call for the exponent; expm1 stays NumPy's (its SIMD one is not libm's in the
    # last bit), as does the sign flip around it
    e = _minus_exponent(
        location,
        member_location,
        route,
        _NO_EXPECTED if expected is None else _float64(expected),
        expected is None,
        *catch_terms(policy, border_openness),
        n_locations,
    )
    return caught(e)


def catch_terms(policy: Enforcement, border_openness: float) -> tuple[float, float, float, float]:
    """The month's terms of the catch exponent: guards per member, k, the border's weight and
    how closed it is."""
    return policy.intensity * policy.security_share, policy.k, policy.border, 1.0 - border_openness


def caught(minus_exponent: np.ndarray) -> np.ndarray:
    """P(caught) = -expm1(-exponent), in place (NumPy's expm1 and sign flip)."""
    np.expm1(minus_exponent, out=minus_exponent)
    return np.negative(minus_exponent, out=minus_exponent)


@njit(cache=True, error_model="numpy")
def _fates(
    idx: np.ndarray,
    p_caught: np.ndarray,
    execute_share: float,
    st: np.ndarray,
    suspicion: np.ndarray,
    high_risk: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Caught on the first draw of each, executed on the second (from the stream's state
    ``st``: first draws for all, then second draws for all); the caught but spared are marked
    in the population."""
    n = idx.size
    u = _draws(st, 2 * n)
    escaped = np.empty(n, np.bool_)
    executed = np.empty(n, np.bool_)
    for i in range(n):
        caught = u[i] < p_caught[i]
        escaped[i] = not caught
        executed[i] = caught and u[n + i] < execute_share
        if caught and not executed[i]:
            suspicion[idx[i]] = 1.0
            high_risk[idx[i]] = True
    return escaped, executed


def fates(
    people: People,
    idx: np.ndarray,
    p_caught: np.ndarray,
    policy: Enforcement,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Split those trying into (escaped mask, executed mask); the caught but spared are punished."""
    # both draws of each drawn in the kernel, as one NumPy call of 2n would (allegiance.pcg)
    st = pcg.state(rng)
    return _fates(idx, p_caught, policy.execute_share, st, people.suspicion, people.high_risk)


Logged = tuple[np.ndarray, np.ndarray, np.ndarray]  # people, their drivers, their routes


def outcomes(
    people: People,
    trying: np.ndarray,
    escaped: np.ndarray,
    executed: np.ndarray,
    route: np.ndarray,
    driver: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, tuple[Logged, Logged, Logged, Logged]]:
    """Settle the fates of those who tried to leave: the escaped leave (defected to a rival
    group or deserted abroad, by route), the executed die; returns the spared mask (caught and
    punished), those gone (escaped, in order), and the (people, drivers, routes) to log for
    the executed, the caught and spared, the deserters and the defectors, each in order."""
    return _outcomes(people.status, trying, escaped, executed, route, driver)


@njit(cache=True)
def _outcomes(status, trying, escaped, executed, route, driver):  # noqa: ANN001, ANN202
    """One compiled pass for what were two dozen small NumPy masks, gathers and writes."""
    n = trying.size
    spared = np.empty(n, np.bool_)
    kind = np.empty(n, np.int64)  # 0 executed, 1 caught and spared, 2 deserted, 3 defected
    count = np.zeros(4, np.int64)
    for k in range(n):
        spared[k] = not escaped[k] and not executed[k]
        if escaped[k]:
            kind[k] = 3 if route[k] == _RIVAL else 2
            status[trying[k]] = _DEFECTED if kind[k] == 3 else _DESERTED
        elif executed[k]:
            kind[k] = 0
            status[trying[k]] = _EXECUTED
        else:
            kind[k] = 1
        count[kind[k]] += 1
    gone = np.empty(count[2] + count[3], np.int64)
    idx = [np.empty(count[j], np.int64) for j in range(4)]
    drv = [np.empty(count[j], np.uint8) for j in range(4)]
    rte = [np.empty(count[j], np.uint8) for j in range(4)]
    at = np.zeros(4, np.int64)
    g = 0
    for k in range(n):
        j = kind[k]
        idx[j][at[j]], drv[j][at[j]], rte[j][at[j]] = trying[k], driver[k], route[k]
        at[j] += 1
        if j >= 2:
            gone[g] = trying[k]
            g += 1
    logged = (
        (idx[0], drv[0], rte[0]),
        (idx[1], drv[1], rte[1]),
        (idx[2], drv[2], rte[2]),
        (idx[3], drv[3], rte[3]),
    )
    return spared, gone, logged
