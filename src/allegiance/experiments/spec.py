"""The sweep spec: a base scenario, factors, a design, replicates, a seed and named outcomes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import UserError
from ..scenario import parse_override
from ..yamlfile import read_mapping


class Factor(BaseModel):
    """One uncertain input: a continuous ``range: [lo, hi]`` or discrete ``levels: [...]``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
        if self.steps is not None and self.levels is not None:
            raise ValueError("'steps' goes with 'range', not with 'levels'")
        return self


class SweepSpec(BaseModel):
    """A sweep: every design point is run ``replicates`` times with seeds from ``seed``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "sweep"
    description: str = ""
    base: str | None = None
    overrides: list[str] = Field(default_factory=list)
    factors: dict[str, Factor] = Field(default_factory=dict)
    design: Literal["factorial", "lhs", "sobol", "morris"] = "factorial"
    samples: int = Field(16, ge=1, le=10_000_000)
    second_order: bool = False
    replicates: int = Field(1, ge=1, le=100_000)
    seed: int = Field(0, ge=0, lt=2**63)
    outcomes: list[str] = Field(default_factory=lambda: ["peak_members", "exits_total"])
    task: str | None = None

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
        """A short stable digest of everything that decides the runs and their results."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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
                    f"{origin}: outcomes[{i}]: unknown outcome {name!r}; allowed: {', '.join(OUTCOMES)}"
                )
    if spec.base is not None and root is not None and not Path(spec.base).is_absolute():
        spec = spec.model_copy(update={"base": str((root / spec.base).resolve())})
    if spec.base is not None and not Path(spec.base).is_file():
        raise UserError(f"{origin}: base: no such scenario file {spec.base!r}")
    return spec


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec YAML file."""
    p = Path(path)
    data = read_mapping(p, "sweep spec")
    return from_dict(data, origin=str(p), root=p.parent)
