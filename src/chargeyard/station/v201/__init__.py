"""A simulated OCPP 2.0.1 charging station: one class that owns its functional blocks.

Each functional block (OCPP 2.0.1 part 2) is a :class:`~chargeyard.station.blocks.Block` in
its own module, with its own state and ``@on`` handlers; it reaches the station, and through it
the other blocks, as ``self.station``:

==========================  ==========================  ========================================
attribute                   module                      functional block
==========================  ==========================  ========================================
``transaction_events``      ``transaction_events``      E: sessions, TxStartPoint / TxStopPoint,
                                                        TransactionEvent
``transactions``            ``transactions``            E: the physical verbs; J02 sampling
``transaction_status``      ``transaction_status``      E14: GetTransactionStatus
``metering``                ``metering``                J01 / J02 clock-aligned meter values
``local_list``              ``local_list``              D: SendLocalList, GetLocalListVersion
``diagnostics``             ``diagnostics``             N01: GetLog, the security log
``monitoring``              ``monitoring``              N02-N08: monitors, NotifyEvent
``customer_information``    ``customer_information``    N09, N10: CustomerInformation
``firmware``                ``firmware``                L: UpdateFirmware
``firmware_update``         ``../firmware_update``      no handlers: the update that
                                                        ``firmware`` begins (shared with 1.6)
``provisioning``            ``provisioning``            B: device model on the wire, Reset
``network``                 ``network``                 B09: SetNetworkProfile; B10: the
                                                        profile each connection dials
``availability``            ``availability``            G: ChangeAvailability, faults
``smart_charging``          ``smart_charging``          K: charging profiles, limits over time
``reservations``            ``reservation``             H: ReserveNow, CancelReservation
``authorization``           ``authorization``           C: a token at the reader, Authorize
``control``                 ``control``                 F: remote start / stop, TriggerMessage,
                                                        UnlockConnector; P: DataTransfer
``display_messages``        ``display_messages``        O01-O06: display messages
``tariff_cost``             ``tariff_cost``             I02, I03: the running and final cost
``certificates``            ``certificates``            M03-M05: CA certificates installed,
                                                        listed, deleted
``bench``                   ``bench``                   no handlers: a tester's reset, message
                                                        sent now, meter now, variables read
==========================  ==========================  ========================================

The station's handler table is the union of the blocks' (``merge_handlers``). Which block hears
which lifecycle event (power on, Accepted, back online, going down, an EVSE idle, a transaction
started, a status set, a variable set) and which blocks may veto a new session or a reset is
written in one table, the hooks at the top of :class:`StationV201`, in the order the listeners run.
``base.py`` keeps what every block shares (the hardware and device models, StatusNotification,
the boot); the station log is ``maintenance.py``'s, the firmware update ``firmware_update.py``'s,
shared with 1.6.
The verbs (``station/verbs.py``) are the station's methods, delegating to a block; ``TERMS``
(``terms.py``) is how the outside world's words for a fault, a setting or the local list
become 2.0.1's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, cast

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.protocol.messages import v201
from chargeyard.protocol.router import Handler, HandlerResult
from chargeyard.station.blocks import Block, Gate, Hook, merge_handlers
from chargeyard.station.endpoint import Endpoint
from chargeyard.station.faults import Fault, FaultKind, code_16, reason_201
from chargeyard.station.firmware_update import FirmwareUpdate
from chargeyard.station.model.authorization import IdToken, IdTokenInfo
from chargeyard.station.model.ev import Ev, EvProfile
from chargeyard.station.model.states import ConnectorStatus, Registration
from chargeyard.station.model.station import Connector, Evse
from chargeyard.station.model.token_reports import TokenDecision
from chargeyard.station.model.vendor_replies import VendorReply
from chargeyard.station.power_loss import OpenTransaction
from chargeyard.station.terms import StationTerms, StoredSetting
from chargeyard.station.v201.authorization import AuthorizationV201
from chargeyard.station.v201.availability import AvailabilityV201
from chargeyard.station.v201.base import StationV201Base
from chargeyard.station.v201.bench import BenchV201
from chargeyard.station.v201.certificates import CertificatesV201
from chargeyard.station.v201.control import ControlV201
from chargeyard.station.v201.customer_information import CustomerInformationV201
from chargeyard.station.v201.device_model import Component, Variable
from chargeyard.station.v201.diagnostics import DiagnosticsV201
from chargeyard.station.v201.display_messages import DisplayMessagesV201
from chargeyard.station.v201.firmware import RULES_201, FirmwareV201
from chargeyard.station.v201.local_list import LocalListV201
from chargeyard.station.v201.metering import MeteringV201
from chargeyard.station.v201.monitoring import MonitoringV201
from chargeyard.station.v201.network import NetworkV201
from chargeyard.station.v201.provisioning import ProvisioningV201
from chargeyard.station.v201.reservation import ReservationV201
from chargeyard.station.v201.smart_charging import SmartChargingV201
from chargeyard.station.v201.tariff_cost import TariffCostV201
from chargeyard.station.v201.terms import TERMS_V201
from chargeyard.station.v201.transaction_events import TransactionEventsV201
from chargeyard.station.v201.transaction_status import TransactionStatusV201
from chargeyard.station.v201.transactions import TransactionsV201

# What a fault is when the caller does not say.
_DEFAULT_FAULT = Fault(FaultKind.OTHER)


class StationV201(StationV201Base):
    """A 2.0.1 charging station built from a catalog template (see the module docstring).
    The ``ev`` block every station owns (``station/ev_controls.py``, shared with 1.6) and the
    ``bench`` block (``bench.py``) are what a tester does to its EV, its meter, its reset
    button and its memory."""

    TERMS: ClassVar[StationTerms] = TERMS_V201
    CSMS_ROOT: ClassVar[str] = "CSMSRootCertificate"
    INVALID_CSMS_CERTIFICATE: ClassVar[str] = "InvalidCsmsCertificate"

    def assemble(self) -> None:
        super().assemble()  # the version's state, then its blocks over it
        # The blocks, built in this order: metering arms its clock-aligned timer, diagnostics
        # logs StartupOfTheDevice, smart charging, network, monitoring, display messages and
        # tariff and cost add their variables to the device model (reports list them in this
        # order).
        self.transaction_events = TransactionEventsV201(self)
        self.transactions = TransactionsV201(self)
        self.metering = MeteringV201(self)
        self.local_list = LocalListV201(self)
        self.diagnostics = DiagnosticsV201(self)
        self.firmware_update = FirmwareUpdate(self, RULES_201)  # no handlers (firmware's)
        self.firmware = FirmwareV201(self)
        self.provisioning = ProvisioningV201(self)
        self.availability = AvailabilityV201(self)
        self.smart_charging = SmartChargingV201(self)
        self.reservations = ReservationV201(self)
        self.authorization = AuthorizationV201(self)
        self.control = ControlV201(self)
        self.network = NetworkV201(self)
        self.monitoring = MonitoringV201(self)
        self.customer_information = CustomerInformationV201(self)
        self.display_messages = DisplayMessagesV201(self)
        self.tariff_cost = TariffCostV201(self)
        self.transaction_status = TransactionStatusV201(self)
        self.certificates = CertificatesV201(self)
        self.bench = BenchV201(self)  # no handlers: what a tester does (bench.py)
        self.blocks: tuple[Block[StationV201], ...] = (
            self.transaction_events,
            self.transactions,
            self.metering,
            self.local_list,
            self.diagnostics,
            self.firmware,
            self.provisioning,
            self.availability,
            self.smart_charging,
            self.reservations,
            self.authorization,
            self.control,
            self.network,
            self.monitoring,
            self.customer_information,
            self.display_messages,
            self.tariff_cost,
            self.transaction_status,
            self.certificates,
        )

    # -- who hears what, in the order written ---------------------------------------------------
    # One table for the class (every station of it runs the same; no hook objects per
    # station), each listener a block's method reached through the station it is given;
    # ``StationV201Base`` is the base's own part of an event. Where the order shows in what
    # the CSMS receives, tests/station/v201/test_hook_order.py pins it; elsewhere the comment
    # says why it does not matter.

    # The station restarts (B01). The device model first (volatile values back to their
    # defaults, RebootRequired ones applied, B05); then transactions that the power cut end
    # (PowerLoss) before the clock-aligned timer restarts (J01); StartupOfTheDevice is logged
    # (N01.FR.05); an interrupted firmware update releases its connectors (L01); scheduled
    # resets are forgotten (B12); reservations re-arm their expiry (H04); monitors and display
    # messages, kept, re-arm their timers (N07.FR.13, O01.FR.10); the network connection
    # profiles are tried from the first of NetworkConfigurationPriority (B10.FR.04). The base
    # first, so that the blocks read the device model as it boots; the blocks' order does not
    # matter: nothing is sent before the boot is Accepted and each forgets or re-arms its own
    # state.
    POWER_ON: ClassVar[Hook[[StationV201]]] = Hook(
        StationV201Base.on_power_on,
        lambda s: s.transactions.on_power_on(),
        lambda s: s.metering.on_power_on(),
        lambda s: s.diagnostics.on_power_on(),
        lambda s: s.firmware_update.power_on(),
        lambda s: s.provisioning.on_power_on(),
        lambda s: s.reservations.on_power_on(),
        lambda s: s.monitoring.on_power_on(),
        lambda s: s.display_messages.on_power_on(),
        lambda s: s.network.on_power_on(),
    )
    # Registered after a boot (B01): every connector's status, then Installed (L01.FR.25,
    # "once the new firmware has booted and connected"), then the monitoring events kept
    # while offline (N07.FR.04). Pinned by
    # test_l01_installed_after_the_boot_reports_every_connector.
    ACCEPTED: ClassVar[Hook[[StationV201]]] = Hook(
        StationV201Base.on_accepted,
        lambda s: s.firmware_update.accepted(),
        lambda s: s.monitoring.on_online(),
        lambda s: s.diagnostics.notify_security_events(),
    )
    # Back online without a reboot (B04): the statuses that changed, then the monitoring
    # events kept while offline (N07.FR.04).
    RECONNECTED: ClassVar[Hook[[StationV201]]] = Hook(
        StationV201Base.on_reconnected,
        lambda s: s.monitoring.on_online(),
        lambda s: s.diagnostics.notify_security_events(),
    )
    # Going down (B11, L01): a firmware transfer stops before ResetOrReboot is logged with the
    # boot reason (a reset or reboot only, not a switch-off) and the log upload stops (N01).
    # The order does not matter: the transfers stop without a message, only diagnostics logs,
    # and the base's part is empty.
    GOING_DOWN: ClassVar[Hook[[StationV201]]] = Hook(
        lambda s: s.firmware_update.going_down(),
        lambda s: s.diagnostics.on_going_down(),
        StationV201Base.on_going_down,
    )
    # No transaction runs on an EVSE (after any event on it): a firmware installation that
    # waited for it goes on (L01.FR.06) before a reset OnIdle (B12) reboots the station; a
    # Scheduled ChangeAvailability applies (G03); the EVSE's limit stops being followed (K);
    # the display messages of a transaction that ended go (O02.FR.02). Each of the first
    # three before the next is pinned by a test (test_l01_an_installation_*,
    # test_b12_a_reset_on_idle_*); the last two places do not matter (smart charging only
    # forgets the EVSE's reported limit and timer, the display only its messages).
    EVSE_IDLE: ClassVar[Hook[[StationV201, Evse]]] = Hook(
        lambda s, evse: s.firmware_update.evse_idle(evse),
        lambda s, evse: s.provisioning.on_evse_idle(evse),
        lambda s, evse: s.availability.on_evse_idle(evse),
        lambda s, evse: s.smart_charging.on_evse_idle(evse),
        lambda s, evse: s.display_messages.on_evse_idle(evse),
    )
    # A transaction began (its Started is queued): J02 sampling, then the limit offered to it
    # (K), then the reservation it used frees its connectors (H03). The order does not
    # matter: sampling and the limit only arm timers; only the reservations report.
    TRANSACTION_STARTED: ClassVar[Hook[[StationV201, Evse]]] = Hook(
        lambda s, evse: s.transactions.on_transaction_started(evse),
        lambda s, evse: s.smart_charging.on_transaction_started(evse),
        lambda s, evse: s.reservations.on_transaction_started(evse),
    )
    # A connector moved (before its StatusNotification): timeSpentCharging (E).
    STATUS_CHANGED: ClassVar[Hook[[StationV201, Connector, ConnectorStatus]]] = Hook(
        lambda s, connector, previous: s.transaction_events.on_status_changed(connector, previous)
    )
    # A connector was set to a status (G01): StatusNotification first, then what the
    # reservations show (H01.FR.23, H04.FR.02), whether it moved or not (test_h01_*), then
    # the monitors look at the states that may have changed (N07).
    SET_STATUS: ClassVar[Hook[[StationV201, Connector, ConnectorStatus]]] = Hook(
        StationV201Base.set_status,
        lambda s, connector, status: s.reservations.on_status_set(connector, status),
        lambda s, connector, status: s.monitoring.on_status_set(connector),
    )
    # A SetVariables value was Accepted (B05): applied to the station, then the J02 interval
    # (TxUpdatedInterval), then the clock-aligned one (AlignedDataCtrlr.Interval), then the
    # monitors look (N07), then the security log keeps a new password's change (A01). The
    # order does not matter: the value is in the device model already and each applies its
    # own (the monitors' NotifyEvent follows the answer anyway).
    VARIABLE_CHANGED: ClassVar[Hook[[StationV201, Component, Variable]]] = Hook(
        StationV201Base.variable_changed,
        lambda s, component, variable: s.transactions.variable_changed(component, variable),
        lambda s, component, variable: s.metering.variable_changed(component, variable),
        lambda s, component, variable: s.monitoring.variable_changed(component, variable),
        lambda s, component, variable: s.diagnostics.variable_changed(component, variable),
    )
    # A security event happened: the security log keeps it (N01.FR.05).
    SECURITY_EVENT: ClassVar[Hook[[StationV201, str, str | None]]] = Hook(
        lambda s, kind, tech_info: s.diagnostics.security_event(kind, tech_info)
    )
    # May a new session begin on the EVSE? Not while a reset waits (B12), not while a firmware
    # installation waits or runs (L01.FR.07), and only on operative connectors of a station
    # that is not going down (G03, G04). Every answer is a question without side effects:
    # the order does not matter.
    ACCEPTS_SESSIONS: ClassVar[Gate[[StationV201, Evse]]] = Gate(
        lambda s, evse: s.provisioning.accepts_sessions(evse),
        lambda s, evse: s.firmware_update.accepts_sessions(evse),
        StationV201Base.accepts_sessions,
    )
    # May a Reset go ahead? Not during a firmware installation (L01, B11/B12).
    MAY_RESET: ClassVar[Gate[[StationV201]]] = Gate(lambda s: s.firmware_update.may_reset())

    def handlers(self) -> dict[str, Handler]:
        """The handlers of every block (two blocks claiming one action is an error), each
        refusing while the boot is Rejected."""
        return {
            action: self._unless_rejected(action, handler)
            for action, handler in merge_handlers(*self.blocks).items()
        }

    def _unless_rejected(self, action: str, handler: Handler) -> Handler:
        @functools.wraps(handler)
        def handle(payload: Payload) -> HandlerResult:
            if self.registration is Registration.REJECTED:
                # B03.FR.08: a CSMS that rejected the boot may not send anything else.
                raise OcppError(
                    ErrorKind.SECURITY_ERROR, f"{action}: the station's boot was Rejected"
                )
            return handler(payload)

        return handle

    # -- the connection: which network connection profile (B10) --------------------------

    def endpoint(self) -> Endpoint | None:
        return self.network.endpoint()

    @property
    def call_timeout(self) -> float:
        timeout = self.network.message_timeout()
        return super().call_timeout if timeout is None else timeout

    def connect(self) -> None:
        self.network.on_connect()  # before the session, which takes the profile's timeout
        super().connect()

    # -- lifecycle events and questions (the table above) ---------------------------------

    def on_power_on(self) -> None:
        self.POWER_ON(self)

    def on_accepted(self) -> None:
        self.ACCEPTED(self)

    def on_reconnected(self) -> None:
        self.RECONNECTED(self)

    def on_going_down(self) -> None:
        self.GOING_DOWN(self)

    def on_evse_idle(self, evse: Evse) -> None:
        """No transaction runs on ``evse`` (after any event on it)."""
        self.EVSE_IDLE(self, evse)

    def on_transaction_started(self, evse: Evse) -> None:
        """A transaction began on ``evse`` (its Started is queued)."""
        self.TRANSACTION_STARTED(self, evse)

    def on_profiles_changed(self) -> None:
        """SetChargingProfile or ClearChargingProfile changed the charging profiles (after the
        answer, the EVSEs' limits followed). No 2.0.1 block keeps state per profile; a 2.1
        station's dynamic profiles do."""

    def on_status_changed(self, connector: Connector, previous: ConnectorStatus) -> None:
        self.STATUS_CHANGED(self, connector, previous)

    def set_status(self, connector: Connector, status: ConnectorStatus) -> None:
        self.SET_STATUS(self, connector, status)

    def variable_changed(self, component: Component, variable: Variable) -> None:
        self.VARIABLE_CHANGED(self, component, variable)

    def security_event(self, kind: str, tech_info: str | None = None) -> None:
        """A security event happened (part 2 "Security events", e.g. FirmwareUpdated)."""
        self.SECURITY_EVENT(self, kind, tech_info)

    def accepts_sessions(self, evse: Evse) -> bool:
        """Whether a new session may begin on ``evse``."""
        return self.ACCEPTS_SESSIONS(self, evse)

    def may_reset(self) -> bool:
        """Whether a Reset may go ahead now (B11/B12)."""
        return self.MAY_RESET(self)

    @property
    def firmware_status(self) -> str:
        """What TriggerMessage reports of UpdateFirmware (F06; L01.FR.25, L01.FR.26)."""
        return self.firmware_update.reported

    @property
    def firmware_request_id(self) -> int | None:
        """The requestId of ``firmware_status``; None once Idle."""
        return self.firmware_update.reported_request_id

    @property
    def firmware_install_s(self) -> float:
        """Seconds from Installing to the reboot (the hardware's time)."""
        return self.firmware_update.install_s

    # -- what one block asks of another, answered by the block that knows --------------------

    def update_charging_status(self, evse: Evse) -> None:
        """Re-derive Charging / SuspendedEV / SuspendedEVSE after what ``evse`` may deliver
        changed (K; the smart charging block reports the new limit)."""
        self.smart_charging.update_charging_status(evse)

    def ev_request_changed(self, evse: Evse) -> None:
        """The EV started or stopped asking for energy: the charging state follows
        (ChargingStateChanged, E); the limit did not move, so no ChargingRateChanged (K)."""
        self.transaction_events.evaluate(evse, None)

    def may_start_session(
        self, evse: Evse, token: IdToken, info: IdTokenInfo | None, *, tentative: bool = False
    ) -> bool:
        """Whether reservations let ``token`` charge on ``evse`` (H03)."""
        return self.reservations.may_start_session(evse, token, info, tentative=tentative)

    def expire_reservations(self) -> None:
        """End the reservations whose expiryDateTime is reached (H04)."""
        self.reservations.expire_reservations()

    def remote_start_profile_refusal(
        self, evse: Evse, profile: v201.ChargingProfileType
    ) -> str | None:
        """Why a RequestStartTransaction's chargingProfile cannot be used (F01, K05)."""
        return self.smart_charging.remote_start_profile_refusal(evse, profile)

    def stop_transactions(self, reason: str) -> None:
        self.transactions.stop_transactions(reason)

    def report_power_loss(self, transaction: OpenTransaction, lost_at: datetime) -> None:
        self.transaction_events.report_power_loss(transaction, lost_at)

    def set_vendor_replies(self, replies: Sequence[VendorReply]) -> None:
        self.control.set_vendor_replies(replies)

    # What the monitoring block tells of its Periodic monitors, for 2.1's periodic event
    # streams (``v21/event_streams.py``); 2.0.1 has none.

    def monitor_set(self, monitor_id: int, item: Mapping[str, Any]) -> None:
        """A monitor was set from ``item`` (SetMonitoringDataType)."""

    def monitor_cleared(self, monitor_id: int) -> None:
        """The monitor ``monitor_id`` is gone."""

    def stream_value(self, monitor_id: int, value: str) -> bool:
        """Whether a stream takes the Periodic monitor's ``value`` (instead of NotifyEvent)."""
        return False

    # -- the verbs (station/verbs.py), in 2.0.1's words (terms.py) ------------------------------

    def plug(
        self, evse_id: int = 1, connector_id: int = 1, *, ev: Ev | EvProfile | None = None
    ) -> None:
        self.transactions.plug(evse_id, connector_id, ev=ev)

    def unplug(self, evse_id: int = 1, connector_id: int = 1) -> None:
        self.transactions.unplug(evse_id, connector_id)

    def unlock(self, evse_id: int = 1, connector_id: int = 1) -> None:
        self.control.unlock(evse_id, connector_id)

    def present_id_token(
        self, id_token: str, evse_id: int | None = None, type: str = "ISO14443"
    ) -> None:
        self.authorization.present_id_token(id_token, evse_id, type)

    def start_transaction(self, evse_id: int, id_token: str, type: str = "Local") -> None:
        self.transactions.start_transaction(evse_id, id_token, type)

    def stop_transaction(self, evse_id: int, reason: str = "Local") -> None:
        self.transactions.stop_transaction(evse_id, reason)

    def pending_start(self, evse_id: int) -> str | None:
        return self.transactions.pending_start(evse_id)

    def waiting_authorization(self, evse_id: int) -> TokenDecision | None:
        return self.transactions.waiting_authorization(evse_id)

    def inject_fault(
        self, evse_id: int = 1, connector_id: int = 1, fault: Fault = _DEFAULT_FAULT
    ) -> None:
        """The connector fails: its transaction ends with ``fault``'s ReasonEnumType. 2.0.1
        carries no error code in StatusNotification; the connector keeps the fault's code
        and text for whoever reads the station back (fault-status)."""
        self.availability.inject_fault(evse_id, connector_id, reason_201(fault.kind))
        connector = self.model.connector(evse_id, connector_id)
        connector.error_code, connector.error_info = code_16(fault.kind), fault.info
        connector.vendor_error_code = fault.vendor_error_code

    def clear_fault(self, evse_id: int = 1, connector_id: int = 1) -> None:
        self.availability.clear_fault(evse_id, connector_id)
        connector = self.model.connector(evse_id, connector_id)
        connector.error_code, connector.error_info, connector.vendor_error_code = (
            "NoError",
            None,
            None,
        )

    def set_unlock_fails(self, evse_id: int = 1, connector_id: int = 1, fails: bool = True) -> None:
        """Jam (or free) the connector's lock: UnlockConnector answers UnlockFailed (F05).

        Raises:
            KeyError: no such connector.
        """
        self.model.connector(evse_id, connector_id)
        self.control.set_unlock_fails(evse_id, connector_id, fails)

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

    def set_variables(self, payload: Payload) -> v201.SetVariablesResponse:
        """SetVariables (B05), as the central system would send it."""
        # The operator's request, built by TERMS in this version's words (the verb is the
        # same for every version, so it carries the wire's dict).
        return self.provisioning.set_variables(cast(v201.SetVariablesRequest, payload))

    def send_local_list(self, payload: Payload) -> v201.SendLocalListResponse:
        """SendLocalList (D01), as the central system would send it."""
        # The operator's request, built by TERMS in this version's words (the verb is the
        # same for every version, so it carries the wire's dict).
        return self.local_list.send_local_list(cast(v201.SendLocalListRequest, payload))

    def apply_setting(self, request: Payload) -> str:
        # SetVariables one variable at a time (B05: each item stands alone).
        return self.set_variables(request)["setVariableResult"][0]["attributeStatus"]


__all__ = ["StationV201"]
