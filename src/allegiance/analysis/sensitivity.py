"""Global sensitivity: Morris screening over every uncertain parameter, then Sobol on those it keeps.

Both stages are ordinary sweeps (``run_sweep`` into a ``Store``), so they run on any executor and
resume after an interruption; the analysis is SALib's (Morris 1991; Saltelli et al. 2010).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rich.console import Console

from ..errors import UserError
from ..experiments.design import MORRIS_LEVELS, morris_matrix
from ..experiments.design import problem as salib_problem
from ..experiments.executors import Executor, make_executor
from ..experiments.spec import Factor, SweepSpec
from ..experiments.spec import from_dict as sweep_from_dict
from ..experiments.store import load_runs
from ..experiments.sweep import run_sweep
from ..yamlfile import read_mapping
from .uncertain import Uncertain, select


class MorrisStage(BaseModel):
    """Screening: ``trajectories`` Morris trajectories of D+1 runs each."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    trajectories: int = Field(10, ge=2, le=10_000)
    replicates: int = Field(1, ge=1, le=1000)
    keep: int = Field(8, ge=1, description="most parameters passed on to Sobol")
    threshold: float = Field(
        2.0,
        ge=0,
        description="keep a parameter whose mu* is at least this multiple of the outcome's median mu*",
    )


class SobolStage(BaseModel):
    """Variance decomposition: Saltelli's N(D+2) runs, bootstrap confidence intervals."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    samples: int = Field(64, ge=4, le=1_000_000)
    replicates: int = Field(1, ge=1, le=1000)
    bootstrap: int = Field(1000, ge=10, le=100_000)
    level: float = Field(0.95, gt=0, lt=1)


class SensitivitySpec(BaseModel):
    """A sensitivity analysis: the model (or a task), its uncertain parameters, outcomes, stages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "sensitivity"
    description: str = ""
    base: str | None = None
    task: str | None = None
    overrides: list[str] = Field(default_factory=list)
    parameters: list[str] | None = None
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    outcomes: list[str] = Field(default_factory=lambda: ["exits_total", "peak_members"])
    seed: int = Field(0, ge=0, lt=2**63)
    morris: MorrisStage = Field(default_factory=MorrisStage)
    sobol: SobolStage = Field(default_factory=SobolStage)

    @model_validator(mode="after")
    def _one_model(self) -> SensitivitySpec:
        if (self.base is None) == (self.task is None):
            raise ValueError("give exactly one of 'base' (a scenario file) or 'task'")
        if self.task is not None and not self.ranges:
            raise ValueError("a 'task' analysis names its parameters in 'ranges: {name: [lo, hi]}'")
        return self


def load_spec(path: str | Path) -> tuple[SensitivitySpec, list[Uncertain]]:
    """Read a sensitivity spec; check its scenario, parameters, ranges and outcomes; one line if bad."""
    p = Path(path)
    data = read_mapping(p, "sensitivity spec")
    return from_dict(data, str(p), p.parent)


def from_dict(
    data: dict[str, Any], origin: str = "spec", root: Path | None = None
) -> tuple[SensitivitySpec, list[Uncertain]]:
    """Validate plain data as a spec; return it and its parameters with their ranges."""
    try:
        spec = SensitivitySpec.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "spec"
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            msg = "unknown key"
        raise UserError(f"{origin}: {loc}: {msg}") from None
    if spec.base is not None and root is not None and not Path(spec.base).is_absolute():
        spec = spec.model_copy(update={"base": str((root / spec.base).resolve())})
    if spec.task is not None:
        params = [
            Uncertain(k, math.nan, float(v[0]), float(v[1]), False, (-math.inf, math.inf))
            for k, v in spec.ranges.items()
        ]
        for k, v in spec.ranges.items():
            if not v[0] < v[1]:
                raise UserError(f"{origin}: ranges.{k}: give [low, high] with low < high")
    else:
        from .. import load

        scenario = load(spec.base, overrides=list(spec.overrides))  # type: ignore[arg-type]
        params = select(spec.parameters, dict(spec.ranges), scenario, origin)
    # the sweep spec checks outcomes and overrides with its own one-line messages
    _sweep(spec, params, "morris", origin)
    return spec, params


def _sweep(
    spec: SensitivitySpec, params: list[Uncertain], stage: str, origin: str = "spec"
) -> SweepSpec:
    st = spec.morris if stage == "morris" else spec.sobol
    factors = {
        u.path: Factor(range=(u.low, u.high), integer=u.integer if spec.task is None else None)
        for u in params
    }
    data: dict[str, Any] = {
        "name": f"{spec.name}-{stage}",
        "description": spec.description,
        "overrides": list(spec.overrides),
        "factors": {k: f.model_dump(exclude_none=True) for k, f in factors.items()},
        "design": stage,
        "samples": st.trajectories if isinstance(st, MorrisStage) else st.samples,
        "replicates": st.replicates,
        "seed": spec.seed,
        "outcomes": list(spec.outcomes),
    }
    if spec.task is not None:
        data["task"] = spec.task
    else:
        data["base"] = spec.base
    return sweep_from_dict(data, origin)


# ---------------------------------------------------------------------------------- analysis


def _point_means(root: Path, spec: SweepSpec) -> pd.DataFrame:
    """Outcome means per design point, in point order; UserError if any run failed or is missing."""
    runs = load_runs(root)
    n_points = len(runs["point_id"].unique()) if len(runs) else 0
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        first = failed.iloc[0]
        raise UserError(
            f"{root}: {len(failed)} runs failed (run {int(first['run_id'])}: {first['error']}); "
            "sensitivity indices need every run"
        )
    means = runs.groupby("point_id")[list(spec.outcomes)].mean().sort_index()
    if n_points and means.index[-1] + 1 != len(means):
        raise UserError(f"{root}: some design points have no finished run; resume the analysis")
    return means


def morris_indices(root: Path, spec: SweepSpec, level: float = 0.95) -> pd.DataFrame:
    """mu, mu* and sigma of each parameter's elementary effects, per outcome (tidy)."""
    from SALib.analyze import morris

    x = morris_matrix(spec)
    means = _point_means(root, spec)
    if len(means) != len(x):
        raise UserError(f"{root}: {len(means)} of {len(x)} Morris points finished; resume it")
    prob = salib_problem(spec)
    rows = []
    for outcome in spec.outcomes:
        y = means[outcome].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)):
            raise UserError(f"outcome {outcome}: some runs gave no value (NaN); choose another")
        res = morris.analyze(
            prob,
            x,
            y,
            num_levels=MORRIS_LEVELS,
            conf_level=level,
            seed=spec.seed,
            print_to_console=False,
        )
        for j, name in enumerate(prob["names"]):
            ms, conf = float(res["mu_star"][j]), float(res["mu_star_conf"][j])
            rows += [
                _row("morris", name, outcome, "mu_star", ms, ms - conf, ms + conf),
                _row("morris", name, outcome, "sigma", float(res["sigma"][j])),
                _row("morris", name, outcome, "mu", float(res["mu"][j])),
            ]
    return pd.DataFrame(rows)


def sobol_indices(
    root: Path, spec: SweepSpec, bootstrap: int = 1000, level: float = 0.95
) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices with bootstrap intervals, per outcome."""
    from SALib.analyze import sobol

    means = _point_means(root, spec)
    prob = salib_problem(spec)
    expected = spec.samples * (prob["num_vars"] + 2)
    if len(means) != expected:
        raise UserError(f"{root}: {len(means)} of {expected} Sobol points finished; resume it")
    rows = []
    for outcome in spec.outcomes:
        y = means[outcome].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)):
            raise UserError(f"outcome {outcome}: some runs gave no value (NaN); choose another")
        if float(np.var(y)) == 0.0:
            for name in prob["names"]:
                rows += [_row("sobol", name, outcome, k, 0.0, 0.0, 0.0) for k in ("S1", "ST")]
            continue
        res = sobol.analyze(
            prob,
            y,
            calc_second_order=False,
            num_resamples=bootstrap,
            conf_level=level,
            seed=spec.seed,
            print_to_console=False,
        )
        for j, name in enumerate(prob["names"]):
            for k in ("S1", "ST"):
                v, c = float(res[k][j]), float(res[f"{k}_conf"][j])
                rows.append(_row("sobol", name, outcome, k, v, v - c, v + c))
    return pd.DataFrame(rows)


def _row(
    stage: str,
    parameter: str,
    outcome: str,
    index: str,
    value: float,
    low: float = math.nan,
    high: float = math.nan,
) -> dict[str, Any]:
    return {
        "stage": stage,
        "parameter": parameter,
        "outcome": outcome,
        "index": index,
        "value": value,
        "ci_low": low,
        "ci_high": high,
    }


def kept(morris: pd.DataFrame, keep: int, threshold: float) -> list[str]:
    """Parameters Morris keeps: mu* at least ``threshold`` times the outcome's median mu*.

    With many parameters most are nearly inert, so an outcome's median mu* is about what the
    model's own noise gives any parameter; dividing by it keeps a noisy outcome (where every
    parameter seems to matter a little) from crowding out the clear effects on a quiet one.
    Parameters are ranked by their largest ratio over outcomes; at most ``keep``, at least one.
    """
    ms = morris[morris["index"] == "mu_star"]
    floor = ms.groupby("outcome")["value"].transform("median")
    ratio = (ms["value"] / floor.where(floor > 0)).fillna(0.0)
    best = (
        ratio.groupby(ms["parameter"], sort=False).max().sort_values(ascending=False, kind="stable")
    )
    chosen = [p for p, s in best.items() if s >= threshold][:keep]
    return chosen or list(best.index[:1])


# ---------------------------------------------------------------------------------- running


def run(
    spec: SensitivitySpec,
    params: list[Uncertain],
    out: str | Path,
    *,
    executor: str | Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    console: Console | None = None,
) -> pd.DataFrame:
    """Morris over ``params``, then Sobol over those kept; write tables and figures into ``out``.

    The two stages are sweeps in ``out/morris`` and ``out/sobol``; with ``resume`` finished runs
    are kept. Returns the tidy table of indices (also in ``out/indices.parquet`` and ``.csv``).
    """
    out = Path(out)
    console = console or Console(stderr=True)
    if (out / "morris").exists() and not resume:
        raise UserError(
            f"--out {out}: already holds an analysis; pass --resume or choose another --out"
        )
    own = isinstance(executor, str)
    ex = make_executor(executor, workers, scheduler) if isinstance(executor, str) else executor
    try:
        m_spec = _sweep(spec, params, "morris")
        _stage(m_spec, out / "morris", ex, resume, progress, console)
        morris = morris_indices(out / "morris", m_spec, spec.sobol.level)
        chosen = kept(morris, spec.morris.keep, spec.morris.threshold)
        s_spec = _sweep(spec, [u for u in params if u.path in chosen], "sobol")
        _stage(s_spec, out / "sobol", ex, True, progress, console)
        sobol = sobol_indices(out / "sobol", s_spec, spec.sobol.bootstrap, spec.sobol.level)
    finally:
        if own:
            ex.close()
    table = pd.concat([morris, sobol], ignore_index=True)
    table.to_parquet(out / "indices.parquet", index=False)
    table.to_csv(out / "indices.csv", index=False)
    info = {
        "name": spec.name,
        "parameters": [u.path for u in params],
        "ranges": {u.path: [u.low, u.high] for u in params},
        "kept": chosen,
        "outcomes": list(spec.outcomes),
        "morris_runs": len(morris_matrix(m_spec)) * m_spec.replicates,
        "sobol_runs": s_spec.samples * (len(chosen) + 2) * s_spec.replicates,
    }
    (out / "summary.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    from .sensitivity_plots import morris_figure, sobol_figure

    morris_figure(morris, out / "morris.png", chosen)
    sobol_figure(sobol, out / "sobol.png")
    return table


def _stage(
    spec: SweepSpec, out: Path, ex: Executor, resume: bool, progress: bool, console: Console
) -> None:
    summary = run_sweep(spec, out, executor=ex, resume=resume, progress=progress, console=console)
    if summary.interrupted:
        raise KeyboardInterrupt
    if summary.unfinished:
        raise UserError(f"{out}: {summary.unfinished} runs unfinished; continue with --resume")


# ---------------------------------------------------------------------------------- test function


ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(point: dict[str, Any], seed: int) -> dict[str, float]:
    """The Ishigami function (Ishigami & Homma 1990), whose Sobol indices are known exactly."""
    x1, x2, x3 = float(point["x1"]), float(point["x2"]), float(point["x3"])
    y = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)
    return {"y": y}


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, dict[str, float]]:
    """Analytic S1 and ST of the Ishigami function on [-pi, pi]^3 (Sobol & Levitan 1999)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / var, "x2": v2 / var, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / var, "x2": v2 / var, "x3": v13 / var},
    }
