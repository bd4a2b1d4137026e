"""The sender's HTTP clients (``csms/webhook_clients.py``): a webhook's posts spread over small
connection pools, each post on the least busy, no more pools than its share; pools of a webhook
quiet for long are handed back to be closed."""

from __future__ import annotations

from chargeyard.csms.webhook_clients import IDLE_S, POOL_CONNECTIONS, WebhookClients


async def test_posts_to_one_webhook_spread_over_small_pools_up_to_its_share() -> None:
    now = [0.0]
    clients = WebhookClients(10.0, None, per_endpoint=3 * POOL_CONNECTIONS, clock=lambda: now[0])
    try:
        borrowed = [clients.borrow("wh_a") for _ in range(3 * POOL_CONNECTIONS)]
        pools = {id(client) for client in borrowed}
        assert len(pools) == 3  # one pool per POOL_CONNECTIONS posts under way
        assert all(borrowed.count(client) == POOL_CONNECTIONS for client in borrowed)
        # The pool a post left takes the next one; another webhook has pools of its own.
        clients.give_back("wh_a", borrowed[0])
        assert clients.borrow("wh_a") is borrowed[0]
        other = clients.borrow("wh_b")
        assert id(other) not in pools
    finally:
        await clients.aclose()


async def test_the_pools_of_a_quiet_webhook_are_handed_back_for_closing() -> None:
    now = [0.0]
    clients = WebhookClients(10.0, None, per_endpoint=8, clock=lambda: now[0])
    try:
        quiet = clients.borrow("wh_quiet")
        clients.give_back("wh_quiet", quiet)
        busy = clients.borrow("wh_busy")  # a post still under way
        now[0] = IDLE_S - 1
        assert clients.close_idle() == []
        now[0] = IDLE_S + 1
        assert clients.close_idle() == [quiet]
        await quiet.aclose()
        assert clients.borrow("wh_quiet") is not quiet  # a new pool for its next post
        clients.give_back("wh_busy", busy)
    finally:
        await clients.aclose()
