"""The HTTP clients a webhook sender posts with: per webhook, a few small connection pools.

Why several small pools rather than one of the endpoint's size: httpcore's pool looks at every
connection it holds each time a request starts or ends (is it closed, expired, idle; an idle
one's socket is polled), so a post through a pool of 32 connections cost 40-odd system calls,
the most of a sender's CPU (``benchmarks/webhooks.py``). A pool of :data:`POOL_CONNECTIONS`
keeps that to a handful; a post borrows the least busy pool of its webhook.

The pools share one CA bundle, loaded at the first post (tens of milliseconds of CPU, which a
central system without webhooks never spends), and a webhook's are closed once nothing was
posted to it for :data:`IDLE_S`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import httpx

from chargeyard.csms.webhook_delivery import http_client
from chargeyard.outbound import OutboundPolicy

POOL_CONNECTIONS = 4
"""Connections a pool holds at most (and keeps open between posts)."""
IDLE_S = 300.0
"""A webhook's pools are closed once nothing was posted to it for this long."""


class _Pool:
    __slots__ = ("busy", "client")

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.busy = 0  # posts under way through it


class WebhookClients:
    """Lends a client per post: :meth:`borrow` before it, :meth:`give_back` after.

    Args:
        timeout: httpx's timeout of each step of a post.
        outbound: where posts may connect (None: anywhere).
        per_endpoint: posts to one webhook at a time (its pools hold that many connections).
        clock: the loop's time, for :meth:`close_idle`.
    """

    def __init__(
        self,
        timeout: float,
        outbound: OutboundPolicy | None,
        per_endpoint: int,
        clock: Callable[[], float],
    ) -> None:
        self._timeout = timeout
        self._outbound = outbound
        self._pools_per_webhook = math.ceil(per_endpoint / POOL_CONNECTIONS)
        self._clock = clock
        self._pools: dict[str, list[_Pool]] = {}
        self._used: dict[str, float] = {}  # the clock's time of each webhook's last post

    def borrow(self, webhook_id: str) -> httpx.AsyncClient:
        """The client for a post to ``webhook_id``: its least busy pool's, or a new pool's
        while the webhook has fewer than its share and each is busy."""
        self._used[webhook_id] = self._clock()
        pools = self._pools.setdefault(webhook_id, [])
        pool = min(pools, key=lambda pool: pool.busy, default=None)
        if pool is None or (pool.busy > 0 and len(pools) < self._pools_per_webhook):
            pool = _Pool(self._new_client())
            pools.append(pool)
        pool.busy += 1
        return pool.client

    def give_back(self, webhook_id: str, client: httpx.AsyncClient) -> None:
        for pool in self._pools.get(webhook_id, ()):
            if pool.client is client:
                pool.busy -= 1
                return

    def close_idle(self) -> list[httpx.AsyncClient]:
        """Forget the pools of webhooks nothing was posted to for :data:`IDLE_S` and with no
        post under way; returns their clients, for the caller to close."""
        idle_since = self._clock() - IDLE_S
        closing: list[httpx.AsyncClient] = []
        for webhook_id, used in list(self._used.items()):
            pools = self._pools.get(webhook_id, [])
            if used < idle_since and not any(pool.busy for pool in pools):
                del self._used[webhook_id]
                closing += [pool.client for pool in self._pools.pop(webhook_id, [])]
        return closing

    async def aclose(self) -> None:
        pools, self._pools = self._pools, {}
        self._used.clear()
        for webhook_pools in pools.values():
            for pool in webhook_pools:
                await pool.client.aclose()

    def _new_client(self) -> httpx.AsyncClient:
        return http_client(self._timeout, self._outbound, POOL_CONNECTIONS)


__all__ = ["IDLE_S", "POOL_CONNECTIONS", "WebhookClients"]
