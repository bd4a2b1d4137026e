"""OCPP 1.6 Charge Point cases of a driver's session at the station: plug and tag in either
order, the stop by the same tag or one of its group, the EV unplugged while charging, a tag
the central system refuses, a cable that does not lock, and the meter values of a session
(1.6 sections 3.4, 3.16, 4.1, 4.7-4.10, 9.1)."""

from __future__ import annotations

from chargeyard.conformance.cases_v16_station._registry import case
from chargeyard.conformance.station_case_v16 import StationCaseV16


@case("TC_003_CS")
async def plugin_first(run: StationCaseV16) -> None:
    """Cable first, then the tag: Preparing, Authorize, StartTransaction, Charging; the same
    tag stops it: StopTransaction (Local), Finishing, Available (1.6 sections 3.4, 4.1, 4.8,
    4.9, 4.10)."""
    await run.ready()
    transaction_id = await run.session()
    await run.stop_by_tag(transaction_id, run.tags.valid)
