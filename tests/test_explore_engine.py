"""Explorer engine and limits: paired runs through run_arms, cancel, download, upload, caps."""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import allegiance
from allegiance.errors import UserError
from allegiance.explore.controls import Setting, setting_scenario
from allegiance.explore.engine import (
    BASE,
    bundle,
    compare_setting,
    headline,
    load_upload,
    run_folder,
    with_size,
)
from allegiance.explore.limits import Cancelled, Gate, Limits
from allegiance.provenance import scenario_from_yaml
from allegiance.scenario import load

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "syria-2014-2016.yaml"
SIZE = 3_000


@pytest.fixture(scope="module")
def outcome():
    ref = load(REFERENCE)
    setting, notes = setting_scenario(ref, Setting({"organization.pay.factor": 0.4}, {}, {}), SIZE)
    return compare_setting(setting, with_size(ref, SIZE), 2, 7, notes=notes)


def test_the_setting_runs_are_allegiance_run_with_the_replicate_seeds(outcome) -> None:
    assert len(outcome.setting_runs) == len(outcome.baseline_runs) == 2
    for seed, res in zip(outcome.seeds, outcome.setting_runs, strict=True):
        again = allegiance.run(outcome.setting, seed=seed)
        pd.testing.assert_frame_equal(again.timeseries, res.timeseries)
    table = headline(outcome)
    assert set(table["outcome"]) >= {"peak_members", "exits_total", "executions_total"}
    peak = table.set_index("outcome").loc["peak_members", "setting"]
    expected = sum(r.timeseries["members"].max() for r in outcome.setting_runs) / 2
    assert peak == pytest.approx(expected)


def test_the_baseline_is_run_once_per_resolution_and_seed(outcome) -> None:
    other, _ = setting_scenario(
        outcome.baseline, Setting({"organization.pay.factor": 0.9}, {}, {}), SIZE
    )
    second = compare_setting(other, outcome.baseline, 2, 7)
    assert second.baseline_runs is outcome.baseline_runs
    assert list(second.runs["arm"]).count(BASE) == 2


def test_cancel_stops_the_run(outcome) -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        compare_setting(outcome.setting, outcome.baseline, 1, 99, cancel=stop)


def test_the_download_holds_the_scenario_seeds_and_parquet(outcome) -> None:
    with zipfile.ZipFile(io.BytesIO(bundle(outcome))) as zf:
        names = set(zf.namelist())
        sc = scenario_from_yaml(zf.read("scenario.yaml").decode())
        assert sc == outcome.setting
        readme = zf.read("README.md").decode()
        for r, seed in enumerate(outcome.seeds):
            assert f"--seed {seed}" in readme
            table = pd.read_parquet(
                io.BytesIO(zf.read(f"{run_folder(r, seed)}/timeseries.parquet"))
            )
            pd.testing.assert_frame_equal(table, outcome.setting_runs[r].timeseries)
    assert {"differences.csv", "runs.csv"} <= names


def test_an_upload_is_checked_like_the_cli(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        load_upload("my scenario.yaml", b"organization:\n  pay:\n    factor: 2\n")
    assert str(err.value).startswith("my_scenario.yaml: organization.pay.factor:")
    with pytest.raises(UserError, match=r"^x.yaml: broken YAML at line \d+"):
        load_upload("x.yaml", b"a: [\n")
    ok = load_upload("ref.yaml", REFERENCE.read_bytes())
    assert ok == load(REFERENCE)


def test_limits_cap_size_and_replicates() -> None:
    lim = Limits(max_size=50_000, max_replicates=4)
    lim.check(20_000, 4)
    with pytest.raises(UserError, match=r"population.size: must be 1,000 to 50,000"):
        lim.check(60_000, 1)
    with pytest.raises(UserError, match="replicates: must be 1 to 4"):
        lim.check(20_000, 5)


def test_one_run_per_session_and_queued_slots() -> None:
    gate = Gate(1)
    gate.enter("a")
    with pytest.raises(UserError, match="still going"):
        gate.enter("a")
    gate.wait_slot(threading.Event())
    gate.enter("b")
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(Cancelled):  # b waits behind a, and gives up when cancelled
        gate.wait_slot(cancelled)
    gate.leave("a", had_slot=True)
    gate.wait_slot(threading.Event())
    gate.leave("b", had_slot=True)
    assert not gate.busy("a") and not gate.busy("b")


def _posterior(folder: Path, values: list[float]) -> Path:
    """A calibration folder holding a posterior of ``combat.base`` with equal weights."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"combat.base": values, "weight": [1.0] * len(values)}).to_parquet(
        folder / "posterior.parquet"
    )
    meta = {"parameters": [{"path": "combat.base", "integer": False}]}
    (folder / "calibration.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_a_posterior_baseline_runs_replicate_i_on_draw_i(tmp_path: Path) -> None:
    from allegiance.analysis.posterior import draws_for

    post = _posterior(tmp_path / "cal", [0.01, 0.04])
    ref = with_size(load(REFERENCE), SIZE)
    setting, notes = setting_scenario(ref, Setting({"organization.pay.factor": 0.4}, {}, {}), SIZE)
    out = compare_setting(setting, ref, 2, 5, notes=notes, posterior=post)
    draws = draws_for(post, 2, 5)
    assert out.draws == draws
    for r, seed in enumerate(out.seeds):
        drawn = f"combat.base={draws[r]['combat.base']}"
        for arm, scenario, runs in (
            ("baseline", ref, out.baseline_runs),
            ("setting", setting, out.setting_runs),
        ):
            assert runs[r].scenario.combat.base == draws[r]["combat.base"], arm
            # apart from the drawn parameter, each arm keeps its own scenario
            got, expected = runs[r].scenario.model_dump(), scenario.model_dump()
            expected["combat"]["base"] = got["combat"]["base"]
            assert got == expected, arm
            again = allegiance.run(
                load(REFERENCE, [f"population.size={SIZE}", drawn]) if arm == "baseline" else
                runs[r].scenario,
                seed=seed,
            )  # fmt: skip
            pd.testing.assert_frame_equal(again.timeseries, runs[r].timeseries)
    # the download says how to rerun a replicate on its draw, and carries that scenario
    with zipfile.ZipFile(io.BytesIO(bundle(out))) as zf:
        assert "posterior draws" in zf.read("README.md").decode()
        folder = run_folder(1, out.seeds[1])
        sc = scenario_from_yaml(zf.read(f"{folder}/scenario.yaml").decode())
        assert sc.combat.base == draws[1]["combat.base"]
    # a plain baseline is not taken from the posterior run's cache
    plain = compare_setting(setting, ref, 2, 5)
    assert plain.draws is None and plain.baseline_runs is not out.baseline_runs
