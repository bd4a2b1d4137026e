"""Password guessing at the handshake meets a per-identity back-off; a station that is not
being attacked never waits."""

from __future__ import annotations

import base64

import pytest
from websockets.asyncio.client import connect
from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus

from chargeyard.csms.admission import admit
from chargeyard.csms.login_backoff import FREE_FAILURES, MAX_TRACKED, MAX_WAIT_S, LoginBackoff
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
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
            guarded, identity, basic(identity, password), auto_register=False, backoff=backoff
        )
        return None if refusal is None else (int(refusal.status), refusal.retry_after_s)

    for _ in range(FREE_FAILURES):
        assert await attempt("CP-SEC", "guess") == (401, None)
    assert backoff.wait_left("CP-SEC") == 0
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
    assert backoff.wait_left("CP-SEC") == 0
    assert await attempt("CP-SEC", "guess") == (401, None)
    assert backoff.wait_left("CP-SEC") == 0


def test_the_wait_doubles_up_to_its_cap_and_is_forgotten_after_quiet() -> None:
    clock = FakeClock()
    backoff = LoginBackoff(clock)
    waits = []
    for _ in range(FREE_FAILURES + 10):
        backoff.failed("CP-SEC", "CP-SEC")
        waits.append(backoff.wait_left("CP-SEC"))
        clock.advance(backoff.wait_left("CP-SEC"))
    assert waits[:FREE_FAILURES] == [0.0] * FREE_FAILURES
    assert waits[FREE_FAILURES : FREE_FAILURES + 7] == [1, 2, 4, 8, 16, 32, MAX_WAIT_S]
    assert max(waits) == MAX_WAIT_S
    clock.advance(15 * 60 + 1)
    backoff.failed("CP-SEC", "CP-SEC")
    assert backoff.wait_left("CP-SEC") == 0  # counted from one again


async def test_missing_credentials_do_not_count(guarded: Store) -> None:
    backoff = LoginBackoff(FakeClock())
    for _ in range(FREE_FAILURES + 5):
        refusal = await admit(guarded, "CP-SEC", Headers(), auto_register=False, backoff=backoff)
        assert refusal is not None
        assert refusal.status == 401
    assert backoff.wait_left("CP-SEC") == 0


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
        backoff.failed(f"CP-{n}", "x")
    assert len(backoff) == MAX_TRACKED
    assert backoff.wait_left("CP-0") == 0  # the oldest went first
