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


def spec(base: Path, runs: int, size: int = 20_000) -> SweepSpec:
    return SweepSpec.model_validate(
        {
            "name": "bench",
            "base": str(base),
            "overrides": [f"population.size={size}"],
            # the timeline also sets enforcement; a factor would be refused without this
            "drop_events": ["executions-rise"],
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
    ap.add_argument(
        "--runs", type=int, help="runs per executor (default: 200 small, then 80 larger)"
    )
    ap.add_argument("--size", type=int, help="simulated people per run")
    ap.add_argument(
        "--base",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "scenarios/syria-2014-2016.yaml",
    )
    args = ap.parse_args()
    if args.runs or args.size:
        bench(args.base, args.runs or 200, args.size or 20_000)
        return
    # short runs show scaling across workers; longer runs show Dask's per-run overhead as a user
    # meets it (a fixed cost per task weighs most on the shortest runs)
    for runs, size in ((200, 20_000), (80, 100_000)):
        bench(args.base, runs, size)
        print()


def bench(base_path: Path, runs: int, size: int) -> None:
    """Time one sweep configuration on local-1, local-2 and dask-2, and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = base_path
        if not base.is_file():  # before the reference scenario exists: the schema defaults
            base = root / "base.yaml"
            base.write_text("name: defaults\n")
        s = spec(base, runs, size)
        print(f"{runs} runs of the reference scenario at {size:,} simulated people")
        # One run here first, so Numba's on-disk cache is warm for every worker.
        t0 = time.perf_counter()
        ModelTask(str(base), tuple(s.outcomes), tuple(s.overrides))({}, 0)
        t1 = time.perf_counter()
        ModelTask(str(base), tuple(s.outcomes), tuple(s.overrides))({}, 1)
        print(f"one run in-process: first {t1 - t0:.2f} s, then {time.perf_counter() - t1:.2f} s")

        # Executors take turns on blocks of runs, so that load from other processes on a shared
        # machine falls on all of them alike.
        makers = {
            "local-1": lambda: LocalPool(1),
            "local-2": lambda: LocalPool(2),
            "dask-2": lambda: DaskExecutor(2),
        }
        executors = {}
        for name, make in makers.items():
            t0 = time.perf_counter()
            executors[name] = make()
            up = time.perf_counter() - t0 + warm(executors[name], s, root, name)
            print(f"{name:8s} start-up (workers, imports, Numba cache) {up:5.2f} s")
        walls = dict.fromkeys(makers, 0.0)
        busy = dict.fromkeys(makers, 0.0)
        blocks = 4
        try:
            for b in range(blocks):
                block = s.model_copy(update={"samples": runs // (2 * blocks), "seed": 2016 + b})
                tables = {}
                for name, ex in executors.items():
                    out = root / f"{name}-{b}"
                    walls[name] += timed_sweep(block, out, ex)
                    table = load_runs(out)
                    busy[name] += table["seconds"].sum() / ex.workers
                    tables[name] = table.drop(columns=["seconds", "worker"])
                for name in ("local-2", "dask-2"):
                    if not tables["local-1"].equals(tables[name]):
                        print(f"block {b}: {name} outcomes DIFFER from local-1")
        finally:
            for ex in executors.values():
                ex.close()
        n = blocks * (runs // (2 * blocks)) * 2
        for name in makers:
            print(
                f"{name:8s} {n} runs in {walls[name]:6.2f} s = {n / walls[name]:5.2f} runs/s "
                f"({walls[name] / n * 1000:.0f} ms/run); workers busy {busy[name] / walls[name] * 100:.1f}%"
            )
        print("outcomes identical on local-1, local-2 and dask-2 unless a DIFFER line is above")
        ratio = walls["local-1"] / walls["local-2"]
        overhead = (walls["dask-2"] - walls["local-2"]) / walls["local-2"]
        print(f"throughput 2 workers / 1 worker: {ratio:.2f}x (target >= 1.8x)")
        print(
            f"Dask LocalCluster overhead per run vs local pool: {overhead * 100:+.1f}% (target <= 5%)"
        )
        print(f"cores: {LocalPool().workers}; load average now {os.getloadavg()[0]:.1f} (above the")
        print("number of cores, other processes shared them and the figures are noisy)")


if __name__ == "__main__":
    main()
