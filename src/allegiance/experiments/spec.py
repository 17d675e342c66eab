"""The sweep spec: a base scenario, factors, a design, replicates, a seed and named outcomes."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .. import limits
from ..errors import UserError
from ..hints import did_you_mean
from ..scenario import parse_override
from ..yamlfile import read_mapping

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _plain_level(v: Any, depth: int = 0) -> bool:
    """Numbers (finite), text, true/false, null, and lists or mappings of them: what JSON holds."""
    if v is None or isinstance(v, bool | int | str):
        return True
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, list) and depth < 3:
        return all(_plain_level(x, depth + 1) for x in v)
    if isinstance(v, dict) and depth < 3:
        return all(isinstance(k, str) and _plain_level(x, depth + 1) for k, x in v.items())
    return False


class Factor(BaseModel):
    """One uncertain input: a continuous ``range: [lo, hi]`` or discrete ``levels: [...]``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    range: tuple[float, float] | None = None
    levels: list[Any] | None = None
    steps: int | None = Field(None, ge=2, le=1000)
    integer: bool | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Factor:
        if (self.range is None) == (self.levels is None):
            raise ValueError("give exactly one of 'range: [lo, hi]' or 'levels: [...]'")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [lo, hi] with lo < hi (got {list(self.range)})")
        if self.levels is not None and not self.levels:
            raise ValueError("levels must list at least one value")
        for i, v in enumerate(self.levels or []):
            if not _plain_level(v):
                raise ValueError(
                    f"levels[{i}]: a level is a finite number, text, true/false, or a list or "
                    f"mapping of those (got {type(v).__name__} {str(v)[:40]!r})"
                )
        if self.steps is not None and self.levels is not None:
            raise ValueError("'steps' goes with 'range', not with 'levels'")
        return self


class SweepSpec(BaseModel):
    """A sweep: every design point is run ``replicates`` times with seeds from ``seed``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = "sweep"
    description: str = ""
    base: str | None = None
    overrides: list[str] = Field(default_factory=list)
    drop_events: list[str] = Field(default_factory=list)
    factors: dict[str, Factor] = Field(default_factory=dict)
    design: Literal["factorial", "lhs", "sobol", "morris"] = "factorial"
    samples: int = Field(16, ge=1, le=10_000_000)
    second_order: bool = False
    replicates: int = Field(1, ge=1, le=100_000)
    seed: int = Field(0, ge=0, lt=2**63)
    outcomes: list[str] = Field(default_factory=lambda: ["peak_members", "exits_total"])
    task: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        # the name becomes the folder out/sweeps/NAME: no separators, no '..', no hidden names
        if not NAME_RE.match(v):
            raise ValueError(
                "not a folder name: use letters, digits, '.', '-' and '_', "
                "starting with a letter or digit (at most 100)"
            )
        return v

    @field_validator("outcomes")
    @classmethod
    def _outcomes(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("name at least one outcome")
        if len(set(v)) != len(v):
            raise ValueError("each outcome may be named only once")
        return v

    @field_validator("task")
    @classmethod
    def _task(cls, v: str | None) -> str | None:
        if v is not None and ":" not in v:
            raise ValueError(f"expected 'module:function' (got {v!r})")
        return v

    @model_validator(mode="after")
    def _needs_base(self) -> SweepSpec:
        if self.base is None and self.task is None:
            raise ValueError("base: name the scenario file the sweep starts from")
        if self.design != "factorial" and not self.factors:
            raise ValueError(f"design {self.design!r} needs at least one factor")
        if self.design in ("sobol", "morris"):
            for path, f in self.factors.items():
                if f.range is None and len(f.levels or []) < 2:
                    raise ValueError(f"factors.{path}: {self.design} needs a range or 2+ levels")
        return self

    def hash(self) -> str:
        """A short stable digest of everything that decides the runs and their results.

        The base enters by its content (the resolved scenario), not by its path, so a sweep
        folder moved with its spec and base still resumes, and an edited base does not.
        """
        data = self.model_dump(mode="json")
        if self.base is not None and Path(self.base).is_file():
            data["base"] = _base_digest(self.base)
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _base_digest(base: str) -> str:
    import warnings

    from ..errors import ScenarioWarning
    from ..scenario import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        try:
            text = load(base).model_dump_json()
        except UserError:  # an invalid base is refused elsewhere; its bytes still identify it
            text = Path(base).read_text(encoding="utf-8", errors="replace")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in str(part):
            out += f"[{str(part)!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "spec"


def _format(err: ValidationError, origin: str) -> str:
    first = err.errors()[0]
    loc = _loc(tuple(p for p in first["loc"] if p not in ("function-after",)))
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        model: type[BaseModel] = Factor if first["loc"][:1] == ("factors",) else SweepSpec
        msg = f"unknown key; allowed: {', '.join(model.model_fields)}"
    elif first["type"] == "literal_error":
        msg = f"{msg} (got {first.get('input')!r})"
    elif (
        "input" in first
        and first["type"] not in ("missing",)
        and not isinstance(first["input"], dict)
    ):
        msg = f"{msg} (got {first['input']!r})"[:300]
    return f"{origin}: {loc}: {msg}"


def from_dict(data: dict[str, Any], origin: str = "spec", root: Path | None = None) -> SweepSpec:
    """Validate a spec from plain data; a relative ``base`` is resolved against ``root``."""
    from .outcomes import OUTCOMES

    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        raise UserError(_format(err, origin)) from None
    for path in spec.factors if spec.task is None else ():
        try:
            parse_override(f"{path}=0")
        except UserError as err:
            raise UserError(f"{origin}: factors: {err}") from None
    for i, text in enumerate(spec.overrides):
        try:
            parse_override(text)
        except UserError as err:
            raise UserError(f"{origin}: overrides[{i}]: {err}") from None
    if spec.task is None:
        for i, name in enumerate(spec.outcomes):
            if name not in OUTCOMES:
                raise UserError(
                    f"{origin}: outcomes[{i}]: unknown outcome {name!r}"
                    f"{did_you_mean(name, OUTCOMES)}; allowed: {', '.join(OUTCOMES)}"
                )
    if spec.base is not None and root is not None and not Path(spec.base).is_absolute():
        spec = spec.model_copy(update={"base": str((root / spec.base).resolve())})
    if spec.base is not None and not Path(spec.base).is_file():
        raise UserError(f"{origin}: base: no such scenario file {spec.base!r}")
    levels = [
        len(f.levels) if f.levels is not None else (f.steps or 3) for f in spec.factors.values()
    ]
    points = limits.design_points(spec.design, levels, spec.samples, spec.second_order)
    limits.check_runs(points, spec.replicates, f"{origin}")
    if spec.base is not None and spec.task is None:
        _check_base(spec, origin)
    return spec


def _check_base(spec: SweepSpec, origin: str) -> None:
    """Load the base with the overrides and each factor's levels or range ends, before any run.

    A base that fails, or a factor value the scenario refuses, would otherwise fail every run
    (or some of them) while the sweep exits 0.
    """
    from ..scenario import load
    from .design import is_integer_field
    from .tasks import point_overrides

    assert spec.base is not None
    drop = list(spec.drop_events) or None
    try:
        load(spec.base, list(spec.overrides), drop)
    except UserError as err:
        raise UserError(f"{origin}: base: {err}") from None
    for path, f in spec.factors.items():
        if f.levels is not None:
            values = list(f.levels[:20])
        else:
            lo, hi = f.range  # type: ignore[misc]
            integer = f.integer if f.integer is not None else is_integer_field(path)
            values = [round(lo), round(hi)] if integer else [lo, hi]
        for v in values:
            try:
                load(spec.base, [*spec.overrides, *point_overrides({path: v})], drop)
            except UserError as err:
                raise UserError(f"{origin}: factors.{path} = {v!r}: {err}") from None


def load_spec(path: str | Path, drop_events: list[str] | None = None) -> SweepSpec:
    """Read and validate a sweep spec YAML file; ``drop_events`` adds to the spec's own."""
    p = Path(path)
    data = read_mapping(p, "sweep spec")
    if drop_events:
        own = data.get("drop_events") or []
        data = {**data, "drop_events": [*own, *drop_events] if isinstance(own, list) else own}
    return from_dict(data, origin=str(p), root=p.parent)
