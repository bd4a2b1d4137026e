"""Mutation tests: chargeyard's CSMS with one small, real bug each (a mutant, made by replacing
one of its handlers or the way it sends a command), against the case that covers the bug. Each
mutant must fail its case, and the report must name the cause: a failed check whose rule or
observation says it. The clean CSMS passes the same cases (``test_csms_suite.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from chargeyard.csms.commands import basic_password
from chargeyard.csms.handlers import CentralSystemHandlers
from chargeyard.csms.v16 import CentralSystemV16
from chargeyard.protocol import V16, ErrorKind
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

STATION = "CY-MUTANT"
PASSWORD = "mutant-secret-16"
# The 1.6 handlers' own, and those every version shares (DataTransfer...).
BUGS = Bugs(
    CentralSystemV16,
    lambda action: {
        **CentralSystemV16.handler_names(),
        **CentralSystemHandlers.handler_names(),
    }[action],
)
answer_with, refuse, never_answer = BUGS.answer_with, BUGS.refuse, BUGS.never_answer


def _tag_info(status: str) -> Callable[[Payload], Payload]:
    return lambda answer: {**answer, "idTagInfo": {"status": status}}


def _without_parent(answer: Payload) -> Payload:
    info = {k: v for k, v in answer["idTagInfo"].items() if k != "parentIdTag"}
    return {**answer, "idTagInfo": info}


MUTANTS = (
    Mutant(
        "charge point certificate never sent",
        "TC_074_CSMS",
        "the CSMS sent no CertificateSigned",
        patched=NEVER_SIGNED,
    ),
    Mutant(
        "charge point certificate of another key",
        "TC_074_CSMS",
        "CertificateSigned's first certificate is for the key of the CSR the station sent",
        patched=ANOTHER_KEY,
    ),
    Mutant(
        "security event of an invalid certificate refused",
        "TC_077_CSMS",
        "answers SecurityEventNotification with a CALLRESULT",
        refuse("SecurityEventNotification"),
    ),
    Mutant(
        "boot Rejected",
        "TC_001_CSMS",
        "the CSMS accepts the station's boot",
        answer_with("BootNotification", lambda a: {**a, "status": "Rejected"}),
    ),
    Mutant(
        "boot Pending",
        "TC_001_CSMS",
        "the CSMS accepts the station's boot",
        answer_with("BootNotification", lambda a: {**a, "status": "Pending"}),
    ),
    Mutant(
        "heartbeat interval 0",
        "TC_001_CSMS",
        "heartbeat interval above 0",
        answer_with("BootNotification", lambda a: {**a, "interval": 0}),
        compatible=True,
    ),
    Mutant(
        "boot time without a zone",
        "TC_001_CSMS",
        "current time with a zone",
        answer_with("BootNotification", lambda a: {**a, "currentTime": "2026-01-01T10:00:00"}),
        compatible=True,
    ),
    Mutant(
        "heartbeat without currentTime",
        "TC_001_CSMS",
        "tells the current time",
        answer_with("Heartbeat", without("currentTime")),
    ),
    Mutant(
        "StatusNotification refused",
        "TC_001_CSMS",
        "answers StatusNotification with a CALLRESULT",
        refuse("StatusNotification"),
    ),
    Mutant(
        "StatusNotification never answered",
        "TC_001_CSMS",
        "no answer to StatusNotification",
        never_answer("StatusNotification"),
    ),
    Mutant(
        "unknown tag accepted",
        "TC_023_1_CSMS",
        "is answered Invalid",
        answer_with("Authorize", _tag_info("Accepted")),
    ),
    Mutant(
        "expiry ignored",
        "TC_023_2_CSMS",
        "is answered Expired",
        answer_with("Authorize", _tag_info("Accepted")),
    ),
    Mutant(
        "blocked tag accepted",
        "TC_023_3_CSMS",
        "is answered Blocked",
        answer_with("Authorize", _tag_info("Accepted")),
    ),
    Mutant(
        "valid tag refused",
        "TC_003_CSMS",
        "is answered Accepted",
        answer_with("Authorize", _tag_info("Invalid")),
    ),
    Mutant(
        "Authorize unimplemented",
        "TC_004_1_CSMS",
        "CALLERROR NotImplemented",
        refuse("Authorize", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "no transactionId",
        "TC_003_CSMS",
        "holds a transactionId",
        answer_with("StartTransaction", without("transactionId")),
    ),
    Mutant(
        "start refused by idTagInfo",
        "TC_004_1_CSMS",
        "StartTransaction's idTagInfo is Accepted",
        answer_with("StartTransaction", _tag_info("Blocked")),
    ),
    Mutant(
        "StartTransaction refused",
        "TC_010_CSMS",
        "answers StartTransaction with a CALLRESULT",
        refuse("StartTransaction"),
    ),
    Mutant(
        "StopTransaction refused",
        "TC_003_CSMS",
        "answers StopTransaction with a CALLRESULT",
        refuse("StopTransaction"),
    ),
    Mutant(
        "stop answered Blocked",
        "TC_003_CSMS",
        "StopTransaction's idTagInfo is Accepted",
        answer_with("StopTransaction", _tag_info("Blocked")),
        compatible=True,
    ),
    Mutant(
        "MeterValues refused",
        "TC_005_1_CSMS",
        "answers MeterValues with a CALLRESULT",
        refuse("MeterValues", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "DataTransfer unimplemented",
        "TC_064_CSMS",
        "answers DataTransfer with a CALLRESULT",
        refuse("DataTransfer", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "unknown vendor Accepted",
        "TC_064_CSMS",
        "answered UnknownVendorId",
        answer_with("DataTransfer", lambda a: {"status": "Accepted"}),
        compatible=True,
    ),
    Mutant(
        "remote stop of another transaction",
        "TC_012_CSMS",
        "names the running transaction",
        sent=sending(
            "RemoteStopTransaction", lambda p: {**p, "transactionId": p["transactionId"] + 1}
        ),
    ),
    Mutant(
        "remote stop never sent",
        "TC_012_CSMS",
        "sent no RemoteStopTransaction",
        sent=sending("RemoteStopTransaction", lambda p: None),
    ),
    Mutant(
        "remote start for another tag",
        "TC_010_CSMS",
        "names the tag",
        sent=sending("RemoteStartTransaction", lambda p: {**p, "idTag": "SOMEONE-ELSE"}),
    ),
    Mutant(
        "remote start never sent",
        "TC_011_1_CSMS",
        "sent no RemoteStartTransaction",
        sent=sending("RemoteStartTransaction", lambda p: None),
    ),
    Mutant(
        "hard reset sent soft",
        "TC_013_CSMS",
        "Reset is of type Hard",
        sent=sending("Reset", lambda p: {**p, "type": "Soft"}),
    ),
    Mutant(
        "soft reset sent hard",
        "TC_014_CSMS",
        "Reset is of type Soft",
        sent=sending("Reset", lambda p: {**p, "type": "Hard"}),
    ),
    Mutant("reset dropped", "TC_013_CSMS", "sent no Reset", sent=sending("Reset", lambda p: None)),
    Mutant(
        "unlock of the next connector",
        "TC_017_1_CSMS",
        "names connector 1",
        sent=sending("UnlockConnector", lambda p: {**p, "connectorId": 2}),
    ),
    Mutant(
        "all keys asked as one",
        "TC_019_1_CSMS",
        "names no key",
        sent=sending("GetConfiguration", lambda p: {"key": ["HeartbeatInterval"]}),
    ),
    Mutant(
        "key asked for dropped",
        "TC_019_2_CSMS",
        "names the key asked for",
        sent=sending("GetConfiguration", lambda p: {}),
    ),
    Mutant(
        "configuration value mangled",
        "TC_021_CSMS",
        "names the key and value",
        sent=sending("ChangeConfiguration", lambda p: {**p, "value": p["value"] + "0"}),
    ),
    Mutant(
        "trigger of the wrong message",
        "TC_054_CSMS",
        "asks for StatusNotification",
        sent=sending("TriggerMessage", lambda p: {**p, "requestedMessage": "Heartbeat"}),
    ),
    Mutant(
        "offline start of an unknown tag accepted",
        "TC_037_3_CSMS",
        "is answered Invalid",
        answer_with("StartTransaction", _tag_info("Accepted")),
    ),
    Mutant(
        "parent id tag not told",
        "TC_053_CSMS",
        "names its parent id tag",
        answer_with("Authorize", _without_parent),
    ),
    Mutant(
        "reservation without its parent",
        "TC_053_CSMS",
        "ReserveNow names the connector, the tag, its parent",
        sent=sending("ReserveNow", without("parentIdTag")),
    ),
    Mutant(
        "new AuthorizationKey forgotten",
        "TC_073_CSMS",
        "refused the WebSocket handshake with HTTP 401",
        patched={(basic_password, "keep_accepted_password"): forgets_passwords},
    ),
    Mutant(
        "diagnostics log asked for",
        "TC_079_CSMS",
        "GetLog asks for the SecurityLog",
        sent=sending("GetLog", lambda p: {**p, "logType": "DiagnosticsLog"}),
    ),
    Mutant(
        "LogStatusNotification unimplemented",
        "TC_079_CSMS",
        "answers LogStatusNotification with a CALLRESULT",
        refuse("LogStatusNotification", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "central system root installed as a manufacturer root",
        "TC_075_2_CSMS",
        "InstallCertificate's certificateType is CentralSystemRootCertificate",
        sent=sending(
            "InstallCertificate", lambda p: {**p, "certificateType": "ManufacturerRootCertificate"}
        ),
    ),
    Mutant(
        "certificate deleted by another serial number",
        "TC_076_CSMS",
        "DeleteCertificate's certificateHashData is the id the station reported",
        sent=sending(
            "DeleteCertificate",
            lambda p: {"certificateHashData": {**p["certificateHashData"], "serialNumber": "1"}},
        ),
    ),
)


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with stack_lab(tmp_path, csms=CSMS, serve=True) as running:
        yield running


@pytest.mark.parametrize("mutant", MUTANTS, ids=[mutant.name for mutant in MUTANTS])
async def test_each_mutant_fails_the_case_that_covers_it(
    lab: StackLab, mutant: Mutant, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await judged(
        lab,
        mutant,
        monkeypatch,
        version=V16,
        handlers=CentralSystemV16,
        station=STATION,
        password=PASSWORD,
    )
    assert_caught(result, mutant)


def test_there_are_thirty_mutants_or_more() -> None:
    assert len(MUTANTS) >= 30
    assert len({mutant.name for mutant in MUTANTS}) == len(MUTANTS)
