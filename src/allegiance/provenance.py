"""Provenance of an output folder: resolved scenario, seed, overrides, version and git commit."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from .scenario import Scenario, from_dict

PROVENANCE_FILE = "provenance.json"
SCENARIO_FILE = "scenario.yaml"
META_KEY = b"allegiance"
"""Key of the provenance JSON in the schema metadata of every Parquet file we write."""

_REPO = Path(__file__).resolve().parents[2]


def version() -> str:
    """The installed package version (the source tree's when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("allegiance")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        from . import __version__

        return __version__


def git_commit() -> str | None:
    """Commit of the source tree the package runs from, '+dirty' if changed; None if unknown."""
    if not (_REPO / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(_REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(_REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head or None


def scenario_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML that ``scenario_from_yaml`` reads back to an equal Scenario."""
    data = scenario.model_dump(mode="json", exclude_computed_fields=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def scenario_from_yaml(text: str, origin: str = "scenario.yaml") -> Scenario:
    """Read a scenario written by ``scenario_yaml``."""
    return from_dict(yaml.safe_load(text), origin=origin)


def record(
    command: str,
    *,
    scenario: Scenario | None = None,
    seed: int | None = None,
    overrides: list[str] | tuple[str, ...] | None = None,
    sources: list[str | Path] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What produced an output: command, scenario, seed, overrides, version, commit, time.

    ``sources`` are the scenario files named on the command line; ``extra`` holds what a command
    adds (replicates, arms, sweep spec). The resolved scenario YAML is under ``scenario_yaml``.
    """
    prov: dict[str, Any] = {
        "command": command,
        "argv": list(sys.argv),
        "allegiance_version": version(),
        "git_commit": git_commit(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "seed": seed,
        "overrides": list(overrides or []),
        "sources": [str(s) for s in sources or []],
        "scenario_name": scenario.name if scenario is not None else None,
    }
    prov.update(extra)
    if scenario is not None:
        prov["scenario_yaml"] = scenario_yaml(scenario)
    return prov


def _atomic_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write(folder: str | Path, prov: dict[str, Any], name: str = PROVENANCE_FILE) -> Path:
    """Write provenance.json (and scenario.yaml when there is a scenario) into ``folder``.

    A command that writes beside others' files (validate, survey) passes its own ``name``,
    e.g. 'survey.provenance.json'; the resolved scenario then stays inside that file only.
    """
    f = Path(folder)
    f.mkdir(parents=True, exist_ok=True)
    if prov.get("scenario_yaml") and name == PROVENANCE_FILE:
        _atomic_text(f / SCENARIO_FILE, prov["scenario_yaml"])
    _atomic_text(f / name, json.dumps(prov, indent=1, default=str) + "\n")
    return f / name


def sidecar(path: str | Path) -> Path:
    """Where the provenance of a single output file goes: validate.csv -> validate.provenance.json."""
    p = Path(path)
    return p.with_name(f"{p.stem}.provenance.json")


def read(folder: str | Path) -> dict[str, Any] | None:
    """The provenance of an output folder: provenance.json, else the Parquet metadata; or None."""
    f = Path(folder)
    path = f / PROVENANCE_FILE
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    for parquet in sorted(f.glob("*.parquet")):
        prov = from_parquet_metadata(parquet)
        if prov is not None:
            return prov
    return None


VOLATILE = ("created", "argv", "resumed")
"""Fields kept out of the Parquet metadata, so the same scenario and seed give the same bytes."""


def to_metadata(prov: dict[str, Any]) -> dict[bytes, bytes]:
    """Provenance as Parquet schema metadata (without the time and the command line)."""
    stable = {k: v for k, v in prov.items() if k not in VOLATILE}
    return {META_KEY: json.dumps(stable, default=str, sort_keys=True).encode("utf-8")}


def from_parquet_metadata(path: str | Path) -> dict[str, Any] | None:
    """The provenance stored in a Parquet file's schema metadata, or None."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(META_KEY)
    return json.loads(raw) if raw else None
