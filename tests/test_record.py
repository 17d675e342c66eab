"""The recorder's compiled head counts against the plain NumPy counts they replaced."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.people import (
    FOREIGN_MIN,
    IRAQI,
    SYRIAN_MAX,
    Driver,
    Motive,
    Origin,
    Role,
    Route,
    years,
)
from allegiance.record import flow_counts, member_counts

LEADER = int(Role.LEADER)
RIVAL = int(Route.RIVAL)


def plain_counts(
    members: np.ndarray,
    origin: np.ndarray,
    birth: np.ndarray,
    month: int,
    unit: np.ndarray,
    role: np.ndarray,
    motive: np.ndarray,
    scale: float,
) -> tuple:
    """The counts as the monthly row computed them with NumPy before."""
    by_origin = np.bincount(origin, minlength=len(Origin))
    age = years(month, birth)
    u18 = age < 18
    n_u18 = int(np.count_nonzero(u18))
    max_unit_u18 = 0.0
    if n_u18:
        unit_n = np.bincount(unit[members], minlength=1)
        unit_u18 = np.bincount(unit[members[u18]], minlength=unit_n.size)
        big = (unit_n * scale >= 50) & (unit_n >= 5)
        if big.any():
            max_unit_u18 = float((unit_u18[big] / unit_n[big]).max())
    lead = role[members] == LEADER
    return (
        by_origin,
        np.bincount(motive[members], minlength=len(Motive)),
        n_u18,
        int(np.count_nonzero(age < 25)),
        int(np.count_nonzero(lead)),
        int(np.count_nonzero(origin[lead] >= IRAQI)),
        max_unit_u18,
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 3_000),
    k=st.integers(0, 400),
    units=st.integers(1, 40),
    scale=st.sampled_from([0.5, 1.0, 7.3, 25.0, 200.0]),
    month=st.integers(0, 60),
)
def test_member_counts_equal_the_plain_numpy_counts(
    seed: int, n: int, k: int, units: int, scale: float, month: int
) -> None:
    rng = np.random.default_rng(seed)
    members = np.sort(rng.choice(n, size=min(k, n), replace=False)).astype(np.int64)
    origin = rng.integers(0, len(Origin), members.size).astype(np.uint8)
    birth = rng.integers(-500, 40, members.size).astype(np.int16)
    unit = rng.integers(0, units, n).astype(np.int32)
    role = rng.integers(0, len(Role), n).astype(np.uint8)
    motive = rng.integers(0, len(Motive), n).astype(np.uint8)
    got = member_counts(
        members,
        origin,
        birth,
        month,
        unit[members],  # the members' units, carried in their records
        role,
        motive,
        scale,
        LEADER,
        len(Origin),
        len(Motive),
        IRAQI,
    )
    want = plain_counts(members, origin, birth, month, unit, role, motive, scale)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert got[2:] == want[2:]  # exactly: the share is the same IEEE quotient


def plain_flows(
    motives: np.ndarray,
    trying: np.ndarray,
    driver: np.ndarray,
    route: np.ndarray,
    escaped: np.ndarray,
    executed: np.ndarray,
    spared: np.ndarray,
    killed: np.ndarray,
    origin: np.ndarray,
) -> tuple:
    """The flow counts as the monthly row computed them with NumPy before."""
    gone = trying[escaped]
    killed_origin = origin[killed]
    return (
        np.bincount(motives, minlength=len(Motive)),
        np.bincount(driver[escaped], minlength=len(Driver)),
        gone.size,
        int(np.count_nonzero(route[escaped] == RIVAL)) if gone.size else 0,
        int(np.count_nonzero(origin[gone] <= SYRIAN_MAX)) if gone.size else 0,
        np.count_nonzero(spared),
        np.count_nonzero(executed),
        np.count_nonzero(killed_origin <= SYRIAN_MAX),
        np.count_nonzero(killed_origin >= FOREIGN_MIN),
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 2_000), k=st.integers(0, 300))
def test_flow_counts_equal_the_plain_numpy_counts(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    origin = rng.integers(0, len(Origin), n).astype(np.uint8)
    motives = rng.integers(1, len(Motive), rng.integers(0, 50)).astype(np.uint8)
    trying = np.sort(rng.choice(n, size=min(k, n), replace=False)).astype(np.int64)
    driver = rng.integers(1, len(Driver), trying.size).astype(np.uint8)
    route = rng.integers(1, len(Route), trying.size).astype(np.uint8)
    caught = rng.random(trying.size) < 0.4
    executed = caught & (rng.random(trying.size) < 0.5)
    killed = np.sort(rng.choice(n, size=min(n, rng.integers(0, 40)), replace=False))
    args = (motives, trying, driver, route, ~caught, executed, caught & ~executed, killed, origin)
    got = flow_counts(*args, len(Motive), len(Driver), RIVAL, SYRIAN_MAX, FOREIGN_MIN)
    want = plain_flows(*args)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert got[2:] == want[2:]
