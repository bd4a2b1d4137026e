"""The cases of a security profile are not applicable to a CSMS run at another: the HTTP Basic
authentication cases (profiles 1 and 2, A00.FR.201-204; the password set by the CSMS, A01) are
not applicable when the suite's station presents a client certificate (profile 3, where the
CSMS knows a station by its certificate, A00.FR.401), and say so before they connect."""

from __future__ import annotations

from pathlib import Path

import pytest

from chargeyard.conformance import CsmsTarget, Verdict, run_csms
from chargeyard.conformance.csms_under_test.tls import StationTls
from chargeyard.conformance.tls_chain import CertificateAuthority
from chargeyard.protocol import V16, V201, VersionSpec

BASIC_AUTHENTICATION = {
    V16: ["TC_073_CSMS", "TC_085_CSMS"],
    V201: ["TC_A_01_CSMS", "TC_A_02_CSMS", "TC_A_03_CSMS", "TC_A_09_CSMS", "TC_A_10_CSMS"],
}


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_basic_authentication_cases_are_not_applicable_at_profile_3(
    version: VersionSpec, tmp_path: Path
) -> None:
    # Nothing listens there: a case that tried to connect would fail.
    client = CertificateAuthority(tmp_path).client("CP-1")
    profile_3 = StationTls(None, client.cert_file, client.key_file)
    target = CsmsTarget(
        "wss://127.0.0.1:9/ocpp", "CP-1", version, password="secret", step_s=0.5, tls=profile_3
    )
    run = await run_csms(target, ids=BASIC_AUTHENTICATION[version])
    assert {r.info.id: (r.conformance, r.compatibility) for r in run.results} == dict.fromkeys(
        BASIC_AUTHENTICATION[version], (Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE)
    )
    assert all("security profiles 1 and 2" in (r.reason or "") for r in run.results)


async def test_basic_authentication_without_a_password_is_inconclusive_below_profile_3() -> None:
    target = CsmsTarget("ws://127.0.0.1:9/ocpp", "CP-1", V201, step_s=0.5)
    [result] = (await run_csms(target, ids=["TC_A_02_CSMS"])).results
    assert (result.conformance, result.reason) == (
        Verdict.INCONCLUSIVE,
        "no --password given: the case needs the station's Basic password",
    )
