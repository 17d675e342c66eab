"""Results: Parquet round trip with provenance; clear errors for folders that are not runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import allegiance
from allegiance import UserError
from helpers import small


def test_from_parquet_reloads_a_run_completely(tmp_path: Path) -> None:
    res = allegiance.run(small(end="2014-06"), seed=3)
    res.overrides = ["end=2014-06"]
    res.to_parquet(tmp_path / "r")
    back = allegiance.Results.from_parquet(tmp_path / "r")
    pd.testing.assert_frame_equal(back.timeseries, res.timeseries)
    pd.testing.assert_frame_equal(back.events, res.events)
    assert back.scenario == res.scenario and back.seed == 3
    assert back.overrides == ["end=2014-06"] and back.scale == res.scale
    assert back.provenance["scenario_name"] == res.scenario.name


def test_from_parquet_of_a_folder_without_a_run_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no timeseries.parquet"):
        allegiance.Results.from_parquet(tmp_path)


def test_old_folders_without_provenance_need_scenario_and_seed(tmp_path: Path) -> None:
    res = allegiance.run(small(end="2014-03"), seed=1)
    res.timeseries.to_parquet(tmp_path / "timeseries.parquet")
    res.events.to_parquet(tmp_path / "events.parquet")
    with pytest.raises(UserError, match="pass scenario= and seed="):
        allegiance.Results.from_parquet(tmp_path)
    back = allegiance.Results.from_parquet(tmp_path, res.scenario, 1)
    assert back.seed == 1 and back.timeseries.equals(res.timeseries)


def test_from_parquet_keeps_the_runs_own_provenance_if_another_command_wrote_beside_it(
    tmp_path: Path,
) -> None:
    res = allegiance.run(small(end="2014-03"), seed=6)
    res.to_parquet(tmp_path)
    assert allegiance.Results.from_parquet(tmp_path).provenance["created"]  # from the JSON
    (tmp_path / "provenance.json").write_text('{"command": "compare", "seed": 0}')
    back = allegiance.Results.from_parquet(tmp_path)
    assert back.seed == 6 and back.provenance["command"] == "run"
