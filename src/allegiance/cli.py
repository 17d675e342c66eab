"""The ``allegiance`` command: run a scenario, and the helpers' analysis and experiment commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .errors import UserError
from .scenario import load

app = typer.Typer(
    name="allegiance",
    help="Simulate how people join an armed group, why they stay, and why and how they leave.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from .provenance import git_commit, version

        commit = git_commit()
        typer.echo(f"allegiance {version()}" + (f" (git {commit})" if commit else ""))
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Simulate how people join an armed group, why they stay, and why and how they leave."""


@app.command("run")
def run_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    seed: Annotated[
        int,
        typer.Option(
            help="Random seed; the same seed gives the same results.", min=0, max=2**63 - 1
        ),
    ] = 0,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a field: PATH=VALUE.")
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Folder for timeseries.parquet and events.parquet.")
    ] = Path("out"),
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    drop_event: Annotated[
        list[str] | None,
        typer.Option("--drop-event", help="Leave out the timeline event with this id (repeat)."),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Write into an --out folder that already holds files.")
    ] = False,
    posterior: Annotated[
        Path | None,
        typer.Option(help="Calibration folder: run on a parameter set drawn from its posterior."),
    ] = None,
) -> None:
    """Run one scenario, write Parquet tables and print a summary."""
    from .limits import check_finite
    from .outputs import check_folder, staged
    from .simulation import Simulation

    draw = None
    if posterior is not None:  # one posterior draw, chosen by the seed, under the user's --set
        from .analysis.posterior import load as load_posterior
        from .experiments.tasks import point_overrides

        draw = load_posterior(posterior).draws(1, seed)[0]
        set_ = [*point_overrides(draw), *(set_ or [])]
    sc = load(scenario, set_ or [], drop_event or None)  # all validated before anything runs
    check_folder(out, force)  # the results can be written: checked before the run, nothing made
    sim = Simulation(sc, seed)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("months"),
        TimeRemainingColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task(sc.name, total=len(sim.calendar))
        results = sim.run(lambda done, total: bar.update(task, completed=done))
    from .provenance import record

    check_finite(results.timeseries)  # never write NaN or inf as if they were results
    results.overrides = list(set_ or [])
    prov = record("run", scenario=sc, seed=seed, overrides=set_, sources=[scenario])
    with staged(out, force) as tmp:  # a run that fails midway leaves no half-filled --out
        results.to_parquet(tmp, prov)
    folder = out
    table = Table(
        title=f"{sc.name} (seed {seed}; counts are real-world, scale {sc.population.scale:g})"
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    for fig, val in results.summary().itertuples(index=False):
        table.add_row(fig, val)
    console.print(table)
    console.print(f"wrote {folder / 'timeseries.parquet'} and {folder / 'events.parquet'}")
    if draw is not None:
        import json

        (folder / "posterior_draw.json").write_text(json.dumps(draw, indent=1), encoding="utf-8")
        console.print(
            f"parameters drawn from {posterior} (seed {seed}): {folder / 'posterior_draw.json'}"
        )


def _register_extensions() -> None:
    """Add the commands that live beside the core (analysis, experiments, docking)."""
    from importlib import import_module

    for module in (
        "allegiance.analysis.cli",
        "allegiance.experiments.cli",
        "allegiance.docking.cli",
        "allegiance.plots.cli",
        "allegiance.analysis.uq_cli",
        "allegiance.explore.cli",
    ):
        try:
            mod = import_module(module)
        except ModuleNotFoundError as err:
            if err.name == module or module.startswith(str(err.name)):
                continue  # that part is not installed in this checkout
            raise
        mod.register(app)


_register_extensions()


def _show_warning(message: Warning | str, category: type[Warning], *_: object) -> None:
    err_console.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: user mistakes become one line on stderr and exit code 2."""
    import warnings

    from .errors import ScenarioWarning

    with warnings.catch_warnings():
        warnings.simplefilter("once", ScenarioWarning)  # a scenario loaded twice warns once
        warnings.showwarning = _show_warning
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    command = typer.main.get_command(app)
    try:
        returned = command.main(args=argv, prog_name="allegiance", standalone_mode=False)
    except SystemExit as err:  # commands may exit with their own code (2, or 130 on Ctrl-C)
        return int(err.code) if isinstance(err.code, int) else (0 if err.code is None else 1)
    except UserError as err:
        err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        return err.exit_code
    except typer.TyperException as err:  # Typer's own click: usage errors, bad option values
        ctx = getattr(err, "ctx", None)
        if type(err).__name__ == "NoArgsIsHelpError" and ctx is not None:
            console.print(ctx.get_help(), markup=False, highlight=False)
            return 0
        message = err.format_message() if hasattr(err, "format_message") else str(err)
        err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
        return int(getattr(err, "exit_code", 2) or 2)
    except typer.Exit as err:
        return int(err.exit_code)
    except typer.Abort:
        err_console.print("aborted", markup=False)
        return 130
    return returned if isinstance(returned, int) else 0


if __name__ == "__main__":
    sys.exit(main())


def _script() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())
