"""Sweep spec validation: good specs load, bad ones give one line naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from allegiance.errors import UserError
from allegiance.experiments.spec import load_spec


def write(tmp_path: Path, data: dict) -> Path:
    (tmp_path / "base.yaml").write_text("name: base\n")
    p = tmp_path / "spec.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


GOOD = {
    "name": "s",
    "base": "base.yaml",
    "factors": {"organization.pay.factor": {"range": [0.5, 1.0]}},
    "design": "lhs",
    "samples": 4,
    "replicates": 2,
    "outcomes": ["peak_members", "exits_2016_pay"],
}


def test_good_spec_loads_and_resolves_base(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.design == "lhs"
    assert Path(spec.base).is_absolute() and Path(spec.base).name == "base.yaml"
    assert spec.factors["organization.pay.factor"].range == (0.5, 1.0)


def test_hash_changes_with_content(tmp_path: Path) -> None:
    a = load_spec(write(tmp_path, GOOD))
    b = load_spec(write(tmp_path, {**GOOD, "replicates": 3}))
    assert a.hash() != b.hash()
    assert a.hash() == load_spec(write(tmp_path, GOOD)).hash()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"desing": "lhs"}, "desing: unknown key"),
        ({"design": "grid"}, "design:"),
        ({"replicates": 0}, "replicates:"),
        ({"outcomes": ["peak_members", "nonsense"]}, "outcomes[1]: unknown outcome 'nonsense'"),
        ({"factors": {"organization.pay.fctor": {"range": [0, 1]}}}, "organization.pay.fctor"),
        ({"factors": {"organization.pay.factor": {"range": [1, 0.5]}}}, "lo < hi"),
        ({"factors": {"organization.pay.factor": {"rnage": [0, 1]}}}, "rnage: unknown key"),
        ({"factors": {"organization.pay.factor": {"range": [0, 1], "levels": [1]}}}, "exactly one"),
        ({"base": "missing.yaml"}, "base: no such scenario file"),
        ({"overrides": ["population.sise=3"]}, "overrides[0]"),
        ({"samples": "many"}, "samples:"),
    ],
)
def test_bad_spec_one_line_naming_field(tmp_path: Path, change: dict, expected: str) -> None:
    with pytest.raises(UserError) as info:
        load_spec(write(tmp_path, {**GOOD, **change}))
    msg = str(info.value)
    assert expected in msg
    assert "\n" not in msg
    assert str(tmp_path / "spec.yaml") in msg


def test_not_a_mapping_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "spec.yaml"
    p.write_text("- a\n- b\n")
    with pytest.raises(UserError, match="must be a mapping"):
        load_spec(p)
    with pytest.raises(UserError, match="no such sweep spec"):
        load_spec(tmp_path / "nope.yaml")
    p.write_text("factors: {a: [\n")
    with pytest.raises(UserError, match="broken YAML"):
        load_spec(p)
