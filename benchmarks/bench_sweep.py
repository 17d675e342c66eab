"""Sweep throughput: 1 vs 2 local workers, and Dask LocalCluster overhead against the local pool."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from allegiance.experiments import load_runs, run_sweep
from allegiance.experiments.executors import DaskExecutor, LocalPool
from allegiance.experiments.spec import SweepSpec
from allegiance.experiments.tasks import ModelTask

OVERRIDES = ["population.size=20000"]


def spec(base: Path, runs: int) -> SweepSpec:
    return SweepSpec.model_validate(
        {
            "name": "bench",
            "base": str(base),
            "overrides": OVERRIDES,
            "design": "lhs",
            "samples": runs // 2,
            "replicates": 2,
            "seed": 2016,
            "factors": {
                "organization.pay.factor": {"range": [0.5, 1.0]},
                "organization.enforcement.intensity": {"range": [0.3, 3.0]},
            },
            "outcomes": ["peak_members", "exits_2016_total", "executions_total"],
        }
    )


def timed_sweep(s: SweepSpec, out: Path, executor: LocalPool | DaskExecutor) -> float:
    """Wall time of a sweep on an executor that is already up (its start-up timed apart)."""
    t0 = time.perf_counter()
    summary = run_sweep(s, out, executor=executor, progress=False)
    wall = time.perf_counter() - t0
    assert summary.done == summary.total, f"{summary.failed} runs failed"
    return wall


def warm(executor: LocalPool | DaskExecutor, s: SweepSpec, root: Path, name: str) -> float:
    """Start the workers and import/compile the model in each (a few runs), timed."""
    t0 = time.perf_counter()
    small = s.model_copy(update={"samples": executor.workers, "replicates": 1, "design": "lhs"})
    run_sweep(small, root / f"warm-{name}", executor=executor, progress=False)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument(
        "--base",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "scenarios/syria-2014-2016.yaml",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = args.base
        if not base.is_file():  # before the reference scenario exists: the schema defaults
            base = root / "base.yaml"
            base.write_text("name: defaults\n")
        s = spec(base, args.runs)
        # One run here first, so Numba's on-disk cache is warm for every worker.
        t0 = time.perf_counter()
        ModelTask(str(base), tuple(s.outcomes), tuple(s.overrides))({}, 0)
        t1 = time.perf_counter()
        ModelTask(str(base), tuple(s.outcomes), tuple(s.overrides))({}, 1)
        print(f"one run in-process: first {t1 - t0:.2f} s, then {time.perf_counter() - t1:.2f} s")

        walls: dict[str, float] = {}
        for name, make in (
            ("local-1", lambda: LocalPool(1)),
            ("local-2", lambda: LocalPool(2)),
            ("dask-2", lambda: DaskExecutor(2)),
        ):
            t0 = time.perf_counter()
            ex = make()
            up = time.perf_counter() - t0
            try:
                up += warm(ex, s, root, name)
                walls[name] = timed_sweep(s, root / name, ex)
            finally:
                ex.close()
            busy = load_runs(root / name)["seconds"].sum() / (ex.workers * walls[name])
            print(
                f"{name:8s} start-up {up:5.2f} s; {args.runs} runs in {walls[name]:6.2f} s "
                f"= {args.runs / walls[name]:5.2f} runs/s ({walls[name] / args.runs * 1000:.0f} ms/run); "
                f"workers busy {busy * 100:.1f}% of the time; load average {os.getloadavg()[0]:.1f}"
            )
        ref = load_runs(root / "local-1").drop(columns=["seconds", "worker"])
        for name in ("local-2", "dask-2"):
            other = load_runs(root / name).drop(columns=["seconds", "worker"])
            same = ref.equals(other)
            if not same:
                print(ref.compare(other))
            print(f"{name}: outcomes identical to local-1: {same}")
        ratio = walls["local-1"] / walls["local-2"]
        overhead = (walls["dask-2"] - walls["local-2"]) / walls["local-2"]
        print(f"throughput 2 workers / 1 worker: {ratio:.2f}x (target >= 1.8x)")
        print(
            f"Dask LocalCluster overhead per run vs local pool: {overhead * 100:+.1f}% (target <= 5%)"
        )
        print(f"cores available: {LocalPool().workers}; a load average above that means other")
        print("processes shared the cores, and the ratios above understate what the executors do")


if __name__ == "__main__":
    main()
