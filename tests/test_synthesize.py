"""Synthesis: origins, households, circles and the organization at the start."""

from __future__ import annotations

import numpy as np

from allegiance.people import FOREIGN_MIN, Status
from allegiance.rng import stream
from allegiance.synthesize import synthesize
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
