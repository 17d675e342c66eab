"""The simulation: one population stepped month by month through a fixed schedule of mechanisms.

Schedule of a month (docs/ODD.md, 'process overview'): governance and pay (fiscal spiral) ->
captives repent, brigades surrender -> joining by the five motives -> foreign arrivals ->
training and postings -> roles and suspicion -> redeployment orders -> combat -> leaving
(drivers, route, deterrence) -> ties -> record. Each mechanism draws from its
own random stream, so adding one never shifts another's draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import limits, pcg, schedule
from . import rng as rngs
from .errors import UserError
from .mechanisms import (
    assignment,
    capture,
    combat,
    enforcement,
    foreign,
    governance,
    harm,
    joining,
    leaving,
    pay,
    redeployment,
)
from .people import (
    FIXED,
    FOREIGN_MIN,
    IRAQI,
    SYRIAN_MAX,
    Affiliation,
    Driver,
    Event,
    Motive,
    Origin,
    People,
    Role,
    Route,
    Status,
    fixed_rows,
    fixed_traits,
    records_of,
)
from .record import Recorder, row_columns, row_values
from .results import Results
from .scenario import Scenario, resolve
from .synthesize import synthesize
from .world import Month, calendar

STREAMS = (
    "synthesize",
    "joining",
    "foreign",
    "assignment",
    "redeployment",
    "combat",
    "leaving",
    "routes",
    "enforcement",
    "capture",
)
N_LOCATIONS = IRAQI + 1  # the six Syrian provinces and Iraq
N_ORIGINS = len(Origin)
# the timeseries' per-motive and per-driver columns, named once rather than every month
# the monthly row's metrics, in record.row_values' order, and the codes it reads
ROW_COLUMNS = row_columns()
_ROW_MOTIVES = np.array([int(m) for m in Motive if m != Motive.NONE], np.int64)
_ROW_DRIVERS = np.array([int(d) for d in Driver if d != Driver.NONE], np.int64)
# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
CIVILIAN, TRAINING, MEMBER = int(Status.CIVILIAN), int(Status.TRAINING), int(Status.MEMBER)
DESERTED, DEFECTED, KILLED = int(Status.DESERTED), int(Status.DEFECTED), int(Status.KILLED)
EXECUTED, CAPTURED = int(Status.EXECUTED), int(Status.CAPTURED)
LEADER, RIVAL, COERCION = int(Role.LEADER), int(Route.RIVAL), int(Motive.COERCION)
_ROW_CODES = np.array(
    [CIVILIAN, TRAINING, DESERTED, DEFECTED, CAPTURED, SYRIAN_MAX, IRAQI, FOREIGN_MIN, COERCION],
    np.int64,
)
# the events of those who tried to leave, in the order enforcement.outcomes gives them
_EXIT_EVENTS = (Event.EXECUTED, Event.CAUGHT, Event.DESERT, Event.DEFECT)
# the groups schedule.service logs, in its order
_SERVICE_EVENTS = (Event.ORDERED, Event.KILLED, *_EXIT_EVENTS)


@dataclass(frozen=True)
class Flows:
    """What happened in one month, as indices into People, for the recorder."""

    members: np.ndarray  # members at the end of the month
    motives: np.ndarray  # motives of this month's local joiners
    arrivals: np.ndarray
    graduates: np.ndarray
    killed: np.ndarray
    trying: np.ndarray  # everyone who tried to leave
    driver: np.ndarray  # aligned with trying
    route: np.ndarray  # aligned with trying
    escaped: np.ndarray  # mask over trying
    executed: np.ndarray  # mask over trying
    spared: np.ndarray  # mask over trying: caught, punished, kept
    pay_usd: np.ndarray  # cash pay of each of members this month
    pay_factor: float
    capacity: float
    revenue: float
    captured: np.ndarray
    repented: np.ndarray
    fixed: np.ndarray  # FIXED records of members, aligned with them


@dataclass
class OrgState:
    """The organization's state carried from month to month."""

    pay_factor: float
    perceived_risk: float
    friends_left: np.ndarray  # per circle
    foreign_arrived: int  # simulated foreign members ever, initial ones included


@dataclass
class Roster:
    """Who is inside and how many are in each status, kept up to date month by month.

    Equal at every month's end to a fresh scan of the population (``Roster.scan``); the
    simulation moves people between statuses only through ``move``.
    """

    members: np.ndarray  # sorted indices of members
    trainees: np.ndarray  # sorted indices of trainees
    census: np.ndarray  # int64 count of people in each status
    foreign_civilians: int  # civilians among the foreign block (people.origin >= FOREIGN_MIN)
    captives: np.ndarray  # sorted indices of captives
    fixed: np.ndarray  # FIXED records of the members, aligned with ``members``

    @classmethod
    def scan(cls, people: People, first_foreign: int) -> Roster:
        """Count and list everyone afresh (the start of a run, and the tests)."""
        status = people.status
        census = np.zeros(len(Status), dtype=np.int64)
        for s in range(0, status.size, 1 << 16):  # bincount widens to 8 bytes a person: slice it
            census += np.bincount(status[s : s + (1 << 16)], minlength=len(Status))
        members = np.flatnonzero(status == Status.MEMBER)
        return cls(
            members,
            np.flatnonzero(status == Status.TRAINING),
            census,
            int((status[first_foreign:] == Status.CIVILIAN).sum()),
            np.flatnonzero(status == Status.CAPTURED),
            fixed_traits(people, members),
        )

    def move(self, n: int, source: int, dest: int) -> None:
        """Count ``n`` people moved from ``source`` to ``dest`` (Status codes as plain ints: an
        IntEnum index takes NumPy's slow path, and a month makes nine moves)."""
        self.census[source] -= n
        self.census[dest] += n


class Simulation:
    """A model in Mesa's vocabulary: build it, ``step()`` it, or ``run()`` it to the end."""

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        limits.check_population(scenario.population.size)  # before any array is allocated
        if not 0 <= int(seed) < 2**63:
            raise UserError(f"--seed: must be from 0 to 2**63 - 1 (got {seed})")
        self.scenario = scenario
        self.seed = int(seed)
        self.rng = rngs.streams(self.seed, STREAMS)
        self.calendar = calendar(scenario)
        self.people: People = synthesize(scenario, self.rng["synthesize"])
        self.n_circles = int(self.people.circle.max()) + 1 if self.people.size else 1
        self.join_traits = joining.traits(self.people)
        sizes = np.bincount(self.people.circle, minlength=self.n_circles)
        self.circle_size = np.maximum(sizes, 1).astype(np.float32)
        # people stored circle by circle (as the build makes them): where each circle begins, so
        # joining can draw each circle with friends inside against its own bound
        ordered = bool((self.people.circle[1:] >= self.people.circle[:-1]).all())
        self.circle_start = np.concatenate([[0], np.cumsum(sizes)]) if ordered else None
        foreign_mask = self.people.origin >= FOREIGN_MIN
        self.first_foreign = (
            int(np.argmax(foreign_mask)) if foreign_mask.any() else self.people.size
        )
        # former FSA fighters: the only people a surrender can capture (a small fixed subset)
        self.fsa_fighters = np.flatnonzero(self.people.affiliation == Affiliation.FSA)
        self.recorder = Recorder(scenario.months)
        initial_foreign = int((foreign_mask & (self.people.status == Status.MEMBER)).sum())
        self.org = OrgState(1.0, 0.0, np.zeros(self.n_circles, dtype=np.float32), initial_foreign)
        # members, trainees and the census are scanned once here, then kept up to date by each
        # month's flows (a month's rescans of the whole population cost more than its joining)
        self.roster = Roster.scan(self.people, self.first_foreign)
        # Syrian members, counted once here, then by each month's row (its members are the next
        # month's)
        self.n_syrian = int(np.count_nonzero(self.roster.fixed["origin"] <= SYRIAN_MAX))
        self.t = 0
        self.scale = scenario.population.scale  # a property of the scenario: read once
        # the terms of the month's compiled call that depend on the policy alone, made once for
        # each policy in force (a timeline event makes a new one; most months share one)
        self._terms: dict[int, tuple[Scenario, tuple[Any, ...]]] = {}

    def _policy_terms(self, pol: Scenario) -> tuple[Any, ...]:
        """Pay's schedule terms, posting's fill terms, suspicion's weights, redeployment's order
        terms and combat's weights under the policy ``pol`` (cached by the policy object, kept
        alive with them)."""
        kept = self._terms.get(id(pol))
        if kept is None or kept[0] is not pol:
            org = pol.organization
            terms = (
                pay.schedule_terms(org.pay),
                assignment.fill_terms(org),
                assignment.suspicion_weights(org),
                redeployment.order_terms(org.redeployment),
                combat.weights(pol.combat),
            )
            kept = self._terms[id(pol)] = (pol, terms)
        return kept[1]

    @property
    def done(self) -> bool:
        """Whether every month has been simulated."""
        return self.t >= len(self.calendar)

    def step(self) -> None:
        """Simulate one month."""
        month = self.calendar[self.t]
        pol, env, p, t = month.policy, month.env, self.people, self.t
        org_pol = pol.organization
        scale = self.scale
        rec, g = self.recorder, self.rng
        per_province = org_pol.units_per_province

        # governance and pay: Syrian members -> revenue -> the share of the schedule paid
        ros = self.roster
        members, fixed = ros.members, ros.fixed
        syrians = float(self.n_syrian) * scale
        capacity = governance.capacity(
            syrians, org_pol.syrians_needed * env.presence, org_pol.governance_elasticity
        )
        revenue = env.revenue_usd * capacity
        member_pay = pay.schedule_usd(p, members, org_pol.pay, fixed)  # full schedule, traits fixed
        payroll = float(member_pay.sum()) * scale
        factor = governance.pay_factor(
            org_pol.pay.factor, revenue, org_pol.pay.payroll_share, payroll
        )
        self.org.pay_factor = factor

        # captives who take the repentance course enter training as coerced joiners; then this
        # month's surrenders (they repent from next month on)
        amnesty = org_pol.amnesty
        repented, ros.captives = capture.repent(ros.captives, amnesty.accept, g["capture"])
        if repented.size:  # most months of a coarse run have none
            joining.enlist(p, repented, np.full(repented.size, COERCION, np.uint8), month)
            ros.move(repented.size, CAPTURED, TRAINING)
            rec.events(Event.JOIN, p, repented, t)
        captured = capture.surrender(
            p, self.fsa_fighters, amnesty.surrenders, env.presence, g["capture"]
        )
        ros.move(captured.size, CIVILIAN, CAPTURED)
        if captured.size:
            ros.captives = np.sort(np.concatenate([ros.captives, captured]))
        rec.events(Event.CAPTURED, p, captured, t)

        # joining: five motives over the civilian pool, then foreign arrivals
        pull = joining.circle_pull(p, members, self.circle_size, fixed)
        joiners, motives = joining.join(
            p,
            month,
            factor,
            pull,
            g["joining"],
            max(1000, p.size // 10),
            self.join_traits,
            self.circle_start,
        )
        joining.enlist(p, joiners, motives, month)
        ros.move(joiners.size, CIVILIAN, TRAINING)
        rec.events(Event.JOIN, p, joiners, t)
        arrivals = foreign.arrive(p, month, scale, self.first_foreign, g["foreign"])
        ros.move(arrivals.size, CIVILIAN, TRAINING)
        ros.foreign_civilians -= arrivals.size
        self.org.foreign_arrived += arrivals.size
        rec.events(Event.ARRIVE, p, arrivals, t)

        # from training to the last fate as one compiled call (allegiance.schedule.service):
        # training, units and postings (schedule.post), combat's deaths and the leaving hazards
        # (schedule.fall), attempts and routes (schedule.leave), fates and ties
        # (schedule.settle), with NumPy's exps between them run from compiled code. Graduates
        # were trainees, so they join the start-of-month members without a second scan (their
        # pay comes along: a schedule depends only on fixed traits and this month's policy)
        lv, enf = pol.leaving, org_pol.enforcement
        friends_left = self.org.friends_left
        read_left, wide = leaving.friends_as_read(friends_left)
        # the events of those ordered away, the killed and the exits: three groups, none larger
        # than the members after training
        most = members.size + ros.trainees.size + repented.size + joiners.size + arrivals.size
        schedule_terms, fill_terms, suspicion_weights, order_terms, combat_weights = (
            self._policy_terms(pol)
        )
        at, *buffers = rec.reserve(3 * most)
        (
            graduates,
            ros.trainees,
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
            seen_total,
            _,
            _,
            _,
        ) = schedule.service(
            (
                ros.trainees,
                repented,
                joiners,
                arrivals,
                p.training_left,
                p.status,
                TRAINING,
                org_pol.children.camps,
                per_province,
                N_LOCATIONS,
                pcg.buffer(g["assignment"]),
                members,
                fixed_rows(fixed),
                member_pay,
                *(getattr(p, name) for name in FIXED.names),
                *schedule_terms,
                p.role,
                *fill_terms,
                pcg.state(g["assignment"]),
                p.suspicion,
                p.high_risk,
                friends_left,
                suspicion_weights,
                p.ordered,
                p.posting,
                pcg.state(g["redeployment"]),
                *order_terms,
                p.training_days,
                t,
                org_pol.training.full_days,
                combat_weights,
            ),
            pcg.state(g["combat"]),
            combat.scale(pol.combat, env.military_pressure),
            p.status,
            p.motive,
            KILLED,
            *buffers,
            at,
            (
                factor,
                MEMBER,
                p.role,
                LEADER,
                IRAQI,
                p.disillusion,
                p.high_risk,
                p.ordered,
                p.posting,
                org_pol.pay.in_kind_usd,
                env.food_cost_usd * env.food_price_index,
                read_left,
                wide,
                t,
                *leaving.exponent_terms(pol, env, self.org.perceived_risk),
            ),
            (wide, *leaving.driver_terms(pol, env)),
            pcg.state(g["leaving"]),
            pcg.state(g["routes"]),
            leaving.route_terms(p, pol, env),
            (per_province, N_LOCATIONS, *enforcement.catch_terms(enf, env.border_openness)),
            pcg.state(g["enforcement"]),
            enf.execute_share,
            p.suspicion,
            p.high_risk,
            (
                MEMBER,
                friends_left,
                friends_left.dtype.type(lv.friends_memory),  # rounded as NumPy rounds it for them
                p.circle,
                p.disillusion,
                np.float32(lv.disillusion_execution),
                np.float32(lv.disillusion_repression * org_pol.repression),
            ),
        )
        rec.logged(_SERVICE_EVENTS, counts, p, t)
        n_ordered, n_killed, n_executed, _, n_deserted, n_defected = counts.tolist()
        ros.move(graduates.size, TRAINING, MEMBER)
        ros.move(n_killed, MEMBER, KILLED)
        ros.move(n_defected, MEMBER, DEFECTED)
        ros.move(n_deserted, MEMBER, DESERTED)
        ros.move(n_executed, MEMBER, EXECUTED)
        if trying.size:  # the executions those trying expect: (p_caught * share).sum()
            seen = float(seen_total) / trying.size
            self.org.perceived_risk = 0.5 * self.org.perceived_risk + 0.5 * seen
        fixed = records_of(rows)
        ros.members, ros.fixed = remaining, fixed

        flows = Flows(
            remaining,
            motives,
            arrivals,
            graduates,
            killed,
            trying,
            driver,
            route,
            escaped,
            executed,
            spared,
            remaining_pay,
            factor,
            capacity,
            revenue,
            captured,
            repented,
            fixed,
        )
        self._record(month, flows)
        self.t += 1

    def _record(self, month: Month, f: Flows) -> None:
        """Append the month's row of metrics (real-world units)."""
        # with a few hundred simulated members a month the row is nearly all fixed cost: the
        # counts (schedule.tally) and the row's arithmetic (record.row_values) are two compiled
        # calls, where there were one NumPy call per column and then a dict of sixty values
        t, pol, env = month.index, month.policy, month.env
        p, s = self.people, self.scale
        n = f.members.size
        origin = f.fixed["origin"]
        # head counts, mean pays, the harm score's total and the flows: record.member_counts,
        # the pay means, harm's score and sum and record.flow_counts as one compiled stretch
        # (allegiance.schedule)
        counts, pay_syrian, pay_foreign, harm_total, flows = schedule.tally(
            f.members,
            origin,
            f.fixed["birth"],
            t,
            f.fixed["unit"],
            p.role,
            p.motive,
            s,
            LEADER,
            N_ORIGINS,
            len(Motive),
            IRAQI,
            f.pay_usd,
            SYRIAN_MAX,
            FOREIGN_MIN,
            p.training_days,
            pol.organization.training.full_days,
            harm.weights(pol),
            f.motives,
            f.trying,
            f.driver,
            f.route,
            f.escaped,
            f.executed,
            f.spared,
            f.killed,
            p.origin,
            len(Driver),
            RIVAL,
        )
        # the row's arithmetic in one compiled call (record.row_values; a dict of sixty values
        # was most of the row's fixed cost)
        org = pol.organization
        values, self.n_syrian = row_values(
            counts,
            flows,
            pay_syrian,
            pay_foreign,
            harm_total,
            self.roster.census,
            _ROW_CODES,
            _ROW_MOTIVES,
            _ROW_DRIVERS,
            self.roster.foreign_civilians,
            s,
            env.presence,
            n,
            f.repented.size,
            f.arrivals.size,
            f.graduates.size,
            f.trying.size,
            f.killed.size,
            f.captured.size,
            f.pay_factor,
            float(org.training.sharia_days + org.training.bootcamp_days),
            f.capacity,
            f.revenue,
            env.territory_km2,
            self.org.foreign_arrived,
        )
        self.recorder.row_values(ROW_COLUMNS, values)

    def run(self, on_step: Callable[[int, int], None] | None = None) -> Results:
        """Run to the last month; ``on_step(done, total)`` is called after each month."""
        total = len(self.calendar)
        while not self.done:
            self.step()
            if on_step is not None:
                on_step(self.t, total)
        return Results(
            self.recorder.timeseries(), self.recorder.event_table(), self.scenario, self.seed
        )


def run(
    scenario: Scenario | str,
    seed: int = 0,
    overrides: list[str] | None = None,
    on_step: Callable[[int, int], None] | None = None,
    drop_events: list[str] | None = None,
) -> Results:
    """Run a scenario (object or YAML path) with a seed; returns Results."""
    return Simulation(resolve(scenario, overrides, drop_events), seed).run(on_step)
