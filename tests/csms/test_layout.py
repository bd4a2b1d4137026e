"""A station's connector set is replaced when its OCPP version or its hardware changes
(``csms/layout.py``), and only then; its transactions and status history stay."""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import connect

from chargeyard.csms.server import CsmsServer
from chargeyard.store import Store
from tests.csms.wire import exchange, url

BOOT_16 = {"chargePointVendor": "Keba", "chargePointModel": "P30"}
BOOT_201 = {"reason": "PowerUp", "chargingStation": {"vendorName": "Keba", "model": "P30"}}


def status_16(connector_id: int, status: str = "Available") -> dict[str, Any]:
    return {"connectorId": connector_id, "status": status, "errorCode": "NoError"}


def status_201(evse_id: int, status: str = "Available") -> dict[str, Any]:
    return {
        "timestamp": "2026-11-21T10:00:00Z",
        "connectorStatus": status,
        "evseId": evse_id,
        "connectorId": 1,
    }


async def talk(csms: CsmsServer, subprotocol: str, *calls: tuple[str, dict[str, Any]]) -> None:
    """One connection that sends ``calls`` in order, each answered with a CALLRESULT."""
    async with connect(url(csms), subprotocols=[subprotocol]) as websocket:  # type: ignore[list-item]
        for number, (action, payload) in enumerate(calls):
            answer = await exchange(websocket, [2, f"m{number}", action, payload])
            assert answer[0] == 3, answer


async def connector_keys(store: Store) -> list[tuple[int, int, str]]:
    return [(c.evse_id, c.connector_id, c.status) for c in await store.connectors.list("CP-1")]


async def test_b01_a_station_now_speaking_201_has_only_its_201_connectors(
    csms: CsmsServer, store: Store
) -> None:
    await store.id_tags.create("TAG1")
    start = {
        "connectorId": 1,
        "idTag": "TAG1",
        "meterStart": 0,
        "timestamp": "2026-11-21T09:00:00Z",
    }
    await talk(
        csms,
        "ocpp1.6",
        ("BootNotification", BOOT_16),
        ("StatusNotification", status_16(0)),
        ("StatusNotification", status_16(1, "Charging")),
        ("StatusNotification", status_16(2)),
        ("StartTransaction", start),
    )
    assert await connector_keys(store) == [
        (0, 0, "Available"),
        (0, 1, "Charging"),
        (0, 2, "Available"),
    ]

    await talk(
        csms,
        "ocpp2.0.1",
        ("BootNotification", BOOT_201),
        ("StatusNotification", status_201(1)),
        ("StatusNotification", status_201(2, "Occupied")),
    )

    assert await connector_keys(store) == [(1, 1, "Available"), (2, 1, "Occupied")]
    # What happened stays: the 1.6 transaction and connector 1's status history.
    transactions = await store.transactions.list(charge_box_id="CP-1")
    assert [(t.transaction_id, t.connector_id, t.evse_id) for t in transactions] == [("1", 1, 0)]
    history = await store.connectors.history("CP-1", 1)
    assert [change.status for change in history] == ["Charging"]


async def test_b01_a_station_booting_as_another_model_has_only_the_new_models_connectors(
    csms: CsmsServer, store: Store
) -> None:
    await talk(
        csms,
        "ocpp1.6",
        ("BootNotification", BOOT_16),
        ("StatusNotification", status_16(1)),
        ("StatusNotification", status_16(2)),
    )
    other_model = {"chargePointVendor": "Keba", "chargePointModel": "P30 single"}

    await talk(
        csms,
        "ocpp1.6",
        ("BootNotification", other_model),
        ("StatusNotification", status_16(1, "Preparing")),
    )

    assert await connector_keys(store) == [(0, 1, "Preparing")]


async def test_b01_the_same_station_booting_again_keeps_its_connectors(
    csms: CsmsServer, store: Store
) -> None:
    # A reboot or a reconnection of the same hardware and version: a connector it has not
    # reported yet since is still there.
    await talk(
        csms,
        "ocpp2.0.1",
        ("BootNotification", BOOT_201),
        ("StatusNotification", status_201(1)),
        ("StatusNotification", status_201(2)),
    )

    await talk(
        csms,
        "ocpp2.0.1",
        ("BootNotification", BOOT_201),
        ("StatusNotification", status_201(1, "Occupied")),
    )
    await talk(csms, "ocpp2.0.1", ("Heartbeat", {}))

    assert await connector_keys(store) == [(1, 1, "Occupied"), (2, 1, "Available")]
