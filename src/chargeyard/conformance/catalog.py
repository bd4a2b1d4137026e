"""The test cases the suite knows: each official id and title, the version, the system under
test, the certification profile (module) it belongs to, and whether the suite can run it yet.

The ids and titles are those of the Open Charge Alliance's public OCPP 1.6 test case list
(77 cases for a Central System); the steps, expected messages and checks are chargeyard's,
written from the spec (``cases_v16_csms/``). A case the suite cannot run says why: either
it needs what chargeyard does not have (TLS security profiles 2 and 3, certificates), or it is
not written yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chargeyard.protocol import V16, VersionSpec


class UnderTest(StrEnum):
    CSMS = "csms"
    STATION = "station"


@dataclass(frozen=True, slots=True)
class CaseInfo:
    """One test case. ``lacking``: why it cannot be run (None: it can)."""

    id: str
    title: str
    version: VersionSpec
    under_test: UnderTest
    module: str
    lacking: str | None = None


NOT_WRITTEN = "not written yet"
NEEDS_TLS = "needs TLS (security profiles 2 and 3), which chargeyard's stations do not speak yet"
NEEDS_CERTIFICATES = "needs certificate management, which chargeyard does not implement yet"

# (id, title, module, lacking) of the OCPP 1.6 Central System cases, in the list's order.
_V16_CSMS: tuple[tuple[str, str, str, str | None], ...] = (
    ("TC_001_CSMS", "Cold Boot Charging Station", "Core", None),
    ("TC_003_CSMS", "Regular Charging Session - Plugin First", "Core", None),
    ("TC_004_1_CSMS", "Regular Charging Session - Identification First", "Core", None),
    (
        "TC_004_2_CSMS",
        "Regular Charging Session - Identification First - ConnectionTimeOut",
        "Core",
        None,
    ),
    (
        "TC_005_1_CSMS",
        "EV Side Disconnected - StopTransactionOnEVSideDisconnect",
        "Core",
        None,
    ),
    ("TC_007_CSMS", "Regular Start Charging Session - Cached Id", "Core", None),
    ("TC_010_CSMS", "Remote Start Charging Session - Cable Plugged in First", "Core", None),
    ("TC_011_1_CSMS", "Remote Start Charging Session - Remote Start First", "Core", None),
    ("TC_011_2_CSMS", "Remote Start Charging Session - Time Out", "Core", None),
    ("TC_012_CSMS", "Remote Stop Charging Session", "Core", None),
    ("TC_013_CSMS", "Hard Reset", "Core", None),
    ("TC_014_CSMS", "Soft Reset", "Core", None),
    ("TC_017_1_CSMS", "Unlock Connector - No Charging Session (Not Fixed Cable)", "Core", None),
    ("TC_017_2_CSMS", "Unlock Connector - No Charging Session (Fixed Cable)", "Core", None),
    (
        "TC_018_1_CSMS",
        "Unlock Connector - With Charging Session (Not Fixed Cable)",
        "Core",
        None,
    ),
    ("TC_019_1_CSMS", "Retrieve All Configuration Keys", "Core", None),
    ("TC_019_2_CSMS", "Retrieve Specific Configuration Key", "Core", None),
    ("TC_021_CSMS", "Change/Set Configuration", "Core", None),
    ("TC_023_1_CSMS", "Start Charging Session - Authorize Invalid", "Core", None),
    ("TC_023_2_CSMS", "Start Charging Session - Authorize Expired", "Core", None),
    ("TC_023_3_CSMS", "Start Charging Session - Authorize Blocked", "Core", None),
    ("TC_024_CSMS", "Start Charging Session Lock Failure", "Core", None),
    ("TC_026_CSMS", "Remote Start Charging Session - Rejected", "Core", None),
    ("TC_028_CSMS", "Remote Stop Transaction - Rejected", "Core", None),
    ("TC_030_CSMS", "Unlock Connector - Unlock Failure", "Core", None),
    ("TC_031_CSMS", "Unlock Connector - Unknown Connector", "Core", None),
    ("TC_032_1_CSMS", "Power Failure Boot - Stop Transactions", "Core", None),
    ("TC_037_1_CSMS", "Offline Start Transaction - Valid IdTag", "Core", None),
    (
        "TC_037_3_CSMS",
        "Offline Start Transaction - Invalid IdTag - StopTransactionOnInvalidId",
        "Core",
        NOT_WRITTEN,
    ),
    ("TC_039_CSMS", "Offline Transaction", "Core", None),
    ("TC_040_1_CSMS", "Configuration Keys - NotSupported", "Core", None),
    ("TC_040_2_CSMS", "Configuration Keys - Invalid Value", "Core", None),
    ("TC_061_CSMS", "Clear Authorization Data in Authorization Cache", "Core", None),
    ("TC_064_CSMS", "Data Transfer to a Central System", "Core", None),
    ("TC_042_1_CSMS", "Get Local List Version - Not Supported", "LocalAuthListManagement", None),
    ("TC_042_2_CSMS", "Get Local List Version - Empty", "LocalAuthListManagement", None),
    (
        "TC_043_1_CSMS",
        "Send Local Authorization List - NotSupported",
        "LocalAuthListManagement",
        None,
    ),
    (
        "TC_043_3_CSMS",
        "Send Local Authorization List - Failed",
        "LocalAuthListManagement",
        None,
    ),
    (
        "TC_043_4_CSMS",
        "Send Local Authorization List - Full",
        "LocalAuthListManagement",
        None,
    ),
    (
        "TC_043_5_CSMS",
        "Send Local Authorization List - Differential",
        "LocalAuthListManagement",
        None,
    ),
    ("TC_044_1_CSMS", "Firmware Update - Download and Install", "FirmwareManagement", None),
    ("TC_044_2_CSMS", "Firmware Update - Download Failed", "FirmwareManagement", None),
    ("TC_044_3_CSMS", "Firmware Update - Installation Failed", "FirmwareManagement", None),
    ("TC_045_1_CSMS", "Get Diagnostics", "FirmwareManagement", None),
    ("TC_045_2_CSMS", "Get Diagnostics - Upload Failed", "FirmwareManagement", None),
    ("TC_046_CSMS", "Reservation of a Connector - Transaction", "Reservation", None),
    ("TC_047_CSMS", "Reservation of a Connector - Expire", "Reservation", None),
    ("TC_048_1_CSMS", "Reservation of a Connector - Faulted", "Reservation", None),
    ("TC_048_2_CSMS", "Reservation of a Connector - Occupied", "Reservation", None),
    ("TC_048_3_CSMS", "Reservation of a Connector - Unavailable", "Reservation", None),
    ("TC_048_4_CSMS", "Reservation of a Connector - Rejected", "Reservation", None),
    ("TC_049_CSMS", "Reservation of a Charge Point - Transaction", "Reservation", None),
    ("TC_051_CSMS", "Cancel Reservation", "Reservation", None),
    ("TC_052_CSMS", "Cancel Reservation - Rejected", "Reservation", None),
    ("TC_053_CSMS", "Use a Reserved Connector with parentIdTag", "Reservation", NOT_WRITTEN),
    ("TC_054_CSMS", "Trigger Message", "RemoteTrigger", None),
    ("TC_055_CSMS", "Trigger Message - Rejected", "RemoteTrigger", None),
    ("TC_056_CSMS", "Central Smart Charging - TxDefaultProfile", "SmartCharging", None),
    ("TC_057_CSMS", "Central Smart Charging - TxProfile", "SmartCharging", None),
    (
        "TC_059_CSMS",
        "Remote Start Transaction with Charging Profile",
        "SmartCharging",
        None,
    ),
    ("TC_066_CSMS", "Get Composite Schedule", "SmartCharging", None),
    ("TC_067_CSMS", "Clear Charging Profile", "SmartCharging", None),
    (
        "TC_073_CSMS",
        "Update Charge Point Password for HTTP Basic Authentication",
        "Security",
        NOT_WRITTEN,
    ),
    (
        "TC_074_CSMS",
        "Update Charge Point Certificate by Request of Central System",
        "Security",
        NEEDS_CERTIFICATES,
    ),
    (
        "TC_075_1_CSMS",
        "Install Certificate - ManufacturerRootCertificate",
        "Security",
        NEEDS_CERTIFICATES,
    ),
    (
        "TC_075_2_CSMS",
        "Install Certificate - CentralSystemRootCertificate",
        "Security",
        NEEDS_CERTIFICATES,
    ),
    (
        "TC_076_CSMS",
        "Delete a Specific Certificate from the Charge Point",
        "Security",
        NEEDS_CERTIFICATES,
    ),
    (
        "TC_077_CSMS",
        "Invalid ChargePointCertificate Security Event",
        "Security",
        NEEDS_CERTIFICATES,
    ),
    (
        "TC_078_CSMS",
        "Invalid CentralSystemCertificate Security Event",
        "Security",
        NEEDS_CERTIFICATES,
    ),
    ("TC_079_CSMS", "Get Security Log", "Security", NOT_WRITTEN),
    ("TC_080_CSMS", "Secure Firmware Update", "Security", NEEDS_CERTIFICATES),
    ("TC_081_CSMS", "Secure Firmware Update - Invalid Signature", "Security", NEEDS_CERTIFICATES),
    ("TC_083_CSMS", "Upgrade Charge Point Security Profile - Accepted", "Security", NEEDS_TLS),
    ("TC_085_CSMS", "Basic Authentication - Valid username/password", "Security", None),
    ("TC_086_CSMS", "TLS - Server-side Certificate - Valid Certificate", "Security", NEEDS_TLS),
    ("TC_087_CSMS", "TLS - Client-side Certificate - Valid Certificate", "Security", NEEDS_TLS),
    ("TC_088_CSMS", "WebSocket Subprotocol Negotiation", "Security", None),
)

CASES: tuple[CaseInfo, ...] = tuple(
    CaseInfo(case_id, title, V16, UnderTest.CSMS, module, lacking)
    for case_id, title, module, lacking in _V16_CSMS
)
BY_ID = {case.id: case for case in CASES}
