"""Checks across a scenario's fields: what a timeline may set, overrides against it, and dates."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .errors import ScenarioWarning, UserError
from .hints import did_you_mean

if TYPE_CHECKING:
    from .scenario import Scenario

# Sections read afresh each month (world.calendar hands mechanisms the scenario as it stands);
# population, start, end and names are read once, before the first month, so an event changing
# them would change nothing.
CHANGEABLE = ("organization", "environment", "joining", "leaving", "combat", "harm")


def label(event: Any) -> str:
    """An event as a person finds it in the file: its id and month (never a merged index)."""
    get = event.get if isinstance(event, dict) else lambda k, d=None: getattr(event, k, d)
    eid, month = get("id", ""), get("month", "?")
    return f"{eid!r} ({month})" if eid else f"of {month}"


def drop_events(data: dict[str, Any], ids: Iterable[str], origin: str) -> dict[str, Any]:
    """``data`` without the timeline events whose id is in ``ids`` (each must exist)."""
    events = data.get("timeline") or []
    if not isinstance(events, list):
        return data  # validation names the broken timeline
    known = [e.get("id") for e in events if isinstance(e, dict) and isinstance(e.get("id"), str)]
    wanted = list(ids)
    for x in wanted:
        if x not in known:
            listed = ", ".join(k for k in known if k) or "none"
            raise UserError(
                f"--drop-event {x}: {origin} has no timeline event with that id"
                f"{did_you_mean(x, known)} (ids: {listed})"
            )
    out = dict(data)
    out["timeline"] = [e for e in events if not (isinstance(e, dict) and e.get("id") in wanted)]
    return out


def _overlap(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def blame(loc: str, origin: str, overrides: list[tuple[str, str]]) -> str:
    """Who gave the bad value at ``loc``: the latest ``--set`` on that path, else ``origin``."""
    for path, text in reversed(overrides):
        if loc and _overlap(loc, path):
            return f"--set {text}"[:200]
    return origin


def check(scenario: Scenario, origin: str, overrides: list[tuple[str, str]]) -> None:
    """Refuse events that set fixed fields or undo a ``--set``; warn about dates out of reach."""
    for ev in scenario.timeline:
        for path in ev.set:
            if path.split(".")[0] not in CHANGEABLE:
                raise UserError(
                    f"{origin}: timeline event {label(ev)}: sets {path}, which is fixed before the "
                    f"run starts; a timeline may set fields under {', '.join(CHANGEABLE)}"
                )
    for path, text in overrides:
        for ev in scenario.timeline:
            hit = next((q for q in ev.set if _overlap(path, q)), None)
            if hit is not None:
                how = f"--drop-event {ev.id}" if ev.id else "an id on the event and --drop-event"
                raise UserError(
                    f"--set {text}: the timeline event {label(ev)} also sets {hit} and would undo "
                    f"this from {ev.month}; drop the event ({how}) or edit it in the scenario"[:400]
                )
    _dates(scenario)


def _dates(scenario: Scenario) -> None:
    late = [label(ev) for ev in scenario.timeline if ev.month > scenario.end]
    if late:
        shown = ", ".join(late[:4]) + (f" and {len(late) - 4} more" if len(late) > 4 else "")
        warnings.warn(
            ScenarioWarning(f"timeline events after end ({scenario.end}) never happen: {shown}"),
            stacklevel=3,
        )
    knots = [
        k
        for name in type(scenario.environment).model_fields
        if isinstance(series := getattr(scenario.environment, name), dict)
        for k in series
    ]
    if not knots:
        return
    first, last = min(knots), max(knots)
    if scenario.start < first or scenario.end > last:
        warnings.warn(
            ScenarioWarning(
                f"the run ({scenario.start} to {scenario.end}) reaches beyond the environment "
                f"series (dated {first} to {last}); they are held flat outside those months"
            ),
            stacklevel=3,
        )
