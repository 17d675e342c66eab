"""Stretches of the month's schedule as single compiled calls: mechanisms' kernels back to back."""

from __future__ import annotations

import numpy as np
from numba import njit

from .mechanisms.enforcement import _fates, _minus_exponent, _outcomes, expected_attempts
from .mechanisms.leaving import _drivers, _routes, _trying
from .mechanisms.ties import _disillusion, _update
from .prefetch import AHEAD, prefetch

# Why: at calibration resolution (20,000 people) a month is mostly fixed cost, and much of it is
# the way between compiled calls: Python glue, arrays made for Python and read back, each call's
# entry and exit, all cold once a month. A stretch of the schedule with no NumPy call inside (the
# draws are the streams' own, stepped in the kernels: allegiance.pcg) runs here as one call, with
# the same kernels in the same order, so every value and draw is the same. NumPy's exp and expm1
# end a stretch: their SIMD results are not libm's in the last bit (docs/performance.md).


@njit(cache=True)
def leave(  # noqa: PLR0913
    minus_chance,
    lam,
    alive,
    st_leaving,
    st_routes,
    motive,
    affiliation,
    origin,
    best,
    fsa_pay_usd,
    odds0,
    regime_enemy,
    losing,
    foreign,
    welcome,
    jordan_share,
    unit,
    per_province,
    n_locations,
    guards_each,
    k,
    border,
    closed,
):  # noqa: ANN001, ANN202
    """Who tries to leave and how, as the month ran it call by call: the attempts against minus
    each member's chance of trying (``leaving.minus_chance``) and the driver that tipped each
    (``leaving.attempts``), their routes (``leaving.routes``: ``route_terms``' terms), each
    member's location and the expected attempts in each (``enforcement.expected_attempts``,
    over the ``unit`` of each of ``alive``), and minus each one's catch exponent, for NumPy's
    expm1 (``enforcement.catch_probability``: ``catch_terms``' terms).

    Returns the positions of those trying among ``alive``, their drivers, who they are, their
    routes and minus their catch exponents. ``minus_chance`` is turned into the chances.
    """
    pos = _trying(st_leaving, minus_chance)
    driver = _drivers(lam, pos, st_leaving)
    for i in range(minus_chance.size):  # np.negative in place: the chances
        minus_chance[i] = -minus_chance[i]
    trying = alive[pos]
    route = _routes(
        trying,
        driver,
        motive,
        affiliation,
        origin,
        best,
        fsa_pay_usd,
        odds0,
        regime_enemy,
        losing,
        foreign,
        welcome,
        jordan_share,
        st_routes,
    )
    where, expected = expected_attempts(unit, per_province, minus_chance, n_locations)
    e = _minus_exponent(
        where[pos], where, route, expected, False, guards_each, k, border, closed, n_locations
    )
    return pos, driver, trying, route, e


@njit(cache=True)
def settle(  # noqa: PLR0913
    st,
    trying,
    p_caught,
    execute_share,
    suspicion,
    high_risk,
    status,
    route,
    driver,
    log_person,
    log_motive,
    log_driver,
    log_route,
    at,
    motive,
    alive,
    rows,
    pay,
    circle_alive,
    member,
    recent,
    memory,
    circle,
    disillusion,
    per_execution,
    repression,
):  # noqa: ANN001, ANN202
    """The fates of those trying to leave and what follows, as the month ran them call by call:
    enforcement's fates and outcomes; the events of the executed, the caught and spared, the
    deserters and the defectors, each group in order, written into the event log's buffers from
    position ``at`` (as ``Recorder.events``: person, motive now, driver, route); the members
    still inside (``keep_members``: ``alive`` with their FIXED ``rows``, ``pay`` and circles);
    friends' exits and executions remembered per circle (``ties.update``); disillusion from
    friends executed and repression (``ties.disillusion``).

    Returns the escaped, executed and spared masks over ``trying``, the number in each logged
    group, and the members still inside with their rows and pay.
    """
    escaped, executed = _fates(trying, p_caught, execute_share, st, suspicion, high_risk)
    spared, gone, logged = _outcomes(status, trying, escaped, executed, route, driver)
    counts = np.empty(4, np.int64)
    for j in range(4):
        who, why, how = logged[j]
        for q in range(who.size):
            log_person[at] = who[q]
            log_motive[at] = motive[who[q]]
            log_driver[at] = why[q]
            log_route[at] = how[q]
            at += 1
        counts[j] = who.size
    # the living: keep_members, with each one's circle carried along for disillusion
    n = alive.size
    keep = np.empty(n, np.bool_)
    k = 0
    for j in range(n):
        if j + AHEAD < n:
            prefetch(status, alive[j + AHEAD])
        keep[j] = status[alive[j]] == member
        k += keep[j]
    remaining = np.empty(k, np.int64)
    kept_rows = np.empty((k, rows.shape[1]), np.uint64)
    kept_pay = np.empty(k, pay.dtype)
    kept_circle = np.empty(k, circle_alive.dtype)
    k = 0
    for j in range(n):
        if keep[j]:
            remaining[k], kept_pay[k], kept_circle[k] = alive[j], pay[j], circle_alive[j]
            for w in range(rows.shape[1]):
                kept_rows[k, w] = rows[j, w]
            k += 1
    executed_people = logged[0][0]
    _update(recent, memory, circle, gone, executed_people)
    _disillusion(
        disillusion,
        remaining,
        kept_circle,
        circle,
        executed_people,
        per_execution,
        repression,
    )
    return escaped, executed, spared, counts, remaining, kept_rows, kept_pay
