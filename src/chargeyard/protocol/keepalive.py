"""The WebSocket keepalive's rule, the same at both ends of an OCPP-J connection: the station
pings after WebSocketPingInterval seconds of silence (OCPP-J 1.6 section 5.3, OCPP 2.0.1 part 4
section 5.3), the central system's listener pings to find dead peers, and either gives up on a
ping that nothing answered. Bytes of any kind count as an answer (RFC 6455 section 5.5.2: a
pong comes "as soon as is practical"), and a station that spoke is not pinged.

What was received is told by a count of reads, not by the time: uvloop's clock has a
millisecond's resolution, and a pong on loopback comes sooner.
"""

from __future__ import annotations

from typing import Literal


def keepalive_step(
    pinged: int | None, reads: int, heard_at: float, now: float, interval: float
) -> Literal["fail", "ping"] | float:
    """What a connection due for its keepalive needs, at either end of the socket (the
    listener's ``transport/keepalive.py``, a simulated station's ``fleet/link.py``):
    ``"fail"`` when nothing came back since its ping went (``pinged``: its ``reads`` then;
    None: no ping out), ``"ping"`` when it has been silent for ``interval``, else the time to
    look again (an ``interval`` after its last bytes)."""
    if pinged is not None and reads == pinged:
        return "fail"
    if now - heard_at < interval:
        return heard_at + interval
    return "ping"
