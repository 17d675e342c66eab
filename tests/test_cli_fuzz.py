"""Generated bad input through the real entry point: exit 2 with one line, or a clean, finite run.

Hypothesis mutates the reference scenario (``--set`` values and whole YAML subtrees), sweep
specs, target files and command-line options, and drives ``allegiance.cli.main``. Every case
must end in one of two ways: exit code 2 with exactly one ``error:`` line and no traceback, or
exit code 0 (the documented acceptance: the input is valid) with finite numbers in every
numeric column the run wrote. Any other exception escapes ``main`` and fails the test.
"""

from __future__ import annotations

import datetime
import inspect
import itertools
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from allegiance.analysis.targets import STATISTICS
from allegiance.cli import main
from allegiance.scenario import Scenario
from helpers import REFERENCE

# 60 cases per test in CI (about 300 in all); ALLEGIANCE_FUZZ=N explores N random cases each
EXPLORE = int(os.environ.get("ALLEGIANCE_FUZZ", "0"))
FUZZ = settings(
    max_examples=EXPLORE or 60,
    deadline=None,
    derandomize=not EXPLORE,  # the same cases on every CI run
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CASE = itertools.count()
TINY = ["--set", "population.size=300", "--set", "end=2013-07"]
TOP = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
TIMELINE_PATHS = {p for ev in TOP["timeline"] for p in ev["set"]}
SUBKEYS = ["size", "territory_km2", "age", "min", "pay", "0", "set", "month", "scale", "homs"]


def _leaves(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    out = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        path = f"{prefix}{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += _leaves(ann, f"{path}.")
        elif name != "timeline":
            out.append(path)
    return out


PATHS = [*_leaves(), "population.origins.homs", "population.family_killed_share.default"]
VALUES = [
    ".nan",
    ".inf",
    "-.inf",
    "-1",
    "0",
    "1",
    "0.5",
    "3",
    "1e308",
    "-1e308",
    "1e-320",
    "40",
    "abc",
    "''",
    "null",
    "true",
    "[1, 2]",
    "{a: 1}",
    "{}",
    "2015-01-01",
    "2019-12",
    "2012-01",
    "{'2015-01': .nan}",
    "{'2015-01': 0.5}",
    "{'2099-13': 1}",
    "{'2015-01': -1}",
    "x" * 300,
    "&a [*a]",
    "[[[[[[[[[[1]]]]]]]]]]",
    "!!binary aGk=",
    "{'2014-01': 2, '2016-01': 1e9}",
]
NON_FINITE = [".nan", ".inf", "-.inf", "{'2015-01': .nan}", "{'2014-01': 1, '2015-01': .inf}"]
value = st.one_of(
    st.sampled_from(NON_FINITE),
    st.sampled_from(VALUES),
    st.sampled_from(["0", "0.01", "0.5", "0.99", "1", "2", "10", "100", "1e6", "1e9", "-0.0"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=12),
)


def _non_finite(x: Any) -> bool:
    if isinstance(x, float):
        return not math.isfinite(x)
    if isinstance(x, dict):
        return any(_non_finite(v) for v in x.values())
    if isinstance(x, list):
        return any(_non_finite(v) for v in x)
    return False


def _parsed(raw: str) -> Any:
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def _overlaps(path: str) -> bool:
    """Whether a reference timeline event also sets ``path`` (or a field inside it)."""
    return any(
        p == path or p.startswith(path + ".") or path.startswith(p + ".") for p in TIMELINE_PATHS
    )


def _check(code: int, err: str, out_dir: Path | None = None) -> None:
    """The promise: exit 2 and one clean line, or exit 0 and finite results."""
    assert "Traceback" not in err, err
    errors = [x for x in err.splitlines() if x.startswith("error:")]
    if code == 2:
        assert len(errors) == 1, err
        assert len(errors[0]) < 1200, errors[0]
        return
    assert code == 0 and not errors, (code, err)
    if out_dir is not None and (out_dir / "timeseries.parquet").exists():
        ts = pd.read_parquet(out_dir / "timeseries.parquet")
        numeric = ts.select_dtypes("number")
        bad = ~np.isfinite(numeric.to_numpy(dtype=float))
        assert not bad.any(), numeric.columns[bad.any(axis=0)].tolist()


def _fresh(tmp_path: Path, n: list[int]) -> Path:
    n[0] += 1
    d = tmp_path / f"case{n[0]}"
    d.mkdir()
    return d


@FUZZ
@given(
    sets=st.lists(st.tuples(st.sampled_from(PATHS), value), min_size=1, max_size=3),
    extra=st.sampled_from(["", "", "population.size=5"]),
)
def test_set_values(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sets: list[tuple[str, str]],
    extra: str,
) -> None:
    out = tmp_path / f"out{next(CASE)}"  # a fresh folder: no --force needed
    args = ["run", str(REFERENCE), *TINY, "--out", str(out)]
    for path, raw in sets:
        args += ["--set", f"{path}={raw}"]
    args += ["--set", extra] if extra else []
    code = main([*args, "--quiet"])
    _check(code, capsys.readouterr().err, out)
    # the oracle: NaN or inf anywhere, or a --set that a timeline event would undo, is refused
    # (judged only when no --set overwrites another: then every value given is a value used)
    paths = [p for p, _ in sets] + ([extra.split("=")[0]] if extra else [])
    nested = any(a.startswith(b + ".") for a in paths for b in paths)
    if nested or len(set(paths)) < len(paths):
        return
    if any(_non_finite(_parsed(raw)) for _, raw in sets):
        assert code == 2, sets
    if any(_overlaps(path) for path, _ in sets):
        assert code == 2, sets


def _mutate(data: Any, where: list[str], new: Any) -> Any:
    """``data`` with the node at ``where`` replaced by ``new`` (or deleted when new is ...)."""
    if not where or not isinstance(data, dict):
        return None if new is ... else new
    node = dict(data)
    key = where[0]
    if new is ... and len(where) == 1:
        node.pop(key, None)
        return node
    node[key] = _mutate(node.get(key, {}), where[1:], new)
    return node


JUNK = st.one_of(
    st.sampled_from([..., None, [], {}, "abc", -1, 0, 10**30, float("nan"), [5], {"x": 1}]),
    st.sampled_from([float("inf"), [5], "abc", {"month": 5}, [{"id": [1]}], None]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(
        st.sampled_from(["month", "set", "id", "note", "x"]), st.integers(), max_size=3
    ),
)


# mutations aimed at the classes of issue 14, mixed with random ones below
AIMED = [
    (["timeline"], [5]),
    (["timeline"], "abc"),
    (["timeline"], None),
    (["timeline"], [{"id": "x", "month": "2015-01", "set": {"population.scale": 3}}]),
    (["timeline"], [{"id": "x", "month": "2099-01", "set": {"organization.pay.base": 1}}]),
    (["timeline"], [{"id": ["x"], "month": "2015-01", "set": {}}]),
    (["drop_events"], [["a"]]),
    (["drop_events"], ["sinjar-training-cut"]),
    (["extends"], "missing.yaml"),
    (["extends"], 5),
    (["population", "age", "min"], 19),
    (["population", "scale"], float("inf")),
    (["population", "size"], 200_000_000),
    (["environment", "territory_km2"], 0),
    (["environment", "unemployment"], {"2015-01": float("nan")}),
    (["start"], 2014),
    (["end"], "2012-01"),
    (["population"], None),
    ([], {}),
]
MUTATION = st.one_of(
    st.sampled_from(AIMED),
    st.tuples(
        st.tuples(
            st.sampled_from(["population", "environment", "timeline", "start", "end", "extends"]),
            st.lists(st.sampled_from(SUBKEYS), max_size=2),
        ).map(lambda t: [t[0], *t[1]]),
        JUNK,
    ),
)


@FUZZ
@given(mutation=MUTATION, where=st.sampled_from(["file", "child", "base"]))
def test_scenario_files(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mutation: tuple[list[str], Any],
    where: str,
) -> None:
    """Mutate the file itself, a child that extends the reference, or a base that a child extends."""
    path, new = mutation
    start = {"extends": str(REFERENCE), "name": "child"} if where == "child" else dict(TOP)
    data = _mutate(start, path, new) if path else new
    d = tmp_path / f"s{next(CASE)}"
    d.mkdir()
    p = d / ("b.yaml" if where == "base" else "s.yaml")
    p.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    if where == "base":
        p = d / "s.yaml"
        p.write_text("extends: b.yaml\nname: child\n", "utf-8")
    code = main(["run", str(p), *TINY, "--out", str(d / "out"), "--quiet"])
    _check(code, capsys.readouterr().err, d / "out")
    if code == 2:
        assert not (d / "out").exists()


SPEC_KEYS = {
    "name": ["ok", "../x", "", "a/b", ".hidden", 5, None],
    "design": ["factorial", "lhs", "sobol", "nope", 1],
    "samples": [-1, 0, 2, 10**7, 10**12, "x", 1.5, None],
    "replicates": [-1, 0, 2, 10**7, "lots", float("nan")],
    "seed": [-1, 2**64, "x", 1.5],
    "outcomes": [[], ["nope"], ["peak_members", "peak_members"], "peak_members", None],
    "overrides": [["population.size=-1"], ["bad"], "x", [1], ["organization.pay.factor=1"]],
    "drop_events": [["sinjar-training-cut"], ["nope"], "x", [[1]]],
    "base": ["missing.yaml", 5, None, "", "."],
    "task": ["nope", "os:getcwd", "no.such:thing", 5],
    "factors": [
        {"organization.enforcement.k": {"range": [1, 0]}},
        {"organization.enforcement.k": {"range": [0, float("inf")]}},
        {"organization.enforcement.k": {"levels": []}},
        {"organization.enforcement.k": {"levels": [0.05], "steps": 3}},
        {"organization.enforcement.k": {"levels": ["x"]}},
        {"organization.enforcement.k": {"levels": [datetime.date(2015, 1, 1)]}},
        {"organization.enforcement.k": {"levels": [b"hi"]}},
        {"organization.enforcement.k": {"levels": [{"a", "b"}]}},
        {"organization.pay.factor": {"levels": [0.5]}},
        {"nope.field": {"levels": [1]}},
        {"organization.enforcement.k": "x"},
        {"organization.enforcement.k": {"range": [0.01, 0.02], "steps": 10**6}},
        [1, 2],
    ],
    "extra": [1],
}


@FUZZ
@given(
    changes=st.dictionaries(
        st.sampled_from(sorted(SPEC_KEYS)), st.integers(0, 9), min_size=1, max_size=2
    )
)
def test_sweep_specs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, int],
) -> None:
    spec: dict[str, Any] = {
        "name": "f",
        "base": str(REFERENCE),
        "overrides": ["population.size=300", "end=2013-06"],
        "factors": {"organization.enforcement.k": {"levels": [0.05]}},
        "outcomes": ["peak_members"],
    }
    for key, i in changes.items():
        options = SPEC_KEYS[key]
        spec[key] = options[i % len(options)]
    case = tmp_path / f"c{next(CASE)}"
    work = case / "a" / "b"  # the default out/sweeps/NAME lands here; '../../x' would not
    work.mkdir(parents=True)
    p = case / "spec.yaml"
    p.write_text(yaml.safe_dump(spec), "utf-8")
    monkeypatch.chdir(work)
    code = main(["sweep", str(p), "--executor", "inprocess", "--no-progress"])
    err = capsys.readouterr().err
    assert sorted(x.name for x in case.iterdir()) == ["a", "spec.yaml"]  # nothing outside
    assert [x.name for x in (case / "a").iterdir()] == ["b"]
    # a valid spec may still have runs that fail (exit 1, reported, never silent)
    if code == 1:
        assert "runs failed" in err and "Traceback" not in err
        return
    _check(code, err)
    if code == 2:
        assert not any(work.iterdir())  # a refused sweep leaves no folder


ARGS = {
    "column": ["members", "nope", 5],
    "start": ["2014-01", 2014, "2014-13", None, [], "2099-01"],
    "end": ["2015-01", "x", 2015.5],
    "month": ["2014-01", "2030-01", 1],
    "before": [["2014-01", "2014-06"], [], ["2014-06", "2014-01"], "x", ["a", "b"]],
    "after": [["2015-01", "2015-06"], [1, 2], None],
    "motive": ["economic", "nope", 3],
    "group": ["syrian", "martian"],
    "min_exits": [5, -1, "x", 1.5],
    "numerator": ["members", "nope"],
    "denominator": ["members", "civilians", 3],
    "driver": ["pay", "nope", None],
    "versus": ["economic", "x"],
    "events_a": ["executed", "x"],
    "events_b": ["attempts", "members"],
    "stock_a": ["members", "x"],
    "stock_b": ["members", 0],
}
STATS = [*sorted(STATISTICS), "nope"]


@FUZZ
@given(
    statistic=st.sampled_from(STATS),
    picks=st.lists(st.integers(0, 5), min_size=6, max_size=6),
    drop=st.integers(0, 6),
    rng=st.sampled_from([[0, None], [None, None], [2, 1], ["x", 1], [float("nan"), 1], [0]]),
)
def test_target_files(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    statistic: str,
    picks: list[int],
    drop: int,
    rng: list[Any],
) -> None:
    """A check with the statistic's own argument names (so values, not names, are what is bad)."""
    fn = STATISTICS.get(statistic, STATISTICS["ts_mean"])
    names = [n for n in inspect.signature(fn).parameters if n != "run"]
    values = {n: ARGS.get(n, ["x", 1, None]) for n in names}
    chosen = {n: v[picks[i % 6] % len(v)] for i, (n, v) in enumerate(values.items()) if i != drop}
    check = {"statistic": statistic, "args": chosen, "range": rng}
    pattern = {"id": "x", "kind": "fact", "title": "t", "description": "d", "source": "s"}
    p = tmp_path / "targets.yaml"
    p.write_text(yaml.safe_dump({"patterns": [{**pattern, "checks": [check]}]}), "utf-8")
    code = main(["validate", str(REFERENCE), *TINY, "-n", "1", "--targets", str(p)])
    _check(code, capsys.readouterr().err)


OPTIONS = {
    "run": ["--seed", "--out", "--set", "--drop-event"],
    "params": ["--format", "--set", "--drop-event", "--embed"],
    "compare": ["--replicates", "--seed", "--outcome", "--csv", "--executor", "--workers"],
    "validate": ["-n", "--seed", "--workers", "--out", "--embed", "--targets"],
    "survey": ["--n", "--until", "--seed", "--out"],
    "sweep": ["--executor", "--workers", "--scheduler", "--out"],
}
OPTION_VALUES = [
    "-1",
    "0",
    "1",
    "2**64",
    "18446744073709551616",
    "x",
    "",
    "nope",
    "2013-06",
    "2099-01",
    "inprocess",
    "local",
    "dask",
    "/",
    "/dev/null",
    "DIR",
    "FILE",
    "LONG",
    "sinjar-training-cut",
    ".nan",
    "organization.pay.factor=1",
    "population.size=0",
    "csv",
    "markdown",
    "members",
]


@FUZZ
@given(
    command=st.sampled_from(sorted(OPTIONS)),
    picks=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 30)), min_size=1, max_size=2),
)
def test_command_options(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    picks: list[tuple[int, int]],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "FILE").write_text("x", "utf-8")
    (tmp_path / "DIR").mkdir(exist_ok=True)
    alt = tmp_path / "alt.yaml"
    alt.write_text(
        f"extends: {REFERENCE}\nname: alt\ndrop_events: [sinjar-training-cut]\n", "utf-8"
    )
    args = [command]
    if command == "sweep":
        spec = {"name": "o", "base": str(REFERENCE), "overrides": ["population.size=300"]}
        (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec), "utf-8")
        args.append("spec.yaml")
    else:
        args += [str(REFERENCE)] + ([str(alt)] if command == "compare" else [])
    if command not in ("sweep", "compare"):
        args += TINY
    for o, v in picks:
        option = OPTIONS[command][o % len(OPTIONS[command])]
        val = OPTION_VALUES[v % len(OPTION_VALUES)]
        args += [option, "x" * 300 if val == "LONG" else val]
    # cheap stand-ins where the option was valid: a single tiny run on one process
    if command in ("compare", "sweep") and "--executor" not in args:
        args += ["--executor", "inprocess"]
    if command == "compare" and "--replicates" not in args:
        args += ["--replicates", "2", "--set", "population.size=300", "--set", "end=2013-06"]
    if command == "validate" and "-n" not in args:
        args += ["-n", "1"]
    if "local" in args or "dask" in args:
        args = [a if a not in ("local", "dask") else "inprocess" for a in args]
    code = main(args)
    err = capsys.readouterr().err
    if code == 1 and command == "sweep":  # runs that failed are reported with exit 1
        assert "runs failed" in err
        return
    _check(code, err)


def test_finite_check_catches_non_finite_numbers(tmp_path: Path) -> None:
    pd.DataFrame({"month": ["2013-06"], "members": [math.nan]}).to_parquet(
        tmp_path / "timeseries.parquet"
    )
    with pytest.raises(AssertionError):
        _check(0, "", tmp_path)
