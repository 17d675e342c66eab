"""Limits checked before anything is allocated: YAML depth and size, population memory, run counts."""

from __future__ import annotations

import math
import os
from typing import Any

import yaml

from .errors import UserError

MAX_DEPTH = 64  # nesting of YAML mappings and lists; a scenario needs about 5
MAX_ITEMS = 1_000_000  # values in a YAML document once anchors are expanded
BYTES_PER_PERSON = 200  # a run's peak per simulated person: measured 68-77 (bench_core); margin
MAX_RUNS = 1_000_000  # runs in one sweep: the manifest lists every run
MAX_REPLICATES = 10_000  # replicates of one scenario in compare and validate


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a bound on nesting (its composer recurses once per level)."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401 - PyYAML's signature
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise UserError(f"nested more than {MAX_DEPTH} levels deep at line {mark.line + 1}")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def expanded_size(data: Any) -> int:
    """Values in ``data`` counted as if every shared (anchored) part were copied out.

    Raises UserError past ``MAX_ITEMS`` or on a structure that contains itself, before anything
    walks the expansion (validation and error messages would, for as long as it takes).
    """
    memo: dict[int, int] = {}
    open_: set[int] = set()

    def size(x: Any) -> int:
        if not isinstance(x, dict | list | tuple | set):
            return 1
        key = id(x)
        if key in memo:
            return memo[key]
        if key in open_:
            raise UserError("a value refers to itself (a YAML anchor inside its own alias)")
        open_.add(key)
        items = list(x.items()) if isinstance(x, dict) else [(None, v) for v in x]
        n = 1
        for k, v in items:
            n += (0 if k is None else size(k)) + size(v)
            if n > MAX_ITEMS:
                raise UserError(
                    f"holds more than {MAX_ITEMS:,} values once YAML anchors are expanded"
                )
        open_.discard(key)
        memo[key] = n
        return n

    return size(data)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with nesting and anchor expansion bounded (UserError past them)."""
    data = yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    expanded_size(data)
    return data


def available_memory() -> int | None:
    """Bytes this machine can still hand out (MemAvailable), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def check_population(size: int, available: int | None = None) -> None:
    """Refuse a population whose arrays would not fit in this machine's free memory."""
    need = size * BYTES_PER_PERSON
    free = available_memory() if available is None else available
    if free is not None and need > free:
        raise UserError(
            f"population.size: {size:,} simulated people would need about {_gb(need)} of memory; "
            f"this machine has {_gb(free)} free (lower population.size)"
        )


def check_runs(points: int, replicates: int, what: str = "the sweep") -> None:
    """Refuse a design whose run table would not fit (counted before the design is built)."""
    runs = points * replicates
    if runs > MAX_RUNS:
        raise UserError(
            f"{what}: {points:,} design points x {replicates:,} replicates = {runs:,} runs; "
            f"at most {MAX_RUNS:,} (lower samples, levels or replicates)"
        )


def check_replicates(n: int, option: str = "--replicates", least: int = 1) -> None:
    """Refuse replicate counts below ``least`` or above ``MAX_REPLICATES``."""
    if n < least:
        why = " (an interval needs two paired runs)" if least == 2 else ""
        raise UserError(f"{option}: must be {least} or more{why} (got {n})")
    if n > MAX_REPLICATES:
        raise UserError(
            f"{option}: {n:,} full runs; at most {MAX_REPLICATES:,} (split the work into a sweep)"
        )


def check_workers(workers: int | None, option: str = "--workers") -> None:
    """Refuse worker counts below 1 or far above the cores (each worker is a process)."""
    if workers is None:
        return
    most = max(64, 4 * (os.cpu_count() or 1))
    if workers < 1:
        raise UserError(f"{option}: must be 1 or more (got {workers})")
    if workers > most:
        raise UserError(
            f"{option}: {workers:,} processes; at most {most} on this machine "
            f"({os.cpu_count()} cores)"
        )


def design_points(kind: str, levels: list[int], samples: int, second_order: bool) -> int:
    """How many points a design has, computed from the spec alone."""
    if not levels:
        return 1
    if kind == "factorial":
        return math.prod(levels)
    if kind == "lhs":
        return samples
    d = len(levels)
    return samples * (2 * d + 2 if second_order else d + 2)


def check_finite(table: Any) -> None:
    """Refuse a results table (pandas) with NaN or inf in a numeric column, naming the columns.

    Every input is finite, so a non-finite output means inputs so extreme that the arithmetic
    overflowed; writing it would pass a broken number off as a result.
    """
    import numpy as np

    numeric = table.select_dtypes("number")
    bad = ~np.isfinite(numeric.to_numpy(dtype=float))
    if bad.any():
        cols = ", ".join(numeric.columns[bad.any(axis=0)][:5])
        raise UserError(
            f"the run produced non-finite numbers in {cols}: some input is too extreme "
            "for the arithmetic (nothing was written)"
        )
