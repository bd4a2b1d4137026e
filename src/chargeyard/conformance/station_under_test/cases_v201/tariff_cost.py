"""OCPP 2.0.1 charging-station cases of tariff and cost (block I: I02 the running cost, by
CostUpdated or in the TransactionEvent answers, and I03 the final cost in the answer to the
Ended event). What the driver sees is for a person to look at: the cases check the station
takes each message."""

from __future__ import annotations

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.answers import ANSWERS_201, CentralBooks, Reply
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.protocol.frames import Call

COST = "0.42"
TARIFF = {"format": "UTF8", "content": "0.30 EUR/kWh"}


async def with_cost(run: StationCaseV201) -> None:
    await run.ready()
    if await run.learnt(Var("TariffCostCtrlr", "Available", instance="Cost")) == "false":
        raise NotApplicable("the station shows no cost")
    await run.set_if_present(Var("TariffCostCtrlr", "Enabled", instance="Cost"), "true")
    await run.set_if_present(Var("TariffCostCtrlr", "Enabled", instance="Tariff"), "true")


def _answers(run: StationCaseV201, *, total: bool) -> None:
    """Authorize answered with the tariff as personalMessage; TransactionEvent answered with
    an updatedPersonalMessage (and, ``total``, a totalCost once the transaction runs)."""
    authorize, transaction = ANSWERS_201["Authorize"], ANSWERS_201["TransactionEvent"]

    def authorized(call: Call, books: CentralBooks) -> Reply:
        answer = authorize(call, books)
        if isinstance(answer, dict) and "idTokenInfo" in answer:
            answer = {**answer, "idTokenInfo": {**answer["idTokenInfo"], "personalMessage": TARIFF}}
        return answer

    def event(call: Call, books: CentralBooks) -> Reply:
        answer = transaction(call, books)
        if not isinstance(answer, dict) or call.payload.get("eventType") == "Started":
            return answer
        extra: dict[str, object] = {
            "updatedPersonalMessage": {"format": "UTF8", "content": f"{COST} EUR"}
        }
        if total:
            extra["totalCost"] = float(COST)
        return {**answer, **extra}

    run.answer_with("Authorize", authorized)
    run.answer_with("TransactionEvent", event)


async def _updated(run: StationCaseV201) -> None:
    """The station sends an Updated event (TriggerMessage TransactionEvent), whose answer
    carries the cost."""
    run.step("TriggerMessage TransactionEvent: the station sends an Updated event")
    await run.order(
        "TriggerMessage", {"requestedMessage": "TransactionEvent", "evse": {"id": 1}}, "Accepted"
    )
    await run.transaction_event(run.session(), "Trigger", triggers=("Trigger",), ended=None)


@case("TC_I_01_CS")
async def running_cost_updated(run: StationCaseV201) -> None:
    """The tariff with the authorization, then the running cost in CostUpdated: the station
    takes each (I02.FR.02)."""
    await with_cost(run)
    _answers(run, total=False)
    await run.ev_connected_pre_session()
    await run.authorized()
    session = await run.energy_transfer_started()
    for _ in range(2):
        await _updated(run)
        run.step("CostUpdated of the running cost: answered")
        # StationCase's call: the payload is a plain dict the case assembles, sent untyped.
        await StationCase.call(
            run, "CostUpdated", {"totalCost": float(COST), "transactionId": session.transaction_id}
        )


@case("TC_I_07_CS")
async def running_cost_in_answers(run: StationCaseV201) -> None:
    """The running cost in the answers to the transaction's events (totalCost,
    updatedPersonalMessage): the station takes them (I02.FR.02)."""
    await with_cost(run)
    _answers(run, total=True)
    await run.ev_connected_pre_session()
    await run.authorized()
    await run.energy_transfer_started()
    for _ in range(2):
        await _updated(run)


@case("TC_I_02_CS")
async def final_cost(run: StationCaseV201) -> None:
    """The final cost in the answer to the Ended event: the station takes it (I03.FR.01,
    I03.FR.03)."""
    await with_cost(run)
    _answers(run, total=True)
    await run.energy_transfer_started()
    await run.session_ends()
