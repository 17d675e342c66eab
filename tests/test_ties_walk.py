"""ties.disillusion finds each member's executed friends by walking the circles hit when the
members' circles come in order (as a run stores people) and by binary search when not: the
same growth as the plain NumPy rule, bit for bit, for circles in order, shuffled or both."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.mechanisms import ties
from allegiance.people import People, fixed_traits
from test_compiled_upkeep import plain_disillusion

_DTYPES = {"circle": np.int32, "disillusion": np.float32, "birth": np.int16, "unit": np.int32}
_DTYPES |= {"ideology": np.float32, "grievance": np.float32}


def _people(circle: np.ndarray, disillusion: np.ndarray) -> People:
    """A population whose only traits that matter here are its circles and disillusion (the
    rest zeros, uint8 where the dtype does not matter)."""
    p = People(
        **{f.name: np.zeros(circle.size, _DTYPES.get(f.name, np.uint8)) for f in fields(People)}
    )
    p.circle, p.disillusion = circle, disillusion
    return p


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(1, 400),
    n_circles=st.integers(1, 60),
    order=st.sampled_from(["sorted", "shuffled", "mostly sorted"]),
    member_share=st.floats(0.0, 1.0),
    executed_share=st.floats(0.0, 1.0),
    weights=st.tuples(st.floats(0.0, 5.0), st.floats(0.0, 1.0), st.floats(0.0, 0.1)),
    use_fixed=st.booleans(),
)
def test_disillusion_walk_grows_as_the_plain_rule(
    seed: int,
    size: int,
    n_circles: int,
    order: str,
    member_share: float,
    executed_share: float,
    weights: tuple[float, float, float],
    use_fixed: bool,
) -> None:
    rng = np.random.default_rng(seed)
    circle = rng.integers(0, n_circles, size).astype(np.int32)
    if order != "shuffled":
        circle.sort()  # stored circle by circle, as a run's population
    if order == "mostly sorted":  # a few out of order: the walk and the search take turns
        swap = rng.integers(0, size, (max(1, size // 20), 2))
        circle[swap[:, 0]], circle[swap[:, 1]] = circle[swap[:, 1]], circle[swap[:, 0]]
    disillusion = rng.random(size).astype(np.float32) * np.float32(3.0)
    members = np.flatnonzero(rng.random(size) < member_share).astype(np.int64)
    executed = np.flatnonzero(rng.random(size) < executed_share).astype(np.int64)
    per_execution, repression, per_repression = weights
    new, old = _people(circle, disillusion.copy()), _people(circle, disillusion.copy())
    args = (executed, per_execution, repression, per_repression, n_circles)
    ties.disillusion(new, members, *args, fixed_traits(new, members) if use_fixed else None)
    plain_disillusion(old, members, *args, fixed_traits(old, members) if use_fixed else None)
    np.testing.assert_array_equal(new.disillusion.view(np.uint32), old.disillusion.view(np.uint32))
