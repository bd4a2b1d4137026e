"""The cases under the RPC framework: the WebSocket (frames of megabytes, binary frames, text
that is not UTF-8; RFC 6455) and the opening handshake (the subprotocol, OCPP-J 1.6 section
3.1.2 and 2.0.1 part 4 section 3.1.2; the Basic password of security profile 1)."""

from __future__ import annotations

from collections.abc import Iterator

from chargeyard.probe.case import Group, HandshakeTry, Ids, Kind, Out, ProbeCase, call
from chargeyard.probe.expected import (
    CallErrorWith,
    ClosedWith,
    Expected,
    Ignored,
    RefusedHandshake,
    ResultFor,
    codes,
)
from chargeyard.protocol import ErrorKind, VersionSpec

OVERSIZED_BYTES = 256 * 1024
"""An oversized frame: four times chargeyard's default limit, far past any OCPP message."""

HUGE_BYTES = 16 * 1024 * 1024
"""A frame no CSMS should read whole (websockets' own default limit is 1 MiB)."""

WRONG_PASSWORD = "probe-wrong-password"


def transport_cases(version: VersionSpec, ids: Ids, password: str | None) -> list[ProbeCase]:
    """The WebSocket's and the handshake's cases of ``version``, in their groups' order."""
    return [*_websocket(version, ids), *_handshakes(version, password)]


def _transfer(unique_id: str, size: int) -> str:
    frame = call(unique_id, "DataTransfer", {"vendorId": "org.chargeyard.probe", "data": ""})
    return frame.replace('"data":""', '"data":"' + "x" * (size - len(frame)) + '"')


def _transfer_bytes(unique_id: str, vendor_id: bytes) -> bytes:
    """A DataTransfer CALL whose vendorId is ``vendor_id`` as it is (UTF-8 or not)."""
    return call(unique_id, "DataTransfer", {"vendorId": "@"}).encode().replace(b"@", vendor_id)


def _websocket(version: VersionSpec, ids: Ids) -> Iterator[ProbeCase]:
    for slug, size in (("oversized", OVERSIZED_BYTES), ("huge", HUGE_BYTES)):
        unique_id = ids()
        yield ProbeCase(
            f"frame-{slug}",
            Group.WEBSOCKET,
            f"a DataTransfer CALL of {size:,} bytes",
            Expected(
                (
                    ResultFor(unique_id),
                    CallErrorWith(codes(version, ErrorKind.FORMAT_VIOLATION), unique_id),
                    ClosedWith((1009,)),
                ),
                "OCPP-J sets no size; a CSMS takes it, answers FormatViolation as B06.FR.17"
                " does for a frame over its limit, or closes with 1009 Message Too Big"
                " (RFC 6455 section 7.4.1)",
            ),
            (Out(_transfer(unique_id, size), awaits=(unique_id,)),),
        )
    binary = ids()
    yield ProbeCase(
        "frame-binary",
        Group.WEBSOCKET,
        "a Heartbeat CALL in a binary frame",
        Expected(
            (Ignored(), ClosedWith((1003,))),
            "OCPP-J messages are JSON text (1.6 section 4; 2.0.1 part 4 section 4):"
            " a binary frame is not answered, or the socket closes with 1003 Unsupported Data"
            " (RFC 6455 section 7.4.1)",
        ),
        (Out(call(binary, "Heartbeat", {}).encode(), Kind.BINARY),),
    )
    broken = ids()
    yield ProbeCase(
        "frame-invalid-utf8",
        Group.WEBSOCKET,
        "a text frame that is not UTF-8",
        Expected(
            (ClosedWith((1007,)),),
            "a text frame that is not UTF-8 fails the WebSocket: close 1007 (RFC 6455 section 8.1)",
        ),
        (Out(_transfer_bytes(broken, b"\xff\xfe"), Kind.RAW_TEXT),),
    )


def _handshakes(version: VersionSpec, password: str | None) -> Iterator[ProbeCase]:
    refused = (RefusedHandshake(),)
    negotiation = (
        "no OCPP version agreed: the CSMS refuses the upgrade, or completes it without a"
        " subprotocol and closes at once (1.6 section 3.1.2; 2.0.1 part 4 section 3.1.2)"
    )
    yield ProbeCase(
        "handshake-no-subprotocol",
        Group.HANDSHAKE,
        "an opening handshake without Sec-WebSocket-Protocol",
        Expected(refused, negotiation),
        handshake=HandshakeTry(None),
    )
    yield ProbeCase(
        "handshake-wrong-subprotocol",
        Group.HANDSHAKE,
        "an opening handshake offering ocpp0.9 only",
        Expected(refused, negotiation),
        handshake=HandshakeTry(["ocpp0.9"]),
    )
    yield ProbeCase(
        "handshake-wrong-password",
        Group.HANDSHAKE,
        "an opening handshake with a wrong Basic password",
        Expected(
            refused,
            "security profile 1: wrong credentials are refused, HTTP 401 (2.0.1 part 2"
            " A00.FR.203; 1.6 security whitepaper section 2.4)",
        ),
        handshake=HandshakeTry([version.subprotocol], password=WRONG_PASSWORD, use_password=False),
        needs=None if password is not None else "--password (the station's Basic password)",
    )
