"""Who gets in at the handshake: registered stations, HTTP Basic auth (security profile 1),
auto-registration, presence flags."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from chargeyard.csms import admission
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.csms.verified_passwords import VerifiedPasswords
from chargeyard.protocol import V16, V201
from chargeyard.store import Store
from tests.csms.wire import exchange, url


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
async def secured(store: Store) -> AsyncIterator[CsmsServer]:
    await store.stations.register("CP-SEC", password="s3cret:with colon")
    async with CsmsServer(store, CsmsSettings(port=0)) as server:
        yield server


async def test_an_unknown_identity_is_refused_with_404(csms: CsmsServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url(csms, "CP-UNKNOWN"), subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            pass
    assert refused.value.response.status_code == 404
    assert await csms.store.stations.get("CP-UNKNOWN") is None


async def test_auto_registration_lets_an_unknown_identity_in_and_registers_it(
    store: Store,
) -> None:
    async with CsmsServer(store, CsmsSettings(port=0, auto_register=True)) as csms:
        websocket = await connect(url(csms, "CP-NEW"), subprotocols=["ocpp2.0.1"])  # type: ignore[list-item]
        async with websocket:
            answer = await exchange(websocket, [2, "h1", "Heartbeat", {}])
            assert answer[:2] == [3, "h1"]
            station = await store.stations.get("CP-NEW")
            assert station is not None
            assert (station.is_online, station.ocpp_version) == (True, V201)
            assert station.connected_at is not None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("CP-SEC", "wrong"),
        basic("CP-OTHER", "s3cret:with colon"),
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Bearer s3cret"},
    ],
    ids=["missing", "wrong-password", "wrong-user", "malformed", "other-scheme"],
)
async def test_a_password_protected_station_without_the_right_credentials_gets_401(
    secured: CsmsServer, headers: dict[str, str]
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            url(secured, "CP-SEC"),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=headers,
        ):
            pass
    response = refused.value.response
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="chargeyard", charset="UTF-8"'


async def test_a_password_protected_station_with_the_right_credentials_gets_in(
    secured: CsmsServer,
) -> None:
    async with connect(
        url(secured, "CP-SEC"),
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic("CP-SEC", "s3cret:with colon"),
    ) as websocket:
        answer = await exchange(websocket, [2, "h1", "Heartbeat", {}])
    assert answer[:2] == [3, "h1"]


async def test_a_station_without_a_password_needs_no_credentials(csms: CsmsServer) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        assert (await exchange(websocket, [2, "h1", "Heartbeat", {}]))[:2] == [3, "h1"]


async def test_presence_is_written_on_connect_and_disconnect(csms: CsmsServer) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        await exchange(websocket, [2, "h1", "Heartbeat", {}])
        online = await csms.store.stations.get("CP-1")
        assert online is not None
        assert online.is_online
        assert online.connected_at is not None
        assert online.last_heartbeat is not None
    for _ in range(50):
        offline = await csms.store.stations.get("CP-1")
        assert offline is not None
        if not offline.is_online:
            break
        await asyncio.sleep(0.02)
    assert not offline.is_online
    assert list(csms.registry) == []


async def test_every_station_is_marked_offline_when_the_csms_starts(store: Store) -> None:
    # A killed process wrote no "offline": the next one must not believe the old flags.
    await store.stations.set_online("CP-GHOST", ocpp_version=V16)
    async with CsmsServer(store, CsmsSettings(port=0)):
        ghost = await store.stations.get("CP-GHOST")
        assert ghost is not None
        assert not ghost.is_online


async def _handshake_status(port: int, path: str) -> int:
    """The HTTP status a raw upgrade request for ``path`` gets (a client library would refuse
    to send some of these paths)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n".encode()
        )
        status_line = await asyncio.wait_for(reader.readline(), 5)
        return int(status_line.split()[1])
    finally:
        writer.close()


@pytest.mark.parametrize(
    "segment",
    [
        ".",
        "..",
        "%2e%2e",
        "CP%00",
        "CP%0AINFO%20forged",
        "CP:1",
        "CP%3A1",
        "CP%E2%80%AE1",
        "%FF%FE",
        "%FF%FD",
        "x" * 49,
        "x" * 7000,
    ],
)
async def test_an_identity_ocpp_does_not_allow_is_refused_with_400_even_with_auto_registration(
    store: Store, segment: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with CsmsServer(store, CsmsSettings(port=0, auto_register=True)) as csms:
        assert await _handshake_status(csms.port, f"/ocpp/{segment}") == 400
    assert list(await store.stations.list()) == []
    assert all("\n" not in record.getMessage() for record in caplog.records)
    assert all("\u202e" not in record.getMessage() for record in caplog.records)


async def test_the_longest_identity_gets_in(store: Store) -> None:
    async with CsmsServer(store, CsmsSettings(port=0, auto_register=True)) as csms:
        assert await _handshake_status(csms.port, "/ocpp/" + "x" * 48) == 101


async def test_a_station_reconnecting_with_the_same_password_costs_no_second_scrypt(
    secured: CsmsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    original = admission.verify_secret

    def counted(password: str, stored: str) -> bool:
        checked.append(password)
        return original(password, stored)

    monkeypatch.setattr(admission, "verify_secret", counted)
    for _ in range(3):
        async with connect(
            url(secured, "CP-SEC"),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=basic("CP-SEC", "s3cret:with colon"),
        ):
            pass
    # A wrong password is checked in full every time, and still refused.
    for _ in range(2):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                url(secured, "CP-SEC"),
                subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                additional_headers=basic("CP-SEC", "wrong"),
            ):
                pass
        assert refused.value.response.status_code in (401, 429)
    assert checked.count("s3cret:with colon") == 1
    assert 1 <= checked.count("wrong") <= 2  # the second may wait out the back-off (429)


async def test_a_changed_password_is_checked_in_full_and_the_old_one_no_longer_gets_in(
    secured: CsmsServer,
) -> None:
    async with connect(
        url(secured, "CP-SEC"),
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic("CP-SEC", "s3cret:with colon"),
    ):
        pass
    await secured.store.stations.set_password("CP-SEC", "a-new-password-1")
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            url(secured, "CP-SEC"),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=basic("CP-SEC", "s3cret:with colon"),
        ):
            pass
    assert refused.value.response.status_code == 401


def test_the_memory_of_passwords_forgets_the_least_recent_beyond_its_capacity() -> None:
    remembered = VerifiedPasswords(capacity=2)
    for stored in ("h1", "h2", "h3"):
        remembered.remember("pw", stored)
    assert [remembered.known("pw", stored) for stored in ("h1", "h2", "h3")] == [
        False,
        True,
        True,
    ]
    assert not remembered.known("other", "h2")


@pytest.fixture
async def org_b_station(store: Store) -> None:
    """CP-B, organization B's station; A and B run simulated chargers here."""
    for org in ("org-a", "org-b"):
        await store.organizations.create(org, organization_id=org)
        await store.chargers.create(org, identity=f"CP-OF-{org}", ocpp_version=V16)
    await store.stations.register("CP-B", organization_id="org-b")


async def _owner(store: Store, identity: str) -> str | None:
    station = await store.stations.get(identity)
    return None if station is None else station.organization_id


@pytest.mark.usefixtures("org_b_station")
@pytest.mark.parametrize(
    "headers",
    [
        [("X-Chargeyard-Organization", "org-a")],
        [("X-Chargeyard-Organization", "org-b"), ("X-Chargeyard-Organization", "org-a")],
    ],
    ids=["another", "two"],
)
async def test_a_gateway_station_of_another_organization_is_refused_with_403(
    store: Store, headers: list[tuple[str, str]]
) -> None:
    # A simulated charger of organization A that dials in as B's station, whatever URL
    # brought it here (csms/claims.py).
    async with CsmsServer(store, CsmsSettings(port=0, auto_register=True)) as csms:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                url(csms, "CP-B"),
                subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                additional_headers=headers,
            ):
                pass
    assert refused.value.response.status_code == 403
    assert refused.value.response.body == (
        b"'CP-B' is a station of another organization than the simulated charger's that"
        b" dialed in as it\n"
    )
    assert await _owner(store, "CP-B") == "org-b"


@pytest.mark.usefixtures("org_b_station")
@pytest.mark.parametrize(
    "headers",
    [
        [("X-Chargeyard-Organization", "org%2Db")],  # percent-encoded org-b
        [],  # a station outside the gateway: judged as ever
        # A gateway of another deployment: its organizations are not this one's.
        [("X-Chargeyard-Organization", "org-elsewhere")],
    ],
    ids=["its-own", "no-header", "another-deployment-s"],
)
async def test_a_station_that_claims_no_other_organization_here_gets_in(
    store: Store, headers: list[tuple[str, str]]
) -> None:
    async with (
        CsmsServer(store, CsmsSettings(port=0, auto_register=True)) as csms,
        connect(
            url(csms, "CP-B"),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=headers,
        ) as websocket,
    ):
        assert (await exchange(websocket, [2, "h1", "Heartbeat", {}]))[:2] == [3, "h1"]
    assert await _owner(store, "CP-B") == "org-b"


@pytest.mark.parametrize(
    ("claim", "registered_in"),
    [("org-a", "org-a"), ("org-elsewhere", "default"), (None, "default")],
)
async def test_an_unknown_gateway_station_is_registered_in_its_organization(
    store: Store, claim: str | None, registered_in: str
) -> None:
    await store.organizations.create("A", organization_id="org-a")
    await store.chargers.create("org-a", identity="CP-NEW", ocpp_version=V16)
    headers = [] if claim is None else [("X-Chargeyard-Organization", claim)]
    async with (
        CsmsServer(store, CsmsSettings(port=0, auto_register=True)) as csms,
        connect(
            url(csms, "CP-NEW"),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=headers,
        ) as websocket,
    ):
        assert (await exchange(websocket, [2, "h1", "Heartbeat", {}]))[:2] == [3, "h1"]
    assert await _owner(store, "CP-NEW") == registered_in


@pytest.mark.parametrize("path", ["/ocpp/CP-SLASH/", "/ocpp/site-1/CP-SLASH", "/ocpp//CP-SLASH//"])
async def test_the_identity_is_the_last_non_empty_path_segment(store: Store, path: str) -> None:
    # OCPP-J 1.6 section 3.1.1, 2.0.1 part 4 section 3.2: the identity ends the URL; a
    # trailing slash, as other central systems accept, names the same station.
    await store.stations.register("CP-SLASH")
    async with CsmsServer(store, CsmsSettings(port=0)) as csms:
        assert await _handshake_status(csms.port, path) == 101
    assert [s.charge_box_id for s in await store.stations.list()] == ["CP-SLASH"]


async def test_a_path_without_an_identity_is_refused_with_404(store: Store) -> None:
    async with CsmsServer(store, CsmsSettings(port=0, auto_register=True)) as csms:
        assert await _handshake_status(csms.port, "/ocpp//") == 404
    assert list(await store.stations.list()) == []
