"""``chargeyard up`` as a child process, for the tests that run it as a user would."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

from tests.polling import eventually

ROOT = Path(__file__).resolve().parents[1]
READY = "chargeyard up: ready"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Lab:
    """One run of the lab: start it, wait until its HTTP API answers, stop it with SIGTERM.

    ``stdout`` and ``stderr`` collect everything the process printed so far.
    """

    def __init__(self, data_dir: Path, *arguments: str, script: bool = False) -> None:
        self.data_dir = data_dir
        self.ocpp_port, self.api_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.arguments = [
            "--data-dir",
            str(data_dir),
            "--ocpp-port",
            str(self.ocpp_port),
            "--api-port",
            str(self.api_port),
            *arguments,
        ]
        self.script = script
        self.stdout = ""
        self.stderr = ""
        self.process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []

    async def start(self, within: float = 30.0) -> None:
        """Start and return once the API answers and the lab said it is ready."""
        env = {**os.environ, "PYTHON": sys.executable, "CHARGEYARD_LOG_LEVEL": "INFO"}
        command = (
            [str(ROOT / "scripts" / "run")]
            if self.script
            else [sys.executable, "-m", "chargeyard.cli", "up"]
        )
        self.process = await asyncio.create_subprocess_exec(
            *command,
            *self.arguments,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._readers = [
            asyncio.create_task(self._read(self.process.stdout, "stdout")),
            asyncio.create_task(self._read(self.process.stderr, "stderr")),
        ]
        async with httpx.AsyncClient() as client:

            async def ready() -> bool:  # the API answers (it opens last, see lab/run.py)
                assert self.process is not None
                assert self.process.returncode is None, f"the lab ended:\n{self.stderr}"
                with contextlib.suppress(httpx.TransportError):
                    answer = await client.get(f"{self.api_url}/dashboard/config.json")
                    return answer.status_code == 200 and READY in self.stderr
                return False

            await eventually(ready, within=within, every=0.1)

    async def stop(self, within: float = 30.0) -> int:
        """SIGTERM, then wait for the exit; returns the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(within):
            code = await self.process.wait()
            await asyncio.gather(*self._readers)
        return code

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        for reader in self._readers:
            reader.cancel()

    async def _read(self, stream: asyncio.StreamReader, name: str) -> None:
        while line := await stream.readline():
            setattr(self, name, getattr(self, name) + line.decode())

    def credentials(self) -> tuple[str, str]:
        """(token, API key) as the first start printed them."""
        token = re.search(r"admin token \(/ocpp, Authorization: Bearer\): (\S+)", self.stdout)
        key = re.search(r"API key \(/api/v1, X-API-Key\):\s+(\S+)", self.stdout)
        assert token is not None, self.stdout
        assert key is not None, self.stdout
        return token.group(1), key.group(1)

    def curl_commands(self) -> list[str]:
        return [
            line.strip() for line in self.stdout.splitlines() if line.strip().startswith("curl ")
        ]

    def database(self) -> sqlite3.Connection:
        """The lab's SQLite file, read directly (after a stop), with the frame log's file
        attached as ``log``: the frames are ``log.frames``."""
        connection = sqlite3.connect(self.data_dir / "chargeyard.db")
        connection.execute(
            "ATTACH DATABASE ? AS log", (str(self.data_dir / "chargeyard.frames.db"),)
        )
        return connection
