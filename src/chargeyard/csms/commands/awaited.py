"""A request whose answer comes in parts the station sends afterwards (OCPP 2.0.1): ask, then
wait for every part that carries the request's ``requestId``.

GetBaseReport and GetReport (B07, B08: NotifyReport), GetMonitoringReport (N02:
NotifyMonitoringReport), GetChargingProfiles (K09: ReportChargingProfiles), CustomerInformation
with ``report`` (N09: NotifyCustomerInformation) and GetDisplayMessages (block O:
NotifyDisplayMessages) are answered at once with a status; when it is Accepted the parts
follow, and the station's handlers hand them to ``link.reports`` (``csms/reports.py``, across
processes ``csms/cluster/redis_command_state.py``). The report is expected before the request goes
out, since the first part may arrive before the answer is read, and forgotten however the
wait ends.
"""

from __future__ import annotations

import asyncio
import secrets

from chargeyard.csms.commands.base import Charger, Send
from chargeyard.csms.station_calls import StationDidNotAnswer
from chargeyard.protocol import Payload


def new_request_id() -> int:
    """A requestId the central system picks: random, so that ids stay distinct across its
    restarts and its nodes."""
    return secrets.randbelow(2**31)


async def ask_for_parts(
    charger: Charger,
    send: Send,
    action: str,
    payload: Payload,
    notify: str,
    *,
    parts_follow: bool = True,
) -> tuple[Payload, list[Payload] | None]:
    """Send ``action`` with ``payload`` (a requestId is added unless it has one) and, when the
    station answers Accepted and ``parts_follow``, wait for every ``notify`` part.

    Returns:
        The station's answer, and the parts' payloads in order (None when none follow).

    Raises:
        StationDidNotAnswer: the parts did not all come within the command timeout; and what
        ``send`` raises.
    """
    reports, identity = charger.link.reports, charger.identity
    request_id = int(payload.get("requestId", new_request_id()))
    parts = reports.expect(identity, request_id)
    timeout = charger.timeout or charger.link.command_timeout
    try:
        answer = await send(action, {**payload, "requestId": request_id})
        if answer.get("status") != "Accepted" or not parts_follow:
            return answer, None
        try:
            async with asyncio.timeout(timeout):
                return answer, await parts
        except TimeoutError:  # send() answers its own timeout as StationDidNotAnswer
            raise StationDidNotAnswer(identity, notify, timeout) from None
    finally:
        reports.forget(identity, request_id)
