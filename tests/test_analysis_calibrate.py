"""Calibration: recovery of known parameters, same posterior on every executor and after a resume."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.analysis import calibrate as cal
from allegiance.analysis import targets as tg
from allegiance.analysis.posterior_out import weighted_quantile
from allegiance.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
TRUE = {"a": 2.0, "b": 1.0}


def toy(**kw: object) -> cal.Problem:
    data = {
        "name": "toy",
        "task": "allegiance.analysis.calibrate:toy_simulator",
        "ranges": {"a": [0, 4], "b": [0, 4]},
        # synthetic targets: the noiseless statistics at the true parameters, +- 0.1
        "observed": {"sum": [2.9, 3.1], "diff": [0.9, 1.1]},
        "seed": 5,
        "population": 40,
        "generations": 4,
        **kw,
    }
    return cal.from_dict(data)


def test_synthetic_calibration_recovers_the_true_parameters(tmp_path: Path) -> None:
    res = cal.run(toy(), tmp_path / "out", executor="inprocess", progress=False)
    assert res.generations == 4
    summary = pd.read_csv(tmp_path / "out" / "summary.csv").set_index("parameter")
    for name, value in TRUE.items():
        row = summary.loc[name]
        assert row["ci90_low"] <= value <= row["ci90_high"], (name, row.to_dict())
        assert row["ci_over_prior"] < 0.5 and bool(row["identified"])
    post = pd.read_parquet(tmp_path / "out" / "posterior.parquet")
    assert math.isclose(post["weight"].sum(), 1.0) and len(post) == 40
    gens = pd.read_csv(tmp_path / "out" / "generations.csv")
    assert list(gens["generation"]) == [0, 1, 2, 3]
    assert (gens["epsilon"].diff().dropna() < 0).all()  # thresholds shrink
    assert ((gens["acceptance"] > 0) & (gens["acceptance"] <= 1)).all()
    for png in ("marginals.png", "pairs.png", "generations.png"):
        assert (tmp_path / "out" / png).stat().st_size > 1000


def test_resumed_and_pooled_calibrations_equal_the_uninterrupted_one(tmp_path: Path) -> None:
    p = toy(population=10, generations=2)
    cal.run(p, tmp_path / "whole", executor="inprocess", progress=False)
    cal.run(p, tmp_path / "cut", executor="inprocess", progress=False, generations=1)
    with pytest.raises(UserError, match="--resume"):
        cal.run(p, tmp_path / "cut", executor="inprocess", progress=False)
    cal.run(p, tmp_path / "cut", executor="inprocess", progress=False, resume=True)
    cal.run(p, tmp_path / "pool", executor="local", workers=2, progress=False)
    whole = pd.read_parquet(tmp_path / "whole" / "posterior.parquet")
    pd.testing.assert_frame_equal(whole, pd.read_parquet(tmp_path / "cut" / "posterior.parquet"))
    pd.testing.assert_frame_equal(whole, pd.read_parquet(tmp_path / "pool" / "posterior.parquet"))
    other = toy(population=10, generations=2, seed=6)
    with pytest.raises(UserError, match="another spec"):
        cal.run(other, tmp_path / "cut", executor="inprocess", progress=False, resume=True)


def test_distance_terms_are_in_units_of_the_published_range() -> None:
    two = cal.Target("x", 100.0, 300.0)
    assert two.term(200.0) == 0.0 and two.term(300.0) == 1.0 and two.term(500.0) == 3.0
    low = cal.Target("y", 200.0, None)
    assert low.term(250.0) == 0.0 and low.term(100.0) == 0.5
    high = cal.Target("z", None, 10.0)
    assert high.term(5.0) == 0.0 and high.term(15.0) == 0.5
    assert two.term(math.nan) == cal.NAN_PENALTY
    assert cal.distance({"x": 300.0, "y": 100.0}, [two, low]) == pytest.approx(
        math.sqrt((1 + 0.25) / 2)
    )


def test_only_calibration_patterns_enter_the_distance(tmp_path: Path) -> None:
    targets = tg.load()
    keys = {t.key.split("[")[0] for t in cal.calibration_targets(targets)}
    assert keys == {p.id for p in targets.by_role("calibration")}
    assert not keys & {p.id for p in targets.by_role("validation")}
    # move one validation pattern to calibration: the distance follows the file
    data = yaml.safe_load(tg.PATH.read_text(encoding="utf-8"))
    moved = next(p for p in data["patterns"] if p["role"] == "validation")
    moved["role"] = "calibration"
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    p = cal.from_dict(model_spec(targets=str(path)))
    assert moved["id"] in {t.key.split("[")[0] for t in p.targets}


def model_spec(**kw: object) -> dict[str, object]:
    return {
        "base": str(ROOT / "scenarios" / "syria-2014-2016.yaml"),
        "overrides": ["population.size=10000"],
        "parameters": ["combat.base"],
        **kw,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"parameters": ["leaving.nope"]}, "parameters[0]: 'leaving.nope' matches no parameter"),
        ({"ranges": {"combat.base": [0.05, 1.5]}}, "ranges.combat.base: [0.05, 1.5] goes outside"),
        ({"patterns": ["no_such_pattern"]}, "patterns[0]: no pattern 'no_such_pattern'"),
        ({"patterns": ["fact1"]}, "patterns[0]: 'fact1' has role validation"),
        ({"population": 1}, "population"),
        ({"observed": {"x": [0, 1]}}, "'observed' goes with 'task'"),
        ({"extra": 1}, "extra: unknown key"),
    ],
)
def test_bad_specs_are_one_line(change: dict[str, object], message: str) -> None:
    with pytest.raises(UserError) as err:
        cal.from_dict(model_spec(**change), "c.yaml")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_weighted_quantiles() -> None:
    x = [0.0, 1.0, 2.0, 3.0]
    assert weighted_quantile(x, [1, 1, 1, 1], 0.5)[0] == pytest.approx(1.5)
    assert weighted_quantile(x, [0, 0, 1, 0], [0.05, 0.95]).tolist() == [2.0, 2.0]


def test_shipped_specs_load() -> None:
    for name in ("default.yaml", "quick.yaml", "tiny.yaml"):
        p = cal.load_spec(ROOT / "calibration" / name)
        assert p.targets and p.params


def test_tiny_model_calibration_end_to_end(tmp_path: Path) -> None:
    from allegiance.cli import main

    spec = yaml.safe_load((ROOT / "calibration" / "tiny.yaml").read_text(encoding="utf-8"))
    spec["base"] = str(ROOT / "scenarios" / "syria-2014-2016.yaml")
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    args = ["calibrate", str(path), "--out", str(out), "--executor", "inprocess", "--no-progress"]
    assert main(args) == 0
    post = pd.read_parquet(out / "posterior.parquet")
    assert set(spec["parameters"]) <= set(post.columns) and len(post) == spec["population"]
    summary = pd.read_csv(out / "summary.csv")
    lo, hi = summary["prior_low"], summary["prior_high"]
    assert ((summary["ci90_low"] >= lo) & (summary["ci90_high"] <= hi)).all()
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["command"] == "calibrate" and prov["seed"] == spec.get("seed", 0)
    assert yaml.safe_load(prov["spec_yaml"]) == spec
    assert main(args) == 2  # the folder holds a calibration: --resume or another --out


@settings(max_examples=60, deadline=None)
@given(
    lo=st.floats(-1e4, 1e4, allow_nan=False),
    width=st.floats(1e-2, 1e6),
    value=st.floats(-1e7, 1e7, allow_nan=False),
)
def test_distance_terms_are_zero_only_where_the_target_is_met(
    lo: float, width: float, value: float
) -> None:
    hi = lo + width
    two, low, high = cal.Target("a", lo, hi), cal.Target("b", lo, None), cal.Target("c", None, hi)
    for t in (two, low, high):
        assert t.term(value) >= 0
    assert (low.term(value) == 0) == (value >= lo)
    assert (high.term(value) == 0) == (value <= hi)
    if lo <= value <= hi:  # inside the range: at most one half-width from its midpoint
        assert two.term(value) <= 1 + 1e-6
    else:
        assert two.term(value) >= 1 - 1e-6
