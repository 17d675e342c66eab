"""Monthly series of many runs, carried back by any executor inside the outcome mapping.

A run's outcomes are a flat ``{name: float}`` mapping, which every executor (in process, local
processes, Dask) already returns. ``SeriesTask`` adds one entry per column and month, named
``column@YYYY-MM``; ``split`` turns those entries back into a tidy table per run, so comparisons
and sweeps can draw bands over time without a second channel from the workers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..people import DRIVERS, MOTIVES
from .tasks import ModelTask, _run_model

SERIES: tuple[str, ...] = (
    "members",
    "members_syrian",
    "members_foreign",
    *(f"joins_{m}" for m in (*MOTIVES, "foreign")),
    *(f"exits_{d}" for d in DRIVERS),
    "exits_abroad",
    "exits_to_rival",
    "killed",
    "executed",
    "caught",
    "pay_syrian_usd",
    "pay_foreign_usd",
    "under18_share",
    "civilian_harm",
    "training_days",
)
"""Columns kept by default: enough for the strength, flow, pay and harm panels."""

_KEY = re.compile(r"^(?P<column>[A-Za-z0-9_]+)@(?P<month>\d{4}-\d{2})$")


def flatten(timeseries: pd.DataFrame, columns: tuple[str, ...] = SERIES) -> dict[str, float]:
    """``{column@month: value}`` for the columns the table has (missing ones are skipped)."""
    months = timeseries["month"].astype(str).tolist()
    out: dict[str, float] = {}
    for col in columns:
        if col in timeseries.columns:
            for m, v in zip(months, timeseries[col].to_numpy(dtype=float), strict=True):
                out[f"{col}@{m}"] = float(v)
    return out


@dataclass(frozen=True)
class SeriesTask(ModelTask):
    """ModelTask that also returns the monthly ``series`` columns as ``column@month`` entries."""

    series: tuple[str, ...] = SERIES

    def __call__(self, point: dict[str, Any], seed: int) -> dict[str, float]:
        from .outcomes import compute

        scenario = self.scenario(point)
        results = _run_model()(scenario, seed=seed)
        return {**compute(results, self.outcomes), **flatten(results.timeseries, self.series)}


def is_series(name: str) -> bool:
    """True for an outcome-mapping key made by ``flatten``."""
    return bool(_KEY.match(str(name)))


def split(runs: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a table of runs into (scalar columns, long monthly table).

    ``keys`` name the run (e.g. arm and replicate); the monthly table has those keys, ``month``
    and one column per series, one row per run and month, like ``Results.timeseries``.
    """
    series_cols = [c for c in runs.columns if is_series(c)]
    scalars = runs.drop(columns=series_cols)
    if not series_cols:
        return scalars, pd.DataFrame(columns=[*keys, "month"])
    long = runs[keys + series_cols].melt(id_vars=keys, var_name="key", value_name="value")
    parts = long["key"].str.extract(_KEY)
    long = long.assign(column=parts["column"], month=parts["month"]).drop(columns="key")
    wide = long.pivot_table(
        index=[*keys, "month"], columns="column", values="value", aggfunc="first", dropna=False
    )
    wide.columns.name = None
    wide = wide.reset_index().sort_values([*keys, "month"], ignore_index=True)
    return scalars, wide


def per_run(series: pd.DataFrame, keys: list[str]) -> dict[tuple[Any, ...], pd.DataFrame]:
    """The long monthly table as one timeseries DataFrame per run (keyed by the key values)."""
    out = {}
    for key, group in series.groupby(keys, sort=False):
        k = key if isinstance(key, tuple) else (key,)
        out[k] = group.drop(columns=keys).reset_index(drop=True)
    return out
