"""Posterior predictive validation: how often each validation pattern holds over posterior draws."""

from __future__ import annotations

import pandas as pd

from .validate import Scorecard, _fmt


def predictive(card: Scorecard, role: str = "validation") -> pd.DataFrame:
    """One row per check of the ``role`` patterns: share of draws where it holds, the 90%
    posterior predictive interval (5-95%) and median of the statistic, beside the published range.
    """
    roles = {p.id: p.role for p in card.targets.patterns}
    checks = card.checks()
    checks = checks[checks["pattern"].map(roles) == role]
    runs = card.runs[card.runs["pattern"].map(roles) == role]
    med = runs.groupby(["pattern", "check"])["value"].median()
    held = runs.groupby(["pattern", "seed"])["holds"].all().groupby("pattern").mean()
    out = pd.DataFrame(
        {
            "pattern": checks["pattern"],
            "check": checks["check"],
            "description": checks["description"],
            "median": [
                med.get((p, c), float("nan"))
                for p, c in zip(checks["pattern"], checks["check"], strict=True)
            ],
            "ppi_low": checks["p5"],
            "ppi_high": checks["p95"],
            "published": checks["target"],
            "check_share": checks["share"],
            "pattern_share": checks["pattern"].map(held).fillna(0.0),
        }
    )
    return out.reset_index(drop=True)


def to_markdown(table: pd.DataFrame) -> str:
    """The predictive table as Markdown."""
    lines = [
        "| pattern | check | median | 90% predictive interval | published | check holds in | pattern holds in |",
        "|---|---|---|---|---|---|---|",
    ]
    last = None
    for r in table.itertuples():
        first = r.pattern != last
        last = r.pattern
        lines.append(
            f"| {r.pattern if first else ''} | {r.description} | {_fmt(r.median)} "
            f"| {_fmt(r.ppi_low)}–{_fmt(r.ppi_high)} | {r.published} | {r.check_share:.0%} "
            f"| {f'{r.pattern_share:.0%}' if first else ''} |"
        )
    return "\n".join(lines) + "\n"


def print_predictive(table: pd.DataFrame, draws: int) -> None:
    """The predictive table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Posterior predictive check of the validation patterns ({draws} draws)")
    for col in ("pattern", "check", "median", "90% PPI", "published", "check", "pattern"):
        t.add_column(col, overflow="fold")
    last = None
    for r in table.itertuples():
        first = r.pattern != last
        last = r.pattern
        t.add_row(
            r.pattern if first else "",
            r.description,
            _fmt(r.median),
            f"{_fmt(r.ppi_low)}–{_fmt(r.ppi_high)}",
            r.published,
            f"{r.check_share:.0%}",
            f"{r.pattern_share:.0%}" if first else "",
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=170)
    console.print(t)
