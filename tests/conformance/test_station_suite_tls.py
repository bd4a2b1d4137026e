"""The charging-station cases over TLS (security profiles 2 and 3) against chargeyard's own
stations: the suite listens on wss:// with a private chain (``conformance/tls_chain.py``), the
station trusts its root (installed as its CSMS root) and, for profile 3, presents a client
certificate of its identity. On a ws:// listener (the other suite tests) these cases are not
applicable."""

from __future__ import annotations

from pathlib import Path

import pytest

from chargeyard.conformance import Verdict
from chargeyard.conformance.runner import RunResult
from chargeyard.conformance.tls_chain import CertificateAuthority
from chargeyard.station.core import SimulatedStation
from chargeyard.station.tls import ClientCertificate, Refusal
from chargeyard.tls_settings import TlsSettings
from tests.conformance import station_lab, station_lab_v201
from tests.conformance.test_station_suite_v201 import FEATURES

# The stations and the suite wait on the loop's clock alone: their waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]

PASSWORD_16 = "0123456789abcdef0123456789abcdef"
PASSWORD_201 = "Conformance-Basic-Password-1"
PASS = (Verdict.PASS, Verdict.PASS)
NOT_APPLICABLE = (Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE)


def _trusting(station: SimulatedStation, ca: CertificateAuthority) -> SimulatedStation:
    outcome = station.model.certificates.install(
        station.CSMS_ROOT, ca.root_pem, station.clock.now().timestamp()
    )
    assert outcome.reason is None
    return station


def _verdicts(run: RunResult) -> dict[str, tuple[Verdict, Verdict]]:
    return {r.info.id: (r.conformance, r.compatibility) for r in run.results}


def _why(run: RunResult) -> dict[str, object]:
    return {
        r.info.id: (r.reason, [c for s in r.steps for c in s.checks if not c.passed])
        for r in run.results
    }


@pytest.mark.parametrize("profile_3", [False, True], ids=["profile 2", "profile 3"])
async def test_chargeyard_s_16_station_passes_the_tls_cases(
    tmp_path: Path, profile_3: bool
) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, ca.root_file if profile_3 else None)
    client = ca.client(station_lab.IDENTITY) if profile_3 else None
    run = await station_lab.run_against(
        _trusting(station_lab.new_station(), ca),  # type: ignore[arg-type]
        ["TC_078_CS", "TC_086_CS", "TC_087_CS", "TC_073_CS", "TC_085_CS"],
        password=PASSWORD_16,
        client_certificate=None
        if client is None
        else ClientCertificate(client.cert_file, client.key_file),
        tls=tls,
    )
    assert _verdicts(run) == {
        "TC_078_CS": PASS,
        "TC_086_CS": PASS,
        "TC_087_CS": PASS if profile_3 else NOT_APPLICABLE,
        # HTTP Basic authentication: security profiles 1 and 2 only.
        "TC_073_CS": NOT_APPLICABLE if profile_3 else PASS,
        "TC_085_CS": NOT_APPLICABLE if profile_3 else PASS,
    }, _why(run)


@pytest.mark.parametrize("profile_3", [False, True], ids=["profile 2", "profile 3"])
async def test_chargeyard_s_201_station_passes_the_tls_cases(
    tmp_path: Path, profile_3: bool
) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, ca.root_file if profile_3 else None)
    client = ca.client(station_lab_v201.IDENTITY) if profile_3 else None
    run = await station_lab_v201.run_against(
        _trusting(station_lab_v201.new_station(), ca),  # type: ignore[arg-type]
        [
            *("TC_A_01_CS", "TC_A_04_CS", "TC_A_05_CS", "TC_A_07_CS", "TC_A_09_CS"),
            *("TC_A_10_CS", "TC_A_22_CS", "TC_B_45_CS"),
        ],
        features=FEATURES,
        password=PASSWORD_201,
        client_certificate=None
        if client is None
        else ClientCertificate(client.cert_file, client.key_file),
        tls=tls,
    )
    assert _verdicts(run) == {
        "TC_A_04_CS": PASS,
        "TC_A_05_CS": PASS,
        "TC_A_07_CS": PASS if profile_3 else NOT_APPLICABLE,
        "TC_A_22_CS": PASS,  # 2 -> 1 (profile 2), 3 -> 2 (profile 3): LowerSecurityProfile
        "TC_B_45_CS": PASS,  # migrating on wss://, the profile kept
        # HTTP Basic authentication: security profiles 1 and 2 only.
        "TC_A_01_CS": NOT_APPLICABLE if profile_3 else PASS,
        "TC_A_09_CS": NOT_APPLICABLE if profile_3 else PASS,
        "TC_A_10_CS": NOT_APPLICABLE if profile_3 else PASS,
    }, _why(run)


async def test_a_station_presenting_a_certificate_of_another_name_fails_tc_a_07(
    tmp_path: Path,
) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, ca.root_file)
    other = ca.client("CY-SOMEONE-ELSE")
    run = await station_lab_v201.run_against(
        _trusting(station_lab_v201.new_station(), ca),  # type: ignore[arg-type]
        ["TC_A_07_CS"],
        features=FEATURES,
        password=PASSWORD_201,
        client_certificate=ClientCertificate(other.cert_file, other.key_file),
        tls=tls,
    )
    [result] = run.results
    assert result.conformance is Verdict.FAIL


async def test_chargeyard_s_16_station_raised_from_profile_2_to_3_passes_tc_083(
    tmp_path: Path,
) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, ca.root_file)
    station = _trusting(station_lab.new_station(), ca)
    # At profile 2 (a password over wss://), with a certificate of its own it does not use yet.
    client = ca.client(station_lab.IDENTITY)
    station.client_certificate = ClientCertificate(client.cert_file, client.key_file)
    run = await station_lab.run_against(
        station,  # type: ignore[arg-type]
        ["TC_083_CS", "TC_084_CS", "TC_087_CS"],
        password=PASSWORD_16,
        tls=tls,
    )
    # Raised to 3, it presents its certificate from then on, and 2 is refused (TC_084_CS).
    assert _verdicts(run) == dict.fromkeys(("TC_083_CS", "TC_084_CS", "TC_087_CS"), PASS), _why(run)


async def test_chargeyard_s_201_station_raised_from_profile_2_to_3_passes_tc_a_19(
    tmp_path: Path,
) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, ca.root_file)
    station = _trusting(station_lab_v201.new_station(), ca)
    # At profile 2 (a password over wss://), with a certificate of its own it does not use yet.
    client = ca.client(station_lab_v201.IDENTITY)
    station.client_certificate = ClientCertificate(client.cert_file, client.key_file)
    ids = ("TC_A_19_CS", "TC_A_22_CS")  # (TC_A_19 checks the certificate it then presents)
    run = await station_lab_v201.run_against(
        station,  # type: ignore[arg-type]
        list(ids),
        features=FEATURES,
        password=PASSWORD_201,
        tls=tls,
    )
    assert _verdicts(run) == dict.fromkeys(ids, PASS), _why(run)
    assert station.security_profile == 2  # its runner's; the connection's is 3
    assert station.device_model.value("SecurityCtrlr", "SecurityProfile") == "3"


async def test_a_station_that_does_not_report_the_refused_certificate_fails_tc_078(
    tmp_path: Path,
) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    server = ca.server("127.0.0.1")
    station = _trusting(station_lab.new_station(), ca)

    def silent(refusal: Refusal, reason: str) -> None:
        """It refuses the certificate it cannot verify but reports nothing of it."""

    station.tls_refused = silent  # type: ignore[method-assign]
    run = await station_lab.run_against(
        station,  # type: ignore[arg-type]
        ["TC_078_CS"],
        password=PASSWORD_16,
        tls=TlsSettings(server.cert_file, server.key_file),
    )
    [result] = run.results
    assert result.conformance is Verdict.FAIL
    assert "InvalidCentralSystemCertificate" in (result.reason or ""), result.reason
