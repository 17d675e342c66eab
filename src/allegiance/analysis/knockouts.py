"""Knock-outs: a scenario with the mechanism behind one validation pattern removed.

A validation pattern is evidence only if it can fail: each names, in data/targets.yaml, the
overrides and timeline events that remove the mechanism it reflects. ``knock_out`` builds that
scenario; ``verdicts`` scores a pattern with and without its mechanism, so a test (and a reader
of docs/ODD.md) can see that the pattern holds because of the mechanism, not in spite of it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import UserError
from ..scenario import Scenario, from_dict, resolve
from . import targets as tg
from .validate import validate


def knock_out(scenario: Scenario, knockout: tg.Knockout) -> Scenario:
    """``scenario`` with the knock-out's timeline events dropped and its overrides applied."""
    data = scenario.model_dump()
    ids = {ev["id"] for ev in data["timeline"]}
    missing = [e for e in knockout.drop_events if e not in ids]
    if missing:
        raise UserError(
            f"knockout drops unknown timeline event(s) {', '.join(missing)}; "
            f"the scenario has: {', '.join(sorted(i for i in ids if i))}"
        )
    data["timeline"] = [ev for ev in data["timeline"] if ev["id"] not in knockout.drop_events]
    return from_dict(data, origin=f"{scenario.name} (knockout)", overrides=knockout.set)


def verdicts(
    scenario: Scenario | str | Path,
    pattern: tg.Pattern,
    replicates: int = 3,
    seed: int = 0,
    overrides: list[str] | None = None,
) -> pd.DataFrame:
    """Share of replicates in which ``pattern`` holds, with its mechanism and knocked out."""
    if pattern.knockout is None:
        raise UserError(f"pattern {pattern.id!r} names no knockout")
    base = resolve(scenario, overrides)
    one = tg.Targets(patterns=[pattern])
    rows = []
    for arm, sc in (("reference", base), ("knocked out", knock_out(base, pattern.knockout))):
        card = validate(sc, replicates=replicates, seed=seed, targets=one)
        row = card.patterns().iloc[0]
        rows.append(
            {"pattern": pattern.id, "arm": arm, "share": row["share"], "passed": row["passed"]}
        )
    return pd.DataFrame(rows)
