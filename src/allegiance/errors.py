"""The one exception type for a user's mistake: shown as one line, exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user (scenario, override, path); the CLI prints it as one line."""

    exit_code = 2


class ScenarioWarning(UserWarning):
    """Input that runs but may not mean what the user thinks; the CLI prints it as one line."""
