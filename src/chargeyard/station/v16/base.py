"""The state every OCPP 1.6 feature block of a simulated station shares.

Each feature profile (OCPP 1.6 section 3: Core, Firmware Management, Local Auth List
Management, Reservation, Smart Charging, Remote Trigger) is a block in its own module, which
``StationV16`` (``v16/__init__.py``) owns and wires to its lifecycle hooks. This base holds the
hardware model, the configuration keys, and the one way a connector's status changes:
:meth:`StationV16Base.set_status`, which checks the move against the table of
``model/states.py`` and sends StatusNotification (section 4.9); the station tells its blocks
afterwards.

Connector numbers are 1.6's: 0 is the whole station, 1..N the connectors in EVSE order.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from types import MappingProxyType

from chargeyard.protocol import V16
from chargeyard.protocol.messages import v16
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.clock import iso
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model.authorization import AuthorizationPolicy
from chargeyard.station.model.meter import ReadingContext, SampledValue
from chargeyard.station.model.smart_charging import OCPP16_RULES
from chargeyard.station.model.states import ConnectorStatus, Registration
from chargeyard.station.model.station import Connector, Evse
from chargeyard.station.v16.configuration import Configuration

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=256)
def template_configuration(template: StationTemplate, security_profile: int) -> Mapping[str, str]:
    """The 1.6 configuration a station of ``template`` starts with, read-only: shared by the
    stations built from it (each :class:`Configuration` keeps only the keys it changed).

    Every station has the AuthorizationKey (security whitepaper 7.2), set once it has a
    password; write-only, so the listings do not change. SecurityProfile is the one it
    connects with (whitepaper 7.6; its runner sets it, ``security_profile_set``).
    """
    return MappingProxyType(
        {
            **template.configuration_16(),
            "AuthorizationKey": "",
            "SecurityProfile": str(security_profile),
        }
    )


class StationV16Base(SimulatedStation):
    """Shared state of a 1.6 station. Not used alone: see ``StationV16``."""

    version = V16

    def assemble(self) -> None:
        # Profiles are kept per EVSE; the Smart Charging profile maps 1.6 connector numbers
        # onto EVSEs (connector 0 stays 0, the whole station).
        self.model.profiles.rules = OCPP16_RULES
        self.config = Configuration(template_configuration(self.template, self.security_profile))
        self.config.on_change(self.configuration_changed)
        # The last status of GetDiagnostics, which TriggerMessage re-sends (sections 4.4, 5.17:
        # DiagnosticsStatusNotification); UpdateFirmware's is the firmware update machine's
        # (``firmware_status``).
        self.diagnostics_status: v16.DiagnosticsStatusNotificationRequestStatus = "Idle"
        # The station as a whole (connector 0): Available, Unavailable or Faulted.
        self.station_status = ConnectorStatus.AVAILABLE
        # What the central system was last told, per connector number, to report only
        # changes after a reconnection.
        self._reported: dict[int, tuple[str, str]] = {}
        self._apply_configuration()

    # -- configuration --------------------------------------------------------------------------

    def _apply_configuration(self) -> None:
        config = self.config
        self.heartbeat_interval = config.get_int("HeartbeatInterval", self.heartbeat_interval)
        self.model.policy = AuthorizationPolicy(
            local_authorize_offline=config.get_bool("LocalAuthorizeOffline", True),
            local_pre_authorize=config.get_bool("LocalPreAuthorize"),
            allow_offline_tx_for_unknown_id=config.get_bool("AllowOfflineTxForUnknownId"),
            authorize_remote_tx_requests=config.get_bool("AuthorizeRemoteTxRequests"),
            local_auth_list_enabled=config.get_bool("LocalAuthListEnabled", True),
            authorization_cache_enabled=config.get_bool("AuthorizationCacheEnabled", True),
        )

    def security_profile_set(self, value: int) -> None:
        self.config.record("SecurityProfile", str(value))

    def configuration_changed(self, key: str, value: str) -> None:
        """An accepted ChangeConfiguration: apply it now (section 5.3). The station then tells
        the blocks that sample by a key."""
        self._apply_configuration()
        if key == "HeartbeatInterval":
            self.set_heartbeat_interval(self.config.get_int(key))

    def transaction_retry_policy(self) -> tuple[int, float]:
        # Section 4.10 / 9.1: TransactionMessageAttempts, TransactionMessageRetryInterval.
        return (
            max(1, self.config.get_int("TransactionMessageAttempts", 3)),
            float(self.config.get_int("TransactionMessageRetryInterval", 60)),
        )

    def websocket_ping_interval(self) -> int:
        # Section 5.3 and 9.1: the WebSocketPingInterval key (absent: no pings).
        return max(0, self.config.get_int("WebSocketPingInterval", 0))

    # -- lookups --------------------------------------------------------------------------------

    def connector_of(self, number: int) -> Connector:
        """The connector 1.6 numbers ``number`` (1..N); KeyError if there is none."""
        return self.model.connector_16(number)

    def evse_of(self, connector: Connector) -> Evse:
        return self.model.evses[connector.evse_id]

    def new_id(self) -> str:
        """A fresh id from the station's generator (a transaction's own id)."""
        return self._new_id()

    def on_power_change(self, powered: bool) -> None:
        super().on_power_change(powered)
        self.advance()  # energy up to the moment the power goes (or none while it was off)
        self.model.powered = powered

    # -- status ---------------------------------------------------------------------------------

    def set_status(
        self,
        connector: Connector,
        status: ConnectorStatus,
        *,
        error_code: v16.ErrorCode = "NoError",
        info: str | None = None,
    ) -> None:
        """Move a connector (table of states.py) and tell the central system (section 4.9)."""
        changed = connector.move(status)
        error_changed = (connector.error_code, connector.error_info) != (error_code, info)
        connector.error_code, connector.error_info = error_code, info
        if changed or error_changed:
            self.report_status(connector)

    def report_status(self, connector: Connector, *, requested: bool = False) -> None:
        """StatusNotification.req with the connector's status (``requested``: see ``call``)."""
        payload: v16.StatusNotificationRequest = {
            "connectorId": connector.number_16,
            "errorCode": connector.error_code,
            "status": connector.status.value,
            "timestamp": iso(self.clock.now()),
        }
        if connector.error_info:
            payload["info"] = connector.error_info[:50]
        if connector.vendor_error_code:
            payload["vendorErrorCode"] = connector.vendor_error_code[:50]
        if self.call("StatusNotification", payload, requested=requested):
            self._reported[connector.number_16] = (payload["status"], payload["errorCode"])

    def report_station_status(self) -> None:
        status: v16.StatusNotificationRequestStatus = self.station_status.value
        payload: v16.StatusNotificationRequest = {
            "connectorId": 0,
            "errorCode": "NoError",
            "status": status,
            "timestamp": iso(self.clock.now()),
        }
        if self.call("StatusNotification", payload):
            self._reported[0] = (status, "NoError")

    def on_accepted(self) -> None:
        # Section 4.2: the heartbeat interval is the boot answer's from now on; the key says
        # so (GetConfiguration reads it, and a later change of another key re-reads it).
        self.config.record("HeartbeatInterval", str(self.heartbeat_interval))
        # After boot, every connector's status, connector 0 included (section 4.9).
        self.report_station_status()
        for connector in self.model.connectors():
            self.report_status(connector)

    def on_reconnected(self) -> None:
        super().on_reconnected()
        if self._reported.get(0, ("", ""))[0] != self.station_status.value:
            self.report_station_status()
        for connector in self.model.connectors():
            reported = (connector.status.value, connector.error_code)
            if self._reported.get(connector.number_16) != reported:
                self.report_status(connector)

    def boot_notification_payload(self) -> v16.BootNotificationRequest:
        payload: v16.BootNotificationRequest = {
            "chargePointVendor": self.template.vendor,
            "chargePointModel": self.template.model,
            "firmwareVersion": self.model.firmware_version,
        }
        if self.serial_number:
            payload["chargePointSerialNumber"] = self.serial_number[:25]
        return payload

    @property
    def accepted(self) -> bool:
        return self.registration is Registration.ACCEPTED

    # -- meter readings -------------------------------------------------------------------------

    def readings(
        self, evse: Evse, measurands_key: str, context: ReadingContext
    ) -> list[SampledValue]:
        """Sample ``evse``'s meter for the measurands a configuration key lists."""
        return self.model.sample(
            evse, self.config.get_list(measurands_key), context, self.clock.now()
        )
