"""``chargeyard probe`` against chargeyard's own CSMS, in process: every case passes, in both
versions, and a run takes well under a minute of the CSMS's time (the probe's waits pass on
the virtual clock, so the figure is what a user waits on a CSMS that answers at once). Where
a case did not pass, the CSMS was fixed (a five-element CALL: FormationViolation,
``tests/protocol/test_frames.py``)."""

from __future__ import annotations

import asyncio

import pytest

from chargeyard.conformance.verdicts import Verdict
from chargeyard.csms.server import CsmsServer
from chargeyard.probe import Group, run_probe
from chargeyard.probe.wire import Wire
from chargeyard.protocol import V16, V201, VersionSpec
from tests.probe.conftest import target_of

pytestmark = pytest.mark.virtual_time


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
async def test_every_case_passes_against_chargeyard_s_csms(
    csms: CsmsServer, version: VersionSpec
) -> None:
    began = asyncio.get_running_loop().time()
    probe = await run_probe(target_of(csms, version, seed=44))
    seconds = asyncio.get_running_loop().time() - began
    not_passed = {
        result.info.id: (result.conformance, probe.observations.get(result.info.id))
        for result in probe.run.results
        if result.conformance is not Verdict.PASS
    }
    assert not_passed == {}
    groups = {result.info.block for result in probe.run.results}
    assert groups == {group.value for group in Group}
    assert len(probe.run.results) >= 70
    assert seconds < 60


async def test_without_the_password_the_wrong_password_case_is_inconclusive(
    csms: CsmsServer,
) -> None:
    probe = await run_probe(target_of(csms, V16, password=None, seed=1))
    verdicts = {result.info.id: result.conformance for result in probe.run.results}
    [wrong_password] = [r for r in probe.run.results if r.info.id == "handshake-wrong-password"]
    assert wrong_password.reason == "needs --password (the station's Basic password)"
    # The station itself could not be let in without it: every case on it says why.
    [boot_refused] = {r.reason for r in probe.run.results if r.info.block == Group.FRAMES.value}
    assert boot_refused == (
        "the station's own handshake was refused: HTTP 401"
        " (does the CSMS want a password? --password)"
    )
    assert Verdict.FAIL not in verdicts.values()
    # No case failed, yet the probe reached no answer of the CSMS's: the run does not pass.
    assert set(probe.stranded.values()) == {boot_refused}
    assert probe.failed
    assert verdicts["handshake-no-subprotocol"] is Verdict.PASS


async def test_an_error_of_the_probe_s_own_leaves_its_case_inconclusive_and_the_run_going(
    csms: CsmsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(wire: Wire, data: bytes) -> None:
        raise RuntimeError("the socket's send failed")

    monkeypatch.setattr(Wire, "send_binary", broken)
    probe = await run_probe(target_of(csms, V16, seed=2))
    results = {result.info.id: result for result in probe.run.results}
    binary = results["frame-binary"]
    assert (binary.conformance, binary.reason) == (
        Verdict.INCONCLUSIVE,
        "the probe met an error: RuntimeError: the socket's send failed",
    )
    # The next case runs on a fresh connection, booted again.
    assert results["frame-invalid-utf8"].conformance is Verdict.PASS
    assert [r.info.id for r in probe.run.results if r.conformance is not Verdict.PASS] == [
        "frame-binary"
    ]
