"""The explorer's controls, generated from the scenario schema, and the setting they make."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from ..analysis.params import table_of
from ..errors import UserError
from ..scenario import MONTH_RE, Scenario, from_dict

# The levers the issue names, grouped as the page shows them. Only the paths are listed here:
# label, unit, plausible range, source, type and bounds all come from the schema.
GROUPS: dict[str, tuple[str, ...]] = {
    "Pay": (
        "organization.pay.factor",
        "organization.pay.payroll_share",
        "organization.pay.foreign_premium",
    ),
    "Training": ("organization.training.sharia_days", "organization.training.bootcamp_days"),
    "Children": ("organization.children.rate", "organization.children.min_age"),
    "Executions and enforcement": (
        "organization.enforcement.intensity",
        "organization.enforcement.execute_share",
    ),
    "Redeployment orders": (
        "organization.redeployment.iraq_rate",
        "organization.redeployment.fsa_rate",
    ),
    "Ways out": ("environment.border_openness", "environment.exit_welcome"),
    "Rival groups' pay": (
        "environment.fsa_pay_usd",
        "environment.army_pay_usd",
        "environment.nusra_pay_usd",
    ),
    "War and money": ("environment.military_pressure", "environment.revenue_usd"),
}
SHARE_SERIES = ("environment.border_openness", "environment.exit_welcome")
"""Series the schema bounds to 0-1 (its series validator, not a Field bound)."""
SOFT_SPAN = (
    3.0  # without a schema bound, a slider reaches this many times the larger of value/range
)


@dataclass(frozen=True)
class Lever:
    """One control: a schema leaf, how it is moved, and what the hover text says."""

    path: str
    label: str
    kind: str  # 'float', 'int', 'bool', or 'scale' (a multiplier of a month-by-month series)
    value: float  # the setting's value (for 'scale', 1 = the series as the scenario has it)
    lo: float
    hi: float
    step: float
    unit: str
    plausible: tuple[float, float] | None
    source: str

    @property
    def hover(self) -> str:
        """Unit, plausible range and source, for the control's tooltip."""
        rng = f"{self.plausible[0]:g} to {self.plausible[1]:g}" if self.plausible else "not given"
        unit = f"× the scenario's series ({self.unit})" if self.kind == "scale" else self.unit
        return f"{self.path}. Unit: {unit}. Plausible: {rng}. Source: {self.source}"


def _field(path: str) -> Any:
    model: Any = Scenario
    field = None
    for part in path.split("."):
        field = model.model_fields[part]
        model = field.annotation
    return field


def _bounds(path: str) -> tuple[float | None, float | None]:
    """The schema's hard bounds (ge/gt, le/lt) of a field, None where it has none."""
    lo = hi = None
    for m in _field(path).metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        hi = getattr(m, "lt", None) if getattr(m, "lt", None) is not None else hi
    return lo, hi


def _nice_step(span: float, integer: bool) -> float:
    if integer:
        return 1.0
    raw = span / 100 if span > 0 else 0.01
    exp = math.floor(math.log10(raw))
    return float(f"{10**exp:.0e}")


def _label(path: str) -> str:
    parent, name = path.split(".")[-2:]
    return f"{parent} {name}".replace("_", " ")


def lever(path: str, scenario: Scenario) -> Lever:
    """The control for one schema leaf, its range from the schema and the plausible range."""
    rows = {p.path: p for p in table_of(scenario)}
    if path not in rows:
        raise UserError(f"explore: {path} is not a scenario parameter")
    p = rows[path]
    value = p.value
    if isinstance(value, bool):
        return Lever(path, _label(path), "bool", float(value), 0, 1, 1, p.unit, None, p.source)
    if isinstance(value, dict):
        # a series given month by month: the lever scales it, keeping its shape; a share stays
        # a share (the schema's series check bounds these to 0-1)
        top = max(value.values()) if path in SHARE_SERIES else 0.0
        hi = round(1.0 / top, 2) if top > 0 else 3.0
        return Lever(path, _label(path), "scale", 1.0, 0.0, hi, 0.05, p.unit, None, p.source)
    integer = _field(path).annotation is int
    lo, hi = _bounds(path)
    top = max(abs(float(value)), p.plausible[1] if p.plausible else 0.0) or 1.0
    soft_hi = SOFT_SPAN * top
    lo = float(lo) if lo is not None else min(0.0, float(value))
    hi = min(float(hi), soft_hi) if hi is not None else soft_hi
    if path in SHARE_SERIES:
        hi = 1.0
    hi = float(f"{hi:.6g}")
    step = _nice_step(hi - lo, integer)
    if integer:
        hi = float(math.ceil(hi))
    if any(getattr(m, "gt", None) is not None for m in _field(path).metadata):
        # a strict lower bound (e.g. a payroll share above 0): the slider starts one step above it
        lo = float(f"{lo + step:.6g}")
    return Lever(
        path, _label(path), "int" if integer else "float", float(value), lo, hi, step,
        p.unit, p.plausible, p.source,
    )  # fmt: skip


def levers(scenario: Scenario) -> dict[str, list[Lever]]:
    """All controls of the page, by group, with the values of ``scenario``."""
    return {g: [lever(path, scenario) for path in paths] for g, paths in GROUPS.items()}


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _value(lv: Lever, current: Any, x: float) -> Any:
    """The field's new value: a number, a bool, or the series scaled by ``x``."""
    if lv.kind == "bool":
        return bool(x)
    if lv.kind == "int":
        return round(x)
    if lv.kind == "scale":
        if isinstance(current, dict):
            return {m: float(v) * x for m, v in current.items()}
        return float(current) * x
    return float(x)


@dataclass(frozen=True)
class Setting:
    """What the user asked for: lever values, the month each applies from, events kept or moved."""

    values: dict[str, float]  # path -> control value (only levers the user moved)
    from_month: dict[str, str]  # path -> 'YYYY-MM' where a moved lever starts (else the start)
    events: dict[str, str | None]  # event id -> its month, or None to drop it (absent: unchanged)


def setting_scenario(base: Scenario, setting: Setting, size: int) -> tuple[Scenario, list[str]]:
    """The complete scenario of a setting (validated by the schema) and notes for the page.

    A moved lever replaces the field for the whole run (or from its month, as a dated event of
    the setting). An event of ``base`` that sets the same field is dropped, so the lever really
    applies; each drop is named in the notes.
    """
    data = base.model_dump(mode="json", exclude_computed_fields=True)
    data["population"]["size"] = int(size)
    notes: list[str] = []
    timeline: list[dict[str, Any]] = copy.deepcopy(data.get("timeline") or [])
    for ev in timeline:
        if ev.get("id") in setting.events:
            month = setting.events[ev["id"]]
            ev["month"] = month
            notes.append(
                f"event {ev['id']!r} " + ("left out" if month is None else f"moved to {month}")
            )
    timeline = [ev for ev in timeline if ev.get("month") is not None]
    every = {lv.path: lv for group in levers(base).values() for lv in group}
    added: list[dict[str, Any]] = []
    for path, x in setting.values.items():
        lv = every.get(path)
        if lv is None:
            raise UserError(f"explore: {path} is not one of the explorer's levers")
        new = _value(lv, _get(data, path), x)
        month = setting.from_month.get(path) or ""
        if month and not MONTH_RE.match(month):
            raise UserError(f"{path}: from month {month!r} is not like '2015-11'")
        for ev in timeline:
            if path in ev.get("set", {}):
                notes.append(
                    f"event {ev.get('id') or ev['month']!r} ({ev['month']}) dropped: it also sets "
                    f"{path}, which you moved"
                )
        timeline = [ev for ev in timeline if path not in ev.get("set", {})]
        if month and month > base.start:
            added.append(
                {"id": f"explorer:{path}", "month": month, "note": "set in the explorer",
                 "set": {path: new}}
            )  # fmt: skip
        else:
            _set(data, path, new)
    data["timeline"] = sorted(timeline + added, key=lambda e: str(e["month"]))
    return from_dict(data, origin="setting"), notes


def reference_values(scenario: Scenario) -> dict[str, float]:
    """Each lever's value in ``scenario`` (1 for series scales)."""
    return {lv.path: lv.value for group in levers(scenario).values() for lv in group}


def dump(scenario: Scenario) -> dict[str, Any]:
    """Plain data of a scenario (for tests and downloads)."""
    return scenario.model_dump(mode="json", exclude_computed_fields=True)


__all__ = [
    "GROUPS",
    "Lever",
    "Setting",
    "dump",
    "lever",
    "levers",
    "reference_values",
    "setting_scenario",
]
