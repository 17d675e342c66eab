"""The population build without slices (one call per trait): the oracle the sliced build must match."""

from __future__ import annotations

import numpy as np

from allegiance.people import (
    FOREIGN_MIN,
    IRAQI,
    SYRIAN_MAX,
    Affiliation,
    Motive,
    Origin,
    People,
    Role,
    Status,
)
from allegiance.scenario import FOREIGN_REGIONS, LOCAL_ORIGINS, Scenario
from allegiance.synthesize import home_units

_LOCAL_CODE = {name: int(Origin[name.upper()]) for name in LOCAL_ORIGINS}
_FOREIGN_CODE = {name: int(Origin[name.upper()]) for name in FOREIGN_REGIONS}


def _origins(
    rng: np.random.Generator, n: int, shares: dict[str, float], codes: dict[str, int]
) -> np.ndarray:
    keys = sorted(shares, key=lambda k: codes[k])
    p = np.array([shares[k] for k in keys], dtype=np.float64)
    counts = rng.multinomial(n, p / p.sum()) if n else np.zeros(len(keys), dtype=np.int64)
    return np.repeat(np.array([codes[k] for k in keys], dtype=np.uint8), counts)


def _ages(rng: np.random.Generator, n: int, lo: int, hi: int, under18: float) -> np.ndarray:
    """Ages in years: a share under 18 spread evenly, adults thinning with age (young population)."""
    child = rng.random(n) < under18
    age = np.empty(n, dtype=np.float32)
    kids = int(child.sum())
    age[child] = rng.uniform(lo, min(18, hi), kids)
    adults = n - kids
    # truncated exponential from 18 with a 14-year scale: Syria's young age pyramid (UN WPP 2015)
    u = rng.random(adults)
    span = 1 - np.exp(-(hi - 18) / 14.0)
    age[~child] = 18 - 14.0 * np.log1p(-u * span)
    return age


def _poisson(rng: np.random.Generator, mean: float | np.ndarray, n: int, cap: int) -> np.ndarray:
    return np.minimum(rng.poisson(mean, n), cap).astype(np.uint8)


def _circles(origin: np.ndarray, size: float) -> np.ndarray:
    """Consecutive circles of about ``size`` people within each run of one origin."""
    n = origin.shape[0]
    starts = np.flatnonzero(np.r_[True, origin[1:] != origin[:-1]]) if n else np.zeros(0, int)
    lengths = np.diff(np.r_[starts, n])
    per_block = np.ceil(lengths / size).astype(np.int64)
    offset = np.repeat(np.r_[0, np.cumsum(per_block)[:-1]], lengths)
    pos = np.arange(n) - np.repeat(starts, lengths)
    return (offset + pos // max(size, 1.0)).astype(np.int32)


def synthesize(scenario: Scenario, rng: np.random.Generator) -> People:
    """Build the people of a scenario at its first month, with its initial members."""
    pop = scenario.population
    n = pop.size
    n_foreign = int(round(pop.foreign_share * n))
    n_local = n - n_foreign
    origin = np.concatenate(
        [
            _origins(rng, n_local, pop.origins, _LOCAL_CODE),
            _origins(rng, n_foreign, pop.foreign_regions, _FOREIGN_CODE),
        ]
    )
    foreign = origin >= FOREIGN_MIN
    age = _ages(rng, n, pop.age.min, pop.age.max, pop.age.under18_share)
    birth = (-(age * 12.0) - rng.integers(0, 12, n)).astype(np.int16)
    adult = age >= 18
    hh = pop.household
    wives = np.where(adult, _poisson(rng, hh.wives_mean, n, 4), 0).astype(np.uint8)
    # children grow with years of marriage; none before 18 (assumption)
    child_mean = hh.children_mean * np.clip((age - 18.0) / 12.0, 0.0, 1.5)
    children = np.where(wives > 0, _poisson(rng, child_mean, n, 15), 0).astype(np.uint8)
    parents = _poisson(rng, hh.parents_mean, n, 4)
    dependants = _poisson(rng, hh.dependants_mean, n, 12)
    ideology = rng.beta(pop.ideology.a, pop.ideology.b, n).astype(np.float32)
    ideology[foreign] = rng.beta(pop.foreign_ideology.a, pop.foreign_ideology.b, int(foreign.sum()))
    fk_share = np.full(n, pop.family_killed_share.get("default", 0.0), dtype=np.float32)
    for name, share in pop.family_killed_share.items():
        if name != "default":
            fk_share[origin == _LOCAL_CODE[name]] = share
    family_killed = (rng.random(n) < fk_share) & ~foreign
    grievance = rng.beta(pop.grievance.a, pop.grievance.b, n).astype(np.float32)
    grievance = np.where(family_killed, np.minimum(1.0, grievance + 0.4), grievance).astype(
        np.float32
    )
    grievance[foreign] *= 0.5  # the regime is not their personal enemy (assumption)
    criminal = (rng.random(n) < pop.criminal_share) & ~foreign & adult
    r = rng.random(n)
    affiliation = np.zeros(n, dtype=np.uint8)
    affiliation[(r < pop.fsa_share) & adult & ~foreign] = Affiliation.FSA
    affiliation[
        (r >= pop.fsa_share) & (r < pop.fsa_share + pop.regime_share) & adult & ~foreign
    ] = Affiliation.REGIME
    # expertise: former officers, and more often foreigners ('usually foreigners' are paid most)
    skill_p = np.where(foreign, 2 * pop.skilled_share, pop.skilled_share)
    skilled = (affiliation == Affiliation.REGIME) | ((rng.random(n) < skill_p) & adult)
    people = People(
        origin=origin,
        birth=birth,
        wives=wives,
        children=children,
        parents=parents,
        dependants=dependants,
        ideology=ideology,
        grievance=grievance,
        family_killed=family_killed,
        criminal=criminal,
        affiliation=affiliation,
        skilled=skilled,
        circle=_circles(origin, pop.circle_size),
        status=np.zeros(n, dtype=np.uint8),
        motive=np.zeros(n, dtype=np.uint8),
        role=np.zeros(n, dtype=np.uint8),
        posting=np.zeros(n, dtype=np.uint8),
        high_risk=np.zeros(n, dtype=bool),
        ordered=np.zeros(n, dtype=bool),
        disillusion=np.zeros(n, dtype=np.float32),
        suspicion=np.zeros(n, dtype=np.float32),
        training_left=np.zeros(n, dtype=np.int16),
        training_days=np.zeros(n, dtype=np.int16),
        joined=np.full(n, -1, dtype=np.int16),
        unit=np.full(n, -1, dtype=np.int32),
    )
    _seed_members(people, scenario, rng, adult)
    return people


def _seed_members(
    people: People, scenario: Scenario, rng: np.random.Generator, adult: np.ndarray
) -> None:
    """Make the organization that exists at the start: Iraqi core, Syrians, some foreigners."""
    pop = scenario.population
    total = int(round(pop.initial_members / pop.scale))
    n_foreign = int(round(total * pop.initial_foreign_share))
    n_iraqi = int(round(total * pop.initial_iraqi_share))
    n_syrian = max(0, total - n_foreign - n_iraqi)
    origin = people.origin
    groups = [
        (n_syrian, origin <= SYRIAN_MAX),
        (n_iraqi, origin == IRAQI),
        (n_foreign, origin >= FOREIGN_MIN),
    ]
    chosen = []
    for count, mask in groups:
        pool = np.flatnonzero(mask & adult)
        if count and pool.size:
            # committed and aggrieved men are likelier to be the early members (assumption)
            w = np.exp(3.0 * people.ideology[pool] + people.grievance[pool]).astype(np.float64)
            pick = rng.choice(pool, size=min(count, pool.size), replace=False, p=w / w.sum())
            chosen.append(pick)
    if not chosen:
        return
    idx = np.sort(np.concatenate(chosen))
    ideo = people.ideology[idx]
    motive = np.where(
        ideo > 0.5,
        Motive.IDEOLOGY,
        np.where(people.family_killed[idx], Motive.REVENGE, Motive.OPPORTUNISM),
    ).astype(np.uint8)
    motive[people.criminal[idx]] = Motive.COERCION
    people.status[idx] = Status.MEMBER
    people.motive[idx] = motive
    people.role[idx] = Role.FIGHTER
    people.training_days[idx] = scenario.organization.training.full_days
    people.joined[idx] = -rng.integers(1, 24, idx.size).astype(np.int16)
    people.unit[idx] = home_units(people, idx, scenario.organization.units_per_province, rng)
