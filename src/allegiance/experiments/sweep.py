"""Run a sweep: design points x replicates, on an executor, into a resumable store, with progress."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..rng import child_seeds
from .design import points as design_points
from .executors import Executor, check_executor, make_executor
from .spec import SweepSpec, load_spec
from .store import Store
from .tasks import RunItem, Task, resolve


@dataclass
class SweepSummary:
    """What a sweep did: runs done now, failed, skipped (finished before), unfinished, time."""

    out: Path
    total: int
    done: int = 0
    failed: int = 0
    skipped: int = 0
    unfinished: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    errors: dict[int, str] = field(default_factory=dict)

    def table(self) -> Table:
        t = Table(title=f"sweep {self.out}", show_header=False)
        t.add_row("runs in the sweep", str(self.total))
        t.add_row("done now", str(self.done))
        t.add_row("failed", str(self.failed))
        t.add_row("skipped (finished before)", str(self.skipped))
        t.add_row("unfinished", str(self.unfinished))
        t.add_row("time", f"{self.seconds:.1f} s")
        return t


def task_for(spec: SweepSpec) -> Task:
    """The task a spec runs: the model on its base scenario, or its own ``task``.

    The model task also returns each run's monthly series (``experiments.series``), which the
    store keeps beside the outcomes for envelope plots.
    """
    if spec.task is not None:
        return resolve(spec.task)
    assert spec.base is not None
    from .series import SeriesTask

    return SeriesTask(
        spec.base, tuple(spec.outcomes), tuple(spec.overrides), tuple(spec.drop_events)
    )


def plan(spec: SweepSpec) -> tuple[list[dict[str, Any]], list[int]]:
    """Design points and one seed per run; run id = point index x replicates + replicate."""
    pts = design_points(spec)
    return pts, child_seeds(spec.seed, len(pts) * spec.replicates)


def run_sweep(
    spec: SweepSpec | str | Path,
    out: str | Path,
    *,
    executor: str | Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    console: Console | None = None,
) -> SweepSummary:
    """Run (or resume) a sweep into ``out``; finished runs are never recomputed or duplicated.

    ``executor`` is a name (inprocess, local, dask) or an executor object, which is then reused
    and left open (e.g. one Dask cluster for several sweeps).
    """
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    console = console or Console(stderr=True)
    own = isinstance(executor, str)
    if own:  # a wrong executor option is refused before the sweep folder is made
        check_executor(str(executor), workers, scheduler)
    task = task_for(spec)  # an unimportable task is refused before the sweep folder is made
    pts, seeds = plan(spec)
    store = Store.create(
        out,
        spec=spec.model_dump(mode="json"),
        spec_hash=spec.hash(),
        points=pts,
        replicates=spec.replicates,
        seeds=seeds,
        outcomes=list(spec.outcomes),
        resume=resume,
    )
    finished = store.finished()
    todo = [rid for rid in range(store.n_runs) if rid not in finished]
    summary = SweepSummary(Path(out), store.n_runs, skipped=store.n_runs - len(todo))
    items = (RunItem(rid, pts[rid // spec.replicates], seeds[rid], task) for rid in todo)
    t0 = time.perf_counter()
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not progress,
    )
    ex = (make_executor(executor, workers, scheduler) if own else executor) if todo else None
    try:
        with bar:
            tid = bar.add_task(spec.name, total=len(todo), failed=0)
            if ex is not None:
                for record in ex.map(items):
                    store.write_series(record)  # before the part: a finished run has both
                    store.write(record)
                    if record.status == "ok":
                        summary.done += 1
                    else:
                        summary.failed += 1
                        summary.errors[record.run_id] = record.error
                    bar.update(tid, advance=1, failed=summary.failed)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if ex is not None and own:
            ex.close()
        summary.seconds = time.perf_counter() - t0
        summary.unfinished = store.n_runs - len(store.finished())
    return summary
