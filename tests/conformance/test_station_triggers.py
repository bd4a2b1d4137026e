"""The ways the suite makes a station act, each driving a real station: an HTTP hook of the
documented convention (``POST {url}/{ocpp_version}/{station_id}/{verb}`` with the verb's
parameters), and chargeyard's gateway API for one of its simulated chargers. A hook that
refuses makes the case inconclusive, with its answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from chargeyard.api.serve import serving
from chargeyard.api.tokens import Role
from chargeyard.conformance import (
    ChargeyardStationTrigger,
    HookStationTrigger,
    StationTarget,
    Verdict,
    run_station,
)
from chargeyard.conformance.runner import RunResult
from chargeyard.protocol import V16, OcppError
from chargeyard.station.faults import KIND_OF_16_CODE, Fault, FaultKind
from chargeyard.station.v16 import StationV16
from tests.api.gateway_lab import gateway_settings
from tests.conformance.station_lab import IDENTITY, new_station, run_against
from tests.ports import free_port
from tests.stack_lab import OPERATOR_ORG, StackLab, stack_lab

# Every wait is on the loop's clock or on SQLite (tests/virtual_time.py): idle waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]


def _verdicts(run: RunResult) -> dict[str, tuple[Verdict, str | None]]:
    return {result.info.id: (result.conformance, result.reason) for result in run.results}


def _hook(station: StationV16) -> Starlette:
    """A station's trigger hook, as a user writes one for their charger: each verb of the
    convention does what the station's own verbs do."""

    async def act(request: Request) -> JSONResponse:
        verb = request.path_params["verb"]
        body = await request.json()
        evse, connector = body.get("evseId", 1), body.get("connectorId", 1)
        try:
            if verb == "plug":
                station.plug(evse, connector)
            elif verb == "unplug":
                station.unplug(evse, connector)
            elif verb == "present_id_token":
                station.present_id_token(body["idToken"], evse)
            elif verb == "inject_fault":
                kind = KIND_OF_16_CODE.get(body["errorCode"], FaultKind.OTHER)
                station.inject_fault(evse, connector, Fault(kind))
            elif verb == "clear_fault":
                station.clear_fault(evse, connector)
            elif verb == "power_cycle":
                station.power_cut()
            else:
                return JSONResponse({"detail": f"no verb {verb}"}, status_code=404)
        except OcppError as error:
            return JSONResponse({"detail": str(error)}, status_code=409)
        return JSONResponse({"done": verb})

    return Starlette(routes=[Route("/{version}/{station}/{verb}", act, methods=["POST"])])


async def test_the_hook_convention_drives_a_station() -> None:
    station = new_station()
    async with serving(_hook(station), "127.0.0.1", 0) as port:  # type: ignore[arg-type]
        trigger = HookStationTrigger(f"http://127.0.0.1:{port}")
        try:
            run = await run_against(
                station, ["TC_001_CS", "TC_003_CS", "TC_041_CS"], trigger=trigger
            )
        finally:
            await trigger.close()
    assert _verdicts(run) == {
        "TC_001_CS": (Verdict.PASS, None),
        "TC_003_CS": (Verdict.PASS, None),
        "TC_041_CS": (Verdict.PASS, None),
    }


async def test_a_hook_that_refuses_makes_the_case_inconclusive() -> None:
    station = new_station()
    async with serving(_hook(station), "127.0.0.1", 0) as port:  # type: ignore[arg-type]
        trigger = HookStationTrigger(f"http://127.0.0.1:{port}")
        try:
            run = await run_against(station, ["TC_030_CS"], trigger=trigger)
        finally:
            await trigger.close()
    assert _verdicts(run) == {
        "TC_030_CS": (
            Verdict.INCONCLUSIVE,
            f"the trigger's POST http://127.0.0.1:{port}/1.6/{IDENTITY}/unlock_failure answered"
            ' HTTP 404: {"detail":"no verb unlock_failure"}',
        )
    }


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    settings = gateway_settings(command_timeout=5.0)
    async with stack_lab(tmp_path, gateway=True, serve=True, settings=settings) as running:
        await running.store.organizations.create("Acme", organization_id=OPERATOR_ORG)
        yield running


async def _through_the_gateway(lab: StackLab, ids: list[str] | None = None) -> RunResult:
    """The 1.6 station suite (``ids``, or every case) against a simulated charger of the
    gateway, acting through the gateway's API (``chargeyard conformance station
    --chargeyard-api``), with the suite's default waits: the charger takes its model's time
    (a firmware install takes 10 s), and the loop's clock passes over it."""
    port = free_port()
    charger = await lab.charger("CY-GATEWAY-STATION", csms_url=f"ws://127.0.0.1:{port}/ocpp")
    await lab.host.start_charger(lab.org, charger.id)
    token = lab.headers(Role.OPERATOR, OPERATOR_ORG)["Authorization"].removeprefix("Bearer ")
    trigger = ChargeyardStationTrigger(f"http://127.0.0.1:{lab.stack.api_port}", token, charger.id)
    target = StationTarget(
        "127.0.0.1",
        port,
        V16,
        identity="CY-GATEWAY-STATION",
        trigger=trigger,
    )
    try:
        return await run_station(target, ids=ids)
    finally:
        await trigger.close()


async def test_chargeyard_s_gateway_drives_its_simulated_charger(lab: StackLab) -> None:
    run = await _through_the_gateway(
        lab, ["TC_003_CS", "TC_041_CS", "TC_030_CS", "TC_032_1_CS", "TC_032_2_CS"]
    )
    assert _verdicts(run) == {
        "TC_003_CS": (Verdict.PASS, None),
        "TC_041_CS": (Verdict.PASS, None),
        # jam-lock: UnlockConnector answers UnlockFailed.
        "TC_030_CS": (Verdict.PASS, None),
        # power-cut: the transaction ends PowerLoss before the power goes (TC_032_1, with
        # stop_transactions_first) or is reported after the boot (TC_032_2).
        "TC_032_1_CS": (Verdict.PASS, None),
        "TC_032_2_CS": (Verdict.PASS, None),
    }


async def test_the_whole_16_charge_point_run_through_the_gateway_fails_no_case(
    lab: StackLab,
) -> None:
    run = await _through_the_gateway(lab)
    failed = {
        result.info.id: result.reason
        for result in run.results
        if Verdict.FAIL in (result.conformance, result.compatibility)
    }
    assert failed == {}
    # Every case judged, through the gateway alone; the rest are not applicable to this
    # charger and run (a socket, no reservation of connector 0, security profile 0 on ws://).
    verdicts = {result.conformance for result in run.results}
    assert verdicts == {Verdict.PASS, Verdict.NOT_APPLICABLE}
    assert sum(result.conformance is Verdict.PASS for result in run.results) >= 90
