"""Replace the text between two marker comments of a Markdown file (generated tables in docs)."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError


def replace_between(doc: str | Path, begin: str, end: str, body: str) -> Path:
    """Put ``body`` between the ``begin`` and ``end`` markers of ``doc``; the rest is kept."""
    p = Path(doc)
    if not p.is_file():
        raise UserError(f"--embed: {p}: no such file")
    text = p.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        raise UserError(f"--embed: {p} has no '{begin}' ... '{end}' markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    p.write_text(f"{head}{begin}\n{body}{end}{tail}", encoding="utf-8")
    return p
