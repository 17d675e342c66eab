"""Read a YAML file that must hold a mapping; any problem is one line naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import limits
from .errors import UserError


def read_mapping(path: str | Path, what: str, empty_ok: bool = False) -> dict[str, Any]:
    """Return the mapping in ``path``; ``what`` names the kind of file in messages."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such {what} file")
    try:
        data = limits.load_yaml(p.read_text(encoding="utf-8"))
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
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{p}: a {what} must be a mapping of fields, got {type(data).__name__}")
    return data
