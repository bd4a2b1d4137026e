"""What the suite asks of the generated message types (``protocol/messages``): which of them an
annotation names, and what ``mypy --strict`` says of a small module that uses them. The central
system's and the station's handler tests share it."""

from __future__ import annotations

import hashlib
import typing
from pathlib import Path
from typing import Any

from mypy import api as mypy

import chargeyard

_MESSAGES = "chargeyard.protocol.messages."


def message_types(hint: Any) -> set[tuple[str, str]]:
    """(module, name) of every generated message type in a resolved annotation."""
    found = set()
    if isinstance(hint, type) and hint.__module__.startswith(_MESSAGES):
        found.add((hint.__module__, hint.__name__))
    for argument in typing.get_args(hint):
        found |= message_types(argument)
    return found


def check_types(tmp_path: Path, source: str) -> tuple[str, int]:
    """Run mypy --strict on ``source``, written as ``handler.py`` in ``tmp_path`` with
    chargeyard importable; its report (paths as ``handler.py``) and exit status."""
    src = Path(chargeyard.__file__).resolve().parents[1]
    (tmp_path / "mypy.ini").write_text(
        f"[mypy]\nmypy_path = {src}\nstrict = True\nfollow_imports = silent\n", "utf-8"
    )
    (tmp_path / "handler.py").write_text(source, "utf-8")
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    report, errors, status = mypy.run(
        [
            "--config-file",
            str(tmp_path / "mypy.ini"),
            # A cache of each source's own: two sources of one size written within the file
            # system's mtime granularity would otherwise be taken for the one mypy cached.
            "--cache-dir",
            str(tmp_path / f"cache-{digest}"),
            "--no-error-summary",
            "--hide-error-context",
            str(tmp_path / "handler.py"),
        ]
    )
    assert errors == ""
    return report.replace(str(tmp_path / "handler.py"), "handler.py"), status
