"""The recorder: one row of metrics per month, and an event log of who did what, when and why."""

from __future__ import annotations

from functools import lru_cache
from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa
from numba import njit
from pandas.api.internals import create_dataframe_from_blocks

from .mechanisms.harm import per_member_and_civilian
from .people import Driver, Event, Motive, Origin, People, Route, labels
from .prefetch import AHEAD as _AHEAD
from .prefetch import prefetch as _prefetch

EVENT_COLUMNS = ["month", "person", "event", "motive", "driver", "route", "origin", "age"]
# the labelled columns' types, made once: validating the labels costs twenty times more than
# labelling a run's codes
_CATEGORIES = {
    "event": pd.CategoricalDtype(labels(Event)),
    "motive": pd.CategoricalDtype(labels(Motive)[1:]),
    "driver": pd.CategoricalDtype(labels(Driver)[1:]),
    "route": pd.CategoricalDtype(labels(Route)[1:]),
    "origin": pd.CategoricalDtype(labels(Origin)),
}
# the type pandas gives a column of Python strings (Arrow-backed, NaN for missing)
_STR = pd.StringDtype("pyarrow", na_value=np.nan)
# the number of categories of event, motive, driver, route and origin, in the table's order
_SIZES = np.array([len(d.categories) for d in _CATEGORIES.values()], np.int64)
# the kernel's error codes, as the errors raised (a new one each time: a raised error keeps its
# traceback)
_ERRORS: dict[int, tuple[type[Exception], str]] = {
    1: (ValueError, "codes need to be between -1 and len(categories)-1"),  # pandas' own message
    2: (IndexError, "an event's person is outside the population"),
    3: (IndexError, "an event's month is outside the months recorded"),
}
_CAPACITY = 1024  # events the log holds before it grows (a 20,000-person run logs about 1,000)


class Recorder:
    """Collects monthly rows and events as arrays; builds tidy tables at the end.

    Logged events are read when given, into growing arrays, while they are in the processor's
    cache: kept as a run's few hundred small arrays and read at the end, each is a cache miss, and
    these cost more than building the table. The rows are read at the end (see timeseries).
    """

    def __init__(self, months: list[str]) -> None:
        self.months = months
        self.rows: list[dict[str, float]] = []
        # or the rows as arrays of values in one order of columns (row_values)
        self._columns: tuple[str, ...] | None = None
        self._values: list[np.ndarray] = []
        self._people: People | None = None
        self._labelled = months, _month_labels(tuple(months))
        # the event log: one entry per call, and the people's columns in growing buffers
        self._kinds: list[int] = []
        self._months: list[int] = []
        self._sizes: list[int] = []
        self._n = 0
        self._person = np.empty(_CAPACITY, np.int64)
        self._motive = np.empty(_CAPACITY, np.int8)
        # code 0 (none) where an event has no driver or route: calls without one write nothing
        self._driver = np.zeros(_CAPACITY, np.int8)
        self._route = np.zeros(_CAPACITY, np.int8)

    def row(self, values: dict[str, float]) -> None:
        """Append one month's metrics."""
        self.rows.append(values)

    def row_values(self, columns: tuple[str, ...], values: np.ndarray) -> None:
        """Append one month's metrics as float64 ``values`` in the order of ``columns`` (the same
        columns every month; a compiled pass writes a row this way without a dict)."""
        if self._columns is None:
            self._columns = columns
        elif columns is not self._columns and columns != self._columns:
            raise ValueError("every month's row must have the same columns, in one order")
        self._values.append(values)

    def events(
        self,
        kind: Event,
        people: People,
        idx: np.ndarray,
        month: int,
        driver: np.ndarray | None = None,
        route: np.ndarray | None = None,
    ) -> None:
        """Log one event per person in ``idx`` (their motive, driver and route are read now)."""
        n = idx.size
        if n == 0:
            return
        if (driver is not None and driver.size != n) or (route is not None and route.size != n):
            raise ValueError("a driver or route must have one value per person")
        # only the motive can change later; origin and birth are fixed traits, so the origin and
        # age columns are read once for the whole log in event_table (a dozen small NumPy calls
        # a month saved)
        self._people = people
        k = self._n
        end = k + n
        if end > self._person.size:
            self._grow(end)
        # assigning casts as astype does (int64 people; int8 codes, wrapped)
        self._person[k:end] = idx
        self._motive[k:end] = people.motive[idx]
        if driver is not None:
            self._driver[k:end] = driver
        if route is not None:
            self._route[k:end] = route
        self._n = end
        self._kinds.append(int(kind))
        self._months.append(month)
        self._sizes.append(n)

    def reserve(self, n: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Room for ``n`` more events: where they go, and the person, motive, driver and route
        buffers, for a compiled pass that writes them as ``events`` would (then ``logged``)."""
        if self._n + n > self._person.size:
            self._grow(self._n + n)
        return self._n, self._person, self._motive, self._driver, self._route

    def logged(
        self, kinds: tuple[Event, ...], counts: np.ndarray, people: People, month: int
    ) -> None:
        """Count the events a compiled pass wrote from ``reserve``'s position: ``counts[j]`` of
        ``kinds[j]``, one group after another (groups with none are not entries, as in
        ``events``)."""
        self._people = people
        for kind, n in zip(kinds, counts.tolist(), strict=True):
            if n:
                self._n += n
                self._kinds.append(int(kind))
                self._months.append(month)
                self._sizes.append(n)

    def _grow(self, size: int) -> None:
        """Make room for ``size`` logged events (at least twice the room there is)."""
        size = max(size, 2 * self._person.size)
        k = self._n
        for name in ("_person", "_motive", "_driver", "_route"):
            old = getattr(self, name)
            new = (np.zeros if name in ("_driver", "_route") else np.empty)(size, old.dtype)
            new[:k] = old[:k]
            setattr(self, name, new)

    def timeseries(self) -> pd.DataFrame:
        """The monthly table."""
        if self._values:
            return self._timeseries_of_values()
        rows, months = self.rows, self.months
        n = len(rows)
        columns = list(rows[0]) if rows else []
        labelled = self._fast_labels(columns, n)
        if labelled is None:
            return _timeseries_by_pandas(rows, months)
        k = len(columns)
        # every row's keys in one pass at C speed, against the first row's
        if list(chain.from_iterable(rows)) != columns * n:
            raise ValueError("every month's row must have the same columns, in one order")
        # the values are read here, not as each row comes: packing a row into an array when it
        # comes costs more within a month's work than all rows' reading here
        try:
            values = np.fromiter(chain.from_iterable(map(dict.values, rows)), np.float64, n * k)
        except (TypeError, ValueError):  # a value NumPy converts only from a list (None: NaN)
            values = np.array([list(r.values()) for r in rows], dtype=np.float64)
        return _frame(values.reshape(n, k), tuple(columns), labelled, len(months))

    def _fast_labels(
        self, columns: list[str] | tuple[str, ...], n: int
    ) -> tuple[pa.Array, np.ndarray, np.ndarray] | None:
        """The month labels for a table of ``n`` rows of ``columns``, or None where the table is
        left to pandas (and its errors): no rows, no metrics, non-string months or too few of
        them, a metric named month or not named by a string. Rare cases."""
        labelled = self._labels() if n <= len(self.months) else None
        if (
            not columns
            or labelled is None
            or "month" in columns
            or not all(type(c) is str for c in columns)
        ):
            return None
        return labelled

    def _timeseries_of_values(self) -> pd.DataFrame:
        """The monthly table from rows given as arrays of values (``row_values``)."""
        if self.rows:
            raise ValueError("rows were given both as dicts and as arrays of values")
        columns, months = self._columns, self.months
        assert columns is not None
        n = len(self._values)
        labelled = self._fast_labels(columns, n)
        if labelled is None:
            rows = [dict(zip(columns, v.tolist(), strict=True)) for v in self._values]
            return _timeseries_by_pandas(rows, months)
        return _frame(np.stack(self._values), columns, labelled, len(months))

    def event_table(self) -> pd.DataFrame:
        """The event log, with labelled categorical columns (missing where not applicable)."""
        labelled = self._labels()
        people = self._people
        k = self._n
        months = np.array(self._months, np.int64)
        # without labels (months not all strings) the kernel writes empty ones; pandas labels them
        offsets, data = (labelled[1], labelled[2]) if labelled else (_no_labels(self.months), _NO)
        month, person, age, codes, error = _fill_events(
            np.array(self._kinds, np.int8),
            months,
            np.array(self._sizes, np.int64),
            self._person[:k],
            self._motive[:k],
            self._driver[:k],
            self._route[:k],
            _NO if people is None else people.origin,
            _NO_BIRTH if people is None else people.birth,
            offsets,
            data,
            _SIZES,
        )
        if error:
            kind, message = _ERRORS[error]
            raise kind(message)
        if labelled is None:
            cols = dict(zip(_CATEGORIES, codes, strict=True))
            sizes = np.array(self._sizes, np.int64)
            cols |= {"month": np.repeat(months.astype(np.int16), sizes), "person": person}
            return _event_table_by_pandas(self.months, cols | {"age": age})
        n = person.size
        labels = pd.arrays.ArrowStringArray(
            pa.Array.from_buffers(
                pa.large_string(), n, [None, pa.py_buffer(month[0]), pa.py_buffer(month[1])]
            ),
            dtype=_STR,
        )
        cat = pd.Categorical.from_codes
        # the codes are checked in the kernel to lie within their categories
        categoricals = [
            (cat(codes[j], dtype=dtype, validate=False), np.array([j + 2]))
            for j, dtype in enumerate(_CATEGORIES.values())
        ]
        return create_dataframe_from_blocks(
            [
                (labels, _AT0),
                (person.reshape(1, n), np.array([1])),
                *categoricals,
                (age.reshape(1, n), np.array([7])),
            ],
            index=pd.RangeIndex(n),
            columns=_event_columns().copy(),
        )

    def _labels(self) -> tuple[pa.Array, np.ndarray, np.ndarray] | None:
        """The month labels (made when recording began, unless the months were replaced)."""
        months, labelled = self._labelled
        if months is not self.months:
            self._labelled = months, labelled = self.months, _month_labels(tuple(self.months))
        return labelled


_AT0 = np.array([0])


def _frame(
    values: np.ndarray,
    columns: tuple[str, ...],
    labelled: tuple[pa.Array, np.ndarray, np.ndarray],
    n_months: int,
) -> pd.DataFrame:
    """The monthly table from its (months, metrics) float64 values and the month labels."""
    n, k = values.shape
    # the block as pandas keeps it: one row per metric, contiguous, and the frame's own copy
    block = values.T.copy(order="C")
    month = labelled[0] if n == n_months else labelled[0].slice(0, n)
    return create_dataframe_from_blocks(
        [(block, np.arange(1, k + 1)), (pd.arrays.ArrowStringArray(month, dtype=_STR), _AT0)],
        index=pd.RangeIndex(n),
        columns=_timeseries_columns(columns).copy(),
    )


_NO = np.empty(0, np.uint8)
_NO_BIRTH = np.empty(0, np.int16)  # as People.birth: an empty log compiles no other kernel


@lru_cache(maxsize=16)
def _month_labels(months: tuple[str, ...]) -> tuple[pa.Array, np.ndarray, np.ndarray] | None:
    """The month labels as an Arrow string array, and as byte offsets and UTF-8 bytes, made once
    per calendar (a calibration's runs share one); None unless every label is a string that Arrow
    holds (a lone surrogate is not UTF-8), and the tables are left to pandas."""
    if not all(type(m) is str for m in months):
        return None
    try:
        array = pa.array(months, pa.large_string())
    except (UnicodeEncodeError, pa.ArrowException):
        return None
    offsets = np.frombuffer(array.buffers()[1], np.int64, len(months) + 1, array.offset * 8)
    data = np.frombuffer(array.buffers()[2], np.uint8, int(offsets[-1]) if months else 0)
    return array, offsets.copy(), data.copy()


def _no_labels(months: list[str]) -> np.ndarray:
    """Byte offsets of one empty label per month."""
    return np.zeros(len(months) + 1, np.int64)


@lru_cache(maxsize=16)
def _timeseries_columns(columns: tuple[str, ...]) -> pd.Index:
    """The monthly table's column labels, made as pandas makes them (callers get a copy: an
    Index's name can be set)."""
    return pd.Index(list(columns)).insert(0, "month")


@lru_cache(maxsize=1)
def _event_columns() -> pd.Index:
    """The event table's column labels (callers get a copy)."""
    return pd.Index(EVENT_COLUMNS)


@njit(cache=True)
def _fill_events(  # noqa: ANN202
    kinds: np.ndarray,
    months: np.ndarray,
    sizes: np.ndarray,
    person: np.ndarray,
    motive: np.ndarray,
    driver: np.ndarray,
    route: np.ndarray,
    origin: np.ndarray,
    birth: np.ndarray,
    label_offsets: np.ndarray,
    label_bytes: np.ndarray,
    n_categories: np.ndarray,
):
    """The event table's columns from the log in one pass: the month labels as Arrow offsets and
    bytes, person, age (whole years, as people.years) and the codes of event, motive, driver,
    route and origin (-1: none), and an error code (0: none). One compiled pass instead of a
    repeat, concatenate or gather per column."""
    n = person.size
    n_months = label_offsets.size - 1
    size = 0
    for j in range(kinds.size):
        m = months[j] if months[j] >= 0 else months[j] + n_months  # as take: from the end
        if m < 0 or m >= n_months:
            return (
                (np.empty(0, np.int64), np.empty(0, np.uint8)),
                person,
                np.empty(0, np.int16),
                np.empty((5, 0), np.int8),
                3,
            )
        size += sizes[j] * (label_offsets[m + 1] - label_offsets[m])
    offsets = np.empty(n + 1, np.int64)
    data = np.empty(size, np.uint8)
    age = np.empty(n, np.int16)
    codes = np.empty((5, n), np.int8)
    offsets[0] = 0
    k = at = 0
    error = 0
    for j in range(kinds.size):
        m = months[j] if months[j] >= 0 else months[j] + n_months
        lo = label_offsets[m]
        width = label_offsets[m + 1] - lo
        for _ in range(sizes[j]):
            for b in range(width):
                data[at + b] = label_bytes[lo + b]
            at += width
            offsets[k + 1] = at
            i = person[k] if person[k] >= 0 else person[k] + origin.size  # as NumPy indexes
            if i < 0 or i >= origin.size:
                return (offsets, data), person, age, codes, 2
            # the month as the plain log kept it (int16), as people.years reads it
            age[k] = (np.int32(np.int16(months[j])) - np.int32(birth[i])) // 12
            codes[0, k] = kinds[j]
            codes[1, k] = motive[k] - 1
            codes[2, k] = driver[k] - 1
            codes[3, k] = route[k] - 1
            codes[4, k] = origin[i]
            for c in range(5):
                if codes[c, k] < -1 or codes[c, k] >= n_categories[c]:
                    error = 1
            k += 1
    return (offsets, data), person.copy(), age, codes, error


def _timeseries_by_pandas(rows: list[dict[str, float]], months: list[str]) -> pd.DataFrame:
    """The monthly table built by pandas from the rows (the cases the fast path leaves)."""
    if not rows:
        df = pd.DataFrame(rows)
    else:
        columns = list(rows[0])
        if any(list(r) != columns for r in rows):
            raise ValueError("every month's row must have the same columns, in one order")
        values = np.array([list(r.values()) for r in rows], dtype=np.float64)
        df = pd.DataFrame(values, columns=columns)
    df.insert(0, "month", months[: len(df)])
    return df


def _event_table_by_pandas(months: list[str], cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """The event table built by pandas from its columns (months not all strings)."""
    month_labels = pd.Series(np.array(months)).array
    cat = pd.Categorical.from_codes
    return pd.DataFrame(
        {
            "month": month_labels.take(cols["month"].astype(np.int64))
            if cols["month"].size
            else np.empty(0, str),
            "person": cols["person"].astype(np.int64),
            **{name: cat(cols[name], dtype=dtype) for name, dtype in _CATEGORIES.items()},
            "age": cols["age"].astype(np.int16),
        }
    )


@njit(cache=True)
def member_counts(  # noqa: ANN201
    members: np.ndarray,
    origin: np.ndarray,
    birth: np.ndarray,
    month: int,
    unit: np.ndarray,
    role: np.ndarray,
    motive: np.ndarray,
    scale: float,
    leader: int,
    n_origins: int,
    n_motives: int,
    iraqi: int,
):
    """The month's head counts of the members in one pass: by origin and by motive, under 18,
    under 25, leaders, leaders foreign or Iraqi, and the largest share of under-18s in a unit of
    at least 50 real and 5 simulated members (``origin``, ``birth`` and ``unit`` aligned with
    ``members``; ``role`` and ``motive`` over the population). One compiled pass instead of a dozen
    NumPy calls, which at a few hundred simulated members a month were all fixed cost."""
    by_origin = np.zeros(n_origins, np.int64)
    by_motive = np.zeros(n_motives, np.int64)
    top = 0
    for k in range(members.size):
        top = max(top, unit[k])
    unit_n = np.zeros(top + 1, np.int64)
    unit_u18 = np.zeros(top + 1, np.int64)
    n_u18 = n_u25 = n_lead = n_lead_fi = 0
    n = members.size
    for k in range(n):
        if k + _AHEAD < n:
            # the member's two population-wide reads, ahead (a hint: no value changes)
            _prefetch(motive, members[k + _AHEAD])
            _prefetch(role, members[k + _AHEAD])
        i = members[k]
        o = origin[k]
        by_origin[o] += 1
        by_motive[motive[i]] += 1
        age = (month - np.int32(birth[k])) // 12  # whole years, as people.years
        u = unit[k]
        unit_n[u] += 1
        if age < 18:
            n_u18 += 1
            unit_u18[u] += 1
        if age < 25:
            n_u25 += 1
        if role[i] == leader:
            n_lead += 1
            if o >= iraqi:
                n_lead_fi += 1
    max_u18 = 0.0  # no unit big enough, or none with a child in it
    if n_u18:
        for u in range(top + 1):
            if unit_n[u] * scale >= 50.0 and unit_n[u] >= 5:
                max_u18 = max(max_u18, unit_u18[u] / unit_n[u])
    return by_origin, by_motive, n_u18, n_u25, n_lead, n_lead_fi, max_u18


@njit(cache=True)
def flow_counts(  # noqa: ANN201
    motives: np.ndarray,
    trying: np.ndarray,
    driver: np.ndarray,
    route: np.ndarray,
    escaped: np.ndarray,
    executed: np.ndarray,
    spared: np.ndarray,
    killed: np.ndarray,
    origin: np.ndarray,
    n_motives: int,
    n_drivers: int,
    rival: int,
    syrian_max: int,
    foreign_min: int,
):
    """The month's flows counted in one pass: joiners by motive; of those who tried to leave,
    the exits by driver, those gone, to a rival group and Syrian, the caught and spared and the
    executed; and the killed who were Syrian and foreign (``driver``, ``route`` and the masks
    aligned with ``trying``; ``origin`` over the population)."""
    joins = np.zeros(n_motives, np.int64)
    for m in motives:
        joins[m] += 1
    exits = np.zeros(n_drivers, np.int64)
    n_gone = n_rival = n_gone_syrian = n_caught = n_executed = 0
    n = trying.size
    for k in range(n):
        if k + _AHEAD < n:
            _prefetch(origin, trying[k + _AHEAD])  # read only for those who escaped
        if escaped[k]:
            n_gone += 1
            exits[driver[k]] += 1
            n_rival += route[k] == rival
            n_gone_syrian += origin[trying[k]] <= syrian_max
        n_caught += spared[k]
        n_executed += executed[k]
    killed_syrian = killed_foreign = 0
    for k in range(killed.size):
        if k + _AHEAD < killed.size:
            _prefetch(origin, killed[k + _AHEAD])
        i = killed[k]
        killed_syrian += origin[i] <= syrian_max
        killed_foreign += origin[i] >= foreign_min
    return (
        joins,
        exits,
        n_gone,
        n_rival,
        n_gone_syrian,
        n_caught,
        n_executed,
        killed_syrian,
        killed_foreign,
    )


def row_columns() -> tuple[str, ...]:
    """The monthly row's metrics, in ``row_values``' order (docs/ODD.md, 7.11)."""
    motives = [m.name.lower() for m in Motive if m != Motive.NONE]
    drivers = [d.name.lower() for d in Driver if d != Driver.NONE]
    return (
        "civilians",
        "trainees",
        "members",
        "members_syrian",
        "members_iraqi",
        "members_foreign",
        "members_under18",
        "members_18_24",
        "members_25_plus",
        *(f"members_{m}" for m in motives),
        "deserted",
        "defected",
        "under18_share",
        "max_unit_under18_share",
        "leaders_foreign_or_iraqi_share",
        *(f"joins_{m}" for m in motives),
        "joins_foreign",
        "graduated",
        *(f"exits_{d}" for d in drivers),
        "exits_abroad",
        "exits_to_rival",
        "exits_syrian",
        "attempts",
        "caught",
        "executed",
        "killed",
        "killed_syrian",
        "killed_foreign",
        "pay_syrian_usd",
        "pay_foreign_usd",
        "pay_factor",
        "training_days",
        "governance_capacity",
        "revenue_usd",
        "captured",
        "captives",
        "civilian_harm",
        "harm_per_member",
        "territory_km2",
        "foreign_cumulative",
    )


@njit(cache=True)
def row_values(  # noqa: ANN201, PLR0913
    counts,  # noqa: ANN001
    flows,  # noqa: ANN001
    pay_syrian,  # noqa: ANN001
    pay_foreign,  # noqa: ANN001
    harm_total,  # noqa: ANN001
    census,  # noqa: ANN001
    codes,  # noqa: ANN001
    motives,  # noqa: ANN001
    drivers,  # noqa: ANN001
    foreign_civilians,  # noqa: ANN001
    scale,  # noqa: ANN001
    presence,  # noqa: ANN001
    n,  # noqa: ANN001
    n_repented,  # noqa: ANN001
    n_arrivals,  # noqa: ANN001
    n_graduates,  # noqa: ANN001
    n_trying,  # noqa: ANN001
    n_killed,  # noqa: ANN001
    n_captured,  # noqa: ANN001
    pay_factor,  # noqa: ANN001
    training_days,  # noqa: ANN001
    capacity,  # noqa: ANN001
    revenue,  # noqa: ANN001
    territory,  # noqa: ANN001
    foreign_arrived,  # noqa: ANN001
):
    """The month's row in ``row_columns``' order, from ``member_counts``' and ``flow_counts``'
    tuples (``counts``, ``flows``), the mean pays and the harm total (``schedule.tally``), the
    census by status, and the month's figures; with the number of Syrian members. ``codes``: the
    civilian, training, deserted, defected and captured statuses, then the largest Syrian
    origin, the Iraqi origin, the smallest foreign origin and the coerced motive; ``motives``
    and ``drivers``: the codes of the motive and driver columns, in order. Every value is the
    Python arithmetic of the dict the row was (a count times the scale, in float64; shares as
    int over int; harm as ``harm.per_member_and_civilian``), one compiled call instead of sixty
    stores into a dict."""
    civilian, training, deserted, defected, captured = (
        codes[0],
        codes[1],
        codes[2],
        codes[3],
        codes[4],
    )
    syrian_max, iraqi, foreign_min, coercion = codes[5], codes[6], codes[7], codes[8]
    by_origin, by_motive, n_u18, n_u25, n_lead, n_lead_fi, max_u18 = counts
    joins, exits, n_gone, n_rival, n_gone_syrian, n_caught, n_executed, k_syrian, k_foreign = flows
    n_syrian = 0
    for o in range(syrian_max + 1):
        n_syrian += by_origin[o]
    n_foreign = 0
    for o in range(foreign_min, by_origin.size):
        n_foreign += by_origin[o]
    s = scale
    out = np.empty(37 + 2 * motives.size + drivers.size, np.float64)
    civilians_local = np.float64(census[civilian] - foreign_civilians)
    w = 0
    for x in (
        civilians_local * s,
        census[training] * s,
        n * s,
        n_syrian * s,
        by_origin[iraqi] * s,
        n_foreign * s,
        n_u18 * s,
        (n_u25 - n_u18) * s,
        (n - n_u25) * s,
    ):
        out[w] = x
        w += 1
    for m in motives:
        out[w] = by_motive[m] * s
        w += 1
    out[w] = census[deserted] * s
    out[w + 1] = census[defected] * s
    out[w + 2] = n_u18 / n if n else 0.0
    out[w + 3] = max_u18
    out[w + 4] = n_lead_fi / n_lead if n_lead else 0.0
    w += 5
    for m in motives:
        j = joins[m] + (n_repented if m == coercion else 0)  # captives through the course
        out[w] = j * s
        w += 1
    out[w] = n_arrivals * s
    out[w + 1] = n_graduates * s
    w += 2
    for d in drivers:
        out[w] = exits[d] * s
        w += 1
    # harm per member and per 1,000 civilians under the group's rule, which shrinks with its
    # territory (reach of January 2015 = 1): Python's min(1.0, presence)
    under_rule = civilians_local * s * (presence if presence < 1.0 else 1.0)
    harm_member, harm_civ = per_member_and_civilian(harm_total, n, s, under_rule)
    for x in (
        (n_gone - n_rival) * s,
        n_rival * s,
        n_gone_syrian * s,
        n_trying * s,
        n_caught * s,
        n_executed * s,
        n_killed * s,
        k_syrian * s,
        k_foreign * s,
        np.float64(pay_syrian),
        np.float64(pay_foreign),
        np.float64(pay_factor),
        np.float64(training_days),
        np.float64(capacity),
        np.float64(revenue),
        n_captured * s,
        census[captured] * s,
        np.float64(harm_civ),
        np.float64(harm_member),
        np.float64(territory),
        foreign_arrived * s,
    ):
        out[w] = x
        w += 1
    return out, n_syrian
