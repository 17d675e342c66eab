"""Epstein's civil-violence model (PNAS 2002) as arrays and Numba kernels, matched to Mesa 3.5.1."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from llvmlite import ir as llvm_ir
from numba import njit, types
from numba.core import cgutils
from numba.cpython.unsafe.numbers import trailing_zeros
from numba.extending import intrinsic

from ..errors import UserError
from ..kernel_cache import drop_stale
from ..pcg import double as _double
from ..pcg import step as _pcg64_step
from ..rng import stream

# Cell codes on the grid and agent states share one alphabet, so looking at a cell in vision reads
# only the int8 code grid (small enough to stay in cache) and never the agent arrays.
EMPTY = -1
QUIET = 0
ACTIVE = 1
JAILED = 2  # Mesa's CitizenState.ARRESTED: still on its cell, blocking it, counted as neither
COP = 3

NEIGHBOURHOODS = ("von_neumann", "moore")

# columns of the agent records (CivilViolenceState.agents)
_X, _Y, _JAIL, _QUIET_FROM = 0, 1, 2, 3


@dataclass(frozen=True)
class CivilViolenceParams:
    """Parameters and defaults of Mesa's ``EpsteinScenario`` (mesa 3.5.1, examples/advanced).

    Epstein, J. M. (2002). Modeling civil violence: An agent-based computational approach.
    PNAS 99(suppl. 3), 7243-7250. Defaults follow Mesa's example, not the paper's runs:
    legitimacy 0.8, max_jail_term 1000, k = 2.3 (the paper's k, chosen so that P = 0.9 when
    C = A = 1), threshold T = 0.1 (the paper's), vision 7 (the paper's Run 1 value).
    """

    width: int = 40
    height: int = 40
    citizen_density: float = 0.7
    cop_density: float = 0.074
    #: Mesa accepts ``citizen_vision`` but never reads it: citizens look as far as cops
    #: (``EpsteinAgent.update_neighbors`` uses ``cop_vision``). Kept for parity; see docs/docking.md.
    citizen_vision: int = 7
    cop_vision: int = 7
    legitimacy: float = 0.8
    max_jail_term: int = 1000
    active_threshold: float = 0.1
    arrest_prob_constant: float = 2.3
    movement: bool = True
    neighbourhood: str = "von_neumann"

    def __post_init__(self) -> None:
        checks: list[tuple[str, bool, str]] = [
            ("width", self.width >= 3, "an integer >= 3"),
            ("height", self.height >= 3, "an integer >= 3"),
            ("citizen_density", 0.0 <= self.citizen_density <= 1.0, "a number in [0, 1]"),
            ("cop_density", 0.0 <= self.cop_density <= 1.0, "a number in [0, 1]"),
            ("cop_vision", self.cop_vision >= 1, "an integer >= 1"),
            ("citizen_vision", self.citizen_vision >= 1, "an integer >= 1"),
            ("legitimacy", 0.0 <= self.legitimacy <= 1.0, "a number in [0, 1]"),
            # terms are kept as int32 in the agent records
            ("max_jail_term", 0 <= self.max_jail_term < 2**31, "an integer in [0, 2**31 - 1]"),
            ("arrest_prob_constant", self.arrest_prob_constant >= 0.0, "a number >= 0"),
            ("neighbourhood", self.neighbourhood in NEIGHBOURHOODS, "von_neumann or moore"),
        ]
        for name, ok, allowed in checks:
            if not ok:
                raise UserError(f"{name}: {getattr(self, name)!r}; allowed: {allowed}")
        if self.citizen_density + self.cop_density > 1.0:
            raise UserError(
                f"citizen_density + cop_density: {self.citizen_density + self.cop_density:g}; "
                "allowed: at most 1"
            )

    def as_mesa(self) -> dict[str, object]:
        """The same parameters under the names of Mesa's ``EpsteinScenario`` and model."""
        data = asdict(self)
        data["grid_type"] = "Von Neumann" if data.pop("neighbourhood") == "von_neumann" else "Moore"
        return data


@dataclass
class CivilViolenceState:
    """Agent records and arrays, one entry per agent (citizens and cops), plus three grids."""

    pad: np.ndarray  # int8 (width + 2r, height + 2r): EMPTY or the occupant's state, with halo
    radius: int  # halo width r (the vision)
    ids: np.ndarray  # int32 (width, height): occupant's index or -1
    #: packed cops + actives << shift in vision or on the cell, rows with a halo (see
    #: ``TallyLayout``); ``near`` reads it as ``near_counts`` counts
    tally: np.ndarray
    layout: TallyLayout
    #: int32 (n, 4), one record per agent: x, y, remaining jail term (Mesa's ``jail_sentence``)
    #: and ``quiet_from`` (see ``quiet_from``). What an activation reads about its agent lies in
    #: one 16-byte record, one cache line, instead of one line in each of five arrays.
    agents: np.ndarray
    state: np.ndarray  # int8 per agent: QUIET, ACTIVE, JAILED, or COP (cops never change)
    hardship: np.ndarray  # float64 per agent (NaN for cops)
    risk_aversion: np.ndarray  # float64 per agent (NaN for cops)
    grievance: np.ndarray  # float64 per agent: H(1 - L), fixed for the run

    @property
    def x(self) -> np.ndarray:
        return self.agents[:, _X]

    @property
    def y(self) -> np.ndarray:
        return self.agents[:, _Y]

    @property
    def jail(self) -> np.ndarray:
        """Remaining jail terms (a view: writing it changes the model)."""
        return self.agents[:, _JAIL]

    @property
    def code(self) -> np.ndarray:
        """The grid without its halo: EMPTY or the occupant's state per cell."""
        w, h = self.ids.shape
        return self.pad[self.radius : self.radius + w, self.radius : self.radius + h]

    @property
    def near(self) -> np.ndarray:
        """Cops + actives * NEAR_ACTIVE in each cell's vision or on it (``near_counts``' form)."""
        return self.layout.unfold(self.tally, self.ids.shape[1])

    @property
    def is_cop(self) -> np.ndarray:
        return self.state == COP

    @property
    def n_citizens(self) -> int:
        return int(np.count_nonzero(self.state != COP))


def neighbourhood_offsets(radius: int, width: int, height: int, kind: str) -> np.ndarray:
    """Offsets (dx, dy) of the distinct cells within ``radius`` of a cell on the torus.

    Mesa's ``Cell.get_neighborhood(radius)`` walks the grid breadth-first and keeps each cell
    once, without the centre: on a von Neumann grid that is the diamond |dx| + |dy| <= radius,
    on a Moore grid the square max(|dx|, |dy|) <= radius. When the radius reaches round the
    torus, a cell met twice counts once, and so does it here (first offset kept). The order is
    row-major (dx, then dy ascending): the order in which an arrest or the move fallback counts
    off the nth active or empty cell, and the order of the row spans of the tallies.
    """
    seen: set[tuple[int, int]] = {(0, 0)}
    out: list[tuple[int, int]] = []
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            far = abs(dx) + abs(dy) if kind == "von_neumann" else max(abs(dx), abs(dy))
            cell = (dx % width, dy % height)
            if far > radius or cell in seen:
                continue
            seen.add(cell)
            out.append((dx, dy))
    return np.asarray(out, dtype=np.int64).reshape(-1, 2)


def row_spans(radius: int, kind: str) -> np.ndarray:
    """Half-width of the neighbourhood in each row dx = -radius..radius."""
    d = np.arange(-radius, radius + 1)
    spans = radius - np.abs(d) if kind == "von_neumann" else np.full(d.shape, radius)
    return spans.astype(np.int64)


def pad_grid(code: np.ndarray, r: int) -> np.ndarray:
    """The grid with a halo of width ``r`` copied from the opposite sides (torus)."""
    w, h = code.shape
    xs = (np.arange(w + 2 * r) - r) % w
    ys = (np.arange(h + 2 * r) - r) % h
    return np.ascontiguousarray(code[np.ix_(xs, ys)])


def setup(params: CivilViolenceParams, seed: int) -> CivilViolenceState:
    """Place agents as Mesa does: each cell independently a citizen, a cop, or empty.

    Mesa draws ``random.choices([Citizen, Cop, None], cum_weights=[d_c, d_c + d_p, 1])`` per
    cell, so agent counts are random (the paper fixes them). Each citizen then draws hardship
    and risk aversion from U(0, 1); everyone starts quiet and free.
    """
    rng = stream(seed, "civil_violence.setup")
    w, h = params.width, params.height
    u = rng.random(w * h)
    kind = np.full(w * h, EMPTY, dtype=np.int8)
    kind[u < params.citizen_density] = QUIET
    kind[(u >= params.citizen_density) & (u < params.citizen_density + params.cop_density)] = COP
    cells = np.flatnonzero(kind != EMPTY)
    n = cells.size
    state = kind[cells].copy()
    citizen = state == QUIET
    hardship = np.full(n, np.nan)
    risk = np.full(n, np.nan)
    hardship[citizen] = rng.random(int(citizen.sum()))
    risk[citizen] = rng.random(int(citizen.sum()))
    return assemble(params, cells // h, cells % h, state, hardship, risk)


def assemble(
    params: CivilViolenceParams,
    x: np.ndarray,
    y: np.ndarray,
    state: np.ndarray,
    hardship: np.ndarray,
    risk: np.ndarray,
) -> CivilViolenceState:
    """The model's state from its agents: grids, tallies and agent records."""
    w, h = params.width, params.height
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    state = np.asarray(state, dtype=np.int8)
    code = np.full((w, h), EMPTY, dtype=np.int8)
    ids = np.full((w, h), -1, dtype=np.int32)
    code[x, y] = state
    ids[x, y] = np.arange(x.size, dtype=np.int32)
    r = params.cop_vision
    offs = neighbourhood_offsets(r, w, h, params.neighbourhood)
    lay = TallyLayout.of(r, params.neighbourhood, h, len(offs))
    hardship = np.asarray(hardship, dtype=np.float64)
    risk = np.asarray(risk, dtype=np.float64)
    grievance = hardship * (1.0 - params.legitimacy)
    agents = np.zeros((x.size, 4), dtype=np.int32)
    agents[:, _X] = x
    agents[:, _Y] = y
    p_of_q = arrest_table(params.arrest_prob_constant, len(offs))
    agents[:, _QUIET_FROM] = quiet_from(grievance, risk, p_of_q, params.active_threshold)
    return CivilViolenceState(
        pad=pad_grid(code, r),
        radius=r,
        ids=ids,
        tally=build_tally(code, params, lay),
        layout=lay,
        agents=agents,
        state=state,
        hardship=hardship,
        risk_aversion=risk,
        grievance=grievance,
    )


@njit(cache=True)
def arrest_probability(cops: int, actives_with_self: int, k: float) -> float:
    """Mesa's estimate P = 1 - exp(-k * round(C / A)), A counting the citizen herself.

    The rounding is Mesa's, not the paper's (Epstein 2002 writes P = 1 - exp(-k (C/A)_v));
    Python's ``round`` rounds halves to even, as ``np.rint`` does: round(0.5) = 0, round(1.5) = 2.
    """
    return 1.0 - math.exp(-1.0 * k * np.rint(cops / actives_with_self))


@njit(cache=True)
def turns_active(grievance: float, risk_aversion: float, p: float, threshold: float) -> bool:
    """Epstein's rule A: active iff G - R * P > T (strict, as in the paper and Mesa)."""
    return (grievance - risk_aversion * p) > threshold


def arrest_table(k: float, n_offs: int) -> np.ndarray:
    """P for each q = round(C / A) that can occur (0..n_offs), from the same expression."""
    return np.array([arrest_probability(q, 1, k) for q in range(n_offs + 1)])


def quiet_from(
    grievance: np.ndarray, risk_aversion: np.ndarray, p_of_q: np.ndarray, threshold: float
) -> np.ndarray:
    """Per citizen, the least q = round(C / A) at which ``turns_active`` says no (or len(p_of_q)).

    P grows with q and R >= 0, so G - R P > T holds for every q below that and for none above:
    the kernel's decision ``q < quiet_from`` is the rule's own float comparison made once per
    q in advance, without reading G and R each step. Raises ValueError if some citizen's
    decisions do not switch once (negative risk aversion): then no such q exists.
    """
    out = np.zeros(grievance.size, dtype=np.int32)
    if not _quiet_from(grievance, risk_aversion, p_of_q, threshold, out):
        raise ValueError("a citizen's decision is not monotone in C / A (negative risk aversion?)")
    return out


@njit(cache=True)
def _quiet_from(grievance, risk, p_of_q, threshold, out):  # pragma: no cover - compiled
    n_q = p_of_q.shape[0]
    for i in range(grievance.shape[0]):
        q = 0
        while q < n_q and turns_active(grievance[i], risk[i], p_of_q[q], threshold):
            q += 1
        out[i] = q
        for rest in range(q, n_q):
            if turns_active(grievance[i], risk[i], p_of_q[rest], threshold):
                return False
    return True


#: numpy's ``Generator.random()`` is k / 2**53 with k uniform on 53 bits, so k is recovered
#: exactly and cut into several neighbourhood indices: one call into the generator, several tries.
_WORD_BITS = 53
_SMALL_BITS = 7
_SMALL_MASK = (1 << _SMALL_BITS) - 1
_AHEAD = 8  # turns ahead to fetch an agent's record
_BATCHES = 3  # words of tries before falling back to a full count of the empty cells

#: ``near_counts``' form of a cell's tally: cops in the low 16 bits, actives above, one int32.
#: The kernel packs tighter (``TallyLayout``); ``CivilViolenceState.near`` converts.
NEAR_COP = 1
NEAR_ACTIVE = 1 << 16


def near_counts(code: np.ndarray, offs: np.ndarray) -> np.ndarray:
    """From scratch: cops + actives * NEAR_ACTIVE in each cell's neighbourhood and the cell.

    ``offs`` is the deduplicated neighbourhood (``neighbourhood_offsets``); the relation is
    symmetric, so this is also what every occupant adds to the cells that can see it.
    """
    unit = np.where(code == COP, NEAR_COP, 0) + np.where(code == ACTIVE, NEAR_ACTIVE, 0)
    unit = unit.astype(np.int32)
    out = unit.copy()
    for dx, dy in offs:
        out += np.roll(unit, (-int(dx), -int(dy)), axis=(0, 1))
    return out


@dataclass(frozen=True)
class TallyLayout:
    """How the kernel keeps each cell's cops and actives in vision (``near``) in memory.

    Each cell's count is one packed lane, cops in the low field and actives above them at
    ``shift``; the lane is the smallest unsigned width in which both fields fit (a count is at
    most the neighbourhood plus the cell: 113 at vision 7 von Neumann, so 16-bit lanes, cops
    in the low byte). Rows carry a halo of ``radius`` lanes on each side and some slack, so an
    update never wraps across a row: what spills past an edge lands in the halo, and a cell's
    count is its own lane plus its halo copy, if it has one.

    A row of the neighbourhood is added as whole 64-bit words (SWAR): ``masks[u, a, d]`` holds
    row d's unit (u = 0: a cop's, 1: an active's) in each lane the row covers, for a window
    that starts at lane ``a`` of a word. No lane ever carries into the next: a count never
    reaches the next field, nor goes below zero, as every unit taken off was added at the same
    lanes. Where the window is at most 16 lanes of 16 bits (vision 7 or less, the default), the
    kernel adds a row as one 16-lane vector instead (``masks16``, ``_add_lanes16``).
    """

    dtype: type
    shift: int
    radius: int
    row_lanes: int
    masks: np.ndarray  # uint64 (2, lanes per word, 2 radius + 1, words per window)
    #: uint16 (2, 2 radius + 1, 16): row d's unit in each of 16 lanes from the window's start,
    #: for ``_lanes16`` (16-bit lanes and windows of at most 16 only; else empty)
    masks16: np.ndarray
    #: round(C / A) for each packed tally C + (A - 1) << shift, uint8, in 16-bit lanes only
    #: (a table of 65,536 entries; empty for wider lanes, where the kernel divides)
    q_of: np.ndarray

    @classmethod
    def of(cls, radius: int, kind: str, height: int, n_offs: int) -> TallyLayout:
        if n_offs + 1 < 1 << 8:
            dtype, shift = np.uint16, 8
        elif n_offs + 1 < 1 << 16:
            dtype, shift = np.uint32, 16
        else:
            # one lane per word; signed, as Numba mixes uint64 and int64 into floats
            dtype, shift = np.int64, 32
        lane_bits = 8 * np.dtype(dtype).itemsize
        per = 64 // lane_bits
        n_words = (2 * (per - 1) + 2 * radius + 1) // per
        # an update's window starts at lane y (cell y - radius); the last one ends in this word
        row_lanes = per * ((height - 1) // per + n_words)
        spans = row_spans(radius, kind)
        masks16 = np.zeros((2, 0, 16), dtype=np.uint16)
        if lane_bits == 16 and 2 * radius + 1 <= 16:
            row_lanes = max(row_lanes, per * ((height + 15) // per + 1))  # room for 16 lanes
            lane = np.arange(16)
            inside = np.abs(lane[None, :] - radius) <= spans[:, None]
            masks16 = np.stack([np.where(inside, unit, 0) for unit in (1, 1 << shift)])
            masks16 = masks16.astype(np.uint16)
        masks = np.zeros((2, per, 2 * radius + 1, n_words), dtype=np.uint64)
        for u, unit in enumerate((1, 1 << shift)):
            for a in range(per):
                for d in range(2 * radius + 1):
                    for k in range(radius - spans[d], radius + spans[d] + 1):
                        lane = unit << (lane_bits * ((a + k) % per))
                        masks[u, a, d, (a + k) // per] += np.uint64(lane)
        q_of = np.zeros(0, dtype=np.uint8)
        if lane_bits == 16:
            packed = np.arange(1 << 16)
            cops, others = packed & 0xFF, packed >> 8
            q_of = np.rint(cops / (others + 1)).astype(np.uint8)  # at most 255: fits
        return cls(dtype, shift, radius, row_lanes, masks, masks16, q_of)

    def unfold(self, tally: np.ndarray, height: int) -> np.ndarray:
        """The kernel's tally as ``near_counts`` counts it: halo folded back, fields unpacked."""
        cols = (np.arange(tally.shape[1]) - self.radius) % height
        total = np.zeros((tally.shape[0], height), dtype=np.int64)
        np.add.at(total.T, cols, tally.T.astype(np.int64))
        cops = total & ((1 << self.shift) - 1)
        return cops + (total >> self.shift) * NEAR_ACTIVE


def build_tally(code: np.ndarray, params: CivilViolenceParams, lay: TallyLayout) -> np.ndarray:
    """The kernel's tally of a grid: each cop's and active's unit added as the kernel adds it.

    Every lane, halo included, then holds the units of the agents whose updates reach it, so
    taking an agent's unit off later never takes a lane below zero.
    """
    v = params.cop_vision
    w, h = code.shape
    tally = np.zeros((w, lay.row_lanes), dtype=lay.dtype)
    xs, ys = np.nonzero((code == COP) | (code == ACTIVE))
    kind = (code[xs, ys] == ACTIVE).astype(np.int64)  # masks' first index
    if 2 * v + 1 <= min(w, h):
        # as _run's fast path: row d of the window lands in row x - v + d, words from y // lanes
        _, lanes, rows, n_words = lay.masks.shape
        d = np.arange(rows)
        rx = (xs[:, None, None] - v + d[None, :, None]) % w
        cols = ys[:, None, None] // lanes + np.arange(n_words)[None, None, :]
        add = lay.masks[kind[:, None], ys[:, None] % lanes, d[None, :]]
        np.add.at(tally.view(np.uint64), (rx, cols), add)
    else:
        # as _run's other path: each cell in vision, on its own lane
        offs = neighbourhood_offsets(v, w, h, params.neighbourhood)
        units = np.where(kind == 1, 1 << lay.shift, 1)
        for dx, dy in [(0, 0), *offs.tolist()]:
            np.add.at(tally, ((xs + dx) % w, (ys + dy) % h + v), units.astype(lay.dtype))
    return tally


_U64 = (1 << 64) - 1


def _lanes16_codegen(add: bool):  # pragma: no cover - compiled
    def codegen(context, builder, signature, args):
        t_ty, row_ty, col_ty, m_ty, u_ty, d_ty = signature.args
        tally = context.make_array(t_ty)(context, builder, args[0])
        masks = context.make_array(m_ty)(context, builder, args[3])

        def intp(k, ty):
            return context.cast(builder, args[k], ty, types.intp)

        zero = context.get_constant(types.intp, 0)
        at = [intp(1, row_ty), intp(2, col_ty)]
        tp = cgutils.get_item_pointer(context, builder, t_ty, tally, at, wraparound=False)
        at = [intp(4, u_ty), intp(5, d_ty), zero]
        mp = cgutils.get_item_pointer(context, builder, m_ty, masks, at, wraparound=False)
        vec = llvm_ir.VectorType(llvm_ir.IntType(16), 16).as_pointer()
        tp = builder.bitcast(tp, vec)
        mp = builder.bitcast(mp, vec)
        old = builder.load(tp, align=2)
        unit = builder.load(mp, align=2)
        builder.store(builder.add(old, unit) if add else builder.sub(old, unit), tp, align=2)
        return context.get_dummy_value()

    return codegen


@intrinsic
def _add_lanes16(typingctx, tally, row, col, masks, u, d):  # pragma: no cover - compiled
    """tally[row, col:col + 16] += masks[u, d, :] as one 16-lane vector add (uint16).

    Numba would otherwise add the lanes one at a time (or five 64-bit words at a time, the
    ``masks`` path): one load, add and store of 32 bytes is the whole row of a neighbourhood.
    """
    if not (isinstance(tally, types.Array) and tally.dtype == types.uint16):
        return None
    return types.void(tally, row, col, masks, u, d), _lanes16_codegen(True)


@intrinsic
def _sub_lanes16(typingctx, tally, row, col, masks, u, d):  # pragma: no cover - compiled
    """tally[row, col:col + 16] -= masks[u, d, :], as ``_add_lanes16``."""
    if not (isinstance(tally, types.Array) and tally.dtype == types.uint16):
        return None
    return types.void(tally, row, col, masks, u, d), _lanes16_codegen(False)


@njit(cache=True, inline="always")
def _below(k, m):  # pragma: no cover - compiled
    """Uniform integer in [0, m) from one ``next64``, as int(Generator.random() * m).

    One double per draw, cheaper than bounded integers; the bias is below m / 2**53, far
    under anything a docking test could see.
    """
    return int(_double(k) * m)


def _generator_state(rng: np.random.Generator) -> np.ndarray:
    """``rng``'s PCG64 state as uint64 [state hi, state lo, increment hi, increment lo]."""
    bg = rng.bit_generator.state
    if bg["bit_generator"] != "PCG64":
        raise ValueError(f"the schedule needs a PCG64 generator, not {bg['bit_generator']}")
    s, inc = bg["state"]["state"], bg["state"]["inc"]
    return np.array([s >> 64, s & _U64, inc >> 64, inc & _U64], dtype=np.uint64)


def _set_generator_state(rng: np.random.Generator, st: np.ndarray) -> None:
    """Put the state advanced by the kernel back into ``rng``, as if it had drawn itself."""
    bg = rng.bit_generator.state
    words = [int(v) for v in st]
    bg["state"] = {"state": (words[0] << 64) | words[1], "inc": (words[2] << 64) | words[3]}
    rng.bit_generator.state = bg


@intrinsic
def _prefetch(typingctx, arr, i, j):  # pragma: no cover - compiled
    """Ask the cache for the line holding 2-d ``arr[i, j]`` (LLVM's prefetch; no load, no fault).

    A step is a chain of loads at random places (an agent's record, its tally, its cells): the
    order of the coming agents is known, so their lines are fetched a few turns ahead.
    """
    if not (isinstance(arr, types.Array) and arr.ndim == 2):
        return None
    sig = types.void(arr, i, j)

    def codegen(context, builder, signature, args):
        aryty, ity, jty = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        idx = [
            context.cast(builder, args[1], ity, types.intp),
            context.cast(builder, args[2], jty, types.intp),
        ]
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, idx, wraparound=False)
        i32 = llvm_ir.IntType(32)
        ptr = builder.bitcast(ptr, llvm_ir.IntType(8).as_pointer())
        fnty = llvm_ir.FunctionType(llvm_ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # read, keep in all cache levels, data cache
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True)
def _shuffle(order, hi, lo, inc_hi, inc_lo):  # pragma: no cover - compiled
    """Fisher-Yates shuffle (Mesa shuffles its agent list every step: ``shuffle_do``).

    Returns the generator's state after it.
    """
    for i in range(order.shape[0] - 1, 0, -1):
        hi, lo, k = _pcg64_step(hi, lo, inc_hi, inc_lo)
        j = _below(k, i + 1)
        order[i], order[j] = order[j], order[i]
    return hi, lo


@njit(cache=True, inline="always")
def _wrap(v, n):  # pragma: no cover - compiled
    """v mod n for v within a few n of [0, n): cheaper than an integer division."""
    while v < 0:
        v += n
    while v >= n:
        v -= n
    return v


@njit(cache=True, inline="always")
def _put(pad, ids, x, y, r, val, ident):  # pragma: no cover - compiled
    """Write cell (x, y) into the padded grid and every halo copy of it; keep ``ids`` in step."""
    w, h = ids.shape
    ids[x, y] = ident
    if r <= x < w - r and r <= y < h - r:
        pad[x + r, y + r] = val  # an inner cell has no halo copy
        return
    px = _wrap(x + r, w)
    while px < pad.shape[0]:
        py = _wrap(y + r, h)
        while py < pad.shape[1]:
            pad[px, py] = val
            py += h
        px += w


@njit(cache=True)
def _count(pad, cx, cy, offs, target):  # pragma: no cover - compiled
    """Cells coded ``target`` in the neighbourhood of padded cell (cx, cy)."""
    m = 0
    for j in range(offs.shape[0]):
        m += pad[cx + offs[j, 0], cy + offs[j, 1]] == target
    return m


@njit(cache=True)
def _nth(pad, cx, cy, offs, nth, target):  # pragma: no cover - compiled
    """Index in ``offs`` of the ``nth`` cell coded ``target`` (row-major order, as Mesa lists)."""
    for j in range(offs.shape[0]):
        if pad[cx + offs[j, 0], cy + offs[j, 1]] == target:
            if nth == 0:
                return j
            nth -= 1
    return -1  # unreachable when nth is below the count


def chunk_bits(n_offs: int) -> int:
    """Bits per rejection try: the fewest that can name each of ``n_offs`` cells."""
    return max(1, (n_offs - 1).bit_length())


def chunk_table(offs: np.ndarray, pad_height: int, bits: int) -> np.ndarray:
    """Chunk value -> (offset in the flattened padded grid, dx, dy), for every ``bits``-bit value.

    Values >= len(offs) point at offset 0, the mover's own cell, which is never empty: an
    invalid chunk is then simply a failed try and needs no test of its own. The flat offsets
    are read as uint64 (negative ones as their two's complement, see _run); the moves as int64.
    """
    table = np.zeros((3, 1 << bits), dtype=np.int64)
    table[0, : len(offs)] = offs[:, 0] * pad_height + offs[:, 1]
    table[1:, : len(offs)] = offs.T
    return table


@njit(cache=True)
def _run(
    rng,  # the generator's state, uint64 (4,), advanced in place (see _generator_state)
    n_steps,
    order,
    pad,
    ids,
    tally,
    words,
    agents,
    state,
    r,
    fast,
    offs,
    max_jail_term,
    movement,
    counts,
    bits,
    chunk_offs,
    chunk_dx,
    chunk_dy,
    shift,
    masks,
    q_of,
    tally16,
    masks16,
):  # pragma: no cover - compiled
    """Advance ``n_steps`` steps of Mesa's schedule; write (quiet, active, jailed) per step.

    Each step shuffles all agents (``AgentSet.shuffle_do``) and lets each act in turn on the
    current grid, so an agent sees the moves and arrests of those who acted before it. Every
    change of a cop's or an active's cell is carried into the tally before the next agent's
    turn, so each agent's tally is what a fresh scan of its neighbourhood would count then.

    The tally's reads and updates are written out here rather than called: Numba gave each
    array passed to the inlined helpers an atomic reference count increment and decrement,
    which took 40% of a step (``_put`` and ``_wrap`` have theirs optimised away).
    """
    n = agents.shape[0]
    w, h = ids.shape
    flat = pad.reshape(-1)  # a view: one load per candidate, no 2-d index arithmetic
    mask = np.uint64((1 << bits) - 1)
    small_mask = np.uint64(_SMALL_MASK)
    per_word = _WORD_BITS // bits
    act = 1 << shift  # an active's unit in the packed tally
    low = act - 1
    lanes = masks.shape[1]  # tally lanes per 64-bit word
    vec16 = fast and masks16.shape[1] > 0
    n_words = masks.shape[3]
    hi, lo, inc_hi, inc_lo = rng[0], rng[1], rng[2], rng[3]  # see _pcg64_step
    tally_of = np.zeros(4, dtype=np.int64)  # agents per state, kept as states change
    for i in range(n):
        tally_of[state[i]] += 1
    for s in range(n_steps):
        hi, lo = _shuffle(order, hi, lo, inc_hi, inc_lo)
        for o in range(n):
            # lines for the coming turns: the record of the agent _AHEAD turns on, then the
            # tally of the one _AHEAD // 2 turns on (its position is in cache by then)
            if o + _AHEAD < n:
                _prefetch(agents, order[o + _AHEAD], 0)
                soon = order[o + _AHEAD // 2]
                _prefetch(tally, agents[soon, _X], agents[soon, _Y] + r)
            i = order[o]
            st = state[i]
            if st != COP and agents[i, _JAIL] > 0:
                # Mesa: a jailed citizen only counts down; its state stays ARRESTED until the
                # first step at which its term is already 0, even after the term ran out.
                agents[i, _JAIL] -= 1
                continue
            x = agents[i, _X]
            y = agents[i, _Y]
            cx = x + r
            cy = y + r
            # the tally of (x, y): its own lane plus its halo copy, if it has one
            here = np.int64(tally[x, y + r])
            if y < r:
                here += tally[x, y + r + h]
            elif y >= h - r:
                here += tally[x, y + r - h]
            caught = -1  # cell (flat index) of the citizen this cop arrests, if any
            if st == COP:
                n_act = here >> shift
                if n_act > 0:
                    # Mesa: random.choice(active_neighbors); randint(0, max_jail_term) is
                    # inclusive, so a term of 0 is possible. The cop stays where it is.
                    hi, lo, k = _pcg64_step(hi, lo, inc_hi, inc_lo)
                    j = _nth(pad, cx, cy, offs, _below(k, n_act), ACTIVE)
                    tx = _wrap(x + offs[j, 0], w)
                    ty = _wrap(y + offs[j, 1], h)
                    t = ids[tx, ty]
                    hi, lo, k = _pcg64_step(hi, lo, inc_hi, inc_lo)
                    agents[t, _JAIL] = _below(k, max_jail_term + 1)
                    state[t] = JAILED
                    tally_of[ACTIVE] -= 1
                    tally_of[JAILED] += 1
                    _put(pad, ids, tx, ty, r, JAILED, t)
                    caught = tx * h + ty
                new = COP
            else:
                # C = cops in vision; A = 1 + actives in vision other than herself. P depends
                # on C and A only through q = round(C / A), and so does the decision; q is read
                # from a table indexed by the packed tally less herself where there is one (a
                # load in place of a division and a rounding, both slow).
                mine = here - act if st == ACTIVE else here
                if q_of.shape[0] > 0:
                    q = q_of[mine]
                else:
                    q = int(np.rint((mine & low) / ((mine >> shift) + 1)))
                active = q < agents[i, _QUIET_FROM]  # turns_active(G, R, P(q), T), see quiet_from
                new = ACTIVE if active else QUIET
                if new != st:
                    tally_of[st] -= 1
                    tally_of[new] += 1
                    state[i] = new
                    _put(pad, ids, x, y, r, new, i)
            nx = x
            ny = y
            if movement:
                # Rejection sampling: uniform over the empty cells, like random.choice on them.
                # A word holds several chunks of ``bits`` bits; a chunk >= n_offs is no try,
                # each other one a uniform cell of the neighbourhood. The first empty one in
                # chunk order wins, as in one-at-a-time rejection; all of a word's chunks are
                # checked without branches, which costs less than the mispredicted exits of a
                # loop. (Kept inline: as a function taking the generator it ran 45% slower.)
                # unsigned indices throughout: the offsets wrap modulo 2**64 to the right cell,
                # and Numba leaves out its fix-up for negative indices
                base = np.uint64(cx * pad.shape[1] + cy)
                found = False
                for _ in range(_BATCHES):
                    # the 53-bit integer of Generator.random()'s k / 2**53, without the
                    # round trip through a double
                    hi, lo, k = _pcg64_step(hi, lo, inc_hi, inc_lo)
                    word = k >> np.uint64(11)
                    hits = 0
                    if bits == _SMALL_BITS:
                        # the usual case (v = 7 von Neumann: 112 cells): fixed trip count, unrolled
                        for c in range(_WORD_BITS // _SMALL_BITS):
                            ch = (word >> np.uint64(c * _SMALL_BITS)) & small_mask
                            hits |= (flat[base + chunk_offs[ch]] == EMPTY) << c
                    else:
                        for c in range(per_word):
                            ch = (word >> np.uint64(c * bits)) & mask
                            hits |= (flat[base + chunk_offs[ch]] == EMPTY) << c
                    if hits != 0:
                        c = trailing_zeros(hits)  # the first chunk that hit: one instruction
                        ch = (word >> np.uint64(c * bits)) & mask
                        dx = chunk_dx[ch]
                        dy = chunk_dy[ch]
                        found = True
                        break
                if not found:
                    # no luck in _BATCHES words: count the empty cells and pick one
                    n_empty = _count(pad, cx, cy, offs, EMPTY)
                    if n_empty > 0:  # else no empty cell in vision: stay
                        hi, lo, k = _pcg64_step(hi, lo, inc_hi, inc_lo)
                        j = _nth(pad, cx, cy, offs, _below(k, n_empty), EMPTY)
                        dx = offs[j, 0]
                        dy = offs[j, 1]
                        found = True
                if found:
                    nx = _wrap(x + dx, w)
                    ny = _wrap(y + dy, h)
                    _put(pad, ids, x, y, r, EMPTY, -1)
                    _put(pad, ids, nx, ny, r, new, i)
                    agents[i, _X] = nx
                    agents[i, _Y] = ny
            # The turn's changes to the tally, in one place (nobody reads the tally during a
            # turn after its start): the arrestee's active unit off, this agent's unit off its
            # old cell and its new unit onto its new cell. Units: 0 cop, 1 active (``masks``'
            # first index), -1 none.
            was = 0 if st == COP else (1 if st == ACTIVE else -1)
            now = 0 if new == COP else (1 if new == ACTIVE else -1)
            same = nx == x and ny == y and was == now
            for u in range(3):
                if u == 0:
                    if caught < 0:
                        continue
                    ux = caught // h
                    uy = caught - ux * h
                    kind = 1
                    up = False
                elif u == 1:
                    if was < 0 or same:
                        continue
                    ux = x
                    uy = y
                    kind = was
                    up = False
                else:
                    if now < 0 or same:
                        continue
                    ux = nx
                    uy = ny
                    kind = now
                    up = True
                if vec16:
                    # one row of the neighbourhood at a time, one 16-lane vector add each;
                    # rows wrap round the torus by index, lanes into the halo
                    for d in range(2 * r + 1):
                        rx = ux - r + d
                        if rx < 0:
                            rx += w
                        elif rx >= w:
                            rx -= w
                        if up:
                            _add_lanes16(tally16, rx, uy, masks16, kind, d)
                        else:
                            _sub_lanes16(tally16, rx, uy, masks16, kind, d)
                elif fast:
                    # one row of the neighbourhood at a time, a few whole-word adds (see
                    # TallyLayout); rows wrap round the torus by index, lanes into the halo
                    a = uy % lanes
                    j0 = uy // lanes
                    for d in range(2 * r + 1):
                        rx = ux - r + d
                        if rx < 0:
                            rx += w
                        elif rx >= w:
                            rx -= w
                        if up:
                            for jj in range(n_words):
                                words[rx, j0 + jj] += masks[kind, a, d, jj]
                        else:
                            for jj in range(n_words):
                                words[rx, j0 + jj] -= masks[kind, a, d, jj]
                else:
                    # the neighbourhood wraps onto itself: the offset list, on the cells' own
                    # lanes (the halo stays empty)
                    unit = act if kind == 1 else 1
                    delta = unit if up else -unit
                    tally[ux, uy + r] += delta
                    for jj in range(offs.shape[0]):
                        tally[_wrap(ux + offs[jj, 0], w), _wrap(uy + offs[jj, 1], h) + r] += delta
        counts[s, 0] = tally_of[QUIET]
        counts[s, 1] = tally_of[ACTIVE]
        counts[s, 2] = tally_of[JAILED]
    rng[0] = hi
    rng[1] = lo


class CivilViolence:
    """One run: state arrays, the schedule's random stream, and the per-step recorder."""

    def __init__(self, params: CivilViolenceParams | None = None, seed: int = 0) -> None:
        self.params = params if params is not None else CivilViolenceParams()
        self.seed = seed
        self.state = setup(self.params, seed)
        self.rng = stream(seed, "civil_violence.schedule")
        p = self.params
        # Mesa's citizens use cop_vision too (see CivilViolenceParams.citizen_vision).
        v = p.cop_vision
        self._offs = neighbourhood_offsets(v, p.width, p.height, p.neighbourhood)
        # Row-by-row tally updates are exact only if the neighbourhood does not wrap onto itself.
        self.fast = 2 * v + 1 <= min(p.width, p.height)
        # rejection tries for moves: chunks of a random word, each read through this table
        self._bits = chunk_bits(len(self._offs))
        self._chunk = chunk_table(self._offs, p.height + 2 * v, self._bits)
        # P for each possible q = round(C / A), from the same expression as a direct call
        self._p_of_q = arrest_table(p.arrest_prob_constant, len(self._offs))
        self.steps = 0
        # the activation order persists: Mesa shuffles the same list again each step
        self._order = np.arange(self.state.state.size, dtype=np.uint32)
        n_cit = self.state.n_citizens
        self._rows: list[np.ndarray] = [np.array([[n_cit, 0, 0]], dtype=np.int64)]

    @classmethod
    def from_agents(
        cls,
        params: CivilViolenceParams,
        x: np.ndarray,
        y: np.ndarray,
        state: np.ndarray,
        hardship: np.ndarray,
        risk_aversion: np.ndarray,
        seed: int = 0,
    ) -> CivilViolence:
        """A model with agents placed by hand (cops: state COP, NaN hardship and risk)."""
        if len(set(zip(np.asarray(x).tolist(), np.asarray(y).tolist(), strict=True))) != len(x):
            raise ValueError("two agents on one cell")
        model = cls(params, seed)
        model.state = assemble(params, x, y, state, hardship, risk_aversion)
        state = model.state.state
        model._order = np.arange(state.size, dtype=np.uint32)
        counts = [np.count_nonzero(state == v) for v in (QUIET, ACTIVE, JAILED)]
        model._rows = [np.array([counts], dtype=np.int64)]
        return model

    def step(self, n: int = 1) -> None:
        """Advance ``n`` steps in one compiled call and record one row per step."""
        if n <= 0:
            return
        p = self.params
        s = self.state
        counts = np.zeros((n, 3), dtype=np.int64)
        rng = _generator_state(self.rng)
        _run(
            rng,
            n,
            self._order,
            s.pad,
            s.ids,
            s.tally,
            s.tally.view(np.uint64),
            s.agents,
            s.state,
            s.radius,
            self.fast,
            self._offs,
            p.max_jail_term,
            p.movement,
            counts,
            self._bits,
            self._chunk[0].view(np.uint64),
            self._chunk[1],
            self._chunk[2],
            s.layout.shift,
            s.layout.masks,
            s.layout.q_of,
            # the 16-lane vector path needs a uint16 tally; a stand-in where it is not used
            s.tally if s.tally.dtype == np.uint16 else np.zeros((1, 1), dtype=np.uint16),
            s.layout.masks16,
        )
        _set_generator_state(self.rng, rng)
        self._rows.append(counts)
        self.steps += n

    @property
    def timeseries(self) -> pd.DataFrame:
        """One row per step (0 = the initial state): fractions of citizens quiet/active/jailed."""
        counts = np.concatenate(self._rows)
        n_cit = max(self.state.n_citizens, 1)
        return pd.DataFrame(
            {
                "step": np.arange(counts.shape[0], dtype=np.int64),
                "quiet": counts[:, 0] / n_cit,
                "active": counts[:, 1] / n_cit,
                "jailed": counts[:, 2] / n_cit,
            }
        )


def run(params: CivilViolenceParams | None = None, seed: int = 0, steps: int = 100) -> pd.DataFrame:
    """Run one seed for ``steps`` steps and return its timeseries."""
    model = CivilViolence(params, seed)
    model.step(steps)
    return model.timeseries


# the kernels step allegiance.pcg: drop them from Numba's cache if it changed
drop_stale("allegiance")
