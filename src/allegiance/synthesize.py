"""Synthesize the population: origins, ages, households, traits, friendship circles, first members."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numba import njit

from . import pcg
from .people import (
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
from .scenario import FOREIGN_REGIONS, LOCAL_ORIGINS, Scenario

_LOCAL_CODE = {name: int(Origin[name.upper()]) for name in LOCAL_ORIGINS}
_FOREIGN_CODE = {name: int(Origin[name.upper()]) for name in FOREIGN_REGIONS}


CHUNK = 1 << 16  # people per slice of the build: temporaries stay in cache, off the peak


def _chunks(n: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each slice of ``n`` people, in order."""
    for s in range(0, n, CHUNK):
        yield s, min(n, s + CHUNK)


def _origins(
    rng: np.random.Generator, n: int, shares: dict[str, float], codes: dict[str, int]
) -> np.ndarray:
    """Origins of ``n`` people drawn independently, stored grouped by origin code.

    The counts are one multinomial draw (the distribution of the counts of ``n`` independent
    categorical draws); since every other trait is drawn independently per person afterwards,
    the order of people carries no information, and grouping them lets friendship circles be
    runs of consecutive people (cheap to build, and read in order by the joining scan).
    """
    keys = sorted(shares, key=lambda k: codes[k])
    p = np.array([shares[k] for k in keys], dtype=np.float64)
    counts = rng.multinomial(n, p / p.sum()) if n else np.zeros(len(keys), dtype=np.int64)
    code = np.array([codes[k] for k in keys], dtype=np.uint8)
    return np.repeat(code, counts)


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
    out = np.empty(n, dtype=np.uint8)
    for s, e in _chunks(n):
        m = mean if np.isscalar(mean) else mean[s:e]  # type: ignore[index]
        out[s:e] = np.minimum(rng.poisson(m, e - s), cap)
    return out


def _beta(rng: np.random.Generator, a: float, b: float, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.float32)
    for s, e in _chunks(n):
        out[s:e] = rng.beta(a, b, e - s)
    return out


def _circles(origin: np.ndarray, size: float) -> np.ndarray:
    """Friendship circles of about ``size`` people from one town (same origin).

    A circle stands for childhood friends who may join together (seed: Sami and 'several of
    his oldest childhood friends who had joined ISIS with him'). People come grouped by origin
    in code order and in no meaningful order within it (``_origins``), so each town's people are
    cut into consecutive circles: circle numbers never decrease along the population.
    """
    n = origin.shape[0]
    circle = np.empty(n, dtype=np.int32)
    bounds = [0, *(np.flatnonzero(origin[1:] != origin[:-1]) + 1).tolist(), n] if n else [0]
    offset = 0
    for s, e in zip(bounds[:-1], bounds[1:], strict=True):
        circle[s:e] = (offset + np.arange(e - s) // max(size, 1.0)).astype(np.int32)
        offset += int(np.ceil((e - s) / size))
    return circle


def synthesize(scenario: Scenario, rng: np.random.Generator) -> People:
    """Build the people of a scenario at its first month, with its initial members.

    Each trait is drawn for everyone before the next, in slices (the draws are those of one
    call per trait), so the temporaries of the build stay a few bytes per person.
    """
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
    birth = np.empty(n, dtype=np.int16)
    for s, e in _chunks(n):
        birth[s:e] = -(age[s:e] * 12.0) - rng.integers(0, 12, e - s)
    adult = age >= 18
    hh = pop.household
    wives = _poisson(rng, hh.wives_mean, n, 4)
    wives[~adult] = 0
    # children grow with years of marriage; none before 18 (assumption)
    child_mean = hh.children_mean * np.clip((age - 18.0) / 12.0, 0.0, 1.5)
    del age
    children = _poisson(rng, child_mean, n, 15)
    del child_mean
    children[wives == 0] = 0
    parents = _poisson(rng, hh.parents_mean, n, 4)
    dependants = _poisson(rng, hh.dependants_mean, n, 12)
    ideology = _beta(rng, pop.ideology.a, pop.ideology.b, n)
    ideology[foreign] = rng.beta(pop.foreign_ideology.a, pop.foreign_ideology.b, int(foreign.sum()))
    family_killed = np.empty(n, dtype=bool)
    for s, e in _chunks(n):
        fk_share = np.full(e - s, pop.family_killed_share.get("default", 0.0), dtype=np.float32)
        for name, share in pop.family_killed_share.items():
            if name != "default":
                fk_share[origin[s:e] == _LOCAL_CODE[name]] = share
        family_killed[s:e] = (rng.random(e - s) < fk_share) & ~foreign[s:e]
    grievance = _beta(rng, pop.grievance.a, pop.grievance.b, n)
    raised = np.minimum(1.0, grievance[family_killed] + 0.4)
    grievance[family_killed] = raised
    del raised
    grievance[foreign] *= 0.5  # the regime is not their personal enemy (assumption)
    criminal = np.empty(n, dtype=bool)
    for s, e in _chunks(n):
        criminal[s:e] = (rng.random(e - s) < pop.criminal_share) & ~foreign[s:e] & adult[s:e]
    affiliation = np.zeros(n, dtype=np.uint8)
    for s, e in _chunks(n):
        r, local = rng.random(e - s), adult[s:e] & ~foreign[s:e]
        aff = affiliation[s:e]
        aff[(r < pop.fsa_share) & local] = Affiliation.FSA
        aff[(r >= pop.fsa_share) & (r < pop.fsa_share + pop.regime_share) & local] = (
            Affiliation.REGIME
        )
    # expertise: former officers, and more often foreigners ('usually foreigners' are paid most)
    skilled = np.empty(n, dtype=bool)
    for s, e in _chunks(n):
        skill_p = np.where(foreign[s:e], 2 * pop.skilled_share, pop.skilled_share)
        skilled[s:e] = (affiliation[s:e] == Affiliation.REGIME) | (
            (rng.random(e - s) < skill_p) & adult[s:e]
        )
    del foreign
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
        (n_syrian, lambda: origin <= SYRIAN_MAX),
        (n_iraqi, lambda: origin == IRAQI),
        (n_foreign, lambda: origin >= FOREIGN_MIN),
    ]
    chosen = []
    for count, mask in groups:
        pool = np.flatnonzero(mask() & adult)
        if count and pool.size:
            # committed and aggrieved men are likelier to be the early members (assumption)
            w = np.exp(3.0 * people.ideology[pool] + people.grievance[pool]).astype(np.float64)
            w /= w.sum()  # in place: the same weights as w / w.sum(), one array fewer
            pick = rng.choice(pool, size=min(count, pool.size), replace=False, p=w)
            del w
            chosen.append(pick)
        del pool
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


def home_units(
    people: People,
    idx: np.ndarray,
    per_province: int,
    rng: np.random.Generator,
    month: int = 0,
    camps: bool = False,
    unit_size: np.ndarray | None = None,
) -> np.ndarray:
    """Units for new members: a unit in their home province (foreigners anywhere in Syria or Iraq).

    With ``camps``, the province's children, schooled and trained apart from adults (Horgan et
    al. 2017), graduate as one cohort and are posted together to the province's unit with the
    fewest members (``unit_size``, members per unit), the one most in need of replacements.
    Units full of children then come from where and how children are recruited and trained,
    as in Tarek's unit in Deir Ezzor ('60 percent of his fellow combatants were under the age
    of 18'), never from placing them by hand.
    """
    smallest = _NONE
    if camps:
        n_units = (IRAQI + 1) * per_province
        size = np.zeros(n_units) if unit_size is None else unit_size[:n_units]
        if size.size < n_units:
            size = np.pad(size, (0, n_units - size.size))
        # each province's smallest unit (the first of equals, as argmin), for all provinces at once
        smallest = size.reshape(IRAQI + 1, per_province).argmin(axis=1)
    return _units(
        pcg.state(rng),
        pcg.buffer(rng),
        people.origin,
        people.birth,
        idx,
        smallest,
        per_province,
        month,
    )


_NONE = np.empty(0, np.int64)


@njit(cache=True)
def _count_far(origin, idx):  # noqa: ANN001, ANN202
    """How many of ``idx`` come from abroad (their province is drawn)."""
    n = 0
    for i in idx:
        n += origin[i] > IRAQI
    return n


@njit(cache=True)
def _units(st, buf, origin, birth, idx, smallest, per_province, month):  # noqa: ANN001, ANN202, PLR0913
    """Each one's unit: his province (drawn for those from abroad) times ``per_province`` plus his
    slot, or the province's ``smallest`` unit for a child (with camps, when ``smallest`` is
    given); one compiled pass for a dozen small NumPy calls.

    The provinces and slots are drawn from the generator's state ``st`` and kept half ``buf``
    (pcg) as ``rng.integers(0, IRAQI + 1, n_far)`` then ``rng.integers(0, per_province, n)``
    drew them (two NumPy calls of a few microseconds each before); an empty draw takes nothing."""
    far = pcg.integers(st, buf, 0, IRAQI + 1, _count_far(origin, idx))
    slot = pcg.integers(st, buf, 0, per_province, idx.size)
    out = np.empty(idx.size, np.int32)
    f = 0
    for k in range(idx.size):
        i = idx[k]
        province = np.int64(origin[i])
        if province > IRAQI:
            province = np.int64(np.int32(far[f]))  # stored in the int32 province array before
            f += 1
        s = slot[k]
        # a child as people.years: int32 difference, floor division, int16
        if smallest.size and np.int16((month - np.int32(birth[i])) // 12) < 18:
            s = smallest[province]
        out[k] = np.int32(province * per_province + s)
    return out
