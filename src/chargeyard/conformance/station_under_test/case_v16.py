"""The moves the OCPP 1.6 Charge Point cases share, on top of :class:`StationCase`: the
configuration read and changed for a case (5.3, 5.8), the status of a connector (4.9), a
driver's session and its messages (4.1, 4.8, 4.10), each with the checks the spec's rules make
of what the station sends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chargeyard.conformance.endings import CaseEnded, NotApplicable
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.exchanges import v16 as exchanges_v16
from chargeyard.conformance.station_under_test.case import StationCase, is_timestamp
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v16

Payload = dict[str, Any]


class StationCaseV16(StationCase):
    """The context of a 1.6 Charge Point case (see the module docstring)."""

    if TYPE_CHECKING:
        # The moves of StationCase take any action and a plain dict; here they take the
        # version's actions and their generated message types (conformance/exchanges).
        call: exchanges_v16.CentralCall  # type: ignore[assignment]
        ask: exchanges_v16.CentralAsk  # type: ignore[assignment]
        order: exchanges_v16.CentralOrder  # type: ignore[assignment]
        expect: exchanges_v16.CentralExpect  # type: ignore[assignment]

    # -- configuration (sections 5.3, 5.8, 9) ----------------------------------------------

    async def configuration(self, keys: list[str] | None = None) -> dict[str, str | None]:
        """GetConfiguration of ``keys`` (None: all): each known key's value (None: it has
        none)."""
        answer = await self.call("GetConfiguration", {"key": keys} if keys else {})
        return {
            entry.get("key", ""): entry.get("value")
            for entry in answer.get("configurationKey") or []
        }

    async def learnt(self, key: str) -> str | None:
        """A configuration key's value as the station reported it at first need (kept for
        the run: keys a case does not change, such as NumberOfConnectors)."""
        learnt = self.bench.learnt
        if key not in learnt:
            learnt[key] = (await self.configuration([key])).get(key)
        value = learnt[key]
        return value if isinstance(value, str) else None

    async def connectors(self) -> int:
        """NumberOfConnectors (section 9.1.20; 1 when the station does not say)."""
        value = await self.learnt("NumberOfConnectors")
        return int(value) if value is not None and value.isdigit() else 1

    async def requires_profile(self, profile: str) -> None:
        """Raise :class:`NotApplicable` unless the station has ``profile``
        (SupportedFeatureProfiles, section 9.1.29)."""
        if profile not in await self.profiles():
            raise NotApplicable(f"the station does not support the {profile} profile")

    async def profiles(self) -> set[str]:
        value = await self.learnt("SupportedFeatureProfiles") or ""
        return {part.strip() for part in value.split(",") if part.strip()}

    async def configure(
        self,
        key: str,
        value: str,
        *,
        accepted: tuple[str, ...] = ("Accepted",),
        optional: bool = False,
    ) -> str:
        """ChangeConfiguration of ``key`` to ``value`` (section 5.3), checked to be answered
        one of ``accepted``; the case's end sets the value it had before. ``optional``: a key
        section 9 says a station may lack, which then lacks what the case tests.

        Raises:
            NotApplicable: an optional key the station does not have.
            CaseEnded: the station answered otherwise: what the case goes on to observe
                depends on the setting, so it ends there (as a refused SetVariables ends a
                2.0.1 case), rather than waiting for what the station said it will not do.
        """
        name = f"configuration {key}"
        if all(existing != name for existing, _ in self._undo):
            known = await self.configuration([key])
            if optional and key not in known:
                raise NotApplicable(f"the station has no {key} (section 9: it is optional)")
            before = known.get(key)
            if before is not None:

                async def restore() -> None:
                    await self.ask("ChangeConfiguration", {"key": key, "value": before})

                self.on_close(name, restore)
        answer = await self.order(
            "ChangeConfiguration", {"key": key, "value": value}, accepted, of=key
        )
        status = str(answer.get("status"))
        if status not in accepted:
            raise CaseEnded(f"the station answered ChangeConfiguration of {key} {status}")
        return status

    # -- what the station reports (sections 4.9, 4.1, 4.8, 4.10) ---------------------------

    async def status(
        self,
        connector: int,
        status: str,
        *,
        error_code: str | None = "NoError",
        since: int | None = None,
        within: float | None = None,
        reconnects: bool = False,
    ) -> ReceivedView[v16.StatusNotificationRequest]:
        """The StatusNotification of ``connector`` with ``status`` (section 4.9); its
        errorCode checked to be ``error_code`` (None: any) and its timestamp, if any, to be
        one."""
        item = await self.expect(
            "StatusNotification",
            where=lambda r: (
                r.payload.get("connectorId") == connector and r.payload.get("status") == status
            ),
            what=f"StatusNotification of connector {connector} {status}",
            since=since,
            within=within,
            reconnects=reconnects,
        )
        if error_code is not None:
            self.log.check(
                f"StatusNotification of connector {connector} {status} says errorCode {error_code}",
                item.payload.get("errorCode") == error_code,
                weight=Weight.SPEC,
                expected=error_code,
                observed=item.payload.get("errorCode"),
            )
        if "timestamp" in item.payload:
            self._timestamp("StatusNotification", item.payload["timestamp"])
        return item

    def _timestamp(self, action: str, value: Any) -> None:
        self.log.check(
            f"{action}'s timestamp is a date-time with a zone",
            is_timestamp(value),
            weight=Weight.SPEC,
            expected="RFC 3339 with a zone",
            observed=value,
        )

    async def expect_authorize(
        self, tag: str, *, since: int | None = None
    ) -> ReceivedView[v16.AuthorizeRequest]:
        """Authorize.req of ``tag`` (section 4.1)."""
        return await self.expect(
            "Authorize",
            where=lambda r: r.payload.get("idTag") == tag,
            what=f"Authorize of {tag}",
            since=since,
        )

    async def expect_start(
        self,
        tag: str,
        connector: int = 1,
        *,
        reservation_id: int | None = None,
        since: int | None = None,
        within: float | None = None,
        reconnects: bool = False,
    ) -> int:
        """StartTransaction.req of ``tag`` on ``connector`` (section 4.8, 6.45), with its
        checks; returns the transactionId the central system gave."""
        item = await self.expect(
            "StartTransaction",
            where=lambda r: r.payload.get("idTag") == tag,
            what=f"StartTransaction of {tag}",
            since=since,
            within=within,
            reconnects=reconnects,
        )
        payload = item.payload
        self.log.check(
            f"StartTransaction names connector {connector}",
            payload.get("connectorId") == connector,
            expected=connector,
            observed=payload.get("connectorId"),
        )
        meter_start = payload.get("meterStart")
        self.log.check(
            "StartTransaction's meterStart is a reading in Wh (0 or more)",
            isinstance(meter_start, int) and meter_start >= 0,
            weight=Weight.SPEC,
            expected=">= 0",
            observed=meter_start,
        )
        self._timestamp("StartTransaction", payload.get("timestamp"))
        if reservation_id is not None:
            # Section 4.8: "If this transaction ends a reservation ... MUST contain the
            # reservationId".
            self.log.check(
                "StartTransaction names the reservation it ends",
                payload.get("reservationId") == reservation_id,
                expected=reservation_id,
                observed=payload.get("reservationId"),
            )
        if item.answer is None or not isinstance(item.answer.get("transactionId"), int):
            raise CaseEnded("the central system gave the StartTransaction no transactionId")
        transaction_id: int = item.answer["transactionId"]
        self.bench.learnt[f"meterStart {transaction_id}"] = meter_start
        return transaction_id

    async def expect_stop(
        self,
        transaction_id: int,
        *,
        reason: str | None = None,
        id_tag: str | None = None,
        since: int | None = None,
        within: float | None = None,
        reconnects: bool = False,
    ) -> ReceivedView[v16.StopTransactionRequest]:
        """StopTransaction.req of ``transaction_id`` (section 4.10, 6.49) with its checks:
        ``reason`` (Local when absent, section 7.39), ``id_tag`` when given, meterStop not
        below meterStart."""
        item = await self.expect(
            "StopTransaction",
            where=lambda r: r.payload.get("transactionId") == transaction_id,
            what=f"StopTransaction of transaction {transaction_id}",
            since=since,
            within=within,
            reconnects=reconnects,
        )
        payload = item.payload
        if reason is not None:
            observed = payload.get("reason", "Local")
            self.log.check(
                f"StopTransaction gives the reason {reason}",
                observed == reason,
                weight=Weight.SPEC,
                expected=reason,
                observed=observed,
            )
        if id_tag is not None:
            self.log.check(
                f"StopTransaction names {id_tag}, who stopped it",
                payload.get("idTag") == id_tag,
                weight=Weight.SPEC,
                expected=id_tag,
                observed=payload.get("idTag"),
            )
        start = self.bench.learnt.get(f"meterStart {transaction_id}")
        meter_stop = payload.get("meterStop")
        if isinstance(start, int):
            self.log.check(
                "StopTransaction's meterStop is not below the transaction's meterStart",
                isinstance(meter_stop, int) and meter_stop >= start,
                weight=Weight.SPEC,
                expected=f">= {start}",
                observed=meter_stop,
            )
        self._timestamp("StopTransaction", payload.get("timestamp"))
        return item

    # -- a driver's session -----------------------------------------------------------------

    async def session(self, tag: str | None = None, connector: int = 1) -> int:
        """A driver's session under way: plugged in (Preparing), the tag presented and
        authorized (Authorize), the transaction started (StartTransaction, Charging);
        returns the transactionId."""
        tag = tag or self.tags.valid
        self.step(f"The EV is plugged into connector {connector}: Preparing")
        await self.plug(connector)
        await self.status(connector, "Preparing")
        self.step(f"The driver presents {tag}: Authorize, StartTransaction, Charging")
        await self.present(tag, connector)
        await self.expect_authorize(tag)
        transaction_id = await self.expect_start(tag, connector)
        await self.status(connector, "Charging")
        return transaction_id

    async def stop_by_tag(self, transaction_id: int, tag: str, connector: int = 1) -> None:
        """The driver presents ``tag`` again: StopTransaction (Local, with the tag),
        Finishing; then unplugs: Available (sections 4.9, 4.10)."""
        self.step(f"The driver presents {tag} again: StopTransaction (Local), Finishing")
        await self.present(tag, connector)
        await self.expect_stop(transaction_id, reason="Local", id_tag=tag)
        await self.status(connector, "Finishing")
        await self.unplugged(connector)

    async def unplugged(self, connector: int = 1) -> None:
        self.step(f"The cable is unplugged from connector {connector}: Available")
        await self.unplug(connector)
        await self.status(connector, "Available")

    # -- tidying up -------------------------------------------------------------------------

    async def tidy(self) -> None:
        """A transaction the case left running is stopped remotely (5.12), and its
        StopTransaction awaited, before the cables go."""
        # The books hold the ids the suite gave, integers in 1.6 (section 6.46).
        open_ = [t for t in self.books.transactions if isinstance(t, int)]
        if not open_ or not await self.peer.until(
            lambda: self.peer.connection is not None and self.peer.registered, self.step_s
        ):
            return
        for transaction_id in open_:
            await self.ask("RemoteStopTransaction", {"transactionId": transaction_id})
        await self.peer.until(
            lambda: not any(t in self.books.transactions for t in open_), self.step_s
        )
