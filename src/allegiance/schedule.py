"""Stretches of the month's schedule as single compiled calls: mechanisms' kernels back to back."""

from __future__ import annotations

import numpy as np
from numba import njit

from . import numpy_loops
from .mechanisms.assignment import _fill, _update_suspicion
from .mechanisms.combat import _below, _predictor
from .mechanisms.enforcement import _fates, _minus_exponent, _outcomes, expected_attempts
from .mechanisms.harm import _indiscipline
from .mechanisms.leaving import (
    _drivers,
    _hazard_drivers,
    _hazard_exponents,
    _minus_total,
    _routes,
    _trying,
    leaders,
)
from .mechanisms.pay import _records_shortfall, _schedule_fixed
from .mechanisms.redeployment import _order
from .mechanisms.ties import _disillusion, _update
from .mechanisms.training import _advance
from .pairwise import total
from .people import FIXED, _gather_fixed, _keep, _merge
from .record import flow_counts, member_counts
from .synthesize import _units

# Why: at calibration resolution (20,000 people) a month is mostly fixed cost, and much of it is
# the way between compiled calls: Python glue, arrays made for Python and read back, each call's
# entry and exit, all cold once a month. A stretch of the schedule with no NumPy call inside (the
# draws are the streams' own, stepped in the kernels: allegiance.pcg) runs here as one call, with
# the same kernels in the same order, so every value and draw is the same. NumPy's exp and expm1
# ended a stretch (their SIMD results are not libm's in the last bit); ``service`` runs them
# through NumPy's own inner loops (allegiance.numpy_loops), so the stretches from training to the
# last fate run on as one call (docs/performance.md).


@njit(cache=True)
def post(  # noqa: PLR0913
    trainees,
    repented,
    joiners,
    arrivals,
    training_left,
    status,
    training_code,
    camps,
    per_province,
    n_locations,
    buf_assignment,
    members,
    rows,
    member_pay,
    origin,
    skilled,
    wives,
    children,
    parents,
    dependants,
    birth,
    circle,
    unit,
    ideology,
    grievance,
    base,
    per_wife,
    per_parent,
    per_child,
    per_dependant,
    foreign_premium,
    skill_premium,
    role,
    leader_share,
    admin_share,
    w_lead,
    w_ideology,
    st_assignment,
    suspicion,
    high_risk,
    friends_left,
    w_suspicion,
    ordered,
    posting,
    st_redeployment,
    p_back,
    c1,
    c2,
    c3,
    training_days,
    month,
    full_days,
    w_combat,
):  # noqa: ANN001, ANN202
    """From training to the front, as the month ran it call by call: a month of training for
    last month's trainees and those who entered this month (``training.advance``), the
    graduates' units (``home_units``: with child ``camps``, children to their province's
    smallest unit by the start-of-month members' units; the draws from the assignment stream's
    state and kept half), their FIXED records (``fixed_traits``) and pay schedules
    (``pay.schedule_usd``, the schedule's terms) merged into the members (``merge_members``);
    vacant posts filled (``assignment.fill_posts``), suspicion and high-risk missions
    (``update_suspicion``), redeployment orders (``redeployment.order``); and the exponent of
    each member's death rate (combat's predictor), for NumPy's exp.

    Returns the graduates, those still in training, the members, their FIXED records as words,
    their pay, those ordered away and the exponents.
    """
    # those who entered training this month came from disjoint statuses (captive, local
    # civilian, foreign civilian), so the union is the trainee list
    trainees = np.sort(np.concatenate((trainees, repented, joiners, arrivals)))
    graduates = _advance(training_left, status, role, trainees)
    still = trainees[status[trainees] == training_code]
    smallest = np.empty(0, np.int64)
    if camps:  # members per unit: only child camps read it
        n_units = n_locations * per_province
        size = np.zeros(n_units, np.int64)
        units = rows.reshape(-1).view(FIXED)["unit"]
        for k in range(units.size):
            if units[k] < n_units:
                size[units[k]] += 1
        smallest = np.empty(n_locations, np.int64)  # each province's smallest (first of equals)
        for q in range(n_locations):
            best = 0
            for j in range(1, per_province):
                if size[q * per_province + j] < size[q * per_province + best]:
                    best = j
            smallest[q] = best
    placed = _units(
        st_assignment, buf_assignment, origin, birth, graduates, smallest, per_province, month
    )
    for k in range(graduates.size):
        unit[graduates[k]] = placed[k]
    new_rows = np.empty((graduates.size, rows.shape[1]), np.uint64)
    new = new_rows.reshape(-1).view(FIXED)
    _gather_fixed(
        new,
        graduates,
        origin,
        skilled,
        wives,
        children,
        parents,
        dependants,
        birth,
        circle,
        unit,
        ideology,
        grievance,
    )
    new_pay = _schedule_fixed(
        new, base, per_wife, per_parent, per_child, per_dependant, foreign_premium, skill_premium
    )
    members, rows, pay = _merge(members, rows, member_pay, graduates, new_rows, new_pay)
    fixed = rows.reshape(-1).view(FIXED)
    m_origin, m_ideology = fixed["origin"], fixed["ideology"]
    _fill(
        role,
        members,
        m_origin,
        fixed["skilled"],
        m_ideology,
        leader_share,
        admin_share,
        w_lead,
        w_ideology,
        st_assignment,
    )
    _update_suspicion(
        suspicion,
        high_risk,
        role,
        members,
        m_origin,
        fixed["circle"],
        m_ideology,
        friends_left,
        w_suspicion,
    )
    sent = _order(ordered, posting, role, members, m_origin, st_redeployment, p_back, c1, c2, c3)
    x = _predictor(
        high_risk,
        training_days,
        role,
        posting,
        members,
        fixed["birth"],
        month,
        full_days,
        w_combat,
    )
    return graduates, still, members, rows, pay, sent, x


@njit(cache=True)
def fall(  # noqa: PLR0913
    st_combat,
    members,
    minus_p_death,
    status,
    killed_code,
    log_person,
    log_motive,
    at,
    motive,
    rows,
    member_pay,
    factor,
    member_code,
    role,
    leader_code,
    iraqi,
    disillusion,
    high_risk,
    ordered,
    posting,
    in_kind_usd,
    food,
    friends_left,
    wide,
    month,
    fav_effect,
    foreign_premium,
    auth_effect,
    coercion_effect,
    favour_effect2,
    pay_effect,
    economic_motive,
    redeploy_effect,
    revenge_motive,
    commitment,
    friends,
    fear_term,
    welcome_term,
):  # noqa: ANN001, ANN202
    """From combat to the exponents of the leaving hazards, as the month ran it call by call:
    combat's deaths drawn against minus each member's chance of death (``combat.deaths``) and
    marked, their events written into the log's buffers from ``at`` (person and motive, as
    ``Recorder.events``), the living kept (``keep_members``), this month's pay (the schedule
    times the pay factor, in float32 as NumPy's product with a Python float), the leaders'
    foreign share (``leaving.leaders``), and ``_hazard_exponents`` with the household
    shortfalls (``leaving.hazards`` up to NumPy's exp; ``exponent_terms``' terms).

    Returns the killed, the living with their FIXED records as words and pay, and the
    exponents' float32 rows, float64 rows and flags.
    """
    killed = _below(members, st_combat, minus_p_death)
    for q in range(killed.size):
        status[killed[q]] = killed_code
        log_person[at + q] = killed[q]
        log_motive[at + q] = motive[killed[q]]
    alive, alive_rows, alive_pay = _keep(members, rows, member_pay, status, member_code)
    pay = np.empty(alive_pay.size, np.float32)
    f32 = np.float32(factor)
    for i in range(alive_pay.size):
        pay[i] = alive_pay[i] * f32
    fixed = alive_rows.reshape(-1).view(FIXED)
    _, lead_fi = leaders(role, alive, fixed["origin"], leader_code, iraqi)
    favour = fav_effect * ((foreign_premium - 1.0) * lead_fi)
    shortfall = _records_shortfall(fixed, pay, in_kind_usd, food)
    a32, a64, flags = _hazard_exponents(
        fixed,
        alive,
        motive,
        disillusion,
        high_risk,
        ordered,
        posting,
        role,
        shortfall,
        friends_left,
        wide,
        month,
        auth_effect,
        coercion_effect,
        favour,
        favour_effect2,
        pay_effect,
        economic_motive,
        redeploy_effect,
        revenge_motive,
        commitment,
        friends,
        fear_term,
        welcome_term,
    )
    return killed, alive, alive_rows, pay, a32, a64, flags


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
    still inside (``keep_members``: ``alive`` with their FIXED ``rows`` and ``pay``);
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
    remaining, kept_rows, kept_pay = _keep(alive, rows, pay, status, member)
    executed_people = logged[0][0]
    _update(recent, memory, circle, gone, executed_people)
    _disillusion(
        disillusion,
        remaining,
        kept_rows.reshape(-1).view(FIXED)["circle"],
        circle,
        executed_people,
        per_execution,
        repression,
    )
    return escaped, executed, spared, counts, remaining, kept_rows, kept_pay


@njit(cache=True)
def tally(  # noqa: PLR0913
    members,
    origin,
    birth,
    month,
    unit,
    role,
    motive,
    scale,
    leader,
    n_origins,
    n_motives,
    iraqi,
    pay_usd,
    syrian_max,
    foreign_min,
    training_days,
    full_days,
    w_harm,
    joiner_motives,
    trying,
    driver,
    route,
    escaped,
    executed,
    spared,
    killed,
    people_origin,
    n_drivers,
    rival,
):  # noqa: ANN001, ANN202
    """The month's counts for its row, as the row made them call by call: the members' head
    counts (``record.member_counts``, ``origin``, ``birth`` and ``unit`` theirs), the mean pay of
    the Syrian and of the foreign members (NumPy's float32 sum of each group's pay over its
    count, in float32; 0 for none), the total of their indiscipline scores (harm's score, NumPy's
    pairwise sum), and the flows (``record.flow_counts``, ``people_origin`` everyone's).

    Returns member_counts' tuple, the two mean pays, the harm total and flow_counts' tuple.
    """
    counts = member_counts(
        members,
        origin,
        birth,
        month,
        unit,
        role,
        motive,
        scale,
        leader,
        n_origins,
        n_motives,
        iraqi,
    )
    n = members.size
    syrian = np.empty(n, pay_usd.dtype)
    foreign = np.empty(n, pay_usd.dtype)
    n_syrian = n_foreign = 0
    for k in range(n):  # pay_usd[origin <= syrian_max] and [origin >= foreign_min], in order
        if origin[k] <= syrian_max:
            syrian[n_syrian] = pay_usd[k]
            n_syrian += 1
        if origin[k] >= foreign_min:
            foreign[n_foreign] = pay_usd[k]
            n_foreign += 1
    pay_syrian = total(syrian[:n_syrian]) / np.float32(n_syrian) if n_syrian else 0.0
    pay_foreign = total(foreign[:n_foreign]) / np.float32(n_foreign) if n_foreign else 0.0
    harm_total = 0.0
    if n:
        harm_total = total(
            _indiscipline(training_days, motive, members, birth, month, full_days, w_harm)
        )
    flows = flow_counts(
        joiner_motives,
        trying,
        driver,
        route,
        escaped,
        executed,
        spared,
        killed,
        people_origin,
        n_motives,
        n_drivers,
        rival,
        syrian_max,
        foreign_min,
    )
    return counts, pay_syrian, pay_foreign, harm_total, flows


@njit(cache=True)
def service(  # noqa: PLR0913
    post_args,
    st_combat,
    combat_scale,
    status,
    motive,
    killed_code,
    log_person,
    log_motive,
    log_driver,
    log_route,
    at,
    fall_terms,
    driver_terms,
    st_leaving,
    st_routes,
    route_terms,
    leave_terms,
    st_enforcement,
    execute_share,
    suspicion,
    high_risk,
    settle_terms,
):  # noqa: ANN001, ANN202
    """A member's month from training to the last fate, as one compiled call: ``post``, then
    combat's chances of death (NumPy's ``exp`` and ``expm1`` of the exponents times
    ``combat_scale``, minus the base rate times the pressure), ``fall``, the leaving hazards
    (NumPy's ``exp`` of the exponents' rows, then ``leaving._hazard_drivers`` with
    ``driver_terms``), minus each one's chance of trying (``leaving.minus_chance``), ``leave``,
    the chances of being caught (``enforcement.caught``), and ``settle``. NumPy's exps run here
    through its own inner loops (``allegiance.numpy_loops``), so every value is the one the
    stretches gave when NumPy ran between them.

    The events of those ordered away, the killed, and the four exit groups are written into the
    log's buffers from ``at``, in that order (room for three times the members after training
    must be reserved). Returns the graduates, those still in training, the killed, the members
    trying to leave with their drivers, routes and fates (escaped, executed and spared masks),
    the number of events in each of the six groups, the members still inside with their FIXED
    records as words and their pay, the executions those trying expect (the sum of their chances
    of being caught times the share executed), and (for checks) the chances of being
    caught, minus each member's chance of death and the leaving hazards.
    """
    graduates, still, members, rows, member_pay, ordered, x = post(*post_args)
    for q in range(ordered.size):  # Recorder.events(ORDERED): person and motive
        log_person[at + q] = ordered[q]
        log_motive[at + q] = motive[ordered[q]]
    n_ordered = ordered.size
    # combat.minus_chance: expm1(exp(x) * -(base * pressure)), each step NumPy's
    minus_p_death = numpy_loops.exp(x)
    for i in range(minus_p_death.size):
        minus_p_death[i] = minus_p_death[i] * combat_scale
    numpy_loops.expm1_into(minus_p_death, minus_p_death)
    killed, alive, rows, pay, a32, a64, flags = fall(
        st_combat,
        members,
        minus_p_death,
        status,
        killed_code,
        log_person,
        log_motive,
        at + n_ordered,
        motive,
        rows,
        member_pay,
        *fall_terms,
    )
    # leaving.drivers_from: NumPy's exp of each array of rows in place, then the drivers
    numpy_loops.exp_into(a32.reshape(-1), a32.reshape(-1))
    numpy_loops.exp_into(a64.reshape(-1), a64.reshape(-1))
    lam = _hazard_drivers(a32, a64, flags, *driver_terms)
    minus_chance = _minus_total(lam)  # leaving.minus_chance: expm1 in place
    numpy_loops.expm1_into(minus_chance, minus_chance)
    unit = rows.reshape(-1).view(FIXED)["unit"]
    pos, driver, trying, route, p_caught = leave(
        minus_chance,
        lam,
        alive,
        st_leaving,
        st_routes,
        *route_terms,
        unit,
        *leave_terms,
    )
    numpy_loops.expm1_into(p_caught, p_caught)  # enforcement.caught: -expm1(-exponent)
    for i in range(p_caught.size):
        p_caught[i] = -p_caught[i]
    escaped, executed, spared, exits, remaining, rows, remaining_pay = settle(
        st_enforcement,
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
        at + n_ordered + killed.size,
        motive,
        alive,
        rows,
        pay,
        *settle_terms,
    )
    counts = np.empty(6, np.int64)
    counts[0], counts[1] = n_ordered, killed.size
    counts[2:] = exits
    # the executions those trying expect, as NumPy's (p_caught * execute_share).sum(): the
    # products in float64 (the chances' dtype), then NumPy's pairwise sum
    expect = np.empty(p_caught.size, np.float64)
    for i in range(p_caught.size):
        expect[i] = p_caught[i] * execute_share
    seen = total(expect)
    return (
        graduates,
        still,
        killed,
        trying,
        driver,
        route,
        escaped,
        executed,
        spared,
        counts,
        remaining,
        rows,
        remaining_pay,
        seen,
        p_caught,
        minus_p_death,
        lam,
    )
