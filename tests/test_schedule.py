"""Each compiled stretch of the schedule equals the mechanisms' calls it stands for, month by month."""

from __future__ import annotations

import copy
import dataclasses
import inspect
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from allegiance import Simulation, pcg, schedule
from allegiance.mechanisms import enforcement, harm, leaving
from allegiance.people import FIXED, FOREIGN_MIN, SYRIAN_MAX, Event, records_of
from allegiance.record import Recorder, flow_counts, member_counts
from allegiance.synthesize import home_units
from helpers import small
from test_compiled_leaving import (
    plain_attempts,
    plain_catch_probability,
    plain_fates,
    plain_hazards,
    plain_outcomes,
    plain_routes,
    plain_schedule_usd,
)
from test_compiled_upkeep import (
    plain_advance,
    plain_civilian_harm,
    plain_disillusion,
    plain_fill_posts,
    plain_order,
    plain_predictor,
    plain_update,
    plain_update_suspicion,
)

# the groups settle logs, in its order (as simulation._EXIT_EVENTS)
_GROUPS = (Event.EXECUTED, Event.CAUGHT, Event.DESERT, Event.DEFECT)


def by_stretches(  # noqa: PLR0913
    post_args: tuple[Any, ...],
    st_combat: np.ndarray,
    combat_scale: float,
    status: np.ndarray,
    motive: np.ndarray,
    killed_code: int,
    log_person: np.ndarray,
    log_motive: np.ndarray,
    log_driver: np.ndarray,
    log_route: np.ndarray,
    at: int,
    fall_terms: tuple[Any, ...],
    driver_terms: tuple[Any, ...],
    st_leaving: np.ndarray,
    st_routes: np.ndarray,
    route_terms: tuple[Any, ...],
    leave_terms: tuple[Any, ...],
    st_enforcement: np.ndarray,
    execute_share: float,
    suspicion: np.ndarray,
    high_risk: np.ndarray,
    settle_terms: tuple[Any, ...],
) -> tuple[Any, ...]:
    """``schedule.service`` as the month ran it before: the four stretches called from Python
    (looked up on the module, so the tests below can shadow each), with NumPy's exps between
    them, and the events of those ordered away logged as ``Recorder.events`` logs them."""
    graduates, still, members, rows, member_pay, ordered, x = schedule.post(*post_args)
    log_person[at : at + ordered.size] = ordered
    log_motive[at : at + ordered.size] = motive[ordered]
    minus_p_death = np.expm1(np.exp(x) * combat_scale)  # combat.minus_chance
    killed, alive, rows, pay, a32, a64, flags = schedule.fall(
        st_combat,
        members,
        minus_p_death,
        status,
        killed_code,
        log_person,
        log_motive,
        at + ordered.size,
        motive,
        rows,
        member_pay,
        *fall_terms,
    )
    np.exp(a32, out=a32)  # leaving.drivers_from
    np.exp(a64, out=a64)
    lam = leaving._hazard_drivers(a32, a64, flags, *driver_terms)
    pos, driver, trying, route, e = schedule.leave(
        leaving.minus_chance(lam),
        lam,
        alive,
        st_leaving,
        st_routes,
        *route_terms,
        records_of(rows)["unit"],
        *leave_terms,
    )
    p_caught = enforcement.caught(e)
    escaped, executed, spared, exits, remaining, rows, remaining_pay = schedule.settle(
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
        at + ordered.size + killed.size,
        motive,
        alive,
        rows,
        pay,
        *settle_terms,
    )
    counts = np.array([ordered.size, killed.size, *exits.tolist()], np.int64)
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
        (p_caught * execute_share).sum(),  # the executions those trying expect
        p_caught,
        minus_p_death,
        lam,
    )


def _arrays(x: Any) -> list[np.ndarray]:
    """Every array in a nest of tuples, in order."""
    if isinstance(x, tuple):
        return [a for item in x for a in _arrays(item)]
    return [x] if isinstance(x, np.ndarray) else []


def _values(x: tuple[Any, ...]) -> list[np.ndarray]:
    """Every value of a flat tuple as an array (a float scalar as a float64: a compiled call
    returns a float32 as a Python float, its value exactly)."""
    return [v if isinstance(v, np.ndarray) else np.asarray(float(v)) for v in x]


@pytest.mark.parametrize(
    "overrides",
    [
        (),
        # other combat weights: other exponents, some of them where libm's exp is not NumPy's
        (
            "organization.children.camps=true",
            "organization.enforcement.execute_share=0.6",
            "combat.high_risk=1.3",
            "combat.leader=-0.77",
            "combat.away=0.41",
        ),
    ],
)
def test_service_equals_the_stretches_with_numpys_exps_between_month_by_month(
    monkeypatch: pytest.MonkeyPatch, overrides: tuple[str, ...]
) -> None:
    """One compiled call from training to the last fate, against the four stretches called from
    Python with NumPy's exps between them: every output, every array it writes (the people's,
    the event log's, the generators' states), byte for byte."""
    fused = schedule.service
    seen: list[int] = []

    def both(*args: Any) -> Any:
        twin = copy.deepcopy(args)  # arrays shared between arguments stay shared in the copy
        want = by_stretches(*twin)
        got = fused(*args)
        for g, w in zip(_values(got), _values(want), strict=True):
            _same(g, w)
        for g, w in zip(_arrays(args), _arrays(twin), strict=True):
            _same(g, w)
        seen.append(int(got[9].sum()))
        return got

    monkeypatch.setattr(schedule, "service", both)
    sim = Simulation(small(*overrides, size=20_000, end="2016-12"), 4)
    sim.run()
    assert len(seen) == len(sim.calendar)  # every month went through the check
    assert sum(seen) > 200  # with orders, deaths and exits logged


def _generator(words: np.ndarray, kept: np.ndarray | None = None) -> np.random.Generator:
    """A generator whose PCG64 state is ``words`` (allegiance.pcg.state's order), with the kept
    half of a 64-bit draw ``kept`` (pcg.buffer's order; none if not given)."""
    lo, hi, inc_lo, inc_hi = (int(w) for w in words)
    has, half = (0, 0) if kept is None else (int(kept[0]), int(kept[1]))
    rng = np.random.default_rng()
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": lo | hi << 64, "inc": inc_lo | inc_hi << 64},
        "has_uint32": has,
        "uinteger": half,
    }
    return rng


def _by_calls(a: dict[str, Any]) -> tuple[Any, ...]:
    """``settle`` as plain NumPy, call after call as the month ran before: the oracles of the
    fates, the outcomes, friends remembered and disillusion (tests/test_compiled_leaving.py and
    tests/test_compiled_upkeep.py), ``Recorder.events`` for each group (checked against its own
    plain form in tests/test_record_speed.py), and the living kept by a mask."""
    rng = _generator(a["st"])
    people = SimpleNamespace(
        suspicion=a["suspicion"],
        high_risk=a["high_risk"],
        status=a["status"],
        motive=a["motive"],
        circle=a["circle"],
        disillusion=a["disillusion"],
    )
    policy = SimpleNamespace(execute_share=a["execute_share"])
    escaped, executed = plain_fates(people, a["trying"], a["p_caught"], policy, rng)  # type: ignore[arg-type]
    spared, gone, logged = plain_outcomes(
        a["status"], a["trying"], escaped, executed, a["route"], a["driver"]
    )
    rec = Recorder(["2014-01"])
    for kind, (who, why, how) in zip(_GROUPS, logged, strict=True):
        rec.events(kind, people, who, 0, why, how)  # type: ignore[arg-type]
    inside = a["status"][a["alive"]] == a["member"]
    remaining, fixed = a["alive"][inside], records_of(a["rows"])[inside]
    recent = plain_update(a["recent"], people, gone, logged[0][0], float(a["memory"]))  # type: ignore[arg-type]
    # disillusion's weights as settle gets them: float32 per execution, float32 repression term
    plain_disillusion(
        people,  # type: ignore[arg-type]
        remaining,
        logged[0][0],
        float(a["per_execution"]),
        1.0,
        float(a["repression"]),
        int(a["circle"].max()) + 1,
        fixed,
    )
    counts = np.array([g[0].size for g in logged], np.int64)
    log = (rec._person[: rec._n], rec._motive[: rec._n], rec._driver[: rec._n])
    log += (rec._route[: rec._n],)
    words = pcg.state(rng).copy()  # the view lives only as long as rng
    pay = a["pay"][inside]
    return (escaped, executed, spared, counts, remaining, fixed, pay, recent, log, words)


_NAMES = list(inspect.signature(schedule.settle.py_func).parameters)
_CHANGED = ("st", "suspicion", "high_risk", "status", "recent", "disillusion")


def _same(got: Any, want: Any) -> None:
    """Byte for byte, dtype and shape included."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype)
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize(
    "overrides",
    [(), ("organization.enforcement.execute_share=0.6", "leaving.friends_memory=0.3")],
)
def test_settle_equals_the_calls_it_replaced_month_by_month(
    monkeypatch: pytest.MonkeyPatch, overrides: tuple[str, ...]
) -> None:
    fused = schedule.settle
    tried: list[int] = []

    def both(*args: Any) -> Any:
        a = dict(zip(_NAMES, args, strict=True))
        twin = {k: (v.copy() if k in _CHANGED else v) for k, v in a.items()}
        want = _by_calls(twin)
        got = fused(*args)
        for g, w in zip(got[:4], want[:4], strict=True):  # masks and group counts
            _same(g, w)
        _same(got[4], want[4])  # those still inside
        _same(records_of(got[5]), want[5])  # their FIXED records
        _same(got[6], want[6])  # their pay
        _same(a["recent"], want[7])
        end = a["at"] + int(got[3].sum())
        for buf, w in zip(args[9:13], want[8], strict=True):  # the events written, in order
            _same(buf[a["at"] : end], w)
        _same(a["st"], want[9])  # the same draws, no more, no fewer
        for k in _CHANGED[1:]:
            _same(a[k], twin[k])
        tried.append(a["trying"].size)
        return got

    monkeypatch.setattr(schedule, "settle", both)
    monkeypatch.setattr(schedule, "service", by_stretches)  # the stretches one by one
    sim = Simulation(small(*overrides, size=20_000, end="2016-12"), 5)
    sim.run()
    assert len(tried) == len(sim.calendar)  # every month went through the check
    assert sum(tried) > 50 and sum(1 for n in tried if n) > 10  # many tried to leave


@pytest.mark.parametrize(
    "overrides",
    [(), ("leaving.jordan_share=0.5", "organization.enforcement.k=3")],
)
def test_leave_equals_the_plain_forms_month_by_month(
    monkeypatch: pytest.MonkeyPatch, overrides: tuple[str, ...]
) -> None:
    fused = schedule.leave
    sim = Simulation(small(*overrides, size=20_000, end="2016-12"), 6)
    tried: list[int] = []

    def both(minus_chance: np.ndarray, lam: np.ndarray, alive: np.ndarray, *rest: Any) -> Any:
        month = sim.calendar[sim.t]
        pol, env = month.policy, month.env
        st_leaving, st_routes = rest[0], rest[1]
        unit, per_province, n_loc = rest[13], rest[14], rest[15]
        g_leaving, g_routes = _generator(st_leaving), _generator(st_routes)
        pos, driver, chance = plain_attempts(lam, g_leaving)
        trying = alive[pos]
        route = plain_routes(sim.people, trying, driver, pol, env, g_routes)
        where = (unit // per_province).astype(np.int32)
        expected = np.bincount(where, weights=chance, minlength=n_loc)
        enf = pol.organization.enforcement
        args = (where[pos], where, route, enf, env.border_openness, n_loc, expected)
        p_caught = plain_catch_probability(*args)
        got = fused(minus_chance, lam, alive, *rest)
        for g, w in zip(got[:4], (pos, driver, trying, route), strict=True):
            _same(g, w)
        _same(enforcement.caught(got[4].copy()), p_caught)
        _same(minus_chance, chance)  # turned into each member's chance of trying
        _same(st_leaving, pcg.state(g_leaving).copy())  # the same draws, no more, no fewer
        _same(st_routes, pcg.state(g_routes).copy())
        tried.append(trying.size)
        return got

    monkeypatch.setattr(schedule, "leave", both)
    monkeypatch.setattr(schedule, "service", by_stretches)  # the stretches one by one
    sim.run()
    assert len(tried) == len(sim.calendar)  # every month went through the check
    assert sum(tried) > 50 and sum(1 for n in tried if n) > 10  # many tried to leave


def _plain_records(people: Any, idx: np.ndarray) -> np.ndarray:
    """FIXED records by NumPy's field stores."""
    out = np.zeros(idx.size, FIXED)
    for name in FIXED.names:
        out[name] = getattr(people, name)[idx]
    return out


@pytest.mark.parametrize(
    "overrides",
    [
        (),
        ("organization.leadership.leader_share=0.2", "organization.redeployment.tour_months=2"),
        ("organization.children.camps=true", "organization.units_per_province=3"),
    ],
)
def test_post_equals_the_plain_forms_month_by_month(
    monkeypatch: pytest.MonkeyPatch, overrides: tuple[str, ...]
) -> None:
    fused = schedule.post
    sim = Simulation(small(*overrides, size=20_000, end="2016-12"), 8)
    names = list(inspect.signature(fused.py_func).parameters)
    changed = (
        "role",
        "suspicion",
        "high_risk",
        "ordered",
        "posting",
        "status",
        "training_left",
        "unit",
    )
    seen: list[int] = []

    def both(*args: Any) -> Any:
        a = dict(zip(names, args, strict=True))
        month = sim.calendar[sim.t]
        pol, org = month.policy, month.policy.organization
        twin = dataclasses.replace(sim.people, **{k: a[k].copy() for k in changed})
        g_assignment = _generator(a["st_assignment"], a["buf_assignment"])
        g_redeployment = _generator(a["st_redeployment"])
        entered = [a["trainees"], a["repented"], a["joiners"], a["arrivals"]]
        trainees = np.sort(np.concatenate(entered))
        graduates = plain_advance(twin, trainees)  # type: ignore[arg-type]
        still = trainees[twin.status[trainees] == a["training_code"]]
        per_province, camps = a["per_province"], a["camps"]
        unit_size = (
            np.bincount(records_of(a["rows"])["unit"], minlength=a["n_locations"] * per_province)
            if camps
            else None
        )
        twin.unit[graduates] = home_units(
            twin, graduates, per_province, g_assignment, a["month"], camps, unit_size
        )
        members = a["members"]
        new = _plain_records(twin, graduates)
        new_pay = plain_schedule_usd(twin, graduates, org.pay, new)
        order = np.argsort(np.concatenate([members, graduates]), kind="stable")
        merged = np.concatenate([members, graduates])[order]
        fixed = np.concatenate([records_of(a["rows"]), new])[order]
        pay = np.concatenate([a["member_pay"], new_pay])[order]
        plain_fill_posts(twin, merged, org, g_assignment, fixed)
        friends = a["friends_left"]
        plain_update_suspicion(twin, merged, org, friends, fixed)
        sent = plain_order(twin, merged, org.redeployment, g_redeployment, fixed)
        x = plain_predictor(twin, merged, pol, a["month"], fixed)
        got = fused(*args)
        _same(got[0], graduates)
        _same(got[1], still)
        _same(got[2], merged)
        _same(records_of(got[3]), fixed)
        _same(got[4], pay)
        _same(got[5], sent)
        _same(got[6], x)
        for k in changed:
            _same(a[k], getattr(twin, k))
        _same(a["st_assignment"], pcg.state(g_assignment).copy())  # the same draws
        _same(a["buf_assignment"], pcg.buffer(g_assignment).copy())  # and the same half kept
        _same(a["st_redeployment"], pcg.state(g_redeployment).copy())
        seen.append(graduates.size)
        return got

    monkeypatch.setattr(schedule, "post", both)
    monkeypatch.setattr(schedule, "service", by_stretches)  # the stretches one by one
    sim.run()
    assert len(seen) == len(sim.calendar)  # every month went through the check
    assert sum(seen) > 100 and sim.roster.members.size > 50  # members came and were checked


def _mean_pay(pay: np.ndarray) -> float:
    """The row's mean pay as it was: NumPy's float32 sum over the count (0 for none)."""
    return float(pay.sum() / pay.size) if pay.size else 0.0


def test_tally_equals_the_calls_it_replaced_month_by_month(monkeypatch: pytest.MonkeyPatch) -> None:
    fused = schedule.tally
    sim = Simulation(small(size=20_000, end="2016-12"), 9)
    names = list(inspect.signature(fused.py_func).parameters)
    seen: list[int] = []

    def both(*args: Any) -> Any:
        a = dict(zip(names, args, strict=True))
        month = sim.calendar[sim.t]
        got = fused(*args)
        counts = member_counts(*args[:12])
        for g, w in zip(got[0], counts, strict=True):
            _same(g, w)
        pay, origin = a["pay_usd"], a["origin"]
        _same(got[1], _mean_pay(pay[origin <= SYRIAN_MAX]))
        _same(got[2], _mean_pay(pay[origin >= FOREIGN_MIN]))
        scale, under_rule = a["scale"], 1.0e6  # any number of civilians: the total is tested
        want = plain_civilian_harm(sim.people, a["members"], month.policy, a["month"], scale, 1e6)
        _same(harm.per_member_and_civilian(got[3], a["members"].size, scale, under_rule), want)
        flows = flow_counts(
            *(a[k] for k in names[18:26]),  # the joiners' motives to those killed
            a["people_origin"],
            a["n_motives"],
            a["n_drivers"],
            a["rival"],
            a["syrian_max"],
            a["foreign_min"],
        )
        for g, w in zip(got[4], flows, strict=True):
            _same(g, w)
        seen.append(a["members"].size)
        return got

    monkeypatch.setattr(schedule, "tally", both)
    sim.run()
    assert len(seen) == len(sim.calendar)  # every month went through the check
    assert max(seen) > 50  # with members to count


def test_fall_equals_the_plain_forms_month_by_month(monkeypatch: pytest.MonkeyPatch) -> None:
    fused = schedule.fall
    sim = Simulation(small("organization.pay.factor=0.7", size=20_000, end="2016-12"), 10)
    names = list(inspect.signature(fused.py_func).parameters)
    seen: list[int] = []

    def both(*args: Any) -> Any:
        a = dict(zip(names, args, strict=True))
        month = sim.calendar[sim.t]
        pol, env = month.policy, month.env
        members, status = a["members"], a["status"].copy()
        rng = _generator(a["st_combat"])
        # combat's draw and marks, the living by a mask, their pay as NumPy's product
        killed = members[rng.random(members.size) < -a["minus_p_death"]]
        status[killed] = a["killed_code"]
        inside = status[members] == a["member_code"]
        alive, fixed = members[inside], records_of(a["rows"])[inside]
        pay = a["member_pay"][inside] * a["factor"]
        is_leader = a["role"][alive] == a["leader_code"]
        lead_fi = (
            float(np.mean(fixed["origin"][is_leader] >= a["iraqi"])) if is_leader.any() else 0.0
        )
        people = dataclasses.replace(sim.people, status=status)
        ctx = leaving.Context(pay, lead_fi, a["friends_left"], sim.org.perceived_risk, a["month"])
        lam = plain_hazards(people, alive, pol, env, ctx, fixed)
        got = fused(*args)
        _same(got[0], killed)
        _same(a["status"], status)
        at, n = a["at"], killed.size
        _same(a["log_person"][at : at + n], killed)
        _same(a["log_motive"][at : at + n], a["motive"][killed].astype(np.int8))
        _same(got[1], alive)
        _same(records_of(got[2]), fixed)
        _same(got[3], pay)
        a32, a64, flags = (x.copy() for x in got[4:])
        _same(leaving.drivers_from(a32, a64, flags, a["wide"], pol, env), lam)
        _same(a["st_combat"], pcg.state(rng).copy())  # the same draws, no more, no fewer
        seen.append(n)
        return got

    monkeypatch.setattr(schedule, "fall", both)
    monkeypatch.setattr(schedule, "service", by_stretches)  # the stretches one by one
    sim.run()
    assert len(seen) == len(sim.calendar)  # every month went through the check
    assert sum(seen) > 20  # and members died
