"""A comparison's output folder: runs, monthly series, differences and provenance, and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import UserError
from .series import per_run, split

KEYS = ["arm", "replicate"]
FILES = ("runs.parquet", "series.parquet", "differences.csv")


@dataclass
class Comparison:
    """What ``allegiance compare --out`` wrote: one row per run, their months, the differences."""

    runs: pd.DataFrame  # arm, replicate, seed, status, error, outcomes...
    series: pd.DataFrame  # arm, replicate, month, one column per series
    differences: pd.DataFrame  # alt, outcome, base_mean, alt_mean, diff, ci_*, pct_*, pairs
    base: str
    provenance: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_runs(
        cls,
        differences: pd.DataFrame,
        runs: pd.DataFrame,
        base: str,
        provenance: dict[str, Any] | None = None,
    ) -> Comparison:
        """What ``experiments.compare(..., series=...)`` returned, ready to plot."""
        scalars, series = split(runs, KEYS)
        return cls(scalars, series, differences, base, dict(provenance or {}))

    @property
    def arms(self) -> list[str]:
        """Arm labels, the baseline first."""
        others = [a for a in dict.fromkeys(self.runs["arm"]) if a != self.base]
        return [self.base, *others]

    @property
    def outcomes(self) -> list[str]:
        """Outcome names, in the order of the differences table."""
        return list(dict.fromkeys(self.differences["outcome"]))

    def timeseries(self, arm: str) -> list[pd.DataFrame]:
        """One monthly table per successful replicate of ``arm`` (for ``plots.bands``)."""
        if self.series.empty:
            return []
        ok = self.runs.loc[self.runs["status"] == "ok", KEYS]
        ok = set(map(tuple, ok.to_numpy().tolist()))
        tables = per_run(self.series[self.series["arm"] == arm], KEYS)
        return [t for k, t in tables.items() if k in ok]


def save(
    folder: str | Path,
    differences: pd.DataFrame,
    runs: pd.DataFrame,
    base: str,
    provenance: dict[str, Any],
) -> list[Path]:
    """Write runs.parquet, series.parquet, differences.csv and provenance.json into ``folder``."""
    from .. import provenance as pv
    from ..results import _atomic_parquet

    f = Path(folder)
    f.mkdir(parents=True, exist_ok=True)
    scalars, series = split(runs, KEYS)
    prov = {**provenance, "base": base}
    meta = pv.to_metadata(prov)
    _atomic_parquet(scalars, f / "runs.parquet", meta)
    _atomic_parquet(series, f / "series.parquet", meta)
    differences.to_csv(f / "differences.csv", index=False)
    written = [f / name for name in FILES]
    for label, text in (prov.get("scenarios") or {}).items():
        (f / "scenarios").mkdir(exist_ok=True)
        path = f / "scenarios" / f"{Path(label).name}.yaml"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    written.append(pv.write(f, prov))
    return written


def is_comparison(folder: str | Path) -> bool:
    """True for a folder written by ``save``."""
    f = Path(folder)
    return all((f / name).is_file() for name in FILES)


def load(folder: str | Path) -> Comparison:
    """Read a comparison folder."""
    from .. import provenance as pv

    f = Path(folder)
    if not is_comparison(f):
        raise UserError(f"{f}: not a comparison folder (needs {', '.join(FILES)})")
    prov = pv.read(f) or {}
    runs = pd.read_parquet(f / "runs.parquet")
    diffs = pd.read_csv(f / "differences.csv")
    base = prov.get("base") or (str(runs["arm"].iloc[0]) if len(runs) else "")
    return Comparison(runs, pd.read_parquet(f / "series.parquet"), diffs, base, prov)


def scenario_texts(paths: list[Path], overrides: list[str]) -> dict[str, str]:
    """The resolved scenario of each arm as YAML, by arm label (for the provenance)."""
    from .. import load as load_scenario
    from ..provenance import scenario_yaml
    from .compare import arm_labels

    return {
        label: scenario_yaml(load_scenario(p, overrides=overrides))
        for label, p in zip(arm_labels(list(paths)), paths, strict=True)
    }
