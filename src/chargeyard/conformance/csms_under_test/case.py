"""What a case against a CSMS works with: the scripted station, the log, the trigger, and the
moves cases share, each recording its checks. :class:`CsmsCaseBase` holds what every version
does alike (connect, reconnect, a CALL and its answer, an order to the CSMS through the trigger,
an id tag the CSMS knows); :class:`CsmsCase` adds the OCPP 1.6 moves (boot, statuses, a
transaction), ``case_v201.py`` the 2.0.1 ones.

The target (:class:`CsmsTarget`) is what the command line names: where the CSMS listens, the
identity it knows the station by, and the id tags it knows (made by the trigger where it can).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from chargeyard import loop_clock
from chargeyard.conformance.answer import Answer
from chargeyard.conformance.csms_under_test.peer import StationPeer
from chargeyard.conformance.csms_under_test.tls import StationTls
from chargeyard.conformance.csms_under_test.triggers import (
    TAG_OPTIONS,
    TRIGGER_NEED,
    Acting,
    Trigger,
)
from chargeyard.conformance.endings import CaseEnded, NotActed, NothingCame
from chargeyard.conformance.exchanges import CallView
from chargeyard.conformance.exchanges import v16 as exchanges_v16
from chargeyard.conformance.record import CaseLog
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol import VersionSpec
from chargeyard.protocol.frames import Call
from chargeyard.protocol.messages import v16

Payload = dict[str, Any]
MASTER_PASS_NEED = "a master pass id tag and its group (--master-pass-id-tag, --master-pass-group)"
"""What a 2.0.1 master pass case (C16) lacks without a trigger that makes the tag."""
ORDER_GRACE_S = 5.0
"""How long, once a step's CALL did not come, the order may take to say why it failed."""

# The configuration a 1.6 station reports (GetConfiguration) and takes (ChangeConfiguration):
# the Core profile's required keys (OCPP 1.6 section 9.1) with plain values.
STATION_CONFIGURATION_16: dict[str, tuple[str, bool]] = {
    "AuthorizeRemoteTxRequests": ("false", False),
    "ClockAlignedDataInterval": ("0", False),
    "ConnectionTimeOut": ("60", False),
    "ConnectorPhaseRotation": ("NotApplicable", False),
    "GetConfigurationMaxKeys": ("50", True),
    "HeartbeatInterval": ("300", False),
    "LocalAuthorizeOffline": ("true", False),
    "LocalPreAuthorize": ("false", False),
    "MeterValuesAlignedData": ("Energy.Active.Import.Register", False),
    "MeterValuesSampledData": ("Energy.Active.Import.Register", False),
    "MeterValueSampleInterval": ("60", False),
    "NumberOfConnectors": ("1", True),
    "ResetRetries": ("1", False),
    "StopTransactionOnEVSideDisconnect": ("true", False),
    "StopTransactionOnInvalidId": ("true", False),
    "StopTxnAlignedData": ("", False),
    "StopTxnSampledData": ("", False),
    "SupportedFeatureProfiles": ("Core,LocalAuthListManagement,RemoteTrigger", True),
    "TransactionMessageAttempts": ("3", False),
    "TransactionMessageRetryInterval": ("60", False),
    "UnlockConnectorOnEVSideDisconnect": ("true", False),
}

# What the station answers to a CALL no step expects (a station keeps working meanwhile).
DEFAULT_ANSWERS_16: dict[str, Payload] = {
    "ChangeAvailability": {"status": "Accepted"},
    "ChangeConfiguration": {"status": "Accepted"},
    "ClearCache": {"status": "Accepted"},
    "DataTransfer": {"status": "UnknownVendorId"},
    "GetLocalListVersion": {"listVersion": 0},
    "TriggerMessage": {"status": "NotImplemented"},
}


@dataclass(frozen=True, slots=True)
class IdTags:
    """The id tags the CSMS knows, as the cases need them (made by the trigger where it can).
    ``invalid`` must be unknown to the CSMS; ``valid2`` is a second valid tag, in the same
    group (``group``, its groupIdToken) as ``valid`` where a case needs one (2.0.1 C09);
    ``master_pass`` is a valid tag whose group is ``master_pass_group`` (2.0.1 C16).

    ``stated``: the statuses (``Accepted``, ``Invalid``, ``Expired``, ``Blocked``, ``Grouped``
    for ``valid`` and ``valid2`` under ``group``, and ``MasterPass`` for ``master_pass`` under
    ``master_pass_group``) whose tags the command line named. The user configured the CSMS
    so, and the suite trusts it: a case needing such a tag runs without a trigger."""

    valid: str = "CY-CONF-OK"
    invalid: str = "CY-CONF-NONE"
    expired: str = "CY-CONF-OLD"
    blocked: str = "CY-CONF-BLOCK"
    valid2: str = "CY-CONF-OK2"
    group: str = "CY-CONF-GROUP"
    master_pass: str = "CY-CONF-MASTER"
    master_pass_group: str = "CY-CONF-MASTERPASS"
    stated: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CsmsTarget:
    """The CSMS under test. ``step_s``: how long a step waits for the CSMS; ``tls``: what
    the station trusts and presents on a ``wss://`` URL (``tls.py``)."""

    url: str
    identity: str
    version: VersionSpec
    trigger: Trigger | None = None
    password: str | None = None
    id_tags: IdTags = IdTags()
    step_s: float = 30.0
    tls: StationTls | None = None

    @property
    def secure(self) -> bool:
        """Whether the CSMS is reached over TLS (security profile 2 or 3)."""
        return self.url.lower().startswith("wss://")


def now() -> str:
    """The current time as a station writes it (UTC, milliseconds, ``Z``)."""
    return loop_clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def later(minutes: float) -> str:
    """A time ``minutes`` from now (before now, if negative), as the wire writes it."""
    moment = loop_clock.now() + timedelta(minutes=minutes)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def is_timestamp(value: Any) -> bool:
    """Whether ``value`` is an RFC 3339 date-time with a zone (OCPP-J 1.6 section 3.1.2 asks
    for UTC)."""
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


class CsmsCaseBase:
    """The context of one case against a CSMS, whatever its version: a version's subclass sets
    ``default_answers`` and adds its moves."""

    default_answers: ClassVar[Mapping[str, Payload]] = {}
    """What the station answers to a CALL no step expects (a station keeps working
    meanwhile), in the version's words."""

    def __init__(self, target: CsmsTarget, log: CaseLog) -> None:
        self.target = target
        self.log = log
        self.password = target.password
        self.peer = self._new_peer()
        self._acting: Acting | None = None

    def _new_peer(
        self, username: str | None = None, tls: ssl.SSLContext | None = None
    ) -> StationPeer:
        """A new connection of the station (not yet open); ``tls``: another context than the
        target's (a case that bends TLS)."""
        target = self.target
        if tls is None and target.secure and target.tls is not None:
            tls = target.tls.context()
        return StationPeer(
            target.url,
            target.identity,
            target.version,
            self.log,
            password=self.password,
            username=username,
            default_answers=self.default_answers,
            tls=tls,
        )

    @property
    def tags(self) -> IdTags:
        return self.target.id_tags

    async def connect(self) -> None:
        """Open the WebSocket; the CSMS must agree on the version (OCPP-J 1.6 section 3.1.2,
        2.0.1 Part 4 section 3.1)."""
        chosen = await self.peer.connect()
        wanted = self.target.version.subprotocol
        if not self.log.check(
            "the CSMS accepts the station's OCPP version in the handshake",
            chosen == wanted,
            expected=wanted,
            observed=chosen,
        ):
            raise CaseEnded(f"the CSMS chose subprotocol {chosen!r}, not {wanted!r}")

    async def reconnect(self) -> None:
        """A new connection, as after a reboot or a lost network (``self.password`` may have
        changed meanwhile)."""
        await self.peer.close()
        self.peer = self._new_peer()
        await self.connect()

    async def close(self) -> None:
        await self.peer.close()

    async def call(self, action: str, payload: Payload) -> Payload:
        """Send a CALL; its answer must be a CALLRESULT (a CALLERROR fails the case)."""
        answer = await self.peer.call(action, payload, within=self.target.step_s)
        self._answered(action, answer)
        assert answer.payload is not None
        return answer.payload

    def _answered(self, action: str, answer: Answer) -> None:
        if not self.log.check(
            f"the CSMS answers {action} with a CALLRESULT",
            not answer.is_error,
            expected="CALLRESULT",
            observed=f"CALLERROR {answer.error_code}: {answer.error_description}"
            if answer.is_error
            else "CALLRESULT",
        ):
            raise CaseEnded(f"the CSMS answered {action} with CALLERROR {answer.error_code}")

    async def tag(self, status: str) -> str:
        """The id tag the CSMS knows with ``status`` (Invalid: unknown), made so by the
        trigger where it can.

        Raises:
            NotActed: the tag cannot be set up.
        """
        tag = {
            "Accepted": self.tags.valid,
            "Invalid": self.tags.invalid,
            "Expired": self.tags.expired,
            "Blocked": self.tags.blocked,
        }[status]
        if status in self.tags.stated:
            return tag  # the user configured the CSMS so (IdTags.stated)
        if self.target.trigger is None:
            raise NotActed(
                f"no trigger to make the CSMS know id tag {tag} as {status}",
                need=TAG_OPTIONS[status],
            )
        await self.target.trigger.id_tag(tag, status)
        return tag

    async def grouped_tag(self, tag: str, group: str) -> str:
        """``tag``, valid, with ``group`` as its group id (2.0.1 groupIdToken, 1.6
        parentIdTag), made so by the trigger where it can.

        Raises:
            NotActed: the tag cannot be set up.
        """
        tags = self.tags
        master_pass = (tag, group) == (tags.master_pass, tags.master_pass_group)
        stated = "MasterPass" in tags.stated if master_pass else "Grouped" in tags.stated
        if stated and (master_pass or (group == tags.group and tag in {tags.valid, tags.valid2})):
            return tag  # the user configured the CSMS so (IdTags.stated)
        if self.target.trigger is None:
            raise NotActed(
                f"no trigger to make the CSMS know id tag {tag} in group {group}",
                need=MASTER_PASS_NEED if master_pass else TAG_OPTIONS["Grouped"],
            )
        await self.target.trigger.id_tag(tag, "Accepted", group=group)
        return tag

    async def order(self, action: str, payload: Payload, words: str) -> Call:
        """Have the CSMS send ``action`` (through the trigger) and wait for it.

        Raises:
            NotActed: there is no trigger, or a person did not act in time.
            CaseEnded: an automatic trigger took the order and the CALL did not come.
        """
        trigger = self.target.trigger
        if trigger is None:
            raise NotActed(f"no trigger to make the CSMS {words}", need=TRIGGER_NEED)
        acting = trigger.act(self.target.version, self.target.identity, action, payload, words)
        self._acting = acting
        expecting = asyncio.ensure_future(self.peer.expect(action, within=self.target.step_s))
        try:
            await asyncio.wait({expecting, acting}, return_when=asyncio.FIRST_COMPLETED)
            if not expecting.done() and _problem(acting) is not None:
                # The trigger said the order did not go through: the CALL that proves
                # otherwise may still be on its way (a CSMS that sent it, then failed), so
                # it gets a little longer, not the whole step.
                await asyncio.wait({expecting}, timeout=ORDER_GRACE_S)
                if not expecting.done():
                    raise _problem(acting) or NotActed(words)
            return await expecting
        except NothingCame:
            if not acting.done():
                # The order is still on its way (a loaded API, a slow hook): the step counts
                # from the order, so the CSMS's CALL gets the order's grace too.
                with contextlib.suppress(NothingCame):
                    return await self.peer.expect(action, within=ORDER_GRACE_S)
            # Why nothing came: the order may still be on its way back (a hook that refused
            # answers after a loaded moment), so it gets a little longer to say.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ORDER_GRACE_S):
                    await asyncio.wait({acting})
            problem = _problem(acting)
            if problem is not None:
                raise problem from None
            if trigger.interactive:
                raise NotActed(
                    f"the CSMS did not {words} within {self.target.step_s:g} s"
                ) from None
            raise
        finally:
            if not expecting.done():
                expecting.cancel()
                with contextlib.suppress(asyncio.CancelledError, CaseEnded):
                    await expecting

    async def answered(self, call: CallView[object], payload: Payload) -> None:
        await self.peer.answer(call, payload)

    async def order_done(self) -> None:
        """Wait (a step's time at most) for the last order to come back from the trigger: a
        CSMS's API or hook that sent a CALL answers once the CSMS has taken the station's
        answer, which a step that depends on it (a password the station took) waits for."""
        if self._acting is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.target.step_s):
                await asyncio.wait({self._acting})


def _problem(acting: Acting) -> NotActed | None:
    """Why the trigger's order did not go through, once it says (None: it went, or has not
    said yet)."""
    if not acting.done() or acting.cancelled():
        return None
    return acting.result()


class CsmsCase(CsmsCaseBase):
    """The context of one OCPP 1.6 case against a Central System."""

    if TYPE_CHECKING:
        # The moves of CsmsCaseBase take any action and a plain dict; here they take the
        # version's actions and their generated message types (conformance/exchanges).
        call: exchanges_v16.StationCall  # type: ignore[assignment]
        order: exchanges_v16.StationOrder  # type: ignore[assignment]

    default_answers = DEFAULT_ANSWERS_16

    # -- the moves cases share --------------------------------------------------------------

    async def boot(self, connectors: int = 1) -> v16.BootNotificationResponse:
        """BootNotification, Accepted, then every connector Available (OCPP 1.6 section 4.2,
        4.9); returns the boot's answer."""
        self.log.step("The station boots: BootNotification")
        answer = await self.call(
            "BootNotification",
            {"chargePointVendor": "chargeyard", "chargePointModel": "conformance"},
        )
        status = answer.get("status")
        self.log.check(
            "the CSMS accepts the station's boot",
            status == "Accepted",
            expected="Accepted",
            observed=status,
        )
        self.log.check(
            "the boot's answer gives a heartbeat interval above 0",
            isinstance(answer.get("interval"), int) and answer["interval"] > 0,
            weight=Weight.SPEC,
            expected="> 0",
            observed=answer.get("interval"),
        )
        self.log.check(
            "the boot's answer tells the current time with a zone",
            is_timestamp(answer.get("currentTime")),
            weight=Weight.SPEC,
            expected="date-time with a zone",
            observed=answer.get("currentTime"),
        )
        if status != "Accepted":
            raise CaseEnded(f"the CSMS answered the boot {status}")
        self.log.step("The station reports its connectors Available: StatusNotification")
        for connector in range(connectors + 1):
            await self.status(connector, "Available")
        return answer

    async def status(
        self,
        connector: int,
        status: v16.StatusNotificationRequestStatus,
        error_code: v16.ErrorCode = "NoError",
    ) -> None:
        await self.call(
            "StatusNotification",
            {
                "connectorId": connector,
                "status": status,
                "errorCode": error_code,
                "timestamp": now(),
            },
        )

    async def authorize(self, tag: str, expected: str = "Accepted") -> None:
        answer = await self.call("Authorize", {"idTag": tag})
        status = answer.get("idTagInfo", {}).get("status")
        self.log.check(
            f"Authorize of {tag} is answered {expected}",
            status == expected,
            expected=expected,
            observed=status,
        )

    async def start_transaction(self, tag: str, connector: int = 1) -> int:
        """StartTransaction, Accepted; returns the transactionId the CSMS gave."""
        answer = await self.call(
            "StartTransaction",
            {"connectorId": connector, "idTag": tag, "meterStart": 0, "timestamp": now()},
        )
        status = answer.get("idTagInfo", {}).get("status")
        self.log.check(
            "StartTransaction's idTagInfo is Accepted",
            status == "Accepted",
            expected="Accepted",
            observed=status,
        )
        transaction_id = answer.get("transactionId")
        if not self.log.check(
            "StartTransaction's answer holds a transactionId",
            isinstance(transaction_id, int),
            expected="an integer",
            observed=transaction_id,
        ):
            raise CaseEnded("the CSMS gave no transactionId")
        assert isinstance(transaction_id, int)
        return transaction_id

    async def meter_values(self, transaction_id: int, wh: int, connector: int = 1) -> None:
        await self.call(
            "MeterValues",
            {
                "connectorId": connector,
                "transactionId": transaction_id,
                "meterValue": [
                    {
                        "timestamp": now(),
                        "sampledValue": [
                            {
                                "value": str(wh),
                                "measurand": "Energy.Active.Import.Register",
                                "unit": "Wh",
                            }
                        ],
                    }
                ],
            },
        )

    async def stop_transaction(
        self,
        transaction_id: int,
        wh: int,
        reason: v16.Reason | None = None,
        tag: str | None = None,
    ) -> None:
        payload: v16.StopTransactionRequest = {
            "transactionId": transaction_id,
            "meterStop": wh,
            "timestamp": now(),
        }
        if reason is not None:
            payload["reason"] = reason
        if tag is not None:
            payload["idTag"] = tag
        answer = await self.call("StopTransaction", payload)
        info = answer.get("idTagInfo")
        if tag is not None and info is not None:
            self.log.check(
                "StopTransaction's idTagInfo is Accepted",
                info.get("status") == "Accepted",
                weight=Weight.SPEC,
                expected="Accepted",
                observed=info.get("status"),
            )

    async def charge(self, tag: str, connector: int = 1) -> int:
        """A transaction under way on ``connector``: started, Charging, one meter value."""
        transaction_id = await self.start_transaction(tag, connector)
        await self.status(connector, "Charging")
        await self.meter_values(transaction_id, 1_000, connector)
        return transaction_id

    async def finish(
        self,
        transaction_id: int,
        reason: v16.Reason | None = None,
        tag: str | None = None,
        connector: int = 1,
    ) -> None:
        """End a transaction as a station does: StopTransaction, Finishing, Available."""
        await self.stop_transaction(transaction_id, 2_000, reason, tag)
        await self.status(connector, "Finishing")
        await self.status(connector, "Available")

    async def booted(self) -> None:
        """Connected and booted, every connector Available."""
        await self.connect()
        await self.boot()

    async def session(self, tag: str, connector: int = 1) -> int:
        """A driver's session under way: the EV plugged in (Preparing), ``tag`` authorized,
        charging (:meth:`charge`); returns the transactionId."""
        await self.status(connector, "Preparing")
        await self.authorize(tag)
        return await self.charge(tag, connector)

    async def remote_start(
        self, tag: str, profile: v16.ChargingProfile | None = None
    ) -> CallView[v16.RemoteStartTransactionRequest]:
        """The Central System's RemoteStartTransaction on connector 1 for ``tag`` (1.6
        section 5.11), with ``profile`` as its chargingProfile; to be answered."""
        self.log.step("The Central System sends RemoteStartTransaction")
        words = f"start a transaction remotely on connector 1 for {tag}"
        payload: v16.RemoteStartTransactionRequest = {"connectorId": 1, "idTag": tag}
        if profile is not None:
            words += " with chargingProfile"
            payload["chargingProfile"] = profile
        call = await self.order("RemoteStartTransaction", payload, words)
        self.log.check(
            "RemoteStartTransaction names the tag",
            call.payload.get("idTag") == tag,
            expected=tag,
            observed=call.payload.get("idTag"),
        )
        return call

    async def remote_stop(self, transaction_id: int) -> CallView[v16.RemoteStopTransactionRequest]:
        """The Central System's RemoteStopTransaction of ``transaction_id`` (1.6 section
        5.12); to be answered."""
        self.log.step("The Central System sends RemoteStopTransaction")
        call = await self.order(
            "RemoteStopTransaction",
            {"transactionId": transaction_id},
            f"stop transaction {transaction_id} remotely",
        )
        self.log.check(
            "RemoteStopTransaction names the running transaction",
            call.payload.get("transactionId") == transaction_id,
            expected=transaction_id,
            observed=call.payload.get("transactionId"),
        )
        return call
