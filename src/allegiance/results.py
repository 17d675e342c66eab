"""Results of one run: tidy tables, Parquet input and output, and a printable summary."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .outputs import normal_mode
from .scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _atomic_parquet(
    df: pd.DataFrame, path: Path, metadata: dict[bytes, bytes] | None = None
) -> None:
    """Write a Parquet file in one step, so a crash never leaves a half-written file.

    ``metadata`` is added to the schema metadata (provenance travels with the table).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
        if metadata:
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
        pq.write_table(table, tmp)
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
    overrides: list[str] = field(default_factory=list)
    """The ``--set PATH=VALUE`` overrides the scenario was resolved with (already applied)."""
    provenance: dict[str, Any] = field(default_factory=dict)
    """What produced the run (see ``allegiance.provenance.record``); filled on writing or reading."""

    @property
    def scale(self) -> float:
        """Real people per simulated person."""
        return self.scenario.population.scale

    def to_parquet(self, out: str | Path, provenance: dict[str, Any] | None = None) -> Path:
        """Write timeseries.parquet, events.parquet, scenario.yaml and provenance.json into ``out``.

        The provenance (resolved scenario, seed, overrides, version, git commit) is also stored in
        each Parquet file's metadata, so ``from_parquet(out)`` reloads the run completely.
        """
        from . import provenance as pv

        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        prov = provenance or self.provenance or {}
        if not prov:
            prov = pv.record(
                "run", scenario=self.scenario, seed=self.seed, overrides=self.overrides
            )
        if "scenario_yaml" not in prov:
            prov = {**prov, "scenario_yaml": pv.scenario_yaml(self.scenario)}
        prov = {**prov, "seed": self.seed, "overrides": list(self.overrides)}
        self.provenance = prov
        meta = pv.to_metadata(prov)
        _atomic_parquet(self.timeseries, folder / "timeseries.parquet", meta)
        _atomic_parquet(self.events, folder / "events.parquet", meta)
        pv.write(folder, prov)
        return folder

    def plot(
        self, kind: str | None = None, path: str | Path | None = None
    ) -> Figure | dict[str, Figure]:
        """Standard figures (``allegiance.plots.FIGURES``); one ``kind`` or all of them.

        With ``path`` each figure is also saved there: a folder (``<kind>.png`` and ``.svg``),
        or for one kind a file name ending in .png or .svg.
        """
        from . import plots

        return plots.plot(self, kind, path)

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
            ("harm per 1,000 civilians under its rule, mean", f"{ts['civilian_harm'].mean():.2f}"),
            ("indiscipline per member, peak", f"{ts['harm_per_member'].max():.2f}")
            if "harm_per_member" in ts
            else ("indiscipline per member, peak", "n/a"),
        ]
        return pd.DataFrame(rows, columns=["figure", "value"])

    @classmethod
    def from_parquet(
        cls, folder: str | Path, scenario: Scenario | None = None, seed: int | None = None
    ) -> Results:
        """Read results written by ``to_parquet``, with their scenario, seed and provenance.

        ``scenario`` and ``seed`` are only needed for folders written before provenance was
        recorded; given, they take precedence over what the folder says.
        """
        from . import provenance as pv
        from .errors import UserError

        f = Path(folder)
        for name in ("timeseries.parquet", "events.parquet"):
            if not (f / name).is_file():
                raise UserError(f"{f}: no {name} here (not the --out folder of a run)")
        # The table's own metadata is authoritative; provenance.json adds the time and command
        # line, when it describes the same run (another command may have written it since).
        meta = pv.from_parquet_metadata(f / "timeseries.parquet")
        side = pv.read(f) or {}
        same = meta is not None and all(
            side.get(k) == meta.get(k) for k in ("seed", "scenario_yaml")
        )
        prov = {**meta, **side} if same and meta is not None else (meta or side)
        if scenario is None:
            if not prov.get("scenario_yaml"):
                raise UserError(
                    f"{f}: no provenance (written by an older version); "
                    "pass scenario= and seed= to Results.from_parquet"
                )
            scenario = pv.scenario_from_yaml(prov["scenario_yaml"], origin=f"{f}/provenance")
        if seed is None:
            if prov.get("seed") is None:
                raise UserError(f"{f}: provenance names no seed; pass seed= to from_parquet")
            seed = int(prov["seed"])
        return cls(
            pd.read_parquet(f / "timeseries.parquet"),
            pd.read_parquet(f / "events.parquet"),
            scenario,
            seed,
            list(prov.get("overrides") or []),
            prov,
        )
