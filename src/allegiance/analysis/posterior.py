"""A calibration's posterior as a source of parameter sets: ``--posterior PATH`` on run, compare, validate.

Draw ``i`` of a command goes with replicate seed ``i``, so each run carries both what we do not
know about the parameters (the draw) and the model's own randomness (the seed); arms of a
comparison share draws and seeds, so their differences are paired.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UserError


@dataclass(frozen=True)
class Posterior:
    """Weighted particles of a calibration's last generation and the parameters they set."""

    folder: Path
    particles: pd.DataFrame
    parameters: tuple[str, ...]
    integer: tuple[str, ...] = ()

    def draws(self, n: int, seed: int) -> list[dict[str, Any]]:
        """``n`` parameter sets drawn with replacement by weight; the same for the same seed."""
        if n < 1:
            raise UserError(f"--posterior: need at least one draw (got {n})")
        w = self.particles["weight"].to_numpy(dtype=float)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x505354,)))
        idx = rng.choice(len(w), size=n, replace=True, p=w / w.sum())
        out = []
        for i in idx:
            row = self.particles.iloc[int(i)]
            out.append(
                {
                    p: int(round(float(row[p]))) if p in self.integer else float(row[p])
                    for p in self.parameters
                }
            )
        return out


def load(path: str | Path) -> Posterior:
    """A calibration folder (or its posterior.parquet); one line if it is not one."""
    p = Path(path)
    folder = p.parent if p.suffix == ".parquet" else p
    parquet = p if p.suffix == ".parquet" else p / "posterior.parquet"
    meta_path = folder / "calibration.json"
    if not parquet.is_file() or not meta_path.is_file():
        raise UserError(
            f"--posterior {p}: not a calibration (needs posterior.parquet and calibration.json; "
            "make one with `allegiance calibrate`)"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        particles = pd.read_parquet(parquet)
    except (OSError, ValueError) as err:
        raise UserError(f"--posterior {p}: cannot read it ({err})") from None
    params = tuple(q["path"] for q in meta.get("parameters", []))
    missing = [q for q in (*params, "weight") if q not in particles.columns]
    if missing or not len(particles):
        raise UserError(f"--posterior {p}: posterior.parquet lacks {', '.join(missing) or 'rows'}")
    integer = tuple(q["path"] for q in meta.get("parameters", []) if q.get("integer"))
    return Posterior(folder, particles, params, integer)


def draws_for(path: str | Path | None, n: int, seed: int) -> list[dict[str, Any]] | None:
    """``n`` draws from the posterior at ``path``, or None when there is none."""
    return None if path is None else load(path).draws(n, seed)
