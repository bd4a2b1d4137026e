"""OCPP 2.0.1's words for what is done to a station (``station/terms.py``): a fault is the
ReasonEnumType its transaction ends with (a 1.6 ChargePointErrorCode is taken too, as the
reason that says the same: ``station/faults.py``), settings are device model variables
(SetVariables, B05), the local list is idTokens (SendLocalList, D01)."""

from __future__ import annotations

from collections.abc import Sequence

from chargeyard.protocol import V201, Payload
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.clock import iso
from chargeyard.station.faults import KIND_OF_16_CODE, KIND_OF_201_REASON, Fault, fault_codes
from chargeyard.station.model.station import Transaction
from chargeyard.station.terms import ListEntry, Setting, StationTerms
from chargeyard.station.v201.availability import FAULT_REASONS, check_fault_reason


class TermsV201(StationTerms):
    version = V201
    id_token_path = "idToken.idToken"  # IdTokenType.idToken: identifierString, 36
    list_id_token_path = "localAuthorizationList.idToken.idToken"
    stop_reason_field = ("TransactionEvent", "transactionInfo.stoppedReason")  # ReasonEnumType
    start_message = "TransactionEvent"

    @property
    def fault_words(self) -> tuple[str, ...]:
        return (*FAULT_REASONS, *sorted(fault_codes()))

    def fault_named(
        self, word: str, info: str | None = None, vendor_error_code: str | None = None
    ) -> Fault:
        kind = KIND_OF_16_CODE.get(word)
        if kind is None:
            check_fault_reason(word)
            kind = KIND_OF_201_REASON[word]
        return Fault(kind, info, vendor_error_code)

    def setting_request(self, setting: Setting) -> Payload | None:
        # One Component.Variable[:instance]; a key without both names cannot be set (B05).
        component, _, variable = setting.key.partition(".")
        name, _, instance = variable.partition(":")
        if not component or not name:
            return None
        wire_variable: Payload = {"name": name}
        if instance:
            wire_variable["instance"] = instance
        data = {"component": {"name": component}, "variable": wire_variable}
        return {"setVariableData": [{**data, "attributeValue": setting.value}]}

    def check_setting(self, setting: Setting) -> None:
        request = self.setting_request(setting)
        if request is None:
            return  # Rejected when applied
        data = request["setVariableData"][0]
        names = {
            "component.name": ("component", data["component"]["name"]),
            "variable.name": ("variable", data["variable"]["name"]),
            "variable.instance": ("instance", data["variable"].get("instance")),
            "attributeValue": (f"value of {setting.key}", setting.value),
        }
        for path, (name, value) in names.items():
            if value is not None:
                self.check("SetVariables", f"setVariableData.{path}", value, name)

    def local_list_request(self, version: int, entries: Sequence[ListEntry]) -> Payload:
        items: list[Payload] = []
        for entry in entries:
            info: Payload = {"status": "Accepted"}
            if entry.expiry is not None:
                info["cacheExpiryDateTime"] = iso(entry.expiry)
            items.append(
                {"idToken": {"idToken": entry.id_tag, "type": "ISO14443"}, "idTokenInfo": info}
            )
        request: Payload = {"versionNumber": version, "updateType": "Full"}
        if items:  # the list, when present, has at least one entry (minItems 1)
            request["localAuthorizationList"] = items
        return request

    def session_stop_reason(self, why: str) -> str:
        return {"time": "TimeLimitReached", "energy": "EnergyLimitReached"}.get(why, "Local")

    def transaction_id(self, transaction: Transaction) -> str | None:
        return transaction.local_id  # the station's own (E01: transactionId)

    def connector_numbered(
        self, template: StationTemplate, connector_id: int
    ) -> tuple[int, int] | None:
        # 2.0.1 numbers connectors within their EVSE (part 1, 3-tier model): a connector id
        # alone is the first EVSE's (the executor says when it has no such connector).
        return (1, connector_id)


TERMS_V201 = TermsV201()
