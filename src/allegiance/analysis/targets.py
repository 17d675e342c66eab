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
from dataclasses import dataclass
from functools import cached_property, lru_cache
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
# A calibration scores tens of thousands of runs, each with every check of the targets file, so
# a View computes what the checks share once per run (event codes, month windows, column values)
# and the statistics work on NumPy arrays. Each step does the same arithmetic as the plain pandas
# code it replaced (kept as the oracle in tests/test_analysis_targets_exact.py): same bits.


@dataclass(frozen=True)
class _Coded:
    """A column as integer codes (-1: missing) and the text of each code, as astype(str) has it."""

    codes: np.ndarray
    labels: list[str]

    @classmethod
    def of(cls, column: pd.Series) -> _Coded:
        if isinstance(column.dtype, pd.CategoricalDtype):
            # a categorical's astype(str) converts its categories: no need to touch each row
            cat = column.array
            return cls(np.asarray(cat.codes), _as_str(cat.categories).tolist())
        codes, uniques = _as_str(column).array.factorize()  # -1 for missing, as pd.factorize
        return cls(codes, uniques.tolist())

    def where(self, hits: list[bool] | np.ndarray) -> np.ndarray:
        """Rows whose code's label hits (``hits`` in label order); a missing value never does."""
        # one slot per code, and a last one, False, that code -1 (missing) picks
        return np.append(np.asarray(hits, dtype=bool), False)[self.codes]

    def isin(self, names: tuple[str, ...]) -> np.ndarray:
        """Rows whose text is one of ``names``."""
        return self.where([x in names for x in self.labels])

    def within(self, start: str | None, end: str | None) -> np.ndarray:
        """Rows whose text (a month) lies in start..end, compared as text like pandas does."""
        if start is None and end is None:  # nothing compared: missing months are in too
            return np.ones(len(self.codes), dtype=bool)
        text, hits = self._label_array
        hits = hits.copy()
        if start is not None:
            hits &= text >= start  # NumPy compares code points, as Python and Arrow do
        if end is not None:
            hits &= text <= end
        return self.where(hits)

    @cached_property
    def _label_array(self) -> tuple[np.ndarray, np.ndarray]:
        """The labels as a NumPy text array, and which are text (NaN is in no window)."""
        ok = [isinstance(x, str) for x in self.labels]
        text = np.array([x if k else "" for x, k in zip(self.labels, ok, strict=True)], dtype=str)
        return text, np.array(ok, dtype=bool)


def _as_str(x: pd.Series | pd.Index) -> pd.Series | pd.Index:
    """``x.astype(str)``, skipped when it is text already (it costs more than all the rest)."""
    return x if x.dtype == "str" else x.astype(str)


@dataclass(frozen=True)
class _Stays:
    """Each person who joined during the run, as rows of the event log (see ``View.tenure``)."""

    join: np.ndarray  # event row of the first join or arrival
    exit: np.ndarray  # event row of the first exit, death or execution; -1 if none
    start: np.ndarray  # month index of joining
    end: np.ndarray  # month index of leaving, or the number of months if still in


class View:
    """A run prepared for statistics: timeseries indexed by month, events, scale.

    The month-indexed table ``ts`` is only built when asked for: statistics read column values,
    month windows and event codes that the View computes once and caches.
    """

    def __init__(self, ts: pd.DataFrame, events: pd.DataFrame, scale: float) -> None:
        self.ts = ts  # given, so the lazy ``ts`` below is never built
        self._setup(ts, ts.index, ts.columns.tolist(), events, scale)

    def _setup(
        self,
        table: pd.DataFrame,
        month: pd.Index | pd.Series,
        columns: list[str],
        events: pd.DataFrame,
        scale: float,
    ) -> None:
        self._table = table  # where column values are read: ``ts``, or the run's own table
        self._month = month  # the month of each row of ``_table``, as text
        self._columns = columns  # of the timeseries, but month
        self.events = events
        self.scale = scale
        self._cache: dict[tuple[Any, ...], Any] = {}

    @classmethod
    def of(cls, run: RunLike | View) -> View:
        """Wrap a Results (or pass a View through)."""
        if isinstance(run, View):
            return run
        table = run.timeseries
        view = cls.__new__(cls)  # no month-indexed copy of the table until ``ts`` is asked for
        month = _as_str(table["month"])
        columns = [c for c in table.columns.tolist() if c != "month"]  # tolist: 4x faster
        view._setup(table, month, columns, run.events, float(run.scale))
        return view

    @cached_property
    def ts(self) -> pd.DataFrame:
        """The timeseries indexed by month ('YYYY-MM' text)."""
        ts = self._table.copy()
        ts["month"] = ts["month"].astype(str)
        return ts.set_index("month")

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # ---- the timeseries

    def rows(self, start: str | None, end: str | None) -> np.ndarray:
        """Positions of the timeseries rows with start <= month <= end ('YYYY-MM' sorts by date)."""
        months = self.month_list  # one code per row: 55 months need no factorizing
        coded = self._cached(("months",), lambda: _Coded(np.arange(len(months)), months))
        return self._cached(("rows", start, end), lambda: np.flatnonzero(coded.within(start, end)))

    def months(self, start: str | None, end: str | None) -> pd.DataFrame:
        """Timeseries rows with start <= month <= end ('YYYY-MM' strings sort by date)."""
        return self.ts.iloc[self.rows(start, end)]

    def require(self, name: str) -> None:
        """UserError naming the column and the columns there are, when there is no such column."""
        if name not in self._columns:
            raise UserError(f"timeseries has no column {name!r}; it has {', '.join(self._columns)}")

    def column(self, name: str) -> pd.Series:
        """A timeseries column, or UserError naming it and the columns there are."""
        self.require(name)
        return self.ts[name]

    def values(self, name: str, start: str | None, end: str | None) -> np.ndarray | pd.Series:
        """A column over start..end: float64 values, or a Series when of any other dtype."""
        self.require(name)
        col = self._cached(("values", name), lambda: _float_values(self._table[name]))
        rows = self.rows(start, end)
        return col[rows] if isinstance(col, np.ndarray) else col.iloc[rows]

    @cached_property
    def month_list(self) -> list[str]:
        """Calendar months of the run."""
        return self._month.tolist()

    @cached_property
    def _position(self) -> dict[str, int]:
        return {m: i for i, m in enumerate(self.month_list)}

    # ---- the event log

    def coded(self, name: str) -> _Coded:
        """An event column as codes and labels."""
        return self._cached(("coded", name), lambda: _Coded.of(self.events[name]))

    def event_rows(
        self, kinds: tuple[str, ...], start: str | None = None, end: str | None = None
    ) -> np.ndarray:
        """Mask of the events of one of ``kinds`` with start <= month <= end."""
        return self._cached(
            ("events", kinds, start, end),
            lambda: self.coded("event").isin(kinds) & self.coded("month").within(start, end),
        )

    @cached_property
    def _stays(self) -> _Stays:
        persons = self.events["person"].to_numpy()
        join = _first_rows(persons, self.coded("event").isin(("join", "arrive")))
        out = _first_rows(persons, self.coded("event").isin(REMOVE))
        k = pd.Index(persons[out]).get_indexer(persons[join])  # each joiner's place in out
        exit = np.full(len(join), -1)
        exit[k >= 0] = out[k[k >= 0]]
        # month index of each event row, NaN when its month is not one of the run's (as .map)
        month = self.coded("month")
        index = [self._position.get(m, math.nan) for m in month.labels]
        t = np.array([*index, math.nan], dtype=np.float64)[month.codes]
        end = np.where(exit >= 0, t[exit], math.nan)
        return _Stays(
            join=join,
            exit=exit,
            start=t[join].astype(np.int64),
            end=np.where(np.isnan(end), len(self.month_list), end).astype(np.int64),
        )

    @cached_property
    def tenure(self) -> pd.DataFrame:
        """One row per person who joined or arrived during the run.

        Columns: motive, origin, start (month index of joining), end (month index of the first
        exit, death or execution, or len(months) if still in), how ('desert', 'defect',
        'executed', 'killed' or ''), driver of the exit.
        """
        s, ev = self._stays, self.events
        gone = s.exit >= 0

        def at_exit(name: str, fill: Any) -> pd.Series:
            values = np.where(gone, ev[name].to_numpy(dtype=object)[s.exit], fill)
            return pd.Series(values, index=df.index, dtype=object)  # object, as reindex gave

        df = pd.DataFrame(
            {
                "motive": ev["motive"].to_numpy(dtype=object)[s.join],
                "origin": ev["origin"].to_numpy(dtype=object)[s.join],
                "start": s.start,
            },
            index=ev["person"].to_numpy()[s.join],
        )
        df["end"] = s.end
        df["how"] = at_exit("event", "")
        df["driver"] = at_exit("driver", math.nan)
        return df

    def _exposure(
        self, start: str, end: str, driver: str | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Each joiner's months at risk within [start, end] and whether they left then (see
        ``exposure``); None when start or end is not a month of the run."""
        a, b = self._position.get(start), self._position.get(end)
        if a is None or b is None:
            return None
        s = self._stays
        last = np.minimum(s.end, len(self.month_list) - 1)
        months = np.clip(np.minimum(last, b) - np.maximum(s.start, a) + 1, 0, None)
        left = self.at_exit(self.coded("event").isin(LEAVE)) & (s.end >= a) & (s.end <= b)
        if driver is not None:
            left &= self.at_exit(self.coded("driver").isin((driver,)))
        return months, left

    def exposure(self, start: str, end: str, driver: str | None = None) -> pd.DataFrame:
        """Person-months in the organization within [start, end], and exits there, by motive.

        A person counts in every month from the month of joining to the month of leaving,
        inclusive (the month of leaving is at risk). Only people who joined during the run are
        counted: the event log does not list the members present at the start. Exits are only
        those tipped by ``driver`` when given.
        """
        got = self._exposure(start, end, driver)
        if got is None:
            return pd.DataFrame(columns=["months", "exits"], dtype=float)
        months, left = got
        motive = self.tenure["motive"].to_numpy()
        df = pd.DataFrame({"motive": motive, "months": months, "exits": left})
        return df.groupby("motive").agg(months=("months", "sum"), exits=("exits", "sum"))

    def at_join(self, by_row: np.ndarray) -> np.ndarray:
        """An event mask at each joiner's first join or arrival (rows of ``tenure``)."""
        return by_row[self._stays.join]

    def at_exit(self, by_row: np.ndarray) -> np.ndarray:
        """An event mask at each joiner's first exit, death or execution (False if none)."""
        return np.append(by_row, False)[self._stays.exit]  # row -1 picks the False


def _first_rows(persons: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each person's first row among ``rows``, in row order (drop_duplicates keep='first')."""
    at = np.flatnonzero(rows)
    _, first = np.unique(persons[at], return_index=True)  # index of each first occurrence
    return at[np.sort(first)]


def _float_values(column: pd.Series) -> np.ndarray | pd.Series:
    """A column's float64 values as NumPy (the fast path), or the Series for any other dtype."""
    return column.to_numpy() if column.dtype == np.float64 else column


# Series.sum, .mean and .max (pandas.core.nanops) step by step on float64 values: NaN skipped,
# the same NumPy reductions over the same values in the same order, hence the same bits.


def _sum(x: np.ndarray | pd.Series) -> float:
    if isinstance(x, pd.Series):
        return float(x.sum())
    return float(np.where(np.isnan(x), 0.0, x).sum())


def _mean(x: np.ndarray | pd.Series) -> float:
    if isinstance(x, pd.Series):
        return float(x.mean())
    nan = np.isnan(x)
    count = np.float64(len(x) - np.count_nonzero(nan))
    return float(np.where(nan, 0.0, x).sum() / count) if count > 0 else math.nan


def _max(x: np.ndarray | pd.Series) -> float:
    if isinstance(x, pd.Series):
        return float(x.max())
    nan = np.isnan(x)
    return math.nan if nan.all() else float(np.where(nan, -np.inf, x).max())


def _share(hits: np.ndarray, of: np.ndarray) -> float:
    """Share of the rows of ``of`` that are ``hits`` too (NaN when none): a boolean mean."""
    n = np.count_nonzero(of)
    return np.count_nonzero(hits & of) / n if n else math.nan


# ------------------------------------------------------------------------------ statistics

STATISTICS: dict[str, Callable[..., float]] = {}


def statistic(fn: Callable[..., float]) -> Callable[..., float]:
    """Register a statistic under its function name."""
    STATISTICS[fn.__name__] = fn
    return fn


def _origins(group: str) -> tuple[str, ...]:
    if group not in ORIGIN_GROUPS:
        raise UserError(f"origin group {group!r}; allowed: {', '.join(ORIGIN_GROUPS)}")
    return ORIGIN_GROUPS[group]


@statistic
def ts_mean(run: View, column: str, start: str | None = None, end: str | None = None) -> float:
    """Mean over months start..end (inclusive) of a timeseries column."""
    rows = View.of(run).values(column, start, end)
    return _mean(rows) if len(rows) else math.nan


@statistic
def ts_value(run: View, column: str, month: str) -> float:
    """Value of a timeseries column in one month."""
    v = View.of(run)
    rows = np.asarray(v.values(column, month, month))
    if len(rows) > 1:  # the month twice in the table: what pandas makes of it
        return float(v.column(column).loc[month])
    return float(rows[0]) if len(rows) else math.nan


@statistic
def ts_max(run: View, column: str, start: str | None = None, end: str | None = None) -> float:
    """Largest monthly value of a timeseries column over start..end."""
    rows = View.of(run).values(column, start, end)
    return _max(rows) if len(rows) else math.nan


@statistic
def ts_sum(run: View, column: str, start: str | None = None, end: str | None = None) -> float:
    """Sum of a timeseries column over start..end (a cumulative count for a flow column)."""
    return _sum(View.of(run).values(column, start, end))


@statistic
def ts_ratio(
    run: View, numerator: str, denominator: str, start: str | None = None, end: str | None = None
) -> float:
    """sum(numerator) / sum(denominator) over start..end: e.g. foreign pay over Syrian pay."""
    v = View.of(run)
    v.require(numerator), v.require(denominator)
    den = _sum(v.values(denominator, start, end))
    return _sum(v.values(numerator, start, end)) / den if den > 0 else math.nan


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
    n = len(v.rows(start, end))
    exits = int(np.count_nonzero(v.event_rows(LEAVE, start, end)))
    return exits * v.scale / n if n else math.nan


@statistic
def exits_ratio(run: View, before: list[str], after: list[str]) -> float:
    """exits_per_month over after=[start, end] / exits_per_month over before=[start, end]."""
    a = exits_per_month(run, before[0], before[1])
    b = exits_per_month(run, after[0], after[1])
    return b / a if a > 0 else (math.inf if b > 0 else math.nan)


@statistic
def exit_origin_share(run: View, group: str, start: str, end: str) -> float:
    """Share of exits (desert + defect) over start..end by people of an origin group."""
    v = View.of(run)
    exits = v.event_rows(LEAVE, start, end)
    if not exits.any():  # before the group is checked, as ever
        return math.nan
    return _share(v.coded("origin").isin(_origins(group)), exits)


@statistic
def min_motive_share(
    run: View, group: str, start: str | None = None, end: str | None = None
) -> float:
    """Smallest share of any of the five motives among joins by an origin group over start..end."""
    v = View.of(run)
    joins = v.event_rows(("join", "arrive"), start, end) & v.coded("origin").isin(_origins(group))
    n = np.count_nonzero(joins)
    if not n:
        return math.nan
    motive = v.coded("motive")
    return min(np.count_nonzero(joins & motive.isin((m,))) for m in MOTIVES) / n


@statistic
def motive_share(
    run: View, origin: str, motive: str, start: str | None = None, end: str | None = None
) -> float:
    """Share of one motive among joins by people of one origin (a province, or a group name)."""
    v = View.of(run)
    names = _origins(origin) if origin in ORIGIN_GROUPS else (origin,)
    joins = v.event_rows(("join", "arrive"), start, end) & v.coded("origin").isin(names)
    return _share(v.coded("motive").isin((motive,)), joins)


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
    if stock in v._columns:
        months = _sum(v.values(stock, start, end))
        hit = v.event_rows(LEAVE, start, end) & v.coded("motive").isin((motive,))
        if driver is not None:
            hit &= v.coded("driver").isin((driver,))
        return float(np.count_nonzero(hit)) * v.scale / months if months > 0 else math.nan
    got = v._exposure(start, end, driver)
    mine = v.at_join(v.coded("motive").isin((motive,)))
    if got is None or not mine.any():  # as ``motive not in v.exposure(...).index``
        return math.nan
    months, left = got
    at_risk = months[mine].sum()
    return float(np.count_nonzero(left[mine]) / at_risk) if at_risk > 0 else math.nan


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
    v = View.of(run)
    s, motives = v._stays, v.coded("motive")
    left = v.at_exit(v.coded("event").isin(LEAVE))
    gaps, codes = (s.end - s.start)[left], motives.codes[s.join][left]
    medians = {}
    for code in np.unique(codes[codes >= 0]):  # the labels are unique: one group per code
        g = gaps[codes == code]
        if len(g) >= min_exits:
            # months are whole numbers: the middle one, or the exact mean of the middle two
            medians[motives.labels[code]] = float(np.median(g))
    if motive not in medians or len(medians) < 2:
        return math.nan
    return min(x for m, x in medians.items() if m != motive) - medians[motive]


@statistic
def driver_motive_share(
    run: View, driver: str, motive: str, start: str | None = None, end: str | None = None
) -> float:
    """Share of ``motive`` joiners among exits (desert + defect) tipped by ``driver``."""
    v = View.of(run)
    exits = v.event_rows(LEAVE, start, end) & v.coded("driver").isin((driver,))
    return _share(v.coded("motive").isin((motive,)), exits)


# ------------------------------------------------------------------------------ evaluation


def evaluate(targets: Targets, run: RunLike | View) -> pd.DataFrame:
    """Every check on one run: pattern, kind, check index, statistic, value, holds."""
    v = View.of(run)
    names, values, holds = [], [], []
    for p in targets.patterns:
        for i, c in enumerate(p.checks):
            value = float(STATISTICS[c.statistic](v, **c.args))
            names.append((p.id, p.kind, i, c.statistic))
            values.append(value)
            holds.append(c.holds(value))
    df = _blank(tuple(names)).copy(deep=False)  # copy-on-write: the cached table stays as is
    df["value"] = np.array(values, dtype=np.float64)
    df["holds"] = np.array(holds, dtype=bool)
    return df


@lru_cache(maxsize=16)
def _blank(names: tuple[tuple[str, str, int, str], ...]) -> pd.DataFrame:
    """evaluate's table for these checks, value and holds still to fill in.

    The columns naming the checks are the same for every run of a targets file, and building
    their text costs more than a calibration's statistics: built once. Replacing the value and
    holds columns costs a quarter of adding them.
    """
    df = pd.DataFrame(names, columns=["pattern", "kind", "check", "statistic"])
    return df.assign(value=math.nan, holds=False)
