"""--posterior: draws by weight, and run, compare and validate on posterior draws."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allegiance.analysis import REFERENCE_SCENARIO
from allegiance.analysis.posterior import load
from allegiance.analysis.predictive import predictive, to_markdown
from allegiance.analysis.validate import validate
from allegiance.errors import UserError
from allegiance.experiments.compare import Arm, credible_interval, differences, run_arms
from allegiance.experiments.tasks import toy_task

TINY = ["population.size=10000", "end=2016-06"]


def fake_calibration(folder: Path, rows: dict[str, list[float]], weights: list[float]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    params = [
        {"path": k, "low": 0.0, "high": 100.0, "integer": k.endswith("days"), "value": 0.0}
        for k in rows
    ]
    (folder / "calibration.json").write_text(json.dumps({"parameters": params}), encoding="utf-8")
    df = pd.DataFrame({**rows, "weight": weights})
    df.to_parquet(folder / "posterior.parquet", index=False)
    return folder


def test_draws_follow_the_weights_and_the_seed(tmp_path: Path) -> None:
    f = fake_calibration(
        tmp_path / "c",
        {"x": [1.0, 2.0, 3.0], "organization.training.full_days": [60.4, 70.6, 65.0]},
        [0.0, 0.75, 0.25],
    )
    post = load(f)
    draws = post.draws(400, seed=1)
    assert draws == post.draws(400, seed=1) and draws != post.draws(400, seed=2)
    xs = np.array([d["x"] for d in draws])
    assert 1.0 not in xs  # weight 0 is never drawn
    assert 0.65 < (xs == 2.0).mean() < 0.85
    assert {d["organization.training.full_days"] for d in draws} <= {71, 65}  # integers rounded
    assert load(f / "posterior.parquet").parameters == post.parameters


def test_not_a_calibration_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a calibration"):
        load(tmp_path)


def test_paired_draws_in_compare() -> None:
    # replicate r of every arm gets draw r: differences stay exactly paired
    arms = [Arm("base", toy_task, {}), Arm("alt", toy_task, {"sleep": 0})]
    points = [{"x": float(r)} for r in range(6)]
    runs = run_arms(arms, 6, seed=2, executor="inprocess", points=points)
    d = differences(runs, "base", ["sqrt_x", "mean"], credible=True).set_index("outcome")
    assert d.loc["sqrt_x", "base_mean"] == pytest.approx(np.mean(np.sqrt(range(6))))
    assert d.loc["mean", "diff"] == 0.0 and d.loc["mean", "ci_low"] == d.loc["mean", "ci_high"] == 0


def test_credible_interval_is_central_quantiles() -> None:
    lo, hi = credible_interval(np.arange(101, dtype=float), 0.9)
    assert (lo, hi) == pytest.approx((5.0, 95.0))


def test_validate_on_a_point_posterior_equals_setting_the_point(tmp_path: Path) -> None:
    f = fake_calibration(tmp_path / "c", {"combat.base": [0.09, 0.03]}, [1.0, 0.0])
    drawn = validate(REFERENCE_SCENARIO, replicates=2, seed=4, overrides=TINY, posterior=f)
    fixed = validate(
        REFERENCE_SCENARIO, replicates=2, seed=4, overrides=[*TINY, "combat.base=0.09"]
    )
    plain = validate(REFERENCE_SCENARIO, replicates=2, seed=4, overrides=TINY)
    pd.testing.assert_frame_equal(drawn.runs, fixed.runs)
    assert not drawn.runs["value"].equals(plain.runs["value"])
    table = predictive(drawn)
    roles = {p.id: p.role for p in drawn.targets.patterns}
    assert set(table["pattern"]) == {k for k, r in roles.items() if r == "validation"}
    assert ((table["ppi_low"] <= table["median"]) | table["median"].isna()).all()
    assert "| pattern | check | median |" in to_markdown(table)


def test_cli_run_with_posterior_records_its_draw(tmp_path: Path) -> None:
    from allegiance.cli import main

    f = fake_calibration(tmp_path / "c", {"combat.base": [0.07]}, [1.0])
    out = tmp_path / "run"
    args = ["run", str(REFERENCE_SCENARIO), "--quiet", "--out", str(out), "--posterior", str(f)]
    assert main([*args, *sum((["--set", s] for s in TINY), [])]) == 0
    assert json.loads((out / "posterior_draw.json").read_text()) == {"combat.base": 0.07}
    bad = fake_calibration(tmp_path / "bad", {"combat.nope": [1.0]}, [1.0])
    assert main(["run", str(REFERENCE_SCENARIO), "--out", str(out), "--posterior", str(bad)]) == 2
