"""Real file transfers for stations run by the asyncio runtime: the :class:`StationIO` that
moves firmware images and diagnostics files over the network.

Theory of operation
-------------------
A station asks for a transfer and goes on (``io.py``); :class:`AsyncioTransfers` starts one
task per transfer, owned in a set and cancelled by :meth:`AsyncioTransfers.aclose`. When the
task ends it calls exactly one of the station's callbacks, always from the event loop and never
inside ``download()`` / ``upload()`` themselves, then calls ``wake`` so that the runtime writes
the frames the callback queued and re-arms the station's timer.

The URL's scheme picks the protocol, as OCPP 1.6 section 8 says it does ("The URL also contains
the protocol which must be used"):

* ``http://`` / ``https://`` with httpx. A download is a GET (redirects followed, a non-2xx
  answer is a failure, at most ``max_download_bytes``). An upload is a PUT of the file's bytes
  to the location, with the file name appended when the location ends with ``/``: what
  ``curl -T <file> <location>`` does, which is how EVerest's reference charger uploads
  diagnostics and logs (everest-core ``modules/Misc/System/diagnostics_uploader.sh``). CSMSes
  whose upload endpoint is an HTML-form style handler get ``http_upload="POST"``: a
  multipart/form-data POST to the location with the file in the part ``file``.
* ``ftp://`` / ``ftps://`` (explicit TLS) with the standard library's ftplib in a worker thread,
  passive mode, ``ftp://user:password@host:port/path`` as section 8.1 writes it (anonymous when
  no user is given). The path is relative to the login directory (RFC 1738 section 3.2.2). An
  upload is STOR, with the same rule for a location ending with ``/``. A cancelled FTP transfer
  stops at its next socket timeout: a thread cannot be interrupted.

Credentials in an http(s) URL are sent as HTTP Basic. Anything else fails with a reason the
station puts in its log, as does a location outside the networks the ``outbound`` policy
allows (``outbound.py``: a station hosted by a shared server is no way into its network).
"""

from __future__ import annotations

import asyncio
import contextlib
import ftplib
import logging
import ssl
from collections.abc import Awaitable, Callable, Iterator
from io import BytesIO
from typing import Literal, TypeVar
from urllib.parse import SplitResult, quote, unquote, urlsplit

import httpx

from chargeyard.outbound import OutboundPolicy, OutboundRefused
from chargeyard.trust_store import http_verify

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024


class TransferError(Exception):
    """A transfer failed for a reason worth one line in the station's log."""


class AsyncioTransfers:
    """A :class:`~chargeyard.station.io.StationIO` over asyncio. Use it from the event loop's
    thread (a station's handlers and timers run there).

    Args:
        wake: called after every callback: the runtime's "look at the station again".
        timeout: seconds allowed for connecting and for each read or write.
        http_upload: ``"PUT"`` (the default, see the module docstring) or ``"POST"``
            (multipart/form-data).
        verify: TLS verification for https (False, or an SSLContext trusting a lab CA).
        trust_env: honour HTTP(S)_PROXY / NO_PROXY and similar environment variables (not
            under an ``outbound`` policy that limits addresses: a proxy would connect for us).
        max_download_bytes: a longer download fails instead of filling memory.
        outbound: the networks a transfer may connect to (``outbound.py``); None: any.
    """

    def __init__(
        self,
        *,
        wake: Callable[[], None] | None = None,
        timeout: float = 30.0,
        http_upload: Literal["PUT", "POST"] = "PUT",
        verify: ssl.SSLContext | bool = True,
        trust_env: bool = True,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        outbound: OutboundPolicy | None = None,
    ) -> None:
        self.wake = wake or _nothing
        self.outbound = outbound
        self.timeout = timeout
        self.http_upload = http_upload
        self.verify = verify
        self.trust_env = trust_env
        self.max_download_bytes = max_download_bytes
        self._tasks: set[asyncio.Task[None]] = set()

    # -- StationIO ------------------------------------------------------------------------------

    def download(
        self, url: str, on_done: Callable[[bytes], None], on_error: Callable[[str], None]
    ) -> None:
        self._spawn(self._download(url), on_done, on_error, f"download {_redacted(url)}")

    def upload(
        self,
        url: str,
        filename: str,
        content: bytes,
        on_done: Callable[[], None],
        on_error: Callable[[str], None],
    ) -> None:
        self._spawn(
            self._upload(url, filename, content),
            lambda _: on_done(),
            on_error,
            f"upload {filename} to {_redacted(url)}",
        )

    # -- ownership ------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Transfers under way."""
        return len(self._tasks)

    def close(self) -> None:
        """Cancel every transfer under way; their callbacks are not called."""
        for task in list(self._tasks):
            task.cancel()

    async def aclose(self) -> None:
        """Cancel every transfer under way and wait until they are gone."""
        tasks = list(self._tasks)
        self.close()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(
        self,
        work: Awaitable[T],
        on_done: Callable[[T], None],
        on_error: Callable[[str], None],
        what: str,
    ) -> None:
        task = asyncio.get_running_loop().create_task(self._run(work, on_done, on_error, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self,
        work: Awaitable[T],
        on_done: Callable[[T], None],
        on_error: Callable[[str], None],
        what: str,
    ) -> None:
        try:
            result = await work
        except Exception as error:  # any failure of the transfer is the station's to report
            reason = _describe(error)
            logger.info("%s failed: %s", what, reason)
            _report(on_error, reason, what)
        else:
            _report(on_done, result, what)
        self.wake()

    # -- protocols ------------------------------------------------------------------------------

    async def _download(self, url: str) -> bytes:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            return await self._http_get(url)
        if parts.scheme in ("ftp", "ftps"):
            await self._check_ftp(parts)
            return await asyncio.to_thread(
                _ftp_retrieve, parts, self.timeout, self.max_download_bytes
            )
        raise TransferError(f"unsupported scheme {parts.scheme!r}")

    async def _upload(self, url: str, filename: str, content: bytes) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            await self._http_send(url, filename, content)
        elif parts.scheme in ("ftp", "ftps"):
            await self._check_ftp(parts)
            await asyncio.to_thread(_ftp_store, parts, filename, content, self.timeout)
        else:
            raise TransferError(f"unsupported scheme {parts.scheme!r}")

    def _client(self) -> httpx.AsyncClient:
        # One client per transfer: transfers are rare, and nothing stays open between them.
        outbound = self.outbound
        if outbound is None or outbound.anything:
            return httpx.AsyncClient(
                timeout=self.timeout,
                follow_redirects=True,
                verify=http_verify(self.verify),  # True: loaded once a process
                trust_env=self.trust_env,
            )
        # Every connection, each redirect's too, is checked where it is made.
        return httpx.AsyncClient(
            timeout=self.timeout,
            follow_redirects=True,
            transport=outbound.http_transport(verify=self.verify),
            trust_env=False,
        )

    async def _check_ftp(self, parts: SplitResult) -> None:
        # ftplib connects in a worker thread by name: the name is checked just before (a
        # name that changes its address in those milliseconds is not caught, as it is for
        # http(s) and the stations' WebSockets, which connect to the address checked).
        # Passive data connections go to the control connection's address (ftplib's
        # trust_server_pasv_ipv4_address is off), so they are covered by the same check.
        if self.outbound is not None and not self.outbound.anything:
            try:
                await self.outbound.resolve(parts.hostname or "", parts.port or 21)
            except OutboundRefused as refused:
                raise TransferError(str(refused)) from None

    async def _http_get(self, url: str) -> bytes:
        async with self._client() as client, client.stream("GET", url) as response:
            _check(response)
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > self.max_download_bytes:
                    raise TransferError(f"larger than {self.max_download_bytes} bytes")
            return bytes(body)

    async def _http_send(self, url: str, filename: str, content: bytes) -> None:
        async with self._client() as client:
            if self.http_upload == "POST":
                files = {"file": (filename, content, "application/octet-stream")}
                response = await client.post(url, files=files)
            else:
                target = url + quote(filename) if url.endswith("/") else url
                response = await client.put(target, content=content)
            _check(response)


def _report(callback: Callable[[T], None], value: T, what: str) -> None:
    try:
        callback(value)
    except Exception:
        logger.exception("the station's callback after %s failed", what)


def _check(response: httpx.Response) -> None:
    if not response.is_success:
        raise TransferError(f"HTTP {response.status_code} {response.reason_phrase}".strip())


# -- FTP, in a worker thread ----------------------------------------------------------------------


@contextlib.contextmanager
def _ftp_session(parts: SplitResult, timeout: float) -> Iterator[ftplib.FTP]:
    ftp = ftplib.FTP_TLS(timeout=timeout) if parts.scheme == "ftps" else ftplib.FTP(timeout=timeout)
    with ftp:
        ftp.connect(parts.hostname or "", parts.port or 21)
        user = unquote(parts.username) if parts.username else "anonymous"
        ftp.login(user, unquote(parts.password) if parts.password else "")
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()  # the data connections are encrypted too
        yield ftp


def _ftp_path(parts: SplitResult) -> str:
    # "ftp://host/dir/file" names dir/file in the login directory (RFC 1738 section 3.2.2).
    return unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)


def _ftp_retrieve(parts: SplitResult, timeout: float, limit: int) -> bytes:
    body = bytearray()

    def keep(block: bytes) -> None:
        body.extend(block)
        if len(body) > limit:
            raise TransferError(f"larger than {limit} bytes")

    with _ftp_session(parts, timeout) as ftp:
        ftp.retrbinary(f"RETR {_ftp_path(parts)}", keep)
    return bytes(body)


def _ftp_store(parts: SplitResult, filename: str, content: bytes, timeout: float) -> None:
    path = _ftp_path(parts)
    if not path or path.endswith("/"):
        path += filename
    with _ftp_session(parts, timeout) as ftp:
        ftp.storbinary(f"STOR {path}", BytesIO(content))


# -- helpers --------------------------------------------------------------------------------------


def _describe(error: Exception) -> str:
    if isinstance(error, TransferError):
        return str(error)
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _redacted(url: str) -> str:
    """The URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


def _nothing() -> None:
    return None
