"""Run Mesa's Epstein civil-violence example (in .venv-mesa) and print JSON timeseries or timings.

Standalone on purpose: it runs under the Mesa environment's Python 3.12, where allegiance is not
installed. Usage:

    .venv-mesa/bin/python benchmarks/mesa_civil_violence.py runs --seeds 20 --steps 200 \
        --params '{"legitimacy": 0.5}' [--jobs 4] [--out file.json]
    .venv-mesa/bin/python benchmarks/mesa_civil_violence.py time --width 40 --warmup 5 --steps 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from mesa.examples.advanced.epstein_civil_violence.model import (
    EpsteinCivilViolence,
    EpsteinScenario,
)

SCENARIO_FIELDS = (
    "citizen_density",
    "cop_density",
    "citizen_vision",
    "cop_vision",
    "legitimacy",
    "max_jail_term",
    "active_threshold",
    "arrest_prob_constant",
    "movement",
    "grid_type",
)


def build(params: dict, seed: int) -> EpsteinCivilViolence:
    scenario = EpsteinScenario(rng=seed, **{k: params[k] for k in SCENARIO_FIELDS if k in params})
    return EpsteinCivilViolence(
        width=int(params.get("width", 40)), height=int(params.get("height", 40)), scenario=scenario
    )


def one_run(args: tuple[dict, int, int]) -> dict:
    """Fractions of citizens quiet/active/arrested at steps 0..steps (0 = initial state)."""
    params, seed, steps = args
    model = build(params, seed)
    counts = [(model.QUIET, model.ACTIVE, model.ARRESTED)]
    for _ in range(steps):
        model.step()
        counts.append((model.QUIET, model.ACTIVE, model.ARRESTED))
    n = max(sum(counts[0]), 1)
    return {
        "seed": seed,
        "quiet": [c[0] / n for c in counts],
        "active": [c[1] / n for c in counts],
        "jailed": [c[2] / n for c in counts],
    }


def runs(params: dict, seeds: list[int], steps: int, jobs: int) -> list[dict]:
    tasks = [(params, s, steps) for s in seeds]
    if jobs <= 1:
        return [one_run(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one_run, tasks))


def timing(width: int, warmup: int, steps: int, seed: int) -> dict:
    """Wall seconds per step over ``steps`` steps after ``warmup`` untimed ones."""
    model = build({"width": width, "height": width}, seed)
    for _ in range(warmup):
        model.step()
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    return {"width": width, "steps": steps, "seconds_per_step": (time.perf_counter() - t0) / steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("runs")
    r.add_argument("--seeds", type=int, default=20)
    r.add_argument("--first-seed", type=int, default=0)
    r.add_argument("--steps", type=int, default=200)
    r.add_argument("--params", default="{}", help="JSON object of parameters")
    r.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    r.add_argument("--out", default="-")
    t = sub.add_parser("time")
    t.add_argument("--width", type=int, default=40)
    t.add_argument("--warmup", type=int, default=5)
    t.add_argument("--steps", type=int, default=20)
    t.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.cmd == "runs":
        seeds = list(range(args.first_seed, args.first_seed + args.seeds))
        result = {"runs": runs(json.loads(args.params), seeds, args.steps, args.jobs)}
    else:
        result = timing(args.width, args.warmup, args.steps, args.seed)
    text = json.dumps(result)
    if getattr(args, "out", "-") == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(args.out, "w") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
