"""Resolution, not world size: fewer simulated people give the same world, only noisier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from allegiance import run
from allegiance.rng import child_seeds
from helpers import small

HEADLINE = ["members", "killed", "executed", "exits_abroad", "exits_to_rival", "joins_foreign"]
CHECKED = ["2014-09", "2015-06", "2016-02", "2016-06"]


def _runs(size: int, n: int) -> pd.DataFrame:
    frames = []
    for seed in child_seeds(7, n):
        ts = run(small(size=size, end="2016-06"), seed=seed).timeseries.set_index("month")
        flows = ts[HEADLINE[1:]].cumsum()  # cumulative flows: smooth enough to compare
        frames.append(pd.concat([ts[["members"]], flows], axis=1).loc[CHECKED])
    return pd.concat(frames, keys=range(n), names=["seed"])


def test_fifty_thousand_and_five_hundred_thousand_give_the_same_world() -> None:
    coarse, fine = _runs(50_000, 6), _runs(500_000, 2)
    m_c, m_f = coarse.groupby("month").mean(), fine.groupby("month").mean()
    # sampling error of each mean; the fine runs are 10x less noisy than the coarse ones
    se = np.sqrt(coarse.groupby("month").var(ddof=1) / 6 * (1 + 6 / 2 / 10))
    z = ((m_c - m_f).abs() / se.clip(lower=1e-9)).to_numpy()
    assert (z < 4).all(), f"coarse and fine differ beyond sampling error:\n{(m_c - m_f) / se}"
    # and the world is the same size: strength in the tens of thousands at both resolutions
    assert (m_c.loc["2016-02", "members"] / m_f.loc["2016-02", "members"]) == __import__(
        "pytest"
    ).approx(1.0, rel=0.1)


def test_scale_follows_from_the_real_world_and_the_resolution() -> None:
    a, b = small(size=50_000), small(size=500_000)
    assert a.population.real_size == b.population.real_size
    assert a.population.scale == 10 * b.population.scale
