"""OCPP 2.0.1 CSMS cases of block M that need certificate management only (no ISO 15118, no
TLS, no signing): the CSMS installs CA certificates (M05), asks for the ids of those installed
(M03) and deletes one by its id (M04). The station's store and the moves are
``certificates.py``'s."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.csms_under_test.certificates import (
    CertificateStore,
    deleted,
    ids_asked,
    installed,
    keeping,
    reported,
)
from chargeyard.protocol.certificates import HashAlgorithm

CSMS_ROOT = "CSMSRootCertificate"
MANUFACTURER_ROOT = "ManufacturerRootCertificate"
# Part 6 repeats TC_M_12 and TC_M_20 with each hash algorithm of CertificateHashDataType.
ALGORITHMS: tuple[HashAlgorithm, ...] = ("SHA256", "SHA384", "SHA512")


@case("TC_M_01_CSMS")
async def install_csms_root(run: CsmsCaseV201) -> None:
    """Reusable State CertificateInstalled for a CSMSRootCertificate (M05.FR.01)."""
    await run.booted()
    await installed(run, CertificateStore(), CSMS_ROOT)


@case("TC_M_02_CSMS")
async def install_manufacturer_root(run: CsmsCaseV201) -> None:
    """Reusable State CertificateInstalled for a ManufacturerRootCertificate (M05.FR.01)."""
    await run.booted()
    await installed(run, CertificateStore(), MANUFACTURER_ROOT)


@case("TC_M_05_CSMS")
async def install_failed(run: CsmsCaseV201) -> None:
    """The CSMS installs a CSMSRootCertificate; the station answers Failed (M05.FR.03), which
    the CSMS takes."""
    await run.booted()
    await installed(run, CertificateStore(), CSMS_ROOT, status="Failed")


@case("TC_M_12_CSMS")
async def ids_of_csms_roots(run: CsmsCaseV201) -> None:
    """The CSMS asks three times for the ids of the CSMSRootCertificates; the station answers
    in SHA256, SHA384, then SHA512 (M03.FR.01), each of which the CSMS takes."""
    store = keeping(CSMS_ROOT)
    await run.booted()
    for algorithm in ALGORITHMS:
        await ids_asked(run, store, [CSMS_ROOT], algorithm)


@case("TC_M_13_CSMS")
async def ids_of_manufacturer_roots(run: CsmsCaseV201) -> None:
    """The CSMS asks for the ids of the ManufacturerRootCertificates (M03.FR.01)."""
    store = keeping(MANUFACTURER_ROOT)
    await run.booted()
    await ids_asked(run, store, [MANUFACTURER_ROOT])


@case("TC_M_17_CSMS")
async def ids_of_both_roots(run: CsmsCaseV201) -> None:
    """The CSMS asks for the ids of the CSMSRootCertificates and ManufacturerRootCertificates
    in one request (M03.FR.01)."""
    store = keeping(CSMS_ROOT, MANUFACTURER_ROOT)
    await run.booted()
    await ids_asked(run, store, [CSMS_ROOT, MANUFACTURER_ROOT])


@case("TC_M_18_CSMS")
async def ids_of_every_use(run: CsmsCaseV201) -> None:
    """The CSMS asks for the ids of every certificate, certificateType omitted (Part 6's tool
    validation; M03.FR.01)."""
    store = keeping(CSMS_ROOT, MANUFACTURER_ROOT)
    await run.booted()
    await ids_asked(run, store, [])


@case("TC_M_19_CSMS")
async def ids_not_found(run: CsmsCaseV201) -> None:
    """The CSMS asks for the ManufacturerRootCertificates of a station that keeps none: it
    answers NotFound without ids (M03.FR.02), which the CSMS takes."""
    store = keeping(CSMS_ROOT)
    await run.booted()
    await ids_asked(run, store, [MANUFACTURER_ROOT])


@case("TC_M_20_CSMS")
async def delete_accepted(run: CsmsCaseV201) -> None:
    """For each hash algorithm: the CSMS installs a CSMSRootCertificate, asks for its id
    (certificateType CSMSRootCertificate or none), which the station gives in that algorithm,
    and deletes it by that id in that algorithm (M04.FR.01, M04.FR.07): Accepted."""
    store = CertificateStore()
    await run.booted()
    for algorithm in ALGORITHMS:
        await installed(run, store, CSMS_ROOT)
        found = await ids_asked(run, store, [CSMS_ROOT], algorithm, exactly=False)
        await deleted(run, store, reported(found, CSMS_ROOT))


@case("TC_M_21_CSMS")
async def delete_failed(run: CsmsCaseV201) -> None:
    """The CSMS installs a CSMSRootCertificate, asks for its id and deletes it by that id; the
    station answers Failed (M04.FR.03), which the CSMS takes."""
    store = CertificateStore()
    await run.booted()
    await installed(run, store, CSMS_ROOT)
    found = await ids_asked(run, store, [CSMS_ROOT], exactly=False)
    await deleted(run, store, reported(found, CSMS_ROOT), status="Failed")
