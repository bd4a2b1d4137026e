"""A value a station sends cannot forge a line of the central system's log: control characters
in what is logged (a BootNotification's vendor with a newline and a terminal escape) are written
escaped, on the one line of their event (``chargeyard/logs.py``)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect

from chargeyard import logs
from chargeyard.csms.server import CsmsServer
from tests.csms.wire import exchange, url

# A forged line after the newline, and an escape that erases the terminal's line; within the
# vendor's 20 characters (CiString20Type).
FORGED = "A\nINFO CP-9 ok\x1b[2K"
ESCAPED = "A\\nINFO CP-9 ok\\x1b[2K"


@pytest.fixture
def command_log() -> Iterator[io.StringIO]:
    """What the log setup of ``chargeyard csms`` writes (to stderr: here, to a buffer), put
    back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    factory = logging.getLogRecordFactory()
    root.handlers = []
    logs.configure_logging("info")
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    handler.setStream(written)
    yield written
    for handler in root.handlers:
        handler.close()
    root.handlers = handlers
    root.setLevel(level)
    logging.setLogRecordFactory(factory)


@pytest.mark.parametrize(
    ("subprotocol", "boot"),
    [
        ("ocpp1.6", {"chargePointVendor": FORGED, "chargePointModel": "P30"}),
        (
            "ocpp2.0.1",
            {"reason": "PowerUp", "chargingStation": {"vendorName": FORGED, "model": "P30"}},
        ),
    ],
)
async def test_b01_a_vendor_with_a_newline_and_an_escape_is_one_escaped_log_line(
    csms: CsmsServer, command_log: io.StringIO, subprotocol: str, boot: dict[str, object]
) -> None:
    async with connect(url(csms), subprotocols=[subprotocol]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "b1", "BootNotification", boot])
    assert answer[2]["status"] == "Accepted"

    written = command_log.getvalue().splitlines()
    booted = [line for line in written if "CP-1 booted" in line]
    assert len(booted) == 1, written
    assert booted[0].endswith(f"{ESCAPED} P30")
    assert not [line for line in written if "CP-9" in line and "CP-1" not in line]
    assert all("\x1b" not in line for line in written)


def test_values_are_escaped_and_templates_and_numbers_kept() -> None:
    assert logs.escape_control("plain é 中") == "plain é 中"
    assert logs.escape_control("a\r\nb\x00\x7f\x85\u202e\u2028") == (
        "a\\r\\nb\\x00\\x7f\\x85\\u202e\\u2028"
    )
    assert logs.escaped_args(("x\ny", 3, 2.5, None, ValueError("bad\nvalue"))) == (
        "x\\ny",
        3,
        2.5,
        None,
        "bad\\nvalue",
    )
    assert logs.escaped_args({"vendor": "x\x1b[1m"}) == {"vendor": "x\\x1b[1m"}
