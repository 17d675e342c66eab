"""Civil violence, allegiance vs Mesa 3.5.1: wall time per step by grid size, then docking stats.

Run: .venv/bin/python benchmarks/bench_docking.py [--quick]. Mesa runs in .venv-mesa
(`make bench-env`); without it only allegiance's timings are printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from allegiance.docking.civil_violence import CivilViolence, CivilViolenceParams
from allegiance.docking.cli import MESA_PYTHON, MESA_SCRIPT, SETTINGS, dock

ROOT = Path(__file__).resolve().parents[1]
# (width, warm-up steps, timed steps): the same window for both implementations. Mesa's first
# steps build its neighbourhood caches, so both are timed after the same untimed warm-up.
SIZES = [(40, 5, 30), (100, 3, 8), (200, 2, 4)]


def ours_per_step(width: int, warmup: int, steps: int, seed: int = 0, repeats: int = 5) -> float:
    """Same seed and step window as Mesa's timing; best of ``repeats`` identical runs."""
    best = float("inf")
    for _ in range(repeats):
        model = CivilViolence(CivilViolenceParams(width=width, height=width), seed)
        model.step(warmup)
        t0 = time.perf_counter()
        model.step(steps)
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def mesa_per_step(width: int, warmup: int, steps: int, seed: int = 0) -> float:
    cmd = [str(ROOT / MESA_PYTHON), str(ROOT / MESA_SCRIPT), "time", "--width", str(width)]
    cmd += ["--warmup", str(warmup), "--steps", str(steps), "--seed", str(seed)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return float(json.loads(done.stdout)["seconds_per_step"])


def main() -> int:
    quick = "--quick" in sys.argv
    has_mesa = (ROOT / MESA_PYTHON).exists()
    CivilViolence(CivilViolenceParams(width=20, height=20), 0).step(2)  # compile / load cache
    print("Civil violence (Epstein 2002), default parameters, wall time per step")
    print(f"{'grid':>9} {'allegiance ms':>14} {'Mesa ms':>10} {'ratio':>8}")
    for width, warmup, steps in SIZES:
        ours = ours_per_step(width, warmup, steps)
        if has_mesa:
            theirs = mesa_per_step(width, warmup, steps)
            print(
                f"{width:>4}x{width:<4} {ours * 1e3:>14.3f} {theirs * 1e3:>10.1f} "
                f"{theirs / ours:>7.0f}x",
                flush=True,
            )
        else:
            print(f"{width:>4}x{width:<4} {ours * 1e3:>14.3f} {'n/a':>10} {'n/a':>8}", flush=True)
    if not has_mesa:
        print("Mesa environment missing: run `make bench-env` for the comparison")
        return 0
    seeds, steps = (6, 60) if quick else (12, 120)
    print(f"\nDocking at 40x40: {seeds} seeds x {steps} steps per implementation, burn-in 20")
    table = dock(SETTINGS, seeds=seeds, steps=steps, burn_in=20)
    with_cols = ["setting", "statistic", "mean_a", "mean_b", "ks_p", "ci_low", "ci_high"]
    shown = table[with_cols + ["equivalent"]].rename(
        columns={"mean_a": "allegiance", "mean_b": "Mesa"}
    )
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"{int(table['equivalent'].sum())}/{len(table)} statistics equivalent (alpha 0.05)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
