"""OCPP 2.0.1 CSMS cases of block I, TariffAndCost: the total cost given as the transaction
ends (I03)."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.endings import NotActed

TARIFF_NEED = "a tariff for the station's transactions (configure one in your CSMS)"
"""What I03 lacks when the CSMS knows no cost for the transaction."""


@case("TC_I_02_CSMS")
async def total_cost(run: CsmsCaseV201) -> None:
    """From EVConnectedPostSession the EV unplugs and the transaction ends: the CSMS gives
    its total cost in the answer to the Ended event (I03.FR.02), 0.00 for a free one
    (I03.FR.04). The rule binds a CSMS that knows the cost; omitting totalCost does not say
    the transaction was free, so a CSMS that gives none is not judged (inconclusive): no
    trigger can give it a tariff."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    await run.stop_authorized(tag)
    await run.ev_connected_post_session()
    answer = await run.ev_disconnected()
    cost = answer.get("totalCost")
    if cost is None:
        raise NotActed(
            "the CSMS gave no totalCost as the transaction ended: it knows no cost for it"
            " (I03.FR.02 binds a CSMS that does); give the station's transactions a tariff"
            " in the CSMS for this case",
            need=TARIFF_NEED,
        )
    run.log.check(
        "the answer to the Ended event gives the transaction's totalCost",
        isinstance(cost, int | float) and not isinstance(cost, bool) and cost >= 0,
        expected="a cost >= 0 (0.00: free)",
        observed=cost,
    )
