"""Joining: the five motives of the seed as competing monthly hazards over the civilian pool.

Rule (docs/ODD.md, 7.3): for civilian i and motive m, lambda_m = base_m * exp(beta_m . x_i) *
presence(t) * child(t) * exp(friends * share of i's circle in the group); the chance of joining
in a month is 1 - exp(-sum_m lambda_m) and the motive recorded is drawn with probability
lambda_m / sum. Evidence, per motive:
- ideology: 'true believers who are ideologically committed to the goal of establishing a
  caliphate'; hazard rises with ideology.
- coercion: 'wanted criminals or ... captured enemy combatants who are promised amnesty';
  'released and pardoned hundreds of criminals'. Captured FSA fighters reach the group through
  the capture mechanism (mechanisms/capture.py) and the repentance course, not through this scan.
- economic: 'the starting salary for a fighter is $50 per month, with an additional $50 per wife
  ..., $50 for each dependent parent, and $35 for each child'; 'I couldn't even afford to buy
  enough bread'; hazard rises with the household's shortfall and with the pay offer relative to
  the best outside option where the person lives: civilian work and aid, or an armed
  alternative that recruits in his province ('the FSA may pay its fighters as little as $36 per
  month ...; Syrian army salaries start at $63 per month; and Jabhat al-Nusra pays an average of
  $100 per month'). Protecting one's family is part of this motive: 'I joined to protect my
  sisters' raises the hazard with each dependant sister (protect_family).
- revenge: 'One ISIS deserter whose family had been killed by the regime said that he joined
  ISIS "to take revenge"'; hazard rises with grievance and a family killed, and with the group's
  appeal as 'the only force standing up to Assad' (Ammar).
- opportunism: 'trying to maximize power and money'; former officers 'with valuable expertise';
  hazard rises with expertise and low ideology, and with the group's appeal.
Friends: Sami joined with 'several of his oldest childhood friends'. Children: the 'cubs of the
Caliphate' drive adds a flat hazard (children.rate) to the ideology motive of every child above
the minimum age: 'cheaper and more ideologically malleable'; Sami's mother realised 'her son had
been brainwashed'.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from numba import njit

from .. import pcg
from ..pcg import random as _random
from ..people import FOREIGN_MIN, IRAQI, Affiliation, Motive, People, Status, trait
from ..prefetch import prefetch as _prefetch
from ..world import Month
from .rivals import armed_pay

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_TRAINING = int(Status.TRAINING)
_COERCION = int(Motive.COERCION)

# indices into the packed parameter vector handed to the kernel
(
    MONTH,
    MIN_AGE,
    CHILD,
    PRESENCE,
    FRIENDS,
    IDEO_A,
    IDEO_E,
    CRIM,
    PROTECT,
    ECON_A,
    ECON_E1,
    ECON_E2,
    PAY_F,
    BASE,
    WIFE,
    PARENT,
    CHILD_PAY,
    DEP,
    SKILL,
    IN_KIND,
    NEED_PP,
    OUTSIDE,
    BEST_ALT,
    REV_A,
    REV_E,
    REV_E2,
    OPP_A,
    OPP_E,
) = range(28)
N_PARAMS = OPP_E + 1  # length of the packed vector


def parameters(month: Month, pay_factor: float) -> np.ndarray:
    """Pack this month's joining parameters (policy and environment) into one vector."""
    p, env = month.policy, month.env
    j, pay = p.joining, p.organization.pay
    outside = (1.0 - env.unemployment) * env.civilian_wage_usd + env.aid_usd
    appeal = env.appeal
    v = np.zeros(N_PARAMS, dtype=np.float64)
    v[MONTH] = month.index
    v[MIN_AGE] = p.organization.children.min_age
    v[CHILD] = p.organization.children.rate
    v[PRESENCE] = env.presence
    v[FRIENDS] = j.friends
    v[IDEO_A], v[IDEO_E] = j.ideology.base * appeal, j.ideology.effect
    v[CRIM] = p.organization.amnesty.criminals
    v[PROTECT] = j.protect_family
    v[ECON_A], v[ECON_E1], v[ECON_E2] = j.economic.base, j.economic.effect, j.economic.effect2
    v[PAY_F] = pay_factor
    v[BASE], v[WIFE], v[PARENT] = pay.base, pay.per_wife, pay.per_parent
    v[CHILD_PAY], v[DEP], v[SKILL], v[IN_KIND] = (
        pay.per_child,
        pay.per_dependant,
        pay.skill_premium,
        pay.in_kind_usd,
    )
    v[NEED_PP] = env.food_cost_usd * env.food_price_index
    v[OUTSIDE] = max(outside, 1.0)
    v[BEST_ALT] = max(outside, 1.0)  # where no armed alternative recruits (see best_alternative)
    v[REV_A], v[REV_E], v[REV_E2] = j.revenge.base * appeal, j.revenge.effect, j.revenge.effect2
    v[OPP_A], v[OPP_E] = j.opportunism.base * appeal, j.opportunism.effect
    return v


LEVELS = 256  # ideology and grievance are tabulated on this grid (error < 0.2% of a hazard)
_W, _C, _P, _D = 5, 16, 5, 13  # household caps: wives, children, parents, other dependants


def offer_usd(
    v: np.ndarray,
    wives: np.ndarray,
    children: np.ndarray,
    parents: np.ndarray,
    dependants: np.ndarray,
    skilled: np.ndarray,
) -> np.ndarray:
    """Monthly pay offered by the schedule (cash times the pay factor) plus in-kind benefits."""
    return _offer(v, schedule_usd(v, wives, children, parents, dependants, skilled))


def schedule_usd(
    v: np.ndarray,
    wives: np.ndarray,
    children: np.ndarray,
    parents: np.ndarray,
    dependants: np.ndarray,
    skilled: np.ndarray,
) -> np.ndarray:
    """The schedule's monthly cash before the pay factor."""
    cash = (
        v[BASE]
        + v[WIFE] * wives
        + v[PARENT] * parents
        + v[CHILD_PAY] * children
        + v[DEP] * dependants
    )
    return np.where(skilled, cash * v[SKILL], cash)


def _offer(v: np.ndarray, cash: np.ndarray) -> np.ndarray:
    """The offer of a schedule's cash: times the pay factor, plus in-kind benefits."""
    return cash * v[PAY_F] + v[IN_KIND]


N_HOUSEHOLDS = _W * _C * _P * _D * 2  # household compositions times skill


def best_alternative(month: Month) -> np.ndarray:
    """Best monthly outside option in each local origin: civilian income, or the pay of an armed
    group that recruits there (mechanisms/rivals.py)."""
    env = month.env
    civilian = max((1.0 - env.unemployment) * env.civilian_wage_usd + env.aid_usd, 1.0)
    return np.maximum(civilian, armed_pay(env, month.policy.population))


@cache
def _grid() -> tuple[np.ndarray, ...]:
    """Wives, children, parents, other dependants and skill of every household composition."""
    w, c, p, d, s = np.meshgrid(
        np.arange(_W), np.arange(_C), np.arange(_P), np.arange(_D), np.arange(2), indexing="ij"
    )
    grid = (w, c, p, d, s.astype(bool))
    for a in grid:
        a.flags.writeable = False
    return grid


@dataclass(frozen=True)
class _PayClasses:
    """Households that the schedule pays alike, with what the monthly economic hazard reads of
    them (kept per schedule: a month then gathers nothing over the ten thousand households)."""

    inverse: np.ndarray  # uint16, every household's pay class (at most 10,400)
    cash: np.ndarray  # each class's cash before the pay factor (schedule_usd)
    need_group: np.ndarray  # the need groups present in each class, class after class
    starts: np.ndarray  # where each class's need groups begin in ``need_group``


@lru_cache(maxsize=16)
def _pay_classes(
    base: float, wife: float, parent: float, child: float, dependant: float, skill: float
) -> _PayClasses:
    """Households that the schedule pays alike: each class's cash and, for every household, the
    index of its class.

    The schedule has a few hundred distinct amounts over ten thousand compositions, and equal
    amounts give equal offers and ratios whatever the month's pay factor.
    """
    w, c, p, d, s = _grid()
    v = np.zeros(N_PARAMS)
    v[BASE], v[WIFE], v[PARENT], v[CHILD_PAY], v[DEP], v[SKILL] = (
        base,
        wife,
        parent,
        child,
        dependant,
        skill,
    )
    cash = schedule_usd(v, w, c, p, d, s).ravel()
    _, rep, inverse = np.unique(cash, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    # each class's need groups once: the largest need of a class is the largest over these
    pairs = np.unique(inverse.astype(np.int64) * N_HOUSEHOLDS + _need_groups()[2])
    cls = pairs // N_HOUSEHOLDS
    out = _PayClasses(
        inverse.astype(np.uint16),
        cash[rep],
        pairs - cls * N_HOUSEHOLDS,
        np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]]),
    )
    for a in (out.inverse, out.cash, out.need_group, out.starts):
        a.flags.writeable = False
    return out


@cache
def _need_groups() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Households that need and protect alike: the household size and the sisters counted
    (min(dependants, 6)) of one representative of each, and every household's group.

    The economic hazard before the offer depends on a household only through these two, so it is
    computed for about two hundred groups instead of ten thousand households.
    """
    w, c, p, d, _ = _grid()
    size = (1 + w + c + p + d).ravel()
    sisters = np.minimum(d, 6).ravel()
    key = size * 7 + sisters
    _, rep, group = np.unique(key, return_index=True, return_inverse=True)
    # uint16 indices: the per-household lookups of the kernel stay in the fastest cache
    out = (size[rep], sisters[rep], group.ravel().astype(np.uint16))
    for a in out:
        a.flags.writeable = False
    return out


@dataclass(frozen=True)
class Economic:
    """The economic hazard in factors: for household j in local origin k it is
    ``need[group[j]] * offer[k, pay_class[j]]``, one IEEE product (economic_table multiplies
    them all out)."""

    need: np.ndarray  # float64 per need group: base x exp(shortfall and sisters terms)
    group: np.ndarray  # uint16 per household: its need group
    offer: np.ndarray  # float64 (origin, pay class): (offer / best alternative) ** effect2
    pay_class: np.ndarray  # uint16 per household: its pay class
    top: float  # the largest entry of the whole table


def economic(v: np.ndarray, best_alt: np.ndarray) -> Economic:
    """Economic hazard for every local origin, household composition and skill, in factors.

    The offer is weighed against the best outside option where the person lives; the shortfall
    is the household's food need that civilian income leaves uncovered; each dependant sister
    adds the wish to protect her (seed: 'I joined to protect my sisters').
    """
    size, sisters, group = _need_groups()
    need = size.astype(np.float64) * v[NEED_PP]  # 1 + wives + children + ... people to feed
    shortfall = np.maximum(0.0, 1.0 - v[OUTSIDE] / need)
    lam = v[ECON_A] * np.exp(v[ECON_E1] * shortfall + v[PROTECT] * sisters)
    classes = _pay_classes(v[BASE], v[WIFE], v[PARENT], v[CHILD_PAY], v[DEP], v[SKILL])
    offer = _offer(v, classes.cash)  # the schedule's cash is the class's own: kept with it
    powed = (offer[None, :] / best_alt[:, None]) ** v[ECON_E2]
    # the largest product: for a positive factor, rounding keeps order, so the largest need of a
    # pay class times its factor is the largest product of that class
    most = np.maximum.reduceat(lam[classes.need_group], classes.starts)
    top = float((most[None, :] * powed).max()) if powed.size else 0.0
    return Economic(lam, group, powed, classes.inverse, top)


@njit(cache=True)  # no fastmath: one IEEE product, as the table's entry (no fused add)
def _econ_of(h, need, group, offer, pay_class):  # noqa: ANN001, ANN202
    """Economic hazard of packed household ``h`` (local origin x N_HOUSEHOLDS + household)."""
    k = h // N_HOUSEHOLDS
    j = h - k * N_HOUSEHOLDS
    return need[group[j]] * offer[k, pay_class[j]]


def economic_table(v: np.ndarray, best_alt: np.ndarray) -> np.ndarray:
    """The whole economic table, flat (local origin x household): its factors multiplied out."""
    e = economic(v, best_alt)
    return (e.need[e.group][None, :] * e.offer[:, e.pay_class]).ravel()


_X = np.arange(LEVELS) / (LEVELS - 1)  # the trait grid, and the offsets the tables read of it
_X_IDEO, _X_REV, _X_OPP = _X - 0.5, _X - 1.0, 0.5 - _X
_FAMILY_KILLED = np.array([[0.0], [1.0]])  # the revenge table's rows: family killed or not


def trait_tables(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ideology, revenge and opportunism hazards on the trait grid (revenge: family killed or not)."""
    ideo = v[IDEO_A] * np.exp(v[IDEO_E] * _X_IDEO)
    # both rows at once: each entry is the same sum, effect * (x - 1) + effect2 * killed
    rev = v[REV_A] * np.exp(v[REV_E] * _X_REV + v[REV_E2] * _FAMILY_KILLED)
    opp = v[OPP_A] * np.exp(v[OPP_E] * _X_OPP)
    return ideo, rev, opp


CRIMINAL, FSA, EXPERT, FAMILY_KILLED, FOREIGN = 1, 2, 4, 8, 16  # the flag bits of a record
# bit positions in a person's packed record: household (17 bits: local origin, household
# composition, skill: the row of economic_table), flags (5), ideology (8), grievance (8), and the
# month of birth offset to be non-negative (16)
_FLAGS, _IDEO, _GRIEV, _BIRTH = 17, 22, 30, 38
_BIRTH_OFFSET = 1 << 15
assert (IRAQI + 1) * N_HOUSEHOLDS < 1 << _FLAGS


@dataclass(frozen=True)
class Traits:
    """The fixed traits joining reads, one 8-byte record a person, packed once per run: a
    candidate costs one scattered read besides his status."""

    record: np.ndarray  # uint64


_SLICE = 1 << 16  # people per slice of the packing


def traits(people: People) -> Traits:
    """Pack the fixed traits of everyone (computed once, at the start of a run).

    Slice by slice, so the wide temporaries of the packing never exist for the whole population.
    """
    n = people.size
    out = Traits(np.empty(n, dtype=np.uint64))
    for s in range(0, n, _SLICE):
        e = min(n, s + _SLICE)
        out.record[s:e] = _pack(people, slice(s, e))
    return out


def _pack(people: People, sl: slice) -> np.ndarray:
    """The packed records of the people in ``sl``."""
    top = LEVELS - 1
    wives, children, parents = people.wives[sl], people.children[sl], people.parents[sl]
    dependants, skilled, origin = people.dependants[sl], people.skilled[sl], people.origin[sl]
    criminal, affiliation = people.criminal[sl], people.affiliation[sl]
    h = (
        (np.minimum(wives, _W - 1).astype(np.uint16) * _C + np.minimum(children, _C - 1)) * _P
        + np.minimum(parents, _P - 1)
    ) * _D + np.minimum(dependants, _D - 1)
    local_origin = np.minimum(origin, IRAQI).astype(np.uint64)  # foreigners never join here
    household = local_origin * N_HOUSEHOLDS + (h.astype(np.uint64) * 2 + skilled)
    expert = skilled | (affiliation == Affiliation.REGIME) | criminal
    flags = (
        CRIMINAL * criminal
        + FSA * (affiliation == Affiliation.FSA)
        + EXPERT * expert
        + FAMILY_KILLED * people.family_killed[sl]
        + FOREIGN * (origin >= FOREIGN_MIN)
    ).astype(np.uint64)
    ideology = np.rint(people.ideology[sl] * top).astype(np.uint64)
    grievance = np.rint(people.grievance[sl] * top).astype(np.uint64)
    birth = (people.birth[sl].astype(np.int64) + _BIRTH_OFFSET).astype(np.uint64)
    return (
        household
        | (flags << np.uint64(_FLAGS))
        | (ideology << np.uint64(_IDEO))
        | (grievance << np.uint64(_GRIEV))
        | (birth << np.uint64(_BIRTH))
    )


COLD, LOOKUP = -1, -2  # segment kinds besides a hot circle's position in the hot list
# the thinning bounds' margin over the largest chance, for the rounding of the chances (read at
# each call: a test lowers it to see the sampler fail)
MARGIN = 1.0 + 1e-9


_AHEAD, _SMALL = 8, 16  # segments of at most _SMALL people are prefetched _AHEAD segments ahead
_BATCH = 2048  # candidates gathered before they are looked at: their reads then overlap


@njit(cache=True, fastmath=True, inline="always")
def _chance(total):  # noqa: ANN001, ANN202
    """1 - exp(-total), by its series where total is small: the common case, and far cheaper
    (inlined into the kernel, with its flags)."""
    return total * (1.0 - 0.5 * total) if total < 1e-3 else 1.0 - np.exp(-total)


@njit(cache=True, fastmath=True)
def _kernel(
    st,
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
    hot_start,
    hot_end,
    seg_start,  # noqa: ANN001, ANN201
    seg_end,
    seg_bound,
    seg_kind,
    out_idx,
    out_motive,
):
    """Draw the joiners of each segment of people by thinning; returns how many joined.

    In a segment with bound b >= every chance in it, each person is a candidate with probability
    b (the gaps between candidates are geometric), and a candidate joins if a uniform on [0, b)
    falls below his chance: the same probability as one uniform on [0, 1) per person, without
    drawing for the many who cannot join. A COLD segment holds everyone but passes over the
    people of hot circles (they are drawn in their own segments, with their friends' pull): with
    people stored circle by circle, hot circle h holds people ``hot_start[h]`` to
    ``hot_end[h] - 1`` (COLD segments need these; ``circle`` is not read for them). A LOOKUP
    segment (any order of people) finds each candidate's pull among the hot circles by his
    ``circle``. Candidates are gathered in batches, then looked at; the reads of a candidate's
    record and status are started (prefetched) when he is drawn, and those of small segments a
    few segments ahead, so they are in flight together. Prefetches change no value: the draws
    and the arithmetic are the same whatever the caches hold.
    """
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
    n_seg = seg_start.shape[0]
    for s in range(n_seg):
        lo, hi, bound, kind = seg_start[s], seg_end[s], seg_bound[s], seg_kind[s]
        if s + _AHEAD < n_seg:
            # a small segment ahead (a hot circle): start reading its records and statuses now,
            # as its few candidates are looked at right after they are drawn
            first, end = seg_start[s + _AHEAD], seg_end[s + _AHEAD]
            if first < end <= first + _SMALL:
                _prefetch(record, first)
                _prefetch(record, end - 1)
                _prefetch(status, first)
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
                    u = _random(st)
                else:
                    gap = np.floor(np.log(1.0 - _random(st)) / log_q)  # failures before one
                    if gap >= hi - i - 1:
                        more = False
                        break
                    i += 1 + int(gap)
                    u = _random(st) * bound
                pull = 1.0
                if kind == COLD:
                    # a hot circle is a range of indices (people stored circle by circle): the
                    # ranges, walked in order as i is, pass over its people without the scattered
                    # read of circle[i]. Two steps as sums, not branches (a candidate passes 0, 1
                    # or 2 hot circles at random, which no branch predicts), then a loop for the
                    # rare longer walk
                    for _ in range(2):
                        if h < n_hot:
                            h += hot_end[h] <= i
                    while h < n_hot and hot_end[h] <= i:
                        h += 1
                    if h < n_hot and hot_start[h] <= i:
                        continue  # drawn with his circle's segment
                elif kind == LOOKUP:
                    c = circle[i]
                    j = np.searchsorted(hot, c)
                    if j < n_hot and hot[j] == c:
                        pull = hot_pull[j]
                else:
                    pull = hot_pull[kind]
                # his record and status are read when the batch is looked at: start both reads
                # now, so they arrive while the next candidates are drawn
                _prefetch(record, i)
                _prefetch(status, i)
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
                # his chance is at most total (1 - exp(-x) <= x, and so is its series as
                # computed: tests/test_joining_kernel.py), so a uniform at or above total rejects
                # him without the chance: the same decision, and no exp for most candidates
                # where the bound is loose (a fifth of a month's joining at the calibration
                # priors' midpoint)
                if cand_u[q] >= total or not cand_u[q] < _chance(total):
                    continue
                pick = _random(st) * base
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


def join_bound(
    v: np.ndarray,
    econ: np.ndarray,
    t_ideo: np.ndarray,
    t_rev: np.ndarray,
    t_opp: np.ndarray,
    friend_pull: np.ndarray,
) -> float:
    """An upper bound on the chance of joining this month of anyone whose friends' pull is at most
    the largest of ``friend_pull`` (the kernel's hazard total).

    Each hazard term is at most its table's largest entry, so their sum times presence and the
    largest friend pull bounds the total, and 1 - exp(-total) <= total. The relative margin
    covers rounding in any order of summation; 2.0 (every person drawn for) where a bound cannot
    be trusted.
    """
    presence = float(v[PRESENCE])
    if not presence > 0.0 or friend_pull.size == 0:
        return 2.0
    top = (
        max(float(t_ideo.max()), 0.0)
        + max(float(v[CHILD]) / presence, 0.0)
        + max(float(v[CRIM]), 0.0)
        + max(float(econ.max()), 0.0)
        + max(float(t_rev.max()), 0.0)
        + max(float(t_opp.max()), 0.0)
    )
    bound = top * presence * max(float(friend_pull.max()), 0.0) * (1.0 + 1e-9)
    return bound if np.isfinite(bound) else 2.0


def circle_pull(
    people: People,
    members: np.ndarray,
    circle_size: np.ndarray,
    fixed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Circles with someone inside the group (sorted) and the share of each inside (pulls friends
    in); every other circle's share is zero."""
    return _pull(trait(people, members, fixed, "circle"), circle_size)


@njit(cache=True)
def _pull(c, circle_size):  # noqa: ANN001, ANN202
    """What ``np.unique(c, return_counts=True)`` gives, the counts over the circles' sizes
    (float32), in one compiled call: members in index order and people stored circle by circle
    give circles already sorted, whose runs are the answer without a sort."""
    for k in range(1, c.size):
        if c[k] < c[k - 1]:
            return _runs(np.sort(c), circle_size)
    return _runs(c, circle_size)


@njit(cache=True)
def _runs(c, circle_size):  # noqa: ANN001, ANN202
    """The distinct values of sorted ``c`` and each one's count over its circle's size (float32,
    the same quotient as NumPy's)."""
    n = 0
    for k in range(c.size):
        n += k == 0 or c[k] != c[k - 1]
    circles = np.empty(n, np.int64)
    share = np.empty(n, np.float32)
    j = -1
    for k in range(c.size):
        if k == 0 or c[k] != c[k - 1]:
            j += 1
            circles[j] = c[k]
            share[j] = 0
        share[j] += 1  # a count, exact in float32 below 2**24
    for j in range(n):
        share[j] = share[j] / circle_size[circles[j]]
    return circles, share


def join(
    people: People,
    month: Month,
    pay_factor: float,
    pull: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
    capacity: int,
    packed: Traits,
    circle_start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw this month's local joiners; returns (indices in order, motives). Status is not changed.

    ``pull`` is ``circle_pull``'s (hot circles, share inside). With ``circle_start`` (where each
    circle begins, people stored in circle order), people in circles without a member are drawn
    against one small bound and each hot circle against its own; without it, everyone against
    the largest.
    """
    v = parameters(month, pay_factor)
    hot, share = pull
    n = people.size
    if circle_start is not None:
        # prepare's tables, the kernel and the order in one compiled call after NumPy's exps;
        # each hot circle's people are its segment's (the COLD segment passes over them)
        exps, powed, classes = _exps(v, best_alternative(month), share)
        return _tables_and_draw(
            pcg.state(rng),  # the stream's state, stepped in the kernel (allegiance.pcg)
            exps,
            v,
            powed,
            *_finish_tables(classes),
            circle_start,
            hot,
            n,
            MARGIN,
            _need_groups()[2],
            classes.inverse,
            people.status,
            packed.record,
            people.circle,
            capacity,
        )
    # people in any order: one LOOKUP segment against the largest bound
    t_ideo, t_rev, t_opp = trait_tables(v)
    econ = economic(v, best_alternative(month))  # in factors: the table is never filled
    hot_pull = np.exp(v[FRIENDS] * share).astype(np.float32)
    tables = (v, np.array([econ.top]), t_ideo, t_rev, t_opp)
    segments = (
        np.array([0]),
        np.array([n]),
        np.array([join_bound(*tables, np.concatenate([np.ones(1, np.float32), hot_pull]))]),
        np.array([LOOKUP]),
    )
    hot_range = (np.empty(0, np.int64), np.empty(0, np.int64))  # no COLD segment reads them
    out_idx = np.empty(capacity, dtype=np.int64)
    out_motive = np.empty(capacity, dtype=np.uint8)
    k = _kernel(
        pcg.state(rng),  # the stream's state, stepped in the kernel (allegiance.pcg)
        v,
        econ.need,
        econ.group,
        econ.offer,
        econ.pay_class,
        t_ideo,
        t_rev,
        t_opp,
        people.status,
        packed.record,
        people.circle,
        hot,
        hot_pull,
        *hot_range,
        *segments,
        out_idx,
        out_motive,
    )
    return _in_order(out_idx[:k], out_motive[:k])


@njit(cache=True)
def _in_order(idx, motive):  # noqa: ANN001, ANN202
    """The joiners in index order with their motives: the people are distinct, so any sort
    gives the order of np.argsort(kind="stable"); one compiled call for a sort and two gathers."""
    order = np.argsort(idx)
    return idx[order], motive[order]


def prepare(
    v: np.ndarray,
    best_alt: np.ndarray,
    share: np.ndarray,
    hot: np.ndarray,
    circle_start: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Economic, np.ndarray, tuple[np.ndarray, ...]]:
    """The month's tables, economic factors, hot circles' pull and segments, as ``trait_tables``,
    ``economic``, ``np.exp(friends * share)``, ``join_bound`` and ``_segments`` make them, in two
    compiled calls around one NumPy ``exp`` and one power (they were some forty small NumPy calls
    a month, the largest fixed cost of joining). The arithmetic is the plain expressions', in
    their order and dtypes; exp and the power stay NumPy's (its SIMD exp is not libm's in the
    last bit, and an array's exp does not depend on its length or its neighbours)."""
    exps, powed, classes = _exps(v, best_alt, share)
    need, t_ideo, t_rev, t_opp, hot_pull, top, *segments = _finish(
        exps, v, powed, *_finish_tables(classes), circle_start, hot, n, MARGIN
    )
    econ = Economic(need, _need_groups()[2], powed, classes.inverse, top)
    return t_ideo, t_rev, t_opp, econ, hot_pull, tuple(segments)


def _exps(
    v: np.ndarray, best_alt: np.ndarray, share: np.ndarray
) -> tuple[np.ndarray, np.ndarray, _PayClasses]:
    """Every exp of the month's tables (NumPy's, over the arguments one compiled call makes),
    the pay classes' offer ratios to the power effect2, and the pay classes."""
    size, sisters, _ = _need_groups()
    classes = _pay_classes(v[BASE], v[WIFE], v[PARENT], v[CHILD_PAY], v[DEP], v[SKILL])
    args, ratio = _exp_arguments(
        v, size, sisters, _X_IDEO, _X_REV, _X_OPP, share, classes.cash, best_alt
    )
    np.exp(args, out=args)
    powed = ratio ** v[ECON_E2]  # the plain expression's power (NumPy's scalar fast paths too)
    return args, powed, classes


def _finish_tables(classes: _PayClasses) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``_finish``'s fixed arguments after the exps and powers: need groups per pay class, where
    each class begins, how many need groups, how many grid levels."""
    return classes.need_group, classes.starts, _need_groups()[0].size, _X.size


@njit(cache=True)
def _tables_and_draw(
    st,
    e,
    v,
    powed,
    need_group,
    starts,
    n_g,
    levels,
    circle_start,
    hot,
    n,
    margin,
    group,
    pay_class,
    status,
    record,
    circle,
    capacity,
):  # noqa: ANN001, ANN202
    """``_finish``, ``_kernel`` and ``_in_order`` in one compiled call: the month's tables and
    segments stay in compiled code instead of going out to Python and back (ten arrays out, a
    score in), with the same arithmetic and draws as the three calls."""
    need, t_ideo, t_rev, t_opp, hot_pull, _, start, end, bound, kind = _finish(
        e, v, powed, need_group, starts, n_g, levels, circle_start, hot, n, margin
    )
    out_idx = np.empty(capacity, np.int64)
    out_motive = np.empty(capacity, np.uint8)
    k = _kernel(
        st,
        v,
        need,
        group,
        powed,
        pay_class,
        t_ideo,
        t_rev,
        t_opp,
        status,
        record,
        circle,
        hot,
        hot_pull,
        start[1:],
        end[1:],
        start,
        end,
        bound,
        kind,
        out_idx,
        out_motive,
    )
    return _in_order(out_idx[:k], out_motive[:k])


@njit(cache=True, error_model="numpy")  # a zero divisor gives inf or NaN, as in NumPy
def _exp_arguments(v, size, sisters, x_ideo, x_rev, x_opp, share, cash, best_alt):  # noqa: ANN001, ANN202
    """The arguments of every exp of the month's tables, one after another (need groups, the
    ideology grid, both revenge rows, the opportunism grid, the hot circles), and the ratios of
    each pay class's offer to the best outside option of each origin."""
    n_g, levels = size.size, x_ideo.size
    a = np.empty(n_g + 4 * levels + share.size, np.float64)
    for j in range(n_g):
        s = 1.0 - v[OUTSIDE] / (np.float64(size[j]) * v[NEED_PP])
        if not (s != s or s > 0.0):  # np.maximum(0.0, s): a NaN stays
            s = 0.0
        a[j] = v[ECON_E1] * s + v[PROTECT] * np.float64(sisters[j])
    o = n_g
    for j in range(levels):
        a[o + j] = v[IDEO_E] * x_ideo[j]
    o += levels
    for r in range(2):  # family killed: no, then yes (the revenge table's rows)
        for j in range(levels):
            a[o + j] = v[REV_E] * x_rev[j] + v[REV_E2] * np.float64(r)
        o += levels
    for j in range(levels):
        a[o + j] = v[OPP_E] * x_opp[j]
    o += levels
    for j in range(share.size):
        a[o + j] = v[FRIENDS] * np.float64(share[j])  # float32 share times a float64 scalar
    ratio = np.empty((best_alt.size, cash.size), np.float64)
    for k in range(best_alt.size):
        for c in range(cash.size):
            ratio[k, c] = (cash[c] * v[PAY_F] + v[IN_KIND]) / best_alt[k]
    return a, ratio


@njit(cache=True, inline="always")
def _larger(a, b):  # noqa: ANN001, ANN202
    """np.maximum of two floats: a NaN in either stays."""
    return a if (a != a or a >= b) else b


@njit(cache=True, inline="always")
def _floor0(x):  # noqa: ANN001, ANN202
    """Python's max(x, 0.0): x unless 0.0 is larger (a NaN stays)."""
    return 0.0 if x < 0.0 else x


@njit(cache=True, inline="always")
def _largest(a):  # noqa: ANN001, ANN202
    """a.max() of a non-empty float array: a NaN anywhere gives NaN."""
    m = a.flat[0]
    for x in a.flat:
        m = _larger(m, x)
    return m


@njit(cache=True, error_model="numpy")
def _finish(e, v, powed, need_group, starts, n_g, levels, circle_start, hot, n, margin):  # noqa: ANN001, ANN202
    """From the exps ``e``: the need factors, the trait tables, the hot circles' pull (float32),
    the largest entry of the economic table, and the segments with the cold bound (the largest
    chance times ``margin``)."""
    need = v[ECON_A] * e[:n_g]
    o = n_g
    t_ideo = v[IDEO_A] * e[o : o + levels]
    o += levels
    t_rev = v[REV_A] * e[o : o + 2 * levels].reshape(2, levels)
    o += 2 * levels
    t_opp = v[OPP_A] * e[o : o + levels]
    o += levels
    hot_pull = e[o:].astype(np.float32)
    # the largest product of a pay class's largest need and its factor in each origin
    top = 0.0
    if powed.size:
        top = -np.inf
        first = True
        for c in range(starts.size):
            end = starts[c + 1] if c + 1 < starts.size else need_group.size
            most = need[need_group[starts[c]]]
            for q in range(starts[c] + 1, end):
                most = _larger(most, need[need_group[q]])
            for k in range(powed.shape[0]):
                x = most * powed[k, c]
                top = x if first else _larger(top, x)
                first = False
    # join_bound with a friend pull of 1 (float32 ones): the sum of the terms' largest entries
    presence = v[PRESENCE]
    cold = 2.0
    if presence > 0.0:
        total = (
            _floor0(_largest(t_ideo))
            + _floor0(v[CHILD] / presence)
            + _floor0(v[CRIM])
            + _floor0(top)
            + _floor0(_largest(t_rev))
            + _floor0(_largest(t_opp))
        )
        bound = total * presence * 1.0 * margin
        cold = bound if np.isfinite(bound) else 2.0
    start, end, seg_bound, kind = _segments(circle_start, hot, hot_pull, cold, n)
    return need, t_ideo, t_rev, t_opp, hot_pull, top, start, end, seg_bound, kind


@njit(cache=True)
def _segments(circle_start, hot, hot_pull, cold, n):  # noqa: ANN001, ANN202
    """Start, end, bound and kind of each segment: everyone (COLD), then each hot circle with
    the cold bound times its pull (the bound's margin covers the rounding). One compiled call
    for what took a dozen small NumPy ones a month."""
    k = hot.size + 1
    start, end = np.empty(k, np.int64), np.empty(k, np.int64)
    bound, kind = np.empty(k, np.float64), np.empty(k, np.int64)
    start[0], end[0], bound[0], kind[0] = 0, n, cold, COLD
    for j in range(hot.size):
        start[j + 1] = circle_start[hot[j]]
        end[j + 1] = circle_start[hot[j] + 1]
        bound[j + 1] = cold * np.float64(hot_pull[j])
        kind[j + 1] = j
    return start, end, bound, kind


def enlist(people: People, idx: np.ndarray, motive: np.ndarray, month: Month) -> None:
    """Put joiners into the training pipeline: the sharia course then boot camp, or the
    repentance course (dawrat istitaba) for the coerced."""
    if idx.size == 0:  # most months of a coarse run have no repentant captive
        return
    t = month.policy.organization.training
    _enlist(
        people.status,
        people.motive,
        people.joined,
        people.training_left,
        people.training_days,
        idx,
        motive,
        month.index,
        t.repentance_days + t.bootcamp_days,
        t.sharia_days + t.bootcamp_days,
    )


@njit(cache=True)
def _enlist(status, motives, joined, left, days, idx, motive, month, coerced, other):  # noqa: ANN001, ANN202, PLR0913
    """Each joiner's status, motive, month joined and days of training in one compiled pass
    (six NumPy calls before); the values are cast to each array's type as NumPy's stores cast."""
    for k in range(idx.size):
        i = idx[k]
        status[i] = _TRAINING
        motives[i] = motive[k]
        joined[i] = month
        d = coerced if motive[k] == _COERCION else other
        left[i] = d
        days[i] = d
