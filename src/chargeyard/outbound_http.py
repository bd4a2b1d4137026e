"""The outbound policy's HTTP transport (``outbound.py``): every connection an httpx client
makes through it, each redirect's included, goes to an address the policy allows.

httpx's own ``AsyncHTTPTransport`` builds its httpcore pool without a way to pass a network
backend, so :class:`CheckedTransport` is a transport of our own on httpx's public transport API
(``httpx.AsyncBaseTransport``, httpx's "Custom transports" documentation) over an
``httpcore.AsyncConnectionPool`` whose network backend (httpcore's documented network-backend
interface) resolves the host and checks every address before it connects. What httpx's own
transport does for a pool without a proxy, this one does too: the request handed to httpcore
as it is, the response's body streamed back, and httpcore's exceptions raised as httpx's
(:func:`httpx_errors`), so that a caller catching ``httpx.HTTPError`` sees no difference.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

from chargeyard.trust_store import http_verify

if TYPE_CHECKING:
    from chargeyard.outbound import OutboundPolicy

# httpx's documented defaults ("Resource limits": 100 connections, 20 kept alive for 5 s).
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

# httpcore's exceptions and the httpx exceptions of the same names, as httpx's own transport
# maps them. A subclass comes before its base: the first match is the most specific one.
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def httpx_errors() -> Iterator[None]:
    """Raise an httpcore exception as the httpx exception of the same name, with the same
    message (the original is its ``__cause__``); any other exception passes unchanged."""
    try:
        yield
    except Exception as error:
        for core, mapped in _HTTPX_ERRORS:
            if isinstance(error, core):
                raise mapped(str(error)) from error
        raise


class CheckedTransport(httpx.AsyncBaseTransport):
    """An httpx transport (HTTP/1.1, no proxy) whose every connection obeys ``policy``.

    Args:
        policy: where connections may go.
        verify: as httpx takes it (``httpx.create_ssl_context``; True: certifi's bundle, or
            the files ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name, loaded once a process,
            ``trust_store.py``; a context: that context).
        limits: the pool's size; None: httpx's default.
    """

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = DEFAULT_LIMITS if limits is None else limits
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=http_verify(verify)),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedBackend(policy),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise TypeError("an async transport sends an async request body")
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        if not isinstance(response.stream, AsyncIterable):
            raise TypeError("httpcore's async pool answered with a sync body")
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseBody(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _ResponseBody(httpx.AsyncByteStream):
    """A response's body from httpcore, whose failures while it is read are httpx's."""

    def __init__(self, chunks: AsyncIterable[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for chunk in self._chunks:
                yield chunk

    async def aclose(self) -> None:
        # httpcore's body returns its connection to the pool when closed.
        close = getattr(self._chunks, "aclose", None)
        if close is not None:
            await close()


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the policy allows."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._policy.resolve(host, port)
        except OSError as failure:
            # A refused address or a name that does not resolve: a failed connection, as
            # httpcore's own backend reports one (a webhook delivery's failed attempt).
            raise httpcore.ConnectError(str(failure)) from failure
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("outbound connections to a Unix socket are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
