"""Uncertain parameters: every numeric schema leaf with a plausible range, selected by name or glob."""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from typing import Any

import annotated_types as at
from pydantic import BaseModel

from ..errors import UserError
from ..scenario import Scenario
from .params import table_of


@dataclass(frozen=True)
class Uncertain:
    """One uncertain parameter: its path, value in the scenario, prior range and schema bounds."""

    path: str
    value: float
    low: float
    high: float
    integer: bool
    bounds: tuple[float, float]  # what the schema allows (closed; +-inf when open)
    source: str = ""

    @property
    def width(self) -> float:
        return self.high - self.low


def _field(path: str) -> Any:
    """The pydantic FieldInfo of a dotted scenario path."""
    model: Any = Scenario
    info = None
    for part in path.split("."):
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            raise UserError(f"{path}: not a scenario parameter")
        info = fields[part]
        ann = info.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return info


def schema_bounds(path: str) -> tuple[float, float]:
    """The closed interval a field's ``ge/gt/le/lt`` constraints allow (gt/lt as ge/le)."""
    lo, hi = -math.inf, math.inf
    for m in getattr(_field(path), "metadata", []):
        if isinstance(m, at.Ge | at.Gt):
            lo = max(lo, float(m.ge if isinstance(m, at.Ge) else m.gt))
        elif isinstance(m, at.Le | at.Lt):
            hi = min(hi, float(m.le if isinstance(m, at.Le) else m.lt))
    return lo, hi


def is_integer(path: str) -> bool:
    return _field(path).annotation is int


def uncertain(scenario: Scenario | None = None) -> list[Uncertain]:
    """Every numeric leaf of the schema that has a plausible range, in schema order.

    Fields that the scenario's timeline sets are left out: they are dated policy, not uncertain
    constants, and a value sampled for them would be undone by the event (and is refused).
    """
    sc = scenario or Scenario()
    timed = {path for ev in sc.timeline for path in ev.set}
    rows = []
    for p in table_of(sc):
        if any(p.path == t or p.path.startswith(f"{t}.") for t in timed):
            continue
        if p.plausible is None or isinstance(p.value, bool):
            continue
        if not isinstance(p.value, int | float):
            continue
        lo, hi = float(p.plausible[0]), float(p.plausible[1])
        if not lo < hi:
            continue  # a point "range" is a fixed value, not an uncertainty
        rows.append(
            Uncertain(
                p.path, float(p.value), lo, hi, is_integer(p.path), schema_bounds(p.path), p.source
            )
        )
    return rows


def select(
    patterns: list[str] | None = None,
    ranges: dict[str, tuple[float, float] | list[float]] | None = None,
    scenario: Scenario | None = None,
    origin: str = "spec",
) -> list[Uncertain]:
    """The parameters named by ``patterns`` (names or globs; default all), ranges overridden.

    ``ranges`` may narrow or widen a prior (and name a parameter that has no plausible range yet),
    but never beyond what the schema allows. Every pattern must match something.
    """
    every = {u.path: u for u in uncertain(scenario)}
    chosen: dict[str, Uncertain] = {}
    for i, pat in enumerate(patterns if patterns is not None else ["*"]):
        hits = [p for p in every if fnmatch.fnmatchcase(p, pat)]
        if not hits:
            near = [p for p in every if pat.split(".")[0] in p][:5]
            hint = f"; e.g. {', '.join(near)}" if near else "; see `allegiance params`"
            raise UserError(
                f"{origin}: parameters[{i}]: {pat!r} matches no parameter with a plausible range{hint}"
            )
        for p in hits:
            chosen[p] = every[p]
    for path, rng in (ranges or {}).items():
        where = f"{origin}: ranges.{path}"
        try:
            bounds = schema_bounds(path)
            integer = is_integer(path)
        except UserError:
            raise UserError(
                f"{where}: not a scenario parameter (see `allegiance params`)"
            ) from None
        if len(rng) != 2 or not float(rng[0]) < float(rng[1]):
            raise UserError(f"{where}: give [low, high] with low < high (got {list(rng)})")
        lo, hi = float(rng[0]), float(rng[1])
        if lo < bounds[0] or hi > bounds[1]:
            raise UserError(
                f"{where}: [{lo:g}, {hi:g}] goes outside what the schema allows "
                f"[{bounds[0]:g}, {bounds[1]:g}]"
            )
        old = every.get(path)
        value = old.value if old else math.nan
        source = old.source if old else "range set in the spec"
        chosen[path] = Uncertain(path, value, lo, hi, integer, bounds, source)
    if not chosen:
        raise UserError(f"{origin}: parameters: no parameter selected")
    return list(chosen.values())
