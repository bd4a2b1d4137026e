"""What the fast-forward loop (``fast_forward.py``) waits for in real time before its clock
jumps: bytes one socket of this process sent to another and the kernel has not delivered yet,
and work on other threads (SQLite's through aiosqlite, anyio's worker threads).

:func:`install_hooks` patches, once for the whole process, ``socket.socket``'s send methods
and ``accept`` (they only note what they sent, or whom they accepted, and call through),
aiosqlite's statements and anyio's ``to_thread.run_sync`` (on a loop that does not
fast-forward they only call through).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import weakref
from collections.abc import Callable
from typing import Any, ClassVar

_Pair = tuple[Any, Any]  # (local address, peer address)


class _Sends:
    """What the TCP sockets of this process have sent, and whether all of it has reached its
    peer."""

    written: ClassVar[weakref.WeakKeyDictionary[socket.socket, int]] = weakref.WeakKeyDictionary()
    """Bytes each socket has handed to the kernel, over its life."""
    pending: ClassVar[set[socket.socket]] = set()
    """The sockets whose bytes may be on their way."""
    count = 0
    """Sends so far."""
    unheard = 0
    """TCP sends so far to a socket this process does not know: another process's, or one of
    its own before its server accepted it. Their arrival is not in :meth:`in_flight`'s count.
    (A socket is known from its first send, or from its acceptance: a server's side of a
    connection is followed from the request that opens it, not only from its first answer.)"""
    by_pair: ClassVar[weakref.WeakValueDictionary[_Pair, socket.socket]] = (
        weakref.WeakValueDictionary()
    )
    pairs: ClassVar[weakref.WeakKeyDictionary[socket.socket, _Pair]] = weakref.WeakKeyDictionary()

    @classmethod
    def noted(cls, send: Callable[..., Any], whole: bool) -> Callable[..., Any]:
        def noting(sock: socket.socket, data: Any, *args: Any, **kwargs: Any) -> Any:
            sent = send(sock, data, *args, **kwargs)
            cls.count += 1
            if _is_tcp(sock):
                count = memoryview(data).nbytes if whole else sent
                cls._note(sock, count if isinstance(count, int) else 0)
            return sent

        return noting

    @classmethod
    def accepting(cls, accept: Callable[..., Any]) -> Callable[..., Any]:
        def accept_noted(sock: socket.socket, *args: Any, **kwargs: Any) -> Any:
            connection, address = accept(sock, *args, **kwargs)
            if _is_tcp(connection):
                cls._know(connection)
            return connection, address

        return accept_noted

    @classmethod
    def _know(cls, sock: socket.socket) -> bool:
        """Note ``sock``'s pair of addresses, where bytes sent to it are followed from; False
        when it is not connected."""
        if sock not in cls.pairs:
            try:
                pair = (sock.getsockname(), sock.getpeername())
            except OSError:
                return False
            cls.pairs[sock] = pair
            cls.by_pair[pair] = sock
        return True

    @classmethod
    def _note(cls, sock: socket.socket, count: int) -> None:
        if not cls._know(sock):
            return
        cls.written[sock] = cls.written.get(sock, 0) + count
        cls.pending.add(sock)
        local, peer = cls.pairs[sock]
        if (peer, local) not in cls.by_pair:
            cls.unheard += 1

    @classmethod
    def in_flight(cls) -> bool:
        """Whether bytes a socket sent to a socket of this process have not reached it yet."""
        for sock in list(cls.pending):
            local, peer = cls.pairs[sock]
            receiver = cls.by_pair.get((peer, local))
            if receiver is not None and cls._received(receiver) < cls.written.get(sock, 0):
                return True
            cls.pending.discard(sock)
        return False

    @staticmethod
    def _received(sock: socket.socket) -> int:
        """The bytes the kernel has received in order on ``sock`` (``tcpi_bytes_received``
        of Linux's ``struct tcp_info``); all of them once it is closed, or where the kernel
        does not count them (another system than Linux: the loop then waits ``ANSWER_S``
        after a send, no more)."""
        try:
            info = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, _TCP_INFO_SIZE)
        except OSError:
            return _ALL
        if len(info) < _BYTES_RECEIVED_AT + 8:
            return _ALL
        return int(struct.unpack_from("Q", info, _BYTES_RECEIVED_AT)[0])


_TCP = (socket.AF_INET, socket.AF_INET6)


def _is_tcp(sock: socket.socket) -> bool:
    return sock.type == socket.SOCK_STREAM and sock.family in _TCP


_TCP_INFO: int = getattr(socket, "TCP_INFO", -1)  # Linux's; elsewhere getsockopt refuses -1
_TCP_INFO_SIZE, _BYTES_RECEIVED_AT = 232, 128
_ALL = 2**63


def sends_count() -> int:
    """Sends on any socket of this process so far (since :func:`install_hooks`)."""
    return _Sends.count


def unheard_sends_count() -> int:
    """TCP sends so far (since :func:`install_hooks`) to a socket this process has not heard
    from (:attr:`_Sends.unheard`)."""
    return _Sends.unheard


def sends_in_flight() -> bool:
    """Whether bytes a TCP socket of this process sent to another one of its own are on their
    way still."""
    return _Sends.in_flight()


def _away_while(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (a coroutine function) run with the running loop ``away`` when it has
    that (a fast-forward loop): its clock must not take the wait for a thread for idle
    time."""

    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # another event loop than asyncio's (anyio on trio)
            loop = None
        away = getattr(loop, "away", None)
        if away is None:
            return await method(*args, **kwargs)
        with away():
            return await method(*args, **kwargs)

    return wrapped


_installed = False


def install_hooks() -> None:
    """Patch the send methods, aiosqlite and anyio (once; see the module docstring)."""
    global _installed
    if _installed:
        return
    _installed = True
    for name, whole in (("send", False), ("sendall", True), ("sendmsg", False)):
        setattr(socket.socket, name, _Sends.noted(getattr(socket.socket, name), whole))
    socket.socket.accept = _Sends.accepting(socket.socket.accept)  # type: ignore[method-assign]
    import aiosqlite.core
    import anyio.to_thread

    # aiosqlite runs each statement on a thread of its own and hands the loop a future.
    connection = aiosqlite.core.Connection
    connection._execute = _away_while(connection._execute)  # type: ignore[method-assign]
    connection._connect = _away_while(connection._connect)  # type: ignore[method-assign]
    # Closing waits for the thread to end as well (its stop, queued past _execute).
    connection.close = _away_while(connection.close)  # type: ignore[method-assign]
    # anyio runs a blocking call on a worker thread of its own, not the loop's executor:
    # Starlette and FastAPI run a plain ``def`` endpoint or dependency there. (Called through
    # the module by both, so patching it reaches them.)
    anyio.to_thread.run_sync = _away_while(anyio.to_thread.run_sync)  # type: ignore[assignment]
