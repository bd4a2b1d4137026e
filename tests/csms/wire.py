"""Helpers of the CSMS tests: URLs and one CALL -> answer exchange over a real WebSocket."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection

from chargeyard.csms.server import CsmsServer
from tests.migrated import migrated_sqlite_url


def database_url(directory: Path) -> str:
    return migrated_sqlite_url(directory, "csms.db")


def url(server: CsmsServer, identity: str = "CP-1") -> str:
    return f"ws://127.0.0.1:{server.port}/ocpp/{identity}"


async def exchange(websocket: ClientConnection, frame: list[Any]) -> list[Any]:
    await websocket.send(orjson.dumps(frame).decode())
    answer: list[Any] = orjson.loads(await asyncio.wait_for(websocket.recv(), 5))
    return answer
