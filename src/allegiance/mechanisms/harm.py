"""Indiscipline and harm to civilians from untrained, opportunist and child members.

Rule: indiscipline_i = w_u*(1 - training/full) + w_o*[opportunist] + w_c*[under 18]; the index
is the sum over members (real-world units) per 1,000 civilians in the territory. Evidence: the
sharia course 'covers ISIS' version of Islamic humanitarian law, which does set some limits on
violence against civilians'; with less training 'its fighters will become increasingly prone to
indiscipline, corruption, and looting ... at a high cost to Syrian civilians'; Hossam: '80
percent of ISIS members are bad guys'.
"""

from __future__ import annotations

import numpy as np

from ..people import Motive, People
from ..scenario import Scenario


def civilian_harm(
    people: People,
    members: np.ndarray,
    policy: Scenario,
    month: int,
    scale: float,
    civilians_real: float,
) -> float:
    """The harm index: indiscipline-weighted members per 1,000 civilians."""
    if members.size == 0 or civilians_real <= 0:
        return 0.0
    h = policy.harm
    full = policy.organization.training.full_days
    untrained = 1.0 - np.minimum(people.training_days[members] / full, 1.0)
    u18 = people.age_years(month, members) < 18
    score = (
        h.untrained * untrained
        + h.opportunist * (people.motive[members] == Motive.OPPORTUNISM)
        + h.child * u18
    )
    return float(score.sum() * scale / civilians_real * 1000.0)
