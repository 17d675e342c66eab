"""Governance capacity and the fiscal spiral: Syrian members -> revenue -> pay.

Rule: capacity = min(1, Syrian members / (Syrians needed * territory reach)) ** elasticity, the
insiders needed growing with the territory to be taxed (reach 1 = the territory of January
2015); revenue = potential revenue(t) * capacity; the pay factor actually paid = policy factor *
min(1, payroll share * revenue / full-schedule payroll), so the budget can force a cut. Evidence: ISIS 'relies heavily on its Syrian members for
intelligence, building rapport with civilians, brokering alliances with tribes, and
administrating vital institutions, including taxation, which requires insider knowledge'; 'An
increase in defections by Syrian fighters thus poses a serious threat to ISIS' governance'.
The spiral is a modelling choice grounded in the seed (docs/ODD.md); potential revenue follows
ICSR/EY (Heissner et al. 2017): up to $1.9bn in 2014, at most $870M in 2016.
"""

from __future__ import annotations


def capacity(syrian_members: float, syrians_needed: float, elasticity: float) -> float:
    """Governance capacity in [0, 1] from the real number of Syrian members."""
    return min(1.0, max(syrian_members, 0.0) / syrians_needed) ** elasticity


def pay_factor(
    policy_factor: float, revenue_usd: float, payroll_share: float, payroll_full_usd: float
) -> float:
    """Share of the schedule paid: the policy cut, and further cuts when revenue cannot cover it."""
    if payroll_full_usd <= 0:
        return policy_factor
    return policy_factor * min(
        1.0, payroll_share * revenue_usd / (policy_factor * payroll_full_usd + 1e-9)
    )
