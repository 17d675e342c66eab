"""The sweep store: an empty part is unfinished, a broken manifest is one line, a moved sweep resumes."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from allegiance.cli import main
from allegiance.experiments.store import load_runs


def _spec(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "base.yaml").write_text("name: b\npopulation: {size: 1000}\nend: 2013-08\n")
    spec = {
        "name": "m",
        "base": "base.yaml",
        "factors": {"organization.enforcement.k": {"levels": [0.05, 0.1]}},
    }
    p = d / "spec.yaml"
    p.write_text(yaml.safe_dump(spec))
    return p


def _sweep(spec: Path, out: Path, *extra: str) -> int:
    return main(
        ["sweep", str(spec), "--out", str(out), "--executor", "inprocess", "--no-progress", *extra]
    )


def test_moved_sweep_resumes_and_empty_part_is_rerun(tmp_path: Path) -> None:
    spec = _spec(tmp_path / "a")
    assert _sweep(spec, tmp_path / "a" / "out") == 0
    shutil.move(tmp_path / "a", tmp_path / "b")  # spec, base and sweep folder move together
    out = tmp_path / "b" / "out"
    (out / "runs" / "run-00000001.parquet").write_bytes(b"")  # a part that never got written
    assert _sweep(tmp_path / "b" / "spec.yaml", out, "--resume") == 0
    runs = load_runs(out)
    assert list(runs["run_id"]) == [0, 1] and (runs["status"] == "ok").all()


def test_rejected_options_leave_no_sweep_folder(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    out = tmp_path / "out"
    assert _sweep(spec, out, "--workers", "0") == 2
    assert not out.exists()
    assert _sweep(spec, out) == 0  # the corrected command is not refused


def test_broken_manifest_is_one_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    spec = _spec(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for text in ("[]", '{"spec_hash": "x"}'):
        (out / "manifest.json").write_text(text)
        assert _sweep(spec, out, "--resume") == 2
        err = [x for x in capsys.readouterr().err.splitlines() if x.startswith("error:")]
        assert len(err) == 1 and "broken manifest" in err[0]
