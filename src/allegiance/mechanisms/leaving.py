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

import numpy as np

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
    trait,
    years,
)
from ..scenario import Scenario
from ..world import Env
from .pay import need_usd, shortfall
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
    need = need_usd(people, members, env.food_cost_usd, env.food_price_index, fixed)
    gap = shortfall(ctx.pay_usd, pay.in_kind_usd, need)
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


def attempts(lam: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Who tries to leave (positions into the member list) and the driver that tipped each."""
    total = lam.sum(axis=0)
    trying = np.flatnonzero(rng.random(total.size) < -np.expm1(-total))
    cum = np.cumsum(lam[:, trying], axis=0)
    pick = rng.random(trying.size) * cum[-1]
    driver = (
        np.minimum((pick[None, :] >= cum).sum(axis=0), N_DRIVERS - 1) + _LOSING
    )  # a count: >= 0
    return trying, driver.astype(np.uint8)


def routes(
    people: People,
    idx: np.ndarray,
    driver: np.ndarray,
    policy: Scenario,
    env: Env,
    rng: np.random.Generator,
) -> np.ndarray:
    """Choose a route for each person leaving: Turkey, Jordan or a rival group."""
    lv = policy.leaving
    regime_enemy = (people.motive[idx] == _REVENGE) | (people.affiliation[idx] == _FSA)
    odds = lv.rival_base / (1.0 - lv.rival_base + 1e-9)
    # better-paying groups nearby draw more (the FSA's $36 is the reference); where none
    # recruits (Iraq, abroad), those who defect go to the FSA at its pay
    best = armed_pay(env, policy.population)
    home = np.minimum(people.origin[idx], IRAQI)
    pay = np.where(best[home] > 0, best[home], env.fsa_pay_usd)
    odds = odds * np.sqrt(np.maximum(pay, 1.0) / 36.0)
    odds = np.where(regime_enemy, odds * lv.rival_regime_enemy, odds)
    odds = np.where(driver == _LOSING, odds * lv.rival_losing, odds)
    odds = np.where(people.origin[idx] >= FOREIGN_MIN, odds * lv.rival_foreign, odds)
    odds = odds * np.exp(-lv.welcome_route * env.exit_welcome)  # work in Turkey draws exits there
    odds = np.where(driver == _FAMILY, 0.0, odds)  # Sami's brother took him to Turkey
    p_rival = odds / (1.0 + odds)
    u = rng.random(idx.size)
    route = np.where(u < p_rival, _RIVAL, _TURKEY).astype(np.uint8)
    jordan = (route == _TURKEY) & (rng.random(idx.size) < lv.jordan_share)
    route[jordan] = _JORDAN
    return route
