"""Output locations: checked before any run, written to a temporary folder, moved into place whole."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import UserError

NAME_MAX = 255  # bytes in one path component on Linux and macOS file systems


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def normal_mode(path: Path, folder: bool = False) -> None:
    """Give a file (or folder) the permissions the user's umask gives new ones (mkstemp: 0600)."""
    with contextlib.suppress(OSError):
        path.chmod((0o777 if folder else 0o666) & ~_umask())


def _existing_ancestor(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _check_names(path: Path, option: str) -> None:
    for part in path.parts:
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX:
            raise UserError(
                f"{option} {str(path)[:60]}...: a name in the path is longer than {NAME_MAX} bytes"
            )


def _check_creatable(path: Path, option: str) -> None:
    """The nearest existing ancestor must be a writable folder (nothing is created here)."""
    anc = _existing_ancestor(path.parent if not path.exists() else path)
    if not anc.is_dir():
        raise UserError(f"{option} {path}: {anc} is a file, not a folder")
    if not os.access(anc, os.W_OK | os.X_OK):
        raise UserError(f"{option} {path}: cannot write in {anc} (permission denied)")


def check_folder(out: Path, force: bool = False, option: str = "--out") -> None:
    """Refuse an output folder that cannot be made, is a file, or holds files (without --force)."""
    _check_names(out, option)
    if out.exists() and not out.is_dir():
        raise UserError(f"{option} {out}: exists and is not a folder")
    if out.is_dir():
        if not os.access(out, os.W_OK | os.X_OK):
            raise UserError(f"{option} {out}: the folder is not writable")
        if not force and any(out.iterdir()):
            raise UserError(
                f"{option} {out}: the folder already holds files; choose another --out, "
                "or pass --force to replace what this command writes there"
            )
    _check_creatable(out, option)


def check_file(path: Path, option: str) -> None:
    """Refuse an output file that is a folder or whose folder cannot be written."""
    _check_names(path, option)
    if path.is_dir():
        raise UserError(f"{option} {path}: is a folder; give a file name")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"{option} {path}: the file is not writable")
    _check_creatable(path, option)


@contextlib.contextmanager
def staged(out: Path, force: bool = False, option: str = "--out") -> Iterator[Path]:
    """Yield a temporary folder; when the block ends without error, its files move to ``out``.

    A new ``out`` appears whole (one rename); into an existing (empty, or --force) folder each
    file moves with its own atomic replace, and other files there are left alone. On error the
    temporary folder is removed, so a failed command leaves nothing behind.
    """
    check_folder(out, force, option)
    home = _existing_ancestor(out.parent)
    tmp = Path(tempfile.mkdtemp(prefix=".allegiance-", dir=home))
    try:
        yield tmp
        for f in tmp.rglob("*"):
            normal_mode(f, folder=f.is_dir())
        normal_mode(tmp, folder=True)
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            os.rename(tmp, out)
            return
        for entry in tmp.iterdir():
            dest = out / entry.name
            if dest.is_dir() and not dest.is_symlink():
                shutil.rmtree(dest)
            os.replace(entry, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_file(path: Path, data: bytes) -> None:
    """Write ``path`` in one step (a temporary file beside it, then a rename), normal permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        normal_mode(Path(tmp))
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def check_store(out: Path, option: str = "--out") -> None:
    """A sweep folder: may exist (to resume), but must be a writable folder, or be creatable."""
    _check_names(out, option)
    if out.exists() and not out.is_dir():
        raise UserError(f"{option} {out}: exists and is not a folder")
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise UserError(f"{option} {out}: the folder is not writable")
    _check_creatable(out, option)
