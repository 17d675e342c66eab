"""Reading YAML mappings: each failure is one line that names the file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from allegiance import UserError
from allegiance.yamlfile import read_mapping


def test_reads_a_mapping(tmp_path: Path) -> None:
    p = tmp_path / "a.yaml"
    p.write_text("a: 1\nb: [2, 3]\n", encoding="utf-8")
    assert read_mapping(p, "thing") == {"a": 1, "b": [2, 3]}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a: [1, 2\n", "broken YAML at line"),
        ("- 1\n- 2\n", "a thing must be a mapping of fields, got list"),
        ("", "got NoneType"),
    ],
)
def test_bad_files_are_one_line(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "a.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=needle) as err:
        read_mapping(p, "thing")
    assert str(p) in str(err.value) and "\n" not in str(err.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such thing file"):
        read_mapping(tmp_path / "nope.yaml", "thing")
    b = tmp_path / "b.yaml"
    b.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(UserError, match="not a text file"):
        read_mapping(b, "thing")
    empty = tmp_path / "e.yaml"
    empty.write_text("", encoding="utf-8")
    assert read_mapping(empty, "thing", empty_ok=True) == {}


def test_a_kept_parse_is_never_shared_and_follows_edits(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("a: {b: [1, 2]}\nc: 3\n", encoding="utf-8")
    first = read_mapping(f, "scenario")
    first["a"]["b"].append(99)  # a caller that edits its copy (as extends and drop_events do)
    first.pop("c")
    assert read_mapping(f, "scenario") == {"a": {"b": [1, 2]}, "c": 3}
    f.write_text("a: {b: [1, 2]}\nc: 4\n", encoding="utf-8")  # same size, new content
    os.utime(f, ns=(0, f.stat().st_mtime_ns + 1_000_000))
    assert read_mapping(f, "scenario") == {"a": {"b": [1, 2]}, "c": 4}
    f.write_text("a: [\n", encoding="utf-8")
    with pytest.raises(UserError, match="broken YAML"):
        read_mapping(f, "scenario")


def test_a_file_rewritten_with_its_old_time_and_size_is_read_again(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("c: 3\n", encoding="utf-8")
    before = f.stat()
    assert read_mapping(f, "scenario") == {"c": 3}
    time.sleep(0.05)  # past the file system's clock tick: the change time moves on
    f.write_text("c: 4\n", encoding="utf-8")  # in place (cp -p), same size
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old modification time
    after = f.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert read_mapping(f, "scenario") == {"c": 4}
