"""Calibration with a posterior: ABC-SMC (pyabc) on the calibration targets, runs on our executors.

Priors are the plausible ranges of the schema (uniform), written before any fitting. The distance
covers only the checks of ``role: calibration`` patterns of the targets file, each in units of
its published range; validation patterns never enter it. pyabc's SQLite history is the store:
an interrupted calibration resumes from its last finished generation.

Every proposal and every run has its own seed derived from the master seed, the generation and
its index, and a generation keeps the first ``population`` accepted proposals in index order, so
the posterior is the same on the in-process, local and Dask executors and for any worker count.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rich.console import Console

from ..errors import UserError
from ..experiments.executors import Executor, make_executor
from ..experiments.tasks import RunItem, Task, resolve
from ..yamlfile import read_mapping
from . import targets as tg
from .uncertain import Uncertain, select

NAN_PENALTY = 10.0
"""Distance term of a statistic a run could not compute (e.g. no exits at all): 10 range units."""


class CalibrationSpec(BaseModel):
    """What to fit, to what, and how hard to try."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "calibration"
    description: str = ""
    base: str | None = None
    task: str | None = None
    overrides: list[str] = Field(default_factory=list)
    targets: str | None = None
    patterns: list[str] | None = None
    observed: dict[str, tuple[float | None, float | None]] = Field(default_factory=dict)
    parameters: list[str] | None = None
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    seed: int = Field(0, ge=0, lt=2**63)
    population: int = Field(100, ge=2, le=100_000, description="accepted particles a generation")
    generations: int = Field(6, ge=1, le=1000)
    min_epsilon: float = Field(0.0, ge=0)
    min_acceptance: float = Field(0.0, ge=0, le=1)
    max_runs: int | None = Field(None, ge=1, description="stop after this many model runs")

    @model_validator(mode="after")
    def _one_model(self) -> CalibrationSpec:
        if (self.base is None) == (self.task is None):
            raise ValueError("give exactly one of 'base' (a scenario file) or 'task'")
        if self.task is not None and (not self.ranges or not self.observed):
            raise ValueError(
                "a 'task' calibration needs 'ranges' (priors) and 'observed' (targets)"
            )
        if self.task is None and self.observed:
            raise ValueError("'observed' goes with 'task'; the model's targets come from 'targets'")
        return self

    def hash(self) -> str:
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Target:
    """One statistic of the distance and the range it should fall in."""

    key: str
    low: float | None
    high: float | None
    description: str = ""

    def term(self, value: float) -> float:
        """Distance term in range units: |v - mid| / half-width, or the shortfall past a bound."""
        if value is None or not math.isfinite(value):
            return NAN_PENALTY
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            half = (hi - lo) / 2 or abs(lo) or 1.0
            return abs(value - (lo + hi) / 2) / half
        if lo is not None:
            return max(0.0, lo - value) / (abs(lo) or 1.0)
        assert hi is not None
        return max(0.0, value - hi) / (abs(hi) or 1.0)

    def centre(self) -> float:
        vals = [v for v in (self.low, self.high) if v is not None]
        return float(sum(vals) / len(vals))


def check_key(pattern: str, index: int) -> str:
    return f"{pattern}[{index}]"


def calibration_targets(targets: tg.Targets) -> list[Target]:
    """The checks of ``role: calibration`` patterns, one Target each, in file order."""
    out = []
    for p in targets.by_role("calibration"):
        for i, c in enumerate(p.checks):
            out.append(Target(check_key(p.id, i), c.range[0], c.range[1], c.description))
    return out


def distance(stats: dict[str, float], targets: list[Target]) -> float:
    """Root mean square of the targets' terms: 1 means 'on average at the edge of the range'."""
    terms = [t.term(float(stats.get(t.key, math.nan))) for t in targets]
    return float(math.sqrt(sum(x * x for x in terms) / len(terms)))


@dataclass(frozen=True)
class TargetsTask:
    """Run the model on ``base`` with a point's parameters; return the calibration statistics."""

    base: str
    overrides: tuple[str, ...]
    targets: tg.Targets
    integer: tuple[str, ...] = ()

    def __call__(self, point: dict[str, Any], seed: int) -> dict[str, float]:
        from .. import load, run
        from ..experiments.tasks import point_overrides

        p = {k: (int(round(v)) if k in self.integer else v) for k, v in point.items()}
        scenario = load(self.base, overrides=[*self.overrides, *point_overrides(p)])
        results = run(scenario, seed=seed)
        df = tg.evaluate(self.targets, results)
        # columns as lists: a row-by-row walk of the frame costs more than computing the values
        rows = zip(df["pattern"].tolist(), df["check"].tolist(), df["value"].tolist(), strict=True)
        return {check_key(pattern, int(check)): float(value) for pattern, check, value in rows}


# ------------------------------------------------------------------------------ the spec


@dataclass(frozen=True)
class Problem:
    """A spec made ready: parameters with priors, targets and the task that simulates."""

    spec: CalibrationSpec
    params: list[Uncertain]
    targets: list[Target]
    task: Task
    targets_path: str | None = None


def load_spec(path: str | Path) -> Problem:
    """Read a calibration spec and check it; one line naming the field if anything is wrong."""
    p = Path(path)
    return from_dict(read_mapping(p, "calibration spec"), str(p), p.parent)


def from_dict(data: dict[str, Any], origin: str = "spec", root: Path | None = None) -> Problem:
    """Validate plain data as a calibration problem."""
    try:
        spec = CalibrationSpec.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "spec"
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            msg = f"unknown key; allowed: {', '.join(CalibrationSpec.model_fields)}"
        raise UserError(f"{origin}: {loc}: {msg}") from None

    def here(x: str) -> str:
        return str((root / x).resolve()) if root is not None and not Path(x).is_absolute() else x

    if spec.task is not None:
        task = resolve(spec.task)
        params = []
        for k, v in spec.ranges.items():
            if not v[0] < v[1]:
                raise UserError(f"{origin}: ranges.{k}: give [low, high] with low < high")
            params.append(
                Uncertain(k, math.nan, float(v[0]), float(v[1]), False, (-math.inf, math.inf))
            )
        targets = []
        for k, (lo, hi) in spec.observed.items():
            if lo is None and hi is None:
                raise UserError(f"{origin}: observed.{k}: give at least one end of the range")
            if lo is not None and hi is not None and lo > hi:
                raise UserError(f"{origin}: observed.{k}: low end above high end")
            targets.append(Target(k, lo, hi))
        return Problem(spec, params, targets, task)

    from .. import load

    base = here(spec.base)  # type: ignore[arg-type]
    if not Path(base).is_file():
        raise UserError(f"{origin}: base: no such scenario file {spec.base!r}")
    spec = spec.model_copy(update={"base": base})
    scenario = load(base, overrides=list(spec.overrides))
    params = select(spec.parameters, dict(spec.ranges), scenario, origin)
    tpath = here(spec.targets) if spec.targets else str(tg.PATH)
    all_targets = tg.load(tpath)
    cal = all_targets.by_role("calibration")
    if not cal:
        raise UserError(f"{origin}: targets: {tpath} has no pattern with role: calibration")
    if spec.patterns is not None:
        roles = {p.id: p.role for p in all_targets.patterns}
        for i, pid in enumerate(spec.patterns):
            if pid not in roles:
                raise UserError(
                    f"{origin}: patterns[{i}]: no pattern {pid!r} in {tpath}; calibration "
                    f"patterns: {', '.join(p.id for p in cal)}"
                )
            if roles[pid] != "calibration":
                raise UserError(
                    f"{origin}: patterns[{i}]: {pid!r} has role {roles[pid]}; only role: "
                    "calibration patterns may enter the distance"
                )
        cal = [p for p in cal if p.id in spec.patterns]
    subset = all_targets.model_copy(update={"patterns": cal})
    task = TargetsTask(
        base, tuple(spec.overrides), subset, tuple(u.path for u in params if u.integer)
    )
    return Problem(spec, params, calibration_targets(subset), task, tpath)


# ------------------------------------------------------------------------------ the sampler


def _seeds(master: int, t: int, j: int) -> tuple[int, int]:
    """(proposal seed, run seed) of proposal ``j`` of generation ``t`` (t = -1: prior sample)."""
    ss = np.random.SeedSequence(master, spawn_key=(t + 1, j))
    a, b = ss.generate_state(2, dtype=np.uint32)
    return int(a), int(b)


class _Captured(Exception):
    def __init__(self, pars: dict[str, float]) -> None:
        self.pars = pars


def _plain(pars: Any) -> dict[str, float]:
    return {k: float(v) for k, v in dict(pars).items()}


class _Model:
    """A pyabc model whose runs happen elsewhere: it either captures a proposal or replays a run."""

    def __init__(self) -> None:
        import pyabc

        class M(pyabc.Model):
            def __init__(inner) -> None:
                super().__init__("allegiance")
                inner.capture = True
                inner.replay: dict[str, float] = {}

            def sample(inner, pars: Any) -> dict[str, float]:
                if inner.capture:
                    raise _Captured(_plain(pars))
                return inner.replay

        self.model = M()


def executor_sampler(*args: Any, **kwargs: Any) -> Any:
    """A pyabc Sampler that evaluates proposals in batches on our executors (pyabc loads late)."""
    return _make_sampler_class()(*args, **kwargs)


def _make_sampler_class() -> type:
    from pyabc.sampler import Sampler

    class _ExecutorSampler(Sampler):
        """Proposals drawn in the driver with per-index seeds; runs mapped through an executor."""

        def __init__(
            self,
            executor: Executor,
            task: Task,
            model: Any,
            seed: int,
            progress: Any = None,
            max_runs: float = math.inf,
        ) -> None:
            super().__init__()
            self.executor, self.task, self.model = executor, task, model
            self.seed, self.progress, self.max_runs = seed, progress, max_runs
            self.rate = 0.5
            self.runs = 0
            self.failed = 0
            self.first_error = ""

        def _propose(self, simulate_one: Any, t: int, j: int) -> dict[str, float]:
            # pyabc draws proposals from NumPy's global generator: seed it per proposal
            np.random.seed(_seeds(self.seed, t, j)[0])  # noqa: NPY002
            self.model.capture = True
            try:
                simulate_one()
            except _Captured as c:
                return c.pars
            raise RuntimeError("pyabc did not call the model")  # pragma: no cover

        def sample_until_n_accepted(
            self,
            n: int,
            simulate_one: Any,
            t: int,
            *,
            max_eval: float = np.inf,
            all_accepted: bool = False,
            ana_vars: Any = None,
        ) -> Any:
            sample = self._create_empty_sample()
            j = accepted = 0
            limit = min(max_eval, self.max_runs - self.runs)
            workers = max(1, int(getattr(self.executor, "workers", 1)))
            task_id = None
            if self.progress is not None:
                label = "prior sample" if t < 0 else f"generation {t}"
                task_id = self.progress.add_task(label, total=n, runs=0)
            while accepted < n and j < limit:
                need = n - accepted
                size = need if all_accepted else math.ceil(need / max(self.rate, 0.02))
                size = min(max(size, 2 * workers), 20 * n, int(min(limit - j, 10**9)))
                size = max(1, math.ceil(size / workers) * workers if size >= workers else size)
                idx = list(range(j, j + size))
                props = {k: self._propose(simulate_one, t, k) for k in idx}
                items = [RunItem(k, props[k], _seeds(self.seed, t, k)[1], self.task) for k in idx]
                stats: dict[int, dict[str, float]] = {}
                for rec in self.executor.map(items):
                    if rec.status != "ok":
                        self.failed += 1
                        self.first_error = self.first_error or rec.error
                    stats[rec.run_id] = rec.outcomes
                    if self.progress is not None:
                        self.progress.update(task_id, runs=self.runs + len(stats))
                for k in idx:  # replay in index order: the n first accepted, whatever the batches
                    np.random.seed(_seeds(self.seed, t, k)[0])  # noqa: NPY002
                    self.model.capture = False
                    self.model.replay = stats[k]
                    particle = simulate_one()
                    if _plain(particle.parameter) != props[k]:
                        raise RuntimeError("pyabc proposed a different parameter on replay")
                    sample.append(particle)
                    j = k + 1
                    if particle.accepted:
                        accepted += 1
                        if self.progress is not None:
                            self.progress.update(task_id, completed=accepted)
                        if accepted == n:
                            break
                self.runs += len(idx)
                self.rate = max(accepted, 1) / max(j, 1)
            if self.progress is not None:
                self.progress.update(task_id, completed=accepted, runs=self.runs)
            self.nr_evaluations_ = j
            if accepted < n:
                sample.ok = False
            return sample

    return _ExecutorSampler


# ------------------------------------------------------------------------------ running


HISTORY = "history.db"


@dataclass
class Calibration:
    """What a calibration left: the folder, the last generation and the run count."""

    out: Path
    generations: int
    runs: int
    seconds: float
    failed: int = 0


def _prior(params: list[Uncertain]) -> Any:
    import pyabc

    return pyabc.Distribution({u.path: pyabc.RV("uniform", u.low, u.high - u.low) for u in params})


def run(
    problem: Problem,
    out: str | Path,
    *,
    executor: str | Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    generations: int | None = None,
    progress: bool = True,
    console: Console | None = None,
) -> Calibration:
    """Run (or resume) ABC-SMC into ``out``; then write the posterior, summaries and figures.

    ``generations`` overrides the spec's total number of generations (counting those already in
    the history), e.g. to stop early and resume later.
    """
    import pyabc
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    spec = problem.spec
    out = Path(out)
    console = console or Console(stderr=True)
    db = out / HISTORY
    meta_path = out / "calibration.json"
    if db.exists():
        if not resume:
            raise UserError(
                f"--out {out}: already holds a calibration; pass --resume to continue it, or "
                "choose another --out"
            )
        old = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        if old.get("spec_hash") != spec.hash():
            raise UserError(
                f"--out {out}: holds a calibration of another spec (hash {old.get('spec_hash')}, "
                f"this spec {spec.hash()}); resume it with its own spec, or choose another --out"
            )
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": spec.name,
        "spec_hash": spec.hash(),
        "spec": spec.model_dump(mode="json"),
        "base": spec.base,
        "task": spec.task,
        "overrides": list(spec.overrides),
        "targets_path": problem.targets_path,
        "parameters": [
            {"path": u.path, "low": u.low, "high": u.high, "integer": u.integer, "value": u.value}
            for u in problem.params
        ],
        "targets": [
            {"key": t.key, "low": t.low, "high": t.high, "description": t.description}
            for t in problem.targets
        ],
    }
    meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("ABC.History").setLevel(logging.WARNING)
    targets = problem.targets
    observed = {t.key: t.centre() for t in targets}

    def dist(x: dict[str, float], x0: dict[str, float]) -> float:
        return distance(x, targets)

    own = isinstance(executor, str)
    ex = make_executor(executor, workers, scheduler) if isinstance(executor, str) else executor
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("accepted, {task.fields[runs]} runs"),
        TimeElapsedColumn(),
        console=console,
        disable=not progress,
    )
    holder = _Model()
    sampler = executor_sampler(
        ex, problem.task, holder.model, spec.seed, bar, spec.max_runs or math.inf
    )
    abc = pyabc.ABCSMC(
        holder.model,
        _prior(problem.params),
        dist,
        population_size=spec.population,
        sampler=sampler,
    )
    url = f"sqlite:///{db.resolve()}"
    total = generations or spec.generations
    t0 = time.perf_counter()
    try:
        if db.exists():
            abc.load(url, 1)
            done = abc.history.max_t + 1
        else:
            abc.new(url, observed)
            done = 0
        if total > done:
            with bar:
                abc.run(
                    minimum_epsilon=spec.min_epsilon,
                    max_nr_populations=total - done,
                    min_acceptance_rate=spec.min_acceptance,
                    max_total_nr_simulations=spec.max_runs or np.inf,
                )
    finally:
        if own:
            ex.close()
    seconds = time.perf_counter() - t0
    history = pyabc.History(url, _id=1)
    if history.max_t < 0:
        raise UserError(f"{out}: no generation finished; resume with --resume")
    from .posterior_out import write_outputs

    write_outputs(history, problem, out)
    return Calibration(out, history.max_t + 1, sampler.runs, seconds, sampler.failed)


# ------------------------------------------------------------------------------ a toy to test on


def toy_simulator(point: dict[str, Any], seed: int) -> dict[str, float]:
    """Two noisy linear statistics of parameters ``a`` and ``b``: cheap, with a known answer."""
    rng = np.random.default_rng(seed)
    a, b = float(point["a"]), float(point["b"])
    return {
        "sum": a + b + float(rng.normal(0, 0.05)),
        "diff": a - b + float(rng.normal(0, 0.05)),
    }
