"""OCPP 2.0.1 charging-station cases of charging profiles set (block K: K01 SetChargingProfile,
K05 a remote start with a profile). The profiles, and how each case leaves the station as it
found it, are ``smart_charging.py``'s."""

from __future__ import annotations

import datetime as dt

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.smart_charging import (
    SIGNIFICANCE,
    UNITS,
    composite,
    is_reported,
    now,
    periods_are,
    profile,
    reported,
    schedule,
    set_profile,
    tx_default,
    unit_of,
    units,
    wire_time,
)

# -- K01 SetChargingProfile -------------------------------------------------------------------


@case("TC_K_01_CS")
async def tx_default_on_evse(run: StationCaseV201) -> None:
    """A TxDefaultProfile on an EVSE: Accepted, and reported as sent (K01.FR.07, K01.FR.15,
    K09)."""
    await run.ready()
    sent = await tx_default(run, 1)
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 1)


@case("TC_K_02_CS")
async def tx_profile_without_transaction(run: StationCaseV201) -> None:
    """A TxProfile for a transaction the EVSE does not have: Rejected (K01.FR.04, K01.FR.09)."""
    await run.ready()
    unit = await unit_of(run)
    body = profile("TxProfile", schedule(unit, [(0, 6)]), transactionId="UNKNOWN-TRANSACTION-ID")
    await set_profile(run, 1, body, "Rejected")


@case("TC_K_03_CS")
async def station_max_profile(run: StationCaseV201) -> None:
    """A ChargingStationMaxProfile on EVSE 0: Accepted, reported on EVSE 0 as sent."""
    await run.ready()
    unit = await unit_of(run)
    sent = profile("ChargingStationMaxProfile", schedule(unit, [(0, 6)]))
    await set_profile(run, 0, sent)
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 0)


@case("TC_K_04_CS")
async def profile_replaced(run: StationCaseV201) -> None:
    """A profile of the id of one installed replaces it (K01.FR.05): the report shows the
    new limit."""
    await run.ready()
    first = await tx_default(run, 1, 6)
    unit = await unit_of(run)
    second = profile("TxDefaultProfile", schedule(unit, [(0, 10)]), profile_id=first["id"])
    await set_profile(run, 1, second)
    found = await reported(run, {"chargingProfileId": [second["id"]]})
    is_reported(run, found, second, 1)


@case("TC_K_10_CS")
async def tx_default_on_station(run: StationCaseV201) -> None:
    """A TxDefaultProfile on EVSE 0 (every EVSE): Accepted, reported on EVSE 0 (K01.FR.14)."""
    await run.ready()
    sent = await tx_default(run, 0)
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 0)


@case("TC_K_11_CS")
async def tx_profile_on_station(run: StationCaseV201) -> None:
    """A TxProfile on EVSE 0: Rejected (K01.FR.16)."""
    await run.ready()
    unit = await unit_of(run)
    await set_profile(run, 0, profile("TxProfile", schedule(unit, [(0, 6)])), "Rejected")


@case("TC_K_12_CS")
async def unit_not_supported(run: StationCaseV201) -> None:
    """A schedule in the unit the station does not take: Rejected (K01.FR.26)."""
    await run.ready()
    taken = await units(run)
    other = [unit for unit in UNITS if unit not in taken]
    if not other:
        raise NotApplicable("the station takes schedules in A and in W")
    await set_profile(run, 1, profile("TxDefaultProfile", schedule(other[0], [(0, 6)])), "Rejected")


@case("TC_K_13_CS")
async def profile_kept_through_a_reboot(run: StationCaseV201) -> None:
    """A TxDefaultProfile survives a reboot (K01.FR.27)."""
    await run.ready()
    sent = await tx_default(run, 1)
    await run.booted()
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 1)


@case("TC_K_14_CS")
async def unknown_evse(run: StationCaseV201) -> None:
    """A profile on an EVSE the station does not have: Rejected (K01.FR.28)."""
    await run.ready()
    unit = await unit_of(run)
    evse = len(run.evses()) + 1
    body = profile("TxDefaultProfile", schedule(unit, [(0, 6)]))
    await set_profile(run, evse, body, "Rejected")


@case("TC_K_16_CS")
async def tx_profile_unknown_transaction(run: StationCaseV201) -> None:
    """During a transaction, a TxProfile naming another: Rejected (K01.FR.33)."""
    await run.ready()
    await run.energy_transfer_started()
    unit = await unit_of(run)
    body = profile("TxProfile", schedule(unit, [(0, 6)]), transactionId="UNKNOWN-TRANSACTION-ID")
    await set_profile(run, 1, body, "Rejected")


@case("TC_K_19_CS")
async def recurring_profile(run: StationCaseV201) -> None:
    """A Recurring (Daily) TxDefaultProfile: Accepted (K01.FR.40)."""
    await run.ready()
    unit = await unit_of(run)
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=86400, start=now()),
        kind="Recurring",
        recurrencyKind="Daily",
    )
    await set_profile(run, 1, body)


@case("TC_K_21_CS")
async def valid_from(run: StationCaseV201) -> None:
    """A Relative TxDefaultProfile valid from 300 s on: the composite schedule has its limit
    from then (K01.FR.36)."""
    await run.ready()
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=None),
        kind="Relative",
        validFrom=wire_time(began + dt.timedelta(seconds=300)),
    )
    await set_profile(run, 1, body)
    found = await composite(run, 1, 400, unit=unit)
    periods_are(run, found, began, [(0, None), (300, 6)], unit)


@case("TC_K_22_CS")
async def valid_to(run: StationCaseV201) -> None:
    """A TxDefaultProfile on EVSE 0 valid for 300 s: each EVSE's composite has its limit
    (EVSE 0: one for every EVSE), then the station's own from 300 s (K01.FR.37)."""
    await run.ready()
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=None, start=began),
        validFrom=wire_time(began - dt.timedelta(seconds=5)),
        validTo=wire_time(began + dt.timedelta(seconds=300)),
    )
    await set_profile(run, 0, body)
    for evse in (0, *run.evses()):
        found = await composite(run, evse, 400, unit=unit)
        amps = 6 * len(run.evses()) if evse == 0 else 6
        periods_are(run, found, began, [(0, amps), (300, None)], unit)


@case("TC_K_23_CS")
async def start_schedule(run: StationCaseV201) -> None:
    """A TxDefaultProfile whose schedule starts in 60 s: the composite has the station's own
    limit until then, the profile's after (K01.FR.30)."""
    await run.ready()
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=None, start=began + dt.timedelta(seconds=60)),
        validFrom=wire_time(began + dt.timedelta(seconds=50)),
        validTo=wire_time(began + dt.timedelta(seconds=400)),
    )
    await set_profile(run, 1, body)
    found = await composite(run, 1, 300, unit=unit)
    periods_are(run, found, began, [(0, None), (60, 6)], unit)


@case("TC_K_28_CS")
async def tx_default_during_transaction(run: StationCaseV201) -> None:
    """During a transaction, a TxDefaultProfile: Accepted, and the EVSE's composite has its
    limit at once (K01.FR.32)."""
    await run.ready()
    await run.set_variable(SIGNIFICANCE, "1.0", optional=True)
    await run.energy_transfer_started()
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=300, start=began),
        validFrom=wire_time(began - dt.timedelta(seconds=5)),
        validTo=wire_time(began + dt.timedelta(seconds=305)),
    )
    await set_profile(run, 1, body)
    found = await composite(run, 1, 300, unit=unit)
    periods_are(run, found, began, [(0, 6)], unit)


@case("TC_K_60_CS")
async def tx_profile_during_transaction(run: StationCaseV201) -> None:
    """During a transaction, a Relative TxProfile naming it: Accepted, reported as sent
    (K01.FR.04, K01.FR.07, K01.FR.15)."""
    await run.ready()
    session = await run.energy_transfer_started()
    unit = await unit_of(run)
    sent = profile(
        "TxProfile",
        schedule(unit, [(0, 6)], duration=None),
        kind="Relative",
        transactionId=session.known_transaction,
    )
    await set_profile(run, 1, sent)
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 1)


# -- K05 a remote start with a profile ----------------------------------------------------------


@case("TC_K_37_CS")
async def remote_start_with_profile(run: StationCaseV201) -> None:
    """RequestStartTransaction with a Relative TxProfile: Accepted, the transaction starts
    (RemoteStart, remoteStartId) and charges, and the profile is its (K05.FR.03, F01.FR.10)."""
    await run.ready()
    unit = await unit_of(run)
    sent = profile("TxProfile", schedule(unit, [(0, 6)], duration=None), kind="Relative")

    async def clear() -> None:
        await run.ask("ClearChargingProfile", {"chargingProfileId": sent["id"]})

    run.on_close(f"charging profile {sent['id']}", clear)
    await run.ev_connected_pre_session()
    await run.authorized(remote=True, charging_profile=sent)
    session = await run.energy_transfer_started()
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, {**sent, "transactionId": session.transaction_id}, 1)


@case("TC_K_38_CS")
async def remote_start_profile_ignored(run: StationCaseV201) -> None:
    """A station without smart charging takes a RequestStartTransaction with a TxProfile and
    ignores the profile: the transaction starts (RemoteStart, remoteStartId) and charges
    (F01.FR.12, F01.FR.13)."""
    await run.ready()
    unit = await unit_of(run)
    sent = profile("TxProfile", schedule(unit, [(0, 6)], duration=None), kind="Relative")

    async def clear() -> None:
        await run.ask("ClearChargingProfile", {"chargingProfileId": sent["id"]})

    run.on_close(f"charging profile {sent['id']}", clear)
    await run.ev_connected_pre_session()
    await run.authorized(remote=True, charging_profile=sent)
    await run.energy_transfer_started()
