"""Did-you-mean hints."""

from __future__ import annotations

from allegiance.hints import did_you_mean, nearest


def test_nearest_name() -> None:
    assert nearest("factr", ["base", "factor"]) == "factor"
    assert nearest("SIZE", ["size"]) == "size"
    assert nearest("zzzz", ["base", "factor"]) is None
    assert did_you_mean("base", ["base"]) == ""
    assert did_you_mean("bse", ["base"]) == " (did you mean 'base'?)"
