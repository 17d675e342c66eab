"""Tests for the targets file and the statistics computed from a run (synthetic runs)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml

from allegiance.analysis import targets
from allegiance.analysis.targets import STATISTICS, View
from allegiance.errors import UserError

MONTHS = [f"{y}-{m:02d}" for y in range(2014, 2017) for m in range(1, 13)]


@dataclass
class FakeRun:
    timeseries: pd.DataFrame
    events: pd.DataFrame
    scale: float


def _events(rows: list[tuple]) -> pd.DataFrame:
    cols = ["month", "person", "event", "motive", "driver", "route", "origin", "age"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("event", "motive", "driver", "route", "origin"):
        df[c] = df[c].astype("category")
    return df


def _run(events: list[tuple] | None = None, scale: float = 10.0, **columns: list[float]) -> FakeRun:
    ts = pd.DataFrame({"month": MONTHS})
    for name, values in columns.items():
        ts[name] = values
    return FakeRun(ts, _events(events or []), scale)


def test_the_shipped_file_loads_and_keeps_its_roles_apart() -> None:
    t = targets.load()
    validation = [p.id for p in t.by_role("validation")]
    assert [f"fact{i}" for i in range(1, 10)] == [x for x in validation if x.startswith("fact")]
    calibration = {p.id for p in t.by_role("calibration")}
    assert {"strength_2014", "strength_2016", "deaths", "executions"} <= calibration
    assert not calibration & set(validation)
    for p in t.patterns:
        assert p.source and p.description
        assert (p.knockout is not None) == (p.role == "validation")


def test_timeseries_statistics_by_window() -> None:
    run = _run(x=[float(i) for i in range(36)], y=[2.0] * 36)
    v = View.of(run)
    assert STATISTICS["ts_mean"](v, "x", "2014-01", "2014-12") == pytest.approx(5.5)
    assert STATISTICS["ts_value"](v, "x", "2015-03") == 14.0
    assert STATISTICS["ts_max"](v, "x", None, "2015-06") == 17.0
    assert STATISTICS["ts_sum"](v, "y", "2016-01", "2016-12") == 24.0
    assert STATISTICS["ts_ratio"](v, "x", "y", "2014-01", "2014-02") == pytest.approx(0.25)
    assert (
        STATISTICS["ts_window_change"](v, "x", ["2014-01", "2014-12"], ["2016-01", "2016-12"])
        == 24.0
    )
    assert (
        STATISTICS["ts_window_ratio"](v, "x", ["2014-02", "2014-02"], ["2014-05", "2014-05"]) == 4.0
    )
    assert math.isnan(STATISTICS["ts_value"](v, "x", "2019-01"))
    with pytest.raises(UserError, match="no column 'nope'"):
        STATISTICS["ts_mean"](v, "nope")


def test_rate_ratio_compares_per_member_rates() -> None:
    run = _run(ks=[2.0] * 36, ms=[100.0] * 36, kf=[1.0] * 36, mf=[100.0] * 36)
    got = STATISTICS["rate_ratio"](View.of(run), "ks", "ms", "kf", "mf", "2014-01", "2016-12")
    assert got == pytest.approx(2.0)


def test_exit_counts_are_scaled_and_split_by_origin() -> None:
    ev = [
        ("2016-03", 1, "desert", "economic", "pay", "turkey", "raqqa", 20),
        ("2016-03", 2, "defect", "revenge", "redeployment", "rival", "homs", 25),
        ("2016-03", 3, "desert", "ideology", "losing", "turkey", "europe", 30),
        ("2016-03", 4, "executed", "economic", None, None, "aleppo", 30),  # not an exit
        ("2014-05", 5, "desert", "coercion", "coercion", "turkey", "idlib", 30),
    ]
    v = View.of(_run(ev, scale=100.0))
    assert STATISTICS["exits_per_month"](v, "2016-03", "2016-03") == 300.0
    assert STATISTICS["exits_per_month"](v, "2014-01", "2014-12") == pytest.approx(100 / 12)
    assert STATISTICS["exit_origin_share"](v, "syrian", "2016-03", "2016-03") == pytest.approx(
        2 / 3
    )
    assert STATISTICS["exits_ratio"](
        v, ["2014-01", "2014-12"], ["2016-03", "2016-03"]
    ) == pytest.approx(36.0)
    assert STATISTICS["driver_motive_share"](v, "redeployment", "revenge") == 1.0
    assert math.isnan(STATISTICS["driver_motive_share"](v, "favoritism", "revenge"))


def test_min_motive_share_needs_every_motive() -> None:
    motives = ["ideology", "coercion", "economic", "revenge", "opportunism"]
    ev = [("2014-02", i, "join", motives[i % 5], None, None, "raqqa", 20) for i in range(50)]
    ev.append(("2014-02", 99, "arrive", "ideology", None, None, "gulf", 20))  # foreign: ignored
    v = View.of(_run(ev))
    assert STATISTICS["min_motive_share"](v, "syrian") == pytest.approx(0.2)
    ev = [e for e in ev if e[3] != "opportunism"]
    assert STATISTICS["min_motive_share"](View.of(_run(ev)), "syrian") == 0.0


def test_exit_hazard_counts_person_months_from_joining_to_leaving() -> None:
    # economic joiner 1: joins 2016-01, leaves 2016-04 -> 4 months at risk, 1 exit in 2016
    # ideology joiner 2: joins 2015-01, stays -> 12 months at risk in 2016, no exit
    # ideology joiner 3: joins 2016-01, killed 2016-06 -> 6 months, no exit
    ev = [
        ("2016-01", 1, "join", "economic", None, None, "raqqa", 20),
        ("2016-04", 1, "desert", "economic", "pay", "turkey", "raqqa", 20),
        ("2015-01", 2, "join", "ideology", None, None, "raqqa", 20),
        ("2016-01", 3, "join", "ideology", None, None, "raqqa", 20),
        ("2016-06", 3, "killed", "ideology", None, None, "raqqa", 20),
        ("2016-02", 4, "join", "ideology", None, None, "raqqa", 20),
        ("2016-03", 4, "defect", "ideology", "losing", "rival", "raqqa", 20),
    ]
    v = View.of(_run(ev))
    assert STATISTICS["exit_hazard"](v, "economic", "2016-01", "2016-12") == pytest.approx(1 / 4)
    assert STATISTICS["exit_hazard"](v, "ideology", "2016-01", "2016-12") == pytest.approx(1 / 20)
    assert STATISTICS["exit_hazard_ratio"](
        v, "economic", "ideology", "2016-01", "2016-12"
    ) == pytest.approx(5.0)
    assert math.isnan(STATISTICS["exit_hazard"](v, "revenge", "2016-01", "2016-12"))


def test_exit_hazard_uses_the_stock_by_motive_when_the_timeseries_has_it() -> None:
    ev = [
        ("2016-02", 1, "desert", "economic", "pay", "turkey", "raqqa", 20),
        ("2016-03", 2, "defect", "economic", "losing", "rival", "raqqa", 20),
        ("2016-03", 3, "caught", "economic", "pay", "turkey", "raqqa", 20),  # not an exit
        ("2015-03", 4, "desert", "economic", "pay", "turkey", "raqqa", 20),
    ]
    run = _run(ev, scale=10.0, members_economic=[100.0] * 36)
    v = View.of(run)
    assert STATISTICS["exit_hazard"](v, "economic", "2016-01", "2016-12") == pytest.approx(
        20 / 1200
    )
    assert STATISTICS["exit_hazard"](v, "economic", "2016-01", "2016-12", "pay") == pytest.approx(
        10 / 1200
    )
    change = STATISTICS["exit_hazard_change"](
        v, "economic", ["2015-01", "2015-10"], ["2016-01", "2016-12"], "pay"
    )
    assert change == pytest.approx((10 / 1200) / (10 / 1000))


def test_tenure_margin_is_positive_when_the_motive_leaves_first() -> None:
    ev = []
    for i in range(6):  # coerced: leave after 2 months; economic: after 10
        ev += [("2014-01", i, "join", "coercion", None, None, "raqqa", 20)]
        ev += [("2014-03", i, "desert", "coercion", "coercion", "turkey", "raqqa", 20)]
        ev += [("2014-01", 10 + i, "join", "economic", None, None, "raqqa", 20)]
        ev += [("2014-11", 10 + i, "defect", "economic", "pay", "rival", "raqqa", 20)]
    v = View.of(_run(ev))
    assert STATISTICS["tenure_margin"](v, "coercion", 5) == 8.0
    assert STATISTICS["tenure_margin"](v, "economic", 5) == -8.0
    assert math.isnan(STATISTICS["tenure_margin"](v, "coercion", 7))


def test_evaluate_marks_each_check() -> None:
    t = targets.Targets.model_validate(
        {
            "patterns": [
                {
                    "id": "a",
                    "kind": "fact",
                    "role": "calibration",
                    "title": "t",
                    "description": "d",
                    "source": "s",
                    "checks": [
                        {"statistic": "ts_max", "args": {"column": "x"}, "range": [30, None]},
                        {"statistic": "ts_max", "args": {"column": "x"}, "range": [None, 30]},
                    ],
                }
            ]
        }
    )
    out = targets.evaluate(t, _run(x=[float(i) for i in range(36)]))
    assert out["value"].tolist() == [35.0, 35.0]
    assert out["holds"].tolist() == [True, False]


def test_nan_never_holds() -> None:
    c = targets.Check(statistic="ts_max", args={"column": "x"}, range=(0, None))
    assert not c.holds(float("nan"))
    assert c.holds(0.0) and not c.holds(-1e-9)


def _write(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load(targets.PATH.read_text(encoding="utf-8"))
    mutate(data)
    p = tmp_path / "t.yaml"
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (
            lambda d: d["patterns"][0]["checks"][0].update(statistic="magic"),
            "patterns.0.checks.0.statistic",
        ),
        (lambda d: d["patterns"][0]["checks"][0].update(range=[5, 1]), "patterns.0.checks.0.range"),
        (lambda d: d["patterns"][0]["checks"][0].update(range=[None, None]), "at least one end"),
        (lambda d: d["patterns"][1]["checks"][0]["args"].update(colour="red"), "colour"),
        (lambda d: d["patterns"][2].update(kind="guess"), "patterns.2.kind"),
        (lambda d: d["patterns"][3].pop("source"), "patterns.3.source"),
        (lambda d: d["patterns"][4].update(id="fact1"), "appears twice"),
        (lambda d: d["patterns"][0].update(role="proof"), "patterns.0.role"),
        (lambda d: d["patterns"][0].pop("knockout"), "needs a knockout"),
        (lambda d: d["patterns"][0].update(knockout={"why": "w"}), "at least one"),
    ],
)
def test_bad_targets_give_one_line_naming_the_field(tmp_path: Path, mutate, needle: str) -> None:
    with pytest.raises(UserError) as err:
        targets.load(_write(tmp_path, mutate))
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_broken_or_missing_targets_file(tmp_path: Path) -> None:
    bad = tmp_path / "b.yaml"
    bad.write_text("patterns: [", encoding="utf-8")
    with pytest.raises(UserError, match="broken YAML"):
        targets.load(bad)
    with pytest.raises(UserError, match="no such"):
        targets.load(tmp_path / "none.yaml")


def test_every_statistic_is_documented() -> None:
    for name, fn in STATISTICS.items():
        assert fn.__doc__, name
