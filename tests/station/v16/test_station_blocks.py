"""The 1.6 station is its blocks: every request the central system may send is handled by one."""

from __future__ import annotations

from chargeyard.protocol import V16
from chargeyard.protocol.initiators import CSMS_INITIATED_16_CORE
from chargeyard.station.blocks import Block
from chargeyard.station.v16 import StationV16

# OCPP 1.6 section 5, "Operations initiated by Central System", 5.1 to 5.19.
CENTRAL_SYSTEM_INITIATED = CSMS_INITIATED_16_CORE


def test_the_list_is_of_the_1_6_schema_set() -> None:
    assert len(CENTRAL_SYSTEM_INITIATED) == 19
    assert V16.schemas.actions >= CENTRAL_SYSTEM_INITIATED


def test_every_central_system_request_is_handled_by_a_block(station: StationV16) -> None:
    handlers = station.handlers()
    # Section 5, and of the security whitepaper GetLog (N01), the certificate management
    # that needs no TLS (M03 to M05), the secure firmware update (L01), the station's own
    # certificate (A02) and ExtendedTriggerMessage.
    assert set(handlers) == CENTRAL_SYSTEM_INITIATED | {
        "GetLog",
        "SignedUpdateFirmware",
        "InstallCertificate",
        "GetInstalledCertificateIds",
        "DeleteCertificate",
        "CertificateSigned",
        "ExtendedTriggerMessage",
    }
    for action, handler in handlers.items():
        block = getattr(handler, "__self__", None)
        assert isinstance(block, Block), action
        assert block.station is station, action


def test_the_station_class_has_no_handlers_of_its_own() -> None:
    # Every action is a block's; the handler table is theirs merged (station/blocks.py).
    assert StationV16.actions() == frozenset()
