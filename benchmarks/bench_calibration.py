"""Calibration throughput: model runs per minute per core at calibration resolution, and tiny configs."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from allegiance import Simulation, load
from allegiance.analysis import calibrate
from allegiance.analysis import sensitivity as sa
from allegiance.analysis import targets as tg
from allegiance.experiments.executors import InProcess
from allegiance.experiments.tasks import point_overrides
from allegiance.results import Results

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


def phases(size: int, runs: int) -> dict[str, float]:
    """Median ms of each phase of the calibration task's run (after a warm-up run): the
    scenario's load, the build (calendar and people), the months, the Results, the statistics."""
    problem = calibrate.load_spec(ROOT / "calibration" / "default.yaml")
    task = problem.task
    point = {u.path: (u.low + u.high) / 2 for u in problem.params}
    point = {k: (int(round(v)) if k in task.integer else v) for k, v in point.items()}  # type: ignore[attr-defined]
    overrides = [
        *(o for o in task.overrides if not o.startswith("population.size")),  # type: ignore[attr-defined]
        f"population.size={size}",
        *point_overrides(point),
    ]
    spent: dict[str, list[float]] = {k: [] for k in ("load", "build", "months", "results", "stats")}
    for seed in range(runs + 1):
        t0 = time.perf_counter()
        scenario = load(task.base, overrides=overrides)  # type: ignore[attr-defined]
        t1 = time.perf_counter()
        sim = Simulation(scenario, seed)
        t2 = time.perf_counter()
        while not sim.done:
            sim.step()
        t3 = time.perf_counter()
        results = Results(sim.recorder.timeseries(), sim.recorder.event_table(), scenario, seed)
        t4 = time.perf_counter()
        tg.evaluate(task.targets, results)  # type: ignore[attr-defined]
        t5 = time.perf_counter()
        if seed:  # the first run warms the caches and kernels
            for name, a, b in zip(spent, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True):
                spent[name].append((b - a) * 1e3)
    return {name: statistics.median(v) for name, v in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    for size in (10_000, 20_000, 50_000):
        print(
            f"population.size={size}: {runs_per_minute(size, args.runs):.0f} runs/min on one core"
        )
    ms = phases(20_000, args.runs)
    print(
        "population.size=20000, median ms a run: "
        + ", ".join(f"{k} {v:.2f}" for k, v in ms.items())
        + f"; {sum(ms.values()):.1f} in all"
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
