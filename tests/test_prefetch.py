"""The cache hint compiles for any array and integer index and changes no value."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from numba.core.errors import TypingError

from allegiance.prefetch import prefetch


@njit(cache=True)
def _hinted_gather(a, idx, ahead):  # noqa: ANN001, ANN202
    out = np.empty(idx.size, a.dtype)
    for k in range(idx.size):
        if k + ahead < idx.size:
            prefetch(a, idx[k + ahead])
        out[k] = a[idx[k]]
    return out


@settings(max_examples=50, deadline=None)
@given(
    dtype=st.sampled_from([np.uint8, np.int16, np.int32, np.float32, np.float64, np.uint64]),
    n=st.integers(1, 5_000),
    ahead=st.integers(0, 64),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_hinted_loop_reads_what_a_plain_gather_reads(
    dtype: type, n: int, ahead: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 100, n).astype(dtype)
    before = a.copy()
    idx = np.sort(rng.integers(0, n, min(n, 300)))  # the last element among them at times
    np.testing.assert_array_equal(_hinted_gather(a, idx, ahead), a[idx])
    np.testing.assert_array_equal(a, before)


def test_only_an_array_and_an_integer_index_are_taken() -> None:
    @njit
    def by_float(a):  # noqa: ANN001, ANN202
        prefetch(a, 1.5)

    @njit
    def of_a_number(x):  # noqa: ANN001, ANN202
        prefetch(x, 0)

    with pytest.raises(TypingError):
        by_float(np.zeros(3))
    with pytest.raises(TypingError):
        of_a_number(3.0)
