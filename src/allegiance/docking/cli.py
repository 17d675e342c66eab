"""The `dock civil-violence` command: allegiance vs Mesa, statistically, over many seeds."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ..errors import UserError
from .civil_violence import CivilViolenceParams, run
from .compare import STATISTICS, compare_tables, statistics_table

#: The settings docked by default. "outbursts": the paper's Run-1 cop density (0.04) and short
#: jail terms (max 30), under which arrests cannot pile up and outbursts recur (docs/docking.md).
SETTINGS: dict[str, dict[str, object]] = {
    "defaults": {},
    "legitimacy-0.9": {"legitimacy": 0.9},
    "legitimacy-0.5": {"legitimacy": 0.5},
    "outbursts": {"cop_density": 0.04, "max_jail_term": 30},
}

MESA_SCRIPT = Path("benchmarks") / "mesa_civil_violence.py"
MESA_PYTHON = Path(".venv-mesa") / "bin" / "python"


def repo_root() -> Path:
    """The checkout holding benchmarks/ and .venv-mesa: the working directory or the package's."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[3]):
        if (root / MESA_SCRIPT).is_file():
            return root
    return Path.cwd()


def mesa_python(root: Path | None = None) -> Path:
    """The Mesa environment's interpreter, or a UserError telling how to build it."""
    root = root if root is not None else repo_root()
    python = root / MESA_PYTHON
    script = root / MESA_SCRIPT
    if not python.exists():
        raise UserError(f"Mesa environment not found at {python}: run `make bench-env` first")
    if not script.is_file():
        raise UserError(f"{script}: not found; run from the allegiance checkout")
    return python


def mesa_runs(
    overrides: dict[str, object], seeds: int, steps: int, jobs: int, root: Path | None = None
) -> list[dict]:
    """Mesa's timeseries for seeds 0..seeds-1, through the Mesa environment's interpreter."""
    root = root if root is not None else repo_root()
    python = mesa_python(root)
    params = CivilViolenceParams(**overrides).as_mesa()  # type: ignore[arg-type]
    cmd = [
        str(python),
        str(root / MESA_SCRIPT),
        "runs",
        "--seeds",
        str(seeds),
        "--steps",
        str(steps),
        "--jobs",
        str(jobs),
        "--params",
        json.dumps(params),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise UserError(f"Mesa run failed ({' '.join(cmd[:3])} ...): {tail[0]}")
    return json.loads(done.stdout)["runs"]


def allegiance_runs(overrides: dict[str, object], seeds: int, steps: int) -> list[pd.DataFrame]:
    params = CivilViolenceParams(**overrides)  # type: ignore[arg-type]
    return [run(params, seed, steps) for seed in range(seeds)]


def dock(
    settings: dict[str, dict[str, object]],
    seeds: int = 20,
    steps: int = 200,
    burn_in: int = 20,
    jobs: int = 0,
    alpha: float = 0.05,
    width: int = 40,
    echo: bool = False,
) -> pd.DataFrame:
    """Run both implementations per setting and test each statistic; one row per pair."""
    jobs = jobs or os.cpu_count() or 1
    tables = []
    for name, overrides in settings.items():
        full = {"width": width, "height": width, **overrides}
        if echo:
            typer.echo(f"{name}: {seeds} seeds x {steps} steps, allegiance then Mesa ...", err=True)
        ours = statistics_table(allegiance_runs(full, seeds, steps), burn_in)
        theirs = statistics_table(mesa_runs(full, seeds, steps, jobs), burn_in)
        table = compare_tables(ours, theirs, alpha=alpha)
        table.insert(0, "setting", name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def render(table: pd.DataFrame, alpha: float) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Table(title=f"Docking: allegiance vs Mesa 3.5.1 (alpha = {alpha:g})")
    for col in ("setting", "statistic", "allegiance", "Mesa", "KS D", "KS p"):
        out.add_column(col, justify="left" if col in ("setting", "statistic") else "right")
    out.add_column(f"{100 * (1 - alpha):g}% CI of difference", justify="right")
    out.add_column("equivalent")
    for r in table.itertuples():
        out.add_row(
            r.setting,
            r.statistic,
            f"{r.mean_a:.4g}",
            f"{r.mean_b:.4g}",
            f"{r.ks_statistic:.3f}",
            f"{r.ks_p:.3f}",
            f"[{r.ci_low:.4g}, {r.ci_high:.4g}]",
            "yes" if r.equivalent else "NO",
        )
    Console().print(out)
    n_eq = int(table["equivalent"].sum())
    typer.echo(f"{n_eq}/{len(table)} statistics equivalent")


def register(app: typer.Typer) -> None:
    """Add the ``dock`` sub-app (``allegiance dock civil-violence``)."""
    dock_app = typer.Typer(help="Docking: published models checked against peer implementations.")

    @dock_app.command("civil-violence")
    def civil_violence_cmd(
        seeds: Annotated[int, typer.Option(help="Runs per implementation and setting.")] = 20,
        steps: Annotated[int, typer.Option(help="Steps per run.")] = 200,
        burn_in: Annotated[int, typer.Option(help="Steps left out of the statistics.")] = 20,
        setting: Annotated[
            list[str] | None,
            typer.Option(help=f"Setting(s) to dock (default: all): {', '.join(SETTINGS)}."),
        ] = None,
        width: Annotated[int, typer.Option(help="Grid width and height.")] = 40,
        jobs: Annotated[int, typer.Option(help="Mesa processes (0: one per CPU).")] = 0,
        alpha: Annotated[float, typer.Option(help="Test level.")] = 0.05,
        out: Annotated[Path | None, typer.Option(help="Also write the table as CSV.")] = None,
    ) -> None:
        """Run Epstein's civil-violence model here and in Mesa; test each statistic per setting."""
        if seeds < 2:
            raise UserError(f"--seeds: {seeds}; allowed: an integer >= 2")
        if burn_in < 0:
            raise UserError(f"--burn-in: {burn_in}; allowed: an integer >= 0")
        if steps <= burn_in + 1:
            raise UserError(f"--steps: {steps}; allowed: an integer > burn-in + 1 ({burn_in + 1})")
        if not 0.0 < alpha < 1.0:
            raise UserError(f"--alpha: {alpha}; allowed: a number in (0, 1)")
        names = setting or list(SETTINGS)
        for name in names:
            if name not in SETTINGS:
                raise UserError(f"--setting: {name!r}; allowed: {', '.join(SETTINGS)}")
        CivilViolenceParams(width=width, height=width)  # validates width
        mesa_python()  # fail fast, before any run
        table = dock(
            {n: SETTINGS[n] for n in names}, seeds, steps, burn_in, jobs, alpha, width, echo=True
        )
        render(table, alpha)
        if out is not None:
            table.to_csv(out, index=False)

    app.add_typer(dock_app, name="dock")


__all__ = ["SETTINGS", "STATISTICS", "dock", "mesa_runs", "register"]
