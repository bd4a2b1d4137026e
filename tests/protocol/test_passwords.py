"""A CALL that sets a station's Basic password, as either end's log keeps it
(``protocol/passwords.py``: 2.0.1 A01.FR.09 and A01.FR.12)."""

from __future__ import annotations

from chargeyard.protocol.passwords import masked_call

KEY = '[2,"k1","ChangeConfiguration",{"key":"AuthorizationKey","value":"0011223344556677"}]'


def test_a_password_is_masked_and_the_rest_of_the_call_kept() -> None:
    assert masked_call(KEY) == (
        '[2,"k1","ChangeConfiguration",{"key":"AuthorizationKey","value":"********"}]'
    )
    spaced = ' [ 2 , "k1" , "ChangeConfiguration" , {"key": "AuthorizationKey", "value": "x"}]'
    assert masked_call(spaced) == (
        '[2,"k1","ChangeConfiguration",{"key":"AuthorizationKey","value":"********"}]'
    )


def test_frames_that_set_no_password_are_the_same_text() -> None:
    for frame in (
        '[2,"k2","ChangeConfiguration",{"key":"HeartbeatInterval","value":"60"}]',
        '[3,"k1",{"status":"Accepted"}]',
        '[2,"k3","Heartbeat",{}]',
        '[2,"k4","SetVariables",[]]',
        "not OCPP-J at all",
    ):
        assert masked_call(frame) is frame


def test_a_password_call_that_is_not_json_is_kept_as_its_head_only() -> None:
    broken = '[2,"k5","ChangeConfiguration",{"key":"AuthorizationKey","value":"s3cret"'
    assert masked_call(broken) == '[2,"k5","ChangeConfiguration", ********]'
