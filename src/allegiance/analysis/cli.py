"""The `params`, `validate` and `survey` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from . import DATA_DIR, REFERENCE_SCENARIO

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario YAML (default: the reference scenario).", show_default=False),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a parameter, e.g. --set organization.pay.factor=0.5."),
]
DropOpt = Annotated[
    list[str] | None,
    typer.Option("--drop-event", help="Leave out the timeline event with this id (repeat)."),
]
SEED_MAX = 2**63 - 1


def _scenario(path: Path | None) -> Path:
    return path if path is not None else REFERENCE_SCENARIO


def _pv_name(out: Path) -> str:
    """validate.csv -> validate.provenance.json, written beside the CSV."""
    from ..provenance import sidecar

    return sidecar(out).name


def _provenance(
    folder: Path,
    name: str,
    command: str,
    scenario: Path | None,
    overrides: list[str] | None,
    seed: int,
    **extra: object,
) -> None:
    """Record what produced a command's output beside it (resolved scenario, seed, version)."""
    from ..provenance import record, write
    from ..scenario import resolve

    path = _scenario(scenario)
    sc = resolve(path, overrides or None)
    write(
        folder,
        record(command, scenario=sc, seed=seed, overrides=overrides, sources=[path], **extra),
        name,
    )


def register(app: typer.Typer) -> None:
    """Add the evidence-and-validation commands to the ``allegiance`` app."""

    @app.command("params")
    def params_cmd(
        scenario: ScenarioArg = None,
        fmt: Annotated[
            str, typer.Option("--format", help="table (terminal), csv or markdown.")
        ] = "table",
        embed: Annotated[
            Path | None,
            typer.Option(
                "--embed", help="Rewrite the marked table in this Markdown file (docs/ODD.md)."
            ),
        ] = None,
        set_: SetOpt = None,
        drop_event: DropOpt = None,
    ) -> None:
        """Every parameter: name, value, unit, plausible range, source (assumptions flagged)."""
        from ..scenario import resolve
        from .params import embed as embed_table
        from .params import render

        if fmt not in ("table", "csv", "markdown"):
            raise UserError(f"--format: {fmt!r}; allowed: table, csv, markdown")
        sc = resolve(_scenario(scenario), set_ or None, drop_event or None)
        if embed is not None:
            typer.echo(f"updated {embed_table(embed, sc)}")
            return
        text = render(sc, fmt)
        if text is not None:
            typer.echo(text, nl=False)

    @app.command("validate")
    def validate_cmd(
        scenario: ScenarioArg = None,
        replicates: Annotated[int, typer.Option("--replicates", "-n", help="Runs to score.")] = 20,
        seed: Annotated[
            int,
            typer.Option(
                "--seed", help="Master seed; run seeds are its children.", min=0, max=SEED_MAX
            ),
        ] = 0,
        workers: Annotated[
            int, typer.Option("--workers", help="Local processes (results do not depend on it).")
        ] = 1,
        strict: Annotated[
            bool, typer.Option("--strict", help="Exit with code 1 if any pattern fails.")
        ] = False,
        targets_path: Annotated[
            Path | None,
            typer.Option("--targets", help="Targets YAML (default: data/targets.yaml)."),
        ] = None,
        out: Annotated[
            Path | None, typer.Option("--out", help="Also write per-replicate values to this CSV.")
        ] = None,
        embed: Annotated[
            Path | None,
            typer.Option(
                "--embed",
                help="Also write the scorecard into the marked section of this Markdown file.",
            ),
        ] = None,
        set_: SetOpt = None,
        drop_event: DropOpt = None,
        posterior: Annotated[
            Path | None,
            typer.Option(
                "--posterior",
                help="Calibration folder: replicate i runs on posterior draw i; adds the "
                "posterior predictive check of the validation patterns.",
            ),
        ] = None,
    ) -> None:
        """Score a scenario against the stylized facts and public figures (data/targets.yaml)."""
        from rich.progress import Progress

        from ..limits import check_replicates, check_workers
        from ..outputs import check_file, write_file
        from ..scenario import resolve
        from .checks import check_embed
        from .validate import SCORE_BEGIN, SCORE_END, print_scorecard, validate
        from .validate import embed as embed_card

        # every path and option is checked before the first replicate runs
        check_replicates(replicates)
        check_workers(workers)
        sc = resolve(_scenario(scenario), set_ or None, drop_event or None)
        if out is not None:
            check_file(out, "--out")
        if embed is not None:
            check_embed(embed, SCORE_BEGIN, SCORE_END)
        with Progress(transient=True) as bar:
            task = bar.add_task("replicates", total=replicates)
            card = validate(
                sc,
                replicates=replicates,
                seed=seed,
                targets=targets_path,
                workers=workers,
                progress=lambda done: bar.update(task, completed=done),
                posterior=posterior,
            )
        print_scorecard(card)
        if posterior is not None:
            from .predictive import predictive, print_predictive

            print_predictive(predictive(card), card.n)
        if out is not None:
            write_file(out, card.runs.to_csv(index=False).encode("utf-8"))
            _provenance(
                out.parent,
                _pv_name(out),
                "validate",
                scenario,
                set_,
                seed,
                replicates=replicates,
                targets=str((targets_path or DATA_DIR / "targets.yaml").resolve()),
            )
        if embed is not None:
            embed_card(card, embed, f"Master seed {seed}.")
        if strict and not card.passed:
            raise typer.Exit(1)

    @app.command("survey")
    def survey_cmd(
        scenario: ScenarioArg = None,
        seed: Annotated[
            int,
            typer.Option(
                "--seed", help="Master seed of the runs and of the sample.", min=0, max=SEED_MAX
            ),
        ] = 0,
        n: Annotated[
            int,
            typer.Option("--n", help="Deserters to interview (the article's authors met eight)."),
        ] = 8,
        replicates: Annotated[
            int,
            typer.Option("--replicates", help="Runs to pool (run seeds are children of --seed)."),
        ] = 10,
        until: Annotated[
            str, typer.Option("--until", help="Last month of the survey's field work (YYYY-MM).")
        ] = "2016-06",
        all_origins: Annotated[
            bool,
            typer.Option(
                "--all-origins",
                help="Count Iraqis and foreigners too (the interviewees were Syrians).",
            ),
        ] = False,
        workers: Annotated[
            int, typer.Option("--workers", help="Local processes (results do not depend on it).")
        ] = 1,
        out: Annotated[
            Path,
            typer.Option("--out", help="Folder for survey.png, survey.csv and survey_checks.csv."),
        ] = Path("out/survey"),
        embed: Annotated[
            Path | None,
            typer.Option(
                "--embed",
                help="Also write the findings into the marked section of this Markdown file.",
            ),
        ] = None,
        set_: SetOpt = None,
        drop_event: DropOpt = None,
        force: Annotated[
            bool, typer.Option("--force", help="Write into an --out folder that holds files.")
        ] = False,
    ) -> None:
        """Interview simulated deserters in Turkey: selection bias beside sampling noise at n."""
        import pandas as pd
        from rich.progress import Progress

        from ..outputs import check_folder, staged
        from ..scenario import MONTH_RE, resolve
        from .survey import check_embed, figure, print_survey, run_counts, survey_from_counts
        from .survey import embed as embed_survey

        if not MONTH_RE.match(until):
            raise UserError(f"--until: {until!r} is not a month like '2016-06'")
        if n < 1:
            raise UserError(f"--n: {n}; must be at least 1")
        sc = resolve(_scenario(scenario), set_ or None, drop_event or None)
        if not sc.start <= until <= sc.end:
            raise UserError(f"--until {until}: outside the run ({sc.start} to {sc.end})")
        check_folder(out, force)
        if embed is not None:
            check_embed(embed)
        with Progress(transient=True) as bar:
            task = bar.add_task("replicates", total=replicates)
            runs = run_counts(
                _scenario(scenario),
                replicates,
                seed,
                overrides=set_ or None,
                drop_events=drop_event or None,
                until=until,
                syrians=not all_origins,
                workers=workers,
                progress=lambda done: bar.update(task, completed=done),
            )
        result = survey_from_counts(runs, n=n, seed=seed, until=until)
        print_survey(result)
        ranges = result.ranges.rename(columns=lambda c: f"n{n}_{c}")
        table = result.table().join(ranges)
        table = pd.concat([table, pd.DataFrame([result.sizes], index=["n (people)"])])
        with staged(out, force) as tmp:
            table.to_csv(tmp / "survey.csv", index_label="category")
            result.checks_frame().to_csv(tmp / "survey_checks.csv", index=False)
            figure(result, tmp / "survey.png")
            _provenance(
                tmp,
                "survey.provenance.json",
                "survey",
                scenario,
                set_,
                seed,
                n=n,
                until=until,
                replicates=replicates,
            )
        typer.echo(
            f"wrote {out / 'survey.png'}, {out / 'survey.csv'} and {out / 'survey_checks.csv'}"
        )
        if embed is not None:
            parts = ["allegiance survey", *([str(scenario)] if scenario else [])]
            parts += [f"--replicates {replicates}", f"--seed {seed}", f"--n {n}"]
            parts += [f"--until {until}"] * (until != "2016-06") + ["--all-origins"] * all_origins
            parts += [f"--set {x}" for x in set_ or []]
            parts += [f"--drop-event {x}" for x in drop_event or []]
            command = " ".join(parts)
            typer.echo(f"updated {embed_survey(result, embed, command)}")
