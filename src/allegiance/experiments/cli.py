"""CLI commands ``allegiance sweep`` and ``allegiance compare``; the main CLI calls ``register``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from ..errors import UserError

F = TypeVar("F", bound=Callable[..., Any])


def _one_line_errors(fn: F) -> F:
    """Turn a UserError into one line on stderr and exit code 2, whichever app hosts the command.

    SystemExit rather than typer.Exit: a host that calls click with ``standalone_mode=False``
    would otherwise swallow the exit code.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as err:
            typer.echo(f"error: {err}", err=True)
            raise SystemExit(err.exit_code) from None

    return wrapper  # type: ignore[return-value]


def sweep(
    spec: Annotated[Path, typer.Argument(help="Sweep spec YAML (see docs/experiments.md).")],
    executor: Annotated[str, typer.Option(help="inprocess | local | dask")] = "local",
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Sweep directory (default: out/sweeps/NAME).")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Continue a sweep; only unfinished runs run.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run a sweep: design points x replicates into a resumable Parquet store."""
    from .spec import load_spec
    from .sweep import run_sweep

    s = load_spec(spec)
    target = out or Path("out") / "sweeps" / s.name
    console = Console(stderr=True)
    summary = run_sweep(
        s,
        target,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        progress=progress,
        console=console,
    )
    console.print(summary.table())
    for rid, msg in list(summary.errors.items())[:5]:
        console.print(f"run {rid} failed: {msg}", markup=False, highlight=False)
    if summary.interrupted or summary.unfinished:
        console.print(
            f"{summary.unfinished} runs unfinished; continue with --resume --out {target}"
        )
        raise SystemExit(130 if summary.interrupted else 1)


def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="BASE.yaml ALT.yaml [ALT2.yaml ...]")],
    replicates: Annotated[int, typer.Option(help="Runs per scenario, paired by seed.")] = 10,
    seed: Annotated[int, typer.Option(help="Master seed of the replicates.")] = 0,
    outcome: Annotated[
        list[str] | None, typer.Option(help="Outcome to report (repeat); default: a standard set.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="PATH=VALUE override applied to every scenario."),
    ] = None,
    executor: Annotated[str, typer.Option(help="inprocess | local | dask")] = "local",
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).")
    ] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    csv: Annotated[
        Path | None, typer.Option(help="Also write the differences to this CSV.")
    ] = None,
    posterior: Annotated[
        Path | None,
        typer.Option(help="Calibration folder: replicate i of every arm runs on posterior draw i."),
    ] = None,
) -> None:
    """Compare scenarios: ALT - BASE for each outcome, with a 95% interval over paired replicates."""
    from .compare import compare as run_compare
    from .compare import print_differences

    diffs, runs = run_compare(
        list(scenarios),
        replicates,
        seed,
        outcomes=outcome,
        overrides=set_,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        posterior=posterior,
    )
    # Piped output gets a width that fits the table rather than rich's default of 80 columns.
    print_differences(
        diffs,
        Path(scenarios[0]).stem,
        Console(width=None if sys.stdout.isatty() else 110),
        credible=posterior is not None,
    )
    failed = runs[runs["status"] != "ok"]
    for row in failed.head(5).itertuples():
        print(f"{row.arm} replicate {row.replicate} failed: {row.error}", file=sys.stderr)
    if csv is not None:
        diffs.to_csv(csv, index=False)


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``compare`` to the ``allegiance`` command."""
    app.command("sweep")(_one_line_errors(sweep))
    app.command("compare")(_one_line_errors(compare))
