"""Speed-ups that must not change a single draw: each fast path against the plain one."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allegiance import Simulation
from allegiance.mechanisms import capture, combat, foreign, harm, joining, leaving, pay, ties
from allegiance.people import (
    FIXED,
    FOREIGN_MIN,
    People,
    Status,
    fixed_traits,
    join_records,
    keep_members,
    merge_members,
    take,
    trait,
)
from allegiance.rng import stream
from allegiance.simulation import Roster
from allegiance.synthesize import CHUNK, synthesize
from helpers import small
from whole_build import synthesize as synthesize_whole


def test_joining_bound_is_tight_enough_to_skip_most_people() -> None:
    sim = Simulation(small(size=5_000), 1)
    month = sim.calendar[12]
    v = joining.parameters(month, 1.0)
    econ = joining.economic_table(v, joining.best_alternative(month))
    bound = joining.join_bound(v, econ, *joining.trait_tables(v), np.ones(3, np.float32))
    assert 0 < bound < 0.1


def test_joining_bound_gives_up_where_it_cannot_be_trusted() -> None:
    sim = Simulation(small(size=5_000), 1)
    v = joining.parameters(sim.calendar[0], 1.0)
    tables = joining.trait_tables(v)
    econ = np.ones(4)
    v[joining.PRESENCE] = 0.0
    assert joining.join_bound(v, econ, *tables, np.ones(3, np.float32)) == 2.0
    v[joining.PRESENCE] = 1.0
    assert joining.join_bound(v, econ, *tables, np.full(3, np.inf, np.float32)) == 2.0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    size=st.integers(2_000, 10_000),
    accept=st.floats(0.0, 1.0),
    surrenders=st.floats(0.0, 0.05),
)
def test_kept_roster_equals_a_fresh_scan_every_month(
    seed: int, size: int, accept: float, surrenders: float
) -> None:
    sim = Simulation(
        small(
            f"organization.amnesty.accept={accept}",
            f"organization.amnesty.surrenders={surrenders}",
            size=size,
            end="2016-12",
            drop=("surrenders",),
        ),
        seed,
    )
    moved = 0
    while not sim.done:
        sim.step()
        kept, fresh = sim.roster, Roster.scan(sim.people, sim.first_foreign)
        np.testing.assert_array_equal(kept.members, fresh.members)
        np.testing.assert_array_equal(kept.trainees, fresh.trainees)
        np.testing.assert_array_equal(kept.census, fresh.census)
        np.testing.assert_array_equal(kept.captives, fresh.captives)
        assert kept.fixed.dtype == fresh.fixed.dtype
        np.testing.assert_array_equal(kept.fixed, fresh.fixed)
        assert kept.foreign_civilians == fresh.foreign_civilians
        moved += int(fresh.census[1:].sum())
    assert moved > 0


@pytest.mark.parametrize(
    ("size", "seed", "overrides"),
    [
        (CHUNK * 3 + 17, 1, ()),  # several slices and a ragged last one
        (CHUNK - 1, 2, ("population.foreign_share=0",)),
        (1_000, 3, ("population.circle_size=1",)),
    ],
)
def test_sliced_build_draws_exactly_the_people_of_one_call_per_trait(
    size: int, seed: int, overrides: tuple[str, ...]
) -> None:
    sc = small(*overrides, size=size)
    a = synthesize(sc, stream(seed, "synthesize"))
    b = synthesize_whole(sc, stream(seed, "synthesize"))
    for name in People.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        np.testing.assert_array_equal(x, y, err_msg=name)


def _economic_table_every_household(v: np.ndarray, best_alt: np.ndarray) -> np.ndarray:
    """The economic table as computed before pay classes: the offer of every household."""
    w, c, p, d, s = np.meshgrid(
        np.arange(joining._W),
        np.arange(joining._C),
        np.arange(joining._P),
        np.arange(joining._D),
        np.arange(2),
        indexing="ij",
    )
    need = (1.0 + w + c + p + d) * v[joining.NEED_PP]
    shortfall = np.maximum(0.0, 1.0 - v[joining.OUTSIDE] / need)
    offer = joining.offer_usd(v, w, c, p, d, s.astype(bool))
    lam = v[joining.ECON_A] * np.exp(
        v[joining.ECON_E1] * shortfall + v[joining.PROTECT] * np.minimum(d, 6)
    )
    ratio = offer.ravel()[None, :] / best_alt[:, None]
    return (lam.ravel()[None, :] * ratio ** v[joining.ECON_E2]).ravel().astype(np.float64)


@settings(max_examples=40, deadline=None)
@given(
    month=st.integers(0, 47),
    pay_factor=st.floats(0.05, 1.0),
    effect2=st.sampled_from([0.0, 0.5, 1.0, 2.0]) | st.floats(-3.0, 3.0),
    wife=st.floats(0.0, 200.0),
    skill=st.floats(1.0, 3.0),
)
def test_economic_table_by_pay_class_equals_every_household(
    month: int, pay_factor: float, effect2: float, wife: float, skill: float
) -> None:
    sim = _reference_small()
    v = joining.parameters(sim.calendar[month], pay_factor)
    v[joining.ECON_E2], v[joining.WIFE], v[joining.SKILL] = effect2, wife, skill
    best = joining.best_alternative(sim.calendar[month])
    fast, plain = joining.economic_table(v, best), _economic_table_every_household(v, best)
    assert fast.dtype == plain.dtype
    np.testing.assert_array_equal(fast, plain)


_SIM: list[Simulation] = []


def _reference_small() -> Simulation:
    if not _SIM:
        _SIM.append(Simulation(small(size=2_000, end="2017-05"), 1))
    return _SIM[0]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_left=st.integers(0, 60),
    n_executed=st.integers(0, 60),
    memory=st.floats(0.0, 1.0),
)
def test_sparse_ties_equal_the_dense_per_circle_counts(
    seed: int, n_left: int, n_executed: int, memory: float
) -> None:
    sim = _reference_small()
    p, n = sim.people, sim.n_circles
    rng = np.random.default_rng(seed)
    left, executed = (np.sort(rng.choice(p.size, k, replace=False)) for k in (n_left, n_executed))
    members = np.sort(rng.choice(p.size, 300, replace=False))
    recent = rng.random(n).astype(np.float32)
    dense = recent * np.float32(memory)
    dense += np.bincount(p.circle[left], minlength=n).astype(np.float32)
    dense += np.bincount(p.circle[executed], minlength=n).astype(np.float32)
    np.testing.assert_array_equal(ties.update(recent.copy(), p, left, executed, memory), dense)
    before = rng.random(p.size).astype(np.float32)
    shock = np.bincount(p.circle[executed], minlength=n).astype(np.float32)
    expected = before.copy()
    expected[members] += 0.3 * shock[p.circle[members]] + 0.01 * 0.7
    p_disillusion = p.disillusion
    try:
        p.disillusion = before
        ties.disillusion(p, members, executed, 0.3, 0.7, 0.01, n)
        np.testing.assert_array_equal(p.disillusion, expected)
    finally:
        p.disillusion = p_disillusion


def test_circle_pull_equals_the_dense_share_inside() -> None:
    sim = _reference_small()
    members = sim.roster.members
    dense = (
        np.bincount(sim.people.circle[members], minlength=sim.n_circles).astype(np.float32)
        / sim.circle_size
    )
    hot, share = joining.circle_pull(sim.people, members, sim.circle_size)
    np.testing.assert_array_equal(hot, np.flatnonzero(dense))
    np.testing.assert_array_equal(share, dense[hot])
    # members in any order (the sorted runs do not apply): the same circles and shares
    shuffled = np.random.default_rng(0).permutation(members)
    again = joining.circle_pull(sim.people, shuffled, sim.circle_size)
    for x, y in zip(again, (hot, share), strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


@settings(deadline=None)  # the first example may build the shared small run
@given(seed=st.integers(0, 2**31 - 1), split=st.integers(0, 400))
def test_pay_of_a_merged_member_list_equals_pay_computed_over_it(seed: int, split: int) -> None:
    sim = _reference_small()
    p, policy = sim.people, sim.calendar[0].policy.organization.pay
    idx = np.random.default_rng(seed).choice(p.size, 400, replace=False)
    first, second = np.sort(idx[:split]), np.sort(idx[split:])
    merged = np.concatenate([first, second])
    order = np.argsort(merged, kind="stable")
    joined = np.concatenate(
        [pay.schedule_usd(p, first, policy), pay.schedule_usd(p, second, policy)]
    )
    np.testing.assert_array_equal(joined[order], pay.schedule_usd(p, merged[order], policy))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(0, 500))
def test_fixed_records_equal_the_traits_read_from_the_population(seed: int, k: int) -> None:
    p = _reference_small().people
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(p.size, k, replace=False))
    fixed = fixed_traits(p, idx)
    for name in FIXED.names:
        got = trait(p, idx, fixed, name)
        assert got.dtype == getattr(p, name).dtype
        np.testing.assert_array_equal(got, trait(p, idx, None, name))
    pick = rng.random(k) < 0.7
    order = rng.permutation(k)
    np.testing.assert_array_equal(take(fixed, pick), fixed[pick])
    np.testing.assert_array_equal(take(fixed, order), fixed[order])
    np.testing.assert_array_equal(
        join_records(fixed, fixed[:3]), np.concatenate([fixed, fixed[:3]])
    )


def test_member_mechanisms_read_the_same_from_fixed_records() -> None:
    sim = Simulation(small(size=20_000, end="2016-06"), 3)
    for _ in range(20):
        sim.step()
    p, members, fixed = sim.people, sim.roster.members, sim.roster.fixed
    month = sim.calendar[sim.t]
    pol, env = month.policy, month.env
    org = pol.organization
    np.testing.assert_array_equal(
        pay.schedule_usd(p, members, org.pay, fixed), pay.schedule_usd(p, members, org.pay)
    )
    ctx = leaving.Context(
        pay.schedule_usd(p, members, org.pay), 0.5, sim.org.friends_left, 0.1, sim.t
    )
    np.testing.assert_array_equal(
        leaving.hazards(p, members, pol, env, ctx, fixed),
        leaving.hazards(p, members, pol, env, ctx),
    )
    np.testing.assert_array_equal(
        harm.indiscipline(p, members, pol, sim.t, fixed), harm.indiscipline(p, members, pol, sim.t)
    )
    for a, b in zip(
        joining.circle_pull(p, members, sim.circle_size, fixed),
        joining.circle_pull(p, members, sim.circle_size),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    draws = [
        combat.deaths(p, members, pol, 1.0, sim.t, np.random.default_rng(1), f)
        for f in (fixed, None)
    ]
    np.testing.assert_array_equal(*draws)


@settings(max_examples=40, deadline=None)
@given(
    month=st.integers(0, 47),
    pay_factor=st.floats(0.05, 1.0),
    effect2=st.sampled_from([0.0, 0.5, 1.0, 2.0]) | st.floats(-3.0, 3.0),
    effect1=st.floats(0.0, 8.0),
    protect=st.floats(0.0, 1.0),
    need_pp=st.floats(5.0, 80.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_economic_factors_give_the_table_entry_by_entry(
    month: int,
    pay_factor: float,
    effect2: float,
    effect1: float,
    protect: float,
    need_pp: float,
    seed: int,
) -> None:
    sim = _reference_small()
    v = joining.parameters(sim.calendar[month], pay_factor)
    v[joining.ECON_E2], v[joining.ECON_E1] = effect2, effect1
    v[joining.PROTECT], v[joining.NEED_PP] = protect, need_pp
    best = joining.best_alternative(sim.calendar[month])
    table = _economic_table_every_household(v, best)
    econ = joining.economic(v, best)
    assert econ.top == table.max()
    some = np.random.default_rng(seed).choice(table.size, 300, replace=False)
    got = [
        joining._econ_of(int(h), econ.need, econ.group, econ.offer, econ.pay_class) for h in some
    ]
    np.testing.assert_array_equal(np.array(got), table[some])


def _trait_tables_one_row_at_a_time(v: np.ndarray) -> tuple[np.ndarray, ...]:
    """The trait tables as computed before: the grid made afresh, revenge's rows one by one."""
    x = np.arange(joining.LEVELS) / (joining.LEVELS - 1)
    ideo = v[joining.IDEO_A] * np.exp(v[joining.IDEO_E] * (x - 0.5))
    rev = np.stack(
        [
            v[joining.REV_A] * np.exp(v[joining.REV_E] * (x - 1.0) + v[joining.REV_E2] * k)
            for k in (0, 1)
        ]
    )
    opp = v[joining.OPP_A] * np.exp(v[joining.OPP_E] * (0.5 - x))
    return ideo, rev, opp


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.floats(-50, 50, allow_nan=False), min_size=joining.N_PARAMS, max_size=joining.N_PARAMS
    )
)
def test_trait_tables_equal_the_tables_made_one_row_at_a_time(values: list[float]) -> None:
    v = np.array(values)
    for got, want in zip(joining.trait_tables(v), _trait_tables_one_row_at_a_time(v), strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), month=st.integers(0, 60), min_age=st.integers(0, 30))
def test_foreign_pool_equals_the_numpy_selection(seed: int, month: int, min_age: int) -> None:
    sim = _reference_small()
    p = sim.people
    rng = np.random.default_rng(seed)
    status = rng.integers(0, 3, p.size).astype(np.uint8)  # civilians among others
    first = sim.first_foreign
    plain = np.flatnonzero(status[first:] == Status.CIVILIAN) + first
    plain = plain[(p.origin[plain] >= FOREIGN_MIN) & (p.age_years(month, plain) >= min_age)]
    got = foreign._pool(status, p.origin, p.birth, first, month, min_age)
    assert got.dtype == plain.dtype
    np.testing.assert_array_equal(got, plain)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), rate=st.floats(0.0, 3.0), presence=st.floats(0.0, 1.5))
def test_compiled_surrender_draws_as_the_numpy_pool(
    seed: int, rate: float, presence: float
) -> None:
    sim = _reference_small()
    rng = np.random.default_rng(seed)
    status = rng.integers(0, 3, sim.people.size).astype(np.uint8)
    fighters = np.sort(rng.choice(sim.people.size, 300, replace=False))
    want_status, got_status = status.copy(), status.copy()
    # the plain form: the pool of civilian fighters, one uniform each
    plain_rng, fast_rng = stream(seed, "capture"), stream(seed, "capture")
    pool = fighters[want_status[fighters] == Status.CIVILIAN]
    want = pool[plain_rng.random(pool.size) < -np.expm1(-rate * presence)]
    want_status[want] = Status.CAPTURED
    people = copy.copy(sim.people)
    people.status = got_status
    got = capture.surrender(people, fighters, rate, presence, fast_rng)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got_status, want_status)
    assert plain_rng.random() == fast_rng.random()  # the same number of draws taken


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_hot=st.integers(0, 50), cold=st.floats(0.0, 1.0))
def test_joining_segments_equal_the_concatenated_arrays(seed: int, n_hot: int, cold: float) -> None:
    rng = np.random.default_rng(seed)
    circle_start = np.concatenate([[0], np.cumsum(rng.integers(1, 12, 80))])
    hot = np.sort(rng.choice(80, size=n_hot, replace=False)).astype(np.int64)
    hot_pull = np.exp(rng.random(n_hot) * 3).astype(np.float32)
    n = int(circle_start[-1])
    want = (
        np.concatenate([[0], circle_start[hot]]),
        np.concatenate([[n], circle_start[hot + 1]]),
        np.concatenate([[cold], cold * hot_pull.astype(np.float64)]),
        np.concatenate([[joining.COLD], np.arange(hot.size)]),
    )
    for got, plain in zip(
        joining._segments(circle_start, hot, hot_pull, cold, n), want, strict=True
    ):
        assert got.dtype == plain.dtype
        np.testing.assert_array_equal(got, plain)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(0, 300), k=st.integers(0, 60))
def test_merged_and_kept_members_equal_the_sorted_and_masked_lists(
    seed: int, n: int, k: int
) -> None:
    sim = _reference_small()
    p = sim.people
    rng = np.random.default_rng(seed)
    both = rng.choice(p.size, size=min(n + k, p.size), replace=False)
    members, new = np.sort(both[:n]), np.sort(both[n:])
    fixed, new_fixed = fixed_traits(p, members), fixed_traits(p, new)
    pay, new_pay = (
        rng.random(members.size).astype(np.float32),
        rng.random(new.size).astype(np.float32),
    )
    # the plain form: one after the other, a stable sort, the records and pay gathered by it
    merged = np.concatenate([members, new])
    order = np.argsort(merged, kind="stable")
    want = (
        merged[order],
        take(join_records(fixed, new_fixed), order),
        np.concatenate([pay, new_pay])[order],
    )
    got = merge_members(members, fixed, pay, new, new_fixed, new_pay)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    status = rng.integers(0, 3, p.size).astype(np.uint8)
    kept = status[got[0]] == Status.MEMBER
    want = (got[0][kept], take(got[1], kept), got[2][kept])
    for g, w in zip(keep_members(*got, status, int(Status.MEMBER)), want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
