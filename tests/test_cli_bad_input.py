"""Issue 14's bad inputs, each through the real entry point: one line, exit code 2, nothing made."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from allegiance.cli import main
from helpers import REFERENCE

S = ["--set", "population.size=1000", "--set", "end=2013-08"]
BOMB = "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
    for p, n in zip(["", "a", "b", "c", "d", "e", "f"], "abcdefg", strict=True)
)


def _file(d: Path, name: str, text: str) -> Path:
    p = d / name
    p.write_text(text, encoding="utf-8")
    return p


def _child(d: Path, base_text: str) -> Path:
    _file(d, "b.yaml", base_text)
    return _file(d, "c.yaml", "extends: b.yaml\n")


def _chain(d: Path, n: int) -> Path:
    for i in range(n):
        _file(d, f"e{i}.yaml", f"extends: e{i + 1}.yaml\n")
    _file(d, f"e{n}.yaml", "name: end\n")
    return d / "e0.yaml"


def _spec(d: Path, text: str = "", **kw: object) -> Path:
    data = {
        "name": "t",
        "base": str(REFERENCE),
        "overrides": ["population.size=1000", "end=2013-08"],
        "factors": {"organization.enforcement.k": {"levels": [0.05, 0.1]}},
        **kw,
    }
    return _file(d, "spec.yaml", yaml.safe_dump(data) + text)


def _targets(d: Path, args: str) -> Path:
    return _file(
        d,
        "targets.yaml",
        "patterns:\n- {id: x, kind: fact, role: calibration, title: t, description: d, source: s, checks: "
        f"[{{statistic: ts_window_ratio, args: {{column: members, {args}}}, range: [0, null]}}]}}\n",
    )


def _sweep(*extra: str, **kw: object) -> Callable[[Path], list[str]]:
    return lambda d: ["sweep", str(_spec(d, **kw)), "--no-progress", *extra]


def _run(*extra: str) -> Callable[[Path], list[str]]:
    return lambda d: ["run", str(REFERENCE), *S, *extra]


CASES: list[tuple[str, Callable[[Path], list[str]], str]] = [
    ("negative seed", _run("--seed", "-1"), "'--seed'"),
    ("inf count", _run("--set", "population.initial_members=.inf"), "finite number"),
    ("nan series", _run("--set", "environment.foreign_inflow=.nan"), "finite numbers"),
    ("inf series", _run("--set", "environment.foreign_inflow=.inf"), "finite numbers"),
    (
        "nan in a bounded series",
        _run("--set", "environment.unemployment={'2015-01': .nan}"),
        "environment.unemployment: values must be finite",
    ),
    ("nan share", _run("--set", "population.origins.homs=.nan"), "population.origins.homs"),
    ("inf beta", _run("--set", "population.ideology.a=.inf"), "population.ideology.a"),
    ("nan hazard", _run("--set", "leaving.pay.effect=.nan"), "leaving.pay.effect"),
    ("scale that overflows counts", _run("--set", "population.scale=1e308"), "population.scale"),
    ("zero territory", _run("--set", "environment.territory_km2=0"), "must be > 0"),
    ("child ages", _run("--set", "population.age.min=19"), "age.min must be below 18"),
    ("--set is blamed", _run("--set", "organization.pay.base=-1"), "--set organization.pay.base"),
    ("end before start", _run("--set", "end=2012-01"), "end: must not come before start"),
    (
        "no doubled got",
        _run("--set", "environment.unemployment=1.5"),
        "values must be <= 1 (got 1.5)",
    ),
    ("typo hint", _run("--set", "organization.pay.factr=1"), "did you mean 'factor'?"),
    (
        "--set undone by the timeline",
        _run("--set", "organization.training.bootcamp_days=30"),
        "--drop-event sinjar-training-cut",
    ),
    (
        "unknown --drop-event",
        _run("--drop-event", "sinjar-trainng-cut"),
        "did you mean 'sinjar-training-cut'?",
    ),
    ("population too large", _run("--set", "population.size=200000000"), "of memory"),
    (
        "child timeline of numbers",
        lambda d: ["run", str(_file(d, "c.yaml", f"extends: {REFERENCE}\ntimeline: [5]\n")), *S],
        "each event is a mapping",
    ),
    (
        "base with an empty timeline",
        lambda d: [
            "run",
            str(_child(d, "timeline:\n")),
            "--set",
            "population.size=-3",
        ],
        "--set population.size=-3",
    ),
    (
        "list id in drop_events",
        lambda d: [
            "run",
            str(_file(d, "c.yaml", f"extends: {REFERENCE}\ndrop_events: [[a]]\n")),
            *S,
        ],
        "drop_events must be a list",
    ),
    (
        "broken base timeline",
        lambda d: [
            "run",
            str(_child(d, "timeline: abc\n")),
            *S,
        ],
        "b.yaml: timeline must be a list",
    ),
    (
        "missing extends target",
        lambda d: ["run", str(_file(d, "c.yaml", "extends: gone.yaml\n")), *S],
        "c.yaml: extends: no such scenario file",
    ),
    (
        "event sets a fixed field",
        lambda d: [
            "run",
            str(
                _file(
                    d,
                    "c.yaml",
                    f"extends: {REFERENCE}\ntimeline:\n"
                    "  - {id: x, month: '2015-01', set: {population.real_size: 3000000}}\n",
                )
            ),
            *S,
        ],
        "timeline event 'x' (2015-01): sets population.real_size, which is fixed",
    ),
    (
        "user's event named, not numbered",
        lambda d: [
            "run",
            str(
                _file(
                    d,
                    "c.yaml",
                    f"extends: {REFERENCE}\ntimeline:\n"
                    "  - {id: mine, month: '2015-01', set: {organization.pay.factor: 3}}\n",
                )
            ),
            *S,
        ],
        "timeline event 'mine' (2015-01): organization.pay.factor",
    ),
    ("empty scenario", lambda d: ["run", str(_file(d, "e.yaml", "# nothing\n"))], "is empty"),
    (
        "deep YAML",
        lambda d: ["run", str(_file(d, "deep.yaml", "a: " + "[" * 2000 + "]" * 2000 + "\n"))],
        "nested more than",
    ),
    ("long extends chain", lambda d: ["run", str(_chain(d, 1200))], "'extends' chains more"),
    (
        "anchor bomb",
        lambda d: ["run", str(_file(d, "bomb.yaml", BOMB + "population: {origins: *g}\n"))],
        "once YAML anchors are expanded",
    ),
    ("long --out name", lambda d: ["run", str(REFERENCE), *S, "--out", "x" * 300], "longer than"),
    ("compare a with a", lambda d: ["compare", str(REFERENCE), str(REFERENCE), *S], "same file"),
    (
        "compare one replicate",
        lambda d: [
            "compare",
            str(REFERENCE),
            str(_file(d, "a.yaml", "name: a\n")),
            "--replicates",
            "1",
        ],
        "must be 2 or more",
    ),
    (
        "compare --csv at a folder",
        lambda d: [
            "compare",
            str(REFERENCE),
            str(_file(d, "a.yaml", "name: a\n")),
            "--csv",
            str(d),
        ],
        "is a folder",
    ),
    (
        "compare negative seed",
        lambda d: ["compare", str(REFERENCE), "x.yaml", "--seed", "-1"],
        "'--seed'",
    ),
    (
        "validate --out at a folder",
        lambda d: ["validate", str(REFERENCE), *S, "--out", str(d)],
        "is a folder",
    ),
    (
        "validate --embed missing",
        lambda d: ["validate", str(REFERENCE), *S, "--embed", str(d / "missing.md")],
        "no such file",
    ),
    (
        "validate too many workers",
        lambda d: ["validate", str(REFERENCE), *S, "--workers", "100000"],
        "at most",
    ),
    (
        "compare too many replicates",
        lambda d: [
            "compare",
            str(REFERENCE),
            str(_file(d, "a.yaml", "name: a\n")),
            "--replicates",
            "1000000",
        ],
        "at most 10,000",
    ),
    ("validate negative seed", lambda d: ["validate", str(REFERENCE), "--seed", "-1"], "'--seed'"),
    (
        "targets month as a number",
        lambda d: ["validate", str(REFERENCE), *S, "--targets", str(_targets(d, "start: 2014"))],
        "args.start",
    ),
    (
        "targets empty window",
        lambda d: [
            "validate",
            str(REFERENCE),
            *S,
            "--targets",
            str(_targets(d, "before: [], after: []")),
        ],
        "args.before",
    ),
    (
        "survey --out at a file",
        lambda d: [
            "survey",
            str(REFERENCE),
            *S,
            "--until",
            "2013-07",
            "--out",
            str(_file(d, "f", "x")),
        ],
        "exists and is not a folder",
    ),
    (
        "survey past the end",
        lambda d: ["survey", str(REFERENCE), *S, "--until", "2019-01"],
        "outside the run",
    ),
    ("survey negative seed", lambda d: ["survey", str(REFERENCE), "--seed", "-1"], "'--seed'"),
    ("sweep bogus executor", _sweep("--executor", "bogus"), "unknown executor"),
    ("sweep no workers", _sweep("--workers", "0"), "--workers"),
    ("sweep scheduler without dask", _sweep("--scheduler", "tcp://h:1"), "--executor dask"),
    ("sweep unimportable task", _sweep(task="no.such:thing"), "cannot import"),
    ("sweep name escapes", _sweep(name="../../x"), "not a folder name"),
    (
        "sweep text level for a number",
        lambda d: [
            "sweep",
            str(
                _spec(d, factors={"organization.enforcement.k": {"levels": ["x"]}}).with_suffix(
                    ".yaml"
                )
            ),
        ],
        "organization.enforcement.k",
    ),
    (
        "sweep YAML date, binary and set levels",
        lambda d: [
            "sweep",
            str(
                _file(
                    d, "s.yaml", f"base: {REFERENCE}\nfactors: {{a.b: {{levels: [2015-01-01]}}}}\n"
                )
            ),
        ],
        "got date",
    ),
    (
        "sweep binary level",
        lambda d: [
            "sweep",
            str(
                _file(
                    d, "s.yaml", f"base: {REFERENCE}\nfactors: {{a: {{levels: [!!binary aGk=]}}}}\n"
                )
            ),
        ],
        "got bytes",
    ),
    (
        "sweep set level",
        lambda d: [
            "sweep",
            str(
                _file(
                    d, "s.yaml", f"base: {REFERENCE}\nfactors: {{a: {{levels: [!!set {{a}}]}}}}\n"
                )
            ),
        ],
        "got set",
    ),
    (
        "sweep too many samples",
        _sweep(
            design="lhs",
            samples=10_000_000,
            factors={"organization.enforcement.k": {"range": [0.0, 1.0]}},
        ),
        "at most 1,000,000",
    ),
    (
        "sweep invalid base",
        _sweep(overrides=["population.size=-1"]),
        "base: --set population.size=-1",
    ),
    (
        "sweep factor undone by the timeline",
        _sweep(factors={"organization.training.bootcamp_days": {"levels": [10, 30]}}),
        "--drop-event sinjar-training-cut",
    ),
    (
        "sweep --out at a file",
        lambda d: ["sweep", str(_spec(d)), "--out", str(_file(d, "f", "x"))],
        "not a folder",
    ),
]


@pytest.mark.parametrize(("make", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], list[str]],
    needle: str,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = make(tmp_path)
    if args[0] == "run" and "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    assert main(args) == 2
    err = capsys.readouterr().err
    errors = [x for x in err.splitlines() if x.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0], err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists() and not any(work.iterdir())
