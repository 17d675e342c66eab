"""Sensitivity: Sobol indices of the Ishigami function through the same path as the model's."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from allegiance.analysis import sensitivity as sa
from allegiance.errors import UserError
from allegiance.experiments.store import load_runs

ROOT = Path(__file__).resolve().parents[1]
PI = math.pi


def ishigami_spec(**kw: object) -> dict[str, object]:
    return {
        "name": "ishigami",
        "task": "allegiance.analysis.sensitivity:ishigami",
        "ranges": {x: [-PI, PI] for x in ("x1", "x2", "x3")},
        "outcomes": ["y"],
        "seed": 3,
        "morris": {"trajectories": 8, "keep": 3, "threshold": 0.0},
        "sobol": {"samples": 256, "bootstrap": 200},
        **kw,
    }


def test_ishigami_indices_match_the_analytic_ones(tmp_path: Path) -> None:
    spec, params = sa.from_dict(ishigami_spec())
    table = sa.run(spec, params, tmp_path / "out", executor="inprocess", progress=False)
    truth = sa.ishigami_indices()
    sob = table[table["stage"] == "sobol"]
    for index in ("S1", "ST"):
        for x in ("x1", "x2", "x3"):
            row = sob[(sob["index"] == index) & (sob["parameter"] == x)].iloc[0]
            assert abs(row["value"] - truth[index][x]) < 0.1, (index, x, row["value"])
            assert row["ci_low"] <= row["value"] <= row["ci_high"]
    # x3 acts only through its interaction with x1: no first-order effect, a clear total one
    st3 = sob[(sob["index"] == "ST") & (sob["parameter"] == "x3")]["value"].iloc[0]
    s13 = sob[(sob["index"] == "S1") & (sob["parameter"] == "x3")]["value"].iloc[0]
    assert st3 - s13 > 0.1
    for name in ("indices.parquet", "indices.csv", "morris.png", "sobol.png", "summary.json"):
        assert (tmp_path / "out" / name).is_file()
    assert pd.read_parquet(tmp_path / "out" / "indices.parquet").equals(table)


def test_resume_reuses_finished_runs_and_gives_the_same_indices(tmp_path: Path) -> None:
    spec, params = sa.from_dict(ishigami_spec(sobol={"samples": 16, "bootstrap": 50}))
    out = tmp_path / "out"
    first = sa.run(spec, params, out, executor="inprocess", progress=False)
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "sobol" / "runs").iterdir()}
    # lose a few Sobol runs, as an interruption would, then resume
    lost = sorted(stamps)[:5]
    for name in lost:
        (out / "sobol" / "runs" / name).unlink()
    with pytest.raises(UserError, match="--resume"):
        sa.run(spec, params, out, executor="inprocess", progress=False)
    again = sa.run(spec, params, out, executor="inprocess", progress=False, resume=True)
    pd.testing.assert_frame_equal(first, again)
    after = {p.name: p.stat().st_mtime_ns for p in (out / "sobol" / "runs").iterdir()}
    assert {n for n in after if after[n] != stamps.get(n)} == set(lost)
    assert len(load_runs(out / "sobol")) == 16 * 5


def test_morris_keeps_what_stands_out_of_each_outcomes_noise() -> None:
    rows = []
    quiet = {"p": 10.0, "q": 0.5, "r": 1.0, "s": 1.0, "t": 1.0}  # p stands out
    noisy = {"p": 40.0, "q": 60.0, "r": 50.0, "s": 45.0, "t": 50.0}  # nothing stands out
    for outcome, effects in (("a", quiet), ("b", noisy)):
        for name, ms in effects.items():
            rows.append({"parameter": name, "outcome": outcome, "index": "mu_star", "value": ms})
    morris = pd.DataFrame(rows)
    assert sa.kept(morris, keep=5, threshold=2.0) == ["p"]
    assert sa.kept(morris, keep=5, threshold=1.1) == ["p", "q"]  # q: 60 / 50 on outcome b
    assert sa.kept(morris, keep=1, threshold=0.0) == ["p"]
    assert sa.kept(morris, keep=5, threshold=99.0) == ["p"]  # at least one


def model_spec(**kw: object) -> dict[str, object]:
    return {
        "base": str(ROOT / "scenarios" / "syria-2014-2016.yaml"),
        "overrides": ["population.size=10000", "end=2015-06"],
        "parameters": ["leaving.commitment", "combat.base"],
        "outcomes": ["exits_total"],
        **kw,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"parameters": ["leaving.no_such"]},
            "parameters[0]: 'leaving.no_such' matches no parameter",
        ),
        ({"ranges": {"combat.base": [0.5, 2.0]}}, "ranges.combat.base: [0.5, 2] goes outside"),
        ({"ranges": {"combat.nope": [0, 1]}}, "ranges.combat.nope: not a scenario parameter"),
        ({"outcomes": ["exits_forever"]}, "unknown outcome 'exits_forever'"),
        ({"morris": {"trajectories": 1}}, "morris.trajectories"),
        ({"bogus": 1}, "bogus: unknown key"),
    ],
)
def test_bad_specs_are_one_line(change: dict[str, object], message: str) -> None:
    with pytest.raises(UserError) as err:
        sa.from_dict(model_spec(**change), "s.yaml")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_default_specs_load() -> None:
    for name in ("default.yaml", "tiny.yaml"):
        spec, params = sa.load_spec(ROOT / "sensitivity" / name)
        assert params and spec.base is not None
    _, every = sa.load_spec(ROOT / "sensitivity" / "default.yaml")
    assert any(p.path.startswith("leaving.") for p in every)


def test_cli_runs_the_model_end_to_end(tmp_path: Path) -> None:
    import yaml

    from allegiance.cli import main

    spec = tmp_path / "s.yaml"
    spec.write_text(
        yaml.safe_dump(
            model_spec(
                morris={"trajectories": 2, "keep": 2, "threshold": 0.0},
                sobol={"samples": 4, "bootstrap": 20},
            )
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sensitivity", str(spec), "--out", str(out), "--executor", "inprocess"]) == 0
    table = pd.read_csv(out / "indices.csv")
    assert set(table["parameter"]) == {"leaving.commitment", "combat.base"}
    assert len(load_runs(out / "morris", status="ok")) == 2 * 3
    assert len(load_runs(out / "sobol", status="ok")) == 4 * 4
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["command"] == "sensitivity" and prov["sources"] == [str(spec)]
    # a second run without --resume refuses to mix analyses
    assert main(["sensitivity", str(spec), "--out", str(out), "--executor", "inprocess"]) == 2


def test_morris_design_is_trajectories_of_one_factor_steps() -> None:
    from allegiance.experiments.design import points
    from allegiance.experiments.spec import SweepSpec

    s = SweepSpec.model_validate(
        {
            "task": "allegiance.analysis.sensitivity:ishigami",
            "outcomes": ["y"],
            "design": "morris",
            "samples": 5,
            "seed": 7,
            "factors": {
                "x1": {"range": [0, 1]},
                "x2": {"range": [10, 20]},
                "x3": {"levels": [1, 2]},
            },
        }
    )
    pts = points(s)
    assert len(pts) == 5 * 4 and pts == points(s)
    for t in range(5):
        traj = pts[t * 4 : (t + 1) * 4]
        for a, b in zip(traj, traj[1:], strict=False):
            assert sum(a[k] != b[k] for k in a) <= 1  # one factor moves per step
    assert all(0 <= p["x1"] <= 1 and 10 <= p["x2"] <= 20 and p["x3"] in (1, 2) for p in pts)
