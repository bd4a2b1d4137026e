"""OCPP 2.1 A02 on the station: SignCertificate carries a requestId, new for each key and kept by
a repetition of the same request, and the CertificateSigned answering it may echo it; every
message checked against the 2.1 schemas."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chargeyard.protocol import V21
from chargeyard.station.clock import ManualClock
from chargeyard.station.v21 import StationV21
from tests.certificates import make_root, sign_csr
from tests.station.harness import Link
from tests.station.v21.recorder import FrameRecorder

TRIGGER = {"requestedMessage": "SignChargingStationCertificate"}


@pytest.fixture
def online(link: Link) -> Link:
    link.csms.answers["SignCertificate"] = lambda p: {"status": "Accepted"}
    link.connect()
    link.csms.clear()
    return link


def test_a02_each_key_is_asked_for_under_its_own_request_id(
    online: Link, station: StationV21
) -> None:
    recorder = FrameRecorder(station)
    assert online.call_station("TriggerMessage", TRIGGER) == {"status": "Accepted"}
    online.run_for(60)  # no certificate within CertSigningWaitMinimum: the request again
    assert online.call_station("TriggerMessage", TRIGGER) == {"status": "Accepted"}
    requests = online.csms.payloads("SignCertificate")
    assert [request["requestId"] for request in requests] == [1, 1, 2]
    assert requests[0]["csr"] == requests[1]["csr"] != requests[2]["csr"]
    assert recorder.violations(V21) == []


def test_a02_a_certificate_signed_echoing_the_request_id_is_installed(
    online: Link, station: StationV21, clock: ManualClock
) -> None:
    root = make_root("csms root", not_before=clock.now() - timedelta(days=1))
    online.call_station(
        "InstallCertificate", {"certificateType": "CSMSRootCertificate", "certificate": root.pem}
    )
    online.call_station("TriggerMessage", TRIGGER)
    [request] = online.csms.payloads("SignCertificate")
    chain = sign_csr(root, request["csr"], not_before=clock.now() - timedelta(minutes=1))
    answer = online.call_station(
        "CertificateSigned",
        {
            "certificateChain": chain,
            "certificateType": "ChargingStationCertificate",
            "requestId": request["requestId"],
        },
    )
    assert answer == {"status": "Accepted"}
    assert not station.model.own_certificate.pending
