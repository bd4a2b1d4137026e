"""How chargeyard names itself in the commands it suggests (``program.py``)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from chargeyard.program import PROGRAM_VARIABLE, program_name


def _executable(directory: Path) -> Path:
    directory.mkdir()
    program = directory / "chargeyard"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return program


def test_the_checkout_s_wrapper_names_itself() -> None:
    environ = {PROGRAM_VARIABLE: "scripts/chargeyard", "PATH": ""}
    assert program_name("/checkout/.venv/bin/chargeyard", environ) == "scripts/chargeyard"


def test_a_program_the_path_finds_is_named_plainly(tmp_path: Path) -> None:
    program = _executable(tmp_path / "bin")
    assert program_name(str(program), {"PATH": str(tmp_path / "bin")}) == "chargeyard"


def test_a_program_the_path_does_not_find_is_named_by_its_path(tmp_path: Path) -> None:
    program = _executable(tmp_path / "my venv")
    assert program_name(str(program), {"PATH": ""}) == shlex.quote(str(program))


def test_a_module_run_by_the_interpreter_is_named_so() -> None:
    assert program_name("/src/chargeyard/cli.py", {"PATH": ""}) == (
        f"{shlex.quote(sys.executable)} -m chargeyard.cli"
    )
