"""Real file transfers (``transfers.py``) against tiny HTTP and FTP servers on 127.0.0.1, and one
OCPP 1.6 station updating its firmware and uploading its diagnostics through them."""

from __future__ import annotations

import asyncio
import itertools
import socket
import socketserver
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chargeyard.fleet.runtime import StationRuntime
from chargeyard.fleet.transfers import AsyncioTransfers
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.io import UnavailableIO
from chargeyard.station.v16 import StationV16
from tests.ports import free_port
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link

IMAGE = b"chargeyard-firmware 2.1.0\n" + bytes(range(256)) * 64


# -- a file server: GET serves ``files``, PUT and POST land in ``received`` ------------------------


@dataclass
class FileServer:
    base: str
    files: dict[str, bytes] = field(default_factory=dict)
    received: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self._answer(302, b"", {"Location": "/images/chargeyard-2.1.0.bin"})
            return
        body = self.server.state.files.get(self.path)
        self._answer(404, b"no such file") if body is None else self._answer(200, body)

    def do_PUT(self) -> None:
        self._store()

    def do_POST(self) -> None:
        self._store()

    def _store(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/forbidden"):
            self._answer(403, b"")
            return
        content_type = self.headers.get("Content-Type", "")
        self.server.state.received[self.path] = (self.command, content_type, body)
        self._answer(201, b"")

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _HttpServer(ThreadingHTTPServer):
    state: FileServer


@pytest.fixture
def http_server() -> Iterator[FileServer]:
    server = _HttpServer(("127.0.0.1", 0), _Handler)
    server.state = FileServer(f"http://127.0.0.1:{server.server_address[1]}")
    server.state.files["/images/chargeyard-2.1.0.bin"] = IMAGE
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server.state
    server.shutdown()
    server.server_close()
    thread.join()


# -- a minimal FTP server: USER, PASS, TYPE, PASV, RETR, STOR, QUIT --------------------------------


class _FtpHandler(socketserver.StreamRequestHandler):
    server: _FtpServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        state = self.server.state
        passive: socket.socket | None = None
        self.reply("220 chargeyard test FTP")
        for raw in self.rfile:
            command, _, argument = raw.decode().strip().partition(" ")
            state.commands.append(f"{command.upper()} {argument}".strip())
            match command.upper():
                case "USER":
                    self.reply("331 password please")
                case "PASS":
                    self.reply("230 logged in")
                case "TYPE":
                    self.reply("200 binary")
                case "PASV":
                    passive = socket.create_server(("127.0.0.1", 0))
                    port = passive.getsockname()[1]
                    self.reply(f"227 Entering Passive Mode (127,0,0,1,{port >> 8},{port & 255})")
                case "RETR" if passive is not None:
                    body = state.files.get(argument)
                    if body is None:
                        self.reply("550 no such file")
                        continue
                    self.reply("150 sending")
                    data, _ = passive.accept()
                    with data:
                        data.sendall(body)
                    passive.close()
                    self.reply("226 done")
                case "STOR" if passive is not None:
                    self.reply("150 receiving")
                    data, _ = passive.accept()
                    chunks = []
                    with data:
                        while chunk := data.recv(65536):
                            chunks.append(chunk)
                    passive.close()
                    state.files[argument] = b"".join(chunks)
                    self.reply("226 stored")
                case "QUIT":
                    self.reply("221 bye")
                    return
                case _:
                    self.reply("502 not implemented")


@dataclass
class FtpState:
    port: int
    files: dict[str, bytes] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)


class _FtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    state: FtpState


@pytest.fixture
def ftp_server() -> Iterator[FtpState]:
    server = _FtpServer(("127.0.0.1", 0), _FtpHandler)
    server.state = FtpState(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server.state
    server.shutdown()
    server.server_close()
    thread.join()


# -- helpers ---------------------------------------------------------------------------------------


class Outcome:
    """Records the callbacks of transfers and the wakes that follow them, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.woken = asyncio.Event()

    def done(self, value: Any = None) -> None:
        self.events.append(("done", value))

    def error(self, reason: str) -> None:
        self.events.append(("error", reason))

    def wake(self) -> None:
        self.events.append(("wake", None))
        self.woken.set()

    async def next_wake(self) -> None:
        await asyncio.wait_for(self.woken.wait(), 10)
        self.woken.clear()


@pytest.fixture
async def transfers() -> AsyncIterator[tuple[AsyncioTransfers, Outcome]]:
    outcome = Outcome()
    io = AsyncioTransfers(wake=outcome.wake, timeout=5.0, trust_env=False)
    yield io, outcome
    await io.aclose()


# -- HTTP ------------------------------------------------------------------------------------------


async def test_http_download_calls_back_later_then_wakes(
    transfers: tuple[AsyncioTransfers, Outcome], http_server: FileServer
) -> None:
    io, outcome = transfers
    io.download(f"{http_server.base}/images/chargeyard-2.1.0.bin", outcome.done, outcome.error)
    assert outcome.events == []  # never inside the call
    assert io.pending == 1
    await outcome.next_wake()
    assert outcome.events == [("done", IMAGE), ("wake", None)]
    await asyncio.sleep(0)
    assert io.pending == 0


async def test_http_download_follows_redirects(
    transfers: tuple[AsyncioTransfers, Outcome], http_server: FileServer
) -> None:
    io, outcome = transfers
    io.download(f"{http_server.base}/redirect", outcome.done, outcome.error)
    await outcome.next_wake()
    assert outcome.events == [("done", IMAGE), ("wake", None)]


async def test_http_download_of_a_missing_file_fails_with_its_status(
    transfers: tuple[AsyncioTransfers, Outcome], http_server: FileServer
) -> None:
    io, outcome = transfers
    io.download(f"{http_server.base}/images/none.bin", outcome.done, outcome.error)
    await outcome.next_wake()
    assert outcome.events == [("error", "HTTP 404 Not Found"), ("wake", None)]


async def test_http_download_larger_than_the_limit_fails(
    http_server: FileServer,
) -> None:
    outcome = Outcome()
    io = AsyncioTransfers(wake=outcome.wake, trust_env=False, max_download_bytes=1000)
    io.download(f"{http_server.base}/images/chargeyard-2.1.0.bin", outcome.done, outcome.error)
    await outcome.next_wake()
    assert outcome.events == [("error", "larger than 1000 bytes"), ("wake", None)]


async def test_a_refused_connection_fails(transfers: tuple[AsyncioTransfers, Outcome]) -> None:
    io, outcome = transfers
    io.download(f"http://127.0.0.1:{free_port()}/x.bin", outcome.done, outcome.error)
    await outcome.next_wake()
    [(kind, reason), _] = outcome.events
    assert (kind, reason.split(":")[0]) == ("error", "ConnectError")


async def test_http_put_to_a_directory_location_appends_the_file_name(
    transfers: tuple[AsyncioTransfers, Outcome], http_server: FileServer
) -> None:
    io, outcome = transfers
    io.upload(f"{http_server.base}/upload/", "CP 1.log", b"hello", outcome.done, outcome.error)
    await outcome.next_wake()
    assert outcome.events == [("done", None), ("wake", None)]
    assert http_server.received == {"/upload/CP%201.log": ("PUT", "", b"hello")}


async def test_http_put_to_a_file_location_uses_it_as_is(
    transfers: tuple[AsyncioTransfers, Outcome], http_server: FileServer
) -> None:
    io, outcome = transfers
    io.upload(f"{http_server.base}/logs/today.txt", "CP-1.log", b"hi", outcome.done, outcome.error)
    await outcome.next_wake()
    assert http_server.received == {"/logs/today.txt": ("PUT", "", b"hi")}


async def test_http_upload_refused_fails_with_its_status(
    transfers: tuple[AsyncioTransfers, Outcome], http_server: FileServer
) -> None:
    io, outcome = transfers
    io.upload(f"{http_server.base}/forbidden/", "a.log", b"x", outcome.done, outcome.error)
    await outcome.next_wake()
    assert outcome.events == [("error", "HTTP 403 Forbidden"), ("wake", None)]


async def test_http_post_sends_multipart_form_data(http_server: FileServer) -> None:
    outcome = Outcome()
    io = AsyncioTransfers(wake=outcome.wake, trust_env=False, http_upload="POST")
    io.upload(f"{http_server.base}/upload", "CP-1.log", b"diagnostics", outcome.done, outcome.error)
    await outcome.next_wake()
    method, content_type, body = http_server.received["/upload"]
    assert (method, content_type.split(";")[0]) == ("POST", "multipart/form-data")
    boundary = content_type.split("boundary=")[1]
    assert (
        body
        == (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="CP-1.log"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
            f"diagnostics\r\n--{boundary}--\r\n"
        ).encode()
    )


# -- FTP and the rest ------------------------------------------------------------------------------


async def test_ftp_download_and_upload_with_credentials(
    transfers: tuple[AsyncioTransfers, Outcome], ftp_server: FtpState
) -> None:
    io, outcome = transfers
    ftp_server.files["fw/chargeyard-2.1.0.bin"] = IMAGE
    base = f"ftp://station:s%40cret@127.0.0.1:{ftp_server.port}"
    io.download(f"{base}/fw/chargeyard-2.1.0.bin", outcome.done, outcome.error)
    await outcome.next_wake()
    io.upload(f"{base}/diagnostics/", "CP-1.log", b"log text", outcome.done, outcome.error)
    await outcome.next_wake()
    io.download(f"{base}/fw/none.bin", outcome.done, outcome.error)
    await outcome.next_wake()
    assert outcome.events[:4] == [("done", IMAGE), ("wake", None), ("done", None), ("wake", None)]
    assert outcome.events[4][0] == "error"
    assert outcome.events[4][1].startswith("error_perm: 550")
    assert ftp_server.files["diagnostics/CP-1.log"] == b"log text"
    assert ftp_server.commands[:2] == ["USER station", "PASS s@cret"]
    assert "STOR diagnostics/CP-1.log" in ftp_server.commands


async def test_an_unsupported_scheme_fails_later(
    transfers: tuple[AsyncioTransfers, Outcome],
) -> None:
    io, outcome = transfers
    io.upload("scp://127.0.0.1/x/", "a.log", b"x", outcome.done, outcome.error)
    assert outcome.events == []
    await outcome.next_wake()
    assert outcome.events == [("error", "unsupported scheme 'scp'"), ("wake", None)]


async def test_aclose_cancels_transfers_under_way_without_callbacks() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(60)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    outcome = Outcome()
    io = AsyncioTransfers(wake=outcome.wake, trust_env=False)
    async with server:
        io.download(f"http://127.0.0.1:{port}/slow.bin", outcome.done, outcome.error)
        await asyncio.sleep(0.2)
        assert io.pending == 1
        await io.aclose()
        assert io.pending == 0
        assert outcome.events == []


# -- the asyncio runtime hands its stations real transfers -----------------------------------------


def make_station(identity: str = "CP-1", io: Any = None) -> StationV16:
    ids = itertools.count(1)
    return StationV16(
        identity,
        load_catalog().template("alfen-eve-single-pro-line"),
        clock=ManualClock(),
        new_id=lambda: f"m{next(ids)}",
        io=io,
    )


async def test_the_runtime_gives_a_station_transfers_it_owns() -> None:
    station = make_station()
    assert isinstance(station.io, UnavailableIO)
    runtime = StationRuntime(station, f"ws://127.0.0.1:{free_port()}/ocpp/CP-1")
    assert isinstance(station.io, AsyncioTransfers)
    assert runtime.transfers is station.io
    assert station.io.wake == runtime._wake

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(60)

    outcome = Outcome()
    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        station.io.download(f"http://127.0.0.1:{port}/x.bin", outcome.done, outcome.error)
        await asyncio.sleep(0.1)
        await runtime.stop()
        assert runtime.transfers.pending == 0
        assert outcome.events == []


@pytest.mark.parametrize("explicit", [True, False])
async def test_the_runtime_leaves_chosen_io_alone(explicit: bool) -> None:
    scripted = ScriptedIO()
    station = make_station(io=scripted if explicit else None)
    runtime = StationRuntime(station, "ws://127.0.0.1:9/ocpp/CP-1", file_transfers=explicit)
    assert runtime.transfers is None
    if explicit:
        assert station.io is scripted
    else:
        assert isinstance(station.io, UnavailableIO)


# -- end to end: one 1.6 station, real HTTP on 127.0.0.1 -------------------------------------------


async def test_5_19_and_5_9_end_to_end_over_http_on_localhost(http_server: FileServer) -> None:
    outcome = Outcome()
    io = AsyncioTransfers(wake=outcome.wake, trust_env=False)
    station = make_station("CP-E2E", io)
    clock = station.clock
    assert isinstance(clock, ManualClock)
    link = Link(station, clock)
    link.connect()
    link.csms.clear()

    location = f"{http_server.base}/images/chargeyard-2.1.0.bin"
    answer = link.call_station(
        "UpdateFirmware", {"location": location, "retrieveDate": "2025-12-31T00:00:00Z"}
    )
    assert answer == {}
    await outcome.next_wake()  # the runtime would step the station now
    link.pump()
    link.run_for(station.firmware_install_s + 5)
    assert [p["status"] for p in link.csms.payloads("FirmwareStatusNotification")] == [
        "Downloading",
        "Downloaded",
        "Installing",
        "Installed",
    ]
    assert link.csms.payloads("BootNotification")[0]["firmwareVersion"] == "2.1.0"

    answer = link.call_station("GetDiagnostics", {"location": f"{http_server.base}/upload/"})
    assert answer == {"fileName": "CP-E2E-diagnostics-20260101T000015Z.log"}
    await outcome.next_wake()
    link.pump()
    assert [p["status"] for p in link.csms.payloads("DiagnosticsStatusNotification")] == [
        "Uploading",
        "Uploaded",
    ]
    method, _, content = http_server.received[f"/upload/{answer['fileName']}"]
    text = content.decode()
    assert method == "PUT"
    assert text.startswith("chargeyard diagnostics (OCPP 1.6)\nstation: CP-E2E\n")
    assert "firmware: 2.1.0\n" in text
    assert f"-- firmware: downloading {location}" in text
    assert '"FirmwareStatusNotification",{"status":"Installed"}' in text
    await io.aclose()
