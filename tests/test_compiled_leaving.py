"""The compiled leaving, enforcement and pay mechanisms against their plain NumPy bodies.

The functions below named ``plain_*`` are the NumPy code the kernels replaced, kept verbatim as
the oracle: every result must be bit for bit the same (dtype, shape and bytes), the same draws
must be taken from each generator, and the same people must be marked in the population.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allegiance import Simulation
from allegiance.mechanisms import enforcement, leaving, pay
from allegiance.mechanisms.rivals import armed_pay
from allegiance.people import (
    FOREIGN_MIN,
    IRAQI,
    SYRIAN_MAX,
    Affiliation,
    Driver,
    Motive,
    People,
    Posting,
    Role,
    Route,
    Status,
    fixed_traits,
    trait,
    years,
)
from allegiance.scenario import Enforcement, Pay, Scenario
from allegiance.world import Env, calendar
from helpers import small

# ---------------------------------------------------------------- the plain bodies (the oracle)

_ECONOMIC = int(Motive.ECONOMIC)
_REVENGE = int(Motive.REVENGE)
_COERCION = int(Motive.COERCION)
_HOME = int(Posting.HOME)
_LEADER = int(Role.LEADER)
_LOSING = int(Driver.LOSING)
_FAMILY = int(Driver.FAMILY)
_FSA = int(Affiliation.FSA)
_TURKEY = int(Route.TURKEY)
_JORDAN = int(Route.JORDAN)
_RIVAL = int(Route.RIVAL)
N_DRIVERS = len(Driver) - 1


def plain_schedule_usd(
    people: People, idx: np.ndarray, pay: Pay, fixed: np.ndarray | None = None
) -> np.ndarray:
    cash = (
        pay.base
        + pay.per_wife * trait(people, idx, fixed, "wives")
        + pay.per_parent * trait(people, idx, fixed, "parents")
        + pay.per_child * trait(people, idx, fixed, "children")
        + pay.per_dependant * trait(people, idx, fixed, "dependants")
    ).astype(np.float32)
    origin = trait(people, idx, fixed, "origin")
    cash = np.where(origin >= FOREIGN_MIN, cash * pay.foreign_premium, cash)
    skilled = trait(people, idx, fixed, "skilled")
    return np.where(skilled, cash * pay.skill_premium, cash).astype(np.float32)


def plain_need_usd(
    people: People,
    idx: np.ndarray,
    food_cost_usd: float,
    food_price_index: float,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    size = (
        1.0
        + trait(people, idx, fixed, "wives")
        + trait(people, idx, fixed, "children")
        + trait(people, idx, fixed, "parents")
        + trait(people, idx, fixed, "dependants")
    )
    return (size * (food_cost_usd * food_price_index)).astype(np.float32)


def plain_shortfall(pay_usd: np.ndarray, in_kind_usd: float, need: np.ndarray) -> np.ndarray:
    gap = 1.0 - (pay_usd + in_kind_usd) / need
    return np.minimum(np.maximum(gap, 0.0), 1.0).astype(np.float32)


def plain_hazards(
    people: People,
    members: np.ndarray,
    policy: Scenario,
    env: Env,
    ctx: leaving.Context,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    lv = policy.leaving
    pay = policy.organization.pay
    ideo = trait(people, members, fixed, "ideology")
    motive = people.motive[members]
    origin = trait(people, members, fixed, "origin")
    syrian = origin <= SYRIAN_MAX
    lam = np.empty((N_DRIVERS, members.size), dtype=np.float32)
    lam[0] = lv.losing.base * np.exp(lv.losing.effect * env.decline)
    lam[1] = lv.authoritarianism.base * np.exp(
        lv.authoritarianism.effect * people.disillusion[members]
    )
    favour = (pay.foreign_premium - 1.0) * ctx.foreign_leader_share
    lam[2] = (
        syrian
        * lv.favoritism.base
        * np.exp(lv.favoritism.effect * favour + lv.favoritism.effect2 * people.high_risk[members])
    )
    need = plain_need_usd(people, members, env.food_cost_usd, env.food_price_index, fixed)
    gap = plain_shortfall(ctx.pay_usd, pay.in_kind_usd, need)
    lam[3] = lv.pay.base * np.exp(lv.pay.effect * gap + lv.economic_motive * (motive == _ECONOMIC))
    lam[4] = (
        people.ordered[members]
        * lv.redeployment.base
        * np.exp(
            lv.redeployment.effect * trait(people, members, fixed, "grievance")
            + lv.revenge_motive * (motive == _REVENGE)
        )
    )
    lam[5] = (motive == _COERCION) * lv.coercion.base * np.exp(lv.coercion.effect * (1.0 - ideo))
    at_home = people.posting[members] == _HOME
    under18 = years(ctx.month, trait(people, members, fixed, "birth")) < 18
    lam[6] = lv.family.base * (under18 & at_home)
    scale = np.exp(
        -lv.commitment * ideo
        + lv.friends * np.minimum(ctx.friends_left[trait(people, members, fixed, "circle")], 2.0)
        - policy.organization.enforcement.fear * ctx.perceived_risk
        + lv.welcome_pull * env.exit_welcome
    )
    scale = np.where(people.role[members] == _LEADER, scale * lv.leader_factor, scale)
    scale = np.where(origin >= FOREIGN_MIN, scale * lv.foreign_factor, scale)
    return (lam * scale).astype(np.float32)


def plain_attempts(
    lam: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    total = lam.sum(axis=0)
    trying = np.flatnonzero(rng.random(total.size) < -np.expm1(-total))
    cum = np.cumsum(lam[:, trying], axis=0)
    pick = rng.random(trying.size) * cum[-1]
    driver = np.minimum((pick[None, :] >= cum).sum(axis=0), N_DRIVERS - 1) + _LOSING
    # the chances as step() computed them for enforcement's expected attempts
    return trying, driver.astype(np.uint8), -np.expm1(-lam.sum(axis=0))


def plain_routes(
    people: People,
    idx: np.ndarray,
    driver: np.ndarray,
    policy: Scenario,
    env: Env,
    rng: np.random.Generator,
) -> np.ndarray:
    lv = policy.leaving
    regime_enemy = (people.motive[idx] == _REVENGE) | (people.affiliation[idx] == _FSA)
    odds = lv.rival_base / (1.0 - lv.rival_base + 1e-9)
    best = armed_pay(env, policy.population)
    home = np.minimum(people.origin[idx], IRAQI)
    pay = np.where(best[home] > 0, best[home], env.fsa_pay_usd)
    odds = odds * np.sqrt(np.maximum(pay, 1.0) / 36.0)
    odds = np.where(regime_enemy, odds * lv.rival_regime_enemy, odds)
    odds = np.where(driver == _LOSING, odds * lv.rival_losing, odds)
    odds = np.where(people.origin[idx] >= FOREIGN_MIN, odds * lv.rival_foreign, odds)
    odds = odds * np.exp(-lv.welcome_route * env.exit_welcome)
    odds = np.where(driver == _FAMILY, 0.0, odds)
    p_rival = odds / (1.0 + odds)
    u = rng.random(idx.size)
    route = np.where(u < p_rival, _RIVAL, _TURKEY).astype(np.uint8)
    jordan = (route == _TURKEY) & (rng.random(idx.size) < lv.jordan_share)
    route[jordan] = _JORDAN
    return route


def plain_catch_probability(
    location: np.ndarray,
    member_location: np.ndarray,
    route: np.ndarray,
    policy: Enforcement,
    border_openness: float,
    n_locations: int,
    expected: np.ndarray | None = None,
) -> np.ndarray:
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


def plain_fates(
    people: People,
    idx: np.ndarray,
    p_caught: np.ndarray,
    policy: Enforcement,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    caught = rng.random(idx.size) < p_caught
    executed = caught & (rng.random(idx.size) < policy.execute_share)
    punished = idx[caught & ~executed]
    people.suspicion[punished] = 1.0
    people.high_risk[punished] = True
    return ~caught, executed


# ---------------------------------------------------------------- comparing


def same(got: Any, want: Any) -> None:
    """Bit for bit: the same dtype, shape and bytes (a NaN's bits and a zero's sign included),
    element by element through tuples."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            same(g, w)
        return
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if not np.array_equal(got.view(np.uint8), want.view(np.uint8)):
        bad = np.flatnonzero((got != want) & ~(np.isnan(got) & np.isnan(want)))[:5]
        raise AssertionError(f"differ at {bad}: {got.flat[bad]} != {want.flat[bad]}")


def same_stream(got: np.random.Generator, want: np.random.Generator) -> None:
    """The generators advanced alike: equal states, and the next draws equal."""
    assert got.bit_generator.state == want.bit_generator.state
    np.testing.assert_array_equal(got.random(3), want.random(3))


# ---------------------------------------------------------------- random inputs

SEED = st.integers(0, 2**32 - 1)
SIZES = st.sampled_from([0, 1, 2, 3, 7, 8, 9, 31, 64, 257])


def make_people(rng: np.random.Generator, n: int, n_circles: int) -> People:
    """A population of ``n`` with every attribute random within its type (ages from children to
    old men, all codes, disillusion often past the usual range)."""

    def u8(hi: int) -> np.ndarray:
        return rng.integers(0, hi, n).astype(np.uint8)

    def f32(scale: float) -> np.ndarray:
        return (rng.random(n) * scale).astype(np.float32)

    def flag(p: float) -> np.ndarray:
        return rng.random(n) < p

    return People(
        origin=u8(11),
        birth=rng.integers(-900, 60, n).astype(np.int16),
        wives=u8(5),
        children=u8(12),
        parents=u8(3),
        dependants=u8(5),
        ideology=f32(1.0),
        grievance=f32(1.0),
        family_killed=flag(0.2),
        criminal=flag(0.1),
        affiliation=u8(3),
        skilled=flag(0.3),
        circle=rng.integers(0, n_circles, n).astype(np.int32),
        status=u8(8),
        motive=u8(6),
        role=u8(4),
        posting=u8(4),
        high_risk=flag(0.4),
        ordered=flag(0.3),
        disillusion=f32(rng.choice([1.0, 4.0, 40.0])),
        suspicion=f32(1.0),
        training_left=np.zeros(n, np.int16),
        training_days=np.zeros(n, np.int16),
        joined=np.zeros(n, np.int16),
        unit=rng.integers(0, 70, n).astype(np.int32),
    )


_BASE = small(size=5_000)
_MONTHS = calendar(_BASE)


def with_(model: Any, **changes: Any) -> Any:
    """A pydantic model with some fields replaced (tests only: no validation)."""
    return model.model_copy(update=changes)


def hazard(h: Any, rng: np.random.Generator, big: float) -> Any:
    """A driver's hazard with random base and effects (effects up to ``big``: overflows too)."""
    return with_(
        h,
        base=float(rng.choice([0.0, rng.random() * 0.3, 2.0])),
        effect=float((rng.random() - 0.3) * big),
        effect2=float((rng.random() - 0.3) * big),
    )


def make_policy(rng: np.random.Generator, big: float) -> Scenario:
    """A month's policy with every parameter the mechanisms read drawn at random."""
    pol = _MONTHS[int(rng.integers(len(_MONTHS)))].policy
    lv = pol.leaving
    drivers = (
        "losing",
        "authoritarianism",
        "favoritism",
        "pay",
        "redeployment",
        "coercion",
        "family",
    )
    lv = with_(
        lv,
        **{d: hazard(getattr(lv, d), rng, big) for d in drivers},
        commitment=float(rng.random() * 5),
        economic_motive=float(rng.random() * 3),
        revenge_motive=float(rng.random() * 3),
        foreign_factor=float(rng.random()),
        leader_factor=float(rng.random()),
        friends=float(rng.random() * 3),
        welcome_pull=float(rng.random() * 2),
        rival_base=float(rng.random()),
        rival_regime_enemy=float(rng.random() * 3),
        rival_losing=float(rng.random() * 3),
        rival_foreign=float(rng.random() * 2),
        welcome_route=float(rng.random() * 2),
        jordan_share=float(rng.random()),
    )
    org = pol.organization
    pay_pol = with_(
        org.pay,
        base=float(rng.random() * 100),
        per_wife=float(rng.random() * 60),
        per_parent=float(rng.random() * 60),
        per_child=float(rng.random() * 40),
        per_dependant=float(rng.random() * 40),
        foreign_premium=float(1 + rng.random() * 2),
        skill_premium=float(1 + rng.random()),
        in_kind_usd=float(rng.random() * 50),
    )
    enf = with_(
        org.enforcement,
        intensity=float(rng.random() * 3),
        k=float(rng.random() * 5),
        security_share=float(rng.random() * 0.2),
        execute_share=float(rng.random()),
        border=float(rng.random() * 3),
        fear=float(rng.random() * 5),
    )
    return with_(pol, leaving=lv, organization=with_(org, pay=pay_pol, enforcement=enf))


def make_env(rng: np.random.Generator) -> Env:
    env = _MONTHS[int(rng.integers(len(_MONTHS)))].env
    peak = env.territory_peak_km2
    return dataclasses.replace(
        env,
        territory_km2=float(peak * rng.random()),
        food_cost_usd=float(rng.choice([0.0, 20 + rng.random() * 40])),
        food_price_index=float(0.5 + rng.random() * 3),
        exit_welcome=float(rng.random()),
        fsa_pay_usd=float(rng.choice([0.0, 0.5, rng.random() * 200])),
        army_pay_usd=float(rng.random() * 200),
        nusra_pay_usd=float(rng.choice([0.0, rng.random() * 200])),
        border_openness=float(rng.random()),
    )


def make_case(
    seed: int, n: int, wide: bool, pay64: bool, big: float
) -> tuple[People, np.ndarray, Scenario, Env, leaving.Context, np.ndarray]:
    """A population, ``n`` members in order, a policy, an environment, a context and the
    members' records."""
    rng = np.random.default_rng(seed)
    n_circles = 40
    people = make_people(rng, 3 * n + 5, n_circles)
    members = np.sort(rng.choice(people.size, n, replace=False)).astype(np.int64)
    pol = make_policy(rng, big)
    env = make_env(rng)
    pay_usd = plain_schedule_usd(people, members, pol.organization.pay) * rng.random()
    pay_usd = pay_usd.astype(np.float64 if pay64 else np.float32)
    friends = (rng.random(n_circles) * 3).astype(np.float64 if wide else np.float32)
    ctx = leaving.Context(
        pay_usd, float(rng.random()), friends, float(rng.random()), int(rng.integers(0, 60))
    )
    return people, members, pol, env, ctx, fixed_traits(people, members)


CASE = {
    "seed": SEED,
    "n": SIZES,
    "wide": st.booleans(),
    "pay64": st.booleans(),
    "big": st.sampled_from([1.0, 8.0, 200.0]),
}
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- Hypothesis: function by function


@FAST
@given(**CASE)
def test_pay_equals_the_plain_numpy(seed: int, n: int, wide: bool, pay64: bool, big: float) -> None:
    people, members, pol, env, ctx, fixed = make_case(seed, n, wide, pay64, big)
    pp = pol.organization.pay
    for f in (fixed, None):
        same(pay.schedule_usd(people, members, pp, f), plain_schedule_usd(people, members, pp, f))
        need = pay.need_usd(people, members, env.food_cost_usd, env.food_price_index, f)
        same(need, plain_need_usd(people, members, env.food_cost_usd, env.food_price_index, f))
    for p in (ctx.pay_usd, ctx.pay_usd.astype(np.float64), ctx.pay_usd.astype(np.int64)):
        for q in (need, need.astype(np.float64)):
            with np.errstate(all="ignore"):  # a food cost of 0: need 0
                same(pay.shortfall(p, pp.in_kind_usd, q), plain_shortfall(p, pp.in_kind_usd, q))
        with np.errstate(all="ignore"):
            want = plain_shortfall(p, pp.in_kind_usd, need)
            got = pay.records_shortfall(
                fixed, p, pp.in_kind_usd, env.food_cost_usd, env.food_price_index
            )
        same(got, want)


@FAST
@given(**CASE)
def test_hazards_equal_the_plain_numpy(
    seed: int, n: int, wide: bool, pay64: bool, big: float
) -> None:
    people, members, pol, env, ctx, fixed = make_case(seed, n, wide, pay64, big)
    with np.errstate(all="ignore"):
        want = plain_hazards(people, members, pol, env, ctx, fixed)
        same(leaving.hazards(people, members, pol, env, ctx, fixed), want)
        same(leaving.hazards(people, members, pol, env, ctx), want)


@FAST
@given(**CASE, draw=SEED)
def test_attempts_and_routes_equal_the_plain_numpy(
    seed: int, n: int, wide: bool, pay64: bool, big: float, draw: int
) -> None:
    people, members, pol, env, ctx, fixed = make_case(seed, n, wide, pay64, big)
    with np.errstate(all="ignore"):
        lam = plain_hazards(people, members, pol, env, ctx, fixed)
    lam[:, ::3] *= 30.0  # more who try, so routes and drivers see many
    g, h = np.random.default_rng(draw), np.random.default_rng(draw)
    got = leaving.attempts(lam, g)
    same(got, plain_attempts(lam, h))
    same_stream(g, h)
    trying = members[got[0]]
    with np.errstate(all="ignore"):
        route = leaving.routes(people, trying, got[1], pol, env, g)
        same(route, plain_routes(people, trying, got[1], pol, env, h))
    same_stream(g, h)


@FAST
@given(**CASE, draw=SEED, counted=st.booleans())
def test_enforcement_equals_the_plain_numpy(
    seed: int, n: int, wide: bool, pay64: bool, big: float, draw: int, counted: bool
) -> None:
    people, members, pol, env, ctx, fixed = make_case(seed, n, wide, pay64, big)
    rng = np.random.default_rng(draw)
    enf = pol.organization.enforcement
    n_loc = 7
    where = rng.integers(0, n_loc, members.size)
    trying = np.flatnonzero(rng.random(members.size) < 0.5)
    route = rng.integers(1, 4, trying.size).astype(np.uint8)
    expected = None if counted else rng.random(n_loc) * rng.choice([0.5, 10.0])
    args = (where[trying], where, route, enf, env.border_openness, n_loc, expected)
    p_caught = enforcement.catch_probability(*args)
    same(p_caught, plain_catch_probability(*args))
    if expected is not None:  # counts of other dtypes too
        for other in (expected.astype(np.float32), np.rint(expected).astype(np.int64)):
            args = (*args[:-1], other)
            same(enforcement.catch_probability(*args), plain_catch_probability(*args))
    mine = dataclasses.replace(people, suspicion=people.suspicion.copy())
    mine.high_risk = people.high_risk.copy()
    g, h = np.random.default_rng(draw), np.random.default_rng(draw)
    idx = members[trying]
    same(enforcement.fates(mine, idx, p_caught, enf, g), plain_fates(people, idx, p_caught, enf, h))
    same(mine.suspicion, people.suspicion)
    same(mine.high_risk, people.high_risk)
    same_stream(g, h)


def test_locations_out_of_bounds_are_refused_as_numpy_does() -> None:
    members, route = np.zeros(10, np.int64), np.full(2, _RIVAL, np.uint8)
    pol = Enforcement()
    with pytest.raises(ValueError):
        enforcement.catch_probability(np.array([0, -1]), members, route, pol, 0.5, 7)
    with pytest.raises(ValueError):
        enforcement.catch_probability(np.array([0, 1]), members - 1, route, pol, 0.5, 7)
    with pytest.raises(IndexError):
        enforcement.catch_probability(np.array([0, 7]), members, route, pol, 0.5, 7, np.ones(7))


def test_the_enum_codes_of_the_mechanisms_tests_pass_through() -> None:
    """tests/test_mechanisms.py passes IntEnum routes (int64) and int64 locations."""
    members = np.zeros(1000, dtype=np.int64)
    for route in (Route.RIVAL, Route.TURKEY):
        args = (np.zeros(5, np.int64), members, np.full(5, route), Enforcement(), 0.3, 7)
        same(enforcement.catch_probability(*args), plain_catch_probability(*args))


# ---------------------------------------------------------------- real months


def shadowed(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, plain: Callable[..., Any]
) -> list[int]:
    """Make ``module.name`` run the plain body too, on copies of what it draws from and writes
    to, and check they agree; returns a list that counts the calls."""
    fast = getattr(module, name)
    calls: list[int] = []

    def both(*args: Any, **kwargs: Any) -> Any:
        twins = [copy.deepcopy(a) if isinstance(a, np.random.Generator) else a for a in args]
        people = next((a for a in args if isinstance(a, People)), None)
        if people is not None:  # the plain body writes to a copy of the arrays it may mark
            twin = dataclasses.replace(people, suspicion=people.suspicion.copy())
            twin.high_risk = people.high_risk.copy()
            twins = [twin if a is people else a for a in twins]
        want = plain(*twins, **kwargs)
        got = fast(*args, **kwargs)
        same(got, want)
        for a, b in zip(args, twins, strict=True):
            if isinstance(a, np.random.Generator):
                assert a.bit_generator.state == b.bit_generator.state
            if isinstance(a, People):
                same(a.suspicion, b.suspicion)
                same(a.high_risk, b.high_risk)
        calls.append(len(got[0]) if isinstance(got, tuple) else len(got))
        return got

    monkeypatch.setattr(module, name, both)
    return calls


@pytest.mark.parametrize(
    "overrides",
    [(), ("organization.enforcement.execute_share=0.3", "organization.pay.factor=0.5")],
)
def test_a_small_run_takes_the_plain_path_month_by_month(
    monkeypatch: pytest.MonkeyPatch, overrides: tuple[str, ...]
) -> None:
    # the hazards, attempts, routes, catch_probability and fates run inside schedule.fall,
    # leave and settle: tests/test_schedule.py checks those against these plain forms, month by
    # month
    counted = [shadowed(monkeypatch, pay, "schedule_usd", plain_schedule_usd)]
    sim = Simulation(small(*overrides, size=20_000, end="2016-12"), 7)
    sim.run()
    for calls in counted:
        assert len(calls) >= len(sim.calendar)  # every month went through the check
    assert sim.roster.members.size > 50  # the run had members to check


def plain_outcomes(
    status: np.ndarray,
    trying: np.ndarray,
    escaped: np.ndarray,
    executed: np.ndarray,
    route: np.ndarray,
    driver: np.ndarray,
) -> tuple:
    """The fates settled as step() did with NumPy masks before enforcement.outcomes."""
    spared = ~escaped & ~executed
    gone = trying[escaped]
    gone_route = route[escaped]
    rival = gone_route == int(Route.RIVAL)
    status[gone] = np.where(rival, int(Status.DEFECTED), int(Status.DESERTED))
    status[trying[executed]] = int(Status.EXECUTED)
    abroad = ~rival
    logged = (
        (trying[executed], driver[executed], route[executed]),
        (trying[spared], driver[spared], route[spared]),
        (gone[abroad], driver[escaped][abroad], gone_route[abroad]),
        (gone[~abroad], driver[escaped][~abroad], gone_route[~abroad]),
    )
    return spared, gone, logged


@settings(max_examples=100, deadline=None)
@given(seed=SEED, n=st.integers(0, 300), k=st.integers(0, 200))
def test_outcomes_equal_the_plain_numpy(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    size = max(n, 1) * 3
    trying = np.sort(rng.choice(size, size=min(k, size), replace=False)).astype(np.int64)
    caught = rng.random(trying.size) < 0.5
    executed = caught & (rng.random(trying.size) < 0.5)
    route = rng.integers(1, len(Route), trying.size).astype(np.uint8)
    driver = rng.integers(1, len(Driver), trying.size).astype(np.uint8)
    status = np.full(size, int(Status.MEMBER), np.uint8)
    people = SimpleNamespace(status=status)  # outcomes reads and writes only the status
    want_status = status.copy()
    want = plain_outcomes(want_status, trying, ~caught, executed, route, driver)
    got = enforcement.outcomes(people, trying, ~caught, executed, route, driver)  # type: ignore[arg-type]
    same(got[0], want[0])
    same(got[1], want[1])
    for g, w in zip(got[2], want[2], strict=True):
        same(g, w)
    same(people.status, want_status)
