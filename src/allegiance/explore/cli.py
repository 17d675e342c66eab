"""The ``allegiance explore`` command: start the explorer's web server (Solara) on this machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from .limits import Limits

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def server_command(host: str, port: int, open_browser: bool) -> list[str]:
    """The command line of the explorer's server process (Panel on Bokeh's Tornado server)."""
    return [
        sys.executable, "-m", "allegiance.explore",
        "--host", host, "--port", str(port), *(["--open"] if open_browser else []),
    ]  # fmt: skip


def explore_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on; anything but 127.0.0.1 needs --public.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8765,
    public: Annotated[
        bool, typer.Option(help="Allow a --host other than the loopback (others can then run).")
    ] = False,
    max_size: Annotated[
        int, typer.Option(help="Most simulated people a run may ask for.")
    ] = Limits.max_size,
    max_replicates: Annotated[
        int, typer.Option(help="Most replicates a run may ask for.")
    ] = Limits.max_replicates,
    max_concurrent: Annotated[
        int, typer.Option(help="Sessions whose runs go at once; the others wait their turn.")
    ] = Limits.max_concurrent,
    open_browser: Annotated[bool, typer.Option("--open", help="Open a browser tab.")] = False,
    posterior: Annotated[
        Path | None,
        typer.Option(help="Calibration folder: the baseline becomes an ensemble of its posterior."),
    ] = None,
) -> None:
    """Open the explorer: levers, Run, plots beside the baseline, download and load (a web page)."""
    if host not in LOOPBACK and not public:
        raise UserError(f"--host {host}: the explorer binds to 127.0.0.1 unless given --public")
    if not 0 <= port <= 65535:
        raise UserError(f"--port: must be 0 to 65535 (got {port})")
    for name, value in (("--max-size", max_size), ("--max-replicates", max_replicates),
                        ("--max-concurrent", max_concurrent)):  # fmt: skip
        if value < 1:
            raise UserError(f"{name}: must be 1 or more (got {value})")
    if posterior is not None:
        from ..analysis.posterior import load as load_posterior

        load_posterior(posterior)  # not a calibration: one line now, not an error in the page
    env = {
        **os.environ,
        "ALLEGIANCE_EXPLORE_POSTERIOR": str(posterior.resolve()) if posterior else "",
        "ALLEGIANCE_EXPLORE_MAX_SIZE": str(max_size),
        "ALLEGIANCE_EXPLORE_MAX_REPLICATES": str(max_replicates),
        "ALLEGIANCE_EXPLORE_MAX_CONCURRENT": str(max_concurrent),
    }
    typer.echo(f"allegiance explorer on http://{host}:{port} (Ctrl-C stops it)", err=True)
    # the server replaces this process, so stopping this process stops the server
    cmd = server_command(host, port, open_browser)
    os.execve(cmd[0], cmd, env)


def register(app: typer.Typer) -> None:
    """Add ``explore`` to the ``allegiance`` command."""
    app.command("explore")(explore_command)
