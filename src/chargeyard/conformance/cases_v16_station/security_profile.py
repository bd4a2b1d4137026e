"""OCPP 1.6 Charge Point case of the security profile (the security whitepaper, edition 3:
the SecurityProfile configuration key, section 7.6): a lower profile than the station's is
refused."""

from __future__ import annotations

from chargeyard.conformance.cases_v16_station._registry import case
from chargeyard.conformance.station_case import NotApplicable
from chargeyard.conformance.station_case_v16 import StationCaseV16
from chargeyard.conformance.verdicts import Weight

KEY = "SecurityProfile"


@case("TC_084_CS")
async def downgrade_rejected(run: StationCaseV16) -> None:
    """ChangeConfiguration of SecurityProfile to a lower value: Rejected, since the key can
    only be increased (7.6); the station's profile stays what it was."""
    await run.ready()
    run.step("GetConfiguration of SecurityProfile")
    value = (await run.configuration([KEY])).get(KEY)
    if value is None or not value.isdigit():
        raise NotApplicable("the station reports no SecurityProfile")
    current = int(value)
    if current == 0:
        raise NotApplicable("the station is at security profile 0: there is none lower")
    run.step(f"ChangeConfiguration SecurityProfile {current - 1}: Rejected")
    await run.configure(KEY, str(current - 1), accepted=("Rejected",))
    after = (await run.configuration([KEY])).get(KEY)
    run.log.check(
        "the station's SecurityProfile is unchanged",
        after == value,
        weight=Weight.SPEC,
        expected=value,
        observed=after,
    )
