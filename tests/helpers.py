"""Shared test helpers: small scenarios that run in a fraction of a second."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from allegiance import Scenario, load
from allegiance.scenario import from_dict

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "syria-2014-2016.yaml"


@cache
def reference() -> Scenario:
    """The reference scenario as shipped."""
    return load(REFERENCE)


def small(
    *overrides: str, size: int = 40_000, end: str = "2016-06", drop: tuple[str, ...] = ()
) -> Scenario:
    """The reference scenario at a coarse resolution (the same world, fewer simulated people).

    ``drop`` names timeline events to leave out: an override of a field that an event also sets
    is refused unless that event is dropped.
    """
    return from_dict(
        reference().model_dump(),
        origin="small",
        overrides=[
            f"population.size={size}",
            f"end={end}",
            *overrides,
        ],
        drop_events=list(drop) or None,
    )
