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
        set_: SetOpt = None,
    ) -> None:
        """Every parameter: name, value, unit, plausible range, source (assumptions flagged)."""
        from ..scenario import resolve
        from .params import render

        if fmt not in ("table", "csv", "markdown"):
            raise UserError(f"--format: {fmt!r}; allowed: table, csv, markdown")
        text = render(resolve(_scenario(scenario), set_ or None), fmt)
        if text is not None:
            typer.echo(text, nl=False)
