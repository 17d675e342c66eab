"""The recorder: one row of metrics per month, and an event log of who did what, when and why."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from numba import njit

from .people import Driver, Event, Motive, Origin, People, Route, labels

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


class _Logged(NamedTuple):
    """One call's worth of events, kept as given until the table is built."""

    kind: int
    month: int
    person: np.ndarray  # int64
    motive: np.ndarray  # uint8, read when logged (captives change motive when they repent)
    driver: np.ndarray | None
    route: np.ndarray | None


class Recorder:
    """Collects monthly rows and events as arrays; builds tidy tables at the end."""

    def __init__(self, months: list[str]) -> None:
        self.months = months
        self.rows: list[dict[str, float]] = []
        self._logged: list[_Logged] = []
        self._people: People | None = None

    def row(self, values: dict[str, float]) -> None:
        """Append one month's metrics."""
        self.rows.append(values)

    def events(
        self,
        kind: Event,
        people: People,
        idx: np.ndarray,
        month: int,
        driver: np.ndarray | None = None,
        route: np.ndarray | None = None,
    ) -> None:
        """Log one event per person in ``idx`` (their motive is read now).

        ``driver`` and ``route`` are kept, not copied: pass arrays that are not written to later.
        """
        if idx.size == 0:
            return
        # only the motive can change later; origin and birth are fixed traits, so the origin and
        # age columns are read once for the whole log in event_table (a dozen small NumPy calls
        # a month saved)
        self._people = people
        self._logged.append(
            _Logged(int(kind), month, idx.astype(np.int64), people.motive[idx], driver, route)
        )

    def timeseries(self) -> pd.DataFrame:
        """The monthly table."""
        if not self.rows:
            df = pd.DataFrame(self.rows)
        else:
            # one float array for all months: a frame from a list of dicts costs three times more
            columns = list(self.rows[0])
            if any(list(r) != columns for r in self.rows):
                raise ValueError("every month's row must have the same columns, in one order")
            values = np.array([list(r.values()) for r in self.rows], dtype=np.float64)
            df = pd.DataFrame(values, columns=columns)
        df.insert(0, "month", self.months[: len(df)])
        return df

    def event_table(self) -> pd.DataFrame:
        """The event log, with labelled categorical columns (missing where not applicable)."""
        cols = self._columns()
        # the labels as the column's own string type, then taken by code: converting one label
        # per event instead costs more than the rest of the table
        month_labels = pd.Series(np.array(self.months)).array
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

    def _columns(self) -> dict[str, np.ndarray]:
        """The log as one array per column (codes; -1 where a driver or route does not apply)."""
        logged, people = self._logged, self._people
        if not logged or people is None:
            return {k: np.empty(0, dtype=np.int64) for k in EVENT_COLUMNS}
        sizes = [e.person.size for e in logged]
        month = np.repeat(np.array([e.month for e in logged], dtype=np.int16), sizes)
        person = np.concatenate([e.person for e in logged])
        return {
            "month": month,
            "person": person,
            "event": np.repeat(np.array([e.kind for e in logged], dtype=np.int8), sizes),
            "motive": np.concatenate([e.motive for e in logged]).astype(np.int8) - 1,
            "driver": _codes([e.driver for e in logged], sizes),
            "route": _codes([e.route for e in logged], sizes),
            "origin": people.origin[person].astype(np.int8),
            "age": people.age_years(month, person),
        }


def _codes(arrays: list[np.ndarray | None], sizes: list[int]) -> np.ndarray:
    """Codes of a driver or route, shifted down by one: -1 (missing) where an event has none."""
    filled = [
        a if a is not None else np.zeros(n, np.uint8)  # code 0: none
        for a, n in zip(arrays, sizes, strict=True)
    ]
    return np.concatenate(filled).astype(np.int8) - 1


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
    for k in range(members.size):
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
    for k in range(trying.size):
        if escaped[k]:
            n_gone += 1
            exits[driver[k]] += 1
            n_rival += route[k] == rival
            n_gone_syrian += origin[trying[k]] <= syrian_max
        n_caught += spared[k]
        n_executed += executed[k]
    killed_syrian = killed_foreign = 0
    for i in killed:
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
