"""Read a YAML file that must hold a mapping; any problem is one line naming the file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from . import limits
from .errors import UserError

# parsed files by path and version (device, inode, modification and change times, size): a
# calibration or a sweep reads the same scenario for every run, and parsing it costs more than a
# small run's first months. The change time, which nobody can set, tells a file rewritten with
# its old modification time and size (cp -p, an editor restoring times) from the one parsed.
_PARSED: dict[tuple[str, int, int, int, int, int], Any] = {}
_PARSED_MAX = 64


def read_mapping(path: str | Path, what: str, empty_ok: bool = False) -> dict[str, Any]:
    """Return the mapping in ``path``; ``what`` names the kind of file in messages.

    The parse of an unchanged file is kept, and each caller gets its own deep copy of it.
    """
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such {what} file")
    try:
        st = p.stat()
        key = (
            str(p.resolve()),
            st.st_dev,
            st.st_ino,
            st.st_mtime_ns,
            st.st_ctime_ns,
            st.st_size,
        )
    except OSError as err:
        raise UserError(f"{p}: cannot read the file ({err.strerror})") from None
    if key not in _PARSED:
        data = _parse(p)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = data
    data = copy.deepcopy(_PARSED[key])
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{p}: a {what} must be a mapping of fields, got {type(data).__name__}")
    return data


def _parse(p: Path) -> Any:  # noqa: ANN401 (whatever the YAML holds)
    """Parse ``p``; any problem is one line naming the file."""
    try:
        return limits.load_yaml(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise UserError(f"{p}: broken YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise UserError(f"{p}: not a text file (expected YAML)") from None
    except UserError as err:  # nesting or anchor expansion past the limits
        raise UserError(f"{p}: {err}") from None
    except OSError as err:
        raise UserError(f"{p}: cannot read the file ({err.strerror})") from None
