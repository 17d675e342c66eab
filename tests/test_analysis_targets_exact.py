"""The statistics of targets.py against their plain pandas implementation: the same bits."""

from __future__ import annotations

import math
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allegiance
from allegiance.analysis import targets
from allegiance.analysis.targets import LEAVE, ORIGIN_GROUPS, REMOVE, STATISTICS, View
from allegiance.errors import UserError
from allegiance.people import MOTIVES
from helpers import REFERENCE

# ------------------------------------------------- the reference: the plain pandas statistics
# The code of targets.py before its NumPy rewrite, kept verbatim (renamed) as the oracle.


@dataclass
class RefView:
    ts: pd.DataFrame
    events: pd.DataFrame
    scale: float
    _cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, run: Any) -> RefView:
        if isinstance(run, RefView):
            return run
        ts = run.timeseries.copy()
        ts["month"] = ts["month"].astype(str)
        return cls(ts=ts.set_index("month"), events=run.events, scale=float(run.scale))

    def months(self, start: str | None, end: str | None) -> pd.DataFrame:
        idx = self.ts.index
        mask = np.ones(len(idx), dtype=bool)
        if start is not None:
            mask &= idx >= start
        if end is not None:
            mask &= idx <= end
        return self.ts.loc[mask]

    def column(self, name: str) -> pd.Series:
        if name not in self.ts.columns:
            raise UserError(
                f"timeseries has no column {name!r}; it has {', '.join(self.ts.columns)}"
            )
        return self.ts[name]

    @cached_property
    def month_list(self) -> list[str]:
        return list(self.ts.index)

    @cached_property
    def tenure(self) -> pd.DataFrame:
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


REF: dict[str, Callable[..., float]] = {}


def _ref(fn: Callable[..., float]) -> Callable[..., float]:
    REF[fn.__name__.removeprefix("ref_")] = fn
    return fn


def _events(
    v: RefView, kinds: tuple[str, ...], start: str | None = None, end: str | None = None
) -> pd.DataFrame:
    ev = v.events
    m = ev["event"].isin(kinds)
    month = ev["month"].astype(str)
    if start is not None:
        m &= month >= start
    if end is not None:
        m &= month <= end
    return ev.loc[m]


def _n_months(v: RefView, start: str, end: str) -> int:
    return len(v.months(start, end))


def _origins(group: str) -> tuple[str, ...]:
    if group not in ORIGIN_GROUPS:
        raise UserError(f"origin group {group!r}; allowed: {', '.join(ORIGIN_GROUPS)}")
    return ORIGIN_GROUPS[group]


@_ref
def ref_ts_mean(run: Any, column: str, start: str | None = None, end: str | None = None) -> float:
    v = RefView.of(run)
    v.column(column)
    rows = v.months(start, end)
    return float(rows[column].mean()) if len(rows) else math.nan


@_ref
def ref_ts_value(run: Any, column: str, month: str) -> float:
    v = RefView.of(run)
    col = v.column(column)
    return float(col.loc[month]) if month in col.index else math.nan


@_ref
def ref_ts_max(run: Any, column: str, start: str | None = None, end: str | None = None) -> float:
    v = RefView.of(run)
    v.column(column)
    rows = v.months(start, end)
    return float(rows[column].max()) if len(rows) else math.nan


@_ref
def ref_ts_sum(run: Any, column: str, start: str | None = None, end: str | None = None) -> float:
    v = RefView.of(run)
    v.column(column)
    return float(v.months(start, end)[column].sum())


@_ref
def ref_ts_ratio(
    run: Any, numerator: str, denominator: str, start: str | None = None, end: str | None = None
) -> float:
    v = RefView.of(run)
    v.column(numerator), v.column(denominator)
    rows = v.months(start, end)
    den = float(rows[denominator].sum())
    return float(rows[numerator].sum()) / den if den > 0 else math.nan


@_ref
def ref_ts_window_ratio(run: Any, column: str, before: list[str], after: list[str]) -> float:
    a = ref_ts_mean(run, column, before[0], before[1])
    b = ref_ts_mean(run, column, after[0], after[1])
    return b / a if a > 0 else (math.inf if b > 0 else math.nan)


@_ref
def ref_ts_window_change(run: Any, column: str, before: list[str], after: list[str]) -> float:
    return ref_ts_mean(run, column, after[0], after[1]) - ref_ts_mean(
        run, column, before[0], before[1]
    )


@_ref
def ref_rate_ratio(
    run: Any, events_a: str, stock_a: str, events_b: str, stock_b: str, start: str, end: str
) -> float:
    ra = ref_ts_ratio(run, events_a, stock_a, start, end)
    rb = ref_ts_ratio(run, events_b, stock_b, start, end)
    return ra / rb if rb > 0 else (math.inf if ra > 0 else math.nan)


@_ref
def ref_exits_per_month(run: Any, start: str, end: str) -> float:
    v = RefView.of(run)
    n = _n_months(v, start, end)
    return len(_events(v, LEAVE, start, end)) * v.scale / n if n else math.nan


@_ref
def ref_exits_ratio(run: Any, before: list[str], after: list[str]) -> float:
    a = ref_exits_per_month(run, before[0], before[1])
    b = ref_exits_per_month(run, after[0], after[1])
    return b / a if a > 0 else (math.inf if b > 0 else math.nan)


@_ref
def ref_exit_origin_share(run: Any, group: str, start: str, end: str) -> float:
    ev = _events(RefView.of(run), LEAVE, start, end)
    if not len(ev):
        return math.nan
    return float(ev["origin"].astype(str).isin(_origins(group)).mean())


@_ref
def ref_min_motive_share(
    run: Any, group: str, start: str | None = None, end: str | None = None
) -> float:
    ev = _events(RefView.of(run), ("join", "arrive"), start, end)
    ev = ev[ev["origin"].astype(str).isin(_origins(group))]
    if not len(ev):
        return math.nan
    counts = ev["motive"].astype(str).value_counts()
    return float(min(counts.get(m, 0) for m in MOTIVES) / len(ev))


@_ref
def ref_motive_share(
    run: Any, origin: str, motive: str, start: str | None = None, end: str | None = None
) -> float:
    ev = _events(RefView.of(run), ("join", "arrive"), start, end)
    names = _origins(origin) if origin in ORIGIN_GROUPS else (origin,)
    ev = ev[ev["origin"].astype(str).isin(names)]
    if not len(ev):
        return math.nan
    return float((ev["motive"].astype(str) == motive).mean())


@_ref
def ref_exit_hazard(
    run: Any, motive: str, start: str, end: str, driver: str | None = None
) -> float:
    v = RefView.of(run)
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


@_ref
def ref_exit_hazard_ratio(run: Any, motive: str, versus: str, start: str, end: str) -> float:
    a = ref_exit_hazard(run, motive, start, end)
    b = ref_exit_hazard(run, versus, start, end)
    return a / b if b > 0 else (math.inf if a > 0 else math.nan)


@_ref
def ref_exit_hazard_change(
    run: Any, motive: str, before: list[str], after: list[str], driver: str | None = None
) -> float:
    a = ref_exit_hazard(run, motive, before[0], before[1], driver)
    b = ref_exit_hazard(run, motive, after[0], after[1], driver)
    return b / a if a > 0 else (math.inf if b > 0 else math.nan)


@_ref
def ref_tenure_margin(run: Any, motive: str, min_exits: int = 5) -> float:
    t = RefView.of(run).tenure
    t = t[t["how"].isin(LEAVE)]
    gaps = (t["end"] - t["start"]).groupby(t["motive"].astype(str))
    medians = {m: float(g.median()) for m, g in gaps if len(g) >= min_exits}
    if motive not in medians or len(medians) < 2:
        return math.nan
    return min(x for m, x in medians.items() if m != motive) - medians[motive]


@_ref
def ref_driver_motive_share(
    run: Any, driver: str, motive: str, start: str | None = None, end: str | None = None
) -> float:
    ev = _events(RefView.of(run), LEAVE, start, end)
    ev = ev[ev["driver"].astype(str) == driver]
    return float((ev["motive"].astype(str) == motive).mean()) if len(ev) else math.nan


def ref_evaluate(t: targets.Targets, run: Any) -> pd.DataFrame:
    v = RefView.of(run)
    rows = []
    for p in t.patterns:
        for i, c in enumerate(p.checks):
            value = float(REF[c.statistic](v, **c.args))
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


# ------------------------------------------------------------------------ runs and checks


@dataclass
class FakeRun:
    timeseries: pd.DataFrame
    events: pd.DataFrame
    scale: float


@cache
def _model_run(seed: int, size: int, end: str = "2017-12") -> FakeRun:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a short `end` warns of timeline events that never happen
        sc = allegiance.load(REFERENCE, overrides=[f"population.size={size}", f"end={end}"])
        r = allegiance.run(sc, seed=seed)
    return FakeRun(r.timeseries, r.events, r.scale)


def _variants(run: FakeRun) -> dict[str, FakeRun]:
    """The run, and the same run bent to reach the other branches of the statistics."""
    ts, ev = run.timeseries, run.events
    no_stock = ts.drop(columns=[c for c in ts.columns if c.removeprefix("members_") in MOTIVES])
    plain = ev.astype({c: object for c in ("event", "motive", "driver", "origin")})
    return {
        "as run": run,
        "no stock by motive": FakeRun(no_stock, ev, run.scale),
        "no events": FakeRun(ts, ev.iloc[:0], run.scale),
        "reversed, not categorical": FakeRun(no_stock, plain.iloc[::-1], run.scale),
    }


WINDOWS = [
    (None, None),
    (None, "2014-06"),
    ("2014-01", "2016-12"),
    ("2016-03", "2016-03"),
    ("2016-05", "2016-02"),
    ("2019-01", "2019-12"),
]
PAIRS = [
    (["2015-01", "2015-09"], ["2016-01", "2016-12"]),
    (["2013-06", "2013-06"], ["2019-01", "2019-02"]),
]
MONTHS = ["2013-06", "2014-09", "2016-02", "2017-12", "2019-01"]
GROUPS = [*ORIGIN_GROUPS, "martian"]
ORIGINS = ["homs", "gulf", "syrian", "foreign", "nowhere"]
DRIVERS = [None, "pay", "losing", "redeployment", "coercion", "nowhere"]
ODD_MOTIVES = [*MOTIVES, "boredom"]


def checks(columns: list[str], ratio: list[tuple[str, str]]) -> list[tuple[str, dict[str, Any]]]:
    """Every statistic with arguments that reach each of its branches: windows open, empty or
    off the run, columns missing, unknown groups, drivers and motives (paired in turn, not all
    with all, to keep the oracle's time short)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for k, (start, end) in enumerate(WINDOWS):
        win = {"start": start, "end": end}
        for c in [*columns, "nope"]:
            out += [(s, {"column": c, **win}) for s in ("ts_mean", "ts_max", "ts_sum")]
        out += [("ts_ratio", {"numerator": a, "denominator": b, **win}) for a, b in ratio]
        out += [("exits_per_month", win)]
        out += [("exit_origin_share", {"group": g, **win}) for g in GROUPS]
        out += [("min_motive_share", {"group": g, **win}) for g in GROUPS]
        out += [
            ("motive_share", {"origin": o, "motive": MOTIVES[(i + k) % 5], **win})
            for i, o in enumerate(ORIGINS)
        ]
        out += [
            ("exit_hazard", {"motive": m, "driver": DRIVERS[(i + k) % 6], **win})
            for i, m in enumerate(ODD_MOTIVES)
        ]
        out += [
            ("driver_motive_share", {"driver": d, "motive": ODD_MOTIVES[(i + k) % 6], **win})
            for i, d in enumerate(DRIVERS[1:])
        ]
        out += [("exit_hazard_ratio", {"motive": "economic", "versus": "ideology", **win})]
        a, b = ratio[0]
        out += [("rate_ratio", {"events_a": a, "stock_a": b, "events_b": b, "stock_b": a, **win})]
    for c in [*columns, "nope"]:
        out += [("ts_value", {"column": c, "month": m}) for m in MONTHS]
        for before, after in PAIRS:
            win2 = {"before": before, "after": after}
            out += [(s, {"column": c, **win2}) for s in ("ts_window_ratio", "ts_window_change")]
    for k, (before, after) in enumerate(PAIRS):
        out += [("exits_ratio", {"before": before, "after": after})]
        out += [
            (
                "exit_hazard_change",
                {"motive": m, "before": before, "after": after, "driver": DRIVERS[(i + k) % 3]},
            )
            for i, m in enumerate(MOTIVES)
        ]
    out += [("tenure_margin", {"motive": m, "min_exits": k}) for m in MOTIVES for k in (1, 5, 40)]
    return out


MODEL_COLUMNS = ["members", "pay_factor", "members_economic"]
MODEL_RATIOS = [("killed_syrian", "members_syrian"), ("pay_foreign_usd", "pay_syrian_usd")]


def _outcome(fn: Callable[..., float], run: Any, args: dict[str, Any]) -> tuple[Any, ...]:
    """A statistic's value as its 64 bits (any NaN alike), or the error it raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # casts of months off the run
            value = float(fn(run, **args))
    except (UserError, KeyError, TypeError, ValueError) as err:
        return ("raised", type(err).__name__, str(err))
    return ("nan",) if math.isnan(value) else ("value", struct.pack("<d", value))


def assert_same_statistics(run: Any, columns: list[str], ratio: list[tuple[str, str]]) -> None:
    v, ref = View.of(run), RefView.of(run)  # one View for all checks, as evaluate has
    for name, args in checks(columns, ratio):
        got, want = _outcome(STATISTICS[name], v, args), _outcome(REF[name], ref, args)
        assert got == want, (name, args)


def assert_same_evaluation(run: Any) -> None:
    t = targets.load()
    got, want = targets.evaluate(t, run), ref_evaluate(t, run)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["value"].to_numpy().tobytes() == want["value"].to_numpy().tobytes()


# ------------------------------------------------------------------------------ the tests


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), size=st.integers(5_000, 40_000))
def test_model_runs_give_the_same_bits(seed: int, size: int) -> None:
    for name, run in _variants(_model_run(seed, size)).items():
        assert_same_evaluation(run)
        assert_same_statistics(run, MODEL_COLUMNS, MODEL_RATIOS), name


def test_a_run_of_three_months_gives_the_same_bits() -> None:
    for run in _variants(_model_run(7, 5_000, "2013-08")).values():
        assert_same_evaluation(run)
        assert_same_statistics(run, MODEL_COLUMNS, MODEL_RATIOS)


def test_the_tables_of_a_view_are_the_same() -> None:
    for run in _variants(_model_run(3, 20_000)).values():
        v, ref = View.of(run), RefView.of(run)
        pd.testing.assert_frame_equal(v.tenure, ref.tenure, check_exact=True)
        pd.testing.assert_frame_equal(v.ts, ref.ts, check_exact=True)
        assert v.month_list == ref.month_list
        for start, end in WINDOWS:
            pd.testing.assert_frame_equal(v.months(start, end), ref.months(start, end))
            for d in DRIVERS[:3]:
                got, want = v.exposure(start, end, d), ref.exposure(start, end, d)
                pd.testing.assert_frame_equal(got, want, check_exact=True)
        pd.testing.assert_series_equal(v.column("members"), ref.column("members"))


def test_a_view_made_from_its_parts_gives_the_same_bits() -> None:
    run = _model_run(11, 8_000)
    ref = RefView.of(run)
    made = View(ref.ts, run.events, run.scale)
    for name, args in checks(MODEL_COLUMNS, MODEL_RATIOS):
        assert _outcome(STATISTICS[name], made, args) == _outcome(REF[name], ref, args)


# A synthetic log: months off the timeseries at both ends, people joining twice or leaving
# without joining, missing motives and drivers, and a timeseries with NaN and infinities.
SYNTHETIC_MONTHS = [f"{y}-{m:02d}" for y in range(2013, 2020) for m in range(1, 13)]
TS_MONTHS = [m for m in SYNTHETIC_MONTHS if "2013-06" <= m <= "2017-12"]
KINDS = ("join", "arrive", "desert", "defect", "caught", "executed", "killed")
maybe = st.none().map(lambda _: None)
row = st.tuples(
    st.sampled_from(SYNTHETIC_MONTHS) | maybe,
    st.integers(0, 12),
    st.sampled_from(KINDS),
    st.sampled_from(MOTIVES) | maybe,
    st.sampled_from(DRIVERS[1:4]) | maybe,
    st.sampled_from(["raqqa", "homs", "iraq", "gulf"]) | maybe,
)
number = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.floats(0, 100)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row, max_size=40),
    x=st.lists(number, min_size=len(TS_MONTHS), max_size=len(TS_MONTHS)),
    stock=st.booleans(),
    twice=st.booleans(),
    scale=st.floats(0.5, 200),
)
def test_synthetic_logs_give_the_same_bits(
    rows: list[tuple], x: list[float], stock: bool, twice: bool, scale: float
) -> None:
    ev = pd.DataFrame(rows, columns=["month", "person", "event", "motive", "driver", "origin"])
    ev = ev.astype({"month": str, "person": np.int64})
    for c in ("event", "motive", "driver", "origin"):
        ev[c] = ev[c].astype("category")
    ts = pd.DataFrame({"month": TS_MONTHS, "x": x, "y": np.abs(x)})
    if stock:
        ts["members_economic"] = np.arange(len(TS_MONTHS), dtype=float)
    if twice:  # a month twice, out of order
        ts = pd.concat([ts, ts[ts["month"] == "2014-09"]], ignore_index=True)
    run = FakeRun(ts, ev, scale)
    assert_same_statistics(run, ["x", "y", "members_economic"], [("x", "y"), ("y", "x")])


def test_the_checks_reach_every_statistic() -> None:
    assert {name for name, _ in checks(["x"], [("x", "y")])} == set(STATISTICS) == set(REF)


def test_the_oracle_can_tell(monkeypatch: pytest.MonkeyPatch) -> None:
    """A statistic off by one ulp is caught."""
    run = _model_run(5, 5_000)
    broken = REF["ts_mean"]
    monkeypatch.setitem(REF, "ts_mean", lambda *a, **k: np.nextafter(broken(*a, **k), math.inf))
    with pytest.raises(AssertionError):
        assert_same_statistics(run, MODEL_COLUMNS, MODEL_RATIOS)


def test_a_table_from_evaluate_is_the_callers_own() -> None:
    """evaluate starts from a cached table: changing one it returned changes no later one."""
    t, run = targets.load(), _model_run(5, 5_000)
    first = targets.evaluate(t, run)
    first.loc[0, "pattern"] = "changed"
    first["value"] = 0.0
    first["seed"] = 1
    pd.testing.assert_frame_equal(targets.evaluate(t, run), ref_evaluate(t, run), check_exact=True)
