"""Named outcomes computed from a run's monthly timeseries."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from allegiance.errors import UserError
from allegiance.experiments.outcomes import DRIVERS, OUTCOMES, compute


def fake_results() -> SimpleNamespace:
    months = ["2015-11", "2015-12", "2016-01", "2016-02", "2017-01"]
    n = len(months)
    ts = pd.DataFrame({"month": months})
    ts["members"] = [10.0, 30.0, 20.0, 15.0, 5.0]
    for i, d in enumerate(DRIVERS):
        ts[f"exits_{d}"] = np.arange(n, dtype=float) + i
    ts["executed"] = [0.0, 1.0, 2.0, 3.0, 4.0]
    ts["killed"] = 1.0
    ts["civilian_harm"] = [0.0, 1.0, 2.0, 3.0, 4.0]
    ts["under18_share"] = [0.1, 0.2, 0.4, 0.3, 0.2]
    return SimpleNamespace(timeseries=ts, scale=1.0)


def test_outcomes_from_timeseries() -> None:
    r = fake_results()
    names = [
        "peak_members",
        "members_final",
        "exits_2016_pay",
        "exits_2016_total",
        "exits_total",
        "executions_total",
        "killed_total",
        "civilian_harm_mean",
        "under18_share_max",
    ]
    out = compute(r, names)
    pay = DRIVERS.index("pay")
    assert out["peak_members"] == 30.0
    assert out["members_final"] == 5.0
    assert out["exits_2016_pay"] == (2 + pay) + (3 + pay)  # Jan and Feb 2016 only
    assert out["exits_2016_total"] == sum((2 + i) + (3 + i) for i in range(len(DRIVERS)))
    assert out["exits_total"] == sum(10 + 5 * i for i in range(len(DRIVERS)))
    assert out["executions_total"] == 10.0
    assert out["killed_total"] == 5.0
    assert out["civilian_harm_mean"] == 2.0
    assert out["under18_share_max"] == 0.4


def test_registry_has_one_outcome_per_driver() -> None:
    for d in DRIVERS:
        assert f"exits_2016_{d}" in OUTCOMES


def test_unknown_outcome_is_user_error() -> None:
    with pytest.raises(UserError, match="unknown"):
        compute(fake_results(), ["nope"])
