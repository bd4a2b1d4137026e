"""The 2.0.1 station is composed of its functional blocks: every CSMS-initiated request it
implements is handled by the block of its functional block, none is lost in the composition."""

from __future__ import annotations

import inspect

from chargeyard.protocol import V201
from chargeyard.station.v201 import StationV201

# The CSMS-initiated 2.0.1 requests the station implements, by the block that answers them
# (OCPP 2.0.1 part 2; the others answer NotImplemented).
HANDLED_BY = {
    "GetVariables": "provisioning",  # B06
    "SetVariables": "provisioning",  # B05
    "GetBaseReport": "provisioning",  # B07
    "GetReport": "provisioning",  # B08
    "Reset": "provisioning",  # B11, B12
    "ClearCache": "authorization",  # C11
    "SendLocalList": "local_list",  # D01
    "GetLocalListVersion": "local_list",  # D02
    "RequestStartTransaction": "control",  # F01, F02
    "RequestStopTransaction": "control",  # F03
    "UnlockConnector": "control",  # F05
    "TriggerMessage": "control",  # F06
    "DataTransfer": "control",  # P01
    "ChangeAvailability": "availability",  # G03, G04
    "ReserveNow": "reservations",  # H01
    "CancelReservation": "reservations",  # H02
    "SetChargingProfile": "smart_charging",  # K01
    "GetCompositeSchedule": "smart_charging",  # K08
    "GetChargingProfiles": "smart_charging",  # K09
    "ClearChargingProfile": "smart_charging",  # K10
    "UpdateFirmware": "firmware",  # L01, L02
    "GetLog": "diagnostics",  # N01
    "SetNetworkProfile": "network",  # B09
    "SetVariableMonitoring": "monitoring",  # N04
    "SetMonitoringBase": "monitoring",  # N03
    "SetMonitoringLevel": "monitoring",  # N05
    "ClearVariableMonitoring": "monitoring",  # N06
    "GetMonitoringReport": "monitoring",  # N02
    "CustomerInformation": "customer_information",  # N09, N10
    "SetDisplayMessage": "display_messages",  # O01, O02, O06
    "GetDisplayMessages": "display_messages",  # O03, O04
    "ClearDisplayMessage": "display_messages",  # O05
    "CostUpdated": "tariff_cost",  # I02
    "GetTransactionStatus": "transaction_status",  # E14
    "GetInstalledCertificateIds": "certificates",  # M03
    "DeleteCertificate": "certificates",  # M04
    "InstallCertificate": "certificates",  # M05
    "CertificateSigned": "certificates",  # A02, A03
}


def test_every_implemented_request_has_a_handler_and_no_other(station: StationV201) -> None:
    handlers = station.handlers()
    assert sorted(handlers) == sorted(HANDLED_BY)
    assert all(V201.schemas.is_action(action) for action in handlers)


def test_each_request_is_answered_by_the_block_of_its_functional_block(
    station: StationV201,
) -> None:
    handlers = station.handlers()
    owners = {
        action: next(
            name
            for name in HANDLED_BY.values()
            if getattr(inspect.unwrap(handler), "__self__", None) is getattr(station, name)
        )
        for action, handler in handlers.items()
    }
    assert owners == HANDLED_BY


def test_every_block_is_the_stations_own(station: StationV201) -> None:
    assert all(block.station is station for block in station.blocks)
    assert len({id(block) for block in station.blocks}) == len(station.blocks) == 19
