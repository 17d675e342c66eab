"""Epstein's civil-violence model (PNAS 2002) as arrays and Numba kernels, matched to Mesa 3.5.1."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from numba import njit

from ..errors import UserError
from ..rng import stream

# Cell codes on the grid and agent states share one alphabet, so a neighbourhood scan reads only
# the int8 code grid (small enough to stay in cache) and never the agent arrays.
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
    """Struct of arrays: one entry per agent (citizens and cops), plus two grids."""

    pad: np.ndarray  # int8 (width + 2r, height + 2r): EMPTY or the occupant's state, with halo
    radius: int  # halo width r (the vision)
    ids: np.ndarray  # int32 (width, height): occupant's index or -1
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
    row-major (dx, then dy ascending), the order the fast row scan visits cells in.
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
    return CivilViolenceState(
        pad=pad_grid(kind.reshape(w, h), r),
        radius=r,
        ids=ids.reshape(w, h),
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


_TRIES = 16  # rejection draws before falling back to a full scan for an empty cell


@njit(cache=True)
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


@njit(cache=True)
def _wrap(v, n):  # pragma: no cover - compiled
    """v mod n for v within a few n of [0, n): cheaper than an integer division."""
    while v < 0:
        v += n
    while v >= n:
        v -= n
    return v


@njit(cache=True)
def _put(pad, ids, x, y, r, val, ident):  # pragma: no cover - compiled
    """Write cell (x, y) into the padded grid and every halo copy of it; keep ``ids`` in step."""
    w, h = ids.shape
    ids[x, y] = ident
    px = _wrap(x + r, w)
    while px < pad.shape[0]:
        py = _wrap(y + r, h)
        while py < pad.shape[1]:
            pad[px, py] = val
            py += h
        px += w


@njit(cache=True)
def _scan_offsets(pad, cx, cy, offs, empties, actives):  # pragma: no cover - compiled
    """Generic scan over a deduplicated offset list (grids the neighbourhood wraps onto)."""
    n_cop = 0
    n_act = 0
    n_empty = 0
    for j in range(offs.shape[0]):
        c = pad[cx + offs[j, 0], cy + offs[j, 1]]
        n_cop += c == COP
        empties[n_empty] = j
        n_empty += c == EMPTY
        actives[n_act] = j
        n_act += c == ACTIVE
    return n_cop, n_act, n_empty


@njit(cache=True)
def _scan_rows(pad, cx, cy, spans, row_empty, row_act):  # pragma: no cover - compiled
    """Fast scan: one contiguous span of the padded grid per row of the neighbourhood."""
    v = (spans.shape[0] - 1) // 2
    n_cop = 0
    n_act = 0
    n_empty = 0
    for d in range(spans.shape[0]):
        row = pad[cx - v + d]
        s = spans[d]
        c = 0
        a = 0
        e = 0
        for yy in range(cy - s, cy + s + 1):
            val = row[yy]
            c += val == COP
            a += val == ACTIVE
            e += val == EMPTY
        row_empty[d] = e
        row_act[d] = a
        n_cop += c
        n_act += a
        n_empty += e
    # the centre is the agent itself (never empty): take it out again
    own = pad[cx, cy]
    n_cop -= own == COP
    if own == ACTIVE:
        n_act -= 1
        row_act[v] -= 1
    return n_cop, n_act, n_empty


@njit(cache=True)
def _nth_in_rows(pad, cx, cy, spans, row_counts, nth, target):  # pragma: no cover - compiled
    """Offset (dx, dy) of the ``nth`` cell coded ``target`` in row-major neighbourhood order."""
    v = (spans.shape[0] - 1) // 2
    d = 0
    while nth >= row_counts[d]:
        nth -= row_counts[d]
        d += 1
    row = pad[cx - v + d]
    s = spans[d]
    for dy in range(-s, s + 1):
        if row[cy + dy] == target and not (d == v and dy == 0):
            if nth == 0:
                return d - v, dy
            nth -= 1
    return 0, 0  # unreachable when row_counts is right


@njit(cache=True)
def _pick(pad, cx, cy, fast, spans, offs, row_counts, buf, nth, target):  # pragma: no cover
    if fast:
        return _nth_in_rows(pad, cx, cy, spans, row_counts, nth, target)
    j = buf[nth]
    return offs[j, 0], offs[j, 1]


@njit(cache=True)
def _run(
    rng,
    n_steps,
    order,
    pad,
    ids,
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
    k,
    max_jail_term,
    movement,
    counts,
):  # pragma: no cover - compiled
    """Advance ``n_steps`` steps of Mesa's schedule; write (quiet, active, jailed) per step.

    Each step shuffles all agents (``AgentSet.shuffle_do``) and lets each act in turn on the
    current grid, so an agent sees the moves and arrests of those who acted before it.
    """
    n = ax.shape[0]
    w, h = ids.shape
    empties = np.empty(offs.shape[0], dtype=np.int64)
    actives = np.empty(offs.shape[0], dtype=np.int64)
    row_empty = np.empty(spans.shape[0], dtype=np.int64)
    row_act = np.empty(spans.shape[0], dtype=np.int64)
    n_active_total = 0
    for i in range(n):
        n_active_total += state[i] == ACTIVE
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
            # Shortcuts that change nothing but speed: a scan is needed only to count cops and
            # actives when they can matter, and an empty cell can be found by rejection.
            if st == COP:
                need_scan = n_active_total > 0
            else:
                g = grievance[i]
                # G <= T: quiet whatever P; G - R > T: active whatever P (P < 1 always).
                need_scan = g > threshold and g - risk[i] <= threshold
            n_empty = -1  # unknown
            if need_scan:
                if fast:
                    n_cop, n_act, n_empty = _scan_rows(pad, cx, cy, spans, row_empty, row_act)
                else:
                    n_cop, n_act, n_empty = _scan_offsets(pad, cx, cy, offs, empties, actives)
            if st == COP:
                if need_scan and n_act > 0:
                    # Mesa: random.choice(active_neighbors); randint(0, max_jail_term) is
                    # inclusive, so a term of 0 is possible. The cop stays where it is.
                    nth = _below(rng, n_act)
                    dx, dy = _pick(pad, cx, cy, fast, spans, offs, row_act, actives, nth, ACTIVE)
                    tx = _wrap(x + dx, w)
                    ty = _wrap(y + dy, h)
                    t = ids[tx, ty]
                    jail[t] = _below(rng, max_jail_term + 1)
                    state[t] = JAILED
                    n_active_total -= 1
                    _put(pad, ids, tx, ty, r, JAILED, t)
                new = COP
            else:
                if need_scan:
                    p = arrest_probability(n_cop, n_act + 1, k)
                    active = turns_active(grievance[i], risk[i], p, threshold)
                else:
                    active = grievance[i] > threshold
                new = ACTIVE if active else QUIET
                n_active_total += (new == ACTIVE) - (st == ACTIVE)
                state[i] = new
                _put(pad, ids, x, y, r, new, i)
            if not movement:
                continue
            dx = 0
            dy = 0
            found = False
            if n_empty < 0:
                # Rejection sampling: uniform over the empty cells, like random.choice on them.
                for _ in range(_TRIES):
                    j = _below(rng, offs.shape[0])
                    if pad[cx + offs[j, 0], cy + offs[j, 1]] == EMPTY:
                        dx = offs[j, 0]
                        dy = offs[j, 1]
                        found = True
                        break
                if not found:
                    if fast:
                        n_cop, n_act, n_empty = _scan_rows(pad, cx, cy, spans, row_empty, row_act)
                    else:
                        n_cop, n_act, n_empty = _scan_offsets(pad, cx, cy, offs, empties, actives)
            if not found and n_empty > 0:
                nth = _below(rng, n_empty)
                dx, dy = _pick(pad, cx, cy, fast, spans, offs, row_empty, empties, nth, EMPTY)
                found = True
            if found:
                tx = _wrap(x + dx, w)
                ty = _wrap(y + dy, h)
                _put(pad, ids, x, y, r, EMPTY, -1)
                _put(pad, ids, tx, ty, r, new, i)
                ax[i] = tx
                ay[i] = ty
        q = 0
        a = 0
        jl = 0
        for i in range(n):
            st = state[i]
            q += st == QUIET
            a += st == ACTIVE
            jl += st == JAILED
        counts[s, 0] = q
        counts[s, 1] = a
        counts[s, 2] = jl


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
            p.arrest_prob_constant,
            p.max_jail_term,
            p.movement,
            counts,
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
