"""Every command's ``--help`` reads whole at 80 columns and in a pipe: no option name,
environment variable or URL is cut short, no line is wider than the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from chargeyard.cli import app

pytestmark = pytest.mark.slow

WIDTH = 80


# Typer's commands are Click's (Typer carries its own copy of Click): read as such.
Command = Any


def _commands() -> list[tuple[list[str], Command]]:
    """(the words that name it, the command), for the app and every sub-command."""
    found: list[tuple[list[str], Command]] = []

    def walk(path: list[str], command: Command) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk([*path, name], sub)

    walk([], typer.main.get_command(app))
    return found


def _assert_readable(text: str, command: Command) -> None:
    for line in text.splitlines():
        assert len(line) <= WIDTH, line
        # Click cuts a command's summary short with "..." (a usage line's ARGS... is no cut).
        assert line.startswith("Usage:") or not line.endswith("..."), line
    assert "…" not in text  # Rich's cut
    assert not set("│╭╮╰╯─") & set(text)  # no boxes, which a pipe or a log file garbles
    flat = " ".join(text.split())
    for parameter in command.params:
        if parameter.param_type_name != "option":
            continue
        for name in (*parameter.opts, *parameter.secondary_opts):
            assert name in text, name
        envvars = parameter.envvar if isinstance(parameter.envvar, list) else [parameter.envvar]
        for variable in filter(None, envvars):
            assert variable in flat, variable


@pytest.mark.parametrize(
    ("words", "command"),
    [
        pytest.param(words, command, id=" ".join(words) or "chargeyard")
        for words, command in _commands()
    ],
)
def test_help_is_whole_at_80_columns(words: list[str], command: Command) -> None:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    _assert_readable(result.output, command)


def test_up_help_in_a_pipe() -> None:
    # A pipe has no width: the help is laid out for 80 columns, as a terminal's default.
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run(
        [sys.executable, "-m", "chargeyard.cli", "up", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    [(_, up)] = [(words, command) for words, command in _commands() if words == ["up"]]
    _assert_readable(done.stdout, up)
    assert "--sessions-per-hour <float>" in done.stdout


@pytest.mark.parametrize(
    ("words", "command"),
    [
        pytest.param(words, command, id=" ".join(words) or "chargeyard")
        for words, command in _commands()
    ],
)
def test_every_option_shows_its_variable_and_default_in_one_style(
    words: list[str], command: Command
) -> None:
    # Click's own: "[env var: X; default: Y]", a flag's default by its name.
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "2000"})
    assert result.exit_code == 0, result.output
    assert "(env CHARGEYARD_" not in result.output
    assert "default True" not in result.output
    assert "default False" not in result.output


def test_up_shows_its_variables_and_defaults_as_the_other_commands() -> None:
    result = CliRunner().invoke(app, ["up", "--help"], env={"COLUMNS": "2000"})
    flat = " ".join(result.output.split())
    assert "[env var: CHARGEYARD_DEMO; default: demo]" in flat
    assert "[env var: CHARGEYARD_OCPP_PORT, CHARGEYARD_CSMS_PORT; default: 9000]" in flat
    assert "[env var: CHARGEYARD_DATABASE_URL]" in flat  # no default
    assert "[env var: CHARGEYARD_BOOT_STATUS; default: Accepted]" in flat
