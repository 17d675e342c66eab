"""Where the time goes: the reference model at 1 million people over 48 months, under cProfile."""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
import warnings
from pathlib import Path

from allegiance import Simulation, load

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "syria-2014-2016.yaml"


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    warnings.simplefilter("ignore")  # the short warm-up ends before most timeline events
    Simulation(load(SCENARIO, ["population.size=20000", "end=2013-08"]), 0).run()  # compile
    sim = Simulation(load(SCENARIO, [f"population.size={size}", "end=2017-05"]), 1)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    sim.run()
    prof.disable()
    wall = time.perf_counter() - t
    stats = pstats.Stats(prof)
    rows = []
    for (file, _, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = Path(file).name if "allegiance" in file else ""
        rows.append((where, name, calls, tottime, cumtime))
    steps = len(sim.calendar)
    print(f"{size:,} people x {steps} months: {wall:.2f} s under the profiler")
    print("\nmodel functions by cumulative time (share of the run; nested calls counted in both)")
    for where, name, calls, _, cum in sorted(rows, key=lambda r: -r[4]):
        if where and cum / wall >= 0.01:
            print(f"  {cum / wall:6.1%} {cum / steps * 1e3:8.2f} ms/step  {where}:{name} ({calls})")
    print("\nfunctions by own time (NumPy and Numba calls included; operators count in the caller)")
    for where, name, calls, tot, _ in sorted(rows, key=lambda r: -r[3])[:15]:
        print(
            f"  {tot / wall:6.1%} {tot / steps * 1e3:8.2f} ms/step  {where or '-'}:{name} ({calls})"
        )


if __name__ == "__main__":
    main()
