"""OCPP 2.0.1 charging-station cases of block M that need only CA certificates installed, listed
and deleted (M03 GetInstalledCertificateIds, M04 DeleteCertificate, M05 InstallCertificate):
no ISO 15118 contract or V2G chain, no TLS, no certificate signing.

Part 6's reusable states, as the suite plays them: CertificateInstalled is InstallCertificate
of a root the suite makes (``certificates.py``), Accepted; GetInstalledCertificates is
GetInstalledCertificateIds of the types asked, Accepted, its certificateHashDataChain holding
an entry of the type with the certificate's hash data (by the suite's own calculation, in the
hashAlgorithm the station chose). Whatever a case installs is deleted when it ends, and a case
deletes only what it installed.
"""

from __future__ import annotations

from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import Doc, case, table
from chargeyard.conformance.station_under_test.certificates import (
    forget,
    install,
    installed,
    listed,
    new_root,
    reported,
)
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.certificates import read_certificate

CSMS_ROOT = "CSMSRootCertificate"
MANUFACTURER_ROOT = "ManufacturerRootCertificate"
MO_ROOT = "MORootCertificate"


async def _certificate_installed(run: StationCaseV201, kind: str) -> str | None:
    """Reusable State CertificateInstalled: a new root of ``kind``, Accepted (M05.FR.02); its
    PEM text, None when it was not."""
    pem = new_root(f"chargeyard conformance {kind}")
    run.step(f"CertificateInstalled: the CSMS installs a {kind}: Accepted")
    status = await install(run, kind, pem)
    accepted = run.log.check(
        "InstallCertificateResponse status is Accepted (M05.FR.02)",
        status == "Accepted",
        expected="Accepted",
        observed=status,
    )
    return pem if accepted else None


def _names(run: StationCaseV201, answer: dict[str, object], kind: str, pem: str) -> None:
    """The answer's chain holds an entry of ``kind`` naming ``pem`` (M03.FR.04)."""
    found = reported(answer, pem, kind) is not None
    run.log.check(
        f"certificateHashDataChain holds the {kind} installed, with its hash data (M03.FR.04)",
        found,
        weight=Weight.SPEC,
        expected=f"certificateType {kind}, the certificate's hash data",
        observed="listed" if found else answer.get("certificateHashDataChain") or "no chain",
    )


async def _get_installed(
    run: StationCaseV201, kinds: list[str] | None, expected: dict[str, str]
) -> None:
    """Reusable State GetInstalledCertificates of ``kinds`` (None: certificateType omitted):
    Accepted (M03.FR.03), each of ``expected`` (PEM by type) listed."""
    asked = "every type" if kinds is None else " and ".join(kinds)
    run.step(f"GetInstalledCertificates: the CSMS asks for {asked}")
    answer = await installed(run, kinds)
    run.log.check(
        "GetInstalledCertificateIdsResponse status is Accepted (M03.FR.03)",
        answer.get("status") == "Accepted",
        expected="Accepted",
        observed=answer.get("status"),
    )
    for kind, pem in expected.items():
        _names(run, answer, kind, pem)


async def _install_and_get(run: StationCaseV201, kind: str) -> None:
    await run.ready()
    pem = await _certificate_installed(run, kind)
    if pem is not None:
        await _get_installed(run, [kind], {kind: pem})


table(_install_and_get)(
    {
        "TC_M_01_CS": Doc(
            "CertificateInstalled, then GetInstalledCertificates, of a CSMSRootCertificate "
            "(M05.FR.01, 02).",
            CSMS_ROOT,
        ),
        "TC_M_02_CS": Doc(
            "CertificateInstalled, then GetInstalledCertificates, of a "
            "ManufacturerRootCertificate (M05.FR.01, 02).",
            MANUFACTURER_ROOT,
        ),
    },
)


@case("TC_M_07_CS")
async def install_invalid_rejected(run: StationCaseV201) -> None:
    """An expired CSMSRootCertificate: InstallCertificate Rejected (M05.FR.07), and
    GetInstalledCertificateIds does not list it."""
    await run.ready()
    pem = new_root("chargeyard conformance expired root", expired=True)
    run.step("The CSMS installs an expired CSMSRootCertificate: Rejected")
    status = await install(run, CSMS_ROOT, pem)
    run.log.check(
        "InstallCertificateResponse status is Rejected (M05.FR.07)",
        status == "Rejected",
        expected="Rejected",
        observed=status,
    )
    run.step("The CSMS asks for the CSMSRootCertificates: the expired one is not among them")
    answer = await installed(run, [CSMS_ROOT])
    status = answer.get("status")
    # Part 6 expects Accepted from a station that connects with TLS and so holds a CSMS root;
    # one that holds none answers NotFound (M03.FR.02), which lists nothing either.
    run.log.check(
        "GetInstalledCertificateIdsResponse status is Accepted, or NotFound with no chain",
        status == "Accepted" or (status == "NotFound" and not listed(answer)),
        expected="Accepted (NotFound: the station holds no CSMSRootCertificate)",
        observed=status,
    )
    run.log.check(
        "certificateHashDataChain does not hold the rejected certificate",
        reported(answer, pem, CSMS_ROOT) is None,
        weight=Weight.SPEC,
        expected="not listed",
        observed="listed" if reported(answer, pem, CSMS_ROOT) is not None else "not listed",
    )


async def _installed_before(run: StationCaseV201, kind: str) -> str | None:
    """The memory state CertificateInstalled of ``kind``, set up before the scenario."""
    return await _certificate_installed(run, kind)


@case("TC_M_12_CS")
async def get_csms_roots(run: StationCaseV201) -> None:
    """With a CSMSRootCertificate installed, GetInstalledCertificates of the type lists it
    (M03.FR.01, 03, 04)."""
    await run.ready()
    pem = await _installed_before(run, CSMS_ROOT)
    if pem is not None:
        await _get_installed(run, [CSMS_ROOT], {CSMS_ROOT: pem})


@case("TC_M_13_CS")
async def get_manufacturer_roots(run: StationCaseV201) -> None:
    """With a ManufacturerRootCertificate installed, GetInstalledCertificates of the type lists
    it (M03.FR.01, 03, 04)."""
    await run.ready()
    pem = await _installed_before(run, MANUFACTURER_ROOT)
    if pem is not None:
        await _get_installed(run, [MANUFACTURER_ROOT], {MANUFACTURER_ROOT: pem})


async def _both_installed(run: StationCaseV201) -> dict[str, str] | None:
    await run.ready()
    csms = await _installed_before(run, CSMS_ROOT)
    manufacturer = await _installed_before(run, MANUFACTURER_ROOT)
    if csms is None or manufacturer is None:
        return None
    return {CSMS_ROOT: csms, MANUFACTURER_ROOT: manufacturer}


@case("TC_M_17_CS")
async def get_csms_and_manufacturer_roots(run: StationCaseV201) -> None:
    """With a CSMSRootCertificate and a ManufacturerRootCertificate installed,
    GetInstalledCertificates of both types lists both (M03.FR.01, 03, 04)."""
    both = await _both_installed(run)
    if both is not None:
        await _get_installed(run, [CSMS_ROOT, MANUFACTURER_ROOT], both)


@case("TC_M_18_CS")
async def get_every_type(run: StationCaseV201) -> None:
    """With a CSMSRootCertificate and a ManufacturerRootCertificate installed,
    GetInstalledCertificateIds without certificateType lists both (M03.FR.01, 03, 04)."""
    both = await _both_installed(run)
    if both is not None:
        await _get_installed(run, None, both)


@case("TC_M_19_CS")
async def get_none_found(run: StationCaseV201) -> None:
    """With no MORootCertificate installed (the preparation deletes any), GetInstalledCertificateIds
    of the type answers NotFound without a chain (M03.FR.02)."""
    await run.ready()
    run.step("Before: the CSMS makes sure no MORootCertificate is installed")
    present = await installed(run, [MO_ROOT])
    for kind, names in listed(present):
        if kind == MO_ROOT:
            # StationCase's ask: the payload is a plain dict the case assembles, sent untyped.
            await StationCase.ask(run, "DeleteCertificate", {"certificateHashData": names})
    run.step("The CSMS asks for the MORootCertificates: NotFound")
    answer = await installed(run, [MO_ROOT])
    run.log.check(
        "GetInstalledCertificateIdsResponse status is NotFound (M03.FR.02)",
        answer.get("status") == "NotFound",
        expected="NotFound",
        observed=answer.get("status"),
    )
    run.log.check(
        "certificateHashDataChain is omitted",
        "certificateHashDataChain" not in answer,
        weight=Weight.SPEC,
        expected="omitted",
        observed=answer.get("certificateHashDataChain", "omitted"),
    )


@case("TC_M_20_CS")
async def delete_certificate(run: StationCaseV201) -> None:
    """A CSMSRootCertificate the suite installed is listed, deleted by the hash data the station
    reported (Accepted, M04.FR.02), and listed no more. The suite deletes only a certificate it
    installed, not one the station connects with."""
    await run.ready()
    pem = await _installed_before(run, CSMS_ROOT)
    if pem is None:
        return
    run.step("GetInstalledCertificates: the certificate to delete is listed")
    answer = await installed(run, [CSMS_ROOT])
    names = reported(answer, pem, CSMS_ROOT)
    _names(run, answer, CSMS_ROOT, pem)
    if names is None:
        return
    run.step("The CSMS deletes it by the hash data reported: Accepted")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    deleted = await StationCase.order(
        run, "DeleteCertificate", {"certificateHashData": names}, "Accepted"
    )
    if deleted.get("status") == "Accepted":
        forget(run, pem)
    run.step("GetInstalledCertificates: the certificate is listed no more")
    after = await installed(run, [CSMS_ROOT])
    gone = reported(after, pem, CSMS_ROOT) is None
    run.log.check(
        "certificateHashDataChain no longer holds the deleted certificate",
        gone,
        weight=Weight.SPEC,
        expected="not listed",
        observed="not listed" if gone else "still listed",
    )


@case("TC_M_22_CS")
async def delete_unknown(run: StationCaseV201) -> None:
    """DeleteCertificate of the hash data of a certificate the station never had: NotFound
    (M04.FR.04)."""
    await run.ready()
    run.step("GetInstalledCertificates: the CSMS asks for the CSMSRootCertificates")
    await installed(run, [CSMS_ROOT])
    run.step("The CSMS deletes a certificate the station does not have: NotFound")
    unknown = read_certificate(new_root("chargeyard conformance never installed")).hash_data()
    await run.order("DeleteCertificate", {"certificateHashData": unknown}, "NotFound")
