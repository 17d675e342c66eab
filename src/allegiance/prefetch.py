"""A cache hint for compiled loops over scattered people: start loading an element, go on."""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

# Why: a loop over members (1% of the people, in index order) reads each one's attributes from
# population-sized arrays, one cache line per member and attribute; past the processor's cache
# (about 4M people here) each read waits for memory. Started a few members ahead, the reads
# overlap. Used in joining's kernel and in the member loops of leaving, combat, harm, ties,
# assignment, redeployment and record (docs/performance.md). Numba's disk cache of a kernel that
# uses it does not see a change here: clear that module's __pycache__ after one.
# How many members ahead a member loop starts its reads: far enough that a read from memory (about
# 100 ns) is done when the loop gets there, near enough that the lines are still cached. At 8M
# people 32 measured best of 4, 8, 16, 32 and 64 (4 and 8 clearly slower, 64 no better); at 1M
# and 100k people the loops measured no slower.
AHEAD = 32


@intrinsic
def prefetch(typingctx, arr, idx):  # noqa: ANN001, ANN202, ARG001
    """Start loading ``arr[idx]`` into the caches (llvm.prefetch: prefetcht0 on x86, nothing
    where a target has no prefetch) and go on without waiting. A hint only: no value changes."""
    if not isinstance(arr, types.Array) or not isinstance(idx, types.Integer):
        return None

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202, ARG001
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(
            context, builder, aryty, ary, [args[1]], wraparound=False, boundscheck=False
        )
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # a read (0), kept in every cache level (3), of data (1)
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(arr, idx), codegen
