"""One test per mechanism showing its direction, on small runs with common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allegiance import run
from allegiance.mechanisms import enforcement, governance, pay
from allegiance.people import Route
from allegiance.rng import stream
from allegiance.scenario import Enforcement, Pay
from allegiance.synthesize import synthesize
from helpers import small

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
    cut = total(["organization.pay.factor=0.4"], "exits_pay", "2014-01", drop=("pay-cut",))
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
    assert ts["joins_foreign"].mean() == pytest.approx(1200, rel=0.1)
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
    quiet = leaving.Context(pay_usd, 0.9, np.zeros(n_circles, np.float32), 0.1)
    shaken = leaving.Context(pay_usd, 0.9, np.ones(n_circles, np.float32), 0.1)
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
