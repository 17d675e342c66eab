"""NumPy's pairwise summation in compiled code, to the last bit."""

from __future__ import annotations

import numpy as np
from numba import njit

# Why: a compiled stretch of the month that needs a sum NumPy made (a total of float32 pay, of
# float64 scores) must add in NumPy's order, or a last bit would differ now and then. NumPy sums
# a contiguous float array (``a.sum()``) as its reduction's identity, zero, plus the pairwise sum
# of the whole array: blocks of at most 128 elements added with eight accumulators, larger
# arrays split in two at a multiple of eight (numpy/_core/src/umath/loops_utils.h.src,
# ``pairwise_sum``). ``tests/test_pairwise.py`` holds it to ``a.sum()`` over sizes and values.

_BLOCK = 128  # PW_BLOCKSIZE


@njit(cache=True)
def _leaf(a, lo, n):  # noqa: ANN001, ANN202
    """NumPy's sum of a block of at most 128: eight accumulators (or one, under eight)."""
    if n < 8:
        res = np.empty(1, a.dtype)
        res[0] = -0.0  # as NumPy (the zero total() adds makes a sum of -0s +0 anyway)
        r = res[0]
        for i in range(lo, lo + n):
            r += a[i]
        return r
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - (n % 8):
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    r = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        r += a[lo + i]
        i += 1
    return r


@njit(cache=True)
def _pairwise(a, lo, n):  # noqa: ANN001, ANN202
    """The pairwise sum of ``a[lo:lo + n]``, in NumPy's order and the array's dtype: NumPy's
    recursion (halves at a multiple of eight, blocks of at most 128) walked with a stack, since
    Numba's disk cache cannot hold a recursive function."""
    if n <= _BLOCK:
        return _leaf(a, lo, n)
    starts = np.empty(64, np.int64)  # the halves' depth is under log2(n) < 64
    sizes = np.empty(64, np.int64)
    stage = np.zeros(64, np.int64)  # 0: left half next, 1: right half next, 2: add the two
    sums = np.empty(64, a.dtype)
    top, k = 0, 0
    starts[0], sizes[0], stage[0] = lo, n, 0
    while top >= 0:
        m = sizes[top]
        if m <= _BLOCK:
            sums[k] = _leaf(a, starts[top], m)
            k += 1
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if stage[top] == 0:
            stage[top] = 1
            starts[top + 1], sizes[top + 1], stage[top + 1] = starts[top], half, 0
            top += 1
        elif stage[top] == 1:
            stage[top] = 2
            starts[top + 1], sizes[top + 1] = starts[top] + half, m - half
            stage[top + 1] = 0
            top += 1
        else:
            sums[k - 2] = sums[k - 2] + sums[k - 1]
            k -= 1
            top -= 1
    return sums[0]


@njit(cache=True)
def total(a):  # noqa: ANN001, ANN202
    """``a.sum()`` of a contiguous float32 or float64 array, bit for bit (in its dtype)."""
    zero = np.zeros(1, a.dtype)[0]
    return zero + _pairwise(a, 0, a.size)
