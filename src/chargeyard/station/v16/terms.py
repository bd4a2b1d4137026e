"""OCPP 1.6's words for what is done to a station (``station/terms.py``): faults are
ChargePointErrorCodes (section 7.6), settings are configuration keys (ChangeConfiguration,
section 5.3), the local list is idTags (SendLocalList, section 5.15)."""

from __future__ import annotations

from collections.abc import Sequence

from chargeyard.protocol import V16, Payload
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.clock import iso
from chargeyard.station.faults import KIND_OF_16_CODE, Fault, fault_codes
from chargeyard.station.model.station import Transaction
from chargeyard.station.terms import ListEntry, Setting, StationTerms
from chargeyard.station.v16.core_profile import check_fault_code


class TermsV16(StationTerms):
    version = V16
    id_token_path = "idTag"  # IdToken: CiString20Type
    list_id_token_path = "localAuthorizationList.idTag"
    stop_reason_field = ("StopTransaction", "reason")  # Reason, section 7.39
    start_message = "StartTransaction"

    @property
    def fault_words(self) -> tuple[str, ...]:
        return tuple(sorted(fault_codes()))

    def fault_named(
        self, word: str, info: str | None = None, vendor_error_code: str | None = None
    ) -> Fault:
        check_fault_code(word)
        return Fault(KIND_OF_16_CODE[word], info, vendor_error_code)

    def setting_request(self, setting: Setting) -> Payload | None:
        return {"key": setting.key, "value": setting.value}

    def check_setting(self, setting: Setting) -> None:
        self.check("ChangeConfiguration", "key", setting.key, "key")
        self.check("ChangeConfiguration", "value", setting.value, f"value of {setting.key}")

    def local_list_request(self, version: int, entries: Sequence[ListEntry]) -> Payload:
        items: list[Payload] = []
        for entry in entries:
            info: Payload = {"status": "Accepted"}
            if entry.expiry is not None:
                info["expiryDate"] = iso(entry.expiry)
            items.append({"idTag": entry.id_tag, "idTagInfo": info})
        return {"listVersion": version, "updateType": "Full", "localAuthorizationList": items}

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
