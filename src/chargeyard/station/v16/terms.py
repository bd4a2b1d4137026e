"""OCPP 1.6's words for what is done to a station (``station/terms.py``): faults are
ChargePointErrorCodes (section 7.6), settings are configuration keys (ChangeConfiguration,
section 5.3), the local list is idTags (SendLocalList, section 5.15)."""

from __future__ import annotations

from collections.abc import Sequence

from chargeyard.protocol import V16, Payload
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.clock import iso
from chargeyard.station.faults import (
    KIND_OF_16_CODE,
    SIMULATOR_FAULT_TYPES,
    Fault,
    fault_codes,
)
from chargeyard.station.model.station import Transaction
from chargeyard.station.terms import ListEntry, Setting, StationTerms
from chargeyard.station.v16.core_profile import check_fault_code


class TermsV16(StationTerms):
    version = V16
    id_token_path = "idTag"  # IdToken: CiString20Type
    list_id_token_path = "localAuthorizationList.idTag"
    list_status_path = "localAuthorizationList.idTagInfo.status"  # AuthorizationStatus, 7.2
    list_parent_path = "localAuthorizationList.idTagInfo.parentIdTag"
    # Section 5.17, and the security extension's ExtendedTriggerMessage for what it adds.
    trigger_actions = ("TriggerMessage", "ExtendedTriggerMessage")
    stop_reason_field = ("StopTransaction", "reason")  # Reason, section 7.39
    start_message = "StartTransaction"

    @property
    def fault_words(self) -> tuple[str, ...]:
        return (*sorted(fault_codes()), *SIMULATOR_FAULT_TYPES)

    def fault_named(
        self, word: str, info: str | None = None, vendor_error_code: str | None = None
    ) -> Fault:
        kind = SIMULATOR_FAULT_TYPES.get(word)
        if kind is None:
            check_fault_code(word)
            kind = KIND_OF_16_CODE[word]
        return Fault(kind, info, vendor_error_code)

    def setting_request(self, setting: Setting) -> Payload | None:
        return {"key": setting.key, "value": setting.value}

    def check_setting(self, setting: Setting) -> None:
        self.check("ChangeConfiguration", "key", setting.key, "key")
        self.check("ChangeConfiguration", "value", setting.value, f"value of {setting.key}")

    def local_list_request(
        self, version: int, entries: Sequence[ListEntry], *, differential: bool = False
    ) -> Payload:
        items: list[Payload] = []
        for entry in entries:
            item: Payload = {"idTag": entry.id_tag}
            if entry.status is not None:  # section 5.15: without idTagInfo, a removal
                info: Payload = {"status": entry.status}
                if entry.expiry is not None:
                    info["expiryDate"] = iso(entry.expiry)
                if entry.parent_id_tag is not None:
                    info["parentIdTag"] = entry.parent_id_tag
                item["idTagInfo"] = info
            items.append(item)
        return {
            "listVersion": version,
            "updateType": "Differential" if differential else "Full",
            "localAuthorizationList": items,
        }

    def reset_request(self, kind: str, evse_id: int | None) -> Payload:
        # Section 5.14: Hard or Soft, of the whole Charge Point (ResetType, section 7.38).
        if evse_id is not None:
            raise self.refused(
                "evse_id",
                "an OCPP 1.6 Reset restarts the whole charge point (it has no connectorId)",
            )
        self.check("Reset", "type", kind, "type")
        return {"type": kind}

    def session_stop_reason(self, why: str) -> str:
        return "Local"  # 1.6 Reason has no time or energy limit

    def transaction_id(self, transaction: Transaction) -> str | None:
        # The central system's, from StartTransaction.conf (section 6.46).
        return None if transaction.csms_id is None else str(transaction.csms_id)

    def connector_numbered(
        self, template: StationTemplate, connector_id: int
    ) -> tuple[int, int] | None:
        # A 1.6 connectorId numbers the station's connectors 1..n across its EVSEs (section
        # 3.5; 0 is the whole station, not a connector a cable goes in).
        return template.connector_numbering_16().get(connector_id)


TERMS_V16 = TermsV16()
