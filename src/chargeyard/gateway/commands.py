"""The gateway's commands as data: the path under ``/ocpp/commands/``, the ``event_type`` a
queued command carries (``QueuedCommandResponse.event_type``) and the model of its payload.
The simulator's controls (``controls/``: the EV, the meter, the hardware, the station's memory
read back, one local list entry, a message sent now) follow these in the catalogue.

The gateway API reference's example names the style: ``unplug-connector`` is queued as
``"unplug"`` with ``{"evse_id", "connector_id"}``. The whole table:

=====================  ======================  ==========================================
path                   event_type              payload
=====================  ======================  ==========================================
plug-connector         plug                    evse_id, connector_id
unplug-connector       unplug                  evse_id, connector_id
unlock-connector       unlock                  evse_id, connector_id
ev-requests-energy     ev_requests_energy      evse_id, connector_id
ev-stops-energy        ev_stops_energy         evse_id, connector_id
start-session          start_session           id_tag, evse_id, connector_id,
                                               duration_seconds?, target_energy_kwh?, ev?
stop-session           stop_session            evse_id, connector_id
authorize              authorize               id_tag, evse_id?
start-transaction      start_transaction       id_tag, evse_id, connector_id
stop-transaction       stop_transaction        evse_id, connector_id, reason
power-update           power_update            power_w (None: back to the rating), evse_id,
                                               connector_id
inject-fault           inject_fault            error_code, evse_id, connector_id, info?,
                                               vendor_error_code?
clear-fault            clear_fault             evse_id, connector_id
set-configuration      set_configuration       configuration: [{key, value}]
cache/reset            reset_cache             (nothing)
local-auth-list        local_auth_list         list_version, update_type?, entries: [{id_tag,
                                               expiry_date?, status?, parent_id_tag?}]
clear-local-list       clear_local_list        (nothing)
proxy-message          proxy_message           action, ocpp_version?, payload
=====================  ======================  ==========================================

Numbering is OCPP 2.0.1's wherever ``evse_id`` is given (EVSE ids from 1, connector ids from 1
within an EVSE), for 1.6 stations too. A ``connector_id`` given alone is numbered as the
charger's version numbers connectors: on a 1.6 station, its connector of that number (1..n
across the EVSEs, OCPP 1.6 section 3.5); on a 2.0.1 station, the first EVSE's
(``connector_numbers.py``, when the command is queued).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.json_schema import SkipJsonSchema

from chargeyard.gateway.ev_payload import EvPayload
from chargeyard.protocol.schemas import INT32_MAX
from chargeyard.station.terms import ListEntry, Setting
from chargeyard.station.versions import named_version

__all__ = [
    "COMMANDS",
    "COMMANDS_BY_PATH",
    "AuthorizePayload",
    "CommandSpec",
    "ConfigurationItem",
    "ConnectorPayload",
    "EmptyPayload",
    "FaultPayload",
    "InvalidPayload",
    "LocalAuthListEntry",
    "LocalAuthListPayload",
    "PowerUpdatePayload",
    "ProxyMessagePayload",
    "SetConfigurationPayload",
    "StartSessionPayload",
    "StartTransactionPayload",
    "StopTransactionPayload",
    "parse_payload",
]


# The longest id tag any version carries (2.0.1 IdTokenType.idToken, identifierString 36); the
# charger's own version checks its limit (1.6 IdToken: CiString20Type) before anything is queued.
_ID_TAG_MAX = 36
# Every integer is one of OCPP's, which the official schemas type as 32-bit signed (2.0.1
# evseId and connectorId, 1.6 connectorId, listVersion/versionNumber): a larger one is a 422
# here, never a number the station, the store or the JSON encoder cannot hold.
_Number = Annotated[int, Field(ge=1, le=INT32_MAX)]


class _Payload(BaseModel):
    # Infinity and NaN (which Python's JSON reader accepts) would be queued as null: a power
    # limit of Infinity would become "back to the rating", a duration no limit at all.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class EmptyPayload(_Payload):
    """A command without parameters."""


class ConnectorPayload(_Payload):
    """``ConnectorCommandEvent`` of the gateway API reference: one connector of one EVSE.

    ``connector_id`` without ``evse_id`` (left out, or null as OCPPLab's SDK may send it) is
    numbered as the charger's OCPP version numbers connectors (``connector_numbers.py``):
    on 1.6 the station's connector of that number (1..n across its EVSEs), on 2.0.1 the
    first EVSE's."""

    evse_id: _Number = 1
    connector_id: _Number = 1

    @model_validator(mode="before")
    @classmethod
    def _null_is_not_given(cls, data: Any) -> Any:
        if isinstance(data, dict) and "evse_id" in data and data["evse_id"] is None:
            data = {key: value for key, value in data.items() if key != "evse_id"}
        return data

    @property
    def evse_given(self) -> bool:
        """Whether ``evse_id`` was given (else ``connector_id`` alone names the connector)."""
        return "evse_id" in self.model_fields_set


class StartSessionPayload(ConnectorPayload):
    """A whole session as a driver has it: plug (unless a cable is in), present ``id_tag``
    (authorized by the station's rules, then the transaction starts), and stop
    ``duration_seconds`` after the transaction started or once ``target_energy_kwh`` went
    into the EV, whichever comes first (neither: it runs until stop-session). A cable the
    session plugged is unplugged at the end; one that was already in stays. ``ev``: the car
    the session's cable brings (set-ev's, ``controls/ev.py``)."""

    id_tag: str = Field(min_length=1, max_length=_ID_TAG_MAX)
    duration_seconds: float | None = Field(None, gt=0)
    target_energy_kwh: float | None = Field(None, gt=0)
    ev: EvPayload | None = None


class AuthorizePayload(_Payload):
    """The driver presents ``id_tag`` to the reader of ``evse_id`` (None: the station's)."""

    id_tag: str = Field(min_length=1, max_length=_ID_TAG_MAX)
    evse_id: _Number | None = None
    # OCPPLab's SDK names the reader by a connector (AuthorizeIdTagPayload.connector_id): the
    # reader of that connector's EVSE, as the charger's version numbers connectors
    # (connector_numbers.py, when it is queued). Taken, not shown, never queued.
    connector_id: SkipJsonSchema[_Number | None] = Field(None, exclude=True)


class StartTransactionPayload(ConnectorPayload):
    """Start on the station's own authority (the caller drove plug and authorize)."""

    id_tag: str = Field(min_length=1, max_length=_ID_TAG_MAX)


class StopTransactionPayload(ConnectorPayload):
    """End the EVSE's transaction now; ``reason`` one of the version's stop reasons (1.6
    Reason, 2.0.1 ReasonEnumType: Local, Remote, ...), checked before anything is queued."""

    reason: str = Field("Local", min_length=1, max_length=32)


class PowerUpdatePayload(ConnectorPayload):
    """The power available to the EVSE changes (``power_w`` None: back to its rating)."""

    power_w: float | None = Field(ge=0)


class FaultPayload(ConnectorPayload):
    """The connector fails with ``error_code``: a 1.6 ChargePointErrorCode other than NoError
    (e.g. GroundFailure). A 2.0.1 station also takes a fault ReasonEnumType (GroundFault,
    OvercurrentFault, PowerQuality, EmergencyStop, Other) and ends its transaction with it; a
    1.6 code there ends it with the reason that says the same (GroundFailure: GroundFault,
    OverCurrentFailure: OvercurrentFault, Under/OverVoltage: PowerQuality), else Other.
    Both take the fault types of OCPPLab's simulator (``station/faults.py``). ``info``: the
    free text a 1.6 StatusNotification carries (CiString50), kept by both for fault-status."""

    error_code: str = Field("GroundFailure", min_length=1, max_length=50)
    info: str | None = Field(None, max_length=50)
    vendor_error_code: str | None = Field(None, max_length=50)


class ConfigurationItem(_Payload):
    """One setting. 1.6: a configuration key (``HeartbeatInterval``). 2.0.1: a device model
    variable as ``Component.Variable`` (``OCPPCommCtrlr.HeartbeatInterval``), optionally with
    the variable's instance after a colon (``SampledDataCtrlr.TxUpdatedInterval``). The
    version's schema bounds each (1.6 ChangeConfiguration: key 50, value 500 characters;
    2.0.1 SetVariables: each name 50, value 1000); a command with one beyond is refused
    whole."""

    key: str = Field(min_length=1, max_length=200)
    value: str = Field(max_length=1000)


class SetConfigurationPayload(_Payload):
    configuration: list[ConfigurationItem] = Field(min_length=1, max_length=100)

    def settings(self) -> list[Setting]:
        """The items as the station takes them."""
        return [Setting(item.key, item.value) for item in self.configuration]


class LocalAuthListEntry(_Payload):
    """One id tag: its ``status`` (1.6 AuthorizationStatus, 2.0.1 AuthorizationStatusEnumType;
    null removes it, in a Differential update only) until ``expiry_date``, in the group
    ``parent_id_tag`` (1.6 parentIdTag, 2.0.1 groupIdToken)."""

    id_tag: str = Field(min_length=1, max_length=_ID_TAG_MAX)
    expiry_date: datetime | None = None
    status: str | None = Field("Accepted", min_length=1, max_length=32)
    parent_id_tag: str | None = Field(None, min_length=1, max_length=_ID_TAG_MAX)


class LocalAuthListPayload(_Payload):
    """Replace the station's local authorization list (a Full update, 1.6 section 5.15,
    2.0.1 D01), or change the entries given (``update_type`` Differential); ``list_version``
    must be greater than the installed one."""

    list_version: _Number
    entries: list[LocalAuthListEntry] = Field(default_factory=list, max_length=10_000)
    update_type: Literal["Full", "Differential"] = "Full"

    @property
    def differential(self) -> bool:
        return self.update_type == "Differential"

    def list_entries(self) -> list[ListEntry]:
        """The entries as the station takes them."""
        return [
            ListEntry(entry.id_tag, entry.expiry_date, entry.status, entry.parent_id_tag)
            for entry in self.entries
        ]


class ProxyMessagePayload(_Payload):
    """A station-to-CSMS CALL sent as it is (validated against the version's schema).
    ``ocpp_version`` None: the station's own (each station of a location its own)."""

    action: str = Field(min_length=1, max_length=64)
    ocpp_version: str | None = Field(None, min_length=1, max_length=16)
    payload: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_version(self) -> ProxyMessagePayload:
        if self.ocpp_version is not None:
            named_version(self.ocpp_version)  # ValueError: not a version a station speaks
        return self


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command of the gateway.

    Attributes:
        path: under ``/ocpp/commands/``.
        event_type: what the queued command is called.
        payload: the model of its ``payload``.
        summary: one line for the API's documentation.
        waits: applying it waits for the central system's answer (the fleet host runs it
            beside the queue instead of holding the queue up): proxy-message, and the
            commands that present a token and report what became of it.
        reported: its effect reaches the central system in the station's own messages (a
            StatusNotification, a transaction message...): applied while the station is
            offline, it is deferred until the station is online again. False for what stays
            in the station (its configuration, its cache, its local list).
    """

    path: str
    event_type: str
    payload: type[BaseModel]
    summary: str
    waits: bool = False
    reported: bool = True


_SPECS = (
    CommandSpec("plug-connector", "plug", ConnectorPayload, "Plug a cable (with an EV) in"),
    CommandSpec("unplug-connector", "unplug", ConnectorPayload, "Unplug the cable"),
    CommandSpec("unlock-connector", "unlock", ConnectorPayload, "Release the connector lock"),
    CommandSpec(
        "ev-requests-energy", "ev_requests_energy", ConnectorPayload, "The EV draws energy again"
    ),
    CommandSpec("ev-stops-energy", "ev_stops_energy", ConnectorPayload, "The EV stops drawing"),
    CommandSpec(
        "start-session",
        "start_session",
        StartSessionPayload,
        "Plug, authorize and charge; stop on time or energy",
        waits=True,
    ),
    CommandSpec("stop-session", "stop_session", ConnectorPayload, "Stop charging and unplug"),
    CommandSpec(
        "authorize",
        "authorize",
        AuthorizePayload,
        "Present an id tag to the reader",
        waits=True,
    ),
    CommandSpec(
        "start-transaction",
        "start_transaction",
        StartTransactionPayload,
        "Start a transaction on the station's authority",
        waits=True,
    ),
    CommandSpec(
        "stop-transaction", "stop_transaction", StopTransactionPayload, "Stop the transaction"
    ),
    CommandSpec(
        "power-update", "power_update", PowerUpdatePayload, "Change the power the EVSE may give"
    ),
    CommandSpec("inject-fault", "inject_fault", FaultPayload, "Make the connector fail"),
    CommandSpec("clear-fault", "clear_fault", ConnectorPayload, "Repair the connector"),
    CommandSpec(
        "set-configuration",
        "set_configuration",
        SetConfigurationPayload,
        "Change configuration keys (1.6) or variables (2.0.1)",
        reported=False,
    ),
    CommandSpec(
        "cache/reset",
        "reset_cache",
        EmptyPayload,
        "Clear the authorization cache",
        reported=False,
    ),
    CommandSpec(
        "local-auth-list",
        "local_auth_list",
        LocalAuthListPayload,
        "Install a local authorization list",
        reported=False,
    ),
    CommandSpec(
        "clear-local-list",
        "clear_local_list",
        EmptyPayload,
        "Empty the local list",
        reported=False,
    ),
    CommandSpec(
        "proxy-message",
        "proxy_message",
        ProxyMessagePayload,
        "Send any station-to-CSMS message as it is",
        waits=True,
    ),
)


class _Catalogue(Mapping[str, CommandSpec]):
    """Every command by a key of its row: the first commands, then the simulator's controls
    (``controls/``). The controls build on this module's payloads, so they join on first use
    (an import of them up here would be circular)."""

    def __init__(self, key: Callable[[CommandSpec], str]) -> None:
        self._key = key
        self._rows: dict[str, CommandSpec] | None = None

    def _all(self) -> dict[str, CommandSpec]:
        if self._rows is None:
            from chargeyard.gateway.controls import CONTROLS

            specs = (*_SPECS, *(control.spec for control in CONTROLS))
            self._rows = {self._key(spec): spec for spec in specs}
        return self._rows

    def __getitem__(self, key: str) -> CommandSpec:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


COMMANDS: Mapping[str, CommandSpec] = _Catalogue(lambda spec: spec.event_type)
"""Every command by ``event_type``."""

COMMANDS_BY_PATH: Mapping[str, CommandSpec] = _Catalogue(lambda spec: spec.path)
"""Every command by its path under ``/ocpp/commands/``."""


class InvalidPayload(ValueError):
    """A command's event type is unknown or its payload does not fit its model."""


def parse_payload(event_type: str, payload: Mapping[str, object]) -> BaseModel:
    """The payload of ``event_type`` as its model.

    Raises:
        InvalidPayload: no such command, or the payload does not validate.
    """
    spec = COMMANDS.get(event_type)
    if spec is None:
        raise InvalidPayload(f"unknown command {event_type!r}")
    try:
        return spec.payload.model_validate(payload)
    except ValidationError as error:
        raise InvalidPayload(f"invalid {event_type} payload: {error}") from None
