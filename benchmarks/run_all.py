"""Run every benchmarks/bench_*.py script in turn and print their figures."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        t = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"({script.name}: {time.perf_counter() - t:.0f} s, exit {code})", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
