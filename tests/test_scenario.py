"""Scenario files: loading, overrides, inheritance and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from allegiance import UserError, load
from allegiance.scenario import Scenario, from_dict, parse_override
from helpers import REFERENCE, reference


def test_reference_loads_with_the_seed_pay_schedule() -> None:
    sc = reference()
    pay = sc.organization.pay
    assert (pay.base, pay.per_wife, pay.per_parent, pay.per_child) == (50, 50, 50, 35)
    assert sc.months[0] == "2013-06" and sc.months[-1] == "2017-12"
    assert len(sc.months) == 55


def test_timeline_changes_policy_from_its_month_on() -> None:
    sc = reference()
    assert sc.at("2015-10").organization.training.bootcamp_days == 30
    assert sc.at("2015-11").organization.training.bootcamp_days == 0
    assert sc.at("2015-10").organization.redeployment.iraq_rate > 0
    assert sc.at("2015-09").organization.redeployment.iraq_rate == 0


def test_override_sets_a_nested_field() -> None:
    sc = load(REFERENCE, ["organization.pay.base=40", "population.size=1000"])
    assert sc.organization.pay.base == 40
    assert sc.population.size == 1000


def test_scenario_is_immutable() -> None:
    with pytest.raises(Exception, match="frozen"):
        reference().population.size = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"population": {"size": -5}}, "population.size: Input should be greater than 0"),
        (
            {"population": {"sise": 5}},
            "population.sise: unknown key (did you mean 'size'?); allowed: size, real_size",
        ),
        ({"population": {"size": "many"}}, "population.size: Input should be a valid integer"),
        ({"environment": {"unemployment": 1.5}}, "environment.unemployment"),
        ({"start": "2015-13"}, "start"),
        (
            {"timeline": [{"month": "2015-01", "set": {"organization.pay.nope": 1}}]},
            "timeline event of 2015-01: set.organization.pay.nope",
        ),
        (
            {"timeline": [{"month": "2015-01", "set": {"organization.pay.factor": 2}}]},
            "organization.pay.factor",
        ),
    ],
)
def test_bad_values_name_the_field(data: dict, needle: str) -> None:
    with pytest.raises(UserError) as err:
        from_dict(data, origin="s.yaml")
    msg = str(err.value)
    assert needle in msg
    assert "\n" not in msg


def test_unknown_override_path_lists_what_is_allowed() -> None:
    with pytest.raises(
        UserError,
        match=r"unknown field 'bse' in organization.pay \(did you mean 'base'\?\); allowed: base",
    ):
        parse_override("organization.pay.bse=3")
    with pytest.raises(UserError, match="expected PATH=VALUE"):
        parse_override("organization.pay.base")


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such scenario file"):
        load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("population: {size: 3\nname: [", encoding="utf-8")
    with pytest.raises(UserError, match="broken YAML at line"):
        load(bad)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n", encoding="utf-8")
    with pytest.raises(UserError, match="must be a mapping"):
        load(scalar)


def test_extends_and_drop_events(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {REFERENCE}\ndrop_events: [redeployment-iraq]\nname: no-cut\npopulation: {{size: 5000}}\n",
        encoding="utf-8",
    )
    sc = load(child)
    assert sc.name == "no-cut" and sc.population.size == 5000
    assert sc.population.real_size == reference().population.real_size  # inherited
    assert sc.at("2016-06").organization.redeployment.iraq_rate == 0
    assert sc.at("2016-06").organization.training.bootcamp_days == 0  # other events kept
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(f"extends: {REFERENCE}\ndrop_events: [no-such-event]\n", encoding="utf-8")
    with pytest.raises(UserError, match="no event with id 'no-such-event'"):
        load(wrong)


def test_every_parameter_states_unit_and_source() -> None:
    """Evidence promise: each scalar parameter carries a unit and a source in the schema."""
    from pydantic import BaseModel

    missing = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            ann = field.annotation
            nested = isinstance(ann, type) and issubclass(ann, BaseModel)
            if nested and ann.__name__ not in ("Hazard", "Beta"):
                walk(ann, f"{prefix}{name}.")
                continue
            if model.__name__ in ("Scenario", "TimelineEvent", "Hazard", "Beta"):
                continue
            extra = field.json_schema_extra or {}
            if not (isinstance(extra, dict) and extra.get("unit") and extra.get("source")):
                missing.append(prefix + name)

    walk(Scenario, "")
    assert not missing, missing


def test_a_child_series_replaces_the_parent_series_whole(tmp_path: Path) -> None:
    from allegiance.world import series_at

    child = tmp_path / "closed.yaml"
    child.write_text(
        f'extends: {REFERENCE}\nenvironment:\n  border_openness: {{"2015-01": 0.05}}\n',
        encoding="utf-8",
    )
    sc = load(child)
    assert sc.environment.border_openness == {"2015-01": 0.05}
    assert series_at(sc.environment.border_openness, "2017-01") == 0.05
    assert sc.environment.territory_km2 == reference().environment.territory_km2  # others inherited


def test_a_partly_given_parameter_keeps_the_rest_of_its_own_default_every_time() -> None:
    # the hazard type's own default effect is 1.0; the ideology motive's default is 5.0
    for _ in range(2):  # the dumped defaults are kept between validations: never written to
        sc = from_dict({"joining": {"ideology": {"base": 0.001}}}, origin="t")
        assert sc.joining.ideology.base == 0.001
        assert sc.joining.ideology.effect == Scenario().joining.ideology.effect == 5.0
        assert sc.leaving.losing == Scenario().leaving.losing
