"""Every validation pattern can fail: it does when the mechanism it reflects is knocked out."""

from __future__ import annotations

import pytest

from allegiance.analysis import REFERENCE_SCENARIO
from allegiance.analysis import targets as tg
from allegiance.analysis.knockouts import knock_out, verdicts
from allegiance.analysis.validate import validate
from allegiance.errors import UserError
from allegiance.scenario import load

SMALL = ["population.size=50000"]
VALIDATION = tg.load().by_role("validation")


@pytest.fixture(scope="module")
def reference() -> dict[str, bool]:
    """Verdicts of the reference scenario on every validation pattern (2 replicates)."""
    card = validate(
        REFERENCE_SCENARIO,
        replicates=2,
        overrides=SMALL,
        targets=tg.Targets(patterns=VALIDATION),
        workers=2,
    )
    return dict(zip(card.patterns()["pattern"], card.patterns()["passed"], strict=True))


@pytest.mark.parametrize("pattern", VALIDATION, ids=lambda p: p.id)
def test_the_pattern_fails_without_its_mechanism(pattern: tg.Pattern, reference) -> None:  # noqa: ANN001
    assert pattern.knockout is not None
    knocked = knock_out(load(REFERENCE_SCENARIO, SMALL), pattern.knockout)
    card = validate(knocked, replicates=2, targets=tg.Targets(patterns=[pattern]))
    assert not card.passed, f"{pattern.id} still holds with '{pattern.knockout.why}' knocked out"
    # where the reference shows the pattern, the knock-out is what breaks it
    if reference[pattern.id]:
        assert card.patterns()["share"].iloc[0] < 1.0


def test_a_knockout_naming_an_unknown_event_is_one_line() -> None:
    ko = tg.Knockout(why="w", drop_events=["no-such-event"])
    with pytest.raises(UserError, match="no-such-event") as err:
        knock_out(load(REFERENCE_SCENARIO), ko)
    assert "\n" not in str(err.value)


def test_verdicts_compare_the_two_arms() -> None:
    fact7 = next(p for p in VALIDATION if p.id == "fact7")
    out = verdicts(REFERENCE_SCENARIO, fact7, replicates=1, overrides=[*SMALL, "end=2016-12"])
    assert list(out["arm"]) == ["reference", "knocked out"]
    assert not out["passed"].iloc[1]
