"""Synthesis: origins, households, circles and the organization at the start."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.people import FOREIGN_MIN, IRAQI, Status
from allegiance.rng import stream
from allegiance.synthesize import home_units, synthesize
from helpers import small


def test_population_matches_its_specification() -> None:
    sc = small(size=60_000)
    p = synthesize(sc, stream(3, "synthesize"))
    assert p.size == 60_000
    foreign = p.origin >= FOREIGN_MIN
    assert abs(foreign.mean() - sc.population.foreign_share) < 0.005
    members = p.status == Status.MEMBER
    assert members.sum() == round(sc.population.initial_members / sc.population.scale)
    assert set(np.unique(p.status)) <= {Status.CIVILIAN, Status.MEMBER}
    ages = p.age_years(0)
    assert ages.min() >= sc.population.age.min and ages.max() <= sc.population.age.max
    assert (p.wives[ages < 18] == 0).all()  # no wives before 18
    assert p.ideology.min() >= 0 and p.ideology.max() <= 1


def test_friendship_circles_stay_within_one_town() -> None:
    sc = small(size=30_000)
    p = synthesize(sc, stream(4, "synthesize"))
    per_circle = np.bincount(p.circle)
    assert per_circle.max() <= int(np.ceil(sc.population.circle_size))
    for c in np.unique(p.circle)[:200]:
        assert np.unique(p.origin[p.circle == c]).size == 1


def _camps_one_province_at_a_time(
    province: np.ndarray, slot: np.ndarray, child: np.ndarray, size: np.ndarray, per: int
) -> np.ndarray:
    """Cubs' slots as home_units chose them before: province by province, np.argmin each."""
    slot = slot.copy()
    for prov in np.unique(province[child]):
        slot[child & (province == prov)] = int(np.argmin(size[prov * per : (prov + 1) * per]))
    return slot


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    per=st.integers(1, 6),
    month=st.integers(0, 40),
    short=st.booleans(),
)
def test_cubs_go_to_their_provinces_smallest_unit_as_one_province_at_a_time(
    seed: int, n: int, per: int, month: int, short: bool
) -> None:
    sim_people = synthesize(small(size=3_000), np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(sim_people.size, size=min(n, sim_people.size), replace=False))
    # unit sizes with ties (small counts), and sometimes shorter than every unit (padded)
    n_units = (IRAQI + 1) * per
    size = rng.integers(0, 3, n_units - (per if short else 0)).astype(np.int64)
    got = home_units(sim_people, idx, per, np.random.default_rng(1), month, True, size)
    # the same draws, then the old per-province choice
    plain = home_units(sim_people, idx, per, np.random.default_rng(1), month, False, size)
    province, slot = plain // per, plain % per
    padded = np.pad(size, (0, n_units - size.size))
    child = sim_people.age_years(month, idx) < 18
    want = province * per + _camps_one_province_at_a_time(province, slot, child, padded, per)
    assert np.array_equal(got, want.astype(np.int32))


def test_units_without_foreigners_take_the_draws_of_the_plain_form() -> None:
    people = synthesize(small(size=3_000), np.random.default_rng(2))
    local = np.flatnonzero(people.origin <= IRAQI)[:200]
    fast, plain = np.random.default_rng(7), np.random.default_rng(7)
    got = home_units(people, local, 4, fast)
    plain.integers(0, IRAQI + 1, 0)  # the plain form drew for no one, as an empty call
    slot = plain.integers(0, 4, local.size)
    np.testing.assert_array_equal(got, people.origin[local].astype(np.int32) * 4 + slot)
    assert fast.random() == plain.random()
