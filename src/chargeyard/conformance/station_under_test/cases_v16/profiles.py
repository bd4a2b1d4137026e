"""OCPP 1.6 Charge Point cases of the Remote Trigger and Smart Charging profiles: messages
sent on request, charging profiles set (default, of a transaction, in a remote start, stacked),
refused, cleared, and the composite schedule they make (1.6 sections 3.13, 5.5, 5.7, 5.11,
5.16, 5.17, 9.4)."""

from __future__ import annotations

from collections.abc import Mapping

from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v16

TRIGGER = "RemoteTrigger"
SMART = "SmartCharging"

# requestedMessage (section 7.41), with the connector where the message names one.
_TRIGGERED: tuple[v16.TriggerMessageRequest, ...] = (
    {"requestedMessage": "BootNotification"},
    {"requestedMessage": "DiagnosticsStatusNotification"},
    {"requestedMessage": "FirmwareStatusNotification"},
    {"requestedMessage": "Heartbeat"},
    {"requestedMessage": "MeterValues", "connectorId": 1},
    {"requestedMessage": "StatusNotification", "connectorId": 1},
)


@case("TC_054_CS")
async def trigger_message(run: StationCaseV16) -> None:
    """TriggerMessage of each message: Accepted, then the message, after the answer (1.6
    section 5.17)."""
    await run.ready()
    await run.requires_profile(TRIGGER)
    for asked in _TRIGGERED:
        message = asked["requestedMessage"]
        run.step(f"The Central System asks for a {message}: Accepted, then the {message}")
        answer = await run.order("TriggerMessage", asked, "Accepted")
        if answer.get("status") != "Accepted":
            continue
        item = await run.expect(message, since=run.step_began)
        if "connectorId" in asked:
            # One of six messages: read as any of them.
            payload: Mapping[str, object] = item.payload
            run.log.check(
                f"the {message} is of the connector asked for",
                payload.get("connectorId") == asked["connectorId"],
                weight=Weight.SPEC,
                expected=asked["connectorId"],
                observed=payload.get("connectorId"),
            )


@case("TC_055_CS")
async def trigger_message_rejected(run: StationCaseV16) -> None:
    """TriggerMessage of a connector the station does not have: Rejected (1.6 section
    5.17)."""
    await run.ready()
    await run.requires_profile(TRIGGER)
    unknown = await run.connectors() + 1
    run.step(f"The Central System asks for MeterValues of connector {unknown}: Rejected")
    await run.order(
        "TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": unknown}, "Rejected"
    )


# -- Smart Charging -----------------------------------------------------------------------------


async def _unit(run: StationCaseV16) -> tuple[v16.ChargingRateUnit, float, float]:
    """The charging rate unit the station takes (ChargingScheduleAllowedChargingRateUnit,
    section 9.4) and two limits in it, low and lower, well under any connector's rating."""
    allowed = await run.learnt("ChargingScheduleAllowedChargingRateUnit") or "Current"
    if "Current" in allowed:
        return "A", 10.0, 6.0
    return "W", 7000.0, 4000.0


_PROFILE_IDS = iter(range(9001, 10_000))


async def profile(
    run: StationCaseV16,
    purpose: v16.ChargingProfilePurpose,
    limit: float,
    *,
    stack_level: int = 0,
    transaction_id: int | None = None,
    duration: int | None = None,
) -> v16.CsChargingProfiles:
    """A charging profile of ``purpose`` limiting to ``limit`` from now (Relative: from the
    transaction's start, or now outside one)."""
    unit, _, _ = await _unit(run)
    schedule: v16.ChargingSchedule = {
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}],
    }
    if duration is not None:
        schedule["duration"] = duration
    built: v16.CsChargingProfiles = {
        "chargingProfileId": next(_PROFILE_IDS),
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Relative",
        "chargingSchedule": schedule,
    }
    if transaction_id is not None:
        built["transactionId"] = transaction_id
    return built


async def set_profile(
    run: StationCaseV16, connector: int, built: v16.CsChargingProfiles, expected: str = "Accepted"
) -> None:
    """SetChargingProfile (section 5.16) answered ``expected``; the case's end clears it."""
    profile_id = built["chargingProfileId"]

    async def clear() -> None:
        await run.ask("ClearChargingProfile", {"id": profile_id})

    run.on_close(f"charging profile {profile_id}", clear)
    await run.order(
        "SetChargingProfile", {"connectorId": connector, "csChargingProfiles": built}, expected
    )


async def composite_limit(run: StationCaseV16, expected: float, connector: int = 1) -> None:
    """GetCompositeSchedule of ``connector`` (section 5.7): Accepted, and the limit in force
    now is ``expected``."""
    unit, _, _ = await _unit(run)
    run.step(f"The composite schedule of connector {connector} limits to {expected:g} {unit}")
    answer = await run.order(
        "GetCompositeSchedule",
        {"connectorId": connector, "duration": 300, "chargingRateUnit": unit},
        "Accepted",
    )
    schedule = answer.get("chargingSchedule")
    periods = (schedule.get("chargingSchedulePeriod") or []) if schedule else []
    first = next((p for p in periods if p.get("startPeriod") == 0), None)
    observed = None if first is None else first.get("limit")
    run.log.check(
        f"the limit in force now is {expected:g} {unit}",
        isinstance(observed, int | float) and abs(observed - expected) < 0.05,
        expected=expected,
        observed=observed if first is not None else periods,
    )
    run.log.check(
        f"the composite schedule is in {unit}",
        (schedule.get("chargingRateUnit") if schedule else None) == unit,
        weight=Weight.SPEC,
        expected=unit,
        observed=schedule.get("chargingRateUnit") if schedule else None,
    )


@case("TC_056_CS")
async def tx_default_profile(run: StationCaseV16) -> None:
    """A TxDefaultProfile set outside a transaction applies to the next one (1.6 sections
    3.13.1, 5.16.4)."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    run.step(f"The Central System sets a TxDefaultProfile of {low:g} on connector 1: Accepted")
    await set_profile(run, 1, await profile(run, "TxDefaultProfile", low))
    transaction_id = await run.session()
    await composite_limit(run, low)
    await run.stop_by_tag(transaction_id, run.tags.valid)


@case("TC_057_CS")
async def tx_profile(run: StationCaseV16) -> None:
    """A TxProfile set during a transaction, naming it, limits it (1.6 section 5.16.3)."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    transaction_id = await run.session()
    run.step(f"The Central System sets a TxProfile of {low:g} for the transaction: Accepted")
    await set_profile(run, 1, await profile(run, "TxProfile", low, transaction_id=transaction_id))
    await composite_limit(run, low)
    await run.stop_by_tag(transaction_id, run.tags.valid)


@case("TC_058_1_CS")
async def tx_profile_without_transaction(run: StationCaseV16) -> None:
    """A TxProfile where no transaction runs: Rejected (1.6 section 5.16.4: "It is not
    possible to set a ChargingProfile with purpose set to TxProfile without presence of an
    active transaction")."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    run.step("The Central System sets a TxProfile on an idle connector: Rejected")
    await set_profile(run, 1, await profile(run, "TxProfile", low), "Rejected")


@case("TC_058_2_CS")
async def tx_profile_wrong_transaction(run: StationCaseV16) -> None:
    """A TxProfile naming a transaction that does not run there: Rejected (1.6 section
    5.16.3)."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    transaction_id = await run.session()
    run.step("The Central System sets a TxProfile of another transaction: Rejected")
    await set_profile(
        run,
        1,
        await profile(run, "TxProfile", low, transaction_id=transaction_id + 1000),
        "Rejected",
    )
    await run.stop_by_tag(transaction_id, run.tags.valid)


@case("TC_059_CS")
async def remote_start_with_profile(run: StationCaseV16) -> None:
    """RemoteStartTransaction with a TxProfile: the transaction starts under it (1.6
    section 5.16.2)."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    tag = run.tags.valid
    run.step("The EV is plugged in: Preparing")
    await run.plug()
    await run.status(1, "Preparing")
    run.step(f"The Central System starts a transaction for {tag} with a TxProfile of {low:g}")
    built = await profile(run, "TxProfile", low)
    await run.order(
        "RemoteStartTransaction",
        {"connectorId": 1, "idTag": tag, "chargingProfile": built},
        "Accepted",
    )
    transaction_id = await run.expect_start(tag)
    await run.status(1, "Charging")
    await composite_limit(run, low)
    await run.stop_by_tag(transaction_id, tag)


@case("TC_060_CS")
async def remote_start_with_profile_rejected(run: StationCaseV16) -> None:
    """RemoteStartTransaction with a profile that is not a TxProfile: Rejected (1.6 section
    5.16.2: "the ChargingProfilePurpose MUST be set to TxProfile")."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    run.step("The Central System starts a transaction with a TxDefaultProfile: Rejected")
    built = await profile(run, "TxDefaultProfile", low)
    await run.order(
        "RemoteStartTransaction",
        {"connectorId": 1, "idTag": run.tags.valid, "chargingProfile": built},
        "Rejected",
    )
    await run.absent("StartTransaction", 0, "no transaction starts", since=run.step_began)


@case("TC_066_CS")
async def composite_schedule(run: StationCaseV16) -> None:
    """GetCompositeSchedule: Accepted, the connector's schedule from now in the unit asked
    for (1.6 sections 5.7, 6.22)."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    run.step(f"The Central System sets a TxDefaultProfile of {low:g}")
    await set_profile(run, 1, await profile(run, "TxDefaultProfile", low))
    await composite_limit(run, low)


@case("TC_067_CS")
async def clear_charging_profile(run: StationCaseV16) -> None:
    """ClearChargingProfile of a profile: Accepted; again: Unknown (1.6 sections 5.5,
    7.9)."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    built = await profile(run, "TxDefaultProfile", low)
    run.step(f"The Central System sets TxDefaultProfile {built['chargingProfileId']}")
    await set_profile(run, 1, built)
    run.step("The Central System clears it: Accepted")
    await run.order("ClearChargingProfile", {"id": built["chargingProfileId"]}, "Accepted")
    run.forget(f"charging profile {built['chargingProfileId']}")
    run.step("The Central System clears it again: Unknown")
    await run.order("ClearChargingProfile", {"id": built["chargingProfileId"]}, "Unknown")


@case("TC_072_CS")
async def stacking_profiles(run: StationCaseV16) -> None:
    """Two TxDefaultProfiles stacked: the higher stackLevel rules while it lasts (1.6 section
    3.13.2)."""
    await run.ready()
    await run.requires_profile(SMART)
    _, high, low = await _unit(run)
    run.step(f"A TxDefaultProfile of {high:g} at stack level 0, one of {low:g} at level 1")
    await set_profile(run, 1, await profile(run, "TxDefaultProfile", high, stack_level=0))
    await set_profile(
        run, 1, await profile(run, "TxDefaultProfile", low, stack_level=1, duration=3600)
    )
    await composite_limit(run, low)


@case("TC_082_CS")
async def tx_default_profile_during_transaction(run: StationCaseV16) -> None:
    """A TxDefaultProfile set during a transaction without a TxProfile limits it (1.6
    sections 3.13.1, 5.16.3)."""
    await run.ready()
    await run.requires_profile(SMART)
    _, _, low = await _unit(run)
    transaction_id = await run.session()
    run.step(f"The Central System sets a TxDefaultProfile of {low:g}: Accepted")
    await set_profile(run, 1, await profile(run, "TxDefaultProfile", low))
    await composite_limit(run, low)
    await run.stop_by_tag(transaction_id, run.tags.valid)
