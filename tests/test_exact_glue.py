"""The month's compiled glue against the plain NumPy it replaced: same values, bit for bit."""

from __future__ import annotations

import dataclasses
from functools import cache
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allegiance import Simulation
from allegiance.mechanisms import enforcement, foreign, joining, leaving, rivals
from allegiance.people import (
    FIXED,
    FOREIGN_MIN,
    IRAQI,
    SYRIAN_MAX,
    Motive,
    People,
    Role,
    Status,
    fixed_traits,
)
from allegiance.synthesize import home_units
from allegiance.world import calendar
from helpers import small

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ODD = (0.0, -0.0, -1.0, 1e-300, 1e300, np.inf, -np.inf, np.nan)
LEADER = int(Role.LEADER)


@pytest.fixture(scope="module")
def sim() -> Simulation:
    """A small run a year in: members, graduates and hot circles to read."""
    s = Simulation(small(size=20_000, end="2015-12"), 3)
    for _ in range(12):
        s.step()
    return s


@cache
def _sim_people() -> People:
    """People of a small run a few months in (Hypothesis tests copy them before writing)."""
    s = Simulation(small(size=20_000, end="2014-06"), 5)
    for _ in range(4):
        s.step()
    return s.people


# --- enforcement: locations and the expected number trying in each ---


@given(
    units=st.lists(st.integers(0, 7 * 40 - 1), max_size=300),
    per_province=st.integers(40, 40),
    data=st.data(),
)
@SETTINGS
def test_expected_attempts_equal_the_division_and_weighted_bincount(
    units: list[int], per_province: int, data: st.DataObject
) -> None:
    unit = np.array(units, np.int32)
    chance = np.array(
        data.draw(st.lists(st.floats(0, 1, width=32), min_size=unit.size, max_size=unit.size)),
        np.float32,
    )
    n_locations = 7
    where, expected = enforcement.expected_attempts(unit, per_province, chance, n_locations)
    plain_where = unit // per_province
    plain = np.bincount(plain_where, weights=chance, minlength=n_locations)
    np.testing.assert_array_equal(where, plain_where)
    # np.bincount of nothing is int64 zeros (catch_probability reads them as float64)
    plain = plain.astype(np.float64)
    assert expected.dtype == plain.dtype and expected.shape == plain.shape
    assert expected.tobytes() == plain.tobytes()


# --- leaving: how many lead and the share of them from abroad ---


@given(data=st.data())
@SETTINGS
def test_leaders_equal_the_masks(data: st.DataObject) -> None:
    n = data.draw(st.integers(0, 200))
    role = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), np.uint8)
    alive = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1)))) if n else [], np.int64)
    origin = np.array(
        data.draw(st.lists(st.integers(0, 20), min_size=alive.size, max_size=alive.size)),
        np.uint8,
    )
    is_leader = role[alive] == LEADER
    n_leaders = int(np.count_nonzero(is_leader))
    n_fi = np.count_nonzero(origin[is_leader] >= IRAQI)
    plain = n_fi / n_leaders if n_leaders else 0.0
    got_n, got = leaving.leaders(role, alive, origin, LEADER, IRAQI)
    assert got_n == n_leaders
    assert got == plain and type(got) is float


# --- people: a member's FIXED record gathered in one pass ---


def test_fixed_traits_equal_a_gather_per_field(sim: Simulation) -> None:
    p = sim.people
    rng = np.random.default_rng(0)
    for idx in (
        np.empty(0, np.int64),
        rng.choice(p.size, 500, replace=False),  # any order
        np.sort(rng.choice(p.size, 37, replace=False)),
        np.array([p.size - 1, 0, p.size - 1]),  # repeats
    ):
        plain = np.zeros(idx.size, FIXED)
        for name in FIXED.names:
            plain[name] = getattr(p, name)[idx]
        got = fixed_traits(p, idx)
        assert got.dtype == FIXED
        assert got.tobytes() == plain.tobytes()


# --- joining: the month's tables, economic factors, pulls and segments ---


def _plain_prepare(v, best_alt, share, hot, circle_start, n):  # noqa: ANN001, ANN202
    """The forty small NumPy calls prepare replaced, as join made them."""
    t_ideo, t_rev, t_opp = joining.trait_tables(v)
    econ = joining.economic(v, best_alt)
    hot_pull = np.exp(v[joining.FRIENDS] * share).astype(np.float32)
    one = np.ones(1, dtype=np.float32)
    bound = joining.join_bound(v, np.array([econ.top]), t_ideo, t_rev, t_opp, one)
    segments = joining._segments(circle_start, hot, hot_pull, bound, n)
    return t_ideo, t_rev, t_opp, econ, hot_pull, segments


def _same(a: np.ndarray, b: np.ndarray) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)  # NaN where NaN


@cache
def months() -> list:
    """The reference calendar's months (a function, not a fixture: Hypothesis prints its
    arguments when a case fails)."""
    return list(calendar(small(size=20_000)))


@given(
    data=st.data(),
    pick=st.integers(0, 29),
    changes=st.dictionaries(
        st.integers(0, joining.N_PARAMS - 1),
        st.one_of(st.sampled_from(ODD), st.floats(-40, 40)),
        max_size=4,
    ),
    pay_factor=st.sampled_from([0.0, 0.35, 1.0, 1.7]),
)
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_prepare_equals_the_plain_tables_bound_and_segments(
    data: st.DataObject, pick: int, changes: dict, pay_factor: float
) -> None:  # noqa: ANN001
    month = months()[pick % len(months())]
    v = joining.parameters(month, pay_factor)
    for k, x in changes.items():
        v[k] = x
    best_alt = joining.best_alternative(month).copy()
    if data.draw(st.booleans()):
        best_alt[data.draw(st.integers(0, best_alt.size - 1))] = data.draw(
            st.sampled_from([0.0, 1e-9, 1e9, np.inf])
        )
    n_circles = data.draw(st.integers(1, 40))
    sizes = data.draw(st.lists(st.integers(0, 30), min_size=n_circles, max_size=n_circles))
    circle_start = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    n = int(circle_start[-1])
    hot = np.array(
        sorted(data.draw(st.sets(st.integers(0, n_circles - 1), max_size=n_circles))), np.int64
    )
    share = np.array(
        data.draw(st.lists(st.floats(0, 1, width=32), min_size=hot.size, max_size=hot.size)),
        np.float32,
    )
    with np.errstate(all="ignore"):
        got = joining.prepare(v, best_alt, share, hot, circle_start, n)
        plain = _plain_prepare(v, best_alt, share, hot, circle_start, n)
    for a, b in zip(got[:3], plain[:3], strict=True):
        _same(a, b)
    e, pe = got[3], plain[3]
    for field in ("need", "group", "offer", "pay_class"):
        _same(getattr(e, field), getattr(pe, field))
    assert e.top == pe.top or (np.isnan(e.top) and np.isnan(pe.top))
    _same(got[4], plain[4])
    for a, b in zip(got[5], plain[5], strict=True):
        _same(a, b)


def test_joiners_come_in_index_order_with_their_motives() -> None:
    rng = np.random.default_rng(5)
    for n in (0, 1, 17, 500):
        idx = rng.choice(10_000, n, replace=False).astype(np.int64)
        motive = rng.integers(1, 7, n).astype(np.uint8)
        order = np.argsort(idx, kind="stable")
        got_idx, got_motive = joining._in_order(idx, motive)
        _same(got_idx, idx[order])
        _same(got_motive, motive[order])


# --- rivals: the best armed pay, asked twice a month ---


def test_armed_pay_answers_each_month_objects_afresh_and_is_read_only() -> None:
    def plain(env, population) -> np.ndarray:  # noqa: ANN001
        pay = {"fsa": env.fsa_pay_usd, "army": env.army_pay_usd, "nusra": env.nusra_pay_usd}
        best = [0.0] * (IRAQI + 1)
        for group, provinces in population.rival_reach.items():
            for name in provinces:
                k = rivals.LOCAL_ORIGINS.index(name)
                best[k] = max(best[k], pay[group])
        return np.array(best)

    seen = set()
    for month in months() + months()[::-1]:  # each month asked again after others
        population = month.policy.population
        # the month's env and one with other rival pay, each asked twice, in turn
        other = dataclasses.replace(month.env, fsa_pay_usd=3.0 * month.index + 1.0)
        for env in (month.env, month.env, other, other, month.env):
            got = rivals.armed_pay(env, population)
            _same(got, plain(env, population))
            assert not got.flags.writeable
            seen.add(got.tobytes())
    assert len(seen) > 2  # the pay moves: a stale answer would show


# --- synthesize: units for graduates ---


def _plain_home_units(people, idx, per_province, rng, month=0, camps=False, unit_size=None):  # noqa: ANN001, ANN202, PLR0913
    """The NumPy body home_units had."""
    province = people.origin[idx].astype(np.int32)
    far = province > IRAQI
    n_far = np.count_nonzero(far)
    if n_far:
        province[far] = rng.integers(0, IRAQI + 1, n_far)
    slot = rng.integers(0, per_province, idx.size)
    if camps:
        child = people.age_years(month, idx) < 18
        n_units = (IRAQI + 1) * per_province
        size = np.zeros(n_units) if unit_size is None else unit_size[:n_units]
        if size.size < n_units:
            size = np.pad(size, (0, n_units - size.size))
        smallest = size.reshape(IRAQI + 1, per_province).argmin(axis=1)
        slot[child] = smallest[province[child]]
    return (province * per_province + slot).astype(np.int32)


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    month=st.integers(-24, 60),
    camps=st.booleans(),
    sizes=st.sampled_from(["none", "short", "full"]),
    per_province=st.sampled_from([1, 3, 40]),
)
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_home_units_equal_the_numpy_body_and_take_the_same_draws(
    sim: Simulation, seed: int, n: int, month: int, camps: bool, sizes: str, per_province: int
) -> None:  # noqa: PLR0913
    p: People = sim.people
    pick = np.random.default_rng(seed)
    # foreigners sit at the end of the population: take some of both
    idx = np.sort(
        np.r_[pick.choice(p.size, n, replace=False), np.arange(p.size - min(n, 20), p.size)]
    )
    n_units = (IRAQI + 1) * per_province
    unit_size = {
        "none": None,
        "short": pick.integers(0, 9, n_units // 2 + 1),
        "full": pick.integers(0, 9, n_units + 5),
    }[sizes]
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    got = home_units(p, idx, per_province, a, month, camps, unit_size)
    plain = _plain_home_units(p, idx, per_province, b, month, camps, unit_size)
    _same(got, plain)
    assert a.random() == b.random()  # the stream is where the plain body left it


# --- simulation: the Syrian members counted by the row ---


def test_syrian_members_carried_by_the_row_equal_a_count_of_the_roster() -> None:
    s = Simulation(small(size=20_000, end="2015-06"), 4)
    seen = []
    while not s.done:
        count = int(np.count_nonzero(s.roster.fixed["origin"] <= SYRIAN_MAX))
        assert s.n_syrian == count
        seen.append(count)
        s.step()
    assert max(seen) > 0


# --- joining and foreign arrivals: entering training ---


def _copy(people: People) -> People:
    return dataclasses.replace(
        people, **{f.name: getattr(people, f.name).copy() for f in dataclasses.fields(people)}
    )


def _same_people(a: People, b: People) -> None:
    for f in dataclasses.fields(a):
        _same(getattr(a, f.name), getattr(b, f.name))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 200), pick=st.integers(0, 36))
@SETTINGS
def test_enlist_stores_what_the_numpy_stores_stored(seed: int, n: int, pick: int) -> None:
    p = _sim_people()
    month = months()[pick % len(months())]
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(p.size, n, replace=False))
    motive = rng.integers(1, len(Motive), n).astype(np.uint8)
    a, b = _copy(p), _copy(p)
    joining.enlist(a, idx, motive, month)
    if n:  # the NumPy body enlist had
        t = month.policy.organization.training
        b.status[idx] = Status.TRAINING
        b.motive[idx] = motive
        b.joined[idx] = month.index
        days = np.where(
            motive == Motive.COERCION,
            t.repentance_days + t.bootcamp_days,
            t.sharia_days + t.bootcamp_days,
        )
        b.training_left[idx] = days
        b.training_days[idx] = days
    _same_people(a, b)


def _plain_arrive(people, month, scale, first_foreign, rng):  # noqa: ANN001, ANN202
    """The NumPy body foreign.arrive had after choosing who comes."""
    want = foreign.stochastic_round(
        month.env.foreign_inflow * month.policy.joining.foreign_scale / scale, rng
    )
    if want <= 0:
        return np.empty(0, dtype=np.int64)
    min_age = month.policy.organization.children.min_age
    pool = foreign._pool(
        people.status, people.origin, people.birth, first_foreign, month.index, min_age
    )
    idx = np.sort(rng.choice(pool, size=min(want, pool.size), replace=False))
    t = month.policy.organization.training
    people.status[idx] = Status.TRAINING
    people.motive[idx] = np.where(people.ideology[idx] >= 0.4, Motive.IDEOLOGY, Motive.OPPORTUNISM)
    people.joined[idx] = month.index
    people.training_left[idx] = t.sharia_days + t.bootcamp_days
    people.training_days[idx] = t.sharia_days + t.bootcamp_days
    return idx


@given(seed=st.integers(0, 2**32 - 1), pick=st.integers(0, 36), scale=st.sampled_from([1, 5, 120]))
@SETTINGS
def test_arrivals_equal_the_numpy_body_and_take_the_same_draws(
    seed: int, pick: int, scale: float
) -> None:
    p = _sim_people()
    month = months()[pick % len(months())]
    first = int(np.searchsorted(p.origin, FOREIGN_MIN))
    a, b = _copy(p), _copy(p)
    # ideologies on the float32 neighbours of 0.4 among the foreigners
    near = np.float32(0.4)
    b.ideology[first::3] = a.ideology[first::3] = np.nextafter(near, np.float32(0))
    b.ideology[first + 1 :: 3] = a.ideology[first + 1 :: 3] = near
    ga, gb = np.random.default_rng(seed), np.random.default_rng(seed)
    got = foreign.arrive(a, month, scale, first, ga)
    plain = _plain_arrive(b, month, scale, first, gb)
    _same(got, plain)
    _same_people(a, b)
    assert ga.random() == gb.random()


@given(
    circles=st.lists(st.integers(0, 40), max_size=300),
    ordered=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=200, deadline=None)
def test_circle_pull_equals_numpys_unique(circles: list[int], ordered: bool, seed: int) -> None:
    c = np.array(sorted(circles) if ordered else circles, np.int32)
    size = np.random.default_rng(seed).integers(1, 60, 41).astype(np.float32)
    people = SimpleNamespace(circle=c)  # the members are everyone, in order
    got = joining.circle_pull(people, np.arange(c.size), size)  # type: ignore[arg-type]
    hit, inside = np.unique(c, return_counts=True)
    want = (hit.astype(np.int64), inside.astype(np.float32) / size[hit])
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.tobytes() == w.tobytes()
