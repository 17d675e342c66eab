"""A cached kernel runs the new code of a module it calls into once that module changes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

CALLER = """
from numba import njit

from .callee import value


@njit(cache=True)
def answer():
    return value()
"""
CALLEE = """
from numba import njit


@njit(cache=True)
def value():
    return {n}
"""


def _package(root: Path, name: str, guarded: bool) -> None:
    pkg = root / name
    pkg.mkdir()
    guard = "from allegiance.kernel_cache import drop_stale\n" if guarded else ""
    after = "\ndrop_stale(__name__)\n" if guarded else ""
    (pkg / "__init__.py").write_text(f"{guard}from . import caller{after}")
    (pkg / "caller.py").write_text(CALLER)
    (pkg / "callee.py").write_text(CALLEE.format(n=1))


def _answer(root: Path, name: str) -> int:
    """The kernel's answer in a fresh interpreter (which reads the caches the last one left)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}
    env.pop("NUMBA_CACHE_DIR", None)
    code = f"import {name}.caller as c; print(c.answer())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[-1])


def _change_callee(root: Path, name: str) -> None:
    callee = root / name / "callee.py"
    callee.write_text(CALLEE.format(n=2))
    later = time.time() + 5  # a new stamp for Numba too, whatever the file system's resolution
    os.utime(callee, (later, later))


def test_a_changed_callee_reaches_the_cached_caller(tmp_path: Path) -> None:
    _package(tmp_path, "guarded_pkg", guarded=True)
    assert _answer(tmp_path, "guarded_pkg") == 1
    assert _answer(tmp_path, "guarded_pkg") == 1  # from the cache
    _change_callee(tmp_path, "guarded_pkg")
    assert _answer(tmp_path, "guarded_pkg") == 2


def test_without_the_guard_numba_keeps_the_old_callee(tmp_path: Path) -> None:
    # why the guard exists: Numba checks only the caller's own file (if a Numba release stops
    # doing this, this test fails and the guard can go)
    _package(tmp_path, "bare_pkg", guarded=False)
    assert _answer(tmp_path, "bare_pkg") == 1
    _change_callee(tmp_path, "bare_pkg")
    assert _answer(tmp_path, "bare_pkg") == 1
