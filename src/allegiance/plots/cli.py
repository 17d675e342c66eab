"""The ``plot`` and ``report`` commands: figures and a self-contained HTML page of an output folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UserError


def load_runs(folder: Path) -> list[Any]:
    """The runs in an output folder: the folder itself, or each of its sub-folders that is a run."""
    from ..results import Results

    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder")
    if (folder / "timeseries.parquet").is_file():
        return [Results.from_parquet(folder)]
    subs = sorted(p for p in folder.iterdir() if (p / "timeseries.parquet").is_file())
    return [Results.from_parquet(p) for p in subs]


def plot_experiment(out: Path, target: Path, formats: tuple[str, ...]) -> list[Path] | None:
    """Figures of a comparison or sweep folder; None if ``out`` is neither."""
    from ..experiments import comparison

    if comparison.is_comparison(out):
        from .experiments import save_comparison_figures

        return save_comparison_figures(comparison.load(out), target, formats)
    if (out / "manifest.json").is_file():
        from .sweep import load_sweep, save_sweep_figures

        return save_sweep_figures(load_sweep(out), target, formats)
    return None


def register(app: typer.Typer) -> None:
    """Add ``plot`` and ``report`` to the ``allegiance`` app."""

    @app.command("plot")
    def plot_cmd(
        out: Annotated[Path, typer.Argument(help="Output folder of run, compare or sweep.")],
        kind: Annotated[
            str | None,
            typer.Option(
                "--kind", help="One figure (strength, flows, economy, society); all if not given."
            ),
        ] = None,
        to: Annotated[
            Path | None, typer.Option("--to", help="Folder for the figures (default: OUT/figures).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="png, svg or png,svg.")] = "png,svg",
    ) -> None:
        """Draw the standard figures of an output folder as PNG and SVG."""
        from . import FIGURES, save
        from .draw import pyplot

        formats = tuple(f.strip() for f in fmt.split(",") if f.strip())
        bad = [f for f in formats if f not in ("png", "svg")]
        if bad or not formats:
            raise UserError(f"--format: {fmt!r}; allowed: png, svg or png,svg")
        if kind is not None and kind not in FIGURES:
            raise UserError(f"--kind: {kind!r}; allowed: {', '.join(FIGURES)}")
        target = to or out / "figures"
        t0 = time.perf_counter()
        written = plot_experiment(out, target, formats)
        if written is None:
            runs = load_runs(out)
            if not runs:
                raise UserError(
                    f"{out}: holds no run (timeseries.parquet), comparison or sweep to plot"
                )
            plt = pyplot()
            written = []
            for k in [kind] if kind else list(FIGURES):
                fig = FIGURES[k](runs)
                written += save(fig, target / k, formats)
                plt.close(fig)
        for p in written:
            typer.echo(f"wrote {p}")
        typer.echo(f"{len(written)} files in {time.perf_counter() - t0:.1f} s")

    @app.command("report")
    def report_cmd(
        out: Annotated[
            Path, typer.Argument(help="Output folder (a run, with anything beside it).")
        ],
        html: Annotated[
            Path | None,
            typer.Option("--html", help="Where to write the page (default: OUT/report.html)."),
        ] = None,
    ) -> None:
        """One self-contained HTML page: scenario, provenance, figures, scorecard, survey, counterfactuals."""
        from ..report import write

        t0 = time.perf_counter()
        path = write(out, html)
        size = path.stat().st_size / 1e6
        typer.echo(f"wrote {path} ({size:.1f} MB) in {time.perf_counter() - t0:.1f} s")
