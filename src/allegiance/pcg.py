"""NumPy's PCG64 generator stepped inside compiled code, on the generator's own state."""

from __future__ import annotations

import ctypes

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# Why: a mechanism's draws were a NumPy call (``rng.random(n)``) before the kernel that reads
# them, and joining's kernel took the Generator itself, which Numba unpacks at every call (about
# 6 us alone, more inside a month). Here a kernel steps the generator's PCG64 state where NumPy
# keeps it (a uint64 view of the bit generator's memory, made once per generator), so the kernel
# draws exactly the numbers ``Generator.random`` would have drawn and leaves the generator where
# NumPy would have: the next NumPy draw from it goes on from there. A step toward the month
# compiled as a whole (docs/performance.md).

#: PCG64's multiplier (O'Neill's PCG_DEFAULT_MULTIPLIER_128, as in numpy's pcg64.h)
MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
_U64 = (1 << 64) - 1
_TWO53 = 9007199254740992.0


@intrinsic
def step(typingctx, hi, lo, inc_hi, inc_lo):  # noqa: ANN001, ANN202, ARG001
    """numpy's PCG64 ``next64``: returns (state hi, state lo, output) from state and increment.

    state <- state * multiplier + inc (mod 2**128); the output is the XSL-RR of the new state,
    (hi ^ lo) rotated right by state >> 122. Written out in LLVM's 128-bit integers (Numba's
    language has none), so the state stays in registers and no call goes through a pointer.
    """
    if not all(t == types.uint64 for t in (hi, lo, inc_hi, inc_lo)):
        return None
    ret = types.UniTuple(types.uint64, 3)
    sig = ret(hi, lo, inc_hi, inc_lo)

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202, ARG001
        i64 = ir.IntType(64)
        i128 = ir.IntType(128)

        def join(h, low):  # noqa: ANN001, ANN202
            wide = builder.shl(builder.zext(h, i128), ir.Constant(i128, 64))
            return builder.or_(wide, builder.zext(low, i128))

        state = builder.mul(join(args[0], args[1]), ir.Constant(i128, MULTIPLIER))
        state = builder.add(state, join(args[2], args[3]))
        new_hi = builder.trunc(builder.lshr(state, ir.Constant(i128, 64)), i64)
        new_lo = builder.trunc(state, i64)
        mixed = builder.xor(new_hi, new_lo)
        rot = builder.lshr(new_hi, ir.Constant(i64, 58))
        fnty = ir.FunctionType(i64, [i64, i64, i64])
        fshr = cgutils.get_or_insert_function(builder.module, fnty, "llvm.fshr.i64")
        out = builder.call(fshr, [mixed, mixed, rot])  # rotate right
        return context.make_tuple(builder, ret, [new_hi, new_lo, out])

    return sig, codegen


@njit(cache=True, inline="always")
def double(k):  # noqa: ANN001, ANN202
    """numpy's ``Generator.random()`` from one ``next64``: its top 53 bits times 2**-53."""
    return (k >> np.uint64(11)) * (1.0 / _TWO53)


@njit(cache=True, inline="always")
def random(st):  # noqa: ANN001, ANN202
    """One ``Generator.random()`` from the state view ``st`` (see ``state``), advanced in place."""
    hi, lo, k = step(st[1], st[0], st[3], st[2])
    st[0] = lo
    st[1] = hi
    return double(k)


@njit(cache=True)
def fill(st, out):  # noqa: ANN001, ANN202
    """``out[:] = Generator.random(out.size)``, drawn from ``st`` in place."""
    hi, lo, inc_hi, inc_lo = st[1], st[0], st[3], st[2]
    for i in range(out.size):
        hi, lo, k = step(hi, lo, inc_hi, inc_lo)
        out[i] = double(k)
    st[0] = lo
    st[1] = hi


@njit(cache=True)
def draws(st, n):  # noqa: ANN001, ANN202
    """``Generator.random(n)``, drawn from ``st`` in place (a new float64 array)."""
    out = np.empty(n, np.float64)
    fill(st, out)
    return out


@njit(cache=True, inline="always")
def gumbel(st):  # noqa: ANN001, ANN202
    """One ``Generator.gumbel()`` (loc 0, scale 1), as numpy's ``random_gumbel``: U = 1 - random(),
    drawn again while U is 1, then loc - scale * log(-log(U)) with libm's log."""
    while True:
        u = 1.0 - random(st)
        if u < 1.0:
            return 0.0 - 1.0 * np.log(-np.log(u))


@njit(cache=True)
def gumbels(st, n):  # noqa: ANN001, ANN202
    """``Generator.gumbel(size=n)``, drawn from ``st`` in place (compiled on its own, without the
    caller's fastmath, so the arithmetic is numpy's)."""
    out = np.empty(n, np.float64)
    for i in range(n):
        out[i] = gumbel(st)
    return out


# numpy's pcg64_state (numpy/random/src/pcg64/pcg64.h): a pointer to the PCG state, then the
# buffered 32-bit draw. The PCG state is two 128-bit integers, state then increment, each stored
# as a native unsigned __int128 (low word first on little-endian machines).
class _Pcg64State(ctypes.Structure):
    _fields_ = [
        ("pcg_state", ctypes.c_void_p),
        ("has_uint32", ctypes.c_int),
        ("uinteger", ctypes.c_uint32),
    ]


# views by the address of the state they alias: a view is made once per generator (a few tens of
# microseconds), then found in about a microsecond. A new generator at a freed generator's address
# has its state where the old one had it, so the view found is still its own.
_VIEWS: dict[int, np.ndarray] = {}
_MAX_VIEWS = 4096


def state(rng: np.random.Generator) -> np.ndarray:
    """A uint64 view [state low, state high, increment low, increment high] of ``rng``'s PCG64
    state, in the generator's own memory: stepping it in a kernel advances ``rng``.

    The view is valid while ``rng`` lives; draw from it only where nothing else draws from
    ``rng`` at the same time (numpy's lock is not taken).
    """
    bg = rng.bit_generator
    if not isinstance(bg, np.random.PCG64):
        raise TypeError(f"a compiled draw needs a PCG64 generator, not {type(bg).__name__}")
    address = bg.ctypes.state_address
    view = _VIEWS.get(address)
    if view is not None:
        return view
    inner = _Pcg64State.from_address(address).pcg_state
    view = np.ctypeslib.as_array((ctypes.c_uint64 * 4).from_address(inner))
    words = bg.state["state"]
    expected = [
        words["state"] & _U64,
        words["state"] >> 64,
        words["inc"] & _U64,
        words["inc"] >> 64,
    ]
    if [int(w) for w in view] != expected:  # a numpy built without 128-bit integers, or changed
        raise RuntimeError("this numpy's PCG64 state is not laid out as allegiance.pcg expects")
    if len(_VIEWS) >= _MAX_VIEWS:
        _VIEWS.clear()
    _VIEWS[address] = view
    return view
