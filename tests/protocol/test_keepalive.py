"""The keepalive's rule both ends of a connection follow (``protocol/keepalive.py``)."""

from __future__ import annotations

import pytest

from chargeyard.protocol.keepalive import keepalive_step


@pytest.mark.parametrize(
    ("pinged", "reads", "heard_at", "now", "step"),
    [
        (None, 3, 100.0, 130.0, 160.0),  # spoke 30 s ago: looked at again 60 s after that
        (None, 3, 100.0, 160.0, "ping"),  # silent for the interval
        (3, 3, 100.0, 220.0, "fail"),  # pinged at 3 reads, nothing since
        (3, 4, 160.0, 165.0, 220.0),  # the pong (any bytes) came
        (3, 4, 100.0, 220.0, "ping"),  # answered, then silent again
    ],
)
def test_a_due_connection_is_pinged_given_up_or_looked_at_again(
    pinged: int | None, reads: int, heard_at: float, now: float, step: str | float
) -> None:
    assert keepalive_step(pinged, reads, heard_at, now, 60.0) == step
