"""Which ``ws_url`` dials the built-in central system: the URL the API gives stations, and, when
that one names this machine, any name of this machine with the same scheme, port and path."""

from __future__ import annotations

import pytest

from chargeyard.gateway.built_in_csms import BuiltInCsms

LAB = BuiltInCsms.of("ws://127.0.0.1:9000/ocpp")


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:9000/ocpp",
        "ws://127.0.0.1:9000/ocpp/",  # the station appends "/" and its identity
        "WS://LOCALHOST:9000/ocpp",
        "ws://127.0.0.2:9000/ocpp",  # all of 127.0.0.0/8 is this machine
        "ws://[::1]:9000/ocpp",
        "ws://0.0.0.0:9000/ocpp",  # how a listener bound to every interface is shown
    ],
)
def test_every_name_of_this_machine_dials_the_lab_s_listener(url: str) -> None:
    assert LAB.serves(url)


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:9001/ocpp",  # another port
        "wss://127.0.0.1:9000/ocpp",  # another scheme: TLS, which the listener does not speak
        "ws://127.0.0.1:9000/other",  # another path
        "ws://192.0.2.7:9000/ocpp",  # another machine
        "http://127.0.0.1:9000/ocpp",
        "ws://127.0.0.1:99999/ocpp",  # no such port
        "not a url",
        None,
    ],
)
def test_any_other_url_is_another_central_system(url: str | None) -> None:
    assert not LAB.serves(url)


def test_a_public_name_is_itself_only() -> None:
    proxied = BuiltInCsms.of("wss://csms.example.com/ocpp")
    assert proxied.serves("wss://CSMS.example.com:443/ocpp/")
    assert not proxied.serves("ws://127.0.0.1:443/ocpp")
    assert not proxied.serves("wss://other.example.com/ocpp")
