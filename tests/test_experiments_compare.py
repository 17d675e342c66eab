"""Counterfactual comparison: common seeds pair the runs; intervals cover the true difference."""

from __future__ import annotations

import numpy as np
import pytest

from allegiance.experiments.compare import Arm, differences, paired_ci, run_arms
from allegiance.experiments.tasks import toy_task


def test_common_seeds_make_exact_pairs() -> None:
    arms = [Arm("base", toy_task, {"x": 1.0}), Arm("alt", toy_task, {"x": 3.0})]
    runs = run_arms(arms, replicates=5, seed=4, executor="inprocess")
    assert len(runs) == 10 and (runs["status"] == "ok").all()
    diffs = differences(runs, "base", ["mean", "peak"])
    row = diffs.set_index("outcome").loc["mean"]
    # Same seed, shifted mean: every paired difference is exactly 2, so the interval collapses.
    assert row["diff"] == pytest.approx(2.0)
    assert row["ci_high"] - row["ci_low"] == pytest.approx(0.0, abs=1e-9)
    assert row["pairs"] == 5


def test_failed_runs_drop_their_pairs() -> None:
    arms = [Arm("base", toy_task, {"x": 1.0}), Arm("alt", toy_task, {"x": -1.0})]
    runs = run_arms(arms, replicates=3, seed=0, executor="inprocess")
    assert (runs[runs["arm"] == "alt"]["status"] == "failed").all()
    diffs = differences(runs, "base", ["mean"])
    assert diffs["pairs"].tolist() == [0] and np.isnan(diffs["diff"].iloc[0])


def test_paired_ci_covers_known_mean() -> None:
    rng = np.random.default_rng(1)
    covered = 0
    for _ in range(200):
        mean, lo, hi = paired_ci(rng.normal(0.7, 2.0, size=12))
        assert lo <= mean <= hi
        covered += lo <= 0.7 <= hi
    assert 0.88 <= covered / 200 <= 0.99


def test_paired_ci_small_samples() -> None:
    mean, lo, hi = paired_ci(np.array([3.0]))
    assert mean == 3.0 and np.isnan(lo) and np.isnan(hi)
    assert all(np.isnan(paired_ci(np.array([]))))
