"""NumPy's own ``exp`` and ``expm1`` inner loops, called from compiled code with NumPy's results."""

from __future__ import annotations

import ctypes

import llvmlite.binding as llvm
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

# Why: the month's compiled stretches stopped wherever an array went through NumPy's ``exp`` or
# ``expm1``, because NumPy's SIMD loops (its own exp, Intel's SVML on AVX-512 machines) differ
# from libm's in the last bit for a good share of arguments, and a last bit can change an
# outcome. Here compiled code calls the very inner loop a ``np.exp(x)`` call runs, so the values
# are NumPy's bit for bit and the stretches can run on through an exponential.
#
# How: a ufunc keeps its inner loops in a table (``PyUFuncObject.functions``, one per type
# signature, part of NumPy's public C API since 1.0). At import the loops for float32 and
# float64 are read from that table and registered with LLVM under names of their own, so
# compiled code calls them by name: the address is resolved when the code is loaded, which keeps
# Numba's disk cache valid from one process to the next (an address written into the code would
# not be). NumPy calls the loop with the arrays' pointers, the length and the strides; so do we,
# with contiguous arrays, the case ``np.exp(x)`` itself runs (NumPy's SIMD loops take their
# vector path only for an output that is contiguous and aligned, as a new array is).


class _UFunc(ctypes.Structure):
    """The head of NumPy's ``PyUFuncObject`` (numpy/_core/include/numpy/ufuncobject.h)."""

    _fields_ = (
        ("ob_refcnt", ctypes.c_ssize_t),
        ("ob_type", ctypes.c_void_p),
        ("nin", ctypes.c_int),
        ("nout", ctypes.c_int),
        ("nargs", ctypes.c_int),
        ("identity", ctypes.c_int),
        ("functions", ctypes.POINTER(ctypes.c_void_p)),
        ("data", ctypes.POINTER(ctypes.c_void_p)),
        ("ntypes", ctypes.c_int),
        ("reserved1", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("types", ctypes.POINTER(ctypes.c_char)),
    )


def _loop(ufunc: np.ufunc, dtype: type) -> int:
    """The address of ``ufunc``'s inner loop for ``dtype`` -> ``dtype`` (checked against the
    ufunc's own name, loop count and type list, so a changed layout fails here, loudly)."""
    head = _UFunc.from_address(id(ufunc))
    if head.name != ufunc.__name__.encode() or head.ntypes != ufunc.ntypes:
        raise RuntimeError(f"numpy.{ufunc.__name__}: the ufunc's layout is not NumPy's C API")
    code = np.dtype(dtype).char
    signature = f"{code}->{code}"
    if signature not in ufunc.types:
        raise RuntimeError(
            f"numpy.{ufunc.__name__}: no loop {np.dtype(dtype).name}->{np.dtype(dtype).name}"
        )
    index = ufunc.types.index(signature)
    num = np.dtype(dtype).num  # the table holds type numbers (NPY_FLOAT, NPY_DOUBLE)
    if list(head.types[2 * index : 2 * index + 2]) != [num, num]:
        raise RuntimeError(f"numpy.{ufunc.__name__}: loop {index} is not {signature}")
    if head.data[index]:  # these loops take no data pointer; one that does is another kind
        raise RuntimeError(f"numpy.{ufunc.__name__}: loop {signature} expects data")
    return int(head.functions[index])


#: the loops' names as compiled code calls them, with their addresses registered for LLVM
SYMBOLS = {
    (name, bits): f"allegiance_numpy_{name}_f{bits}"
    for name in ("exp", "expm1")
    for bits in (32, 64)
}
for (_name, _bits), _symbol in SYMBOLS.items():
    llvm.add_symbol(_symbol, _loop(getattr(np, _name), np.float32 if _bits == 32 else np.float64))


def _caller(name: str):  # noqa: ANN202
    """An intrinsic ``call(x, out)``: NumPy's ``name`` loop over contiguous 1-d ``x`` into
    ``out`` (same dtype, same size: the callers see to it)."""

    @intrinsic
    def call(typingctx, x, out):  # noqa: ANN001, ANN202, ARG001
        if not (
            isinstance(x, types.Array)
            and isinstance(out, types.Array)
            and x.dtype == out.dtype
            and x.dtype in (types.float32, types.float64)
        ):
            return None
        bits = x.dtype.bitwidth
        sig = types.void(x, out)

        def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202, ARG001
            i8p = ir.IntType(8).as_pointer()
            i64 = ir.IntType(64)
            fnty = ir.FunctionType(
                ir.VoidType(), [i8p.as_pointer(), i64.as_pointer(), i64.as_pointer(), i8p]
            )
            fn = cgutils.get_or_insert_function(builder.module, fnty, SYMBOLS[(name, bits)])
            xs = context.make_array(signature.args[0])(context, builder, args[0])
            os = context.make_array(signature.args[1])(context, builder, args[1])
            # NumPy's loop signature: (char **args, npy_intp *dimensions, npy_intp *steps, data)
            pointers = cgutils.alloca_once(builder, i8p, size=2)
            builder.store(builder.bitcast(xs.data, i8p), pointers)
            builder.store(
                builder.bitcast(os.data, i8p), builder.gep(pointers, [ir.Constant(i64, 1)])
            )
            dims = cgutils.alloca_once(builder, i64)
            builder.store(builder.extract_value(xs.shape, 0), dims)
            steps = cgutils.alloca_once(builder, i64, size=2)
            width = ir.Constant(i64, bits // 8)
            builder.store(width, steps)
            builder.store(width, builder.gep(steps, [ir.Constant(i64, 1)]))
            builder.call(fn, [pointers, dims, steps, ir.Constant(i8p, None)])
            return context.get_dummy_value()

        return sig, codegen

    return call


_exp_loop = _caller("exp")
_expm1_loop = _caller("expm1")


def exp_into(x: np.ndarray, out: np.ndarray) -> None:
    """``np.exp(x, out=out)`` for contiguous 1-d float32 or float64 arrays, in compiled code."""
    np.exp(x, out=out)


def expm1_into(x: np.ndarray, out: np.ndarray) -> None:
    """``np.expm1(x, out=out)`` for contiguous 1-d float32 or float64 arrays, in compiled code."""
    np.expm1(x, out=out)


def _contiguous_same(x, out) -> bool:  # noqa: ANN001
    return (
        isinstance(x, types.Array)
        and isinstance(out, types.Array)
        and x.ndim == 1
        and out.ndim == 1
        and x.layout == "C"
        and out.layout == "C"
        and x.dtype == out.dtype
        and x.dtype in (types.float32, types.float64)
    )


@overload(exp_into, jit_options={"cache": True})
def _exp_into(x, out):  # noqa: ANN001, ANN202
    if not _contiguous_same(x, out):
        return None

    def impl(x, out):  # noqa: ANN001, ANN202
        if x.size != out.size:
            raise ValueError("exp_into: x and out differ in size")
        _exp_loop(x, out)

    return impl


@overload(expm1_into, jit_options={"cache": True})
def _expm1_into(x, out):  # noqa: ANN001, ANN202
    if not _contiguous_same(x, out):
        return None

    def impl(x, out):  # noqa: ANN001, ANN202
        if x.size != out.size:
            raise ValueError("expm1_into: x and out differ in size")
        _expm1_loop(x, out)

    return impl


@njit(cache=True)
def exp(x):  # noqa: ANN001, ANN202
    """``np.exp(x)`` of a contiguous 1-d float32 or float64 array: a new array, NumPy's values."""
    out = np.empty_like(x)
    exp_into(x, out)
    return out


@njit(cache=True)
def expm1(x):  # noqa: ANN001, ANN202
    """``np.expm1(x)`` of a contiguous 1-d float32 or float64 array: a new array, NumPy's values."""
    out = np.empty_like(x)
    expm1_into(x, out)
    return out
