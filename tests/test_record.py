"""The recorder's compiled head counts and row against the plain NumPy and Python they replaced."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance import Simulation, simulation
from allegiance.people import (
    FOREIGN_MIN,
    IRAQI,
    SYRIAN_MAX,
    Driver,
    Motive,
    Origin,
    Role,
    Route,
    Status,
    years,
)
from allegiance.record import flow_counts, member_counts
from helpers import small

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


def plain_row(  # noqa: PLR0913
    counts: tuple,
    flows: tuple,
    pay_syrian: float,
    pay_foreign: float,
    harm_total: float,
    census_: np.ndarray,
    foreign_civilians: int,
    s: float,
    presence: float,
    n: int,
    n_repented: int,
    n_arrivals: int,
    n_graduates: int,
    n_trying: int,
    n_killed: int,
    n_captured: int,
    pay_factor: float,
    training_days: float,
    capacity: float,
    revenue: float,
    territory: float,
    foreign_arrived: int,
) -> tuple[dict[str, float], int]:
    """The monthly row as the step built it before: Python arithmetic into a dict (the values
    then stored as float64), and the Syrian members."""
    census = census_.tolist()
    by_origin, m_motive = counts[0].tolist(), counts[1].tolist()
    n_u18, n_u25, n_lead, n_lead_fi, max_unit_u18 = counts[2:]
    n_syrian, n_iraqi = sum(by_origin[: SYRIAN_MAX + 1]), by_origin[IRAQI]
    n_foreign = sum(by_origin[FOREIGN_MIN:])
    lead_fi = n_lead_fi / n_lead if n_lead else 0.0
    civilians_local = float(census[Status.CIVILIAN] - foreign_civilians)
    under_rule = civilians_local * s * min(1.0, presence)
    # harm per member and per 1,000 civilians under rule, as the plain Python had them
    harm_member = harm_civ = 0.0
    if n != 0:
        harm_civ = float(harm_total * s / under_rule * 1000.0) if under_rule > 0 else 0.0
        harm_member = float(harm_total / n)
    row: dict[str, float] = {
        "civilians": civilians_local * s,
        "trainees": census[Status.TRAINING] * s,
        "members": n * s,
        "members_syrian": n_syrian * s,
        "members_iraqi": n_iraqi * s,
        "members_foreign": n_foreign * s,
        "members_under18": n_u18 * s,
        "members_18_24": (n_u25 - n_u18) * s,
        "members_25_plus": (n - n_u25) * s,
    }
    for m in Motive:
        if m != Motive.NONE:
            row[f"members_{m.name.lower()}"] = m_motive[m] * s
    row |= {
        "deserted": census[Status.DESERTED] * s,
        "defected": census[Status.DEFECTED] * s,
        "under18_share": n_u18 / n if n else 0.0,
        "max_unit_under18_share": max_unit_u18,
        "leaders_foreign_or_iraqi_share": lead_fi,
    }
    j, d = flows[0].tolist(), flows[1].tolist()
    n_gone, n_rival, n_gone_syrian, n_caught, n_executed, killed_syrian, killed_foreign = flows[2:]
    j[Motive.COERCION] += n_repented
    for m in Motive:
        if m != Motive.NONE:
            row[f"joins_{m.name.lower()}"] = j[m] * s
    row["joins_foreign"] = n_arrivals * s
    row["graduated"] = n_graduates * s
    for dr in Driver:
        if dr != Driver.NONE:
            row[f"exits_{dr.name.lower()}"] = d[dr] * s
    row |= {
        "exits_abroad": (n_gone - n_rival) * s,
        "exits_to_rival": n_rival * s,
        "exits_syrian": n_gone_syrian * s,
        "attempts": n_trying * s,
        "caught": n_caught * s,
        "executed": n_executed * s,
        "killed": n_killed * s,
        "killed_syrian": killed_syrian * s,
        "killed_foreign": killed_foreign * s,
        "pay_syrian_usd": pay_syrian,
        "pay_foreign_usd": pay_foreign,
        "pay_factor": pay_factor,
        "training_days": training_days,
        "governance_capacity": capacity,
        "revenue_usd": revenue,
        "captured": n_captured * s,
        "captives": census[Status.CAPTURED] * s,
        "civilian_harm": harm_civ,
        "harm_per_member": harm_member,
        "territory_km2": territory,
        "foreign_cumulative": foreign_arrived * s,
    }
    return row, n_syrian


@pytest.mark.parametrize(
    ("overrides", "size"),
    [
        ((), 20_000),
        # few people, a few initial members, every captive repenting: months without members
        (("organization.amnesty.accept=1", "population.initial_members=50"), 3_000),
    ],
)
def test_row_values_equal_the_dict_the_row_was_month_by_month(
    monkeypatch: pytest.MonkeyPatch, overrides: tuple[str, ...], size: int
) -> None:
    """The compiled row against the Python arithmetic it replaced: the same columns, in the
    same order, and the same float64 values bit for bit (NaN included), every month."""
    fused = simulation.row_values
    seen: list[float] = []

    def both(*args: object) -> object:
        values, n_syrian = fused(*args)
        kept = args[:6] + args[9:]  # the codes, motives and drivers are the plain form's own
        row, want_syrian = plain_row(*kept)  # type: ignore[arg-type]
        assert tuple(row) == simulation.ROW_COLUMNS
        want = np.array(list(row.values()), np.float64)
        assert values.dtype == np.float64 and values.tobytes() == want.tobytes()
        assert n_syrian == want_syrian
        seen.append(float(values[2]))
        return values, n_syrian

    monkeypatch.setattr(simulation, "row_values", both)
    sim = Simulation(small(*overrides, size=size, end="2016-12"), 3)
    sim.run()
    assert len(seen) == len(sim.calendar)
    assert max(seen) > 0  # months with members
