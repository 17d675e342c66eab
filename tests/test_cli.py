"""The command line: a run writes its tables; a user's mistake is one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from allegiance.cli import main
from allegiance.record import EVENT_COLUMNS
from helpers import REFERENCE

SMALL = ["--set", "population.size=20000", "--set", "end=2014-06"]


def test_run_writes_parquet_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", str(REFERENCE), "--seed", "3", "--out", str(tmp_path), "--quiet", *SMALL])
    assert code == 0
    ts = pd.read_parquet(tmp_path / "timeseries.parquet")
    ev = pd.read_parquet(tmp_path / "events.parquet")
    assert list(ts["month"])[:2] == ["2013-06", "2013-07"] and ts["month"].iloc[-1] == "2014-06"
    assert {"members", "joins_economic", "exits_pay", "civilian_harm"} <= set(ts.columns)
    assert list(ev.columns) == EVENT_COLUMNS  # the literal schema is checked in test_simulation
    assert "peak members" in capsys.readouterr().out


def _broken(tmp_path: Path) -> Path:
    p = tmp_path / "broken.yaml"
    p.write_text("population:\n  size: [1, 2\n", encoding="utf-8")
    return p


def _yaml(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("make_args", "needle"),
    [
        (lambda d: ["run", str(_broken(d))], "broken YAML at line"),
        (
            lambda d: ["run", str(_yaml(d, "population:\n  sizee: 3\n"))],
            "population.sizee: unknown key (did you mean 'size'?); allowed: size",
        ),
        (
            lambda d: ["run", str(_yaml(d, "population:\n  size: -5\n"))],
            "population.size: Input should be greater than 0",
        ),
        (
            lambda d: ["run", str(_yaml(d, "population:\n  size: lots\n"))],
            "population.size: Input should be a valid integer",
        ),
        (lambda d: ["run", str(d / "missing.yaml")], "no such scenario file"),
        (
            lambda d: ["run", str(REFERENCE), "--set", "organization.pay.salary=3"],
            "unknown field 'salary' in organization.pay",
        ),
        (
            lambda d: ["run", str(REFERENCE), "--set", "organization.pay.factor=7"],
            "organization.pay.factor: Input should be less than or equal to 1",
        ),
        (lambda d: ["run", str(REFERENCE), "--seed", "x"], "Invalid value for '--seed'"),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_args, needle: str
) -> None:
    out_dir = tmp_path / "out"
    code = main([*make_args(tmp_path), "--out", str(out_dir)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert needle in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not out_dir.exists()  # nothing ran, nothing was written


def test_unusable_out_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["run", str(REFERENCE), "--out", str(blocker), *SMALL]) == 2
    assert main(["run", str(REFERENCE), "--out", str(blocker / "sub"), *SMALL]) == 2
    err = [x for x in capsys.readouterr().err.splitlines() if x.startswith("error:")]
    assert "exists and is not a folder" in err[0] and "is a file, not a folder" in err[1]
    assert len(err) == 2


def test_a_failed_run_keeps_what_was_written_before(tmp_path: Path) -> None:
    assert main(["run", str(REFERENCE), "--out", str(tmp_path), "--quiet", *SMALL]) == 0
    before = (tmp_path / "timeseries.parquet").read_bytes()
    assert main(["run", str(REFERENCE), "--out", str(tmp_path), "--set", "population.size=-1"]) == 2
    assert (tmp_path / "timeseries.parquet").read_bytes() == before


def test_installed_command_reports_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("allegiance")
    proc = subprocess.run(
        [str(exe), "run", str(tmp_path / "nope.yaml")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error:") and "no such scenario file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_command_is_registered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "params", "validate", "survey", "sweep", "compare", "dock"):
        assert command in out
