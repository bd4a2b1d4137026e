"""Where the gateway's commands meet an OCPP version: names of versions, the few actions whose
words differ between 1.6 and 2.0.1 (faults, configuration, the local list, the reason a
session ends), and what each version allows in the parameters that reach the wire. One adapter
per version in one table, :data:`ADAPTERS`; the executor never asks which version a station
speaks.

Validate before acting: :meth:`VersionAdapter.refusal` checks each parameter of a command that
ends up in an OCPP message against the field of the version's official schema that carries it
(``protocol/fields.py``), and a proxied payload against its whole request schema, before the
station changes anything. A stop reason the schema refuses would otherwise end the transaction
inside the station and then fail as the StopTransaction.req, leaving it open at the central
system for ever. The executor asks for the refusal before queuing and again on arrival.
"""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

from pydantic import BaseModel

from chargeyard.gateway.commands import (
    AuthorizePayload,
    ConfigurationItem,
    FaultPayload,
    LocalAuthListEntry,
    LocalAuthListPayload,
    ProxyMessagePayload,
    SetConfigurationPayload,
    StartSessionPayload,
    StartTransactionPayload,
    StopTransactionPayload,
)
from chargeyard.protocol import (
    V16,
    V21,
    V201,
    ErrorKind,
    OcppError,
    Payload,
    UnknownVersion,
    VersionSpec,
    VersionTable,
    parse_version,
)
from chargeyard.protocol.fields import SchemaValueError, request_field
from chargeyard.station.clock import iso
from chargeyard.station.model.station import Transaction
from chargeyard.station.v16 import StationV16
from chargeyard.station.v16.core_profile import fault_codes
from chargeyard.station.v201 import StationV201
from chargeyard.station.v201.availability import FAULT_REASONS
from chargeyard.station.verbs import StationVerbs

# A 1.6 ChargePointErrorCode given to a 2.0.1 station (the gateway's error_code defaults to
# one): the fault ReasonEnumType that says the same; any other fault code ends as Other.
_FAULT_REASON_OF_16_CODE = {
    "GroundFailure": "GroundFault",
    "OverCurrentFailure": "OvercurrentFault",
    "UnderVoltage": "PowerQuality",
    "OverVoltage": "PowerQuality",
}


def fleet_version(version: str) -> VersionSpec:
    """The OCPP version a simulated station can speak, from any spelling the API meets
    (:func:`~chargeyard.protocol.parse_version`: "1.6", "ocpp1.6", "OCPP 2.0.1", "v201"...).

    Raises:
        UnknownVersion: not a version, or one no simulated station speaks (a ValueError).
    """
    with contextlib.suppress(UnknownVersion):
        spec = parse_version(version)
        if spec in ADAPTERS:
            return spec
    spoken = " or ".join(reversed(ADAPTERS.names))
    raise UnknownVersion(f"unsupported OCPP version {version!r} ({spoken})")


def command_version_label(version: str) -> str:
    """As a queued command shows it: ``ocpp1.6`` (the API reference's QueuedCommandResponse)."""
    return fleet_version(version).subprotocol


def runtime_version_label(version: str) -> str:
    """As a runtime answer shows it: ``OCPP1.6`` (the API reference's stop-charger example)."""
    return fleet_version(version).subprotocol.upper()


class VersionAdapter(Protocol):
    @property
    def name(self) -> str: ...

    def refusal(self, command: BaseModel) -> str | None:
        """Why the version cannot carry the command's parameters (naming what it allows), or
        None. Reads nothing of the station."""
        ...

    def inject_fault(
        self, station: StationVerbs, evse_id: int, connector_id: int, error_code: str
    ) -> None: ...

    def set_configuration(
        self, station: StationVerbs, items: list[ConfigurationItem]
    ) -> dict[str, str]: ...

    def send_local_list(
        self, station: StationVerbs, version: int, entries: list[LocalAuthListEntry]
    ) -> str: ...

    def session_stop_reason(self, why: str) -> str: ...

    @property
    def start_message(self) -> str:
        """The transaction message whose answer accepts a started transaction's token."""
        ...

    def transaction_id(self, transaction: Transaction) -> str | None:
        """The transaction's id as the central system knows it (None: not yet known)."""
        ...


class _Adapter:
    """What both versions check alike; the subclasses name their schemas' fields."""

    spec: VersionSpec
    id_token_path: str  # in AuthorizeRequest
    list_id_token_path: str  # in SendLocalListRequest
    stop_reason_field: tuple[str, str]  # (action, path)

    @property
    def name(self) -> str:
        return self.spec.name

    def refusal(self, command: BaseModel) -> str | None:
        if isinstance(command, ProxyMessagePayload):
            wanted = fleet_version(command.ocpp_version)
            if wanted is not self.spec:
                return f"the station speaks OCPP {self.name}, not {wanted.name}"
        try:
            self._check(command)
        except OcppError as error:  # SchemaValueError for one field, else a whole request's
            return f"OCPP {self.name}: {error.description or error.kind.value}"
        return None

    def _check(self, command: BaseModel) -> None:
        if isinstance(command, StartSessionPayload | AuthorizePayload | StartTransactionPayload):
            self.check("Authorize", self.id_token_path, command.id_tag, "id_tag")
        elif isinstance(command, StopTransactionPayload):
            self.check(*self.stop_reason_field, command.reason, "reason")
        elif isinstance(command, FaultPayload):
            self.check_fault(command.error_code)
        elif isinstance(command, SetConfigurationPayload):
            for item in command.configuration:
                self.check_configuration(item)
        elif isinstance(command, LocalAuthListPayload):
            for index, entry in enumerate(command.entries):
                name = f"entries[{index}].id_tag"
                self.check("SendLocalList", self.list_id_token_path, entry.id_tag, name)
            request = self.local_list_request(command.list_version, command.entries)
            self.spec.schemas.check_request("SendLocalList", request)
        elif isinstance(command, ProxyMessagePayload):
            # Checked here, not only when the session sends it: before it is queued.
            self.spec.schemas.check_request(command.action, command.payload)

    def check(self, action: str, path: str, value: object, name: str) -> None:
        request_field(self.spec.schemas, action, path).check(value, name)

    def check_fault(self, error_code: str) -> None:
        raise NotImplementedError

    def configuration_request(self, item: ConfigurationItem) -> Payload | None:
        """The request that sets ``item``; None for a key the version cannot name."""
        raise NotImplementedError

    def check_configuration(self, item: ConfigurationItem) -> None:
        raise NotImplementedError

    def local_list_request(self, version: int, entries: list[LocalAuthListEntry]) -> Payload:
        raise NotImplementedError

    def send_local_list(
        self, station: StationVerbs, version: int, entries: list[LocalAuthListEntry]
    ) -> str:
        # The station's handler is called directly, past the session that would check the
        # request: it is checked here, so that nothing the version refuses reaches the list.
        request = self.local_list_request(version, entries)
        self.spec.schemas.check_request("SendLocalList", request)
        return str(self.own(station).send_local_list(request)["status"])

    def own(self, station: StationVerbs) -> StationV16 | StationV201:
        """``station`` as its version's class, whose handlers take the version's messages.

        Raises:
            TypeError: a station of another version (the host picks the adapter by version).
        """
        if not isinstance(station, StationV16 | StationV201) or station.version is not self.spec:
            raise TypeError(f"{type(station).__name__} is not an OCPP {self.name} station")
        return station

    def configuration_status(self, item: ConfigurationItem, apply: Any) -> str:
        """``apply(request)``'s status for one item; Rejected for one the version's schema
        refuses (a request no central system could have sent)."""
        request = self.configuration_request(item)
        if request is None:
            return "Rejected"
        try:
            self.check_configuration(item)
        except OcppError:
            return "Rejected"
        return str(apply(request))


class _V16(_Adapter):
    spec = V16
    id_token_path = "idTag"  # IdToken: CiString20Type
    list_id_token_path = "localAuthorizationList.idTag"
    stop_reason_field = ("StopTransaction", "reason")  # Reason

    def check_fault(self, error_code: str) -> None:
        if error_code not in fault_codes():
            raise _not_one_of("error_code", error_code, sorted(fault_codes()))

    def own(self, station: StationVerbs) -> StationV16:
        own = super().own(station)
        assert isinstance(own, StationV16)
        return own

    def inject_fault(
        self, station: StationVerbs, evse_id: int, connector_id: int, error_code: str
    ) -> None:
        self.own(station).inject_fault(evse_id, connector_id, error_code=error_code)

    def configuration_request(self, item: ConfigurationItem) -> Payload | None:
        return {"key": item.key, "value": item.value}

    def check_configuration(self, item: ConfigurationItem) -> None:
        self.check("ChangeConfiguration", "key", item.key, "key")
        self.check("ChangeConfiguration", "value", item.value, f"value of {item.key}")

    def set_configuration(
        self, station: StationVerbs, items: list[ConfigurationItem]
    ) -> dict[str, str]:
        # ChangeConfiguration per key, through the station's own handler (section 5.3), so
        # that an accepted key applies at once as it would from a central system.
        own = self.own(station)

        def apply(request: Payload) -> str:
            return str(own.change_configuration(request)["status"])

        return {item.key: self.configuration_status(item, apply) for item in items}

    def local_list_request(self, version: int, entries: list[LocalAuthListEntry]) -> Payload:
        items: list[Payload] = []
        for entry in entries:
            info: Payload = {"status": "Accepted"}
            if entry.expiry_date is not None:
                info["expiryDate"] = iso(entry.expiry_date)
            items.append({"idTag": entry.id_tag, "idTagInfo": info})
        return {"listVersion": version, "updateType": "Full", "localAuthorizationList": items}

    def session_stop_reason(self, why: str) -> str:
        return "Local"  # 1.6 Reason has no time or energy limit

    @property
    def start_message(self) -> str:
        return "StartTransaction"

    def transaction_id(self, transaction: Transaction) -> str | None:
        # The central system's, from StartTransaction.conf (section 6.46).
        return None if transaction.csms_id is None else str(transaction.csms_id)


class _V201(_Adapter):
    spec = V201
    id_token_path = "idToken.idToken"  # IdTokenType.idToken: identifierString, 36
    list_id_token_path = "localAuthorizationList.idToken.idToken"
    stop_reason_field = ("TransactionEvent", "transactionInfo.stoppedReason")  # ReasonEnumType

    def check_fault(self, error_code: str) -> None:
        if error_code not in FAULT_REASONS and error_code not in fault_codes():
            raise _not_one_of("error_code", error_code, [*FAULT_REASONS, *sorted(fault_codes())])

    def own(self, station: StationVerbs) -> StationV201:
        own = super().own(station)
        assert isinstance(own, StationV201)
        return own

    def inject_fault(
        self, station: StationVerbs, evse_id: int, connector_id: int, error_code: str
    ) -> None:
        # 2.0.1 has no error code on the wire: the fault ends the transaction with a
        # ReasonEnumType (availability.py), the one given or the one a 1.6 code means.
        reason = (
            error_code
            if error_code in FAULT_REASONS
            else _FAULT_REASON_OF_16_CODE.get(error_code, "Other")
        )
        self.own(station).inject_fault(evse_id, connector_id, reason)

    def configuration_request(self, item: ConfigurationItem) -> Payload | None:
        # One Component.Variable[:instance]; a key without both names cannot be set (B05).
        component, _, variable = item.key.partition(".")
        name, _, instance = variable.partition(":")
        if not component or not name:
            return None
        wire_variable: Payload = {"name": name}
        if instance:
            wire_variable["instance"] = instance
        data = {"component": {"name": component}, "variable": wire_variable}
        return {"setVariableData": [{**data, "attributeValue": item.value}]}

    def check_configuration(self, item: ConfigurationItem) -> None:
        request = self.configuration_request(item)
        if request is None:
            return  # Rejected when applied, as before
        data = request["setVariableData"][0]
        names = {
            "component.name": ("component", data["component"]["name"]),
            "variable.name": ("variable", data["variable"]["name"]),
            "variable.instance": ("instance", data["variable"].get("instance")),
            "attributeValue": (f"value of {item.key}", item.value),
        }
        for path, (name, value) in names.items():
            if value is not None:
                self.check("SetVariables", f"setVariableData.{path}", value, name)

    def set_configuration(
        self, station: StationVerbs, items: list[ConfigurationItem]
    ) -> dict[str, str]:
        # SetVariables one variable at a time (B05: each item stands alone).
        own = self.own(station)

        def apply(request: Payload) -> str:
            answer = own.set_variables(request)
            return str(answer["setVariableResult"][0]["attributeStatus"])

        return {item.key: self.configuration_status(item, apply) for item in items}

    def local_list_request(self, version: int, entries: list[LocalAuthListEntry]) -> Payload:
        items: list[Payload] = []
        for entry in entries:
            info: Payload = {"status": "Accepted"}
            if entry.expiry_date is not None:
                info["cacheExpiryDateTime"] = iso(entry.expiry_date)
            items.append(
                {"idToken": {"idToken": entry.id_tag, "type": "ISO14443"}, "idTokenInfo": info}
            )
        request: Payload = {"versionNumber": version, "updateType": "Full"}
        if items:  # the list, when present, has at least one entry (minItems 1)
            request["localAuthorizationList"] = items
        return request

    def session_stop_reason(self, why: str) -> str:
        return {"time": "TimeLimitReached", "energy": "EnergyLimitReached"}.get(why, "Local")

    @property
    def start_message(self) -> str:
        return "TransactionEvent"

    def transaction_id(self, transaction: Transaction) -> str | None:
        return transaction.local_id  # the station's own (E01: transactionId)


def _not_one_of(name: str, value: str, allowed: list[str]) -> SchemaValueError:
    return SchemaValueError(
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        f"{name} {value!r} is not allowed: one of {', '.join(allowed)}",
    )


ADAPTERS: VersionTable[VersionAdapter] = VersionTable(
    "the gateway's commands to a simulated station",
    {V16: _V16(), V201: _V201()},
    lacking={V21: "no simulated station speaks 2.1 yet (1.6 or 2.0.1)"},
)
"""The adapter of each version a simulated station speaks."""
