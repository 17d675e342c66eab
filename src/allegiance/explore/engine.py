"""The explorer's work, without a page: run a setting beside the baseline, bundle, load a file."""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import UserError
from ..experiments.compare import DEFAULT_OUTCOMES, Arm, differences, run_arms
from ..experiments.comparison import Comparison
from ..experiments.outcomes import compute
from ..provenance import record, scenario_yaml
from ..results import Results
from ..rng import child_seeds
from ..scenario import Scenario, from_dict, load
from .limits import Cancelled

BASE, SETTING = "reference", "your setting"
REFERENCE = Path(__file__).resolve().parents[3] / "scenarios" / "syria-2014-2016.yaml"


def posterior_path() -> str | None:
    """The calibration whose posterior the baseline is drawn from (ALLEGIANCE_EXPLORE_POSTERIOR)."""
    import os

    return os.environ.get("ALLEGIANCE_EXPLORE_POSTERIOR") or None


def reference_path() -> Path:
    """The reference scenario: the repository's, or the one named by ALLEGIANCE_EXPLORE_BASELINE."""
    import os

    return Path(os.environ.get("ALLEGIANCE_EXPLORE_BASELINE") or REFERENCE)


@dataclass
class ExploreTask:
    """Run a scenario through ``allegiance.run``, keep its Results, report months, stop on cancel.

    Used with the in-process executor only: it holds the live callbacks and the Results it made.
    """

    scenario: Scenario
    on_month: Callable[[], None]
    cancel: threading.Event
    kept: dict[int, Results] = field(default_factory=dict)

    def __call__(self, point: dict[str, Any], seed: int) -> dict[str, float]:
        from .. import run
        from ..experiments.tasks import point_overrides

        def step(done: int, total: int) -> None:
            self.on_month()
            if self.cancel.is_set():
                raise Cancelled()

        # a posterior draw (the point) sets its parameters on top of the scenario
        scenario = (
            from_dict(
                self.scenario.model_dump(mode="json", exclude_computed_fields=True),
                origin=self.scenario.name,
                overrides=point_overrides(point),
            )
            if point
            else self.scenario
        )
        results = run(scenario, seed=seed, on_step=step)
        self.kept[seed] = results
        return compute(results, DEFAULT_OUTCOMES)


@dataclass
class Outcome:
    """A finished comparison: the setting's and the baseline's runs, and their differences."""

    setting: Scenario
    baseline: Scenario
    seed: int
    seeds: list[int]
    setting_runs: list[Results]
    baseline_runs: list[Results]
    runs: pd.DataFrame  # one row per run: arm, replicate, seed, status, outcomes
    differences: pd.DataFrame
    notes: list[str]
    seconds: float
    draws: list[dict[str, Any]] | None = None  # posterior draw of each replicate, if any

    def comparison(self) -> Comparison:
        """The runs as a ``Comparison`` (for ``plots.comparison_timeseries``)."""
        parts = []
        for arm, rs in ((BASE, self.baseline_runs), (SETTING, self.setting_runs)):
            for r, res in enumerate(rs):
                parts.append(res.timeseries.assign(arm=arm, replicate=r))
        series = pd.concat(parts, ignore_index=True)
        prov = {"scenarios": {BASE: scenario_yaml(self.baseline)}}
        return Comparison(self.runs, series, self.differences, BASE, prov)


_baselines: dict[tuple[str, int, int, int], tuple[list[Results], pd.DataFrame]] = {}
_baselines_lock = threading.Lock()
KEEP_BASELINES = 4


def _key(
    scenario: Scenario, seed: int, replicates: int, posterior: str | Path | None = None
) -> tuple[str, int, int, int]:
    text = scenario_yaml(scenario) + f"\nposterior: {posterior}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return digest, scenario.population.size, seed, replicates


def _arm(label: str, scenario: Scenario, tick: Callable[[], None], cancel: threading.Event):
    task = ExploreTask(scenario, tick, cancel)
    return Arm(label, task, {}), task


def compare_setting(
    setting: Scenario,
    baseline: Scenario,
    replicates: int,
    seed: int,
    *,
    notes: list[str] | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
    posterior: str | Path | None = None,
) -> Outcome:
    """Run the setting and the baseline with the same seeds (``run_arms``, in process).

    The baseline's runs are kept for the next request with the same resolution and seeds, so a
    second setting only runs its own arm. ``progress(share)`` is called month by month. With a
    ``posterior`` (a calibration folder), replicate ``r`` of both arms runs on posterior draw
    ``r``: the baseline is a posterior ensemble and the intervals are credible intervals.
    """
    from ..analysis.posterior import draws_for

    t0 = time.perf_counter()
    cancel = cancel or threading.Event()
    draws = draws_for(posterior, replicates, seed)
    key = _key(baseline, seed, replicates, posterior)
    with _baselines_lock:
        cached = _baselines.get(key)
    n_arms = 1 if cached else 2
    total = n_arms * replicates * len(setting.months)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(min(done[0] / total, 1.0))

    def finished(n: int, of: int) -> None:
        if cancel.is_set():
            raise Cancelled()

    arms, tasks = [], {}
    if cached is None:
        arm, tasks[BASE] = _arm(BASE, baseline, tick, cancel)
        arms.append(arm)
    arm, tasks[SETTING] = _arm(SETTING, setting, tick, cancel)
    arms.append(arm)
    runs = run_arms(arms, replicates, seed, executor="inprocess", progress=finished, points=draws)
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        raise UserError(f"a run failed: {failed['error'].iloc[0]}")
    seeds = child_seeds(seed, replicates)
    if cached is None:
        base_runs = [tasks[BASE].kept[s] for s in seeds]
        base_rows = runs[runs["arm"] == BASE]
        with _baselines_lock:
            while len(_baselines) >= KEEP_BASELINES:
                _baselines.pop(next(iter(_baselines)))
            _baselines[key] = (base_runs, base_rows)
    else:
        base_runs, base_rows = cached
        runs = pd.concat([base_rows, runs], ignore_index=True)
    diffs = differences(runs, BASE, list(DEFAULT_OUTCOMES), credible=draws is not None)
    return Outcome(
        setting,
        baseline,
        seed,
        seeds,
        [tasks[SETTING].kept[s] for s in seeds],
        base_runs,
        runs,
        diffs,
        list(notes or []),
        time.perf_counter() - t0,
        draws,
    )


def headline(outcome: Outcome) -> pd.DataFrame:
    """The table of differences for the page: outcome, baseline, setting, difference, 95% CI."""
    d = outcome.differences
    return pd.DataFrame(
        {
            "outcome": d["outcome"],
            "baseline": d["base_mean"],
            "setting": d["alt_mean"],
            "difference": d["diff"],
            "95% interval": [
                f"{lo:+,.4g} to {hi:+,.4g}" if pd.notna(lo) else "n/a (one replicate)"
                for lo, hi in zip(d["ci_low"], d["ci_high"], strict=True)
            ],
            "change %": d["pct_change"],
        }
    )


README = """# allegiance explorer download

scenario.yaml is the complete setting (timeline events already dropped or moved), so it runs
without the explorer. Each replicate's seed is below; to reproduce replicate {r0} bit for bit:

    allegiance run scenario.yaml --seed {s0} --out rerun

and compare rerun/timeseries.parquet with {d0}/timeseries.parquet.

Master seed {seed}, {n} replicates; replicate seeds (child_seeds of the master seed):
{lines}

differences.csv: the setting minus the baseline ({base}), paired by seed, with 95% intervals.
runs.csv: the headline outcomes of every run of both arms.
{posterior}"""

POSTERIOR_NOTE = """
The baseline and the setting ran on posterior draws (replicate i on draw i): each replicate's
scenario.yaml holds the setting with its draw, so rerun a replicate with
    allegiance run {d0}/scenario.yaml --seed {s0} --out rerun
"""


def run_folder(r: int, seed: int) -> str:
    """The folder of replicate ``r`` inside the download."""
    return f"replicate-{r}-seed-{seed}"


def bundle(outcome: Outcome) -> bytes:
    """A zip: scenario.yaml, README.md (seeds and the command), Parquet outputs of every replicate."""
    buf = io.BytesIO()
    with (
        tempfile.TemporaryDirectory(prefix="allegiance-explore-") as tmp,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        zf.writestr("scenario.yaml", scenario_yaml(outcome.setting))
        lines = "\n".join(
            f"- replicate {r}: --seed {s}  ({run_folder(r, s)}/)"
            for r, s in enumerate(outcome.seeds)
        )
        s0 = outcome.seeds[0]
        zf.writestr(
            "README.md",
            README.format(
                r0=0,
                s0=s0,
                d0=run_folder(0, s0),
                seed=outcome.seed,
                n=len(outcome.seeds),
                lines=lines,
                base=outcome.baseline.name,
                posterior=POSTERIOR_NOTE.format(d0=run_folder(0, s0), s0=s0)
                if outcome.draws
                else "",
            ),  # fmt: skip
        )
        zf.writestr("differences.csv", outcome.differences.to_csv(index=False))
        zf.writestr("runs.csv", outcome.runs.to_csv(index=False))
        for r, (s, res) in enumerate(zip(outcome.seeds, outcome.setting_runs, strict=True)):
            folder = Path(tmp) / run_folder(r, s)
            drawn = outcome.draws[r] if outcome.draws else None
            res.to_parquet(folder, record("explore", scenario=res.scenario, seed=s, draw=drawn))
            for f in sorted(folder.iterdir()):
                zf.write(f, f"{run_folder(r, s)}/{f.name}")
    return buf.getvalue()


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def load_upload(name: str, data: bytes) -> Scenario:
    """Validate an uploaded scenario file as the CLI does; errors are the CLI's one line."""
    safe = _SAFE.sub("_", Path(name or "scenario.yaml").name) or "scenario.yaml"
    with tempfile.TemporaryDirectory(prefix="allegiance-upload-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        try:
            return load(path)
        except UserError as err:
            raise UserError(str(err).replace(f"{tmp}/", "")) from None


def with_size(scenario: Scenario, size: int) -> Scenario:
    """The same world at another resolution (``population.size``), validated."""
    data = scenario.model_dump(mode="json", exclude_computed_fields=True)
    data["population"]["size"] = int(size)
    return from_dict(data, origin=scenario.name)
