"""How the user runs chargeyard, for the commands that a banner or a message suggests: a
command printed for copying works only if it starts the way chargeyard is reached from the
user's shell.

That is ``chargeyard`` when the PATH finds this program; from a checkout,
``scripts/chargeyard`` (the wrappers say so in :data:`PROGRAM_VARIABLE`); else the way this
process was started: a virtual environment's ``bin/chargeyard`` by its path, or the
interpreter with ``-m chargeyard.cli``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

PROGRAM_VARIABLE = "CHARGEYARD_PROGRAM"
"""Set by ``scripts/run`` and ``scripts/chargeyard`` to the command that reaches chargeyard from
the directory they were run in (``scripts/chargeyard``, or ``chargeyard`` when the PATH leads
there)."""


def program_name(argv0: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """The words that start chargeyard in the user's shell, quoted for it.

    Args:
        argv0: how this process was started (default ``sys.argv[0]``).
    """
    given = environ.get(PROGRAM_VARIABLE, "").strip()
    if given:
        return given
    started = Path(sys.argv[0] if argv0 is None else argv0)
    if started.name in ("cli.py", "__main__.py"):  # python -m chargeyard.cli
        return f"{shlex.quote(sys.executable)} -m chargeyard.cli"
    if started.name != "chargeyard" or not started.is_file():
        return "chargeyard"
    on_path = shutil.which("chargeyard", path=environ.get("PATH"))
    if on_path is not None and Path(on_path).resolve() == started.resolve():
        return "chargeyard"
    return shlex.quote(str(started))
