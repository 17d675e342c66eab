"""Output folders: checked first, written whole, refused when they hold files unless --force."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from allegiance.cli import main
from allegiance.errors import UserError
from allegiance.outputs import check_file, check_folder, staged
from helpers import REFERENCE

S = ["--set", "population.size=1000", "--set", "end=2013-08", "--quiet"]


def test_staged_moves_the_folder_into_place_whole(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    with staged(out) as tmp:
        (tmp / "x.txt").write_text("1", encoding="utf-8")
        assert not out.exists()  # nothing at the destination until the block ends
    assert (out / "x.txt").read_text(encoding="utf-8") == "1"
    assert [p.name for p in tmp_path.iterdir()] == ["a"]  # no temporary folder left


def test_a_failing_block_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with pytest.raises(RuntimeError), staged(out) as tmp:
        (tmp / "x.txt").write_text("1", encoding="utf-8")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_existing_files_need_force_and_others_are_kept(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="--force"):
        check_folder(tmp_path)
    with staged(tmp_path, force=True) as tmp:
        (tmp / "x.txt").write_text("2", encoding="utf-8")
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "2"


def test_paths_are_checked_without_creating_anything(tmp_path: Path) -> None:
    blocker = tmp_path / "f"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="not a folder"):
        check_folder(blocker)
    with pytest.raises(UserError, match="is a file, not a folder"):
        check_file(blocker / "sub" / "x.csv", "--csv")
    with pytest.raises(UserError, match="longer than"):
        check_folder(tmp_path / ("y" * 300))
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_refused(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    with pytest.raises(UserError, match="permission denied"):
        check_folder(ro / "out")


def test_run_refuses_a_full_folder_then_force_replaces_with_normal_permissions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert main(["run", str(REFERENCE), *S, "--out", str(out)]) == 0
    first = (out / "timeseries.parquet").read_bytes()
    mask = os.umask(0o022)
    os.umask(mask)
    mode = stat.S_IMODE((out / "timeseries.parquet").stat().st_mode)
    assert mode == 0o666 & ~mask  # not mkstemp's 0600
    assert main(["run", str(REFERENCE), *S, "--out", str(out), "--seed", "1"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "timeseries.parquet").read_bytes() == first
    assert main(["run", str(REFERENCE), *S, "--out", str(out), "--seed", "1", "--force"]) == 0
    assert (out / "timeseries.parquet").read_bytes() != first
