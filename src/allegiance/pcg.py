"""NumPy's PCG64 generator stepped inside compiled code, on the generator's own state."""

from __future__ import annotations

import ctypes
from collections.abc import Callable

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
    return _view(rng, _VIEWS, _state_view)


def _view(
    rng: np.random.Generator,
    cache: dict[int, np.ndarray],
    make: Callable[[np.random.PCG64, int], np.ndarray],
) -> np.ndarray:
    """``make(bit generator, state address)``'s view of ``rng``, made once per generator."""
    bg = rng.bit_generator
    if not isinstance(bg, np.random.PCG64):
        raise TypeError(f"a compiled draw needs a PCG64 generator, not {type(bg).__name__}")
    address = bg.ctypes.state_address
    view = cache.get(address)
    if view is None:
        view = make(bg, address)
        if len(cache) >= _MAX_VIEWS:
            cache.clear()
        cache[address] = view
    return view


def _state_view(bg: np.random.PCG64, address: int) -> np.ndarray:
    """The PCG state's four words, checked against what numpy reports."""
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
    return view


# --- bounded integers and sampling without replacement, as numpy's Generator draws them ---
#
# Why: ``Generator.integers`` and ``Generator.choice(..., replace=False)`` cost a few
# microseconds a call in argument handling alone, and the month calls them with a few hundred
# numbers at most. These kernels take the same numbers from the same stream by numpy's own
# algorithms (numpy/random/src/distributions/distributions.c, _bounded_integers.pyx.in and
# _generator.pyx, as of numpy 2.x): Lemire's rejection on 32-bit draws for ranges that fit in
# 32 bits, on 64-bit draws with 128-bit products for wider ones. A 32-bit draw of PCG64 is half
# of a 64-bit one: numpy keeps the other half in the bit generator (``has_uint32``,
# ``uinteger``), so the kernels read and write it there too (``buffer``).

_LOW32 = np.uint64(0xFFFFFFFF)
_MAX64 = np.uint64(_U64)
_ONE = np.uint64(1)
_SHIFT32 = np.uint64(32)
# numpy's Floyd sampler: a hash set of at least 1.2 * size slots; the tail shuffle above this
# population when more than a fiftieth of it is drawn (choice's heuristic with shuffle=True)
_FLOYD_SLACK = 1.2
_SHUFFLE_MIN_POP = 10000
_SHUFFLE_FRACTION = 50


@intrinsic
def wide(typingctx, a, b):  # noqa: ANN001, ANN202, ARG001
    """The 128-bit product of two uint64 as (high word, low word), in LLVM's 128-bit integers."""
    if not (a == types.uint64 and b == types.uint64):
        return None
    ret = types.UniTuple(types.uint64, 2)
    sig = ret(a, b)

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202, ARG001
        i64 = ir.IntType(64)
        i128 = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], i128), builder.zext(args[1], i128))
        high = builder.trunc(builder.lshr(product, ir.Constant(i128, 64)), i64)
        low = builder.trunc(product, i64)
        return context.make_tuple(builder, ret, [high, low])

    return sig, codegen


@njit(cache=True, inline="always")
def next64(st):  # noqa: ANN001, ANN202
    """numpy's ``next_uint64`` of PCG64 from the state view ``st``, advanced in place."""
    hi, lo, k = step(st[1], st[0], st[3], st[2])
    st[0] = lo
    st[1] = hi
    return k


@njit(cache=True, inline="always")
def next32(st, buf):  # noqa: ANN001, ANN202
    """numpy's ``next_uint32`` of PCG64: the kept high half of the last 64-bit draw if there is
    one (``buf``, see ``buffer``), else a new draw whose low half is returned and high half kept.
    A used half stays in ``uinteger`` with the flag cleared, as numpy leaves it."""
    if buf[0] != 0:
        buf[0] = 0
        return buf[1]
    k = next64(st)
    buf[0] = 1
    buf[1] = np.uint32(k >> _SHIFT32)
    return np.uint32(k & _LOW32)


@njit(cache=True, inline="always")
def lemire32(st, buf, rng):  # noqa: ANN001, ANN202
    """numpy's ``buffered_bounded_lemire_uint32``: uniform on [0, rng] for rng < 2**32 - 1 (a
    uint64), from 32-bit draws: the high half of draw * (rng + 1), drawn again while the low
    half falls in the biased sliver below (2**32 - rng - 1) % (rng + 1)."""
    excl = rng + _ONE
    m = np.uint64(next32(st, buf)) * excl
    leftover = m & _LOW32
    if leftover < excl:  # excl bounds the threshold: only then is the remainder needed
        threshold = (_LOW32 - rng) % excl
        while leftover < threshold:
            m = np.uint64(next32(st, buf)) * excl
            leftover = m & _LOW32
    return m >> _SHIFT32


@njit(cache=True, inline="always")
def lemire64(st, rng):  # noqa: ANN001, ANN202
    """numpy's ``bounded_lemire_uint64``: uniform on [0, rng] for 2**32 <= rng < 2**64 - 1, the
    same rejection on 64-bit draws with the 128-bit product."""
    excl = rng + _ONE
    high, low = wide(next64(st), excl)
    if low < excl:
        threshold = (_MAX64 - rng) % excl
        while low < threshold:
            high, low = wide(next64(st), excl)
    return high


@njit(cache=True, inline="always")
def bounded(st, buf, rng):  # noqa: ANN001, ANN202
    """numpy's ``random_bounded_uint64`` with offset 0 and Lemire's method: uniform on [0, rng]
    (a uint64). No draw for rng 0; a plain 32- or 64-bit draw where the range is all of them."""
    if rng == 0:
        return np.uint64(0)
    if rng < _LOW32:
        return lemire32(st, buf, rng)
    if rng == _LOW32:
        return np.uint64(next32(st, buf))
    if rng == _MAX64:
        return next64(st)
    return lemire64(st, rng)


@njit(cache=True)
def bounded_fill(st, buf, off, rng, out):  # noqa: ANN001, ANN202
    """numpy's ``random_bounded_uint64_fill`` (Lemire's method): ``out[i] = off + a draw on
    [0, rng]``, wrapping modulo 2**64 (``off``, ``rng`` uint64; ``out`` uint64 or int64)."""
    for i in range(out.size):
        out[i] = off + bounded(st, buf, rng)


@njit(cache=True)
def integers(st, buf, low, high, n):  # noqa: ANN001, ANN202
    """``Generator.integers(low, high, n)`` (int64, high exclusive), drawn from ``st`` and
    ``buf`` in place: an int64 array. As numpy, an empty draw is not checked and takes nothing;
    otherwise ``low >= high`` raises."""
    out = np.empty(n, np.int64)
    if n == 0:
        return out
    if low >= high:
        raise ValueError("low >= high")
    # the closed range high - 1 - low in uint64, where it cannot overflow
    rng = np.uint64(high) - np.uint64(low) - _ONE
    off = np.uint64(low)
    for i in range(n):
        out[i] = np.int64(off + bounded(st, buf, rng))
    return out


@njit(cache=True, inline="always")
def _mask(x):  # noqa: ANN001, ANN202
    """numpy's ``_gen_mask``: the smallest 2**k - 1 at or above ``x`` (a uint64)."""
    for shift in (1, 2, 4, 8, 16, 32):
        x |= x >> np.uint64(shift)
    return x


@njit(cache=True, inline="always")
def _shuffle_tail(st, buf, data, first):  # noqa: ANN001, ANN202
    """numpy's ``_shuffle_int``: Fisher-Yates from the last element down to ``first``."""
    for i in range(data.size - 1, first - 1, -1):
        j = bounded(st, buf, np.uint64(i))
        data[i], data[j] = data[j], data[i]


@njit(cache=True)
def choice(st, buf, pop_size, size):  # noqa: ANN001, ANN202
    """``Generator.choice(pop_size, size, replace=False)`` (shuffled, no ``p``), drawn from ``st``
    and ``buf`` in place: ``size`` distinct int64 indices below ``pop_size``, in numpy's order.

    As numpy: a large draw from a large population (above 10,000, more than a fiftieth of it)
    shuffles the tail of a full index range; any other is Floyd's algorithm, each step's
    candidate kept in a linear-probing hash set, then the sample shuffled."""
    if size > pop_size:
        raise ValueError("Cannot take a larger sample than population when replace is False")
    if size < 0:
        raise ValueError("negative dimensions are not allowed")
    if pop_size > _SHUFFLE_MIN_POP and size > pop_size // _SHUFFLE_FRACTION:
        everyone = np.arange(pop_size)
        _shuffle_tail(st, buf, everyone, max(pop_size - size, 1))
        return everyone[pop_size - size :].copy()
    out = np.empty(size, np.int64)
    mask = _mask(np.uint64(_FLOYD_SLACK * size))
    empty = _MAX64
    seen = np.full(np.int64(mask) + 1, empty, np.uint64)
    start = pop_size - size
    for j in range(start, pop_size):
        val = bounded(st, buf, np.uint64(j))
        loc = val & mask
        while seen[loc] != empty and seen[loc] != val:
            loc = (loc + _ONE) & mask
        if seen[loc] == empty:  # a new index: keep it
            seen[loc] = val
            out[j - start] = np.int64(val)
        else:  # drawn before: j itself, never a candidate until now, takes its place
            loc = np.uint64(j) & mask
            while seen[loc] != empty:
                loc = (loc + _ONE) & mask
            seen[loc] = np.uint64(j)
            out[j - start] = j
    _shuffle_tail(st, buf, out, 1)
    return out


# buffer views by the address of the bit generator's state, as the state views above
_BUFFERS: dict[int, np.ndarray] = {}


def buffer(rng: np.random.Generator) -> np.ndarray:
    """A uint32 view [has_uint32, uinteger] of ``rng``'s kept half of a 64-bit draw, in the
    generator's own memory: the 32-bit draws of ``next32`` (and so ``integers`` and ``choice``)
    take it and leave it as numpy's would. Valid while ``rng`` lives, as ``state``'s view."""
    return _view(rng, _BUFFERS, _buffer_view)


def _buffer_view(bg: np.random.PCG64, address: int) -> np.ndarray:
    """The kept half and its flag, checked against what numpy reports."""
    offset = _Pcg64State.has_uint32.offset
    if _Pcg64State.uinteger.offset != offset + 4 or ctypes.sizeof(ctypes.c_int) != 4:
        raise RuntimeError("this numpy's PCG64 state is not laid out as allegiance.pcg expects")
    view = np.ctypeslib.as_array((ctypes.c_uint32 * 2).from_address(address + offset))
    kept = bg.state
    if [int(w) for w in view] != [kept["has_uint32"], kept["uinteger"]]:
        raise RuntimeError("this numpy's PCG64 state is not laid out as allegiance.pcg expects")
    return view
