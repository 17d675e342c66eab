"""A simulated survey: interview deserters who reached Turkey, and see what that sample hides.

The seed's authors 'spoke with eight former ISIS fighters in Turkey'. Only those who got out
and crossed the border can be interviewed there: not those still inside, not those who went to
a rival group, and not those caught or executed trying to leave. This module draws such a sample
from a run's event log and sets its join motives and exit drivers beside (a) everyone who left,
(b) everyone who tried to leave (including the caught and the executed) and (c) the testimonies
coded from the seed, so the selection bias of 'interviewing only those who got out' is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError
from ..people import DRIVERS, MOTIVES
from ..rng import stream
from . import testimonies as tm

GROUPS = ("sample", "turkey", "left", "tried", "testimonies")
LABELS = {
    "sample": "interviewed in Turkey (sample)",
    "turkey": "all deserters in Turkey",
    "left": "(a) all who left",
    "tried": "(b) all who tried to leave",
    "testimonies": "(c) coded testimonies",
}
TRIED = ("desert", "defect", "caught", "executed")


@dataclass
class Survey:
    """Shares of each motive and driver per group, and the group sizes (simulated people)."""

    motives: pd.DataFrame  # index: motive, columns: GROUPS
    drivers: pd.DataFrame  # index: driver, columns: GROUPS
    sizes: dict[str, int]
    until: str | None

    def table(self) -> pd.DataFrame:
        """Both blocks stacked: rows 'motive: x' and 'driver: y', columns the groups."""
        m = self.motives.rename(index=lambda x: f"motive: {x}")
        d = self.drivers.rename(index=lambda x: f"driver: {x}")
        return pd.concat([m, d])

    def bias(self) -> pd.Series:
        """Total variation distance of each group from (b), the people who tried to leave.

        0 means the group shows the same mix of motives (or drivers) as everyone who tried;
        the larger, the more a survey of that group misleads (average of motives and drivers).
        """
        out = {}
        for g in GROUPS:
            tvd = [
                0.5 * float((df[g] - df["tried"]).abs().sum())
                for df in (self.motives, self.drivers)
            ]
            out[g] = float(np.mean(tvd))
        return pd.Series(out)


def _shares(values: pd.Series, categories: tuple[str, ...]) -> pd.Series:
    values = values.astype(object).dropna().astype(str)
    counts = values.value_counts().reindex(list(categories), fill_value=0).astype(float)
    total = counts.sum()
    return counts / total if total > 0 else counts


def survey(
    events: pd.DataFrame,
    n: int = 8,
    seed: int = 0,
    until: str | None = "2016-06",
    coded: pd.DataFrame | None = None,
) -> Survey:
    """Sample ``n`` people who deserted to Turkey by ``until`` and compare the groups.

    Each person counts once: at their first attempt to leave (a person caught and spared may
    try again; their first attempt is what a survey of would-be leavers would record).
    """
    if n < 1:
        raise UserError(f"--n: {n}; must be at least 1")
    ev = events
    if until is not None:
        ev = ev[ev["month"].astype(str) <= until]
    tried = ev[ev["event"].astype(str).isin(TRIED)].drop_duplicates("person", keep="first")
    left = ev[ev["event"].astype(str).isin(("desert", "defect"))].drop_duplicates("person")
    turkey = left[(left["event"].astype(str) == "desert") & (left["route"].astype(str) == "turkey")]
    if not len(turkey):
        raise UserError("no deserter reached Turkey in this run: nobody to interview")
    rng = stream(seed, "survey")
    pick = rng.choice(len(turkey), size=min(n, len(turkey)), replace=False)
    sample = turkey.iloc[np.sort(pick)]
    coded = tm.load() if coded is None else coded
    frames = {"sample": sample, "turkey": turkey, "left": left, "tried": tried}
    motives = pd.DataFrame({g: _shares(df["motive"], MOTIVES) for g, df in frames.items()})
    drivers = pd.DataFrame({g: _shares(df["driver"], DRIVERS) for g, df in frames.items()})
    motives["testimonies"] = tm.shares(coded, "join_motives", MOTIVES)
    drivers["testimonies"] = tm.shares(coded, "exit_drivers", DRIVERS)
    sizes = {g: len(df) for g, df in frames.items()}
    sizes["testimonies"] = int(coded["persons"].sum())
    return Survey(motives, drivers, sizes, until)


def figure(result: Survey, path: str | Path) -> Path:
    """Grouped bars of motive and driver shares per group, written as PNG (Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), constrained_layout=True)
    colors = {
        "sample": "#d62728",
        "turkey": "#ff9896",
        "left": "#1f77b4",
        "tried": "#17becf",
        "testimonies": "#7f7f7f",
    }
    for ax, df, what in (
        (axes[0], result.motives, "join motive"),
        (axes[1], result.drivers, "exit driver"),
    ):
        x = np.arange(len(df.index))
        w = 0.8 / len(GROUPS)
        for k, g in enumerate(GROUPS):
            label = f"{LABELS[g]} (n={result.sizes[g]:,})"
            ax.bar(
                x + (k - (len(GROUPS) - 1) / 2) * w,
                df[g].to_numpy(),
                w,
                label=label,
                color=colors[g],
            )
        ax.set_xticks(x, list(df.index), rotation=20)
        ax.set_ylabel("share")
        ax.set_title(f"Share by {what}")
        ax.set_ylim(0, 1)
    axes[0].legend(fontsize=8, loc="upper right")
    until = f" up to {result.until}" if result.until else ""
    fig.suptitle(
        "Who do you meet when you interview deserters in Turkey?"
        f"\nSimulated survey{until}: those who got out vs everyone who tried to leave"
    )
    fig.savefig(p, dpi=120)
    plt.close(fig)
    return p


def print_survey(result: Survey) -> None:
    """The comparison as a rich table, with the distance of each group from (b)."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Simulated survey: shares of join motives and exit drivers")
    t.add_column("")
    for g in GROUPS:
        t.add_column(f"{LABELS[g]}\nn={result.sizes[g]:,}", justify="right")
    for name, row in result.table().iterrows():
        t.add_row(
            str(name),
            *(f"{row[g]:.0%}" for g in GROUPS),
            end_section=name == f"motive: {MOTIVES[-1]}",
        )
    bias = result.bias()
    t.add_row("distance from (b)", *(f"{bias[g]:.2f}" for g in GROUPS), style="bold")
    console = Console()
    if not console.is_terminal:  # files and pipes: wide enough to read without folding
        console = Console(width=170)
    console.print(t)
