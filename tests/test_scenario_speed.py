"""The quick ways of loading a scenario give what the plain ways give, errors included."""

from __future__ import annotations

import copy
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from allegiance import UserError, limits, load
from allegiance import scenario as sc
from allegiance.scenario import Scenario, from_dict, parse_override
from allegiance.world import calendar
from helpers import REFERENCE, ROOT

SHIPPED = sorted((ROOT / "scenarios").rglob("*.yaml"))
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(a: Any, b: Any, where: str = "") -> None:
    """Equal, and of the same types all the way down (3 and 3.0 differ; so do fields set)."""
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set, where
        assert a.__pydantic_private__ == b.__pydantic_private__, where
        for k in type(a).model_fields:
            same(getattr(a, k), getattr(b, k), f"{where}.{k}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, (where, a, b)


def outcome(f: Any, *args: Any) -> tuple[str, Any]:
    """What ``f(*args)`` gives: ('ok', value) or ('error', the type and message)."""
    try:
        return "ok", f(*args)
    except (UserError, ValidationError) as err:
        return "error", (type(err).__name__, str(err))


def same_outcome(fast: tuple[str, Any], plain: tuple[str, Any]) -> None:
    """Both gave the same value, or both raised the same error."""
    assert fast[0] == plain[0], (fast, plain)
    if fast[0] == "ok":
        same(fast[1], plain[1])
    else:
        assert fast[1] == plain[1]


def shipped(path: Path) -> Scenario:
    """A shipped scenario (their date warnings are not the point here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load(path)


# ------------------------------------------------------------------------ timeline snapshots


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_snapshots_equal_the_plain_way_in_every_month_of_each_shipped_scenario(
    path: Path,
) -> None:
    s = shipped(path)
    plain = s.model_copy(deep=True)  # the same scenario, with no snapshots kept
    for month in s.months:
        same(s.at(month), plain._plain_at(month), f"{path.name} {month}")
    assert [m.policy for m in calendar(s)] == [s._plain_at(m) for m in s.months]


def test_a_later_path_into_a_mapping_an_event_sets_leaves_that_event_as_written() -> None:
    s = from_dict(
        {
            "timeline": [
                {"month": "2015-01", "set": {"organization.pay": {"base": 10.0}}},
                {"month": "2016-01", "set": {"organization.pay.base": 20.0}},
            ]
        }
    )
    assert s.timeline[0].set == {"organization.pay": {"base": 10.0}}
    assert s.at("2015-06").organization.pay.base == 10.0
    assert s.at("2016-06").organization.pay.base == 20.0
    assert s.at("2016-06").organization.pay.per_child == 35.0  # the pay's own default kept
    same(s.at("2015-06"), s._plain_at("2015-06"))
    s._plain_at("2016-06")  # the plain way, too, leaves the events as written
    assert s.timeline[0].set == {"organization.pay": {"base": 10.0}}


def test_snapshots_are_kept_per_scenario_and_go_with_it() -> None:
    s = from_dict(reference_data())
    assert s.at("2016-06") is s.at("2016-07")  # the same events: worked out once
    assert s.at("2013-06") is s  # before any event
    key = id(s)
    assert key in sc._MEMOS
    del s
    import gc

    gc.collect()
    assert key not in sc._MEMOS


def reference_data() -> dict[str, Any]:
    """The reference scenario as plain data."""
    return shipped(REFERENCE).model_dump()


# paths a timeline may name: fields of each kind of section, whole sections and sub-models,
# fixed fields (a Scenario made in Python skips the check that refuses them), misspellings
PATHS = [
    "organization.pay.base",
    "organization.pay.factor",
    "organization.pay",
    "organization.training.sharia_days",
    "organization.children.min_age",
    "organization.repression",
    "organization",
    "environment.aid_usd",
    "environment.territory_km2",
    "environment.unemployment",
    "environment.food_cost_usd",
    "joining.economic.base",
    "joining.economic",
    "leaving.pay.effect",
    "combat.base",
    "harm.child",
    "population.size",
    "population.real_size",
    "population.origins.homs",
    "population.age.min",
    "name",
    "end",
    "organization.pay.bse",
    "organisation.pay.base",
]
VALUES = st.one_of(
    st.integers(-3, 400),
    st.floats(-2, 2e5, allow_nan=False),
    st.sampled_from([0.5, 1, 0, 2.0, "2014-06", "many", None, True]),
    st.dictionaries(
        st.sampled_from(["base", "effect", "2014-01", "2015-06", "x"]), st.floats(0, 3)
    ),
)
EVENT = st.fixed_dictionaries(
    {
        "month": st.sampled_from(["2013-06", "2014-01", "2014-09", "2015-06", "2016-01"]),
        "set": st.dictionaries(st.sampled_from(PATHS), VALUES, max_size=3),
    }
)


@QUICK
@given(st.lists(EVENT, max_size=6))
def test_snapshots_equal_the_plain_way_or_raise_its_error(events: list[dict[str, Any]]) -> None:
    s = Scenario.model_validate({"end": "2016-03", "timeline": events})
    for month in ["2013-06", "2014-01", "2014-12", "2015-06", "2016-01", "2016-03", "2015-06"]:
        plain = s.model_copy(deep=True)
        same_outcome(outcome(s.at, month), outcome(plain._plain_at, month))


# ------------------------------------------------------------------------ path checks


@QUICK
@given(
    st.lists(
        st.sampled_from([*{p for q in PATHS for p in q.split(".")}, "", "x", "base", "0"]),
        min_size=1,
        max_size=5,
    ).map(".".join)
)
def test_a_kept_path_check_says_what_walking_the_path_says(path: str) -> None:
    for _ in range(2):  # the first check is worked out, the second is kept
        assert sc._path_problem(path) == sc._path_problem.__wrapped__(path)
        got = outcome(sc._walk, path)
        problem = sc._path_problem.__wrapped__(path)
        assert got == (("ok", None) if problem is None else ("error", ("UserError", problem)))


def test_bad_paths_are_still_one_line_naming_the_field() -> None:
    for _ in range(2):
        with pytest.raises(UserError) as err:
            parse_override("organization.pay.bse=40")
        assert str(err.value) == (
            "organization.pay.bse: unknown field 'bse' in organization.pay (did you mean "
            "'base'?); allowed: base, per_wife, per_parent, per_child, per_dependant, "
            "foreign_premium, skill_premium, in_kind_usd, factor, payroll_share"
        )
        with pytest.raises(UserError, match=r"^population.size.x.y: population.size has no"):
            parse_override("population.size.x.y=3")


# ------------------------------------------------------------------------ override values


def yaml_value(raw: str) -> tuple[str, Any]:
    """How ``parse_override`` reads a value the plain way (YAML)."""
    try:
        return "ok", limits.load_yaml(raw) if raw.strip() else raw
    except yaml.YAMLError:
        return "ok", raw
    except (UserError, ValueError) as err:
        return "error", str(err)


NUMBER_TEXT = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(json.dumps),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text("0123456789-+._eE: x", max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(NUMBER_TEXT)
def test_override_numbers_read_as_yaml_reads_them(raw: str) -> None:
    expected = yaml_value(raw)
    try:
        got: tuple[str, Any] = ("ok", parse_override(f"combat.base={raw}")[1])
    except (UserError, ValueError) as err:
        got = ("error", str(err))
    assert got[0] == expected[0]
    assert type(got[1]) is type(expected[1]) and repr(got[1]) == repr(expected[1]), raw


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("5", 5),
        ("-0", 0),
        ("0.25", 0.25),
        ("-0.0", -0.0),
        ("1.5e+20", 1.5e20),
        ("010", 8),  # octal to YAML 1.1
        ("1_000", 1000),
        ("1e5", "1e5"),  # no dot: a string to YAML 1.1
        (" 7", 7),
        ("+3", 3),
    ],
)
def test_override_number_forms(raw: str, value: Any) -> None:
    got = parse_override(f"combat.base={raw}")[1]
    assert type(got) is type(value) and repr(got) == repr(value)


def test_bad_override_values_keep_their_messages(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        load(REFERENCE, ["combat.base=2"])
    assert str(err.value) == (
        "--set combat.base=2: combat.base: Input should be less than or equal to 1 (got 2)"
    )
    with pytest.raises(UserError) as err:
        load(REFERENCE, ["population.size=-5"])
    assert str(err.value) == (
        "--set population.size=-5: population.size: Input should be greater than 0 (got -5)"
    )
    with pytest.raises(UserError, match=r"^--set 'combat.base': expected PATH=VALUE"):
        load(REFERENCE, ["combat.base"])


# ------------------------------------------------------------------------ loading


OVERRIDE = st.one_of(
    st.tuples(
        st.sampled_from(
            [
                "combat.base",
                "joining.economic.base",
                "population.real_size",
                "population.initial_members",
                "environment.food_cost_usd",
                "organization.enforcement.fear",
                "population.size",
            ]
        ),
        st.one_of(
            st.floats(0, 3e6, allow_nan=False).map(json.dumps),
            st.integers(-5, 3_000_000).map(str),
            st.sampled_from(["1e-05", "x", "[1, 2]", "{a: 1}", ""]),
        ),
    ).map("=".join),
    st.sampled_from(["end=2016-06", "harm.child=0.3", "organization.pay.bse=4"]),
)


@QUICK
@given(st.lists(OVERRIDE, max_size=6))
def test_load_equals_validating_a_plain_read(overrides: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = outcome(load, REFERENCE, overrides)
        plain = outcome(from_dict, copy.deepcopy(sc._read(REFERENCE)), str(REFERENCE), overrides)
    same_outcome(fast, plain)
    if fast[0] == "ok":
        s = fast[1]
        fresh = s.model_copy(deep=True)
        for month in s.months[::6]:
            same(s.at(month), fresh._plain_at(month))


def test_a_timeline_that_fails_validation_keeps_its_message() -> None:
    data = reference_data()
    data["timeline"].append({"month": "2016-06", "id": "odd", "set": {"combat.base": 3}})
    with pytest.raises(UserError) as err:
        from_dict(data, "x.yaml")
    assert str(err.value) == (
        "x.yaml: timeline event 'odd' (2016-06): combat.base: Input should be less than or "
        "equal to 1 (got 3)"
    )


# ------------------------------------------------------------------------ kept files


def write(p: Path, text: str) -> None:
    """Write ``text`` to ``p`` and move its modification time on (the same size may follow)."""
    old = p.stat().st_mtime_ns if p.exists() else 0
    p.write_text(text, encoding="utf-8")
    os.utime(p, ns=(0, max(old, p.stat().st_mtime_ns) + 1_000_000))


def test_a_kept_file_follows_edits_to_it_and_to_its_base(tmp_path: Path) -> None:
    base, child = tmp_path / "base.yaml", tmp_path / "child.yaml"
    write(base, "combat: {base: 0.01}\nharm: {child: 0.5}\n")
    write(child, "extends: base.yaml\nharm: {child: 0.7}\n")
    assert (load(child).combat.base, load(child).harm.child) == (0.01, 0.7)
    write(base, "combat: {base: 0.02}\nharm: {child: 0.5}\n")  # same size
    assert load(child).combat.base == 0.02
    write(child, "extends: base.yaml\nharm: {child: 0.9}\n")
    assert load(child).harm.child == 0.9
    assert sc._read_kept(child) == sc._read(child)
    replacement = tmp_path / "new.yaml"
    write(replacement, "combat: {base: 0.03}\nharm: {child: 0.5}\n")
    replacement.replace(base)  # another file under the old name
    assert load(child).combat.base == 0.03
    base.unlink()
    with pytest.raises(UserError, match=r"extends: no such scenario file"):
        load(child)
    write(base, "combat: {base: 0.04}\n")
    assert load(child).combat.base == 0.04


def test_a_kept_file_rewritten_with_its_old_time_and_size_is_read_again(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("combat: {base: 0.01}\n", encoding="utf-8")
    before = p.stat()
    assert load(p).combat.base == 0.01
    time.sleep(0.05)  # past the file system's clock tick: the change time moves on
    p.write_text("combat: {base: 0.02}\n", encoding="utf-8")  # in place (cp -p), same size
    os.utime(p, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = p.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert load(p).combat.base == 0.02


def test_a_kept_file_depends_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("a", 0.1), ("b", 0.2)):
        (tmp_path / name).mkdir()
        write(tmp_path / name / "s.yaml", f"combat: {{base: {value}}}\n")
    monkeypatch.chdir(tmp_path / "a")
    assert load("s.yaml").combat.base == 0.1
    monkeypatch.chdir(tmp_path / "b")
    assert load("s.yaml").combat.base == 0.2


def test_each_read_of_a_kept_file_is_its_own_copy(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    write(p, "population: &p {origins: {homs: 1.0}}\ntimeline: []\nx: *p\n")
    first = sc._read_kept(p)
    assert first["x"] is first["population"]  # shared by the anchor, as deepcopy keeps it
    first["population"]["origins"]["homs"] = 5
    first["timeline"].append(1)
    second = sc._read_kept(p)
    assert second == {
        "population": {"origins": {"homs": 1.0}},
        "timeline": [],
        "x": {"origins": {"homs": 1.0}},
    }
    assert second["x"] is second["population"]
    second["population"]["origins"]["homs"] = 6
    assert sc._read_kept(p)["population"]["origins"]["homs"] == 1.0


YAML_DATA = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=5),
        st.dates(),
        st.binary(max_size=3),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


def shape(x: Any, seen: dict[int, int]) -> Any:
    """``x`` with each container numbered by first appearance (to compare sharing)."""
    if isinstance(x, dict | list):
        if id(x) in seen:
            return ("shared", seen[id(x)])
        seen[id(x)] = len(seen)
        items = x.items() if isinstance(x, dict) else enumerate(x)
        return (type(x).__name__, [(k, shape(v, seen)) for k, v in items])
    return (type(x).__name__, x)


@QUICK
@given(YAML_DATA, st.data())
def test_the_quick_copy_is_a_deepcopy(data: Any, draw: st.DataObject) -> None:
    # share some parts, as YAML anchors do
    if isinstance(data, dict) and data:
        key = draw.draw(st.sampled_from(sorted(data)))
        data = {**data, "alias": data[key], "again": [data[key], data]}
    quick, deep = sc._copy_data(data, {}), copy.deepcopy(data)
    assert shape(quick, {}) == shape(deep, {})
    containers = [id(x) for x in _containers(data)]
    assert not {id(x) for x in _containers(quick)} & set(containers)


def _containers(x: Any) -> list[Any]:
    """Every dict and list inside ``x``, ``x`` included."""
    if isinstance(x, dict):
        return [x, *(c for v in x.values() for c in _containers(v))]
    if isinstance(x, list):
        return [x, *(c for v in x for c in _containers(v))]
    return []
