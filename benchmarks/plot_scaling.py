"""Draw docs/figures/scaling.png from the measured ns per person-step in docs/figures/scaling.csv."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "docs" / "figures" / "scaling.csv"


def main() -> None:
    df = pd.read_csv(DATA)
    fig, ax = plt.subplots(figsize=(7.5, 5.6), constrained_layout=True)
    for (stage, g), marker in zip(df.groupby("stage", sort=False), "os^vDPX*hp", strict=True):
        ax.plot(g["people"], g["ns_per_person_step"], marker=marker, label=stage)
    one_m = df[(df.people == 1_000_000)].groupby("stage", sort=False)["ns_per_person_step"]
    latest = float(one_m.last().iloc[-1])
    ax.axhspan(latest, latest * 1.2, color="0.85", label="within 1.2x of 1M (latest)")
    ax.axhline(10.0, color="0.3", ls=":", lw=1, label="100M agent-steps/s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("simulated people")
    ax.set_ylabel("ns per person-step (48 months, one core)")
    ax.set_title(
        "Cost per person-step of the reference scenario, best of 3 or more runs", fontsize=10
    )
    ax.grid(alpha=0.3, which="both")
    # below the axes: inside, it would hide the small sizes of the upper lines
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.savefig(DATA.with_suffix(".png"), dpi=110)


if __name__ == "__main__":
    main()
