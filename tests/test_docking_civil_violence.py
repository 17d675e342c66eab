"""Tests for the civil-violence model: invariants, hand-checked cases, reproducibility."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from scipy import stats

from allegiance.docking.civil_violence import (
    ACTIVE,
    COP,
    EMPTY,
    JAILED,
    NEAR_ACTIVE,
    QUIET,
    CivilViolence,
    CivilViolenceParams,
    _double,
    _generator_state,
    _pcg64_step,
    _set_generator_state,
    arrest_probability,
    near_counts,
    neighbourhood_offsets,
    pad_grid,
    run,
    turns_active,
)
from allegiance.errors import UserError
from allegiance.rng import stream


@njit
def _draw(st: np.ndarray, n: int) -> np.ndarray:
    out = np.empty(n)
    hi, lo = st[0], st[1]
    for j in range(n):
        hi, lo, k = _pcg64_step(hi, lo, st[2], st[3])
        out[j] = _double(k)
    st[0] = hi
    st[1] = lo
    return out


SMALL = CivilViolenceParams(width=15, height=15, cop_vision=3, max_jail_term=5)


def check_invariants(model: CivilViolence) -> None:
    s = model.state
    n = s.x.size
    # one agent per cell, grid and agent arrays agree
    assert (s.ids[s.x, s.y] == np.arange(n)).all()
    assert np.count_nonzero(s.ids >= 0) == n
    assert (s.code[s.x, s.y] == s.state).all()
    assert ((s.code == EMPTY) == (s.ids < 0)).all()
    # the halo mirrors the torus
    assert (s.pad == pad_grid(s.code.copy(), s.radius)).all()
    # the incrementally kept neighbourhood tallies equal a recount from scratch
    assert (s.near == near_counts(s.code.copy(), model._offs)).all()
    # and no lane of the packed tally, halo included, ever went below zero or past a full
    # neighbourhood (folding the halo back could hide that; the kernel would misread it)
    lanes = s.tally.astype(np.int64)
    most = len(model._offs) + 1
    assert ((lanes & ((1 << s.layout.shift) - 1)) <= most).all()
    assert ((lanes >> s.layout.shift) <= most).all()
    # each citizen in exactly one state; cops stay cops and are never jailed
    citizen = s.state != COP
    assert np.isin(s.state[citizen], [QUIET, ACTIVE, JAILED]).all()
    assert (s.jail[~citizen] == 0).all()
    assert (s.jail >= 0).all() and (s.jail <= model.params.max_jail_term).all()
    # a citizen with time left to serve is jailed
    assert (s.state[s.jail > 0] == JAILED).all()


def test_arrest_probability_rounds_half_to_even_like_python() -> None:
    k = 2.3
    for cops, actives in [(0, 1), (1, 2), (3, 2), (5, 2), (7, 3), (1, 1), (8, 1)]:
        expected = 1 - math.exp(-1 * k * round(cops / actives))
        assert arrest_probability(cops, actives, k) == expected
    # C/A = 0.5 rounds to 0 (no risk), 1.5 rounds to 2: Mesa's rounding, not the paper's ratio
    assert arrest_probability(1, 2, k) == 0.0
    assert arrest_probability(3, 2, k) == pytest.approx(1 - math.exp(-4.6))


def test_turns_active_is_strict() -> None:
    # G = 0.5 (H = 1, L = 0.5), R = 0.4, P = 0.9 -> G - R P = 0.14
    assert turns_active(0.5, 0.4, 0.9, 0.1)
    assert not turns_active(0.5, 0.4, 0.9, 0.14 + 1e-9)
    assert not turns_active(0.1, 0.0, 0.0, 0.1)  # G - RP == T is not enough


def test_von_neumann_neighbourhood_is_the_diamond() -> None:
    offs = neighbourhood_offsets(7, 40, 40, "von_neumann")
    assert len(offs) == 2 * 7 * 8  # 112, the size Mesa's get_neighborhood(7) returns
    assert (np.abs(offs).sum(axis=1) <= 7).all()
    assert len(neighbourhood_offsets(2, 40, 40, "moore")) == 24


def test_neighbourhood_wrapping_onto_itself_counts_cells_once() -> None:
    offs = neighbourhood_offsets(7, 5, 5, "von_neumann")
    cells = {(dx % 5, dy % 5) for dx, dy in offs}
    assert len(cells) == len(offs) == 24  # every other cell of a 5x5 torus, once


def test_citizen_with_known_g_r_p() -> None:
    """One citizen, one cop two cells away: C = 1, A = 1, so P = 1 - e^-2.3 = 0.8997."""
    base = dict(width=9, height=9, legitimacy=0.5, movement=False, cop_vision=3)
    # G = 1 * (1 - 0.5) = 0.5, R = 0.4: G - R P = 0.140 > T = 0.1, so she turns active; the
    # cop then arrests her if it acts after her: she ends the step active or jailed.
    ends = set()
    for seed in range(12):
        model = CivilViolence.from_agents(
            CivilViolenceParams(**base), [4, 4], [4, 6], [QUIET, COP], [1.0, np.nan],
            [0.4, np.nan], seed,
        )  # fmt: skip
        model.step(1)
        check_invariants(model)
        ends.add(int(model.state.state[0]))
    assert ends == {ACTIVE, JAILED}  # both activation orders occur over 12 seeds
    # with T = 0.15 > 0.140 she stays quiet, and the cop has no one to arrest
    model = CivilViolence.from_agents(
        CivilViolenceParams(**base, active_threshold=0.15), [4, 4], [4, 6], [QUIET, COP],
        [1.0, np.nan], [0.4, np.nan],
    )  # fmt: skip
    model.step(3)
    assert model.state.state[0] == QUIET
    assert (model.timeseries["quiet"] == 1.0).all()


def test_cop_arrests_the_only_active_neighbour() -> None:
    """An always-active citizen (G - R > T) within a cop's vision ends up jailed."""
    p = CivilViolenceParams(
        width=9, height=9, legitimacy=0.0, movement=False, cop_vision=2, max_jail_term=3
    )
    model = CivilViolence.from_agents(
        p, [4, 5], [4, 4], [ACTIVE, COP], [1.0, np.nan], [0.0, np.nan]
    )
    model.step(1)
    check_invariants(model)
    # the cop acts first (arrests the active) or second (she is active again, and arrested)
    assert model.state.state[0] == JAILED
    assert 0 <= model.state.jail[0] <= 3
    assert model.state.state[1] == COP
    # the only way out of jail is to serve the term: no one else can arrest or release her
    assert model.timeseries["jailed"].iloc[-1] == 1.0


def test_citizen_out_of_vision_is_not_arrested() -> None:
    p = CivilViolenceParams(width=11, height=11, legitimacy=0.0, movement=False, cop_vision=2)
    # Manhattan distance 3 > vision 2: the cop never sees her
    model = CivilViolence.from_agents(p, [5, 7], [5, 6], [QUIET, COP], [1.0, np.nan], [0.0, np.nan])
    model.step(5)
    assert model.state.state[0] == ACTIVE
    assert (model.timeseries["active"].iloc[1:] == 1.0).all()


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    legitimacy=st.floats(0.0, 1.0),
    cop_density=st.floats(0.0, 0.2),
    max_jail=st.integers(0, 10),
    width=st.integers(3, 14),
    vision=st.integers(1, 4),
    kind=st.sampled_from(["von_neumann", "moore"]),
)
def test_invariants_hold_every_step(
    seed: int,
    legitimacy: float,
    cop_density: float,
    max_jail: int,
    width: int,
    vision: int,
    kind: str,
) -> None:
    # small grids make the neighbourhood wrap onto itself (the generic path), larger ones not
    p = CivilViolenceParams(
        width=width,
        height=width + 1,
        legitimacy=legitimacy,
        cop_density=cop_density,
        max_jail_term=max_jail,
        cop_vision=vision,
        neighbourhood=kind,
    )
    model = CivilViolence(p, seed)
    n_agents = model.state.x.size
    is_cop = model.state.is_cop.copy()
    check_invariants(model)
    for _ in range(8):
        jail_before = model.state.jail.copy()
        model.step(1)
        check_invariants(model)
        assert model.state.x.size == n_agents  # agents conserved
        assert (model.state.is_cop == is_cop).all()  # cops never become citizens, or jailed
        # a jail term only counts down by one per step, unless a new sentence starts
        served = (jail_before > 0) & (model.state.jail < jail_before)
        assert (model.state.jail[served] == jail_before[served] - 1).all()
    ts = model.timeseries
    assert np.allclose(ts[["quiet", "active", "jailed"]].sum(axis=1), 1.0)


def test_jail_terms_count_down_to_release() -> None:
    model = CivilViolence(SMALL, seed=3)
    model.step(3)
    s = model.state
    jailed = np.flatnonzero(s.jail > 0)
    assert jailed.size > 0, "this seed arrests someone in 3 steps"
    before = s.jail[jailed].copy()
    model.step(1)
    # each jailed citizen served one step (none can be re-arrested while jailed)
    assert (model.state.jail[jailed] == before - 1).all()
    assert (model.state.state[jailed] == JAILED).all()


def test_same_seed_is_bit_identical_and_seeds_differ() -> None:
    a = run(SMALL, seed=7, steps=30)
    b = run(SMALL, seed=7, steps=30)
    c = run(SMALL, seed=8, steps=30)
    assert a.equals(b)
    assert not a.equals(c)


def test_stepping_in_pieces_equals_one_call() -> None:
    whole = CivilViolence(SMALL, seed=11)
    whole.step(20)
    parts = CivilViolence(SMALL, seed=11)
    for n in (1, 5, 14):
        parts.step(n)
    assert whole.timeseries.equals(parts.timeseries)


@pytest.mark.parametrize(
    ("kind", "vision", "lane"),
    [
        ("von_neumann", 4, np.uint16),  # 16-lane vector adds
        ("von_neumann", 7, np.uint16),  # 16-lane vector adds, the default window
        ("von_neumann", 10, np.uint16),  # 21 wide: whole-word adds of 16-bit lanes
        ("moore", 8, np.uint32),  # 289 cells: too many for a byte per field
    ],
)
def test_fast_row_updates_equal_generic_offset_updates(kind: str, vision: int, lane: type) -> None:
    size = 25
    p = CivilViolenceParams(
        width=size, height=size, cop_vision=vision, neighbourhood=kind, cop_density=0.04,
        max_jail_term=8, legitimacy=0.6,
    )  # fmt: skip
    fast = CivilViolence(p, seed=5)
    generic = CivilViolence(p, seed=5)
    assert fast.fast and fast.state.tally.dtype == lane
    generic.fast = False
    # the generic path keeps the halo empty, so it needs a tally built without one
    generic.state.tally[:] = 0
    code = generic.state.code.copy()
    for (x, y), c in np.ndenumerate(code):
        if c in (COP, ACTIVE):
            unit = 1 if c == COP else 1 << generic.state.layout.shift
            for dx, dy in [(0, 0), *generic._offs.tolist()]:
                generic.state.tally[(x + dx) % size, (y + dy) % size + vision] += unit
    assert (generic.state.near == fast.state.near).all()
    for _ in range(5):
        fast.step(5)
        generic.step(5)
        check_invariants(fast)
        check_invariants(generic)
    assert fast.timeseries.equals(generic.timeseries)
    assert fast.timeseries["active"].max() > 0  # tallies of actives were exercised too
    assert (fast.state.pad == generic.state.pad).all()
    assert (fast.state.near == generic.state.near).all()


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    width=st.integers(3, 12),
    height=st.integers(3, 12),
    vision=st.integers(1, 6),
    kind=st.sampled_from(["von_neumann", "moore"]),
)
def test_near_counts_equal_a_cell_by_cell_count(
    seed: int, width: int, height: int, vision: int, kind: str
) -> None:
    rng = np.random.default_rng(seed)
    code = rng.choice(np.array([EMPTY, QUIET, ACTIVE, JAILED, COP], dtype=np.int8), (width, height))
    offs = neighbourhood_offsets(vision, width, height, kind)
    near = near_counts(code, offs)
    for x in range(width):
        for y in range(height):
            seen = [code[x, y]] + [code[(x + dx) % width, (y + dy) % height] for dx, dy in offs]
            cops = sum(c == COP for c in seen)
            actives = sum(c == ACTIVE for c in seen)
            assert near[x, y] == cops + NEAR_ACTIVE * actives


@pytest.mark.parametrize("k", [0.0, 1e-300, 1e-17, 0.7, 2.3, 50.0])
def test_probability_table_equals_the_direct_formula(k: float) -> None:
    """The kernel reads P from a table indexed by round(C / A): the same float for every C, A."""
    model = CivilViolence(CivilViolenceParams(arrest_prob_constant=k))
    n = len(model._offs)
    for cops in range(n + 1):
        for actives in range(1, n + 2):
            q = int(np.rint(cops / actives))
            assert model._p_of_q[q] == arrest_probability(cops, actives, k)


def test_quiet_from_equals_the_rule_for_every_q() -> None:
    """The kernel decides by q < quiet_from: the rule's own comparison, for every q that occurs."""
    for params in [
        CivilViolenceParams(),
        CivilViolenceParams(legitimacy=0.3, active_threshold=0.05, arrest_prob_constant=0.7),
        CivilViolenceParams(legitimacy=0.0, arrest_prob_constant=1e-17),  # ties of P at 0
    ]:
        model = CivilViolence(params, seed=4)
        s = model.state
        citizen = s.state != COP
        p_of_q = model._p_of_q
        for q in range(len(p_of_q)):
            rule = [
                turns_active(g, r, p_of_q[q], params.active_threshold)
                for g, r in zip(s.grievance[citizen], s.risk_aversion[citizen], strict=True)
            ]
            assert ((q < s.agents[citizen, 3]) == np.array(rule)).all()


def test_negative_risk_aversion_is_refused() -> None:
    """Then a decision is not monotone in q, and no quiet_from can stand for the rule."""
    p = CivilViolenceParams(width=9, height=9, legitimacy=0.0, cop_vision=2)
    # G = 0, R = -1: quiet at q = 0 (P = 0), active once P > T
    with pytest.raises(ValueError, match="monotone"):
        CivilViolence.from_agents(p, [1], [1], [QUIET], [0.0], [-1.0])


def test_q_table_is_python_round_of_the_ratio() -> None:
    """round(C / A) from the packed tally, as Mesa's Python ``round`` (halves to even)."""
    q_of = CivilViolence(CivilViolenceParams()).state.layout.q_of
    for actives in range(256):
        for cops in range(256):
            assert q_of[cops + (actives << 8)] == round(cops / (actives + 1))


def test_kernel_generator_draws_numpys_numbers() -> None:
    """The kernel's own PCG64 gives Generator.random()'s doubles and leaves its state."""
    ours = stream(9, "civil_violence.schedule")
    theirs = stream(9, "civil_violence.schedule")
    ours.random(3)  # any point of the stream
    theirs.random(3)
    st = _generator_state(ours)
    drawn = _draw(st, 10_000)
    assert (drawn == theirs.random(10_000)).all()
    _set_generator_state(ours, st)
    assert ours.bit_generator.state == theirs.bit_generator.state
    assert ours.random() == theirs.random()


def test_random_doubles_carry_53_whole_bits() -> None:
    """Moves cut k = u * 2**53 into chunks: that needs k to be an integer with uniform bits."""
    k = stream(3, "civil_violence.schedule").random(200_000) * 2.0**53
    assert (k == np.floor(k)).all()
    bits = (k.astype(np.int64)[:, None] >> np.arange(53)) & 1
    assert np.abs(bits.mean(axis=0) - 0.5).max() < 0.01


def first_moves(kind: str, vision: int, empty_at: np.ndarray, trials: int) -> np.ndarray:
    """Where one always-quiet citizen moves in its first step, over ``trials`` repeats.

    Every other cell in its vision holds a citizen jailed for the whole run, except the cells
    ``empty_at`` (indices into the neighbourhood): only the mover moves, always from the same
    start, and the state is put back before each repeat while the generator runs on.
    """
    width = 30
    centre = width // 2
    offs = neighbourhood_offsets(vision, width, width, kind)
    keep = np.setdiff1d(np.arange(len(offs)), empty_at)
    x = np.concatenate([[centre], centre + offs[keep, 0]])
    y = np.concatenate([[centre], centre + offs[keep, 1]])
    state = np.full(x.size, JAILED, dtype=np.int8)
    state[0] = QUIET
    zeros = np.zeros(x.size)  # hardship 0: grievance 0, never active
    p = CivilViolenceParams(
        width=width, height=width, cop_vision=vision, neighbourhood=kind, max_jail_term=1000
    )
    model = CivilViolence.from_agents(p, x, y, state, zeros, zeros, seed=len(empty_at))
    model.state.jail[1:] = 1000
    start = copy.deepcopy(model.state)
    moved = np.empty(trials, dtype=np.int64)
    for t in range(trials):
        model.state = copy.deepcopy(start)
        model.step(1)
        dx, dy = model.state.x[0] - centre, model.state.y[0] - centre
        hit = np.flatnonzero((offs[:, 0] == dx) & (offs[:, 1] == dy))
        moved[t] = hit[0] if hit.size else -1  # -1: stayed
    return moved


@pytest.mark.parametrize(
    ("kind", "vision", "n_empty"),
    [
        ("von_neumann", 7, 25),  # 112 cells, 7-bit chunks: the unrolled path
        ("von_neumann", 7, 2),  # few empty cells: mostly the counting fallback
        ("moore", 2, 6),  # 24 cells, 5-bit chunks: the general path
        ("von_neumann", 3, 24),  # every cell empty
    ],
)
def test_moves_are_uniform_over_the_empty_cells(kind: str, vision: int, n_empty: int) -> None:
    n_cells = len(neighbourhood_offsets(vision, 30, 30, kind))
    empty_at = np.random.default_rng(n_empty).choice(n_cells, size=n_empty, replace=False)
    moved = first_moves(kind, vision, empty_at, trials=150 * n_empty)
    assert set(moved.tolist()) <= set(empty_at.tolist())  # never onto an occupied cell
    freq = np.array([np.count_nonzero(moved == j) for j in empty_at])
    assert stats.chisquare(freq).pvalue > 1e-4


def test_no_empty_cell_in_vision_means_no_move() -> None:
    moved = first_moves("von_neumann", 3, np.array([], dtype=np.int64), trials=20)
    assert (moved == -1).all()


def test_timeseries_has_one_row_per_step() -> None:
    ts = run(SMALL, seed=0, steps=12)
    assert list(ts.columns) == ["step", "quiet", "active", "jailed"]
    assert ts["step"].tolist() == list(range(13))
    assert ts.loc[0, "quiet"] == 1.0  # Mesa starts everyone quiet


def test_legitimacy_one_means_no_rebellion() -> None:
    ts = run(CivilViolenceParams(width=20, height=20, legitimacy=1.0), seed=2, steps=20)
    assert (ts["active"] == 0).all() and (ts["jailed"] == 0).all()


@pytest.mark.parametrize(
    ("field", "value"),
    [("legitimacy", 1.5), ("width", 1), ("cop_density", -0.1), ("neighbourhood", "hex")],
)
def test_bad_parameters_raise_user_error(field: str, value: object) -> None:
    with pytest.raises(UserError, match=field):
        CivilViolenceParams(**{field: value})  # type: ignore[arg-type]


def test_densities_over_one_rejected() -> None:
    with pytest.raises(UserError, match="citizen_density \\+ cop_density"):
        CivilViolenceParams(citizen_density=0.95, cop_density=0.1)
