"""A simulated OCPP 1.6-J charge point: one class that owns its feature blocks.

The blocks (``station/blocks.py``), one concept each, with their own state and ``@on``
handlers (OCPP 1.6 section 3's feature profiles, the Core profile in several):

==========================  ======================  ===============================================
attribute                   module                  what it does
==========================  ======================  ===============================================
``core``                    ``core_profile.py``     configuration, Reset, availability, cache,
                                                    DataTransfer, UnlockConnector; faults
``transactions``            ``transactions.py``     sessions: cable, idTag, authorization
``start_stop``              ``start_stop.py``       the transaction, StartTransaction and
                                                    StopTransaction, power-loss reports
``metering``                ``metering.py``         the charging loop, periodic and clock-aligned
                                                    MeterValues
``remote_control``          ``remote_control.py``   RemoteStartTransaction, RemoteStopTransaction
``remote_trigger``          ``remote_trigger.py``   TriggerMessage
``smart_charging``          ``smart_charging.py``   charging profiles, composite schedules
``local_list``              ``local_list.py``       SendLocalList, GetLocalListVersion
``reservations``            ``reservation.py``      ReserveNow, CancelReservation, expiry
``firmware``                ``firmware.py``         UpdateFirmware, GetDiagnostics
``signed_firmware``         ``signed_firmware.py``  SignedUpdateFirmware (the security extension's
                                                    secure firmware update)
``firmware_update``         ``firmware_update.py``  no handlers: the firmware update both run,
                                                    one at a time (shared with 2.0.1)
``security``                ``security.py``         the security log, GetLog, AuthorizationKey
                                                    (the security whitepaper without TLS)
``certificates``            ``certificates.py``     InstallCertificate, GetInstalledCertificateIds,
                                                    DeleteCertificate (the CA certificates);
                                                    SignCertificate, CertificateSigned (its own)
``extended_trigger``        ``extended_trigger.py`` ExtendedTriggerMessage (security extension)
``profile_upgrade``         ``security_profile.py`` SecurityProfile: raised, never lowered
``bench``                   ``bench.py``            no handlers: a tester's reset, message sent
                                                    now, meter values now, configuration read
==========================  ======================  ===============================================

:class:`StationV16` builds them in ``assemble()``. One table in the class ("who hears what")
names, for each lifecycle event (power on, accepted, going down, a connector's status set,
connector 0's reported, a transaction ended, a configuration key changed) and for the one veto
question (may this idTag start a session here?), the block methods that hear it, in the order
they run. The station's methods that ``core.py`` and ``base.py`` call (``on_power_on``,
``set_status``, ``transaction_ended``...) fire them. The station's handler table is the
blocks' tables merged; the gateway's verbs (``station/verbs.py``) stay the station's methods,
delegating to a block, and ``TERMS`` (``terms.py``) is how the outside world's words for a
fault, a setting or the local list become 1.6's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import ClassVar, cast

from chargeyard.protocol import Payload
from chargeyard.protocol.messages import v16
from chargeyard.protocol.router import Handler
from chargeyard.station.blocks import Block, Gate, Hook, check_handlers, merge_handlers
from chargeyard.station.core import OnError, OnResult
from chargeyard.station.faults import Fault, FaultKind, code_16
from chargeyard.station.firmware_update import FirmwareUpdate
from chargeyard.station.model.authorization import IdToken, IdTokenInfo
from chargeyard.station.model.ev import Ev, EvProfile
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Connector, Evse
from chargeyard.station.model.token_reports import TokenDecision
from chargeyard.station.model.vendor_replies import VendorReply
from chargeyard.station.power_loss import OpenTransaction
from chargeyard.station.terms import StationTerms, StoredSetting
from chargeyard.station.v16.base import StationV16Base
from chargeyard.station.v16.bench import BenchV16
from chargeyard.station.v16.certificates import CertificatesV16
from chargeyard.station.v16.core_profile import CoreProfileV16, DataTransferHandler
from chargeyard.station.v16.extended_trigger import ExtendedTriggerV16
from chargeyard.station.v16.firmware import RULES_16, FirmwareManagementV16
from chargeyard.station.v16.local_list import LocalAuthListV16
from chargeyard.station.v16.metering import MeteringV16
from chargeyard.station.v16.remote_control import RemoteControlV16
from chargeyard.station.v16.remote_trigger import RemoteTriggerV16
from chargeyard.station.v16.reservation import ReservationV16
from chargeyard.station.v16.security import SecurityV16
from chargeyard.station.v16.security_profile import SecurityProfileV16
from chargeyard.station.v16.signed_firmware import SignedFirmwareV16
from chargeyard.station.v16.smart_charging import SmartChargingV16
from chargeyard.station.v16.start_stop import StartStopV16, stop_reason
from chargeyard.station.v16.terms import TERMS_V16
from chargeyard.station.v16.transactions import TransactionsV16

# What a fault is when the caller does not say.
_DEFAULT_FAULT = Fault(FaultKind.GROUND)


class StationV16(StationV16Base):
    """A 1.6 charge point built from a catalog template; see the package docstring.

    Like every station, it holds its log of frames and events (``frame_log``, ``core.py``)
    and the ``ev`` block (``station/ev_controls.py``, shared with 2.0.1); that block and the
    ``bench`` block (``bench.py``) are what a tester does to its EV, its meter, its reset
    button and its memory.
    """

    TERMS: ClassVar[StationTerms] = TERMS_V16
    CSMS_ROOT: ClassVar[str] = "CentralSystemRootCertificate"
    INVALID_CSMS_CERTIFICATE: ClassVar[str] = "InvalidCentralSystemCertificate"

    # The blocks, built in ``assemble()`` (see the package docstring).
    core: CoreProfileV16
    transactions: TransactionsV16
    start_stop: StartStopV16
    metering: MeteringV16
    remote_control: RemoteControlV16
    remote_trigger: RemoteTriggerV16
    smart_charging: SmartChargingV16
    local_list: LocalAuthListV16
    reservations: ReservationV16
    firmware: FirmwareManagementV16
    signed_firmware: SignedFirmwareV16
    firmware_update: FirmwareUpdate[StationV16]
    security: SecurityV16
    certificates: CertificatesV16
    extended_trigger: ExtendedTriggerV16
    profile_upgrade: SecurityProfileV16
    bench: BenchV16

    # -- who hears what, in the order written -------------------------------------------------
    # One table for the class (every station of it runs the same), each listener a block's
    # method reached through the station it is given. Where the order shows in what the
    # central system receives, tests/station/v16/test_hook_order.py pins it.

    # Power on after a reboot (``core.py``). Nothing is sent before the boot is Accepted
    # (section 4.2); on_accepted then reports what these leave.
    POWER_ON: ClassVar[Hook[[StationV16]]] = Hook(
        lambda s: s.transactions.power_on(),  # a tag waiting for its cable went with the power
        lambda s: s.remote_control.power_on(),  # and so did a remote start being authorized
        # Before the others look at the connectors: they start afresh (4.9; 5.2: an
        # Inoperative one stays Unavailable); then the clock-aligned timer restarts.
        lambda s: s.core.power_on(),
        lambda s: s.metering.power_on(),
        # Connectors held Unavailable for an installation are released (5.19).
        lambda s: s.firmware_update.power_on(),
        # Last, after core: Reserved is re-derived from the connectors as they start, not as
        # they were, and the expiry timer the reboot cancelled is armed again (5.13).
        lambda s: s.reservations.follow_reservations(),
        # The boot goes into the security log (whitepaper section 8); nothing is sent.
        lambda s: s.security.power_on(),
    )
    # (Only reservations after core shows in a frame: before it, a connector left Preparing
    # is reported Reserved twice at the boot. The others forget their own state and send
    # nothing before the boot: their order does not matter.)
    # Registered after a boot, once the base reported connector 0 and every connector (section
    # 4.9): then Installed goes out, or an interrupted update starts over (5.19); then the
    # critical security events kept while offline (whitepaper section 8), last: they are
    # queued, and nothing else waits for them.
    ACCEPTED: ClassVar[Hook[[StationV16]]] = Hook(
        lambda s: s.firmware_update.accepted(),
        lambda s: s.security.send_unsent(),
    )
    # Back online without a reboot, after the base reported what changed while offline: the
    # critical security events kept meanwhile (a refused TLS handshake, whitepaper 2.4, 8).
    RECONNECTED: ClassVar[Hook[[StationV16]]] = Hook(lambda s: s.security.send_unsent())
    # Going down (a reboot or switch-off), while the station may still send: transfers stop
    # with the power (5.9, 5.19).
    GOING_DOWN: ClassVar[Hook[[StationV16]]] = Hook(
        lambda s: s.firmware.going_down(),
        lambda s: s.firmware_update.going_down(),
        lambda s: s.security.going_down(),
    )
    # A connector's status was set and reported (section 4.9). Each status these set runs this
    # hook again. Reservations first: a reservation ends when its connector becomes Faulted or
    # Unavailable, and the connectors show the book (A7, G1, G2; 5.13), so a connector that
    # comes free for a reservation shows Reserved before a Scheduled ChangeAvailability
    # settles it to Unavailable (5.2, last). Smart Charging between: it only re-arms the
    # EVSE's limit timer (a transaction starts and ends with a status change, 3.13).
    STATUS_SET: ClassVar[Hook[[StationV16, Connector]]] = Hook(
        lambda s, connector: s.reservations.status_set(connector),
        lambda s, connector: s.smart_charging.status_set(connector),
        lambda s, connector: s.core.status_set(connector),
    )
    # (No frame shows this order today: a connector whose change is Scheduled is in a
    # transaction, never Available for a reservation to show, until TRANSACTION_ENDED
    # settles it; Smart Charging sends nothing here.)
    # Connector 0's status was reported: reservations end when the station becomes
    # Unavailable or Faulted (5.13), after its own StatusNotification.
    STATION_STATUS_REPORTED: ClassVar[Hook[[StationV16]]] = Hook(
        lambda s: s.reservations.follow_reservations(),
    )
    # A transaction ended, its StopTransaction.req queued (4.10). Firmware only arms a timer to
    # look again at once, after the session's own reports (5.19), so nothing it sends depends
    # on this order (it does not matter); then a ChangeAvailability that was Scheduled takes
    # effect (5.2), with its StatusNotifications, after the StopTransaction.req.
    TRANSACTION_ENDED: ClassVar[Hook[[StationV16, Evse]]] = Hook(
        lambda s, evse: s.firmware_update.transaction_ended(evse),
        lambda s, evse: s.core.transaction_ended(evse),
    )
    # An accepted ChangeConfiguration (5.3), after the base applied it (the authorization
    # policy, HeartbeatInterval): the sampling intervals restart from now.
    CONFIGURATION_CHANGED: ClassVar[Hook[[StationV16, str, str]]] = Hook(
        lambda s, key, value: s.metering.configuration_changed(key, value),
        # A new AuthorizationKey: the next connection uses it, at once (whitepaper A01).
        lambda s, key, value: s.security.configuration_changed(key, value),
        # A raised SecurityProfile: the next connection uses it, at once (whitepaper 7.6).
        lambda s, key, value: s.profile_upgrade.configuration_changed(key, value),
    )
    # (The power going or coming back is the base's alone: base.py brings the meters up to
    # now.)
    # May this idTag start a session on this EVSE (``tentative``: its Authorize.req is still
    # to come)? Reservations may say no (5.13).
    MAY_START_SESSION: ClassVar[Gate[[StationV16, Evse, IdToken, IdTokenInfo | None, bool]]] = Gate(
        lambda s, evse, token, info, tentative: s.reservations.may_start_session(
            evse, token, info, tentative=tentative
        ),
    )

    def assemble(self) -> None:
        super().assemble()  # the version's state, then its blocks over it

        # -- the blocks (each sizes its part of the model from the configuration keys) --------
        self.firmware_update = FirmwareUpdate(self, RULES_16)  # no handlers: both updates'
        self.firmware = FirmwareManagementV16(self)
        self.signed_firmware = SignedFirmwareV16(self)
        self.security = SecurityV16(self)
        self.certificates = CertificatesV16(self)
        self.profile_upgrade = SecurityProfileV16(self)
        self.reservations = ReservationV16(self)
        self.local_list = LocalAuthListV16(self)
        self.smart_charging = SmartChargingV16(self)
        self.remote_trigger = RemoteTriggerV16(self)
        self.extended_trigger = ExtendedTriggerV16(self)
        self.core = CoreProfileV16(self)
        self.metering = MeteringV16(self)
        self.transactions = TransactionsV16(self)
        self.start_stop = StartStopV16(self)
        self.remote_control = RemoteControlV16(self)
        self.bench = BenchV16(self)  # no handlers: what a tester does (bench.py)
        check_handlers(*self._blocks())  # two blocks claiming one action fail here

    def _blocks(self) -> tuple[Block[StationV16], ...]:
        return (
            self.core,
            self.transactions,
            self.start_stop,
            self.metering,
            self.remote_control,
            self.remote_trigger,
            self.smart_charging,
            self.local_list,
            self.reservations,
            self.firmware,
            self.signed_firmware,
            self.security,
            self.certificates,
            self.extended_trigger,
            self.profile_upgrade,
        )

    def handlers(self) -> Mapping[str, Handler]:
        """Every block's ``@on`` handlers, keyed by action (the station has none of its own),
        bound as their actions come in (``MergedHandlers``)."""
        return merge_handlers(*self._blocks())

    # -- lifecycle: the hooks fire ---------------------------------------------------------------

    def on_power_on(self) -> None:
        super().on_power_on()
        self.POWER_ON(self)

    def on_accepted(self) -> None:
        super().on_accepted()
        self.ACCEPTED(self)

    def on_reconnected(self) -> None:
        super().on_reconnected()
        self.RECONNECTED(self)

    def on_going_down(self) -> None:
        self.GOING_DOWN(self)
        super().on_going_down()

    def set_status(
        self,
        connector: Connector,
        status: ConnectorStatus,
        *,
        error_code: v16.ErrorCode = "NoError",
        info: str | None = None,
    ) -> None:
        super().set_status(connector, status, error_code=error_code, info=info)
        self.STATUS_SET(self, connector)

    def report_station_status(self) -> None:
        super().report_station_status()
        self.STATION_STATUS_REPORTED(self)

    def transaction_ended(self, evse: Evse) -> None:
        """Called by ``end_transaction`` once the transaction is over (``evse.transaction`` is
        None, StopTransaction is queued)."""
        self.TRANSACTION_ENDED(self, evse)

    def configuration_changed(self, key: str, value: str) -> None:
        super().configuration_changed(key, value)
        self.CONFIGURATION_CHANGED(self, key, value)

    def may_start_session(
        self, evse: Evse, token: IdToken, info: IdTokenInfo | None, *, tentative: bool = False
    ) -> bool:
        """Whether ``token`` may start charging on ``evse``: reservations decide (section
        5.13). ``info`` is what authorization said of the token (its parentIdTag), None when
        nothing was said yet. ``tentative``: an Authorize.req is still to come and may name the
        token's parent, so an EVSE reserved for a group is not refused yet."""
        return self.MAY_START_SESSION(self, evse, token, info, tentative)

    def security_event(self, kind: str, tech_info: str | None = None) -> None:
        """A critical security event (whitepaper section 8): logged and reported."""
        self.security.notify(kind, tech_info or "")

    # -- services the blocks ask of each other ---------------------------------------------------

    def end_transaction(self, evse: Evse, reason: v16.Reason, id_tag: str | None = None) -> None:
        """Stop ``evse``'s transaction with ``reason`` (section 7.36) and queue
        StopTransaction.req (section 4.10)."""
        self.start_stop.end_transaction(evse, reason, id_tag)

    def update_charging_status(self, evse: Evse) -> None:
        """Charging, SuspendedEV or SuspendedEVSE, from what the EV and the limit allow; called
        after a change of what an EVSE may deliver (Smart Charging, section 3.13)."""
        self.metering.update_charging_status(evse)

    def ev_request_changed(self, evse: Evse) -> None:
        """The EV started or stopped asking for energy: Charging or SuspendedEV (7.7)."""
        self.metering.update_charging_status(evse)

    def stop_transactions(self, reason: str) -> None:
        self.core.stop_transactions(stop_reason(reason))

    def set_vendor_replies(self, replies: Sequence[VendorReply]) -> None:
        self.core.set_vendor_replies(replies)

    def report_power_loss(self, transaction: OpenTransaction, lost_at: datetime) -> None:
        """Report a transaction the power cut, on the boot after (section 4.8)."""
        self.start_stop.report_power_loss(transaction, lost_at)

    # -- the verbs (station/verbs.py), in 1.6's words (terms.py) --------------------------------

    def plug(
        self, evse_id: int = 1, connector_id: int = 1, *, ev: Ev | EvProfile | None = None
    ) -> None:
        self.transactions.plug(evse_id, connector_id, ev=ev)

    def unplug(self, evse_id: int = 1, connector_id: int = 1) -> None:
        self.transactions.unplug(evse_id, connector_id)

    def present_id_token(self, id_tag: str, evse_id: int | None = None) -> None:
        self.transactions.present_id_token(id_tag, evse_id)

    def start_transaction(self, evse_id: int, id_tag: str) -> None:
        self.transactions.start_transaction(evse_id, id_tag)

    def stop_transaction(self, evse_id: int, reason: str = "Local") -> None:
        self.transactions.stop_transaction(evse_id, reason)

    def pending_start(self, evse_id: int) -> str | None:
        return self.transactions.pending_start(evse_id)

    def waiting_authorization(self, evse_id: int) -> TokenDecision | None:
        return self.transactions.waiting_authorization(evse_id)

    def inject_fault(
        self, evse_id: int = 1, connector_id: int = 1, fault: Fault = _DEFAULT_FAULT
    ) -> None:
        """The connector fails with ``fault``'s ChargePointErrorCode (section 7.6)."""
        self.core.inject_fault(
            evse_id, connector_id, code_16(fault.kind), fault.info, fault.vendor_error_code
        )

    def clear_fault(self, evse_id: int = 1, connector_id: int = 1) -> None:
        self.core.clear_fault(evse_id, connector_id)

    def unlock(self, evse_id: int = 1, connector_id: int = 1) -> None:
        self.core.unlock(evse_id, connector_id)

    def set_unlock_fails(self, evse_id: int = 1, connector_id: int = 1, fails: bool = True) -> None:
        self.core.set_unlock_fails(evse_id, connector_id, fails)

    def change_configuration(self, payload: Payload) -> v16.ChangeConfigurationResponse:
        """ChangeConfiguration.req as if from the central system (section 5.3)."""
        # The operator's request, built by TERMS in this version's words (the verb is the
        # same for every version, so it carries the wire's dict).
        return self.core.change_configuration(cast(v16.ChangeConfigurationRequest, payload))

    def send_local_list(self, payload: Payload) -> v16.SendLocalListResponse:
        """SendLocalList.req as if from the central system (section 5.15)."""
        # The operator's request, built by TERMS in this version's words (the verb is the
        # same for every version, so it carries the wire's dict).
        return self.local_list.send_local_list(cast(v16.SendLocalListRequest, payload))

    def apply_setting(self, request: Payload) -> str:
        # ChangeConfiguration per key, through the station's own handler (section 5.3), so
        # that an accepted key applies at once as it would from a central system.
        return str(self.change_configuration(request)["status"])

    def send_data_transfer(
        self,
        vendor_id: str,
        message_id: str | None = None,
        data: str | None = None,
        on_result: OnResult | None = None,
        on_error: OnError | None = None,
    ) -> bool:
        """DataTransfer.req to the central system (section 4.3); False when not sent."""
        return self.core.send_data_transfer(vendor_id, message_id, data, on_result, on_error)

    # -- what a tester does beyond a driver's acts (bench.py) ------------------------------------

    def reset_here(self, kind: str, evse_id: int | None = None) -> str:
        return self.bench.reset_here(kind, evse_id)

    def trigger_here(self, message: str, evse_id: int | None = None, connector_id: int = 1) -> str:
        return self.bench.trigger_here(message, evse_id, connector_id)

    def meter_values_refusal(self, evse_id: int) -> str | None:
        return self.bench.meter_values_refusal(evse_id)

    def send_meter_values_now(self, evse_id: int) -> str:
        return self.bench.send_meter_values_now(evse_id)

    def lock_jammed(self, evse_id: int, connector_id: int) -> bool:
        return self.bench.lock_jammed(evse_id, connector_id)

    def configuration_report(
        self, keys: Sequence[str] = ()
    ) -> tuple[list[StoredSetting], list[str]]:
        return self.bench.configuration_report(keys)

    @property
    def data_transfer_handlers(self) -> dict[str, DataTransferHandler]:
        """The vendors this station understands, by vendorId (section 5.6)."""
        return self.core.data_transfer_handlers

    @property
    def firmware_install_s(self) -> float:
        """Seconds from Installing to the reboot (section 5.19)."""
        return self.firmware_update.install_s

    @property
    def firmware_status(self) -> str:
        """What TriggerMessage reports of UpdateFirmware (sections 4.5, 5.17)."""
        return self.firmware_update.reported


__all__ = ["StationV16"]
