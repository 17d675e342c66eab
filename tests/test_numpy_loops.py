"""Compiled code running NumPy's own exp and expm1 loops gets NumPy's values, bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numba import njit

from allegiance import numpy_loops

_SPECIAL = [np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-300, -1e-300, 88.7, 89.0, 709.78, 710.0, -745.2]


@njit
def _in_place(x, which):  # noqa: ANN001, ANN202
    """exp (0) or expm1 (1) of a copy of ``x``, in place, as ``np.exp(a, out=a)``."""
    out = x.copy()
    if which == 0:
        numpy_loops.exp_into(out, out)
    else:
        numpy_loops.expm1_into(out, out)
    return out


@njit
def _rows(x):  # noqa: ANN001, ANN202
    """exp of a C-ordered 2-d array through its flat view, as NumPy runs an array's exp."""
    out = x.copy()
    numpy_loops.exp_into(out.reshape(-1), out.reshape(-1))
    return out


def _same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


@given(
    x=st.sampled_from([np.float32, np.float64]).flatmap(
        lambda dt: hnp.arrays(
            dt,
            st.integers(0, 300),
            elements=st.one_of(
                st.floats(-120, 120, width=32),
                st.sampled_from(_SPECIAL),
                st.floats(allow_nan=True, allow_infinity=True, width=32),
            ),
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_exp_and_expm1_are_numpys_bit_for_bit(x: np.ndarray) -> None:
    with np.errstate(all="ignore"):
        for ours, theirs, which in ((numpy_loops.exp, np.exp, 0), (numpy_loops.expm1, np.expm1, 1)):
            want = theirs(x)
            _same(ours(x), want)
            _same(_in_place(x, which), want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_long_arrays_and_every_tail_length_agree(dtype: type) -> None:
    rng = np.random.default_rng(3)
    for n in [*range(1, 70), 1000, 4097, 250_000]:
        x = (rng.standard_normal(n) * 8).astype(dtype)
        _same(numpy_loops.exp(x), np.exp(x))
        _same(numpy_loops.expm1(x), np.expm1(x))
    x = rng.standard_normal((7, 333)).astype(dtype)
    _same(_rows(x), np.exp(x))


def test_the_loops_are_not_libms() -> None:
    """What the module is for: on a machine where NumPy's exp is its own SIMD loop, libm's
    (a compiled ``np.exp``) differs from it in the last bit for some arguments, and ours
    does not. Where NumPy's exp is libm's there is nothing to tell apart."""
    x = np.random.default_rng(1).standard_normal(100_000) * 5
    libm = njit(lambda a: np.exp(a))(x)
    if libm.tobytes() == np.exp(x).tobytes():
        pytest.skip("NumPy's exp is libm's on this machine")
    _same(numpy_loops.exp(x), np.exp(x))


def test_a_loop_not_in_the_table_fails_loudly() -> None:
    with pytest.raises(RuntimeError, match="no loop int64->int64"):
        numpy_loops._loop(np.exp, np.int64)


def test_loaded_from_the_disk_cache_in_a_new_process(tmp_path: Path) -> None:
    """The loops are called by name, resolved when cached code is loaded: a second process,
    which loads the first's compiled code from the cache, gets NumPy's values too."""
    script = (
        "import numpy as np\n"
        "from numba import njit\n"
        "from allegiance import numpy_loops\n"
        "@njit(cache=True)\n"
        "def f(x):\n"
        "    return numpy_loops.expm1(numpy_loops.exp(x))\n"
        "x = np.linspace(-30, 30, 1001)\n"
        "print(int(f(x).tobytes() == np.expm1(np.exp(x)).tobytes()),"
        " len(f.stats.cache_hits))\n"
    )
    path = tmp_path / "twice.py"
    path.write_text(script)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, str(path)], capture_output=True, text=True, env=env, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0] == ["1", "0"]  # compiled, NumPy's values
    assert runs[1] == ["1", "1"]  # loaded from the cache, NumPy's values


def test_arrays_of_different_sizes_are_refused() -> None:
    @njit
    def into(x, out):  # noqa: ANN001, ANN202
        numpy_loops.expm1_into(x, out)

    with pytest.raises(ValueError, match="differ in size"):
        into(np.zeros(3), np.zeros(2))
