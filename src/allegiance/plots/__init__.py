"""Standard figures (matplotlib, headless): one run, replicate bands, comparisons and sweeps.

- ``FIGURES``: name -> function(Results, a timeseries DataFrame, or a list of either) ->
  matplotlib Figure (strength, flows, economy, society); several runs are drawn as the median
  with 50% and 90% bands.
- ``bands(runs, column)``: the median and 50%/90% intervals of one column, month by month.
- ``COMPARISON_FIGURES``: name -> function(``experiments.comparison.Comparison``) -> Figure.
- ``SWEEP_FIGURES``: name -> function(``plots.sweep.Sweep``, see ``load_sweep``) -> Figure.
- ``save(fig, path)``: PNG and SVG; ``plot(runs, kind, path)``: draw (and save) by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bands import QUANTILES, as_list, bands, stack
from .draw import save
from .experiments import (
    COMPARISON_FIGURES,
    comparison_differences,
    comparison_outcomes,
    comparison_timeseries,
)
from .run import FIGURES, economy, flows, society, strength
from .sweep import SWEEP_FIGURES, load_sweep, sweep_envelopes, sweep_scatter, sweep_sensitivity

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "COMPARISON_FIGURES",
    "FIGURES",
    "QUANTILES",
    "SWEEP_FIGURES",
    "comparison_differences",
    "comparison_outcomes",
    "comparison_timeseries",
    "load_sweep",
    "sweep_envelopes",
    "sweep_scatter",
    "sweep_sensitivity",
    "as_list",
    "bands",
    "economy",
    "flows",
    "plot",
    "save",
    "save_all",
    "society",
    "stack",
    "strength",
]


def plot(
    runs: Any, kind: str | None = None, path: str | Path | None = None
) -> Figure | dict[str, Figure]:
    """One standard figure (``kind`` in FIGURES) or all of them, saved under ``path`` if given.

    ``path`` is a folder (one ``<kind>.png`` and ``<kind>.svg`` per figure) or, for one kind, a
    file name ending in .png or .svg.
    """
    from ..errors import UserError

    if kind is not None and kind not in FIGURES:
        raise UserError(f"figure {kind!r}: unknown; allowed: {', '.join(FIGURES)}")
    kinds = [kind] if kind is not None else list(FIGURES)
    figs = {k: FIGURES[k](runs) for k in kinds}
    if path is not None:
        p = Path(path)
        for k, fig in figs.items():
            save(fig, p if (kind is not None and p.suffix in (".png", ".svg")) else p / k)
    return figs[kind] if kind is not None else figs


def save_all(
    runs: Any, folder: str | Path, formats: tuple[str, ...] = ("png", "svg")
) -> list[Path]:
    """Draw every standard figure and write it into ``folder``; closes them; returns the files."""
    plt = __import__("matplotlib.pyplot", fromlist=["close"])
    written: list[Path] = []
    for k, fn in FIGURES.items():
        fig = fn(runs)
        written += save(fig, Path(folder) / k, formats)
        plt.close(fig)
    return written
