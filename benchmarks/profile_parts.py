"""Where a month goes, without a profiler's distortion: each mechanism call of a month timed.

cProfile charges every Python-level call, so it inflates the small NumPy-heavy functions of a
month several times over. Here each mechanism that ``Simulation.step`` calls is wrapped in a
timer instead (about 0.2 us a call), and the run is otherwise untouched: the times are inclusive
(a call's own calls count in it) and the step's own glue is what the wrapped calls leave out.

    python benchmarks/profile_parts.py SIZE [REPEATS]
"""

from __future__ import annotations

import functools
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import allegiance.simulation as sim_module
from allegiance import load

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "syria-2014-2016.yaml"
MONTHS = 48
# the calls of a month, by the module that makes them (as simulation.py imports them)
CALLS = {
    "capture": ["surrender", "repent"],
    "foreign": ["arrive"],
    "joining": ["join", "enlist", "circle_pull"],
    "pay": ["schedule_usd"],
    # service: training, units, graduates' records and pay merged, posts, suspicion, orders,
    # combat's chances, deaths, the living, pay, leaders, the leaving hazards, attempts, routes,
    # expected attempts, the chances of being caught, fates, outcomes, their events,
    # keep_members, ties (one compiled call); tally (called by _record): the row's head counts,
    # mean pays, harm total and flows
    "schedule": ["service", "tally"],
}


def _timed(owner: Any, name: str, label: str, spent: dict[str, float]) -> None:
    """Replace ``owner.name`` with a wrapper adding its wall time to ``spent[label]``."""
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - t

    setattr(owner, name, wrapper)


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    warnings.simplefilter("ignore")  # the short warm-up ends before most timeline events
    spent: dict[str, float] = defaultdict(float)
    for module, names in CALLS.items():
        for name in names:
            _timed(getattr(sim_module, module), name, f"{module}.{name}", spent)
    _timed(sim_module.Simulation, "_record", "simulation._record", spent)
    sim_module.Simulation(load(SCENARIO, ["population.size=20000", "end=2013-08"]), 0).run()
    best: dict[str, float] | None = None
    for _ in range(repeats):
        spent.clear()
        sim = sim_module.Simulation(load(SCENARIO, [f"population.size={size}", "end=2017-05"]), 1)
        t = time.perf_counter()
        sim.run()
        wall = time.perf_counter() - t
        if best is None or wall < best["(whole month)"] * MONTHS:
            best = {k: v / MONTHS for k, v in spent.items()} | {"(whole month)": wall / MONTHS}
    assert best is not None
    month = best.pop("(whole month)")
    print(f"{size:,} people: {month * 1e3:.3f} ms a month, {month / size * 1e9:.1f} ns a person")
    # tally is called from _record: leave it out of the sum of the step's own calls
    inner = sum(v for k, v in best.items() if k != "schedule.tally")
    for label, s in sorted(best.items(), key=lambda kv: -kv[1]):
        print(f"  {s * 1e3:7.3f} ms {s / month:6.1%}  {label}")
    print(
        f"  {(month - inner) * 1e3:7.3f} ms {(month - inner) / month:6.1%}  (the step's own glue)"
    )


if __name__ == "__main__":
    main()
