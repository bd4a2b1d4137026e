"""What an OCPP 2.0.1 case against a charging station works with (:class:`StationCaseV201`): the
station's device model and reports (``device_v201.py``), its transactions and the
reusable states of Part 6 around them (``transactions_v201.py``), and here the states
that are not a transaction's: Booted (a power cycle or a Reset, B01, B11), Unavailable
(ChangeAvailability Inoperative, G03, G04) and Reserved (ReserveNow, H01), each undone when
the case ends, as Part 6's general preconditions want every case to begin (section 2.1: idle,
available, no reservation, no profile, no display message, no custom monitor).

The tags the cases present are ISO14443 cards (Part 5 feature C-30); the central system the
suite plays knows them (``answers.py``, in 2.0.1's words).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Collection
from typing import Any, cast

from chargeyard import loop_clock
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.record import CaseLog
from chargeyard.conformance.station_under_test.case import Bench
from chargeyard.conformance.station_under_test.device_v201 import id_token
from chargeyard.conformance.station_under_test.handshake import Connection
from chargeyard.conformance.station_under_test.inbox import Received
from chargeyard.conformance.station_under_test.transactions_v201 import TransactionMovesV201
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
SECURITY_BOOT_EVENTS = ("StartupOfTheDevice", "ResetOrReboot")
"""The SecurityEventNotification types of a boot (critical events, A04.FR.01)."""
STATUS_ACTIONS = ("StatusNotification", "NotifyEvent")
"""How a station reports a connector's status (G01)."""
_RESERVATIONS = itertools.count(1)
BOOT_QUIET_S = 0.3
"""How long no status ends the reports of a boot the case found just done."""


def in_seconds(seconds: float) -> str:
    """A wire timestamp ``seconds`` from now."""
    moment = loop_clock.now() + dt.timedelta(seconds=seconds)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def availability(
    evse: int | None, connector: int | None, operational: v201.OperationalStatusEnumType
) -> tuple[v201.ChangeAvailabilityRequest, str]:
    """ChangeAvailability's payload for the station (no evse), an EVSE or a connector, and
    the same in words."""
    payload: v201.ChangeAvailabilityRequest = {"operationalStatus": operational}
    if evse is None:
        return payload, "the charging station"
    payload["evse"] = {"id": evse} if connector is None else {"id": evse, "connectorId": connector}
    where = f"EVSE {evse}" if connector is None else f"connector {connector} of EVSE {evse}"
    return payload, where


class StationCaseV201(TransactionMovesV201):
    """The context of one OCPP 2.0.1 case against a charging station (module docstring)."""

    def __init__(self, bench: Bench, log: CaseLog) -> None:
        super().__init__(bench, log)
        # Registered first, so run last: the transactions the case's tidying up stopped
        # (and whose cables it pulled) are awaited to end.
        self.on_close("transactions ended", self._transactions_ended)
        self._stopping: set[int | str] = set()

    async def ready(self) -> Connection:
        """The station connected and registered, and done reporting its connectors after its
        last boot (B01.FR.05), so that a case's first act finds it in service."""
        connection = await super().ready()
        everything = self.peer.received(since=0)
        boots = [i for i, item in enumerate(everything) if item.action == "BootNotification"]
        if boots:
            wanted = len(self.connectors())

            def reported() -> bool:
                after = self.peer.received(since=boots[-1])
                return sum(item.action in STATUS_ACTIONS for item in after) >= wanted

            await self.peer.until(reported, self.step_s)
            await self._quiet_after(everything[boots[-1]])
        return connection

    async def _quiet_after(self, boot: Received) -> None:
        """Right after a boot, the statuses of every connector may still be on their way
        (how many there are is only known from them): until none has come for a while."""
        quiet = BOOT_QUIET_S
        while loop_clock.monotonic() - boot.at < 2 * quiet:
            if not await self.peer.until(self._more_statuses(len(self.peer.statuses)), quiet):
                return

    def _more_statuses(self, count: int) -> Callable[[], bool]:
        return lambda: len(self.peer.statuses) > count

    # -- Booted (B01, B11) ------------------------------------------------------------------

    async def booted(
        self,
        *,
        reset: v201.ResetEnumType | None = None,
        reasons: Collection[str] | None = None,
        status: str | dict[tuple[int, int], str] = "Available",
        since: int | None = None,
    ) -> ReceivedView[v201.BootNotificationRequest]:
        """Reusable State Booted: the station is power cycled (or reset, ``reset`` being the
        Reset type, Accepted), boots (BootNotification, its reason one of ``reasons``: PowerUp
        after a power cycle, RemoteReset after a reset), reports every connector ``status``
        once Accepted (B01.FR.05) and tells of its start (SecurityEventNotification, a
        critical security event: A04.FR.01). Returns the BootNotification."""
        self.connectors()  # what is known of them before they go
        start = self.mark() if since is None else since
        if reset is not None:
            self.step(f"The central system resets the station ({reset}): it boots again")
            await self.order("Reset", {"type": reset}, "Accepted")
            wanted = tuple(reasons or ("RemoteReset",))
        else:
            self.step("The station is switched off and on: it boots again")
            await self.power_cycle()
            wanted = tuple(reasons or ("PowerUp",))
        boot = await self.expect(
            "BootNotification", since=start, within=self.target.connect_s, reconnects=True
        )
        self.log.check(
            f"BootNotification's reason is {' or '.join(wanted)}",
            boot.payload.get("reason") in wanted,
            weight=Weight.SPEC,
            expected=" or ".join(wanted),
            observed=boot.payload.get("reason"),
        )
        self.step("Accepted, it reports every connector and tells of its start")
        await self.every_connector(status, since=start)
        await self.maybe(
            "SecurityEventNotification",
            "the station tells of its start: SecurityEventNotification StartupOfTheDevice or"
            " ResetOrReboot (A04.FR.01: critical security events)",
            where=lambda r: r.payload.get("type") in SECURITY_BOOT_EVENTS,
            since=start,
        )
        return boot

    # -- Unavailable (G03, G04) -------------------------------------------------------------

    async def unavailable(self, evse: int | None = None, connector: int | None = None) -> None:
        """Reusable State Unavailable: ChangeAvailability Inoperative of the station (None),
        an EVSE or a connector, Accepted; the connectors concerned report Unavailable. The
        case's end makes them Operative again."""
        payload, where = availability(evse, connector, "Inoperative")

        async def operative() -> None:
            back, _ = availability(evse, connector, "Operative")
            await self.ask("ChangeAvailability", back)

        self.on_close(f"operative {where}", operative)
        self.step(f"The central system makes {where} Inoperative: Unavailable")
        await self.order("ChangeAvailability", payload, "Accepted")
        for evse_id, connector_id in self.concerned(evse, connector):
            await self.connector_status("Unavailable", evse_id, connector_id)

    def concerned(self, evse: int | None, connector: int | None) -> list[tuple[int, int]]:
        """The connectors of the station (None), of an EVSE, or the one named."""
        return [
            (e, c)
            for e, c in self.connectors()
            if (evse is None or e == evse) and (connector is None or c == connector)
        ]

    # -- Reserved (H01) ---------------------------------------------------------------------

    async def reserved(
        self,
        evse: int | None = 1,
        tag: str | None = None,
        *,
        expiry_s: float = 3600,
        group: str | None = None,
        connector_type: str | None = None,
        reservation_id: int | None = None,
        expected: str = "Accepted",
        reports: bool = True,
    ) -> int:
        """Reusable State Reserved: ReserveNow of ``evse`` (None: any EVSE; with
        ``connector_type``, a connector of that type) for ``tag`` (and its ``group``),
        answered ``expected``; once Accepted the EVSE's connectors report Reserved (not
        ``reports``: the case looks itself). The case's end cancels it. Returns the
        reservation id (``reservation_id``: a reservation to replace)."""
        number = reservation_id if reservation_id is not None else next(_RESERVATIONS)
        tag = tag or self.tags.valid
        payload: v201.ReserveNowRequest = {
            "id": number,
            "expiryDateTime": in_seconds(expiry_s),
            "idToken": id_token(tag),
        }
        if evse is not None:
            payload["evseId"] = evse
        if group is not None:
            payload["groupIdToken"] = id_token(group, "Central")
        if connector_type is not None:
            # The station's own word for its connector (Connector.ConnectorType), sent back
            # as it is: one outside ConnectorEnumType is the station's to refuse.
            payload["connectorType"] = cast("v201.ConnectorEnumType", connector_type)

        async def cancel() -> None:
            await self.ask("CancelReservation", {"reservationId": number})

        self.on_close(f"reservation {number}", cancel)
        where = f"EVSE {evse}" if evse is not None else "any EVSE"
        if connector_type is not None:
            where += f" with a {connector_type} connector"
        self.step(f"The central system reserves {where} for {tag}: {expected}")
        await self.order("ReserveNow", payload, expected)
        if evse is not None and reports and expected == "Accepted":
            for evse_id, connector_id in self.concerned(evse, None):
                await self.connector_status("Reserved", evse_id, connector_id)
        return number

    # -- tidying up -------------------------------------------------------------------------

    async def tidy(self) -> None:
        """A transaction the case left running is stopped remotely (F03); its cable is
        pulled by the undo list, after which its end is awaited."""
        self._stopping = set(self.books.transactions)
        if not self._stopping or not await self.peer.until(
            lambda: self.peer.connection is not None and self.peer.registered, self.step_s
        ):
            return
        for transaction_id in self._stopping:
            # The books hold the station's ids, strings in 2.0.1 (TransactionType).
            if isinstance(transaction_id, str):
                await self.ask("RequestStopTransaction", {"transactionId": transaction_id})

    async def _transactions_ended(self) -> None:
        if self._stopping:
            await self.peer.until(
                lambda: not any(t in self.books.transactions for t in self._stopping),
                self.step_s,
            )

    async def close(self) -> None:
        await super().close()
        self.check_transactions()
