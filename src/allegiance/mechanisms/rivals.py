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


def armed_pay(env: Env, population: Population) -> np.ndarray:
    """Best armed group's pay in each local origin (index = Origin code 0..6); 0 where none."""
    pay = {"fsa": env.fsa_pay_usd, "army": env.army_pay_usd, "nusra": env.nusra_pay_usd}
    best = [0.0] * (IRAQI + 1)  # Python floats until the end: NumPy scalars cost more each
    for group, provinces in population.rival_reach.items():
        for name in provinces:
            k = LOCAL_ORIGINS.index(name)
            best[k] = max(best[k], pay[group])
    return np.array(best)
