"""Pay: the official ISIS salary schedule, the foreign and skill premiums, and the pay factor.

Rule: cash = (base + 50*wives + 50*parents + 35*children + per_dependant*others) * foreign
premium * skill premium * pay factor. Evidence: 'the starting salary for a fighter is $50 per
month, with an additional $50 per wife or slave, $50 for each dependent parent, and $35 for each
child'; foreign fighters 'paid two or three times as much as their Syrian counterparts'; 'those
with special skills or experience, usually foreigners, are paid the most'; 'ISIS has slashed all
fighters' salaries by as much as 50 percent' (the factor; al-Tamimi 2015 reports the memo).

Each function is one compiled call (the month runs them on members and graduates: a dozen NumPy
calls over a few thousand people cost more than the arithmetic). The kernels repeat the plain
NumPy expressions element by element in the same dtypes (float64 sums of the counts, then float32
as NumPy 2 rounds a Python float against a float32 array), so the results are bit-identical;
tests/test_compiled_leaving.py keeps the NumPy bodies and compares.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..people import FOREIGN_MIN, People, fixed_traits
from ..scenario import Pay


@njit(cache=True, error_model="numpy", inline="always")
def _cash(
    wives: int,
    parents: int,
    children: int,
    dependants: int,
    origin: int,
    skilled: bool,
    base: float,
    per_wife: float,
    per_parent: float,
    per_child: float,
    per_dependant: float,
    foreign32: np.float32,
    skill32: np.float32,
) -> np.float32:
    """One schedule: the float64 sum in the NumPy expression's order, to float32, then the
    premiums in float32."""
    cash = np.float32(
        base
        + per_wife * np.float64(wives)
        + per_parent * np.float64(parents)
        + per_child * np.float64(children)
        + per_dependant * np.float64(dependants)
    )
    if origin >= FOREIGN_MIN:
        cash = cash * foreign32
    if skilled:
        cash = cash * skill32
    return cash


@njit(cache=True, error_model="numpy")
def _schedule_fixed(
    fixed: np.ndarray,
    base: float,
    per_wife: float,
    per_parent: float,
    per_child: float,
    per_dependant: float,
    foreign_premium: float,
    skill_premium: float,
) -> np.ndarray:
    """Schedules from FIXED records."""
    foreign32, skill32 = np.float32(foreign_premium), np.float32(skill_premium)
    out = np.empty(fixed.size, np.float32)
    for i in range(fixed.size):
        r = fixed[i]
        out[i] = _cash(
            r["wives"],
            r["parents"],
            r["children"],
            r["dependants"],
            r["origin"],
            r["skilled"],
            base,
            per_wife,
            per_parent,
            per_child,
            per_dependant,
            foreign32,
            skill32,
        )
    return out


def schedule_usd(
    people: People, idx: np.ndarray, pay: Pay, fixed: np.ndarray | None = None
) -> np.ndarray:
    """Full-schedule monthly cash pay of the people ``idx`` (before any cut); ``fixed``: their
    FIXED records, when the caller carries them."""
    records = fixed if fixed is not None else fixed_traits(people, idx)
    return _schedule_fixed(records, *schedule_terms(pay))


def schedule_terms(pay: Pay) -> tuple[float, ...]:
    """The schedule's terms as ``_schedule_fixed`` takes them."""
    return (
        pay.base,
        pay.per_wife,
        pay.per_parent,
        pay.per_child,
        pay.per_dependant,
        pay.foreign_premium,
        pay.skill_premium,
    )


@njit(cache=True, error_model="numpy", inline="always")
def _need(wives: int, children: int, parents: int, dependants: int, food: float) -> np.float32:
    """One household's food need: its size as the float64 sum in the NumPy expression's order,
    times the food cost, to float32."""
    size = (
        1.0
        + np.float64(wives)
        + np.float64(children)
        + np.float64(parents)
        + np.float64(dependants)
    )
    return np.float32(size * food)


@njit(cache=True, error_model="numpy")
def _need_fixed(fixed: np.ndarray, food: float) -> np.ndarray:
    """Food needs from FIXED records."""
    out = np.empty(fixed.size, np.float32)
    for i in range(fixed.size):
        r = fixed[i]
        out[i] = _need(r["wives"], r["children"], r["parents"], r["dependants"], food)
    return out


def need_usd(
    people: People,
    idx: np.ndarray,
    food_cost_usd: float,
    food_price_index: float,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly cost of feeding the household of each of ``idx`` at current food prices."""
    records = fixed if fixed is not None else fixed_traits(people, idx)
    return _need_fixed(records, food_cost_usd * food_price_index)


@njit(cache=True, error_model="numpy", inline="always")
def _gap(pay: float, in_kind: float, need: float) -> np.float32:
    """One shortfall in the dtypes NumPy would use: ``in_kind`` comes typed as ``pay`` (a Python
    float against an array takes the array's dtype), the quotient takes the wider of pay and
    need, and a float32 1.0 or 0.0 against it keeps that dtype; the clip keeps a NaN, as
    np.maximum and np.minimum do."""
    x = (pay + in_kind) / need
    gap = np.float32(1.0) - x
    if gap < 0.0:
        gap = np.float32(0.0)
    if gap > 1.0:
        gap = np.float32(1.0)
    return np.float32(gap)


@njit(cache=True, error_model="numpy")
def _shortfall(pay_usd: np.ndarray, in_kind_usd: float, need: np.ndarray) -> np.ndarray:
    """Shortfalls, element by element."""
    in_kind = pay_usd.dtype.type(in_kind_usd)
    out = np.empty(pay_usd.size, np.float32)
    for i in range(pay_usd.size):
        out[i] = _gap(pay_usd[i], in_kind, need[i])
    return out


def _float_pay(pay_usd: np.ndarray) -> np.ndarray:
    """Pay as the kernels take it: float32 or float64 as given; any other dtype as float64, which
    is what NumPy makes of an integer array against a Python float."""
    if pay_usd.dtype == np.float32 or pay_usd.dtype == np.float64:
        return pay_usd
    return pay_usd.astype(np.float64)


def shortfall(pay_usd: np.ndarray, in_kind_usd: float, need: np.ndarray) -> np.ndarray:
    """Share of the household's food need that pay and in-kind benefits fail to cover, in [0, 1]."""
    return _shortfall(_float_pay(pay_usd), in_kind_usd, need)


@njit(cache=True, error_model="numpy")
def _records_shortfall(
    fixed: np.ndarray, pay_usd: np.ndarray, in_kind_usd: float, food: float
) -> np.ndarray:
    """Shortfalls of the households of FIXED records, their needs never stored."""
    in_kind = pay_usd.dtype.type(in_kind_usd)
    out = np.empty(fixed.size, np.float32)
    for i in range(fixed.size):
        r = fixed[i]
        need = _need(r["wives"], r["children"], r["parents"], r["dependants"], food)
        out[i] = _gap(pay_usd[i], in_kind, need)
    return out


def records_shortfall(
    fixed: np.ndarray,
    pay_usd: np.ndarray,
    in_kind_usd: float,
    food_cost_usd: float,
    food_price_index: float,
) -> np.ndarray:
    """``shortfall(pay_usd, in_kind_usd, need_usd(...))`` of the people whose FIXED records are
    ``fixed``, in one compiled call (the leaving hazards read it every month; a kernel in another
    module calls this rather than inlining the rule: Numba's cache would not notice a change
    here)."""
    return _records_shortfall(
        fixed, _float_pay(pay_usd), in_kind_usd, food_cost_usd * food_price_index
    )
