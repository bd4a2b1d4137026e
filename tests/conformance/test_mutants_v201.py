"""Mutation tests of the OCPP 2.0.1 CSMS cases: chargeyard's CSMS with one small, real bug each
in how it answers a 2.0.1 station or what it sends one (as ``test_mutants.py`` does for 1.6).
Each mutant must fail the case that covers it, with a report that names the cause; the clean
CSMS passes the same cases (``test_csms_suite_v201.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from chargeyard.csms.commands import base as command_base
from chargeyard.csms.commands import basic_password
from chargeyard.csms.v201 import CentralSystemV201
from chargeyard.protocol import V201, ErrorKind
from tests.conformance.mutants import (
    ANOTHER_KEY,
    CSMS,
    NEVER_SIGNED,
    Bugs,
    Mutant,
    Payload,
    assert_caught,
    forgets_passwords,
    judged,
    sending,
    without,
)
from tests.stack_lab import StackLab, stack_lab

# Every wait is on the loop's clock or on SQLite (tests/virtual_time.py): idle waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]

STATION = "CY-MUTANT-201"
PASSWORD = "mutant-secret-201"
BUGS = Bugs(CentralSystemV201, lambda action: CentralSystemV201.handler_names()[action])
answer_with, refuse, never_answer = BUGS.answer_with, BUGS.refuse, BUGS.never_answer


def _token_status(status: str) -> Callable[[Payload], Payload]:
    return lambda answer: {**answer, "idTokenInfo": {"status": status}}


def _uncut(action: str, payload: Payload, limits: object) -> list[Payload]:
    return [payload]


MUTANTS = (
    Mutant(
        "boot Pending",
        "TC_B_01_CSMS",
        "the CSMS answers the boot Accepted",
        answer_with("BootNotification", lambda a: {**a, "status": "Pending"}),
    ),
    Mutant(
        "boot time without a zone",
        "TC_B_01_CSMS",
        "current time with a zone",
        answer_with("BootNotification", lambda a: {**a, "currentTime": "2026-01-01T10:00:00"}),
        compatible=True,
    ),
    Mutant(
        "StatusNotification refused",
        "TC_B_01_CSMS",
        "answers StatusNotification with a CALLRESULT",
        refuse("StatusNotification"),
    ),
    Mutant(
        "unknown token accepted",
        "TC_C_02_CSMS",
        "is answered Invalid or Unknown",
        answer_with("Authorize", _token_status("Accepted")),
    ),
    Mutant(
        "blocked token accepted",
        "TC_C_06_CSMS",
        "is answered Blocked or Invalid",
        answer_with("Authorize", _token_status("Accepted")),
    ),
    Mutant(
        "expiry ignored",
        "TC_C_07_CSMS",
        "is answered Expired or Invalid",
        answer_with("Authorize", _token_status("Accepted")),
    ),
    Mutant(
        "group not told",
        "TC_C_39_CSMS",
        "names group",
        answer_with("Authorize", lambda a: {"idTokenInfo": {"status": "Accepted"}}),
    ),
    Mutant(
        "cached token not checked",
        "TC_C_08_CSMS",
        "is answered Accepted",
        answer_with("TransactionEvent", without("idTokenInfo")),
    ),
    Mutant(
        "transaction's token not checked",
        "TC_E_16_CSMS",
        "is answered Invalid or Unknown",
        answer_with("TransactionEvent", _token_status("Accepted")),
    ),
    Mutant(
        "TransactionEvent refused",
        "TC_E_04_CSMS",
        "answers TransactionEvent with a CALLRESULT",
        refuse("TransactionEvent"),
    ),
    Mutant(
        "NotifyEvent unimplemented",
        "TC_G_20_CSMS",
        "answers NotifyEvent with a CALLRESULT",
        refuse("NotifyEvent", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "MeterValues refused",
        "TC_J_01_CSMS",
        "answers MeterValues with a CALLRESULT",
        refuse("MeterValues", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "unknown vendor Accepted",
        "TC_P_02_CSMS",
        "answered UnknownVendorId, UnknownMessageId or Rejected",
        answer_with("DataTransfer", lambda a: {"status": "Accepted"}),
        compatible=True,
    ),
    Mutant(
        "new password forgotten",
        "TC_A_09_CSMS",
        "refused the WebSocket handshake with HTTP 401",
        patched={(basic_password, "keep_accepted_password"): forgets_passwords},
    ),
    Mutant(
        "remote stop of another transaction",
        "TC_E_21_CSMS",
        "RequestStopTransaction's transactionId is",
        sent=sending(
            "RequestStopTransaction", lambda p: {**p, "transactionId": p["transactionId"] + "X"}
        ),
    ),
    Mutant(
        "remote start for another token",
        "TC_F_01_CSMS",
        "RequestStartTransaction's idToken.idToken is",
        sent=sending(
            "RequestStartTransaction",
            lambda p: {**p, "idToken": {**p["idToken"], "idToken": "SOMEONE-ELSE"}},
        ),
    ),
    Mutant(
        "reset OnIdle sent Immediate",
        "TC_B_20_CSMS",
        "Reset's type is OnIdle",
        sent=sending("Reset", lambda p: {**p, "type": "Immediate"}),
    ),
    Mutant(
        "EVSE made inoperative as the whole station",
        "TC_G_03_CSMS",
        "ChangeAvailability's evse is",
        sent=sending("ChangeAvailability", without("evse")),
    ),
    Mutant(
        "transaction status asked without its id",
        "TC_E_30_CSMS",
        "GetTransactionStatus's transactionId is",
        sent=sending("GetTransactionStatus", without("transactionId")),
    ),
    Mutant(
        "customer information cleared instead of reported",
        "TC_N_27_CSMS",
        "CustomerInformation's report is True",
        sent=sending("CustomerInformation", lambda p: {**p, "report": False, "clear": True}),
    ),
    Mutant(
        "trigger never sent",
        "TC_F_20_CSMS",
        "sent no TriggerMessage",
        sent=sending("TriggerMessage", lambda p: None),
    ),
    Mutant(
        "display message of another id",
        "TC_O_01_CSMS",
        "SetDisplayMessage's message.id is",
        sent=sending("SetDisplayMessage", lambda p: {**p, "message": {**p["message"], "id": 1}}),
    ),
    Mutant(
        "display message tied to a transaction",
        "TC_O_13_CSMS",
        "SetDisplayMessage's message.transactionId is absent",
        sent=sending(
            "SetDisplayMessage",
            lambda p: {**p, "message": {**p["message"], "transactionId": "CY-SOME"}},
        ),
    ),
    Mutant(
        "display messages report refused",
        "TC_O_02_CSMS",
        "answers NotifyDisplayMessages with a CALLRESULT",
        refuse("NotifyDisplayMessages", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "all display messages asked by id",
        "TC_O_02_CSMS",
        "GetDisplayMessages's id is absent",
        sent=sending("GetDisplayMessages", lambda p: {**p, "id": [7001]}),
    ),
    Mutant(
        "monitoring report refused",
        "TC_N_47_CSMS",
        "answers NotifyMonitoringReport with a CALLRESULT",
        refuse("NotifyMonitoringReport"),
    ),
    Mutant(
        "monitoring base never sent",
        "TC_N_05_CSMS",
        "sent no SetMonitoringBase",
        sent=sending("SetMonitoringBase", lambda p: None),
    ),
    Mutant(
        "monitor of another severity",
        "TC_N_08_CSMS",
        "SetVariableMonitoring sets the monitors asked for",
        sent=sending(
            "SetVariableMonitoring",
            lambda p: {"setMonitoringData": [{**p["setMonitoringData"][0], "severity": 2}]},
        ),
    ),
    Mutant(
        "alert event answered with a body",
        "TC_N_50_CSMS",
        "NotifyEventResponse has an empty body",
        answer_with("NotifyEvent", lambda a: {**a, "status": "Accepted"}),
        compatible=True,
    ),
    Mutant(
        "a negative total cost",
        "TC_I_02_CSMS",
        "gives the transaction's totalCost",
        answer_with("TransactionEvent", lambda a: {**a, "totalCost": -1.5}),
    ),
    Mutant(
        "smart charging profile of another purpose",
        "TC_K_15_CSMS",
        "SetChargingProfile's chargingProfile.chargingProfilePurpose is",
        sent=sending(
            "SetChargingProfile",
            lambda p: {
                **p,
                "chargingProfile": {**p["chargingProfile"], "chargingProfilePurpose": "TxProfile"},
            },
        ),
    ),
    Mutant(
        "custom report without its criteria",
        "TC_B_18_CSMS",
        "GetReport's componentCriteria is",
        sent=sending("GetReport", without("componentCriteria")),
    ),
    Mutant(
        "group not told for a local list's tag",
        "TC_C_40_CSMS",
        "names group",
        answer_with(
            "TransactionEvent",
            lambda a: {**a, "idTokenInfo": {"status": "Accepted"}} if "idTokenInfo" in a else a,
        ),
    ),
    Mutant(
        "TxProfile without a transaction sent Absolute",
        "TC_K_02_CSMS",
        "SetChargingProfile's chargingProfile.chargingProfileKind is",
        sent=sending(
            "SetChargingProfile",
            lambda p: {
                **p,
                "chargingProfile": {**p["chargingProfile"], "chargingProfileKind": "Absolute"},
            },
        ),
    ),
    Mutant(
        "external charging limit unimplemented",
        "TC_K_48_CSMS",
        "answers NotifyChargingLimit with a CALLRESULT",
        refuse("NotifyChargingLimit", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "released charging limit refused",
        "TC_K_51_CSMS",
        "answers ClearedChargingLimit with a CALLRESULT",
        refuse("ClearedChargingLimit"),
    ),
    Mutant(
        "external constraints report refused",
        "TC_K_52_CSMS",
        "answers ReportChargingProfiles with a CALLRESULT",
        refuse("ReportChargingProfiles"),
    ),
    Mutant(
        "firmware published from another location",
        "TC_L_17_CSMS",
        "PublishFirmware's location is",
        sent=sending("PublishFirmware", lambda p: {**p, "location": "https://else.example/f"}),
    ),
    Mutant(
        "publishing progress refused",
        "TC_L_19_CSMS",
        "answers PublishFirmwareStatusNotification with a CALLRESULT",
        refuse("PublishFirmwareStatusNotification"),
    ),
    Mutant(
        "firmware of another checksum unpublished",
        "TC_L_21_CSMS",
        "UnpublishFirmware's checksum is",
        sent=sending("UnpublishFirmware", lambda p: {"checksum": "0" * 32}),
    ),
    Mutant(
        "variables asked beyond the station's items per message",
        "TC_B_08_CSMS",
        "GetVariables carries at most 4 items",
        patched={(command_base, "batches"): _uncut},
    ),
    Mutant(
        "monitors cleared beyond the station's items per message",
        "TC_N_18_CSMS",
        "ClearVariableMonitoring carries at most 2 items",
        patched={(command_base, "batches"): _uncut},
    ),
    Mutant(
        "local list replaced instead of updated",
        "TC_N_46_CSMS",
        "SendLocalList's updateType is Differential",
        sent=sending(
            "SendLocalList",
            lambda p: {**p, "updateType": "Full"} if p["updateType"] == "Differential" else p,
        ),
    ),
    Mutant(
        "station certificate never sent",
        "TC_A_11_CSMS",
        "the CSMS sent no CertificateSigned",
        patched=NEVER_SIGNED,
    ),
    Mutant(
        "station certificate of another key",
        "TC_A_11_CSMS",
        "CertificateSigned's first certificate is for the key of the CSR the station sent",
        patched=ANOTHER_KEY,
    ),
    Mutant(
        "station certificate request rejected",
        "TC_A_14_CSMS",
        "SignCertificate's answer is Accepted",
        answer_with("SignCertificate", lambda answer: {"status": "Rejected"}),
    ),
    Mutant(
        "CSMS root installed as a manufacturer root",
        "TC_M_01_CSMS",
        "InstallCertificate's certificateType is CSMSRootCertificate",
        sent=sending(
            "InstallCertificate", lambda p: {**p, "certificateType": "ManufacturerRootCertificate"}
        ),
    ),
    Mutant(
        "certificate text cut short",
        "TC_M_02_CSMS",
        "InstallCertificate's certificate is one PEM X.509 certificate",
        sent=sending("InstallCertificate", lambda p: {**p, "certificate": p["certificate"][:200]}),
    ),
    Mutant(
        "installed ids asked for every use",
        "TC_M_19_CSMS",
        "GetInstalledCertificateIds's certificateType is ManufacturerRootCertificate",
        sent=sending("GetInstalledCertificateIds", without("certificateType")),
    ),
    Mutant(
        "certificate deleted in another hash algorithm",
        "TC_M_20_CSMS",
        "DeleteCertificate's hashAlgorithm is SHA256",
        sent=sending(
            "DeleteCertificate",
            lambda p: {
                "certificateHashData": {**p["certificateHashData"], "hashAlgorithm": "SHA512"}
            },
        ),
    ),
)


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with stack_lab(tmp_path, csms=CSMS, serve=True) as running:
        yield running


@pytest.mark.parametrize("mutant", MUTANTS, ids=[mutant.name for mutant in MUTANTS])
async def test_each_201_mutant_fails_the_case_that_covers_it(
    lab: StackLab, mutant: Mutant, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await judged(
        lab,
        mutant,
        monkeypatch,
        version=V201,
        handlers=CentralSystemV201,
        station=STATION,
        password=PASSWORD,
    )
    assert_caught(result, mutant)


def test_there_are_twenty_201_mutants() -> None:
    assert len(MUTANTS) >= 20
    assert len({mutant.name for mutant in MUTANTS}) == len(MUTANTS)
