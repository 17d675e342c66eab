"""Task functions a sweep runs: ``task(point, seed) -> {outcome: value}``, picklable and spawn-safe."""

from __future__ import annotations

import importlib
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError

Task = Callable[[dict[str, Any], int], dict[str, float]]


def point_overrides(point: dict[str, Any]) -> list[str]:
    """A design point as ``path=value`` overrides; values are JSON, which YAML reads back exactly."""
    return [f"{path}={json.dumps(value)}" for path, value in point.items()]


@dataclass(frozen=True)
class ModelTask:
    """Run the model on ``base`` with fixed ``overrides`` plus the point's factors; return outcomes."""

    base: str
    outcomes: tuple[str, ...]
    overrides: tuple[str, ...] = ()
    drop_events: tuple[str, ...] = ()

    def scenario(self, point: dict[str, Any]) -> Any:
        """The scenario of one design point (base, fixed overrides, the point, dropped events)."""
        import warnings

        from .. import load
        from ..errors import ScenarioWarning

        # Load first: a bad factor value fails here with the scenario's own one-line message.
        with warnings.catch_warnings():  # the driver warned once when it checked the spec
            warnings.simplefilter("ignore", ScenarioWarning)
            return load(
                self.base,
                overrides=[*self.overrides, *point_overrides(point)],
                drop_events=list(self.drop_events) or None,
            )

    def __call__(self, point: dict[str, Any], seed: int) -> dict[str, float]:
        from .outcomes import compute

        results = _run_model()(self.scenario(point), seed=seed)
        return compute(results, self.outcomes)


def _run_model() -> Callable[..., Any]:
    """``allegiance.run``, imported late so that the experiments package loads without the model."""
    try:
        from .. import run  # type: ignore[attr-defined]
    except ImportError:
        from ..simulation import run
    return run


def toy_task(point: dict[str, Any], seed: int) -> dict[str, float]:
    """A cheap stand-in task for checking executors and clusters without the model.

    Reads ``x`` (and optional ``sleep`` seconds, ``fail``); ``x < 0`` fails like a bad override;
    ``die_at`` (a value of ``x``) ends the worker process abruptly, as the out-of-memory killer would.
    """
    import numpy as np

    if "die_at" in point and float(point["die_at"]) == float(point.get("x", 0.0)):
        os._exit(137)

    x = float(point.get("x", 0.0))
    if x < 0 or point.get("fail"):
        raise UserError(f"x: must be >= 0 (got {x})")
    if point.get("sleep"):
        time.sleep(float(point["sleep"]))
    rng = np.random.default_rng(seed)
    draws = rng.normal(x, 1.0, size=1000)
    return {"mean": float(draws.mean()), "peak": float(draws.max()), "sqrt_x": math.sqrt(x)}


def resolve(ref: str) -> Task:
    """Import a task from ``'module:function'``."""
    module, _, name = ref.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise UserError(f"task: cannot import {ref!r} ({err})") from None
    if not callable(fn):
        raise UserError(f"task: {ref!r} is not callable")
    return fn


@dataclass(frozen=True)
class RunItem:
    """One run to do: its id, the design point, its seed and the task."""

    run_id: int
    point: dict[str, Any]
    seed: int
    task: Task


@dataclass
class RunRecord:
    """What one run left: outcomes, or the error that stopped it."""

    run_id: int
    status: str
    outcomes: dict[str, float] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    worker: str = ""


def execute(item: RunItem) -> RunRecord:
    """Run one item, catching the task's own errors so that one bad run never stops a sweep."""
    t0 = time.perf_counter()
    worker = f"{os.uname().nodename}:{os.getpid()}"
    try:
        outcomes = item.task(item.point, item.seed)
    except Exception as err:  # noqa: BLE001 - any task error is recorded, the sweep goes on
        msg = str(err) if isinstance(err, UserError) else f"{type(err).__name__}: {err}"
        msg = (msg or type(err).__name__)[:2000]
        return RunRecord(item.run_id, "failed", {}, msg, time.perf_counter() - t0, worker)
    values = {k: float(v) for k, v in outcomes.items()}
    return RunRecord(item.run_id, "ok", values, "", time.perf_counter() - t0, worker)
