"""Sweeps and comparisons on the real model (small population, short span)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from allegiance.experiments import compare, load_runs, run_sweep
from allegiance.experiments.spec import SweepSpec

SMALL = ["population.size=5000", "end=2014-12"]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    p = tmp_path / "base.yaml"
    p.write_text("name: small\n")
    return p


def spec(base: Path, **kw: object) -> SweepSpec:
    data = {
        "name": "model",
        "base": str(base),
        "overrides": SMALL,
        "design": "factorial",
        "factors": {"organization.pay.factor": {"levels": [0.5, 1.0]}},
        "replicates": 2,
        "seed": 5,
        "outcomes": ["peak_members", "exits_total", "executions_total", "civilian_harm_mean"],
    }
    return SweepSpec.model_validate({**data, **kw})


def test_model_sweep_identical_on_every_executor(tmp_path: Path, base: Path) -> None:
    s = spec(base)
    tables = []
    for kind in ("inprocess", "local", "dask"):
        run_sweep(s, tmp_path / kind, executor=kind, workers=2, progress=False)
        tables.append(load_runs(tmp_path / kind).drop(columns=["seconds", "worker"]))
    a = tables[0]
    assert (a["status"] == "ok").all(), a["error"].tolist()
    assert a["peak_members"].gt(0).all()
    pd.testing.assert_frame_equal(a, tables[1])
    pd.testing.assert_frame_equal(a, tables[2])


def test_out_of_range_factor_fails_with_its_message(tmp_path: Path, base: Path) -> None:
    s = spec(base, factors={"organization.pay.factor": {"levels": [0.7, 1.5]}}, replicates=1)
    summary = run_sweep(s, tmp_path / "s", executor="inprocess", progress=False)
    assert (summary.done, summary.failed, summary.unfinished) == (1, 1, 0)
    runs = load_runs(tmp_path / "s").set_index("organization.pay.factor")
    assert runs.loc[0.7, "status"] == "ok"
    assert runs.loc[1.5, "status"] == "failed"
    assert "organization.pay.factor" in runs.loc[1.5, "error"]
    assert "1.5" in runs.loc[1.5, "error"]


def test_compare_pairs_scenarios(tmp_path: Path, base: Path) -> None:
    alt = tmp_path / "alt.yaml"
    alt.write_text("name: alt\norganization: {pay: {factor: 0.5}}\n")
    diffs, runs = compare(
        [base, alt],
        replicates=3,
        seed=1,
        outcomes=["members_final", "exits_total"],
        overrides=SMALL,
        executor="inprocess",
    )
    assert (runs["status"] == "ok").all(), runs["error"].tolist()
    assert set(diffs["outcome"]) == {"members_final", "exits_total"}
    assert (diffs["pairs"] == 3).all()
    row = diffs.set_index("outcome").loc["exits_total"]
    assert row["ci_low"] <= row["diff"] <= row["ci_high"]
    assert row["diff"] == pytest.approx(row["alt_mean"] - row["base_mean"])
