"""The ODD+D document stays true to the code: every mechanism, parameter and timeline event in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from allegiance.analysis import REFERENCE_SCENARIO, params

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
MECHANISMS = sorted(
    p.stem
    for p in (ROOT / "src" / "allegiance" / "mechanisms").glob("*.py")
    if p.stem != "__init__"
)


@pytest.fixture(scope="module")
def text() -> str:
    return ODD.read_text(encoding="utf-8")


def test_odd_has_the_odd_d_sections_in_order(text: str) -> None:
    headings = [
        "Purpose and patterns",
        "Entities, state variables and scales",
        "Process overview and scheduling",
        "Design concepts",
        "Initialization",
        "Input data",
        "Submodels",
    ]
    found = [re.search(rf"^## (\d+\. )?{h}$", text, flags=re.MULTILINE) for h in headings]
    positions = [m.start() if m else -1 for m in found]
    assert all(p >= 0 for p in positions), [
        h for h, p in zip(headings, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions)


@pytest.mark.parametrize("module", MECHANISMS)
def test_every_mechanism_module_is_described(text: str, module: str) -> None:
    assert f"mechanisms/{module}.py" in text, (
        f"docs/ODD.md does not describe mechanisms/{module}.py"
    )


def test_every_scenario_parameter_is_in_the_odd(text: str) -> None:
    missing = [p for p in params.leaf_paths() if f"`{p}`" not in text]
    assert not missing, f"docs/ODD.md lacks: {', '.join(missing)}"


def test_the_embedded_parameter_table_lists_exactly_the_schema(text: str) -> None:
    assert params.BEGIN in text and params.END in text
    table = text.split(params.BEGIN, 1)[1].split(params.END, 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_.]+)` \|", table, flags=re.MULTILINE)
    assert rows == params.leaf_paths(), "regenerate: allegiance params --embed docs/ODD.md"


def test_every_timeline_event_of_the_reference_is_in_the_odd(text: str) -> None:
    events = yaml.safe_load(REFERENCE_SCENARIO.read_text(encoding="utf-8")).get("timeline", [])
    missing = [e["id"] for e in events if e.get("id") and f"`{e['id']}`" not in text]
    assert not missing, f"docs/ODD.md lacks timeline events: {', '.join(missing)}"


def test_every_people_state_variable_is_in_the_odd(text: str) -> None:
    from dataclasses import fields

    from allegiance.people import People

    missing = [f.name for f in fields(People) if f"`{f.name}`" not in text]
    assert not missing, f"docs/ODD.md lacks state variables: {', '.join(missing)}"
