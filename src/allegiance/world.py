"""The calendar: policies and environment as they stand in each month of a run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scenario import Environment, Scenario, Series


def month_index(month: str) -> int:
    """'YYYY-MM' as a count of months since year 0."""
    return int(month[:4]) * 12 + int(month[5:]) - 1


def series_at(series: Series, month: str) -> float:
    """Value of a series in ``month``: knots interpolated linearly, held flat at the ends."""
    if not isinstance(series, dict):
        return float(series)
    knots = sorted((month_index(k), float(v)) for k, v in series.items())
    xs, ys = zip(*knots, strict=True)
    return float(np.interp(month_index(month), xs, ys))


@dataclass(frozen=True)
class Env:
    """Environment values in one month (floats, real-world units)."""

    unemployment: float
    civilian_wage_usd: float
    food_price_index: float
    food_cost_usd: float
    aid_usd: float
    territory_km2: float
    military_pressure: float
    border_openness: float
    fsa_pay_usd: float
    army_pay_usd: float
    nusra_pay_usd: float
    revenue_usd: float
    foreign_inflow: float
    appeal: float
    exit_welcome: float
    territory_peak_km2: float  # highest territory held so far: 'growing weaker' is measured from it

    @property
    def decline(self) -> float:
        """Share of peak territory lost: the 'perceived losing' signal."""
        return max(0.0, 1.0 - self.territory_km2 / self.territory_peak_km2)

    @property
    def presence(self) -> float:
        """Recruiting reach, relative to the territory of January 2015 (90,800 km2, IHS)."""
        return self.territory_km2 / 90_800.0


@dataclass(frozen=True)
class Month:
    """Everything exogenous about one month: its label, the scenario as it stands, the env."""

    index: int
    label: str
    policy: Scenario
    env: Env


def _columns(e: Environment, months: list[str]) -> dict[str, list[float]]:
    """Each environment series at every month, one np.interp per series (``series_at`` each)."""
    at = [month_index(m) for m in months]
    out: dict[str, list[float]] = {}
    for name in Environment.model_fields:
        series = getattr(e, name)
        if not isinstance(series, dict):
            out[name] = [float(series)] * len(months)
            continue
        knots = sorted((month_index(k), float(v)) for k, v in series.items())
        xs, ys = zip(*knots, strict=True)
        out[name] = np.interp(at, xs, ys).tolist()  # the same arithmetic as one month at a time
    return out


def calendar(scenario: Scenario) -> list[Month]:
    """Resolve the timeline once, before the run: one Month per step."""
    months = scenario.months
    snapshots: list[Scenario] = []
    snapshot, active = scenario, ()
    for label in months:
        now = tuple(j for j, ev in enumerate(scenario.timeline) if ev.month <= label)
        if now != active:
            snapshot, active = scenario.at(label), now
        snapshots.append(snapshot)
    # the series of each distinct environment read at every month at once: series by series and
    # month by month, sorting the knots again each time, cost more than the rest of a run's setup
    # each timeline change validates a new snapshot, so equal environments are told apart by value
    # (a policy change leaves the environment as it was: its series are read once, not again)
    distinct: list[tuple[Environment, dict[str, list[float]]]] = []
    per_snapshot: dict[int, dict[str, list[float]]] = {}
    for snap in snapshots:
        e = snap.environment
        if id(e) not in per_snapshot:
            same = next((c for other, c in distinct if other == e), None)
            if same is None:
                same = _columns(e, months)
                distinct.append((e, same))
            per_snapshot[id(e)] = same
    out: list[Month] = []
    peak = 0.0
    for i, (label, snap) in enumerate(zip(months, snapshots, strict=True)):
        vals = {name: col[i] for name, col in per_snapshot[id(snap.environment)].items()}
        env = Env(**vals, territory_peak_km2=max(peak, vals["territory_km2"]))
        peak = env.territory_peak_km2
        out.append(Month(index=i, label=label, policy=snap, env=env))
    return out
