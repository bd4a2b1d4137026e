"""Expected shapes for the 2.0.1 station tests, written once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chargeyard.protocol import Payload
from chargeyard.station.clock import iso
from tests.station.harness import Link

START = datetime(2026, 1, 1, tzinfo=UTC)  # the ManualClock's epoch


def ts(seconds: float = 0) -> str:
    """The wire timestamp ``seconds`` after the test began."""
    return iso(START + timedelta(seconds=seconds))


def events(link: Link) -> list[Payload]:
    return link.csms.payloads("TransactionEvent")


def statuses(link: Link) -> list[tuple[int, int, str]]:
    return [
        (p["evseId"], p["connectorId"], p["connectorStatus"])
        for p in link.csms.payloads("StatusNotification")
    ]


def energy(wh: float, context: str, at: float = 0) -> Payload:
    """A MeterValueType holding only the energy register."""
    return {
        "timestamp": ts(at),
        "sampledValue": [
            {
                "value": wh,
                "context": context,
                "measurand": "Energy.Active.Import.Register",
                "location": "Outlet",
                "unitOfMeasure": {"unit": "Wh", "multiplier": 0},
            }
        ],
    }


def tag(value: str = "TAG-1", type: str = "ISO14443") -> dict[str, Any]:
    return {"idToken": value, "type": type}


def set_variable(
    link: Link, component: str, variable: str, value: str, *, instance: str | None = None
) -> str:
    """SetVariables of one station-wide variable; returns its attributeStatus."""
    wire: dict[str, Any] = {"name": variable}
    if instance is not None:
        wire["instance"] = instance
    answer = link.call_station(
        "SetVariables",
        {
            "setVariableData": [
                {"component": {"name": component}, "variable": wire, "attributeValue": value}
            ]
        },
    )
    status: str = answer["setVariableResult"][0]["attributeStatus"]
    return status
