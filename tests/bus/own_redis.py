"""A redis-server of a test's own (never the machine's shared one), to stop and start at will:
the fixture ``own_redis`` (``tests/bus/conftest.py``)."""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.ports import free_port

STOP_S = 10.0


class OwnRedis:
    """A redis-server of the test's own (never the shared one), stopped and started at will;
    its append-only file keeps the data across a restart, as a production server's would."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self._process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self, *, empty: bool = False) -> None:
        """Start the server; ``empty``: without the data it had (a server restarted on a
        fresh disk, or one that kept nothing)."""
        if empty:  # (the append-only file: a directory since Redis 7, a file before)
            shutil.rmtree(self.directory / "appendonlydir", ignore_errors=True)
            (self.directory / "appendonly.aof").unlink(missing_ok=True)
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("needs redis-server: apt-get install redis-server")
        self._process = await asyncio.create_subprocess_exec(
            binary,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
            *("--appendonly", "yes", "--dir", str(self.directory)),
            stdout=asyncio.subprocess.DEVNULL,
        )
        client: Redis = Redis.from_url(self.url)
        try:
            async with asyncio.timeout(5):
                while True:
                    try:
                        await client.ping()
                        return
                    except RedisConnectionError:
                        await asyncio.sleep(0.02)
        finally:
            await client.aclose()

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): its clients' connections stay open and unanswered."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGCONT)  # (a paused server hears no SIGTERM)
            self._process.terminate()
            try:
                async with asyncio.timeout(STOP_S):
                    await self._process.wait()
            except TimeoutError:  # a server that ignores SIGTERM must not hold the test
                self._process.kill()
                await self._process.wait()
                raise AssertionError(f"redis-server did not stop within {STOP_S} s") from None
