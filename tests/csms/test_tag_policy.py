"""An id tag's group and policy weigh on the answer: a tag whose group tag is Blocked is
Blocked, and a ``single-session`` tag already in an active transaction is ConcurrentTx when it
tries to start another (OCPP 1.6 section 7.2 AuthorizationStatus; 2.0.1 C01, E01)."""

from __future__ import annotations

from websockets.asyncio.client import connect

from chargeyard.csms.server import CsmsServer
from chargeyard.store import Store
from tests.csms.wire import exchange, url

START = {"connectorId": 1, "meterStart": 0, "timestamp": "2026-11-22T06:00:00Z"}


async def test_c_a_single_session_tag_charges_in_one_place_at_a_time(
    csms: CsmsServer, store: Store
) -> None:
    await store.stations.register("CP-2")
    await store.id_tags.create("SOLO", policy="single-session")
    await store.id_tags.create("MANY")
    async with (
        connect(url(csms, "CP-1"), subprotocols=["ocpp1.6"]) as first,  # type: ignore[list-item]
        connect(url(csms, "CP-2"), subprotocols=["ocpp1.6"]) as second,  # type: ignore[list-item]
    ):
        for connector_id, tag in ((1, "SOLO"), (2, "MANY")):  # one transaction a connector
            start = {**START, "connectorId": connector_id, "idTag": tag}
            started = await exchange(first, [2, f"s-{tag}", "StartTransaction", start])
            assert started[2]["idTagInfo"] == {"status": "Accepted"}

        # Elsewhere, while SOLO's session runs: refused for SOLO, not for a tag without policy.
        authorize = await exchange(second, [2, "a1", "Authorize", {"idTag": "SOLO"}])
        assert authorize[2] == {"idTagInfo": {"status": "ConcurrentTx"}}
        again = await exchange(second, [2, "s2", "StartTransaction", {**START, "idTag": "SOLO"}])
        assert again[2]["idTagInfo"] == {"status": "ConcurrentTx"}
        # 4.8: the id is still handed out; the charge point stops the refused session itself.
        stop = {
            "transactionId": again[2]["transactionId"],
            "meterStop": 0,
            "timestamp": START["timestamp"],
        }
        await exchange(second, [2, "x2", "StopTransaction", {**stop, "idTag": "SOLO"}])
        many = await exchange(second, [2, "a2", "Authorize", {"idTag": "MANY"}])
        assert many[2] == {"idTagInfo": {"status": "Accepted"}}

        # Once the first session ends, SOLO may start again.
        stop = {**stop, "transactionId": started_id(await store.transactions.list(), "SOLO")}
        await exchange(first, [2, "x1", "StopTransaction", {**stop, "idTag": "SOLO"}])
        authorize = await exchange(second, [2, "a3", "Authorize", {"idTag": "SOLO"}])
        assert authorize[2] == {"idTagInfo": {"status": "Accepted"}}


def started_id(transactions: object, id_tag: str) -> int:
    [found] = [
        t
        for t in transactions
        if t.id_tag == id_tag and t.status == "active"  # type: ignore[attr-defined]
    ]
    return int(found.transaction_id)


def event(event_type: str, transaction_id: str, seq_no: int, evse_id: int = 1) -> dict[str, object]:
    return {
        "eventType": event_type,
        "timestamp": "2026-11-22T06:00:00Z",
        "triggerReason": "Authorized",
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": transaction_id},
        "evse": {"id": evse_id, "connectorId": 1},
        "idToken": {"idToken": "SOLO", "type": "ISO14443"},
    }


async def test_e01_a_single_session_tag_is_not_concurrent_with_its_own_transaction(
    csms: CsmsServer, store: Store
) -> None:
    await store.id_tags.create("SOLO", policy="single-session", token_type="ISO14443")
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = await exchange(
            websocket, [2, "t1", "TransactionEvent", event("Started", "tx-1", 0)]
        )
        assert started[2] == {"idTokenInfo": {"status": "Accepted"}}
        updated = await exchange(
            websocket, [2, "t2", "TransactionEvent", event("Updated", "tx-1", 1)]
        )
        assert updated[2] == {"idTokenInfo": {"status": "Accepted"}}
        other = await exchange(
            # On another EVSE: one on the same EVSE would end tx-1 (csms/orphans.py).
            websocket,
            [2, "t3", "TransactionEvent", event("Started", "tx-2", 0, evse_id=2)],
        )
        assert other[2] == {"idTokenInfo": {"status": "ConcurrentTx"}}
        authorize = {"idToken": {"idToken": "SOLO", "type": "ISO14443"}}
        answer = await exchange(websocket, [2, "a1", "Authorize", authorize])
        assert answer[2] == {"idTokenInfo": {"status": "ConcurrentTx"}}


async def test_c_a_tag_of_a_blocked_group_is_blocked(csms: CsmsServer, store: Store) -> None:
    await store.id_tags.create("FLEET", status="Blocked")
    await store.id_tags.create("CARD", parent_id_tag="FLEET")
    await store.id_tags.create("LOOSE", parent_id_tag="NOT-A-TAG")
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        card = await exchange(websocket, [2, "a1", "Authorize", {"idTag": "CARD"}])
        assert card[2] == {"idTagInfo": {"status": "Blocked", "parentIdTag": "FLEET"}}
        # A group id that is not a tag of the table blocks nothing.
        loose = await exchange(websocket, [2, "a2", "Authorize", {"idTag": "LOOSE"}])
        assert loose[2] == {"idTagInfo": {"status": "Accepted", "parentIdTag": "NOT-A-TAG"}}
        await store.id_tags.update("FLEET", status="Accepted")
        card = await exchange(websocket, [2, "a3", "Authorize", {"idTag": "CARD"}])
        assert card[2] == {"idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET"}}
