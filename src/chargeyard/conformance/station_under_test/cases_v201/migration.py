"""OCPP 2.0.1 charging-station cases of migrating to another network connection profile (block
B: B10, with B09 to set the profile), where the CSMS stays the same one (Same CSMS Root).

The suite offers the station a URL that is not the one it is connected with (Part 6: "the
ocppCsmsUrl that is not currently active"): its own listener under another path
(:data:`MIGRATED_PATH`, or the listener's usual one when the station is connected on that
path), where the central system is the same one, so the case sees on which path each
connection came. For a migration that fails, the listener refuses handshakes on that path
(HTTP 503, ``CsmsPeer.refuse_paths``), which is a failed connection attempt to the station.
Each case sets NetworkConfigurationPriority to the new slot first and resets the station (B10
step 3); the priority it had comes back when the case ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from chargeyard import loop_clock
from chargeyard.conformance.exchanges import present
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.boot import short
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.verdicts import Weight

MIGRATED_PATH = "/ocpp-migrated"
"""The path of the URL the station is given to migrate to (its identity is appended)."""
_COMM = "OCPPCommCtrlr"
_PRIORITY = Var(_COMM, "NetworkConfigurationPriority")
_ACTIVE = Var(_COMM, "ActiveNetworkProfile")
_ATTEMPTS = Var(_COMM, "NetworkProfileConnectionAttempts")
_REPORT_ID = 4501


@dataclass(frozen=True, slots=True)
class Migration:
    """The slots and paths of a migration: from ``old`` to ``new``."""

    old_slot: str
    new_slot: str
    old_path: str
    new_path: str

    def new(self, path: str) -> bool:
        """Whether a request's path is the one migrated to."""
        return _prefix(path) == self.new_path

    def where(self, path: str | None) -> str:
        """A request's path in a report's words."""
        if path is None:
            return "no connection"
        return f"{_prefix(path)} (the {'new' if self.new(path) else 'old'} profile's)"


def _prefix(path: str) -> str:
    """A request's path without its last segment, the identity (``/ocpp/CS-1`` -> ``/ocpp``)."""
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[0]


async def network_slots(run: StationCaseV201) -> tuple[str, str]:
    """The slot in use and another one of NetworkConfigurationPriority's valuesList (B09.FR.06:
    at least two), learnt from a GetReport of the variable."""
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.order(
        run,
        "GetReport",
        {"requestId": _REPORT_ID, "componentVariable": [_PRIORITY.wire()]},
        "Accepted",
    )
    entries = await run.report(_REPORT_ID) if answer.get("status") == "Accepted" else []
    values = [
        str(present(entry.get("variableCharacteristics")).get("valuesList", ""))
        for entry in entries
    ]
    slots = [slot.strip() for value in values for slot in value.split(",") if slot.strip()]
    active = await run.variable(_ACTIVE)
    if active is None:  # (ActiveNetworkProfile is optional: the priority's first entry)
        active = ((await run.variable(_PRIORITY)) or "0").split(",")[0]
    other = next((slot for slot in slots if slot != active), None)
    run.log.check(
        "NetworkConfigurationPriority's valuesList has a slot besides the one in use (B09.FR.06)",
        other is not None,
        weight=Weight.SPEC,
        expected=f"a slot other than {active}",
        observed=",".join(slots) or "no valuesList",
    )
    return active, other if other is not None else active


async def migrate(run: StationCaseV201, security_profile: int | None = None) -> Migration:
    """Steps 1-4: SetNetworkProfile of a URL of the suite's other than the one in use into a
    slot not in use (Accepted, B09.FR.01), of ``security_profile`` (None: the station's),
    then NetworkConfigurationPriority that slot first, the one in use second (Accepted or
    RebootRequired, B10.FR.01)."""
    active, slot = await network_slots(run)
    security = await run.variable(Var("SecurityCtrlr", "SecurityProfile"))
    if security_profile is not None:
        security = str(security_profile)
    timeout = await run.variable(Var(_COMM, "MessageTimeout", "Default"))
    connection = run.peer.connection
    host = connection.local_host if connection is not None else run.target.host
    host = f"[{host}]" if ":" in host else host
    old_path = _prefix(connection.path) if connection is not None else ""
    usual = urlsplit(run.peer.url).path
    new_path = MIGRATED_PATH if old_path != MIGRATED_PATH else usual
    scheme = "ws" if run.peer.tls is None else "wss"  # the suite listener's scheme
    url = f"{scheme}://{host}:{run.peer.port}{new_path}"
    run.step(f"SetNetworkProfile of {url} into slot {slot}: Accepted")
    await run.order(
        "SetNetworkProfile",
        {
            "configurationSlot": int(slot),
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": url,
                "messageTimeout": int(timeout) if timeout and timeout.isdigit() else 30,
                "securityProfile": int(security) if security and security.isdigit() else 1,
                "ocppInterface": "Wired0",
            },
        },
        "Accepted",
    )
    run.step(f"NetworkConfigurationPriority {slot},{active}: the new slot first")
    await run.set_variable(_PRIORITY, f"{slot},{active}", accepted=("Accepted", "RebootRequired"))
    return Migration(active, slot, old_path, new_path)


def connected_on(run: StationCaseV201, rule: str, migration: Migration, *, new: bool) -> None:
    """Check the station's connection came on the new profile's path (``new``) or the old."""
    connection = run.peer.connection
    path = connection.path if connection is not None else None
    run.log.check(
        rule,
        path is not None and migration.new(path) == new,
        weight=Weight.SPEC,
        expected=migration.new_path if new else migration.old_path,
        observed=migration.where(path),
    )


@case("TC_B_45_CS")
async def migrate_success(run: StationCaseV201) -> None:
    """SetNetworkProfile into the slot not in use (B09.FR.01), that slot first in
    NetworkConfigurationPriority (B10.FR.01), Reset OnIdle: the station leaves its connection
    (B10.FR.06) and boots on the new profile's URL (B10.FR.04)."""
    await run.ready()
    migration = await migrate(run)
    await run.booted(reset="OnIdle")
    connected_on(
        run,
        "after the reset the station connects with the first entry of the priority (B10.FR.04)",
        migration,
        new=True,
    )
    active = await run.variable(_ACTIVE)
    if active is not None:  # (optional in the device model)
        run.log.check(
            "ActiveNetworkProfile names the slot it connected with",
            active == migration.new_slot,
            weight=Weight.SPEC,
            expected=migration.new_slot,
            observed=active,
        )


@case("TC_B_46_CS")
async def migrate_fallback(run: StationCaseV201) -> None:
    """NetworkProfileConnectionAttempts 2; the new profile first, its URL refused: after two
    attempts there (B10.FR.03, B10.FR.04) the station connects with the next entry, the
    profile it had, and boots."""
    await run.ready()
    wait = short(run)
    run.step(f"NetworkProfileConnectionAttempts 2; the back-off {wait} s (Part 4 section 5.3)")
    await run.set_variable(_ATTEMPTS, "2")
    await _short_back_off(run, wait)
    migration = await migrate(run)
    refused: list[str] = []

    def refusal(path: str) -> str | None:
        if not migration.new(path):
            return None
        refused.append(path)
        return "the central system of the new profile is not there (a step of the case)"

    run.peer.refuse_paths(refusal)
    await run.booted(reset="OnIdle")
    run.log.check(
        "the station tries the new profile first, NetworkProfileConnectionAttempts times,"
        " before the next entry (B10.FR.03, B10.FR.04)",
        len(refused) == 2,
        weight=Weight.SPEC,
        expected=f"2 attempts on {migration.new_path}",
        observed=f"{len(refused)} attempts on {migration.new_path}",
    )
    connected_on(run, "it falls back to the profile it had (B10.FR.03)", migration, new=False)


@case("TC_B_49_CS")
async def migrate_fallback_reconnects(run: StationCaseV201) -> None:
    """NetworkProfileConnectionAttempts 1, the back-off RetryBackOffWaitMinimum alone; the new
    profile first, its URL refused, and the first attempt on the profile the station had
    refused too: every entry failed, so the station reconnects with the profile of its last
    successful connection after RetryBackOffWaitMinimum (B10.FR.07, Part 4 section 5.3)."""
    await run.ready()
    wait = short(run)
    run.step(f"NetworkProfileConnectionAttempts 1; the back-off {wait} s (Part 4 section 5.3)")
    await run.set_variable(_ATTEMPTS, "1")
    await _short_back_off(run, wait)
    migration = await migrate(run)
    tried: list[tuple[str, float]] = []

    def refusal(path: str) -> str | None:
        tried.append((path, loop_clock.monotonic()))
        if migration.new(path):
            return "the central system of the new profile is not there (a step of the case)"
        if sum(not migration.new(seen) for seen, _ in tried) == 1:
            return "the first attempt back on the old profile is refused (a step of the case)"
        return None

    run.peer.refuse_paths(refusal)
    await run.booted(reset="OnIdle")
    order = [migration.where(path) for path, _ in tried]
    run.log.check(
        "the station tries the new profile once, then the old one (B10.FR.03)",
        [migration.new(path) for path, _ in tried[:2]] == [True, False],
        weight=Weight.SPEC,
        expected=f"{migration.new_path}, then {migration.old_path}",
        observed=", ".join(order) or "no attempt",
    )
    connected_on(
        run,
        "every entry failed: it reconnects with the profile of its last successful"
        " connection (B10.FR.07)",
        migration,
        new=False,
    )
    old = [at for path, at in tried if not migration.new(path)]
    if len(old) >= 2:
        waited = old[1] - old[0]
        run.log.check(
            f"it waits RetryBackOffWaitMinimum ({wait} s) before reconnecting",
            waited >= wait * 0.9,
            weight=Weight.SPEC,
            expected=f">= {wait} s",
            observed=f"{waited:.2f} s",
        )


async def _short_back_off(run: StationCaseV201, wait: int) -> None:
    """RetryBackOffWaitMinimum ``wait``, no random part, no doubling: a failed attempt is
    followed by the next after ``wait`` seconds (Part 4 section 5.3)."""
    await run.set_variable(Var(_COMM, "RetryBackOffRepeatTimes"), "0")
    await run.set_variable(Var(_COMM, "RetryBackOffRandomRange"), "0")
    await run.set_variable(Var(_COMM, "RetryBackOffWaitMinimum"), str(wait))
