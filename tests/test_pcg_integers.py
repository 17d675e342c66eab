"""Bounded integers and samples without replacement drawn in compiled code are numpy's, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance import pcg

# ranges (high - low) around the algorithms' seams: no draw, 32-bit Lemire, a plain 32-bit draw
# at 2**32, 64-bit Lemire with 128-bit products above it
SPANS = (1, 2, 3, 19, 1000, 2**31, 2**32 - 2, 2**32 - 1, 2**32, 2**32 + 1, 2**33 + 5, 2**62, 2**63)
INT64 = (-(2**63), 2**63 - 1)


def _pair(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    return np.random.default_rng(seed), np.random.default_rng(seed)


def _numpy_step(ours: np.random.Generator, twin: np.random.Generator, kind: int) -> None:
    """The same NumPy draw from both: doubles (the kept half untouched), or a 32-bit integer
    that leaves half of a 64-bit draw kept in the bit generator for the next 32-bit draw."""
    if kind == 0:
        np.testing.assert_array_equal(ours.random(3), twin.random(3))
    elif kind == 1:
        assert ours.integers(0, 5) == twin.integers(0, 5)


spans = st.one_of(st.sampled_from(SPANS), st.integers(1, 2**63))
lows = st.one_of(st.integers(-1000, 1000), st.sampled_from([INT64[0], -(2**40), 2**40]))


@given(
    seed=st.integers(0, 2**63 - 1),
    steps=st.lists(
        st.tuples(lows, spans, st.sampled_from([0, 1, 2, 3, 50]), st.integers(0, 2)),
        max_size=8,
    ),
)
@settings(max_examples=150, deadline=None)
def test_integers_are_numpys_in_turn_with_numpy(
    seed: int, steps: list[tuple[int, int, int, int]]
) -> None:
    ours, twin = _pair(seed)
    for low, span, n, before in steps:
        high = min(low + span, INT64[1])
        if high <= low:
            continue
        _numpy_step(ours, twin, before)
        got = pcg.integers(pcg.state(ours), pcg.buffer(ours), low, high, n)
        want = twin.integers(low, high, n)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
        # the kept half included: has_uint32 and uinteger are part of the state
        assert ours.bit_generator.state == twin.bit_generator.state
    _numpy_step(ours, twin, 1)  # numpy goes on from where the kernels left the generator
    assert ours.bit_generator.state == twin.bit_generator.state


@given(seed=st.integers(0, 2**63 - 1), n=st.integers(0, 40), before=st.integers(0, 2))
@settings(max_examples=40, deadline=None)
def test_the_full_64_bit_range_is_a_plain_draw(seed: int, n: int, before: int) -> None:
    # int64's whole range, high = 2**63, is out of reach of integers' int64 bounds: the fill
    ours, twin = _pair(seed)
    _numpy_step(ours, twin, before)
    got = np.empty(n, np.int64)
    pcg.bounded_fill(pcg.state(ours), pcg.buffer(ours), np.uint64(2**63), np.uint64(2**64 - 1), got)
    np.testing.assert_array_equal(got, twin.integers(INT64[0], 2**63, n))
    assert ours.bit_generator.state == twin.bit_generator.state


def test_a_range_of_one_draws_nothing_and_an_empty_range_is_refused_as_numpy() -> None:
    ours, twin = _pair(11)
    _numpy_step(ours, twin, 1)
    np.testing.assert_array_equal(pcg.integers(pcg.state(ours), pcg.buffer(ours), 4, 5, 9), [4] * 9)
    assert ours.bit_generator.state == twin.bit_generator.state
    # numpy does not check an empty draw's bounds, and refuses others'
    assert pcg.integers(pcg.state(ours), pcg.buffer(ours), 3, 3, 0).size == 0
    assert twin.integers(3, 3, 0).size == 0
    for low, high in ((3, 3), (3, 2)):
        with pytest.raises(ValueError, match="low >= high"):
            pcg.integers(pcg.state(ours), pcg.buffer(ours), low, high, 1)
        with pytest.raises(ValueError, match="low >= high"):
            twin.integers(low, high, 1)
    assert ours.bit_generator.state == twin.bit_generator.state


@st.composite
def _samples(draw: st.DrawFn) -> tuple[int, int]:
    """A population and a sample size: small ones, ones around 10,000 (numpy's tail shuffle
    starts above it) and sizes around a fiftieth of the population (where it starts)."""
    pop = draw(
        st.one_of(st.integers(0, 60), st.integers(9_990, 10_010), st.integers(10_011, 60_000))
    )
    cut = pop // 50
    size = draw(
        st.one_of(
            st.sampled_from([0, 1, cut - 1, cut, cut + 1, cut + 2, pop - 1, pop]),
            st.integers(0, pop),
        )
    )
    return pop, min(max(size, 0), pop)


@given(seed=st.integers(0, 2**63 - 1), sample=_samples(), before=st.integers(0, 2))
@settings(max_examples=150, deadline=None)
def test_choice_without_replacement_is_numpys(
    seed: int, sample: tuple[int, int], before: int
) -> None:
    pop, size = sample
    ours, twin = _pair(seed)
    _numpy_step(ours, twin, before)
    got = pcg.choice(pcg.state(ours), pcg.buffer(ours), pop, size)
    want = twin.choice(pop, size, replace=False)
    np.testing.assert_array_equal(got, want)  # the order too: the shuffle's draws were numpy's
    assert got.dtype == want.dtype
    assert ours.bit_generator.state == twin.bit_generator.state
    _numpy_step(ours, twin, 1)
    assert ours.bit_generator.state == twin.bit_generator.state


@given(
    seed=st.integers(0, 2**63 - 1),
    pop=st.one_of(st.sampled_from([2**32 - 1, 2**32, 2**32 + 1]), st.integers(2**32, 2**45)),
    size=st.integers(0, 5),
    before=st.integers(0, 2),
)
@settings(max_examples=60, deadline=None)
def test_choice_from_populations_past_32_bits_is_numpys(
    seed: int, pop: int, size: int, before: int
) -> None:
    # Floyd's steps draw below j = pop - size, ..., pop - 1: a plain 32-bit draw at 2**32 - 1,
    # 64-bit Lemire above
    ours, twin = _pair(seed)
    _numpy_step(ours, twin, before)
    got = pcg.choice(pcg.state(ours), pcg.buffer(ours), pop, size)
    np.testing.assert_array_equal(got, twin.choice(pop, size, replace=False))
    assert ours.bit_generator.state == twin.bit_generator.state


def test_a_sample_larger_than_the_population_is_refused_as_numpy() -> None:
    ours, twin = _pair(5)
    for pop, size in ((3, 4), (0, 1), (20_000, 20_001)):
        with pytest.raises(ValueError):
            pcg.choice(pcg.state(ours), pcg.buffer(ours), pop, size)
        with pytest.raises(ValueError):
            twin.choice(pop, size, replace=False)
    assert ours.bit_generator.state == twin.bit_generator.state


def test_the_buffer_is_the_generators_own_kept_half() -> None:
    rng = np.random.default_rng(3)
    view = pcg.buffer(rng)
    assert view.dtype == np.uint32
    rng.integers(0, 5)  # a 32-bit draw keeps the other half of its 64-bit draw
    s = rng.bit_generator.state
    assert s["has_uint32"] == 1
    assert [int(w) for w in view] == [s["has_uint32"], s["uinteger"]]
    rng.integers(0, 5)  # and the next one takes it
    s = rng.bit_generator.state
    assert [int(w) for w in view] == [0, s["uinteger"]]
    assert pcg.buffer(rng) is view  # made once per generator
    assert pcg.buffer(np.random.default_rng(3)) is not view


def test_buffers_stay_right_when_generators_come_and_go() -> None:
    for seed in range(200):
        rng, twin = _pair(seed)
        rng.integers(0, 7, seed % 2)
        twin.integers(0, 7, seed % 2)
        got = pcg.integers(pcg.state(rng), pcg.buffer(rng), 0, 7, 3)
        np.testing.assert_array_equal(got, twin.integers(0, 7, 3))
        assert rng.bit_generator.state == twin.bit_generator.state
        del rng, twin


def test_other_bit_generators_are_refused() -> None:
    with pytest.raises(TypeError, match="PCG64"):
        pcg.buffer(np.random.Generator(np.random.Philox(1)))
    with pytest.raises(TypeError, match="PCG64"):
        pcg.buffer(np.random.Generator(np.random.PCG64DXSM(1)))
