"""The files the suite's central system offers a station under test: firmware images to
download (UpdateFirmware, 1.6 section 5.19) and a place to upload diagnostics (GetDiagnostics,
5.9), over HTTP, which the location's URL names (1.6 section 8: "The URL also contains the
protocol which must be used").

``GET /firmware/{name}`` serves an image the case offered (404 for another name: a download
that fails); ``PUT`` or ``POST /uploads/{name}`` stores what the station sends (a PUT of the
file, as ``curl -T`` does, or a multipart form whose part is the file), and
``/uploads-refused/...`` answers 403 (an upload that fails). The site listens on its own port
beside the WebSocket listener (any free one unless told, ``--files-port``, for a firewall that
lets one through); the URLs sent to a station name the host it was told to listen on
(``--files-host``) when that is one address or name, else the address the station reached the
suite at.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Generator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the process's own handlers stop the run (Ctrl-C ends the suite, not the site)


_EVERY_ADDRESS = ("", "0.0.0.0", "::")


class FileSiteUnavailable(OSError):
    """The file site's address cannot be bound."""


def _bound(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, bound here so that an address in use is an
    OSError (uvicorn would exit the process)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses
    return socket.create_server((host, port), family=family)


class FileSite:
    """The HTTP file site on ``host:port`` (0: any free port); ``named``: the host the URLs
    sent to a station name (None, or every address: the one the station reached)."""

    def __init__(self, host: str, port: int = 0, named: str | None = None) -> None:
        self.host = host
        self._named = None if named in _EVERY_ADDRESS else named
        self._port = port
        self.images: dict[str, bytes] = {}
        """Firmware images offered, by name."""
        self.uploads: dict[str, bytes] = {}
        """What the station uploaded, by name."""
        self.delays: dict[str, float] = {}
        """Seconds an image takes to serve, or an upload to be taken, by name or by the folder
        of the name (a transfer a case catches while it is under way); none by default."""
        self._changed = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    def _app(self) -> Starlette:
        async def firmware(request: Request) -> Response:
            await asyncio.sleep(self._delay(request.path_params["name"]))
            image = self.images.get(request.path_params["name"])
            if image is None:
                return PlainTextResponse("no such image\n", status_code=404)
            return Response(image, media_type="application/octet-stream")

        async def upload(request: Request) -> Response:
            name = request.path_params["name"]
            await asyncio.sleep(self._delay(name))
            content = await request.body()
            if request.headers.get("content-type", "").startswith("multipart/form-data"):
                form = await request.form()
                part = form.get("file")
                if part is not None and not isinstance(part, str):
                    content = await part.read()
                    name = name or part.filename or "upload"
            self.uploads[name or "upload"] = content
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()
            return PlainTextResponse("stored\n", status_code=201)

        async def refuse(request: Request) -> Response:
            return PlainTextResponse("uploads are refused here\n", status_code=403)

        return Starlette(
            routes=[
                Route("/firmware/{name}", firmware, methods=["GET"]),
                Route("/uploads/{name:path}", upload, methods=["PUT", "POST"]),
                Route("/uploads-refused/{name:path}", refuse, methods=["PUT", "POST"]),
            ]
        )

    def _delay(self, name: str) -> float:
        return max(
            (
                delay
                for key, delay in self.delays.items()
                if name == key or name.startswith(key + "/")
            ),
            default=0.0,
        )

    async def start(self) -> None:
        """Listen.

        Raises:
            FileSiteUnavailable: the address cannot be bound.
        """
        try:
            listening = _bound(self.host, self._port)
        except OSError as error:
            why = os.strerror(error.errno) if error.errno else str(error)
            raise FileSiteUnavailable(
                f"the file site cannot listen on {self.host}:{self._port}: {why}"
            ) from None
        server = _QuietServer(uvicorn.Config(self._app(), log_level="warning", lifespan="off"))
        self._server = server
        self._task = asyncio.get_running_loop().create_task(server.serve(sockets=[listening]))
        while not server.started:
            if self._task.done():
                self._task.result()
                raise FileSiteUnavailable(f"the file site stopped on {self.host}:{self._port}")
            await asyncio.sleep(0.01)

    @property
    def port(self) -> int:
        assert self._server is not None, "not started"
        port: int = self._server.servers[0].sockets[0].getsockname()[1]
        return port

    def url(self, host: str, path: str) -> str:
        """The URL of ``path`` (``firmware/x.bin``, ``uploads/``) for a station that reached
        the suite at ``host``: the site's own host when it listens on one, else ``host``."""
        if self._named is not None:
            host = self._named
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}/{path}"

    async def uploaded(self, within: float) -> dict[str, bytes]:
        """The uploads, once there is one (within ``within`` seconds; empty: none came)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while True:
                    changed = self._changed
                    if self.uploads:
                        break
                    await changed.wait()
        return dict(self.uploads)

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(Exception):
            await self._task
        self._server = None
