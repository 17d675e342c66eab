"""Sweeps: same results on every executor, resumable after SIGKILL, failed runs recorded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from allegiance.errors import UserError
from allegiance.experiments import load_manifest, load_runs, query, run_sweep
from allegiance.experiments.spec import SweepSpec
from allegiance.rng import child_seeds

TOY = "allegiance.experiments.tasks:toy_task"
VOLATILE = ["seconds", "worker"]


def toy_spec(**kw: object) -> SweepSpec:
    data = {
        "name": "toy",
        "task": TOY,
        "design": "lhs",
        "samples": 6,
        "replicates": 3,
        "seed": 11,
        "factors": {"x": {"range": [0.0, 5.0]}},
        "outcomes": ["mean", "peak"],
    }
    return SweepSpec.model_validate({**data, **kw})


def table(out: Path) -> pd.DataFrame:
    return load_runs(out).drop(columns=VOLATILE)


def test_identical_across_executors(tmp_path: Path) -> None:
    spec = toy_spec()
    tables = []
    for kind in ("inprocess", "local", "dask"):
        summary = run_sweep(spec, tmp_path / kind, executor=kind, workers=2, progress=False)
        assert (summary.done, summary.failed, summary.unfinished) == (18, 0, 0)
        tables.append(table(tmp_path / kind))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])
    # Seeds come from one master seed, indexed by run id = point x replicates + replicate.
    assert tables[0]["seed"].tolist() == child_seeds(11, 18)
    assert tables[0]["run_id"].tolist() == list(range(18))
    assert (tables[0]["point_id"] * 3 + tables[0]["replicate"] == tables[0]["run_id"]).all()


def test_failed_run_recorded_and_sweep_goes_on(tmp_path: Path) -> None:
    spec = toy_spec(design="factorial", factors={"x": {"levels": [1.0, -2.0, 3.0]}}, replicates=2)
    summary = run_sweep(spec, tmp_path / "s", executor="inprocess", progress=False)
    assert (summary.done, summary.failed, summary.unfinished) == (4, 2, 0)
    runs = load_runs(tmp_path / "s")
    failed = runs[runs["status"] == "failed"]
    assert failed["x"].tolist() == [-2.0, -2.0]
    assert all("x: must be >= 0 (got -2.0)" in e for e in failed["error"])
    assert failed["mean"].isna().all()
    ok = runs[runs["status"] == "ok"]
    assert ok["mean"].notna().all() and (ok["error"] == "").all()
    # Resuming counts failed runs as finished: nothing is recomputed.
    again = run_sweep(spec, tmp_path / "s", executor="inprocess", progress=False, resume=True)
    assert (again.done, again.failed, again.skipped) == (0, 0, 6)


def test_existing_store_needs_resume_and_same_spec(tmp_path: Path) -> None:
    run_sweep(toy_spec(samples=2), tmp_path / "s", executor="inprocess", progress=False)
    with pytest.raises(UserError, match="pass --resume"):
        run_sweep(toy_spec(samples=2), tmp_path / "s", executor="inprocess", progress=False)
    with pytest.raises(UserError, match="different sweep"):
        run_sweep(
            toy_spec(samples=3), tmp_path / "s", executor="inprocess", progress=False, resume=True
        )


def test_store_queries_with_duckdb_and_manifest(tmp_path: Path) -> None:
    run_sweep(toy_spec(), tmp_path / "s", executor="inprocess", progress=False)
    manifest = load_manifest(tmp_path / "s")
    assert len(manifest["points"]) == 6 and manifest["runs"]["run_id"] == list(range(18))
    agg = query(
        tmp_path / "s", "SELECT point_id, avg(mean) AS m FROM runs GROUP BY point_id ORDER BY 1"
    )
    expected = load_runs(tmp_path / "s").groupby("point_id")["mean"].mean()
    assert agg["m"].to_numpy() == pytest.approx(expected.to_numpy())


SLOW = {
    "name": "slow",
    "task": TOY,
    "design": "factorial",
    "replicates": 4,
    "seed": 3,
    "outcomes": ["mean", "peak"],
    "factors": {"x": {"levels": [float(i) for i in range(20)]}, "sleep": {"levels": [0.03]}},
}
SCRIPT = f"""
import sys
from allegiance.experiments import run_sweep
from allegiance.experiments.spec import SweepSpec
spec = SweepSpec.model_validate({SLOW!r})
run_sweep(spec, sys.argv[1], executor=sys.argv[2], workers=2, progress=False, resume=True)
"""


def slow_sweep(out: Path) -> None:
    spec = SweepSpec.model_validate(SLOW)
    run_sweep(spec, out, executor="inprocess", progress=False, resume=True)


@pytest.mark.parametrize("executor", ["inprocess", "local"])
def test_sigkill_then_resume_loses_and_duplicates_nothing(tmp_path: Path, executor: str) -> None:
    out = tmp_path / "s"
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(out), executor], start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "runs").glob("run-*.parquet"))) < 8:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "the sweep wrote no runs"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, mid-run
        proc.wait()
    before = {p.name: p.read_bytes() for p in (out / "runs").glob("run-*.parquet")}
    assert 8 <= len(before) < 80
    (out / "runs" / ".run-00000079.parquet.999.tmp").write_bytes(b"half a part")

    slow_sweep(out)

    runs = load_runs(out)
    assert runs["run_id"].tolist() == list(range(80))  # all there, none twice
    assert (runs["status"] == "ok").all()
    assert not list((out / "runs").glob("*.tmp"))
    for name, data in before.items():  # finished runs were kept, not recomputed
        assert (out / "runs" / name).read_bytes() == data
    ref = tmp_path / "ref"
    slow_sweep(ref)
    pd.testing.assert_frame_equal(table(out), table(ref))


def test_dead_worker_fails_only_its_own_run(tmp_path: Path) -> None:
    spec = toy_spec(
        design="factorial",
        factors={"x": {"levels": [1.0, 2.0, 3.0, 4.0, 5.0]}, "die_at": {"levels": [3.0]}},
        replicates=1,
    )
    summary = run_sweep(spec, tmp_path / "s", executor="local", workers=2, progress=False)
    assert (summary.done, summary.failed, summary.unfinished) == (4, 1, 0)
    runs = load_runs(tmp_path / "s").set_index("x")
    assert runs.loc[3.0, "status"] == "failed"
    assert "worker process died" in runs.loc[3.0, "error"]
    assert (runs.drop(index=3.0)["status"] == "ok").all()
