"""The recorder: one row of metrics per month, and an event log of who did what, when and why."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

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
