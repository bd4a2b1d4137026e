"""The password a command gave a station, kept once the station took it (OCPP 2.0.1 A01.FR.03
and A01.FR.04; 1.6 security whitepaper section 2.4)."""

from __future__ import annotations

from chargeyard.csms.commands.basic_password import accepted_password

PASSWORD = {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}
HEARTBEAT = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}


def _set(*items: dict[str, object]) -> dict[str, object]:
    return {"setVariableData": list(items)}


def _results(*statuses: tuple[dict[str, object], str]) -> dict[str, object]:
    return {
        "setVariableResult": [{**names, "attributeStatus": status} for names, status in statuses]
    }


def test_a01_fr_03_an_accepted_basic_auth_password_is_kept() -> None:
    payload = _set({**HEARTBEAT, "attributeValue": "60"}, {**PASSWORD, "attributeValue": "n3w"})
    answer = _results((HEARTBEAT, "Rejected"), (PASSWORD, "Accepted"))
    assert accepted_password("SetVariables", payload, answer) == "n3w"


def test_a01_fr_04_a_password_not_accepted_changes_nothing() -> None:
    payload = _set({**PASSWORD, "attributeValue": "n3w"})
    for status in ("Rejected", "RebootRequired", "UnknownVariable"):
        assert accepted_password("SetVariables", payload, _results((PASSWORD, status))) is None


def test_other_variables_and_attributes_set_no_password() -> None:
    other = _set({**HEARTBEAT, "attributeValue": "60"})
    assert accepted_password("SetVariables", other, _results((HEARTBEAT, "Accepted"))) is None
    target = _set({**PASSWORD, "attributeValue": "n3w", "attributeType": "Target"})
    accepted = _results(({**PASSWORD, "attributeType": "Target"}, "Accepted"))
    assert accepted_password("SetVariables", target, accepted) is None


def test_16_authorization_key_accepted_is_kept() -> None:
    change = {"key": "AuthorizationKey", "value": "0123456789abcdef"}
    assert accepted_password("ChangeConfiguration", change, {"status": "Accepted"}) == (
        "0123456789abcdef"
    )
    assert accepted_password("ChangeConfiguration", change, {"status": "Rejected"}) is None
    other = {"key": "HeartbeatInterval", "value": "60"}
    assert accepted_password("ChangeConfiguration", other, {"status": "Accepted"}) is None
