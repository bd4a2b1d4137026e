"""OCPP 1.6 Charge Point cases of the security profile (the security whitepaper, edition 3:
the SecurityProfile configuration key, section 7.6): raised, the station connects again with
it; a lower profile than the station's is refused."""

from __future__ import annotations

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case
from chargeyard.conformance.station_under_test.tls_checks import (
    check_client_certificate,
    check_tls,
    over_tls,
)
from chargeyard.conformance.verdicts import Weight

KEY = "SecurityProfile"


async def _security_profile(run: StationCaseV16) -> int | None:
    """SecurityProfile as GetConfiguration reports it (None: the station reports none)."""
    value = (await run.configuration([KEY])).get(KEY)
    return int(value) if value is not None and value.isdigit() else None


@case("TC_083_CS")
async def upgrade(run: StationCaseV16) -> None:
    """From security profile 2 to 3 on one Central System (the suite listens on wss:// and
    takes a client certificate chaining to --tls-client-ca): ChangeConfiguration of
    SecurityProfile 3 is Accepted, the station connects again presenting its client
    certificate, its CN the station's identity (section 2.5), and reports SecurityProfile 3."""
    over_tls(run, profile_3=True)
    connection = await run.ready()
    run.step("GetConfiguration of SecurityProfile")
    current = await _security_profile(run)
    if current != 2:
        raise NotApplicable(
            f"the station is at security profile {current}: the case raises 2 to 3 (a 1.6"
            " station has one Central System URL, so a raise to TLS from 0 or 1 cannot be seen)"
        )
    run.step("ChangeConfiguration SecurityProfile 3: Accepted")
    await run.configure(KEY, "3")
    run.step("The station connects again with security profile 3")
    again = await run.connected(after=connection.number)
    check_tls(run, again)
    check_client_certificate(run, again)
    after = await _security_profile(run)
    run.log.check(
        "the station reports SecurityProfile 3",
        after == 3,
        weight=Weight.SPEC,
        expected="3",
        observed=after,
    )


@case("TC_084_CS")
async def downgrade_rejected(run: StationCaseV16) -> None:
    """ChangeConfiguration of SecurityProfile to a lower value: Rejected, since the key can
    only be increased (7.6); the station's profile stays what it was."""
    await run.ready()
    run.step("GetConfiguration of SecurityProfile")
    current = await _security_profile(run)
    if current is None:
        raise NotApplicable("the station reports no SecurityProfile")
    if current == 0:
        raise NotApplicable("the station is at security profile 0: there is none lower")
    run.step(f"ChangeConfiguration SecurityProfile {current - 1}: Rejected")
    await run.configure(KEY, str(current - 1), accepted=("Rejected",))
    after = await _security_profile(run)
    run.log.check(
        "the station's SecurityProfile is unchanged",
        after == current,
        weight=Weight.SPEC,
        expected=str(current),
        observed=after,
    )
