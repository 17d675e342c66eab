"""The calendar: series interpolation and the timeline resolved month by month."""

from __future__ import annotations

import pytest

from allegiance.world import calendar, series_at
from helpers import reference


def test_series_interpolates_and_holds_flat() -> None:
    s = {"2015-01": 100.0, "2015-03": 200.0}
    assert series_at(s, "2014-06") == 100.0
    assert series_at(s, "2015-02") == pytest.approx(150.0)
    assert series_at(s, "2016-01") == 200.0
    assert series_at(7.0, "2030-01") == 7.0


def test_calendar_follows_the_reference_timeline() -> None:
    cal = {m.label: m for m in calendar(reference())}
    assert cal["2015-01"].env.territory_km2 == pytest.approx(90_800)
    assert cal["2016-07"].env.territory_km2 == pytest.approx(68_300)
    assert cal["2016-07"].env.decline > 0.2  # 'growing weaker by the day'
    assert cal["2014-06"].env.decline == 0.0
    assert cal["2015-10"].policy.organization.training.sharia_days >= 30
    assert cal["2015-11"].policy.organization.training.sharia_days <= 5
