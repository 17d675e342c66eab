"""Executors: run items in-process, on a local process pool, or on a Dask cluster; yield as done."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import dask

from ..errors import UserError
from ..hints import did_you_mean
from ..limits import check_workers
from .tasks import RunItem, RunRecord, execute

EXECUTORS = ("inprocess", "local", "dask")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the driver, which stops the sweep and shuts the pool down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class InProcess:
    """Run one item after another in this process: simplest, and best for debugging."""

    name = "inprocess"
    workers = 1

    def map(self, items: Iterable[RunItem]) -> Iterator[RunRecord]:
        for item in items:
            yield execute(item)

    def close(self) -> None:
        pass


class LocalPool:
    """A pool of spawned processes (spawn is safe with Numba and threads, and works everywhere)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        ctx = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_ignore_sigint
        )
        return self._pool

    def map(self, items: Iterable[RunItem]) -> Iterator[RunRecord]:
        pool = self._pool or self._new_pool()
        queue = iter(items)
        # When a worker dies (out of memory, killed, crashed) every run in flight is lost and no one
        # knows which run did it: those become suspects, rerun one at a time on a fresh pool, so a
        # run is recorded as failed only when it brings down a worker on its own.
        suspects: deque[RunItem] = deque()
        isolating = False
        pending: dict[Future[RunRecord], RunItem] = {}
        window = 4 * self.workers  # bounded, so a million-run sweep never queues a million futures

        def fill() -> None:
            nonlocal isolating
            if suspects:
                if not pending:
                    item = suspects.popleft()
                    pending[pool.submit(execute, item)] = item
                    isolating = True
                return
            isolating = False
            while len(pending) < window:
                item = next(queue, None)
                if item is None:
                    return
                pending[pool.submit(execute, item)] = item

        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            lost: list[RunItem] = []
            for fut in done:
                item = pending.pop(fut)
                try:
                    record = fut.result()
                except BrokenProcessPool:
                    lost.append(item)
                    continue
                yield record
            if lost:
                if isolating:
                    msg = "its worker process died (killed, out of memory or crashed)"
                    yield RunRecord(lost[0].run_id, "failed", error=msg)
                else:
                    suspects.extend(lost)
                    suspects.extend(pending.values())
                pending.clear()
                pool = self._new_pool()
            fill()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def quiet_worker_config() -> dict[str, Any]:
    """Dask settings for CPU-bound model runs, as allegiance's own LocalCluster uses them.

    Two defaults cost a run about a quarter of its time on a 2-core machine (measured with
    benchmarks/bench_sweep.py): the nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, so
    glibc returns each month's temporary arrays to the system and maps them afresh, and a
    profiler thread samples every worker's stack every 10 ms. Dask's other pre-spawn variables
    (one BLAS thread per worker) are kept. Set the same on an existing cluster for equal speed.
    """
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return {
        "distributed.nanny.pre-spawn-environ": environ,
        "distributed.worker.profile.enabled": False,
    }


class DaskExecutor:
    """Dask distributed: an existing cluster at ``scheduler``, or a LocalCluster of processes."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:  # pragma: no cover - distributed is a dependency
            raise UserError(f"--executor dask needs the 'distributed' package ({err})") from None
        self._cluster: Any = None
        try:
            if scheduler:
                self._client = Client(scheduler, timeout="20s")
            else:
                with dask.config.set(quiet_worker_config()):
                    self._cluster = LocalCluster(
                        n_workers=workers or default_workers(),
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    )
                self._client = Client(self._cluster)
        except OSError as err:
            raise UserError(
                f"--scheduler {scheduler}: cannot reach the Dask scheduler ({err})"
            ) from None
        info = self._client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info["workers"].values()))

    def map(self, items: Iterable[RunItem]) -> Iterator[RunRecord]:
        from distributed import as_completed

        queue = iter(items)
        window = 4 * self.workers
        pending: dict[Any, RunItem] = {}
        ac = as_completed()

        def submit(item: RunItem) -> None:
            fut = self._client.submit(execute, item, pure=False)
            pending[fut] = item
            ac.add(fut)

        for item in queue:
            submit(item)
            if len(pending) >= window:
                break
        for fut in ac:
            item = pending.pop(fut)
            try:
                yield fut.result()
            except Exception as err:  # noqa: BLE001 - KilledWorker etc.: the scheduler gave up on it
                yield RunRecord(item.run_id, "failed", error=f"{type(err).__name__}: {err}"[:2000])
            nxt = next(queue, None)
            if nxt is not None:
                submit(nxt)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


Executor = InProcess | LocalPool | DaskExecutor


def check_executor(kind: str, workers: int | None = None, scheduler: str | None = None) -> None:
    """Refuse executor options that cannot work, without starting anything."""
    if kind not in EXECUTORS:
        raise UserError(
            f"--executor: unknown executor {kind!r}{did_you_mean(kind, EXECUTORS)}; "
            f"allowed: {', '.join(EXECUTORS)}"
        )
    if kind != "dask" or scheduler is None:  # a remote cluster brings its own workers
        check_workers(workers)
    if scheduler and kind != "dask":
        raise UserError("--scheduler goes with --executor dask")
    if scheduler is not None and "://" not in scheduler:
        raise UserError(f"--scheduler {scheduler!r}: expected an address like tcp://host:8786")


def make_executor(
    kind: str = "local", workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """Build an executor by name: inprocess, local (default, all cores) or dask."""
    check_executor(kind, workers, scheduler)
    if kind == "inprocess":
        return InProcess()
    if kind == "local":
        return LocalPool(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise UserError(f"--executor: unknown executor {kind!r}; allowed: {', '.join(EXECUTORS)}")
