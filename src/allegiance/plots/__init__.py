"""Standard figures (matplotlib, headless): one run, replicate bands, comparisons and sweeps.

Every figure function takes a ``Results`` (or a list of them, drawn as median and 50%/90%
bands) and returns a matplotlib Figure; ``save`` writes it as PNG and SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bands import QUANTILES, as_list, bands, stack
from .draw import save
from .run import FIGURES, economy, flows, society, strength

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FIGURES",
    "QUANTILES",
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
