"""The password a command gave a station, kept once the station took it (OCPP 2.0.1 A01.FR.03
and A01.FR.04; the 1.6 security whitepaper's A01), and masked in what the central system
logs (A01.FR.09)."""

from __future__ import annotations

from typing import cast

from chargeyard.csms.commands.basic_password import accepted_password, without_password
from chargeyard.csms.frames import FrameRecorder
from chargeyard.store import FrameLog

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


def test_a01_fr_09_a_password_is_masked_and_nothing_else() -> None:
    key = {"key": "AuthorizationKey", "value": "0123456789abcdef"}
    assert without_password("ChangeConfiguration", key) == {
        "key": "AuthorizationKey",
        "value": "********",
    }
    other = {"key": "HeartbeatInterval", "value": "60"}
    assert without_password("ChangeConfiguration", other) is other
    both = _set({**HEARTBEAT, "attributeValue": "60"}, {**PASSWORD, "attributeValue": "n3w"})
    assert without_password("SetVariables", both) == _set(
        {**HEARTBEAT, "attributeValue": "60"}, {**PASSWORD, "attributeValue": "********"}
    )
    assert both["setVariableData"][1]["attributeValue"] == "n3w"  # the one sent is unchanged
    heartbeat = _set({**HEARTBEAT, "attributeValue": "60"})
    assert without_password("SetVariables", heartbeat) is heartbeat


class _Log:
    def __init__(self) -> None:
        self.frames: list[tuple[object, ...]] = []

    def record(self, *frame: object) -> None:
        self.frames.append(frame)


def test_a01_fr_09_the_frame_log_keeps_a_password_sent_masked() -> None:
    log = _Log()
    recorder = FrameRecorder(cast(FrameLog, log), "CP-1")
    sent = '[2,"c1","ChangeConfiguration",{"key":"AuthorizationKey","value":"s3cret-s3cret"}]'
    recorder("out", sent)
    recorder("in", '[3,"c1",{"status":"Accepted"}]')
    plain = '[2,"c2","ChangeConfiguration",{"key":"HeartbeatInterval","value":"60"}]'
    recorder("out", plain)
    assert [(action, text) for _, _, action, _, text in log.frames] == [
        (
            "ChangeConfiguration",
            '[2,"c1","ChangeConfiguration",{"key":"AuthorizationKey","value":"********"}]',
        ),
        ("ChangeConfiguration", '[3,"c1",{"status":"Accepted"}]'),
        ("ChangeConfiguration", plain),
    ]
