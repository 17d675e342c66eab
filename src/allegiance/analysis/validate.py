"""The scorecard: run replicates of a scenario and check each target pattern against them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UserError
from ..experiments.executors import make_executor
from ..experiments.tasks import RunItem, point_overrides
from ..rng import child_seeds
from ..scenario import Scenario, from_dict, resolve
from . import targets as tg
from .markers import replace_between


def evaluate_seed(scenario: Scenario, seed: int, targets: tg.Targets) -> pd.DataFrame:
    """Run the scenario once with ``seed`` and evaluate every check (top level: picklable)."""
    import allegiance

    results = allegiance.run(scenario, seed=seed)
    out = tg.evaluate(targets, results)
    out.insert(0, "seed", seed)
    return out


@dataclass(frozen=True)
class ScoreTask:
    """An experiments task: run the scenario (with a point's parameters) and give every check."""

    scenario: Scenario
    targets: tg.Targets

    def __call__(self, point: dict[str, Any], seed: int) -> dict[str, float]:
        import allegiance

        sc = self.scenario
        if point:
            sc = from_dict(sc.model_dump(), origin=sc.name, overrides=point_overrides(point))
        out = tg.evaluate(self.targets, allegiance.run(sc, seed=seed))
        return {f"{r.pattern}[{r.check}]": float(r.value) for r in out.itertuples()}


def _frame(targets: tg.Targets, seed: int, values: dict[str, float]) -> pd.DataFrame:
    rows = []
    for p in targets.patterns:
        for i, c in enumerate(p.checks):
            v = values.get(f"{p.id}[{i}]", float("nan"))
            rows.append(
                {
                    "seed": seed,
                    "pattern": p.id,
                    "kind": p.kind,
                    "check": i,
                    "statistic": c.statistic,
                    "value": v,
                    "holds": c.holds(v),
                }
            )
    return pd.DataFrame(rows)


@dataclass
class Scorecard:
    """Per-replicate evaluations and their summary, check by check and pattern by pattern."""

    targets: tg.Targets
    runs: pd.DataFrame  # seed, pattern, kind, check, statistic, value, holds
    scenario_name: str = ""

    @property
    def n(self) -> int:
        """Number of replicates."""
        return int(self.runs["seed"].nunique())

    def checks(self) -> pd.DataFrame:
        """One row per check: mean, 5% and 95% of the value, share of replicates in range."""
        rows = []
        for p in self.targets.patterns:
            for i, c in enumerate(p.checks):
                r = self.runs[(self.runs["pattern"] == p.id) & (self.runs["check"] == i)]
                vals = r["value"].to_numpy(dtype=float)
                finite = vals[np.isfinite(vals)]
                mean = float(finite.mean()) if finite.size else float("nan")
                lo, hi = np.quantile(finite, [0.05, 0.95]) if finite.size else (np.nan, np.nan)
                rows.append(
                    {
                        "pattern": p.id,
                        "kind": p.kind,
                        "check": i,
                        "description": c.description or c.statistic,
                        "statistic": c.statistic,
                        "mean": mean,
                        "p5": float(lo),
                        "p95": float(hi),
                        "target": c.range_text(),
                        "share": float(r["holds"].mean()) if len(r) else 0.0,
                        "mean_holds": c.holds(mean),
                    }
                )
        return pd.DataFrame(rows)

    def patterns(self) -> pd.DataFrame:
        """One row per pattern: share of replicates where all its checks hold, and pass/fail.

        A fact passes when it holds in at least ``fact_min_share`` of replicates; a figure
        passes when the replicate mean of each of its checks lies in range.
        """
        checks = self.checks()
        held = self.runs.groupby(["pattern", "seed"])["holds"].all().groupby("pattern").mean()
        rows = []
        for p in self.targets.patterns:
            share = float(held.get(p.id, 0.0))
            if p.kind == "fact":
                ok = share >= self.targets.fact_min_share
            else:
                ok = bool(checks.loc[checks["pattern"] == p.id, "mean_holds"].all())
            rows.append(
                {"pattern": p.id, "kind": p.kind, "title": p.title, "share": share, "passed": ok}
            )
        return pd.DataFrame(rows)

    @property
    def passed(self) -> bool:
        """True when every pattern passes."""
        return bool(self.patterns()["passed"].all())


def validate(
    scenario: Scenario | str | Path,
    replicates: int = 20,
    seed: int = 0,
    overrides: list[str] | None = None,
    targets: tg.Targets | str | Path | None = None,
    workers: int = 1,
    progress: Callable[[int], Any] | None = None,
    posterior: str | Path | None = None,
    executor: str | None = None,
) -> Scorecard:
    """Run ``replicates`` runs (seeds from ``child_seeds(seed, replicates)``) and score them.

    Runs go through the experiments executors (``executor``; default in-process for one worker,
    else a local pool), and the results do not depend on which. With ``posterior`` replicate
    ``i`` runs on posterior draw ``i``: the scorecard is then a posterior predictive check.
    """
    from .posterior import draws_for

    if replicates < 1:
        raise UserError(f"--replicates: {replicates}; must be at least 1")
    if workers < 1:
        raise UserError(f"--workers: {workers}; must be at least 1")
    sc = resolve(scenario, overrides)
    tgt = targets if isinstance(targets, tg.Targets) else tg.load(targets or tg.PATH)
    seeds = child_seeds(seed, replicates)
    draws = draws_for(posterior, replicates, seed)
    task = ScoreTask(sc, tgt)
    if draws is not None:  # a bad draw (parameter unknown to this scenario) fails here, once
        resolve(sc, point_overrides(draws[0]))
    items = [RunItem(i, draws[i] if draws else {}, s, task) for i, s in enumerate(seeds)]
    kind = executor or ("inprocess" if min(workers, replicates) <= 1 else "local")
    ex = make_executor(kind, min(workers, replicates) if kind != "inprocess" else None)
    frames: dict[int, pd.DataFrame] = {}
    try:
        for rec in ex.map(items):
            if rec.status != "ok":
                raise UserError(f"replicate {rec.run_id} (seed {seeds[rec.run_id]}): {rec.error}")
            frames[rec.run_id] = _frame(tgt, seeds[rec.run_id], rec.outcomes)
            if progress is not None:
                progress(len(frames))
    finally:
        ex.close()
    runs = pd.concat([frames[i] for i in sorted(frames)], ignore_index=True)
    return Scorecard(tgt, runs, sc.name)


SCORE_BEGIN = "<!-- scorecard:begin -->"
SCORE_END = "<!-- scorecard:end -->"


def to_markdown(card: Scorecard, note: str = "") -> str:
    """The scorecard as a Markdown table (one row per check), with a one-line verdict."""
    checks, pats = card.checks(), card.patterns().set_index("pattern")
    lines = [
        f"Scenario `{card.scenario_name}`, {card.n} replicates. {note}".rstrip(),
        "",
        "| pattern | check | simulated mean | 5–95% | target | holds in | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for pid, group in checks.groupby("pattern", sort=False):
        pat = pats.loc[pid]
        for j, (_, c) in enumerate(group.iterrows()):
            verdict = (
                f"{'PASS' if pat['passed'] else '**FAIL**'} ({pat['share']:.0%})" if j == 0 else ""
            )
            lines.append(
                f"| {pid if j == 0 else ''} | {c['description']} | {_fmt(c['mean'])} "
                f"| {_fmt(c['p5'])}–{_fmt(c['p95'])} | {c['target']} | {c['share']:.0%} | {verdict} |"
            )
    failed = list(pats.index[~pats["passed"]])
    lines += ["", f"Failing: {', '.join(failed)}." if failed else "All patterns pass."]
    return "\n".join(lines) + "\n"


def embed(card: Scorecard, doc: str | Path, note: str = "") -> Path:
    """Replace the text between the scorecard markers of a Markdown file."""
    return replace_between(doc, SCORE_BEGIN, SCORE_END, to_markdown(card, note))


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a" if np.isnan(x) else ("∞" if x > 0 else "-∞")
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def print_scorecard(card: Scorecard) -> None:
    """The scorecard as a rich table: one line per check, the pattern's verdict on its first."""
    from rich.console import Console
    from rich.table import Table

    checks, pats = card.checks(), card.patterns().set_index("pattern")
    t = Table(
        title=f"Scorecard: {card.scenario_name}, {card.n} replicates "
        f"(facts must hold in >= {card.targets.fact_min_share:.0%}; figures: mean in range)"
    )
    for col, just in (
        ("pattern", "left"),
        ("check", "left"),
        ("simulated mean", "right"),
        ("5–95%", "right"),
        ("target", "right"),
        ("holds in", "right"),
        ("verdict", "center"),
    ):
        t.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    titles = {p.id: p.title for p in card.targets.patterns}
    for pid, group in checks.groupby("pattern", sort=False):
        pat = pats.loc[pid]
        verdict = "[green]PASS[/]" if pat["passed"] else "[red]FAIL[/]"
        for j, (_, c) in enumerate(group.iterrows()):
            style = None if c["share"] >= card.targets.fact_min_share else "red"
            t.add_row(
                f"{pid} {titles[pid]}" if j == 0 else "",
                c["description"],
                _fmt(c["mean"]),
                f"{_fmt(c['p5'])}–{_fmt(c['p95'])}",
                c["target"],
                f"{c['share']:.0%}",
                f"{verdict} ({pat['share']:.0%})" if j == 0 else "",
                style=style,
                end_section=j == len(group) - 1,
            )
    console = Console()
    if not console.is_terminal:  # files and pipes: wide enough to read without folding
        console = Console(width=170)
    console.print(t)
    n_fail = int((~pats["passed"]).sum())
    if n_fail:
        console.print(
            f"[red]{n_fail} of {len(pats)} patterns fail:[/] {', '.join(pats.index[~pats['passed']])}"
        )
    else:
        console.print(f"[green]All {len(pats)} patterns pass.[/]")
