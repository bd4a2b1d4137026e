"""Which ``/api/v1`` endpoint chargeyard's trigger sends each order through
(``conformance/csms_under_test/chargeyard_routes.py``): the action's dedicated one wherever it
exists, the raw call only where no endpoint exists or the case's payload asks what the endpoint
cannot say.

:data:`RAW` is the whole list of such orders, case by case, each with its reason;
``chargeyard_routes.md`` beside this file lists the endpoint of every order of every case,
and the runs of the whole suites against chargeyard's CSMS (``test_csms_suite.py``,
``test_csms_suite_v201.py``) check both (:class:`Listing`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chargeyard.conformance.csms_under_test.chargeyard_routes import (
    DEDICATED,
    NO_ENDPOINT,
    RAW_CALL,
    Route,
    route,
)
from chargeyard.conformance.csms_under_test.chargeyard_trigger import ChargeyardTrigger
from chargeyard.conformance.runner import CaseResult
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.protocol.initiators import CSMS_INITIATED

LISTED = Path(__file__).with_name("chargeyard_routes.md")

_CONNECTOR = (
    "/availability's connectorId is a whole EVSE (0: the station); the case changes connector 1"
    " of EVSE 1 alone (G04)"
)
RAW: dict[str, dict[str, str]] = {
    # OCPP 1.6
    # OCPP 2.0.1
    "TC_G_07_CSMS": {"ChangeAvailability": _CONNECTOR},
    "TC_G_08_CSMS": {"ChangeAvailability": _CONNECTOR},
    "TC_G_17_CSMS": {"ChangeAvailability": _CONNECTOR},
    "TC_K_02_CSMS": {
        "SetChargingProfile": "/charging-profile sends a TxProfile with its transaction only"
        " (2.0.1 K01.FR.03, 1.6 section 5.16); the case needs a CSMS that sends one without"
        " (TC_K_02's prerequisite)"
    },
}
"""Every order of the CSMS cases that takes the raw call: by case, action -> why."""


def _line(case: str, action: str, chosen: Route) -> str:
    why = f" | {chosen.raw_because}" if chosen.raw_because else ""
    return f"| {case} | {action} | `{chosen.endpoint}`{why} |"


class Listing:
    """The endpoint of each order of a run of chargeyard's trigger, case by case (give
    :meth:`progress` to ``run_csms``)."""

    def __init__(self, trigger: ChargeyardTrigger) -> None:
        self.trigger = trigger
        self.orders: dict[str, list[tuple[str, Route]]] = {}

    def progress(self, result: CaseResult) -> None:
        if self.trigger.sent:
            self.orders[result.info.id] = list(self.trigger.sent)
        self.trigger.sent.clear()

    def lines(self) -> list[str]:
        return [
            _line(case, action, chosen)
            for case, orders in self.orders.items()
            for action, chosen in orders
        ]

    def check(self, version: VersionSpec) -> None:
        """The run's orders took their dedicated endpoint but those of :data:`RAW`, for its
        reasons, and are those ``chargeyard_routes.md`` lists for ``version``."""
        raw = {
            case: {action: chosen.raw_because for action, chosen in orders if chosen.raw_because}
            for case, orders in self.orders.items()
        }
        raw = {case: why for case, why in raw.items() if why}
        expected = {case: why for case, why in RAW.items() if case in self.orders}
        assert raw == expected
        for orders in self.orders.values():
            for action, chosen in orders:
                assert (chosen.endpoint == RAW_CALL) == (chosen.raw_because is not None)
                assert action in DEDICATED or action in NO_ENDPOINT
        assert self.lines() == listed(version), "\n".join(self.lines())


def listed(version: VersionSpec) -> list[str]:
    """``chargeyard_routes.md``'s lines of ``version``'s cases."""
    section = LISTED.read_text().split(f"## OCPP {version.name}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| TC_")]


def test_every_action_a_csms_sends_has_its_endpoint_or_the_reason_it_has_none() -> None:
    for version in (V16, V201):
        missing = set(CSMS_INITIATED[version]) - set(DEDICATED) - set(NO_ENDPOINT)
        assert missing == set(), version.name
    assert set(DEDICATED) & set(NO_ENDPOINT) == set()


def test_the_listing_lists_each_raw_order_with_its_reason() -> None:
    raw = {
        line.split(" | ")[0].removeprefix("| "): line
        for version in (V16, V201)
        for line in listed(version)
        if RAW_CALL in line
    }
    assert set(raw) == set(RAW)
    for case, why in RAW.items():
        for action, reason in why.items():
            assert f"| {action} | `{RAW_CALL}` | {reason} |" in raw[case]


@pytest.mark.parametrize(
    ("version", "action", "payload", "endpoint", "body"),
    [
        (V16, "Reset", {"type": "Hard"}, "POST /chargers/{chargeBoxId}/reset", {"type": "Hard"}),
        (
            V201,
            "Reset",
            {"type": "OnIdle", "evseId": 1},
            "POST /chargers/{chargeBoxId}/reset",
            {"type": "Soft", "evseId": 1},
        ),
        (
            V201,
            "RequestStartTransaction",
            {"idToken": {"idToken": "T", "type": "ISO14443"}, "remoteStartId": 7, "evseId": 2},
            "POST /chargers/{chargeBoxId}/remote-start",
            {"connectorId": 2, "idTag": "T"},
        ),
        (
            V201,
            "TriggerMessage",
            {"requestedMessage": "StatusNotification", "evse": {"id": 1, "connectorId": 1}},
            "POST /chargers/{chargeBoxId}/trigger",
            {"requestedMessage": "StatusNotification", "connectorId": 1},
        ),
        (
            V201,
            "ReserveNow",
            {
                "id": 5,
                "expiryDateTime": "2030-01-01T00:00:00Z",
                "idToken": {"idToken": "T", "type": "ISO14443"},
                "groupIdToken": {"idToken": "G", "type": "Central"},
            },
            "POST /chargers/{chargeBoxId}/reservation",
            {
                "connectorId": 0,
                "idTag": "T",
                "expiryDate": "2030-01-01T00:00:00Z",
                "reservationId": 5,
                "parentIdTag": "G",
            },
        ),
        (
            V16,
            "SendLocalList",
            {
                "listVersion": 2,
                "updateType": "Full",
                "localAuthorizationList": [{"idTag": "T", "idTagInfo": {"status": "Blocked"}}],
            },
            "POST /chargers/{chargeBoxId}/local-list",
            {
                "listVersion": 2,
                "updateType": "Full",
                "entries": [{"idTag": "T", "status": "Blocked"}],
            },
        ),
        (
            V201,
            "SetDisplayMessage",
            {
                "message": {
                    "id": 1,
                    "priority": "InFront",
                    "message": {"format": "UTF8", "content": "Hi"},
                }
            },
            "POST /chargers/{chargeBoxId}/display-messages",
            {
                "message": {
                    "id": 1,
                    "priority": "InFront",
                    "message": {"format": "UTF8", "content": "Hi"},
                }
            },
        ),
    ],
)
def test_an_order_goes_through_its_dedicated_endpoint_in_its_words(
    version: VersionSpec, action: str, payload: dict[str, Any], endpoint: str, body: Any
) -> None:
    chosen = route(version, "CP 1", action, payload)
    assert (chosen.endpoint, chosen.body, chosen.raw_because) == (endpoint, body, None)
    assert chosen.path == endpoint.split(" ")[1].replace("{chargeBoxId}", "CP%201")


def test_a_remote_stop_names_the_transaction_and_the_station() -> None:
    chosen = route(V201, "CP-1", "RequestStopTransaction", {"transactionId": "tx/1"})
    assert (chosen.endpoint, chosen.path, chosen.params, chosen.body) == (
        "POST /transactions/{transactionId}/stop",
        "/transactions/tx%2F1/stop",
        {"chargeBoxId": "CP-1"},
        None,
    )


def test_what_an_endpoint_cannot_say_goes_raw_with_the_reason() -> None:
    payload = {"evseId": 1, "connectorId": 2}
    chosen = route(V201, "CP-1", "UnlockConnector", payload)
    assert (chosen.endpoint, chosen.path, chosen.body) == (
        RAW_CALL,
        "/chargers/CP-1/call",
        {"action": "UnlockConnector", "payload": payload},
    )
    assert chosen.raw_because == (
        "/unlock's connectorId is an EVSE with its connector 1; the case unlocks connector 2 of"
        " EVSE 1"
    )
