"""The armed alternatives to the group: who recruits where, and what each pays.

Rule: in each local origin, the best armed alternative is the highest pay among the groups that
recruit there (population.rival_reach); it is an outside option for economic joiners and draws
those who leave towards a rival group. Evidence (seed): 'the FSA may pay its fighters as little
as $36 per month, with none of the additional benefits that ISIS provides; Syrian army salaries
start at $63 per month; and Jabhat al-Nusra pays an average of $100 per month.'
"""

from __future__ import annotations

import numpy as np

from ..people import IRAQI
from ..scenario import LOCAL_ORIGINS, Population
from ..world import Env

# the last call's arguments and answer: joining and leaving ask twice a month with the same
# month's objects (one tuple, replaced whole, so a reader never sees half of an update)
_last: tuple[object, object, np.ndarray] | None = None


def armed_pay(env: Env, population: Population) -> np.ndarray:
    """Best armed group's pay in each local origin (index = Origin code 0..6); 0 where none.

    The array is read-only: the same one answers a second call with the same objects.
    """
    global _last
    last = _last
    if last is not None and last[0] is env and last[1] is population:
        return last[2]
    pay = {"fsa": env.fsa_pay_usd, "army": env.army_pay_usd, "nusra": env.nusra_pay_usd}
    best = [0.0] * (IRAQI + 1)  # Python floats until the end: NumPy scalars cost more each
    for group, provinces in population.rival_reach.items():
        for name in provinces:
            k = LOCAL_ORIGINS.index(name)
            best[k] = max(best[k], pay[group])
    out = np.array(best)
    out.flags.writeable = False
    _last = (env, population, out)
    return out
