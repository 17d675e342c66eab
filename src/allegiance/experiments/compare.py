"""Counterfactuals: run scenarios with common seeds and report ALT - BASE with 95% intervals."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from scipy import stats

from ..errors import UserError
from ..hints import did_you_mean
from ..rng import child_seeds
from .executors import make_executor
from .tasks import ModelTask, RunItem, Task

DEFAULT_OUTCOMES = (
    "peak_members",
    "members_final",
    "exits_total",
    "exits_2016_pay",
    "exits_2016_redeployment",
    "executions_total",
    "killed_total",
    "civilian_harm_mean",
    "under18_share_max",
)


@dataclass(frozen=True)
class Arm:
    """One scenario of a comparison: a label, the task that runs it and its design point."""

    label: str
    task: Task
    point: dict[str, Any]


def paired_ci(diff: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of paired differences and its two-sided t interval (common seeds make pairs)."""
    d = diff[np.isfinite(diff)]
    n = len(d)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(d.mean())
    if n < 2:
        return mean, math.nan, math.nan
    se = float(d.std(ddof=1)) / math.sqrt(n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    return mean, mean - half, mean + half


def run_arms(
    arms: list[Arm],
    replicates: int,
    seed: int = 0,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], object] | None = None,
    points: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Run every arm ``replicates`` times with the same seeds; one row per run.

    ``progress(done, total)`` is called after each finished run. ``points`` (one per replicate,
    e.g. posterior draws) add parameters to replicate ``r`` of every arm, so arms stay paired by
    draw as well as by seed.
    """
    if replicates < 1:
        raise UserError(f"--replicates: must be 1 or more (got {replicates})")
    seeds = child_seeds(seed, replicates)
    items = [
        RunItem(
            i * replicates + r, {**arm.point, **(points[r] if points else {})}, seeds[r], arm.task
        )
        for i, arm in enumerate(arms)
        for r in range(replicates)
    ]
    ex = make_executor(executor, workers, scheduler)
    rows = []
    try:
        for rec in ex.map(items):
            i, r = divmod(rec.run_id, replicates)
            rows.append(
                {
                    "arm": arms[i].label,
                    "replicate": r,
                    "seed": seeds[r],
                    "status": rec.status,
                    "error": rec.error,
                    **rec.outcomes,
                }
            )
            if progress is not None:
                progress(len(rows), len(items))
    finally:
        ex.close()
    return pd.DataFrame(rows).sort_values(["arm", "replicate"], ignore_index=True)


def credible_interval(diff: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Central ``level`` interval of paired differences over posterior draws."""
    d = diff[np.isfinite(diff)]
    if len(d) < 2:
        return math.nan, math.nan
    lo, hi = np.quantile(d, [0.5 - level / 2, 0.5 + level / 2])
    return float(lo), float(hi)


def differences(
    runs: pd.DataFrame, base: str, outcomes: list[str], level: float = 0.95, credible: bool = False
) -> pd.DataFrame:
    """For each other arm and outcome: base mean, alt mean, ALT - BASE and its interval.

    The interval is a t interval of the mean difference, or with ``credible`` (runs on posterior
    draws) the central quantiles of the paired differences: a credible interval of the effect.
    """
    ok = runs[runs["status"] == "ok"]
    b = ok[ok["arm"] == base].set_index("replicate")
    rows = []
    for arm in [a for a in dict.fromkeys(runs["arm"]) if a != base]:
        a = ok[ok["arm"] == arm].set_index("replicate")
        common = b.index.intersection(a.index)
        for name in outcomes:
            diff = (a.loc[common, name] - b.loc[common, name]).to_numpy(dtype=float)
            mean, lo, hi = paired_ci(diff, level)
            if credible:
                lo, hi = credible_interval(diff, level)
            rows.append(
                {
                    "alt": arm,
                    "outcome": name,
                    "base_mean": float(b[name].mean()),
                    "alt_mean": float(a[name].mean()),
                    "diff": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "pairs": len(common),
                    # relative to the baseline's mean, so outcomes in any unit share one axis
                    **_percent(float(b[name].mean()), mean, lo, hi),
                }
            )
    return pd.DataFrame(rows)


def arm_labels(paths: list[str | Path]) -> list[str]:
    """Arm names: the scenario files' stems, or their paths when two stems are the same."""
    labels = [Path(p).stem for p in paths]
    return labels if len(set(labels)) == len(labels) else [str(p) for p in paths]


def compare(
    paths: list[str | Path],
    replicates: int = 10,
    seed: int = 0,
    *,
    outcomes: list[str] | None = None,
    overrides: list[str] | None = None,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    series: tuple[str, ...] = (),
    progress: Callable[[int, int], object] | None = None,
    drop_events: list[str] | None = None,
    posterior: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run BASE and each ALT scenario with common seeds; return (differences, runs).

    With ``series`` (timeseries columns), each run row also holds those columns month by month
    as ``column@YYYY-MM`` (see ``experiments.series``), for plots over time. With ``posterior``
    (a calibration folder) replicate ``r`` of every arm runs on posterior draw ``r``, and the
    intervals are credible intervals of the effect over the posterior.
    """
    from .. import load
    from .outcomes import OUTCOMES

    if len(paths) < 2:
        raise UserError("compare: give a BASE scenario and at least one ALT scenario")
    names = list(outcomes or DEFAULT_OUTCOMES)
    for name in names:
        if name not in OUTCOMES:
            raise UserError(
                f"--outcome: unknown outcome {name!r}{did_you_mean(name, OUTCOMES)}; "
                f"allowed: {', '.join(OUTCOMES)}"
            )
    seen: dict[Path, str | Path] = {}
    for p in paths:  # bad files fail here, once, rather than in every run
        load(p, overrides=overrides, drop_events=drop_events)
        same = seen.setdefault(Path(p).resolve(), p)
        if same is not p:
            raise UserError(f"compare: {p} is the same file as {same}; compare different scenarios")
    labels = arm_labels(paths)
    drop = tuple(drop_events or ())

    def task(p: str | Path) -> Task:
        base, outs, ovr = str(Path(p).resolve()), tuple(names), tuple(overrides or ())
        if series:
            from .series import SeriesTask

            return SeriesTask(base, outs, ovr, drop, series=tuple(series))
        return ModelTask(base, outs, ovr, drop)

    arms = [Arm(label, task(p), {}) for label, p in zip(labels, paths, strict=True)]
    from ..analysis.posterior import draws_for

    draws = draws_for(posterior, replicates, seed)
    runs = run_arms(
        arms,
        replicates,
        seed,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        points=draws,
    )
    return differences(runs, labels[0], names, credible=draws is not None), runs


def _percent(base: float, diff: float, lo: float, hi: float) -> dict[str, float]:
    """ALT - BASE and its interval as percentages of the baseline mean (NaN if that is 0)."""
    if not np.isfinite(base) or base == 0:
        return {"pct_change": math.nan, "pct_low": math.nan, "pct_high": math.nan}
    scale = 100.0 / abs(base)
    return {"pct_change": diff * scale, "pct_low": lo * scale, "pct_high": hi * scale}


def _g(x: float, sign: bool = False) -> str:
    return "nan" if not np.isfinite(x) else (f"{x:+,.4g}" if sign else f"{x:,.4g}")


def _pct(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:+.1f}%"


def print_differences(
    diffs: pd.DataFrame, base: str, console: Console | None = None, credible: bool = False
) -> None:
    """One rich table per ALT: outcome, means, difference and 95% interval."""
    console = console or Console()
    if diffs.empty:
        console.print("no differences to show (no outcome of any ALT ran)")
        return
    how = "paired by posterior draw and seed, 95% credible" if credible else "paired by seed, 95% t"
    for alt, group in diffs.groupby("alt", sort=False):
        t = Table(title=f"{alt} vs {base}: ALT - BASE, {how} interval")
        t.add_column("outcome", no_wrap=True)
        for col in ("BASE", "ALT", "ALT - BASE", "95% CI", "change", "pairs"):
            t.add_column(col, justify="right", no_wrap=True)
        for row in group.itertuples():
            ci = f"{_g(row.ci_low, True)} .. {_g(row.ci_high, True)}"
            t.add_row(
                row.outcome,
                _g(row.base_mean),
                _g(row.alt_mean),
                _g(row.diff, True),
                ci,
                _pct(getattr(row, "pct_change", math.nan)),
                str(row.pairs),
            )
        console.print(t)
