"""The joining kernel against the one it replaced, bit for bit and draw for draw.

A COLD segment passes over the people of hot circles by comparing each candidate's index with
the hot circles' index ranges (people are stored circle by circle), where it read his circle;
and the kernel prefetches the records and statuses it will read. Neither may change a joiner,
motive or draw: on random months, hot circles, pulls, bounds (thinned or scanned), statuses and
capacities, join's kernel call is replayed through the old kernel kept here as an oracle, in
circle order (COLD and hot segments) and without it (LOOKUP).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit

from allegiance import Simulation, pcg
from allegiance.mechanisms import joining
from allegiance.mechanisms.joining import (
    _BATCH,
    _BIRTH,
    _BIRTH_OFFSET,
    _FLAGS,
    _GRIEV,
    _IDEO,
    CHILD,
    COLD,
    CRIM,
    FRIENDS,
    IDEO_A,
    LOOKUP,
    MIN_AGE,
    MONTH,
    PRESENCE,
    _econ_of,
)
from helpers import small


@cache
def _state() -> Simulation:
    """A small run ten months in: members, trainees and civilians, people in circle order."""
    sim = Simulation(small(size=20_000), 3)
    for _ in range(10):
        sim.step()
    assert sim.circle_start is not None
    return sim


@njit(fastmath=True)  # the kernel's flags: the same float operations
def _circle_kernel(
    rng,
    v,
    need,
    group,
    offer,
    pay_class,
    t_ideo,
    t_rev,
    t_opp,
    status,
    record,
    circle,
    hot,
    hot_pull,
    seg_start,  # noqa: ANN001, ANN201
    seg_end,
    seg_bound,
    seg_kind,
    out_idx,
    out_motive,
):
    """joining._kernel as it was before COLD segments passed over hot circles by their index
    ranges (it reads ``circle[i]`` of every candidate) and before its prefetches: kept verbatim
    as the oracle the kernel must equal, bit for bit and draw for draw."""
    # parameters into locals: the loop writes arrays, so Numba would otherwise reload v each time
    presence = v[PRESENCE]
    child_rate = v[CHILD] / presence  # the cubs drive reaches every child where ISIS rules
    crim = v[CRIM]
    oldest_allowed = int(v[MONTH]) - 12 * int(v[MIN_AGE])  # born on or before this month
    adult_born = int(v[MONTH]) - 12 * 18  # born on or before this month: 18 or older
    n_out = 0
    n_hot = hot.shape[0]
    cand = np.empty(_BATCH, dtype=np.int64)
    cand_u = np.empty(_BATCH, dtype=np.float64)
    cand_pull = np.empty(_BATCH, dtype=np.float64)
    for s in range(seg_start.shape[0]):
        lo, hi, bound, kind = seg_start[s], seg_end[s], seg_bound[s], seg_kind[s]
        if not bound > 0.0 or lo >= hi:
            continue
        scan = bound >= 1.0  # no thinning: every person a candidate, one uniform on [0, 1) each
        log_q = np.log1p(-bound) if not scan else -1.0
        h = 0  # next hot circle that may hold a candidate of a COLD segment (both in order)
        i = lo - 1
        more = True
        while more:
            # gather a batch of candidates
            k = 0
            while k < _BATCH:
                if scan:
                    i += 1
                    if i >= hi:
                        more = False
                        break
                    u = rng.random()
                else:
                    gap = np.floor(np.log(1.0 - rng.random()) / log_q)  # failures before one
                    if gap >= hi - i - 1:
                        more = False
                        break
                    i += 1 + int(gap)
                    u = rng.random() * bound
                pull = 1.0
                if kind == COLD:
                    c = circle[i]
                    while h < n_hot and hot[h] < c:
                        h += 1
                    if h < n_hot and hot[h] == c:
                        continue  # drawn with his circle's segment
                elif kind == LOOKUP:
                    c = circle[i]
                    j = np.searchsorted(hot, c)
                    if j < n_hot and hot[j] == c:
                        pull = hot_pull[j]
                else:
                    pull = hot_pull[kind]
                cand[k], cand_u[k], cand_pull[k] = i, u, pull
                k += 1
            # look at each: his chance (ODD 7.3); whoever cannot join is passed over
            for q in range(k):
                i_q = cand[q]
                r = record[i_q]
                f = (r >> _FLAGS) & 31
                if status[i_q] != 0 or f & 16:
                    continue
                b = int((r >> _BIRTH) & 0xFFFF) - _BIRTH_OFFSET
                if b > oldest_allowed:
                    continue
                k_ideo = (r >> _IDEO) & 255
                l_ideo = t_ideo[k_ideo]
                if b > adult_born:
                    l_ideo += child_rate
                l_coer = crim * (f & 1)
                l_econ = _econ_of(r & 0x1FFFF, need, group, offer, pay_class)
                l_rev = t_rev[(f >> 3) & 1, (r >> _GRIEV) & 255]
                l_opp = t_opp[k_ideo] if f & 4 else 0.0
                base = l_ideo + l_coer + l_econ + l_rev + l_opp
                total = base * presence * cand_pull[q]
                # 1 - exp(-x) by its series where x is small: the common case, and far cheaper
                p_join = total * (1.0 - 0.5 * total) if total < 1e-3 else 1.0 - np.exp(-total)
                if not cand_u[q] < p_join:
                    continue
                pick = rng.random() * base
                if pick < l_ideo:
                    m = 1
                elif pick < l_ideo + l_coer:
                    m = 2
                elif pick < l_ideo + l_coer + l_econ:
                    m = 3
                elif pick < l_ideo + l_coer + l_econ + l_rev:
                    m = 4
                else:
                    m = 5
                out_idx[n_out] = i_q
                out_motive[n_out] = m
                n_out += 1
                if n_out == out_idx.shape[0]:
                    return n_out
    return n_out


def _replay(
    sim: Simulation,
    changes: dict[int, float],
    hot: np.ndarray,
    share: np.ndarray,
    seed: int,
    capacity: int,
    ordered: bool,
    t: int,
    pay_factor: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Run join once with the parameter changes, then the oracle on the same kernel inputs; the
    kernel's joiners and motives, in draw order."""
    calls = []
    kernel, fused, parameters = joining._kernel, joining._tables_and_draw, joining.parameters

    def spy(state, *args):  # noqa: ANN001, ANN002, ANN202
        """The kernel call of people in any order (LOOKUP)."""
        before = state.copy()  # the stream's PCG64 words (allegiance.pcg.state)
        k = kernel(state, *args)
        calls.append((before, args, k, state.copy()))
        return k

    def spy_fused(state, e, v, powed, *rest):  # noqa: ANN001, ANN002, ANN202
        """People in circle order: the fused call, then its three parts one by one from the
        same state, which must give the same joiners, motives and draws."""
        before = state.copy()
        got = fused(state, e, v, powed, *rest)
        need_group, starts, n_g, levels, circle_start, hot, n, margin = rest[:8]
        group, pay_class, status, record, circle, capacity = rest[8:]
        need, t_ideo, t_rev, t_opp, hot_pull, _, start, end, bound, kind = joining._finish(
            e, v, powed, need_group, starts, n_g, levels, circle_start, hot, n, margin
        )
        out = (np.empty(capacity, np.int64), np.empty(capacity, np.uint8))
        args = (v, need, group, powed, pay_class, t_ideo, t_rev, t_opp, status, record, circle)
        args += (hot, hot_pull, start[1:], end[1:], start, end, bound, kind, *out)
        parts = before.copy()
        k = kernel(parts, *args)
        np.testing.assert_array_equal(parts, state)
        for a, b in zip(got, joining._in_order(out[0][:k], out[1][:k]), strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype
        calls.append((before, args, k, state.copy()))
        return got

    def changed(*a):  # noqa: ANN002, ANN202
        v = parameters(*a)
        for j, x in changes.items():
            v[j] = x
        return v

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(joining, "_kernel", spy)
        mp.setattr(joining, "_tables_and_draw", spy_fused)
        mp.setattr(joining, "parameters", changed)
        joining.join(
            sim.people,
            sim.calendar[t],
            pay_factor,
            (hot, share),
            np.random.default_rng(seed),
            capacity,
            sim.join_traits,
            sim.circle_start if ordered else None,
        )
    ((before, args, k, after),) = calls
    # the oracle's arguments: the kernel's without the hot circles' ranges, fresh outputs
    old_args = list(args[:13]) + list(args[15:])
    old_args[-2], old_args[-1] = np.empty_like(args[-2]), np.empty_like(args[-1])
    rng = np.random.default_rng()
    lo, hi, inc_lo, inc_hi = (int(w) for w in before)
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": lo | hi << 64, "inc": inc_lo | inc_hi << 64},
        "has_uint32": 0,
        "uinteger": 0,
    }
    k_old = _circle_kernel(rng, *old_args)
    assert k == k_old
    np.testing.assert_array_equal(args[-2][:k], old_args[-2][:k])  # joiners, in draw order
    np.testing.assert_array_equal(args[-1][:k], old_args[-1][:k])  # their motives
    np.testing.assert_array_equal(after, pcg.state(rng))  # the same draws, no more, no fewer
    return args[-2][:k], args[-1][:k]


@given(
    data=st.data(),
    seed=st.integers(0, 2**32),
    t=st.integers(0, 23),
    pay_factor=st.sampled_from([0.35, 1.0]),
    changes=st.fixed_dictionaries(
        {},
        optional={
            FRIENDS: st.sampled_from([0.0, 3.0, 12.0, 60.0]),  # 60: hot bounds >= 1 (scanned)
            CRIM: st.sampled_from([0.0, 0.05, 50.0]),  # 50: the COLD bound >= 1 (scanned)
            IDEO_A: st.sampled_from([1e-4, 1e3]),  # 1e3: everyone who can join is sure to
            PRESENCE: st.sampled_from([1e-3, 0.3, 1.0]),
        },
    ),
    capacity=st.sampled_from([1, 5, 1_000, 20_000]),  # a full output ends the draws early
    ordered=st.booleans(),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_kernel_equals_the_kernel_that_read_circles(
    data: st.DataObject,
    seed: int,
    t: int,
    pay_factor: float,
    changes: dict[int, float],
    capacity: int,
    ordered: bool,
) -> None:
    sim = _state()
    n_circles = int(sim.circle_start.size - 1)
    # hot circles anywhere (adjacent ones, the first and the last included) or none
    picks = data.draw(
        st.one_of(
            st.sets(st.integers(0, n_circles - 1), max_size=400),
            st.sets(st.sampled_from([0, 1, 2, n_circles - 2, n_circles - 1]), max_size=5),
        )
    )
    hot = np.array(sorted(picks), np.int64)
    share = np.array(
        data.draw(st.lists(st.floats(0, 1, width=32), min_size=hot.size, max_size=hot.size)),
        np.float32,
    )
    _replay(sim, changes, hot, share, seed, capacity, ordered, t, pay_factor)


def test_a_scanned_cold_segment_passes_over_every_hot_circle() -> None:
    """Everyone a candidate of the COLD segment (its bound >= 1) and nearly sure to join: its
    joiners (the first, in index order) hold nobody of a hot circle, and the hot circles' own
    segments then draw theirs; the oracle agrees, in circle order and by LOOKUP."""
    sim = _state()
    hot = np.arange(0, int(sim.circle_start.size - 1), 7, dtype=np.int64)
    share = np.full(hot.size, 0.5, np.float32)
    in_hot = np.isin(sim.people.circle, hot)
    sure = {IDEO_A: 1e3, PRESENCE: 1.0}
    idx, _ = _replay(sim, sure, hot, share, 11, 20_000, True, 12, 1.0)
    turn = int(np.flatnonzero(np.diff(idx) < 0)[0]) + 1  # where the hot segments begin
    assert turn > 1_000 and not in_hot[idx[:turn]].any()
    assert idx.size > turn and in_hot[idx[turn:]].all()
    _replay(sim, sure, hot, share, 11, 20_000, False, 12, 1.0)


@given(
    total=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(0.0, 2e-3),
        st.floats(9.99e-4, 1.001e-3),  # both sides of the series' cutoff
        st.floats(0.0, 50.0),
    ),
    u=st.floats(0.0, 1.0, exclude_max=True),
)
@settings(max_examples=2_000, deadline=None)
def test_a_uniform_at_or_above_the_total_never_fell_below_the_chance(
    total: float, u: float
) -> None:
    """The kernel rejects a candidate whose uniform is at or above his total hazard before it
    computes his chance: that is the same decision only if the chance, as computed (series or
    exp, with the kernel's flags), never exceeds the total."""
    chance = joining._chance(total)
    if total == total:  # not NaN
        assert chance <= total
    assert not (u >= total and u < chance)
