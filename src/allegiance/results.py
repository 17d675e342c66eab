"""Results of one run: tidy tables, Parquet input and output, and a printable summary."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .outputs import normal_mode
from .scenario import Scenario


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a Parquet file in one step, so a crash never leaves a half-written file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False, engine="pyarrow")
        normal_mode(Path(tmp))  # mkstemp makes 0600 files; outputs get the user's usual mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@dataclass
class Results:
    """What a run produced: monthly ``timeseries`` and the ``events`` log (pandas DataFrames).

    Counts in ``timeseries`` are real-world (scaled); each ``events`` row is one simulated
    person, standing for ``scale`` real people.
    """

    timeseries: pd.DataFrame
    events: pd.DataFrame
    scenario: Scenario
    seed: int

    @property
    def scale(self) -> float:
        """Real people per simulated person."""
        return self.scenario.population.scale

    def to_parquet(self, out: str | Path) -> Path:
        """Write timeseries.parquet and events.parquet into ``out``; returns the folder."""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_parquet(self.timeseries, folder / "timeseries.parquet")
        _atomic_parquet(self.events, folder / "events.parquet")
        return folder

    def summary(self) -> pd.DataFrame:
        """Headline figures of the run, one row per figure."""
        ts = self.timeseries
        peak = int(ts["members"].idxmax())
        exits = ts.filter(like="exits_").drop(
            columns=["exits_abroad", "exits_to_rival", "exits_syrian"]
        )
        joins = ts.filter(like="joins_")
        rows = [
            ("months", f"{ts['month'].iloc[0]} to {ts['month'].iloc[-1]}"),
            ("peak members", f"{ts['members'].iloc[peak]:,.0f} in {ts['month'].iloc[peak]}"),
            ("members at end", f"{ts['members'].iloc[-1]:,.0f}"),
            ("joined (local)", f"{joins.drop(columns=['joins_foreign']).to_numpy().sum():,.0f}"),
            ("arrived (foreign)", f"{ts['joins_foreign'].sum():,.0f}"),
        ]
        for col in joins.columns.drop("joins_foreign"):
            rows.append((f"  joined for {col.removeprefix('joins_')}", f"{ts[col].sum():,.0f}"))
        rows.append(("left", f"{ts['exits_abroad'].sum() + ts['exits_to_rival'].sum():,.0f}"))
        for col in exits.columns:
            rows.append((f"  left over {col.removeprefix('exits_')}", f"{ts[col].sum():,.0f}"))
        rows += [
            ("  abroad (Turkey, Jordan)", f"{ts['exits_abroad'].sum():,.0f}"),
            ("  to a rival group", f"{ts['exits_to_rival'].sum():,.0f}"),
            ("caught and executed", f"{ts['executed'].sum():,.0f}"),
            ("caught and punished", f"{ts['caught'].sum():,.0f}"),
            ("killed in combat", f"{ts['killed'].sum():,.0f}"),
            ("peak share under 18", f"{ts['under18_share'].max():.0%}"),
            ("peak civilian harm index", f"{ts['civilian_harm'].max():.2f}"),
        ]
        return pd.DataFrame(rows, columns=["figure", "value"])

    @classmethod
    def from_parquet(cls, folder: str | Path, scenario: Scenario, seed: int) -> Results:
        """Read results written by ``to_parquet``."""
        f = Path(folder)
        return cls(
            pd.read_parquet(f / "timeseries.parquet"),
            pd.read_parquet(f / "events.parquet"),
            scenario,
            seed,
        )
