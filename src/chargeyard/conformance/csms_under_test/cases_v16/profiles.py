"""OCPP 1.6 Central System cases of the optional feature profiles: the local authorization
list, firmware and diagnostics, and smart charging (1.6 sections 3.9-3.13, 5); reservations
have ``reservations.py``."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case import CsmsCase, later, now
from chargeyard.conformance.csms_under_test.cases_v16._registry import case, table
from chargeyard.protocol.messages import v16


async def _local_list_version(run: CsmsCase, version: int) -> None:
    await run.booted()
    run.log.step("The Central System asks for the local list's version")
    call = await run.order("GetLocalListVersion", {}, "read the station's local list version")
    await run.answered(call, {"listVersion": version})


table(_local_list_version)(
    {
        "TC_042_1_CSMS": (-1,),  # -1: the station does not support local lists (1.6 section 5.10).
        "TC_042_2_CSMS": (0,),
    },
)


async def _send_local_list(run: CsmsCase, update_type: v16.UpdateType, answer: str) -> None:
    """SendLocalList (1.6 section 5.15) of ``update_type``, answered ``answer``."""
    await run.booted()
    run.log.step(f"The Central System sends a {update_type} local authorization list")
    entry: v16.LocalAuthorizationList = {
        "idTag": run.tags.valid,
        "idTagInfo": {"status": "Accepted"},
    }
    call = await run.order(
        "SendLocalList",
        {"listVersion": 1, "updateType": update_type, "localAuthorizationList": [entry]},
        f"send the station a {update_type} local list (version 1, with {run.tags.valid})",
    )
    run.log.check(
        f"SendLocalList is a {update_type} update",
        call.payload.get("updateType") == update_type,
        expected=update_type,
        observed=call.payload.get("updateType"),
    )
    await run.answered(call, {"status": answer})


table(_send_local_list)(
    {
        "TC_043_1_CSMS": ("Full", "NotSupported"),
        "TC_043_3_CSMS": ("Full", "Failed"),
        "TC_043_4_CSMS": ("Full", "Accepted"),
        "TC_043_5_CSMS": ("Differential", "Accepted"),
    },
)


async def _firmware_statuses(
    run: CsmsCase, statuses: list[v16.FirmwareStatusNotificationRequestStatus]
) -> None:
    for status in statuses:
        await run.call("FirmwareStatusNotification", {"status": status})


async def _diagnostics_statuses(
    run: CsmsCase, statuses: list[v16.DiagnosticsStatusNotificationRequestStatus]
) -> None:
    for status in statuses:
        await run.call("DiagnosticsStatusNotification", {"status": status})


async def _update_firmware(
    run: CsmsCase, statuses: list[v16.FirmwareStatusNotificationRequestStatus], reboots: bool
) -> None:
    """UpdateFirmware (1.6 section 5.16), then the station's FirmwareStatusNotifications
    (4.5); an installed firmware reboots the station first."""
    await run.booted()
    run.log.step("The Central System asks for a firmware update")
    location = "https://firmware.example/chargeyard-2.0.bin"
    call = await run.order(
        "UpdateFirmware",
        {"location": location, "retrieveDate": later(0)},
        f"update the station's firmware from {location}",
    )
    run.log.check(
        "UpdateFirmware names the firmware's location",
        call.payload.get("location") == location,
        expected=location,
        observed=call.payload.get("location"),
    )
    await run.answered(call, {})
    run.log.step(f"The station reports: {', '.join(statuses)}")
    await _firmware_statuses(run, statuses)
    if reboots:
        run.log.step("The station reboots into the new firmware and says Installed")
        await run.reconnect()
        await run.boot()
        await _firmware_statuses(run, ["Installed"])


table(_update_firmware)(
    {
        "TC_044_1_CSMS": (["Downloading", "Downloaded", "Installing"], True),
        "TC_044_2_CSMS": (["Downloading", "DownloadFailed"], False),
        "TC_044_3_CSMS": (["Downloading", "Downloaded", "Installing", "InstallationFailed"], False),
    },
)


async def _get_diagnostics(
    run: CsmsCase, statuses: list[v16.DiagnosticsStatusNotificationRequestStatus]
) -> None:
    """GetDiagnostics (1.6 section 5.9), then DiagnosticsStatusNotifications (4.4)."""
    await run.booted()
    run.log.step("The Central System asks for the diagnostics")
    location = "ftp://diagnostics.example/upload/"
    call = await run.order(
        "GetDiagnostics", {"location": location}, f"ask for the station's diagnostics at {location}"
    )
    run.log.check(
        "GetDiagnostics names where to upload",
        call.payload.get("location") == location,
        expected=location,
        observed=call.payload.get("location"),
    )
    await run.answered(call, {"fileName": "chargeyard-diagnostics.log"})
    run.log.step(f"The station reports: {', '.join(statuses)}")
    await _diagnostics_statuses(run, statuses)


table(_get_diagnostics)(
    {
        "TC_045_1_CSMS": (["Uploading", "Uploaded"],),
        "TC_045_2_CSMS": (["Uploading", "UploadFailed"],),
    },
)


def _profile(
    purpose: v16.ChargingProfilePurpose, transaction_id: int | None = None
) -> v16.CsChargingProfiles:
    """A charging profile of ``purpose``: 16 A from now on (1.6 section 7.8). A TxProfile is
    relative to its transaction's start; the others start now."""
    schedule: v16.ChargingSchedule = {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
    }
    relative = purpose == "TxProfile"
    if not relative:
        schedule["startSchedule"] = later(0)
    profile: v16.CsChargingProfiles = {
        "chargingProfileId": 7,
        "stackLevel": 0,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Relative" if relative else "Absolute",
        "chargingSchedule": schedule,
    }
    if transaction_id is not None:
        profile["transactionId"] = transaction_id
    return profile


async def _set_profile(
    run: CsmsCase, connector: int, purpose: v16.ChargingProfilePurpose, transaction: int | None
) -> None:
    run.log.step(f"The Central System sets a {purpose}")
    call = await run.order(
        "SetChargingProfile",
        {"connectorId": connector, "csChargingProfiles": _profile(purpose, transaction)},
        f"set a {purpose} of 16 A on connector {connector}",
    )
    profile = call.payload.get("csChargingProfiles", {})
    run.log.check(
        f"SetChargingProfile carries a {purpose}",
        profile.get("chargingProfilePurpose") == purpose,
        expected=purpose,
        observed=profile.get("chargingProfilePurpose"),
    )
    if transaction is not None:
        run.log.check(
            "the TxProfile names the running transaction",
            profile.get("transactionId") == transaction,
            expected=transaction,
            observed=profile.get("transactionId"),
        )
    await run.answered(call, {"status": "Accepted"})


@case("TC_056_CSMS")
async def tx_default_profile(run: CsmsCase) -> None:
    """SetChargingProfile (1.6 section 5.16) with a TxDefaultProfile for every connector."""
    await run.booted()
    await _set_profile(run, 0, "TxDefaultProfile", None)


@case("TC_057_CSMS")
async def tx_profile(run: CsmsCase) -> None:
    """A TxProfile for the running transaction (1.6 section 3.13.3)."""
    tag = await run.tag("Accepted")
    await run.booted()
    transaction_id = await run.session(tag)
    await _set_profile(run, 1, "TxProfile", transaction_id)
    await run.finish(transaction_id, "Local", tag)


@case("TC_066_CSMS")
async def composite_schedule(run: CsmsCase) -> None:
    """GetCompositeSchedule (1.6 section 5.7) for connector 1, an hour."""
    await run.booted()
    run.log.step("The Central System asks for the composite schedule of connector 1")
    call = await run.order(
        "GetCompositeSchedule",
        {"connectorId": 1, "duration": 3600},
        "read connector 1's composite schedule for an hour",
    )
    run.log.check(
        "GetCompositeSchedule names connector 1",
        call.payload.get("connectorId") == 1,
        expected=1,
        observed=call.payload.get("connectorId"),
    )
    await run.answered(
        call,
        {
            "status": "Accepted",
            "connectorId": 1,
            "scheduleStart": now(),
            "chargingSchedule": {
                "duration": 3600,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32.0}],
            },
        },
    )


@case("TC_067_CSMS")
async def clear_charging_profile(run: CsmsCase) -> None:
    """ClearChargingProfile (1.6 section 5.5) of a profile set before."""
    await run.booted()
    await _set_profile(run, 0, "TxDefaultProfile", None)
    run.log.step("The Central System clears the profile")
    call = await run.order(
        "ClearChargingProfile", {"id": 7}, "clear charging profile 7 of the station"
    )
    await run.answered(call, {"status": "Accepted"})


@case("TC_059_CSMS")
async def remote_start_with_profile(run: CsmsCase) -> None:
    """RemoteStartTransaction carrying a TxProfile (1.6 section 5.11)."""
    tag = await run.tag("Accepted")
    await run.booted()
    call = await run.remote_start(tag, _profile("TxProfile"))
    profile = call.payload.get("chargingProfile", {})
    run.log.check(
        "RemoteStartTransaction carries a TxProfile",
        profile.get("chargingProfilePurpose") == "TxProfile",
        expected="TxProfile",
        observed=profile.get("chargingProfilePurpose"),
    )
    await run.answered(call, {"status": "Accepted"})
    await run.status(1, "Preparing")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)
