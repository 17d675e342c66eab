"""The recorder: one row of metrics per month, and an event log of who did what, when and why."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .people import Driver, Event, Motive, Origin, People, Route, labels

EVENT_COLUMNS = ["month", "person", "event", "motive", "driver", "route", "origin", "age"]


class Recorder:
    """Collects monthly rows and events as arrays; builds tidy tables at the end."""

    def __init__(self, months: list[str]) -> None:
        self.months = months
        self.rows: list[dict[str, float]] = []
        self._ev: dict[str, list[np.ndarray]] = {k: [] for k in EVENT_COLUMNS}

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
        """Log one event per person in ``idx`` (their motive, origin and age are read now)."""
        n = idx.size
        if n == 0:
            return
        self._ev["month"].append(np.full(n, month, dtype=np.int16))
        self._ev["person"].append(idx.astype(np.int64))
        self._ev["event"].append(np.full(n, int(kind), dtype=np.int8))
        self._ev["motive"].append(people.motive[idx].astype(np.int8) - 1)
        self._ev["driver"].append(
            (driver.astype(np.int8) - 1) if driver is not None else np.full(n, -1, dtype=np.int8)
        )
        self._ev["route"].append(
            (route.astype(np.int8) - 1) if route is not None else np.full(n, -1, dtype=np.int8)
        )
        self._ev["origin"].append(people.origin[idx].astype(np.int8))
        self._ev["age"].append(people.age_years(month, idx))

    def timeseries(self) -> pd.DataFrame:
        """The monthly table."""
        df = pd.DataFrame(self.rows)
        df.insert(0, "month", self.months[: len(df)])
        return df

    def event_table(self) -> pd.DataFrame:
        """The event log, with labelled categorical columns (missing where not applicable)."""
        cols = {
            k: (np.concatenate(v) if v else np.empty(0, dtype=np.int64))
            for k, v in self._ev.items()
        }
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
                "event": cat(cols["event"], labels(Event)),
                "motive": cat(cols["motive"], labels(Motive)[1:]),
                "driver": cat(cols["driver"], labels(Driver)[1:]),
                "route": cat(cols["route"], labels(Route)[1:]),
                "origin": cat(cols["origin"], labels(Origin)),
                "age": cols["age"].astype(np.int16),
            }
        )
