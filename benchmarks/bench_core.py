"""Core speed and memory: the reference model at 1 and 8 million people over 48 months, one core."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "syria-2014-2016.yaml"
MONTHS = 48
ONE_CORE = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}


def child(size: int) -> None:
    """Run once in this process and print JSON figures (run in a fresh subprocess)."""
    import resource

    from allegiance import Simulation, load

    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the real world stays the reference's; only the resolution (simulated people) changes
    sc = load(SCENARIO, [f"population.size={size}", "end=2017-05"])
    warm = Simulation(load(SCENARIO, ["population.size=20000", "end=2013-08"]), 0)
    warm.run()  # compile the Numba kernels outside the timing (they are cached on disk anyway)
    t0 = time.perf_counter()
    sim = Simulation(sc, 1)
    t1 = time.perf_counter()
    results = sim.run()
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "agents": size,
                "steps": len(sim.calendar),
                "setup_s": t1 - t0,
                "run_s": t2 - t1,
                "peak_mb": peak_mb,
                "baseline_mb": base_mb,
                "state_bytes_per_person": (
                    sim.people.nbytes() + sum(a.nbytes for a in vars(sim.join_traits).values())
                )
                / size,
                "events": len(results.events),
                "peak_members": float(results.timeseries["members"].max()),
            }
        )
    )


def measure(size: int) -> dict[str, float]:
    env = {**os.environ, **ONE_CORE}
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(size)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    sizes = [int(x) for x in sys.argv[1:]] or [1_000_000, 8_000_000]
    print(f"core model, reference scenario, {MONTHS} months, one core (BLAS and Numba threads = 1)")
    print(
        f"{'agents':>10} {'steps':>5} {'setup s':>8} {'run s':>7} {'agent-steps/s':>14} {'peak MB':>8} {'B/person':>9} {'state B/p':>9}"
    )
    for size in sizes:
        f = measure(size)
        rate = f["agents"] * f["steps"] / f["run_s"]
        print(
            f"{f['agents']:>10,} {f['steps']:>5} {f['setup_s']:>8.2f} {f['run_s']:>7.2f} {rate:>14,.0f} "
            f"{f['peak_mb']:>8,.0f} {f['peak_mb'] * 2**20 / f['agents']:>9.1f} {f['state_bytes_per_person']:>9.1f}"
        )
    print(
        "peak MB is the whole process (interpreter and libraries included); targets: >= 10M agent-steps/s at 1M,"
        " <= 150 bytes per person at 8M"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        main()
