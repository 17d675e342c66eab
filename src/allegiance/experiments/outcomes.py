"""Named scalar outcomes of a run, computed from ``Results.timeseries``; a spec names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UserError
from ..people import DRIVERS

"""Leaving drivers, as in ``Results.timeseries`` columns ``exits_<driver>`` (docs/ODD.md, 7.9)."""

Outcome = Callable[[Any], float]
OUTCOMES: dict[str, Outcome] = {}
DESCRIPTIONS: dict[str, str] = {}


def register(name: str, description: str) -> Callable[[Outcome], Outcome]:
    """Add an outcome ``fn(results) -> float`` to the registry under ``name``."""

    def deco(fn: Outcome) -> Outcome:
        OUTCOMES[name] = fn
        DESCRIPTIONS[name] = description
        return fn

    return deco


def _ts(results: Any) -> pd.DataFrame:
    return results.timeseries


def _col(results: Any, column: str) -> pd.Series:
    ts = _ts(results)
    if column not in ts.columns:
        raise KeyError(f"Results.timeseries has no column {column!r}")
    return ts[column].astype("float64")


def _year(results: Any, column: str, year: int) -> float:
    ts = _ts(results)
    mask = ts["month"].astype(str).str.startswith(f"{year}-")
    return float(_col(results, column)[mask.to_numpy()].sum())


def _sum(column: str) -> Outcome:
    return lambda r: float(_col(r, column).sum())


def _max(column: str) -> Outcome:
    return lambda r: float(_col(r, column).max())


def _last(column: str) -> Outcome:
    return lambda r: float(_col(r, column).iloc[-1])


def _mean(column: str) -> Outcome:
    return lambda r: float(_col(r, column).mean())


def _exits_total(r: Any) -> float:
    return float(sum(_col(r, f"exits_{d}").sum() for d in DRIVERS))


register("peak_members", "largest monthly membership (real people)")(_max("members"))
register("members_final", "members in the last month")(_last("members"))
register("members_syrian_final", "Syrian members in the last month")(_last("members_syrian"))
register("joins_total", "joins over the run, all motives")(
    lambda r: float(
        sum(
            _col(r, f"joins_{m}").sum()
            for m in ("ideology", "coercion", "economic", "revenge", "opportunism", "foreign")
        )
    )
)
register("exits_total", "exits over the run, all drivers")(_exits_total)
register("exits_syrian_total", "exits of Syrian members over the run")(_sum("exits_syrian"))
register("exits_abroad_total", "exits by crossing to Turkey or Jordan")(_sum("exits_abroad"))
register("exits_to_rival_total", "exits by defecting to a rival group")(_sum("exits_to_rival"))
register("exits_2016_total", "exits in calendar 2016, all drivers")(
    lambda r: float(sum(_year(r, f"exits_{d}", 2016) for d in DRIVERS))
)
for _d in DRIVERS:
    register(f"exits_2016_{_d}", f"exits in calendar 2016 driven by {_d}")(
        lambda r, c=f"exits_{_d}": _year(r, c, 2016)
    )
register("caught_total", "would-be leavers caught")(_sum("caught"))
register("executions_total", "members executed for trying to leave")(_sum("executed"))
register("killed_total", "members killed in combat")(_sum("killed"))
register("civilian_harm_mean", "mean monthly civilian-harm index")(_mean("civilian_harm"))
register("civilian_harm_max", "highest monthly civilian-harm index")(_max("civilian_harm"))
register("under18_share_max", "highest monthly share of members under 18")(_max("under18_share"))
register("max_unit_under18_share_max", "highest share under 18 in any unit")(
    _max("max_unit_under18_share")
)
register("training_days_min", "shortest training, in days")(
    lambda r: float(_col(r, "training_days").min())
)
register("revenue_final", "monthly revenue in the last month (USD)")(_last("revenue_usd"))
register("foreign_cumulative_final", "foreign arrivals by the end")(_last("foreign_cumulative"))


def compute(results: Any, names: list[str] | tuple[str, ...]) -> dict[str, float]:
    """Compute the named outcomes of one run; NaN where the run has no data for it."""
    out: dict[str, float] = {}
    for name in names:
        fn = OUTCOMES.get(name)
        if fn is None:
            raise UserError(f"outcome {name!r} is unknown; allowed: {', '.join(OUTCOMES)}")
        value = fn(results)
        out[name] = float(value) if np.isfinite(value) else float("nan")
    return out
