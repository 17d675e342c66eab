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

from .. import pcg
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
    t = month.policy.organization.training
    return _arrive(
        pcg.state(rng),
        pcg.buffer(rng),
        month.env.foreign_inflow * month.policy.joining.foreign_scale / scale,
        people.status,
        people.origin,
        people.birth,
        first_foreign,
        month.index,
        month.policy.organization.children.min_age,
        people.motive,
        people.joined,
        people.training_left,
        people.training_days,
        people.ideology,
        t.sharia_days + t.bootcamp_days,
    )


@njit(cache=True)
def _arrive(
    st,
    buf,
    x,
    status,
    origin,
    birth,
    first,
    month,
    min_age,
    motive,
    joined,
    left,
    days,
    ideology,
    training,
):  # noqa: ANN001, ANN202, PLR0913
    """``arrive`` as one compiled call: the stochastic rounding of ``x``, the pool, the sample
    from it and the entry into training, drawn from the generator's state ``st`` and kept half
    ``buf`` (pcg) as ``stochastic_round`` and ``np.sort(rng.choice(pool, size, replace=False))``
    drew them (three NumPy calls with their argument handling before)."""
    # refused as math.floor refuses them in stochastic_round
    if np.isnan(x):
        raise ValueError("cannot convert float NaN to integer")
    if np.isinf(x):
        raise OverflowError("cannot convert float infinity to integer")
    lo = np.floor(x)
    # lo + (u < x - lo) as a float: exact below 2**53, and any more is the whole pool anyway
    want = lo + 1.0 if pcg.random(st) < x - lo else lo
    if want <= 0:
        return np.empty(0, np.int64)
    pool = _pool(status, origin, birth, first, month, min_age)
    size = pool.size if want >= pool.size else np.int64(want)
    idx = np.sort(pool[pcg.choice(st, buf, pool.size, size)])
    _enter(status, motive, joined, left, days, ideology, idx, month, training)
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
