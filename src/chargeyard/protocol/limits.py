"""How large an OCPP-J frame may be, and what happens beyond.

Theory of operation
-------------------
OCPP-J (1.6 section 4; 2.0.1 part 4) puts no number on a message and negotiates none, yet
every real station has a bound, often a small one. The 2.0.1 device model is where a station
states it for the requests that grow with their content: ``DeviceDataCtrlr.BytesPerMessage``
(instances GetReport, GetVariables, SetVariables) and ``LocalAuthListCtrlr.BytesPerMessage``;
a request longer than that may be answered with the CALLERROR FormatViolation (B06.FR.17 for
GetVariables). chargeyard applies that rule to every frame, with one limit per connection,
:data:`DEFAULT_MAX_FRAME_BYTES` unless configured, counted in bytes of UTF-8:

* a frame of ours over the limit is refused before it is sent (:class:`FrameTooLarge`,
  nothing leaves; OCPP has no way to learn the peer's bound, so ours stands for it): a caller
  learns why at once instead of losing the socket when the peer drops it;
* an answer of ours over the limit is replaced by a CALLERROR GenericError that says so;
* a peer's CALL over the limit is answered FormatViolation (1.6: FormationViolation), its
  CALLRESULT or CALLERROR fails our call the same way; the connection stays open;
* to answer, the socket must read the frame: it accepts up to :func:`socket_limit` (four
  times the limit). Beyond that, reading it would cost more than answering is worth, and the
  WebSocket is closed with 1009 Message Too Big (RFC 6455 section 7.4.1) after its header.

Why 64 KiB by default: chargeyard's own 2.0.1 stations state 65,000 bytes as their
BytesPerMessage, and the largest frames its stations and CSMS exchange stay far below (a
NotifyReport of 20 device-model entries is about 6.4 KB, a 1.6 GetConfiguration answer about
2.5 KB, a SendLocalList of SendLocalListMaxLength = 100 entries about 10 KB). A 20 MB
DataTransfer is refused where it is made, not forwarded to a station that drops its socket.
"""

from __future__ import annotations

from chargeyard.protocol.errors import ErrorKind, OcppError

DEFAULT_MAX_FRAME_BYTES = 64 * 1024
"""The largest frame, in bytes of UTF-8, a connection sends or takes unless configured."""

SOCKET_HEADROOM = 4
"""How many times the frame limit the WebSocket reads before it gives up on a message."""


class FrameTooLarge(OcppError):
    """A frame over the connection's size limit: one of ours, refused before it was sent, or
    one of the peer's (answered FormatViolation).

    Attributes:
        size: the frame's size in bytes.
        limit: the connection's limit in bytes.
    """

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(
            ErrorKind.FORMAT_VIOLATION,
            f"{what} is a frame of {size:,} bytes; frames are limited to {limit:,} bytes",
            {"size": size, "limit": limit},
        )
        self.size = size
        self.limit = limit


def size_over(data: str | bytes, limit: int | None) -> int | None:
    """The size of ``data`` in bytes of UTF-8 when it is over ``limit`` (None: no limit),
    else None. Cheap for text that cannot be over (four bytes a character at most)."""
    if limit is None:
        return None
    if isinstance(data, bytes):
        return len(data) if len(data) > limit else None
    if len(data) * 4 <= limit:
        return None
    size = len(data.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def socket_limit(max_frame_bytes: int | None) -> int | None:
    """The ``max_size`` of a WebSocket carrying frames of at most ``max_frame_bytes``: room
    to read a frame somewhat over the limit and answer it (see the module docstring)."""
    return None if max_frame_bytes is None else max_frame_bytes * SOCKET_HEADROOM
