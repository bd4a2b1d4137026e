"""A plain OCPP 2.0.1 run against a CSMS written with the `ocpp` library, with no trigger: the
id tags the command line names are the user's statement of the CSMS's configuration, so every
case that needs only the station's own messages and such tags runs and is judged (the boot,
authorization by each kind of tag, by group and by master pass, transactions started and
stopped every way a station does it, status, meter values, events, external limits, data
transfer), and every case not judged says what it needs."""

from __future__ import annotations

import pytest
import typer

from chargeyard.cli_conformance.csms import stated_tags
from chargeyard.conformance import CsmsTarget, Verdict, run_csms
from chargeyard.conformance.counts import count, needs
from chargeyard.conformance.csms_under_test.case import MASTER_PASS_NEED
from chargeyard.conformance.csms_under_test.triggers import TAG_OPTIONS, TRIGGER_NEED
from chargeyard.conformance.reports import as_json
from chargeyard.protocol import V201
from tests.conformance.tag_knowing_csms import MASTER_PASS, STATED, tag_knowing_csms

# The 2.0.1 cases the station starts itself (OCPP 2.0.1 Part 6), each with the tags it needs.
STATION_INITIATED = [
    "TC_B_01_CSMS",  # cold boot, Accepted
    "TC_C_02_CSMS",  # local start, unknown idToken
    "TC_C_06_CSMS",  # local start, blocked idToken
    "TC_C_07_CSMS",  # local start, expired idToken
    "TC_C_08_CSMS",  # the authorization cache, Accepted
    "TC_C_20_CSMS",  # the authorization cache, Invalid
    "TC_C_39_CSMS",  # authorization by group id
    "TC_C_40_CSMS",  # by group id, with a local list
    "TC_C_43_CSMS",  # by group id, an invalid status with a local list
    "TC_C_47_CSMS",  # a master pass stops every transaction (UI)
    "TC_C_48_CSMS",  # a master pass stops one transaction (UI)
    "TC_C_49_CSMS",  # a master pass stops every transaction (no UI)
    "TC_E_01_CSMS",  # start options: PowerPathClosed
    "TC_E_02_CSMS",  # start options: EnergyTransfer
    "TC_E_03_CSMS",  # local start, the cable first
    "TC_E_04_CSMS",  # local start, authorization first
    "TC_E_07_CSMS",  # stop options: PowerPathClosed, local stop
    "TC_E_08_CSMS",  # stop options: energy transfer stopped, StopAuthorized
    "TC_E_09_CSMS",  # start options: EVConnected
    "TC_E_10_CSMS",  # start options: Authorized
    "TC_E_11_CSMS",  # start options: DataSigned
    "TC_E_12_CSMS",  # start options: ParkingBayOccupied
    "TC_E_14_CSMS",  # stop options: EVDisconnected, station side
    "TC_E_15_CSMS",  # stop options: StopAuthorized, local
    "TC_E_16_CSMS",  # stop options: deauthorized, invalid idToken
    "TC_E_17_CSMS",  # stop options: deauthorized, EV side disconnect
    "TC_E_19_CSMS",  # stop options: ParkingBayUnoccupied
    "TC_E_20_CSMS",  # stop options: EVDisconnected, EV side
    "TC_E_22_CSMS",  # stop options: SuspendedEV
    "TC_E_26_CSMS",  # the cable out on the EV side suspends the transaction
    "TC_E_38_CSMS",  # local start, the EV not ready
    "TC_E_39_CSMS",  # deauthorized by a timeout
    "TC_E_53_CSMS",  # seqNo 0 at the start of a transaction
    "TC_G_20_CSMS",  # status notification: the connector fails to lock
    "TC_J_01_CSMS",  # clock-aligned meter values, no transaction
    "TC_J_02_CSMS",  # clock-aligned meter values in a transaction
    "TC_J_03_CSMS",  # clock-aligned meter values, Ended
    "TC_J_04_CSMS",  # clock-aligned meter values, signed
    "TC_J_07_CSMS",  # sampled meter values, Started
    "TC_J_08_CSMS",  # sampled meter values, Transaction.Begin
    "TC_J_09_CSMS",  # sampled meter values, Updated
    "TC_J_10_CSMS",  # sampled meter values, Ended
    "TC_J_11_CSMS",  # sampled meter values, signed
    "TC_K_48_CSMS",  # an external charging limit, NotifyChargingLimit
    "TC_K_50_CSMS",  # an external limit released, no transaction
    "TC_K_51_CSMS",  # an external limit released in a transaction
    "TC_N_24_CSMS",  # a periodic monitoring event
    "TC_N_48_CSMS",  # an alert event, a write-only variable
    "TC_N_49_CSMS",  # an alert event cleared after a reboot
    "TC_N_50_CSMS",  # a periodic alert event
    "TC_P_02_CSMS",  # DataTransfer of an unknown vendor
    "TC_P_03_CSMS",  # customData
]


def _tags_as_given() -> object:
    """``--id-tag ALICE --invalid-id-tag NOBODY --expired-id-tag OLDCARD --blocked-id-tag
    MALLORY --grouped-id-tag BOB --parent-id-tag FAMILY --master-pass-id-tag FOREMAN
    --master-pass-group MASTERS``."""
    return stated_tags(*STATED, **MASTER_PASS)


async def test_a_plain_run_with_stated_tags_judges_the_station_initiated_cases() -> None:
    async with tag_knowing_csms(V201) as url:
        target = CsmsTarget(url, "CP-PLAIN-201", V201, id_tags=_tags_as_given(), step_s=5)
        run = await run_csms(target)
    results = {r.info.id: r for r in run.results}
    for case in STATION_INITIATED:
        result = results[case]
        assert (result.conformance, result.compatibility) == (Verdict.PASS, Verdict.PASS), (
            case,
            result.reason,
            [check for step in result.steps for check in step.checks if not check.passed],
        )
    assert count(run).judged == len(STATION_INITIATED)

    # Every case not judged says what it needs; none of them is a tag the command line gave.
    unjudged = [r for r in run.results if r.ran and r.conformance is Verdict.INCONCLUSIVE]
    assert [r.info.id for r in unjudged if r.need is None] == []
    wanted = needs(run)
    assert wanted[TRIGGER_NEED] >= 150
    assert not any(need in {*TAG_OPTIONS.values(), MASTER_PASS_NEED} for need in wanted)
    assert any("wss://" in need for need in wanted)
    assert results["TC_B_02_CSMS"].need is not None
    assert "Pending" in results["TC_B_02_CSMS"].need
    assert "tariff" in str(results["TC_I_02_CSMS"].need)
    assert as_json(run)["needs"] == wanted


async def test_without_a_stated_master_pass_its_cases_name_the_options_that_state_it() -> None:
    async with tag_knowing_csms(V201) as url:
        run = await run_csms(
            CsmsTarget(url, "CP-PLAIN-201", V201, id_tags=stated_tags(*STATED), step_s=5),
            ids=["TC_C_47_CSMS", "TC_C_39_CSMS"],
        )
    assert [(r.info.id, r.conformance, r.need) for r in run.results] == [
        ("TC_C_39_CSMS", Verdict.PASS, None),
        ("TC_C_47_CSMS", Verdict.INCONCLUSIVE, MASTER_PASS_NEED),
    ]


def test_a_master_pass_without_its_group_is_refused() -> None:
    with pytest.raises(typer.BadParameter, match="--master-pass-group"):
        stated_tags(*STATED, master_pass="FOREMAN")
    tags = stated_tags(*STATED, **MASTER_PASS)
    assert (tags.master_pass, tags.master_pass_group) == ("FOREMAN", "MASTERS")
    assert "MasterPass" in tags.stated
