"""OCPP 2.0.1's words for what is done to a station (``station/terms.py``): a fault is the
ReasonEnumType its transaction ends with (a 1.6 ChargePointErrorCode is taken too, as the
reason that says the same: ``station/faults.py``), settings are device model variables
(SetVariables, B05), the local list is idTokens (SendLocalList, D01)."""

from __future__ import annotations

from collections.abc import Sequence

from chargeyard.protocol import V201, Payload
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.clock import iso
from chargeyard.station.faults import (
    KIND_OF_16_CODE,
    KIND_OF_201_REASON,
    SIMULATOR_FAULT_TYPES,
    Fault,
    fault_codes,
)
from chargeyard.station.model.station import Transaction
from chargeyard.station.terms import ListEntry, Setting, StationTerms
from chargeyard.station.v201.availability import FAULT_REASONS, check_fault_reason

_RESET_WORDS_16 = {"Hard": "Immediate", "Soft": "OnIdle"}


class TermsV201(StationTerms):
    version = V201
    id_token_path = "idToken.idToken"  # IdTokenType.idToken: identifierString, 36
    list_id_token_path = "localAuthorizationList.idToken.idToken"
    list_status_path = "localAuthorizationList.idTokenInfo.status"  # AuthorizationStatusEnumType
    list_parent_path = "localAuthorizationList.idTokenInfo.groupIdToken.idToken"
    trigger_actions = ("TriggerMessage",)  # F06
    stop_reason_field = ("TransactionEvent", "transactionInfo.stoppedReason")  # ReasonEnumType
    start_message = "TransactionEvent"

    @property
    def fault_words(self) -> tuple[str, ...]:
        extra = [word for word in SIMULATOR_FAULT_TYPES if word not in FAULT_REASONS]
        return (*FAULT_REASONS, *sorted(fault_codes()), *extra)

    def fault_named(
        self, word: str, info: str | None = None, vendor_error_code: str | None = None
    ) -> Fault:
        kind = KIND_OF_16_CODE.get(word) or SIMULATOR_FAULT_TYPES.get(word)
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

    def local_list_request(
        self, version: int, entries: Sequence[ListEntry], *, differential: bool = False
    ) -> Payload:
        items: list[Payload] = []
        for entry in entries:
            item: Payload = {"idToken": {"idToken": entry.id_tag, "type": "ISO14443"}}
            if entry.status is not None:  # D01.FR.16: without idTokenInfo, a removal
                info: Payload = {"status": entry.status}
                if entry.expiry is not None:
                    info["cacheExpiryDateTime"] = iso(entry.expiry)
                if entry.parent_id_tag is not None:
                    # A group as a 1.6 parent is: type Central (id_token_info_to_ocpp201).
                    info["groupIdToken"] = {"idToken": entry.parent_id_tag, "type": "Central"}
                item["idTokenInfo"] = info
            items.append(item)
        request: Payload = {
            "versionNumber": version,
            "updateType": "Differential" if differential else "Full",
        }
        if items:  # the list, when present, has at least one entry (minItems 1)
            request["localAuthorizationList"] = items
        return request

    def reset_request(self, kind: str, evse_id: int | None) -> Payload:
        # B11/B12: ResetEnumType Immediate or OnIdle, of the station or one EVSE; 1.6's Hard
        # and Soft are the words they replaced (Hard: at once, Soft: once idle).
        wire = _RESET_WORDS_16.get(kind, kind)
        self.check("Reset", "type", wire, "type")
        request: Payload = {"type": wire}
        if evse_id is not None:
            self.check("Reset", "evseId", evse_id, "evse_id")
            request["evseId"] = evse_id
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
