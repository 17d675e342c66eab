"""Explorer controls: generated from the schema, and the setting they make is a complete scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.analysis.params import table_of
from allegiance.errors import UserError
from allegiance.explore.controls import GROUPS, Setting, levers, setting_scenario
from allegiance.scenario import load

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "syria-2014-2016.yaml"


@pytest.fixture(scope="module")
def ref():
    return load(REFERENCE)


def test_every_lever_carries_the_schema_unit_range_and_source(ref) -> None:
    rows = {p.path: p for p in table_of(ref)}
    every = [lv for group in levers(ref).values() for lv in group]
    assert [lv.path for lv in every] == [p for paths in GROUPS.values() for p in paths]
    for lv in every:
        row = rows[lv.path]
        assert lv.source == row.source and lv.source
        assert lv.plausible == row.plausible
        assert row.unit in lv.hover and row.source in lv.hover
        assert lv.lo <= lv.value <= lv.hi
        if row.plausible and lv.kind != "scale":
            # the slider reaches the plausible range wherever the schema's bounds allow
            assert lv.hi >= min(row.plausible[1], lv.hi)


def test_a_lever_the_timeline_also_sets_drops_those_events_and_says_so(ref) -> None:
    sc, notes = setting_scenario(
        ref, Setting({"organization.training.sharia_days": 10}, {}, {}), 20_000
    )
    assert sc.organization.training.sharia_days == 10
    assert "sinjar-training-cut" not in [e.id for e in sc.timeline]
    assert any("sinjar-training-cut" in n and "sharia_days" in n for n in notes)
    # the field holds for every month of the run
    assert {sc.at(m).organization.training.sharia_days for m in sc.months} == {10}


def test_a_dated_lever_becomes_an_event_and_series_are_scaled(ref) -> None:
    s = Setting(
        {"organization.pay.factor": 0.5, "environment.revenue_usd": 0.5},
        {"organization.pay.factor": "2015-12"},
        {"cubs": None},
    )
    sc, notes = setting_scenario(ref, s, 20_000)
    assert sc.population.size == 20_000
    assert sc.at("2015-11").organization.pay.factor == 1.0
    assert sc.at("2015-12").organization.pay.factor == 0.5
    assert sc.environment.revenue_usd == {
        k: v * 0.5 for k, v in ref.environment.revenue_usd.items()
    }
    assert "cubs" not in [e.id for e in sc.timeline] and any("cubs" in n for n in notes)


def test_bad_values_fail_through_the_schema_in_one_line(ref) -> None:
    with pytest.raises(UserError, match=r"organization.pay.factor.*less than or equal to 1"):
        setting_scenario(ref, Setting({"organization.pay.factor": 3.0}, {}, {}), 20_000)
    with pytest.raises(UserError, match="from month"):
        setting_scenario(ref, Setting({"organization.pay.factor": 0.5}, {"organization.pay.factor": "soon"}, {}), 20_000)  # fmt: skip
    with pytest.raises(UserError, match="not one of the explorer's levers"):
        setting_scenario(ref, Setting({"combat.k": 1.0}, {}, {}), 20_000)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_any_slider_position_gives_a_valid_scenario(ref, data) -> None:
    every = [lv for group in levers(ref).values() for lv in group]
    lv = data.draw(st.sampled_from(every))
    x = data.draw(st.floats(lv.lo, lv.hi, allow_nan=False))
    sc, _ = setting_scenario(ref, Setting({lv.path: x}, {}, {}), 20_000)
    assert not any(lv.path in ev.set for ev in sc.timeline)


def test_both_ends_of_every_slider_give_a_valid_scenario(ref) -> None:
    # a strict schema bound (payroll share > 0) must not be a slider's end
    for lv in [lv for group in levers(ref).values() for lv in group]:
        for x in (lv.lo, lv.hi):
            setting_scenario(ref, Setting({lv.path: x}, {}, {}), 20_000)
