"""``chargeyard probe`` against a CSMS written with the `ocpp` library (its ChargePoint, the
tag-knowing central systems of the conformance tests): the run completes, and the report says
accurately where it keeps OCPP-J and where it does not."""

from __future__ import annotations

import pytest

from chargeyard.conformance.verdicts import Verdict
from chargeyard.probe import ProbeRun, ProbeTarget, run_probe
from chargeyard.probe.report import as_json_report
from chargeyard.protocol import V16, V201, VersionSpec
from tests.conformance.tag_knowing_csms import tag_knowing_csms

pytestmark = pytest.mark.virtual_time  # the probe's waits for a CSMS's silence pass at once

PASS, FAIL, INCONCLUSIVE = Verdict.PASS, Verdict.FAIL, Verdict.INCONCLUSIVE


async def _probe(version: VersionSpec) -> ProbeRun:
    async with tag_knowing_csms(version) as url:
        # The library asks for no password, so any password is let in.
        return await run_probe(ProbeTarget(url, "CP-LIB", version, password="secret", seed=3))


def _answer(probe: ProbeRun, case_id: str) -> object:
    return probe.observations[case_id].answers[0]


async def test_the_16_report_says_where_the_library_keeps_ocpp_j_and_where_not() -> None:
    probe = await _probe(V16)
    verdicts = {result.info.id: result.conformance for result in probe.run.results}
    assert {
        case: verdicts[case]
        for case in (
            # It lets any password in, answers a CALL sent in a binary frame, swaps
            # NotImplemented and NotSupported, and leaves unreadable frames unanswered.
            "handshake-wrong-password",
            "frame-binary",
            "action-unknown",
            "action-wrong-direction",
            "frame-call-without-payload",
            "message-type-7",
            # websockets under it refuses what OCPP-J and RFC 6455 refuse.
            "handshake-no-subprotocol",
            "handshake-wrong-subprotocol",
            "frame-invalid-utf8",
            "frame-huge",
            # Stray answers are dropped, two CALLs at once both answered.
            "id-unknown-callresult",
            "id-unknown-callerror",
            "id-second-call-before-answer",
            "id-duplicate",
            # 1.6 leaves an unreadable message's answer to the CSMS: silence passes.
            "frame-not-json",
        )
    } == {
        "handshake-wrong-password": FAIL,
        "frame-binary": FAIL,
        "action-unknown": FAIL,
        "action-wrong-direction": FAIL,
        "frame-call-without-payload": FAIL,
        "message-type-7": FAIL,
        "handshake-no-subprotocol": PASS,
        "handshake-wrong-subprotocol": PASS,
        "frame-invalid-utf8": PASS,
        "frame-huge": PASS,
        "id-unknown-callresult": PASS,
        "id-unknown-callerror": PASS,
        "id-second-call-before-answer": PASS,
        "id-duplicate": PASS,
        "frame-not-json": PASS,
    }
    assert _answer(probe, "action-unknown")[:3] == [4, "probe-8", "NotSupported"]  # type: ignore[index]
    # Schema breaks: a wrong type and a missing field it answers as 1.6 allows; a field the
    # schema does not allow it answers with 2.0.1's spelling, FormatViolation, not 1.6's
    # FormationViolation; a time that is no date-time it takes.
    assert verdicts["payload-Authorize-wrong-type"] is PASS
    assert verdicts["payload-Authorize-missing"] is PASS
    assert verdicts["payload-Authorize-extra-field"] is FAIL
    assert _answer(probe, "payload-Authorize-extra-field")[2] == "FormatViolation"  # type: ignore[index]
    assert verdicts["payload-StopTransaction-bad-format"] is FAIL
    assert _answer(probe, "payload-StopTransaction-bad-format")[0] == 3  # type: ignore[index]
    # An action it has no handler for cannot show how it checks that action's payload.
    unserved = [r for r in probe.run.results if r.info.id.startswith("payload-SignCertificate")]
    assert len(unserved) == 4  # missing, wrong type, too long, extra field
    assert {r.conformance for r in unserved} == {INCONCLUSIVE}
    assert unserved[0].reason == (
        "the CSMS does not serve SignCertificate (it answered NotImplemented): how it checks"
        " that payload cannot be judged"
    )
    # The JSON report says the same, case by case.
    report = as_json_report(probe)
    shown = {case["id"]: case["verdict"] for case in report["cases"]}
    words = {PASS: "passed", FAIL: "failed", INCONCLUSIVE: "inconclusive"}
    assert shown == {case: words[verdict] for case, verdict in verdicts.items()}
    assert report["verdicts"]["failed"] == list(verdicts.values()).count(FAIL) > 0


@pytest.mark.slow
async def test_a_201_run_completes_and_judges_the_library_too() -> None:
    probe = await _probe(V201)
    verdicts = {result.info.id: result.conformance for result in probe.run.results}
    assert len(verdicts) >= 120
    # 2.0.1 asks a CALLERROR RpcFrameworkError "-1" for text that is no JSON; it says nothing.
    assert verdicts["frame-not-json"] is FAIL
    assert probe.observations["frame-not-json"].answers == []
    assert verdicts["payload-BootNotification-missing"] is PASS
    assert verdicts["handshake-wrong-password"] is FAIL
