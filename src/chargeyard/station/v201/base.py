"""The state every OCPP 2.0.1 functional block of a simulated station shares.

Each functional block (OCPP 2.0.1 part 2: B Provisioning, C Authorization, E Transactions,
F RemoteControl, G Availability, J MeterValues, ...) is a block object in its own module,
owned by ``StationV201`` (``v201/__init__.py``), which says which block hears which event. The
base holds the hardware model (``model/station.py``: EVSEs and connectors are numbered as 2.0.1
numbers them), the device model (``device_model.py``, seeded by ``variables.py``) and the one
way a connector's status changes: :meth:`StationV201Base.set_status`, which checks the move
against the table of ``model/states.py`` and sends StatusNotification (G01) when the 2.0.1 status
(:data:`~chargeyard.station.model.states.STATUS_201`) changes.

Registration is ``core.py``'s (B01-B03); this base adds the 2.0.1 BootNotification (reason and
chargingStation), the StatusNotification of every connector once Accepted (B01), and after a
reconnection without reboot the statuses that changed, or all of them after an absence longer
than OCPPCommCtrlr.OfflineThreshold (B04). A variable the central system sets is applied at
once by :meth:`StationV201Base.variable_changed` (B05), then by the blocks that read it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import datetime

from chargeyard.protocol import V201
from chargeyard.protocol.messages import v201
from chargeyard.station.clock import iso
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model.authorization import AuthorizationPolicy
from chargeyard.station.model.meter import (
    SUPPORTED_MEASURANDS_201,
    ReadingContext,
    SampledValue,
    to_ocpp201_sampled_value,
)
from chargeyard.station.model.smart_charging import OCPP201_RULES
from chargeyard.station.model.states import STATUS_201, ConnectorStatus, Registration
from chargeyard.station.model.station import Connector, Evse
from chargeyard.station.v201.device_model import Component, Variable
from chargeyard.station.v201.dialect import DIALECTS, Dialect2x
from chargeyard.station.v201.variables import build_device_model

logger = logging.getLogger(__name__)

_BACKOFF = ("RepeatTimes", "RandomRange", "WaitMinimum")
# The 2.0.1 statuses in the order an EVSE reports the "most telling" of its connectors'.
_EVSE_STATE_ORDER = ("Occupied", "Reserved", "Available", "Unavailable", "Faulted")


class StationV201Base(SimulatedStation):
    """Shared state of a 2.0.1 station. Not used alone: see ``StationV201``."""

    version = V201

    @property
    def dialect(self) -> Dialect2x:
        """Where the station's version differs from the other 2.x version (``dialect.py``)."""
        return DIALECTS[self.version]

    def assemble(self) -> None:
        self.model.profiles.rules = OCPP201_RULES
        self.device_model = build_device_model(
            self.template,
            identity=self.identity,
            message_timeout_s=int(self._call_timeout),
            live=self,
        )
        self.device_model.on_change(self.variable_changed)
        # What LogStatusNotification last said (N01), which TriggerMessage re-sends (F06); the
        # requestId of the upload under way. FirmwareStatusNotification's is the firmware
        # update machine's (``firmware_status``, L01).
        self.log_status: v201.UploadLogStatusEnumType = "Idle"
        self.log_request_id: int | None = None
        # BootNotification.reason of the next boot (B01, B11/B12: RemoteReset, L01: FirmwareUpdate).
        self.boot_reason: v201.BootReasonEnumType = "PowerUp"
        # ChangeAvailability of the whole station (G04).
        self.station_operative = True
        # The 2.0.1 status last reported per (evseId, connectorId), to report changes only.
        self._reported: dict[tuple[int, int], str] = {}
        self._offline_since: float | None = None
        self._apply_device_model()

    # -- the device model -----------------------------------------------------------------------

    def _apply_device_model(self) -> None:
        dm = self.device_model
        self.heartbeat_interval = dm.get_int(
            "OCPPCommCtrlr", "HeartbeatInterval", default=self.heartbeat_interval
        )
        self.model.policy = AuthorizationPolicy(
            local_authorize_offline=dm.get_bool("AuthCtrlr", "LocalAuthorizeOffline"),
            local_pre_authorize=dm.get_bool("AuthCtrlr", "LocalPreAuthorize"),
            allow_offline_tx_for_unknown_id=dm.get_bool(
                "AuthCtrlr", "OfflineTxForUnknownIdEnabled"
            ),
            authorize_remote_tx_requests=dm.get_bool("AuthCtrlr", "AuthorizeRemoteStart"),
            local_auth_list_enabled=dm.get_bool("LocalAuthListCtrlr", "Enabled"),
            authorization_cache_enabled=dm.get_bool("AuthCacheCtrlr", "Enabled"),
        )

    def variable_changed(self, component: Component, variable: Variable) -> None:
        """A SetVariables value was Accepted: apply it now (B05). The station's hook then
        tells the blocks that read it."""
        self._apply_device_model()
        if (component.name, variable.name) == ("OCPPCommCtrlr", "HeartbeatInterval"):
            self.set_heartbeat_interval(self.heartbeat_interval)
        if (component.name, variable.name) == ("SecurityCtrlr", "BasicAuthPassword"):
            # A01: every connection from now on presents it, beginning with the next, which
            # starts at once, once the answer is out (A01.FR.03: the CSMS takes only it now).
            self.password = variable.value
            self.soon(self.redial)

    def reconnect_wait(self, attempt: int, rng: random.Random) -> float | None:
        """Part 4 section 5.3: RetryBackOffWaitMinimum, doubled after each failed attempt at
        most RetryBackOffRepeatTimes times, plus a random part up to RetryBackOffRandomRange.
        While they all hold their defaults, the runner's own back-off (of the same shape, with
        full jitter: a fleet's) decides."""
        dm = self.device_model
        paced = [dm.variable("OCPPCommCtrlr", f"RetryBackOff{name}") for name in _BACKOFF]
        if all(v is None or v.value == v.default for v in paced):
            return None
        doublings = min(attempt, dm.get_int("OCPPCommCtrlr", "RetryBackOffRepeatTimes"))
        minimum = dm.get_int("OCPPCommCtrlr", "RetryBackOffWaitMinimum")
        spread = dm.get_int("OCPPCommCtrlr", "RetryBackOffRandomRange")
        return float(minimum * 2**doublings) + rng.uniform(0, spread)

    def websocket_ping_interval(self) -> int:
        # Part 4 section 5.3: OCPPCommCtrlr.WebSocketPingInterval (variables.py: 60 s).
        return max(0, self.device_model.get_int("OCPPCommCtrlr", "WebSocketPingInterval"))

    def transaction_retry_policy(self) -> tuple[int, float]:
        # E13: MessageAttemptsTransactionEvent / MessageAttemptIntervalTransactionEvent.
        dm = self.device_model
        return (
            max(1, dm.get_int("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent", 3)),
            float(dm.get_int("OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent", 60)),
        )

    # -- live values of the device model (variables.LiveValues) ----------------------------------

    def reported_status(self, status: ConnectorStatus) -> str:
        return STATUS_201[status]  # ConnectorStatusEnumType (G01)

    def availability_state(self, evse_id: int | None, connector_id: int | None) -> str:
        if evse_id is None:
            return "Available" if self.station_operative else "Unavailable"
        evse = self.model.evses[evse_id]
        if connector_id is not None:
            return STATUS_201[evse.connectors[connector_id].status]
        states = {STATUS_201[c.status] for c in evse.connectors.values()}
        return next(state for state in _EVSE_STATE_ORDER if state in states)

    def power_w(self, evse_id: int | None) -> float:
        self.advance()
        evses = self.model.evses.values() if evse_id is None else [self.model.evses[evse_id]]
        return sum(evse.meter.power_w for evse in evses)

    def problem(self) -> bool:
        return any(connector.faulted for connector in self.model.connectors())

    def date_time(self) -> str:
        return iso(self.clock.now())

    def local_list_entries(self) -> int:
        return len(self.model.local_list)

    def charging_profile_entries(self) -> int:
        return len(self.model.profiles.profiles())

    def certificate_entries(self) -> int:
        return len(self.model.certificates)

    # -- lookups and hooks between blocks -------------------------------------------------------

    def on_power_change(self, powered: bool) -> None:
        super().on_power_change(powered)
        self.advance()  # energy up to the moment the power goes (or none while it was off)
        self.model.powered = powered

    @property
    def accepted(self) -> bool:
        return self.registration is Registration.ACCEPTED

    def new_transaction_id(self) -> str:
        """A transactionId of the station's own (E01), from the injected id generator."""
        return self._new_id()

    def accepts_sessions(self, evse: Evse) -> bool:
        """Whether a new session may begin on ``evse``: its connectors are operative and not
        faulted, and the station is not going down (the station's gate asks the blocks
        too)."""
        if self.going_down:
            return False
        return self.station_operative and all(
            connector.operative and not connector.faulted for connector in evse.connectors.values()
        )

    def on_status_changed(self, connector: Connector, previous: ConnectorStatus) -> None:
        """A connector moved (after the move, before any report): the station's hook."""

    # -- status (G01) ---------------------------------------------------------------------------

    def set_status(self, connector: Connector, status: ConnectorStatus) -> None:
        """Move a connector (table of states.py); StatusNotification when its 2.0.1 status
        changes (G01: Preparing and Charging are both Occupied)."""
        previous = connector.status
        if not connector.move(status):
            return
        self.on_status_changed(connector, previous)
        if STATUS_201[previous] != STATUS_201[status]:
            self.report_status(connector)

    def report_status(self, connector: Connector, *, requested: bool = False) -> None:
        status = STATUS_201[connector.status]
        payload: v201.StatusNotificationRequest = {
            "timestamp": iso(self.clock.now()),
            "connectorStatus": status,
            "evseId": connector.evse_id,
            "connectorId": connector.connector_id,
        }
        if self.call("StatusNotification", payload, requested=requested):
            self._reported[(connector.evse_id, connector.connector_id)] = status

    def on_accepted(self) -> None:
        # B01: the interval of the answer is the HeartbeatInterval from now on; then every
        # connector's status.
        self.device_model.write("OCPPCommCtrlr", "HeartbeatInterval", str(self.heartbeat_interval))
        self.boot_reason = "PowerUp"
        for connector in self.model.connectors():
            self.report_status(connector)

    def disconnect(self) -> None:
        if self.connected:
            self._offline_since = self.clock.monotonic()
        super().disconnect()

    def on_reconnected(self) -> None:
        super().on_reconnected()
        away = self.clock.monotonic() - (self._offline_since or self.clock.monotonic())
        threshold = self.device_model.get_int("OCPPCommCtrlr", "OfflineThreshold", default=300)
        for connector in self.model.connectors():
            key = (connector.evse_id, connector.connector_id)
            # B04: after OfflineThreshold every status, else only those that changed.
            if away > threshold or self._reported.get(key) != STATUS_201[connector.status]:
                self.report_status(connector)

    def on_power_on(self) -> None:
        # Values that do not persist return to their defaults, values stored with
        # RebootRequired take effect (B05).
        self.device_model.reset_volatile()
        self._apply_device_model()

    def boot_notification_payload(self) -> v201.BootNotificationRequest:
        station: v201.ChargingStationType = {
            "model": self.template.model,
            "vendorName": self.template.vendor,
            "firmwareVersion": self.model.firmware_version,
        }
        if self.serial_number:
            station["serialNumber"] = self.serial_number[:25]
        return {"reason": self.boot_reason, "chargingStation": station}

    # -- meter readings (J) -----------------------------------------------------------------------

    def readings(
        self, evse: Evse, component: str, variable: str, context: ReadingContext
    ) -> list[SampledValue]:
        """Sample ``evse``'s meter for the measurands the MemberList variable lists (e.g.
        SampledDataCtrlr.TxUpdatedMeasurands); measurands 2.0.1 lacks are skipped."""
        wanted = self.device_model.get_list(component, variable)
        measurands = [m for m in wanted if m in SUPPORTED_MEASURANDS_201]
        return self.model.sample(evse, measurands, context, self.clock.now())

    def meter_value(
        self, readings: Sequence[SampledValue], at: datetime | None = None
    ) -> v201.MeterValueType:
        """A MeterValueType, stamped ``at`` (default: now)."""
        return {
            "timestamp": iso(at or self.clock.now()),
            "sampledValue": [to_ocpp201_sampled_value(reading) for reading in readings],
        }

    def send_meter_values(
        self,
        evse: Evse,
        context: ReadingContext,
        measurands: tuple[str, str] = ("AlignedDataCtrlr", "Measurands"),
        *,
        requested: bool = False,
        at: datetime | None = None,
    ) -> None:
        """MeterValuesRequest for ``evse`` outside a transaction (J01), its values stamped
        ``at`` (default: now); dropped offline."""
        readings = self.readings(evse, *measurands, context)
        if readings:
            payload: v201.MeterValuesRequest = {
                "evseId": evse.id,
                "meterValue": [self.meter_value(readings, at)],
            }
            self.call("MeterValues", payload, requested=requested)
