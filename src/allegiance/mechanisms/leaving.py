"""Leaving: the seed's drivers as competing monthly hazards over members, and the exit route.

Rule (docs/ODD.md, 7.9): for member i and driver d, lambda_d = base_d * exp(beta_d . x_i), all
scaled by exp(-commitment*ideology) (true believers stay), a factor for foreigners (of those who
defected, 'A high percentage of them are Syrian'), exp(friends * friends who left or were
executed), the leaders' factor, and exp(-fear * perceived chance of being caught and executed)
(Epstein 2002: expected punishment deters), and exp(welcome_pull * exit_welcome) where
deserters reaching Turkey are offered amnesty and work (Sami's 'lucky few'). The chance of trying to leave is 1 - exp(-sum) and
the driver recorded (the one that tipped it) is drawn with probability lambda_d / sum.
Drivers and evidence:
- losing: 'They are growing weaker by the day'; x = share of peak territory lost.
- authoritarianism: 'ISIS is "extremely authoritarian, just like the regime"'; x = disillusion,
  which executions of friends and repression build up.
- favoritism: foreign fighters 'paid two or three times as much', 'rapidly promoted'; Syrians
  only; x = premium * share of leaders foreign or Iraqi, and high-risk duty.
- pay: 'he could no longer afford to feed his family as a result of pay cuts and rising food
  prices'; x = shortfall of pay against the household's food need; stronger for economic joiners.
- redeployment: Ammar fled 'soon after receiving news of his imminent transfer'; only those under
  an order; x = grievance against the regime; stronger for revenge joiners.
- coercion: 'I joined to stay alive and immediately started making plans to escape'; only the
  coerced; x = lack of ideology.
- family: Sami's mother, 'Realizing that her son had been brainwashed, she asked Sami's older
  brother to take him to Turkey'; only members under 18 posted at home; the route is abroad.
Routes: 'Some join moderate rebel groups, such as the Free Syrian Army (FSA), and others abandon
the conflict altogether by crossing the border into Turkey or Jordan'; one who left because ISIS
was losing 'fled to Turkey because he was afraid of reprisals if captured by the regime or a
rival armed group'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from .. import pcg
from ..pcg import draws as _draws
from ..pcg import random as _random
from ..people import (
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
    fixed_traits,
)
from ..prefetch import AHEAD as _AHEAD
from ..prefetch import prefetch as _prefetch
from ..scenario import Scenario
from ..world import Env
from .pay import records_shortfall
from .rivals import armed_pay

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
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
N_DRIVERS = len(Driver) - 1  # every driver but NONE


@dataclass(frozen=True)
class Context:
    """Organization-level signals that members read when weighing exit."""

    pay_usd: np.ndarray  # this month's cash pay of each member (aligned with members)
    foreign_leader_share: float
    friends_left: np.ndarray  # per circle, recent exits and executions of friends
    perceived_risk: float  # chance of being caught and executed, as members saw it last month
    month: int  # month index, for ages


# flag bits of a member, gathered by the first hazard kernel for the second
_SYRIAN, _ORDERED, _COERCED, _CHILD_AT_HOME, _IS_LEADER, _FOREIGN = 1, 2, 4, 8, 16, 32
_A32_AUTH, _A32_COERCION, _A32_SCALE = 0, 1, 2  # rows of the float32 exponents
_A64_FAVOUR, _A64_PAY, _A64_REDEPLOY, _A64_SCALE = 0, 1, 2, 3  # rows of the float64 exponents


# Why two kernels with NumPy's exp between them: the plain expression takes exp of seven arrays,
# some float32 and some float64, and NumPy's SIMD exp differs from libm's in the last bit for
# many values. So the first kernel computes every exponent in the dtype NumPy would (float32
# rows in one array, float64 rows in another), NumPy exponentiates each array once, and the
# second kernel multiplies the drivers out. The scale's exponent is float32 or float64 as the
# friends' counts are (``wide``), and sits in the matching array.
@njit(cache=True, error_model="numpy")
def _hazard_exponents(
    fixed: np.ndarray,
    members: np.ndarray,
    motive: np.ndarray,
    disillusion: np.ndarray,
    high_risk: np.ndarray,
    ordered: np.ndarray,
    posting: np.ndarray,
    role: np.ndarray,
    shortfall: np.ndarray,
    friends_left: np.ndarray,
    wide: bool,
    month: int,
    auth_effect: float,
    coercion_effect: float,
    favour_term: float,
    favour_effect2: float,
    pay_effect: float,
    economic_motive: float,
    redeploy_effect: float,
    revenge_motive: float,
    commitment: float,
    friends: float,
    fear_term: float,
    welcome_term: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exponents (float32 rows, float64 rows) and the flag bits of each member."""
    n = members.size
    a32 = np.empty((2 if wide else 3, n), np.float32)
    a64 = np.empty((4 if wide else 3, n), np.float64)
    flags = np.empty(n, np.uint8)
    auth32, coercion32 = np.float32(auth_effect), np.float32(coercion_effect)
    pay32, redeploy32 = np.float32(pay_effect), np.float32(redeploy_effect)
    commit32 = np.float32(-commitment)
    # Python floats against the friends' counts take their dtype
    kind = friends_left.dtype.type
    two, friends_t, fear_t, welcome_t = (
        kind(2.0),
        kind(friends),
        kind(fear_term),
        kind(welcome_term),
    )
    for i in range(n):
        if i + _AHEAD < n:
            # the member _AHEAD on: his six population reads, started now (a hint only)
            a = members[i + _AHEAD]
            _prefetch(motive, a)
            _prefetch(disillusion, a)
            _prefetch(high_risk, a)
            _prefetch(ordered, a)
            _prefetch(posting, a)
            _prefetch(role, a)
        r = fixed[i]
        m = members[i]
        ideo = r["ideology"]
        origin = r["origin"]
        mot = motive[m]
        a32[_A32_AUTH, i] = auth32 * disillusion[m]
        a32[_A32_COERCION, i] = coercion32 * (np.float32(1.0) - ideo)
        a64[_A64_FAVOUR, i] = favour_term + favour_effect2 * np.float64(high_risk[m])
        gap = shortfall[i]
        a64[_A64_PAY, i] = np.float64(pay32 * gap) + economic_motive * np.float64(mot == _ECONOMIC)
        a64[_A64_REDEPLOY, i] = np.float64(
            redeploy32 * r["grievance"]
        ) + revenge_motive * np.float64(mot == _REVENGE)
        left = friends_left[r["circle"]]
        if left > two:  # np.minimum: a NaN stays
            left = two
        scale = commit32 * ideo + friends_t * left - fear_t + welcome_t
        if wide:
            a64[_A64_SCALE, i] = scale
        else:
            a32[_A32_SCALE, i] = scale
        age = (month - np.int64(r["birth"])) // 12  # floor, as NumPy's int32 // 12
        f = (
            _SYRIAN * (origin <= SYRIAN_MAX)
            | _ORDERED * ordered[m]
            | _COERCED * (mot == _COERCION)
            | _CHILD_AT_HOME * ((age < 18) & (posting[m] == _HOME))
            | _IS_LEADER * (role[m] == _LEADER)
            | _FOREIGN * (origin >= FOREIGN_MIN)
        )
        flags[i] = f
    return a32, a64, flags


@njit(cache=True, error_model="numpy", inline="always")
def _bit(f: int, bit: int) -> float:
    """1.0 where flag ``bit`` is set, else 0.0: the bool array the plain expression multiplies
    by a Python float, as float64."""
    return np.float64((f & bit) != 0)


@njit(cache=True, error_model="numpy")
def _drive(
    lam: np.ndarray,
    e32: np.ndarray,
    e64: np.ndarray,
    scale_row: np.ndarray,
    flags: np.ndarray,
    losing: float,
    auth_base: float,
    favour_base: float,
    pay_base: float,
    redeploy_base: float,
    coercion_base: float,
    family_base: float,
    leader_factor: float,
    foreign_factor: float,
    one: float,
) -> None:
    """Fill ``lam``: each driver's row in the dtypes of the plain expression (a bool times a
    Python float is float64), rounded to float32, times the scale (a float32 hazard times a
    float64 scale is a float64 product, as in NumPy). The factors and ``one`` come in the
    scale's dtype; times one where a factor does not apply gives the same bits as no product.
    Row by row: filling a member's column across the (drivers, members) arrays at a time
    measured six times slower (1,000 members: 17 against 2.7 us)."""
    n = flags.size
    scale = np.empty(n, scale_row.dtype)
    for i in range(n):
        f = flags[i]
        x = scale_row[i] * (leader_factor if f & _IS_LEADER else one)
        scale[i] = x * (foreign_factor if f & _FOREIGN else one)
    losing32, auth32 = np.float32(losing), np.float32(auth_base)
    for i in range(n):
        lam[0, i] = np.float32(losing32 * scale[i])
    for i in range(n):
        lam[1, i] = np.float32(auth32 * e32[_A32_AUTH, i] * scale[i])
    for i in range(n):
        x = np.float32(_bit(flags[i], _SYRIAN) * favour_base * e64[_A64_FAVOUR, i])
        lam[2, i] = np.float32(x * scale[i])
    for i in range(n):
        lam[3, i] = np.float32(np.float32(pay_base * e64[_A64_PAY, i]) * scale[i])
    for i in range(n):
        x = np.float32(_bit(flags[i], _ORDERED) * redeploy_base * e64[_A64_REDEPLOY, i])
        lam[4, i] = np.float32(x * scale[i])
    for i in range(n):
        x = np.float32(_bit(flags[i], _COERCED) * coercion_base * np.float64(e32[_A32_COERCION, i]))
        lam[5, i] = np.float32(x * scale[i])
    for i in range(n):
        x = np.float32(family_base * _bit(flags[i], _CHILD_AT_HOME))
        lam[6, i] = np.float32(x * scale[i])


@njit(cache=True, error_model="numpy")
def _hazard_drivers(
    e32: np.ndarray,
    e64: np.ndarray,
    flags: np.ndarray,
    wide: bool,
    losing: float,
    auth_base: float,
    favour_base: float,
    pay_base: float,
    redeploy_base: float,
    coercion_base: float,
    family_base: float,
    leader_factor: float,
    foreign_factor: float,
) -> np.ndarray:
    """The hazards from the exponentiated rows (one version of the work for each dtype of the
    scale)."""
    lam = np.empty((N_DRIVERS, flags.size), np.float32)
    terms = (losing, auth_base, favour_base, pay_base, redeploy_base, coercion_base, family_base)
    if wide:
        _drive(lam, e32, e64, e64[_A64_SCALE], flags, *terms, leader_factor, foreign_factor, 1.0)
    else:
        leader32, foreign32 = np.float32(leader_factor), np.float32(foreign_factor)
        _drive(lam, e32, e64, e32[_A32_SCALE], flags, *terms, leader32, foreign32, np.float32(1.0))
    return lam


@njit(cache=True)
def leaders(role, alive, origin, leader, iraqi):  # noqa: ANN001, ANN201
    """How many of ``alive`` lead, and the share of them Iraqi or foreign (``origin``: theirs,
    aligned; 0.0 without leaders), in one compiled pass: the count over the count, as the mean
    of the mask."""
    n = n_fi = 0
    for i in range(alive.size):
        if i + _AHEAD < alive.size:
            _prefetch(role, alive[i + _AHEAD])
        if role[alive[i]] == leader:
            n += 1
            n_fi += origin[i] >= iraqi
    return n, n_fi / n if n else 0.0


def hazards(
    people: People,
    members: np.ndarray,
    policy: Scenario,
    env: Env,
    ctx: Context,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly hazard of each driver for each member: shape (7, len(members)), float32
    (``fixed``: the members' FIXED records, when the caller carries them)."""
    pay = policy.organization.pay
    records = fixed if fixed is not None else fixed_traits(people, members)
    friends_left, wide = friends_as_read(ctx.friends_left)
    shortfall = records_shortfall(
        records, ctx.pay_usd, pay.in_kind_usd, env.food_cost_usd, env.food_price_index
    )
    fav_effect, foreign_premium, *terms = exponent_terms(policy, env, ctx.perceived_risk)
    # the favouritism term as the plain expression computes it, in Python
    favour = fav_effect * ((foreign_premium - 1.0) * ctx.foreign_leader_share)
    a32, a64, flags = _hazard_exponents(
        records,
        members,
        people.motive,
        people.disillusion,
        people.high_risk,
        people.ordered,
        people.posting,
        people.role,
        shortfall,
        friends_left,
        wide,
        ctx.month,
        terms[0],
        terms[1],
        favour,
        *terms[2:],
    )
    return drivers_from(a32, a64, flags, wide, policy, env)


def friends_as_read(friends_left: np.ndarray) -> tuple[np.ndarray, bool]:
    """The friends' counts as the kernels read them (float32 or float64; another dtype as
    float64, as NumPy's minimum with 2.0 makes it) and whether they are float64."""
    if friends_left.dtype != np.float32 and friends_left.dtype != np.float64:
        friends_left = friends_left.astype(np.float64)
    return friends_left, friends_left.dtype == np.float64


def exponent_terms(policy: Scenario, env: Env, perceived_risk: float) -> tuple[float, ...]:
    """The month's terms of ``_hazard_exponents``: favouritism's effect and the foreign premium
    (the favouritism term needs the leaders' foreign share too), then the terms in the kernel's
    order from the authoritarianism effect on, without the favouritism term."""
    lv = policy.leaving
    return (
        lv.favoritism.effect,
        policy.organization.pay.foreign_premium,
        lv.authoritarianism.effect,
        lv.coercion.effect,
        lv.favoritism.effect2,
        lv.pay.effect,
        lv.economic_motive,
        lv.redeployment.effect,
        lv.revenge_motive,
        lv.commitment,
        lv.friends,
        policy.organization.enforcement.fear * perceived_risk,
        lv.welcome_pull * env.exit_welcome,
    )


def drivers_from(
    a32: np.ndarray, a64: np.ndarray, flags: np.ndarray, wide: bool, policy: Scenario, env: Env
) -> np.ndarray:
    """The hazards from ``_hazard_exponents``' rows and flags: NumPy's exp of each array, then
    the drivers multiplied out (shape (7, members), float32)."""
    np.exp(a32, out=a32)  # NumPy's exp, as in the plain expression (see _hazard_exponents)
    np.exp(a64, out=a64)
    return _hazard_drivers(a32, a64, flags, wide, *driver_terms(policy, env))


def driver_terms(policy: Scenario, env: Env) -> tuple[float, ...]:
    """The month's terms of ``_hazard_drivers`` after the rows, flags and ``wide``: the losing
    hazard (the exp of a Python float stays NumPy's), the drivers' bases, and the leader and
    foreign factors."""
    lv = policy.leaving
    return (
        lv.losing.base * np.exp(lv.losing.effect * env.decline),
        lv.authoritarianism.base,
        lv.favoritism.base,
        lv.pay.base,
        lv.redeployment.base,
        lv.coercion.base,
        lv.family.base,
        lv.leader_factor,
        lv.foreign_factor,
    )


@njit(cache=True, error_model="numpy")
def _minus_total(lam: np.ndarray) -> np.ndarray:
    """Minus each member's total hazard: the rows added one after another, as NumPy's
    ``sum(axis=0)`` of a C-ordered (drivers, members) array does (row by row, so the loops
    vectorize)."""
    n = lam.shape[1]
    out = lam[0].copy()
    for d in range(1, lam.shape[0]):
        for i in range(n):
            out[i] = out[i] + lam[d, i]
    for i in range(n):
        out[i] = -out[i]
    return out


@njit(cache=True, error_model="numpy")
def _trying(st: np.ndarray, expm1: np.ndarray) -> np.ndarray:
    """Positions whose draw (one a member, from the stream's state ``st``) falls below the
    chance of trying, -expm1(-total)."""
    out = np.empty(expm1.size, np.int64)
    k = 0
    for i in range(expm1.size):
        if _random(st) < -expm1[i]:
            out[k] = i
            k += 1
    return out[:k]


@njit(cache=True, error_model="numpy")
def _drivers(lam: np.ndarray, trying: np.ndarray, st: np.ndarray) -> np.ndarray:
    """The driver that tipped each of those trying: the first whose running sum of hazards
    (in the hazards' dtype, as np.cumsum) exceeds the draw times the total (a float64 product);
    a draw past every running sum gets the last driver. One draw each from ``st``, first to last."""
    u = _draws(st, trying.size)
    k = lam.shape[0]
    cum = np.empty(k, lam.dtype)
    out = np.empty(trying.size, np.uint8)
    for j in range(trying.size):
        i = trying[j]
        t = lam[0, i]
        cum[0] = t
        for d in range(1, k):
            t = t + lam[d, i]
            cum[d] = t
        pick = u[j] * np.float64(cum[k - 1])
        past = 0
        for d in range(k):
            if pick >= cum[d]:
                past += 1
        out[j] = min(past, N_DRIVERS - 1) + _LOSING
    return out


def attempts(
    lam: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who tries to leave (positions into the member list), the driver that tipped each, and
    every member's chance of trying, 1 - exp(-sum of his hazards) (float32; enforcement counts
    on the expected attempts)."""
    # the draws are the stream's, stepped in the kernels (allegiance.pcg)
    e = minus_chance(lam)
    st = pcg.state(rng)
    trying = _trying(st, e)
    return trying, _drivers(lam, trying, st), np.negative(e, out=e)


def minus_chance(lam: np.ndarray) -> np.ndarray:
    """Minus each member's chance of trying, expm1(-sum of his hazards) (float32; ``attempts``
    draws against it). expm1 stays NumPy's (its SIMD one is not libm's in the last bit)."""
    e = _minus_total(lam)
    return np.expm1(e, out=e)


@njit(cache=True, error_model="numpy")
def _routes(
    idx: np.ndarray,
    driver: np.ndarray,
    motive: np.ndarray,
    affiliation: np.ndarray,
    origin: np.ndarray,
    best: np.ndarray,
    fsa_pay_usd: float,
    odds0: float,
    regime_enemy: float,
    losing: float,
    foreign: float,
    welcome: float,
    jordan_share: float,
    st: np.ndarray,
) -> np.ndarray:
    """Routes from the odds of a rival group, multiplied in the plain expression's order, and
    two draws a person from the stream's state ``st`` (the first for all, then the second for
    all)."""
    n = idx.size
    u = _draws(st, 2 * n)
    route = np.empty(n, np.uint8)
    for i in range(n):
        j = idx[i]
        home = min(origin[j], IRAQI)
        pay = best[home] if best[home] > 0 else fsa_pay_usd
        if pay < 1.0:  # np.maximum: a NaN stays
            pay = 1.0
        odds = odds0 * np.sqrt(pay / 36.0)
        if motive[j] == _REVENGE or affiliation[j] == _FSA:
            odds = odds * regime_enemy
        if driver[i] == _LOSING:
            odds = odds * losing
        if origin[j] >= FOREIGN_MIN:
            odds = odds * foreign
        odds = odds * welcome
        if driver[i] == _FAMILY:
            odds = 0.0
        route[i] = _RIVAL if u[i] < odds / (1.0 + odds) else _TURKEY
    for i in range(n):
        if route[i] == _TURKEY and u[n + i] < jordan_share:
            route[i] = _JORDAN
    return route


def routes(
    people: People,
    idx: np.ndarray,
    driver: np.ndarray,
    policy: Scenario,
    env: Env,
    rng: np.random.Generator,
) -> np.ndarray:
    """Choose a route for each person leaving: Turkey, Jordan or a rival group."""
    # One compiled call; the two draws a person are the stream's, drawn in the kernel as one
    # NumPy call of 2n would (allegiance.pcg).
    return _routes(idx, driver, *route_terms(people, policy, env), pcg.state(rng))


def route_terms(people: People, policy: Scenario, env: Env) -> tuple[Any, ...]:
    """What ``_routes`` reads besides those leaving, their drivers and the draws: the people's
    motives, affiliations and origins, and the month's terms."""
    lv = policy.leaving
    # better-paying groups nearby draw more (the FSA's $36 is the reference); where none
    # recruits (Iraq, abroad), those who defect go to the FSA at its pay. Work in Turkey draws
    # exits there; Sami's brother took him to Turkey (the family driver never goes to a rival).
    # The exp of a Python float stays NumPy's.
    return (
        people.motive,
        people.affiliation,
        people.origin,
        armed_pay(env, policy.population),
        env.fsa_pay_usd,
        lv.rival_base / (1.0 - lv.rival_base + 1e-9),
        lv.rival_regime_enemy,
        lv.rival_losing,
        lv.rival_foreign,
        np.exp(-lv.welcome_route * env.exit_welcome),
        lv.jordan_share,
    )
