"""OCPP 2.0.1 A05, upgrading the security profile: a profile of a higher one is kept (B09), the
priority naming it is refused while the station lacks a CSMS root (A05.FR.02) or, for profile
3, a client certificate (A05.FR.03); once connected with it, the lower profiles are gone
(A05.FR.06) and cannot come back (B09.FR.04)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from chargeyard.station.endpoint import Endpoint
from chargeyard.station.tls import ClientCertificate
from chargeyard.station.v201 import StationV201
from tests.certificates import make_root
from tests.station.harness import Link
from tests.station.v201.support import set_variable

TLS_CSMS = "wss://csms.example.com:9443/ocpp"
PRIORITY = ("OCPPCommCtrlr", "NetworkConfigurationPriority")


def _profile(security: int, url: str = TLS_CSMS) -> dict[str, Any]:
    return {
        "ocppVersion": "OCPP20",
        "ocppTransport": "JSON",
        "ocppCsmsUrl": url,
        "messageTimeout": 30,
        "securityProfile": security,
        "ocppInterface": "Wired0",
    }


def _station(link: Link) -> StationV201:
    station = link.station
    assert isinstance(station, StationV201)
    station.security_profile = 1  # its runner connects with HTTP Basic credentials
    return station


def _set_profile(link: Link, slot: int, security: int, url: str = TLS_CSMS) -> str:
    answer = link.call_station(
        "SetNetworkProfile", {"configurationSlot": slot, "connectionData": _profile(security, url)}
    )
    status: str = answer["status"]
    return status


def _install_root(station: StationV201) -> None:
    now = station.clock.now()
    root = make_root(not_before=now - timedelta(days=1)).pem
    outcome = station.model.certificates.install("CSMSRootCertificate", root, now.timestamp())
    assert outcome.reason is None


def _reset_and_connect(link: Link) -> None:
    assert link.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    link.follow_station()
    link.run_for(60)


def _get(link: Link, component: str, variable: str) -> str:
    answer = link.call_station(
        "GetVariables",
        {"getVariableData": [{"component": {"name": component}, "variable": {"name": variable}}]},
    )
    value: str = answer["getVariableResult"][0]["attributeValue"]
    return value


def test_a05_fr_02_no_csms_root_installed_the_priority_is_rejected(online: Link) -> None:
    _station(online)
    assert _set_profile(online, 1, 2) == "Accepted"  # kept: TC_A_20_CS step 2
    assert set_variable(online, *PRIORITY, "1,0") == "Rejected"
    assert _get(online, *PRIORITY) == "0"


def test_a05_fr_03_profile_3_without_a_client_certificate_is_rejected(online: Link) -> None:
    station = _station(online)
    _install_root(station)
    assert _set_profile(online, 1, 3) == "Accepted"
    assert set_variable(online, *PRIORITY, "1,0") == "Rejected"
    station.client_certificate = ClientCertificate(Path("cs.pem"), Path("cs-key.pem"))
    assert set_variable(online, *PRIORITY, "1,0") == "Accepted"  # A05.FR.04


def test_a05_fr_06_connected_with_profile_2_the_lower_profiles_are_removed(online: Link) -> None:
    station = _station(online)
    _install_root(station)
    online.auto_reconnect = False
    assert _set_profile(online, 1, 2) == "Accepted"
    assert set_variable(online, *PRIORITY, "1,0") == "Accepted"  # A05.FR.04
    _reset_and_connect(online)
    assert station.endpoint() == Endpoint.of(TLS_CSMS, station.identity, 2)  # A05.FR.05
    online.connect()
    assert _get(online, "SecurityCtrlr", "SecurityProfile") == "2"  # A05.FR.06
    assert _get(online, *PRIORITY) == "1"  # slot 0, the runner's profile 1, is gone
    # B09.FR.04 (TC_A_22_CS): never back down.
    answer = online.call_station(
        "SetNetworkProfile",
        {"configurationSlot": 0, "connectionData": _profile(1, "ws://csms.example.com/ocpp")},
    )
    assert answer == {"status": "Rejected", "statusInfo": {"reasonCode": "LowerSecurityProfile"}}
    # Nor can the connection it was started with (profile 1) come back into the priority.
    assert set_variable(online, *PRIORITY, "1,0") == "Rejected"
    assert _get(online, *PRIORITY) == "1"
    # A dropped connection comes back with the profile in use (B10.FR.07), never slot 0.
    online.drop()
    assert station.endpoint() == Endpoint.of(TLS_CSMS, station.identity, 2)
