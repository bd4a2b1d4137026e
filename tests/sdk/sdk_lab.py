"""The official OCPPLab SDK against a running chargeyard: the stack served on 127.0.0.1 (its
gateway and built-in central system, real sockets: ``tests/stack_lab.py``) and the SDK in a
child process (``sdk_worker.py``), one per published version:

- ``0.3.2``, the dev extra's (``client.evcharger``, paths under ``/evcharger``);
- ``0.2.4``, installed apart by ``scripts/_venv.sh`` (``pip install --target
  .venv/sdk/ocpplab-0.2.4``: ``client.ocpp``, paths under ``/ocpp``).

Each is pinned exactly; the worker reports which one it imported and the tests check it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chargeyard.api.tokens import Role
from tests.api.gateway_lab import gateway_settings, token
from tests.stack_lab import OPERATOR_ORG, StackLab, stack_lab

ROOT = Path(__file__).resolve().parents[2]
SDK_VERSIONS = ("0.3.2", "0.2.4")
"""The published versions under test, pinned: pyproject's dev extra and scripts/_venv.sh."""


def legacy_sdk_dir() -> Path:
    venv = Path(os.environ.get("CHARGEYARD_VENV", ROOT / ".venv"))
    return venv / "sdk" / "ocpplab-0.2.4"


@dataclass(frozen=True, slots=True)
class Answer:
    """What one SDK call returned: the class it parsed into (the SDK's own), its JSON."""

    type: str
    module: str
    pager: str | None
    data: Any


class SdkError(AssertionError):
    """The SDK raised (a non-2xx answer, or a body it could not parse)."""


class Sdk:
    """One SDK version in its worker; :meth:`call` runs one method of its client."""

    def __init__(self, process: asyncio.subprocess.Process, version: str) -> None:
        self.process = process
        self.version = version
        self.root = "evcharger" if version.startswith("0.3") else "ocpp"

    async def call(self, call: str, client: str = "sync", **kwargs: Any) -> Answer:
        """``client.<root>.<call>(**kwargs)``, e.g. ``commands.plug_connector``; ``health.``
        calls are at the client's top. Raises SdkError when the SDK raised."""
        path = call if call.startswith("health.") else f"{self.root}.{call}"
        answer = await self._ask({"client": client, "call": path, "kwargs": kwargs})
        if not answer["ok"]:
            raise SdkError(f"{self.version} {client} {path}: {answer}")
        return Answer(answer["type"], answer["module"], answer["pager"], answer["data"])

    async def words(self, type_name: str) -> list[str]:
        """The words the SDK's type ``type_name`` (a Literal of ``ocpplab.types``) allows."""
        answer = await self._ask({"words": type_name})
        words: list[str] = answer["words"]
        return words

    async def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        await self.process.stdin.drain()
        async with asyncio.timeout(60):
            line = await self.process.stdout.readline()
        assert line, "the SDK worker ended"
        answer: dict[str, Any] = json.loads(line)
        return answer


def typed(name: str, **fields: Any) -> dict[str, Any]:
    """A value the worker builds as the SDK's type ``name``."""
    return {"__type__": name, **fields}


@contextlib.asynccontextmanager
async def sdk(version: str, base_url: str, bearer: str) -> AsyncIterator[Sdk]:
    arguments = ["--base-url", base_url, "--token", bearer]
    if version == "0.2.4":
        directory = legacy_sdk_dir()
        if not (directory / "ocpplab").is_dir():
            pytest.fail(f"ocpplab 0.2.4 is not installed in {directory}: run scripts/test")
        arguments += ["--sdk-path", str(directory)]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("sdk_worker.py")),
        *arguments,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            hello = json.loads(await process.stdout.readline())
        assert hello["version"] == version, hello  # the version pinned, not another
        yield Sdk(process, version)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()


@contextlib.asynccontextmanager
async def served_lab(directory: Path) -> AsyncIterator[StackLab]:
    """The stack with its gateway, served on 127.0.0.1 (the SDK needs a real URL); the
    central system lets any station and tag in."""
    async with stack_lab(
        directory,
        settings=gateway_settings(command_timeout=5.0),
        gateway=True,
        credentials="operator",
        serve=True,
    ) as lab:
        await lab.store.organizations.create(OPERATOR_ORG, organization_id=OPERATOR_ORG)
        yield lab


def operator_token() -> str:
    return token(OPERATOR_ORG, [Role.OPERATOR])
