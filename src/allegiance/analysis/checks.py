"""Checks of the analysis commands' output files, made before any replicate runs."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UserError


def check_embed(doc: Path, begin: str, end: str) -> None:
    """The Markdown file ``--embed`` rewrites exists, is writable and holds both markers."""
    if not doc.is_file():
        raise UserError(f"--embed: {doc}: no such file")
    if not os.access(doc, os.W_OK):
        raise UserError(f"--embed: {doc}: the file is not writable")
    try:
        text = doc.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"--embed: {doc}: cannot read it as text ({err})") from None
    if begin not in text or end not in text:
        raise UserError(f"--embed: {doc} has no '{begin}' ... '{end}' markers")
