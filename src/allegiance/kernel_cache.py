"""Numba's disk cache of a module's kernels, dropped when a module they call into changes."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from types import ModuleType

from numba.core.extending import _Intrinsic
from numba.core.registry import CPUDispatcher

# Why: Numba keys a module's cached kernels on that module's file alone, so a kernel that calls
# a kernel of another module (allegiance.schedule's stretches, every kernel drawing through
# allegiance.pcg or prefetching through allegiance.prefetch) keeps running the other module's
# old code from the cache after that module is edited, until its cache is cleared by hand. Here
# each module's kernels are stamped with a digest of its source and of the sources of every
# package module they reach through compiled code; a module whose stamp differs has its cached
# kernels deleted before any is loaded, and they compile afresh. Only a changed checkout pays:
# an unchanged one reads the stamps (about a millisecond) and keeps its caches.


def _compiled_neighbours(module: ModuleType, prefix: str) -> set[str]:
    """Package modules whose kernels, intrinsics or selves this module's globals hold."""
    out = set()
    for value in vars(module).values():
        if isinstance(value, CPUDispatcher | _Intrinsic):
            name = getattr(value, "__module__", None) or ""
        elif isinstance(value, ModuleType):
            name = value.__name__
        else:
            continue
        if name.startswith(prefix) and name != module.__name__ and name in sys.modules:
            out.add(name)
    return out


def _reach(name: str, prefix: str) -> set[str]:
    """The module and every package module it reaches through compiled code, transitively."""
    seen, todo = {name}, [name]
    while todo:
        for other in _compiled_neighbours(sys.modules[todo.pop()], prefix):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def _cache_dir(module: ModuleType) -> Path | None:
    """Where Numba keeps this module's cached kernels (None: no cached kernel here)."""
    for value in vars(module).values():
        if isinstance(value, CPUDispatcher) and value.__module__ == module.__name__:
            cache = getattr(value, "_cache", None)
            path = getattr(cache, "_cache_path", None)
            if path:
                return Path(path)
    return None


def drop_stale(prefix: str) -> list[str]:
    """Drop the stale cached kernels of every loaded module under ``prefix`` (a package name);
    returns the modules whose caches were dropped. Call it after the package's kernels are
    defined and before the first is called (a package's ``__init__``, or the end of a module
    imported later)."""
    dropped = []
    sources: dict[str, bytes] = {}  # each file read once
    for name in sorted(n for n in list(sys.modules) if n == prefix or n.startswith(prefix + ".")):
        module = sys.modules[name]
        where = _cache_dir(module)
        source = getattr(module, "__file__", None)
        if where is None or source is None:
            continue
        digest = hashlib.sha256()
        for other in sorted(_reach(name, prefix + ".")):
            file = getattr(sys.modules[other], "__file__", None)
            if file:
                if file not in sources:
                    sources[file] = Path(file).read_bytes()
                digest.update(other.encode() + b"\0" + sources[file])
        stem = Path(source).stem
        stamp = where / f"{stem}.kernels.stamp"
        try:
            if stamp.exists() and stamp.read_text() == digest.hexdigest():
                continue
            for cached in [*where.glob(f"{stem}.*.nbi"), *where.glob(f"{stem}.*.nbc")]:
                cached.unlink(missing_ok=True)
            where.mkdir(parents=True, exist_ok=True)
            stamp.write_text(digest.hexdigest())
        except OSError:  # a read-only install: Numba caches elsewhere, or not at all
            continue
        dropped.append(name)
    return dropped
