"""OCPP 2.0.1 charging-station cases of upgrading the security profile (block A: A05, with B09
to set the network connection profile and B10 to move to it): an upgrade from 2 to 3 on the
suite's ``wss://`` listener (A05.FR.04-06), and what the station refuses: an upgrade it cannot
make (no CSMS root to check a TLS server against, A05.FR.02; no client certificate of its own,
A05.FR.03) and a downgrade (B09.FR.04).

The profile offered is a URL of the suite's own listener under another path, of the scheme its
security profile runs on (``wss://`` for 2 and 3, A00); the station never dials it, since the
priority naming it is refused (or the profile itself is). NetworkConfigurationPriority gets back
its value when the case ends; the profile left in the other slot is one the station may not
use.
"""

from __future__ import annotations

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.migration import (
    MIGRATED_PATH,
    connected_on,
    migrate,
    network_slots,
)
from chargeyard.conformance.station_under_test.certificates import (
    install,
    installed,
    listed,
    new_root,
)
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.tls_checks import (
    check_client_certificate,
    check_tls,
    over_tls,
)
from chargeyard.conformance.verdicts import Weight

_COMM = "OCPPCommCtrlr"
_PRIORITY = Var(_COMM, "NetworkConfigurationPriority")
_SECURITY = Var("SecurityCtrlr", "SecurityProfile")
CSMS_ROOT = "CSMSRootCertificate"


async def _security_profile(run: StationCaseV201) -> int:
    """SecurityCtrlr.SecurityProfile (a station without it is taken at profile 1)."""
    value = await run.variable(_SECURITY)
    return int(value) if value is not None and value.isdigit() else 1


def _url(run: StationCaseV201, security: int) -> str:
    """A URL of the suite's that the station is not connected on, of ``security``'s scheme."""
    connection = run.peer.connection
    host = connection.local_host if connection is not None else run.target.host
    host = f"[{host}]" if ":" in host else host
    scheme = "wss" if security >= 2 else "ws"
    return f"{scheme}://{host}:{run.peer.port}{MIGRATED_PATH}"


async def _set_profile(run: StationCaseV201, slot: str, security: int, expected: str) -> None:
    """Step 1: SetNetworkProfile of ``security`` into ``slot``, answered ``expected``."""
    timeout = await run.variable(Var(_COMM, "MessageTimeout", "Default"))
    url = _url(run, security)
    run.step(f"SetNetworkProfile of {url}, security profile {security}, into slot {slot}")
    await run.order(
        "SetNetworkProfile",
        {
            "configurationSlot": int(slot),
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": url,
                "messageTimeout": int(timeout) if timeout and timeout.isdigit() else 30,
                "securityProfile": security,
                "ocppInterface": "Wired0",
            },
        },
        expected,
        weight=Weight.SPEC,
    )


async def _upgrade_refused(run: StationCaseV201, security: int) -> None:
    """Steps 1-4: the profile of ``security`` is kept (Accepted), the priority naming it first
    is Rejected."""
    active, slot = await network_slots(run)
    await _set_profile(run, slot, security, "Accepted")
    run.step(f"NetworkConfigurationPriority {slot},{active}: Rejected")
    await run.set_variable(_PRIORITY, f"{slot},{active}", accepted=("Rejected",))


@case("TC_A_19_CS")
async def upgrade_accepted(run: StationCaseV201) -> None:
    """From security profile 2 to 3 (the suite listens on ``wss://`` and takes a client
    certificate chaining to --tls-client-ca; from 1 it would take a second listener): a
    profile of 3 on a path of the suite not in use, that slot first in the priority (Accepted,
    A05.FR.04), a Reset: the station connects with it (A05.FR.05), presenting its certificate,
    its SecurityProfile 3, and the profiles below gone from the priority (A05.FR.06)."""
    over_tls(run, profile_3=True)
    await run.ready()
    current = await _security_profile(run)
    if current != 2:
        raise NotApplicable(
            f"the station is at security profile {current}: the case raises 2 to 3 on the"
            " suite's wss:// listener (from 1, a second listener would be needed)"
        )
    migration = await migrate(run, security_profile=3)
    await run.booted(reset="OnIdle")
    connected_on(
        run,
        "after the reset the station connects with the new profile (A05.FR.05)",
        migration,
        new=True,
    )
    connection = run.peer.connection
    if connection is not None:
        check_tls(run, connection)
        check_client_certificate(run, connection)
    run.step("GetVariables of SecurityProfile and NetworkConfigurationPriority")
    after = await _security_profile(run)
    run.log.check(
        "SecurityProfile is the new profile's (A05.FR.06)",
        after == 3,
        weight=Weight.SPEC,
        expected="3",
        observed=after,
    )
    priority = await run.variable(_PRIORITY) or ""
    slots = [slot.strip() for slot in priority.split(",")]
    run.log.check(
        "NetworkConfigurationPriority no longer names the slot of the lower profile (A05.FR.06)",
        migration.old_slot not in slots and migration.new_slot in slots,
        weight=Weight.SPEC,
        expected=f"{migration.new_slot} without {migration.old_slot}",
        observed=priority,
    )


@case("TC_A_20_CS")
async def upgrade_without_csms_root(run: StationCaseV201) -> None:
    """A station with no CSMSRootCertificate installed keeps a profile of security profile 2
    but refuses the priority that would have it connect with it (A05.FR.02)."""
    await run.ready()
    current = await _security_profile(run)
    if current >= 2:
        raise NotApplicable(f"the station is at security profile {current} already")
    roots = listed(await installed(run, [CSMS_ROOT]))
    if roots:
        raise NotApplicable(
            f"the station holds {len(roots)} CSMSRootCertificate(s): the case needs one with"
            " none (remove them first)"
        )
    await _upgrade_refused(run, 2)


@case("TC_A_21_CS")
async def upgrade_without_station_certificate(run: StationCaseV201) -> None:
    """A station with a CSMSRootCertificate (the suite installs one) but no
    ChargingStationCertificate of its own (the case's prerequisite, ``preconditions.py``: it
    runs before the cases that give the station one, and is not applicable on a station that
    holds one the suite signed) keeps a profile of security profile 3 but refuses the priority
    naming it (A05.FR.03)."""
    await run.ready()
    current = await _security_profile(run)
    if current >= 3:
        raise NotApplicable("the station is at security profile 3 already")
    run.step("InstallCertificate of a CSMSRootCertificate: Accepted")
    status = await install(run, CSMS_ROOT, new_root("chargeyard conformance CSMS root"))
    run.log.check(
        "the station installs the CSMSRootCertificate",
        status == "Accepted",
        expected="Accepted",
        observed=status,
    )
    await _upgrade_refused(run, 3)


@case("TC_A_22_CS")
async def downgrade_rejected(run: StationCaseV201) -> None:
    """A profile of a lower security profile than the station's is Rejected (B09.FR.04)."""
    await run.ready()
    current = await _security_profile(run)
    if current == 0:
        raise NotApplicable("the station is at security profile 0: there is none lower")
    _, slot = await network_slots(run)
    await _set_profile(run, slot, current - 1, "Rejected")
