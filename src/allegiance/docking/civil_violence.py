"""Epstein's civil-violence model (PNAS 2002) as arrays and Numba kernels, matched to Mesa 3.5.1."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from numba import njit

from ..errors import UserError
from ..rng import stream

# Cell codes on the grid and agent states share one alphabet, so looking at a cell in vision reads
# only the int8 code grid (small enough to stay in cache) and never the agent arrays.
EMPTY = -1
QUIET = 0
ACTIVE = 1
JAILED = 2  # Mesa's CitizenState.ARRESTED: still on its cell, blocking it, counted as neither
COP = 3

NEIGHBOURHOODS = ("von_neumann", "moore")


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
            ("max_jail_term", self.max_jail_term >= 0, "an integer >= 0"),
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
    """Struct of arrays: one entry per agent (citizens and cops), plus three grids."""

    pad: np.ndarray  # int8 (width + 2r, height + 2r): EMPTY or the occupant's state, with halo
    radius: int  # halo width r (the vision)
    ids: np.ndarray  # int32 (width, height): occupant's index or -1
    near: np.ndarray  # int32 (width, height): cops + actives * NEAR_ACTIVE in vision or on it
    x: np.ndarray  # int64 per agent
    y: np.ndarray  # int64 per agent
    state: np.ndarray  # int8 per agent: QUIET, ACTIVE, JAILED, or COP (cops never change)
    jail: np.ndarray  # int64 per agent: remaining jail term (Mesa's ``jail_sentence``)
    hardship: np.ndarray  # float64 per agent (NaN for cops)
    risk_aversion: np.ndarray  # float64 per agent (NaN for cops)
    grievance: np.ndarray  # float64 per agent: H(1 - L), fixed for the run

    @property
    def code(self) -> np.ndarray:
        """The grid without its halo: EMPTY or the occupant's state per cell."""
        w, h = self.ids.shape
        return self.pad[self.radius : self.radius + w, self.radius : self.radius + h]

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
    ids = np.full(w * h, -1, dtype=np.int32)
    ids[cells] = np.arange(n, dtype=np.int32)
    r = params.cop_vision
    offs = neighbourhood_offsets(r, w, h, params.neighbourhood)
    return CivilViolenceState(
        pad=pad_grid(kind.reshape(w, h), r),
        radius=r,
        ids=ids.reshape(w, h),
        near=near_counts(kind.reshape(w, h), offs),
        x=(cells // h).astype(np.int64),
        y=(cells % h).astype(np.int64),
        state=state,
        jail=np.zeros(n, dtype=np.int64),
        hardship=hardship,
        risk_aversion=risk,
        grievance=hardship * (1.0 - params.legitimacy),
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


#: numpy's ``Generator.random()`` is k / 2**53 with k uniform on 53 bits, so k is recovered
#: exactly and cut into several neighbourhood indices: one call into the generator, several tries.
_TWO53 = 9007199254740992.0
_WORD_BITS = 53
_SMALL_BITS = 7
_SMALL_MASK = (1 << _SMALL_BITS) - 1
#: index of the lowest set bit of each 7-bit ``hits`` (entry 0 unused)
_LOWEST_BIT = np.array(
    [0] + [(m & -m).bit_length() - 1 for m in range(1, 1 << (_WORD_BITS // _SMALL_BITS))],
    dtype=np.int64,
)
_BATCHES = 3  # words of tries before falling back to a full count of the empty cells

#: Each cell's neighbourhood tally packs cops (low 16 bits) and actives (high bits) into one
#: int32, so a citizen's whole estimate is one load and a change is one pass over one array.
NEAR_COP = 1
NEAR_ACTIVE = 1 << 16
_LOW = NEAR_ACTIVE - 1


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


@njit(cache=True, inline="always")
def _below(rng, m):  # pragma: no cover - compiled
    """Uniform integer in [0, m): one double per draw, cheaper than bounded integers.

    The bias is below m / 2**53, far under anything a docking test could see.
    """
    return int(rng.random() * m)


@njit(cache=True)
def _shuffle(rng, order):  # pragma: no cover - compiled
    """Fisher-Yates shuffle (Mesa shuffles its agent list every step: ``shuffle_do``)."""
    for i in range(order.shape[0] - 1, 0, -1):
        j = _below(rng, i + 1)
        order[i], order[j] = order[j], order[i]


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


@njit(cache=True, inline="always")
def _add_near(near, x, y, delta, fast, spans, offs):  # pragma: no cover - compiled
    """Add ``delta`` to the tally of (x, y) and of every cell that has (x, y) in vision.

    Fast path: one span per row of the neighbourhood, split where it crosses the torus's edge
    (exact only when the neighbourhood does not wrap onto itself). Otherwise the offset list.
    """
    w, h = near.shape
    if fast:
        v = (spans.shape[0] - 1) // 2
        if v <= x < w - v and v <= y < h - v:  # no edge in reach: plain spans
            for d in range(spans.shape[0]):
                row = near[x - v + d]
                s = spans[d]
                for yy in range(y - s, y + s + 1):
                    row[yy] += delta
            return
        for d in range(spans.shape[0]):
            row = near[_wrap(x - v + d, w)]
            s = spans[d]
            lo = y - s
            hi = y + s + 1
            if lo < 0:
                for yy in range(lo + h, h):
                    row[yy] += delta
                lo = 0
            if hi > h:
                for yy in range(hi - h):
                    row[yy] += delta
                hi = h
            for yy in range(lo, hi):
                row[yy] += delta
    else:
        near[x, y] += delta
        for j in range(offs.shape[0]):
            near[_wrap(x + offs[j, 0], w), _wrap(y + offs[j, 1], h)] += delta


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
    """Chunk value -> offset in the flattened padded grid, for every ``bits``-bit value.

    Values >= len(offs) point at offset 0, the mover's own cell, which is never empty: an
    invalid chunk is then simply a failed try and needs no test of its own.
    """
    table = np.zeros(1 << bits, dtype=np.int64)
    table[: len(offs)] = offs[:, 0] * pad_height + offs[:, 1]
    return table


@njit(cache=True)
def _run(
    rng,
    n_steps,
    order,
    pad,
    ids,
    near,
    ax,
    ay,
    state,
    jail,
    grievance,
    risk,
    r,
    fast,
    spans,
    offs,
    threshold,
    p_of_q,
    max_jail_term,
    movement,
    counts,
    bits,
    chunk_offs,
):  # pragma: no cover - compiled
    """Advance ``n_steps`` steps of Mesa's schedule; write (quiet, active, jailed) per step.

    Each step shuffles all agents (``AgentSet.shuffle_do``) and lets each act in turn on the
    current grid, so an agent sees the moves and arrests of those who acted before it. Every
    change of a cop's or an active's cell is carried into ``near`` at once, so each agent's
    tally is what a fresh scan of its neighbourhood would count at that moment.
    """
    n = ax.shape[0]
    w, h = ids.shape
    flat = pad.reshape(-1)  # a view: one load per candidate, no 2-d index arithmetic
    mask = (1 << bits) - 1
    per_word = _WORD_BITS // bits
    tally = np.zeros(4, dtype=np.int64)  # agents per state, kept as states change
    for i in range(n):
        tally[state[i]] += 1
    for s in range(n_steps):
        _shuffle(rng, order)
        for o in range(n):
            i = order[o]
            st = state[i]
            if st != COP and jail[i] > 0:
                # Mesa: a jailed citizen only counts down; its state stays ARRESTED until the
                # first step at which its term is already 0, even after the term ran out.
                jail[i] -= 1
                continue
            x = ax[i]
            y = ay[i]
            cx = x + r
            cy = y + r
            here = near[x, y]
            if st == COP:
                n_act = here >> 16
                if n_act > 0:
                    # Mesa: random.choice(active_neighbors); randint(0, max_jail_term) is
                    # inclusive, so a term of 0 is possible. The cop stays where it is.
                    j = _nth(pad, cx, cy, offs, _below(rng, n_act), ACTIVE)
                    tx = _wrap(x + offs[j, 0], w)
                    ty = _wrap(y + offs[j, 1], h)
                    t = ids[tx, ty]
                    jail[t] = _below(rng, max_jail_term + 1)
                    state[t] = JAILED
                    tally[ACTIVE] -= 1
                    tally[JAILED] += 1
                    _put(pad, ids, tx, ty, r, JAILED, t)
                    _add_near(near, tx, ty, -NEAR_ACTIVE, fast, spans, offs)
                new = COP
            else:
                # C = cops in vision; A = 1 + actives in vision other than herself. P depends
                # on C and A only through q = round(C / A), so it is read from a table.
                n_cop = here & _LOW
                n_act = (here >> 16) - (st == ACTIVE)
                q = int(np.rint(n_cop / (n_act + 1)))
                active = turns_active(grievance[i], risk[i], p_of_q[q], threshold)
                new = ACTIVE if active else QUIET
                if new != st:
                    tally[st] -= 1
                    tally[new] += 1
                    state[i] = new
                    _put(pad, ids, x, y, r, new, i)
                    if (new == ACTIVE) != (st == ACTIVE):
                        delta = NEAR_ACTIVE if new == ACTIVE else -NEAR_ACTIVE
                        _add_near(near, x, y, delta, fast, spans, offs)
            if not movement:
                continue
            # Rejection sampling: uniform over the empty cells, like random.choice on them.
            # A word holds several chunks of ``bits`` bits; a chunk >= n_offs is no try, each
            # other one a uniform cell of the neighbourhood. The first empty one in chunk order
            # wins, as in one-at-a-time rejection; all of a word's chunks are checked without
            # branches, which costs less than the mispredicted exits of a loop. (Kept inline:
            # as a function taking the generator it ran 45% slower per step.)
            j = -1
            base = cx * pad.shape[1] + cy
            for _ in range(_BATCHES):
                word = int(rng.random() * _TWO53)
                hits = 0
                if bits == _SMALL_BITS:
                    # the usual case (v = 7 von Neumann: 112 cells): a fixed trip count, unrolled
                    for c in range(_WORD_BITS // _SMALL_BITS):
                        cell = flat[base + chunk_offs[(word >> (c * _SMALL_BITS)) & _SMALL_MASK]]
                        hits |= (cell == EMPTY) << c
                else:
                    for c in range(per_word):
                        hits |= (flat[base + chunk_offs[(word >> (c * bits)) & mask]] == EMPTY) << c
                if hits != 0:
                    # index of the lowest set bit: a table lookup for 7 chunks, else from
                    # frexp(2**c) = (0.5, c + 1), exactly (a call into libm)
                    small = bits == _SMALL_BITS
                    c = _LOWEST_BIT[hits] if small else math.frexp(float(hits & -hits))[1] - 1
                    j = (word >> (c * bits)) & mask
                    break
            if j < 0:
                # no luck in _BATCHES words: count the empty cells and pick one
                n_empty = _count(pad, cx, cy, offs, EMPTY)
                if n_empty == 0:
                    continue  # no empty cell in vision: stay
                j = _nth(pad, cx, cy, offs, _below(rng, n_empty), EMPTY)
            tx = _wrap(x + offs[j, 0], w)
            ty = _wrap(y + offs[j, 1], h)
            _put(pad, ids, x, y, r, EMPTY, -1)
            _put(pad, ids, tx, ty, r, new, i)
            ax[i] = tx
            ay[i] = ty
            unit = NEAR_COP if new == COP else (NEAR_ACTIVE if new == ACTIVE else 0)
            if unit != 0:
                _add_near(near, x, y, -unit, fast, spans, offs)
                _add_near(near, tx, ty, unit, fast, spans, offs)
        counts[s, 0] = tally[QUIET]
        counts[s, 1] = tally[ACTIVE]
        counts[s, 2] = tally[JAILED]


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
        self._spans = row_spans(v, p.neighbourhood)
        # Row spans are exact only if the neighbourhood does not wrap onto itself.
        self.fast = 2 * v + 1 <= min(p.width, p.height)
        # rejection tries for moves: chunks of a random word, each read through this table
        self._bits = chunk_bits(len(self._offs))
        self._chunk_offs = chunk_table(self._offs, p.height + 2 * v, self._bits)
        # P for each possible q = round(C / A), from the same expression as a direct call
        self._p_of_q = np.array(
            [arrest_probability(q, 1, p.arrest_prob_constant) for q in range(len(self._offs) + 1)]
        )
        self.steps = 0
        # the activation order persists: Mesa shuffles the same list again each step
        self._order = np.arange(self.state.x.size, dtype=np.int64)
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
        w, h = params.width, params.height
        x = np.asarray(x, dtype=np.int64)
        y = np.asarray(y, dtype=np.int64)
        code = np.full((w, h), EMPTY, dtype=np.int8)
        ids = np.full((w, h), -1, dtype=np.int32)
        if len(set(zip(x.tolist(), y.tolist(), strict=True))) != x.size:
            raise ValueError("two agents on one cell")
        state = np.asarray(state, dtype=np.int8)
        code[x, y] = state
        ids[x, y] = np.arange(x.size, dtype=np.int32)
        hardship = np.asarray(hardship, dtype=np.float64)
        model = cls(params, seed)
        model.state = CivilViolenceState(
            pad=pad_grid(code, params.cop_vision),
            radius=params.cop_vision,
            ids=ids,
            near=near_counts(code, model._offs),
            x=x,
            y=y,
            state=state,
            jail=np.zeros(x.size, dtype=np.int64),
            hardship=hardship,
            risk_aversion=np.asarray(risk_aversion, dtype=np.float64),
            grievance=hardship * (1.0 - params.legitimacy),
        )
        model._order = np.arange(x.size, dtype=np.int64)
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
        _run(
            self.rng,
            n,
            self._order,
            s.pad,
            s.ids,
            s.near,
            s.x,
            s.y,
            s.state,
            s.jail,
            s.grievance,
            s.risk_aversion,
            s.radius,
            self.fast,
            self._spans,
            self._offs,
            p.active_threshold,
            self._p_of_q,
            p.max_jail_term,
            p.movement,
            counts,
            self._bits,
            self._chunk_offs,
        )
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
