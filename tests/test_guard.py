"""Timeline and overrides agree; events may set only what changes in a run; dates are checked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from allegiance.cli import main
from allegiance.errors import ScenarioWarning, UserError
from allegiance.scenario import load
from helpers import REFERENCE

S = ["--set", "population.size=1000", "--quiet"]


def test_a_set_the_timeline_would_undo_is_refused_naming_the_event() -> None:
    event = r"'sinjar-training-cut' \(2015-11\).*--drop-event sinjar-training-cut"
    with pytest.raises(UserError, match=event):
        load(REFERENCE, ["organization.training.bootcamp_days=30"])
    with pytest.raises(UserError, match="sinjar-training-cut"):  # a whole section overlaps too
        load(REFERENCE, ["organization.training={bootcamp_days: 30}"])


def test_drop_event_lets_the_set_hold_for_the_whole_run(tmp_path: Path) -> None:
    drop = ["sinjar-training-cut"]
    sc = load(REFERENCE, ["organization.training.bootcamp_days=20"], drop_events=drop)
    assert sc.at("2017-01").organization.training.bootcamp_days == 20
    assert all(ev.id != "sinjar-training-cut" for ev in sc.timeline)
    out = tmp_path / "o"
    args = ["run", str(REFERENCE), *S, "--set", "end=2016-02", "--out", str(out)]
    setting = ["--set", "organization.training.bootcamp_days=20"]
    assert main([*args, *setting, "--drop-event", "sinjar-training-cut"]) == 0
    assert pd.read_parquet(out / "timeseries.parquet")["month"].iloc[-1] == "2016-02"


def test_dates_beyond_the_run_or_the_series_warn_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.warns(ScenarioWarning, match="never happen: 'pardons'"):
        load(REFERENCE, ["end=2013-09"])
    with pytest.warns(ScenarioWarning, match="held flat"):
        load(REFERENCE, ["end=2019-12"])
    assert main(["params", str(REFERENCE), "--set", "start=2012-01", "--format", "csv"]) == 0
    warned = [x for x in capsys.readouterr().err.splitlines() if x.startswith("warning:")]
    assert len(warned) == 1 and "2012-01" in warned[0]


def test_the_reference_scenario_loads_without_warnings() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        load(REFERENCE)
