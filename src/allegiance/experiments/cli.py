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
    figures: Annotated[
        bool, typer.Option(help="Draw the sweep's figures into OUT/figures when it is finished.")
    ] = True,
    drop_event: Annotated[
        list[str] | None,
        typer.Option("--drop-event", help="Leave out this timeline event of the base (repeat)."),
    ] = None,
) -> None:
    """Run a sweep: design points x replicates into a resumable Parquet store."""
    from ..outputs import check_store
    from .spec import load_spec
    from .sweep import run_sweep

    s = load_spec(spec, drop_events=drop_event or None)
    target = out or Path("out") / "sweeps" / s.name
    check_store(target)
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
    _sweep_provenance(target, spec, s)
    console.print(summary.table())
    if figures and summary.done and not (summary.interrupted or summary.unfinished):
        from ..plots.sweep import load_sweep, save_sweep_figures

        figures = save_sweep_figures(load_sweep(target), target / "figures")
        console.print(f"{len(figures)} figures in {target / 'figures'}")
    for rid, msg in list(summary.errors.items())[:5]:
        console.print(f"run {rid} failed: {msg}", markup=False, highlight=False)
    if summary.interrupted or summary.unfinished:
        console.print(
            f"{summary.unfinished} runs unfinished; continue with --resume --out {target}"
        )
        raise SystemExit(130 if summary.interrupted else 1)
    if summary.failed:  # recorded, and never silent: the exit code says some runs failed
        console.print(f"{summary.failed} of {summary.total} runs failed; see the table above")
        raise SystemExit(1)


def _sweep_provenance(target: Path, spec_path: Path, s: Any) -> None:
    """provenance.json of a sweep folder: written by its first invocation, resumes appended."""
    import json

    from .. import provenance as pv

    if not (target / "manifest.json").is_file():
        return  # nothing was written (the sweep stopped before its store existed)
    now = pv.record(
        "sweep", sources=[spec_path], spec_hash=s.hash(), spec=s.model_dump(mode="json")
    )
    path = target / pv.PROVENANCE_FILE
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        keep = ("argv", "allegiance_version", "git_commit", "created")
        old.setdefault("resumed", []).append({k: now[k] for k in keep})
        now = old
    elif s.base is not None:
        from .. import load

        base = load(s.base, overrides=list(s.overrides))
        now["scenario_name"] = base.name
        now["scenario_yaml"] = pv.scenario_yaml(base)
        now["overrides"] = list(s.overrides)
    pv.write(target, now)


def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="BASE.yaml ALT.yaml [ALT2.yaml ...]")],
    replicates: Annotated[int, typer.Option(help="Runs per scenario, paired by seed.")] = 10,
    seed: Annotated[
        int, typer.Option(help="Master seed of the replicates.", min=0, max=2**63 - 1)
    ] = 0,
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
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for runs, monthly series, differences, provenance and figures."),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    drop_event: Annotated[
        list[str] | None,
        typer.Option("--drop-event", help="Leave out this timeline event in every scenario."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write into an --out folder that holds files.")
    ] = False,
    posterior: Annotated[
        Path | None,
        typer.Option(help="Calibration folder: replicate i of every arm runs on posterior draw i."),
    ] = None,
) -> None:
    """Compare scenarios: ALT - BASE for each outcome, with a 95% interval over paired replicates."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from ..limits import check_replicates
    from ..outputs import check_file, check_folder, write_file
    from .compare import compare as run_compare
    from .compare import print_differences
    from .series import SERIES

    check_replicates(replicates, least=2)
    if csv is not None:
        check_file(csv, "--csv")
    if out is not None:
        check_folder(out, force)
    with Progress(
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not progress,
        transient=True,
    ) as bar:
        tid = bar.add_task("runs", total=None)
        diffs, runs = run_compare(
            list(scenarios),
            replicates,
            seed,
            outcomes=outcome,
            overrides=set_,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            series=SERIES if out is not None else (),
            progress=lambda done, total: bar.update(tid, completed=done, total=total),
            drop_events=drop_event or None,
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
        write_file(csv, diffs.to_csv(index=False).encode("utf-8"))
    if out is not None:
        _save_comparison(out, diffs, runs, scenarios, replicates, seed, set_ or [])


def _save_comparison(
    out: Path,
    diffs: Any,
    runs: Any,
    scenarios: list[Path],
    replicates: int,
    seed: int,
    overrides: list[str],
) -> None:
    """Write the comparison folder and its figures; print where they went."""
    from .. import provenance as pv
    from .compare import arm_labels
    from .comparison import load, save, scenario_texts

    labels = arm_labels(list(scenarios))
    prov = pv.record(
        "compare",
        seed=seed,
        overrides=overrides,
        sources=list(scenarios),
        replicates=replicates,
        arms=labels,
        scenarios=scenario_texts(list(scenarios), overrides),
    )
    save(out, diffs, runs, labels[0], prov)
    from ..plots.experiments import save_comparison_figures

    figures = save_comparison_figures(load(out), out / "figures")
    print(
        f"wrote {out}: runs.parquet, series.parquet, differences.csv, provenance.json, "
        f"{len(figures)} figures in {out / 'figures'}"
    )


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``compare`` to the ``allegiance`` command."""
    app.command("sweep")(_one_line_errors(sweep))
    app.command("compare")(_one_line_errors(compare))
