"""The `params`, `validate` and `survey` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from . import REFERENCE_SCENARIO

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario YAML (default: the reference scenario).", show_default=False),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a parameter, e.g. --set organization.pay.factor=0.5."),
]


def _scenario(path: Path | None) -> Path:
    return path if path is not None else REFERENCE_SCENARIO


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
    ) -> None:
        """Every parameter: name, value, unit, plausible range, source (assumptions flagged)."""
        from ..scenario import resolve
        from .params import embed as embed_table
        from .params import render

        if fmt not in ("table", "csv", "markdown"):
            raise UserError(f"--format: {fmt!r}; allowed: table, csv, markdown")
        sc = resolve(_scenario(scenario), set_ or None)
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
            int, typer.Option("--seed", help="Master seed; run seeds are its children.")
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

        from .validate import embed as embed_card
        from .validate import print_scorecard, validate

        with Progress(transient=True) as bar:
            task = bar.add_task("replicates", total=replicates)
            card = validate(
                _scenario(scenario),
                replicates=replicates,
                seed=seed,
                overrides=set_ or None,
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
            out.parent.mkdir(parents=True, exist_ok=True)
            card.runs.to_csv(out, index=False)
        if embed is not None:
            embed_card(card, embed, f"Master seed {seed}.")
        if strict and not card.passed:
            raise typer.Exit(1)

    @app.command("survey")
    def survey_cmd(
        scenario: ScenarioArg = None,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the run and of the sample.")] = 0,
        n: Annotated[
            int, typer.Option("--n", help="Deserters to interview (the seed's authors met eight).")
        ] = 8,
        until: Annotated[
            str, typer.Option("--until", help="Last month of the survey's field work (YYYY-MM).")
        ] = "2016-06",
        out: Annotated[
            Path, typer.Option("--out", help="Folder for survey.png and survey.csv.")
        ] = Path("out/survey"),
        set_: SetOpt = None,
    ) -> None:
        """Interview simulated deserters in Turkey; compare with all leavers and the testimonies."""
        import pandas as pd

        import allegiance

        from ..scenario import MONTH_RE
        from .survey import figure, print_survey, survey

        if not MONTH_RE.match(until):
            raise UserError(f"--until: {until!r} is not a month like '2016-06'")
        results = allegiance.run(_scenario(scenario), seed=seed, overrides=set_ or None)
        result = survey(results.events, n=n, seed=seed, until=until)
        print_survey(result)
        out.mkdir(parents=True, exist_ok=True)
        table = pd.concat(
            [result.table(), pd.DataFrame([result.sizes], index=["n (simulated people)"])]
        )
        table.to_csv(out / "survey.csv", index_label="category")
        png = figure(result, out / "survey.png")
        typer.echo(f"wrote {png} and {out / 'survey.csv'}")
