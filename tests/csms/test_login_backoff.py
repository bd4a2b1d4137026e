"""Password guessing at the handshake meets a back-off per source and identity, counted from
when each check starts; a station that is not being attacked never waits, and guessing from one
address never keeps the right password from another out."""

from __future__ import annotations

import asyncio
import base64

import pytest
from websockets.asyncio.client import connect
from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus

from chargeyard.csms import admission
from chargeyard.csms.admission import admit, judge
from chargeyard.csms.login_backoff import FREE_FAILURES, MAX_TRACKED, MAX_WAIT_S, LoginBackoff
from chargeyard.csms.peers import source_of
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.store.station_lookup import read_connecting
from tests.csms.wire import url
from tests.protocol.support import FakeClock


def basic(user: str, password: str) -> Headers:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return Headers({"Authorization": f"Basic {token}"})


@pytest.fixture
async def guarded(store: Store) -> Store:
    await store.stations.register("CP-SEC", password="right-password")
    await store.stations.register("CP-OTHER", password="other-password")
    return store


async def test_wrong_passwords_past_the_free_ones_make_the_identity_wait(
    guarded: Store, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    backoff = LoginBackoff(clock)

    async def attempt(identity: str, password: str) -> tuple[int, int | None] | None:
        refusal = await admit(
            guarded,
            identity,
            basic(identity, password),
            auto_register=False,
            source="192.0.2.1",
            backoff=backoff,
        )
        return None if refusal is None else (int(refusal.status), refusal.retry_after_s)

    for _ in range(FREE_FAILURES):
        assert await attempt("CP-SEC", "guess") == (401, None)
    assert backoff.wait_left("CP-SEC", "192.0.2.1") == 0
    assert await attempt("CP-SEC", "guess") == (401, None)  # the first one that costs: 1 s
    # During the wait even the right password is not checked.
    assert await attempt("CP-SEC", "right-password") == (429, 1)
    # Another station is not slowed at all.
    assert await attempt("CP-OTHER", "other-password") is None
    clock.advance(1.0)
    assert await attempt("CP-SEC", "guess") == (401, None)  # now 2 s
    assert await attempt("CP-SEC", "guess") == (429, 2)
    assert any("wrong credentials in a row" in r.getMessage() for r in caplog.records)
    clock.advance(2.0)
    assert await attempt("CP-SEC", "right-password") is None
    # The right password clears the count.
    assert backoff.wait_left("CP-SEC", "192.0.2.1") == 0
    assert await attempt("CP-SEC", "guess") == (401, None)
    assert backoff.wait_left("CP-SEC", "192.0.2.1") == 0


def test_the_wait_doubles_up_to_its_cap_and_is_forgotten_after_quiet() -> None:
    clock = FakeClock()
    backoff = LoginBackoff(clock)
    waits = []
    for _ in range(FREE_FAILURES + 10):
        assert backoff.begin("CP-SEC", "192.0.2.1") == 0
        backoff.failed("CP-SEC", "192.0.2.1", "CP-SEC")
        waits.append(backoff.wait_left("CP-SEC", "192.0.2.1"))
        clock.advance(backoff.wait_left("CP-SEC", "192.0.2.1"))
    assert waits[:FREE_FAILURES] == [0.0] * FREE_FAILURES
    assert waits[FREE_FAILURES : FREE_FAILURES + 7] == [1, 2, 4, 8, 16, 32, MAX_WAIT_S]
    assert max(waits) == MAX_WAIT_S
    clock.advance(15 * 60 + 1)
    assert backoff.begin("CP-SEC", "192.0.2.1") == 0
    backoff.failed("CP-SEC", "192.0.2.1", "CP-SEC")
    assert backoff.wait_left("CP-SEC", "192.0.2.1") == 0  # counted from one again


async def test_missing_credentials_do_not_count(guarded: Store) -> None:
    backoff = LoginBackoff(FakeClock())
    for _ in range(FREE_FAILURES + 5):
        refusal = await admit(
            guarded, "CP-SEC", Headers(), auto_register=False, source="192.0.2.1", backoff=backoff
        )
        assert refusal is not None
        assert refusal.status == 401
    assert backoff.wait_left("CP-SEC", "192.0.2.1") == 0


async def test_the_listener_answers_429_with_retry_after(guarded: Store) -> None:
    async with CsmsServer(guarded, CsmsSettings(port=0)) as csms:
        for _ in range(FREE_FAILURES + 1):
            with pytest.raises(InvalidStatus) as refused:
                async with connect(
                    url(csms, "CP-SEC"),
                    subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                    additional_headers=basic("CP-SEC", "guess"),
                ):
                    pass
            assert refused.value.response.status_code == 401
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                url(csms, "CP-SEC"),
                subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                additional_headers=basic("CP-SEC", "right-password"),
            ):
                pass
        assert refused.value.response.status_code == 429
        assert refused.value.response.headers["Retry-After"] == "1"


def test_the_table_is_bounded() -> None:
    backoff = LoginBackoff(FakeClock())
    for n in range(MAX_TRACKED + 10):
        backoff.begin(f"CP-{n}", "192.0.2.1")
        backoff.failed(f"CP-{n}", "192.0.2.1", "x")
    assert len(backoff) == MAX_TRACKED
    assert backoff.wait_left("CP-0", "192.0.2.1") == 0  # the oldest went first


async def test_attempts_sent_at_once_are_counted_while_they_are_checked(
    guarded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    original = admission.verify_secret

    def counted(password: str, stored: str) -> bool:
        checked.append(password)
        return original(password, stored)

    monkeypatch.setattr(admission, "verify_secret", counted)
    backoff = LoginBackoff(FakeClock())
    station = (await read_connecting(guarded.engine, ["CP-SEC"]))["CP-SEC"]
    refusals = await asyncio.gather(
        *(
            judge(
                station,
                "CP-SEC",
                basic("CP-SEC", f"guess-{n}"),
                auto_register=False,
                source="192.0.2.1",
                backoff=backoff,
            )
            for n in range(100)
        )
    )
    assert len(checked) == FREE_FAILURES
    statuses = sorted(int(refusal.status) for refusal in refusals if refusal is not None)
    assert statuses == [401] * FREE_FAILURES + [429] * (100 - FREE_FAILURES)
    # Once those checks are done, the next attempt is checked as the fourth in a row would be.
    assert backoff.wait_left("CP-SEC", "192.0.2.1") == 0
    assert backoff.begin("CP-SEC", "192.0.2.1") == 0


async def test_a_guess_a_second_from_one_address_never_keeps_the_right_password_out(
    guarded: Store,
) -> None:
    clock = FakeClock()
    backoff = LoginBackoff(clock)

    async def attempt(password: str, source: str) -> int | None:
        refusal = await admit(
            guarded,
            "CP-SEC",
            basic("CP-SEC", password),
            auto_register=False,
            source=source,
            backoff=backoff,
        )
        return None if refusal is None else int(refusal.status)

    attacker, station = "198.51.100.7", "192.0.2.1"
    guesses: list[int | None] = []
    station_refused = 0
    for _ in range(60):
        guesses.append(await attempt("a-guess", attacker))
        if await attempt("right-password", station) is not None:
            station_refused += 1
        clock.advance(1.0)
    assert station_refused == 0
    # The attacker is slowed down all the same: its guesses past the free ones wait.
    assert guesses.count(401) < 12
    assert guesses.count(429) > 48
    assert backoff.wait_left("CP-SEC", attacker) > 0
    assert backoff.wait_left("CP-SEC", station) == 0


async def test_the_listener_counts_wrong_credentials_by_the_address_they_come_from(
    guarded: Store,
) -> None:
    # 127.0.0.2 is a loopback address of its own (Linux answers the whole 127/8).
    async with CsmsServer(guarded, CsmsSettings(port=0)) as csms:
        for _ in range(FREE_FAILURES + 1):
            with pytest.raises(InvalidStatus) as refused:
                async with connect(
                    url(csms, "CP-SEC"),
                    subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                    additional_headers=basic("CP-SEC", "guess"),
                    local_addr=("127.0.0.2", 0),
                ):
                    pass
            assert refused.value.response.status_code == 401
        assert csms.login_backoff.wait_left("CP-SEC", "127.0.0.2") > 0
        async with connect(
            url(csms, "CP-SEC"),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=basic("CP-SEC", "right-password"),
            local_addr=("127.0.0.1", 0),
        ) as websocket:
            assert websocket.subprotocol == "ocpp1.6"


@pytest.mark.parametrize(
    ("peername", "source"),
    [
        (("192.0.2.1", 40000), "192.0.2.1"),
        (("2001:db8:1:2:a:b:c:d", 40000, 0, 0), "2001:db8:1:2::/64"),
        (("2001:db8:1:2::99", 40001, 0, 0), "2001:db8:1:2::/64"),
        (("::ffff:192.0.2.1", 40000, 0, 0), "192.0.2.1"),
        (("fe80::1%eth0", 40000, 0, 2), "fe80::/64"),
        (None, "unknown"),
        ("/run/csms.sock", "unknown"),
    ],
)
def test_a_source_is_an_ipv4_address_or_an_ipv6_64(peername: object, source: str) -> None:
    assert source_of(peername) == source
