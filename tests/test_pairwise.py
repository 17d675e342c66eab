"""The compiled pairwise sum is NumPy's sum, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from allegiance.pairwise import total


def _bits(x: object, dtype: type) -> bytes:
    return np.asarray(x, dtype).tobytes()


@given(
    dtype=st.sampled_from([np.float32, np.float64]),
    n=st.one_of(st.integers(0, 300), st.integers(300, 5_000)),
    seed=st.integers(0, 2**32 - 1),
    spread=st.floats(0, 12),
)
@settings(max_examples=300, deadline=None)
def test_total_is_numpys_sum(dtype: type, n: int, seed: int, spread: float) -> None:
    rng = np.random.default_rng(seed)
    # mixed signs and magnitudes, so that the order of the additions shows in the last bits
    a = (rng.standard_normal(n) * 10.0 ** rng.uniform(-spread, spread, n)).astype(dtype)
    got = total(a)
    assert _bits(got, dtype) == _bits(a.sum(), dtype)
    assert np.asarray(got).dtype == dtype or isinstance(got, float)


@given(
    a=hnp.arrays(
        st.sampled_from([np.float32, np.float64]),
        st.integers(0, 200),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=32),
    )
)
@settings(max_examples=300, deadline=None)
def test_total_keeps_numpys_zeros_infinities_and_nans(a: np.ndarray) -> None:
    got, want = total(a), a.sum()
    if np.isnan(want):
        assert np.isnan(got)
    else:
        assert _bits(got, a.dtype) == _bits(want, a.dtype)
