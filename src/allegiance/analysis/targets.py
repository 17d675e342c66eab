"""Validation targets (data/targets.yaml): load them and compute each statistic from a run.

A *pattern* is a stylized fact of the source article or a public figure (docs/ODD.md, 1.2); it holds in a run when all of
its *checks* hold, and a check holds when its statistic lies inside its closed range. Each
statistic is a plain function of a run's monthly table and event log, registered by name in
``STATISTICS`` so the YAML file can name it and a reader can look up exactly what it computes.
Counts in the timeseries are real-world; event rows are simulated people, so event counts are
multiplied by ``Results.scale``.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import UserError
from ..people import MOTIVES
from ..yamlfile import read_mapping
from . import DATA_DIR

PATH = DATA_DIR / "targets.yaml"

SYRIAN = ("deir_ezzor", "raqqa", "aleppo", "idlib", "homs", "hasakah")
FOREIGN = ("gulf", "europe", "central_asia", "other_foreign")
ORIGIN_GROUPS = {"syrian": SYRIAN, "iraqi": ("iraq",), "foreign": FOREIGN}
LEAVE = ("desert", "defect")  # left alive: abroad or to a rival group
REMOVE = ("desert", "defect", "executed", "killed")  # no longer in the organization


class RunLike(Protocol):
    """What a statistic needs from ``allegiance.Results``."""

    timeseries: pd.DataFrame
    events: pd.DataFrame
    scale: float


# ------------------------------------------------------------------------------ the schema


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Check(_Strict):
    """One statistic and the closed range it must fall in (null = open end)."""

    statistic: str
    args: dict[str, Any] = Field(default_factory=dict)
    range: tuple[float | None, float | None]
    description: str = ""

    @field_validator("statistic")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in STATISTICS:
            raise ValueError(f"unknown statistic {v!r}; allowed: {', '.join(sorted(STATISTICS))}")
        return v

    @field_validator("range")
    @classmethod
    def _range(cls, v: tuple[float | None, float | None]) -> tuple[float | None, float | None]:
        lo, hi = v
        if lo is None and hi is None:
            raise ValueError("a range needs at least one end, e.g. [200, null]")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"range [{lo}, {hi}] is empty: low end above high end")
        return v

    @model_validator(mode="after")
    def _args(self) -> Check:
        for name, value in self.args.items():
            problem = _arg_problem(name, value)
            if problem:
                raise ValueError(f"args.{name}: {problem}")
        sig = inspect.signature(STATISTICS[self.statistic])
        try:
            sig.bind(None, **self.args)
        except TypeError as err:
            params = [p for p in sig.parameters if p != "run"]
            raise ValueError(
                f"args for {self.statistic}: {err}; takes {', '.join(params)}"
            ) from None
        return self

    def holds(self, value: float) -> bool:
        """True when ``value`` is a number inside the range (NaN never holds)."""
        if value is None or not math.isfinite(value):
            return False
        lo, hi = self.range
        return (lo is None or value >= lo) and (hi is None or value <= hi)

    def range_text(self) -> str:
        """The range for people: '>= 200', '<= 10', '20,000–31,500'."""
        lo, hi = self.range
        if hi is None:
            return f">= {_num(lo)}"
        if lo is None:
            return f"<= {_num(hi)}"
        return f"{_num(lo)}–{_num(hi)}"


ROLES = ("input", "calibration", "validation")
"""What a pattern is for: ``input`` echoes an input or checks accounting (never evidence);
``calibration`` is a target that parameters may be fitted to; ``validation`` is never used in
fitting and must be able to fail (it names the knock-out that should break it)."""


class Knockout(_Strict):
    """The mechanism a validation pattern reflects, removed: overrides and timeline events dropped."""

    why: str
    set: list[str] = Field(default_factory=list)
    drop_events: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self) -> Knockout:
        if not self.set and not self.drop_events:
            raise ValueError("a knockout needs at least one 'set' override or 'drop_events' id")
        return self


def _arg_problem(name: str, value: Any) -> str:
    """What is wrong with a month or window argument ('' when nothing): checked at load time."""
    month = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
    is_month = isinstance(value, str) and bool(month.match(value))
    optional = name in ("start", "end") and value is None
    if name in ("start", "end", "month") and not optional and not is_month:
        return f"a month in quotes like '2015-11' (got {value!r})"
    if name in ("before", "after"):
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, str) and month.match(v) for v in value)
        )
        if not ok:
            return f"a window ['YYYY-MM', 'YYYY-MM'] (got {value!r})"
        if value[0] > value[1]:
            return f"a window whose first month is not after its last (got {value!r})"
    if name == "min_exits" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"a whole number (got {value!r})"
    return ""


class Pattern(_Strict):
    """A stylized fact (must hold in a share of replicates) or a public figure (mean in range)."""

    id: str
    kind: Literal["fact", "figure"]
    role: Literal["input", "calibration", "validation"]
    title: str
    description: str
    source: str
    checks: list[Check] = Field(min_length=1)
    knockout: Knockout | None = None

    @model_validator(mode="after")
    def _knockout(self) -> Pattern:
        if self.role == "validation" and self.knockout is None:
            raise ValueError(
                f"pattern {self.id!r}: a validation pattern needs a knockout (the mechanism "
                "it reflects, removed), so that a test can show it can fail"
            )
        return self


class Targets(_Strict):
    """The whole targets file."""

    fact_min_share: float = Field(0.9, gt=0, le=1)
    patterns: list[Pattern] = Field(min_length=1)

    def by_role(self, role: str) -> list[Pattern]:
        """The patterns with ``role`` (input, calibration or validation), in file order."""
        return [p for p in self.patterns if p.role == role]

    @model_validator(mode="after")
    def _unique(self) -> Targets:
        seen: set[str] = set()
        for p in self.patterns:
            if p.id in seen:
                raise ValueError(f"pattern id {p.id!r} appears twice")
            seen.add(p.id)
        return self


def _num(x: float | None) -> str:
    if x is None:
        return ""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:g}"


def load(path: str | Path = PATH) -> Targets:
    """Read and validate a targets file; any problem is one line naming the field."""
    p = Path(path)
    data = read_mapping(p, "targets")
    try:
        return Targets.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "targets"
        msg = first["msg"].removeprefix("Value error, ")
        raise UserError(f"{p}: {loc}: {msg}") from None


# ------------------------------------------------------------------------ a run, prepared


@dataclass
class View:
    """A run prepared for statistics: timeseries indexed by month, events, scale."""

    ts: pd.DataFrame
    events: pd.DataFrame
    scale: float
    _cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, run: RunLike | View) -> View:
        """Wrap a Results (or pass a View through)."""
        if isinstance(run, View):
            return run
        ts = run.timeseries.copy()
        ts["month"] = ts["month"].astype(str)
        return cls(ts=ts.set_index("month"), events=run.events, scale=float(run.scale))

    def months(self, start: str | None, end: str | None) -> pd.DataFrame:
        """Timeseries rows with start <= month <= end ('YYYY-MM' strings sort by date)."""
        idx = self.ts.index
        mask = np.ones(len(idx), dtype=bool)
        if start is not None:
            mask &= idx >= start
        if end is not None:
            mask &= idx <= end
        return self.ts.loc[mask]

    def column(self, name: str) -> pd.Series:
        """A timeseries column, or UserError naming it and the columns there are."""
        if name not in self.ts.columns:
            raise UserError(
                f"timeseries has no column {name!r}; it has {', '.join(self.ts.columns)}"
            )
        return self.ts[name]

    @cached_property
    def month_list(self) -> list[str]:
        """Calendar months of the run."""
        return list(self.ts.index)

    @cached_property
    def tenure(self) -> pd.DataFrame:
        """One row per person who joined or arrived during the run.

        Columns: motive, origin, start (month index of joining), end (month index of the first
        exit, death or execution, or len(months) if still in), how ('desert', 'defect',
        'executed', 'killed' or ''), driver of the exit.
        """
        ev = self.events
        pos = {m: i for i, m in enumerate(self.month_list)}
        ev = ev.assign(t=ev["month"].astype(str).map(pos))
        joins = ev[ev["event"].isin(("join", "arrive"))].drop_duplicates("person", keep="first")
        out = ev[ev["event"].isin(REMOVE)].drop_duplicates("person", keep="first")
        out = out.set_index("person")
        df = pd.DataFrame(
            {
                "motive": joins["motive"].astype(object).to_numpy(),
                "origin": joins["origin"].astype(object).to_numpy(),
                "start": joins["t"].to_numpy(dtype=np.int64),
            },
            index=joins["person"].to_numpy(),
        )
        df["end"] = out["t"].reindex(df.index).fillna(len(self.month_list)).astype(np.int64)
        df["how"] = out["event"].astype(object).reindex(df.index).fillna("")
        df["driver"] = out["driver"].astype(object).reindex(df.index)
        return df

    def exposure(self, start: str, end: str, driver: str | None = None) -> pd.DataFrame:
        """Person-months in the organization within [start, end], and exits there, by motive.

        A person counts in every month from the month of joining to the month of leaving,
        inclusive (the month of leaving is at risk). Only people who joined during the run are
        counted: the event log does not list the members present at the start. Exits are only
        those tipped by ``driver`` when given.
        """
        pos = {m: i for i, m in enumerate(self.month_list)}
        a, b = pos.get(start), pos.get(end)
        if a is None or b is None:
            return pd.DataFrame(columns=["months", "exits"], dtype=float)
        t = self.tenure
        last = np.minimum(t["end"].to_numpy(), len(self.month_list) - 1)
        months = np.clip(np.minimum(last, b) - np.maximum(t["start"].to_numpy(), a) + 1, 0, None)
        left = (
            t["how"].isin(LEAVE).to_numpy()
            & (t["end"].to_numpy() >= a)
            & (t["end"].to_numpy() <= b)
        )
        if driver is not None:
            left &= (t["driver"].astype(str) == driver).to_numpy()
        df = pd.DataFrame({"motive": t["motive"].to_numpy(), "months": months, "exits": left})
        return df.groupby("motive").agg(months=("months", "sum"), exits=("exits", "sum"))


# ------------------------------------------------------------------------------ statistics

STATISTICS: dict[str, Callable[..., float]] = {}


def statistic(fn: Callable[..., float]) -> Callable[..., float]:
    """Register a statistic under its function name."""
    STATISTICS[fn.__name__] = fn
    return fn


def _events(
    v: View, kinds: tuple[str, ...], start: str | None = None, end: str | None = None
) -> pd.DataFrame:
    ev = v.events
    m = ev["event"].isin(kinds)
    month = ev["month"].astype(str)
    if start is not None:
        m &= month >= start
    if end is not None:
        m &= month <= end
    return ev.loc[m]


def _n_months(v: View, start: str, end: str) -> int:
    return len(v.months(start, end))


def _origins(group: str) -> tuple[str, ...]:
    if group not in ORIGIN_GROUPS:
        raise UserError(f"origin group {group!r}; allowed: {', '.join(ORIGIN_GROUPS)}")
    return ORIGIN_GROUPS[group]


@statistic
def ts_mean(run: View, column: str, start: str | None = None, end: str | None = None) -> float:
    """Mean over months start..end (inclusive) of a timeseries column."""
    v = View.of(run)
    v.column(column)
    rows = v.months(start, end)
    return float(rows[column].mean()) if len(rows) else math.nan


@statistic
def ts_value(run: View, column: str, month: str) -> float:
    """Value of a timeseries column in one month."""
    v = View.of(run)
    col = v.column(column)
    return float(col.loc[month]) if month in col.index else math.nan


@statistic
def ts_max(run: View, column: str, start: str | None = None, end: str | None = None) -> float:
    """Largest monthly value of a timeseries column over start..end."""
    v = View.of(run)
    v.column(column)
    rows = v.months(start, end)
    return float(rows[column].max()) if len(rows) else math.nan


@statistic
def ts_sum(run: View, column: str, start: str | None = None, end: str | None = None) -> float:
    """Sum of a timeseries column over start..end (a cumulative count for a flow column)."""
    v = View.of(run)
    v.column(column)
    return float(v.months(start, end)[column].sum())


@statistic
def ts_ratio(
    run: View, numerator: str, denominator: str, start: str | None = None, end: str | None = None
) -> float:
    """sum(numerator) / sum(denominator) over start..end: e.g. foreign pay over Syrian pay."""
    v = View.of(run)
    v.column(numerator), v.column(denominator)
    rows = v.months(start, end)
    den = float(rows[denominator].sum())
    return float(rows[numerator].sum()) / den if den > 0 else math.nan


@statistic
def ts_window_ratio(run: View, column: str, before: list[str], after: list[str]) -> float:
    """mean(column over after=[start, end]) / mean(column over before=[start, end])."""
    a = ts_mean(run, column, before[0], before[1])
    b = ts_mean(run, column, after[0], after[1])
    return b / a if a > 0 else (math.inf if b > 0 else math.nan)


@statistic
def ts_window_change(run: View, column: str, before: list[str], after: list[str]) -> float:
    """mean(column over after) - mean(column over before): e.g. the rise of the under-18 share."""
    return ts_mean(run, column, after[0], after[1]) - ts_mean(run, column, before[0], before[1])


@statistic
def rate_ratio(
    run: View, events_a: str, stock_a: str, events_b: str, stock_b: str, start: str, end: str
) -> float:
    """(sum events_a / sum stock_a) / (sum events_b / sum stock_b): per member-month rates."""
    ra = ts_ratio(run, events_a, stock_a, start, end)
    rb = ts_ratio(run, events_b, stock_b, start, end)
    return ra / rb if rb > 0 else (math.inf if ra > 0 else math.nan)


@statistic
def exits_per_month(run: View, start: str, end: str) -> float:
    """Mean monthly exits (desert + defect events, times scale) over start..end, real people."""
    v = View.of(run)
    n = _n_months(v, start, end)
    return len(_events(v, LEAVE, start, end)) * v.scale / n if n else math.nan


@statistic
def exits_ratio(run: View, before: list[str], after: list[str]) -> float:
    """exits_per_month over after=[start, end] / exits_per_month over before=[start, end]."""
    a = exits_per_month(run, before[0], before[1])
    b = exits_per_month(run, after[0], after[1])
    return b / a if a > 0 else (math.inf if b > 0 else math.nan)


@statistic
def exit_origin_share(run: View, group: str, start: str, end: str) -> float:
    """Share of exits (desert + defect) over start..end by people of an origin group."""
    ev = _events(View.of(run), LEAVE, start, end)
    if not len(ev):
        return math.nan
    return float(ev["origin"].astype(str).isin(_origins(group)).mean())


@statistic
def min_motive_share(
    run: View, group: str, start: str | None = None, end: str | None = None
) -> float:
    """Smallest share of any of the five motives among joins by an origin group over start..end."""
    ev = _events(View.of(run), ("join", "arrive"), start, end)
    ev = ev[ev["origin"].astype(str).isin(_origins(group))]
    if not len(ev):
        return math.nan
    counts = ev["motive"].astype(str).value_counts()
    return float(min(counts.get(m, 0) for m in MOTIVES) / len(ev))


@statistic
def motive_share(
    run: View, origin: str, motive: str, start: str | None = None, end: str | None = None
) -> float:
    """Share of one motive among joins by people of one origin (a province, or a group name)."""
    ev = _events(View.of(run), ("join", "arrive"), start, end)
    names = _origins(origin) if origin in ORIGIN_GROUPS else (origin,)
    ev = ev[ev["origin"].astype(str).isin(names)]
    if not len(ev):
        return math.nan
    return float((ev["motive"].astype(str) == motive).mean())


@statistic
def exit_hazard(run: View, motive: str, start: str, end: str, driver: str | None = None) -> float:
    """Exits (desert + defect) per member-month over start..end, among joiners of one motive.

    Exits are counted from the event log (times scale), only those tipped by ``driver`` when
    given; member-months are the sum of the monthly stock ``members_<motive>`` of the
    timeseries. Without that column, both come from the event log for people who joined during
    the run (see ``View.exposure``).
    """
    v = View.of(run)
    stock = f"members_{motive}"
    if stock in v.ts.columns:
        months = float(v.months(start, end)[stock].sum())
        ev = _events(v, LEAVE, start, end)
        hit = ev["motive"].astype(str) == motive
        if driver is not None:
            hit &= ev["driver"].astype(str) == driver
        return float(hit.sum()) * v.scale / months if months > 0 else math.nan
    exp = v.exposure(start, end, driver)
    if motive not in exp.index or exp.loc[motive, "months"] <= 0:
        return math.nan
    return float(exp.loc[motive, "exits"] / exp.loc[motive, "months"])


@statistic
def exit_hazard_ratio(run: View, motive: str, versus: str, start: str, end: str) -> float:
    """exit_hazard(motive) / exit_hazard(versus) over start..end."""
    a = exit_hazard(run, motive, start, end)
    b = exit_hazard(run, versus, start, end)
    return a / b if b > 0 else (math.inf if a > 0 else math.nan)


@statistic
def exit_hazard_change(
    run: View, motive: str, before: list[str], after: list[str], driver: str | None = None
) -> float:
    """exit_hazard(motive, driver) over after=[start, end] / the same over before=[start, end]."""
    a = exit_hazard(run, motive, before[0], before[1], driver)
    b = exit_hazard(run, motive, after[0], after[1], driver)
    return b / a if a > 0 else (math.inf if b > 0 else math.nan)


@statistic
def tenure_margin(run: View, motive: str, min_exits: int = 5) -> float:
    """Months by which ``motive`` joiners leave sooner than the next-quickest motive.

    For each motive with at least ``min_exits`` simulated exits (desert + defect) by people who
    joined during the run, the median months from joining to exit; the statistic is the lowest
    such median among the other motives minus that of ``motive`` (> 0: ``motive`` leaves first).
    """
    t = View.of(run).tenure
    t = t[t["how"].isin(LEAVE)]
    gaps = (t["end"] - t["start"]).groupby(t["motive"].astype(str))
    medians = {m: float(g.median()) for m, g in gaps if len(g) >= min_exits}
    if motive not in medians or len(medians) < 2:
        return math.nan
    return min(x for m, x in medians.items() if m != motive) - medians[motive]


@statistic
def driver_motive_share(
    run: View, driver: str, motive: str, start: str | None = None, end: str | None = None
) -> float:
    """Share of ``motive`` joiners among exits (desert + defect) tipped by ``driver``."""
    ev = _events(View.of(run), LEAVE, start, end)
    ev = ev[ev["driver"].astype(str) == driver]
    return float((ev["motive"].astype(str) == motive).mean()) if len(ev) else math.nan


# ------------------------------------------------------------------------------ evaluation


def evaluate(targets: Targets, run: RunLike | View) -> pd.DataFrame:
    """Every check on one run: pattern, kind, check index, statistic, value, holds."""
    v = View.of(run)
    rows = []
    for p in targets.patterns:
        for i, c in enumerate(p.checks):
            value = float(STATISTICS[c.statistic](v, **c.args))
            rows.append(
                {
                    "pattern": p.id,
                    "kind": p.kind,
                    "check": i,
                    "statistic": c.statistic,
                    "value": value,
                    "holds": c.holds(value),
                }
            )
    return pd.DataFrame(rows)
