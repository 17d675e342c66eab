"""CLI commands for uncertainty: ``sensitivity``, ``calibrate`` and ``results-page``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..experiments.cli import _one_line_errors

ExecutorOpt = Annotated[str, typer.Option(help="inprocess | local | dask")]
WorkersOpt = Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")]
SchedulerOpt = Annotated[
    str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
]


def _provenance(target: Path, command: str, spec: Path, seed: int, resumed: bool) -> None:
    """Record what produced an analysis folder: the spec's text, seed, version and commit."""
    from .. import provenance as pv

    prov = pv.record(command, seed=seed, sources=[spec], spec_yaml=spec.read_text(encoding="utf-8"))
    prov["resumed"] = resumed
    pv.write(target, prov)


def sensitivity(
    spec: Annotated[Path, typer.Argument(help="Sensitivity spec YAML (see docs/uncertainty.md).")],
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: out/sensitivity/NAME).")
    ] = None,
    executor: ExecutorOpt = "local",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted analysis.")] = False,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Morris screening of every uncertain parameter, then Sobol indices of those it keeps."""
    from .sensitivity import load_spec, run

    s, params = load_spec(spec)
    target = out or Path("out") / "sensitivity" / s.name
    console = Console(stderr=True)
    try:
        table = run(
            s,
            params,
            target,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            progress=progress,
            console=console,
        )
    except KeyboardInterrupt:
        console.print(f"interrupted; continue with --resume --out {target}")
        raise SystemExit(130) from None
    _provenance(target, "sensitivity", spec, s.seed, resume)
    sob = table[(table["stage"] == "sobol") & (table["index"].isin(["S1", "ST"]))]
    wide = sob.pivot_table(index=["outcome", "parameter"], columns="index", values="value")
    Console().print(wide.round(3).to_string())
    console.print(
        f"wrote {target / 'indices.parquet'}, {target / 'indices.csv'}, "
        f"{target / 'morris.png'} and {target / 'sobol.png'}"
    )


def calibrate(
    spec: Annotated[Path, typer.Argument(help="Calibration spec YAML (see docs/uncertainty.md).")],
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: out/calibration/NAME).")
    ] = None,
    executor: ExecutorOpt = "local",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: Annotated[
        bool, typer.Option(help="Continue from the last finished generation in --out.")
    ] = False,
    generations: Annotated[
        int | None,
        typer.Option(help="Stop after this many generations in all (default: the spec's)."),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Fit the uncertain parameters to the calibration targets by ABC-SMC; write the posterior."""
    import pandas as pd

    from ..errors import UserError
    from .calibrate import load_spec, run

    problem = load_spec(spec)
    if generations is not None and generations < 1:
        raise UserError(f"--generations: must be 1 or more (got {generations})")
    target = out or Path("out") / "calibration" / problem.spec.name
    console = Console(stderr=True)
    try:
        result = run(
            problem,
            target,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            generations=generations,
            progress=progress,
            console=console,
        )
    except KeyboardInterrupt:
        console.print(f"interrupted; continue with --resume --out {target}")
        raise SystemExit(130) from None
    _provenance(target, "calibrate", spec, problem.spec.seed, resume)
    table = pd.read_csv(target / "summary.csv")
    Console(width=160).print(table.round(4).to_string(index=False), markup=False)
    rate = result.runs / max(result.seconds, 1e-9) * 60
    console.print(
        f"{result.generations} generations, {result.runs} runs this session in "
        f"{result.seconds:.0f} s ({rate:.0f} runs/min); {result.failed} failed runs. "
        f"Wrote {target}/posterior.parquet, summary.csv, generations.csv and figures."
    )


def results_page(
    sensitivity: Annotated[
        Path | None, typer.Option(help="A finished `allegiance sensitivity` output folder.")
    ] = None,
    calibration: Annotated[
        Path | None, typer.Option(help="A finished `allegiance calibrate` output folder.")
    ] = None,
    draws: Annotated[
        int,
        typer.Option(
            help="With --calibration: posterior draws for the predictive check and the "
            "counterfactuals (0: skip those runs)."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Master seed of the posterior runs.")] = 0,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override for the posterior runs, e.g. population.size=50000."),
    ] = None,
    workers: WorkersOpt = None,
    doc: Annotated[Path, typer.Option(help="The page to rewrite.")] = Path("docs/results.md"),
    note: Annotated[
        str | None,
        typer.Option(help="A note shown above the results (kept until replaced; '' removes it)."),
    ] = None,
) -> None:
    """Collect finished analyses into docs/results/ and regenerate docs/results.md from them."""
    from ..errors import UserError
    from . import results_page as rp

    if draws < 0:
        raise UserError(f"--draws: must be 0 or more (got {draws})")
    if draws and calibration is None:
        raise UserError("--draws goes with --calibration (the posterior to draw from)")
    if not doc.is_file():
        raise UserError(f"--doc {doc}: no such file")
    data = rp.data_dir(doc)
    if note is not None:
        data.mkdir(parents=True, exist_ok=True)
        if note:
            (data / rp.NOTE).write_text(note.strip() + "\n", encoding="utf-8")
        else:
            (data / rp.NOTE).unlink(missing_ok=True)
    if sensitivity is not None:
        rp.collect_sensitivity(sensitivity, data)
    if calibration is not None:
        from .posterior import load

        load(calibration)  # one line if it is not a calibration, before anything is copied
        rp.collect_calibration(calibration, data)
        if draws:
            rp.run_posterior_checks(calibration, data, draws, seed, list(set_ or []), workers)
    typer.echo(f"updated {rp.write(doc)} from {data}")
    odd = doc.parent / "ODD.md"
    if odd.is_file() and rp.ROLES_BEGIN in odd.read_text(encoding="utf-8"):
        typer.echo(f"updated the target roles in {rp.write_roles(odd)}")


def register(app: typer.Typer) -> None:
    """Add the uncertainty commands to the ``allegiance`` app."""
    app.command("sensitivity")(_one_line_errors(sensitivity))
    app.command("calibrate")(_one_line_errors(calibrate))
    app.command("results-page")(_one_line_errors(results_page))
