"""A ``connector_id`` given without its ``evse_id`` names the connector the charger's OCPP
version numbers so (``gateway/connector_numbers.py``): on 1.6 the station's connector of that
number across its EVSEs (section 3.5), on 2.0.1 the first EVSE's; the queued command says which
EVSE and connector it went to."""

from __future__ import annotations

from chargeyard.gateway.dispatch import dispatch
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.store.models import CommandStatus, SimulatedCharger
from tests.gateway.conftest import ORG
from tests.polling import eventually, until
from tests.stack_lab import StackLab

TWO_EVSES = "alfen-eve-double-pro-line"  # two EVSEs, one Type 2 socket each (1.6 and 2.0.1)
TWO_CONNECTORS = "abb-terra-54"  # one EVSE with CCS and CHAdeMO (1.6)


async def _running(
    lab: StackLab, identity: str, template: str, version: VersionSpec = V16, **options: object
) -> SimulatedCharger:
    charger = await lab.charger(identity, version, template=template, **options)
    await lab.host.start_charger(ORG, charger.id)
    await until(lambda: lab.booted(charger.id))
    return charger


async def _status_16(lab: StackLab, identity: str, connector_id: int) -> str | None:
    changes = await lab.store.connectors.history(identity, connector_id)
    return changes[0].status if changes else None


async def test_a_1_6_connector_number_alone_names_the_stations_connector_of_that_number(
    lab: StackLab,
) -> None:
    charger = await _running(lab, "CP-TWO", TWO_EVSES)

    plugged = await lab.run(charger, "plug", {"connector_id": 2})

    # 1.6 connector 2 is EVSE 2's only connector, not a second connector of EVSE 1.
    assert (plugged.status, plugged.payload) == (
        CommandStatus.SUCCEEDED,
        {"evse_id": 2, "connector_id": 1},
    )
    station = lab.hosted(charger.id)
    assert station.model.evses[2].connectors[1].cable_plugged
    assert not station.model.evses[1].connectors[1].cable_plugged

    async def reported() -> bool:  # StatusNotification connectorId 2 at the central system
        return await _status_16(lab, "CP-TWO", 2) == "Preparing"

    await eventually(reported)
    unplugged = await lab.run(charger, "unplug", {"connector_id": 2})
    assert unplugged.payload == {"evse_id": 2, "connector_id": 1}


async def test_a_1_6_connector_number_alone_on_one_evse_with_two_connectors(
    lab: StackLab,
) -> None:
    charger = await _running(lab, "CP-DC", TWO_CONNECTORS)
    plugged = await lab.run(charger, "plug", {"connector_id": 2})
    assert plugged.payload == {"evse_id": 1, "connector_id": 2}
    assert lab.hosted(charger.id).model.evses[1].connectors[2].cable_plugged


async def test_a_1_6_connector_number_the_station_does_not_have_is_refused(
    lab: StackLab,
) -> None:
    charger = await _running(lab, "CP-TWO", TWO_EVSES)
    assert await lab.refused(charger, "plug", {"connector_id": 3}) == (
        "no connector 3 (the station has 2)"
    )
    assert await lab.store.commands.list(ORG) == []


async def test_an_evse_given_is_2_0_1_numbering_on_every_version(lab: StackLab) -> None:
    charger = await _running(lab, "CP-TWO", TWO_EVSES)
    plugged = await lab.run(charger, "plug", {"evse_id": 2, "connector_id": 1})
    assert plugged.payload == {"evse_id": 2, "connector_id": 1}
    assert await lab.refused(charger, "unplug", {"evse_id": 1, "connector_id": 2}) == (
        "no connector 2 on EVSE 1"
    )


async def test_a_2_0_1_connector_number_alone_is_the_first_evses(lab: StackLab) -> None:
    charger = await _running(lab, "CP-201", TWO_EVSES, V201)
    plugged = await lab.run(charger, "plug", {"connector_id": 1})
    assert plugged.payload == {"evse_id": 1, "connector_id": 1}
    assert lab.hosted(charger.id).model.evses[1].connectors[1].cable_plugged
    # EVSE 1 has one connector: a 2 alone names none (the other EVSE's is evse_id 2).
    assert await lab.refused(charger, "unplug", {"connector_id": 2}) == ("no connector 2 on EVSE 1")


async def test_one_location_command_names_each_chargers_connector_by_its_version(
    lab: StackLab,
) -> None:
    location = await lab.store.locations.create(ORG, "Depot")
    old = await _running(lab, "CP-16", TWO_EVSES, location_id=location.id)
    new = await _running(lab, "CP-201", TWO_EVSES, V201, location_id=location.id)
    chargers = await lab.store.chargers.list(ORG, location_id=location.id)
    precheck = lab.gateway_runtimes.precheck
    sent = await dispatch(lab.store, lab.bus, precheck, ORG, chargers, "plug", {"connector_id": 2})

    assert [(item.charger.id, item.command.payload) for item in sent.queued] == [
        (old.id, {"evse_id": 2, "connector_id": 1})
    ]
    assert [(item.identity, item.reason) for item in sent.failed] == [
        ("CP-201", "no connector 2 on EVSE 1")
    ]
    await lab.outcomes(sent)
    assert lab.hosted(old.id).model.evses[2].connectors[1].cable_plugged
    assert not lab.hosted(new.id).model.evses[2].connectors[1].cable_plugged


async def test_authorize_names_its_reader_by_a_1_6_connector_number(lab: StackLab) -> None:
    charger = await _running(lab, "CP-DC", TWO_CONNECTORS)
    # One EVSE, two connectors: 1.6 connector 2's reader is EVSE 1's (not an EVSE 2).
    authorized = await lab.run(charger, "authorize", {"id_tag": "TAG-1", "connector_id": 2})
    assert (authorized.status, authorized.payload) == (
        CommandStatus.SUCCEEDED,
        {"id_tag": "TAG-1", "evse_id": 1},
    )
    two = await _running(lab, "CP-TWO", TWO_EVSES)
    authorized = await lab.run(two, "authorize", {"id_tag": "TAG-2", "connector_id": 2})
    assert authorized.payload == {"id_tag": "TAG-2", "evse_id": 2}
