"""The parameter table: every scenario parameter with its value, unit, plausible range and source."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..scenario import Scenario, resolve
from .markers import replace_between

# Fields that describe the run rather than parametrise a mechanism.
SKIP = ("name", "description", "timeline")
RUN_WINDOW_SOURCE = (
    "seed: the story runs from the 2014 joining wave to the 2016 exits (Revkin & Mhidi 2016)"
)
NESTED_UNITS = {
    "base": "per month",
    "effect": "log-effect",
    "effect2": "log-effect",
    "a": "Beta shape a",
    "b": "Beta shape b",
}


@dataclass(frozen=True)
class Param:
    """One row of the parameter table."""

    path: str
    value: Any
    unit: str
    plausible: tuple[float, float] | None
    source: str

    @property
    def assumption(self) -> bool:
        """True when the source says this is a modelling assumption."""
        return self.source.lower().startswith("assumption")

    @property
    def outside(self) -> bool:
        """True when a numeric value lies outside its plausible range."""
        if (
            self.plausible is None
            or isinstance(self.value, bool)
            or not isinstance(self.value, int | float)
        ):
            return False
        lo, hi = self.plausible
        return not lo <= self.value <= hi

    @property
    def basis(self) -> str:
        """Where the value comes from: 'seed' only where the article gives the number.

        'seed', 'published', 'assumption' or 'calibrated', and 'seed + assumption' /
        'seed + calibrated' (and the same for 'published') when a sourced fact is sized by an
        assumption or by calibration.
        """
        src = self.source.lower()
        if self.assumption:
            return "assumption"
        if src.startswith("calibrated"):
            return "calibrated"
        kind = "seed" if src.startswith("seed") else "published"
        if "calibrated" in src:
            return f"{kind} + calibrated"
        if "assumption" in src:
            return f"{kind} + assumption"
        return kind


def _extra(model: type[BaseModel], name: str) -> dict[str, Any]:
    extra = model.model_fields[name].json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def _submodel(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    ann = model.model_fields[name].annotation
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def leaf_paths(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """Dotted paths of the schema's leaves: every parameter a scenario can set.

    A nested model without its own metadata (``population.age``) is a section and is walked;
    one with metadata (a ``Hazard`` or ``Beta``) is a parameter whose fields are its leaves.
    """
    out: list[str] = []
    for name in model.model_fields:
        if not prefix and name in SKIP:
            continue
        path = f"{prefix}{name}"
        sub = _submodel(model, name)
        if sub is not None:
            out += leaf_paths(sub, f"{path}.")
        else:
            out.append(path)
    return out


def _fmt_series(value: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:g}"
    if isinstance(value, dict):
        return _fmt_series(value)
    return str(value)


def _rows(
    model: type[BaseModel], data: dict[str, Any], prefix: str, inherited: dict[str, Any]
) -> list[Param]:
    rows: list[Param] = []
    for name in model.model_fields:
        if not prefix and name in SKIP:
            continue
        path = f"{prefix}{name}"
        value = data.get(name)
        extra = _extra(model, name) or {}
        sub = _submodel(model, name)
        if sub is not None:
            # a section passes nothing down; a parameter-valued model (Hazard) passes its source
            rows += _rows(sub, value or {}, f"{path}.", extra or inherited)
            continue
        meta = extra or {}
        unit = meta.get("unit")
        source = meta.get("source")
        if not meta and inherited:
            unit = NESTED_UNITS.get(name, inherited.get("unit", ""))
            source = inherited.get("source", "")
        if not prefix and name in ("start", "end"):
            unit, source = "YYYY-MM", RUN_WINDOW_SOURCE
        plausible = meta.get("plausible") or (
            None if extra else inherited.get("plausible_fields", {}).get(name)
        )
        rows.append(
            Param(
                path=path,
                value=value,
                unit=str(unit or ""),
                plausible=tuple(plausible) if plausible else None,
                source=str(source or ""),
            )
        )
    return rows


def table_of(scenario: Scenario) -> list[Param]:
    """All parameters of ``scenario`` in schema order, nested hazards with their parent's source."""
    return _rows(Scenario, scenario.model_dump(), "", {})


def timeline_rows(scenario: Scenario) -> list[Param]:
    """Dated changes of the timeline, one row per field set, sourced by the event's note."""
    rows = []
    for ev in scenario.timeline:
        for path, value in ev.set.items():
            rows.append(Param(f"{ev.month} {path}", value, "from this month", None, ev.note))
    return rows


def _range(p: Param) -> str:
    if not p.plausible:
        return ""
    text = f"{_fmt(p.plausible[0])}–{_fmt(p.plausible[1])}"
    return f"{text} (value outside!)" if p.outside else text


def _source(p: Param) -> str:
    return (
        f"ASSUMPTION — {p.source[len('assumption') :].lstrip(':; ')}" if p.assumption else p.source
    )


def to_markdown(rows: list[Param], timeline: list[Param] | None = None) -> str:
    """A Markdown table (for docs/ODD.md)."""

    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| parameter | value | unit | plausible | basis | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in rows:
        lines.append(
            f"| `{p.path}` | {esc(_fmt(p.value))} | {esc(p.unit)} | {_range(p)} | {p.basis} "
            f"| {esc(_source(p))} |"
        )
    if timeline:
        lines += ["", "| timeline change | value | source |", "|---|---|---|"]
        for p in timeline:
            lines.append(f"| `{p.path}` | {esc(_fmt(p.value))} | {esc(p.source)} |")
    return "\n".join(lines) + "\n"


def to_csv(rows: list[Param], timeline: list[Param] | None = None) -> str:
    """CSV with columns name, value, unit, plausible_lo, plausible_hi, assumption, source."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "value", "unit", "plausible_lo", "plausible_hi", "basis", "source"])
    for p in rows + (timeline or []):
        lo, hi = p.plausible or ("", "")
        w.writerow([p.path, _fmt(p.value), p.unit, lo, hi, p.basis, p.source])
    return buf.getvalue()


def print_table(rows: list[Param], timeline: list[Param], title: str) -> None:
    """A rich table on the terminal; modelling assumptions flagged in yellow."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for col in ("parameter", "value", "unit", "plausible", "basis", "source"):
        t.add_column(col, overflow="fold")
    for p in rows:
        style = "yellow" if p.assumption else None
        t.add_row(p.path, _fmt(p.value), p.unit, _range(p), p.basis, _source(p), style=style)
    for p in timeline:
        t.add_row(p.path, _fmt(p.value), p.unit, "", "timeline", p.source, style="cyan")
    console = Console()
    if not console.is_terminal:  # files and pipes: wide enough to read without folding
        console = Console(width=170)
    console.print(t)
    n_assume = sum(p.assumption for p in rows)
    console.print(
        f"{len(rows)} parameters, {n_assume} marked as modelling assumptions (yellow); "
        f"{len(timeline)} dated changes (cyan)."
    )


BEGIN = "<!-- params:begin (generated by `allegiance params --format markdown`; do not edit) -->"
END = "<!-- params:end -->"


def embed(doc: str | Path, scenario: Scenario | str | Path) -> Path:
    """Replace the table between the params markers of a Markdown file with a fresh one."""
    sc = resolve(scenario)
    return replace_between(doc, BEGIN, END, to_markdown(table_of(sc), timeline_rows(sc)))


def render(scenario: Scenario | str | Path, fmt: str = "table") -> str | None:
    """Print (fmt='table') or return the table as 'csv' or 'markdown'."""
    sc = resolve(scenario)
    rows, tl = table_of(sc), timeline_rows(sc)
    if fmt == "csv":
        return to_csv(rows, tl)
    if fmt == "markdown":
        return to_markdown(rows, tl)
    print_table(rows, tl, f"Parameters of {sc.name}")
    return None
