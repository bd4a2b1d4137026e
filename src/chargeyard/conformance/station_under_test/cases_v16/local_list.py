"""OCPP 1.6 Charge Point cases of the Local Auth List Management profile: the list's version,
full and differential updates and their refusals, and tags the list authorizes (1.6 sections
3.5.2, 5.10, 5.15, 9.2)."""

from __future__ import annotations

from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case, table
from chargeyard.conformance.station_under_test.cases_v16.remote import _remote_start
from chargeyard.conformance.station_under_test.cases_v16.sessions import before
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v16

PROFILE = "LocalAuthListManagement"


async def list_version(run: StationCaseV16) -> int:
    answer = await run.call("GetLocalListVersion", {})
    version = answer.get("listVersion")
    return version if isinstance(version, int) else 0


async def send_list(
    run: StationCaseV16,
    update_type: v16.UpdateType,
    entries: list[v16.LocalAuthorizationList],
    expected: str = "Accepted",
    version: int | None = None,
) -> int:
    """SendLocalList (section 5.15) answered ``expected``; the list is emptied when the case
    ends. Returns the version sent (default: one above the station's)."""
    current = await list_version(run)
    sent = version if version is not None else max(current, 0) + 1

    async def empty() -> None:
        now = await list_version(run)
        await run.ask("SendLocalList", {"listVersion": max(now, 0) + 1, "updateType": "Full"})

    run.on_close("local list emptied", empty)
    payload: v16.SendLocalListRequest = {"listVersion": sent, "updateType": update_type}
    if entries:
        payload["localAuthorizationList"] = entries
    await run.order("SendLocalList", payload, expected)
    return sent


def accepted(tag: str) -> v16.LocalAuthorizationList:
    return {"idTag": tag, "idTagInfo": {"status": "Accepted"}}


async def _supported_but_disabled(run: StationCaseV16) -> None:
    """A station with the profile answers as one without it while LocalAuthListEnabled is
    false (section 9.2.1)."""
    if PROFILE in await run.profiles():
        run.step("LocalAuthListEnabled is false")
        await run.configure("LocalAuthListEnabled", "false")


@case("TC_042_1_CS")
async def list_version_not_supported(run: StationCaseV16) -> None:
    """GetLocalListVersion where the list is not supported (or disabled): -1 (1.6 section
    5.10)."""
    await run.ready()
    await _supported_but_disabled(run)
    run.step("The Central System asks the list's version: -1")
    await run.order("GetLocalListVersion", {}, -1, field_name="listVersion")


@case("TC_042_2_CS")
async def list_version_empty(run: StationCaseV16) -> None:
    """GetLocalListVersion of an empty list: 0 (1.6 section 5.10: "A version number of 0
    (zero) SHALL be used to indicate that the local authorization list is empty")."""
    await run.ready()
    await run.requires_profile(PROFILE)
    await run.configure("LocalAuthListEnabled", "true")
    run.step("The Central System empties the list: SendLocalList Full without entries")
    await send_list(run, "Full", [])
    run.step("The Central System asks the list's version: 0")
    await run.order("GetLocalListVersion", {}, 0, field_name="listVersion")


@case("TC_043_1_CS")
async def send_list_not_supported(run: StationCaseV16) -> None:
    """SendLocalList where the list is not supported (or disabled): NotSupported (1.6
    sections 5.15, 7.44)."""
    await run.ready()
    await _supported_but_disabled(run)
    run.step("The Central System sends a list: NotSupported")
    await run.order(
        "SendLocalList",
        {"listVersion": 1, "updateType": "Full", "localAuthorizationList": [accepted("X")]},
        "NotSupported",
    )


@case("TC_043_2_CS")
async def send_list_version_mismatch(run: StationCaseV16) -> None:
    """A differential update whose version is not above the list's: VersionMismatch (1.6
    section 7.44)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    await run.configure("LocalAuthListEnabled", "true")
    run.step("The Central System sends a full list")
    version = await send_list(run, "Full", [accepted(run.tags.valid)])
    run.step(f"A differential update of the same version {version}: VersionMismatch")
    await send_list(run, "Differential", [accepted(run.tags.second)], "VersionMismatch", version)


@case("TC_043_3_CS")
async def send_list_failed(run: StationCaseV16) -> None:
    """A full update the station cannot take (an entry without its idTagInfo, which a Full
    update requires, section 7.1): Failed (1.6 section 7.44)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    await run.configure("LocalAuthListEnabled", "true")
    run.step("The Central System sends a full list with an entry lacking idTagInfo: Failed")
    await send_list(run, "Full", [{"idTag": run.tags.valid}], "Failed")


@case("TC_043_CS")
async def full_and_differential(run: StationCaseV16) -> None:
    """A full update, then a differential one: each Accepted, and the list's version follows
    (1.6 sections 5.10, 5.15)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    await run.configure("LocalAuthListEnabled", "true")
    run.step("The Central System sends a full list: Accepted, the version is the one sent")
    version = await send_list(run, "Full", [accepted(run.tags.valid)])
    await run.order("GetLocalListVersion", {}, version, field_name="listVersion")
    run.step("A differential update adds a tag: Accepted, the version follows")
    version = await send_list(run, "Differential", [accepted(run.tags.second)])
    await run.order("GetLocalListVersion", {}, version, field_name="listVersion")


async def _listed_start(run: StationCaseV16, remote: bool) -> None:
    """A tag in the local list starts at once under LocalPreAuthorize, without Authorize
    (1.6 sections 3.5.2, 9.1)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.step("The list is enabled and holds the tag; LocalPreAuthorize is true")
    await run.configure("LocalAuthListEnabled", "true")
    await run.configure("LocalPreAuthorize", "true")
    if remote:
        await run.configure("AuthorizeRemoteTxRequests", "true")
    await run.ask("ClearCache", {})
    tag = run.tags.valid
    await send_list(run, "Full", [accepted(tag)])
    run.step("The EV is plugged in: Preparing")
    await run.plug()
    await run.status(1, "Preparing")
    how = "The Central System starts a transaction for" if remote else "The driver presents"
    run.step(f"{how} the listed {tag}: StartTransaction without Authorize")
    since = run.mark()
    if remote:
        await _remote_start(run, tag)
    else:
        await run.present(tag)
    transaction_id = await run.expect_start(tag)
    start = run.peer.received("StartTransaction", since=since)[0]
    early = before(start, "Authorize", since, run)
    run.log.check(
        "no Authorize is sent for a tag of the local list before the transaction starts",
        not early,
        weight=Weight.SPEC,
        expected="no Authorize",
        observed=[item.payload for item in early] or "none",
    )
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, tag)


table(_listed_start)(
    {
        "TC_008_1_CS": (False,),
        "TC_008_2_CS": (True,),
    },
)
