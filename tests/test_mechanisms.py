"""One test per mechanism showing its direction, on small runs with common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allegiance import run
from allegiance.mechanisms import enforcement, governance, harm, pay
from allegiance.people import Route
from allegiance.rng import stream
from allegiance.scenario import Enforcement, Pay
from allegiance.synthesize import synthesize
from helpers import reference, small

SEEDS = (1, 2, 3)


def total(
    overrides: list[str],
    column: str,
    start: str = "2013-06",
    end: str = "2016-06",
    size: int = 40_000,
    drop: tuple[str, ...] = (),
) -> float:
    """Sum of a column over months and seeds (``drop``: timeline events left out)."""
    out = 0.0
    for seed in SEEDS:
        sc = small(*overrides, size=size, end=end, drop=drop)
        ts = run(sc, seed=seed).timeseries.set_index("month")
        out += float(ts.loc[start:end, column].sum())
    return out


def events(overrides: list[str], end: str = "2016-06", size: int = 40_000) -> pd.DataFrame:
    return pd.concat([run(small(*overrides, size=size, end=end), seed=s).events for s in SEEDS])


def test_pay_schedule_is_the_seed_formula() -> None:
    p = synthesize(small(size=2_000), stream(0, "synthesize"))
    p.wives[:3], p.children[:3], p.parents[:3], p.dependants[:3] = (
        [1, 0, 2],
        [2, 0, 3],
        [1, 0, 2],
        6,
    )
    p.origin[:3] = [0, 0, 9]  # two Syrians (Deir Ezzor) and a Central Asian
    p.skilled[:3] = False
    got = pay.schedule_usd(p, np.arange(3), Pay())
    assert got[0] == pytest.approx(50 + 50 + 70 + 50)  # $50 base, a wife, two children, a parent
    assert got[1] == pytest.approx(50)  # the six sisters earn nothing under the schedule
    assert got[2] == pytest.approx((50 + 100 + 105 + 100) * Pay().foreign_premium)


def test_governance_rests_on_syrians_and_caps_pay() -> None:
    assert governance.capacity(12_000, 12_000, 0.8) == 1.0
    assert governance.capacity(3_000, 12_000, 0.8) < governance.capacity(6_000, 12_000, 0.8) < 1.0
    assert governance.pay_factor(1.0, 100e6, 0.25, 10e6) == 1.0
    assert governance.pay_factor(1.0, 20e6, 0.25, 10e6) == pytest.approx(0.5)
    assert governance.pay_factor(0.5, 20e6, 0.25, 10e6) == pytest.approx(0.5)


def test_cutting_pay_raises_exits_over_pay() -> None:
    cut = total(["organization.pay.factor=0.4"], "exits_pay", "2014-01")
    no_cut = total(["timeline=[]"], "exits_pay", "2014-01")
    assert cut > 1.3 * no_cut


def test_redeployment_orders_raise_exits_among_revenge_joiners() -> None:
    base = events(
        [
            "organization.redeployment.iraq_rate=0.0",
            "organization.redeployment.fsa_rate=0.0",
            "timeline=[]",
        ]
    )
    ordered = events(["organization.redeployment.iraq_rate=0.08", "timeline=[]"])

    def revenge_exits(ev: pd.DataFrame) -> int:
        return int((ev["event"].isin(["desert", "defect"]) & (ev["motive"] == "revenge")).sum())

    assert revenge_exits(ordered) > revenge_exits(base)
    redeployed = ordered[
        ordered["event"].isin(["desert", "defect"]) & (ordered["driver"] == "redeployment")
    ]
    assert len(redeployed) > 0 and (base["driver"] == "redeployment").sum() == 0


def test_more_enforcement_lowers_exits_and_raises_executions() -> None:
    lax = ["organization.enforcement.intensity=0.3"]
    strict = ["organization.enforcement.intensity=3.0"]
    exits, keep = "exits_abroad", ("executions-rise",)  # the event would reset intensity
    assert total(strict, exits, drop=keep) < total(lax, exits, drop=keep)
    assert total(strict, "executed", drop=keep) > total(lax, "executed", drop=keep)


def test_exits_are_safer_in_numbers() -> None:
    """Epstein (2002): with the same guards, more people trying means each is likelier to pass."""
    pol = Enforcement()
    members = np.zeros(1000, dtype=np.int64)
    few = enforcement.catch_probability(
        np.zeros(5, np.int64), members, np.full(5, Route.RIVAL), pol, 1.0, 7
    )
    many = enforcement.catch_probability(
        np.zeros(200, np.int64), members, np.full(200, Route.RIVAL), pol, 1.0, 7
    )
    assert 0 <= many[0] < few[0] <= 1
    shut = enforcement.catch_probability(
        np.zeros(5, np.int64), members, np.full(5, Route.TURKEY), pol, 0.0, 7
    )
    assert shut[0] > few[0]  # a closed border catches more of those heading abroad


def test_territory_loss_raises_exits_over_losing() -> None:
    held = ["environment.territory_km2=90800"]

    def rate(overrides: list[str]) -> float:
        return total(overrides, "exits_losing", "2015-06") / total(overrides, "members", "2015-06")

    assert rate([]) > 1.5 * rate(held)


def test_foreign_inflow_follows_its_series() -> None:
    ts = run(
        small("environment.foreign_inflow=1200", size=40_000, end="2014-12"), seed=1
    ).timeseries
    share = reference().joining.foreign_scale  # the share of all arrivals who join this group
    assert ts["joins_foreign"].mean() == pytest.approx(1200 * share, rel=0.1)
    assert ts["foreign_cumulative"].is_monotonic_increasing


def test_economic_need_drives_economic_joining() -> None:
    poor = total(
        ["environment.unemployment=0.9", "environment.aid_usd=0"],
        "joins_economic",
        end="2014-12",
        drop=("regime-salaries-stop",),
    )
    rich = total(
        ["environment.unemployment=0.1", "environment.aid_usd=100"],
        "joins_economic",
        end="2014-12",
        drop=("regime-salaries-stop",),
    )
    assert poor > 1.5 * rich


def test_revenge_joining_rises_with_families_killed() -> None:
    many = total(["population.family_killed_share={default: 0.4}"], "joins_revenge", end="2014-12")
    few = total(["population.family_killed_share={default: 0.01}"], "joins_revenge", end="2014-12")
    assert many > 1.5 * few


def test_amnesty_brings_coerced_joiners_who_leave_early() -> None:
    none = total(
        ["organization.amnesty.criminals=0", "organization.amnesty.surrenders=0", "timeline=[]"],
        "joins_coercion",
    )
    assert none == 0
    ev = events([])
    joined = ev[ev["event"] == "join"].set_index("person")["month"]
    left = ev[ev["event"].isin(["desert", "defect"])].drop_duplicates("person").set_index("person")
    left = left.join(joined.rename("joined"), how="inner")
    months = pd.PeriodIndex(left["month"], freq="M") - pd.PeriodIndex(left["joined"], freq="M")
    left["tenure"] = [m.n for m in months]
    tenure = left.groupby("motive", observed=True)["tenure"].median()
    assert tenure["coercion"] <= tenure.drop("coercion").min()


def test_opportunism_needs_expertise_or_a_record() -> None:
    assert (
        total(
            [
                "population.regime_share=0",
                "population.skilled_share=0",
                "population.criminal_share=0",
            ],
            "joins_opportunism",
            end="2014-12",
        )
        == 0
    )
    assert total([], "joins_opportunism", end="2014-12") > 0


def test_child_recruitment_raises_the_share_under_18() -> None:
    ts_on = run(
        small(
            "organization.children.rate=0.01",
            size=40_000,
            drop=("cubs", "sinjar-training-cut"),
        ),
        seed=1,
    ).timeseries
    ts_off = run(
        small(
            "organization.children.rate=0",
            "organization.children.min_age=18",
            "timeline=[]",
            size=40_000,
        ),
        seed=1,
    ).timeseries
    assert ts_on["under18_share"].iloc[-1] > ts_off["under18_share"].iloc[-1] + 0.05
    assert ts_off["members_under18"].sum() == 0


def test_combat_kills_children_and_the_untrained_more() -> None:
    ev = events([])
    deaths = ev[ev["event"] == "killed"]
    assert len(deaths) > 0
    ts = pd.concat([run(small(size=40_000), seed=s).timeseries for s in SEEDS])
    child_rate = (deaths["age"] < 18).sum() / (
        ts["members_under18"].sum() / small().population.scale
    )
    adult_rate = (deaths["age"] >= 18).sum() / (
        (ts["members"] - ts["members_under18"]).sum() / small().population.scale
    )
    assert child_rate > adult_rate


def test_cutting_training_raises_civilian_harm() -> None:
    cut = total(
        ["organization.training.sharia_days=3", "organization.training.bootcamp_days=0"],
        "civilian_harm",
        "2014-06",
        drop=("sinjar-training-cut",),
    )
    full = total(["timeline=[]"], "civilian_harm", "2014-06")
    assert cut > full


def test_leaders_are_mostly_foreign_or_iraqi() -> None:
    ts = run(small(size=40_000, end="2015-06"), seed=1).timeseries
    assert ts["leaders_foreign_or_iraqi_share"].iloc[-1] > 0.5
    even = run(
        small(
            "organization.leadership.foreign_weight=0",
            "organization.leadership.iraqi_weight=0",
            size=40_000,
            end="2015-06",
        ),
        seed=1,
    ).timeseries
    assert (
        even["leaders_foreign_or_iraqi_share"].iloc[-1]
        < ts["leaders_foreign_or_iraqi_share"].iloc[-1]
    )


def test_suspicion_sends_syrians_on_high_risk_missions_where_they_die_more() -> None:
    ev = events([])
    ts = pd.concat([run(small(size=40_000), seed=s).timeseries for s in SEEDS])
    ts = ts[ts["month"] >= "2014-01"]  # once suspicion has built up (fact 7's window)
    syr = ts["killed_syrian"].sum() / ts["members_syrian"].sum()
    frn = ts["killed_foreign"].sum() / ts["members_foreign"].sum()
    assert syr > frn
    assert len(ev) > 0


def test_friends_who_left_raise_exit_hazards() -> None:
    from allegiance.mechanisms import leaving
    from allegiance.world import calendar

    sc = small(size=5_000)
    sim_people = synthesize(sc, stream(0, "synthesize"))
    members = np.flatnonzero(sim_people.status == 2)
    month = calendar(sc)[30]
    n_circles = int(sim_people.circle.max()) + 1
    pay_usd = np.full(members.size, 200.0, dtype=np.float32)
    quiet = leaving.Context(pay_usd, 0.9, np.zeros(n_circles, np.float32), 0.1, 30)
    shaken = leaving.Context(pay_usd, 0.9, np.ones(n_circles, np.float32), 0.1, 30)
    calm = leaving.hazards(sim_people, members, month.policy, month.env, quiet)
    moved = leaving.hazards(sim_people, members, month.policy, month.env, shaken)
    assert (moved.sum(axis=0) > calm.sum(axis=0)).all()
    assert ((calm >= 0) & np.isfinite(calm)).all()


def test_fiscal_spiral_cuts_pay_when_revenue_collapses() -> None:
    ts = run(
        small("environment.revenue_usd=2000000", size=20_000, end="2014-12"), seed=1
    ).timeseries
    assert ts["pay_factor"].min() < 0.9
    rich = run(
        small("environment.revenue_usd=500000000", size=20_000, end="2014-12"), seed=1
    ).timeseries
    assert rich["pay_factor"].min() == 1.0


def test_surrendered_fighters_are_held_then_repent_into_training() -> None:
    from allegiance.mechanisms import capture
    from allegiance.people import Affiliation, Status

    p = synthesize(small(size=5_000), stream(0, "synthesize"))
    fsa = np.flatnonzero(p.affiliation == Affiliation.FSA)
    p.status[fsa[:3]] = Status.MEMBER  # already inside: cannot be captured
    free = fsa[p.status[fsa] == Status.CIVILIAN]
    taken = capture.surrender(p, fsa, rate=50.0, presence=1.0, rng=stream(0, "c"))
    assert set(taken) == set(free) and (p.status[taken] == Status.CAPTURED).all()
    none, held = capture.repent(taken, accept=0.0, rng=stream(0, "c"))
    every, left = capture.repent(taken, accept=1.0, rng=stream(0, "c"))
    assert none.size == 0 and set(every) == set(taken) == set(held) and left.size == 0
    # in a run, captives join as coerced only through the course; no surrenders, no captives
    ts = run(small(size=40_000, end="2015-06"), seed=1).timeseries
    assert ts["captured"].sum() > 0 and ts["captives"].max() > 0
    from allegiance.analysis.knockouts import knock_out
    from allegiance.analysis.targets import Knockout

    ko = Knockout(why="", set=["organization.amnesty.surrenders=0"], drop_events=["surrenders"])
    off = run(knock_out(small(size=40_000, end="2015-06"), ko), seed=1)
    assert off.timeseries["captured"].sum() == 0


def test_armed_alternatives_pay_where_they_recruit_and_hold_back_economic_joining() -> None:
    from allegiance.mechanisms import joining, rivals
    from allegiance.people import Origin
    from allegiance.world import calendar

    month = calendar(small(size=2_000))[20]
    best = rivals.armed_pay(month.env, month.policy.population)
    assert best[Origin.IDLIB] == 100 and best[Origin.ALEPPO] == 100  # Jabhat al-Nusra
    assert best[Origin.HOMS] == 63 and best[Origin.RAQQA] == 36  # the army; the FSA alone
    assert best[Origin.IRAQ] == 0
    v = joining.parameters(month, 1.0)
    table = joining.economic_table(v, joining.best_alternative(month)).reshape(
        -1, joining.N_HOUSEHOLDS
    )
    # the same households join less for pay where a better-paid group recruits
    assert (table[Origin.HOMS] < table[Origin.RAQQA]).all()
    assert (table[Origin.IDLIB] < table[Origin.HOMS]).all()


def test_protecting_sisters_raises_economic_joining_with_each_dependant() -> None:
    from allegiance.mechanisms import joining
    from allegiance.world import calendar

    def table(weight: float) -> np.ndarray:
        month = calendar(small(f"joining.protect_family={weight}", size=2_000))[20]
        v = joining.parameters(month, 1.0)
        shape = (7, joining._W, joining._C, joining._P, joining._D, 2)
        return joining.economic_table(v, joining.best_alternative(month)).reshape(shape)

    on, off = table(0.5), table(0.0)
    # more sisters: more need (both) and more to protect (only with the effect)
    gain_on = on[:, 0, 0, 0, 6] / on[:, 0, 0, 0, 0]
    gain_off = off[:, 0, 0, 0, 6] / off[:, 0, 0, 0, 0]
    assert (gain_on > gain_off * np.exp(0.5 * 6) * 0.99).all()


def test_families_take_child_members_to_turkey() -> None:
    ev = events([], size=40_000, end="2016-12")
    out = ev[
        (ev["driver"] == "family") & ev["event"].isin(["desert", "defect", "caught", "executed"])
    ]
    assert len(out) > 0
    assert (out["age"] < 18).all()
    assert (out["route"] != "rival").all()
    none = events(["leaving.family.base=0"], size=40_000, end="2016-12")
    assert not (none["driver"] == "family").any()


def test_cubs_trained_apart_fill_units_and_vanish_without_child_recruitment() -> None:
    from allegiance.analysis.knockouts import knock_out
    from allegiance.analysis.targets import Knockout

    def max_unit(*overrides: str, drop: tuple[str, ...] = ()) -> float:
        sc = small(size=100_000, end="2016-06")
        if overrides or drop:
            sc = knock_out(sc, Knockout(why="", set=list(overrides), drop_events=list(drop)))
        runs = [run(sc, seed=s).timeseries.set_index("month") for s in SEEDS]
        return sum(float(ts.loc["2016-01":, "max_unit_under18_share"].sum()) for ts in runs)

    camps, spread = max_unit(), max_unit("organization.children.camps=false")
    no_children = max_unit(
        "organization.children.rate=0",
        "organization.children.min_age=18",
        drop=("cubs", "sinjar-training-cut"),
    )
    assert camps > spread  # concentration comes from cohorts trained and posted together
    assert no_children == 0.0


def test_harm_is_reported_per_civilian_under_rule_and_per_member() -> None:
    sc = small(size=5_000)
    p = synthesize(sc, stream(0, "synthesize"))
    members = np.flatnonzero(p.status == 2)
    per_member, per_civ = harm.civilian_harm(p, members, sc, 0, sc.population.scale, 1e6)
    same, fewer = harm.civilian_harm(p, members, sc, 0, sc.population.scale, 5e5)
    assert same == per_member and fewer == pytest.approx(2 * per_civ)
    assert harm.civilian_harm(p, members[:0], sc, 0, 1.0, 1e6) == (0.0, 0.0)
