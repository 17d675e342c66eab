"""Calibration throughput: model runs per minute per core at calibration resolution, and tiny configs."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from allegiance.analysis import calibrate
from allegiance.analysis import sensitivity as sa
from allegiance.experiments.executors import InProcess

ROOT = Path(__file__).resolve().parents[1]


def runs_per_minute(size: int, runs: int) -> float:
    """One core, in process, after a warm-up run: the calibration task (model run + targets)."""
    problem = calibrate.load_spec(ROOT / "calibration" / "default.yaml")
    task = problem.task
    point = {u.path: (u.low + u.high) / 2 for u in problem.params}
    task = calibrate.TargetsTask(
        task.base,  # type: ignore[attr-defined]
        tuple(o for o in task.overrides if not o.startswith("population.size"))
        + (f"population.size={size}",),  # type: ignore[attr-defined]
        task.targets,  # type: ignore[attr-defined]
        task.integer,  # type: ignore[attr-defined]
    )
    task(point, 0)
    t0 = time.perf_counter()
    for seed in range(1, runs + 1):
        task(point, seed)
    return runs / (time.perf_counter() - t0) * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    for size in (10_000, 20_000, 50_000):
        print(
            f"population.size={size}: {runs_per_minute(size, args.runs):.0f} runs/min on one core"
        )
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = calibrate.run(
            calibrate.load_spec(ROOT / "calibration" / "tiny.yaml"),
            Path(tmp) / "cal",
            executor=InProcess(),
            progress=False,
        )
        print(f"calibration/tiny.yaml: {time.perf_counter() - t0:.0f} s, {res.runs} runs, one core")
        t0 = time.perf_counter()
        spec, params = sa.load_spec(ROOT / "sensitivity" / "tiny.yaml")
        sa.run(spec, params, Path(tmp) / "sens", executor=InProcess(), progress=False)
        print(f"sensitivity/tiny.yaml: {time.perf_counter() - t0:.0f} s, one core")


if __name__ == "__main__":
    main()
