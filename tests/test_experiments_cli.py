"""The sweep and compare commands on a Typer app: bad input is one line and exit code 2."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from typer.testing import CliRunner

from allegiance.experiments.cli import register
from allegiance.experiments.store import load_runs

app = typer.Typer()
register(app)
runner = CliRunner()


def write_spec(tmp_path: Path, **kw: object) -> Path:
    data = {
        "name": "toy",
        "task": "allegiance.experiments.tasks:toy_task",
        "factors": {"x": {"levels": [1.0, 2.0]}},
        "replicates": 2,
        "outcomes": ["mean"],
        **kw,
    }
    p = tmp_path / "spec.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


def test_bad_spec_is_one_line_exit_2(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, replicates="lots")
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "replicates" in lines[0] and str(spec) in lines[0]
    assert "Traceback" not in result.output


def test_bad_executor_is_one_line_exit_2(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    result = runner.invoke(
        app, ["sweep", str(spec), "--executor", "slurm", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "--executor" in result.stderr and "inprocess, local, dask" in result.stderr


def test_sweep_runs_and_resumes(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    out = tmp_path / "o"
    args = ["sweep", str(spec), "--executor", "inprocess", "--out", str(out), "--no-progress"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "done now" in result.stderr
    assert len(load_runs(out)) == 4
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--resume" in again.stderr
    resumed = runner.invoke(app, [*args, "--resume"])
    assert resumed.exit_code == 0
    assert len(load_runs(out)) == 4


def test_compare_needs_two_scenarios(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("name: base\n")
    result = runner.invoke(app, ["compare", str(base), "--executor", "inprocess"])
    assert result.exit_code == 2
    assert "at least one ALT" in result.stderr


def test_compare_bad_scenario_is_one_line(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("name: base\n")
    alt = tmp_path / "alt.yaml"
    alt.write_text("organization: {pay: {factor: 2.0}}\n")
    result = runner.invoke(app, ["compare", str(base), str(alt), "--executor", "inprocess"])
    assert result.exit_code == 2
    assert "organization.pay.factor" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
