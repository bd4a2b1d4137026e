"""The CSMS cases over TLS (security profiles 2 and 3) against chargeyard's own CSMS, in labs
of their own: a listener with a private chain (``conformance/tls_chain.py``), the suite's
station trusting its root, and for profile 3 presenting a client certificate of its
identity. On a ws:// listener (the other suite tests' labs) these cases are not applicable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.conformance import CsmsTarget, Verdict, run_csms
from chargeyard.conformance.csms_under_test.tls import StationTls
from chargeyard.conformance.runner import CaseResult
from chargeyard.conformance.tls_chain import CertificateAuthority
from chargeyard.csms.server import CsmsSettings
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.tls_settings import TlsSettings
from tests.stack_lab import StackLab, stack_lab

pytestmark = pytest.mark.slow

STATION = "CY-CONFORMANCE-TLS"
PASSWORD = "conformance-secret-tls"
CASES = {
    V16: ["TC_078_CSMS", "TC_086_CSMS", "TC_087_CSMS"],
    V201: ["TC_A_04_CSMS", "TC_A_06_CSMS", "TC_A_07_CSMS", "TC_A_08_CSMS"],
}
PROFILE_3_ONLY = {"TC_087_CSMS", "TC_A_07_CSMS", "TC_A_08_CSMS"}


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path / "ca")


@pytest.fixture
async def profile2(tmp_path: Path, ca: CertificateAuthority) -> AsyncIterator[StackLab]:
    server = ca.server("127.0.0.1")
    csms = CsmsSettings(port=0, tls=TlsSettings(server.cert_file, server.key_file))
    async with stack_lab(tmp_path, csms=csms) as running:
        await running.store.stations.register(STATION, password=PASSWORD)
        yield running


@pytest.fixture
async def profile3(tmp_path: Path, ca: CertificateAuthority) -> AsyncIterator[StackLab]:
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, ca.root_file)
    async with stack_lab(tmp_path, csms=CsmsSettings(port=0, tls=tls)) as running:
        await running.store.stations.register(STATION, password=PASSWORD)
        yield running


async def _run(lab: StackLab, version: VersionSpec, tls: StationTls) -> dict[str, CaseResult]:
    target = CsmsTarget(lab.csms_url, STATION, version, password=PASSWORD, step_s=5.0, tls=tls)
    run = await run_csms(target, ids=CASES[version])
    return {result.info.id: result for result in run.results}


def _verdicts(results: dict[str, CaseResult]) -> dict[str, tuple[Verdict, Verdict]]:
    return {case_id: (r.conformance, r.compatibility) for case_id, r in results.items()}


PASS = (Verdict.PASS, Verdict.PASS)
NOT_APPLICABLE = (Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE)


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_a_csms_of_profile_2_passes_the_server_certificate_cases(
    profile2: StackLab, ca: CertificateAuthority, version: VersionSpec
) -> None:
    results = await _run(profile2, version, StationTls(ca.root_file))
    assert _verdicts(results) == {
        case_id: NOT_APPLICABLE if case_id in PROFILE_3_ONLY else PASS for case_id in CASES[version]
    }, {case_id: r.reason for case_id, r in results.items()}


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_a_csms_of_profile_3_passes_every_tls_case(
    profile3: StackLab, ca: CertificateAuthority, version: VersionSpec
) -> None:
    client = ca.client(STATION)
    tls = StationTls(ca.root_file, client.cert_file, client.key_file)
    results = await _run(profile3, version, tls)
    assert _verdicts(results) == dict.fromkeys(CASES[version], PASS), {
        case_id: (r.reason, [c for s in r.steps for c in s.checks if not c.passed])
        for case_id, r in results.items()
    }


async def test_a_csms_not_trusting_the_station_s_certificate_fails_tc_a_07(
    profile3: StackLab, ca: CertificateAuthority, tmp_path: Path
) -> None:
    stranger = CertificateAuthority(tmp_path / "stranger").client(STATION)
    tls = StationTls(ca.root_file, stranger.cert_file, stranger.key_file)
    [result] = (
        await run_csms(
            CsmsTarget(profile3.csms_url, STATION, V201, step_s=5.0, tls=tls),
            ids=["TC_A_07_CSMS"],
        )
    ).results
    assert result.conformance is Verdict.FAIL
