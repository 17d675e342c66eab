"""Foreign arrivals drawn in compiled code are those the NumPy draws chose, from pools of any size."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance import pcg
from allegiance.mechanisms import foreign
from allegiance.people import FOREIGN_MIN, Status

FIRST = 100  # the foreign block starts here
MONTH = 30
MIN_AGE = 15
TRAINING = 45


def _people(n_foreign: int, seed: int) -> dict[str, np.ndarray]:
    """Arrays as People holds them: locals first, then foreigners, some of them too young or no
    longer civilians, so that the pool is a scattered part of the block."""
    g = np.random.default_rng(seed)
    n = FIRST + n_foreign
    status = np.full(n, Status.CIVILIAN, np.uint8)
    status[g.random(n) < 0.1] = Status.MEMBER
    origin = np.r_[np.zeros(FIRST, np.uint8), g.integers(FOREIGN_MIN, 11, n_foreign)]
    return {
        "status": status,
        "origin": origin.astype(np.uint8),
        "birth": g.integers(MONTH - 40 * 12, MONTH - 10 * 12, n).astype(np.int16),
        "motive": np.zeros(n, np.uint8),
        "joined": np.full(n, -1, np.int16),
        "left": np.zeros(n, np.int16),
        "days": np.zeros(n, np.int16),
        "ideology": g.random(n).astype(np.float32),
    }


def _plain(p: dict[str, np.ndarray], x: float, rng: np.random.Generator) -> np.ndarray:
    """The NumPy draws arrive made: stochastic_round, then a sorted choice from the pool."""
    want = foreign.stochastic_round(x, rng)
    if want <= 0:
        return np.empty(0, np.int64)
    pool = foreign._pool(p["status"], p["origin"], p["birth"], FIRST, MONTH, MIN_AGE)
    idx = np.sort(rng.choice(pool, size=min(want, pool.size), replace=False))
    foreign._enter(
        p["status"],
        p["motive"],
        p["joined"],
        p["left"],
        p["days"],
        p["ideology"],
        idx,
        MONTH,
        TRAINING,
    )
    return idx


def _compiled(p: dict[str, np.ndarray], x: float, rng: np.random.Generator) -> np.ndarray:
    return foreign._arrive(
        pcg.state(rng),
        pcg.buffer(rng),
        x,
        p["status"],
        p["origin"],
        p["birth"],
        FIRST,
        MONTH,
        MIN_AGE,
        p["motive"],
        p["joined"],
        p["left"],
        p["days"],
        p["ideology"],
        TRAINING,
    )


@given(
    seed=st.integers(0, 2**32 - 1),
    n_foreign=st.one_of(
        st.integers(0, 50), st.integers(12_000, 14_500), st.integers(20_000, 40_000)
    ),
    fraction=st.floats(0, 1, exclude_max=True),
    half=st.booleans(),
    data=st.data(),
)
@settings(max_examples=100, deadline=None)
def test_arrivals_are_the_numpy_draws(
    seed: int, n_foreign: int, fraction: float, half: bool, data: st.DataObject
) -> None:
    a, b = _people(n_foreign, seed), _people(n_foreign, seed)
    pool = foreign._pool(a["status"], a["origin"], a["birth"], FIRST, MONTH, MIN_AGE).size
    # whole arrivals around a fiftieth of the pool (numpy's switch from Floyd's algorithm to the
    # tail shuffle, for pools above 10,000), none, the whole pool and more; then a fraction
    cut = pool // 50
    whole = data.draw(
        st.one_of(
            st.sampled_from([-1, 0, 1, cut - 1, cut, cut + 1, pool - 1, pool, pool + 5]),
            st.integers(0, pool),
        )
    )
    x = whole + fraction
    ga, gb = np.random.default_rng(seed), np.random.default_rng(seed)
    if half:  # a 32-bit draw before: half of a 64-bit draw is kept in the bit generator
        assert ga.integers(0, 9) == gb.integers(0, 9)
    got, want = _compiled(a, x, ga), _plain(b, x, gb)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == want.dtype
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert ga.bit_generator.state == gb.bit_generator.state


@pytest.mark.parametrize("x", [1e300, 2.0**70])
def test_inflows_past_any_pool_take_the_pool(x: float) -> None:
    a, b = _people(300, 1), _people(300, 1)
    ga, gb = np.random.default_rng(2), np.random.default_rng(2)
    np.testing.assert_array_equal(_compiled(a, x, ga), _plain(b, x, gb))
    assert ga.bit_generator.state == gb.bit_generator.state


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_inflows_that_are_not_numbers_are_refused_as_before(x: float) -> None:
    with pytest.raises((ValueError, OverflowError)) as before:
        foreign.stochastic_round(x, np.random.default_rng(0))
    with pytest.raises(before.type):
        _compiled(_people(10, 0), x, np.random.default_rng(0))
