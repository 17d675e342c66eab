"""Pay: the official ISIS salary schedule, the foreign and skill premiums, and the pay factor.

Rule: cash = (base + 50*wives + 50*parents + 35*children + per_dependant*others) * foreign
premium * skill premium * pay factor. Evidence: 'the starting salary for a fighter is $50 per
month, with an additional $50 per wife or slave, $50 for each dependent parent, and $35 for each
child'; foreign fighters 'paid two or three times as much as their Syrian counterparts'; 'those
with special skills or experience, usually foreigners, are paid the most'; 'ISIS has slashed all
fighters' salaries by as much as 50 percent' (the factor; al-Tamimi 2015 reports the memo).
"""

from __future__ import annotations

import numpy as np

from ..people import FOREIGN_MIN, People, trait
from ..scenario import Pay


def schedule_usd(
    people: People, idx: np.ndarray, pay: Pay, fixed: np.ndarray | None = None
) -> np.ndarray:
    """Full-schedule monthly cash pay of the people ``idx`` (before any cut); ``fixed``: their
    FIXED records, when the caller carries them."""
    cash = (
        pay.base
        + pay.per_wife * trait(people, idx, fixed, "wives")
        + pay.per_parent * trait(people, idx, fixed, "parents")
        + pay.per_child * trait(people, idx, fixed, "children")
        + pay.per_dependant * trait(people, idx, fixed, "dependants")
    ).astype(np.float32)
    origin = trait(people, idx, fixed, "origin")
    cash = np.where(origin >= FOREIGN_MIN, cash * pay.foreign_premium, cash)
    skilled = trait(people, idx, fixed, "skilled")
    return np.where(skilled, cash * pay.skill_premium, cash).astype(np.float32)


def need_usd(
    people: People,
    idx: np.ndarray,
    food_cost_usd: float,
    food_price_index: float,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly cost of feeding the household of each of ``idx`` at current food prices."""
    size = (
        1.0
        + trait(people, idx, fixed, "wives")
        + trait(people, idx, fixed, "children")
        + trait(people, idx, fixed, "parents")
        + trait(people, idx, fixed, "dependants")
    )
    return (size * (food_cost_usd * food_price_index)).astype(np.float32)


def shortfall(pay_usd: np.ndarray, in_kind_usd: float, need: np.ndarray) -> np.ndarray:
    """Share of the household's food need that pay and in-kind benefits fail to cover, in [0, 1]."""
    gap = 1.0 - (pay_usd + in_kind_usd) / need
    return np.minimum(np.maximum(gap, 0.0), 1.0).astype(np.float32)  # a clip without its wrapper
