"""Overhead cuts that must not change an output: each fast path against the plain one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allegiance import Simulation, load
from allegiance.people import Event, Motive
from allegiance.scenario import Environment
from allegiance.world import calendar, series_at
from helpers import small


def test_event_log_built_at_the_end_equals_the_columns_read_when_logged() -> None:
    sim = Simulation(small(size=3_000, end="2015-06"), 2)
    p, rec = sim.people, sim.recorder
    eager: list[pd.DataFrame] = []  # the plain log: every column read at the call

    def log(
        kind: Event,
        idx: np.ndarray,
        month: int,
        driver: np.ndarray | None = None,
        route: np.ndarray | None = None,
    ) -> None:
        rec.events(kind, p, idx, month, driver, route)
        n = idx.size
        none = np.zeros(n, np.uint8)
        eager.append(
            pd.DataFrame(
                {
                    "month": np.full(n, month, np.int16),
                    "person": idx.astype(np.int64),
                    "event": np.full(n, int(kind), np.int8),
                    "motive": p.motive[idx].astype(np.int8) - 1,
                    "driver": (none if driver is None else driver).astype(np.int8) - 1,
                    "route": (none if route is None else route).astype(np.int8) - 1,
                    "origin": p.origin[idx].astype(np.int8),
                    "age": p.age_years(month, idx),
                }
            )
        )

    rng = np.random.default_rng(0)
    captives = np.sort(rng.choice(p.size, 5, replace=False))
    p.motive[captives] = Motive.NONE
    log(Event.CAPTURED, captives, 3)
    p.motive[captives] = Motive.COERCION  # they repent later: the first row keeps no motive
    log(Event.JOIN, captives, 7)
    log(Event.KILLED, captives[:0], 8)  # nothing to log
    leavers = np.sort(rng.choice(p.size, 4, replace=False))
    log(Event.DESERT, leavers, 9, np.full(4, 2, np.uint8), np.array([1, 2, 1, 2], np.uint8))
    table = rec.event_table()
    plain = pd.concat(eager, ignore_index=True)
    assert len(table) == len(plain) == 14
    months = np.array(sim.scenario.months)
    np.testing.assert_array_equal(table["month"].to_numpy(str), months[plain["month"]])
    for col in ("person", "age"):
        assert table[col].dtype == plain[col].dtype
        np.testing.assert_array_equal(table[col], plain[col])
    for col in ("event", "motive", "driver", "route", "origin"):
        np.testing.assert_array_equal(table[col].cat.codes, plain[col], err_msg=col)
    assert table["motive"].isna()[:5].all() and (table["motive"][5:10] == "coercion").all()


@pytest.mark.parametrize("name", ["border-closed", "wages-and-aid-held", "faster-pressure"])
def test_calendar_reads_every_series_as_series_at_does_month_by_month(name: str) -> None:
    sc = load(Path(__file__).parents[1] / "scenarios" / "counterfactuals" / f"{name}.yaml")
    peak = 0.0
    for month in calendar(sc):
        env = month.policy.environment
        for field in Environment.model_fields:
            assert getattr(month.env, field) == series_at(getattr(env, field), month.label), field
        peak = max(peak, month.env.territory_km2)
        assert month.env.territory_peak_km2 == peak


def test_timeseries_from_one_array_equals_the_frame_of_the_row_dicts() -> None:
    sim = Simulation(small(size=3_000, end="2014-12"), 3)
    rows: list[dict[str, float]] = []
    keep = sim.recorder.row_values

    def row_values(columns: tuple[str, ...], values: np.ndarray) -> None:
        rows.append(dict(zip(columns, values.tolist(), strict=True)))  # the row as a dict
        keep(columns, values)

    sim.recorder.row_values = row_values  # type: ignore[method-assign]
    while not sim.done:
        sim.step()
    assert len(rows) == len(sim.calendar)
    plain = pd.DataFrame(rows)
    plain.insert(0, "month", sim.scenario.months)
    fast = sim.recorder.timeseries()
    assert fast.equals(plain)
    assert list(fast.dtypes) == list(plain.dtypes)
    assert list(fast.columns) == list(plain.columns)
