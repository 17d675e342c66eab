"""The inflow of foreign fighters: an exogenous monthly arrival count set by the scenario.

Rule: arrivals(t) = stochastic_round(inflow(t) * foreign_scale / scale), drawn uniformly from the
pool of prospective foreign fighters still abroad. Evidence: the seed's 'members from the Gulf
countries, Europe, and Central Asia'; inflows of about 1,500-2,000 a month in 2015 falling to
about 200 a month by April 2016 (US military estimates, 2016).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..people import FOREIGN_MIN, Motive, People, Status
from ..world import Month

# the codes as plain ints: NumPy takes an IntEnum scalar through a slow path (people.py)
_CIVILIAN = int(Status.CIVILIAN)
_TRAINING = int(Status.TRAINING)
_IDEOLOGY = int(Motive.IDEOLOGY)
_OPPORTUNISM = int(Motive.OPPORTUNISM)


def stochastic_round(x: float, rng: np.random.Generator) -> int:
    """Round so that the expectation is exact: 2.3 becomes 3 with chance 0.3."""
    lo = math.floor(x)
    return lo + int(rng.random() < x - lo)


def arrive(
    people: People, month: Month, scale: float, first_foreign: int, rng: np.random.Generator
) -> np.ndarray:
    """Move this month's foreign arrivals into the training pipeline; return their indices."""
    want = stochastic_round(
        month.env.foreign_inflow * month.policy.joining.foreign_scale / scale, rng
    )
    if want <= 0:
        return np.empty(0, dtype=np.int64)
    min_age = month.policy.organization.children.min_age
    pool = _pool(people.status, people.origin, people.birth, first_foreign, month.index, min_age)
    idx = np.sort(rng.choice(pool, size=min(want, pool.size), replace=False))
    t = month.policy.organization.training
    _enter(
        people.status,
        people.motive,
        people.joined,
        people.training_left,
        people.training_days,
        people.ideology,
        idx,
        month.index,
        t.sharia_days + t.bootcamp_days,
    )
    return idx


@njit(cache=True)
def _enter(status, motive, joined, left, days, ideology, idx, month, training):  # noqa: ANN001, ANN202, PLR0913
    """Each arrival's status, motive, month joined and days of training in one compiled pass
    (six NumPy calls before; the values cast to each array's type as NumPy's stores cast).

    Foreign volunteers come for the caliphate project (seed: the Deir Ezzor defector's view of
    'the battle between Islam and the West'); the low-committed come for pay and status."""
    for k in range(idx.size):
        i = idx[k]
        status[i] = _TRAINING
        # float32 ideology against 0.4 as float32, as NumPy compares a float32 array with it
        motive[i] = _IDEOLOGY if ideology[i] >= np.float32(0.4) else _OPPORTUNISM
        joined[i] = month
        left[i] = training
        days[i] = training


@njit(cache=True)
def _pool(status, origin, birth, first, month, min_age):  # noqa: ANN001, ANN202
    """Foreign civilians old enough to come, in index order: one compiled pass over the foreign
    block instead of a scan, two gathers and an age computation in NumPy."""
    out = np.empty(status.size - first, np.int64)
    n = 0
    for i in range(first, status.size):
        # age in whole years as people.years: (month - birth) // 12
        old_enough = (month - np.int32(birth[i])) // 12 >= min_age
        if status[i] == _CIVILIAN and origin[i] >= FOREIGN_MIN and old_enough:
            out[n] = i
            n += 1
    return out[:n]
