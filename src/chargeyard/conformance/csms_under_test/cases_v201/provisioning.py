"""OCPP 2.0.1 CSMS cases of block B, Provisioning: the boot (B01-B03), reading and setting
variables (B05, B06), base and custom reports (B07, B08), the network profile (B09) and resets
(B11, B12)."""

from __future__ import annotations

import contextlib
from typing import Any

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase, now
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table
from chargeyard.conformance.endings import NotActed
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
OFFLINE_THRESHOLD = ("OCPPCommCtrlr", "OfflineThreshold")
AUTHORIZE_REMOTE_START = ("AuthCtrlr", "AuthorizeRemoteStart")
# GetVariablesRequest: absent means Actual; Target, MinSet and MaxSet are readings too.
READABLE_ATTRIBUTES = (None, "Actual", "Target", "MinSet", "MaxSet")
NOT_ACCEPTED_NEED = (
    "a first boot answered Pending or Rejected (configure your CSMS so for the case, or"
    " --chargeyard-api or --interactive)"
)
"""What the B02/B03 cases lack when the CSMS accepts the first boot."""


@case("TC_B_01_CSMS")
async def cold_boot_accepted(run: CsmsCaseV201) -> None:
    """Reusable State Booted: the boot Accepted, the connectors Available (B01.FR.02)."""
    await run.booted()


async def _boot_not_accepted(run: CsmsCaseV201) -> v201.BootNotificationResponse:
    """The first boot, which the CSMS is made (through the trigger, where it can) or must be
    configured to answer Pending (B02), or Rejected (B03): a CSMS that accepts it was not set
    up for the case."""
    trigger = run.target.trigger
    if trigger is not None:
        # A trigger that cannot set it leaves it to the CSMS's own configuration.
        with contextlib.suppress(NotActed):
            await trigger.registration(run.target.identity, "Pending")
    await run.connect()
    answer = await run.boot(expected=("Pending", "Rejected", "Accepted"))
    if answer.get("status") == "Accepted":
        raise NotActed(
            "the CSMS accepted the boot: configure it to answer the station's first"
            " BootNotification Pending (B02) or Rejected (B03) for this case",
            need=NOT_ACCEPTED_NEED,
        )
    return answer


@case("TC_B_02_CSMS")
async def cold_boot_pending(run: CsmsCaseV201) -> None:
    """The boot Pending: the CSMS may read or set the station meanwhile; once the interval
    passed the station boots again and is Accepted (B02.FR.01, B02.FR.06)."""
    answer = await _boot_not_accepted(run)
    interval = answer.get("interval", 0)
    run.log.step("The station waits the interval; the CSMS may send requests meanwhile")
    await run.peer.quiet(min(float(interval) if interval else 1.0, run.target.step_s))
    await run.boot()


@case("TC_B_30_CSMS")
async def pending_refuses_other_messages(run: CsmsCaseV201) -> None:
    """While Pending or Rejected, a message other than BootNotification is answered with
    CALLERROR SecurityError (B02.FR.09, B03.FR.07)."""
    await _boot_not_accepted(run)
    run.log.step("The station reports a connector before it was accepted")
    answer = await run.peer.call(
        "StatusNotification",
        {"timestamp": now(), "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
        within=run.target.step_s,
    )
    run.log.check(
        "a StatusNotification before the boot was accepted is a CALLERROR SecurityError",
        answer.error_code == "SecurityError",
        expected="CALLERROR SecurityError",
        observed=answer.error_code or "CALLRESULT",
    )


@case("TC_B_31_CSMS")
async def pending_then_triggered_boot(run: CsmsCaseV201) -> None:
    """While Pending or Rejected, the CSMS asks for a new BootNotification with
    TriggerMessage, and accepts it (B02, F06)."""
    await _boot_not_accepted(run)
    call = await run.ordered(
        "TriggerMessage",
        {"requestedMessage": "BootNotification"},
        "ask the station for a BootNotification",
        {"status": "Accepted"},
    )
    run.field_is(call, "requestedMessage", "BootNotification")
    await run.boot("Triggered")


def _variable(component: str, variable: str) -> Payload:
    return {"component": {"name": component}, "variable": {"name": variable}}


def _named(data: list[Payload]) -> list[tuple[Any, Any]]:
    return [(d.get("component", {}).get("name"), d.get("variable", {}).get("name")) for d in data]


async def _get_variables(run: CsmsCaseV201, wanted: list[tuple[str, str]]) -> None:
    """GetVariables of ``wanted`` (B06.FR.01-04), each answered Accepted."""
    await run.booted()
    names = ", ".join(f"{c}.{v}" for c, v in wanted)
    call = await run.ordered(
        "GetVariables",
        {"getVariableData": [_variable(c, v) for c, v in wanted]},
        f"read the station's {names}",
    )
    data = call.payload.get("getVariableData", [])
    run.log.check(
        f"GetVariables asks for {names}",
        set(_named(data)) >= set(wanted),
        expected=names,
        observed=_named(data),
    )
    run.log.check(
        "GetVariables asks for readable attributes (absent, Actual, Target, MinSet, MaxSet)",
        all(item.get("attributeType") in READABLE_ATTRIBUTES for item in data),
        weight=Weight.SPEC,
        expected="absent or Actual",
        observed=[item.get("attributeType") for item in data],
    )
    await run.answered(
        call,
        {
            "getVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "attributeType": item.get("attributeType", "Actual"),
                    "attributeValue": "60",
                    "component": item.get("component", {}),
                    "variable": item.get("variable", {}),
                }
                for item in data
            ]
        },
    )


table(_get_variables)(
    {
        "TC_B_06_CSMS": Doc("B06.FR.01-04, B06.FR.10, B06.FR.11.", [OFFLINE_THRESHOLD]),
        "TC_B_07_CSMS": Doc("B06.FR.01-03.", [OFFLINE_THRESHOLD, AUTHORIZE_REMOTE_START]),
    },
)


async def _set_variables(run: CsmsCaseV201, wanted: list[tuple[str, str, str]]) -> None:
    """SetVariables of ``wanted`` (component, variable, value; B05.FR.01-03), each answered
    Accepted."""
    await run.booted()
    names = ", ".join(f"{c}.{v} = {value}" for c, v, value in wanted)
    call = await run.ordered(
        "SetVariables",
        {
            "setVariableData": [
                {**_variable(c, v), "attributeValue": value} for c, v, value in wanted
            ]
        },
        f"set the station's {names}",
    )
    data = call.payload.get("setVariableData", [])
    sent = {
        f"{d.get('component', {}).get('name')}.{d.get('variable', {}).get('name')}": d.get(
            "attributeValue"
        )
        for d in data
    }
    run.log.check(
        f"SetVariables sets {names}",
        all(sent.get(f"{c}.{v}") == value for c, v, value in wanted),
        expected=names,
        observed=sent,
    )
    run.log.check(
        "SetVariables sets the Actual attribute (absent or Actual)",
        all(item.get("attributeType") in (None, "Actual") for item in data),
        weight=Weight.SPEC,
        expected="absent or Actual",
        observed=[item.get("attributeType") for item in data],
    )
    await run.answered(
        call,
        {
            "setVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "component": item.get("component", {}),
                    "variable": item.get("variable", {}),
                }
                for item in data
            ]
        },
    )


table(_set_variables)(
    {
        "TC_B_09_CSMS": Doc("B05.FR.01-03, B05.FR.10, B05.FR.12.", [(*OFFLINE_THRESHOLD, "123")]),
        "TC_B_10_CSMS": Doc(
            "B05.FR.01-03.", [(*OFFLINE_THRESHOLD, "123"), (*AUTHORIZE_REMOTE_START, "false")]
        ),
    },
)


async def _base_report(run: CsmsCaseV201, base: str) -> None:
    """GetBaseReport of ``base`` (B07), Accepted, then the report in one NotifyReport."""
    await run.booted()
    call = await run.ordered(
        "GetBaseReport",
        {"requestId": 201, "reportBase": base},
        f"ask the station for its {base} report",
        {"status": "Accepted"},
    )
    run.field_is(call, "reportBase", base)
    request_id = call.payload.get("requestId")
    run.log.check(
        "GetBaseReport's requestId is an integer >= 0",
        isinstance(request_id, int) and request_id >= 0,
        expected=">= 0",
        observed=request_id,
    )
    await _reported(
        run,
        request_id,
        {
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "OfflineThreshold"},
            "variableAttribute": [{"type": "Actual", "value": "60"}],
            "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": False},
        },
    )


async def _reported(run: CsmsCaseV201, request_id: object, item: Payload) -> None:
    """The report of ``item`` (a ReportDataType) in one NotifyReport (B07.FR.03, B08)."""
    run.log.step("The station sends the report: NotifyReport")
    # CsmsCaseBase's call, untyped: the payload is a plain dict the case assembles.
    await CsmsCaseBase.call(
        run,
        "NotifyReport",
        {
            "requestId": request_id if isinstance(request_id, int) else 0,
            "generatedAt": now(),
            "seqNo": 0,
            "tbc": False,
            "reportData": [item],
        },
    )


table(_base_report)(
    {
        "TC_B_12_CSMS": Doc("B07.FR.07.", "ConfigurationInventory"),
        "TC_B_13_CSMS": Doc("B07.FR.08.", "FullInventory"),
        "TC_B_14_CSMS": Doc(
            "B07.FR.09: the SummaryInventory, which a CSMS of the Advanced Device Management "
            "profile asks for and takes in NotifyReport.",
            "SummaryInventory",
        ),
    },
)


EVSE_AVAILABILITY = {
    "component": {"name": "EVSE", "evse": {"id": 1}},
    "variable": {"name": "AvailabilityState"},
}


async def _custom_report(run: CsmsCaseV201, criterion: str, answer: str) -> object:
    """GetReport of EVSE 1's AvailabilityState among the components that are
    ``criterion`` (B08.FR.01, B08.FR.03), answered ``answer``; returns its requestId."""
    call = await run.ordered(
        "GetReport",
        {
            "requestId": 218,
            "componentCriteria": [criterion],
            "componentVariable": [EVSE_AVAILABILITY],
        },
        f"ask for the AvailabilityState of EVSE 1 among the {criterion} components",
        {"status": answer},
    )
    run.field_is(call, "componentCriteria", [criterion])
    run.field_is(call, "componentVariable", [EVSE_AVAILABILITY])
    return call.payload.get("requestId")


@case("TC_B_18_CSMS")
async def custom_report(run: CsmsCaseV201) -> None:
    """B08.FR.01, B08.FR.03: among the Problem components, nothing (EmptyResultSet); among
    the Available ones, EVSE 1 reported."""
    await run.booted()
    await _custom_report(run, "Problem", "EmptyResultSet")
    request_id = await _custom_report(run, "Available", "Accepted")
    await _reported(
        run,
        request_id,
        {
            **EVSE_AVAILABILITY,
            "variableAttribute": [{"type": "Actual", "value": "Available"}],
            "variableCharacteristics": {"dataType": "OptionList", "supportsMonitoring": True},
        },
    )


async def _reset(run: CsmsCaseV201, kind: str, answer: str, evse: int | None = None) -> None:
    """Reset of ``kind`` (OnIdle, Immediate), of the station or ``evse`` (B11, B12),
    answered ``answer``."""
    payload: Payload = {"type": kind}
    words = f"reset the station ({kind})"
    if evse is not None:
        payload["evseId"] = evse
        words = f"reset EVSE {evse} ({kind})"
    call = await run.ordered("Reset", payload, words, {"status": answer})
    run.field_is(call, "type", kind)
    run.field_is(call, "evseId", evse)


async def _ended_by_reset(run: CsmsCaseV201, kind: str) -> None:
    """The transaction ends as a reset of ``kind`` ends it: OnIdle waits for the driver
    (StopAuthorized, then the cable out), Immediate ends it at once (ImmediateReset)."""
    if kind == "OnIdle":
        await run.stop_authorized(run.tags.valid, charging_state="EVConnected")
        await run.transaction_event(
            "Ended",
            "EVCommunicationLost",
            charging_state="Idle",
            stopped_reason="EVDisconnected",
        )
    else:
        run.log.step("The station ends the transaction: TransactionEvent Ended (ImmediateReset)")
        await run.transaction_event(
            "Ended", "ResetCommand", charging_state="EVConnected", stopped_reason="ImmediateReset"
        )


@case("TC_B_20_CSMS")
async def reset_idle_station(run: CsmsCaseV201) -> None:
    """Reset OnIdle without a transaction: Accepted, the station reboots (B11.FR.04)."""
    await run.booted()
    await _reset(run, "OnIdle", "Accepted")
    await run.reconnect()
    await run.boot("RemoteReset")


@case("TC_B_21_CSMS")
async def reset_on_idle_during_transaction(run: CsmsCaseV201) -> None:
    """Reset OnIdle during a transaction: Scheduled, the transaction ends, then the reboot
    (B12.FR.01, B12.FR.03, E07.FR.03)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    await _reset(run, "OnIdle", "Scheduled")
    await _ended_by_reset(run, "OnIdle")
    await run.reconnect()
    await run.boot("ScheduledReset")


@case("TC_B_22_CSMS")
async def reset_immediate_during_transaction(run: CsmsCaseV201) -> None:
    """Reset Immediate during a transaction: Accepted, the transaction Ended
    (ImmediateReset), the reboot with the cable still in (B12)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    await _reset(run, "Immediate", "Accepted")
    await _ended_by_reset(run, "Immediate")
    await run.reconnect()
    await run.boot("RemoteReset", report="Occupied")


@case("TC_B_25_CSMS")
async def reset_idle_evse(run: CsmsCaseV201) -> None:
    """Reset OnIdle of one EVSE without a transaction (B11.FR.04)."""
    await run.booted()
    await _reset(run, "OnIdle", "Accepted", evse=1)


@case("TC_B_26_CSMS")
async def reset_evse_on_idle_during_transaction(run: CsmsCaseV201) -> None:
    """Reset OnIdle of the charging EVSE: Scheduled, then the transaction ends
    (B12.FR.07)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    await _reset(run, "OnIdle", "Scheduled", evse=1)
    await _ended_by_reset(run, "OnIdle")


@case("TC_B_27_CSMS")
async def reset_evse_immediate_during_transaction(run: CsmsCaseV201) -> None:
    """Reset Immediate of the charging EVSE: the transaction Ended (ImmediateReset, B12)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    await _reset(run, "Immediate", "Accepted", evse=1)
    await _ended_by_reset(run, "Immediate")


async def _network_profile(run: CsmsCaseV201, answer: str) -> None:
    """SetNetworkProfile (B09): a connection over OCPP-J (JSON) speaking 2.0.1 (OCPP20)."""
    await run.booted()
    profile = {
        "configurationSlot": 1,
        "connectionData": {
            "ocppVersion": "OCPP20",
            "ocppTransport": "JSON",
            "ocppCsmsUrl": run.target.url,
            "messageTimeout": 30,
            "securityProfile": 1,
            "ocppInterface": "Wired0",
        },
    }
    call = await run.ordered(
        "SetNetworkProfile",
        profile,
        "set the station's network connection profile in slot 1",
        {"status": answer},
    )
    run.field_is(call, "connectionData.ocppTransport", "JSON")
    run.field_is(call, "connectionData.ocppVersion", "OCPP20")
    run.log.check(
        "SetNetworkProfile names a configuration slot",
        isinstance(call.payload.get("configurationSlot"), int),
        expected="an integer",
        observed=call.payload.get("configurationSlot"),
    )


table(_network_profile)(
    {
        "TC_B_42_CSMS": Doc("B09.FR.01.", "Accepted"),
        "TC_B_44_CSMS": Doc(
            "B09.FR.03: the station could not apply it; the CSMS takes the answer.", "Failed"
        ),
    },
)
