"""Scenario schema, loading, ``--set`` overrides and one-line errors for bad input."""

from __future__ import annotations

import copy
import math
import os
import re
import weakref
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import limits
from .errors import UserError
from .hints import did_you_mean
from .yamlfile import read_mapping

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

LOCAL_ORIGINS = ("deir_ezzor", "raqqa", "aleppo", "idlib", "homs", "hasakah", "iraq")
FOREIGN_REGIONS = ("gulf", "europe", "central_asia", "other_foreign")
RIVALS = ("fsa", "army", "nusra")  # the armed alternatives the seed prices: $36, $63 and $100


def P(
    default: Any,
    unit: str,
    source: str,
    plausible: tuple[float, float] | None = None,
    **bounds: Any,
) -> Any:
    """A parameter: default, unit, source (seed quote, publication or 'assumption: why')."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if plausible is not None:
        extra["plausible"] = list(plausible)
    return Field(default, json_schema_extra=extra, **bounds)


class Frozen(BaseModel):
    """Immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _fill_from_defaults(cls, data: Any) -> Any:
        """A partly given parameter (``joining.ideology: {base: 0.001}``) keeps the rest of its
        default value, not the defaults of its type: ``effect`` stays the hazard's own."""
        if not isinstance(data, dict):
            return data
        out = data
        for name, default in _model_defaults(cls):
            given = data.get(name)
            if isinstance(given, dict):
                out = {**out, name: {**default, **given}}
        return out


@cache
def _model_defaults(cls: type[BaseModel]) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The fields of ``cls`` whose default is a model, with that default dumped: once per class,
    since every scenario validation (a run validates one per timeline change) would otherwise
    dump them all again. Read only: merged into new dicts, never written."""
    return tuple(
        (name, field.default.model_dump())
        for name, field in cls.model_fields.items()
        if isinstance(field.default, BaseModel)
    )


Series = float | dict[str, float]
"""A constant, or ``{"YYYY-MM": value}`` knots linearly interpolated and held flat at the ends."""


def _check_series(
    value: Series, lo: float | None = None, hi: float | None = None, positive: bool = False
) -> Series:
    points = value.values() if isinstance(value, dict) else [value]
    if isinstance(value, dict):
        if not value:
            raise ValueError("a series needs at least one 'YYYY-MM: value' point")
        for k in value:
            if not MONTH_RE.match(str(k)):
                raise ValueError(f"series key {k!r} is not a month like '2015-11'")
    for v in points:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return value  # not a number: the type check that follows names the problem
        if not math.isfinite(v):
            raise ValueError(f"values must be finite numbers (got {v})")
        if positive and v <= 0:
            raise ValueError(f"values must be > 0 (got {v})")
        if lo is not None and v < lo:
            raise ValueError(f"values must be >= {lo} (got {v})")
        if hi is not None and v > hi:
            raise ValueError(f"values must be <= {hi} (got {v})")
    return value


class Beta(Frozen):
    """A Beta(a, b) distribution on [0, 1]."""

    a: float = Field(2.0, gt=0)
    b: float = Field(2.0, gt=0)


class Age(Frozen):
    """Ages of the male population of joining age in the territory."""

    min: int = P(
        10,
        "years",
        "seed: Sami joined at 14; modelling floor for child recruits; assumption: the value",
        (8, 14),
        ge=5,
        le=30,
    )
    max: int = P(55, "years", "assumption: upper age of plausible recruits", (45, 65), ge=20, le=90)
    under18_share: float = P(
        0.25,
        "share",
        "assumption: Syrian age pyramid (UN WPP 2015), males 10-55",
        (0.2, 0.35),
        ge=0,
        le=1,
    )

    @model_validator(mode="after")
    def _order(self) -> Age:
        if self.min >= self.max:
            raise ValueError("age.min must be below age.max")
        return self


class Household(Frozen):
    """Dependants per man, each Poisson; they enter the pay formula and the cost of living."""

    wives_mean: float = P(
        0.8,
        "wives per man of 18 or more",
        "seed: pay formula counts 'each wife or slave'; assumption: most Syrian men over 25 are "
        "married and polygyny is a few percent (Syria Family Health Survey 2009)",
        (0.5, 1.0),
        ge=0,
        le=4,
    )
    children_mean: float = P(
        4.0,
        "children per married man over 30",
        "assumption: Syria's total fertility about 3 in 2010, higher in the rural east (UN WPP "
        "2015; Syria Family Health Survey 2009)",
        (3, 5),
        ge=0,
        le=15,
    )
    parents_mean: float = P(
        0.5,
        "parents",
        "seed: '$50 for each dependent parent'; assumption: about half of men support a parent",
        (0.2, 1.0),
        ge=0,
        le=4,
    )
    dependants_mean: float = P(
        0.7,
        "people",
        "seed: the man 'financially responsible for his six sisters'; assumption: the mean",
        (0.2, 2),
        ge=0,
        le=15,
    )


class Population(Frozen):
    """Who can join: the local pool by origin, and prospective foreign fighters abroad."""

    size: int = P(
        400_000,
        "simulated people",
        "assumption: resolution only; each simulated person stands for real_size / size real people",
        gt=0,
        le=200_000_000,
    )
    real_size: float = P(
        2_400_000,
        "real people",
        "assumption: men aged 10-55 under the group's rule or within its reach in Iraq and Syria "
        "(estimates put 8-11 million people under its rule at its 2014-15 peak, e.g. Jones et al., "
        "Rolling Back the Islamic State, RAND 2017), plus the pool of prospective foreign fighters",
        (1_500_000, 3_500_000),
        gt=0,
        le=1_000_000_000,
    )
    origins: dict[str, float] = P(
        {
            "deir_ezzor": 0.17,
            "raqqa": 0.14,
            "aleppo": 0.14,
            "idlib": 0.06,
            "homs": 0.08,
            "hasakah": 0.08,
            "iraq": 0.33,
        },
        "share of the local pool",
        "seed names these provinces; shares are an assumption from ISIS-held population estimates (2015)",
    )
    foreign_share: float = P(
        0.02,
        "share of all people",
        "assumption: pool sized to hold the Soufan Group's 27,000-31,000 foreign fighters (2015)",
        (0.01, 0.04),
        ge=0,
        le=0.5,
    )
    foreign_regions: dict[str, float] = P(
        {"gulf": 0.3, "europe": 0.2, "central_asia": 0.2, "other_foreign": 0.3},
        "share of foreign fighters",
        "seed: 'members from the Gulf countries, Europe, and Central Asia'; shares from Soufan Group (2015); assumption: the value",
    )
    age: Age = Age()
    household: Household = Household()
    ideology: Beta = P(
        Beta(a=1.5, b=5.0),
        "Beta(a, b)",
        "assumption: few true believers ('some Syrians ... are true believers')",
    )
    foreign_ideology: Beta = P(
        Beta(a=5.0, b=2.0), "Beta(a, b)", "assumption: foreign volunteers mostly committed"
    )
    grievance: Beta = P(
        Beta(a=2.0, b=3.0),
        "Beta(a, b)",
        "seed: 2011 protests and repression; assumption: the value; assumption: the value",
    )
    family_killed_share: dict[str, float] = P(
        {"default": 0.05, "homs": 0.7},
        "share",
        "seed: 'the majority of ISIS members from Homs' joined to take revenge; Homs repression 'particularly ruthless'; assumption: the value",
    )
    criminal_share: float = P(
        0.01,
        "share",
        "seed: 'pardoned hundreds of criminals previously convicted by Syrian regime courts'; assumption: the value",
        (0.003, 0.03),
        ge=0,
        le=1,
    )
    fsa_share: float = P(
        0.06,
        "share",
        "seed: two former FSA fighters whose brigades surrendered; Ammar fought with the FSA; assumption: the value",
        (0.02, 0.12),
        ge=0,
        le=1,
    )
    regime_share: float = P(
        0.03,
        "share",
        "seed: 'former military officials who have valuable expertise'; assumption: the value",
        (0.01, 0.06),
        ge=0,
        le=1,
    )
    rival_reach: dict[str, list[str]] = P(
        {
            "fsa": ["deir_ezzor", "raqqa", "aleppo", "idlib", "homs", "hasakah"],
            "army": ["deir_ezzor", "homs", "hasakah"],
            "nusra": ["aleppo", "idlib"],
        },
        "provinces where each armed alternative takes recruits",
        "assumption: FSA brigades fought in every Syrian province the seed names; the regime held "
        "enclaves in Deir Ezzor (the airport), Homs and al-Hasakah; Jabhat al-Nusra's strongholds "
        "were Idlib and Aleppo (Lister 2016, Profiling Jabhat al-Nusra, Brookings); Iraqis have "
        "none of the seed's alternatives",
    )
    skilled_share: float = P(
        0.05,
        "share of non-regime men",
        "assumption: civilian men with usable expertise",
        (0.02, 0.1),
        ge=0,
        le=1,
    )
    circle_size: float = P(
        8.0,
        "people",
        "seed: Sami joined with 'several of his oldest childhood friends'; assumption: the value",
        (4, 15),
        ge=1,
        le=100,
    )
    initial_members: float = P(
        12_000,
        "real members",
        "assumption: ISI/ISIS strength mid-2013 (before the CIA's 20,000-31,500 of Sept 2014)",
        (8_000, 15_000),
        ge=0,
    )
    initial_foreign_share: float = P(
        0.2,
        "share of initial members",
        "assumption: ISI in Syria in 2013 was led from Iraq with a minority of foreign volunteers",
        (0.1, 0.3),
        ge=0,
        le=1,
    )
    initial_iraqi_share: float = P(
        0.45, "share of initial members", "assumption: ISI's Iraqi core", (0.3, 0.6), ge=0, le=1
    )

    @model_validator(mode="after")
    def _children(self) -> Population:
        # children's ages are drawn between age.min and 18
        if self.age.under18_share > 0 and self.age.min >= 18:
            raise ValueError(
                f"age.min must be below 18 while age.under18_share > 0 (got {self.age.min})"
            )
        return self

    @field_validator("origins", "foreign_regions")
    @classmethod
    def _shares(cls, v: dict[str, float], info: Any) -> dict[str, float]:
        allowed = LOCAL_ORIGINS if info.field_name == "origins" else FOREIGN_REGIONS
        for k, x in v.items():
            if k not in allowed:
                raise ValueError(f"unknown key {k!r}; allowed: {', '.join(allowed)}")
            if x < 0:
                raise ValueError(f"share of {k!r} must be >= 0 (got {x})")
        if sum(v.values()) <= 0:
            raise ValueError("shares must add up to more than 0")
        return v

    @field_validator("rival_reach")
    @classmethod
    def _reach(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for k, provinces in v.items():
            if k not in RIVALS:
                raise ValueError(f"unknown armed group {k!r}; allowed: {', '.join(RIVALS)}")
            for x in provinces:
                if x not in LOCAL_ORIGINS:
                    raise ValueError(f"unknown province {x!r}; allowed: {', '.join(LOCAL_ORIGINS)}")
        return v

    @field_validator("family_killed_share")
    @classmethod
    def _fk(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if k != "default" and k not in LOCAL_ORIGINS:
                raise ValueError(f"unknown key {k!r}; allowed: default, {', '.join(LOCAL_ORIGINS)}")
            if not 0 <= x <= 1:
                raise ValueError(f"share of {k!r} must be in [0, 1] (got {x})")
        return v

    @model_validator(mode="before")
    @classmethod
    def _no_scale(cls, data: Any) -> Any:
        if isinstance(data, dict) and "scale" in data:
            raise ValueError(
                "scale is derived (real_size / size); set population.real_size for the real "
                "world and population.size for the resolution"
            )
        return data

    @property
    def scale(self) -> float:
        """Real people per simulated person: the world is fixed, ``size`` only sets resolution."""
        return self.real_size / self.size


class Pay(Frozen):
    """The pay schedule (official ISIS documents quoted by the seed) and the fiscal rule."""

    base: float = P(
        50.0, "USD/month", "seed: 'the starting salary for a fighter is $50 per month'", ge=0
    )
    per_wife: float = P(50.0, "USD/month", "seed: 'an additional $50 per wife or slave'", ge=0)
    per_parent: float = P(50.0, "USD/month", "seed: '$50 for each dependent parent'", ge=0)
    per_child: float = P(35.0, "USD/month", "seed: '$35 for each child'", ge=0)
    per_dependant: float = P(
        0.0, "USD/month", "seed: the schedule names no other dependants (the six sisters)", ge=0
    )
    foreign_premium: float = P(
        2.5,
        "multiplier",
        "seed: foreign fighters 'paid two or three times as much'",
        (2, 3),
        ge=1,
        le=10,
    )
    skill_premium: float = P(
        1.5,
        "multiplier",
        "seed: 'those with special skills or experience ... are paid the most'; assumption: the value",
        (1, 2.5),
        ge=1,
        le=10,
    )
    in_kind_usd: float = P(
        60.0,
        "USD/month",
        "seed: 'free food, gas, and housing'; value is an assumption",
        (30, 150),
        ge=0,
    )
    factor: float = P(
        1.0,
        "share of schedule paid",
        "seed: salaries slashed 'by as much as 50 percent'; al-Tamimi (2015) memo",
        (0.5, 1),
        ge=0,
        le=1,
    )
    payroll_share: float = P(
        0.06,
        "share of revenue",
        "calibrated: to the depth of the early-2016 cut (pay_cut_depth, about half); the prior "
        "range (an assumption written before fitting) is kept, and the fitted value lies outside "
        "it: see docs/ODD.md, 'Fiscal loop'",
        (0.2, 0.7),
        gt=0,
        le=1,
    )


class Training(Frozen):
    """The recruitment pipeline."""

    sharia_days: int = P(
        38, "days", "seed: dawraat sharia 'last from 30 to 45 days'", (30, 45), ge=0, le=365
    )
    bootcamp_days: int = P(
        30, "days", "seed: 'followed by military boot camp for another 30 days'", ge=0, le=365
    )
    repentance_days: int = P(
        15, "days", "seed: dawrat istitaba; length is an assumption", (7, 30), ge=0, le=365
    )
    full_days: int = P(
        68,
        "days",
        "seed: 30-45 + 30 days; the reference for 'fully trained'",
        (60, 75),
        gt=0,
        le=365,
    )


class Children(Frozen):
    """Child recruitment: the 'cubs of the Caliphate'."""

    min_age: int = P(
        14,
        "years",
        "seed: Sami 'was 14 years old when he first joined in 2014'",
        (10, 18),
        ge=0,
        le=30,
    )
    rate: float = P(
        0.0002,
        "hazard per month for each child above the minimum age",
        "seed: ISIS 'has started to recruit large numbers of child soldiers'; the 'cubs' are 'more ideologically malleable'; assumption: the value",
        (0.0, 0.01),
        ge=0,
        le=1,
    )
    camps: bool = P(
        True,
        "on/off",
        "Horgan, Taylor, Bloom & Winter (2017), 'From Cubs to Lions', Studies in Conflict & "
        "Terrorism 40(7): children were schooled and trained apart from adults, in their own camps; "
        "assumption: each province's cubs graduate as one cohort and are posted together",
    )


class Enforcement(Frozen):
    """Deterrence: catching and executing those who try to leave (Epstein 2002 form)."""

    intensity: float = P(
        1.0,
        "index",
        "seed: 'executed hundreds of its own fighters for trying to flee'; assumption: the value",
        (0.3, 3),
        ge=0,
    )
    k: float = P(
        0.035,
        "1",
        "Epstein (2002): P = 1 - exp(-k C/A); calibrated: to executions in the hundreds by mid-2016",
        (0.02, 0.3),
        ge=0,
    )
    security_share: float = P(
        0.08,
        "share of members",
        "assumption: security apparatus (amniyat) per member",
        (0.03, 0.15),
        ge=0,
        le=1,
    )
    execute_share: float = P(
        0.3,
        "share of the caught",
        "seed: deserters executed, 'burned or frozen to death'; assumption: the value",
        (0.3, 0.9),
        ge=0,
        le=1,
    )
    border: float = P(
        0.5,
        "1",
        "seed: deserters cross 'into Turkey or Jordan'; a closed border adds this to the catch exponent; assumption: the value",
        (0, 4),
        ge=0,
    )
    fear: float = P(
        1.0, "1", "Epstein (2002): expected arrest deters action; calibrated", (0, 5), ge=0
    )


class Redeployment(Frozen):
    """Orders to distant fronts or against fellow Syrians."""

    iraq_rate: float = P(
        0.0,
        "share of Syrian fighters ordered per month",
        "seed: Ammar ordered 'to the frontlines in Iraq'; assumption: the value",
        (0, 0.1),
        ge=0,
        le=1,
    )
    libya_rate: float = P(
        0.0,
        "share per month",
        "seed: 'redeployment to Iraq and Libya'; assumption: the value",
        (0, 0.05),
        ge=0,
        le=1,
    )
    fsa_rate: float = P(
        0.0,
        "share per month",
        "seed: 'send them into battle against fellow Syrians of the FSA'; assumption: the value",
        (0, 0.1),
        ge=0,
        le=1,
    )
    tour_months: int = P(
        4, "months", "assumption: length of a posting away from home", (2, 12), ge=1, le=60
    )


class Amnesty(Frozen):
    """Coerced joining: amnesty for criminals and surrendered fighters."""

    criminals: float = P(
        0.0005,
        "hazard per month for a convicted or wanted man",
        "seed: 'released and pardoned hundreds of criminals ... on the condition that they enlist'; "
        "assumption: the range makes 'hundreds' (100-900) over the two years of pardons from a pool "
        "of criminal_share x real_size men",
        (0.0002, 0.002),
        ge=0,
    )
    surrenders: float = P(
        0.0005,
        "hazard per month for FSA fighters, at military pressure 1",
        "seed: 'both of their brigades were forced to surrender'; assumption: the seed gives no rate",
        (0.0002, 0.005),
        ge=0,
    )
    accept: float = P(
        0.8,
        "share of captives who take the repentance course each month",
        "seed: 'When ISIS offered them amnesty in exchange for undergoing adawrat istitaaba "
        "(repentance course), they took the deal'; 'the only way to avoid a certain and terrible "
        "death'; assumption: the size",
        (0.5, 1),
        ge=0,
        le=1,
    )


class Leadership(Frozen):
    """Roles: who leads and who administers."""

    leader_share: float = P(
        0.05,
        "share of members",
        "assumption: about one commander per 20 fighters, a usual military ratio",
        (0.02, 0.1),
        ge=0,
        le=0.5,
    )
    admin_share: float = P(
        0.15,
        "share of members",
        "assumption: the seed's taxation, intelligence and institutions need a sizeable civil staff",
        (0.05, 0.3),
        ge=0,
        le=0.9,
    )
    foreign_weight: float = P(
        1.0,
        "log-odds",
        "seed: 'foreign fighters are rapidly promoted to leadership positions'; assumption: the size",
        (1, 5),
        ge=0,
    )
    iraqi_weight: float = P(
        1.0,
        "log-odds",
        "seed: 'the majority of ISIS leaders in Syria are foreigners or Iraqis'; assumption: the size",
        (1, 5),
        ge=0,
    )
    ideology_weight: float = P(
        2.0,
        "log-odds per unit of ideology",
        "assumption: commanders promote the committed (the seed's 'meritocratic' claims, "
        "'rapidly promoted' foreigners who came for the caliphate project)",
        (0, 4),
        ge=0,
    )
    syrian_admin_weight: float = P(
        2.0,
        "log-odds",
        "seed: ISIS relies on Syrians for 'administrating vital institutions, including taxation'; assumption: the value",
        (0.5, 4),
        ge=0,
    )


class Suspicion(Frozen):
    """Commanders' suspicion and high-risk assignment."""

    decay: float = P(
        0.8, "per month", "assumption: suspicion fades without new cause", (0.6, 0.95), ge=0, le=1
    )
    syrian_gain: float = P(
        0.1,
        "per month",
        "seed: Syrians 'uniquely vulnerable to accusations of being too close to the civilian population'; assumption: the value",
        (0.02, 0.3),
        ge=0,
        le=1,
    )
    friend_gain: float = P(
        0.3, "per friend who left", "assumption: guilt by association", (0.1, 0.6), ge=0, le=1
    )
    threshold: float = P(
        0.35,
        "suspicion",
        "seed: 'those suspected of disloyalty are frequently assigned to the most high-risk missions'; assumption: the value",
        (0.2, 0.6),
        ge=0,
        le=1,
    )


class Organization(Frozen):
    """The organization's policies."""

    pay: Pay = Pay()
    training: Training = Training()
    children: Children = Children()
    enforcement: Enforcement = Enforcement()
    redeployment: Redeployment = Redeployment()
    amnesty: Amnesty = Amnesty()
    leadership: Leadership = Leadership()
    suspicion: Suspicion = Suspicion()
    units_per_province: int = P(
        20,
        "units",
        "assumption: combat units per province (Tarek's unit in Deir Ezzor)",
        (5, 30),
        ge=1,
        le=1000,
    )
    repression: float = P(
        0.3,
        "index",
        "seed: ISIS 'forbids civil society ... imitates the torture techniques used in Syrian prisons'; assumption: the value",
        (0, 1),
        ge=0,
        le=5,
    )
    syrians_needed: float = P(
        8_000,
        "real Syrian members at the territory of January 2015",
        "seed: ISIS 'relies heavily on its Syrian members' for governance; size is an assumption",
        (6_000, 20_000),
        gt=0,
    )
    governance_elasticity: float = P(
        0.8,
        "1",
        "assumption: revenue falls less than proportionally with Syrian staff",
        (0.3, 1.5),
        ge=0,
    )


class Environment(Frozen):
    """Exogenous series: each a constant or {'YYYY-MM': value} knots."""

    unemployment: Series = P(
        0.5,
        "share",
        "seed: Syria 'has the highest unemployment rate of any country in the Arab world'; assumption: the values",
    )
    civilian_wage_usd: Series = P(
        60.0,
        "USD/month",
        "seed: a 12-hour job paying too little 'to buy enough bread'; assumption: the values",
    )
    food_price_index: Series = P(
        1.0, "index, 2013 = 1", "seed: 'pay cuts and rising food prices'; assumption: the values"
    )
    food_cost_usd: float = P(
        30.0,
        "USD per person per month at index 1",
        "assumption: WFP Syria food basket (2014)",
        (20, 45),
        gt=0,
    )
    aid_usd: Series = P(
        20.0,
        "USD per household per month",
        "seed: 'humanitarian groups were forced to withdraw'; assumption: the values",
    )
    territory_km2: Series = P(90_800.0, "km2", "IHS Conflict Monitor (2015-2016)")
    military_pressure: Series = P(
        1.0, "index", "assumption: coalition and rival offensives, 2015 = 1"
    )
    border_openness: Series = P(
        1.0,
        "index, 0 closed to 1 open",
        "seed: deserters cross 'into Turkey or Jordan'; assumption: the values",
    )
    fsa_pay_usd: Series = P(
        36.0, "USD/month", "seed: 'the FSA may pay its fighters as little as $36 per month'"
    )
    army_pay_usd: Series = P(
        63.0, "USD/month", "seed: 'Syrian army salaries start at $63 per month'"
    )
    nusra_pay_usd: Series = P(
        100.0, "USD/month", "seed: 'Jabhat al-Nusra pays an average of $100 per month'"
    )
    revenue_usd: Series = P(80e6, "USD/month", "IHS (2015): about $80M a month in mid-2015")
    foreign_inflow: Series = P(
        1500.0, "real arrivals per month", "US military estimates (2015-2016)"
    )
    appeal: Series = P(
        1.0,
        "index",
        "assumption: the group's pull through expansion ('promise to deliver security, prosperity')",
    )
    exit_welcome: Series = P(
        0.0,
        "share of deserters reaching Turkey offered amnesty and legal work",
        "seed: Sami and his brother are 'among the lucky few who have been able to find civilian jobs after leaving ISIS'; assumption: the values",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _series(cls, v: Any, info: Any) -> Any:
        # before the type check, so NaN, inf and bounds are named plainly, not as a union's error
        bounded = {"unemployment": (0, 1), "border_openness": (0, 1), "exit_welcome": (0, 1)}
        lo, hi = bounded.get(info.field_name, (0, None))
        positive = info.field_name in ("territory_km2", "food_cost_usd")  # both divide
        if isinstance(v, dict | float | int) and not isinstance(v, bool):
            return _check_series(v, lo, hi, positive)
        return v


class Hazard(Frozen):
    """A monthly hazard: base rate and log-linear effects (competing risks, docs/ODD.md)."""

    base: float = Field(0.01, ge=0)
    effect: float = Field(1.0)
    effect2: float = Field(0.0)


Range = tuple[float, float]


def H(
    base: float,
    effect: float,
    effect2: float,
    source: str,
    base_range: Range,
    effect_range: Range | None = None,
    effect2_range: Range | None = None,
) -> Any:
    """A hazard parameter with a prior (plausible) range for its base and each effect used."""
    ranges = {"base": list(base_range)}
    if effect_range is not None:
        ranges["effect"] = list(effect_range)
    if effect2_range is not None:
        ranges["effect2"] = list(effect2_range)
    return Field(
        Hazard(base=base, effect=effect, effect2=effect2),
        json_schema_extra={
            "unit": "per month; log-linear effects",
            "source": source,
            "plausible_fields": ranges,
        },
    )


# Prior ranges of hazard bases are orders of magnitude, written before fitting from what the
# flows must be: the group grew by about 1,000-3,000 local joiners a month in 2014 out of about
# 2.4 million men (CIA 20,000-31,500 in September 2014 against about 10,000 a year earlier), and
# exits are 'hundreds' a month in early 2016 out of 20,000-25,000 members (seed; US estimates).
_JOIN_PRIOR = "assumption: base is an order-of-magnitude prior from the 2014 growth (about 1,000-3,000 local joiners a month among 2.4 million men)"
_LEAVE_PRIOR = "assumption: base is an order-of-magnitude prior from 'hundreds' of exits a month among 20,000-25,000 members in 2016"


class Joining(Frozen):
    """Joining hazards, one per motive; each is base * exp(effects . x) (docs/ODD.md)."""

    ideology: Hazard = H(
        0.00022,
        5.0,
        0.0,
        f"seed: 'true believers ... ideologically committed'; effect on ideology; {_JOIN_PRIOR}; base calibrated to the strength targets",
        (1e-5, 2e-3),
        (1, 8),
    )
    economic: Hazard = H(
        0.0000006,
        3.0,
        1.0,
        f"seed: 'I had no choice but to join ISIS'; effects on the household's shortfall and on log(offer / best outside option); {_JOIN_PRIOR}; base calibrated to the strength targets",
        (1e-7, 1e-4),
        (1, 6),
        (0.5, 3),
    )
    revenge: Hazard = H(
        0.00013,
        2.0,
        1.5,
        f"seed: 'joined ISIS to take revenge'; effects on grievance and on a family killed by the regime; {_JOIN_PRIOR}; base calibrated to the strength targets",
        (1e-5, 2e-3),
        (0.5, 4),
        (0.5, 4),
    )
    opportunism: Hazard = H(
        0.00028,
        2.0,
        0.0,
        f"seed: opportunists 'trying to maximize power and money'; effect on (1 - ideology) among the expert and the criminal; {_JOIN_PRIOR}; base calibrated to the strength targets",
        (1e-5, 5e-3),
        (0.5, 4),
    )
    friends: float = P(
        2.0,
        "log-effect per friend share",
        "seed: Sami joined together with his childhood friends; assumption: the value",
        (0.5, 4),
        ge=0,
    )
    protect_family: float = P(
        0.3,
        "log-effect on the economic hazard per dependant sister or other dependant",
        "seed: 'he was financially responsible for his six sisters'; 'I joined to protect my "
        "sisters' (from forced marriage to ISIS fighters); assumption: the size",
        (0, 1),
        ge=0,
    )
    foreign_scale: float = P(
        0.68,
        "share of the scripted inflow who join this group",
        "calibrated: to the strength targets; prior: the Soufan Group's 27,000-31,000 (2015) went "
        "to every group in Syria and Iraq, 'most' to ISIS",
        (0.5, 1.5),
        ge=0,
    )


class Leaving(Frozen):
    """Leaving hazards, one per driver (docs/ODD.md)."""

    losing: Hazard = H(
        0.012,
        7.0,
        0.0,
        f"seed: 'They are growing weaker by the day'; effect on the share of peak territory lost; {_LEAVE_PRIOR}; base calibrated to the exit and strength targets",
        (1e-3, 3e-2),
        (1, 8),
    )
    authoritarianism: Hazard = H(
        0.003,
        1.5,
        0.0,
        f"seed: 'ISIS is extremely authoritarian, just like the regime'; effect on disillusion; {_LEAVE_PRIOR}; base calibrated to the exit and strength targets",
        (2e-4, 2e-2),
        (0.5, 3),
    )
    favoritism: Hazard = H(
        0.0045,
        1.0,
        1.0,
        f"seed: foreign fighters paid 2-3x and promoted; effects on (premium - 1) x foreign or Iraqi share of leaders, and on high-risk duty; {_LEAVE_PRIOR}; base calibrated to the exit and strength targets",
        (2e-4, 2e-2),
        (0.2, 2),
        (0.2, 2),
    )
    pay: Hazard = H(
        0.006,
        5.0,
        0.0,
        f"seed: 'could no longer afford to feed his family as a result of pay cuts'; effect on the household's food shortfall; {_LEAVE_PRIOR}; base calibrated to the exit and strength targets",
        (2e-4, 2e-2),
        (1, 6),
    )
    redeployment: Hazard = H(
        0.05,
        2.0,
        0.0,
        "seed: Ammar fled 'soon after receiving news of his imminent transfer'; effect on grievance; assumption: a sizeable share of those ordered leave within months",
        (0.01, 0.3),
        (0.5, 4),
    )
    coercion: Hazard = H(
        0.12,
        1.0,
        0.0,
        "seed: 'I joined to stay alive and immediately started making plans to escape'; effect on (1 - ideology); assumption: most coerced joiners try within a year or two",
        (0.03, 0.5),
        (0.2, 2),
    )
    family: Hazard = H(
        0.01,
        0.0,
        0.0,
        "seed: Sami's mother, 'Realizing that her son had been brainwashed, she asked Sami's older "
        "brother to take him to Turkey'; applies to members under 18 posted at home; assumption: "
        "the rate",
        (1e-3, 5e-2),
    )
    commitment: float = P(
        3.0, "log-effect of ideology", "seed: believers stay; assumption for size", (1, 5), ge=0
    )
    economic_motive: float = P(
        1.5,
        "log-effect",
        "seed: 'For Syrians who joined ISIS primarily for economic reasons, the benefits ... are no longer worth the risks'; assumption: the value",
        (0.5, 3),
        ge=0,
    )
    revenge_motive: float = P(
        2.5,
        "log-effect on redeployment exits",
        "seed: 'His enemy has always been the Syrian regime'; the order was Ammar's 'final straw'; assumption: the size",
        (0.5, 3),
        ge=0,
    )
    foreign_factor: float = P(
        0.4,
        "multiplier",
        "seed: of those who defected 'A high percentage of them are Syrian'; assumption: foreigners face prosecution at home and lack local help to escape",
        (0.2, 1),
        ge=0,
        le=1,
    )
    leader_factor: float = P(
        0.2, "multiplier", "assumption: leaders rarely leave", (0, 1), ge=0, le=1
    )
    friends: float = P(
        1.0,
        "log-effect per friend who left or was executed",
        "seed: Ammar 'watched ISIS execute friends he had known since childhood'; assumption: the value",
        (0.2, 3),
        ge=0,
    )
    disillusion_execution: float = P(
        0.5,
        "per friend executed",
        "seed: executions of 'members suspected of disloyalty' disillusion; assumption: the value",
        (0.1, 1),
        ge=0,
    )
    disillusion_repression: float = P(
        0.05,
        "per month per repression index",
        "seed: 'harsh realities of ISIS rule'; assumption: the value",
        (0.01, 0.2),
        ge=0,
    )
    rival_base: float = P(
        0.35,
        "probability",
        "seed: 'Some join moderate rebel groups ... others abandon the conflict'; assumption: the value",
        (0.1, 0.6),
        ge=0,
        le=1,
    )
    rival_regime_enemy: float = P(
        2.0,
        "odds multiplier for revenge joiners and former FSA fighters",
        "seed: Ammar 'had fought with the Free Syrian Army'; 'His enemy has always been the Syrian regime', so a group still fighting it draws him; assumption: the value",
        (1, 4),
        gt=0,
    )
    rival_losing: float = P(
        0.3,
        "odds multiplier for those leaving because ISIS is losing",
        "seed: he 'fled to Turkey because he was afraid of reprisals if captured by the regime or a rival armed group'; assumption: the value",
        (0.1, 1),
        gt=0,
    )
    rival_foreign: float = P(
        0.1,
        "odds multiplier for foreign fighters",
        "seed: of the defectors 'A high percentage of them are Syrian'; assumption: Syrian rebel groups take few foreign ISIS fighters",
        (0.02, 0.5),
        gt=0,
    )
    friends_memory: float = P(
        0.5,
        "share of last month's friends' exits still felt",
        "assumption: the shock of a friend's exit or execution fades over a few months (Ammar's friends executed 'since childhood' stayed with him)",
        (0.2, 0.9),
        ge=0,
        le=1,
    )
    welcome_pull: float = P(
        1.0,
        "log-effect of environment.exit_welcome on every exit hazard",
        "assumption: a safe landing lowers the cost of leaving (Bjorgo & Horgan 2009, Leaving Terrorism Behind: exit programmes pull as well as push)",
        (0.3, 2),
        ge=0,
    )
    welcome_route: float = P(
        1.0,
        "log-effect of environment.exit_welcome against the rival-group route",
        "seed: those who fled the conflict chose Turkey; work there makes leaving the war altogether likelier than joining the FSA (assumption)",
        (0, 2),
        ge=0,
    )
    jordan_share: float = P(
        0.1,
        "share of those abroad",
        "seed: crossing 'into Turkey or Jordan'; assumption: Turkey is nearer",
        (0, 0.3),
        ge=0,
        le=1,
    )


class Combat(Frozen):
    """Combat deaths (docs/ODD.md, 7.8)."""

    base: float = P(
        0.028,
        "deaths per member-month at pressure 1",
        "calibrated: to cumulative deaths under the US claims (about 23,000 by December 2015, "
        "45,000-50,000 by December 2016, 60,000 by February 2017, Iraq and Syria) and to the "
        "strength estimates; prior: 0.5-5% a month, the range of monthly combat mortality reported "
        "for insurgent groups under sustained air and ground campaigns (assumption)",
        (0.005, 0.05),
        ge=0,
        le=1,
    )
    high_risk: float = P(
        1.2,
        "log-effect",
        "seed: 'assigned to the most dangerous jobs on the front lines'; assumption: the value",
        (0.5, 2),
        ge=0,
    )
    child: float = P(
        0.8,
        "log-effect",
        "seed: children used 'as cannon fodder on the frontlines'; assumption: the value",
        (0.3, 1.5),
        ge=0,
    )
    untrained: float = P(
        1.0,
        "log-effect at zero training",
        "seed: children 'lacked the training and experience'; assumption: the value",
        (0.3, 1.5),
        ge=0,
    )
    leader: float = P(
        -1.5,
        "log-effect",
        "assumption: leaders and administrators stay off the front",
        (-3, 0),
        le=0,
    )
    away: float = P(
        0.3,
        "log-effect in Iraq or Libya",
        "assumption: distant fronts unfamiliar to Syrian fighters are deadlier",
        (0, 1),
        ge=0,
    )


class Harm(Frozen):
    """Indiscipline and harm to civilians."""

    untrained: float = P(
        2.0,
        "weight",
        "seed: the sharia course 'does set some limits on violence against civilians'; assumption: the size",
        (0.5, 2),
        ge=0,
    )
    opportunist: float = P(
        1.0,
        "weight",
        "seed: '80 percent of ISIS members are bad guys'; assumption: the value",
        (0.5, 2),
        ge=0,
    )
    child: float = P(
        0.5,
        "weight",
        "assumption: children lack the sharia course's limits on violence and are easily ordered to abuse",
        (0, 1),
        ge=0,
    )


class TimelineEvent(Frozen):
    """A dated change: sets scenario fields by path from this month on."""

    month: str
    set: dict[str, Any]
    note: str = ""
    id: str = ""

    @field_validator("month")
    @classmethod
    def _month(cls, v: str) -> str:
        if not MONTH_RE.match(str(v)):
            raise ValueError(f"month {v!r} is not like '2015-11'")
        return v


class Scenario(Frozen):
    """Everything one run needs; immutable."""

    name: str = "unnamed"
    description: str = ""
    start: str = "2013-06"
    end: str = "2017-12"
    population: Population = Population()
    organization: Organization = Organization()
    environment: Environment = Environment()
    joining: Joining = Joining()
    leaving: Leaving = Leaving()
    combat: Combat = Combat()
    harm: Harm = Harm()
    timeline: list[TimelineEvent] = Field(default_factory=list)

    @field_validator("start", "end")
    @classmethod
    def _month(cls, v: str) -> str:
        if not MONTH_RE.match(str(v)):
            raise ValueError(f"{v!r} is not a month like '2015-11'")
        return v

    @field_validator("end")
    @classmethod
    def _span(cls, v: str, info: Any) -> str:
        start = info.data.get("start")  # a field validator, so the error names 'end'
        if start is not None and v < start:
            raise ValueError(f"must not come before start {start}")
        return v

    @property
    def months(self) -> list[str]:
        """Calendar months of the run, 'YYYY-MM'."""
        y, m = int(self.start[:4]), int(self.start[5:])
        out = []
        while True:
            s = f"{y:04d}-{m:02d}"
            out.append(s)
            if s >= self.end:
                return out
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    def at(self, month: str) -> Scenario:
        """The scenario as it stands in ``month``: timeline changes up to it applied."""
        active = tuple(j for j, ev in enumerate(self.timeline) if ev.month <= month and ev.set)
        if not active:
            return self
        memo = _memo(self)
        snapshot = memo.at.get(active)
        if snapshot is None:
            try:
                snapshot = _snapshot(self, memo, active)
            except Exception:  # the plain path raises the very error users know
                snapshot = self._plain_at(month)
            memo.at[active] = snapshot
        return snapshot

    def _plain_at(self, month: str) -> Scenario:
        """``at`` the plain way: dump, set every path, validate the whole scenario again."""
        data = self.model_dump()
        changed = False
        for ev in self.timeline:
            if ev.month <= month:
                for path, value in ev.set.items():
                    # a copy: a later path into a mapping an event sets would change the event
                    set_path(data, path, copy.deepcopy(value))
                    changed = True
        return Scenario.model_validate(data) if changed else self


# -------------------------------------------------------------------- timeline snapshots
# A run asks for the scenario as it stands after each timeline change twice (from_dict checks
# every change, the calendar then builds its months from them), and the plain way validates the
# whole scenario each time. The snapshots are the plain way's results, worked out per section.


class _Memo:
    """What ``Scenario.at`` has worked out for one scenario (held beside it, never inside)."""

    __slots__ = ("at", "dump", "redump", "sections")

    def __init__(self, scenario: Scenario) -> None:
        self.dump = scenario.model_dump()  # read only: snapshots copy what they change
        self.redump: Scenario | None = None  # the dump validated again, as the plain way would
        self.sections: dict[tuple[str, tuple[tuple[int, str], ...]], BaseModel] = {}
        self.at: dict[tuple[int, ...], Scenario] = {}


# by id, not in a private attribute: pydantic compares private attributes in ==, and a memo
# must leave a scenario equal to its copies; the entry goes when the scenario is collected
_MEMOS: dict[int, _Memo] = {}


def _memo(scenario: Scenario) -> _Memo:
    """The memo of ``scenario``, made on first use."""
    key = id(scenario)
    memo = _MEMOS.get(key)
    if memo is None:
        memo = _MEMOS[key] = _Memo(scenario)
        weakref.finalize(scenario, _MEMOS.pop, key, None)
    return memo


# the scenario's fields that are models of their own: validated alone, each validates as it does
# inside a Scenario, whose own checks read only start and end (never a section)
_SECTIONS: dict[str, type[BaseModel]] = {
    name: field.annotation
    for name, field in Scenario.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
}


_SCENARIO_DEFAULTS = dict(_model_defaults(Scenario))  # what Frozen._fill_from_defaults merges


class _NotASection(Exception):
    """A timeline path outside the model sections: the plain way handles it."""


def _snapshot(scenario: Scenario, memo: _Memo, active: tuple[int, ...]) -> Scenario:
    """``scenario.at`` for the events ``active``: only the sections they change are validated."""
    touched: dict[str, list[tuple[int, str]]] = {}
    for j in active:
        for path in scenario.timeline[j].set:
            _walk(path)  # the error set_path raises, in the same order
            top = path.split(".", 1)[0]
            if top not in _SECTIONS:
                raise _NotASection(path)
            touched.setdefault(top, []).append((j, path))
    if memo.redump is None:
        memo.redump = Scenario.model_validate(memo.dump)
    fields = dict(memo.redump.__dict__)
    for name, changes in touched.items():
        key = (name, tuple(changes))
        section = memo.sections.get(key)
        if section is None:
            data: dict[str, Any] = {name: memo.dump[name]}
            copied: set[int] = set()
            for j, path in changes:
                _set_copied(data, path, scenario.timeline[j].set[path], copied)
            given = data[name]
            default = _SCENARIO_DEFAULTS.get(name)
            if isinstance(given, dict) and default is not None:  # as Frozen._fill_from_defaults
                given = {**default, **given}
            section = memo.sections[key] = _SECTIONS[name].model_validate(given)
        fields[name] = section
    return Scenario.model_construct(**fields)


def _set_copied(data: dict[str, Any], path: str, value: Any, copied: set[int]) -> None:
    """``set_path`` that copies each mapping on the path once instead of changing it in place."""
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            copied.add(id(child))
        elif id(child) not in copied:
            child = dict(child)
            copied.add(id(child))
        node[part] = child
        node = child
    node[parts[-1]] = value


# ---------------------------------------------------------------------------------- loading


def _allowed(model: type[BaseModel]) -> str:
    return ", ".join(model.model_fields)


def _walk(path: str) -> None:
    """Raise UserError unless ``path`` names a scenario field (or a key inside a mapping)."""
    problem = _path_problem(path)
    if problem is not None:
        raise UserError(problem)


# the schema is fixed, so each path is walked once (a run walks every override and timeline
# path several times); bounded, as paths come from users
@lru_cache(maxsize=4096)
def _path_problem(path: str) -> str | None:
    """Why ``path`` names no scenario field, or None when it names one."""
    model: type[BaseModel] | None = Scenario
    parts = path.split(".")
    for i, part in enumerate(parts):
        if model is None:
            return None  # inside a mapping or series: keys are checked by validation
        if part not in model.model_fields:
            where = ".".join(parts[:i]) or "the top level"
            return (
                f"{path}: unknown field {part!r} in {where}"
                f"{did_you_mean(part, model.model_fields)}; allowed: {_allowed(model)}"
            )
        ann = model.model_fields[part].annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        if model is None and i < len(parts) - 2:
            return f"{path}: {'.'.join(parts[: i + 1])} has no field {parts[i + 1]!r}"
    return None


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b.c = value`` inside nested dicts, checking the path against the schema."""
    _walk(path)
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {} if child is None or not isinstance(child, dict) else child
            node[part] = child
        node = child
    node[parts[-1]] = value


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``path=value``; the value is read as YAML so numbers, lists and maps work."""
    if "=" not in text:
        raise UserError(f"--set {text!r}: expected PATH=VALUE, e.g. organization.pay.base=40")
    path, raw = text.split("=", 1)
    path = path.strip()
    number = _plain_number(raw)
    if number is not None:
        _walk(path)
        return path, number
    try:
        value = limits.load_yaml(raw) if raw.strip() else raw
    except yaml.YAMLError:
        value = raw
    except UserError as err:
        raise UserError(f"--set {path}: {err}") from None
    _walk(path)
    return path, value


# numbers as a calibration or a sweep writes them (json.dumps): YAML reads these with int() and
# float() as Python does, and parsing each with YAML costs more than a small run's first month.
# Anything else (octal 010, 1_000, 1e5 that YAML reads as a string, signs, spaces) goes to YAML.
_INT_RE = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT_RE = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+][0-9]+)?")


def _plain_number(raw: str) -> int | float | None:
    """``raw`` as the number YAML reads it, when it is a plain decimal; else None."""
    if len(raw) > 30:  # long digit strings: int() has limits, YAML says what they are
        return None
    if _INT_RE.fullmatch(raw):
        return int(raw)
    if _FLOAT_RE.fullmatch(raw):
        return float(raw)
    return None


def _plain_loc(loc: tuple[Any, ...], data: Any = None) -> str:
    """A dotted field path; union-member tags dropped, timeline events named, not numbered."""
    parts = [p for p in loc if not (isinstance(p, str) and ("[" in p or p in _TAGS))]
    if len(parts) > 1 and parts[0] == "timeline" and isinstance(parts[1], int) and data:
        events = data.get("timeline") if isinstance(data, dict) else None
        if isinstance(events, list) and parts[1] < len(events):
            from .guard import label

            ev = events[parts[1]]
            name = f"timeline event {label(ev)}" if isinstance(ev, dict) else "timeline event"
            return ".".join([name, *(str(p) for p in parts[2:])])
    return ".".join(str(x) for x in parts)


_TAGS = ("float", "int", "str", "bool", "dict", "list")


def _format(err: ValidationError, origin: str, data: Any = None) -> str:
    import reprlib

    first = err.errors()[0]
    loc = _plain_loc(tuple(first["loc"]), data)
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        parent = first["loc"][:-1]
        model: Any = Scenario
        for p in parent:
            f = getattr(model, "model_fields", {}).get(p)
            ann = f.annotation if f else None
            model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
            if model is None:
                break
        allowed = f"; allowed: {_allowed(model)}" if model is not None else ""
        hint = did_you_mean(str(first["loc"][-1]), model.model_fields) if model else ""
        msg = f"unknown key{hint}{allowed}"
    elif (
        "input" in first
        and first["type"] not in ("missing",)
        and "(got " not in msg
        and not isinstance(first["input"], dict)
    ):
        # reprlib: a value built from YAML anchors may expand to billions of items
        short = reprlib.Repr()
        short.maxlevel, short.maxlist, short.maxdict, short.maxstring = 2, 4, 4, 60
        msg = f"{msg} (got {short.repr(first['input'])})"[:300]
    more = len(err.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{origin}: {loc or 'scenario'}: {msg}{tail}"


def from_dict(
    data: dict[str, Any],
    origin: str = "scenario",
    overrides: list[str] | None = None,
    drop_events: list[str] | None = None,
) -> Scenario:
    """Validate a scenario from plain data: drop events by id, then apply ``path=value``."""
    return _from_own(copy.deepcopy(data), origin, overrides, drop_events)


def _from_own(
    data: dict[str, Any],
    origin: str = "scenario",
    overrides: list[str] | None = None,
    drop_events: list[str] | None = None,
) -> Scenario:
    """``from_dict`` on data the caller hands over (freshly read), so not copied again."""
    from . import guard

    if drop_events:
        data = guard.drop_events(data, drop_events, origin)
    given: list[tuple[str, str]] = []
    for text in overrides or []:
        path, value = parse_override(text)
        set_path(data, path, value)
        given.append((path, text.strip()))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        where = _plain_loc(tuple(err.errors()[0]["loc"]), data)
        raise UserError(_format(err, guard.blame(where, origin, given), data)) from None
    for ev in scenario.timeline:
        for path in ev.set:
            try:
                _walk(path)
            except UserError as err:
                raise UserError(f"{origin}: timeline event {guard.label(ev)}: set.{err}") from None
    guard.check(scenario, origin, given)
    for ev in scenario.timeline:
        try:
            scenario.at(ev.month)
        except ValidationError as err:
            raise UserError(_format(err, f"{origin}: timeline event {guard.label(ev)}")) from None
    return scenario


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``child`` into ``base``: mappings merge, everything else replaces."""
    out = dict(base)
    for k, v in child.items():
        # a series given as month knots replaces the parent's series whole, never knot by knot
        series = isinstance(v, dict) and bool(v) and all(MONTH_RE.match(str(x)) for x in v)
        mergeable = isinstance(v, dict) and isinstance(out.get(k), dict) and not series
        out[k] = _merge(out[k], v) if mergeable else v
    return out


MAX_EXTENDS = 16  # a chain of bases deeper than this is a mistake (and would exhaust the stack)


def _events(value: Any, p: Path) -> list[dict[str, Any]]:
    """A file's own timeline as a list of event mappings, or a one-line error naming the file."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise UserError(f"{p}: timeline must be a list of events (got {type(value).__name__})")
    for ev in value:
        if not isinstance(ev, dict):
            raise UserError(
                f"{p}: timeline: each event is a mapping with month and set (got {str(ev)[:40]!r})"
            )
    return value


# resolved scenario files by (working directory, path as given): the data and, for each file
# read to make it, its identity and version. A calibration loads one file tens of thousands of
# times; reading it again (a path resolved, a parse copied, every base merged) costs more than
# the stat of each file and one copy of the result.
_READS: dict[tuple[str, str], tuple[dict[str, Any], tuple[tuple[Path, tuple[int, ...]], ...]]] = {}
_READS_MAX = 64


def _version(p: Path) -> tuple[int, ...] | None:
    """Which file ``p`` is and which version of it (None when it cannot be read)."""
    try:
        st = os.stat(p)
    except (OSError, ValueError):
        return None
    # the change time too: a file rewritten with its old modification time and size (cp -p)
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)


def _read_kept(p: Path) -> dict[str, Any]:
    """``_read(p)``, from a kept result while none of the files it read has changed."""
    key = (os.getcwd(), str(p))
    kept = _READS.get(key)
    if kept is not None and all(_version(f) == v for f, v in kept[1]):
        return _copy_data(kept[0], {})
    files: list[tuple[Path, tuple[int, ...] | None]] = []
    data = _read(p, files=files)
    versions = [(f, v) for f, v in files if v is not None]
    if len(versions) == len(files):  # else a file could not be told apart: nothing kept
        if len(_READS) >= _READS_MAX:
            _READS.clear()
        _READS[key] = (_copy_data(data, {}), tuple(versions))
    return data


_ATOMS = (str, int, float, bool, type(None))


def _copy_data(x: Any, memo: dict[int, Any]) -> Any:
    """``copy.deepcopy(x, memo)`` for parsed YAML, quicker on its mappings, lists and scalars."""
    # memo by id as deepcopy's: parts shared through YAML anchors stay shared in the copy
    t = type(x)
    if t in _ATOMS:
        return x
    if t is not dict and t is not list:
        return copy.deepcopy(x, memo)
    hit = memo.get(id(x))
    if hit is not None:
        return hit
    if t is dict:
        out: Any = {}
        memo[id(x)] = out
        for k, v in x.items():
            out[k if type(k) in _ATOMS else copy.deepcopy(k, memo)] = _copy_data(v, memo)
    else:
        out = []
        memo[id(x)] = out
        out.extend(_copy_data(v, memo) for v in x)
    return out


def _read(
    p: Path,
    seen: tuple[Path, ...] = (),
    child: Path | None = None,
    files: list[tuple[Path, tuple[int, ...] | None]] | None = None,
) -> dict[str, Any]:
    """Read a YAML scenario, resolving ``extends`` (relative path) and ``drop_events`` (ids)."""
    if p.resolve() in seen:
        raise UserError(f"{child or p}: 'extends' loops back to {p}")
    if len(seen) >= MAX_EXTENDS:
        raise UserError(f"{child or p}: 'extends' chains more than {MAX_EXTENDS} files")
    if child is not None and not p.is_file():
        raise UserError(f"{child}: extends: no such scenario file {p}")
    if files is not None:  # the version before the read: an edit during it is seen next time
        files.append((p, _version(p)))
    data = read_mapping(p, "scenario", empty_ok=True)
    if not data and child is None:
        raise UserError(f"{p}: the scenario file is empty; give fields, or 'extends: BASE.yaml'")
    parent = data.pop("extends", None)
    drop = data.pop("drop_events", None) or []
    if not isinstance(drop, list) or not all(isinstance(x, str) for x in drop):
        raise UserError(f"{p}: drop_events must be a list of timeline event ids")
    if parent is None:
        if drop:
            raise UserError(f"{p}: drop_events needs 'extends' (a base scenario to drop from)")
        if "timeline" in data:
            data["timeline"] = _events(data["timeline"], p)
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise UserError(f"{p}: extends must be a path to a scenario file")
    base_path = p.parent / parent
    base = _read(base_path, (*seen, p.resolve()), p, files)
    events = _events(base.get("timeline"), base_path)
    ids = [e.get("id") for e in events if isinstance(e.get("id"), str)]
    for x in drop:
        if x not in ids:
            known = ", ".join(sorted(i for i in ids if i)) or "none"
            raise UserError(
                f"{p}: drop_events: no event with id {x!r} in {parent}"
                f"{did_you_mean(x, ids)}; ids: {known}"
            )
    events = [e for e in events if e.get("id") not in drop]
    child_events = _events(data.pop("timeline", None), p)
    merged = _merge(base, data)
    merged["timeline"] = sorted(events + child_events, key=lambda e: str(e.get("month", "")))
    return merged


def load(
    path: str | Path, overrides: list[str] | None = None, drop_events: list[str] | None = None
) -> Scenario:
    """Read and validate a YAML scenario file (``extends`` and ``drop_events`` resolved)."""
    p = Path(path)
    # the data read is a fresh copy, changed by nobody else
    return _from_own(_read_kept(p), origin=str(p), overrides=overrides, drop_events=drop_events)


def resolve(
    scenario: Scenario | str | Path,
    overrides: list[str] | None = None,
    drop_events: list[str] | None = None,
) -> Scenario:
    """Accept a Scenario or a path; drop timeline events by id; apply overrides."""
    if isinstance(scenario, Scenario):
        if not overrides and not drop_events:
            return scenario
        return from_dict(
            scenario.model_dump(),
            origin=scenario.name,
            overrides=overrides,
            drop_events=drop_events,
        )
    return load(scenario, overrides, drop_events)
