"""Did-you-mean hints for misspelt field, key and option names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, allowed: Iterable[str]) -> str | None:
    """The allowed name closest to ``name``, or None when nothing is close."""
    options = [str(a) for a in allowed]
    lowered = {a.lower(): a for a in options}
    if name.lower() in lowered:
        return lowered[name.lower()]
    hit = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return hit[0] if hit else None


def did_you_mean(name: str, allowed: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" when a close allowed name exists, else ''."""
    hit = nearest(name, allowed)
    return f" (did you mean {hit!r}?)" if hit is not None and hit != name else ""
