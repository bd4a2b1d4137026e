"""A plain run against a CSMS written with the `ocpp` library, with no trigger: the id tags the
command line names are the user's statement of the CSMS's configuration, so every case that
needs only the station's own messages and such tags runs and is judged (1.6 Core: boot,
heartbeat, Authorize with a valid, an unknown, a blocked and an expired tag, a charging
session, status notifications, meter values), and the summary says what the other cases
need."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from chargeyard.cli_conformance.csms import stated_tags
from chargeyard.conformance import CsmsTarget, Verdict, run_csms
from chargeyard.conformance.counts import count, needs
from chargeyard.conformance.csms_under_test.triggers import TAG_OPTIONS, TRIGGER_NEED
from chargeyard.conformance.reports import as_json
from chargeyard.protocol import V16
from tests.conformance.tag_knowing_csms import STATED, tag_knowing_csms

# The 1.6 Core cases the station starts itself (OCTT 1.6 CSMS test cases).
STATION_INITIATED_CORE = [
    "TC_001_CSMS",  # cold boot: BootNotification, StatusNotification
    "TC_003_CSMS",  # plug-in first: a whole charging session, MeterValues included
    "TC_004_1_CSMS",  # identification first
    "TC_004_2_CSMS",  # identification first, no cable within ConnectionTimeOut
    "TC_005_1_CSMS",  # EV side disconnected
    "TC_007_CSMS",  # a cached id starts a transaction
    "TC_024_CSMS",  # the connector fails to lock
    "TC_023_1_CSMS",  # Authorize, unknown tag
    "TC_023_2_CSMS",  # Authorize, expired tag
    "TC_023_3_CSMS",  # Authorize, blocked tag
    "TC_032_1_CSMS",  # a power failure stops the transactions
    "TC_037_1_CSMS",  # offline start, valid tag
    "TC_037_3_CSMS",  # offline start, invalid tag
    "TC_039_CSMS",  # an offline transaction
    "TC_064_CSMS",  # DataTransfer
    "TC_088_CSMS",  # subprotocol negotiation
]


def _tags_as_given() -> Any:
    """``--id-tag ALICE --invalid-id-tag NOBODY --blocked-id-tag MALLORY --expired-id-tag
    OLDCARD --grouped-id-tag BOB --parent-id-tag FAMILY``."""
    return stated_tags(*STATED)


async def test_a_plain_run_with_stated_tags_judges_the_station_initiated_core_cases() -> None:
    async with tag_knowing_csms(V16) as url:
        run = await run_csms(CsmsTarget(url, "CP-PLAIN", V16, id_tags=_tags_as_given(), step_s=5))
    verdicts = {r.info.id: (r.conformance, r.compatibility) for r in run.results if r.ran}
    reasons = {r.info.id: r.reason for r in run.results}
    for case in STATION_INITIATED_CORE:
        assert verdicts[case] == (Verdict.PASS, Verdict.PASS), (case, reasons[case])

    # The rest say what they need: CSMS-initiated actions a trigger, TLS cases a wss:// URL.
    wanted = needs(run)
    assert wanted[TRIGGER_NEED] >= 30
    assert any("wss://" in need for need in wanted)
    assert not any(need in TAG_OPTIONS.values() for need in wanted)
    assert count(run).judged >= len(STATION_INITIATED_CORE)
    # report.json says the same, case by case.
    report = as_json(run)
    assert report["needs"] == wanted
    [remote_start] = [case for case in report["cases"] if case["id"] == "TC_010_CSMS"]
    assert remote_start["need"] == TRIGGER_NEED


async def test_without_stated_tags_the_cases_needing_them_say_which_option_to_give() -> None:
    async with tag_knowing_csms(V16) as url:
        run = await run_csms(
            CsmsTarget(url, "CP-PLAIN", V16, step_s=5),
            ids=["TC_003_CSMS", "TC_023_3_CSMS"],
        )
    assert [(r.conformance, r.need) for r in run.results] == [
        (Verdict.INCONCLUSIVE, TAG_OPTIONS["Accepted"]),
        (Verdict.INCONCLUSIVE, TAG_OPTIONS["Blocked"]),
    ]


def test_only_the_tags_given_are_stated() -> None:
    tags = stated_tags("ALICE", None, None, "MALLORY", None, None)
    assert tags.stated == {"Accepted", "Blocked"}
    assert (tags.valid, tags.blocked) == ("ALICE", "MALLORY")
    assert _tags_as_given().stated == {"Accepted", "Invalid", "Expired", "Blocked", "Grouped"}


def test_a_parent_without_its_grouped_tag_is_refused() -> None:
    with pytest.raises(typer.BadParameter, match="--grouped-id-tag"):
        stated_tags("ALICE", None, None, None, None, "FAMILY")
