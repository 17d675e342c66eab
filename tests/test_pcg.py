"""PCG64 stepped in compiled code draws what numpy's Generator draws and leaves it where numpy would."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from allegiance import pcg


def _words(rng: np.random.Generator) -> list[int]:
    """The generator's PCG64 state as numpy reports it, in the view's order."""
    s = rng.bit_generator.state["state"]
    mask = (1 << 64) - 1
    return [s["state"] & mask, s["state"] >> 64, s["inc"] & mask, s["inc"] >> 64]


@njit(cache=True)
def _mixed(st, n):  # noqa: ANN001, ANN202
    """n draws one at a time, then n Gumbel keys one at a time (the kernels' inline helpers)."""
    out = np.empty(2 * n)
    for i in range(n):
        out[i] = pcg.random(st)
    for i in range(n):
        out[n + i] = pcg.gumbel(st)
    return out


@given(seed=st.integers(0, 2**63 - 1), sizes=st.lists(st.integers(0, 300), max_size=6))
@settings(max_examples=60, deadline=None)
def test_compiled_draws_are_numpys_draws_in_turn_with_numpy(seed: int, sizes: list[int]) -> None:
    ours, twin = np.random.default_rng(seed), np.random.default_rng(seed)
    for k, n in enumerate(sizes):
        if k % 3 == 0:
            got, want = pcg.draws(pcg.state(ours), n), twin.random(n)
        elif k % 3 == 1:
            got, want = pcg.gumbels(pcg.state(ours), n), twin.gumbel(size=n)
        else:  # numpy draws from the generator the kernels stepped, and goes on where they left it
            got, want = ours.random(n), twin.random(n)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    assert ours.bit_generator.state == twin.bit_generator.state


@given(seed=st.integers(0, 2**63 - 1), n=st.integers(0, 200))
@settings(max_examples=40, deadline=None)
def test_inline_helpers_draw_as_numpy(seed: int, n: int) -> None:
    ours, twin = np.random.default_rng(seed), np.random.default_rng(seed)
    got = _mixed(pcg.state(ours), n)
    want = np.concatenate([twin.random(n), twin.gumbel(size=n)])
    np.testing.assert_array_equal(got, want)
    assert ours.bit_generator.state == twin.bit_generator.state


def test_fill_writes_in_place_and_a_million_draws_agree() -> None:
    ours, twin = np.random.default_rng(7), np.random.default_rng(7)
    out = np.full(1_000_000, -1.0)
    pcg.fill(pcg.state(ours), out)
    np.testing.assert_array_equal(out, twin.random(out.size))
    assert ours.bit_generator.state == twin.bit_generator.state


def test_the_view_is_the_generators_own_state() -> None:
    rng = np.random.default_rng(3)
    view = pcg.state(rng)
    assert [int(w) for w in view] == _words(rng)
    rng.random(5)  # numpy's draws move the view: it is the generator's memory, not a copy
    assert [int(w) for w in view] == _words(rng)
    assert pcg.state(rng) is view  # made once per generator
    other = np.random.default_rng(3)
    assert pcg.state(other) is not view


def test_views_stay_right_when_generators_come_and_go() -> None:
    # a new generator may take a freed one's address: the view found must alias its own state
    for seed in range(300):
        rng = np.random.default_rng(seed)
        assert [int(w) for w in pcg.state(rng)] == _words(rng)
        twin = np.random.default_rng(seed)
        np.testing.assert_array_equal(pcg.draws(pcg.state(rng), 3), twin.random(3))
        del rng, twin


def test_other_bit_generators_are_refused() -> None:
    with pytest.raises(TypeError, match="PCG64"):
        pcg.state(np.random.Generator(np.random.Philox(1)))
    with pytest.raises(TypeError, match="PCG64"):
        pcg.state(np.random.Generator(np.random.PCG64DXSM(1)))
