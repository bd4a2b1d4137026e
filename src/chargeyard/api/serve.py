"""Serving the API inside a process that owns its event loop and its signals.

``chargeyard csms`` and ``chargeyard up`` run the OCPP listener and the REST API on one event
loop; uvicorn would install its own SIGINT/SIGTERM handlers and stop only itself, so the
embedded server leaves signals to the process, which stops everything in order.

The server is always handed sockets already bound (``ports.claim``), by the command before
anything started or here: uvicorn binding its own would, on a taken port, exit the process
from inside its task (``sys.exit``), past every ``finally`` that stops the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Generator, Sequence
from typing import TYPE_CHECKING

import uvicorn
from starlette.applications import Starlette

from chargeyard.ports import ListenPort, claim, release

if TYPE_CHECKING:
    from chargeyard.csms.command_journal import EntryKeeper

# An idle connection is left for the client to close. Clients keep one for a few seconds
# (httpx 5 s, browsers and load balancers a minute or more); a server that closes it as a
# client sends on it fails that request ("server disconnected without a response"), which
# uvicorn's default of 5 s, the same as httpx's, made a race. 75 s, as nginx's default.
KEEP_ALIVE_S = 75

# A stop waits this long for the requests in flight to be answered, then cancels them: a
# command waiting for a station is answered at once as the process stops
# (``stack._stop_waiting_first``), but whatever else waits (a runtime request to a worker
# that died) must not hold the stop for its own deadline.
STOP_GRACE_S = 1


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the process's own handlers stop us through should_exit


@contextlib.asynccontextmanager
async def serving(
    app: Starlette,
    host: str,
    port: int,
    sockets: Sequence[socket.socket] = (),
) -> AsyncIterator[int]:
    """Serve ``app`` on ``host:port`` while the block runs; yields the bound port.

    Args:
        sockets: ``host:port`` already claimed (``ports.claim``); none: claimed here.

    Raises:
        PortUnavailable: the port could not be bound (the block is not entered).
    """
    listening = list(sockets) or claim(ListenPort(host, port, "the HTTP API"))
    server = _EmbeddedServer(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_keep_alive=KEEP_ALIVE_S,
            timeout_graceful_shutdown=STOP_GRACE_S,
        )
    )
    task = asyncio.get_running_loop().create_task(server.serve(sockets=listening))
    try:
        while not server.started:
            if task.done():
                task.result()  # startup failed: raise its error
                raise OSError(f"the API could not listen on {host}:{port}")
            await asyncio.sleep(0.01)
    except BaseException:
        task.cancel()
        release(listening)
        raise
    bound: int = listening[0].getsockname()[1]
    try:
        yield bound
    finally:
        server.should_exit = True
        await task
        await settle_history(app)


async def settle_history(app: Starlette) -> None:
    """Wait for the command-history entries still being written (``api/v1/deps.py`` makes
    their writer with the first request): a server that stops calls it before its store
    closes, so that no entry is cut off."""
    keeper: EntryKeeper | None = getattr(app.state, "command_keeper", None)
    if keeper is not None:
        await keeper.settled()
