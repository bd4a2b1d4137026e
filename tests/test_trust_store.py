"""The default trust, loaded once a process and shared by the clients that use it."""

from __future__ import annotations

import ssl

import httpx

from chargeyard.csms.webhook_delivery import http_client
from chargeyard.outbound import OutboundPolicy
from chargeyard.trust_store import http_trust, http_verify, system_trust


def test_the_default_trust_is_loaded_once_and_verifies() -> None:
    assert http_trust() is http_trust()
    assert system_trust() is system_trust()
    for context in (http_trust(), system_trust()):
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname
        assert context.cert_store_stats()["x509_ca"] > 0


def test_only_the_default_is_swapped_for_the_shared_context() -> None:
    own = ssl.create_default_context()
    assert http_verify(True) is http_trust()
    assert http_verify(own) is own
    assert http_verify(False) is False


async def test_clients_that_trust_the_defaults_share_one_context() -> None:
    """Two webhook senders, one with a policy limiting addresses (its own transport): every
    connection pool holds the process's context, not one loaded for it."""
    policy = OutboundPolicy.parse("127.0.0.0/8")
    for client in (http_client(5.0, None), http_client(5.0, policy)):
        async with client:
            assert _pool_context(client) is http_trust()


def _pool_context(client: httpx.AsyncClient) -> ssl.SSLContext:
    pool = client._transport._pool  # type: ignore[attr-defined]  # httpx's and ours alike
    context = pool._ssl_context
    assert isinstance(context, ssl.SSLContext)
    return context
