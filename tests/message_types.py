"""What the suite asks of the generated message types (``protocol/messages``): which of them an
annotation names, and what ``mypy --strict`` says of a small module that uses them. The central
system's and the station's handler tests share it."""

from __future__ import annotations

import hashlib
import typing
from collections.abc import Mapping
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


def check_types(tmp_path: Path, sources: Mapping[str, str]) -> dict[str, list[str]]:
    """Run mypy --strict once on ``sources``, each written as the module ``<name>.py`` in
    ``tmp_path`` with chargeyard importable; mypy's report lines of each module (paths as
    ``<name>.py``). One run for all: most of a run is reading chargeyard's messages, which
    every module shares."""
    src = Path(chargeyard.__file__).resolve().parents[1]
    (tmp_path / "mypy.ini").write_text(
        f"[mypy]\nmypy_path = {src}\nstrict = True\nfollow_imports = silent\n", "utf-8"
    )
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(source, "utf-8")
    digest = hashlib.sha256(repr(sorted(sources.items())).encode()).hexdigest()[:16]
    report, errors, _ = mypy.run(
        [
            "--config-file",
            str(tmp_path / "mypy.ini"),
            # A cache of these sources' own: a module of one size written within the file
            # system's mtime granularity would otherwise be taken for the one mypy cached.
            "--cache-dir",
            str(tmp_path / f"cache-{digest}"),
            "--no-error-summary",
            "--hide-error-context",
            *(str(tmp_path / f"{name}.py") for name in sources),
        ]
    )
    assert errors == ""
    lines = report.replace(f"{tmp_path}/", "").splitlines()
    return {name: [line for line in lines if line.startswith(f"{name}.py:")] for name in sources}
